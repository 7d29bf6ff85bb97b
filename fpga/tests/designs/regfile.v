// 8 x 8-bit register file, one synchronous write port, one asynchronous read port.
module regfile(input clk, input we, input [2:0] wa, input [2:0] ra, input [7:0] wd, output [7:0] rd);
  reg [7:0] r [0:7];
  always @(posedge clk) if (we) r[wa] <= wd;
  assign rd = r[ra];
endmodule
