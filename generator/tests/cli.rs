//! Tests of the `gca` binary: the output of `gca config NAME` and `gca config NAME --json` for
//! every preset against committed files, exit codes and messages of bad input, and the golden
//! comparison's JSON report.
//!
//! The expected files live in `generator/tests/expected/config/`. After an intended change of
//! the output, refresh them with
//!
//!     GCA_UPDATE_EXPECTED=1 cargo test -p gca --test cli
//!
//! and review the diff before committing.

mod common;

use common::TempDir;
use std::path::{Path, PathBuf};
use std::process::Command;

use gca::config::{self, PRESETS};

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `gca ARGS` in the package folder.
fn gca(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_gca"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run the gca binary");
    Run {
        code: out.status.code().expect("gca exited by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Asserts the exit code, showing both streams when it differs.
fn assert_code(r: &Run, code: i32, what: &str) {
    assert_eq!(
        r.code, code,
        "{what}: exit code\n--- stdout\n{}\n--- stderr\n{}",
        r.stdout, r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Expected output of `gca config`.
// ---------------------------------------------------------------------------------------------

const UPDATE_VAR: &str = "GCA_UPDATE_EXPECTED";
const REFRESH: &str = "GCA_UPDATE_EXPECTED=1 cargo test -p gca --test cli";

fn expected_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/config")
}

/// A short description of where two texts first differ: line number and both lines.
fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let differing: Vec<usize> = (0..e.len().max(a.len()))
        .filter(|&i| e.get(i) != a.get(i))
        .collect();
    let Some(&first) = differing.first() else {
        return "the lines are equal; the files differ in line endings or the final newline"
            .to_string();
    };
    let show = |l: Option<&&str>| match l {
        Some(l) => format!("{l:?}"),
        None => "(end of file)".to_string(),
    };
    let lines: Vec<String> = differing
        .iter()
        .take(5)
        .map(|i| (i + 1).to_string())
        .collect();
    format!(
        "{} differing line(s) (first: {}{}); {} lines expected, {} actual\n    \
         line {}: expected {}\n    line {}:   actual {}",
        differing.len(),
        lines.join(", "),
        if differing.len() > 5 { ", ..." } else { "" },
        e.len(),
        a.len(),
        first + 1,
        show(e.get(first)),
        first + 1,
        show(a.get(first)),
    )
}

#[test]
fn config_output_of_every_preset_matches_the_expected_files() {
    let update = std::env::var(UPDATE_VAR).is_ok_and(|v| v == "1");
    let dir = expected_dir();
    if update {
        std::fs::create_dir_all(&dir).expect("create the expected folder");
    }
    let mut mismatches = Vec::new();
    let mut rewritten = Vec::new();
    for (name, _, _) in PRESETS {
        for (json, ext) in [(false, "txt"), (true, "json")] {
            let mut args = vec!["config", name];
            if json {
                args.push("--json");
            }
            let r = gca(&args);
            assert_code(&r, 0, &args.join(" "));
            assert_eq!(r.stderr, "", "gca {}: stderr", args.join(" "));
            let file = dir.join(format!("{name}.{ext}"));
            let expected = std::fs::read_to_string(&file).ok();
            if update {
                if expected.as_deref() != Some(r.stdout.as_str()) {
                    std::fs::write(&file, &r.stdout)
                        .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
                    rewritten.push(file.display().to_string());
                }
                continue;
            }
            match expected {
                None => mismatches.push(format!(
                    "gca {}: {} is missing",
                    args.join(" "),
                    file.display()
                )),
                Some(expected) if expected != r.stdout => mismatches.push(format!(
                    "gca {}: differs from {}\n  {}",
                    args.join(" "),
                    file.display(),
                    first_difference(&expected, &r.stdout)
                )),
                Some(_) => {}
            }
        }
    }
    if update {
        eprintln!(
            "{UPDATE_VAR}=1: rewrote {} expected file(s) in {}{}",
            rewritten.len(),
            dir.display(),
            rewritten
                .iter()
                .map(|f| format!("\n  {f}"))
                .collect::<String>()
        );
        return;
    }
    assert!(
        mismatches.is_empty(),
        "{}\n\nIf the change is intended, refresh the files with\n  {REFRESH}\nand review the diff.",
        mismatches.join("\n")
    );
}

#[test]
fn config_output_is_the_library_table_and_json() {
    let p = config::load("tiny").unwrap();
    assert_eq!(gca(&["config", "tiny"]).stdout, config::to_table(&p));
    let r = gca(&["config", "tiny", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON object");
    assert_eq!(v, config::to_json(&p));
    assert_eq!(v["decode_latency_ns"], 62.0);
    assert_eq!(v["shape"]["n_tiles"], 2);
}

#[test]
fn first_difference_names_the_line() {
    let d = first_difference("a\nb\nc\n", "a\nB\nc\nd\n");
    assert!(d.starts_with("2 differing line(s) (first: 2, 4); 3 lines expected, 4 actual"));
    assert!(d.contains("line 2: expected \"b\""), "{d}");
    assert!(d.contains("line 2:   actual \"B\""), "{d}");
    assert!(first_difference("a\n", "a").contains("final newline"));
}

// ---------------------------------------------------------------------------------------------
// gca config: bad input, lists, files.
// ---------------------------------------------------------------------------------------------

#[test]
fn config_unknown_preset_exits_2_with_e003() {
    let r = gca(&["config", "nosuchpreset"]);
    assert_code(&r, 2, "gca config nosuchpreset");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error[E003] nosuchpreset: \"nosuchpreset\" is neither a preset nor a configuration file\n  \
         help: use a preset (gpt2, gpt2-medium, gpt2-large, gpt2-xl, gpt2-head, gpt2-layer, tiny), \
         a .yaml file or a Hugging Face config.json\n\
         1 configuration error; nothing was written\n"
    );
}

#[test]
fn config_file_with_two_errors_lists_both() {
    let dir = TempDir::new("two_errors");
    let bad = dir.write(
        "bad.yaml",
        "preset: tiny\nhardware:\n  window: 100\n  levels: {q: 300}\n",
    );
    for json in [false, true] {
        let mut args = vec!["config", bad.as_str()];
        if json {
            args.push("--json");
        }
        let r = gca(&args);
        assert_code(&r, 2, "gca config bad.yaml");
        assert_eq!(r.stdout, "");
        assert_eq!(
            r.stderr,
            "error[E012] hardware.window: 100 is not a multiple of hardware.tile (64)\n  \
             help: choose a window that is a whole number of tiles, or a tile that divides it\n\
             error[E020] hardware.levels.q: 300 is out of range 2..=256\n  \
             help: set hardware.levels.q to a level count between 2 and 256\n\
             2 configuration errors; nothing was written\n"
        );
    }
}

#[test]
fn config_missing_file_exits_2_with_e001() {
    let dir = TempDir::new("missing_file");
    let missing = dir.0.join("missing.yaml");
    let r = gca(&["config", missing.to_str().unwrap()]);
    assert_code(&r, 2, "gca config missing.yaml");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with(&format!(
            "error[E001] {}: cannot read the file: ",
            missing.display()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn config_list_shows_every_preset() {
    let r = gca(&["config", "--list"]);
    assert_code(&r, 0, "gca config --list");
    assert_eq!(r.stderr, "");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), PRESETS.len(), "{}", r.stdout);
    for ((name, _, about), line) in PRESETS.iter().zip(&lines) {
        assert_eq!(line.split_whitespace().next(), Some(*name), "{line}");
        assert!(line.ends_with(about), "{line}");
    }
}

#[test]
fn config_without_a_configuration_is_a_usage_error() {
    let r = gca(&["config"]);
    assert_code(&r, 2, "gca config");
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("<CONFIG>"), "{}", r.stderr);
}

#[test]
fn config_of_the_example_files() {
    let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs");
    let json = |spec: &str| -> serde_json::Value {
        let r = gca(&["config", spec, "--json"]);
        assert_code(&r, 0, spec);
        serde_json::from_str(&r.stdout).expect("one JSON object")
    };
    let mut example = json(configs.join("example.yaml").to_str().unwrap());
    let mut hf = json(configs.join("gpt2-hf-config.json").to_str().unwrap());
    let gpt2 = json("gpt2");
    assert_eq!(example["name"], "example");
    assert_eq!(hf["name"], "gpt2-hf-config");
    example["name"] = gpt2["name"].clone();
    hf["name"] = gpt2["name"].clone();
    assert_eq!(example, gpt2);
    assert_eq!(hf, gpt2);
    let tiny_linear = gca(&["config", configs.join("tiny-linear.yaml").to_str().unwrap()]);
    assert_code(&tiny_linear, 0, "tiny-linear.yaml");
    assert!(tiny_linear.stdout.contains("linear, gain 19.3"));
    assert!(tiny_linear.stdout.contains("[enabled]"));
}

/// BUG (generator/src/config/mod.rs, `load`): a preset name is ignored when a file or folder of
/// that name exists in the working directory, and since the name has no extension and no '/',
/// `load` then reports E003 "neither a preset nor a configuration file". Remove the `ignore`
/// once fixed.
#[test]
fn config_preset_works_next_to_a_folder_of_the_same_name() {
    let dir = TempDir::new("shadowed_preset");
    std::fs::create_dir_all(dir.0.join("tiny")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gca"))
        .args(["config", "tiny"])
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// gca golden, gca reference, help.
// ---------------------------------------------------------------------------------------------

#[test]
fn golden_tiny_json_report() {
    let r = gca(&["golden", "tiny", "--tokens", "40", "--json"]);
    assert_code(&r, 0, "gca golden tiny --tokens 40 --json");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON object");
    let obj = v.as_object().expect("a JSON object");
    for key in [
        "decode_latency_cycles",
        "decode_latency_ns",
        "prefill_cycles_per_token",
        "tile_codes_total",
        "tile_codes_equal",
        "tile_codes_max_abs_diff",
    ] {
        assert!(obj.contains_key(key), "no {key} in {}", r.stdout);
    }
    let p = config::load("tiny").unwrap();
    assert_eq!(v["config"], "tiny");
    assert_eq!(v["tokens"], 40);
    assert_eq!(v["decode_latency_cycles"], p.cycles.decode_latency);
    assert_eq!(v["decode_latency_ns"], p.decode_latency_ns());
    assert_eq!(v["prefill_cycles_per_token"], p.cycles.prefill_overlap);
    let total = v["tile_codes_total"].as_u64().unwrap();
    assert!(total > 0);
    assert_eq!(v["tile_codes_equal"].as_u64(), Some(total), "{}", r.stdout);
    assert_eq!(v["tile_codes_max_abs_diff"], 0);
}

#[test]
fn golden_more_heads_than_the_layer_has_exits_2() {
    let r = gca(&["golden", "tiny", "--heads", "3", "--tokens", "4"]);
    assert_code(&r, 2, "gca golden tiny --heads 3");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "error: --heads 3 is outside 1..=2 (the heads of a layer of tiny)\n  help: choose at most 2 heads\n"
    );
}

#[test]
fn golden_scaler_beyond_its_register_exits_2() {
    let r = gca(&["golden", "tiny", "--q-scale", "9,0", "--tokens", "4"]);
    assert_code(&r, 2, "gca golden tiny --q-scale 9,0");
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("the q scaler"), "{}", r.stderr);
    assert!(
        r.stderr.contains("help: choose a scaler within the range"),
        "{}",
        r.stderr
    );
}

#[test]
fn golden_malformed_scaler_is_a_usage_error() {
    for bad in ["9", "1,2,3", "a,b", "inf,0"] {
        let r = gca(&["golden", "tiny", "--q-scale", bad, "--tokens", "4"]);
        assert_code(&r, 2, bad);
        assert_eq!(r.stdout, "");
        assert!(r.stderr.contains("--q-scale"), "{bad}: {}", r.stderr);
    }
}

#[test]
fn golden_bad_configuration_exits_2() {
    let r = gca(&["golden", "nosuchpreset", "--tokens", "4"]);
    assert_code(&r, 2, "gca golden nosuchpreset");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with("error[E003] nosuchpreset: "),
        "{}",
        r.stderr
    );
}

#[test]
fn reference_missing_input_exits_2() {
    let dir = TempDir::new("reference_missing");
    let missing = dir.0.join("missing.json");
    let r = gca(&["reference", missing.to_str().unwrap()]);
    assert_code(&r, 2, "gca reference missing.json");
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .starts_with(&format!("error: cannot read {}: ", missing.display())),
        "{}",
        r.stderr
    );
}

#[test]
fn help_succeeds() {
    let r = gca(&["--help"]);
    assert_code(&r, 0, "gca --help");
    assert!(r.stdout.contains("Usage: gca"), "{}", r.stdout);
    for cmd in ["config", "reference", "golden"] {
        assert!(r.stdout.contains(cmd), "gca --help lacks {cmd}");
    }
    let r = gca(&["golden", "--help"]);
    assert_code(&r, 0, "gca golden --help");
    assert!(r.stdout.contains("Usage: gca golden"), "{}", r.stdout);
    for flag in ["--tokens", "--seed", "--heads", "--q-scale", "--json"] {
        assert!(r.stdout.contains(flag), "gca golden --help lacks {flag}");
    }
    let r = gca(&["config", "--help"]);
    assert_code(&r, 0, "gca config --help");
    assert!(r.stdout.contains("--list"));
}
