//! `gca golden`: the hardware twin H next to the reference R on a seeded random stream.

use std::process::ExitCode;

use crate::config;
use crate::models::compare::{self, GoldenOptions, GoldenReport};
use crate::models::reference::Scalers;

/// Run the integer hardware twin H and the float reference R side by side.
///
/// Both see the same seeded stream of q, k, v ~ N(0, 1), quantized to the configured input
/// format. Reports the per-token decode latency and the prefill cycles per token from the
/// twin's cycle model, and how often H's per-tile output codes equal R's.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Preset name, YAML file or Hugging Face config.json.
    #[arg(default_value = "gpt2")]
    config: String,
    /// Tokens per head (default: 1.25 x the window, so that the window wraps).
    #[arg(long)]
    tokens: Option<usize>,
    /// Seed of the random stream.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Heads to run (heads 0.. of layer 0, each with its own stream).
    #[arg(long, default_value_t = 1)]
    heads: usize,
    /// Query scaler a,b: q' = Qz(clamp(a q + b, 0, 1)).
    #[arg(long, value_parser = pair, default_value = "0.25,0.5")]
    q_scale: (f64, f64),
    /// Key scaler a,b.
    #[arg(long, value_parser = pair, default_value = "0.225,0.45")]
    k_scale: (f64, f64),
    /// Value scaler a,b.
    #[arg(long, value_parser = pair, default_value = "0.225,0.45")]
    v_scale: (f64, f64),
    /// Output scaler a,b: y = a * sum of tile outputs + b.
    #[arg(long, value_parser = pair, default_value = "1,0")]
    out_scale: (f64, f64),
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// No progress line.
    #[arg(long)]
    quiet: bool,
}

fn pair(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').collect();
    let num = |x: &str| {
        x.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("\"{x}\" is not a finite number"))
    };
    match parts.as_slice() {
        [a, b] => Ok((num(a)?, num(b)?)),
        _ => Err("expected two numbers a,b (e.g. 0.25,0.5)".to_string()),
    }
}

pub fn run(a: Args) -> ExitCode {
    let p = match config::load(&a.config) {
        Ok(p) => p,
        Err(e) => return super::bad_input(e),
    };
    if a.heads == 0 || a.heads > p.shape.n_head {
        return super::bad_input(format!(
            "error: --heads {} is outside 1..={} (the heads of a layer of {})\n  help: choose at most {} heads",
            a.heads, p.shape.n_head, p.name, p.shape.n_head
        ));
    }
    let tokens = a.tokens.unwrap_or(p.shape.window + p.shape.window / 4);
    if tokens == 0 {
        return super::bad_input("error: --tokens must be at least 1");
    }
    let opts = GoldenOptions {
        tokens,
        seed: a.seed,
        heads: a.heads,
        scalers: Scalers {
            q: a.q_scale,
            k: a.k_scale,
            v: a.v_scale,
            out: a.out_scale,
        },
    };
    let mut progress = super::Progress::new(a.quiet || a.json);
    let report = match compare::run(&p, &opts, |d, t| progress.update(d, t, "tokens")) {
        Ok(r) => r,
        Err(e) => {
            return super::bad_input(format!(
                "error: {e}\n  help: choose a scaler within the range, or widen hardware.fixed_point.scaler_bits"
            ))
        }
    };
    if a.json {
        let json = serde_json::to_value(&report).expect("report serializes");
        super::print_out(&format!("{json:#}\n"));
    } else {
        super::print_out(&text(&report, &p));
    }
    ExitCode::SUCCESS
}

fn text(r: &GoldenReport, p: &config::Params) -> String {
    let per = |c: u64| c as f64 * p.cycles.clock_period_ns;
    format!(
        "gca golden: {} ({} head(s) of layer 0, {} tokens each, seed {})\n\
         \x20 decode latency            {} cycles ({} ns; paper: 65 ns per token)\n\
         \x20 prefill per token         {} cycles ({} ns) with write overlap, {} serial\n\
         \x20 per-tile codes, H vs R    {} of {} equal ({:.3}%), max |H - R| = {} code(s)\n\
         \x20 outputs y, H vs R         max |H - R| = {:.6}\n\
         \x20 throughput per head       R {:.0} tokens/s, H {:.0} tokens/s\n",
        r.config,
        r.heads,
        r.tokens,
        r.seed,
        r.decode_latency_cycles,
        r.decode_latency_ns,
        r.prefill_cycles_per_token,
        per(r.prefill_cycles_per_token),
        r.prefill_cycles_per_token_serial,
        r.tile_codes_equal,
        r.tile_codes_total,
        100.0 * r.tile_code_agreement,
        r.tile_codes_max_abs_diff,
        r.y_max_abs_diff,
        r.reference_tokens_per_second,
        r.twin_tokens_per_second,
    )
}
