//! Small builders the blocks share: a wire declared and assigned in one step, the clock and
//! reset ports, and the arithmetic of the scalers: carry-save (Booth rows, 3:2 trees, the zero
//! test of a sum without a carry chain) and parallel-prefix adders and compares.

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

/// The clock and active-low reset ports every clocked block starts with.
pub fn clock_and_reset(m: &mut Module) -> (Signal, Signal) {
    m.group("Clock and active-low asynchronous reset");
    let clk = m.port(Decl::new("clk", Kind::Input, 1).doc("clock"));
    let rst_n =
        m.port(Decl::new("rst_n", Kind::Input, 1).doc("asynchronous assert, synchronous release"));
    (clk, rst_n)
}

/// One 3:2 carry-save step over `w`-bit vectors: `a + b + c == s + cy (mod 2^w)`, with no
/// carry propagation (one full adder per bit).
fn csa(m: &mut Module, name: &str, a: &Signal, b: &Signal, c: &Signal) -> (Signal, Signal) {
    let w = a.width;
    let s = let_wire(m, &format!("{name}_s"), a.xor(b).xor(c));
    let (a1, b1, c1) = (a.slice(w - 2, 0), b.slice(w - 2, 0), c.slice(w - 2, 0));
    let maj = a1
        .clone()
        .and(b1.clone())
        .or(a1.and(c1.clone()))
        .or(b1.and(c1));
    let maj = let_wire(m, &format!("{name}_m"), maj);
    let cy = let_wire(m, &format!("{name}_c"), e::cat(vec![maj.e(), e::lit(1, 0)]));
    (s, cy)
}

/// Reduces equally wide rows to two whose sum is the rows' sum (mod 2^w): a Wallace tree of
/// [`csa`] steps, about log1.5(rows) full adders deep.
pub fn carry_save(m: &mut Module, name: &str, mut rows: Vec<Signal>) -> (Signal, Signal) {
    assert!(rows.len() >= 2, "carry_save of `{name}` needs two rows");
    let mut level = 0;
    while rows.len() > 2 {
        let mut next = Vec::new();
        for (i, chunk) in rows.chunks(3).enumerate() {
            if let [a, b, c] = chunk {
                let (s, cy) = csa(m, &format!("{name}_l{level}_{i}"), a, b, c);
                next.push(s);
                next.push(cy);
            } else {
                next.extend(chunk.iter().cloned());
            }
        }
        rows = next;
        level += 1;
    }
    let b = rows.pop().expect("two rows");
    let a = rows.pop().expect("two rows");
    (a, b)
}

