//! gca_out_scale: the head's output affine into the result register, the twin's
//! `OutScaler::apply`: y = saturate(round_half_even(sum * gain / 2^scaler_frac) + offset,
//! out_bits). Loads when `en` is high (the last stage of the layer's tail); the registers hold
//! the result until the next load.

use crate::config::Params;
use crate::hdl::{e, Decl, Kind, Module, Stmt};

use super::common::header_comment;
use super::wires::{clock_and_reset, let_wire, round_shift, saturate};

pub fn build(p: &Params) -> Module {
    let d = p.shape.d_head as u32;
    let sw = p.widths.tile_sum;
    let (sb, sf, ob) = (p.fixed.scaler_bits, p.fixed.scaler_frac, p.fixed.out_bits);
    let mut m = Module::new("gca_out_scale");
    m.header_comment = header_comment(
        p,
        "gca_out_scale: output affine, round half to even, saturate",
    );
    let (clk, rst_n) = clock_and_reset(&mut m);
    m.group("Sums and scaler");
    let sums = m.port(
        Decl::new("sums", Kind::Input, d * sw).doc("sum of dimension d at [SW*d +: SW], signed"),
    );
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
    let en = m.port(Decl::new("en", Kind::Input, 1).doc("load the result register"));
    m.group("Result register");
    let y = m.output("y", d * ob);
    let mut reset = Vec::new();
    let mut body = Vec::new();
    let mut outs = Vec::new();
    for i in 0..d {
        let s = let_wire(
            &mut m,
            &format!("sum{i}"),
            sums.slice(sw * i + sw - 1, sw * i).as_signed(),
        );
        let prod = let_wire(&mut m, &format!("prod{i}"), s.mul(&gain));
        let r = round_shift(&mut m, &format!("r{i}"), &prod, sf);
        let w = r.width.max(ob) + 1;
        let biased = let_wire(
            &mut m,
            &format!("b{i}"),
            e::sext(&r, w).add(e::sext(&offset, w)),
        );
        let sat = saturate(&mut m, &format!("sat{i}"), &biased, ob);
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
