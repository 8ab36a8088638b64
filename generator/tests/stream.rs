//! The AXI4-Stream blocks `gca_ingress` and `gca_egress` against real tools: their ports follow
//! the tables of docs/rtl.md, they lint clean under `verilator --lint-only -Wall` for the presets
//! tiny, gpt2-head and gpt2, synthesize under Yosys without latches (tiny), and pass Icarus
//! self-checking testbenches (tiny) that drive their ports directly: every packet rule of the
//! ingress, and arbitration, back-pressure and ordering of the egress. A missing tool fails the
//! test with its Debian package.

mod common;

use std::process::Output;

use common::{run, TempDir};
use gca::config::{self, Params};
use gca::hdl::{Design, Kind, Module};
use gca::rtl::common::index_width;
use gca::rtl::{egress, ingress};

fn params(name: &str) -> Params {
    config::load(name).unwrap_or_else(|e| panic!("preset {name}: {e:?}"))
}

/// Checks and prints one module, with the clock gate when it has one; returns the file names
/// (written into `dir`), the module's first.
fn write_module(dir: &TempDir, m: Module) -> Vec<String> {
    let gated = m
        .items
        .iter()
        .any(|i| matches!(i, gca::hdl::Item::Instance(x) if x.module.as_str() == "gca_clock_gate"));
    let mut modules = vec![m];
    if gated {
        modules.push(gca::rtl::clock_gate::build(&params("tiny")));
    }
    let files = Design::new(modules)
        .files()
        .unwrap_or_else(|e| panic!("{e:#?}"));
    files
        .iter()
        .map(|(name, text)| {
            dir.write(name, text);
            name.clone()
        })
        .collect()
}

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// (name, direction, width) of every port, in order.
fn ports(m: &Module) -> Vec<(String, Kind, u32)> {
    m.all_ports()
        .map(|d| {
            let kind = if d.kind == Kind::OutputReg {
                Kind::Output
            } else {
                d.kind
            };
            (d.name.to_string(), kind, d.width)
        })
        .collect()
}

fn expect(list: &[(&str, Kind, u32)]) -> Vec<(String, Kind, u32)> {
    list.iter()
        .map(|(n, k, w)| (n.to_string(), *k, *w))
        .collect()
}

#[test]
fn ports_follow_the_tables_of_docs_rtl() {
    use Kind::{Input as I, Output as O};
    for name in ["tiny", "gpt2-head", "gpt2"] {
        let p = params(name);
        let (l, td) = (p.shape.n_layer as u32, p.stream.tdata_bits);
        let lw = index_width(p.shape.n_layer);
        let hw = index_width(p.shape.n_head);
        let pw = index_width(p.stream.in_beats_per_vector);
        let bw = index_width(p.shape.n_head * p.stream.out_beats_per_head);
        let ing = ingress::build(&p);
        assert_eq!(ing.name.as_str(), "gca_ingress");
        assert_eq!(
            ports(&ing),
            expect(&[
                ("clk", I, 1),
                ("rst_n", I, 1),
                ("s_axis_tdata", I, td),
                ("s_axis_tvalid", I, 1),
                ("s_axis_tready", O, 1),
                ("s_axis_tlast", I, 1),
                ("enable", I, 1),
                ("srst", I, 1),
                ("stage_free", I, l),
                ("beat_data", O, td),
                ("beat_valid", O, 1),
                ("beat_layer", O, lw),
                ("beat_head", O, hw),
                ("beat_kind", O, 2),
                ("beat_part", O, pw),
                ("beat_sel", O, 3 * p.shape.n_head as u32),
                ("beat_pos", O, 32),
                ("commit", O, 1),
                ("win_reset", O, 1),
                ("err_valid", O, 1),
                ("err_code", O, 4),
                ("err_layer", O, 8),
                ("err_pos", O, 32),
                ("err_ack", I, 1),
                ("ev_token", O, 1),
                ("ev_error", O, 1),
                ("ev_err_kind", O, 4),
            ]),
            "{name}"
        );
        let eg = egress::build(&p);
        assert_eq!(eg.name.as_str(), "gca_egress");
        assert_eq!(
            ports(&eg),
            expect(&[
                ("clk", I, 1),
                ("rst_n", I, 1),
                ("m_axis_tdata", O, td),
                ("m_axis_tvalid", O, 1),
                ("m_axis_tready", I, 1),
                ("m_axis_tlast", O, 1),
                ("res_valid", I, l),
                ("res_pos", I, 32 * l),
                ("res_beat", O, bw),
                ("res_data", I, td * l),
                ("res_done", O, l),
                ("err_valid", I, 1),
                ("err_code", I, 4),
                ("err_layer", I, 8),
                ("err_pos", I, 32),
                ("err_ack", O, 1),
                ("ev_result", O, 1),
            ]),
            "{name}"
        );
    }
}

