//! The Verilator regression that plain `gca sim` runs, in one place so that `gca sim`,
//! `gca mutate` and the tests run the same thing: a seeded random stream over every layer
//! (windows that wrap, RESET_WINDOW packets), with AXI4-Lite around it and every register
//! read, followed by directed scenarios: every bad-packet rule, a reset in the middle of a
//! packet, RESET_WINDOW at an empty, partly filled, full and wrapped window, and the scaler
//! registers at both ends of their range. Each scenario starts from a reset with the scalers
//! programmed, runs in lockstep with the twin, and its functional cover points are sampled
//! ([`super::cover_points`]) and merged.

use serde::Serialize;

use crate::config::Params;
use crate::regmap::RegMap;

use super::cover_points::CoverReport;
use super::csr::{self, CsrOp, RESP_OKAY, RESP_SLVERR};
use super::lockstep::{self, Drive, Mismatch, Summary};
use super::programmed_scalers;
use super::scenario::{self, Builder, Packet, StreamOptions};
use super::twin::{DesignTwin, ScalerRegisters};
use super::verilator::Model;

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The random stream.
    pub stream: StreamOptions,
    /// Input without TVALID gaps and output without back-pressure.
    pub smooth: bool,
    /// Only the random stream (`gca sim --tokens N` keeps the directed scenarios; tests of
    /// the stream alone set this).
    pub stream_only: bool,
}

impl Plan {
    /// The default plan of `p`: `tokens` TOKEN packets (default: enough for every layer's
    /// window to wrap), RESET_WINDOW after 1.25 windows of a layer.
    pub fn new(p: &Params, tokens: Option<usize>, seed: u64, interleaved: bool) -> Plan {
        let window = p.shape.window;
        let layers = p.shape.n_layer;
        Plan {
            stream: StreamOptions {
                tokens: tokens.unwrap_or(layers * (window + window / 2 + 2)),
                seed,
                interleaved,
                reset_every: window + window / 4 + 1,
                commands: true,
            },
            smooth: false,
            stream_only: false,
        }
    }
}

/// One directed scenario's result.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioResult {
    pub name: String,
    pub packets_in: usize,
    pub packets_out: usize,
    pub cycles: u64,
    pub mismatch: Option<Mismatch>,
}

/// What the regression did: the random stream's summary (its `mismatches` and `mismatch`
/// count every scenario), the directed scenarios, and the functional cover points.
pub struct Outcome {
    pub summary: Summary,
    pub scenarios: Vec<ScenarioResult>,
    pub cover: CoverReport,
}

/// Every register read once, after a stream: constant registers and the programmed scalers
/// with their values, the others (counters, STATUS, CONTROL) with any value; then every
/// register written once: read-only ones must answer SLVERR, CONTROL and STATUS are written
/// with values that change nothing (ENABLE 1, no W1C bit).
pub fn every_register(p: &Params, regs: &ScalerRegisters) -> Vec<CsrOp> {
    let map = RegMap::new(p);
    let s = &map.scalers;
    let values = regs.values();
    let mut ops = Vec::new();
    let all = map.all();
    for r in &all {
        let data = if r.constant {
            Some(r.fields.iter().fold(0u32, |v, f| v | (f.reset << f.lsb)))
        } else if r.offset >= s.base && r.offset < s.end() {
            let i = ((r.offset - s.base) % s.stride / 4) as usize;
            Some(values[i] as u32)
        } else {
            None
        };
        ops.push(CsrOp::Read {
            addr: r.offset,
            resp: RESP_OKAY,
            data,
        });
    }
    for r in &all {
        let is_scaler = r.offset >= s.base && r.offset < s.end();
        if is_scaler {
            continue;
        }
        let (data, resp) = if !r.writable() {
            (0, RESP_SLVERR)
        } else {
            // CONTROL keeps ENABLE (1) and pulses nothing; STATUS clears nothing.
            let keep = r
                .fields
                .iter()
                .filter(|f| f.name == "ENABLE")
                .fold(0u32, |v, f| v | (1 << f.lsb));
            (keep, RESP_OKAY)
        };
        ops.push(CsrOp::Write {
            addr: r.offset,
            data,
            strb: 0xf,
            resp,
        });
    }
    ops
}

