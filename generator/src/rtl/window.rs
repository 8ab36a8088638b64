//! gca_window: the layer's sliding-window bookkeeping, shared by its heads. The write slot is
//! kept as (tile, column) so that no division is needed; `advance` (the last cycle of a write
//! phase) marks the written column valid and moves the slot on, wrapping after M columns;
//! `clear` (RESET_WINDOW, CONTROL.CLEAR_WINDOWS) empties the window and returns to slot 0. A
//! column's valid bit is its column enable: columns never written since the last clear are
//! gated off in the arrays, set by index (`col_en[wslot]`).

use crate::config::Params;
use crate::hdl::e::zext;
use crate::hdl::{e, Decl, Kind, Module, Stmt};

use super::clock_gate::gate_reset;
use super::common::{header_comment, index_width};
use super::wires::{clock_and_reset, let_wire};

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
    m.group("Window state (the heads register their copies of the next slot)");
    let wtile_next = m
        .port(Decl::new("wtile_next", Kind::Output, tw).doc("tile of the next cycle's write slot"));
    let wcol_next = m.port(
        Decl::new("wcol_next", Kind::Output, cw).doc("column of the next cycle's write slot"),
    );
    let fill = m.port(Decl::new("fill", Kind::OutputReg, fw).doc("valid columns, 0..M"));
    // `nowrshmsk`: Yosys writes col_en[wslot] as one enable per flip-flop (a decoder), not
    // as a shifted mask merged into every bit (about 5 % more area).
    let valid = m.port(
        Decl::new("col_en", Kind::OutputReg, win)
            .doc("column enables, slot s at bit s")
            .attr("nowrshmsk"),
    );
    let wcol = m.decl(Decl::new("wcol", Kind::Reg, cw).doc("column of the write slot"));
    let wtile =
        (t > 1).then(|| m.decl(Decl::new("wtile", Kind::Reg, tw).doc("tile of the write slot")));

    let sw = index_width(s.window);
    let wslot = m.decl(Decl::new("wslot", Kind::Wire, sw).doc("the write slot, tile * C + column"));
    let slot = match &wtile {
        None => zext(&wcol, sw),
        Some(wtile) if c.is_power_of_two() && tw + cw == sw => e::cat(vec![wtile.e(), wcol.e()]),
        Some(wtile) => zext(wtile, sw)
            .mul_wrapping(e::lit(sw, c as u128))
            .add(zext(&wcol, sw)),
    };
    m.assign(&wslot, slot);
    // The next slot: column 0 of tile 0 after a clear, the next column (and tile) after a
    // write, else unchanged.
    let last_col = let_wire(&mut m, "last_col", wcol.eq(e::lit(cw, c as u128 - 1)));
    let col_step = last_col.mux(e::lit(cw, 0), wcol.add(e::lit(cw, 1)));
    m.assign(
        &wcol_next,
        clear.mux(e::lit(cw, 0), advance.mux(col_step, wcol.e())),
    );
    match &wtile {
        None => m.assign(&wtile_next, e::lit(tw, 0)),
        Some(wtile) => {
            let last_tile = wtile.eq(e::lit(tw, t as u128 - 1));
            let tile_step = last_tile.mux(e::lit(tw, 0), wtile.add(e::lit(tw, 1)));
            m.assign(
                &wtile_next,
                clear.mux(
                    e::lit(tw, 0),
                    advance.land(&last_col).mux(tile_step, wtile.e()),
                ),
            );
        }
    }
    let mut slot_regs = vec![Stmt::nonblocking(&wcol, &wcol_next)];
    let mut slot_reset = vec![crate::hdl::clear(&wcol)];
    if let Some(wtile) = &wtile {
        slot_regs.push(Stmt::nonblocking(wtile, &wtile_next));
        slot_reset.push(crate::hdl::clear(wtile));
    }
    m.seq(&clk, &rst_n, slot_reset, slot_regs);
    let step = vec![
        Stmt::if_then(
            fill.ne(e::lit(fw, win as u128)),
            vec![Stmt::nonblocking(&fill, fill.add(e::lit(fw, 1)))],
        ),
        // The written slot's valid bit, by index: slot = tile * C + column.
        Stmt::nonblocking(valid.bit_at(&wslot), e::lit(1, 1)),
    ];
    // The fill count and the column enables change once a token (the write's last cycle) and
    // at a clear: on a gated clock (gca_clock_gate), which opens only then.
    let empty = vec![crate::hdl::clear(&fill), crate::hdl::clear(&valid)];
    let en = let_wire(&mut m, "win_en", clear.lor(&advance));
    let gclk_win = gate_reset(&mut m, &clk, &rst_n, "win", &en);
    m.seq(
        &gclk_win,
        &rst_n,
        empty.clone(),
        vec![Stmt::if_else(&clear, empty, step)],
    );
    m
}
