//! `gca generate`: the committed reference outputs under rtl_out/ are regenerated and compared
//! byte for byte; generation is deterministic; the folder rules (foreign files, --force,
//! failures leave nothing behind) hold; bad configurations write nothing.
//!
//! After an intended change, refresh the references with
//! `GCA_UPDATE_EXPECTED=1 cargo test --release -p gca --test generate`
//! (the same as `gca generate tiny` and `gca generate gpt2` from the repository root).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::TempDir;
use gca::emit::{self, write, Manifest, MANIFEST};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn gca(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_gca"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run gca")
}

/// Every file under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn reference_outputs_match_byte_for_byte() {
    for name in ["tiny", "gpt2"] {
        let p = gca::config::load(name).unwrap();
        let files = emit::generate(&p).unwrap();
        let dir = repo().join("rtl_out").join(name);
        if std::env::var_os("GCA_UPDATE_EXPECTED").is_some() {
            write::write_folder(&dir, &files, false).unwrap();
            continue;
        }
        let on_disk = tree(&dir);
        let generated: Vec<String> = files.paths();
        assert_eq!(
            on_disk, generated,
            "rtl_out/{name}: the file set differs; refresh with GCA_UPDATE_EXPECTED=1 cargo test --release -p gca --test generate"
        );
        for (rel, text) in &files.0 {
            let committed = std::fs::read_to_string(dir.join(rel)).unwrap();
            assert!(
                committed == *text,
                "rtl_out/{name}/{rel} differs from a fresh generation; refresh with \
                 GCA_UPDATE_EXPECTED=1 cargo test --release -p gca --test generate"
            );
        }
        for (rel, bytes) in &files.1 {
            let committed = std::fs::read(dir.join(rel)).unwrap();
            assert!(
                committed == *bytes,
                "rtl_out/{name}/{rel} differs from a fresh generation; refresh with \
                 GCA_UPDATE_EXPECTED=1 cargo test --release -p gca --test generate"
            );
        }
    }
}

#[test]
fn generation_is_deterministic_and_the_manifest_hashes_every_file() {
    let p = gca::config::load("tiny").unwrap();
    let a = emit::generate(&p).unwrap();
    let b = emit::generate(&p).unwrap();
    assert_eq!(a, b);
    let m = Manifest::parse(&a.0[MANIFEST]).expect("our manifest");
    assert_eq!(m.config_name, "tiny");
    assert_eq!(m.config_hash, gca::rtl::config_hash(&p));
    let listed: Vec<&String> = m.files.keys().collect();
    let paths = a.paths();
    let expected: Vec<&String> = paths.iter().filter(|k| *k != MANIFEST).collect();
    assert_eq!(listed, expected);
    for (rel, hash) in &m.files {
        let actual = match a.0.get(rel) {
            Some(text) => emit::sha256_hex(text),
            None => emit::sha256_bytes(&a.1[rel]),
        };
        assert_eq!(*hash, actual, "{rel}");
    }
    for dir in ["rtl/", "models/", "regmap/"] {
        assert!(a.0.keys().any(|k| k.starts_with(dir)), "{dir}");
    }
    for f in [
        "synth.f",
        "sim.f",
        "rtl/gca_top.v",
        "models/gca_subtile.v",
        "models/gca_subtile_bb.v",
        "models/gca_subtile.vams",
    ] {
        assert!(a.0.contains_key(f), "{f}");
    }
    // A different configuration differs in hash and content.
    let q = gca::config::load("gpt2-head").unwrap();
    assert_ne!(gca::rtl::config_hash(&p), gca::rtl::config_hash(&q));
}

