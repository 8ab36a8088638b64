//! `gca sim --coverage DIR`: the coverage files are produced and parsed (Verilator's points,
//! the lcov file, the annotated sources, the JSON figures), the functional cover points are
//! reported, and bad input (the Icarus back end, a folder that cannot be written) is refused
//! before anything is built.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gca::sim::coverage;

fn gca(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gca"))
        .args(args)
        .env("GCA_CACHE_DIR", cache)
        .output()
        .expect("run gca")
}

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()))
}

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gca-sim-cache")
}

#[test]
fn coverage_files_are_written_and_parsed() {
    let dir = tmp("gca-coverage");
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let out = gca(&["sim", "tiny", "--coverage", d, "--json"], &cache());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert!(out.status.success(), "{v}");
    assert_eq!(v["mismatches"], 0);

    // Verilator's points, parsed again here: every generated module has line points, the
    // macro model is set apart.
    let text = std::fs::read_to_string(dir.join(coverage::DAT_FILE)).unwrap();
    let points = coverage::parse_dat(&text).unwrap();
    assert!(points.iter().any(|p| p.kind == "v_toggle"));
    let (modules, total, macro_model, _) = coverage::figures(&points);
    for m in ["gca_csr", "gca_ingress", "gca_window", "gca_quantizer"] {
        let f = modules.iter().find(|f| f.module == m).expect(m);
        assert!(f.line.covered > 0 && f.toggle.covered > 0, "{m}: {f:?}");
    }
    assert!(macro_model.is_some());
    assert!(total.line_percent > 50.0 && total.line_percent <= 100.0);
    assert_eq!(
        v["coverage"]["total"]["line"]["total"].as_u64().unwrap() as usize,
        total.line.total
    );

    // lcov: a record per RTL file with line data.
    let info = std::fs::read_to_string(dir.join(coverage::INFO_FILE)).unwrap();
    assert!(info.contains("SF:") && info.contains("DA:") && info.contains("end_of_record"));
    assert!(info
        .lines()
        .any(|l| l.starts_with("SF:") && l.ends_with("gca_csr.v")));
    let annotated = std::fs::read_dir(dir.join(coverage::ANNOTATED_DIR))
        .unwrap()
        .count();
    assert!(annotated > 5, "{annotated} annotated files");
    let figures: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(coverage::JSON_FILE)).unwrap())
            .unwrap();
    assert_eq!(figures["total"], v["coverage"]["total"]);

    // The functional cover points: every bad-packet rule is hit by the default regression.
    let missed: Vec<String> = v["cover_points"]["not_hit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert!(v["cover_points"]["hit"].as_u64().unwrap() > 100, "{v}");
    assert!(
        !missed.iter().any(|m| m.starts_with("bad_packet/")),
        "{missed:?}"
    );
    assert!(
        !missed.iter().any(|m| m.starts_with("reset_window/")),
        "{missed:?}"
    );

    // The closure targets of the default regression (docs/verification.md): every functional
    // cover point, every line, at least 98 % of the toggle points.
    assert!(missed.is_empty(), "cover points not hit: {missed:?}");
    assert_eq!(
        v["coverage"]["total"]["line"]["covered"], v["coverage"]["total"]["line"]["total"],
        "line coverage below 100 %: {}",
        v["coverage"]["total"]
    );
    let toggle = v["coverage"]["total"]["toggle_percent"].as_f64().unwrap();
    assert!(toggle >= 98.0, "toggle coverage {toggle} %");

    // The bits left out as proven constant are constant in the run: each instance's bit
    // changed at most once (Verilator's signals start at 0 before the first evaluation gives
    // a constant 1 its value; a point may merge several instances, `u_layer*`).
    let p = gca::config::load("tiny").unwrap();
    let modules = gca::rtl::modules(&p);
    let known = gca::hdl::known::known_bits(&modules);
    let instances = instance_counts(&modules, "gca_top");
    let mut checked = 0;
    for pt in points.iter().filter(|p| p.kind == "v_toggle") {
        let Some(bits) = known.get(&pt.module) else {
            continue;
        };
        let name = pt.comment.split('[').next().unwrap().trim();
        let bit = pt.comment.split_once('[').map_or(0, |(_, r)| {
            r.trim_end_matches(']').parse().unwrap_or(usize::MAX)
        });
        if bits
            .get(name)
            .and_then(|b| b.get(bit))
            .is_some_and(Option::is_some)
        {
            checked += 1;
            let n = instances.get(&pt.module).copied().unwrap_or(0);
            assert!(
                pt.count <= n,
                "{} {} proven constant but changed {} times ({n} instances)",
                pt.hier,
                pt.comment,
                pt.count
            );
        }
    }
    assert!(checked > 100, "{checked} constant bits checked");
    assert_eq!(
        v["coverage"]["total"]["constant_toggle_points"]
            .as_u64()
            .unwrap(),
        {
            // The figures leave out the same bits (merged over instances).
            let (_, total, _, _) = coverage::figures_with(&points, Some(&known));
            total.constant_toggle_points as u64
        }
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Instances of each module under `top` (the top counts once).
fn instance_counts(
    modules: &[gca::hdl::Module],
    top: &str,
) -> std::collections::BTreeMap<String, u64> {
    fn walk(
        modules: &[gca::hdl::Module],
        name: &str,
        times: u64,
        out: &mut std::collections::BTreeMap<String, u64>,
    ) {
        *out.entry(name.to_string()).or_default() += times;
        let Some(m) = modules.iter().find(|m| m.name.as_str() == name) else {
            return;
        };
        for item in &m.items {
            if let gca::hdl::Item::Instance(i) = item {
                walk(modules, i.module.as_str(), times, out);
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(modules, top, 1, &mut out);
    out
}

#[test]
fn bad_coverage_requests_are_refused() {
    let out = gca(
        &["sim", "tiny", "--simulator", "icarus", "--coverage", "x"],
        &cache(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --coverage needs the Verilator back end (drop --simulator icarus)\n"
    );
    // A plain file where the folder should be.
    let file = tmp("gca-coverage-file");
    std::fs::write(&file, "").unwrap();
    let out = gca(
        &["sim", "tiny", "--coverage", file.to_str().unwrap()],
        &cache(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: cannot create the coverage folder"),
        "{err}"
    );
    let _ = std::fs::remove_file(&file);
}
