//! The views of the register map agree, and its SystemRDL is what the register tools accept.
//!
//! - Agreement: the Markdown, the C header (compiled, every value printed by the compiler), the
//!   JSON, the SystemRDL (elaborated by systemrdl-compiler) and the CSR RTL (every word of the
//!   address space read, then written with ones and zeros, in Icarus) are each read back into
//!   the same list of registers and fields (addresses, resets, access) and compared with the
//!   register map, register by register. Nothing is generated for the test: it reads the files
//!   `gca generate` writes.
//! - PeakRDL (pinned in scripts/python-tools.txt, installed by scripts/setup): the compiler
//!   elaborates `gca_regmap.rdl` with every warning enabled and promoted to an error;
//!   `peakrdl ip-xact`, `html` and `uvm` run without a message and their outputs hold the
//!   registers.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{run, TempDir};
use gca::config::{self, Params};
use gca::hdl::Design;
use gca::regmap::{self, Access, RegMap, Register};
use gca::rtl::csr;

/// One register as a view states it; `name` of a scaler register is `L<layer>_H<head>_<NAME>`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Reg {
    offset: u32,
    name: String,
    /// The 32-bit value read after reset (signed fields sign-extended).
    reset: u32,
    /// RO, RW or W1C; None where the view does not say (the C header).
    access: Option<String>,
    fields: Vec<Fld>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Fld {
    name: String,
    lsb: u32,
    width: u32,
    reset: u32,
    access: Option<String>,
}

fn params(name: &str) -> Params {
    config::load(name).unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).trim().to_string()
}

fn python_tool(command: &str) -> PathBuf {
    gca::cli::python_tool(command).unwrap_or_else(|e| panic!("{e}"))
}

fn mask(width: u32) -> u32 {
    ((1u64 << width) - 1) as u32
}

/// The register value of field resets, signed fields sign-extended above their width.
fn compose(fields: &[(u32, u32, u32, bool)]) -> u32 {
    fields.iter().fold(0, |acc, &(lsb, width, reset, signed)| {
        let mut v = (reset & mask(width)) << lsb;
        if signed && width < 32 && (reset >> (width - 1)) & 1 == 1 {
            v |= !mask(lsb + width);
        }
        acc | v
    })
}

/// The register map itself, the reference of every comparison.
fn from_map(map: &RegMap) -> Vec<Reg> {
    map.all()
        .into_iter()
        .map(|r| Reg {
            offset: r.offset,
            name: r.name.clone(),
            reset: r.reset,
            access: Some(r.access.as_str().to_string()),
            fields: r
                .fields
                .iter()
                .map(|f| Fld {
                    name: f.name.clone(),
                    lsb: f.lsb,
                    width: f.width,
                    reset: f.reset,
                    access: Some(f.access.as_str().to_string()),
                })
                .collect(),
        })
        .collect()
}

/// Fails with the first register on which `got` (the view `what`) and `want` differ.
fn agree(what: &str, config: &str, got: &[Reg], want: &[Reg], with_access: bool) {
    let strip = |r: &Reg| {
        let mut r = r.clone();
        if !with_access {
            r.access = None;
            r.fields.iter_mut().for_each(|f| f.access = None);
        }
        r
    };
    for (g, w) in got.iter().zip(want) {
        assert_eq!(strip(g), strip(w), "{config}: {what} differs from the map");
    }
    assert_eq!(
        got.len(),
        want.len(),
        "{config}: {what} has {} registers, the map {}",
        got.len(),
        want.len()
    );
}

fn num(v: &serde_json::Value) -> u32 {
    v.as_u64().expect("a number") as u32
}

fn json_fields(fields: &serde_json::Value) -> Vec<Fld> {
    let list = fields.as_array().expect("fields");
    list.iter()
        .map(|f| Fld {
            name: f["name"].as_str().unwrap().to_string(),
            lsb: num(&f["lsb"]),
            width: num(&f["width"]),
            reset: num(&f["reset"]),
            access: Some(f["access"].as_str().unwrap().to_string()),
        })
        .collect()
}

