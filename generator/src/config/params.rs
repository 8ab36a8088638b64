//! Resolved parameters: the validated configuration plus every derived number (widths, tile
//! counts, cycle counts per phase, stream layout, fixed-point formats), computed once, here.
//! Every later stage (golden models, RTL, constraints, docs) reads these and derives nothing.

use serde::Serialize;

use super::schema::{CellModel, Hardware, Model};

/// The validated configuration and everything derived from it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Params {
    pub name: String,
    pub model: Model,
    /// The hardware section with every default filled in (`window` is always `Some`).
    pub hardware: Hardware,
    pub shape: Shape,
    pub widths: Widths,
    pub cycles: Cycles,
    pub stream: StreamLayout,
    pub fixed: FixedFormats,
}

/// Array geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Shape {
    pub n_layer: usize,
    pub n_head: usize,
    /// Head dimension D = n_embd / n_head.
    pub d_head: usize,
    /// Window M, tokens.
    pub window: usize,
    /// Tile C, tokens.
    pub tile: usize,
    /// M / C sub-tiles per head.
    pub n_tiles: usize,
    /// Gain cells in the KV arrays of the whole design: 2 * layers * heads * M * D.
    pub gain_cells: u64,
}

impl Params {
    /// The technology profile (`hardware.pdk`, validated to name one).
    pub fn pdk(&self) -> &'static super::pdk::Profile {
        super::pdk::profile(&self.hardware.pdk).expect("hardware.pdk was validated")
    }
}

impl Shape {
    /// The geometry of a model and hardware section whose sizes passed validation
    /// (`window` defaults to the model's context).
    pub fn new(model: &Model, hw: &Hardware) -> Shape {
        let window = hw.window.unwrap_or(model.n_ctx);
        let d_head = model.n_embd / model.n_head;
        Shape {
            n_layer: model.n_layer as usize,
            n_head: model.n_head as usize,
            d_head: d_head as usize,
            window: window as usize,
            tile: hw.tile as usize,
            n_tiles: (window / hw.tile) as usize,
            gain_cells: 2 * model.n_layer * model.n_head * window * d_head,
        }
    }
}

/// Bit widths of the digital datapath.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Widths {
    /// Query code 0..levels.q-1 (PWM steps).
    pub q_code: u32,
    /// Key/value DAC code 0..levels.kv-1.
    pub kv_code: u32,
    /// Largest output code magnitude per tile (16 for 32 levels).
    pub out_code_max: u32,
    /// Signed per-tile output code.
    pub out_code: u32,
    /// Signed sum of the per-tile codes of one head.
    pub tile_sum: u32,
    /// Column within a tile, slot within the window, tile within the head.
    pub col: u32,
    pub slot: u32,
    pub tile_index: u32,
    /// Fill count 0..=M.
    pub fill: u32,
    pub layer: u32,
    pub head: u32,
    /// Token position carried in packet headers.
    pub position: u32,
}

/// Cycle counts of the per-token schedule (SPEC 3.2); docs/hardware-twin.md defines each.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Cycles {
    pub clock_period_ns: f64,
    /// One PWM step (T_max / (levels.q - 1)) in cycles.
    pub pwm_step: u64,
    /// Quantizer pipeline: codes of the last beat are staged this many cycles after it is
    /// accepted (data register, carry-save products, then offset, rounding and clamp).
    pub quant: u64,
    pub write: u64,
    pub qk: u64,
    pub av: u64,
    /// Output pulse readout: out_code_max PWM steps.
    pub readout: u64,
    /// Pulse-domain accumulation after the last READOUT cycle (the accumulators take the
    /// groups' sums of the last step a cycle later, gca_accumulator).
    pub accumulate: u64,
    /// Output scaler stages before the result's header beat is valid: carry-save products,
    /// then the rounded product; the header goes out while the third stage (offset and
    /// saturation) computes head 0's result, whose first data beat can follow it.
    pub scale: u64,
    /// Last input beat accepted to first result beat valid, an idle layer.
    pub decode_latency: u64,
    /// Cycles between tokens of one layer for a back-to-back stream, without overlap.
    pub prefill_serial: u64,
    /// The same with the write of token t+1 overlapping the read phases of token t.
    pub prefill_overlap: u64,
}

