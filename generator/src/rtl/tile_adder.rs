//! gca_tile_adder: the sum of the T per-tile codes of every dimension, as a pipelined tree.
//! Level k adds pairs of the previous level (an odd one passes); stage s registers the result
//! of levels 2s and 2s + 1, so the tree has `cycles.tree` stages. Stage s loads when
//! `en[s]` is high (the layer controller's elastic tail); all values are `tile_sum` bits wide.

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Kind, Module, Signal, Stmt};

use super::common::header_comment;
use super::wires::{clock_only, let_wire};

/// Adder levels of a tree over `n` inputs.
fn levels(n: usize) -> u32 {
    (n as u64).next_power_of_two().trailing_zeros()
}

pub fn build(p: &Params) -> Module {
    let (t, d) = (p.shape.n_tiles, p.shape.d_head as u32);
    let cw = p.widths.out_code;
    let sw = p.widths.tile_sum;
    let stages = p.cycles.tree as u32;
    let mut m = Module::new("gca_tile_adder");
    m.header_comment = header_comment(p, "gca_tile_adder: pipelined adder tree over the tiles");
    let clk = clock_only(&mut m);
    m.group("Codes and stage enables");
    let codes = m.port(
        Decl::new("codes", Kind::Input, t as u32 * d * cw)
            .doc("tile t, dimension d at [CW*(D*t + d) +: CW]"),
    );
    let en = m.port(Decl::new("en", Kind::Input, stages).doc("stage s loads"));
    m.group("Sums");
    let sums = m.output("sums", d * sw);
    let total_levels = levels(t);
    let mut body = Vec::new();
    let mut outs = Vec::new();
    for dim in 0..d {
        // Level inputs: the codes, sign-extended.
        let mut vals: Vec<Signal> = (0..t as u32)
            .map(|tile| {
                let i = d * tile + dim;
                let raw = let_wire(
                    &mut m,
                    &format!("c{dim}_{tile}"),
                    codes.slice(cw * i + cw - 1, cw * i).as_signed(),
                );
                let_wire(&mut m, &format!("x{dim}_{tile}"), e::sext(&raw, sw))
            })
            .collect();
        let mut level = 0;
        for s in 0..stages {
            let mut stage_en: Vec<Stmt> = Vec::new();
            let last_level = ((s + 1) * 2).min(total_levels);
            while level < last_level {
                let mut next = Vec::new();
                for (j, pair) in vals.chunks(2).enumerate() {
                    let v: Expr = if pair.len() == 2 {
                        pair[0].add(&pair[1])
                    } else {
                        pair[0].e()
                    };
                    next.push(let_wire(&mut m, &format!("l{dim}_{}_{j}", level + 1), v));
                }
                vals = next;
                level += 1;
            }
            let regs: Vec<Signal> = vals
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    let r = m.decl(Decl::new(&format!("s{dim}_{s}_{j}"), Kind::Reg, sw).signed());
                    stage_en.push(Stmt::nonblocking(&r, v));
                    r
                })
                .collect();
            body.push((s, stage_en));
            vals = regs;
        }
        assert_eq!(vals.len(), 1, "the tree ends in one value");
        outs.push(vals[0].e());
    }
    // One enable test per stage, over every dimension.
    let mut per_stage: Vec<Vec<Stmt>> = vec![Vec::new(); stages as usize];
    for (s, stmts) in body {
        per_stage[s as usize].extend(stmts);
    }
    let stmts = per_stage
        .into_iter()
        .enumerate()
        .map(|(s, st)| Stmt::if_then(en.bit(s as u32), st))
        .collect();
    // Data only: each stage is written (en) before the next one or the scaler reads it.
    m.seq_no_reset(&clk, stmts);
    outs.reverse();
    m.assign(&sums, e::cat(outs));
    m
}
