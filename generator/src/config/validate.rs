//! Configuration rules. Each `check_*` pass appends every violation it finds; `validate` runs
//! them all, so a user sees every problem at once. Later stages may assume what these rules
//! guarantee (ARCHITECTURE.md lists it).

use super::error::{ConfigError, ErrorCode};
use super::params::{fixed_formats, ns_to_cycles, Shape};
use super::schema::{Hardware, Model};

/// Largest supported values; beyond them the generated design or its simulation is absurd.
pub const MAX_LAYERS: u64 = 256;
pub const MAX_HEADS: u64 = 256;
pub const MAX_HEAD_DIM: u64 = 1024;
pub const MAX_WINDOW: u64 = 1 << 16;
pub const MAX_CTX: u64 = 1 << 24;
pub const MAX_GAIN_CELLS: u64 = 1 << 32;

struct Errors(Vec<ConfigError>);

impl Errors {
    fn push(&mut self, code: ErrorCode, path: &str, message: String, hint: &str) {
        self.0.push(ConfigError::new(code, path, message, hint));
    }

    fn range_u(&mut self, code: ErrorCode, path: &str, v: u64, lo: u64, hi: u64, what: &str) {
        if v < lo || v > hi {
            self.push(
                code,
                path,
                format!("{v} is out of range {lo}..={hi}"),
                &format!("set {path} to {what} between {lo} and {hi}"),
            );
        }
    }

    /// A finite real strictly inside (lo, hi] (or [lo, hi] with `closed_lo`).
    fn range_f(&mut self, code: ErrorCode, path: &str, v: f64, lo: f64, hi: f64, closed_lo: bool) {
        let ok = v.is_finite() && (if closed_lo { v >= lo } else { v > lo }) && v <= hi;
        if !ok {
            let open = if closed_lo { "[" } else { "(" };
            self.push(
                code,
                path,
                format!("{v} is outside {open}{lo}, {hi}]"),
                &format!("set {path} to a finite number in {open}{lo}, {hi}]"),
            );
        }
    }
}

/// Every rule, on a model shape and a hardware section. Empty when the configuration is valid.
pub fn validate(model: &Model, hw: &Hardware) -> Vec<ConfigError> {
    let mut e = Errors(Vec::new());
    let sizes_ok = check_model(&mut e, model);
    check_geometry(&mut e, model, hw, sizes_ok);
    check_levels(&mut e, hw);
    check_analog(&mut e, hw);
    check_timing(&mut e, hw);
    check_stream(&mut e, hw);
    check_pdk(&mut e, hw);
    if e.0.is_empty() {
        check_fixed_point(&mut e, model, hw);
    }
    e.0
}

fn check_pdk(e: &mut Errors, hw: &Hardware) {
    if super::pdk::profile(&hw.pdk).is_none() {
        e.push(
            ErrorCode::UnknownPdk,
            "hardware.pdk",
            format!("\"{}\" is not a known technology profile", hw.pdk),
            &format!("use one of: {}", super::pdk::known()),
        );
    }
}

fn check_model(e: &mut Errors, m: &Model) -> bool {
    let n = e.0.len();
    let what = "a whole number";
    e.range_u(
        ErrorCode::SizeRange,
        "model.n_layer",
        m.n_layer,
        1,
        MAX_LAYERS,
        what,
    );
    e.range_u(
        ErrorCode::SizeRange,
        "model.n_head",
        m.n_head,
        1,
        MAX_HEADS,
        what,
    );
    e.range_u(
        ErrorCode::SizeRange,
        "model.n_embd",
        m.n_embd,
        1,
        MAX_HEADS * MAX_HEAD_DIM,
        what,
    );
    e.range_u(
        ErrorCode::SizeRange,
        "model.n_ctx",
        m.n_ctx,
        1,
        MAX_CTX,
        what,
    );
    if m.n_head > 0 && !m.n_embd.is_multiple_of(m.n_head) {
        e.push(
            ErrorCode::HeadSplit,
            "model.n_embd",
            format!(
                "{} is not divisible by model.n_head ({})",
                m.n_embd, m.n_head
            ),
            "n_embd must be n_head times the head dimension",
        );
    } else if e.0.len() == n && m.n_embd / m.n_head > MAX_HEAD_DIM {
        e.push(
            ErrorCode::SizeRange,
            "model.n_embd",
            format!(
                "head dimension {} exceeds {MAX_HEAD_DIM}",
                m.n_embd / m.n_head
            ),
            "use more heads or a smaller n_embd",
        );
    }
    e.0.len() == n
}

