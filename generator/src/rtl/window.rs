//! gca_window: the layer's sliding-window bookkeeping, shared by its heads. The write slot is
//! kept as (tile, column) so that no division is needed; `advance` (the last cycle of a write
//! phase) marks the written column valid and moves the slot on, wrapping after M columns;
//! `clear` (RESET_WINDOW, CONTROL.CLEAR_WINDOWS) empties the window and returns to slot 0. A
//! column's valid bit is its column enable: columns never written since the last clear are
//! gated off in the arrays.

use crate::config::Params;
use crate::hdl::{e, Decl, Kind, Module, Stmt};

use super::common::{header_comment, index_width};
use super::wires::clock_and_reset;

pub fn build(p: &Params) -> Module {
    let s = p.shape;
    let (c, t, win) = (s.tile as u32, s.n_tiles as u32, s.window as u32);
    let tw = index_width(s.n_tiles);
    let cw = index_width(s.tile);
    let fw = p.widths.fill;
    let mut m = Module::new("gca_window");
    m.header_comment = header_comment(
        p,
        "gca_window: write slot, fill count and column enables of one layer",
    );
    let (clk, rst_n) = clock_and_reset(&mut m);
    m.group("Control");
    let clear =
        m.port(Decl::new("clear", Kind::Input, 1).doc("empty the window, next write to slot 0"));
    let advance = m.port(Decl::new("advance", Kind::Input, 1).doc("last cycle of a write phase"));
    m.group("Window state");
    let wtile = m.port(Decl::new("wtile", Kind::OutputReg, tw).doc("tile of the write slot"));
    let wcol = m.port(Decl::new("wcol", Kind::OutputReg, cw).doc("column of the write slot"));
    let fill = m.port(Decl::new("fill", Kind::OutputReg, fw).doc("valid columns, 0..M"));
    let valid =
        m.port(Decl::new("col_en", Kind::OutputReg, win).doc("column enables, slot s at bit s"));

    let last_col = wcol.eq(e::lit(cw, c as u128 - 1));
    let last_tile = wtile.eq(e::lit(tw, t as u128 - 1));
    let mut step = vec![
        Stmt::if_else(
            last_col.clone(),
            vec![Stmt::nonblocking(&wcol, e::lit(cw, 0))],
            vec![Stmt::nonblocking(&wcol, wcol.add(e::lit(cw, 1)))],
        ),
        Stmt::if_then(
            fill.ne(e::lit(fw, win as u128)),
            vec![Stmt::nonblocking(&fill, fill.add(e::lit(fw, 1)))],
        ),
    ];
    if t > 1 {
        step.push(Stmt::if_then(
            last_col,
            vec![Stmt::if_else(
                last_tile,
                vec![Stmt::nonblocking(&wtile, e::lit(tw, 0))],
                vec![Stmt::nonblocking(&wtile, wtile.add(e::lit(tw, 1)))],
            )],
        ));
    }
    // One valid bit per slot: set when the slot is the one written.
    let tile_hit: Vec<_> = (0..t).map(|i| wtile.eq(e::lit(tw, i as u128))).collect();
    for slot in 0..win {
        let (ti, ci) = (slot / c, slot % c);
        let hit = if t > 1 {
            tile_hit[ti as usize]
                .clone()
                .land(wcol.eq(e::lit(cw, ci as u128)))
        } else {
            wcol.eq(e::lit(cw, ci as u128))
        };
        step.push(Stmt::if_then(
            hit,
            vec![Stmt::nonblocking(valid.bit(slot), e::lit(1, 1))],
        ));
    }
    let empty = vec![
        crate::hdl::clear(&wtile),
        crate::hdl::clear(&wcol),
        crate::hdl::clear(&fill),
        crate::hdl::clear(&valid),
    ];
    m.seq(
        &clk,
        &rst_n,
        empty.clone(),
        vec![Stmt::if_else(
            &clear,
            empty,
            vec![Stmt::if_then(&advance, step)],
        )],
    );
    m
}
