//! gca_accumulator: the head's output pulses summed in the pulse domain. One signed accumulator
//! per dimension counts +1 or -1 for every tile whose pulse is high at the end of a READOUT PWM
//! step, so it ends the READOUT holding the sum of the tiles' codes: the per-tile counters and
//! the adder tree over the tiles are not needed (docs/rtl.md, "Accumulation").
//!
//! Two stages, so that each fits a cycle at 1 GHz:
//! 1. in the last cycle of a step (`count`), `part<g>_<d>` registers the signed sum of the pulses
//!    of the tiles of group g (up to [`GROUP`] tiles) in dimension d, each tile's pulse a
//!    signed value `{down x (W-1), pulse}`;
//! 2. a cycle later `acc<d>` adds the groups' sums, starting from 0 at the first step (`clear`
//!    a cycle earlier).
//!
//! The sums are complete one cycle after the last READOUT cycle and hold until the next
//! READOUT's first accumulation.

use crate::config::{signed_bits_for, Params};
use crate::hdl::{e, Decl, Kind, Module, Signal, Stmt};

use super::clock_gate::gate;
use super::common::header_comment;
use super::wires::{clock_only, let_wire};

/// Tiles per group of stage 1: six keeps both stages within a 1 GHz cycle on Nangate 45 nm
/// with the macro's outputs 0.2 ns after the edge (gpt2-head, 16 tiles: slack 0.235 ns in
/// stage 1, 0.145 ns in stage 2, 1,410 flip-flops; groups of four left 0.004 ns, of eight 0.007 ns).
pub const GROUP: usize = 6;

/// The groups of stage 1: tile ranges.
fn groups(n_tiles: usize) -> Vec<std::ops::Range<usize>> {
    (0..n_tiles)
        .step_by(GROUP)
        .map(|lo| lo..(lo + GROUP).min(n_tiles))
        .collect()
}

pub fn build(p: &Params) -> Module {
    let (t, d) = (p.shape.n_tiles, p.shape.d_head as u32);
    let sw = p.widths.tile_sum;
    let mut m = Module::new("gca_accumulator");
    m.header_comment = header_comment(
        p,
        "gca_accumulator: output pulses summed over the tiles, one accumulator a dimension",
    );
    let clk = clock_only(&mut m);
    m.group("From the macros and the layer controller");
    let pulse: Vec<Signal> = (0..t)
        .map(|x| m.port(Decl::new(&format!("pulse{x}"), Kind::Input, d).doc("tile's pulses")))
        .collect();
    let sign: Vec<Signal> = (0..t)
        .map(|x| m.port(Decl::new(&format!("sign{x}"), Kind::Input, d).doc("1: counts down")))
        .collect();
    let clear = m.port(Decl::new("clear", Kind::Input, 1).doc("first READOUT cycle"));
    let count_en =
        m.port(Decl::new("count", Kind::Input, 1).doc("last cycle of a PWM step in READOUT"));
    m.group("Sums");
    let sums = m.port(
        Decl::new("sums", Kind::OutputReg, d * sw).doc("dimension d at [SW*d +: SW], signed"),
    );

    // Per tile: the dimensions whose pulse counts down.
    let dn: Vec<Signal> = (0..t)
        .map(|tile| let_wire(&mut m, &format!("dn{tile}"), pulse[tile].and(&sign[tile])))
        .collect();

    // Stage 1: the signed sum of each group's pulses, registered at the end of a step.
    let groups = groups(t);
    let mut stage1 = Vec::new();
    let mut parts: Vec<Vec<Signal>> = Vec::new();
    for (g, tiles) in groups.iter().enumerate() {
        let cw = signed_bits_for(tiles.len() as u64);
        let mut per_dim = Vec::new();
        for dim in 0..d {
            let r = m.decl(Decl::new(&format!("part{g}_{dim}"), Kind::Reg, cw).signed());
            // Each tile's pulse as a signed value (+1, -1 or 0: {down x CW-1, pulse}), summed
            // (two's complement bits: the register is signed).
            let sum = tiles
                .clone()
                .map(|x| {
                    let dn = dn[x].bit(dim);
                    e::cat(vec![e::rep(cw - 1, dn), pulse[x].bit(dim)])
                })
                .reduce(|a, b| a.add(b))
                .expect("a group has a tile");
            stage1.push(Stmt::nonblocking(&r, sum));
            per_dim.push(r);
        }
        parts.push(per_dim);
    }
    // Stage 2 controls: stage 1's, a cycle later.
    let clear_d = m.decl(Decl::new("clear_d", Kind::Reg, 1).doc("clear, a cycle later"));
    let count_d = m.decl(Decl::new("count_d", Kind::Reg, 1).doc("count, a cycle later"));
    m.seq_no_reset(
        &clk,
        vec![
            Stmt::nonblocking(&clear_d, &clear),
            Stmt::nonblocking(&count_d, &count_en),
        ],
    );
    // The stages load only in READOUT, on gated clocks (gca_clock_gate).
    let gclk_count = gate(&mut m, &clk, "count", &count_en);
    m.seq_no_reset(&gclk_count, stage1);

    // Stage 2: the accumulators.
    let one_cycle_steps = p.cycles.pwm_step == 1;
    let mut body = Vec::new();
    let mut outs = Vec::new();
    for dim in 0..d {
        let acc = m.decl(Decl::new(&format!("acc{dim}"), Kind::Reg, sw).signed());
        let step = parts
            .iter()
            .map(|g| e::sext(&g[dim as usize], sw))
            .reduce(|a, b| a.add(b))
            .expect("a group");
        let base = clear_d.mux(e::slit(sw, 0), &acc);
        // With one-cycle PWM steps every READOUT cycle ends a step: `count` is high whenever
        // `clear` is, so there is no clear-without-count branch to build.
        let next = if one_cycle_steps {
            base.add(step)
        } else {
            count_d.mux(base.clone().add(step), base)
        };
        body.push(Stmt::nonblocking(&acc, next));
        outs.push(acc.e());
    }
    let active = if one_cycle_steps {
        count_d.clone()
    } else {
        let_wire(&mut m, "acc_en", clear_d.lor(&count_d))
    };
    // Data only: the first accumulation of a READOUT starts from 0 before anything reads them.
    let gclk_acc = gate(&mut m, &clk, "acc", &active);
    m.seq_no_reset(&gclk_acc, body);
    // The sums, one dimension a line (every bit is assigned below the default).
    let mut comb = vec![Stmt::blocking(&sums, e::lit(d * sw, 0))];
    comb.extend(outs.into_iter().enumerate().map(|(dim, acc)| {
        let lo = sw * dim as u32;
        Stmt::blocking(sums.slice(lo + sw - 1, lo), acc)
    }));
    m.comb(comb);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_cover_every_tile_once() {
        assert_eq!(groups(1), vec![0..1]);
        assert_eq!(groups(16), vec![0..6, 6..12, 12..16]);
        assert_eq!(groups(6), vec![0..6]);
    }
}
