// Checks pair_lanes_ff.v against the plain dot product: 60 dot products of 3 slices each,
// back to back, random int8 activations (a fifth of them -128) and ternary weights, the first
// two slices at the extremes. Prints "errors 0" when every result matches.
//   iverilog -g2005 -o tb pair_lanes_ff_tb.v pair_lanes_ff.v && vvp tb
//   iverilog -g2005 -P tb.SFP=1 -o tb pair_lanes_ff_tb.v pair_lanes_ff.v && vvp tb
module tb;
  parameter SFP = 0;
  localparam L=64, G=4, N=60, NS=3;
  reg clk=0, last=0; reg [8*L-1:0] x=0; reg [L-1:0] z=0, s=0;
  reg [9*L/2-1:0] sm, df;
  wire [19:0] acc, res;
  row #(.SIGN_FROM_PACKING(SFP)) dut(.clk(clk), .last(last), .x(x), .sm(sm), .df(df), .z(z), .s(s), .acc(acc), .res(res));
  integer i, t, p, errs=0; integer want [0:N-1]; integer xv [0:L-1]; integer wv [0:L-1];
  integer seed = 7;
  always @(*) for (i=0;i<L/2;i=i+1) begin
    sm[9*i+:9] = {x[16*i+7], x[16*i+:8]} + {x[16*i+15], x[16*i+8+:8]};
    df[9*i+:9] = {x[16*i+7], x[16*i+:8]} - {x[16*i+15], x[16*i+8+:8]};
  end
  task tick; begin #1 clk=1; #1 clk=0; end endtask
  initial begin
    // clear: zero weights, one last
    for (t=0;t<G+3;t=t+1) begin last = (t==G+2); tick; end
    last=0;
    // dot products p = 0..N-1 of NS slices each, back to back; a slice reaches the accumulator
    // G + 2 cycles after it enters (the pair registers, then G segments)
    for (t=0;t<N*NS+G+3;t=t+1) begin
      last = (t >= G+2) && ((t-G-2) % NS == NS-1) && ((t-G-2) < N*NS);
      if (t < N*NS) begin
        p = t / NS; if (t % NS == 0) want[p] = 0;
        for (i=0;i<L;i=i+1) begin
          xv[i] = (t==0) ? -128 : (t==1) ? 127 : (($random(seed) % 5 == 0) ? -128 : ($random(seed) % 128));
          if (t==0) wv[i] = -1; else if (t==1) wv[i] = 1; else wv[i] = ($random(seed) % 2);
          x[8*i+:8] = xv[i]; z[i] = wv[i] != 0; s[i] = wv[i] < 0;
          want[p] = want[p] + xv[i]*wv[i];
        end
        // the packer's side of SIGN_FROM_PACKING: a zero in lane a carries lane b's sign
        if (SFP) for (i=0;i<L;i=i+2) if (!z[i]) s[i] = s[i+1];
      end else begin x = 0; z = 0; s = 0; end
      tick;
      if (last) begin
        #0; if ($signed(res) !== (want[(t-G-2)/NS])) begin errs=errs+1; $display("product %0d: got %0d want %0d", (t-G-2)/NS, $signed(res), want[(t-G-2)/NS]); end
        else $display("product %0d ok: %0d", (t-G-2)/NS, $signed(res));
      end
    end
    $display("errors %0d", errs); $finish;
  end
endmodule
