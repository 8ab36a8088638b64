//! gca_out_scale: one group of lanes of the head's output affine, the twin's
//! `OutScaler::apply`: y = saturate(round_half_even(sum * gain / 2^scaler_frac) + offset,
//! out_bits), in three pipeline stages of the layer's tail (docs/rtl.md, "gca_out_scale").
//! The result's header beat goes out while stage 3 computes head 0's result.
//!
//! - `gain_r` and `off_r` copy the scaler inputs every cycle: each group drives its own
//!   multipliers, so the gain's fan-out stays inside the group. With several heads the layer
//!   feeds the gain of the head stage 1 takes next cycle and the offset of the head stage 3
//!   takes next cycle (docs/rtl.md, "The layer's output scaler").
//! - Stage 1 (`mul_en`): radix-4 Booth rows of sum * gain (digits of the sum), with the
//!   rounding half 2^(f-1) (f = scaler_frac) as a constant bit, reduced by a carry-save tree
//!   to two registered rows whose sum is t.
//! - Stage 2 (`add_en`): t >> f is the product rounded half up; a tie (the low f bits of t
//!   zero, found without a carry chain) clears its LSB, which makes it half to even. Registered.
//! - Stage 3: plus the offset, saturated to out_bits; the saturation compares the rounded value
//!   with MAX - offset and MIN - offset, registered with `off_r`, beside the adder. With one
//!   head the scaler's result registers (`en`) hold the result until the next load; with
//!   several, each group holds its lanes of every head's result (`y_h<h>`), and stage 3
//!   writes head `head`'s with `en`.

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Kind, Module, Stmt};

use super::clock_gate::{gate, gate_reset};
use super::common::{header_comment, lane_group};
use super::wires::{
    booth_rows, carry_save, clock_and_reset, let_wire, round_parts, select_sums, signed_less,
};

/// Dimensions of one output scaler group ([`lane_group`] of D).
pub fn group_lanes(p: &Params) -> usize {
    lane_group(p.shape.d_head)
}

/// Width of the rounded product: t = sum * gain + 2^(f-1) (the rounding half, a constant bit
/// of the Booth rows) fits sum + scaler + 1 bits; the rounded value t >> f, LSB cleared on a
/// tie, fits f bits fewer.
fn rounded_width(p: &Params) -> u32 {
    p.widths.tile_sum + p.fixed.scaler_bits + 1 - p.fixed.scaler_frac
}

/// Width of the saturation limits (MAX - offset, MIN - offset) and of their compares.
fn limit_width(p: &Params) -> u32 {
    rounded_width(p).max(p.fixed.out_bits) + 1
}

/// Where the saturation compares split the rounded value (the width of the low half), if they
/// do: offsets that put a limit's high half level with small rounded values exercise the
/// split's equal-high-half case (the regression's scaler settings use it).
pub fn saturation_split(p: &Params) -> Option<u32> {
    crate::rtl::wires::less_split(limit_width(p))
}