/// `regmap/gca_regmap.json`, the scaler block expanded with its own address formula.
fn from_json(js: &str) -> Vec<Reg> {
    let v: serde_json::Value = serde_json::from_str(js).unwrap();
    let reg = |r: &serde_json::Value, name: String, offset: u32| Reg {
        offset,
        name,
        reset: num(&r["reset"]),
        access: Some(r["access"].as_str().unwrap().to_string()),
        fields: json_fields(&r["fields"]),
    };
    let mut out: Vec<Reg> = v["registers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            reg(
                r,
                r["name"].as_str().unwrap().to_string(),
                num(&r["offset"]),
            )
        })
        .collect();
    let s = &v["scalers"];
    let (base, stride) = (num(&s["base"]), num(&s["stride"]));
    let n_head = num(&s["n_head"]);
    for layer in 0..num(&s["n_layer"]) {
        for head in 0..n_head {
            for r in s["registers"].as_array().unwrap() {
                let name = format!("L{layer}_H{head}_{}", r["name"].as_str().unwrap());
                let offset = base + stride * (layer * n_head + head) + num(&r["offset"]);
                out.push(reg(r, name, offset));
            }
        }
    }
    out
}

/// A hexadecimal `0x...` or decimal number of a Markdown cell.
fn md_number(cell: &str) -> i64 {
    let cell = cell.split_whitespace().next().unwrap();
    match cell.strip_prefix("0x").or_else(|| cell.strip_prefix("+0x")) {
        Some(hex) => i64::from_str_radix(hex, 16).unwrap(),
        None => cell.parse().unwrap_or_else(|_| panic!("a number: {cell}")),
    }
}

fn cells(line: &str) -> Vec<&str> {
    line.trim()
        .trim_matches('|')
        .split(" | ")
        .map(str::trim)
        .collect()
}

/// `lsb + width` of `31:0` or `16`.
fn md_bits(bits: &str) -> (u32, u32) {
    match bits.split_once(':') {
        Some((hi, lo)) => {
            let (hi, lo): (u32, u32) = (hi.parse().unwrap(), lo.parse().unwrap());
            (lo, hi - lo + 1)
        }
        None => (bits.parse().unwrap(), 1),
    }
}

/// The number after `prefix` in `text`.
fn after(text: &str, prefix: &str) -> i64 {
    let rest = &text[text.find(prefix).unwrap_or_else(|| panic!("`{prefix}`")) + prefix.len()..];
    md_number(
        rest.split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap(),
    )
}

/// `regmap/gca_regmap.md`: the register table, each register's field table, and the scaler
/// table expanded with the address formula the text gives.
fn from_markdown(md: &str) -> Vec<Reg> {
    let mut out: Vec<Reg> = Vec::new();
    let registers = md.split("\n## Registers\n").nth(1).unwrap();
    let registers = registers.split("\n## ").next().unwrap();
    for line in registers.lines().filter(|l| l.starts_with("| 0x")) {
        let c = cells(line);
        if c[1].starts_with("scalers") {
            continue;
        }
        out.push(Reg {
            offset: md_number(c[0]) as u32,
            name: c[1].to_string(),
            reset: md_number(c[3]) as u32,
            access: Some(c[2].split(',').next().unwrap().to_string()),
            fields: Vec::new(),
        });
    }
    for section in md.split("\n### 0x").skip(1) {
        let section = section.split("\n## ").next().unwrap();
        let name = section.split_whitespace().nth(1).unwrap();
        let reg = out.iter_mut().find(|r| r.name == name).unwrap();
        for line in section.lines().skip(1).filter(|l| l.starts_with("| ")) {
            let c = cells(line);
            if c[0] == "Bits" || c[0].starts_with("---") {
                continue;
            }
            let (lsb, width) = md_bits(c[0]);
            reg.fields.push(Fld {
                name: c[1].to_string(),
                lsb,
                width,
                reset: md_number(c[3]) as u32 & mask(width),
                access: Some(c[2].to_string()),
            });
        }
    }
    let scalers = md.split("\n## Scalers\n").nth(1).unwrap();
    let (n_head, n_layer) = (
        after(scalers, "layer * ") as u32,
        after(scalers, "(layer 0..") as u32 + 1,
    );
    let formula = scalers.split('`').nth(1).unwrap();
    let (base, stride) = (after(formula, "") as u32, after(formula, " + ") as u32);
    let access = scalers.split("has eight ").nth(1).unwrap();
    let access = access.split_whitespace().next().unwrap();
    let table: Vec<Vec<&str>> = scalers
        .split("\n### ")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| +0x"))
        .map(cells)
        .collect();
    for layer in 0..n_layer {
        for head in 0..n_head {
            for c in &table {
                // `n * 128 + [15:0]`
                let bits = c[5].split('[').nth(1).unwrap().trim_end_matches(']');
                let (_, width) = md_bits(bits);
                let reset = md_number(c[3]) as u32;
                let value = md_number(c[4]);
                assert_eq!(value as u32 & mask(width), reset & mask(width), "{}", c[1]);
                out.push(Reg {
                    offset: base + stride * (layer * n_head + head) + md_number(c[0]) as u32,
                    name: format!("L{layer}_H{head}_{}", c[1]),
                    reset,
                    access: Some(access.to_string()),
                    fields: vec![Fld {
                        name: "VALUE".into(),
                        lsb: 0,
                        width,
                        reset: reset & mask(width),
                        access: Some(access.to_string()),
                    }],
                });
            }
        }
    }
    out.sort_by_key(|r| r.offset);
    out
}

