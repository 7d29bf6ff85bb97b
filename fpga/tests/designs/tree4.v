// Adder tree of four 8-bit inputs built from an adder submodule, registered output.
module add2 #(parameter W = 8) (input [W-1:0] a, input [W-1:0] b, output [W:0] s);
  assign s = a + b;
endmodule
module tree4(input clk, input [7:0] a, input [7:0] b, input [7:0] c, input [7:0] d, output reg [9:0] y);
  wire [8:0] s0, s1;
  wire [9:0] s2;
  add2 #(8) u0(.a(a), .b(b), .s(s0));
  add2 #(8) u1(.a(c), .b(d), .s(s1));
  add2 #(9) u2(.a(s0), .b(s1), .s(s2));
  always @(posedge clk) y <= s2;
endmodule
