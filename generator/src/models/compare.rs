//! H and R side by side on one or more heads of a configuration over a seeded random stream:
//! what `gca golden` runs and reports.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::{CellModel, Params};

use super::reference::{quantize_code, Cell, HeadState, RefParams, Scalers};
use super::stimulus::HeadStream;
use super::twin::{self, CellTable, HeadTwin, OutScaler, Quantizer, ScalerRange};

/// The default scalers of `gca golden` (issue: q (0.25, 0.5), k and v (0.225, 0.45), out (1, 0)).
pub fn default_scalers() -> Scalers {
    Scalers {
        q: (0.25, 0.5),
        k: (0.225, 0.45),
        v: (0.225, 0.45),
        out: (1.0, 0.0),
    }
}

/// The reference model's parameters for a configuration.
pub fn reference_params(p: &Params) -> RefParams {
    let hw = &p.hardware;
    let mut coeffs = [0.0; 10];
    coeffs.copy_from_slice(&hw.cell.poly_coeffs);
    RefParams {
        cell: match hw.cell.model {
            CellModel::Linear => Cell::Linear,
            CellModel::Polynomial => Cell::Polynomial,
        },
        decay_per_token: hw.decay_per_token,
        window: p.shape.window,
        tile: p.shape.tile,
        q_levels: hw.levels.q as u32,
        kv_levels: hw.levels.kv as u32,
        out_levels: hw.levels.out as u32,
        v_max: hw.analog.v_max,
        v_off: hw.analog.v_off,
        s_sat: hw.analog.s_sat,
        a_sat: hw.analog.a_sat,
        linear_gain: hw.cell.linear_gain,
        poly_coeffs: coeffs,
        v_in: hw.cell.v_in,
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub struct GoldenOptions {
    pub tokens: usize,
    pub seed: u64,
    /// Heads of layer 0 to run, each with its own stream.
    pub heads: usize,
    pub scalers: Scalers,
}

/// The agreement of H with R, and the schedule's figures.
#[derive(Clone, Debug, Serialize)]
pub struct GoldenReport {
    pub config: String,
    pub tokens: usize,
    pub heads: usize,
    pub seed: u64,
    pub decode_latency_cycles: u64,
    pub decode_latency_ns: f64,
    /// With the write/compute overlap (the figure of the target).
    pub prefill_cycles_per_token: u64,
    pub prefill_cycles_per_token_serial: u64,
    /// Per-tile output codes compared: (token, tile, dimension) of tiles holding at least one
    /// column inside the window.
    pub tile_codes_total: u64,
    pub tile_codes_equal: u64,
    pub tile_codes_max_abs_diff: i64,
    pub tile_code_agreement: f64,
    /// Largest |y_H - y_R| over all outputs, in output units.
    pub y_max_abs_diff: f64,
    pub reference_tokens_per_second: f64,
    pub twin_tokens_per_second: f64,
}

/// Running counts of the comparison.
#[derive(Default)]
struct Agreement {
    total: u64,
    equal: u64,
    max_diff: i64,
    y_max_diff: f64,
}

/// Runs H and R on `opts.heads` heads; `progress(done, total)` is called every few tokens.
pub fn run(
    p: &Params,
    opts: &GoldenOptions,
    mut progress: impl FnMut(usize, usize),
) -> Result<GoldenReport, ScalerRange> {
    let hw = &p.hardware;
    let (q_levels, kv_levels) = (hw.levels.q, hw.levels.kv);
    let real = |x: i64| x as f64 / (1u64 << p.fixed.in_frac) as f64;
    let fit = |which, (a, b): (f64, f64), levels: u64, hi: f64| {
        let target =
            |x: i64| quantize_code((a * real(x) + b).clamp(0.0, hi), levels as u32, 0.0, hi) as u8;
        Quantizer::fitted(p, which, (a, b), levels, hi, target)
    };
    let qz = fit("q", opts.scalers.q, q_levels, 1.0)?;
    let kz = fit("k", opts.scalers.k, kv_levels, hw.analog.v_max)?;
    let vz = fit("v", opts.scalers.v, kv_levels, hw.analog.v_max)?;
    let out = OutScaler::new(p, opts.scalers.out)?;
    let table = CellTable::new(p);
    let rp = reference_params(p);
    let lsb = 1.0 / (1u64 << p.fixed.out_frac) as f64;
    let (d, n_tiles) = (p.shape.d_head, p.shape.n_tiles);
    let mut agree = Agreement::default();
    let (mut t_ref, mut t_twin) = (Duration::ZERO, Duration::ZERO);
    let total = opts.tokens * opts.heads;
    for head in 0..opts.heads {
        let mut stream = HeadStream::new(p, opts.seed, 0, head);
        let mut r = HeadState::new(&rp, opts.scalers);
        let mut h = HeadTwin::new(p, out);
        for i in 0..opts.tokens {
            let tok = stream.next_token();
            let [q, k, v] = tok.to_real(p.fixed.in_frac);
            let start = Instant::now();
            let rr = r.step(&q, &k, &v);
            t_ref += start.elapsed();
            let start = Instant::now();
            let codes =
                |z: &Quantizer, x: &[i64]| x.iter().map(|&x| z.code(x)).collect::<Vec<u8>>();
            let hh = h.step(
                &table,
                &codes(&qz, &tok.q),
                &codes(&kz, &tok.k),
                &codes(&vz, &tok.v),
            );
            t_twin += start.elapsed();
            for t in 0..n_tiles {
                if !(rr.tile_active[t] || hh.tile_active[t]) {
                    continue;
                }
                for dim in 0..d {
                    let diff = (hh.tile_codes[t * d + dim] - rr.tile_codes[t][dim]).abs() as i64;
                    agree.total += 1;
                    agree.equal += u64::from(diff == 0);
                    agree.max_diff = agree.max_diff.max(diff);
                }
            }
            for dim in 0..d {
                agree.y_max_diff = agree
                    .y_max_diff
                    .max((hh.y[dim] as f64 * lsb - rr.y[dim]).abs());
            }
            progress(head * opts.tokens + i + 1, total);
        }
    }
    let rate = |t: Duration| total as f64 / t.as_secs_f64().max(1e-9);
    let latency = twin::schedule::decode_latency(p);
    Ok(GoldenReport {
        config: p.name.clone(),
        tokens: opts.tokens,
        heads: opts.heads,
        seed: opts.seed,
        decode_latency_cycles: latency,
        decode_latency_ns: latency as f64 * p.cycles.clock_period_ns,
        prefill_cycles_per_token: twin::schedule::prefill_cycles_per_token(p, true),
        prefill_cycles_per_token_serial: twin::schedule::prefill_cycles_per_token(p, false),
        tile_codes_total: agree.total,
        tile_codes_equal: agree.equal,
        tile_codes_max_abs_diff: agree.max_diff,
        tile_code_agreement: agree.equal as f64 / agree.total.max(1) as f64,
        y_max_abs_diff: agree.y_max_diff,
        reference_tokens_per_second: rate(t_ref),
        twin_tokens_per_second: rate(t_twin),
    })
}
