//! gca_pwm: the D read word lines of a head. The q codes are latched when the controller
//! starts QK (`load`, the cycle before the first QK cycle); during QK, row d is high while the
//! current PWM step index is below q_d: a pulse of q_d * STEP cycles from the first QK cycle.
//!
//! The word lines are registered: every row drives the same pin of all T sub-tiles, so it
//! starts at a flip-flop, computed a cycle ahead from the controller's `qk_next` and
//! `qk_step_next` (and, in the loading cycle, from the q codes being latched).

use crate::config::Params;
use crate::hdl::{e, Decl, Kind, Module, Stmt};

use super::common::header_comment;
use super::wires::clock_and_reset;

pub fn build(p: &Params) -> Module {
    let d = p.shape.d_head as u32;
    let qb = p.widths.q_code;
    let mut m = Module::new("gca_pwm");
    m.header_comment = header_comment(p, "gca_pwm: q codes to PWM read word-line pulses");
    let (clk, rst_n) = clock_and_reset(&mut m);
    m.group("From the staging register and the layer controller");
    let q_codes = m.port(
        Decl::new("q_codes", Kind::Input, d * qb).doc("q code of dimension d in bits [QB*d +: QB]"),
    );
    let load = m.port(Decl::new("load", Kind::Input, 1).doc("latch q_codes (cycle before QK)"));
    let qk_next = m.port(Decl::new("qk_next", Kind::Input, 1).doc("next cycle is a QK cycle"));
    let step =
        m.port(Decl::new("qk_step_next", Kind::Input, qb).doc("PWM step index of the next cycle"));
    m.group("Read word lines");
    let row = m.port(Decl::new("row_pulse", Kind::OutputReg, d).doc("registered"));
    let q_lat = m.decl(Decl::new("q_lat", Kind::Reg, d * qb).doc("q codes of the token in QK"));
    let mut bits = Vec::new();
    for i in (0..d).rev() {
        let lat = q_lat.slice(qb * i + qb - 1, qb * i);
        let code = q_codes.slice(qb * i + qb - 1, qb * i);
        bits.push(qk_next.land(load.mux(code, lat).gt(&step)));
    }
    // Data only: the latched codes are loaded (`load`, the cycle before QK) before a word line
    // reads them (only in QK), so they have no reset; the word lines do.
    m.seq_no_reset(
        &clk,
        vec![Stmt::if_then(
            &load,
            vec![Stmt::nonblocking(&q_lat, &q_codes)],
        )],
    );
    m.seq(
        &clk,
        &rst_n,
        vec![crate::hdl::clear(&row)],
        vec![Stmt::nonblocking(&row, e::cat(bits))],
    );
    m
}
