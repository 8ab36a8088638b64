//! gca_pulse_counter: one signed counter per tile and dimension that turns the macro's output
//! pulses into codes. `clear` (first READOUT cycle) starts from zero; `count` (last cycle of
//! every PWM step of READOUT) adds +1 or -1 for each pulse that is high. The counters keep
//! their value until the next READOUT, so the adder tree may take them later.

use crate::config::Params;
use crate::hdl::{e, Decl, Kind, Module, Stmt};

use super::common::header_comment;
use super::wires::clock_and_reset;

pub fn build(p: &Params) -> Module {
    let (t, d) = (p.shape.n_tiles as u32, p.shape.d_head as u32);
    let cw = p.widths.out_code;
    let mut m = Module::new("gca_pulse_counter");
    m.header_comment = header_comment(
        p,
        "gca_pulse_counter: output pulses to signed per-tile codes",
    );
    let (clk, rst_n) = clock_and_reset(&mut m);
    m.group("From the macros and the layer controller");
    let pulse =
        m.port(Decl::new("pulse", Kind::Input, t * d).doc("tile t, dimension d at bit D*t + d"));
    let sign = m.port(Decl::new("sign", Kind::Input, t * d).doc("1: the pulse counts down"));
    let clear = m.port(Decl::new("clear", Kind::Input, 1).doc("first READOUT cycle"));
    let count =
        m.port(Decl::new("count", Kind::Input, 1).doc("last cycle of a PWM step in READOUT"));
    m.group("Codes");
    let codes = m.output("codes", t * d * cw);
    let mut outs = Vec::new();
    let mut reset = Vec::new();
    let mut body = Vec::new();
    for i in 0..t * d {
        let c = m.decl(Decl::new(&format!("cnt{i}"), Kind::Reg, cw).signed());
        let step = pulse.bit(i).mux(
            sign.bit(i).mux(e::slit(cw, -1), e::slit(cw, 1)),
            e::slit(cw, 0),
        );
        let base = clear.mux(e::slit(cw, 0), &c);
        let next = count.mux(base.clone().add(step), base);
        reset.push(crate::hdl::clear(&c));
        body.push(Stmt::nonblocking(&c, next));
        outs.push(c.e());
    }
    let active = clear.lor(&count);
    m.seq(&clk, &rst_n, reset, vec![Stmt::if_then(active, body)]);
    outs.reverse();
    m.assign(&codes, e::cat(outs));
    m
}
