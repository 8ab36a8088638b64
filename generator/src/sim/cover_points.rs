//! Functional cover points of the co-simulation, defined next to the scenarios
//! (docs/verification.md, "Coverage model"). Every point is sampled from what a run drove and
//! observed, never from the plan of a scenario:
//! - at the pins of the Verilated design ([`PinLog`]: handshakes, stalls, CSR transfers,
//!   output packet headers, resets while a packet was open);
//! - from the twin's values as it computes the expected outputs of the packets driven
//!   ([`TwinCover`]: quantizer and output-scaler rounding, the window at each RESET_WINDOW);
//! - from the stimulus, for what only it can name (which bad-packet rule a dropped packet
//!   broke), counted when the packet's beats were all accepted and an error packet of its
//!   code came out.
//!
//! The groups: `bad_packet` (every rule of docs/rtl.md), `reset_window` (RESET_WINDOW at an
//! empty, partly filled, full and wrapped window), `quantizer` and `out_scaler` (saturation at
//! both ends, rounding ties), `scaler_range` (each of a head's eight scaler registers written
//! with its minimum, a negative value, zero, a positive value and its maximum, in any head),
//! `csr` (every register read and written), `backpressure` (VALID high and READY low on each
//! of the seven channels) and `mid_packet` (CONTROL.SOFT_RESET, CONTROL.CLEAR_WINDOWS and
//! `rst_n` while an input or an output packet is open).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Params;
use crate::models::stimulus::TokenValues;
use crate::models::twin::{OutScaler, Rounding};
use crate::regmap::RegMap;

use super::scenario::{BadRule, Kind, Packet};
use super::twin::ScalerRegisters;
use super::verilator::monitor::{PinLog, CHANNELS};

/// What the twin saw while computing the expected outputs.
#[derive(Clone, Debug, Default)]
pub struct TwinCover {
    /// Per quantizer (q, k, v): ties, low and high saturations.
    quant: [[u64; 3]; 3],
    /// The output scaler: ties, low and high saturations.
    out: [u64; 3],
    /// RESET_WINDOW at an empty, partly filled, full (exactly M tokens) and wrapped window.
    reset_window: [u64; 4],
    /// Tokens per layer since its window was last emptied.
    since_reset: Vec<usize>,
    window: usize,
}

fn count(bins: &mut [u64; 3], r: Rounding) {
    bins[0] += u64::from(r.tie);
    bins[1] += u64::from(r.low);
    bins[2] += u64::from(r.high);
}

impl TwinCover {
    pub fn new(p: &Params) -> TwinCover {
        TwinCover {
            since_reset: vec![0; p.shape.n_layer],
            window: p.shape.window,
            ..TwinCover::default()
        }
    }

    /// A TOKEN of `layer` went in.
    pub fn token(&mut self, layer: usize) {
        self.since_reset[layer] += 1;
    }

    /// One head's input values through the quantizers `regs`.
    pub fn quantizers(&mut self, regs: &ScalerRegisters, t: &TokenValues) {
        for (i, (z, xs)) in [(&regs.q, &t.q), (&regs.k, &t.k), (&regs.v, &t.v)]
            .into_iter()
            .enumerate()
        {
            for &x in xs {
                count(&mut self.quant[i], z.rounding(x));
            }
        }
    }

    /// One head's tile sums through the output scaler.
    pub fn outputs(&mut self, out: &OutScaler, sums: &[i32]) {
        for &s in sums {
            count(&mut self.out, out.rounding(i64::from(s)));
        }
    }

    /// A RESET_WINDOW of `layer`.
    pub fn reset_window(&mut self, layer: usize) {
        let n = std::mem::take(&mut self.since_reset[layer]);
        let bin = match n {
            0 => 0,
            n if n < self.window => 1,
            n if n == self.window => 2,
            _ => 3,
        };
        self.reset_window[bin] += 1;
    }

    /// A reset of the whole design: every window empties.
    pub fn design_reset(&mut self) {
        self.since_reset.iter_mut().for_each(|n| *n = 0);
    }
}

/// One cover point and how often a run hit it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverPoint {
    pub group: String,
    pub name: String,
    pub hits: u64,
}

impl CoverPoint {
    /// `group/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }
}

/// Every cover point of a configuration with its hits, in definition order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoverReport {
    pub points: Vec<CoverPoint>,
}

/// The report in `gca sim --json`: counts and the points not hit.
#[derive(Clone, Debug, Serialize)]
pub struct CoverSummary {
    pub points: usize,
    pub hit: usize,
    pub not_hit: Vec<String>,
}

