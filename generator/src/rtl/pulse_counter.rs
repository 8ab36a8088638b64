//! gca_pulse_counter: one signed counter per tile and dimension that turns the macro's output
//! pulses into codes. `clear` (first READOUT cycle) starts from zero; `count` (last cycle of
//! every PWM step of READOUT) adds +1 or -1 for each pulse that is high. The counters keep
//! their value until the next READOUT, so the adder tree may take them later.

use crate::config::Params;
use crate::hdl::{e, Decl, Kind, Module, Stmt};

use super::common::header_comment;
use super::wires::clock_only;

pub fn build(p: &Params) -> Module {
    let (t, d) = (p.shape.n_tiles as u32, p.shape.d_head as u32);
    let cw = p.widths.out_code;
    let mut m = Module::new("gca_pulse_counter");
    m.header_comment = header_comment(
        p,
        "gca_pulse_counter: output pulses to signed per-tile codes",
    );
    let clk = clock_only(&mut m);
    m.group("From the macros and the layer controller");
    let pulse =
        m.port(Decl::new("pulse", Kind::Input, t * d).doc("tile t, dimension d at bit D*t + d"));
    let sign = m.port(Decl::new("sign", Kind::Input, t * d).doc("1: the pulse counts down"));
    let clear = m.port(Decl::new("clear", Kind::Input, 1).doc("first READOUT cycle"));
    let count =
        m.port(Decl::new("count", Kind::Input, 1).doc("last cycle of a PWM step in READOUT"));
    m.group("Codes");
    let codes = m.output("codes", t * d * cw);
    let one_cycle_steps = p.cycles.pwm_step == 1;
    let mut outs = Vec::new();
    let mut body = Vec::new();
    for i in 0..t * d {
        let c = m.decl(Decl::new(&format!("cnt{i}"), Kind::Reg, cw).signed());
        let step = pulse.bit(i).mux(
            sign.bit(i).mux(e::slit(cw, -1), e::slit(cw, 1)),
            e::slit(cw, 0),
        );
        let base = clear.mux(e::slit(cw, 0), &c);
        // With one-cycle PWM steps every READOUT cycle ends a step: `count` is high whenever
        // `clear` is (both from the controller's phase, docs/rtl.md), so there is no
        // clear-without-count branch to build.
        let next = if one_cycle_steps {
            base.add(step)
        } else {
            count.mux(base.clone().add(step), base)
        };
        body.push(Stmt::nonblocking(&c, next));
        outs.push(c.e());
    }
    let active = if one_cycle_steps {
        count.e()
    } else {
        clear.lor(&count)
    };
    // Data only: the first READOUT cycle clears every count before it is counted or read.
    m.seq_no_reset(&clk, vec![Stmt::if_then(active, body)]);
    outs.reverse();
    m.assign(&codes, e::cat(outs));
    m
}
