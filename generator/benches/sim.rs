//! Simulation speed of `gca sim`: Verilator in lockstep with the twin for tiny, gpt2-head and
//! gpt2-layer, Icarus for tiny, each run as a user runs it (`gca sim CONFIG --smooth --json`:
//! no input gaps or back-pressure, so the figures are the design's own cycle count) and the
//! best of a few runs kept, since the wall-clock rate depends on what else the machine does.
//!
//! `cargo bench -p gca --bench sim` (the first run builds each Verilator model, ~30 s for
//! gpt2-head, longer for gpt2-layer; later runs take it from the cache). Environment:
//! `GCA_BENCH_SIM` = comma-separated `config:simulator:tokens` entries to run instead of the
//! default set, `GCA_BENCH_REPEAT` = runs per entry (default 3).

use std::process::Command;
use std::time::Instant;

const DEFAULT: &str =
    "tiny:verilator:3000,gpt2-head:verilator:3000,gpt2-layer:verilator:1200,tiny:icarus:300";

fn main() {
    // `cargo bench` passes --bench; a filter argument selects entries by substring.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let entries = std::env::var("GCA_BENCH_SIM").unwrap_or_else(|_| DEFAULT.to_string());
    let repeat: usize = std::env::var("GCA_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let gca = env!("CARGO_BIN_EXE_gca");
    println!(
        "| configuration | simulator | tokens | cycles | wall s | tokens/s | cycles/s | simulator thread tokens/CPU-s | twin thread CPU s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for entry in entries.split(',') {
        if filter.as_deref().is_some_and(|f| !entry.contains(f)) {
            continue;
        }
        let parts: Vec<&str> = entry.split(':').collect();
        let [config, simulator, tokens] = parts[..] else {
            panic!("GCA_BENCH_SIM entry `{entry}` is not config:simulator:tokens");
        };
        let mut best: Option<serde_json::Value> = None;
        for _ in 0..repeat {
            let t = Instant::now();
            let out = Command::new(gca)
                .args([
                    "sim",
                    config,
                    "--simulator",
                    simulator,
                    "--tokens",
                    tokens,
                    "--smooth",
                    "--json",
                ])
                .output()
                .expect("run gca sim");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "gca sim {entry} failed:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_str(&text).expect("one JSON object");
            assert_eq!(v["mismatches"], 0);
            eprintln!(
                "{entry}: {:.0} tokens/s ({:.1} s for the whole command)",
                v["tokens_per_second"].as_f64().unwrap_or(0.0),
                t.elapsed().as_secs_f64()
            );
            let rate = |v: &serde_json::Value| v["tokens_per_second"].as_f64().unwrap_or(0.0);
            if best.as_ref().is_none_or(|b| rate(&v) > rate(b)) {
                best = Some(v);
            }
        }
        let v = best.expect("one run");
        let f = |k: &str| v[k].as_f64();
        let per_cpu = match (f("tokens"), f("simulator_cpu_seconds")) {
            (Some(t), Some(c)) if c > 0.0 => format!("{:.0}", t / c),
            _ => "-".to_string(),
        };
        let twin = f("twin_cpu_seconds").map_or("-".to_string(), |c| format!("{c:.2}"));
        println!(
            "| {config} | {simulator} | {} | {} | {:.2} | {:.0} | {:.0} | {per_cpu} | {twin} |",
            v["tokens"],
            v["cycles"],
            f("seconds").unwrap_or(0.0),
            f("tokens_per_second").unwrap_or(0.0),
            f("cycles_per_second").unwrap_or(0.0),
        );
    }
}
