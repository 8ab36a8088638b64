//! Expressions. Every expression knows its width and signedness from its leaves alone (signal
//! handles carry theirs), so builders such as [`zext`] and [`Expr::mul`] can size operands
//! while the tree is built; `check_widths` then verifies the handles against the declarations.
//!
//! Width rules (the checker enforces them, so no Verilog context ever extends or truncates):
//! `+ - & | ^` and ternary branches take equal widths and keep them; comparisons take equal
//! widths and equal signedness and give 1 bit; `&& || !`, conditions and case subjects are what
//! they say (1 bit, or the subject's width for labels); shifts keep the left width; reductions
//! give 1 bit; concatenation sums; `*` takes equal widths, which [`Expr::mul`] arranges by
//! extending both operands to the sum of their widths (the product is exact).

use super::names::{ident, Ident};

/// A declared name seen from expressions: a port, wire, reg, memory (`depth`) or parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signal {
    pub name: Ident,
    pub width: u32,
    pub signed: bool,
    /// Number of words when the signal is a memory (`reg [w-1:0] name [0:depth-1]`).
    pub depth: Option<u32>,
}

/// How a constant is written; the value is the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Radix {
    Bin,
    Dec,
    Hex,
}

/// What a binary operator requires of its operands (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpClass {
    Arith,
    Compare,
    Logic,
    Shift,
}

/// Defines the operator enums and their builder methods on `Expr` (by value) and on `Signal`
/// handles (by reference), one line per operator.
macro_rules! operators {
    (binary: [$($b:ident $bsym:literal $class:ident $bm:ident;)*]
     unary: [$($u:ident $usym:literal $um:ident;)*]) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum BinOp { $($b),* }
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum UnOp { $($u),* }
        impl BinOp {
            pub fn symbol(self) -> &'static str { match self { $(BinOp::$b => $bsym),* } }
            pub(crate) fn class(self) -> OpClass { match self { $(BinOp::$b => OpClass::$class),* } }
        }
        impl UnOp {
            pub fn symbol(self) -> &'static str { match self { $(UnOp::$u => $usym),* } }
        }
        #[allow(clippy::should_implement_trait)]
        impl Expr {
            $(#[doc = concat!("`self ", $bsym, " rhs`")]
            pub fn $bm(self, rhs: impl Into<Expr>) -> Expr {
                Expr::Binary(BinOp::$b, Box::new(self), Box::new(rhs.into()))
            })*
            $(#[doc = concat!("`", $usym, "self`")]
            pub fn $um(self) -> Expr { Expr::Unary(UnOp::$u, Box::new(self)) })*
        }
        #[allow(clippy::should_implement_trait)]
        impl Signal {
            $(#[doc = concat!("`self ", $bsym, " rhs`")]
            pub fn $bm(&self, rhs: impl Into<Expr>) -> Expr { self.e().$bm(rhs) })*
            $(#[doc = concat!("`", $usym, "self`")]
            pub fn $um(&self) -> Expr { self.e().$um() })*
            /// See [`Expr::mul`].
            pub fn mul(&self, rhs: impl Into<Expr>) -> Expr { self.e().mul(rhs) }
            /// `self ? then : els`
            pub fn mux(&self, then: impl Into<Expr>, els: impl Into<Expr>) -> Expr {
                self.e().mux(then, els)
            }
        }
    };
}

// `mul_wrapping` is `*` of equal widths keeping that width (the low half of the product);
// `mul` (below) gives the exact product.
operators! {
    binary: [
    Add "+" Arith add; Sub "-" Arith sub; Mul "*" Arith mul_wrapping; And "&" Arith and;
    Or "|" Arith or; Xor "^" Arith xor; Eq "==" Compare eq; Ne "!=" Compare ne;
    Lt "<" Compare lt; Le "<=" Compare le; Gt ">" Compare gt; Ge ">=" Compare ge;
    Shl "<<" Shift shl; Shr ">>" Shift shr; Ashr ">>>" Shift ashr;
    LogAnd "&&" Logic land; LogOr "||" Logic lor;
    ]
    unary: [
    Not "~" not; LogNot "!" lnot; Neg "-" neg; RedAnd "&" red_and; RedOr "|" red_or;
    RedXor "^" red_xor;
    ]
}

