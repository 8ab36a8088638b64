//! gca_out_scale: one group of lanes of the head's output affine, the twin's
//! `OutScaler::apply`: y = saturate(round_half_even(sum * gain / 2^scaler_frac) + offset,
//! out_bits), in three pipeline stages of the layer's tail (docs/rtl.md, "gca_out_scale").
//!
//! - `gain_r` and `off_r` copy the scaler registers every cycle: each group drives its own
//!   multipliers, so the gain's fan-out stays inside the group.
//! - Stage 1 (`mul_en`): radix-4 Booth rows of sum * gain (digits of the sum) reduced by a
//!   carry-save tree to two registered rows.
//! - Stage 2 (`add_en`): their sum, the product, is registered.
//! - Stage 3 (`en`, the result register): one adder per lane forms
//!   s = product + offset * 2^f + (2^(f-1) - 1) + product[f] (f = scaler_frac), and s >> f is
//!   the product rounded half to even plus the offset: the constant and the offset are one
//!   operand ({offset, 0, 1...1}) and the parity of the truncated product is the carry in. Then
//!   the saturation. The result registers hold until the next load.

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Kind, Module, Stmt};

use super::common::header_comment;
use super::wires::{booth_rows, carry_save, clock_and_reset, let_wire, saturate};

/// Dimensions of one output scaler group: the largest divisor of D up to 8.
pub fn group_lanes(p: &Params) -> usize {
    let d = p.shape.d_head;
    (1..=8.min(d)).rev().find(|g| d % g == 0).unwrap_or(1)
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
    m.group("Sums and scaler");
    let sums =
        m.port(Decl::new("sums", Kind::Input, g * sw).doc("sum of lane i at [SW*i +: SW], signed"));
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
    m.group("Result register");
    let y = m.output("y", g * ob);

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
    let pw = sw + sb;
    let reg = |m: &mut Module, name: String, doc: &str| {
        m.decl(Decl::new(&name, Kind::Reg, pw).signed().doc(doc))
    };
    let mut reset = vec![crate::hdl::clear(&gain_r), crate::hdl::clear(&off_r)];
    let mut stage1 = Vec::new();
    let mut stage2 = Vec::new();
    let mut prods = Vec::new();
    for i in 0..g {
        let s = let_wire(
            &mut m,
            &format!("sum{i}"),
            sums.slice(sw * i + sw - 1, sw * i).as_signed(),
        );
        let rows = booth_rows(&mut m, &format!("m{i}"), &gain_r, &s, pw);
        let (cs, cc) = carry_save(&mut m, &format!("m{i}"), rows);
        let ps = reg(
            &mut m,
            format!("ps{i}"),
            &format!("lane {i}: sum * gain, carry-save sum"),
        );
        let pc = reg(&mut m, format!("pc{i}"), "carry-save carries");
        let prod = reg(&mut m, format!("prod{i}"), "sum * gain");
        for r in [&ps, &pc, &prod] {
            reset.push(crate::hdl::clear(r));
        }
        stage1.push(Stmt::nonblocking(&ps, &cs));
        stage1.push(Stmt::nonblocking(&pc, &cc));
        stage2.push(Stmt::nonblocking(&prod, ps.add(&pc)));
        prods.push(prod);
    }
    m.seq(
        &clk,
        &rst_n,
        reset,
        vec![
            Stmt::nonblocking(&gain_r, &gain),
            Stmt::nonblocking(&off_r, &offset),
            Stmt::if_then(&mul_en, stage1),
            Stmt::if_then(&add_en, stage2),
        ],
    );
    // The offset and the rounding constant as one operand: {offset, 0, 1...1} =
    // offset * 2^f + 2^(f-1) - 1.
    let cw = ob + sf;
    let konst: Expr = match sf {
        0 => off_r.e(),
        1 => e::cat(vec![off_r.e(), e::lit(1, 0)]).as_signed(),
        _ => e::cat(vec![
            off_r.e(),
            e::lit(1, 0),
            e::lit(sf - 1, (1u128 << (sf - 1)) - 1),
        ])
        .as_signed(),
    };
    let konst = let_wire(&mut m, "off_c", konst);
    debug_assert_eq!(konst.width, cw);
    let ws = pw.max(cw) + 2;
    let mut reset = Vec::new();
    let mut body = Vec::new();
    let mut outs = Vec::new();
    for (i, prod) in prods.iter().enumerate() {
        let cin: Expr = if sf == 0 {
            e::lit(ws, 0)
        } else {
            e::zext(prod.bit(sf), ws)
        };
        let s = m.decl(Decl::new(&format!("s{i}"), Kind::Wire, ws).signed().waive(
            "UNUSEDSIGNAL",
            "the fraction bits only carry into the result",
        ));
        m.assign(
            &s,
            e::sext(prod, ws)
                .add(e::sext(&konst, ws))
                .add(cin)
                .as_signed(),
        );
        let r = let_wire(&mut m, &format!("r{i}"), s.slice(ws - 1, sf).as_signed());
        let sat = saturate(&mut m, &format!("sat{i}"), &r, ob);
        let reg = m.decl(Decl::new(&format!("y{i}"), Kind::Reg, ob).signed());
        reset.push(crate::hdl::clear(&reg));
        body.push(Stmt::nonblocking(&reg, &sat));
        outs.push(reg.e());
    }
    m.seq(&clk, &rst_n, reset, vec![Stmt::if_then(&en, body)]);
    outs.reverse();
    m.assign(&y, e::cat(outs));
    m
}