/// The partial-product rows of `a * b` (both signed signals) in `w` bits (w >= a + b widths):
/// radix-4 Booth digits of `b`, each selecting 0, +-a or +-2a, and one row of the +1 of the
/// negative digits. Their sum is the product modulo 2^w; `ceil(b bits / 2) + 1` rows.
///
/// `one_at`: a constant 1 added at that bit (a rounding half), placed in the row of the +1s
/// when that bit is free there, else in a row of its own.
pub fn booth_rows(
    m: &mut Module,
    name: &str,
    a: &Signal,
    b: &Signal,
    w: u32,
    one_at: Option<u32>,
) -> Vec<Signal> {
    assert!(a.signed && b.signed && w >= a.width + b.width);
    let nb = b.width;
    let digits = nb.div_ceil(2);
    let a1 = let_wire(m, &format!("{name}_a1"), e::sext(a, w));
    let a2 = let_wire(
        m,
        &format!("{name}_a2"),
        e::cat(vec![a1.slice(w - 2, 0), e::lit(1, 0)]),
    );
    // Bit k of b, sign-extended above its width; bit -1 is 0.
    let bit = |k: i64| -> Expr {
        if k < 0 {
            e::lit(1, 0)
        } else {
            b.bit((k as u32).min(nb - 1))
        }
    };
    let mut rows = Vec::new();
    let mut corr = Vec::new();
    for i in 0..digits {
        let (hi, mid, lo) = (
            bit(2 * i as i64 + 1),
            bit(2 * i as i64),
            bit(2 * i as i64 - 1),
        );
        let neg = let_wire(m, &format!("{name}_neg{i}"), hi.clone());
        let one = let_wire(m, &format!("{name}_one{i}"), mid.clone().xor(lo.clone()));
        let two = let_wire(
            m,
            &format!("{name}_two{i}"),
            hi.clone()
                .and(mid.clone().not())
                .and(lo.clone().not())
                .or(hi.not().and(mid).and(lo)),
        );
        // 2i < b bits <= w - a bits: every row has bits above its shift.
        let shift = 2 * i;
        // The row's bits above the shift: (one ? a : two ? 2a : 0) ^ neg.
        let n = w - shift;
        let low = |x: &Signal| if n == w { x.e() } else { x.slice(n - 1, 0) };
        let mag = e::rep(n, one.e())
            .and(low(&a1))
            .or(e::rep(n, two.e()).and(low(&a2)));
        let sel = let_wire(m, &format!("{name}_sel{i}"), mag.xor(e::rep(n, neg.e())));
        let row = if shift == 0 {
            sel
        } else {
            let_wire(
                m,
                &format!("{name}_pp{i}"),
                e::cat(vec![sel.e(), e::lit(shift, 0)]),
            )
        };
        rows.push(row);
        // The +1 of a negated digit, at bit 2i.
        corr.push((shift, neg));
    }
    let free = one_at.filter(|&b| b < w && corr.iter().all(|(s, _)| *s != b));
    // {0.., neg_k, 0, .., neg_1, 0, neg_0} (and the constant 1): runs of zeros between them.
    let mut bits = Vec::new();
    let mut zeros = 0;
    for pos in (0..w).rev() {
        let bit = match corr.iter().find(|(s, _)| *s == pos) {
            Some((_, n)) => Some(n.e()),
            None if free == Some(pos) => Some(e::lit(1, 1)),
            None => None,
        };
        match bit {
            Some(b) => {
                if zeros > 0 {
                    bits.push(e::lit(zeros, 0));
                    zeros = 0;
                }
                bits.push(b);
            }
            None => zeros += 1,
        }
    }
    if zeros > 0 {
        bits.push(e::lit(zeros, 0));
    }
    rows.push(let_wire(m, &format!("{name}_corr"), e::cat(bits)));
    if let Some(b) = one_at.filter(|&b| b < w && free.is_none()) {
        rows.push(let_wire(m, &format!("{name}_one"), e::lit(w, 1u128 << b)));
    }
    rows
}

/// `(a + b) mod 2^n == 0` for two n-bit signals, without a carry chain:
/// `(a ^ b ^ ((a | b) << 1)) mod 2^n == 0`.
pub fn sum_is_zero(m: &mut Module, name: &str, a: Expr, b: Expr) -> Signal {
    let n = a.width();
    let x = let_wire(m, &format!("{name}_x"), a.clone().xor(b.clone()));
    if n == 1 {
        return let_wire(m, name, x.e().not());
    }
    let o = m.decl(
        Decl::new(&format!("{name}_o"), Kind::Wire, n)
            .waive("UNUSEDSIGNAL", "the top bit shifts out"),
    );
    m.assign(&o, a.or(b));
    let o1 = e::cat(vec![o.slice(n - 2, 0), e::lit(1, 0)]);
    let_wire(m, name, x.e().xor(o1).red_or().not())
}

/// A Kogge-Stone parallel prefix of two n-bit operands: `x = a ^ b`, and for every bit i the
/// generate `g[i]` and propagate `p[i]` of bits [i:0], in ceil(log2(n)) levels of and-or.
/// Yosys maps `+` to a Brent-Kung tree (about twice the depth); the scalers' adders sit on the
/// critical paths, so they are written out as prefix trees.
pub struct Prefix {
    pub x: Signal,
    pub g: Signal,
    pub p: Signal,
}

impl Prefix {
    /// `a + b + cin` (mod 2^n): bit i is x[i] ^ the carry out of bits [i-1:0].
    pub fn sum(&self, cin: bool) -> Expr {
        let n = self.x.width;
        let c = e::lit(1, cin as u128);
        if n == 1 {
            return self.x.xor(c);
        }
        let (g, p) = (self.g.slice(n - 2, 0), self.p.slice(n - 2, 0));
        let carries = if cin { g.or(p) } else { g };
        self.x.xor(e::cat(vec![carries, c]))
    }

