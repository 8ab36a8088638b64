//! `gca_csr` and the register map: lint (Verilator -Wall) on three presets, synthesis (Yosys)
//! without latches, an Icarus self-checking testbench of the AXI4-Lite behaviour on `tiny`
//! (written here from the Rust register map), the three documents, and the build time of the
//! largest preset. A missing tool fails the test with its Debian package.

mod common;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use common::{run, TempDir};
use gca::config::{self, Params};
use gca::hdl::{Design, Kind};
use gca::regmap::{self, scaler_bits_per_head, Access, RegMap};
use gca::rtl::{config_hash, csr, GENERATOR_VERSION};

fn params(name: &str) -> Params {
    config::load(name).unwrap()
}

/// Writes `gca_csr.v` of a configuration and the clock gate it instantiates
/// (`gca_clock_gate.v`) into `dir`.
fn write_csr(dir: &TempDir, p: &Params) {
    let files = Design::new(vec![csr::build(p), gca::rtl::clock_gate::build(p)])
        .files()
        .unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(files.len(), 2);
    for (name, text) in &files {
        dir.write(name, text);
    }
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).trim().to_string()
}

fn verilator_lint(preset: &str) {
    let dir = TempDir::new(&format!("csr-lint-{preset}"));
    write_csr(&dir, &params(preset));
    let args = [
        "--lint-only",
        "-Wall",
        "--default-language",
        "1364-2005",
        "--top-module",
        "gca_csr",
        "gca_csr.v",
        "gca_clock_gate.v",
    ];
    let out = run("verilator", "verilator", &dir.0, &args);
    let stderr = text(&out.stderr);
    assert!(
        out.status.success() && stderr.is_empty(),
        "verilator on {preset}:\n{stderr}"
    );
}

#[test]
fn verilator_lints_tiny() {
    verilator_lint("tiny");
}

#[test]
fn verilator_lints_gpt2_head() {
    verilator_lint("gpt2-head");
}

#[test]
fn verilator_lints_gpt2() {
    verilator_lint("gpt2");
}

#[test]
fn yosys_synthesizes_tiny_without_latches() {
    let dir = TempDir::new("csr-yosys");
    write_csr(&dir, &params("tiny"));
    // The one latch is the clock gate's.
    let script = "read_verilog gca_csr.v gca_clock_gate.v; hierarchy -check -top gca_csr; proc; \
                  check -assert; \
                  select -assert-none t:$dlatch t:$adlatch t:$dlatchsr %u %u gca_clock_gate %d; \
                  synth -top gca_csr; \
                  select -assert-none t:$_DLATCH_* t:$_DLATCHSR_* %u gca_clock_gate %d; \
                  select -assert-min 100 t:$_DFF_* t:$_DFFE_*";
    let out = run("yosys", "yosys", &dir.0, &["-q", "-p", script]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "yosys:\n{stdout}\n{stderr}");
    assert!(
        !stdout.contains("Warning") && !stderr.contains("Warning"),
        "{stdout}\n{stderr}"
    );
}

