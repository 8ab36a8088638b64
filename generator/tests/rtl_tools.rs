//! The generated design against the real tools (installed by scripts/setup from Debian):
//! - Verilator `--lint-only -Wall` on synth.f (RTL + the macro's blackbox): no warnings;
//! - Icarus `-g2005 -Wall` compiles sim.f (RTL + the behavioral macro) without a warning,
//!   and the Verilog-AMS view in its real-valued subset;
//! - Yosys: `hierarchy -check -top gca_top; proc; check -assert` and `synth -top gca_top` with
//!   the macro as a blackbox, no latch but the clock gate's (`gca_clock_gate`), and the cell
//!   count of every module printed;
//!
//! for `tiny` and `gpt2-head`, and Verilator and Icarus also for `gpt2`.

mod common;

use std::path::Path;
use std::process::Output;

use common::{run, TempDir};

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn generated(name: &str) -> TempDir {
    let t = TempDir::new(&format!("tools-{name}"));
    let p = gca::config::load(name).unwrap();
    let files = gca::emit::generate(&p).unwrap();
    gca::emit::write::write_folder(&t.0.join("out"), &files, false).unwrap();
    t
}

/// The defines a design is checked with: none, and `USE_POWER_PINS` (then every supply and bias
/// pin of every macro must be connected, or Verilator reports PINMISSING). gpt2 is checked
/// without it only: the same generator code connects the pins, and a second lint of 144 heads
/// would add two minutes to the suite.
fn defines(power: bool) -> Vec<Option<&'static str>> {
    if power {
        vec![None, Some("-DUSE_POWER_PINS")]
    } else {
        vec![None]
    }
}

fn verilator_lint(dir: &Path, power: bool) {
    for define in defines(power) {
        let mut args = vec!["--lint-only", "-Wall", "--top-module", "gca_top"];
        args.extend(define);
        args.extend(["-f", "synth.f"]);
        let out = run("verilator", "verilator", dir, &args);
        assert!(
            out.status.success() && text(&out).trim().is_empty(),
            "verilator {define:?}:\n{}",
            text(&out)
        );
    }
}

fn icarus_compile(dir: &Path, power: bool) {
    for define in defines(power) {
        let mut args = vec!["-g2005", "-Wall", "-s", "gca_top", "-o", "sim.vvp"];
        args.extend(define);
        args.extend(["-c", "sim.f"]);
        let out = run("iverilog", "iverilog", dir, &args);
        assert!(
            out.status.success() && text(&out).trim().is_empty(),
            "iverilog {define:?}:\n{}",
            text(&out)
        );
    }
}

fn icarus_ams(dir: &Path) {
    let out = run(
        "iverilog",
        "iverilog",
        dir,
        &AMS_FLAGS
            .iter()
            .copied()
            .chain(["-o", "ams.vvp", "models/gca_subtile.vams"])
            .collect::<Vec<_>>(),
    );
    assert!(
        out.status.success(),
        "iverilog (Verilog-AMS view):\n{}",
        text(&out)
    );
}

/// Icarus flags for the real-valued Verilog-AMS view.
const AMS_FLAGS: &[&str] = &["-g2005", "-gverilog-ams"];

fn yosys(dir: &Path, name: &str) {
    let files: Vec<String> = std::fs::read_to_string(dir.join("synth.f"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("//") && !l.trim().is_empty())
        .map(String::from)
        .collect();
    let script = format!(
        "read_verilog {}; hierarchy -check -top gca_top; proc; check -assert; synth -top gca_top; \
         select -assert-none t:$dlatch t:$_DLATCH_* t:$sr t:$_SR_* %u %u %u gca_clock_gate %d; \
         select -assert-count 1 gca_clock_gate/t:$_DLATCH_N_; stat",
        files.join(" ")
    );
    let out = run(
        "yosys",
        "yosys",
        dir,
        &["-q", "-p", &script, "-l", "yosys.log"],
    );
    let log = std::fs::read_to_string(dir.join("yosys.log")).unwrap_or_default();
    assert!(out.status.success(), "yosys:\n{}\n{}", text(&out), log);
    // The macro stays one blackbox cell per tile in the head.
    assert!(
        log.contains("gca_subtile"),
        "the blackbox macro disappeared:\n{log}"
    );
    // The cell count of every module (the last statistics Yosys printed).
    let stats = &log[log
        .rfind("Printing statistics.")
        .expect("yosys printed statistics")..];
    eprintln!("Yosys cells per module for {name}:");
    let mut module = String::new();
    let mut counted = 0;
    for line in stats.lines() {
        if let Some(m) = line
            .strip_prefix("=== ")
            .and_then(|l| l.strip_suffix(" ==="))
        {
            module = m.to_string();
        } else if let Some(n) = line.trim().strip_prefix("Number of cells:") {
            eprintln!("  {module:<24} {:>8}", n.trim());
            counted += 1;
        }
    }
    assert!(counted >= 12, "statistics of every module:\n{stats}");
}

#[test]
fn tiny_lints_compiles_and_synthesizes() {
    let t = generated("tiny");
    let dir = t.0.join("out");
    let top = std::fs::read_to_string(dir.join("rtl/gca_top.v")).unwrap();
    let power = top
        .find("`ifdef USE_POWER_PINS")
        .expect("power pins of gca_top");
    for pin in ["VDD", "VSS", "V_OFF", "V_IN"] {
        assert!(
            top[power..].contains(&format!("inout wire {pin},")),
            "{pin}"
        );
    }
    verilator_lint(&dir, true);
    icarus_compile(&dir, true);
    icarus_ams(&dir);
    yosys(&dir, "tiny");
}

#[test]
fn gpt2_head_lints_compiles_and_synthesizes() {
    let t = generated("gpt2-head");
    let dir = t.0.join("out");
    verilator_lint(&dir, true);
    icarus_compile(&dir, true);
    icarus_ams(&dir);
    yosys(&dir, "gpt2-head");
}

#[test]
fn gpt2_lints_and_compiles() {
    let t = generated("gpt2");
    let dir = t.0.join("out");
    verilator_lint(&dir, false);
    icarus_compile(&dir, false);
}