#[test]
fn stream_blocks_lint_clean_under_verilator() {
    let dir = TempDir::new("stream-lint");
    for name in ["tiny", "gpt2-head", "gpt2"] {
        let p = params(name);
        for m in [ingress::build(&p), egress::build(&p)] {
            let top = m.name.to_string();
            let files = write_module(&dir, m);
            let mut args = vec!["--lint-only", "-Wall", "--top-module", &top];
            args.extend(files.iter().map(String::as_str));
            let out = run("verilator", "verilator", &dir.0, &args);
            let log = text(&out);
            assert!(
                out.status.success() && !log.contains("%Warning") && !log.contains("%Error"),
                "{name} {top}: verilator --lint-only -Wall:\n{log}"
            );
        }
    }
}

#[test]
fn stream_blocks_synthesize_without_latches() {
    let dir = TempDir::new("stream-yosys");
    let p = params("tiny");
    for m in [ingress::build(&p), egress::build(&p)] {
        let top = m.name.to_string();
        let files = write_module(&dir, m).join(" ");
        // The one latch allowed is the clock gate's.
        let script = format!(
            "read_verilog {files}; hierarchy -check -top {top}; proc; check -assert; \
             synth -top {top}; select -assert-none t:$*dlatch* t:$_DLATCH* %u gca_clock_gate %d; \
             stat"
        );
        let out = run("yosys", "yosys", &dir.0, &["-p", &script]);
        let log = text(&out);
        assert!(out.status.success(), "{top}: yosys failed:\n{log}");
        assert!(
            !log.lines()
                .any(|l| l.contains("Latch inferred") && !l.contains("gca_clock_gate")),
            "{top}: yosys inferred a latch:\n{log}"
        );
    }
}

/// Compiles `tb` with the module under test and runs it; asserts the PASS line.
fn simulate(tag: &str, m: Module, tb: &str, pass: &str) {
    let dir = TempDir::new(tag);
    let files = write_module(&dir, m);
    dir.write("tb.v", tb);
    let mut args = vec!["-g2005", "-o", "sim.vvp", "-s", "tb", "tb.v"];
    args.extend(files.iter().map(String::as_str));
    let out = run("iverilog", "iverilog", &dir.0, &args);
    assert!(out.status.success(), "iverilog failed:\n{}", text(&out));
    let out = run("vvp", "iverilog", &dir.0, &["-n", "sim.vvp"]);
    let log = text(&out);
    assert!(
        out.status.success() && log.lines().any(|l| l.trim() == pass) && !log.contains("FAIL"),
        "{tag}: testbench did not pass:\n{log}"
    );
}

/// Replaces `$NAME` placeholders (longest names first is not needed: all are distinct words).
fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut s = template.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("${k}$"), v);
    }
    assert!(!s.contains("$TD$"), "unfilled placeholder");
    s
}