/// RESET_WINDOW on every layer at an empty window (right after reset), after half a window,
/// after exactly a window and after a window and a half (wrapped), each followed by tokens
/// that must see only what came after it; then a sequence that starts 3 positions before
/// 2^32 and runs past it (the position wraps to 0: every position bit toggles both ways).
pub fn window_states(p: &Params, seed: u64) -> Vec<Packet> {
    let m = p.shape.window;
    let mut b = Builder::new(p, seed);
    for l in 0..p.shape.n_layer {
        b.reset(l, 0);
        for run in [m / 2, m, m + m / 2, 2] {
            (0..run.max(1)).for_each(|_| b.token(l));
            b.reset(l, 0);
        }
        b.token(l);
        b.reset(l, u32::MAX - 2);
        (0..5).for_each(|_| b.token(l));
    }
    b.finish_stimulus()
}

/// Scaler register values across their range: five settings in which register i of every
/// head takes value (i + s) mod 5 of (minimum, maximum, 0, -1, 1), so that each register
/// takes all five and the registers of one setting differ from their neighbours (a swapped
/// register select cannot hide behind equal values); then `regs` with the output gain and
/// offset at the four corners of their ranges (gain and offset at their maxima, the gain at
/// its maximum and the offset at its minimum, the gain at its minimum with the offset at its
/// minimum, then at its maximum: a non-zero tile sum of either sign saturates high in one and
/// low in another, in every lane), the gain at one half (odd tile sums round a tie), the
/// offset one low half of the saturation compares inside each end (the limit's high half
/// level with small rounded values of that sign, [`crate::rtl::out_scale::saturation_split`]),
/// and `regs` with the v offset at half the k offset.
pub fn scaler_extremes(p: &Params, regs: &ScalerRegisters) -> Vec<[i64; 8]> {
    let map = RegMap::new(p);
    let max = |w: u32| (1i64 << (w - 1)) - 1;
    let widths: Vec<u32> = map
        .scalers
        .registers
        .iter()
        .map(|r| r.fields[0].width)
        .collect();
    (0..5)
        .map(|s| {
            let mut v = [0i64; 8];
            for (i, w) in widths.iter().enumerate().take(8) {
                v[i] = match (i + s) % 5 {
                    0 => -(1i64 << (w - 1)),
                    1 => (1i64 << (w - 1)) - 1,
                    2 => 0,
                    3 => -1,
                    _ => 1,
                };
            }
            v
        })
        .chain(
            [
                (max(widths[6]), max(widths[7])),
                (max(widths[6]), -max(widths[7]) - 1),
                (-max(widths[6]) - 1, -max(widths[7]) - 1),
                (-max(widths[6]) - 1, max(widths[7])),
                (1i64 << (p.fixed.scaler_frac - 1), 0),
            ]
            .map(|(gain, offset)| {
                let mut v = regs.values();
                v[6] = gain;
                v[7] = offset;
                v
            }),
        )
        .chain(
            crate::rtl::out_scale::saturation_split(p)
                .into_iter()
                .flat_map(|h| {
                    // At most half the offset register's range, so both stay in it (0 when
                    // the split is as wide as the register).
                    let (hi, lo) = (max(widths[7]), -max(widths[7]) - 1);
                    let span = 1i64 << h.min(widths[7] - 1);
                    [hi - (span - 1), lo + span]
                })
                .map(|offset| {
                    let mut v = regs.values();
                    v[7] = offset;
                    v
                }),
        )
        .chain(std::iter::once({
            // The k and v offsets apart (the programmed ones are equal), so that a select
            // that swaps them shows.
            let mut v = regs.values();
            v[5] = v[3] / 2;
            v
        }))
        .collect()
}

/// `n` settings of the scaler registers drawn uniformly over each register's range (signed,
/// its field width), so that every bit of the scalers and of the products they feed toggles.
pub fn random_scalers(p: &Params, seed: u64, n: usize) -> Vec<[i64; 8]> {
    let map = RegMap::new(p);
    let widths: Vec<u32> = map
        .scalers
        .registers
        .iter()
        .map(|r| r.fields[0].width)
        .collect();
    let mut rng = crate::rng::Rng::new(seed ^ 0x005c_a1e5);
    (0..n)
        .map(|_| {
            let mut v = [0i64; 8];
            for (i, w) in widths.iter().enumerate().take(8) {
                let span = 1u64 << w;
                v[i] = rng.below(span) as i64 - (1i64 << (w - 1));
            }
            v
        })
        .collect()
}