impl Cycles {
    /// The per-token phases in order, with their durations in cycles.
    pub fn phases(&self) -> [(&'static str, u64); 7] {
        [
            ("quant", self.quant),
            ("write", self.write),
            ("qk", self.qk),
            ("av", self.av),
            ("readout", self.readout),
            ("accumulate", self.accumulate),
            ("scale", self.scale),
        ]
    }

    /// Cycles between two tokens of one layer in a back-to-back stream, for the chosen mode.
    pub fn prefill(&self, overlap: bool) -> u64 {
        if overlap {
            self.prefill_overlap
        } else {
            self.prefill_serial
        }
    }
}

/// How packets map onto AXI4-Stream beats. Header beat: opcode/status in bits [3:0], layer in
/// [15:8], position in [47:16]. Each q, k or v vector of a head starts on a fresh beat, value d
/// in bits [in_bits*(d mod per_beat) +: in_bits].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StreamLayout {
    pub tdata_bits: u32,
    pub in_values_per_beat: usize,
    pub in_beats_per_vector: usize,
    /// Header plus q, k, v of every head of one layer.
    pub token_beats: usize,
    pub out_values_per_beat: usize,
    pub out_beats_per_head: usize,
    /// Header plus n_head x D outputs.
    pub result_beats: usize,
}

/// Fixed-point formats of the twin H and the behavioral macro (docs/hardware-twin.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FixedFormats {
    pub in_bits: u32,
    pub in_frac: u32,
    pub scaler_bits: u32,
    pub scaler_frac: u32,
    pub g_frac: u32,
    /// Signed width of a cell-table entry G.
    pub g_bits: u32,
    /// Signed width of a column score S = sum_d q_code * G.
    pub s_bits: u32,
    pub phi_frac: u32,
    /// Signed width of a tile accumulator A = sum_j phi * G.
    pub a_bits: u32,
    /// phi = clamp(round(S * 2^phi_frac / phi_den), 0, 2^phi_frac), with
    /// phi_den = round((levels.q - 1) * s_sat * 2^g_frac).
    pub phi_den: i64,
    /// Tile code = clamp(round(A * (levels.out - 1) / out_den), -max, max), with
    /// out_den = round(2 * a_sat * 2^(phi_frac + g_frac)).
    pub out_den: i64,
    pub out_bits: u32,
    pub out_frac: u32,
}

/// Bits to hold 0..=n unsigned.
pub fn bits_for(n: u64) -> u32 {
    (64 - n.leading_zeros()).max(1)
}

/// Bits to hold -n..=n as two's complement.
pub fn signed_bits_for(n: u64) -> u32 {
    bits_for(n) + 1
}

/// Bits to address 0..n-1 (at least 1).
pub fn index_bits(n: u64) -> u32 {
    bits_for(n.saturating_sub(1))
}

/// A bound on |g(u)| over the stored-voltage range, used to size the cell table.
pub fn g_bound(hw: &Hardware) -> f64 {
    let umax = hw.analog.v_off.max(hw.analog.v_max - hw.analog.v_off).abs();
    match hw.cell.model {
        CellModel::Linear => hw.cell.linear_gain.abs() * umax,
        CellModel::Polynomial => poly_by_power(&hw.cell.poly_coeffs, hw.cell.v_in)
            .iter()
            .enumerate()
            .map(|(p, a)| a.abs() * umax.powi(p as i32))
            .sum(),
    }
}

/// The polynomial cell folded to one coefficient per power of u:
/// a_p = sum_r C[p][r] * V_in^r (SPEC section 2).
pub fn poly_by_power(coeffs: &[f64], v_in: f64) -> [f64; 4] {
    let mut a = [0.0; 4];
    let mut idx = 0;
    for (p, a_p) in a.iter_mut().enumerate() {
        for r in 0..(4 - p) {
            *a_p += coeffs[idx] * v_in.powi(r as i32);
            idx += 1;
        }
    }
    a
}

/// Whole cycles for a duration in ns, rounded up (with a tolerance for float noise).
pub fn ns_to_cycles(ns: f64, clock_mhz: f64) -> u64 {
    let c = ns * clock_mhz / 1000.0;
    let r = c.round();
    if (c - r).abs() < 1e-9 {
        r as u64
    } else {
        c.ceil() as u64
    }
}