#[test]
fn ports_follow_docs_rtl() {
    let p = params("tiny");
    let m = csr::build(&p);
    let aw = RegMap::new(&p).addr_bits();
    let sw = 4 * scaler_bits_per_head(&p);
    let want: &[(&str, Kind, u32)] = &[
        ("clk", Kind::Input, 1),
        ("rst_n", Kind::Input, 1),
        ("s_axil_awaddr", Kind::Input, aw),
        ("s_axil_awprot", Kind::Input, 3),
        ("s_axil_awvalid", Kind::Input, 1),
        ("s_axil_awready", Kind::Output, 1),
        ("s_axil_wdata", Kind::Input, 32),
        ("s_axil_wstrb", Kind::Input, 4),
        ("s_axil_wvalid", Kind::Input, 1),
        ("s_axil_wready", Kind::Output, 1),
        ("s_axil_bresp", Kind::OutputReg, 2),
        ("s_axil_bvalid", Kind::OutputReg, 1),
        ("s_axil_bready", Kind::Input, 1),
        ("s_axil_araddr", Kind::Input, aw),
        ("s_axil_arprot", Kind::Input, 3),
        ("s_axil_arvalid", Kind::Input, 1),
        ("s_axil_arready", Kind::Output, 1),
        ("s_axil_rdata", Kind::OutputReg, 32),
        ("s_axil_rresp", Kind::OutputReg, 2),
        ("s_axil_rvalid", Kind::OutputReg, 1),
        ("s_axil_rready", Kind::Input, 1),
        ("irq", Kind::Output, 1),
        ("enable", Kind::OutputReg, 1),
        ("soft_reset", Kind::OutputReg, 1),
        ("clear_windows", Kind::OutputReg, 1),
        ("scalers", Kind::Output, sw),
        ("ev_token", Kind::Input, 1),
        ("ev_error", Kind::Input, 1),
        ("ev_result", Kind::Input, 1),
        ("ev_err_kind", Kind::Input, 4),
        ("busy", Kind::Input, 1),
    ];
    let got: Vec<(&str, Kind, u32)> = m
        .all_ports()
        .map(|d| (d.name.as_str(), d.kind, d.width))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn gpt2_builds_well_under_a_second() {
    let p = params("gpt2");
    let start = Instant::now();
    let m = csr::build(&p);
    let built = start.elapsed();
    let files = Design::new(vec![m]).files().unwrap();
    let printed = start.elapsed();
    let limit = if cfg!(debug_assertions) {
        Duration::from_secs(5)
    } else {
        Duration::from_millis(500)
    };
    assert!(built < limit, "build took {built:?}");
    assert!(
        printed < 2 * limit,
        "build, check and print took {printed:?}"
    );
    // 144 heads x 8 registers: a register file per register, read by register index (one
    // case arm each) and reset word by word.
    assert_eq!(files[0].1.matches("rd_data = {{16{").count(), 8);
    assert_eq!(files[0].1.matches("(* mem2reg *)").count(), 8);
    assert_eq!(files[0].1.matches("[8'd143] <= 16'h").count(), 8);
}

#[test]
fn map_addresses_are_unique_and_aligned() {
    for preset in ["tiny", "gpt2-head", "gpt2", "gpt2-xl"] {
        let map = RegMap::new(&params(preset));
        let all = map.all();
        let heads = map.scalers.heads() as usize;
        assert_eq!(all.len(), map.registers.len() + 8 * heads, "{preset}");
        for pair in all.windows(2) {
            assert!(
                pair[0].offset < pair[1].offset,
                "{preset}: {}",
                pair[1].name
            );
        }
        for r in &all {
            assert_eq!(r.offset % 4, 0, "{preset}: {}", r.name);
            assert!(u64::from(r.offset) + 3 < 1 << map.addr_bits(), "{}", r.name);
            assert!(r.offset < 0x100 || r.offset >= map.scalers.base);
        }
        let last = all.last().unwrap().offset + 3;
        assert_eq!(map.addr_bits(), (32 - last.leading_zeros()).max(12));
    }
}

#[test]
fn fixed_registers_carry_the_generator_and_configuration() {
    let p = params("tiny");
    let map = RegMap::new(&p);
    let reset = |name: &str| map.get(name).unwrap().reset;
    assert_eq!(reset("ID"), u32::from_be_bytes(*b"GCA1"));
    let v: Vec<u32> = GENERATOR_VERSION
        .split('.')
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(reset("VERSION"), v[0] << 16 | v[1] << 8 | v[2]);
    let hash = u32::from_str_radix(&config_hash(&p)[..8], 16).unwrap();
    assert_eq!(reset("CONFIG_HASH"), hash);
    // tiny: 2 layers, 2 heads, D 8, window 128, tile 64.
    assert_eq!(reset("SHAPE0"), 2 | 2 << 10 | 8 << 20);
    assert_eq!(reset("SHAPE1"), 128 | 64 << 17);
    assert_eq!(reset("STREAM"), 512 | 8 << 16 | 16 << 24);
    assert_eq!(reset("TIMING") as u64, p.cycles.decode_latency);
    assert_eq!(reset("TIMING1") as u64, p.cycles.pwm_step);
    assert_eq!(reset("CONTROL"), 1);
    let status = map.get("STATUS").unwrap();
    assert_eq!(status.access, Access::W1c);
    assert_eq!(status.field("BUSY").unwrap().lsb, 16);
    let offsets: Vec<(&str, u32)> = map
        .registers
        .iter()
        .map(|r| (r.name.as_str(), r.offset))
        .collect();
    assert_eq!(
        offsets,
        [
            ("ID", 0x00),
            ("VERSION", 0x04),
            ("CONFIG_HASH", 0x08),
            ("SHAPE0", 0x0C),
            ("SHAPE1", 0x10),
            ("LEVELS", 0x14),
            ("STREAM", 0x18),
            ("TIMING", 0x1C),
            ("CONTROL", 0x20),
            ("STATUS", 0x24),
            ("TOKENS", 0x28),
            ("ERRORS", 0x2C),
            ("RESULTS", 0x30),
            ("CYCLES_LO", 0x34),
            ("CYCLES_HI", 0x38),
            ("TIMING1", 0x3C),
        ]
    );
    let names: Vec<&str> = map
        .scalers
        .registers
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Q_GAIN", "Q_OFFSET", "K_GAIN", "K_OFFSET", "V_GAIN", "V_OFFSET", "O_GAIN", "O_OFFSET"]
    );
    let resets: Vec<u32> = map.scalers.registers.iter().map(|r| r.reset).collect();
    // q (0.25, 0.5) over 16 levels, k and v (0.225, 0.45) over 8 levels of 0.9 V, out (1, 0).
    assert_eq!(resets, [3840, 7680, 1792, 3584, 1792, 3584, 16913, 0]);
}