/// `n` rounds of one TOKEN on every layer, from a builder seeded with `seed`.
fn rounds(p: &Params, seed: u64, n: usize) -> Vec<Packet> {
    let mut b = Builder::new(p, seed);
    for _ in 0..n {
        (0..p.shape.n_layer).for_each(|l| b.token(l));
    }
    b.finish_stimulus()
}

/// Every bad-packet rule followed at once by the next rule's bad packet (on the other end of
/// the layer range), then a token on both ends.
fn bad_pairs(p: &Params, seed: u64) -> Vec<Packet> {
    let mut b = Builder::new(p, seed);
    let last = p.shape.n_layer - 1;
    let rules = scenario::BadRule::ALL;
    for (i, &rule) in rules.iter().enumerate() {
        b.bad(rule, last);
        b.bad(rules[(i + 1) % rules.len()], 0);
        b.token(0);
        b.token(last);
    }
    b.finish_stimulus()
}

/// Runs the regression on `model` (built for `p`); `progress(done, total)` follows the
/// random stream's output packets.
pub fn run(
    p: &Params,
    model: &mut Model,
    plan: &Plan,
    progress: impl FnMut(usize, usize),
) -> Result<Outcome, String> {
    let regs = ScalerRegisters::saturating(p, programmed_scalers());
    let drive = Drive {
        seed: plan.stream.seed,
        gaps: !plan.smooth,
        backpressure: !plan.smooth,
        bursts: false,
    };
    let mut cover = CoverReport::default();
    let stimulus = scenario::random_stimulus(p, &plan.stream);
    let after = every_register(p, &regs);
    let before = csr::before_stream(p, &regs);
    let mut summary = run_one(
        p, model, &stimulus, regs, &before, &after, drive, &mut cover, progress,
    )?;
    let mut scenarios = Vec::new();
    if plan.stream_only || summary.mismatches > 0 {
        return Ok(Outcome {
            summary,
            scenarios,
            cover,
        });
    }
    let seed = plan.stream.seed;
    let mut directed: Vec<(String, Vec<Packet>, ScalerRegisters)> = vec![
        (
            "every bad-packet rule".into(),
            scenario::every_bad_rule(p, seed, 2).packets,
            regs,
        ),
        (
            "reset in a packet".into(),
            scenario::reset_mid_packet(p, seed, 2).packets,
            regs,
        ),
        ("window states".into(), window_states(p, seed), regs),
    ];
    for values in scaler_extremes(p, &regs) {
        directed.push((
            format!("scalers {:?}", values),
            rounds(p, seed ^ 0x5ca1e, 16),
            regs.with_values(values),
        ));
    }
    // One bad-packet rule alone: the counters and STATUS read after it must show that rule's
    // flag only (after every rule at once, a flag set by the wrong rule would not show).
    for rule in scenario::BadRule::ALL {
        let mut b = Builder::new(p, seed ^ 0x57a7);
        let last = p.shape.n_layer - 1;
        b.token(0);
        b.bad(rule, last);
        b.token(last);
        directed.push((format!("STATUS after {rule:?}"), b.finish_stimulus(), regs));
    }
    for values in random_scalers(p, seed, 3) {
        directed.push((
            format!("random scalers {:?}", values),
            rounds(p, seed ^ 0x7a9d, 3),
            regs.with_values(values),
        ));
    }
    // The scalers written byte lane by byte lane (every WSTRB pattern that matters), then a
    // few tokens that show the values.
    let bytes = rounds(p, seed ^ 0xb17e, 2);
    // A dense stream with output back-pressure in long bursts and CONTROL commands in it:
    // results wait in the result registers, finished tokens wait for them, and the commands
    // and a reset meet open output packets.
    let dense = scenario::random_stimulus(
        p,
        &StreamOptions {
            tokens: p.shape.n_layer * 16,
            seed: seed ^ 0xde75e,
            interleaved: false,
            reset_every: 0,
            commands: true,
        },
    );
    let cut = scenario::reset_mid_packet(p, seed ^ 0xc07, 3).packets;
    let bursts = Drive {
        bursts: true,
        ..drive
    };
    type Run = (String, Vec<Packet>, ScalerRegisters, Vec<CsrOp>, Drive);
    let mut runs: Vec<Run> = directed
        .into_iter()
        .map(|(name, packets, r)| {
            let before = csr::before_stream(p, &r);
            (name, packets, r, before, drive)
        })
        .collect();
    let mut by_bytes = csr::before_stream(p, &regs);
    by_bytes.extend(csr::program_scalers_by_bytes(p, &regs, seed));
    runs.push(("scalers by byte lanes".into(), bytes, regs, by_bytes, drive));
    if !plan.smooth {
        let before = csr::before_stream(p, &regs);
        // With gaps and back-pressure, only the results that are not back-pressured are timed
        // against H's schedule: a dense stream without either times every result (the write
        // and compute overlap of consecutive tokens of a layer included).
        runs.push((
            "timed dense stream".into(),
            scenario::random_stimulus(
                p,
                &StreamOptions {
                    tokens: p.shape.n_layer * 24,
                    seed: seed ^ 0x71_3ed,
                    interleaved: false,
                    reset_every: 0,
                    commands: false,
                },
            ),
            regs,
            before.clone(),
            Drive {
                gaps: false,
                backpressure: false,
                ..drive
            },
        ));
        runs.push((
            "back-pressure bursts and commands".into(),
            dense,
            regs,
            before.clone(),
            bursts,
        ));
        runs.push((
            "reset in an output packet".into(),
            cut,
            regs,
            before.clone(),
            bursts,
        ));
        // Error packets held by long back-pressure while the next bad packet comes: the
        // ingress must keep TREADY low until its error packet is accepted, or the next error
        // would overwrite the header being offered.
        runs.push((
            "bad packets back to back under back-pressure bursts".into(),
            bad_pairs(p, seed ^ 0xbad),
            regs,
            before,
            bursts,
        ));
    }
    for (name, packets, r, before, drive) in runs {
        let s = run_one(
            p,
            model,
            &packets,
            r,
            &before,
            &[],
            drive,
            &mut cover,
            |_, _| {},
        )?;
        let failed = s.mismatch.clone();
        scenarios.push(ScenarioResult {
            name: name.clone(),
            packets_in: s.packets_in,
            packets_out: s.packets_out,
            cycles: s.cycles,
            mismatch: failed.clone(),
        });
        if let Some(mut m) = failed {
            summary.mismatches += 1;
            m.what = format!("scenario `{name}`: {}", m.what);
            summary.mismatch.get_or_insert(m);
            break;
        }
    }
    Ok(Outcome {
        summary,
        scenarios,
        cover,
    })
}

