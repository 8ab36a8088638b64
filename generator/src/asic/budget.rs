//! The timing budget of a configuration: one place for every number the SDC and the macro's
//! Liberty file state, as fractions of the clock period (docs/flow.md, "Constraints").

use crate::config::Params;

/// Input delay of the stream and CSR ports: the logic outside the block uses this fraction of
/// the period before the inputs arrive.
pub const INPUT_DELAY_FRACTION: f64 = 0.2;
/// Output delay of the stream and CSR ports: the logic outside needs this fraction of the
/// period after the outputs leave.
pub const OUTPUT_DELAY_FRACTION: f64 = 0.2;
/// Clock uncertainty (jitter and, before clock-tree synthesis, skew).
pub const UNCERTAINTY_FRACTION: f64 = 0.05;
/// Setup time of the macro's inputs before the rising edge of its `clk`.
pub const MACRO_SETUP_FRACTION: f64 = 0.1;
/// Hold time of the macro's inputs after the rising edge.
pub const MACRO_HOLD_FRACTION: f64 = 0.02;
/// Clock-to-output delay of the macro's outputs (`out_pulse`, `out_sign`).
pub const MACRO_CLK_TO_OUT_FRACTION: f64 = 0.2;

// The driving cell of the inputs and the load on the outputs belong to the technology
// profile (`config::pdk::Profile::driving_cell`, `output_load_pf`).
/// Input capacitance of the macro's pins, pF: the clock, the PWM word-line drivers (one per
/// row, shared by all tiles of a head), and every other input.
pub const MACRO_CLK_CAP_PF: f64 = 0.005;
pub const MACRO_ROW_CAP_PF: f64 = 0.004;
pub const MACRO_PIN_CAP_PF: f64 = 0.002;
/// Largest load the macro's outputs drive, pF, and their transition time, ns.
pub const MACRO_MAX_LOAD_PF: f64 = 0.05;
pub const MACRO_OUT_TRANSITION_NS: f64 = 0.04;

/// The budget of one configuration, in ns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    pub period_ns: f64,
    pub input_delay_ns: f64,
    pub output_delay_ns: f64,
    pub uncertainty_ns: f64,
    pub macro_setup_ns: f64,
    pub macro_hold_ns: f64,
    pub macro_clk_to_out_ns: f64,
}

impl Budget {
    pub fn new(p: &Params) -> Self {
        Self::for_period(p.cycles.clock_period_ns)
    }

    /// The budget at another period (the same fractions).
    pub fn for_period(period_ns: f64) -> Self {
        Self {
            period_ns,
            input_delay_ns: INPUT_DELAY_FRACTION * period_ns,
            output_delay_ns: OUTPUT_DELAY_FRACTION * period_ns,
            uncertainty_ns: UNCERTAINTY_FRACTION * period_ns,
            macro_setup_ns: MACRO_SETUP_FRACTION * period_ns,
            macro_hold_ns: MACRO_HOLD_FRACTION * period_ns,
            macro_clk_to_out_ns: MACRO_CLK_TO_OUT_FRACTION * period_ns,
        }
    }
}

/// A time or capacitance as the constraint files print it: at most four decimals, no
/// trailing zeros (`1`, `0.2`, `0.0125`).
pub fn num(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_of_one_ns() {
        let b = Budget::for_period(1.0);
        assert_eq!(num(b.input_delay_ns), "0.2");
        assert_eq!(num(b.uncertainty_ns), "0.05");
        assert_eq!(num(b.macro_hold_ns), "0.02");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(0.0), "0");
    }
}