const INGRESS_TB: &str = r#"`timescale 1ns / 1ps
`default_nettype none
// Self-checking testbench of gca_ingress (written by tests/stream.rs).
module tb;
  localparam TD = $TD$;
  localparam L = $L$;
  localparam LW = $LW$;
  localparam HW = $HW$;
  localparam H = $H$;
  localparam PW = $PW$;
  localparam P = $P$;
  localparam NDATA = $NDATA$;

  reg clk = 1'b0;
  always #5 clk = ~clk;
  reg rst_n = 1'b0;

  reg [TD-1:0] s_axis_tdata = {TD{1'b0}};
  reg s_axis_tvalid = 1'b0;
  reg s_axis_tlast = 1'b0;
  wire s_axis_tready;
  reg enable = 1'b1;
  reg srst = 1'b0;
  reg [L-1:0] stage_free = {L{1'b1}};
  wire [TD-1:0] beat_data;
  wire beat_valid;
  wire [LW-1:0] beat_layer;
  wire [HW-1:0] beat_head;
  wire [1:0] beat_kind;
  wire [PW-1:0] beat_part;
  wire [3*H-1:0] beat_sel;
  wire [31:0] beat_pos;
  wire commit;
  wire win_reset;
  wire err_valid;
  wire [3:0] err_code;
  wire [7:0] err_layer;
  wire [31:0] err_pos;
  reg err_ack = 1'b0;
  wire ev_token;
  wire ev_error;
  wire [3:0] ev_err_kind;
  // The previous cycle, for the registered outputs (beat_data, ev_*).
  reg p_valid = 1'b0, p_commit = 1'b0, p_hs = 1'b0;
  reg [TD-1:0] p_data;

  gca_ingress dut (
    .clk(clk), .rst_n(rst_n),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid),
    .s_axis_tready(s_axis_tready), .s_axis_tlast(s_axis_tlast),
    .enable(enable), .srst(srst), .stage_free(stage_free),
    .beat_data(beat_data), .beat_valid(beat_valid), .beat_layer(beat_layer),
    .beat_head(beat_head), .beat_kind(beat_kind), .beat_part(beat_part), .beat_sel(beat_sel),
    .beat_pos(beat_pos), .commit(commit), .win_reset(win_reset),
    .err_valid(err_valid), .err_code(err_code), .err_layer(err_layer), .err_pos(err_pos),
    .err_ack(err_ack), .ev_token(ev_token), .ev_error(ev_error), .ev_err_kind(ev_err_kind)
  );

  integer fails = 0;
  reg [8*48-1:0] phase = "reset";

  function [TD-1:0] hdr(input [3:0] op, input [7:0] layer, input [31:0] pos);
    hdr = {{(TD-48){1'b0}}, pos, layer, 4'd0, op};
  endfunction

  function [TD-1:0] data_beat(input [15:0] seed, input [15:0] i);
    data_beat = {(TD/32){seed, ~i[7:0], i[7:0]}};
  endfunction

  // What the routed beats of the current packet must look like.
  integer exp_idx = 0;
  reg [LW-1:0] exp_layer = 0;
  reg [31:0] exp_pos = 0;
  reg [15:0] seed = 16'h1000;

  // Counters since the last clear_counts.
  integer n_beat = 0, n_commit = 0, n_reset = 0, n_ev_err = 0, n_ev_tok = 0, n_rec = 0;
  integer n_stall = 0, ack_wait = 0;
  reg [3:0] kinds = 4'd0;
  reg [LW-1:0] reset_layer = 0;
  reg [31:0] reset_pos = 0;
  reg [3:0] rec_code = 4'd0;
  reg [7:0] rec_layer = 8'd0;
  reg [31:0] rec_pos = 32'd0;

  task fail(input [8*64-1:0] what);
    begin
      $display("FAIL [%0s] at %0t: %0s", phase, $time, what);
      fails = fails + 1;
    end
  endtask

  // Monitor and egress model: sampled at the rising edge (inputs change at the falling edge).
  always @(posedge clk) if (rst_n) begin
    if (s_axis_tvalid && !s_axis_tready) n_stall = n_stall + 1;
    if (err_valid && s_axis_tready) fail("TREADY high while an error record waits");
    if (!enable && s_axis_tready) fail("TREADY high while disabled");
    if (p_valid && beat_data !== p_data) fail("beat_data (a cycle after its beat)");
    if (beat_valid) begin
      if (!(s_axis_tvalid && s_axis_tready)) fail("beat_valid without a handshake");
      if (beat_layer !== exp_layer) fail("beat_layer");
      if (beat_pos !== exp_pos) fail("beat_pos");
      if (beat_head !== exp_idx / (3 * P)) fail("beat_head");
      if (beat_kind !== (exp_idx / P) % 3) fail("beat_kind");
      if (beat_part !== exp_idx % P) fail("beat_part");
      if (beat_sel !== ({{(3*H-1){1'b0}}, 1'b1} << (exp_idx / P))) fail("beat_sel");
      p_data = data_beat(seed, exp_idx);
      exp_idx = exp_idx + 1;
      n_beat = n_beat + 1;
    end
    if (commit) begin
      n_commit = n_commit + 1;
      if (!beat_valid || exp_idx != NDATA || !s_axis_tlast) fail("commit not on the last beat");
    end
    if (ev_token !== p_commit) fail("ev_token differs from the previous cycle's commit");
    if (ev_token) n_ev_tok = n_ev_tok + 1;
    if (win_reset) begin
      n_reset = n_reset + 1;
      reset_layer = beat_layer;
      reset_pos = beat_pos;
      if (!(s_axis_tvalid && s_axis_tready)) fail("win_reset without a handshake");
    end
    if (ev_error) begin
      n_ev_err = n_ev_err + 1;
      kinds = kinds | ev_err_kind;
      if (ev_err_kind != 4'd1 && ev_err_kind != 4'd2 && ev_err_kind != 4'd4 && ev_err_kind != 4'd8)
        fail("ev_err_kind not one-hot");
      if (!p_hs) fail("ev_error without a handshake in the previous cycle");
    end else if (ev_err_kind != 4'd0) fail("ev_err_kind without ev_error");
    p_valid = beat_valid;
    p_commit = commit;
    p_hs = s_axis_tvalid && s_axis_tready;
    // The egress: acknowledges an error record three cycles after it appears.
    err_ack <= 1'b0;
    if (err_valid && !err_ack) begin
      if (ack_wait == 3) begin
        err_ack <= 1'b1;
        n_rec = n_rec + 1;
        rec_code = err_code;
        rec_layer = err_layer;
        rec_pos = err_pos;
        ack_wait = 0;
      end else ack_wait = ack_wait + 1;
    end
  end

  task clear_counts;
    begin
      n_beat = 0; n_commit = 0; n_reset = 0; n_ev_err = 0; n_ev_tok = 0; n_rec = 0;
      n_stall = 0; kinds = 4'd0; exp_idx = 0;
    end
  endtask

  // One beat, driven at a falling edge after `gap` idle cycles; returns at the falling edge
  // after its handshake.
  task beat(input [TD-1:0] d, input last, input integer gap);
    begin
      repeat (gap) @(negedge clk);
      s_axis_tvalid = 1'b1;
      s_axis_tdata = d;
      s_axis_tlast = last;
      #4;
      while (!s_axis_tready) begin
        @(negedge clk);
        #4;
      end
      @(negedge clk);
      s_axis_tvalid = 1'b0;
      s_axis_tlast = 1'b0;
      s_axis_tdata = {TD{1'b0}};
    end
  endtask

  // A header then n_data data beats; TLAST on data beat tlast_at (-1: on the header).
  // gaps: 0 back to back, else beat k waits k % 3 cycles.
  task packet(input [TD-1:0] h, input integer n_data, input integer tlast_at,
              input integer gaps);
    integer k;
    begin
      exp_idx = 0;
      exp_layer = h[8 +: LW];
      exp_pos = h[47:16];
      seed = seed + 16'd1;
      beat(h, tlast_at == -1, 0);
      for (k = 0; k < n_data; k = k + 1)
        beat(data_beat(seed, k), tlast_at == k, gaps ? k % 3 : 0);
    end
  endtask

  task token(input [7:0] layer, input [31:0] pos, input integer gaps);
    packet(hdr(4'd1, layer, pos), NDATA, NDATA - 1, gaps);
  endtask

  // After a packet: let the error record (if any) be acknowledged, then check the counts.
  task settle;
    repeat (8) @(negedge clk);
  endtask

  task check_good(input integer beats, input integer commits, input integer resets);
    begin
      settle;
      if (n_beat != beats) fail("number of routed beats");
      if (n_commit != commits || n_ev_tok != commits) fail("number of commits");
      if (n_reset != resets) fail("number of window resets");
      if (n_ev_err != 0 || n_rec != 0 || err_valid) fail("unexpected error");
      clear_counts;
    end
  endtask

  task check_err(input [3:0] code, input [7:0] layer, input [31:0] pos, input integer beats);
    begin
      settle;
      if (n_ev_err != 1 || n_rec != 1) fail("not exactly one error record");
      if (rec_code !== code) fail("err_code");
      if (rec_layer !== layer) fail("err_layer");
      if (rec_pos !== pos) fail("err_pos");
      if (kinds !== (4'd1 << (code - 1))) fail("ev_err_kind");
      if (n_commit != 0 || n_ev_tok != 0 || n_reset != 0) fail("a dropped packet changed state");
      if (n_beat != beats) fail("number of routed beats of the dropped packet");
      if (err_valid) fail("error record not released");
      clear_counts;
    end
  endtask

  initial begin
    #100000;
    $display("FAIL: timeout in phase %0s", phase);
    $finish;
  end

  initial begin
    // Out of reset with TVALID low and TDATA unknown, TREADY must be a known value.
    s_axis_tdata = {TD{1'bx}};
    repeat (3) @(negedge clk);
    rst_n = 1'b1;
    @(negedge clk);
    if (s_axis_tready !== 1'b1) fail("TREADY is not 1 out of reset with TDATA unknown");
    @(negedge clk);
    if (s_axis_tready !== 1'b1) fail("TREADY is not 1 out of reset with TDATA unknown");
    s_axis_tdata = {TD{1'b0}};
    clear_counts;

    phase = "good token with gaps";
    token(8'd0, 32'd0, 1);
    check_good(NDATA, 1, 0);

    phase = "two tokens back to back";
    token(8'd1, 32'd0, 0);
    token(8'd1, 32'd1, 0);
    if (n_stall != 0) fail("a stall between back-to-back packets");
    check_good(2 * NDATA, 2, 0);

    phase = "stage_free low stalls data beats";
    stage_free[0] = 1'b0;
    fork
      token(8'd0, 32'd1, 0);
      begin
        repeat (6) @(negedge clk);
        if (n_beat != 0) fail("a data beat accepted while stage_free is low");
        if (n_stall < 5) fail("the header was not accepted or data did not stall");
        stage_free[0] = 1'b1;
      end
    join
    check_good(NDATA, 1, 0);

    phase = "early TLAST";
    packet(hdr(4'd1, 8'd0, 32'd2), NDATA - 1, NDATA - 2, 0);
    check_err(4'd1, 8'd0, 32'd2, NDATA - 2);
    token(8'd0, 32'd2, 1);
    check_good(NDATA, 1, 0);

    phase = "missing TLAST and trailing beats";
    packet(hdr(4'd1, 8'd0, 32'd3), NDATA + 2, NDATA + 1, 1);
    check_err(4'd1, 8'd0, 32'd3, NDATA - 1);
    token(8'd0, 32'd3, 0);
    check_good(NDATA, 1, 0);

    phase = "unknown opcode";
    packet(hdr(4'd3, 8'd1, 32'd7), 2, 1, 0);
    check_err(4'd2, 8'd1, 32'd7, 0);
    packet(hdr(4'd0, 8'd0, 32'd0), 0, -1, 0);
    check_err(4'd2, 8'd0, 32'd0, 0);
    packet(hdr(4'd15, 8'd200, 32'd5), 1, 0, 0);
    check_err(4'd2, 8'd200, 32'd5, 0);
    token(8'd1, 32'd2, 0);
    check_good(NDATA, 1, 0);

    phase = "layer out of range";
    packet(hdr(4'd1, L, 32'd0), NDATA, NDATA - 1, 0);
    check_err(4'd3, L, 32'd0, 0);
    packet(hdr(4'd1, 8'd255, 32'd9), 0, -1, 0);
    check_err(4'd3, 8'd255, 32'd9, 0);
    packet(hdr(4'd2, 8'd9, 32'd40), 0, -1, 0);
    check_err(4'd3, 8'd9, 32'd40, 0);
    token(8'd0, 32'd4, 0);
    check_good(NDATA, 1, 0);

    phase = "wrong position";
    packet(hdr(4'd1, 8'd1, 32'd5), NDATA, NDATA - 1, 1);
    check_err(4'd4, 8'd1, 32'd5, 0);
    packet(hdr(4'd1, 8'd1, 32'd6), 0, -1, 0);
    check_err(4'd4, 8'd1, 32'd6, 0);
    packet(hdr(4'd1, 8'd0, 32'd4), NDATA, NDATA - 1, 0);
    check_err(4'd4, 8'd0, 32'd4, 0);

    phase = "TOKEN header with TLAST";
    packet(hdr(4'd1, 8'd1, 32'd3), 0, -1, 0);
    check_err(4'd1, 8'd1, 32'd3, 0);
    token(8'd1, 32'd3, 0);
    check_good(NDATA, 1, 0);

    phase = "RESET_WINDOW without TLAST";
    packet(hdr(4'd2, 8'd1, 32'd100), 1, 0, 0);
    check_err(4'd1, 8'd1, 32'd100, 0);
    token(8'd1, 32'd4, 0);
    check_good(NDATA, 1, 0);

    phase = "RESET_WINDOW of a busy layer is taken at once";
    stage_free[1] = 1'b0;
    packet(hdr(4'd2, 8'd1, 32'd50), 0, -1, 0);
    if (n_stall != 0) fail("RESET_WINDOW header stalled");
    check_good(0, 0, 1);
    if (reset_layer !== 1 || reset_pos !== 32'd50) fail("win_reset layer or position");
    phase = "another layer's token flows past a pending reset";
    token(8'd0, 32'd5, 0);
    if (n_stall != 0) fail("layer 0 held behind layer 1");
    check_good(NDATA, 1, 0);
    phase = "the reset layer's data beats wait for stage_free";
    fork
      token(8'd1, 32'd50, 0);
      begin
        repeat (5) @(negedge clk);
        if (n_beat != 0) fail("data beat accepted while stage_free is low");
        if (n_stall < 4) fail("data beats not stalled");
        stage_free[1] = 1'b1;
      end
    join
    check_good(NDATA, 1, 0);
    packet(hdr(4'd1, 8'd1, 32'd5), NDATA, NDATA - 1, 0);
    check_err(4'd4, 8'd1, 32'd5, 0);

    phase = "RESET_WINDOW of layer 0";
    packet(hdr(4'd2, 8'd0, 32'd0), 0, -1, 0);
    if (n_stall != 0) fail("RESET_WINDOW stalled");
    check_good(0, 0, 1);
    if (reset_layer !== 0 || reset_pos !== 32'd0) fail("win_reset layer or position");
    token(8'd0, 32'd0, 0);
    check_good(NDATA, 1, 0);

    phase = "enable low holds TREADY low";
    enable = 1'b0;
    fork
      token(8'd0, 32'd1, 0);
      begin
        repeat (4) @(negedge clk);
        if (n_stall < 4 || n_beat != 0) fail("accepted while disabled");
        enable = 1'b1;
      end
    join
    check_good(NDATA, 1, 0);

    phase = "soft reset in the middle of a packet";
    fork
      token(8'd1, 32'd51, 0);
      begin
        repeat (4) @(negedge clk);
        srst = 1'b1;
        @(negedge clk);
        srst = 1'b0;
      end
    join
    settle;
    if (n_commit != 0 || n_ev_tok != 0) fail("a token committed across the soft reset");
    if (n_beat == 0 || n_beat >= NDATA) fail("beats routed before the soft reset");
    if (n_ev_err != 0 || n_rec != 0 || err_valid) fail("an error for the dropped packet");
    if (n_stall != 0) fail("the rest of the packet was not consumed at once");
    clear_counts;
    phase = "positions start at 0 after the soft reset";
    token(8'd1, 32'd0, 0);
    check_good(NDATA, 1, 0);
    token(8'd0, 32'd0, 0);
    check_good(NDATA, 1, 0);

    if (fails == 0) $display("PASS: gca_ingress testbench");
    else $display("FAIL: %0d checks failed", fails);
    $finish;
  end
endmodule
"#;

#[test]
fn ingress_testbench_passes() {
    let p = params("tiny");
    let s = p.stream;
    // Layers 0 and 1 exist and layer L is out of range in the 8-bit field.
    assert!((2..256).contains(&p.shape.n_layer));
    let vars = [
        ("TD", s.tdata_bits.to_string()),
        ("L", p.shape.n_layer.to_string()),
        ("LW", index_width(p.shape.n_layer).to_string()),
        ("HW", index_width(p.shape.n_head).to_string()),
        ("H", p.shape.n_head.to_string()),
        ("PW", index_width(s.in_beats_per_vector).to_string()),
        ("P", s.in_beats_per_vector.to_string()),
        ("NDATA", (s.token_beats - 1).to_string()),
    ];
    let tb = fill(INGRESS_TB, &vars);
    simulate(
        "stream-ingress-tb",
        ingress::build(&p),
        &tb,
        "PASS: gca_ingress testbench",
    );
}

const EGRESS_TB: &str = r#"`timescale 1ns / 1ps
`default_nettype none
// Self-checking testbench of gca_egress (written by tests/stream.rs).
module tb;
  localparam TD = $TD$;
  localparam L = $L$;
  localparam BW = $BW$;
  localparam NB = $NB$;
  localparam RX = 3 * NB + 8;

  reg clk = 1'b0;
  always #5 clk = ~clk;
  reg rst_n = 1'b0;

  wire [TD-1:0] m_axis_tdata;
  wire m_axis_tvalid;
  reg m_axis_tready = 1'b1;
  wire m_axis_tlast;
  reg [L-1:0] res_valid = {L{1'b0}};
$POS_REGS$
  wire [32*L-1:0] res_pos = {$POS_CAT$};
  wire [BW-1:0] res_beat;
  wire [7:0] beat8 = res_beat;
  wire [TD*L-1:0] res_data = {$DATA_CAT$};
  wire [L-1:0] res_done;
  reg err_valid = 1'b0;
  reg [3:0] err_code = 4'd0;
  reg [7:0] err_layer = 8'd0;
  reg [31:0] err_pos = 32'd0;
  wire err_ack;
  wire ev_result;
  reg p_done = 1'b0;  // res_done of the previous cycle (ev_result is registered)

  gca_egress dut (
    .clk(clk), .rst_n(rst_n),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast),
    .res_valid(res_valid), .res_pos(res_pos), .res_beat(res_beat), .res_data(res_data),
    .res_done(res_done), .err_valid(err_valid), .err_code(err_code), .err_layer(err_layer),
    .err_pos(err_pos), .err_ack(err_ack), .ev_result(ev_result)
  );

  integer fails = 0;
  reg [8*48-1:0] phase = "reset";

  task fail(input [8*64-1:0] what);
    begin
      $display("FAIL [%0s] at %0t: %0s", phase, $time, what);
      fails = fails + 1;
    end
  endtask

  function [TD-1:0] hdr(input [3:0] status, input [7:0] layer, input [31:0] pos);
    hdr = {{(TD-48){1'b0}}, pos, layer, 4'd0, status};
  endfunction

  function [TD-1:0] data_word(input [7:0] l, input [7:0] b, input [31:0] pos);
    data_word = {(TD/64){pos, 8'hd0, l, 8'hb0, b}};
  endfunction

  // The sources: registered valids, cleared at the end of the err_ack / res_done cycle.
  always @(posedge clk) begin
    if (err_ack) err_valid <= 1'b0;
    res_valid <= res_valid & ~res_done;
  end

  // The sink: TREADY always (mode 0), pseudo-random (1) or never (2), changed at falling edges.
  integer ready_mode = 0;
  reg [15:0] lfsr = 16'hace1;
  always @(negedge clk) begin
    lfsr <= {lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]};
    m_axis_tready <= ready_mode == 0 ? 1'b1 : ready_mode == 1 ? lfsr[0] : 1'b0;
  end

  // Collector and AXI4-Stream checks at the rising edge.
  reg [TD-1:0] rx_data [0:RX-1];
  reg rx_last [0:RX-1];
  integer rx_cycle [0:RX-1];
  integer rx_n = 0, cycle = 0, n_ack = 0, n_ev = 0, n_stall = 0;
  integer n_done [0:L-1];
  reg hold = 1'b0;
  reg [TD-1:0] held_data;
  reg held_last;
  integer i;
  initial for (i = 0; i < L; i = i + 1) n_done[i] = 0;

  always @(posedge clk) if (rst_n) begin
    cycle = cycle + 1;
    if (hold && (!m_axis_tvalid || m_axis_tdata !== held_data || m_axis_tlast !== held_last))
      fail("TVALID/TDATA/TLAST changed while stalled");
    hold = m_axis_tvalid && !m_axis_tready;
    held_data = m_axis_tdata;
    held_last = m_axis_tlast;
    if (hold) n_stall = n_stall + 1;
    if (m_axis_tvalid && m_axis_tready && rx_n == RX) fail("collector full");
    else if (m_axis_tvalid && m_axis_tready) begin
      rx_data[rx_n] = m_axis_tdata;
      rx_last[rx_n] = m_axis_tlast;
      rx_cycle[rx_n] = cycle;
      rx_n = rx_n + 1;
    end
    if (res_done != 0 && !(m_axis_tvalid && m_axis_tready && m_axis_tlast))
      fail("res_done without the last beat");
    if ((res_done & (res_done - 1)) != 0) fail("res_done not one-hot");
    if (ev_result !== p_done) fail("ev_result differs from the previous cycle's res_done");
    p_done = (res_done != 0);
    if (err_ack && !(m_axis_tvalid && m_axis_tready && m_axis_tlast))
      fail("err_ack without the error beat");
    if (err_ack) n_ack = n_ack + 1;
    if (ev_result) n_ev = n_ev + 1;
    for (i = 0; i < L; i = i + 1) if (res_done[i]) n_done[i] = n_done[i] + 1;
  end

  task post(input integer l, input [31:0] pos);
    begin
      case (l)
$POST_CASE$
        default: fail("bad layer in post");
      endcase
      res_valid[l] = 1'b1;
    end
  endtask

  task post_err(input [3:0] code, input [7:0] layer, input [31:0] pos);
    begin
      err_code = code;
      err_layer = layer;
      err_pos = pos;
      err_valid = 1'b1;
    end
  endtask

  task wait_beats(input integer n);
    integer t;
    begin
      t = 0;
      while (rx_n < n && t < 500) begin
        @(negedge clk);
        t = t + 1;
      end
      if (rx_n < n) fail("beats missing");
      repeat (4) @(negedge clk);
      if (rx_n != n) fail("too many beats");
    end
  endtask

  task check_result(input integer at, input [7:0] l, input [31:0] pos);
    integer b;
    begin
      if (rx_data[at] !== hdr(4'd0, l, pos) || rx_last[at] !== 1'b0) fail("result header");
      for (b = 0; b < NB; b = b + 1) begin
        if (rx_data[at + 1 + b] !== data_word(l, b, pos)) fail("result data beat");
        if (rx_last[at + 1 + b] !== (b == NB - 1)) fail("result TLAST");
      end
    end
  endtask

  task check_error(input integer at, input [3:0] code, input [7:0] l, input [31:0] pos);
    begin
      if (rx_data[at] !== hdr(code, l, pos) || rx_last[at] !== 1'b1) fail("error packet");
    end
  endtask

  // Beats at..at+n-1 were accepted in consecutive cycles.
  task check_back_to_back(input integer at, input integer n);
    integer k;
    begin
      for (k = 1; k < n; k = k + 1)
        if (rx_cycle[at + k] != rx_cycle[at] + k) fail("idle cycle between beats");
    end
  endtask

  initial begin
    #100000;
    $display("FAIL: timeout in phase %0s", phase);
    $finish;
  end

  initial begin
    repeat (3) @(negedge clk);
    rst_n = 1'b1;
    repeat (2) @(negedge clk);
    if (m_axis_tvalid) fail("TVALID without a source");

    phase = "one result";
    post(0, 32'd7);
    #1;
    if (!m_axis_tvalid || m_axis_tdata !== hdr(4'd0, 8'd0, 32'd7) || m_axis_tlast)
      fail("header not offered in the first cycle of res_valid");
    wait_beats(NB + 1);
    check_result(0, 8'd0, 32'd7);
    check_back_to_back(0, NB + 1);
    if (n_done[0] != 1 || n_ev != 1 || res_valid != 0) fail("res_done / ev_result");

    phase = "error first, then result";
    post(1, 32'd3);
    post_err(4'd4, 8'd1, 32'd9);
    #1;
    if (!m_axis_tvalid || m_axis_tdata !== hdr(4'd4, 8'd1, 32'd9) || !m_axis_tlast)
      fail("error packet not offered first");
    wait_beats(2 * NB + 3);
    check_error(NB + 1, 4'd4, 8'd1, 32'd9);
    check_result(NB + 2, 8'd1, 32'd3);
    check_back_to_back(NB + 1, NB + 2);
    if (n_ack != 1 || n_done[1] != 1 || n_ev != 2 || err_valid) fail("err_ack / res_done");

    phase = "two layers and an error under back-pressure";
    rx_n = 0;
    ready_mode = 1;
    @(negedge clk);
    post(1, 32'd11);
    post(0, 32'd10);
    @(negedge clk);
    post_err(4'd2, 8'd0, 32'd77);
    wait_beats(2 * NB + 3);
    check_result(0, 8'd0, 32'd10);
    check_error(NB + 1, 4'd2, 8'd0, 32'd77);
    check_result(NB + 2, 8'd1, 32'd11);
    if (n_stall == 0) fail("no back-pressure happened");
    if (n_ack != 2 || n_done[0] != 2 || n_done[1] != 2 || n_ev != 4) fail("counts");

    phase = "the offered choice is held";
    rx_n = 0;
    ready_mode = 2;
    @(negedge clk);
    post(1, 32'd21);
    repeat (3) @(negedge clk);
    post(0, 32'd20);
    post_err(4'd3, 8'd5, 32'd99);
    repeat (3) @(negedge clk);
    if (m_axis_tdata !== hdr(4'd0, 8'd1, 32'd21)) fail("offer changed under back-pressure");
    ready_mode = 1;
    wait_beats(2 * NB + 3);
    check_result(0, 8'd1, 32'd21);
    check_error(NB + 1, 4'd3, 8'd5, 32'd99);
    check_result(NB + 2, 8'd0, 32'd20);

    phase = "results posted while sending";
    rx_n = 0;
    ready_mode = 0;
    @(negedge clk);
    post(0, 32'd30);
    @(negedge clk);
    post(1, 32'd31);
    // Layer 0 again once layer 1's header is accepted (a result posted in an idle cycle of
    // the arbiter would go first: the lowest layer wins).
    while (n_done[0] != 4) @(negedge clk);
    @(negedge clk);
    post(0, 32'd32);
    wait_beats(3 * NB + 3);
    check_result(0, 8'd0, 32'd30);
    check_result(NB + 1, 8'd1, 32'd31);
    check_result(2 * NB + 2, 8'd0, 32'd32);
    check_back_to_back(0, 3 * NB + 3);
    if (n_done[0] != 5 || n_done[1] != 4 || n_ev != 9 || n_ack != 3) fail("final counts");

    if (fails == 0) $display("PASS: gca_egress testbench");
    else $display("FAIL: %0d checks failed", fails);
    $finish;
  end
endmodule
"#;

#[test]
fn egress_testbench_passes() {
    let p = params("tiny");
    let s = p.stream;
    let n_layer = p.shape.n_layer;
    let n_beats = p.shape.n_head * s.out_beats_per_head;
    assert!(n_layer >= 2, "the testbench uses layers 0 and 1");
    assert_eq!(s.tdata_bits % 64, 0, "data words are 64-bit patterns");
    let pos_regs: String = (0..n_layer)
        .map(|l| format!("  reg [31:0] pos_{l} = 32'd0;\n"))
        .collect();
    let pos_cat: Vec<String> = (0..n_layer).rev().map(|l| format!("pos_{l}")).collect();
    let data_cat: Vec<String> = (0..n_layer)
        .rev()
        .map(|l| format!("data_word(8'd{l}, beat8, pos_{l})"))
        .collect();
    let post_case: String = (0..n_layer)
        .map(|l| format!("        {l}: pos_{l} = pos;\n"))
        .collect();
    let vars = [
        ("TD", s.tdata_bits.to_string()),
        ("L", n_layer.to_string()),
        ("BW", index_width(n_beats).to_string()),
        ("NB", n_beats.to_string()),
        ("POS_REGS", pos_regs.trim_end().to_string()),
        ("POS_CAT", pos_cat.join(", ")),
        ("DATA_CAT", data_cat.join(", ")),
        ("POST_CASE", post_case.trim_end().to_string()),
    ];
    let tb = fill(EGRESS_TB, &vars);
    simulate(
        "stream-egress-tb",
        egress::build(&p),
        &tb,
        "PASS: gca_egress testbench",
    );
}