/// One scenario from reset: the CSR script before the stream with `regs`, the stream in
/// lockstep (the counters and STATUS checked after it), then the transfers `after`; cover
/// points sampled into `cover`. A transfer before the stream that answers wrong is an error.
#[allow(clippy::too_many_arguments)]
fn run_one(
    p: &Params,
    model: &mut Model,
    packets: &[Packet],
    regs: ScalerRegisters,
    before: &[CsrOp],
    after: &[CsrOp],
    drive: Drive,
    cover: &mut CoverReport,
    progress: impl FnMut(usize, usize),
) -> Result<Summary, String> {
    model.attach_monitor();
    model.reset(4);
    let delays = drive.gaps.then_some(drive.seed);
    lockstep::run_csr(model, p, before, delays)
        .map_err(|what| format!("AXI4-Lite before the stream: {what}"))?;
    let twin = DesignTwin::with_registers(p, regs);
    let (mut summary, twin_cover) =
        lockstep::run_with_twin_cover(p, model, packets, twin, drive, progress);
    if summary.mismatches == 0 {
        if let Err(what) = lockstep::run_csr(model, p, after, delays) {
            summary.mismatches = 1;
            summary.mismatch = Some(Mismatch::at(model.cycles(), what));
        }
    }
    let pins = model.take_monitor().unwrap_or_default();
    cover.merge(&CoverReport::sample(p, packets, &twin_cover, &pins));
    Ok(summary)
}
