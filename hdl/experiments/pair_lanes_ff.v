// Pair lanes: one LUT6 per operand bit adds the products of two lanes, w1*x + w2*y, chosen
// among x, y, x+y and x-y. The sums x+y and x-y are shared by every row of a row group
// (module preadd); each row keeps four copies of the candidates in flip-flops whose
// synchronous reset zeroes the ones its weights do not choose, so the LUT6 of bit i sees
// (pin_i, sign, X_i, Y_i, S_i, D_i). The per-row selection lives in flip-flop reset pins:
// 40 flip-flops and 4 distinct resets per pair, against 8 LUTs per lane for the systolic chain.
// SIGN_FROM_PACKING = 1 takes the pair's sign from lane a's sign bit, which the packer can
// make valid for a zero weight (code 10 reads as 0); 0 decodes it (za ? sa : sb).
module pairlane #(parameter W=16, SIGN_FROM_PACKING=0) (input clk, input [W-1:0] pin,
    input [7:0] x, input [7:0] y, input [8:0] sm, input [8:0] df,
    input za, input sa, input zb, input sb, output [W-1:0] pout);
  reg ra, rb, rs, rd, sg1, sg;
  always @(posedge clk) begin
    ra <= ~(za & ~zb); rb <= ~(~za & zb);
    rs <= ~(za & zb & (sa == sb)); rd <= ~(za & zb & (sa != sb));
    sg1 <= SIGN_FROM_PACKING ? sa : (za ? sa : sb);
  end
  reg [9:0] XA, XB, S, D;
  always @(posedge clk) begin
    sg <= sg1;
    if (ra) XA <= 10'd0; else XA <= {{2{x[7]}}, x};
    if (rb) XB <= 10'd0; else XB <= {{2{y[7]}}, y};
    if (rs) S <= 10'd0; else S <= {sm[8], sm};
    if (rd) D <= 10'd0; else D <= {df[8], df};
  end
  // |w1*x + w2*y| <= 256: a 10-bit two's complement value, offset-binary (+512) so the
  // adder's bits 10 and up only ripple the carry; sg is the carry-in of the negation
  wire [9:0] v = XA | XB | S | D;
  wire [9:0] u = ~((v ^ {10{sg}}) ^ 10'h200);
  wire [W:0] r = {pin, sg} - {{(W-10){1'b1}}, u, 1'b1};
  assign pout = r[W:1];
endmodule
// one 64-lane row: 32 pair lanes in one chain cut into G systolic segments (as systolic_chain.v)
module row #(parameter L=64, G=4, W=16, ACC=20, SIGN_FROM_PACKING=0) (input clk, input last,
    input [8*L-1:0] x, input [9*L/2-1:0] sm, input [9*L/2-1:0] df, input [L-1:0] z,
    input [L-1:0] s, output reg [ACC-1:0] acc, output reg [ACC-1:0] res);
  localparam P = L/2, S = P/G;
  genvar i, k;
  wire [W-1:0] p [0:P];
  reg [W-1:0] segr [0:G-1];
  // weights delayed by k for segment k, candidates by k + 1 (see pairlane)
  reg [L-1:0] zd [0:G-1]; reg [L-1:0] sd [0:G-1]; reg [8*L-1:0] xd [0:G];
  reg [9*P-1:0] smd [0:G]; reg [9*P-1:0] dfd [0:G];
  always @(*) begin zd[0] = z; sd[0] = s; xd[0] = x; smd[0] = sm; dfd[0] = df; end
  generate for (k=1;k<=G;k=k+1) begin: dl
    if (k < G) always @(posedge clk) begin zd[k] <= zd[k-1]; sd[k] <= sd[k-1]; end
    always @(posedge clk) begin xd[k] <= xd[k-1]; smd[k] <= smd[k-1]; dfd[k] <= dfd[k-1]; end
  end endgenerate
  generate for (i=0;i<P;i=i+1) begin: g
    wire [W-1:0] pin = (i == 0) ? -(256*L) : (i % S == 0) ? segr[i/S-1] : p[i];
    pairlane #(.W(W), .SIGN_FROM_PACKING(SIGN_FROM_PACKING)) u(.clk(clk), .pin(pin),
      .x(xd[i/S+1][16*i+:8]), .y(xd[i/S+1][16*i+8+:8]), .sm(smd[i/S+1][9*i+:9]), .df(dfd[i/S+1][9*i+:9]),
      .za(zd[i/S][2*i]), .sa(sd[i/S][2*i]), .zb(zd[i/S][2*i+1]), .sb(sd[i/S][2*i+1]), .pout(p[i+1]));
    if (i % S == S-1) always @(posedge clk) segr[i/S] <= p[i+1];
  end endgenerate
  wire [ACC-1:0] sum = acc + {{(ACC-W){segr[G-1][W-1]}}, segr[G-1]};
  always @(posedge clk) begin acc <= last ? 0 : sum; if (last) res <= sum; end
endmodule
// the pre-adders of one row group (x+y, x-y for every pair), shared by all its rows
module preadd #(parameter L=64) (input clk, input [8*L-1:0] x, output reg [9*L/2-1:0] sm,
    output reg [9*L/2-1:0] df);
  genvar i;
  generate for (i=0;i<L/2;i=i+1) begin: g
    always @(posedge clk) begin
      sm[9*i+:9] <= {x[16*i+7], x[16*i+:8]} + {x[16*i+15], x[16*i+8+:8]};
      df[9*i+:9] <= {x[16*i+7], x[16*i+:8]} - {x[16*i+15], x[16*i+8+:8]};
    end
  end endgenerate
endmodule
