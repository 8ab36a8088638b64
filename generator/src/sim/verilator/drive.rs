//! A Rust bench for the two AXI4-Stream ports of a [`Model`]: input beats offered in order
//! (with optional random TVALID gaps), output beats taken (with optional random TREADY
//! back-pressure) and handed to a sink or compared with expected beats.

use crate::config::Params;
use crate::rng::Rng;

use super::Model;
use crate::sim::packets::Beat;

/// How [`drive_stream`] drives the handshakes.
#[derive(Clone, Copy, Debug)]
pub struct StreamDrive {
    /// Probability that TVALID is low in a cycle although a beat is waiting (0: back-to-back).
    pub gap: f64,
    /// Probability that `m_axis_tready` is low in a cycle (0: always ready).
    pub backpressure: f64,
    /// Seed of the gap and back-pressure draws.
    pub seed: u64,
    /// Give up after this many consecutive cycles in which no beat moves on either port.
    pub stall_limit: u64,
    /// After the last expected output beat, keep clocking this many cycles with TREADY high and
    /// fail on any further output beat.
    pub drain: u64,
}

impl Default for StreamDrive {
    fn default() -> Self {
        StreamDrive {
            gap: 0.0,
            backpressure: 0.0,
            seed: 1,
            stall_limit: 100_000,
            drain: 0,
        }
    }
}

/// What a run of [`drive_stream`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamRun {
    /// Clock cycles from the first offered beat to the last output beat (drain excluded).
    pub cycles: u64,
    pub beats_in: usize,
    pub beats_out: usize,
}

/// Offers `stim` on `s_axis` and takes `n_out` beats from `m_axis`, calling `sink(index, data,
/// last)` for each output beat in order (`data`: TDATA as little-endian 64-bit words); an
/// error of the sink ends the run. The model should be out of reset. Each cycle: inputs set,
/// [`Model::eval`], handshakes decided from TREADY / TVALID, [`Model::tick`].
pub fn drive_stream(
    m: &mut Model,
    stim: &[Beat],
    n_out: usize,
    drive: &StreamDrive,
    mut sink: impl FnMut(usize, &[u64], bool) -> Result<(), String>,
) -> Result<StreamRun, String> {
    let mut rng = Rng::new(drive.seed);
    let words = stim.first().map_or(8, |b| b.data.len()).max(1);
    let mut buf = vec![0u64; words];
    let (mut i, mut o, mut idle) = (0usize, 0usize, 0u64);
    let start = m.cycles();
    let mut draw = |p: f64| p > 0.0 && rng.uniform() < p;
    // A beat offered and not taken stays offered (AXI4-Stream): gaps start after a handshake.
    let mut stalled = false;
    while o < n_out {
        let valid = i < stim.len() && (stalled || !draw(drive.gap));
        let ready = !draw(drive.backpressure);
        m.set_s_axis(if valid { Some(&stim[i]) } else { None });
        m.set_m_axis_tready(ready);
        m.eval();
        let s_fire = valid && m.s_axis_tready();
        let m_fire = ready && m.m_axis_tvalid();
        if m_fire {
            m.m_axis_tdata_into(&mut buf);
            sink(o, &buf, m.m_axis_tlast())?;
            o += 1;
        }
        stalled = valid && !s_fire;
        m.tick();
        if let Some(what) = crate::sim::lockstep::protocol(m) {
            return Err(format!("cycle {}: {what}", m.cycles()));
        }
        if s_fire {
            i += 1;
        }
        if s_fire || m_fire {
            idle = 0;
        } else {
            idle += 1;
            if idle >= drive.stall_limit {
                return Err(format!(
                    "no beat moved for {idle} cycles (cycle {}): {i} of {} input beats accepted, {o} of {n_out} output beats seen",
                    m.cycles(),
                    stim.len()
                ));
            }
        }
    }
    let cycles = m.cycles() - start;
    m.set_s_axis(None);
    m.set_m_axis_tready(true);
    for _ in 0..drive.drain {
        m.eval();
        if m.m_axis_tvalid() {
            return Err(format!(
                "an output beat beyond the {n_out} expected ones (cycle {})",
                m.cycles()
            ));
        }
        m.tick();
    }
    if i < stim.len() {
        return Err(format!(
            "only {i} of {} input beats were accepted when the {n_out} output beats were done",
            stim.len()
        ));
    }
    Ok(StreamRun {
        cycles,
        beats_in: i,
        beats_out: o,
    })
}

