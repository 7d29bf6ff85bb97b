// Registered 8x8 unsigned multiplier.
module mul8(input clk, input [7:0] a, input [7:0] b, output reg [15:0] p);
  always @(posedge clk) p <= a * b;
endmodule
