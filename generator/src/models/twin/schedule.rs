//! The cycle model of the per-token schedule (SPEC 3.2), per layer, as the RTL implements it.
//!
//! Cycle numbers count clock cycles; "accepted in cycle a" means TVALID and TREADY were both high
//! in cycle a. For one token of a layer:
//! - the header beat is accepted when the ingress is free; data beats are accepted one per cycle
//!   once the layer's staging register is free (it frees in the first QK cycle of the previous
//!   token, when the PWM generators load the q codes);
//! - codes of the last beat are ready `quant` cycles after it (cycle `a + quant`);
//! - WRITE starts then, but not before the previous write ended, and not before the previous
//!   token's readout ended (the array is idle) or, with overlap, its AV ended (the write replaces
//!   the column of the oldest token of the previous token's window, so it waits until both
//!   arrays were read);
//! - QK starts when the write ended and the previous readout ended; AV and READOUT follow;
//! - the accumulators and the output scaler take `accumulate + scale` cycles after the readout; the first
//!   result beat is valid in that cycle (egress free, not back-pressured);
//! - a RESET_WINDOW header is accepted when the ingress is free, whatever its layer is doing;
//!   the layer holds the clear pending from the next cycle until its controller is idle (the
//!   earlier tokens written and read: the cycle after the last READOUT), empties the window in
//!   the cycle after that and takes data beats again from then on. Other layers are not
//!   delayed.

use crate::config::Params;

/// When each phase of one token happened (first cycle of each; `result` is the cycle in which
/// the first result beat is valid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenTiming {
    pub header: u64,
    pub last_beat: u64,
    pub write: u64,
    pub qk: u64,
    pub av: u64,
    pub readout: u64,
    pub result: u64,
}

impl TokenTiming {
    /// Decode latency: last beat accepted to first result beat valid.
    pub fn latency(&self) -> u64 {
        self.result - self.last_beat
    }
}

/// Per-layer state of the schedule.
#[derive(Clone, Copy, Debug, Default)]
struct LayerState {
    staging_free: u64,
    write_free: u64,
    /// First cycle after the previous token's AV: its arrays were read.
    arrays_read: u64,
    array_free: u64,
    /// First cycle in which the accumulators are free: the output scaler took every head of
    /// the previous token (a finished AV waits in HOLD until then).
    acc_free: u64,
    /// First cycle in which the output scaler may take a token: the previous result packet
    /// was sent (the egress free and not back-pressured).
    result_free: u64,
}

/// The schedule of a whole design: one ingress shared by all layers, a controller per layer.
#[derive(Clone, Debug)]
pub struct Schedule {
    overlap: bool,
    data_beats: u64,
    quant: u64,
    write: u64,
    qk: u64,
    av: u64,
    readout: u64,
    accumulate: u64,
    scale: u64,
    heads: u64,
    result_beats: u64,
    ingress_free: u64,
    layers: Vec<LayerState>,
}

impl Schedule {
    /// A schedule in the mode of the configuration (`hardware.prefill_overlap`).
    pub fn new(p: &Params) -> Self {
        Self::with_overlap(p, p.hardware.prefill_overlap)
    }

    pub fn with_overlap(p: &Params, overlap: bool) -> Self {
        let c = p.cycles;
        Self {
            overlap,
            data_beats: p.stream.token_beats as u64 - 1,
            quant: c.quant,
            write: c.write,
            qk: c.qk,
            av: c.av,
            readout: c.readout,
            accumulate: c.accumulate,
            scale: c.scale,
            heads: p.shape.n_head as u64,
            result_beats: p.stream.result_beats as u64,
            ingress_free: 0,
            layers: vec![LayerState::default(); p.shape.n_layer],
        }
    }

    /// Schedules a token packet for `layer` whose header is offered from cycle `offered` on and
    /// whose beats are then offered back to back.
    pub fn token(&mut self, layer: usize, offered: u64) -> TokenTiming {
        let header = offered.max(self.ingress_free);
        let l = &self.layers[layer];
        let first_data = (header + 1).max(l.staging_free);
        let last_beat = first_data + self.data_beats - 1;
        self.ingress_free = last_beat + 1;
        self.after_last_beat(layer, header, last_beat)
    }

    /// Schedules a RESET_WINDOW header of `layer` offered from cycle `offered` on; returns the
    /// cycle in which it is accepted.
    pub fn reset_window(&mut self, layer: usize, offered: u64) -> u64 {
        let accepted = offered.max(self.ingress_free);
        self.reset_accepted(layer, accepted);
        accepted
    }

    /// A RESET_WINDOW of `layer` accepted in cycle `accepted` (a stream with gaps: the twin
    /// follows the observed input): the clear is pending from the next cycle until the
    /// controller is idle, and data beats wait until the cycle after it fires.
    pub fn reset_accepted(&mut self, layer: usize, accepted: u64) {
        self.ingress_free = self.ingress_free.max(accepted + 1);
        let l = &mut self.layers[layer];
        let fire = (accepted + 1).max(l.array_free).max(l.write_free);
        l.staging_free = l.staging_free.max(fire + 1);
    }

    /// The first cycle in which the data beats of a token of `layer` may be accepted.
    pub fn staging_free(&self, layer: usize) -> u64 {
        self.layers[layer].staging_free
    }

