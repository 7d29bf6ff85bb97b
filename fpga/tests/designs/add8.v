// Registered 8-bit adder: no multiplier anywhere.
module add8(input clk, input [7:0] a, input [7:0] b, output reg [8:0] s);
  always @(posedge clk) s <= a + b;
endmodule
