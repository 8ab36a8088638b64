//! gca_quantizer: one group of lanes of the input quantizer, three pipeline stages (docs/rtl.md,
//! "gca_quantizer"). Per lane: code = clamp(round_half_even((x * gain + offset * 2^in_frac) /
//! 2^(in_frac + scaler_frac)), 0, max), max = levels.q - 1 for a q vector and levels.kv - 1 for
//! k and v: the twin's `Quantizer::code`.
//!
//! - Stage 0 (`load`, the cycle the beat is accepted): the scaler of the beat's head and kind
//!   (selected by the layer) is registered here, and `gca_ingress` registers the beat's data.
//!   The layer instantiates one group per `group_lanes` lanes for all of its heads, each with
//!   its own copy of the scaler registers, so the gain fans out to at most 8 lanes (a
//!   synthesis tool keeps the copies: they are in different instances of a kept hierarchy).
//! - Stage 1: radix-4 Booth rows of x * gain (digits of x) and the row of
//!   offset * 2^in_frac + 2^(k-1) (k = in_frac + scaler_frac; the rounding half is folded into
//!   the offset register) are reduced by a carry-save tree to two registered rows whose sum is
//!   t; no carry propagates in this stage.
//! - Stage 2 (combinational to `code_q` and `code_kv`, registered by the beat's head): t >> k is
//!   the value rounded half up, and a tie (the low k bits of t zero) clears its least
//!   significant bit, which makes it half to even; then the clamp. The high bits are added for
//!   both values of the carry out of the low k bits and clamped while that carry is computed
//!   (carry select), and the tie is found without a carry chain. The codes are clamped twice,
//!   to levels.q - 1 for the heads' q staging registers (`code_q`) and to levels.kv - 1 for
//!   their k and v ones (`code_kv`): no kind select on the path, and each output drives a
//!   third (q) or two thirds (k, v) of the heads' staging inputs.

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Kind, Module, Signal, Stmt};

use super::clock_gate::gate;
use super::common::{header_comment, lane_group};
use super::wires::{booth_rows, carry_save, clock_and_reset, let_wire, round_parts};

/// Values of one beat that belong to one vector (a vector starts on a fresh beat).
pub fn lanes(p: &Params) -> usize {
    p.stream.in_values_per_beat.min(p.shape.d_head)
}

/// Lanes of one quantizer group ([`lane_group`] of [`lanes`]).
pub fn group_lanes(p: &Params) -> usize {
    lane_group(lanes(p))
}

/// Rounding shift k of the quantizer: input and scaler fractional bits.
fn shift(p: &Params) -> u32 {
    p.fixed.in_frac + p.fixed.scaler_frac
}

/// Width of the offset register: offset + 2^(scaler_frac-1), the offset with the rounding half
/// folded in (one bit wider), or the offset itself when scaler_frac is 0.
pub fn offset_half_bits(p: &Params) -> u32 {
    p.fixed.scaler_bits + u32::from(p.fixed.scaler_frac > 0)
}

/// The offset register value of a scaler field `offset` (a signed signal of scaler_bits), see
/// [`offset_half_bits`]; times 2^in_frac it is offset * 2^in_frac + 2^(k-1). It is computed
/// from the static scaler registers, off the beat's path.
pub fn offset_half(p: &Params, offset: &Signal) -> Expr {
    let sf = p.fixed.scaler_frac;
    if sf == 0 {
        return offset.e();
    }
    let w = offset_half_bits(p);
    e::sext(offset, w)
        .add(e::lit(w, 1u128 << (sf - 1)))
        .as_signed()
}