/// `#define <prefix><NAME><suffix>` names of the header, in order.
fn defined<'a>(h: &'a str, prefix: &str, suffix: &str) -> Vec<&'a str> {
    h.lines()
        .filter_map(|l| l.strip_prefix("#define "))
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|n| n.strip_prefix(prefix)?.strip_suffix(suffix))
        .collect()
}

/// `regmap/gca_regmap.h`: every register and field macro it defines, evaluated by the C
/// compiler (a program prints them), the scaler registers through `GCA_SCALER_BASE`.
fn from_c_header(dir: &Path, h: &str) -> Vec<Reg> {
    let scaler_names = defined(h, "GCA_SCALER_", "_OFFSET");
    let fixed: Vec<&str> = defined(h, "GCA_", "_OFFSET")
        .into_iter()
        .filter(|n| !n.starts_with("SCALER_"))
        .collect();
    let mut c = String::from(
        "#include <stdio.h>\n#include \"gca_regmap.h\"\nint main(void) {\n  unsigned l, h;\n",
    );
    for r in &fixed {
        let _ = writeln!(
            c,
            "  printf(\"R {r} %u %u\\n\", GCA_{r}_OFFSET, GCA_{r}_RESET);"
        );
        for f in defined(h, &format!("GCA_{r}_"), "_SHIFT") {
            let _ = writeln!(
                c,
                "  printf(\"F {f} %u %u %u\\n\", GCA_{r}_{f}_SHIFT, GCA_{r}_{f}_WIDTH, GCA_{r}_{f}_MASK);"
            );
        }
    }
    let _ = writeln!(
        c,
        "  for (l = 0; l < GCA_N_LAYER; l++)\n    for (h = 0; h < GCA_N_HEAD; h++) {{"
    );
    for r in scaler_names.iter().filter(|n| **n != "BLOCK") {
        let _ = writeln!(
            c,
            "      printf(\"R L%u_H%u_{r} %u %u\\n\", l, h, GCA_SCALER_BASE(l, h) + GCA_SCALER_{r}_OFFSET, GCA_SCALER_{r}_RESET);\n\
             \x20     printf(\"F VALUE 0 %u %u\\n\", GCA_SCALER_{r}_WIDTH, (unsigned)((1ul << GCA_SCALER_{r}_WIDTH) - 1u));"
        );
    }
    c.push_str("    }\n  return 0;\n}\n");
    std::fs::write(dir.join("gca_regmap.h"), h).unwrap();
    std::fs::write(dir.join("print.c"), c).unwrap();
    let out = run(
        "cc",
        "gcc",
        dir,
        &[
            "-std=c99", "-Wall", "-Wextra", "-Werror", "-o", "print", "print.c",
        ],
    );
    assert!(out.status.success(), "cc:\n{}", text(&out.stderr));
    let out = run(&dir.join("print").to_string_lossy(), "gcc", dir, &[]);
    assert!(out.status.success());
    let mut regs: Vec<Reg> = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let w: Vec<&str> = line.split(' ').collect();
        let n = |i: usize| w[i].parse::<u32>().unwrap();
        if w[0] == "R" {
            regs.push(Reg {
                offset: n(2),
                name: w[1].to_string(),
                reset: n(3),
                access: None,
                fields: Vec::new(),
            });
        } else {
            let r = regs.last_mut().unwrap();
            let (lsb, width, m) = (n(2), n(3), n(4));
            assert_eq!(m, mask(width) << lsb, "{} {} mask", r.name, w[1]);
            r.fields.push(Fld {
                name: w[1].to_string(),
                lsb,
                width,
                reset: (r.reset & m) >> lsb,
                access: None,
            });
        }
    }
    regs.sort_by_key(|r| r.offset);
    regs
}