/// A select on a declared signal (Verilog-2005 selects names only, never expressions).
#[derive(Clone, Debug)]
pub enum Select {
    /// `x[3]`
    Bit(u32),
    /// `x[i]`; the index has exactly `ceil(log2(width))` bits.
    BitAt(Box<Expr>),
    /// `x[hi:lo]`
    Range(u32, u32),
    /// `x[base +: width]`; the base is sized like a `BitAt` index.
    Part(Box<Expr>, u32),
    /// `mem[i]` on a memory; the index has exactly `ceil(log2(depth))` bits.
    Word(Box<Expr>),
    /// `mem[i][hi:lo]`: bits of one word of a memory, indexed like [`Select::Word`].
    WordRange(Box<Expr>, u32, u32),
}

#[derive(Clone, Debug)]
pub enum Expr {
    /// A sized constant. `value` holds the bits; a signed constant holds its value as an
    /// `i128` cast to `u128` (so -3 is all ones but the last two bits).
    Const {
        width: u32,
        value: u128,
        signed: bool,
        radix: Radix,
    },
    Ref(Signal),
    Select(Signal, Select),
    Concat(Vec<Expr>),
    /// `{n{x}}`
    Repeat(u32, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `c ? a : b`
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `$signed(x)`
    Signed(Box<Expr>),
    /// `$unsigned(x)`
    Unsigned(Box<Expr>),
}

/// Bits of an index that addresses `size` elements: `ceil(log2(size))`, at least 1.
pub fn index_width(size: u32) -> u32 {
    (32 - size.saturating_sub(1).leading_zeros()).max(1)
}

impl Expr {
    /// The width in bits under the rules of the module documentation.
    pub fn width(&self) -> u32 {
        match self {
            Expr::Const { width, .. } => *width,
            Expr::Ref(s) => s.width,
            Expr::Select(s, sel) => match sel {
                Select::Bit(_) | Select::BitAt(_) => 1,
                Select::Range(hi, lo) | Select::WordRange(_, hi, lo) => hi.saturating_sub(*lo) + 1,
                Select::Part(_, w) => *w,
                Select::Word(_) => s.width,
            },
            Expr::Concat(xs) => xs.iter().map(Expr::width).sum(),
            Expr::Repeat(n, x) => n * x.width(),
            Expr::Unary(UnOp::Not | UnOp::Neg, x) => x.width(),
            Expr::Unary(..) => 1,
            Expr::Binary(op, a, _) => match op.class() {
                OpClass::Arith | OpClass::Shift => a.width(),
                OpClass::Compare | OpClass::Logic => 1,
            },
            Expr::Cond(_, a, _) => a.width(),
            Expr::Signed(x) | Expr::Unsigned(x) => x.width(),
        }
    }

    /// Whether Verilog treats the expression as signed.
    pub fn is_signed(&self) -> bool {
        match self {
            Expr::Const { signed, .. } => *signed,
            Expr::Ref(s) => s.signed,
            Expr::Select(s, Select::Word(_)) => s.signed,
            Expr::Select(..) | Expr::Concat(_) | Expr::Repeat(..) | Expr::Unsigned(_) => false,
            Expr::Unary(UnOp::Not | UnOp::Neg, x) => x.is_signed(),
            Expr::Unary(..) => false,
            Expr::Binary(op, a, b) => match op.class() {
                OpClass::Arith => a.is_signed() && b.is_signed(),
                OpClass::Shift => a.is_signed(),
                OpClass::Compare | OpClass::Logic => false,
            },
            Expr::Cond(_, a, b) => a.is_signed() && b.is_signed(),
            Expr::Signed(_) => true,
        }
    }