fn check_geometry(e: &mut Errors, m: &Model, hw: &Hardware, sizes_ok: bool) {
    let window = hw.window.unwrap_or(m.n_ctx);
    e.range_u(
        ErrorCode::SizeRange,
        "hardware.window",
        window,
        1,
        MAX_WINDOW,
        "a token count",
    );
    e.range_u(
        ErrorCode::SizeRange,
        "hardware.tile",
        hw.tile,
        1,
        4096,
        "a token count",
    );
    if hw.tile > 0 && !window.is_multiple_of(hw.tile) {
        e.push(
            ErrorCode::WindowTile,
            "hardware.window",
            format!("{window} is not a multiple of hardware.tile ({})", hw.tile),
            "choose a window that is a whole number of tiles, or a tile that divides it",
        );
    }
    if window > m.n_ctx && m.n_ctx > 0 {
        e.push(
            ErrorCode::WindowContext,
            "hardware.window",
            format!(
                "a window of {window} tokens exceeds the model context model.n_ctx ({})",
                m.n_ctx
            ),
            "a window longer than the context is never filled: use at most n_ctx",
        );
    }
    if sizes_ok && m.n_embd.is_multiple_of(m.n_head) {
        let cells = 2 * m.n_layer * m.n_head * window.min(MAX_WINDOW) * (m.n_embd / m.n_head);
        if cells > MAX_GAIN_CELLS {
            e.push(
                ErrorCode::SizeRange,
                "hardware.window",
                format!("{cells} gain cells exceed the supported {MAX_GAIN_CELLS}"),
                "reduce the window, the layers or the heads",
            );
        }
    }
}

fn check_levels(e: &mut Errors, hw: &Hardware) {
    let l = hw.levels;
    let what = "a level count";
    e.range_u(ErrorCode::Levels, "hardware.levels.q", l.q, 2, 256, what);
    e.range_u(ErrorCode::Levels, "hardware.levels.kv", l.kv, 2, 256, what);
    e.range_u(
        ErrorCode::Levels,
        "hardware.levels.out",
        l.out,
        2,
        1024,
        what,
    );
}

fn check_analog(e: &mut Errors, hw: &Hardware) {
    let a = hw.analog;
    e.range_f(
        ErrorCode::Analog,
        "hardware.analog.v_max",
        a.v_max,
        0.0,
        10.0,
        false,
    );
    if !(a.v_off.is_finite() && a.v_off >= 0.0 && a.v_off <= a.v_max) {
        e.push(
            ErrorCode::Analog,
            "hardware.analog.v_off",
            format!("{} is outside [0, v_max = {}]", a.v_off, a.v_max),
            "the offset voltage lies within the stored-voltage range",
        );
    }
    e.range_f(
        ErrorCode::Analog,
        "hardware.analog.s_sat",
        a.s_sat,
        0.0,
        1e6,
        false,
    );
    e.range_f(
        ErrorCode::Analog,
        "hardware.analog.a_sat",
        a.a_sat,
        0.0,
        1e6,
        false,
    );
    let c = &hw.cell;
    if !(c.linear_gain.is_finite() && c.linear_gain != 0.0 && c.linear_gain.abs() <= 1e4) {
        e.push(
            ErrorCode::Cell,
            "hardware.cell.linear_gain",
            format!(
                "{} is not a finite non-zero gain of at most 1e4",
                c.linear_gain
            ),
            "the paper's linear cell has gain 19.3",
        );
    }
    if c.poly_coeffs.len() != 10 {
        e.push(
            ErrorCode::Cell,
            "hardware.cell.poly_coeffs",
            format!("{} coefficients given, 10 expected", c.poly_coeffs.len()),
            "give C[p][r] for (p,r) = (0,0),(0,1),(0,2),(0,3),(1,0),(1,1),(1,2),(2,0),(2,1),(3,0)",
        );
    } else if c
        .poly_coeffs
        .iter()
        .any(|x| !x.is_finite() || x.abs() > 1e4)
    {
        e.push(
            ErrorCode::Cell,
            "hardware.cell.poly_coeffs",
            "a coefficient is not finite or exceeds 1e4 in magnitude".to_string(),
            "give finite coefficients of a fitted cell model",
        );
    }
    e.range_f(
        ErrorCode::Cell,
        "hardware.cell.v_in",
        c.v_in,
        0.0,
        10.0,
        false,
    );
    if !(hw.decay_per_token.is_finite() && (0.0..1.0).contains(&hw.decay_per_token)) {
        e.push(
            ErrorCode::Decay,
            "hardware.decay_per_token",
            format!("{} is outside [0, 1)", hw.decay_per_token),
            "0 disables decay; the paper's fine-tuning used 1.6e-4",
        );
    }
}