#[test]
fn documents_of_tiny_name_every_register() {
    let map = RegMap::new(&params("tiny"));
    let md = regmap::markdown(&map);
    let h = regmap::c_header(&map);
    let js = regmap::json(&map);
    for r in &map.registers {
        assert!(
            md.contains(&format!("| 0x{:03X} | {} |", r.offset, r.name)),
            "{}",
            r.name
        );
        assert!(h.contains(&format!("#define GCA_{}_OFFSET ", r.name)));
        for f in &r.fields {
            assert!(md.contains(&format!("| {} | {} |", f.bits(), f.name)));
            assert!(h.contains(&format!("#define GCA_{}_{}_MASK ", r.name, f.name)));
        }
    }
    for r in &map.scalers.registers {
        assert!(md.contains(&format!("| +0x{:02X} | {} |", r.offset, r.name)));
        assert!(h.contains(&format!("#define GCA_SCALER_{}_OFFSET ", r.name)));
    }
    assert!(md.contains("`0x100 + 0x20 * n + offset`"));
    assert!(md.contains("| 1 | 1 | 3 | 0x160 | [511:384] |"));
    assert!(md.contains("n * 128 + [127:112]"));
    assert!(h.contains("#ifndef GCA_REGMAP_H\n#define GCA_REGMAP_H\n"));
    assert!(h.contains("#define GCA_SCALER_BASE(layer, head)"));
    assert!(h.trim_end().ends_with("#endif /* GCA_REGMAP_H */"));
    assert!(h.contains("#define GCA_ID_RESET                             0x47434131u\n"));

    let v: serde_json::Value = serde_json::from_str(&js).unwrap();
    assert!(js.ends_with("}\n"));
    assert_eq!(v["config"], "tiny");
    assert_eq!(v["addr_bits"], 12);
    let regs = v["registers"].as_array().unwrap();
    assert_eq!(regs.len(), map.registers.len());
    for (j, r) in regs.iter().zip(&map.registers) {
        assert_eq!(j["name"], r.name.as_str());
        assert_eq!(j["offset"], r.offset);
        assert_eq!(j["reset"], r.reset);
        assert_eq!(j["access"], r.access.as_str());
    }
    assert_eq!(v["scalers"]["base"], 0x100);
    assert_eq!(v["scalers"]["stride"], 0x20);
    assert_eq!(v["scalers"]["bits_per_head"], 128);
    assert_eq!(v["scalers"]["registers"][6]["reset"], 16913);
    assert_eq!(v["scalers"]["registers"][6]["fields"][0]["signed"], true);
    // Deterministic.
    assert_eq!(js, regmap::json(&RegMap::new(&params("tiny"))));
    let names: Vec<String> = regmap::files(&map).into_iter().map(|f| f.0).collect();
    assert_eq!(
        names,
        [
            "gca_regmap.md",
            "gca_regmap.h",
            "gca_regmap.json",
            "gca_regmap.rdl",
            "gca_driver.h",
            "gca_driver.c"
        ]
    );
}