    /// The exact product: both operands are first extended (by their own signedness) to the
    /// sum of their widths, which is the width of the result.
    ///
    /// # Panics
    /// When a signed operand is neither a signal nor a constant (see [`sext`]).
    #[allow(clippy::should_implement_trait)]
    pub fn mul(self, rhs: impl Into<Expr>) -> Expr {
        let rhs = rhs.into();
        let w = self.width() + rhs.width();
        let ext = |x: Expr| {
            if x.is_signed() {
                sext(x, w)
            } else {
                zext(x, w)
            }
        };
        ext(self).mul_wrapping(ext(rhs))
    }

    /// `self ? then : els`
    pub fn mux(self, then: impl Into<Expr>, els: impl Into<Expr>) -> Expr {
        Expr::Cond(Box::new(self), Box::new(then.into()), Box::new(els.into()))
    }

    pub fn as_signed(self) -> Expr {
        Expr::Signed(Box::new(self))
    }

    pub fn as_unsigned(self) -> Expr {
        Expr::Unsigned(Box::new(self))
    }
}

impl Signal {
    /// A handle to a signal declared elsewhere (`check_widths` verifies it against the
    /// declaration); modules hand these out when signals are declared.
    pub fn new(name: &str, width: u32, signed: bool) -> Signal {
        Signal {
            name: ident(name),
            width,
            signed,
            depth: None,
        }
    }

    /// The whole signal as an expression.
    pub fn e(&self) -> Expr {
        Expr::Ref(self.clone())
    }

    fn sel(&self, s: Select) -> Expr {
        Expr::Select(self.clone(), s)
    }

    /// `x[i]`; on a 1-bit signal, `x[0]` is the signal itself (scalars cannot be selected).
    pub fn bit(&self, i: u32) -> Expr {
        if self.width == 1 && i == 0 && self.depth.is_none() {
            return self.e();
        }
        self.sel(Select::Bit(i))
    }

    /// `x[i]` with a computed index.
    pub fn bit_at(&self, index: impl Into<Expr>) -> Expr {
        self.sel(Select::BitAt(Box::new(index.into())))
    }

    /// `x[hi:lo]`
    pub fn slice(&self, hi: u32, lo: u32) -> Expr {
        if hi == 0 && lo == 0 {
            return self.bit(0);
        }
        self.sel(Select::Range(hi, lo))
    }

    /// `x[base +: width]`
    pub fn part(&self, base: impl Into<Expr>, width: u32) -> Expr {
        self.sel(Select::Part(Box::new(base.into()), width))
    }

    /// `mem[i]`
    pub fn word(&self, index: impl Into<Expr>) -> Expr {
        self.sel(Select::Word(Box::new(index.into())))
    }