#[test]
fn file_lists_are_relative_and_in_compile_order() {
    let p = gca::config::load("tiny").unwrap();
    let files = emit::generate(&p).unwrap();
    for (list, view) in [
        ("synth.f", "models/gca_subtile_bb.v"),
        ("sim.f", "models/gca_subtile.v"),
    ] {
        let paths: Vec<&str> = files.0[list]
            .lines()
            .filter(|l| !l.starts_with("//"))
            .collect();
        assert_eq!(paths[0], view);
        assert_eq!(*paths.last().unwrap(), "rtl/gca_top.v");
        for path in &paths {
            assert!(files.0.contains_key(*path), "{list} names {path}");
        }
        let pos = |f: &str| paths.iter().position(|x| *x == f).unwrap();
        assert!(pos("rtl/gca_head.v") < pos("rtl/gca_layer.v"));
        assert!(pos("rtl/gca_quantizer.v") < pos("rtl/gca_layer.v"));
        assert!(pos("rtl/gca_accumulator.v") < pos("rtl/gca_head.v"));
    }
}

#[test]
fn cli_writes_the_default_folder_and_refuses_foreign_files() {
    let t = TempDir::new("generate-cli");
    let out = gca(&["generate", "tiny"], &t.0);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = t.0.join("rtl_out/tiny");
    assert!(dir.join("rtl/gca_top.v").is_file());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("generated `tiny` into rtl_out/tiny: "),
        "{stdout}"
    );

    // Regenerating over our own output is fine.
    let again = gca(&["generate", "tiny"], &t.0);
    assert!(again.status.success());

    // A foreign file: refused, nothing changed; --force keeps it and rewrites ours.
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    std::fs::write(dir.join("rtl/gca_top.v"), "edited").unwrap();
    let refused = gca(&["generate", "tiny"], &t.0);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("holds files gca did not generate (notes.txt)"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("rtl/gca_top.v")).unwrap(),
        "edited"
    );
    let forced = gca(&["generate", "tiny", "--force"], &t.0);
    assert!(forced.status.success());
    assert!(String::from_utf8_lossy(&forced.stdout).contains("kept notes.txt"));
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_ne!(
        std::fs::read_to_string(dir.join("rtl/gca_top.v")).unwrap(),
        "edited"
    );
    // No staging folders are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(t.0.join("rtl_out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("tiny")]);
}

#[test]
fn a_failed_write_names_the_path_and_leaves_nothing() {
    let t = TempDir::new("generate-fail");
    // The parent of the output folder is a regular file: nothing can be created below it.
    t.write("blocker", "not a folder");
    let out = gca(&["generate", "tiny", "-o", "blocker/out"], &t.0);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: cannot create blocker"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&t.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("blocker")]);
}

#[test]
fn a_bad_configuration_writes_nothing() {
    let t = TempDir::new("generate-bad");
    t.write(
        "bad.yaml",
        "model: {n_layer: 1, n_head: 3, n_embd: 16, n_ctx: 32}\n",
    );
    let out = gca(&["generate", "bad.yaml", "-o", "out"], &t.0);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E010"));
    assert!(!t.0.join("out").exists());
}

/// Readable RTL (issue 17): no line of a generated `rtl/*.v` is over 200 characters, for the
/// presets and the example configurations; gpt2's `rtl/` has at most 12,000 lines.
#[test]
fn rtl_lines_are_at_most_200_characters() {
    const LIMIT: usize = 200;
    let configs = repo().join("configs");
    let mut sources: Vec<String> = vec!["tiny".into(), "gpt2".into()];
    for f in tree(&configs) {
        if f.ends_with(".yaml") && !f.starts_with("sweep") {
            sources.push(configs.join(f).to_string_lossy().to_string());
        }
    }
    let mut long = Vec::new();
    let mut gpt2_lines = 0;
    for source in &sources {
        let p = gca::config::load(source).unwrap();
        let files = emit::generate(&p).unwrap();
        for (rel, text) in &files.0 {
            if !rel.starts_with("rtl/") || !rel.ends_with(".v") {
                continue;
            }
            if source == "gpt2" {
                gpt2_lines += text.lines().count();
            }
            for (i, line) in text.lines().enumerate() {
                let n = line.chars().count();
                if n > LIMIT {
                    long.push(format!("{source}: {rel}:{}: {n} characters", i + 1));
                }
            }
        }
    }
    assert!(
        long.is_empty(),
        "lines over {LIMIT} characters:\n{}",
        long.join("\n")
    );
    assert!(
        (1000..=12_000).contains(&gpt2_lines),
        "gpt2's rtl/ has {gpt2_lines} lines"
    );
}
