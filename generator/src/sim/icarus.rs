//! The Icarus back end. Rust writes the input beats (`stim.hex`), the expected output beats
//! grouped by queue (`expect.hex`: the results of layer 0, of layer 1, ..., then the error
//! packets) and the index of the input packet behind each expected beat (`origin.hex`), and a
//! self-checking bench (`gca_tb.v`) that drives `gca_top`, matches every output packet to the
//! next expected packet of its queue (the layer in a result header; error packets apart),
//! compares every beat with `!==`, and prints one verdict line: `GCA-TB PASS: ...` or
//! `GCA-TB FAIL: ...` with the line of expect.hex, the input packet and the cycle. Around the
//! stream the bench runs AXI4-Lite transfers written in from a [`CsrScript`] (each checked for
//! its response and, for reads, its data), and a cut packet of the scenario resets the design
//! while the packet is open. [`run`] and [`run_script`] compile the bench with the generated
//! folder's sim.f, run vvp and read the verdict.

use std::path::Path;
use std::process::Command;

use crate::config::Params;

use super::csr::{CsrOp, CsrScript};
use super::lockstep::{Mismatch, Summary};
use super::packets::Beat;
use super::scenario::{cuts, describe_difference, Cut, Queue, Scenario};

/// How the bench drives the streams: with `gaps`, TVALID drops for a cycle at pseudo-random
/// points; with `backpressure`, TREADY does.
#[derive(Clone, Copy, Debug, Default)]
pub struct Drive {
    pub gaps: bool,
    pub backpressure: bool,
}

/// What a run found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass {
        packets: u64,
        cycles: u64,
    },
    /// The bench's line, and where it points (input packet, layer, position, field).
    Fail {
        line: String,
        detail: String,
    },
}

/// The expected beats in queue order, with the first index of every queue and the input
/// packet behind each beat.
struct Layout {
    beats: Vec<Beat>,
    origin: Vec<usize>,
    /// Per queue (layers, then errors): first beat index and one past the last.
    bounds: Vec<(usize, usize)>,
    packets: usize,
}

fn layout(p: &Params, s: &Scenario) -> Layout {
    let mut l = Layout {
        beats: vec![],
        origin: vec![],
        bounds: vec![],
        packets: s.expected.len(),
    };
    let queues = (0..p.shape.n_layer)
        .map(Queue::Layer)
        .chain([Queue::Errors]);
    for q in queues {
        let start = l.beats.len();
        for e in s.queue(q) {
            l.beats.extend(e.beats.iter().cloned());
            l.origin
                .extend(std::iter::repeat_n(e.packet, e.beats.len()));
        }
        l.bounds.push((start, l.beats.len()));
    }
    l
}

/// The script as task calls of the bench (`axil_write(op, addr, data, resp)`,
/// `axil_read(op, addr, resp, check, data)`), numbered from `first`.
fn csr_calls(ops: &[CsrOp], first: usize, aw: u32) -> String {
    let mut o = String::new();
    for (i, op) in ops.iter().enumerate() {
        let n = first + i;
        match *op {
            CsrOp::Write {
                addr,
                data,
                strb,
                resp,
            } => o.push_str(&format!(
                "    axil_write({n}, {aw}'h{addr:x}, 32'h{data:08x}, 4'h{strb:x}, 2'd{resp});\n"
            )),
            CsrOp::Read { addr, resp, data } => o.push_str(&format!(
                "    axil_read({n}, {aw}'h{addr:x}, 2'd{resp}, 1'b{}, 32'h{:08x});\n",
                u8::from(data.is_some()),
                data.unwrap_or(0)
            )),
        }
    }
    o
}