fn rule_name(rule: BadRule) -> &'static str {
    match rule {
        BadRule::Short => "short",
        BadRule::Long => "long",
        BadRule::HeaderOnly => "header_only",
        BadRule::UnknownOpcode => "unknown_opcode",
        BadRule::LayerOutOfRange => "layer_out_of_range",
        BadRule::WrongPosition => "wrong_position",
        BadRule::LongReset => "long_reset",
    }
}

/// The five value bins of a scaler register.
const RANGE_BINS: [&str; 5] = ["min", "negative", "zero", "positive", "max"];

fn range_bin(value: u32, width: u32) -> usize {
    let shift = 32 - width;
    let v = ((value << shift) as i32) >> shift;
    let (min, max) = (-(1i64 << (width - 1)), (1i64 << (width - 1)) - 1);
    match i64::from(v) {
        x if x == min => 0,
        x if x < 0 => 1,
        0 => 2,
        x if x == max => 4,
        _ => 3,
    }
}

impl CoverReport {
    /// Samples every point of `p` from one run: the packets it drove, what the twin saw, and
    /// the pin monitor's record.
    pub fn sample(p: &Params, packets: &[Packet], twin: &TwinCover, pins: &PinLog) -> CoverReport {
        let map = RegMap::new(p);
        let mut points = Vec::new();
        let mut add = |group: &str, name: String, hits: u64| {
            points.push(CoverPoint {
                group: group.to_string(),
                name,
                hits,
            })
        };

        // Bad packets: driven whole, and an error packet of the rule's code came out.
        let mut rules = [0u64; 7];
        let mut beat_end = 0u64;
        for pk in packets {
            beat_end += pk.beats.len() as u64;
            if let Kind::Bad(rule) = pk.kind {
                let seen = pins.out_status.get(&rule.code()).copied().unwrap_or(0) > 0;
                if beat_end <= pins.beats_in && seen {
                    let i = BadRule::ALL
                        .iter()
                        .position(|&r| r == rule)
                        .expect("a rule");
                    rules[i] += 1;
                }
            }
        }
        for (rule, hits) in BadRule::ALL.iter().zip(rules) {
            add("bad_packet", rule_name(*rule).to_string(), hits);
        }

        for (name, hits) in ["empty", "partial", "full", "wrapped"]
            .iter()
            .zip(twin.reset_window)
        {
            add("reset_window", (*name).to_string(), hits);
        }
        let kinds = ["tie", "saturate_low", "saturate_high"];
        for (q, bins) in ["q", "k", "v"].iter().zip(twin.quant) {
            for (k, hits) in kinds.iter().zip(bins) {
                add("quantizer", format!("{q}_{k}"), hits);
            }
        }
        for (k, hits) in kinds.iter().zip(twin.out) {
            add("out_scaler", (*k).to_string(), hits);
        }

        // Scaler registers: the value bins of every write, by register of a head.
        let s = &map.scalers;
        let mut ranges = vec![[0u64; 5]; s.registers.len()];
        for w in &pins.writes {
            if w.addr < s.base || w.addr >= s.end() {
                continue;
            }
            let i = ((w.addr - s.base) % s.stride / 4) as usize;
            if let Some(r) = s.registers.get(i) {
                ranges[i][range_bin(w.data, r.fields[0].width)] += 1;
            }
        }
        for (r, bins) in s.registers.iter().zip(&ranges) {
            for (b, hits) in RANGE_BINS.iter().zip(bins) {
                add("scaler_range", format!("{}_{b}", r.name), *hits);
            }
        }

        // Every register read and written (a write to a read-only one must answer SLVERR).
        let mut written: BTreeMap<u32, u64> = BTreeMap::new();
        for w in &pins.writes {
            *written.entry(w.addr).or_default() += 1;
        }
        for r in map.all() {
            let reads = pins.reads.get(&r.offset).copied().unwrap_or(0);
            add("csr", format!("{}_read", r.name), reads);
            let writes = written.get(&r.offset).copied().unwrap_or(0);
            add("csr", format!("{}_written", r.name), writes);
        }

        for (c, hits) in CHANNELS.iter().zip(pins.stalls) {
            add("backpressure", (*c).to_string(), hits);
        }

        // Commands while a packet is open.
        let control = map.get("CONTROL");
        let bit = |field: &str| {
            control
                .and_then(|r| r.field(field))
                .map(|f| (control.expect("found").offset, 1u32 << f.lsb))
        };
        for (field, what) in [("SOFT_RESET", "soft_reset"), ("CLEAR_WINDOWS", "clear")] {
            let Some((addr, mask)) = bit(field) else {
                continue;
            };
            let cmds = pins
                .writes
                .iter()
                .filter(|w| w.addr == addr && w.data & mask != 0);
            let (mut inp, mut out) = (0, 0);
            for w in cmds {
                inp += u64::from(w.input_open);
                out += u64::from(w.output_open);
            }
            add("mid_packet", format!("{what}_in_input_packet"), inp);
            add("mid_packet", format!("{what}_in_output_packet"), out);
        }
        add(
            "mid_packet",
            "rst_n_in_input_packet".to_string(),
            pins.resets_in_input_packet,
        );
        add(
            "mid_packet",
            "rst_n_in_output_packet".to_string(),
            pins.resets_in_output_packet,
        );
        CoverReport { points }
    }