pub fn build(p: &Params) -> Module {
    let f = p.fixed;
    let (ib, sb) = (f.in_bits, f.scaler_bits);
    let g = group_lanes(p) as u32;
    let (qb, kb) = (p.widths.q_code, p.widths.kv_code);
    let k = shift(p);
    let ow = offset_half_bits(p);
    let mut m = Module::new("gca_quantizer");
    m.header_comment = header_comment(
        p,
        "gca_quantizer: affine + round half to even + clamp of a group of lanes, 3 stages",
    );
    let (clk, rst_n) = clock_and_reset(&mut m);
    m.group("Stage 0: a beat of this head is accepted (gca_ingress registers its data)");
    let load = m.port(Decl::new("load", Kind::Input, 1).doc("a beat of this head is accepted"));
    let gain = m.port(
        Decl::new("gain", Kind::Input, sb)
            .signed()
            .doc("its kind's gain: code units per input unit"),
    );
    let offh = m.port(
        Decl::new("offset", Kind::Input, ow)
            .signed()
            .doc("its kind's offset + 2^(scaler_frac-1) (rounding half)"),
    );
    m.group("Stage 1: the beat's lanes, registered by gca_ingress");
    let x = m.port(
        Decl::new("x", Kind::Input, g * ib).doc("lane i in bits [IB*i +: IB], signed fixed point"),
    );
    m.group("Stage 2: codes of the beat accepted two cycles ago");
    let code_q = m
        .port(Decl::new("code_q", Kind::Output, g * qb).doc("lane i in [QB*i +: QB]: as a q code"));
    let code_kv = m.port(
        Decl::new("code_kv", Kind::Output, g * kb).doc("lane i in [KB*i +: KB]: as a k or v code"),
    );

    // offset * 2^in_frac + 2^(k-1) from the offset register: its low bits are constants.
    let (ifr, sf) = (f.in_frac, f.scaler_frac);
    let opw = ow + ifr;
    let pw = ib + sb;
    let w = pw.max(opw) + 1;

    let gain_s = m.decl(
        Decl::new("gain_s", Kind::Reg, sb)
            .signed()
            .doc("stage 1: the beat's gain"),
    );
    let offh_s1 = m.decl(
        Decl::new("offh_s1", Kind::Reg, ow)
            .signed()
            .doc("stage 1: its offset"),
    );
    let v1 = m.decl(
        Decl::new("v1", Kind::Reg, 1)
            .doc("stage 1 holds a beat (the group's own copy: it enables the group's products)"),
    );
    let sums: Vec<Signal> = (0..g)
        .map(|i| {
            m.decl(
                Decl::new(&format!("ps{i}"), Kind::Reg, w)
                    .doc(&format!("lane {i}: x * gain, carry-save sum")),
            )
        })
        .collect();
    let carries: Vec<Signal> = (0..g)
        .map(|i| m.decl(Decl::new(&format!("pc{i}"), Kind::Reg, w).doc("carry-save carries")))
        .collect();
    m.seq(
        &clk,
        &rst_n,
        vec![crate::hdl::clear(&v1)],
        vec![Stmt::nonblocking(&v1, &load)],
    );
    // The stages load only with a beat, on gated clocks (gca_clock_gate): a head's beats are
    // a few cycles of a token's. The scaler of the beat's kind, when one is accepted. Data
    // only, without reset: stage 1 reads them only with `v1`, stage 2 only the beats stage 1
    // loaded, and the heads stage only what `code_en` marks (docs/rtl.md, "Conventions").
    let gclk_load = gate(&mut m, &clk, "load", &load);
    m.seq_no_reset(
        &gclk_load,
        vec![
            Stmt::nonblocking(&gain_s, &gain),
            Stmt::nonblocking(&offh_s1, &offh),
        ],
    );
    // Stage 1: radix-4 Booth rows of x * gain and the offset operand, reduced to carry-save
    // form: ps + pc = t = x * gain + offset * 2^in_frac + 2^(k-1) (mod 2^w).
    let operand: Expr = if ifr == 0 {
        offh_s1.e()
    } else if sf > 0 {
        e::cat(vec![offh_s1.e(), e::lit(ifr, 0)]).as_signed()
    } else {
        e::cat(vec![offh_s1.e(), e::lit(ifr, 1u128 << (ifr - 1))]).as_signed()
    };
    let operand = let_wire(&mut m, "offset_op", operand);
    let operand = let_wire(&mut m, "offset_w", e::sext(&operand, w));
    let mut stage1 = Vec::new();
    for i in 0..g {
        let xi = let_wire(
            &mut m,
            &format!("x{i}"),
            x.slice(ib * i + ib - 1, ib * i).as_signed(),
        );
        let mut rows = booth_rows(&mut m, &format!("m{i}"), &gain_s, &xi, w, None);
        rows.push(operand.clone());
        let (s, c) = carry_save(&mut m, &format!("m{i}"), rows);
        let (ps, pc) = (&sums[i as usize], &carries[i as usize]);
        stage1.push(Stmt::nonblocking(ps, &s));
        stage1.push(Stmt::nonblocking(pc, &c));
    }
    let gclk_v1 = gate(&mut m, &clk, "v1", &v1);
    m.seq_no_reset(&gclk_v1, stage1);

    // Stage 2: carry select at the rounding point. The high part of t is hi(ps) + hi(pc) +
    // the carry out of the low k bits; both values of the carry are clamped while the carry
    // is computed, and a tie (the low k bits of t zero, found without a carry chain) clears
    // the rounded value's LSB.
    let rw = w - k;
    assert!(
        rw >= 3,
        "the rounded quantizer value has a sign and two bits"
    );
    // Per lane: the rounding parts, with the carry as a wire (both clamps use it).
    let parts: Vec<_> = (0..g)
        .map(|i| {
            let r = round_parts(
                &mut m,
                &format!("t{i}"),
                &sums[i as usize],
                &carries[i as usize],
                k,
            );
            let cin = let_wire(&mut m, &format!("t{i}_cin"), r.cin.clone());
            (r, cin)
        })
        .collect();
    for (out, cb, max, kind) in [
        (&code_q, qb, p.hardware.levels.q as u128 - 1, "q"),
        (&code_kv, kb, p.hardware.levels.kv as u128 - 1, "kv"),
    ] {
        // When the kind uses every code of the width, a code is never above the limit: no
        // compare (Verilator rejects a constant one, CMPCONST).
        let never_above = max == (1u128 << cb) - 1;
        let mut codes = Vec::new();
        for (i, (parts, cin)) in parts.iter().enumerate() {
            let mut picks = Vec::new();
            for (carry, r) in [&parts.hi0, &parts.hi1].into_iter().enumerate() {
                let lsb = r.bit(0).land(parts.tie.clone().lnot());
                let neg = r.bit(rw - 1);
                let low: Expr = if cb == 1 {
                    lsb
                } else if rw > cb {
                    e::cat(vec![r.slice(cb - 1, 1), lsb])
                } else {
                    e::zext(e::cat(vec![r.slice(rw - 2, 1), lsb]), cb)
                };
                let low = let_wire(&mut m, &format!("{kind}_low{i}_{carry}"), low);
                let big = match (rw - 1 > cb, never_above) {
                    (true, false) => r.slice(rw - 2, cb).red_or().lor(low.gt(e::lit(cb, max))),
                    (true, true) => r.slice(rw - 2, cb).red_or(),
                    (false, false) => low.gt(e::lit(cb, max)),
                    (false, true) => e::lit(1, 0),
                };
                picks.push(let_wire(
                    &mut m,
                    &format!("{kind}_code{i}_{carry}"),
                    neg.mux(e::lit(cb, 0), big.mux(e::lit(cb, max), low)),
                ));
            }
            let c = let_wire(
                &mut m,
                &format!("{kind}_code{i}"),
                cin.mux(&picks[1], &picks[0]),
            );
            codes.push(c.e());
        }
        codes.reverse();
        m.assign(out, e::cat(codes));
    }
    m
}
