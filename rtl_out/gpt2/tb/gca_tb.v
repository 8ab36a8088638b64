// Self-checking bench written by gca (gca::sim::icarus); expected beats come from the twin H.
`timescale 1ns / 1ps
`default_nettype none
module gca_tb;
  localparam integer NIN = 888;
  localparam integer NEXP = 600;
  localparam integer NPKT = 24;
  localparam integer NQ = 13;
  localparam integer MAXCYC = 370024;
  // A cut packet (input beats CUT_START .. CUT_END - 1) starts once CUT_DRAIN output packets
  // left; the design is reset for 4 cycles right after its last beat (-1: none).
  localparam integer CUT_START = -1;
  localparam integer CUT_END = -1;
  localparam integer CUT_DRAIN = 0;
  reg clk;
  reg rst_n;
  reg go;
  reg stream_done;
  reg [3:0] pin;
  reg [12:0] awaddr;
  reg [12:0] araddr;
  reg [31:0] wdata;
  reg [3:0] wstrb;
  reg awvalid, wvalid, arvalid;
  reg [515:0] stim [0:NIN-1];
  reg [515:0] expect [0:NEXP-1];
  reg [31:0] origin [0:NEXP-1];
  integer qnext [0:NQ-1];
  integer qend [0:NQ-1];
  integer in_i;
  integer cur;
  integer q;
  integer packets;
  integer cycle;
  reg in_pkt;
  reg [15:0] lfsr;
  reg gap;
  reg bp;
  reg stalled;  // the beat offered at the last edge was not taken: it stays offered
  wire s_tready;
  wire hold = (in_i == CUT_START) && (packets < CUT_DRAIN || in_pkt);
  wire s_tvalid = rst_n && go && (in_i < NIN) && ((!gap && !hold) || stalled);
  wire [511:0] s_tdata = stim[in_i < NIN ? in_i : 0][511:0];
  wire s_tlast = stim[in_i < NIN ? in_i : 0][512];
  wire [511:0] m_tdata;
  wire m_tvalid;
  wire m_tlast;
  wire m_tready = !bp;
  wire [515:0] got = {3'd0, m_tlast, m_tdata};
  wire awready, wready, bvalid, arready, rvalid, irq;
  wire [1:0] bresp, rresp;
  wire [31:0] rdata;
  wire chk_fail;
  wire [7:0] chk_rule;
  // gca_top with the protocol checkers of checkers/ around it.
  gca_top_checked dut (
    .clk(clk), .rst_n(rst_n),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast),
    .s_axil_awaddr(awaddr), .s_axil_awprot(3'd0), .s_axil_awvalid(awvalid), .s_axil_awready(awready),
    .s_axil_wdata(wdata), .s_axil_wstrb(wstrb), .s_axil_wvalid(wvalid), .s_axil_wready(wready),
    .s_axil_bresp(bresp), .s_axil_bvalid(bvalid), .s_axil_bready(1'b1),
    .s_axil_araddr(araddr), .s_axil_arprot(3'd0), .s_axil_arvalid(arvalid), .s_axil_arready(arready),
    .s_axil_rdata(rdata), .s_axil_rresp(rresp), .s_axil_rvalid(rvalid), .s_axil_rready(1'b1),
    .irq(irq), .chk_fail(chk_fail), .chk_rule(chk_rule)
  );
  // AXI4-Lite master: inputs change half a cycle after an edge; ready and valid are sampled
  // 1 ns later, so a transfer seen there happens at the next rising edge.
  task axil_write;
    input integer op;
    input [12:0] addr;
    input [31:0] data;
    input [3:0] strb;
    input [1:0] resp;
    reg aw_done, w_done;
    begin
      @(negedge clk);
      awaddr = addr;
      wdata = data;
      wstrb = strb;
      awvalid = 1'b1;
      wvalid = 1'b1;
      aw_done = 1'b0;
      w_done = 1'b0;
      while (!(aw_done && w_done)) begin
        #1;
        if (awvalid && awready) aw_done = 1'b1;
        if (wvalid && wready) w_done = 1'b1;
        @(negedge clk);
        if (aw_done) awvalid = 1'b0;
        if (w_done) wvalid = 1'b0;
      end
      #1;
      while (!bvalid) begin
        @(negedge clk);
        #1;
      end
      if (bresp !== resp) begin
        $display("GCA-TB FAIL: AXI4-Lite transfer %0d (write %h), cycle %0d: response %0d, expected %0d", op, addr, cycle, bresp, resp);
        $finish;
      end
      @(posedge clk);
    end
  endtask
  task axil_read;
    input integer op;
    input [12:0] addr;
    input [1:0] resp;
    input check;
    input [31:0] data;
    begin
      @(negedge clk);
      araddr = addr;
      arvalid = 1'b1;
      #1;
      while (!arready) begin
        @(negedge clk);
        #1;
      end
      @(negedge clk);
      arvalid = 1'b0;
      #1;
      while (!rvalid) begin
        @(negedge clk);
        #1;
      end
      if (rresp !== resp) begin
        $display("GCA-TB FAIL: AXI4-Lite transfer %0d (read %h), cycle %0d: response %0d, expected %0d", op, addr, cycle, rresp, resp);
        $finish;
      end
      if (check && rdata !== data) begin
        $display("GCA-TB FAIL: AXI4-Lite transfer %0d (read %h), cycle %0d: data %h, expected %h", op, addr, cycle, rdata, data);
        $finish;
      end
      @(posedge clk);
    end
  endtask
  initial begin
    $readmemh("stim.hex", stim);
    $readmemh("expect.hex", expect);
    $readmemh("origin.hex", origin);
    qnext[0] = 0;
    qend[0] = 50;
    qnext[1] = 50;
    qend[1] = 100;
    qnext[2] = 100;
    qend[2] = 150;
    qnext[3] = 150;
    qend[3] = 200;
    qnext[4] = 200;
    qend[4] = 250;
    qnext[5] = 250;
    qend[5] = 300;
    qnext[6] = 300;
    qend[6] = 350;
    qnext[7] = 350;
    qend[7] = 400;
    qnext[8] = 400;
    qend[8] = 450;
    qnext[9] = 450;
    qend[9] = 500;
    qnext[10] = 500;
    qend[10] = 550;
    qnext[11] = 550;
    qend[11] = 600;
    qnext[12] = 600;
    qend[12] = 600;
    clk = 1'b0;
    rst_n = 1'b0;
    in_i = 0;
    cur = 0;
    q = 0;
    packets = 0;
    cycle = 0;
    in_pkt = 1'b0;
    lfsr = 16'hace1;
    gap = 1'b0;
    bp = 1'b0;
    stalled = 1'b0;
    go = 1'b0;
    stream_done = 1'b0;
    pin = 4'd0;
    awaddr = 13'd0;
    araddr = 13'd0;
    wdata = 32'd0;
    wstrb = 4'hf;
    awvalid = 1'b0;
    wvalid = 1'b0;
    arvalid = 1'b0;
    #10 rst_n = 1'b1;
    go = 1'b1;
    wait (stream_done);
    $display("GCA-TB PASS: %0d packets in %0d cycles", NPKT, cycle);
    $finish;
  end
  // The reset of a cut packet: 4 cycles, then released.
  always @(posedge clk) if (pin != 4'd0) begin
    pin <= pin - 4'd1;
    if (pin == 4'd1) rst_n <= 1'b1;
  end
  always #5 clk = !clk;
  always @(posedge clk) if (rst_n) begin
    cycle = cycle + 1;
    // A broken protocol rule first: what follows it may be its consequence.
    if (chk_fail) begin
      $display("GCA-TB FAIL: cycle %0d: protocol checker rule %0d", cycle, chk_rule);
      $finish;
    end
    lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
    gap <= 1 && (lfsr[2:0] == 3'd0);
    stalled <= s_tvalid && !s_tready;
    bp <= 1 && (lfsr[6:4] == 3'd0);
    if (s_tvalid && s_tready) begin
      in_i <= in_i + 1;
      if (in_i + 1 == CUT_END) begin
        rst_n <= 1'b0;
        pin <= 4'd4;
      end
    end
    if (m_tvalid && m_tready) begin
      if (!in_pkt) begin
        q = (m_tdata[3:0] != 4'd0) ? NQ - 1 : m_tdata[15:8];
        if (q >= NQ - 1 && m_tdata[3:0] == 4'd0) begin
          $display("GCA-TB FAIL: cycle %0d: a result header names layer %0d of 12", cycle, m_tdata[15:8]);
          $finish;
        end
        if (qnext[q] >= qend[q]) begin
          $display("GCA-TB FAIL: cycle %0d: unexpected packet with header %h (queue %0d has no more)", cycle, m_tdata[47:0], q);
          $finish;
        end
        cur = qnext[q];
        in_pkt = 1'b1;
      end
      if (got !== expect[cur]) begin
        $display("GCA-TB FAIL: expect.hex line %0d, input packet %0d, cycle %0d: expected %h, got %h", cur + 1, origin[cur], cycle, expect[cur], got);
        $finish;
      end
      cur = cur + 1;
      if (m_tlast) begin
        in_pkt = 1'b0;
        qnext[q] = cur;
        packets = packets + 1;
        if (packets == NPKT) stream_done = 1'b1;
      end
    end
    if (cycle >= MAXCYC) begin
      $display("GCA-TB FAIL: timeout after %0d cycles: %0d of %0d input beats accepted, %0d of %0d packets seen", cycle, in_i, NIN, packets, NPKT);
      $finish;
    end
  end
endmodule
