//! gca_pwm: the D read word lines of a head. The q codes are latched when QK is about to start
//! (`load`, the cycle before the first QK cycle); during QK, row d is high while the current PWM
//! step index is below q_d: a pulse of q_d * STEP cycles from the first QK cycle.
//!
//! The word lines are registered: every row drives the same pin of all T sub-tiles, so it
//! starts at a flip-flop. Their next values come from this generator's own registers only: its
//! copy of the QK phase and step index (`on`, `step`, `sub`), advanced here from `load`, which
//! the head registers from the controller's prediction (`pwm_load_next`). No signal of the
//! controller fans out to the D comparators of every head.

use crate::config::{index_bits, Params};
use crate::hdl::{clear, e, Decl, Kind, Module, Stmt};

use super::common::header_comment;
use super::wires::{clock_and_reset, let_wire};

pub fn build(p: &Params) -> Module {
    let d = p.shape.d_head as u32;
    let qb = p.widths.q_code;
    let pwm_step = p.cycles.pwm_step;
    let steps = p.hardware.levels.q - 1;
    let mut m = Module::new("gca_pwm");
    m.header_comment = header_comment(p, "gca_pwm: q codes to PWM read word-line pulses");
    let (clk, rst_n) = clock_and_reset(&mut m);
    m.group("From the staging register and the head's copy of the controller's timing");
    let q_codes = m.port(
        Decl::new("q_codes", Kind::Input, d * qb).doc("q code of dimension d in bits [QB*d +: QB]"),
    );
    let load = m.port(
        Decl::new("load", Kind::Input, 1).doc("latch q_codes: QK starts next cycle (registered)"),
    );
    m.group("Read word lines");
    let row = m.port(Decl::new("row_pulse", Kind::OutputReg, d).doc("registered"));
    let q_lat = m.decl(Decl::new("q_lat", Kind::Reg, d * qb).doc("q codes of the token in QK"));
    let on = m.decl(Decl::new("on", Kind::Reg, 1).doc("a QK cycle"));
    let step = m.decl(Decl::new("step", Kind::Reg, qb).doc("its PWM step index"));
    // The step's last cycle (every cycle with one-cycle steps), and the next cycle's phase
    // and step index.
    let at_last = step.eq(e::lit(qb, steps as u128 - 1));
    let (last, advance, sub_next) = if pwm_step == 1 {
        (at_last, on.e(), None)
    } else {
        let sb = index_bits(pwm_step);
        let sub = m.decl(Decl::new("sub", Kind::Reg, sb).doc("cycle within the step"));
        let end = let_wire(&mut m, "step_end", sub.eq(e::lit(sb, pwm_step as u128 - 1)));
        // Counted in QK only (held otherwise: no toggling between tokens).
        let next = load.mux(
            e::lit(sb, 0),
            on.mux(end.mux(e::lit(sb, 0), sub.add(e::lit(sb, 1))), sub.e()),
        );
        (at_last.land(&end), on.land(&end), Some((sub, next)))
    };
    let on_next = let_wire(&mut m, "on_next", load.lor(on.land(last.lnot())));
    let step_next = let_wire(
        &mut m,
        "step_next",
        load.mux(
            e::lit(qb, 0),
            advance.mux(step.add(e::lit(qb, 1)), step.e()),
        ),
    );
    let mut bits = Vec::new();
    for i in (0..d).rev() {
        let lat = q_lat.slice(qb * i + qb - 1, qb * i);
        let code = q_codes.slice(qb * i + qb - 1, qb * i);
        bits.push(on_next.land(load.mux(code, lat).gt(&step_next)));
    }
    // Data only: the latched codes are loaded (`load`, the cycle before QK) before a word line
    // reads them (only in QK), so they have no reset; the word lines and the phase do.
    m.seq_no_reset(
        &clk,
        vec![Stmt::if_then(
            &load,
            vec![Stmt::nonblocking(&q_lat, &q_codes)],
        )],
    );
    let mut reset = vec![clear(&row), clear(&on), clear(&step)];
    let mut body = vec![
        Stmt::nonblocking(&row, e::cat(bits)),
        Stmt::nonblocking(&on, &on_next),
        Stmt::nonblocking(&step, &step_next),
    ];
    if let Some((sub, next)) = sub_next {
        reset.push(clear(&sub));
        body.push(Stmt::nonblocking(&sub, next));
    }
    m.seq(&clk, &rst_n, reset, body);
    m
}
