module lane #(parameter W=16) (input [W-1:0] pin, input [7:0] x, input z, input s, output [W-1:0] pout);
  wire [7:0] u = ~(((x & {8{z}}) ^ {8{s}}) ^ 8'h80);
  wire [W:0] r = {pin, s} - {{(W-8){1'b1}}, u, 1'b1};
  assign pout = r[W:1];
endmodule
// segment of G lanes, registered output, W bits unsigned
module row #(parameter L=64, G=16, W=13, ACC=20) (input clk, input last, input [8*L-1:0] x, input [L-1:0] z, input [L-1:0] s, output reg [ACC-1:0] acc, output reg [ACC-1:0] res);
  genvar i;
  wire [W-1:0] p [0:L];
  reg [W-1:0] segr [0:L/G-1];
  generate for (i=0;i<L;i=i+1) begin: g
     wire [W-1:0] pin = (i % G == 0) ? {W{1'b0}} : p[i];
     lane #(.W(W)) u(.pin(pin), .x(x[8*i+:8]), .z(z[i]), .s(s[i]), .pout(p[i+1]));
     if (i % G == G-1) always @(posedge clk) segr[i/G] <= p[i+1];
  end endgenerate
  // tree over L/G segments (4): two levels registered
  reg [W:0] a0, a1; reg [W+1:0] b;
  always @(posedge clk) begin a0 <= segr[0] + segr[1]; a1 <= segr[2] + segr[3]; b <= a0 + a1; end
  wire [ACC-1:0] sum = acc + {{(ACC-W-2){1'b0}}, b} - 128*L;
  always @(posedge clk) begin acc <= last ? 0 : sum; if (last) res <= sum; end
endmodule
