module lane #(parameter W=16) (input [W-1:0] pin, input [7:0] x, input z, input s, output [W-1:0] pout);
  wire [7:0] u = ~(((x & {8{z}}) ^ {8{s}}) ^ 8'h80);
  wire [W:0] r = {pin, s} - {{(W-8){1'b1}}, u, 1'b1};
  assign pout = r[W:1];
endmodule
// systolic: G segments of L/G lanes; segment k sees inputs delayed by k cycles
module row #(parameter L=64, G=4, W=16, ACC=20) (input clk, input last, input [8*L-1:0] x, input [L-1:0] z, input [L-1:0] s, output reg [ACC-1:0] acc, output reg [ACC-1:0] res);
  localparam S = L/G;
  genvar i, k;
  wire [W-1:0] p [0:L];
  reg [W-1:0] segr [0:G-1];
  // delay lines
  reg [L-1:0] zd [0:G-1]; reg [L-1:0] sd [0:G-1]; reg [8*L-1:0] xd [0:G-1];
  always @(*) begin zd[0] = z; sd[0] = s; xd[0] = x; end
  generate for (k=1;k<G;k=k+1) begin: dl
    always @(posedge clk) begin zd[k] <= zd[k-1]; sd[k] <= sd[k-1]; xd[k] <= xd[k-1]; end
  end endgenerate
  generate for (i=0;i<L;i=i+1) begin: g
     wire [W-1:0] pin = (i == 0) ? -(128*L) : (i % S == 0) ? segr[i/S-1] : p[i];
     lane #(.W(W)) u(.pin(pin), .x(xd[i/S][8*i+:8]), .z(zd[i/S][i]), .s(sd[i/S][i]), .pout(p[i+1]));
     if (i % S == S-1) always @(posedge clk) segr[i/S] <= p[i+1];
  end endgenerate
  wire [ACC-1:0] sum = acc + {{(ACC-W){segr[G-1][W-1]}}, segr[G-1]};
  always @(posedge clk) begin acc <= last ? 0 : sum; if (last) res <= sum; end
endmodule