    /// Adds the hits of `other` (a run of the same configuration).
    pub fn merge(&mut self, other: &CoverReport) {
        if self.points.is_empty() {
            *self = other.clone();
            return;
        }
        for (a, b) in self.points.iter_mut().zip(&other.points) {
            debug_assert_eq!(a.id(), b.id());
            a.hits += b.hits;
        }
    }

    pub fn hit(&self) -> usize {
        self.points.iter().filter(|c| c.hits > 0).count()
    }

    pub fn not_hit(&self) -> impl Iterator<Item = &CoverPoint> {
        self.points.iter().filter(|c| c.hits == 0)
    }

    pub fn summary(&self) -> CoverSummary {
        CoverSummary {
            points: self.points.len(),
            hit: self.hit(),
            not_hit: self.not_hit().map(CoverPoint::id).collect(),
        }
    }

    /// `cover points: H of N hit` and, per group, the points not hit (wrapped lines).
    pub fn text(&self) -> String {
        let mut s = format!(
            "  functional cover points: {} of {} hit\n",
            self.hit(),
            self.points.len()
        );
        let mut groups: Vec<(&str, Vec<&str>, usize)> = Vec::new();
        for c in &self.points {
            if groups.last().is_none_or(|g| g.0 != c.group) {
                groups.push((&c.group, Vec::new(), 0));
            }
            let g = groups.last_mut().expect("pushed");
            g.2 += 1;
            if c.hits == 0 {
                g.1.push(&c.name);
            }
        }
        for (group, missed, total) in groups.iter().filter(|g| !g.1.is_empty()) {
            let mut line = format!("    not hit in {group} ({} of {total}):", missed.len());
            for name in missed {
                if line.len() + name.len() > 98 {
                    s += &line;
                    s.push('\n');
                    line = "     ".to_string();
                }
                line += " ";
                line += name;
            }
            s += &line;
            s.push('\n');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_bins() {
        assert_eq!(range_bin(0x8000, 16), 0);
        assert_eq!(range_bin(0xffff, 16), 1);
        assert_eq!(range_bin(0x1_0000, 16), 2); // bits above the register are ignored
        assert_eq!(range_bin(5, 16), 3);
        assert_eq!(range_bin(0x7fff, 16), 4);
    }

    #[test]
    fn reset_window_bins() {
        let p = crate::config::load("tiny").unwrap();
        let mut t = TwinCover::new(&p);
        t.reset_window(0);
        t.token(1);
        t.reset_window(1);
        (0..p.shape.window).for_each(|_| t.token(0));
        t.reset_window(0);
        (0..=p.shape.window).for_each(|_| t.token(0));
        t.reset_window(0);
        assert_eq!(t.reset_window, [1, 1, 1, 1]);
    }

    #[test]
    fn an_empty_run_hits_nothing_and_names_every_point() {
        let p = crate::config::load("tiny").unwrap();
        let r = CoverReport::sample(&p, &[], &TwinCover::new(&p), &PinLog::default());
        assert_eq!(r.hit(), 0);
        let text = r.text();
        for g in [
            "bad_packet",
            "reset_window",
            "quantizer",
            "out_scaler",
            "scaler_range",
            "csr",
            "backpressure",
            "mid_packet",
        ] {
            assert!(text.contains(&format!("not hit in {g} (")), "{g}: {text}");
        }
        assert!(r
            .summary()
            .not_hit
            .contains(&"bad_packet/long_reset".to_string()));
    }
}
