//! gca_clock_gate: the integrated clock gate of the registers that hold their value for most
//! of a token (docs/rtl.md, "Clock gating"). `gclk` pulses in the cycles whose `en` was 1 just
//! before the rising edge: a latch transparent while `clk` is low holds `en` through the high
//! phase, so a change of `en` after the edge cannot cut or add a pulse. This is the function of
//! a library's latch-based gate (Nangate's `CLKGATE_X1`, `clock_gating_integrated_cell :
//! latch_posedge`), which `gca flow` maps it to; other flows synthesize the latch and the AND.
//!
//! A register behind a gate loads in exactly the cycles its enable is 1, the same as
//! `if (en) r <= d` on `clk`, without the multiplexer and without clocking its pins in the
//! other cycles. The enable must be synchronous to `clk` and settled before the edge: it comes
//! from registers of `clk`, or (the quantizer's `load`, the ingress's `beat_valid`) from the
//! stream handshake; static timing checks it against the gate's setup (the clock gating
//! check of the library's cell).

use crate::config::pdk::ClockGateCell;
use crate::config::Params;
use crate::hdl::{Decl, Instance, Kind, Module, Signal, Stmt};

use super::common::header_comment;

pub const MODULE: &str = "gca_clock_gate";

pub fn build(p: &Params) -> Module {
    let mut m = Module::new(MODULE);
    m.header_comment = header_comment(
        p,
        "gca_clock_gate: latch-based clock gate (a library ICG cell in synthesis)",
    );
    let (clk, en, gclk) = ports(&mut m);
    let en_l = m.decl(Decl::new("en_l", Kind::Reg, 1).doc("en, held while clk is high"));
    m.latch(clk.lnot(), vec![Stmt::blocking(&en_l, &en)]);
    m.assign(&gclk, clk.and(&en_l));
    m
}

/// The ports of both forms of the module: `clk`, `en`, `gclk`.
fn ports(m: &mut Module) -> (Signal, Signal, Signal) {
    let clk = m.port(Decl::new("clk", Kind::Input, 1).doc("free-running clock"));
    let en = m
        .port(Decl::new("en", Kind::Input, 1).doc("pulse gclk in this cycle (synchronous to clk)"));
    let gclk = m
        .port(Decl::new("gclk", Kind::Output, 1).doc("clk in the cycles en was 1 before the edge"));
    (clk, en, gclk)
}

/// `gca_clock_gate` as one instance (`u_icg`) of the profile's library gate: the file the
/// LibreLane and ORFS configurations compile instead of the behavioral latch and AND, so that
/// place and route sees a clock gate cell (its clock gating check, CTS through it) rather than
/// a latch and a gate on the clock. Same ports, same function (tests/handoff.rs simulates the
/// Nangate one against the twin).
pub fn library_cell(p: &Params, icg: &ClockGateCell) -> Module {
    let mut m = Module::new(MODULE);
    m.header_comment = header_comment(
        p,
        &format!(
            "gca_clock_gate for place and route: the library's clock gate {}",
            icg.cell
        ),
    );
    let (clk, en, gclk) = ports(&mut m);
    m.instance(
        Instance::new(icg.cell, "u_icg")
            .pin(icg.clk, &clk)
            .pin(icg.en, &en)
            .pin(icg.gclk, &gclk),
    );
    m
}

/// A gate in `m` for registers with an asynchronous reset: open while `rst_n` is low too
/// (enable `cg_<name>_en = en | !rst_n`). Silicon resets such a flip-flop on the level of
/// its reset pin; a simulator runs `always @(posedge gclk or negedge rst_n)` only on an edge,
/// and a reset that is low from time 0 has none: the clock edges in reset do it, as they do
/// on the free-running clock (a CSR whose scalers stayed 0 after reset in Verilator, while
/// the closed gate gave no edge, is how this was found).
pub fn gate_reset(m: &mut Module, clk: &Signal, rst_n: &Signal, name: &str, en: &Signal) -> Signal {
    let open = m.decl(
        Decl::new(&format!("cg_{name}_en"), Kind::Wire, 1).doc(&format!("{} or in reset", en.name)),
    );
    m.assign(&open, en.lor(rst_n.lnot()));
    gate(m, clk, name, &open)
}

/// A gate in `m`: wire `gclk_<name>` driven by instance `u_cg_<name>` from `clk` and `en`.
/// The registers clocked by it load in exactly the cycles `en` is 1. For registers without
/// reset; [`gate_reset`] for those with one.
pub fn gate(m: &mut Module, clk: &Signal, name: &str, en: &Signal) -> Signal {
    let gclk = m.decl(
        Decl::new(&format!("gclk_{name}"), Kind::Wire, 1)
            .doc(&format!("clk in the cycles {} is 1", en.name)),
    );
    m.instance(
        Instance::new(MODULE, &format!("u_cg_{name}"))
            .pin("clk", clk)
            .pin("en", en)
            .pin("gclk", &gclk),
    );
    gclk
}
