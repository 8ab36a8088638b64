//! The hand-off to other tools, checked by those tools' own code from PyPI (pinned in
//! scripts/python-tools.txt, installed by scripts/setup): the macro's GDS and LEF read back by
//! gdstk and KLayout and compared with the Liberty and Verilog views, per technology profile.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::TempDir;
use gca::config::{self, pdk, Params};
use gca::emit::{self, write};

/// The configuration `base` with the technology profile `pdk`.
fn with_pdk(base: &str, pdk: &str) -> Params {
    let text = format!("preset: {base}\nname: {base}-{pdk}\nhardware: {{pdk: {pdk}}}\n");
    config::from_yaml(&text, "t.yaml", base).unwrap()
}

fn generate(p: &Params, dir: &Path) -> PathBuf {
    let out = dir.join(&p.name);
    write::write_folder(&out, &emit::generate(p).unwrap(), false).unwrap();
    out
}

fn python() -> PathBuf {
    gca::cli::python_tool("python").unwrap_or_else(|e| panic!("{e}"))
}

/// The GDS numbers of the profile's layers, as check_views.py reads them.
fn layers_json(p: &Params) -> String {
    let prof = p.pdk();
    let mut layers = serde_json::Map::new();
    for l in [prof.pin_h, prof.pin_v, prof.supply] {
        layers.insert(
            l.name.to_string(),
            serde_json::json!([l.gds_pin.0, l.gds_pin.1, l.gds_label.0, l.gds_label.1]),
        );
    }
    serde_json::json!({"boundary": [prof.gds_boundary.0, prof.gds_boundary.1], "layers": layers})
        .to_string()
}

fn check_views(p: &Params, folder: &Path, tmp: &TempDir) -> (bool, String) {
    let layers = tmp.write(&format!("{}-layers.json", p.name), &layers_json(p));
    python_script("check_views.py", &[folder, Path::new(&layers)])
}

#[test]
fn gds_lef_liberty_and_verilog_views_agree_for_every_profile() {
    let tmp = TempDir::new("views");
    for prof in pdk::PROFILES {
        let p = with_pdk("tiny", prof.name);
        let folder = generate(&p, &tmp.0);
        let (ok, text) = check_views(&p, &folder, &tmp);
        assert!(ok, "{}: {text}", prof.name);
        assert!(text.starts_with("views agree: 152 pins"), "{text}");
        assert!(text.contains(prof.pin_h.name) && text.contains(prof.supply.name));
    }
}

#[test]
fn a_moved_lef_pin_is_reported() {
    let tmp = TempDir::new("moved-pin");
    let p = with_pdk("tiny", "nangate45");
    let folder = generate(&p, &tmp.0);
    let lef_path = folder.join("macros/gca_subtile.lef");
    let lef = std::fs::read_to_string(&lef_path).unwrap();
    // Move the first pin (clk, on the left edge) up by one track pair.
    let at = lef.find("  PIN clk\n").unwrap();
    let rect = at + lef[at..].find("RECT ").unwrap();
    let end = rect + lef[rect..].find(" ;").unwrap();
    let v: Vec<f64> = lef[rect + 5..end]
        .split(' ')
        .map(|x| x.parse().unwrap())
        .collect();
    let moved = format!(
        "RECT {:.3} {:.3} {:.3} {:.3}",
        v[0],
        v[1] + 0.14,
        v[2],
        v[3] + 0.14
    );
    std::fs::write(&lef_path, format!("{}{moved}{}", &lef[..rect], &lef[end..])).unwrap();
    let (ok, text) = check_views(&p, &folder, &tmp);
    assert!(!ok, "{text}");
    assert!(text.contains("pin clk: no GDS shape"), "{text}");
}

