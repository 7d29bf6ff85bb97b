// Baseline: per-lane select of w*x (9-bit signed: x, -x or 0) and a pipelined binary adder
// tree, widths trimmed per level (9, 10, ... 15 bits), registered after every level.
module row #(parameter L=64, ACC=20) (input clk, input last, input [8*L-1:0] x, input [L-1:0] z, input [L-1:0] s, output reg [ACC-1:0] acc, output reg [ACC-1:0] res);
  genvar i, lv;
  wire signed [8:0] t [0:L-1];
  generate for (i=0;i<L;i=i+1) begin: sel
    wire signed [8:0] xs = {x[8*i+7], x[8*i+:8]};
    assign t[i] = !z[i] ? 9'sd0 : s[i] ? -xs : xs;
  end endgenerate
  // level 1..6 for L=64
  reg signed [9:0]  l1 [0:31]; reg signed [10:0] l2 [0:15]; reg signed [11:0] l3 [0:7];
  reg signed [12:0] l4 [0:3];  reg signed [13:0] l5 [0:1];  reg signed [14:0] l6;
  integer k;
  always @(posedge clk) begin
    for (k=0;k<32;k=k+1) l1[k] <= t[2*k] + t[2*k+1];
    for (k=0;k<16;k=k+1) l2[k] <= l1[2*k] + l1[2*k+1];
    for (k=0;k<8;k=k+1)  l3[k] <= l2[2*k] + l2[2*k+1];
    for (k=0;k<4;k=k+1)  l4[k] <= l3[2*k] + l3[2*k+1];
    for (k=0;k<2;k=k+1)  l5[k] <= l4[2*k] + l4[2*k+1];
    l6 <= l5[0] + l5[1];
  end
  wire signed [ACC-1:0] sum = acc + l6;
  always @(posedge clk) begin acc <= last ? 0 : sum; if (last) res <= sum; end
endmodule
