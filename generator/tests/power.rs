//! `gca flow --power` (docs/power.md): the switching activity of tiny recorded in Verilator and
//! mapped onto the netlist (mapping rate), the power and energy per token per head by block,
//! the file read back, the gate-level cross-check, and the messages for an activity file that is missing or of
//! another configuration.
//!
//! Needs yosys, opensta, verilator, iverilog and the library files that `scripts/setup` puts
//! into the cache folder (stdcells.lib, stdcells.v).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::TempDir;

fn gca(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gca"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run gca")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn tiny_power_from_recorded_activity() {
    let tmp = TempDir::new("power-tiny");
    let work = tmp.0.join("work");
    let out = gca(
        &[
            "flow",
            "tiny",
            "-o",
            work.to_str().unwrap(),
            "--power",
            "--tokens",
            "8",
            "--seed",
            "3",
            "--cross-check",
            "--json",
        ],
        &tmp.0,
    );
    assert!(
        out.status.success(),
        "gca flow tiny --power failed (install yosys, opensta, verilator, iverilog; run scripts/setup):\n{}",
        stderr(&out)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let w = &v["power"];

    // The activity file: this configuration, the tokens and seed asked for, full windows first.
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("activity.json")).unwrap())
            .unwrap();
    assert_eq!(a["config_hash"], v["config_hash"]);
    assert_eq!(a["tokens"], 8);
    assert_eq!(a["seed"], 3);
    // tiny: 2 layers, window 128.
    assert_eq!(a["warmup_tokens"], 256);
    let cycles = a["cycles"].as_u64().unwrap();
    assert!(cycles > 8, "{cycles} cycles for 8 tokens");
    // Something moved: the input stream's data toggled, and a register of every head did.
    let toggles = |name: &str| -> u64 {
        a["signals"][name]["toggles"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} not recorded"))
            .iter()
            .map(|t| t.as_u64().unwrap())
            .sum()
    };
    assert!(toggles("s_axis_tdata") > 0);
    assert!(toggles("s_axis_tvalid") > 0);
    assert!(
        a["signals"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.contains("u_tile")),
        "the macro's behavioral model is not digital logic"
    );

    // Mapping: register names survive synthesis; the ports all do.
    let m = &w["mapping"];
    let rate = m["flip_flop_rate"].as_f64().unwrap();
    assert!(rate >= 0.99, "mapping rate {rate}: {m:#}");
    assert_eq!(m["flip_flops"], v["flip_flops"]);
    assert_eq!(m["port_bits_mapped"], m["port_bits"]);
    assert!(m["port_bits"].as_u64().unwrap() > 1000);

    // Power: every component present, the total their sum, the energy the power times the
    // cycles per token over the heads of a layer (tiny: 2).
    let t = &w["total"];
    let (i, s, l) = (
        t["internal_w"].as_f64().unwrap(),
        t["switching_w"].as_f64().unwrap(),
        t["leakage_w"].as_f64().unwrap(),
    );
    assert!(i > 0.0 && s > 0.0 && l > 0.0, "{t:#}");
    assert!((t["total_w"].as_f64().unwrap() - (i + s + l)).abs() < 1e-12);
    let e = v["digital_energy_per_token_per_head_pj"].as_f64().unwrap();
    assert_eq!(
        e,
        w["digital_energy_per_token_per_head_pj"].as_f64().unwrap()
    );
    let expect = (i + s + l) * 1e-9 * (cycles as f64 / 8.0) / 2.0 * 1e12;
    assert!(
        (e - expect).abs() < 1e-6 * expect,
        "{e} pJ, expected {expect}"
    );
    let blocks: Vec<&str> = w["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["block"].as_str().unwrap())
        .collect();
    for b in [
        "quantizers",
        "PWM",
        "accumulators",
        "output scaler",
        "layer control",
        "window",
        "CSR",
        "stream ports",
    ] {
        assert!(blocks.contains(&b), "block {b} missing: {blocks:?}");
    }
    let sum: f64 = w["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["energy_per_token_per_head_pj"].as_f64().unwrap())
        .sum();
    assert!((sum - e).abs() < 1e-6 * e, "blocks {sum} pJ, total {e} pJ");

    // The cross-check: the netlist computed what the twin does under Icarus (else the run
    // fails), almost every cell's output net was seen, and the register method is within 20 %
    // of gate level on total dynamic power.
    let c = &w["cross_check"];
    let seen = c["cells_with_net_activity"].as_f64().unwrap() / c["cells"].as_f64().unwrap();
    assert!(seen > 0.99, "{c:#}");
    let d = c["dynamic_difference"].as_f64().unwrap();
    assert!(
        d.abs() < 0.2,
        "register method off by {:.1} %: {c:#}",
        100.0 * d
    );
    let text = std::fs::read_to_string(work.join("flow_report.md")).unwrap();
    assert!(text.contains("digital energy per token per head"), "{text}");

    // The recorded file reads back for its configuration (what --activity does).
    let p = gca::config::load("tiny").unwrap();
    let back = gca::sim::activity::Activity::read(&p, &work.join("activity.json")).unwrap();
    assert_eq!(back.cycles, cycles);
    assert_eq!(back.tokens, 8);
    assert!(back.bit("s_axis_tvalid").is_some());
}

#[test]
fn missing_or_stale_activity_is_bad_input() {
    let tmp = TempDir::new("power-bad");
    let work = tmp.0.join("work");
    let missing = tmp.0.join("none.json");
    let out = gca(
        &[
            "flow",
            "tiny",
            "-o",
            work.to_str().unwrap(),
            "--power",
            "--activity",
            missing.to_str().unwrap(),
        ],
        &tmp.0,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: no activity for the configuration `tiny`: cannot read"),
        "{}",
        stderr(&out)
    );
    assert!(!work.join("netlist.v").exists(), "nothing ran");

    let stale = tmp.write(
        "stale.json",
        &format!(
            r#"{{"config_name":"gpt2-head","config_hash":"{}","tokens":8,"warmup_tokens":1024,"seed":1,"cycles":400,"signals":{{}}}}"#,
            "ab".repeat(32)
        ),
    );
    let out = gca(
        &[
            "flow",
            "tiny",
            "-o",
            work.to_str().unwrap(),
            "--power",
            "--activity",
            &stale,
        ],
        &tmp.0,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let e = stderr(&out);
    assert!(
        e.contains("stale activity: it was recorded for configuration `gpt2-head` (hash abababababababab), not for `tiny`"),
        "{e}"
    );

    let bad = tmp.write("bad.json", "{\"config_name\": 1}");
    let out = gca(&["flow", "tiny", "--power", "--activity", &bad], &tmp.0);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a gca activity file"),
        "{}",
        stderr(&out)
    );

    // The power options need --power.
    let out = gca(&["flow", "tiny", "--tokens", "8"], &tmp.0);
    assert_eq!(out.status.code(), Some(2));
}