impl Params {
    /// Derives every number from a model and a hardware section that passed validation.
    pub fn derive(name: String, model: Model, mut hw: Hardware) -> Params {
        let shape = Shape::new(&model, &hw);
        let window = shape.window as u64;
        hw.window = Some(window);
        let out_code_max = ((hw.levels.out - 1) as f64 / 2.0).round_ties_even() as u64;
        let widths = Widths {
            q_code: index_bits(hw.levels.q),
            kv_code: index_bits(hw.levels.kv),
            out_code_max: out_code_max as u32,
            out_code: signed_bits_for(out_code_max),
            tile_sum: signed_bits_for(out_code_max * shape.n_tiles as u64),
            col: index_bits(hw.tile),
            slot: index_bits(window),
            tile_index: index_bits(shape.n_tiles as u64),
            fill: bits_for(window),
            layer: index_bits(model.n_layer),
            head: index_bits(model.n_head),
            position: 32,
        };
        let pwm_step = ns_to_cycles(hw.timing.t_max_ns, hw.timing.clock_mhz) / (hw.levels.q - 1);
        let t_max = pwm_step * (hw.levels.q - 1);
        let stream = stream_layout(&hw, shape);
        let mut cycles = Cycles {
            clock_period_ns: 1000.0 / hw.timing.clock_mhz,
            pwm_step,
            quant: 3,
            write: ns_to_cycles(hw.timing.t_write_ns, hw.timing.clock_mhz),
            qk: t_max,
            av: t_max,
            readout: out_code_max * pwm_step,
            accumulate: 1,
            scale: 2,
            decode_latency: 0,
            prefill_serial: 0,
            prefill_overlap: 0,
        };
        cycles.decode_latency = cycles.phases().iter().map(|p| p.1).sum();
        // Steady state of a back-to-back stream (docs/hardware-twin.md, "Schedule"): the staging
        // register frees in the first QK cycle of token t, the data beats of token t+1 are
        // accepted from that cycle on, and its write may not start before the array is idle,
        // or with overlap before token t's AV ended. The twin's event schedule is tested against
        // these formulas.
        let reads = cycles.qk + cycles.av + cycles.readout;
        let codes_ready = (stream.token_beats as u64 - 2) + cycles.quant;
        let write_from = codes_ready.max(cycles.qk + cycles.av);
        // The tail bounds the period too: a token's READOUT waits until the output scaler took
        // the previous token's H heads from the accumulators (readout + accumulate + H), and the
        // scaler takes a token once the previous result packet was sent (scale + result beats).
        let tail = (cycles.readout + cycles.accumulate + shape.n_head as u64)
            .max(cycles.scale + stream.result_beats as u64);
        cycles.prefill_overlap = reads.max(write_from + cycles.write).max(tail);
        cycles.prefill_serial = (reads.max(codes_ready) + cycles.write).max(tail);
        let fixed = fixed_formats(&hw, shape);
        Params {
            name,
            model,
            hardware: hw,
            shape,
            widths,
            cycles,
            stream,
            fixed,
        }
    }

    /// The decode latency in ns.
    pub fn decode_latency_ns(&self) -> f64 {
        self.cycles.decode_latency as f64 * self.cycles.clock_period_ns
    }
}

fn stream_layout(hw: &Hardware, shape: Shape) -> StreamLayout {
    let tdata = hw.stream.tdata_bits as usize;
    let in_per_beat = tdata / hw.stream.in_bits as usize;
    let out_per_beat = tdata / hw.stream.out_bits as usize;
    let in_beats = shape.d_head.div_ceil(in_per_beat);
    let out_beats = shape.d_head.div_ceil(out_per_beat);
    StreamLayout {
        tdata_bits: tdata as u32,
        in_values_per_beat: in_per_beat,
        in_beats_per_vector: in_beats,
        token_beats: 1 + 3 * shape.n_head * in_beats,
        out_values_per_beat: out_per_beat,
        out_beats_per_head: out_beats,
        result_beats: 1 + shape.n_head * out_beats,
    }
}

/// Widths of the twin's integers; `check_fixed_point` in validation keeps them within 62 bits.
pub fn fixed_formats(hw: &Hardware, shape: Shape) -> FixedFormats {
    let fp = hw.fixed_point;
    let g_max = (g_bound(hw) * (1u64 << fp.g_frac_bits) as f64).ceil() as u64;
    let s_max = (shape.d_head as u64)
        .saturating_mul(hw.levels.q - 1)
        .saturating_mul(g_max);
    let a_max = (shape.tile as u64) << fp.phi_frac_bits;
    FixedFormats {
        in_bits: hw.stream.in_bits as u32,
        in_frac: hw.stream.in_frac_bits as u32,
        scaler_bits: fp.scaler_bits as u32,
        scaler_frac: fp.scaler_frac_bits as u32,
        g_frac: fp.g_frac_bits as u32,
        g_bits: signed_bits_for(g_max),
        s_bits: signed_bits_for(s_max),
        phi_frac: fp.phi_frac_bits as u32,
        a_bits: signed_bits_for(a_max) + bits_for(g_max),
        phi_den: ((hw.levels.q - 1) as f64 * hw.analog.s_sat * (1u64 << fp.g_frac_bits) as f64)
            .round_ties_even() as i64,
        out_den: (2.0 * hw.analog.a_sat * (1u64 << (fp.phi_frac_bits + fp.g_frac_bits)) as f64)
            .round_ties_even() as i64,
        out_bits: hw.stream.out_bits as u32,
        out_frac: hw.stream.out_frac_bits as u32,
    }
}
