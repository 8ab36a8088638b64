//! The SDC of `gca_top`: clock, input and output delays of the stream and CSR ports as
//! fractions of the period, driving cell and load, clock uncertainty, the reset as a false
//! path, and the macro's budget stated next to them (`budget.rs`).

use askama::Template;

use crate::config::Params;
use crate::hdl::Kind;
use crate::rtl::{self, header_comment};

use super::budget::{self, num, Budget};

#[derive(Template)]
#[template(path = "gca_top.sdc")]
struct Sdc {
    header: Vec<String>,
    mhz: String,
    period: String,
    in_pct: String,
    out_pct: String,
    unc_pct: String,
    in_frac: String,
    out_frac: String,
    unc_frac: String,
    inputs: Vec<String>,
    outputs: Vec<String>,
    library: &'static str,
    driving_cell: &'static str,
    driving_pin: &'static str,
    load: String,
    n_macros: usize,
    setup: String,
    hold: String,
    clk_to_out: String,
    into: String,
    out_of: String,
}

/// The data ports of `gca_top` (every port but `clk` and `rst_n`): (inputs, outputs).
pub(crate) fn top_data_ports(p: &Params) -> (Vec<String>, Vec<String>) {
    let top = rtl::top::build(p);
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for q in top.ports.iter().flat_map(|g| g.ports.iter()) {
        let name = q.name.as_str().to_string();
        match q.kind {
            Kind::Input if name != "clk" && name != "rst_n" => inputs.push(name),
            Kind::Output | Kind::OutputReg => outputs.push(name),
            _ => {}
        }
    }
    (inputs, outputs)
}

pub(crate) fn sdc(p: &Params) -> String {
    let b = Budget::new(p);
    let (inputs, outputs) = top_data_ports(p);
    let pct = |f: f64| num(f * 100.0);
    let view = Sdc {
        header: header_comment(p, "Timing constraints of gca_top (SDC)."),
        mhz: num(p.hardware.timing.clock_mhz),
        period: num(b.period_ns),
        in_pct: pct(budget::INPUT_DELAY_FRACTION),
        out_pct: pct(budget::OUTPUT_DELAY_FRACTION),
        unc_pct: pct(budget::UNCERTAINTY_FRACTION),
        in_frac: num(budget::INPUT_DELAY_FRACTION),
        out_frac: num(budget::OUTPUT_DELAY_FRACTION),
        unc_frac: num(budget::UNCERTAINTY_FRACTION),
        inputs,
        outputs,
        library: p.pdk().description,
        driving_cell: p.pdk().driving_cell,
        driving_pin: p.pdk().driving_pin,
        load: num(p.pdk().output_load_pf),
        n_macros: p.shape.n_layer * p.shape.n_head * p.shape.n_tiles,
        setup: num(b.macro_setup_ns),
        hold: num(b.macro_hold_ns),
        clk_to_out: num(b.macro_clk_to_out_ns),
        into: num(b.period_ns - b.uncertainty_ns - b.macro_setup_ns),
        out_of: num(b.period_ns - b.uncertainty_ns - b.macro_clk_to_out_ns),
    };
    crate::asic::render(&view, "SDC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_delays_and_reset_from_the_parameters() {
        let p = crate::config::load("tiny").unwrap();
        let text = sdc(&p);
        assert!(text.contains("if {![info exists gca_period]} { set gca_period 1 }\n"));
        assert!(text.contains("create_clock -name clk -period $gca_period [get_ports clk]"));
        assert!(text.contains("set_clock_uncertainty [expr {0.05 * $gca_period}] [get_clocks clk]"));
        assert!(text.contains("set_input_delay [expr {0.2 * $gca_period}] -clock clk"));
        assert!(text.contains("set_output_delay [expr {0.2 * $gca_period}] -clock clk"));
        assert!(text.contains("set_false_path -from [get_ports rst_n]"));
        assert!(text.contains("setup 0.1 ns"));
        assert!(text.contains("a path into the macro has 0.85 ns"));
    }

    #[test]
    fn every_data_port_is_constrained_once() {
        let p = crate::config::load("gpt2").unwrap();
        let (inputs, outputs) = top_data_ports(&p);
        for n in [
            "s_axis_tdata",
            "s_axis_tvalid",
            "m_axis_tready",
            "s_axil_awaddr",
        ] {
            assert!(inputs.iter().any(|x| x == n), "{n}");
        }
        for n in ["s_axis_tready", "m_axis_tdata", "s_axil_rdata", "irq"] {
            assert!(outputs.iter().any(|x| x == n), "{n}");
        }
        let text = sdc(&p);
        let line = |prefix: &str| -> Vec<String> {
            let l = text.lines().find(|l| l.starts_with(prefix)).unwrap();
            let inner = l.trim_start_matches(prefix).trim_end_matches(']');
            inner.split_whitespace().map(str::to_string).collect()
        };
        assert_eq!(line("set gca_inputs [list "), inputs);
        assert_eq!(line("set gca_outputs [list "), outputs);
    }

    #[test]
    fn period_follows_the_clock() {
        let mut p = crate::config::load("tiny").unwrap();
        p.hardware.timing.clock_mhz = 500.0;
        p.cycles.clock_period_ns = 2.0;
        let text = sdc(&p);
        assert!(text.contains("{ set gca_period 2 }\n"));
        assert!(text.contains("At 2 ns a path into the macro has 1.7 ns"));
    }
}
