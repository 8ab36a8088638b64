//! gca_quantizer: the lanes of one input beat to codes, combinationally (the head registers
//! them). Per lane: code = clamp(round_half_even((x * gain + offset * 2^in_frac) /
//! 2^(in_frac + scaler_frac)), 0, max), max = levels.q - 1 for a q vector and levels.kv - 1 for
//! k and v: the twin's `Quantizer::code`.

use crate::config::Params;
use crate::hdl::{e, Decl, Kind, Module};

use super::common::header_comment;
use super::wires::{let_wire, round_shift};

/// Values of one beat that belong to one vector (a vector starts on a fresh beat).
pub fn lanes(p: &Params) -> usize {
    p.stream.in_values_per_beat.min(p.shape.d_head)
}

/// Width of a lane's code output: the wider of the q and k/v codes.
pub fn code_bits(p: &Params) -> u32 {
    p.widths.q_code.max(p.widths.kv_code)
}

pub fn build(p: &Params) -> Module {
    let f = p.fixed;
    let (ib, sb, ifr, sf) = (f.in_bits, f.scaler_bits, f.in_frac, f.scaler_frac);
    let lanes = lanes(p) as u32;
    let cb = code_bits(p);
    let mut m = Module::new("gca_quantizer");
    m.header_comment = header_comment(
        p,
        "gca_quantizer: affine + round half to even + clamp of one beat's lanes to q or k/v codes",
    );
    m.group("Beat and scaler");
    let x = m.port(
        Decl::new("x", Kind::Input, lanes * ib)
            .doc("lane i in bits [IB*i +: IB], signed fixed point"),
    );
    let gain = m.port(
        Decl::new("gain", Kind::Input, sb)
            .signed()
            .doc("code units per input unit"),
    );
    let offset = m.port(
        Decl::new("offset", Kind::Input, sb)
            .signed()
            .doc("code units"),
    );
    let is_q = m.port(
        Decl::new("is_q", Kind::Input, 1)
            .doc("1: q vector (levels.q codes), 0: k or v (levels.kv)"),
    );
    m.group("Codes");
    let code = m.output("code", lanes * cb);

    let max_q = p.hardware.levels.q as u128 - 1;
    let max_kv = p.hardware.levels.kv as u128 - 1;
    let max = let_wire(
        &mut m,
        "max_code",
        is_q.mux(e::lit(cb, max_q), e::lit(cb, max_kv)),
    );
    let off_sh = if ifr == 0 {
        let_wire(&mut m, "offset_sh", offset.e())
    } else {
        let_wire(
            &mut m,
            "offset_sh",
            e::cat(vec![offset.e(), e::lit(ifr, 0)]).as_signed(),
        )
    };
    let aw = (ib + sb).max(sb + ifr) + 1;
    let k = ifr + sf;
    let mut codes = Vec::new();
    for i in 0..lanes {
        let xi = let_wire(
            &mut m,
            &format!("x{i}"),
            x.slice(ib * i + ib - 1, ib * i).as_signed(),
        );
        let prod = let_wire(&mut m, &format!("prod{i}"), xi.mul(&gain));
        let acc = let_wire(
            &mut m,
            &format!("acc{i}"),
            e::sext(&prod, aw).add(e::sext(&off_sh, aw)),
        );
        let r = round_shift(&mut m, &format!("r{i}"), &acc, k);
        let rw = r.width;
        let neg = r.bit(rw - 1);
        let low = if rw - 1 >= cb {
            r.slice(cb - 1, 0)
        } else {
            e::zext(r.slice(rw - 2, 0), cb)
        };
        let low = let_wire(&mut m, &format!("low{i}"), low);
        let big = if rw - 1 > cb {
            r.slice(rw - 2, cb).red_or().lor(low.gt(&max))
        } else {
            low.gt(&max)
        };
        let c = let_wire(
            &mut m,
            &format!("code{i}"),
            neg.mux(e::lit(cb, 0), big.mux(&max, low)),
        );
        codes.push(c.e());
    }
    codes.reverse();
    m.assign(&code, e::cat(codes));
    m
}
