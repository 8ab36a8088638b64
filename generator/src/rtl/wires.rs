//! Small builders the blocks share: a wire declared and assigned in one step, and the
//! round-half-to-even right shift every scaler uses (the twin's `shift_round_even`).

use crate::hdl::{e, Decl, Expr, Kind, Module, Signal};

/// `wire [w-1:0] name = value;` (signed when the value is), returning its handle.
pub fn let_wire(m: &mut Module, name: &str, value: Expr) -> Signal {
    let mut d = Decl::new(name, Kind::Wire, value.width());
    if value.is_signed() {
        d = d.signed();
    }
    let s = m.decl(d);
    m.assign(&s, value);
    s
}

/// `value / 2^k` rounded half to even, as a signed wire one bit wider than `value >> k` (the
/// rounding may carry). `value` is a signed signal wider than `k`.
pub fn round_shift(m: &mut Module, name: &str, value: &Signal, k: u32) -> Signal {
    let w = value.width;
    assert!(value.signed && w > k, "round_shift of `{}`", value.name);
    if k == 0 {
        return let_wire(m, name, e::sext(value, w + 1));
    }
    let q = let_wire(m, &format!("{name}_q"), value.slice(w - 1, k).as_signed());
    let half = value.bit(k - 1);
    let odd_or_sticky = if k >= 2 {
        value.slice(k - 2, 0).red_or().lor(q.bit(0))
    } else {
        q.bit(0)
    };
    let up = let_wire(m, &format!("{name}_up"), half.land(odd_or_sticky));
    let sum = e::sext(&q, w - k + 1).add(e::zext(&up, w - k + 1).as_signed());
    let_wire(m, name, sum.as_signed())
}

/// Saturates a signed signal to `bits` bits (two's complement), as a signed wire.
pub fn saturate(m: &mut Module, name: &str, value: &Signal, bits: u32) -> Signal {
    let w = value.width;
    if w <= bits {
        return let_wire(m, name, e::sext(value, bits));
    }
    let hi = (1i128 << (bits - 1)) - 1;
    let lo = -(1i128 << (bits - 1));
    let over = value.gt(e::slit(w, hi));
    let under = value.lt(e::slit(w, lo));
    let clamped = over.mux(
        e::slit(bits, hi),
        under.mux(e::slit(bits, lo), value.slice(bits - 1, 0).as_signed()),
    );
    let_wire(m, name, clamped)
}

/// The clock and active-low reset ports every clocked block starts with.
pub fn clock_and_reset(m: &mut Module) -> (Signal, Signal) {
    m.group("Clock and active-low asynchronous reset");
    let clk = m.port(Decl::new("clk", Kind::Input, 1).doc("clock"));
    let rst_n =
        m.port(Decl::new("rst_n", Kind::Input, 1).doc("asynchronous assert, synchronous release"));
    (clk, rst_n)
}