#[allow(clippy::too_many_arguments)]
fn testbench(
    p: &Params,
    n_in: usize,
    l: &Layout,
    drive: Drive,
    script: &CsrScript,
    cut: Option<Cut>,
    max_cycles: u64,
    waves: Option<&Path>,
) -> String {
    let td = p.stream.tdata_bits as usize;
    let digits = td.div_ceil(4);
    let aw = crate::regmap::RegMap::new(p).addr_bits();
    let nq = l.bounds.len();
    let nl = p.shape.n_layer;
    let mut bounds = String::new();
    for (q, (a, b)) in l.bounds.iter().enumerate() {
        bounds.push_str(&format!("    qnext[{q}] = {a};\n    qend[{q}] = {b};\n"));
    }
    let dump = match waves {
        Some(w) => format!(
            "  initial begin\n    $dumpfile(\"{}\");\n    $dumpvars(0, gca_tb);\n  end\n",
            w.display()
        ),
        None => String::new(),
    };
    let pad = digits * 4 + 4 - td - 1;
    let before = csr_calls(&script.before, 0, aw);
    let after = csr_calls(&script.after, script.before.len(), aw);
    let (cut_start, cut_end, cut_drain) = match cut {
        Some(c) => (c.start as i64, c.end as i64, c.drain as i64),
        None => (-1, -1, 0),
    };
    let got = if pad > 0 {
        format!("{{{pad}'d0, m_tlast, m_tdata}}")
    } else {
        "{m_tlast, m_tdata}".to_string()
    };
    format!(
        r#"// Self-checking bench written by gca (gca::sim::icarus); expected beats come from the twin H.
`timescale 1ns / 1ps
`default_nettype none
module gca_tb;
  localparam integer NIN = {n_in};
  localparam integer NEXP = {n_exp};
  localparam integer NPKT = {n_pkt};
  localparam integer NQ = {nq};
  localparam integer MAXCYC = {max_cycles};
  // A cut packet (input beats CUT_START .. CUT_END - 1) starts once CUT_DRAIN output packets
  // left; the design is reset for 4 cycles right after its last beat (-1: none).
  localparam integer CUT_START = {cut_start};
  localparam integer CUT_END = {cut_end};
  localparam integer CUT_DRAIN = {cut_drain};
  reg clk;
  reg rst_n;
  reg go;
  reg stream_done;
  reg [3:0] pin;
  reg [{awm}:0] awaddr;
  reg [{awm}:0] araddr;
  reg [31:0] wdata;
  reg [3:0] wstrb;
  reg awvalid, wvalid, arvalid;
  reg [{w}:0] stim [0:NIN-1];
  reg [{w}:0] expect [0:NEXP-1];
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
  wire [{tdm}:0] s_tdata = stim[in_i < NIN ? in_i : 0][{tdm}:0];
  wire s_tlast = stim[in_i < NIN ? in_i : 0][{last}];
  wire [{tdm}:0] m_tdata;
  wire m_tvalid;
  wire m_tlast;
  wire m_tready = !bp;
  wire [{w}:0] got = {got};
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
    input [{awm}:0] addr;
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
    input [{awm}:0] addr;
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
{bounds}    clk = 1'b0;
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
    awaddr = {aw}'d0;
    araddr = {aw}'d0;
    wdata = 32'd0;
    wstrb = 4'hf;
    awvalid = 1'b0;
    wvalid = 1'b0;
    arvalid = 1'b0;
    #10 rst_n = 1'b1;
{before}    go = 1'b1;
    wait (stream_done);
{after}    $display("GCA-TB PASS: %0d packets in %0d cycles", NPKT, cycle);
    $finish;
  end
  // The reset of a cut packet: 4 cycles, then released.
  always @(posedge clk) if (pin != 4'd0) begin
    pin <= pin - 4'd1;
    if (pin == 4'd1) rst_n <= 1'b1;
  end
{dump}  always #5 clk = !clk;
  always @(posedge clk) if (rst_n) begin
    cycle = cycle + 1;
    // A broken protocol rule first: what follows it may be its consequence.
    if (chk_fail) begin
      $display("GCA-TB FAIL: cycle %0d: protocol checker rule %0d", cycle, chk_rule);
      $finish;
    end
    lfsr <= {{lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]}};
    gap <= {gaps} && (lfsr[2:0] == 3'd0);
    stalled <= s_tvalid && !s_tready;
    bp <= {bp} && (lfsr[6:4] == 3'd0);
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
          $display("GCA-TB FAIL: cycle %0d: a result header names layer %0d of {nl}", cycle, m_tdata[15:8]);
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
"#,
        n_exp = l.beats.len().max(1),
        n_pkt = l.packets,
        w = digits * 4 + 3,
        tdm = td - 1,
        last = digits * 4,
        awm = aw - 1,
        gaps = u8::from(drive.gaps),
        bp = u8::from(drive.backpressure),
    )
}

/// The files of a bench for the scenario `s`, by name: the input beats (`stim.hex`), the
/// expected output beats by queue (`expect.hex`), the input packet behind each expected beat
/// (`origin.hex`) and the bench itself (`gca_tb.v`, which reads the three from the
/// simulator's working folder). `gca generate` writes them into `tb/`; [`run`] into its
/// work folder.
pub fn bench(
    p: &Params,
    s: &Scenario,
    drive: Drive,
    script: &CsrScript,
    waves: Option<&Path>,
) -> Result<Vec<(&'static str, String)>, String> {
    let td = p.stream.tdata_bits;
    let cut = match cuts(&s.packets)[..] {
        [] => None,
        [c] => Some(c),
        _ => return Err("the Icarus bench takes at most one cut packet".to_string()),
    };
    if s.packets
        .iter()
        .any(|pk| matches!(pk.kind, super::scenario::Kind::Interrupted { .. }))
    {
        return Err(
            "the Icarus bench takes no CONTROL command in the middle of a packet (the Verilator \
             lockstep does)"
                .to_string(),
        );
    }
    let l = layout(p, s);
    let stim: Vec<Beat> = s
        .packets
        .iter()
        .flat_map(|k| k.beats.iter().cloned())
        .collect();
    let hex = |beats: &[Beat]| beats.iter().map(|b| b.hex(td) + "\n").collect::<String>();
    let max_cycles = 1000
        + 4 * (stim.len() + l.beats.len()) as u64 * p.cycles.decode_latency.max(1)
        + 20 * (script.before.len() + script.after.len()) as u64;
    let origin: String = l.origin.iter().map(|o| format!("{o:x}\n")).collect();
    let tb = testbench(p, stim.len(), &l, drive, script, cut, max_cycles, waves);
    Ok(vec![
        ("stim.hex", hex(&stim)),
        ("expect.hex", hex(&l.beats)),
        ("origin.hex", origin),
        ("gca_tb.v", tb),
    ])
}

/// Writes the bench and its data into `work`, compiles it with the generated folder `rtl`
/// (its sim.f) and runs it.
pub fn run(
    p: &Params,
    rtl: &Path,
    work: &Path,
    s: &Scenario,
    drive: Drive,
    waves: Option<&Path>,
) -> Result<Verdict, String> {
    run_script(p, rtl, work, s, drive, &CsrScript::default(), waves)
}

/// [`run`] with AXI4-Lite transfers before the stream and after its last output packet
/// (`script`). A scenario may hold one cut packet (`Kind::Cut`).
pub fn run_script(
    p: &Params,
    rtl: &Path,
    work: &Path,
    s: &Scenario,
    drive: Drive,
    script: &CsrScript,
    waves: Option<&Path>,
) -> Result<Verdict, String> {
    run_timed(p, rtl, work, s, drive, script, waves).map(|(v, _)| v)
}

/// Wall-clock seconds of the two steps of an Icarus run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Times {
    /// iverilog: the bench and the design to a vvp image.
    pub compile: f64,
    /// vvp: the simulation.
    pub simulate: f64,
}

/// [`run_script`], also timing the compilation and the simulation.
pub fn run_timed(
    p: &Params,
    rtl: &Path,
    work: &Path,
    s: &Scenario,
    drive: Drive,
    script: &CsrScript,
    waves: Option<&Path>,
) -> Result<(Verdict, Times), String> {
    let mut times = Times::default();
    let io = |e: std::io::Error| format!("cannot write into {}: {e}", work.display());
    std::fs::create_dir_all(work).map_err(io)?;
    for (name, text) in bench(p, s, drive, script, waves)? {
        std::fs::write(work.join(name), text).map_err(io)?;
    }
    let sim_f = std::fs::read_to_string(rtl.join("sim.f"))
        .map_err(|e| format!("cannot read {}: {e}", rtl.join("sim.f").display()))?;
    let gtab = rtl.join("models").join(crate::macros::GTAB_FILE);
    let mut args: Vec<String> = vec![
        "-g2005".into(),
        format!("-DGCA_SUBTILE_GTAB=\"{}\"", gtab.display()),
        "-o".into(),
        "tb.vvp".into(),
        "-s".into(),
        "gca_tb".into(),
        "gca_tb.v".into(),
    ];
    for line in sim_f
        .lines()
        .filter(|l| !l.starts_with("//") && !l.trim().is_empty())
    {
        args.push(rtl.join(line).to_string_lossy().to_string());
    }
    for f in crate::checkers::files_in(rtl)? {
        args.push(rtl.join(f).to_string_lossy().to_string());
    }
    let tool = |name: &str, args: &[String]| {
        Command::new(name)
            .args(args)
            .current_dir(work)
            .output()
            .map_err(|e| {
                format!("cannot run `{name}` ({e}): install the Debian package `iverilog`")
            })
    };
    let t = std::time::Instant::now();
    let out = tool("iverilog", &args)?;
    times.compile = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "iverilog failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let t = std::time::Instant::now();
    let out = tool("vvp", &["-n".into(), "tb.vvp".into()])?;
    times.simulate = t.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("GCA-TB PASS: ") {
            let nums: Vec<u64> = rest.split(' ').filter_map(|w| w.parse().ok()).collect();
            return Ok((
                Verdict::Pass {
                    packets: nums[0],
                    cycles: nums[1],
                },
                times,
            ));
        }
        if let Some(rest) = line.strip_prefix("GCA-TB FAIL: ") {
            let rule = rest
                .split_once("protocol checker rule ")
                .and_then(|(_, r)| r.trim().parse::<u8>().ok());
            if let Some(code) = rule {
                return Ok((
                    Verdict::Fail {
                        line: rest.to_string(),
                        detail: format!("protocol checker: {}", crate::checkers::describe(code)),
                    },
                    times,
                ));
            }
            let detail = match rest
                .strip_prefix("AXI4-Lite transfer ")
                .and_then(|r| r.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| script.before.iter().chain(&script.after).nth(n))
            {
                Some(op) => format!("AXI4-Lite {}", op.describe(&crate::regmap::RegMap::new(p))),
                None => explain(p, s, &layout(p, s), rest),
            };
            return Ok((
                Verdict::Fail {
                    line: rest.to_string(),
                    detail,
                },
                times,
            ));
        }
    }
    Err(format!(
        "the bench printed no verdict:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// Turns `expect.hex line N ... got H` into the packet, layer, position and field.
fn explain(p: &Params, s: &Scenario, l: &Layout, fail: &str) -> String {
    let Some(rest) = fail.strip_prefix("expect.hex line ") else {
        return String::new();
    };
    let Some(line) = rest
        .split(',')
        .next()
        .and_then(|n| n.trim().parse::<usize>().ok())
    else {
        return String::new();
    };
    let index = line - 1;
    let Some(got_hex) = fail.rsplit("got ").next() else {
        return String::new();
    };
    let packet = l.origin[index];
    let e = s
        .expected
        .iter()
        .find(|e| e.packet == packet)
        .expect("the packet is expected");
    let first = (0..=index)
        .rev()
        .take_while(|&i| l.origin[i] == packet)
        .last()
        .unwrap_or(index);
    let beat_index = index - first;
    let actual = Beat::from_hex(got_hex.trim(), p.stream.tdata_bits);
    format!(
        "input packet {packet} (layer {}, position {}), output beat {beat_index}: {}",
        e.layer,
        e.pos,
        describe_difference(p, beat_index, &e.beats[beat_index], &actual)
    )
}

/// The run's summary in the form `gca sim` prints for both back ends.
pub fn summary(p: &Params, s: &Scenario, seed: u64, v: Verdict, seconds: f64) -> Summary {
    let seconds = seconds.max(1e-9);
    let (packets_out, cycles, mismatch) = match v {
        Verdict::Pass { packets, cycles } => (packets as usize, cycles, None),
        Verdict::Fail { line, detail } => {
            let cycle = line
                .split("cycle ")
                .nth(1)
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let what = if detail.is_empty() {
                line
            } else {
                format!("{detail} ({line})")
            };
            let m = Mismatch {
                cycle,
                packet: None,
                layer: None,
                position: None,
                what,
            };
            (0, cycle, Some(m))
        }
    };
    Summary {
        config: p.name.clone(),
        simulator: "icarus".to_string(),
        seed,
        tokens: s.tokens(),
        packets_in: s.packets.len(),
        packets_out,
        cycles,
        cycle_checks: 0,
        mismatches: usize::from(mismatch.is_some()),
        mismatch,
        seconds,
        tokens_per_second: s.tokens() as f64 / seconds,
        cycles_per_second: cycles as f64 / seconds,
        simulator_cpu_seconds: None,
        twin_cpu_seconds: None,
        result_cycles: Default::default(),
    }
}