    /// The carry out of `a + b + cin`.
    pub fn carry_out(&self, cin: bool) -> Expr {
        let top = self.x.width - 1;
        if cin {
            self.g.bit(top).or(self.p.bit(top))
        } else {
            self.g.bit(top)
        }
    }
}

/// [`Prefix`] of `a` and `b` (equal widths); its wires are named `{name}_x`, `{name}_g{l}`,
/// `{name}_p{l}` (level l). Bits a caller does not use are waived for the linter.
pub fn prefix(m: &mut Module, name: &str, a: Expr, b: Expr) -> Prefix {
    let n = a.width();
    assert_eq!(n, b.width(), "prefix `{name}`: operands of equal width");
    let unused = |d: Decl| d.waive("UNUSEDSIGNAL", "a prefix tree: the caller uses some bits");
    let wire = |m: &mut Module, nm: String, v: Expr| {
        let s = m.decl(unused(Decl::new(&nm, Kind::Wire, n)));
        m.assign(&s, v);
        s
    };
    let x = wire(m, format!("{name}_x"), a.clone().xor(b.clone()));
    let mut g = wire(m, format!("{name}_g0"), a.clone().and(b.clone()));
    let mut p = x.clone();
    let mut d = 1;
    let mut level = 1;
    while d < n {
        // Bits below d already span [i:0]: shift in 0 (generate) and 1 (propagate).
        let g_sh = e::cat(vec![g.slice(n - 1 - d, 0), e::lit(d, 0)]);
        let p_sh = e::cat(vec![p.slice(n - 1 - d, 0), e::lit(d, (1u128 << d) - 1)]);
        let g2 = wire(m, format!("{name}_g{level}"), g.or(p.and(g_sh)));
        let p2 = wire(m, format!("{name}_p{level}"), p.and(p_sh));
        g = g2;
        p = p2;
        d *= 2;
        level += 1;
    }
    Prefix { x, g, p }
}

/// `a < b` for two signed signals of equal width: with the sign bits flipped (offset binary),
/// a >= b exactly when a + ~b + 1 carries out; from a [`prefix`] tree.
pub fn signed_less(m: &mut Module, name: &str, a: &Signal, b: &Signal) -> Expr {
    let n = a.width;
    assert_eq!(n, b.width, "signed_less `{name}`: operands of equal width");
    let msb = 1u128 << (n - 1);
    let t = prefix(m, name, a.xor(e::lit(n, msb)), b.xor(e::lit(n, msb - 1)));
    t.carry_out(true).not()
}

/// The pieces of `(a + b) >> k` rounded half to even, for two w-bit carry-save rows whose sum
/// is the value with the rounding half already added: the high part for a carry in of 0 and
/// of 1 (`hi0`, `hi1`, w - k bits, signed), the carry out of the low k bits (`cin`), and the
/// tie (`tie`: the low k bits of the sum are zero; the rounded value's LSB must then be
/// cleared). The two high parts and the carry are computed side by side (carry select), each
/// by a [`prefix`] tree.
pub struct RoundParts {
    pub hi0: Signal,
    pub hi1: Signal,
    pub cin: Expr,
    pub tie: Expr,
}

pub fn round_parts(m: &mut Module, name: &str, a: &Signal, b: &Signal, k: u32) -> RoundParts {
    let w = a.width;
    let (cin, tie) = if k == 0 {
        (e::lit(1, 0), e::lit(1, 0))
    } else {
        let low = prefix(
            m,
            &format!("{name}_l"),
            a.slice(k - 1, 0),
            b.slice(k - 1, 0),
        );
        let z = sum_is_zero(
            m,
            &format!("{name}_tie"),
            a.slice(k - 1, 0),
            b.slice(k - 1, 0),
        );
        (low.carry_out(false), z.e())
    };
    let h = prefix(
        m,
        &format!("{name}_h"),
        a.slice(w - 1, k),
        b.slice(w - 1, k),
    );
    let hi0 = let_wire(m, &format!("{name}_hi0"), h.sum(false).as_signed());
    let hi1 = let_wire(m, &format!("{name}_hi1"), h.sum(true).as_signed());
    RoundParts { hi0, hi1, cin, tie }
}