fn python_script(script: &str, args: &[&Path]) -> (bool, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/handoff")
        .join(script);
    let out = Command::new(python())
        .arg(path)
        .args(args)
        .output()
        .expect("run the Python check");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Whether `u_layerL.u_headH.u_tileT` names an instance path of the generated RTL.
fn instance_exists(folder: &Path, path: &str) -> bool {
    let rtl = |m: &str| std::fs::read_to_string(folder.join(format!("rtl/{m}.v"))).unwrap();
    let parts: Vec<&str> = path.split('.').collect();
    parts.len() == 3
        && rtl("gca_top").contains(&format!("gca_layer {} (", parts[0]))
        && rtl("gca_layer").contains(&format!("gca_head {} (", parts[1]))
        && rtl("gca_head").contains(&format!("gca_subtile {} (", parts[2]))
}

#[test]
fn librelane_loads_the_sky130_configuration() {
    let tmp = TempDir::new("librelane");
    let p = with_pdk("tiny", "sky130");
    let folder = generate(&p, &tmp.0);
    assert!(!folder.join(gca::asic::ORFS_CONFIG_FILE).exists());
    let config = folder.join(gca::asic::LIBRELANE_FILE);
    let (ok, text) = python_script("load_librelane.py", &[&config]);
    assert!(ok, "{text}");
    let n = p.shape.n_layer * p.shape.n_head * p.shape.n_tiles;
    assert!(
        text.starts_with(&format!(
            "loaded: gca_top on sky130A/sky130_fd_sc_hd, 13 Verilog files, {n} macro instances"
        )),
        "{text}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    // The clock gates are sky130's own cell (its pins are not checked here: no sky130 PDK).
    let files = v["VERILOG_FILES"].as_array().unwrap();
    assert!(files.contains(&serde_json::json!("dir::../flow/gca_clock_gate.v")));
    assert!(!files.contains(&serde_json::json!("dir::../rtl/gca_clock_gate.v")));
    let gate = std::fs::read_to_string(folder.join(gca::asic::CLOCK_GATE_FILE)).unwrap();
    assert!(
        gate.contains("sky130_fd_sc_hd__dlclkp_1 u_icg (\n    .CLK (clk),\n    .GATE(en),\n    .GCLK(gclk)\n  );"),
        "{gate}"
    );
    for name in v["MACROS"]["gca_subtile"]["instances"]
        .as_object()
        .unwrap()
        .keys()
    {
        assert!(instance_exists(&folder, name), "{name}");
    }
    // LibreLane's loader refuses what it should: an unknown key, a missing view.
    let mut bad = v.clone();
    bad["GCA_NOT_A_VARIABLE"] = serde_json::json!(1);
    bad["MACROS"]["gca_subtile"]["gds"][0] = serde_json::json!("dir::../macros/missing.gds");
    let bad_path = folder.join("flow/bad.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();
    let (ok, text) = python_script("load_librelane.py", &[&bad_path]);
    assert!(!ok, "{text}");
    assert!(text.contains("Unknown key 'GCA_NOT_A_VARIABLE'"), "{text}");
    assert!(text.contains("missing.gds' does not exist"), "{text}");
}

/// Every `export KEY = VALUE` of an ORFS config.mk, continued lines joined.
fn orfs_exports(config_mk: &str) -> Vec<(String, String)> {
    config_mk
        .replace("\\\n", " ")
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .map(|l| {
            let (key, value) = l.split_once(" = ").unwrap();
            (key.to_string(), value.to_string())
        })
        .collect()
}

/// The variables of the ORFS configuration, as ORFS documents them in
/// `flow/scripts/variables.yaml` (checked at commit 8c009b0b663703fc3fe2f474eab918b12fffbaf6).
const ORFS_VARIABLES: [&str; 12] = [
    "ABC_CLOCK_PERIOD_IN_PS",
    "ADDITIONAL_GDS",
    "ADDITIONAL_LEFS",
    "ADDITIONAL_LIBS",
    "CORE_AREA",
    "DESIGN_NAME",
    "DESIGN_NICKNAME",
    "DIE_AREA",
    "MACRO_PLACEMENT_TCL",
    "PLATFORM",
    "SDC_FILE",
    "VERILOG_FILES",
];

#[test]
fn orfs_configuration_names_documented_variables_and_existing_files() {
    let tmp = TempDir::new("orfs");
    let p = with_pdk("tiny", "nangate45");
    let folder = generate(&p, &tmp.0);
    assert!(!folder.join(gca::asic::LIBRELANE_FILE).exists());
    let text = std::fs::read_to_string(folder.join(gca::asic::ORFS_CONFIG_FILE)).unwrap();
    let mut keys = Vec::new();
    for (key, value) in orfs_exports(&text) {
        let key = key.as_str();
        assert!(
            ORFS_VARIABLES.contains(&key),
            "{key} is not an ORFS variable"
        );
        keys.push(key.to_string());
        for word in value.split_whitespace() {
            if let Some(rel) = word.strip_prefix("$(GCA_DIR)/") {
                assert!(folder.join(rel).is_file(), "{key}: {rel} does not exist");
            }
        }
    }
    keys.sort();
    assert_eq!(keys, ORFS_VARIABLES);
    assert!(text.contains("export PLATFORM = nangate45\n"));
    let places = std::fs::read_to_string(folder.join(gca::asic::ORFS_PLACEMENT_FILE)).unwrap();
    let mut n = 0;
    for line in places.lines().filter(|l| l.starts_with("place_macro ")) {
        let name = line.split_whitespace().nth(2).unwrap();
        assert!(instance_exists(&folder, name), "{name}");
        n += 1;
    }
    assert_eq!(n, p.shape.n_layer * p.shape.n_head * p.shape.n_tiles);
}

fn fusesoc(folder: &Path, target: &str, extra: &[&str]) -> (bool, String) {
    let tool = gca::cli::python_tool("fusesoc").unwrap_or_else(|e| panic!("{e}"));
    let vlnv = format!("gca:accelerator:gca_tiny:{}", gca::rtl::GENERATOR_VERSION);
    let target = format!("--target={target}");
    let out = Command::new(tool)
        .args(["--cores-root", ".", "run", &target, &vlnv])
        .args(extra)
        .current_dir(folder)
        .output()
        .expect("run fusesoc");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn fusesoc_lints_and_simulates_the_bench_of_tb() {
    let tmp = TempDir::new("fusesoc");
    let p = config::load("tiny").unwrap();
    let folder = generate(&p, &tmp.0);
    for extra in [&[][..], &["--USE_POWER_PINS"][..]] {
        let (ok, text) = fusesoc(&folder, "lint", extra);
        assert!(ok, "lint {extra:?}: {text}");
        assert!(
            !text.to_lowercase().contains("warning"),
            "lint {extra:?}: {text}"
        );
        let vc =
            std::fs::read_to_string(folder.join(
                "build/gca_accelerator_gca_tiny_0.1.0/lint/gca_accelerator_gca_tiny_0.1.0.vc",
            ))
            .unwrap();
        assert_eq!(vc.contains("-DUSE_POWER_PINS=1"), !extra.is_empty(), "{vc}");
        let (ok, text) = fusesoc(&folder, "sim", extra);
        assert!(ok, "sim {extra:?}: {text}");
        assert!(
            text.contains("GCA-TB PASS: 4 packets in "),
            "sim {extra:?}: {text}"
        );
    }
    // A wrong expected beat: the bench names the line of expect.hex.
    let expect = folder.join("tb/expect.hex");
    let text = std::fs::read_to_string(&expect).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let last = lines[1].pop().unwrap();
    lines[1].push(if last == '0' { '1' } else { '0' });
    std::fs::write(&expect, lines.join("\n") + "\n").unwrap();
    let (_, text) = fusesoc(&folder, "sim", &[]);
    assert!(text.contains("GCA-TB FAIL: expect.hex line 2,"), "{text}");
}

/// The words of `export KEY = ...` in an ORFS config.mk, `$(GCA_DIR)/` stripped.
fn orfs_words(config_mk: &str, key: &str) -> Vec<String> {
    let (_, value) = orfs_exports(config_mk)
        .into_iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key}"));
    value
        .split_whitespace()
        .map(|w| w.trim_start_matches("$(GCA_DIR)/").to_string())
        .collect()
}

/// Counts of cell types after `hierarchy -check; proc; flatten` of `files` with the
/// standard cells and the macro as Liberty cells (Yosys `stat`).
fn yosys_cells(folder: &Path, liberty: &Path, files: &[String]) -> BTreeMap<String, u64> {
    let script = format!(
        "read_liberty -lib {}\nread_liberty -lib macros/gca_subtile.lib\nread_verilog {}\n\
         hierarchy -check -top gca_top\nproc\nflatten\ntee -q -o stat.txt stat\n",
        liberty.display(),
        files.join(" ")
    );
    let out = Command::new("yosys")
        .args(["-q", "-p", &script.replace('\n', "; ")])
        .current_dir(folder)
        .output()
        .expect("yosys (scripts/setup installs it)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(folder.join("stat.txt")).unwrap();
    let mut cells = BTreeMap::new();
    let mut in_stat = false;
    for line in text.lines() {
        if line.contains("Number of cells:") {
            in_stat = true;
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if in_stat && words.len() == 2 {
            if let Ok(n) = words[1].parse::<u64>() {
                *cells.entry(words[0].to_string()).or_insert(0) += n;
            }
        }
    }
    cells
}

/// ORFS compiles `flow/gca_clock_gate.v`, one instance of the Liberty's own clock gate cell
/// (the one `gca flow` picks, with its pins), in place of the behavioral latch and AND: every
/// latch of the RTL becomes one CLKGATE_X1, none is left, and the design with Nangate's cell
/// models in place of the behavioral gate computes what the twin does (Icarus, with gaps and
/// back-pressure).
#[test]
fn orfs_maps_the_clock_gates_to_the_library_cell() {
    let tmp = TempDir::new("orfs-icg");
    let p = with_pdk("tiny", "nangate45");
    let folder = generate(&p, &tmp.0);
    let icg = p.pdk().clock_gate;
    let liberty = gca::flow::tools::liberty(p.pdk(), None).unwrap_or_else(|e| panic!("{e}"));
    let cells = gca::flow::netlist::liberty_cells(&std::fs::read_to_string(&liberty).unwrap());
    let (name, pins) = gca::flow::netlist::clock_gate_cell(&cells).expect("a clock gate cell");
    assert_eq!(
        (
            name,
            pins.clock.as_str(),
            pins.enable.as_str(),
            pins.out.as_str()
        ),
        (icg.cell, icg.clk, icg.en, icg.gclk)
    );

    let config = std::fs::read_to_string(folder.join(gca::asic::ORFS_CONFIG_FILE)).unwrap();
    let flow_files = orfs_words(&config, "VERILOG_FILES");
    assert!(flow_files.contains(&gca::asic::CLOCK_GATE_FILE.to_string()));
    assert!(!flow_files.contains(&"rtl/gca_clock_gate.v".to_string()));
    let rtl_files: Vec<String> = flow_files
        .iter()
        .map(|f| {
            if f == gca::asic::CLOCK_GATE_FILE {
                "rtl/gca_clock_gate.v".to_string()
            } else {
                f.clone()
            }
        })
        .collect();
    let behavioral = yosys_cells(&folder, &liberty, &rtl_files);
    let mapped = yosys_cells(&folder, &liberty, &flow_files);
    let latches = behavioral.get("$dlatch").copied().unwrap_or(0);
    assert!(latches > 0, "{behavioral:?}");
    assert_eq!(mapped.get("$dlatch"), None, "{mapped:?}");
    assert_eq!(mapped.get(icg.cell), Some(&latches), "{mapped:?}");

    // Icarus: the RTL with the cell's model (stdcells.v) in place of the behavioral gate.
    let stdcells = gca::flow::gate::stdcells_v();
    assert!(
        stdcells.is_file(),
        "scripts/setup extracts {}",
        stdcells.display()
    );
    let sim_f = std::fs::read_to_string(folder.join("sim.f")).unwrap();
    assert!(sim_f.contains("rtl/gca_clock_gate.v\n"));
    let sim_f = sim_f.replace(
        "rtl/gca_clock_gate.v\n",
        &format!("{}\n{}\n", gca::asic::CLOCK_GATE_FILE, stdcells.display()),
    );
    std::fs::write(folder.join("sim.f"), sim_f).unwrap();
    let scenario = gca::sim::scenario::random_stream(
        &p,
        &gca::sim::scenario::StreamOptions {
            tokens: 60,
            seed: 3,
            interleaved: true,
            reset_every: 0,
            commands: false,
        },
        gca::sim::twin::DesignTwin::new(&p),
    );
    let verdict = gca::sim::icarus::run_script(
        &p,
        &folder,
        &tmp.0.join("icarus"),
        &scenario,
        gca::sim::icarus::Drive {
            gaps: true,
            backpressure: true,
        },
        &gca::sim::csr::CsrScript::default(),
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(verdict, gca::sim::icarus::Verdict::Pass { packets, .. } if packets > 0),
        "{verdict:?}"
    );
}
