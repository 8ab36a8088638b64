//! The Icarus back end: the stimulus and the expected output beats become `$readmemh` files
//! next to a self-checking testbench (`gca_tb.v`) that drives `gca_top`, compares every output
//! beat with `!==` and prints one unmistakable verdict line; `run` compiles it with the
//! generated folder's sim.f, runs vvp and reads the verdict.

use std::path::Path;
use std::process::Command;

use gca::config::Params;

use crate::packets::Beat;

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
    Pass { beats: u64, cycles: u64 },
    Fail(String),
}

fn testbench(p: &Params, n_in: usize, n_out: usize, drive: Drive, max_cycles: u64) -> String {
    let td = p.stream.tdata_bits as usize;
    let digits = td.div_ceil(4);
    let aw = gca::regmap::RegMap::new(p).addr_bits();
    format!(
        r#"// Self-checking bench written by gca-testbench; expected beats come from the twin H.
`timescale 1ns / 1ps
`default_nettype none
module gca_tb;
  localparam integer NIN = {n_in};
  localparam integer NOUT = {n_out};
  localparam integer MAXCYC = {max_cycles};
  reg clk;
  reg rst_n;
  reg [{w}:0] stim [0:NIN-1];
  reg [{w}:0] expect [0:NOUT-1];
  integer in_i;
  integer out_i;
  integer cycle;
  reg [15:0] lfsr;
  reg gap;
  reg bp;
  wire s_tready;
  wire s_tvalid = rst_n && (in_i < NIN) && !gap;
  wire [{tdm}:0] s_tdata = stim[in_i < NIN ? in_i : 0][{tdm}:0];
  wire s_tlast = stim[in_i < NIN ? in_i : 0][{last}];
  wire [{tdm}:0] m_tdata;
  wire m_tvalid;
  wire m_tlast;
  wire m_tready = !bp;
  wire awready, wready, bvalid, arready, rvalid, irq;
  wire [1:0] bresp, rresp;
  wire [31:0] rdata;
  gca_top dut (
    .clk(clk), .rst_n(rst_n),
    .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready), .s_axis_tlast(s_tlast),
    .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready), .m_axis_tlast(m_tlast),
    .s_axil_awaddr({aw}'d0), .s_axil_awprot(3'd0), .s_axil_awvalid(1'b0), .s_axil_awready(awready),
    .s_axil_wdata(32'd0), .s_axil_wstrb(4'd0), .s_axil_wvalid(1'b0), .s_axil_wready(wready),
    .s_axil_bresp(bresp), .s_axil_bvalid(bvalid), .s_axil_bready(1'b1),
    .s_axil_araddr({aw}'d0), .s_axil_arprot(3'd0), .s_axil_arvalid(1'b0), .s_axil_arready(arready),
    .s_axil_rdata(rdata), .s_axil_rresp(rresp), .s_axil_rvalid(rvalid), .s_axil_rready(1'b1),
    .irq(irq)
  );
  initial begin
    $readmemh("stim.hex", stim);
    $readmemh("expect.hex", expect);
    clk = 1'b0;
    rst_n = 1'b0;
    in_i = 0;
    out_i = 0;
    cycle = 0;
    lfsr = 16'hace1;
    gap = 1'b0;
    bp = 1'b0;
    #10 rst_n = 1'b1;
  end
  always #5 clk = !clk;
  always @(posedge clk) if (rst_n) begin
    cycle <= cycle + 1;
    lfsr <= {{lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]}};
    gap <= {gaps} && (lfsr[2:0] == 3'd0);
    bp <= {bp} && (lfsr[6:4] == 3'd0);
    if (s_tvalid && s_tready) in_i <= in_i + 1;
    if (m_tvalid && m_tready) begin
      if ({{{pad}m_tlast, m_tdata}} !== expect[out_i]) begin
        $display("GCA-TB FAIL: output beat %0d (cycle %0d): expected %h, got %h", out_i, cycle, expect[out_i], {{{pad}m_tlast, m_tdata}});
        $finish;
      end
      out_i <= out_i + 1;
      if (out_i + 1 == NOUT) begin
        $display("GCA-TB PASS: %0d output beats in %0d cycles", NOUT, cycle);
        $finish;
      end
    end
    if (cycle >= MAXCYC) begin
      $display("GCA-TB FAIL: timeout after %0d cycles: %0d of %0d input beats accepted, %0d of %0d output beats seen", cycle, in_i, NIN, out_i, NOUT);
      $finish;
    end
  end
endmodule
"#,
        w = digits * 4 + 3,
        tdm = td - 1,
        last = digits * 4,
        gaps = u8::from(drive.gaps),
        bp = u8::from(drive.backpressure),
        pad = if digits * 4 + 4 - td - 1 > 0 {
            format!("{}'d0, ", digits * 4 + 4 - td - 1)
        } else {
            String::new()
        },
    )
}

/// Writes the bench and its data into `work`, compiles it with the generated folder `rtl`
/// (its sim.f) and runs it.
pub fn run(
    p: &Params,
    rtl: &Path,
    work: &Path,
    stim: &[Beat],
    expect: &[Beat],
    drive: Drive,
) -> Result<Verdict, String> {
    let td = p.stream.tdata_bits;
    let hex = |beats: &[Beat]| beats.iter().map(|b| b.hex(td) + "\n").collect::<String>();
    let max_cycles = 200 + 4 * (stim.len() + expect.len()) as u64 * p.cycles.decode_latency.max(1);
    let io = |e: std::io::Error| format!("cannot write into {}: {e}", work.display());
    std::fs::create_dir_all(work).map_err(io)?;
    std::fs::write(work.join("stim.hex"), hex(stim)).map_err(io)?;
    std::fs::write(work.join("expect.hex"), hex(expect)).map_err(io)?;
    std::fs::write(
        work.join("gca_tb.v"),
        testbench(p, stim.len(), expect.len(), drive, max_cycles),
    )
    .map_err(io)?;
    let sim_f = std::fs::read_to_string(rtl.join("sim.f"))
        .map_err(|e| format!("cannot read {}: {e}", rtl.join("sim.f").display()))?;
    let gtab = rtl.join("models").join(gca::macros::GTAB_FILE);
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
    let tool = |name: &str, args: &[String]| {
        Command::new(name)
            .args(args)
            .current_dir(work)
            .output()
            .map_err(|e| {
                format!("cannot run `{name}` ({e}): install the Debian package `iverilog`")
            })
    };
    let out = tool("iverilog", &args)?;
    if !out.status.success() {
        return Err(format!(
            "iverilog failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let out = tool("vvp", &["-n".into(), "tb.vvp".into()])?;
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("GCA-TB PASS: ") {
            let nums: Vec<u64> = rest.split(' ').filter_map(|w| w.parse().ok()).collect();
            return Ok(Verdict::Pass {
                beats: nums[0],
                cycles: nums[1],
            });
        }
        if let Some(rest) = line.strip_prefix("GCA-TB FAIL: ") {
            return Ok(Verdict::Fail(rest.to_string()));
        }
    }
    Err(format!(
        "the bench printed no verdict:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    ))
}
