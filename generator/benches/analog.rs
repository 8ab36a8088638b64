//! The electrical view in VACASK at full size: `gca analog CONFIG --json` on the gpt2
//! sub-tile (64 rows x 64 columns, 8,192 gain cells), run as a user runs it; prints the run
//! time, the simulator's time and peak memory and the errors against R.
//!
//! `cargo bench -p gca --bench analog`. Environment: `GCA_BENCH_ANALOG` = comma-separated
//! `config:tokens` entries to run instead of the default (`gpt2:8`: the whole 64 x 64 netlist,
//! 8 tokens written; about 50 s of simulator CPU, docs/analog.md). `gpt2:64` writes every
//! column once so that the last token reads a full window, about 8 times longer.

use std::process::Command;

const DEFAULT: &str = "gpt2:8";

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let entries = std::env::var("GCA_BENCH_ANALOG").unwrap_or_else(|_| DEFAULT.to_string());
    let gca = env!("CARGO_BIN_EXE_gca");
    println!(
        "| configuration | sub-tile | tokens | time points | simulator s | peak MB | total s | charge error | phi error | codes equal R |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for entry in entries.split(',') {
        if filter.as_deref().is_some_and(|f| !entry.contains(f)) {
            continue;
        }
        let Some((config, tokens)) = entry.split_once(':') else {
            panic!("GCA_BENCH_ANALOG entry `{entry}` is not config:tokens");
        };
        let dir = std::env::temp_dir().join(format!("gca-bench-analog-{}", std::process::id()));
        let out = Command::new(gca)
            .args(["analog", config, "--tokens", tokens, "--json", "-o"])
            .arg(&dir)
            .output()
            .expect("run gca analog");
        let _ = std::fs::remove_dir_all(&dir);
        let text = String::from_utf8_lossy(&out.stdout);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "gca analog {entry}: {e}\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        println!(
            "| {config} | {} x {} | {tokens} | {} | {:.1} | {:.0} | {:.1} | {:.1e} | {:.1e} | {} of {} |",
            v["rows"],
            v["cols"],
            v["time_points"],
            f("simulator_seconds"),
            f("memory_mb"),
            f("seconds"),
            f("charge_error_max"),
            f("phi_error_max"),
            v["codes_equal"],
            v["codes_total"],
        );
        assert!(
            out.status.success(),
            "gca analog {entry} missed a tolerance"
        );
    }
}
