//! Small builders the blocks share: a wire declared and assigned in one step, the clock and
//! reset ports, and the arithmetic of the scalers: carry-save (Booth rows, 3:2 trees, the zero
//! test of a sum without a carry chain), carry-select adders and split compares.

use crate::hdl::{e, Decl, Expr, Kind, Module, Signal, Stmt};

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

/// The clock port of a block whose registers all hold data written before anything reads
/// them (no reset: docs/rtl.md, "Registers without reset").
pub fn clock_only(m: &mut Module) -> Signal {
    m.group("Clock (the registers hold data written before they are read: no reset)");
    m.port(Decl::new("clk", Kind::Input, 1).doc("clock"))
}

/// The clock and active-low reset ports every clocked block starts with.
pub fn clock_and_reset(m: &mut Module) -> (Signal, Signal) {
    m.group("Clock and active-low asynchronous reset");
    let clk = m.port(Decl::new("clk", Kind::Input, 1).doc("clock"));
    let rst_n =
        m.port(Decl::new("rst_n", Kind::Input, 1).doc("asynchronous assert, synchronous release"));
    (clk, rst_n)
}

/// Registers that load their source in every cycle and reset to 0: `reg <= src` for each pair,
/// in one clocked process.
pub fn follow(m: &mut Module, clk: &Signal, rst_n: &Signal, pairs: &[(&Signal, Expr)]) {
    m.seq(
        clk,
        rst_n,
        pairs.iter().map(|(r, _)| crate::hdl::clear(r)).collect(),
        pairs
            .iter()
            .map(|(r, src)| Stmt::nonblocking(*r, src.clone()))
            .collect(),
    );
}

/// Registers that load their source in every cycle, without reset: for controls of blocks that
/// have no reset themselves. The clock runs during reset, so they hold their (reset) sources'
/// values from the first edge in reset on.
pub fn follow_no_reset(m: &mut Module, clk: &Signal, pairs: &[(&Signal, Expr)]) {
    m.seq_no_reset(
        clk,
        pairs
            .iter()
            .map(|(r, src)| Stmt::nonblocking(*r, src.clone()))
            .collect(),
    );
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
        // A digit whose high and middle bits are both b's sign bit (the top digit of an
        // odd-width b) is never +-2: its `two` is 0 rather than `(s & ~s & ..) | (~s & s & ..)`.
        let two_value = if 2 * i + 1 >= nb {
            e::lit(1, 0)
        } else {
            hi.clone()
                .and(mid.clone().not())
                .and(lo.clone().not())
                .or(hi.not().and(mid).and(lo))
        };
        let two = let_wire(m, &format!("{name}_two{i}"), two_value);
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

/// The pieces of `(a + b) >> k` rounded half to even, for two w-bit carry-save rows whose sum
/// is the value with the rounding half already added: the high part for a carry in of 0 and
/// of 1 (`hi0`, `hi1`, w - k bits, signed), the carry out of the low k bits (`cin`), and the
/// tie (`tie`: the low k bits of the sum are zero; the rounded value's LSB must then be
/// cleared). The two high parts and the carry are computed side by side (carry select).
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
        let lsum = m.decl(
            Decl::new(&format!("{name}_lsum"), Kind::Wire, k + 1)
                .waive("UNUSEDSIGNAL", "only the carry out of the low bits is used"),
        );
        m.assign(
            &lsum,
            e::zext(a.slice(k - 1, 0), k + 1).add(e::zext(b.slice(k - 1, 0), k + 1)),
        );
        let z = sum_is_zero(
            m,
            &format!("{name}_tie"),
            a.slice(k - 1, 0),
            b.slice(k - 1, 0),
        );
        (lsum.bit(k), z.e())
    };
    let (hi0, hi1) = select_sums(m, &format!("{name}_hi"), a, b, k, w - 1, true);
    let hi1 = hi1.expect("asked for");
    RoundParts { hi0, hi1, cin, tie }
}

/// Below this width an adder or compare is left whole to Yosys.
const SPLIT_MIN: u32 = 8;

/// Bits [hi:lo] of `a` + bits [hi:lo] of `b` (mod 2^n, n = hi - lo + 1, signed wires), and with
/// `plus_one` also that sum + 1: a carry-select adder. The low and high halves are added side
/// by side, the high half for both carries out of the low half, and each low half's carry
/// picks one. Yosys maps `+` to Brent-Kung trees (about 2 log2 n levels); halving n saves about
/// two levels, and the simulators still evaluate a handful of word operations.
pub fn select_sums(
    m: &mut Module,
    name: &str,
    a: &Signal,
    b: &Signal,
    lo: u32,
    hi: u32,
    plus_one: bool,
) -> (Signal, Option<Signal>) {
    let n = hi - lo + 1;
    let (x, y) = (a.slice(hi, lo), b.slice(hi, lo));
    if n < SPLIT_MIN {
        let s0 = let_wire(m, &format!("{name}0"), x.clone().add(y.clone()).as_signed());
        let s1 = plus_one.then(|| {
            let_wire(
                m,
                &format!("{name}1"),
                x.add(y).add(e::lit(n, 1)).as_signed(),
            )
        });
        return (s0, s1);
    }
    let h = n / 2;
    let low = |m: &mut Module, one: bool| {
        let mut v =
            e::zext(a.slice(lo + h - 1, lo), h + 1).add(e::zext(b.slice(lo + h - 1, lo), h + 1));
        if one {
            v = v.add(e::lit(h + 1, 1));
        }
        let_wire(m, &format!("{name}_l{}", one as u8), v)
    };
    let (ua, ub) = (a.slice(hi, lo + h), b.slice(hi, lo + h));
    let u0 = let_wire(m, &format!("{name}_u0"), ua.clone().add(ub.clone()));
    let u1 = let_wire(m, &format!("{name}_u1"), ua.add(ub).add(e::lit(n - h, 1)));
    let pick = |m: &mut Module, one: bool| {
        let l = low(m, one);
        let upper = l.bit(h).mux(&u1, &u0);
        let_wire(
            m,
            &format!("{name}{}", one as u8),
            e::cat(vec![upper, l.slice(h - 1, 0)]).as_signed(),
        )
    };
    let s0 = pick(m, false);
    let s1 = plus_one.then(|| pick(m, true));
    (s0, s1)
}

/// The width of the low half [`signed_less`] splits `n`-bit operands at, if it splits them.
pub fn less_split(n: u32) -> Option<u32> {
    (n >= SPLIT_MIN).then_some(n / 2)
}

/// `a < b` for two signed signals of equal width: the high halves compared signed, the low
/// halves unsigned and used when the high halves are equal, side by side (see
/// [`select_sums`] for why).
pub fn signed_less(m: &mut Module, name: &str, a: &Signal, b: &Signal) -> Expr {
    let n = a.width;
    assert_eq!(n, b.width, "signed_less `{name}`: operands of equal width");
    let Some(h) = less_split(n) else {
        return a.e().as_signed().lt(b.e().as_signed());
    };
    let (ah, bh) = (a.slice(n - 1, h), b.slice(n - 1, h));
    let hl = let_wire(
        m,
        &format!("{name}_hl"),
        ah.clone().as_signed().lt(bh.clone().as_signed()),
    );
    let he = let_wire(m, &format!("{name}_he"), ah.eq(bh));
    let ll = let_wire(
        m,
        &format!("{name}_ll"),
        a.slice(h - 1, 0).lt(b.slice(h - 1, 0)),
    );
    hl.lor(he.land(&ll))
}