/// [`drive_stream`] comparing every output beat with `expect` (all of TDATA and TLAST); the
/// first difference ends the run with [`describe_mismatch`]'s account of it.
pub fn run_stream(
    m: &mut Model,
    p: &Params,
    stim: &[Beat],
    expect: &[Beat],
    drive: &StreamDrive,
) -> Result<StreamRun, String> {
    let mut header = true;
    drive_stream(m, stim, expect.len(), drive, |o, data, last| {
        let want = &expect[o];
        let same = want.last == last
            && (0..data.len().max(want.data.len())).all(|w| {
                data.get(w).copied().unwrap_or(0) == want.data.get(w).copied().unwrap_or(0)
            });
        let is_header = header;
        header = last;
        if same {
            return Ok(());
        }
        let got = Beat {
            data: data.to_vec(),
            last,
        };
        Err(format!(
            "output beat {o}: {}",
            describe_mismatch(p, &got, want, is_header)
        ))
    })
}

fn bits(data: &[u64], lsb: u32, width: u32) -> u64 {
    let mut v = 0u64;
    for i in 0..width.min(64) {
        let pos = (lsb + i) as usize;
        let bit = data.get(pos / 64).map_or(0, |w| (w >> (pos % 64)) & 1);
        v |= bit << i;
    }
    v
}

fn signed(v: u64, width: u32) -> i64 {
    if width == 0 || width >= 64 {
        return v as i64;
    }
    let shift = 64 - width;
    ((v << shift) as i64) >> shift
}

/// What differs between two output beats, field by field: for a header (`header`: the first
/// beat of a packet) status, layer and position; for a data beat every output value (signed,
/// `out_bits` each) that differs; and TLAST.
pub fn describe_mismatch(p: &Params, got: &Beat, want: &Beat, header: bool) -> String {
    let mut diffs = Vec::new();
    if got.last != want.last {
        diffs.push(format!("TLAST expected {}, got {}", want.last, got.last));
    }
    let td = p.stream.tdata_bits;
    if header {
        for (name, lsb, width) in [("status", 0, 4), ("layer", 8, 8), ("position", 16, 32)] {
            let (g, w) = (bits(&got.data, lsb, width), bits(&want.data, lsb, width));
            if g != w {
                diffs.push(format!("header {name} expected {w}, got {g}"));
            }
        }
        let rest = |d: &[u64]| {
            let mut v = d.to_vec();
            for (lsb, width) in [(0, 4), (8, 8), (16, 32)] {
                for i in 0..width {
                    let pos = (lsb + i) as usize;
                    if let Some(x) = v.get_mut(pos / 64) {
                        *x &= !(1u64 << (pos % 64));
                    }
                }
            }
            v
        };
        if rest(&got.data) != rest(&want.data) {
            diffs.push("header bits outside status, layer and position differ".into());
        }
    } else {
        let ob = p.fixed.out_bits;
        let per = p.stream.out_values_per_beat;
        for k in 0..per {
            let (g, w) = (
                signed(bits(&got.data, ob * k as u32, ob), ob),
                signed(bits(&want.data, ob * k as u32, ob), ob),
            );
            if g != w {
                diffs.push(format!("value {k} expected {w}, got {g}"));
            }
        }
        let used = ob * per as u32;
        let (g, w) = (
            (used..td).any(|b| bits(&got.data, b, 1) != 0),
            (used..td).any(|b| bits(&want.data, b, 1) != 0),
        );
        if g != w {
            diffs.push("bits above the output values differ".into());
        }
    }
    if diffs.is_empty() {
        diffs.push("the beats differ".into());
    }
    diffs.join("; ")
}