    /// `mem[i][hi:lo]`; the whole word `mem[i]` when the range covers it.
    pub fn word_slice(&self, index: impl Into<Expr>, hi: u32, lo: u32) -> Expr {
        if lo == 0 && hi + 1 == self.width {
            return self.word(index);
        }
        self.sel(Select::WordRange(Box::new(index.into()), hi, lo))
    }
}

impl From<&Signal> for Expr {
    fn from(s: &Signal) -> Expr {
        s.e()
    }
}

impl From<Signal> for Expr {
    fn from(s: Signal) -> Expr {
        Expr::Ref(s)
    }
}

fn constant(width: u32, value: u128, signed: bool, radix: Radix) -> Expr {
    Expr::Const {
        width,
        value,
        signed,
        radix,
    }
}

/// Unsigned decimal constant: `lit(8, 5)` is `8'd5`.
pub fn lit(width: u32, value: u128) -> Expr {
    constant(width, value, false, Radix::Dec)
}

/// Unsigned binary constant: `bin(4, 10)` is `4'b1010`.
pub fn bin(width: u32, value: u128) -> Expr {
    constant(width, value, false, Radix::Bin)
}

/// Unsigned hexadecimal constant: `hex(16, 0xffff)` is `16'hffff`.
pub fn hex(width: u32, value: u128) -> Expr {
    constant(width, value, false, Radix::Hex)
}

/// Signed constant: `slit(8, -3)` is `-8'sd3`.
pub fn slit(width: u32, value: i128) -> Expr {
    constant(width, value as u128, true, Radix::Dec)
}

/// `{a, b, ...}`, most significant first.
pub fn cat(parts: Vec<Expr>) -> Expr {
    Expr::Concat(parts)
}

/// `{n{x}}`
pub fn rep(n: u32, x: impl Into<Expr>) -> Expr {
    Expr::Repeat(n, Box::new(x.into()))
}

fn pad(x: &Expr, width: u32, what: &str) -> u32 {
    let w = x.width();
    assert!(w <= width, "{what} of a {w}-bit expression to {width} bits");
    width - w
}

/// Zero-extends to `width` bits: `{n'd0, x}` (unsigned). `x` itself when already that wide.
///
/// # Panics
/// When `x` is wider than `width`.
pub fn zext(x: impl Into<Expr>, width: u32) -> Expr {
    let x = x.into();
    match pad(&x, width, "zext") {
        0 => x,
        n => cat(vec![lit(n, 0), x]),
    }
}

/// Sign-extends to `width` bits: `$signed({{n{x[msb]}}, x})` for a signed signal (without
/// `$signed` for an unsigned one), a wider constant for a constant.
///
/// # Panics
/// When `x` is wider than `width`, or is neither a signal nor a constant (Verilog-2005 cannot
/// select the sign bit of an expression: assign it to a wire first).
pub fn sext(x: impl Into<Expr>, width: u32) -> Expr {
    let x = x.into();
    let n = pad(&x, width, "sext");
    if n == 0 {
        return x;
    }
    match &x {
        Expr::Const {
            width: w,
            value,
            signed,
            radix,
        } => {
            let v = if *signed || *w >= 128 {
                *value
            } else {
                (((*value << (128 - w)) as i128) >> (128 - w)) as u128
            };
            let mask = if width >= 128 {
                u128::MAX
            } else {
                (1 << width) - 1
            };
            let v = if *signed { v } else { v & mask };
            constant(width, v, *signed, *radix)
        }
        Expr::Ref(s) => {
            let msb = s.bit(s.width - 1);
            let ext = cat(vec![if n == 1 { msb } else { rep(n, msb) }, x.clone()]);
            if s.signed {
                ext.as_signed()
            } else {
                ext
            }
        }
        _ => panic!("sext of an expression that is not a signal: assign it to a wire first"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_rules() {
        let a = Signal::new("a", 8, true);
        let b = Signal::new("b", 4, false);
        assert_eq!(a.add(&a).width(), 8);
        assert!(a.add(&a).is_signed() && !a.add(b.e()).is_signed());
        assert_eq!(a.mul(&b).width(), 12);
        assert_eq!(cat(vec![a.e(), b.e()]).width(), 12);
        assert_eq!(rep(3, b.bit(0)).width(), 3);
        assert_eq!(a.slice(6, 2).width(), 5);
        assert_eq!(a.lt(&a).width(), 1);
        assert_eq!(a.shl(lit(3, 2)).width(), 8);
        assert_eq!((sext(&a, 12).width(), sext(&a, 12).is_signed()), (12, true));
        assert_eq!(zext(&a, 12).width(), 12);
        assert!(!zext(&a, 12).is_signed());
        assert_eq!((index_width(1), index_width(8), index_width(9)), (1, 3, 4));
        let one = Signal::new("one", 1, false);
        assert!(matches!(one.bit(0), Expr::Ref(_)) && matches!(one.slice(0, 0), Expr::Ref(_)));
    }

    #[test]
    fn sext_of_constants_keeps_the_value() {
        let Expr::Const { value, width, .. } = sext(slit(4, -3), 8) else {
            panic!()
        };
        assert_eq!((width, value as i128), (8, -3));
        let Expr::Const { value, .. } = sext(bin(4, 0b1010), 8) else {
            panic!()
        };
        assert_eq!(value, 0xfa);
    }

    #[test]
    #[should_panic(expected = "zext of a 8-bit expression to 4 bits")]
    fn extension_never_truncates() {
        zext(lit(8, 1), 4);
    }
}