    /// Schedules a token of `layer` whose header and last beat were accepted in the given
    /// cycles (a stream with gaps: the twin follows the observed input).
    pub fn after_last_beat(&mut self, layer: usize, header: u64, last_beat: u64) -> TokenTiming {
        self.ingress_free = self.ingress_free.max(last_beat + 1);
        let l = &mut self.layers[layer];
        let array_ready = if self.overlap {
            l.arrays_read
        } else {
            l.array_free
        };
        let write = (last_beat + self.quant).max(l.write_free).max(array_ready);
        let qk = (write + self.write).max(l.array_free);
        l.write_free = write + self.write;
        l.staging_free = qk;
        l.arrays_read = qk + self.qk + self.av;
        // READOUT waits (HOLD) until the output scaler took the previous token's heads from
        // the accumulators; it never does when QK + AV last at least H cycles (gpt2: 30 >= 12).
        let readout = l.arrays_read.max(l.acc_free);
        l.array_free = readout + self.readout;
        // The output scaler takes head 0 once the accumulators hold the token and the previous
        // result was sent, head h h cycles later; the header is valid `scale` cycles after it.
        let take = (l.array_free + self.accumulate).max(l.result_free);
        let result = take + self.scale;
        l.acc_free = take + self.heads;
        l.result_free = result + self.result_beats;
        TokenTiming {
            header,
            last_beat,
            write,
            qk,
            av: qk + self.qk,
            readout,
            result,
        }
    }
}

/// Decode latency of one token into an idle layer, from the schedule.
pub fn decode_latency(p: &Params) -> u64 {
    Schedule::new(p).token(0, 0).latency()
}

/// Steady-state cycles between tokens of one layer when packets arrive back to back.
pub fn prefill_cycles_per_token(p: &Params, overlap: bool) -> u64 {
    let mut s = Schedule::with_overlap(p, overlap);
    let n = 16;
    let starts: Vec<u64> = (0..n).map(|_| s.token(0, 0).qk).collect();
    starts[n - 1] - starts[n - 2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, PRESETS};

    #[test]
    fn schedule_matches_the_closed_forms_of_the_parameters() {
        for (name, _, _) in PRESETS {
            let p = config::load(name).unwrap();
            assert_eq!(decode_latency(&p), p.cycles.decode_latency, "{name}");
            assert_eq!(
                prefill_cycles_per_token(&p, true),
                p.cycles.prefill_overlap,
                "{name}"
            );
            assert_eq!(
                prefill_cycles_per_token(&p, false),
                p.cycles.prefill_serial,
                "{name}"
            );
        }
    }

    #[test]
    fn closed_forms_hold_when_the_tail_bounds_the_period() {
        // QK + AV of 2 cycles for 3 heads: each READOUT waits (HOLD) until the output scaler
        // took the previous token's heads.
        for (heads, overlap, binds) in [(3, false, true), (3, true, true), (8, true, false)] {
            let yaml = format!(
                "name: hold\nmodel: {{n_layer: 2, n_head: {heads}, n_embd: {}, n_ctx: 64}}\n\
                 hardware:\n  window: 16\n  tile: 16\n  levels: {{q: 2, kv: 8, out: 32}}\n  \
                 prefill_overlap: {overlap}\n  timing: {{clock_mhz: 1000, t_max_ns: 1, \
                 t_write_ns: 1}}\n",
                4 * heads
            );
            let p = config::from_yaml(&yaml, "test", "hold").unwrap();
            let tail = p.cycles.readout + p.cycles.accumulate + heads;
            assert!(p.cycles.qk + p.cycles.av < heads, "the tail binds");
            // With 8 heads the 25 input beats bound the period instead.
            assert_eq!(p.cycles.prefill(overlap) == tail, binds, "{heads} heads");
            assert_eq!(
                prefill_cycles_per_token(&p, overlap),
                p.cycles.prefill(overlap),
                "{heads} heads"
            );
            assert_eq!(decode_latency(&p), p.cycles.decode_latency);
        }
    }

    #[test]
    fn gpt2_meets_the_paper_latency_and_the_prefill_target() {
        let p = config::load("gpt2").unwrap();
        let t = Schedule::new(&p).token(0, 0);
        // header 0, 36 data beats 1..=36, quantizer 37..39, write 39..49, QK 49..64, AV 64..79,
        // readout 79..95, accumulate 95, scale 96..98, first result beat (the header) 98, while
        // the scaler's third stage computes head 0's result.
        assert_eq!(
            (t.last_beat, t.write, t.qk, t.av, t.readout, t.result),
            (36, 39, 49, 64, 79, 98)
        );
        assert_eq!(t.latency(), 62);
        assert!(t.latency() as f64 * p.cycles.clock_period_ns <= 65.0);
        assert!(prefill_cycles_per_token(&p, true) <= 50);
    }

    #[test]
    fn a_reset_window_waits_in_its_layer_only() {
        let p = config::load("tiny").unwrap();
        let mut s = Schedule::new(&p);
        let a = s.token(0, 0);
        let r = s.reset_window(0, 0);
        let b = s.token(1, 0);
        // The reset is taken right after layer 0's packet, layer 1's header right after it.
        assert_eq!(r, a.last_beat + 1);
        assert_eq!(b.header, r + 1);
        assert_eq!(b.latency(), a.latency());
        // Layer 0's next data beats wait for the clear: after the readout of its token.
        let c = s.token(0, 0);
        assert_eq!(c.header, b.last_beat + 1);
        assert_eq!(
            c.last_beat,
            a.readout + p.cycles.readout + 1 + p.stream.token_beats as u64 - 2
        );
    }

    #[test]
    fn layers_share_the_ingress_but_compute_in_parallel() {
        let p = config::load("tiny").unwrap();
        let mut s = Schedule::new(&p);
        let a = s.token(0, 0);
        let b = s.token(1, 0);
        assert_eq!(b.header, a.last_beat + 1);
        assert_eq!(b.latency(), a.latency());
    }
}
