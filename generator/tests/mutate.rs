//! `gca mutate`: mutants are legal designs that name file, line and operator; a known
//! killable mutant (a tile's pulses subtracted instead of added in the accumulator) is killed by the regression;
//! the command's report and its bad-input errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gca::sim::mutate;

fn gca(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gca"))
        .args(args)
        .env("GCA_CACHE_DIR", cache)
        .output()
        .expect("run gca")
}

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gca-sim-cache")
}

#[test]
fn a_known_killable_mutant_is_killed() {
    let p = gca::config::load("tiny").unwrap();
    let modules = gca::rtl::modules(&p);
    let which = modules
        .iter()
        .position(|m| m.name.to_string() == "gca_accumulator")
        .unwrap();
    // Tile 1's pulses of dimension 0 are subtracted instead of added.
    let m = (0..mutate::sites(&modules[which]))
        .filter_map(|i| mutate::mutant(&modules, which, i))
        .find(|m| m.mutated.contains("pulse0[0]} - {{2{dn1[0]}}, pulse1[0]}"))
        .expect("an arithmetic site in stage 1");
    assert_eq!(m.file, "rtl/gca_accumulator.v");
    assert_ne!(m.original, m.mutated);
    let mut files = gca::emit::generate(&p).unwrap();
    files.0.insert(m.file.clone(), m.text.clone());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("gca-mutant-{}", std::process::id()));
    gca::emit::write::write_folder(&dir, &files, true).unwrap();
    let verdict = mutate::judge(&p, &dir, &cache().join("verilator"), 1).unwrap();
    let why = verdict.expect("the mutant is killed");
    assert!(why.contains("expected"), "{why}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn mutate_reports_every_mutant() {
    let out = gca(
        &["mutate", "tiny", "--count", "1", "--seed", "3", "--json"],
        &cache(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert!(out.status.success(), "{v}");
    assert_eq!(v["mutants"], 1);
    let r = &v["results"][0];
    assert!(r["file"].as_str().unwrap().starts_with("rtl/gca_"), "{r}");
    assert!(r["line"].as_u64().unwrap() > 0);
    assert!(
        ["killed", "survived"].contains(&r["status"].as_str().unwrap()),
        "{r}"
    );
    assert_ne!(r["original"], r["mutated"]);
    assert!(r["operator"].is_string() && r["change"].is_string());
}

#[test]
fn bad_mutate_input() {
    let out = gca(&["mutate", "tiny", "--count", "0"], &cache());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: --count must be at least 1 (mutants to make)\n"
    );
    let out = gca(&["mutate", "no-such-config"], &cache());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-config"));
}