#[test]
fn gpt2_markdown_stays_short() {
    let map = RegMap::new(&params("gpt2"));
    let md = regmap::markdown(&map);
    assert!(md.lines().count() < 300, "{} lines", md.lines().count());
    assert!(md.contains("144 heads: layer 0 head 0 at 0x0100"));
    assert!(md.contains("layer 11 head 11 at 0x12E0"));
    assert!(regmap::c_header(&map).contains("#define GCA_N_HEAD                               12u"));
}

#[test]
fn c_header_compiles() {
    let map = RegMap::new(&params("tiny"));
    let dir = TempDir::new("csr-cheader");
    dir.write("gca_regmap.h", &regmap::c_header(&map));
    let program = "#include \"gca_regmap.h\"\n\
        typedef char base_ok[GCA_SCALER_BASE(1, 1) == 0x160u ? 1 : -1];\n\
        typedef char mask_ok[GCA_STATUS_BUSY_MASK == 0x10000u ? 1 : -1];\n\
        typedef char id_ok[GCA_ID_RESET == 0x47434131u ? 1 : -1];\n\
        int main(void) { return (int)(GCA_SCALER_BASE(0, 1) + GCA_SCALER_K_GAIN_OFFSET) - 0x128; }\n";
    dir.write("main.c", program);
    let out = run(
        "cc",
        "gcc",
        &dir.0,
        &[
            "-std=c89",
            "-Wall",
            "-Wextra",
            "-pedantic",
            "-Werror",
            "-o",
            "main",
            "main.c",
        ],
    );
    assert!(out.status.success(), "cc:\n{}", text(&out.stderr));
    let out = run(&dir.0.join("main").to_string_lossy(), "gcc", &dir.0, &[]);
    assert!(out.status.success());
}

