//! Expression rules of `check_widths`: declarations of the names used, operand widths and
//! signedness, selects and indices, constants that fit.

use super::check::{Checker, Role};
use super::error::ErrorKind as K;
use super::expr::{index_width, BinOp, Expr, OpClass, Select, Signal, UnOp};
use super::print::expr as show;

/// `` `x` (8 bits) `` for messages.
pub(super) fn desc(e: &Expr) -> String {
    format!("`{}` ({} bits)", show(e), e.width())
}

impl Checker<'_> {
    pub(super) fn one_bit(&mut self, e: &Expr, what: &str) {
        self.expr(e);
        if e.width() != 1 {
            self.err(K::OperandWidth, format!("{what} {} must be 1 bit", desc(e)));
        }
    }

    /// Checks a handle against its declaration; false when it cannot be used at all.
    fn handle(&mut self, s: &Signal) -> bool {
        let n = &s.name;
        let Some(&(role, width, signed, depth)) = self.syms.get(n.as_str()) else {
            self.err(K::Undeclared, format!("`{n}` is not declared"));
            return false;
        };
        if role == Role::Instance {
            self.err(K::Undeclared, format!("`{n}` is an instance, not a signal"));
            return false;
        }
        if (width, signed, depth) != (s.width, s.signed, s.depth) {
            let sign = |b: bool| if b { "signed" } else { "unsigned" };
            let (used, declared) = (sign(s.signed), sign(signed));
            let msg = format!(
                "`{n}` is used as {} bits {used} but declared {width} bits {declared}",
                s.width
            );
            self.err(K::HandleMismatch, msg);
        }
        true
    }

    fn index(&mut self, s: &Signal, index: &Expr, size: u32) {
        self.expr(index);
        let need = index_width(size);
        if index.width() != need {
            let msg = format!("index {} of `{}` must be {need} bits", desc(index), s.name);
            self.err(K::Range, msg);
        }
    }

    pub(super) fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Const {
                width,
                value,
                signed,
                ..
            } => {
                let (w, v) = (*width, *value);
                let fits = w >= 128
                    || if *signed {
                        matches!((v as i128) >> (w.max(1) - 1), 0 | -1)
                    } else {
                        v >> w == 0
                    };
                if w == 0 {
                    self.err(K::Malformed, "a constant has zero width".into());
                } else if !fits {
                    let v = if *signed {
                        (v as i128).to_string()
                    } else {
                        v.to_string()
                    };
                    self.err(K::Range, format!("constant {v} does not fit in {w} bits"));
                }
            }
            Expr::Ref(s) => {
                if self.handle(s) && s.depth.is_some() {
                    self.err(
                        K::Malformed,
                        format!("memory `{}` is used without an index", s.name),
                    );
                }
            }
            Expr::Select(s, sel) => self.select(s, sel),
            Expr::Concat(parts) => {
                if parts.is_empty() {
                    self.err(K::Malformed, "empty concatenation".into());
                }
                parts.iter().for_each(|p| self.expr(p));
            }
            Expr::Repeat(n, x) => {
                if *n == 0 {
                    self.err(
                        K::Malformed,
                        format!("replication `{}` of zero copies", show(e)),
                    );
                }
                self.expr(x);
            }
            Expr::Unary(UnOp::LogNot, x) => self.one_bit(x, "operand of !"),
            Expr::Unary(_, x) | Expr::Signed(x) | Expr::Unsigned(x) => self.expr(x),
            Expr::Binary(op, a, b) => self.binary(*op, a, b),
            Expr::Cond(c, a, b) => {
                self.one_bit(c, "condition");
                self.expr(a);
                self.expr(b);
                self.same_width("?:", a, b);
            }
        }
    }

    fn select(&mut self, s: &Signal, sel: &Select) {
        if !self.handle(s) {
            return;
        }
        let (w, n) = (s.width, &s.name);
        let problem = match (sel, s.depth) {
            (Select::Word(i), Some(depth)) => return self.index(s, i, depth),
            (Select::WordRange(i, hi, lo), Some(depth)) => {
                self.index(s, i, depth);
                if lo <= hi && *hi < w {
                    return;
                }
                (
                    K::Range,
                    format!(
                        "part select [{hi}:{lo}] of a word of `{n}` is out of range (width {w})"
                    ),
                )
            }
            (Select::Word(_) | Select::WordRange(..), None) => {
                (K::Malformed, format!("`{n}` is not a memory"))
            }
            (_, Some(_)) => (
                K::Malformed,
                format!("memory `{n}` is used without an index"),
            ),
            _ if w == 1 => (
                K::Malformed,
                format!("`{n}` is 1 bit and cannot be selected"),
            ),
            (Select::BitAt(i), _) => return self.index(s, i, w),
            (Select::Bit(i), _) if *i >= w => (
                K::Range,
                format!("bit {i} of `{n}` is out of range (width {w})"),
            ),
            (Select::Range(hi, lo), _) if lo > hi || *hi >= w => (
                K::Range,
                format!("part select [{hi}:{lo}] of `{n}` is out of range (width {w})"),
            ),
            (Select::Part(base, pw), _) => {
                self.index(s, base, w);
                if *pw > 0 && *pw <= w {
                    return;
                }
                (
                    K::Range,
                    format!("part select of {pw} bits of `{n}` is out of range (width {w})"),
                )
            }
            _ => return,
        };
        self.err(problem.0, problem.1);
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr) {
        let sym = op.symbol();
        if op.class() == OpClass::Logic {
            self.one_bit(a, &format!("operand of {sym}"));
            return self.one_bit(b, &format!("operand of {sym}"));
        }
        self.expr(a);
        self.expr(b);
        match op.class() {
            OpClass::Shift if op == BinOp::Ashr && !a.is_signed() => {
                let msg = format!(
                    ">>> of unsigned `{}` shifts in zeros; use >> or $signed",
                    show(a)
                );
                self.err(K::Signedness, msg);
            }
            OpClass::Arith | OpClass::Compare => self.same_width(sym, a, b),
            _ => {}
        }
        if op.class() == OpClass::Compare && a.is_signed() != b.is_signed() {
            let msg = format!(
                "operands of {sym} mix signed and unsigned: `{}`, `{}`; cast one",
                show(a),
                show(b)
            );
            self.err(K::Signedness, msg);
        }
    }

    fn same_width(&mut self, sym: &str, a: &Expr, b: &Expr) {
        if a.width() != b.width() {
            let msg = format!(
                "operands of {sym} differ in width: {}, {}; extend with zext/sext",
                desc(a),
                desc(b)
            );
            self.err(K::OperandWidth, msg);
        }
    }
}