/// Elaborates a SystemRDL file (every warning enabled and promoted to an error) and prints
/// each register, arrays unrolled, as JSON.
const RDL_DUMP: &str = r#"import json
import sys

from systemrdl import RDLCompiler, warnings
from systemrdl.node import RegNode

compiler = RDLCompiler(warning_flags=warnings.ALL, error_flags=warnings.ALL)
compiler.compile_file(sys.argv[1])
root = compiler.elaborate()
regs = []
for node in root.descendants(unroll=True):
    if not isinstance(node, RegNode):
        continue
    fields = []
    for f in node.fields():
        onwrite = f.get_property("onwrite")
        fields.append({
            "name": f.inst_name,
            "lsb": f.lsb,
            "width": f.width,
            "reset": f.get_property("reset"),
            "sw": f.get_property("sw").name,
            "onwrite": onwrite.name if onwrite else None,
            "singlepulse": f.get_property("singlepulse"),
            "signed": bool(f.get_property("is_signed", default=False)),
        })
    regs.append({"path": node.get_path(), "address": node.absolute_address, "fields": fields})
json.dump(regs, sys.stdout)
"#;

/// The access of a field from its SystemRDL properties (the mapping of `regmap::systemrdl`).
fn rdl_access(f: &serde_json::Value) -> &'static str {
    match (
        f["sw"].as_str().unwrap(),
        f["onwrite"].as_str(),
        f["singlepulse"].as_bool().unwrap(),
    ) {
        ("r", None, false) => "RO",
        ("rw", None, false) => "RW",
        ("rw", Some("woclr"), false) => "W1C",
        ("w", None, true) => "W1P",
        other => panic!("unexpected SystemRDL access {other:?}"),
    }
}

/// `gca_regmap.SCALERS[1][0].K_GAIN` -> `L1_H0_K_GAIN`; `gca_regmap.CONTROL` -> `CONTROL`.
fn rdl_name(path: &str) -> String {
    let rest = path.strip_prefix("gca_regmap.").unwrap();
    match rest.strip_prefix("SCALERS[") {
        Some(s) => {
            let (layer, s) = s.split_once("][").unwrap();
            let (head, reg) = s.split_once("].").unwrap();
            format!("L{layer}_H{head}_{reg}")
        }
        None => rest.to_string(),
    }
}

/// `regmap/gca_regmap.rdl` as systemrdl-compiler elaborates it. A register is RO when every
/// field is, RW or W1C after its writable fields.
fn from_systemrdl(dir: &Path, rdl: &str) -> Vec<Reg> {
    std::fs::write(dir.join("gca_regmap.rdl"), rdl).unwrap();
    std::fs::write(dir.join("dump.py"), RDL_DUMP).unwrap();
    let python = python_tool("python");
    let out = run(
        &python.to_string_lossy(),
        "scripts/setup",
        dir,
        &["dump.py", "gca_regmap.rdl"],
    );
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "systemrdl-compiler:\n{}",
        text(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut regs: Vec<Reg> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let list = r["fields"].as_array().unwrap();
            let fields: Vec<Fld> = list
                .iter()
                .map(|f| Fld {
                    name: f["name"].as_str().unwrap().to_string(),
                    lsb: num(&f["lsb"]),
                    width: num(&f["width"]),
                    reset: num(&f["reset"]),
                    access: Some(rdl_access(f).to_string()),
                })
                .collect();
            let parts: Vec<(u32, u32, u32, bool)> = list
                .iter()
                .zip(&fields)
                .map(|(j, f)| (f.lsb, f.width, f.reset, j["signed"].as_bool().unwrap()))
                .collect();
            let access = fields
                .iter()
                .filter_map(|f| f.access.as_deref())
                .find(|a| *a == "RW" || *a == "W1C")
                .unwrap_or("RO");
            Reg {
                offset: num(&r["address"]),
                name: rdl_name(r["path"].as_str().unwrap()),
                reset: compose(&parts),
                access: Some(access.to_string()),
                fields,
            }
        })
        .collect();
    regs.sort_by_key(|r| r.offset);
    regs
}

