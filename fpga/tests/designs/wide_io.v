// 64 inputs and 64 outputs: more pins than the iCE40UP5K sg48 package has (39).
module wide_io(input clk, input [63:0] a, output reg [63:0] y);
  always @(posedge clk) y <= a;
endmodule