pub fn build(p: &Params) -> Module {
    let g = group_lanes(p) as u32;
    let sw = p.widths.tile_sum;
    let (sb, sf, ob) = (p.fixed.scaler_bits, p.fixed.scaler_frac, p.fixed.out_bits);
    let mut m = Module::new("gca_out_scale");
    m.header_comment = header_comment(
        p,
        "gca_out_scale: output affine, round half to even, saturate; a group of lanes, 3 stages",
    );
    let (clk, rst_n) = clock_and_reset(&mut m);
    // With one head the scaler's result registers are the result; with several, each head's.
    let registered = p.shape.n_head == 1;
    m.group("Sums and scaler");
    let sums_in =
        m.port(Decl::new("sums", Kind::Input, g * sw).doc("sum of lane i at [SW*i +: SW], signed"));
    // With several heads stage 1 takes head 0 from its accumulators (`sums`) and the others from
    // the layer's `sums_nx`, selected by this group's own register (`nx`, loaded a cycle ahead):
    // the select is a flip-flop next to its D x SW multiplexers.
    let sums = if registered {
        sums_in
    } else {
        let nx_sums = m.port(
            Decl::new("sums_nx", Kind::Input, g * sw)
                .doc("the sums of the head stage 1 takes, heads 1.. (the layer's register)"),
        );
        let nx_next = m.port(
            Decl::new("nx_next", Kind::Input, 1).doc("stage 1 takes sums_nx in the next cycle"),
        );
        let nx = m.decl(Decl::new("nx", Kind::Reg, 1).doc("stage 1 takes sums_nx"));
        super::wires::follow_no_reset(&mut m, &clk, &[(&nx, nx_next.e())]);
        let_wire(&mut m, "sums_s1", nx.mux(&nx_sums, &sums_in))
    };
    let gain = m.port(
        Decl::new("gain", Kind::Input, sb)
            .signed()
            .doc("output LSBs per code, scaler_frac fractional bits"),
    );
    let offset = m.port(
        Decl::new("offset", Kind::Input, ob)
            .signed()
            .doc("output LSBs"),
    );
    let mul_en = m.port(Decl::new("mul_en", Kind::Input, 1).doc("stage 1: carry-save products"));
    let add_en = m.port(Decl::new("add_en", Kind::Input, 1).doc("stage 2: products"));
    let en = m.port(Decl::new("en", Kind::Input, 1).doc("stage 3: load the result register"));
    // With several heads, one result register per head: stage 3 writes head `head`'s.
    let heads = p.shape.n_head as u32;
    let hw = crate::hdl::index_width(heads);
    let head = (!registered).then(|| {
        m.port(Decl::new("head", Kind::Input, hw).doc("the head stage 3 holds (with en)"))
    });
    m.group(if registered {
        "Result register"
    } else {
        "Result registers, head h at [G*OB*h +: G*OB]"
    });
    let y = m.output("y", heads * g * ob);

    let gain_r = m.decl(
        Decl::new("gain_r", Kind::Reg, sb)
            .signed()
            .doc("copy of the gain"),
    );
    let off_r = m.decl(
        Decl::new("off_r", Kind::Reg, ob)
            .signed()
            .doc("copy of the offset"),
    );
    // t = sum * gain + 2^(f-1) fits w bits (rounded_width).
    let w = sw + sb + 1;
    let rw = rounded_width(p);
    let mut reset = Vec::new();
    let mut reset2 = Vec::new();
    let mut stage1 = Vec::new();
    let mut stage2 = Vec::new();
    let mut rounded = Vec::new();
    for i in 0..g {
        let s = let_wire(
            &mut m,
            &format!("sum{i}"),
            sums.slice(sw * i + sw - 1, sw * i).as_signed(),
        );
        let half = (sf > 0).then(|| sf - 1);
        let rows = booth_rows(&mut m, &format!("m{i}"), &gain_r, &s, w, half);
        let (cs, cc) = carry_save(&mut m, &format!("m{i}"), rows);
        let ps = m.decl(
            Decl::new(&format!("ps{i}"), Kind::Reg, w)
                .doc(&format!("lane {i}: sum * gain + half, carry-save sum")),
        );
        let pc = m.decl(Decl::new(&format!("pc{i}"), Kind::Reg, w).doc("carry-save carries"));
        let rh = m.decl(
            Decl::new(&format!("rh{i}"), Kind::Reg, rw)
                .signed()
                .doc("sum * gain / 2^f, rounded half to even"),
        );
        reset.extend([crate::hdl::clear(&ps), crate::hdl::clear(&pc)]);
        reset2.push(crate::hdl::clear(&rh));
        stage1.push(Stmt::nonblocking(&ps, &cs));
        stage1.push(Stmt::nonblocking(&pc, &cc));
        // Stage 2: t >> f rounds half up (the high bits for both carries out of the low f
        // bits, selected by that carry); a tie (low f bits of t zero) clears the LSB.
        let parts = round_parts(&mut m, &format!("t{i}"), &ps, &pc, sf);
        let r = let_wire(
            &mut m,
            &format!("r{i}"),
            parts.cin.mux(&parts.hi1, &parts.hi0).as_signed(),
        );
        let lsb = r.bit(0).land(parts.tie.lnot());
        let value: Expr = if rw == 1 {
            lsb
        } else {
            e::cat(vec![r.slice(rw - 1, 1), lsb])
        };
        stage2.push(Stmt::nonblocking(&rh, value));
        rounded.push(rh);
    }
    // The copies of the scalers load every cycle; the stages only in their cycles, on gated
    // clocks (gca_clock_gate): with one head they work 3 cycles of a token's 50 or more.
    let (gclk_mul, gclk_add) = (
        gate_reset(&mut m, &clk, &rst_n, "mul", &mul_en),
        gate_reset(&mut m, &clk, &rst_n, "add", &add_en),
    );
    m.seq(
        &clk,
        &rst_n,
        vec![crate::hdl::clear(&gain_r), crate::hdl::clear(&off_r)],
        vec![
            Stmt::nonblocking(&gain_r, &gain),
            Stmt::nonblocking(&off_r, &offset),
        ],
    );
    m.seq(&gclk_mul, &rst_n, reset, stage1);
    m.seq(&gclk_add, &rst_n, reset2, stage2);
    // Stage 3: plus the offset, saturated. The limits of the rounded value, MAX - offset and
    // MIN - offset, come from registers (the offset is a static scaler), so the compares run
    // beside the adder instead of after it.
    let ws = limit_width(p);
    let hi = (1i128 << (ob - 1)) - 1;
    let lo = -(1i128 << (ob - 1));
    let lim_hi = m.decl(
        Decl::new("lim_hi", Kind::Reg, ws)
            .signed()
            .doc("MAX - offset: a larger rounded value saturates"),
    );
    let lim_lo = m.decl(
        Decl::new("lim_lo", Kind::Reg, ws)
            .signed()
            .doc("MIN - offset: a smaller rounded value saturates"),
    );
    let off_w = let_wire(&mut m, "off_w", e::sext(&off_r, ws));
    // Registered with `off_r` from the same input, so that the offset may change every cycle
    // (the layer's heads in turn).
    let off_in = let_wire(&mut m, "off_in", e::sext(&offset, ws));
    m.seq(
        &clk,
        &rst_n,
        vec![crate::hdl::clear(&lim_hi), crate::hdl::clear(&lim_lo)],
        vec![
            Stmt::nonblocking(&lim_hi, e::slit(ws, hi).sub(&off_in).as_signed()),
            Stmt::nonblocking(&lim_lo, e::slit(ws, lo).sub(&off_in).as_signed()),
        ],
    );
    let mut reset = Vec::new();
    let mut body = Vec::new();
    let mut outs = Vec::new();
    for (i, rh) in rounded.iter().enumerate() {
        let rw_ = let_wire(&mut m, &format!("rw{i}"), e::sext(rh, ws));
        let sum = m.decl(Decl::new(&format!("b{i}"), Kind::Wire, ws).waive(
            "UNUSEDSIGNAL",
            "the bits above out_bits are covered by the limits",
        ));
        let (add, _) = select_sums(&mut m, &format!("oadd{i}"), &rw_, &off_w, 0, ws - 1, false);
        m.assign(&sum, &add);
        let over = signed_less(&mut m, &format!("ov{i}"), &lim_hi, &rw_);
        let under = signed_less(&mut m, &format!("un{i}"), &rw_, &lim_lo);
        let sat = let_wire(
            &mut m,
            &format!("sat{i}"),
            over.mux(
                e::slit(ob, hi),
                under.mux(e::slit(ob, lo), sum.slice(ob - 1, 0).as_signed()),
            ),
        );
        if registered {
            let reg = m.decl(Decl::new(&format!("y{i}"), Kind::Reg, ob).signed());
            reset.push(crate::hdl::clear(&reg));
            body.push(Stmt::nonblocking(&reg, &sat));
            outs.push(reg.e());
        } else {
            outs.push(sat.e());
        }
    }
    match &head {
        None => {
            let gclk_y = gate_reset(&mut m, &clk, &rst_n, "y", &en);
            m.seq(&gclk_y, &rst_n, reset, body);
            outs.reverse();
            m.assign(&y, e::cat(outs));
        }
        Some(head) => {
            outs.reverse();
            let sat = let_wire(&mut m, "sat", e::cat(outs));
            let regs: Vec<_> = (0..heads)
                .map(|h| {
                    m.decl(
                        Decl::new(&format!("y_h{h}"), Kind::Reg, g * ob)
                            .doc(&format!("head {h}'s result")),
                    )
                })
                .collect();
            let arms = regs
                .iter()
                .enumerate()
                .map(|(h, r)| {
                    (
                        vec![e::lit(hw, h as u128)],
                        vec![Stmt::nonblocking(r, &sat)],
                    )
                })
                .collect();
            // Data only: a head's result is written before the egress reads it (from the
            // cycle after).
            let gclk_y = gate(&mut m, &clk, "y", &en);
            m.seq_no_reset(&gclk_y, vec![Stmt::case_closed(head, hw, arms, vec![])]);
            m.assign(&y, e::cat(regs.iter().rev().map(|r| r.e()).collect()));
        }
    }
    m
}