/// The Icarus testbench of `gca_csr` for a configuration: every expected value comes from the
/// register map.
fn testbench(map: &RegMap) -> String {
    let aw = map.addr_bits();
    let s = &map.scalers;
    let sw = s.heads() * s.bits_per_head;
    let sb = s.scaler_bits;
    let off = |name: &str| map.offset(name).unwrap();
    let rst = |name: &str| map.get(name).unwrap().reset;
    let scaler_reset = |i: usize| s.registers[i].reset;
    let mut t = String::new();
    let w = &mut t;
    let _ = write!(
        w,
        "\
`timescale 1ns / 1ps
`default_nettype none
module tb;
{dut}

  // While set_on_fire: BAD_LENGTH is reported exactly in the cycle a write is performed.
  reg set_on_fire = 1'b0;
  always @(negedge clk) if (set_on_fire) ev_err_kind = dut.wr_fire ? 4'b0001 : 4'b0000;

  integer errors = 0;
  integer soft_pulses = 0;
  integer clear_pulses = 0;
  always @(posedge clk) begin
    if (soft_reset) soft_pulses = soft_pulses + 1;
    if (clear_windows) clear_pulses = clear_pulses + 1;
  end

  task check(input [8*48-1:0] what, input [31:0] got, input [31:0] want);
    begin
      if (got !== want) begin
        $display(\"FAIL %0s: got %h, want %h\", what, got, want);
        errors = errors + 1;
      end
    end
  endtask

  task no_bvalid;
    begin
      repeat (3) begin
        @(negedge clk);
        if (bvalid) begin
          $display(\"FAIL: BVALID before both AW and W were accepted\");
          errors = errors + 1;
        end
      end
    end
  endtask

  // order 0: AW and W together; 1: AW first, W three cycles after it was accepted; 2: W first.
  task axi_write(input [AW-1:0] a, input [31:0] d, input [3:0] s, input integer order,
                 output [1:0] r);
    reg aw_take;
    reg w_take;
    begin
      @(negedge clk);
      if (order != 2) begin awaddr = a; awvalid = 1'b1; end
      if (order != 1) begin wdata = d; wstrb = s; wvalid = 1'b1; end
      if (order == 1) begin
        while (!awready) @(negedge clk);
        @(negedge clk); awvalid = 1'b0;
        no_bvalid;
        wdata = d; wstrb = s; wvalid = 1'b1;
        while (!wready) @(negedge clk);
        @(negedge clk); wvalid = 1'b0;
      end else if (order == 2) begin
        while (!wready) @(negedge clk);
        @(negedge clk); wvalid = 1'b0;
        no_bvalid;
        awaddr = a; awvalid = 1'b1;
        while (!awready) @(negedge clk);
        @(negedge clk); awvalid = 1'b0;
      end else begin
        while (awvalid || wvalid) begin
          aw_take = awvalid && awready;
          w_take = wvalid && wready;
          @(negedge clk);
          if (aw_take) awvalid = 1'b0;
          if (w_take) wvalid = 1'b0;
        end
      end
      while (!bvalid) @(negedge clk);
      repeat (2) @(negedge clk);
      if (!bvalid) begin
        $display(\"FAIL: BVALID dropped before BREADY\");
        errors = errors + 1;
      end
      bready = 1'b1;
      r = bresp;
      @(negedge clk); bready = 1'b0;
      if (bvalid) begin
        $display(\"FAIL: BVALID stayed after the handshake\");
        errors = errors + 1;
      end
    end
  endtask

  task axi_read(input [AW-1:0] a, output [31:0] d, output [1:0] r);
    begin
      @(negedge clk); araddr = a; arvalid = 1'b1;
      while (!arready) @(negedge clk);
      @(negedge clk); arvalid = 1'b0;
      while (!rvalid) @(negedge clk);
      d = rdata;
      r = rresp;
      repeat (2) @(negedge clk);
      if (!rvalid || rdata !== d) begin
        $display(\"FAIL: RVALID/RDATA not held until RREADY\");
        errors = errors + 1;
      end
      rready = 1'b1;
      @(negedge clk); rready = 1'b0;
    end
  endtask

  reg [31:0] rd;
  reg [31:0] rd2;
  reg [1:0] resp;

  task expect_read(input [8*48-1:0] what, input [AW-1:0] a, input [31:0] want,
                   input [1:0] want_resp);
    begin
      axi_read(a, rd, resp);
      check(what, {{30'd0, resp}}, {{30'd0, want_resp}});
      if (want_resp == 2'b00) check(what, rd, want);
    end
  endtask

  task expect_write(input [8*48-1:0] what, input [AW-1:0] a, input [31:0] d, input [3:0] s,
                    input integer order, input [1:0] want_resp);
    begin
      axi_write(a, d, s, order, resp);
      check(what, {{30'd0, resp}}, {{30'd0, want_resp}});
    end
  endtask

  task pulse_events(input t, input e, input r);
    begin
      @(negedge clk);
      ev_token = t; ev_error = e; ev_result = r;
      @(negedge clk);
      ev_token = 1'b0; ev_error = 1'b0; ev_result = 1'b0;
    end
  endtask

  initial begin : main
    repeat (3) @(negedge clk);
    rst_n = 1'b1;
    check(\"enable after reset\", {{31'd0, enable}}, 32'd1);
    check(\"irq after reset\", {{31'd0, irq}}, 32'd0);
",
        dut = common::csr_dut(aw, sw)
    );
    // Identification, readback and the reset values of the other registers.
    for r in map.registers.iter().filter(|r| r.name != "CYCLES_LO") {
        let _ = writeln!(
            w,
            "    expect_read(\"reset {n}\", {aw}'h{o:x}, 32'h{v:08x}, 2'b00);",
            n = r.name,
            o = r.offset,
            v = r.reset
        );
    }
    let ok = "2'b00";
    let err = "2'b10";
    let bus = |n: u32, i: usize| s.port_lsb(n, i);
    // Scaler resets, on the bus and on the port.
    for (name, n, i) in [
        ("L0_H0_Q_GAIN", 0, 0),
        ("L1_H1_O_GAIN", 3, 6),
        ("L0_H1_O_OFFSET", 1, 7),
    ] {
        let width = s.registers[i].fields[0].width;
        let _ = writeln!(
            w,
            "    expect_read(\"reset {name}\", {aw}'h{:x}, 32'h{:08x}, {ok});",
            off(name),
            scaler_reset(i)
        );
        let _ = writeln!(
            w,
            "    check(\"port {name} after reset\", {{{}'d0, scalers[{} +: {width}]}}, 32'h{:08x});",
            32 - width,
            bus(n, i),
            scaler_reset(i) & ((1u64 << width) - 1) as u32
        );
    }
    // A negative value: sign extension on read, the low bits on the port.
    let k_off = off("L1_H1_K_OFFSET");
    let neg = 0xFFFF_8123u32 | !((1u64 << sb) - 1) as u32;
    let neg_low = neg & ((1u64 << sb) - 1) as u32;
    let neg_read = if (neg_low >> (sb - 1)) & 1 == 1 {
        neg_low | !((1u64 << sb) - 1) as u32
    } else {
        neg_low
    };
    let _ = writeln!(
        w,
        "    expect_write(\"write negative K_OFFSET\", {aw}'h{k_off:x}, 32'h{neg:08x}, 4'hf, 0, {ok});"
    );
    let _ = writeln!(
        w,
        "    expect_read(\"read negative K_OFFSET\", {aw}'h{k_off:x}, 32'h{neg_read:08x}, {ok});"
    );
    let _ = writeln!(
        w,
        "    check(\"port L1_H1_K_OFFSET\", {{{}'d0, scalers[{} +: {sb}]}}, 32'h{neg_low:08x});",
        32 - sb,
        bus(3, 3)
    );
    let _ = writeln!(
        w,
        "    check(\"port L1_H1_K_GAIN untouched\", {{{}'d0, scalers[{} +: {sb}]}}, 32'h{:08x});",
        32 - sb,
        bus(3, 2),
        scaler_reset(2)
    );
    // WSTRB: byte 0 only, byte 1 only, the upper bytes only (ignored above the register).
    let qg = off("L0_H1_Q_GAIN");
    let mask = ((1u64 << sb) - 1) as u32;
    let sext = |v: u32| {
        let v = v & mask;
        if (v >> (sb - 1)) & 1 == 1 {
            v | !mask
        } else {
            v
        }
    };
    let merge = |old: u32, data: u32, strb: u32| {
        let lanes: u32 = (0..4)
            .filter(|b| strb >> b & 1 == 1)
            .map(|b| 0xFFu32 << (8 * b))
            .sum();
        sext((old & !lanes) | (data & lanes))
    };
    let mut value = scaler_reset(0);
    let strb_steps = [
        ("WSTRB byte 0", 0xAAAA_55CDu32, 0x1),
        ("WSTRB byte 1", 0x0000_3E77, 0x2),
        ("WSTRB upper bytes", 0x7777_0000, 0xC),
    ];
    for (what, data, strb) in strb_steps {
        value = merge(value, data, strb);
        let want = value;
        let _ = writeln!(
            w,
            "    expect_write(\"{what}\", {aw}'h{qg:x}, 32'h{data:08x}, 4'h{strb:x}, 0, {ok});"
        );
        let _ = writeln!(
            w,
            "    expect_read(\"{what} readback\", {aw}'h{qg:x}, 32'h{want:08x}, {ok});"
        );
    }
    // AW before W and W before AW.
    let vg = off("L1_H0_V_GAIN");
    let vo = off("L1_H0_V_OFFSET");
    let _ = writeln!(
        w,
        "    expect_write(\"AW before W\", {aw}'h{vg:x}, 32'h00001234, 4'hf, 1, {ok});\n\
         \x20   expect_read(\"AW before W readback\", {aw}'h{vg:x}, 32'h{:08x}, {ok});\n\
         \x20   expect_write(\"W before AW\", {aw}'h{vo:x}, 32'hfffffffe, 4'hf, 2, {ok});\n\
         \x20   expect_read(\"W before AW readback\", {aw}'h{vo:x}, 32'hfffffffe, {ok});",
        sext(0x1234)
    );
    // SLVERR: unmapped, misaligned, read-only; nothing changes.
    let top = (1u32 << aw) - 4;
    let hole = 0x0FC;
    assert!(map.all().iter().all(|r| r.offset != hole));
    let q00 = off("L0_H0_Q_GAIN");
    let _ = writeln!(
        w,
        "    expect_read(\"read hole\", {aw}'h{hole:x}, 32'd0, {err});\n\
         \x20   expect_read(\"read past the scalers\", {aw}'h{end:x}, 32'd0, {err});\n\
         \x20   expect_read(\"read top\", {aw}'h{top:x}, 32'd0, {err});\n\
         \x20   expect_read(\"read misaligned\", {aw}'h{mis:x}, 32'd0, {err});\n\
         \x20   expect_write(\"write past the scalers\", {aw}'h{end:x}, 32'h1, 4'hf, 0, {err});\n\
         \x20   expect_write(\"write misaligned\", {aw}'h{mis:x}, 32'h0, 4'hf, 0, {err});\n\
         \x20   expect_read(\"misaligned write changed nothing\", {aw}'h{q00:x}, 32'h{q00r:08x}, {ok});\n\
         \x20   expect_write(\"write ID\", {aw}'h{id:x}, 32'h0, 4'hf, 0, {err});\n\
         \x20   expect_write(\"write TOKENS\", {aw}'h{tok:x}, 32'h5, 4'hf, 0, {err});\n\
         \x20   expect_write(\"write SHAPE0\", {aw}'h{sh:x}, 32'h0, 4'hf, 2, {err});\n\
         \x20   expect_read(\"ID after write\", {aw}'h{id:x}, 32'h{idv:08x}, {ok});",
        end = s.end(),
        mis = q00 + 2,
        q00r = scaler_reset(0),
        id = off("ID"),
        idv = rst("ID"),
        tok = off("TOKENS"),
        sh = off("SHAPE0"),
    );
    // STATUS, irq, BUSY.
    let st = off("STATUS");
    let _ = writeln!(
        w,
        "    @(negedge clk); ev_err_kind = 4'b0100;
    @(negedge clk); ev_err_kind = 4'b0000;
    @(negedge clk);
    check(\"irq after an error\", {{31'd0, irq}}, 32'd1);
    busy = 1'b1;
    expect_read(\"STATUS sticky\", {aw}'h{st:x}, 32'h00010004, {ok});
    expect_write(\"STATUS W1C of another bit\", {aw}'h{st:x}, 32'h00000001, 4'h1, 0, {ok});
    expect_read(\"STATUS kept\", {aw}'h{st:x}, 32'h00010004, {ok});
    expect_write(\"STATUS W1C without strobe\", {aw}'h{st:x}, 32'h00000004, 4'h2, 0, {ok});
    expect_read(\"STATUS kept without strobe\", {aw}'h{st:x}, 32'h00010004, {ok});
    expect_write(\"STATUS W1C\", {aw}'h{st:x}, 32'h00000004, 4'h1, 0, {ok});
    busy = 1'b0;
    expect_read(\"STATUS cleared\", {aw}'h{st:x}, 32'h00000000, {ok});
    check(\"irq after the clear\", {{31'd0, irq}}, 32'd0);
    @(negedge clk); ev_err_kind = 4'b0001;
    @(negedge clk); ev_err_kind = 4'b0000;
    set_on_fire = 1'b1;
    expect_write(\"STATUS W1C while set\", {aw}'h{st:x}, 32'h0000000f, 4'h1, 0, {ok});
    set_on_fire = 1'b0;
    expect_read(\"STATUS set wins over clear\", {aw}'h{st:x}, 32'h00000001, {ok});
    check(\"irq while set\", {{31'd0, irq}}, 32'd1);
    expect_write(\"STATUS W1C again\", {aw}'h{st:x}, 32'h00000001, 4'h1, 0, {ok});
    expect_read(\"STATUS clear again\", {aw}'h{st:x}, 32'h00000000, {ok});"
    );
    // Counters.
    let _ = writeln!(
        w,
        "    pulse_events(1'b1, 1'b0, 1'b0);
    pulse_events(1'b1, 1'b1, 1'b0);
    pulse_events(1'b1, 1'b0, 1'b1);
    pulse_events(1'b1, 1'b1, 1'b0);
    pulse_events(1'b1, 1'b1, 1'b1);
    expect_read(\"TOKENS\", {aw}'h{t:x}, 32'd5, {ok});
    expect_read(\"ERRORS\", {aw}'h{e:x}, 32'd3, {ok});
    expect_read(\"RESULTS\", {aw}'h{r:x}, 32'd2, {ok});
    axi_read({aw}'h{lo:x}, rd, resp);
    check(\"CYCLES_LO resp\", {{30'd0, resp}}, 32'd0);
    if (rd < 32'd100) begin $display(\"FAIL: CYCLES_LO too small: %0d\", rd); errors = errors + 1; end
    expect_read(\"CYCLES_HI\", {aw}'h{hi:x}, 32'd0, {ok});
    axi_read({aw}'h{lo:x}, rd2, resp);
    if (rd2 <= rd) begin $display(\"FAIL: CYCLES_LO does not count\"); errors = errors + 1; end",
        t = off("TOKENS"),
        e = off("ERRORS"),
        r = off("RESULTS"),
        lo = off("CYCLES_LO"),
        hi = off("CYCLES_HI"),
    );
    // CONTROL: pulses last one cycle, ENABLE is read/write, the strobe is honoured.
    let c = off("CONTROL");
    let _ = writeln!(
        w,
        "    expect_write(\"CONTROL soft reset\", {aw}'h{c:x}, 32'h00000003, 4'h1, 0, {ok});
    repeat (3) @(negedge clk);
    check(\"soft_reset pulses\", soft_pulses, 32'd1);
    check(\"clear_windows pulses\", clear_pulses, 32'd0);
    check(\"enable kept\", {{31'd0, enable}}, 32'd1);
    expect_read(\"CONTROL reads ENABLE only\", {aw}'h{c:x}, 32'h00000001, {ok});
    expect_write(\"CONTROL clear windows\", {aw}'h{c:x}, 32'h00000005, 4'h1, 1, {ok});
    repeat (3) @(negedge clk);
    check(\"clear_windows pulses\", clear_pulses, 32'd1);
    check(\"soft_reset pulses\", soft_pulses, 32'd1);
    expect_write(\"CONTROL without strobe\", {aw}'h{c:x}, 32'h00000006, 4'he, 0, {ok});
    repeat (3) @(negedge clk);
    check(\"no pulse without strobe\", soft_pulses + clear_pulses, 32'd2);
    check(\"enable kept without strobe\", {{31'd0, enable}}, 32'd1);
    expect_write(\"CONTROL disable\", {aw}'h{c:x}, 32'h00000000, 4'h1, 2, {ok});
    check(\"enable low\", {{31'd0, enable}}, 32'd0);
    expect_read(\"CONTROL disabled\", {aw}'h{c:x}, 32'h00000000, {ok});
    expect_write(\"CONTROL enable\", {aw}'h{c:x}, 32'h00000001, 4'h1, 0, {ok});
    check(\"enable high\", {{31'd0, enable}}, 32'd1);
    if (errors == 0) $display(\"PASS\");
    else $display(\"FAILED: %0d errors\", errors);
    $finish;
  end

  initial begin
    #1000000;
    $display(\"FAIL: timeout\");
    $finish;
  end
endmodule
"
    );
    t
}

#[test]
fn icarus_testbench_checks_the_bus_on_tiny() {
    let p = params("tiny");
    let map = RegMap::new(&p);
    let dir = TempDir::new("csr-icarus");
    write_csr(&dir, &p);
    dir.write("tb.v", &testbench(&map));
    let out = run(
        "iverilog",
        "iverilog",
        &dir.0,
        &[
            "-g2005",
            "-Wall",
            "-o",
            "tb.vvp",
            "gca_csr.v",
            "gca_clock_gate.v",
            "tb.v",
        ],
    );
    assert!(
        out.status.success() && text(&out.stderr).is_empty(),
        "iverilog:\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let out = run("vvp", "iverilog", &dir.0, &["-n", "tb.vvp"]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "vvp:\n{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains("PASS") && !stdout.contains("FAIL"),
        "testbench:\n{stdout}"
    );
}
