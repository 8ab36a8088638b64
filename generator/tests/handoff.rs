//! The hand-off to other tools, checked by those tools' own code from PyPI (pinned in
//! scripts/python-tools.txt, installed by scripts/setup): the macro's GDS and LEF read back by
//! gdstk and KLayout and compared with the Liberty and Verilog views, per technology profile.

mod common;

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
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/handoff/check_views.py");
    let out = Command::new(python())
        .arg(script)
        .arg(folder)
        .arg(layers)
        .output()
        .expect("run check_views.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
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