#[test]
fn markdown_c_header_json_and_systemrdl_state_the_same_registers() {
    for name in ["tiny", "gpt2-head", "gpt2"] {
        let map = RegMap::new(&params(name));
        let files: BTreeMap<String, String> = regmap::files(&map).into_iter().collect();
        let want = from_map(&map);
        let dir = TempDir::new(&format!("regmap-agree-{name}"));
        agree(
            "JSON",
            name,
            &from_json(&files["gca_regmap.json"]),
            &want,
            true,
        );
        agree(
            "Markdown",
            name,
            &from_markdown(&files["gca_regmap.md"]),
            &want,
            true,
        );
        agree(
            "C header",
            name,
            &from_c_header(&dir.0, &files["gca_regmap.h"]),
            &want,
            false,
        );
        agree(
            "SystemRDL",
            name,
            &from_systemrdl(&dir.0, &files["gca_regmap.rdl"]),
            &want,
            true,
        );
    }
}

/// What a read of a register returns after the bus wrote `data` to it (all strobes).
fn after_write(r: &Register, data: u32) -> u32 {
    if !r.writable() {
        return r.reset;
    }
    let parts: Vec<(u32, u32, u32, bool)> = r
        .fields
        .iter()
        .map(|f| {
            let value = match f.access {
                Access::Rw => (data >> f.lsb) & mask(f.width),
                Access::Ro => f.reset,
                // Sticky flags were clear and stay clear; pulses read 0.
                Access::W1c | Access::W1p => 0,
            };
            (f.lsb, f.width, value, f.signed)
        })
        .collect();
    compose(&parts)
}

