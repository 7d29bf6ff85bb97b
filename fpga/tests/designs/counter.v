// 8-bit counter with synchronous reset: a carry chain and 8 flip-flops.
module counter(input clk, input rst, output [7:0] q);
  reg [7:0] c;
  always @(posedge clk) if (rst) c <= 8'd0; else c <= c + 8'd1;
  assign q = c;
endmodule