fn check_timing(e: &mut Errors, hw: &Hardware) {
    let t = hw.timing;
    let n = e.0.len();
    e.range_f(
        ErrorCode::Timing,
        "hardware.timing.clock_mhz",
        t.clock_mhz,
        0.0,
        10_000.0,
        false,
    );
    e.range_f(
        ErrorCode::Timing,
        "hardware.timing.t_max_ns",
        t.t_max_ns,
        0.0,
        1e5,
        false,
    );
    e.range_f(
        ErrorCode::Timing,
        "hardware.timing.t_write_ns",
        t.t_write_ns,
        0.0,
        1e5,
        false,
    );
    if e.0.len() != n || !(2..=256).contains(&hw.levels.q) {
        return;
    }
    let steps = (hw.levels.q - 1) as f64;
    let step_cycles = t.t_max_ns * t.clock_mhz / 1000.0 / steps;
    let whole = step_cycles.round();
    if whole < 1.0 || (step_cycles - whole).abs() > 1e-9 {
        let period = 1000.0 / t.clock_mhz;
        e.push(
            ErrorCode::PwmStep,
            "hardware.timing.t_max_ns",
            format!(
                "the PWM step t_max_ns / (levels.q - 1) = {} ns is {step_cycles} clock cycles of {period} ns, not a whole number",
                t.t_max_ns / steps
            ),
            &format!(
                "make t_max_ns a multiple of (levels.q - 1) x {period} ns, e.g. {} ns, or change clock_mhz",
                whole.max(1.0) * steps * period
            ),
        );
    } else if whole * steps > 1e5 || ns_to_cycles(t.t_write_ns, t.clock_mhz) > 100_000 {
        e.push(
            ErrorCode::Timing,
            "hardware.timing",
            "a phase lasts more than 100000 cycles".to_string(),
            "shorten t_max_ns or t_write_ns, or lower clock_mhz",
        );
    }
}

fn check_stream(e: &mut Errors, hw: &Hardware) {
    let s = hw.stream;
    let what = "a bit count";
    e.range_u(
        ErrorCode::Stream,
        "hardware.stream.in_bits",
        s.in_bits,
        2,
        32,
        what,
    );
    e.range_u(
        ErrorCode::Stream,
        "hardware.stream.out_bits",
        s.out_bits,
        2,
        32,
        what,
    );
    if s.in_frac_bits >= s.in_bits.max(1) {
        e.push(
            ErrorCode::Stream,
            "hardware.stream.in_frac_bits",
            format!(
                "{} leaves no integer bit in {} input bits",
                s.in_frac_bits, s.in_bits
            ),
            "use fewer fractional bits than in_bits (sign bit included)",
        );
    }
    if s.out_frac_bits >= s.out_bits.max(1) {
        e.push(
            ErrorCode::Stream,
            "hardware.stream.out_frac_bits",
            format!(
                "{} leaves no integer bit in {} output bits",
                s.out_frac_bits, s.out_bits
            ),
            "use fewer fractional bits than out_bits (sign bit included)",
        );
    }
    if !(64..=4096).contains(&s.tdata_bits) || !s.tdata_bits.is_multiple_of(8) {
        e.push(
            ErrorCode::Stream,
            "hardware.stream.tdata_bits",
            format!(
                "{} is not a whole number of bytes from 64 to 4096",
                s.tdata_bits
            ),
            "the header beat needs 48 bits; AXI4-Stream TDATA is whole bytes (e.g. 64, 256, 512)",
        );
    }
}

fn check_fixed_point(e: &mut Errors, m: &Model, hw: &Hardware) {
    let fp = hw.fixed_point;
    e.range_u(
        ErrorCode::FixedPoint,
        "hardware.fixed_point.scaler_bits",
        fp.scaler_bits,
        4,
        32,
        "a bit count",
    );
    if fp.scaler_frac_bits >= fp.scaler_bits {
        e.push(
            ErrorCode::FixedPoint,
            "hardware.fixed_point.scaler_frac_bits",
            format!(
                "{} leaves no integer bit in {} scaler bits",
                fp.scaler_frac_bits, fp.scaler_bits
            ),
            "use fewer fractional bits than scaler_bits",
        );
    }
    e.range_u(
        ErrorCode::FixedPoint,
        "hardware.fixed_point.g_frac_bits",
        fp.g_frac_bits,
        4,
        24,
        "a bit count",
    );
    e.range_u(
        ErrorCode::FixedPoint,
        "hardware.fixed_point.phi_frac_bits",
        fp.phi_frac_bits,
        4,
        24,
        "a bit count",
    );
    if !e.0.is_empty() {
        return;
    }
    let f = fixed_formats(hw, Shape::new(m, hw));
    let limit = 2f64.powi(62);
    let frac = 2f64.powi((fp.phi_frac_bits + fp.g_frac_bits) as i32);
    let out_den = 2.0 * hw.analog.a_sat * frac;
    let phi_den = (hw.levels.q - 1) as f64 * hw.analog.s_sat * 2f64.powi(fp.g_frac_bits as i32);
    if out_den >= limit || phi_den >= limit {
        e.push(
            ErrorCode::FixedPoint,
            "hardware.fixed_point",
            format!(
                "the saturation divisors need more than 62 bits (A: {out_den:e}, S: {phi_den:e})"
            ),
            "lower a_sat or s_sat, g_frac_bits or phi_frac_bits",
        );
    }
    if f.a_bits > 62 || f.s_bits > 62 {
        e.push(
            ErrorCode::FixedPoint,
            "hardware.fixed_point",
            format!("the tile accumulator needs {} bits and the score {} bits; at most 62 are supported", f.a_bits, f.s_bits),
            "lower g_frac_bits or phi_frac_bits",
        );
    }
}