/// The Icarus bench that reads every word of the address space after reset, then writes each
/// with all ones and with zeros and reads it back; one line per transfer.
fn probe_bench(map: &RegMap) -> String {
    let aw = map.addr_bits();
    let sw = map.scalers.heads() * map.scalers.bits_per_head;
    format!(
        "\
`timescale 1ns / 1ps
`default_nettype none
module probe;
  localparam WORDS = {words};
{dut}

  task axi_write(input [AW-1:0] a, input [31:0] d, output [1:0] r);
    reg aw_take;
    reg w_take;
    begin
      @(negedge clk); awaddr = a; awvalid = 1'b1; wdata = d; wstrb = 4'hf; wvalid = 1'b1;
      while (awvalid || wvalid) begin
        aw_take = awvalid && awready;
        w_take = wvalid && wready;
        @(negedge clk);
        if (aw_take) awvalid = 1'b0;
        if (w_take) wvalid = 1'b0;
      end
      while (!bvalid) @(negedge clk);
      r = bresp; bready = 1'b1;
      @(negedge clk); bready = 1'b0;
    end
  endtask

  task axi_read(input [AW-1:0] a, output [31:0] d, output [1:0] r);
    begin
      @(negedge clk); araddr = a; arvalid = 1'b1;
      while (!arready) @(negedge clk);
      @(negedge clk); arvalid = 1'b0;
      while (!rvalid) @(negedge clk);
      d = rdata; r = rresp; rready = 1'b1;
      @(negedge clk); rready = 1'b0;
    end
  endtask

  integer i;
  reg [31:0] d;
  reg [1:0] r;
  reg [1:0] b;
  initial begin
    repeat (3) @(negedge clk);
    rst_n = 1'b1;
    for (i = 0; i < WORDS; i = i + 1) begin
      axi_read(4 * i, d, r);
      $display(\"reset %0d %0d %0d\", 4 * i, r, d);
    end
    for (i = 0; i < WORDS; i = i + 1) begin
      axi_write(4 * i, 32'hffffffff, b);
      axi_read(4 * i, d, r);
      $display(\"ones %0d %0d %0d\", 4 * i, b, d);
      axi_write(4 * i, 32'h00000000, b);
      axi_read(4 * i, d, r);
      $display(\"zeros %0d %0d %0d\", 4 * i, b, d);
    end
    $display(\"done\");
    $finish;
  end
endmodule
",
        words = 1u32 << (aw - 2),
        dut = common::csr_dut(aw, sw),
    )
}

/// The CSR RTL answers every word of its address space as the register map says: mapped
/// registers read their reset values, unmapped words SLVERR; writes to RO registers SLVERR
/// and change nothing, RW fields take the written bits (signed ones sign-extended), W1C
/// flags and W1P commands read 0.
#[test]
fn csr_rtl_answers_every_address_as_the_map_says() {
    for name in ["tiny", "gpt2-head"] {
        let p = params(name);
        let map = RegMap::new(&p);
        let regs = map.all();
        let by_offset: BTreeMap<u32, &Register> = regs.iter().map(|r| (r.offset, r)).collect();
        let dir = TempDir::new(&format!("regmap-probe-{name}"));
        let files = Design::new(vec![csr::build(&p), gca::rtl::clock_gate::build(&p)])
            .files()
            .unwrap();
        for (name, text) in &files {
            dir.write(name, text);
        }
        dir.write("probe.v", &probe_bench(&map));
        let args = [
            "-g2005",
            "-o",
            "probe.vvp",
            "gca_csr.v",
            "gca_clock_gate.v",
            "probe.v",
        ];
        let out = run("iverilog", "iverilog", &dir.0, &args);
        assert!(out.status.success(), "iverilog:\n{}", text(&out.stderr));
        let out = run("vvp", "iverilog", &dir.0, &["-n", "probe.vvp"]);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains("\ndone"), "{name}: {stdout}");
        let mut lines = 0;
        for line in stdout.lines().filter(|l| !l.starts_with("done")) {
            let w: Vec<&str> = line.split(' ').collect();
            let n = |i: usize| w[i].parse::<u64>().unwrap() as u32;
            let (addr, resp, data) = (n(1), n(2), n(3));
            let reg = by_offset.get(&addr);
            let what = format!(
                "{name}: {} of {addr:#x} ({})",
                w[0],
                reg.map_or("unmapped", |r| r.name.as_str())
            );
            lines += 1;
            let Some(r) = reg else {
                assert_eq!(resp, 2, "{what}: SLVERR expected");
                continue;
            };
            let want_resp = if w[0] == "reset" || r.writable() {
                0
            } else {
                2
            };
            assert_eq!(resp, want_resp, "{what}: response");
            // The cycle counter's low word counts from reset.
            if r.name == "CYCLES_LO" {
                continue;
            }
            let want = match w[0] {
                "reset" => r.reset,
                "ones" => after_write(r, u32::MAX),
                _ => after_write(r, 0),
            };
            assert_eq!(data, want, "{what}: read {data:#010x}, want {want:#010x}");
        }
        assert_eq!(lines, 3 << (map.addr_bits() - 2), "{name}: {stdout}");
    }
}

fn peakrdl(dir: &Path, args: &[&str]) {
    let tool = python_tool("peakrdl");
    let out = run(&tool.to_string_lossy(), "scripts/setup", dir, args);
    assert!(
        out.status.success() && out.stderr.is_empty() && out.stdout.is_empty(),
        "peakrdl {}:\n{}\n{}",
        args.join(" "),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// IP-XACT elements named `tag` (`ipxact:register`) with their `ipxact:name`, in order.
fn xml_names(xml: &str, tag: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut names, mut depth, mut inside, mut want_name) = (Vec::new(), 0, None, false);
    loop {
        match reader.read_event().expect("well-formed IP-XACT") {
            Event::Eof => break,
            Event::Start(e) => {
                depth += 1;
                let qname = e.name();
                let n = String::from_utf8_lossy(qname.as_ref()).to_string();
                if n == tag {
                    inside = Some(depth);
                }
                want_name = inside == Some(depth - 1) && n == "ipxact:name";
            }
            Event::Text(t) if want_name => {
                names.push(String::from_utf8_lossy(&t).to_string());
                want_name = false;
            }
            Event::End(_) => {
                if inside == Some(depth) {
                    inside = None;
                }
                depth -= 1;
                want_name = false;
            }
            _ => {}
        }
    }
    names
}

#[test]
fn peakrdl_exports_ipxact_html_and_uvm() {
    let map = RegMap::new(&params("gpt2"));
    let dir = TempDir::new("regmap-peakrdl");
    dir.write("gca_regmap.rdl", &regmap::systemrdl(&map));
    peakrdl(
        &dir.0,
        &["ip-xact", "gca_regmap.rdl", "-o", "gca_regmap.xml"],
    );
    let xml = std::fs::read_to_string(dir.0.join("gca_regmap.xml")).unwrap();
    let mut want: Vec<String> = map.registers.iter().map(|r| r.name.clone()).collect();
    want.extend(map.scalers.registers.iter().map(|r| r.name.clone()));
    assert_eq!(xml_names(&xml, "ipxact:register"), want);
    assert_eq!(xml_names(&xml, "ipxact:registerFile"), ["SCALERS"]);
    assert_eq!(xml.matches("<ipxact:dim>12</ipxact:dim>").count(), 2);
    // Field access: RO read-only, RW and W1C read-write (W1C with oneToClear), W1P write-only.
    let fields: Vec<Access> = map
        .registers
        .iter()
        .chain(&map.scalers.registers)
        .flat_map(|r| r.fields.iter().map(|f| f.access))
        .collect();
    let count = |a: &[Access]| fields.iter().filter(|f| a.contains(f)).count();
    let ipxact = |text: &str| xml.matches(text).count();
    assert_eq!(
        [
            ipxact("<ipxact:access>read-only</ipxact:access>"),
            ipxact("<ipxact:access>read-write</ipxact:access>"),
            ipxact("<ipxact:modifiedWriteValue>oneToClear</ipxact:modifiedWriteValue>"),
            ipxact("<ipxact:access>write-only</ipxact:access>"),
        ],
        [
            count(&[Access::Ro]),
            count(&[Access::Rw, Access::W1c]),
            count(&[Access::W1c]),
            count(&[Access::W1p]),
        ]
    );

    peakrdl(&dir.0, &["html", "gca_regmap.rdl", "-o", "html"]);
    // The page's data: every register with its fields' resets, the scalers as a 12 x 12 array.
    let data = std::fs::read_to_string(dir.0.join("html/data/ral-data-0.json")).unwrap();
    let nodes: Vec<serde_json::Value> = serde_json::from_str(&data).unwrap();
    let html_regs: Vec<(String, Vec<String>)> = nodes
        .iter()
        .filter(|n| n.get("fields").is_some())
        .map(|n| {
            let resets = n["fields"].as_array().unwrap().iter();
            let resets = resets.map(|f| f["reset"].as_str().unwrap().to_string());
            (n["name"].as_str().unwrap().to_string(), resets.collect())
        })
        .collect();
    let map_regs: Vec<(String, Vec<String>)> = map
        .registers
        .iter()
        .chain(&map.scalers.registers)
        .map(|r| {
            let resets = r.fields.iter().map(|f| format!("{:x}", f.reset));
            (r.name.clone(), resets.collect())
        })
        .collect();
    assert_eq!(html_regs, map_regs);
    let scalers = nodes.iter().find(|n| n["name"] == "SCALERS").unwrap();
    assert_eq!(scalers["dims"], serde_json::json!([12, 12]));

    peakrdl(
        &dir.0,
        &["uvm", "gca_regmap.rdl", "-o", "gca_regmap_uvm.sv"],
    );
    let uvm = std::fs::read_to_string(dir.0.join("gca_regmap_uvm.sv")).unwrap();
    assert!(uvm.contains("class gca_regmap extends uvm_reg_block;"));
    assert!(uvm.contains("rand gca_regmap__gca_head_scalers SCALERS[12][12];"));
    assert!(uvm.contains("'h100 + i0*'h180 + i1*'h20"));
    assert_eq!(
        uvm.matches("extends uvm_reg;").count(),
        map.registers.len() + 8
    );
}

/// The C driver compiles without a warning against the header of each configuration, memory
/// mapped and with external bus functions (testbench/tests/c_driver.rs runs it on the RTL).
#[test]
fn c_driver_compiles_cleanly() {
    for name in ["tiny", "gpt2"] {
        let map = RegMap::new(&params(name));
        let dir = TempDir::new(&format!("regmap-driver-{name}"));
        for (file, text) in regmap::files(&map) {
            dir.write(&file, &text);
        }
        for external in [false, true] {
            let mut args = vec!["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"];
            args.extend(["-Wconversion", "-c", "gca_driver.c", "-o", "gca_driver.o"]);
            if external {
                args.push("-DGCA_DRIVER_EXTERNAL_IO");
            }
            let out = run("cc", "gcc", &dir.0, &args);
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "{name}: cc {}:\n{}",
                args.join(" "),
                text(&out.stderr)
            );
            // Memory-mapped access is defined unless external bus functions are asked for.
            let nm = run("nm", "binutils", &dir.0, &["gca_driver.o"]);
            let symbols = String::from_utf8_lossy(&nm.stdout);
            let defined = symbols.contains(" T gca_read32");
            assert_eq!(defined, !external, "{name}:\n{symbols}");
            assert!(symbols.contains(" T gca_set_head_scalers"));
        }
    }
}
