//! Known bits: the bits of a design's signals that hold one value in every cycle after reset
//! (and, for registers without a reset, after their first load), proven from the typed tree. Code coverage leaves these bits out of its toggle figures
//! (they cannot toggle: partial products shifted left, carries of a carry-save row whose low
//! bits are zero, status codes that never set a bit, a beat counter of one value), and lists
//! them with this proof as the reason.
//!
//! The proof is an induction over clock cycles, conservative in every step:
//! - a wire's bit is known when the expression that drives it has that bit known, given the
//!   bits known so far (the width rules of [`super::expr`] mean no context ever extends or
//!   truncates, so every operator is evaluated at its own width);
//! - a register's bit is known to be `c` when its reset writes `c` and every assignment to it
//!   anywhere in its process writes `c` (given the bits known so far), whatever the
//!   conditions: it holds `c` after reset and keeps it at every edge;
//! - a register without a reset (data only: its first load precedes every use) has a bit
//!   known to be `c` when every assignment writes `c`: it holds `c` from its first load on;
//! - a module input is known only where every instance of the module connects a known bit;
//!   outputs of an instance give the parent what the child proved.
//!
//! Starting from nothing known, the facts only grow; each one is derived from facts already
//! proven, so the fixpoint holds only true invariants. Memories and dynamic selects are
//! never known.

use std::collections::BTreeMap;

use super::expr::{BinOp, Expr, Select, UnOp};
use super::module::{Item, Kind, Module, Stmt};

/// Bits of a value, least significant first: `Some(v)` when known.
pub type Bits = Vec<Option<bool>>;

/// Known bits by module and signal: only signals with at least one known bit.
pub type Known = BTreeMap<String, BTreeMap<String, Bits>>;

fn unknown(w: u32) -> Bits {
    vec![None; w as usize]
}

fn constant(width: u32, value: u128) -> Bits {
    (0..width)
        .map(|i| Some(i < 128 && (value >> i) & 1 == 1))
        .collect()
}

fn all_known(b: &Bits) -> Option<u128> {
    if b.len() > 128 {
        return None;
    }
    b.iter()
        .enumerate()
        .try_fold(0u128, |v, (i, x)| x.map(|bit| v | (u128::from(bit) << i)))
}

/// Ripple addition of known bits with a carry in.
fn add(a: &Bits, b: &Bits, carry_in: bool) -> Bits {
    let mut carry = Some(carry_in);
    a.iter()
        .zip(b)
        .map(|(&x, &y)| {
            let ones = [x, y, carry];
            let known: Vec<bool> = ones.iter().flatten().copied().collect();
            let sum = (known.len() == 3).then(|| known.iter().filter(|&&v| v).count() % 2 == 1);
            let n1 = known.iter().filter(|&&v| v).count();
            let n0 = known.len() - n1;
            carry = if n1 >= 2 {
                Some(true)
            } else if n0 >= 2 {
                Some(false)
            } else {
                None
            };
            sum
        })
        .collect()
}

struct Env<'a> {
    bits: &'a BTreeMap<String, Bits>,
}

impl Env<'_> {
    fn signal(&self, name: &str, w: u32) -> Bits {
        match self.bits.get(name) {
            Some(b) if b.len() == w as usize => b.clone(),
            _ => unknown(w),
        }
    }

    fn eval(&self, e: &Expr) -> Bits {
        let w = e.width();
        let r = match e {
            Expr::Const { width, value, .. } => constant(*width, *value),
            Expr::Ref(s) if s.depth.is_none() => self.signal(s.name.as_str(), s.width),
            Expr::Ref(_) => unknown(w),
            Expr::Select(s, sel) if s.depth.is_none() => {
                let all = self.signal(s.name.as_str(), s.width);
                match sel {
                    Select::Bit(i) => vec![all.get(*i as usize).copied().flatten()],
                    Select::Range(hi, lo) if *hi < s.width && lo <= hi => {
                        all[*lo as usize..=*hi as usize].to_vec()
                    }
                    _ => unknown(w),
                }
            }
            Expr::Select(..) => unknown(w),
            Expr::Concat(parts) => parts.iter().rev().flat_map(|p| self.eval(p)).collect(),
            Expr::Repeat(n, x) => {
                let b = self.eval(x);
                (0..*n).flat_map(|_| b.clone()).collect()
            }
            Expr::Unary(op, x) => {
                let b = self.eval(x);
                match op {
                    UnOp::Not => b.iter().map(|v| v.map(|x| !x)).collect(),
                    UnOp::RedOr | UnOp::LogNot => {
                        let any = if b.contains(&Some(true)) {
                            Some(true)
                        } else if b.iter().all(|v| *v == Some(false)) {
                            Some(false)
                        } else {
                            None
                        };
                        vec![if *op == UnOp::LogNot {
                            any.map(|v| !v)
                        } else {
                            any
                        }]
                    }
                    UnOp::RedAnd => vec![if b.contains(&Some(false)) {
                        Some(false)
                    } else if b.iter().all(|v| *v == Some(true)) {
                        Some(true)
                    } else {
                        None
                    }],
                    UnOp::RedXor => vec![all_known(&b).map(|v| v.count_ones() % 2 == 1)],
                    UnOp::Neg => {
                        let inv: Bits = b.iter().map(|v| v.map(|x| !x)).collect();
                        add(&inv, &constant(inv.len() as u32, 0), true)
                    }
                }
            }
            Expr::Binary(op, a, b) => self.binary(*op, a, b, w),
            Expr::Cond(c, a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                match self.eval(c).first().copied().flatten() {
                    Some(true) => a,
                    Some(false) => b,
                    None => a
                        .iter()
                        .zip(&b)
                        .map(|(x, y)| if x == y { *x } else { None })
                        .collect(),
                }
            }
            Expr::Signed(x) | Expr::Unsigned(x) => self.eval(x),
        };
        if r.len() == w as usize {
            r
        } else {
            unknown(w)
        }
    }

    fn binary(&self, op: BinOp, a: &Expr, b: &Expr, w: u32) -> Bits {
        let (x, y) = (self.eval(a), self.eval(b));
        let bitwise = |f: fn(Option<bool>, Option<bool>) -> Option<bool>| -> Bits {
            if x.len() != y.len() {
                return unknown(w);
            }
            x.iter().zip(&y).map(|(&p, &q)| f(p, q)).collect()
        };
        let truth = |v: &Bits| -> Option<bool> {
            if v.contains(&Some(true)) {
                Some(true)
            } else if v.iter().all(|b| *b == Some(false)) {
                Some(false)
            } else {
                None
            }
        };
        match op {
            BinOp::And => bitwise(|p, q| match (p, q) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            }),
            BinOp::Or => bitwise(|p, q| match (p, q) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            }),
            BinOp::Xor => bitwise(|p, q| match (p, q) {
                (Some(p), Some(q)) => Some(p != q),
                _ => None,
            }),
            BinOp::Add if x.len() == y.len() => add(&x, &y, false),
            BinOp::Sub if x.len() == y.len() => {
                let inv: Bits = y.iter().map(|v| v.map(|b| !b)).collect();
                add(&x, &inv, true)
            }
            BinOp::Mul if x.len() == y.len() => {
                // Trailing known zeros of the operands are trailing zeros of the product.
                let tz = |v: &Bits| v.iter().take_while(|b| **b == Some(false)).count();
                let zeros = (tz(&x) + tz(&y)).min(w as usize);
                let mut r = unknown(w);
                r[..zeros].iter_mut().for_each(|b| *b = Some(false));
                r
            }
            BinOp::LogAnd => vec![match (truth(&x), truth(&y)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            }],
            BinOp::LogOr => vec![match (truth(&x), truth(&y)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            }],
            BinOp::Eq | BinOp::Ne => {
                let differ = x
                    .iter()
                    .zip(&y)
                    .any(|(p, q)| matches!((p, q), (Some(p), Some(q)) if p != q));
                let same =
                    x.len() == y.len() && x.iter().zip(&y).all(|(p, q)| p.is_some() && p == q);
                let eq = if differ {
                    Some(false)
                } else if same {
                    Some(true)
                } else {
                    None
                };
                vec![if op == BinOp::Ne { eq.map(|v| !v) } else { eq }]
            }
            BinOp::Shl | BinOp::Shr => match all_known(&y) {
                Some(n) => {
                    let n = n.min(u128::from(w)) as usize;
                    let zeros = std::iter::repeat_n(Some(false), n);
                    if op == BinOp::Shl {
                        zeros.chain(x.iter().copied()).take(w as usize).collect()
                    } else {
                        x.iter().copied().skip(n).chain(zeros).collect()
                    }
                }
                None => unknown(w),
            },
            _ => unknown(w),
        }
    }
}

/// What one process writes: by signal, the bits written by every assignment (a bit never
/// assigned keeps `None` in the list's slot: not written there).
#[derive(Default)]
struct Writes {
    /// Per signal: per bit, the values written (`None` entries: unknown values written).
    by_signal: BTreeMap<String, Vec<Vec<Option<bool>>>>,
    /// Signals written through a dynamic select or as a memory: never known.
    opaque: Vec<String>,
}

impl Writes {
    fn assign(&mut self, env: &Env, lhs: &Expr, rhs: &Expr) {
        self.write(lhs, env.eval(rhs));
    }

    /// `lhs` written with `value`: a whole signal or a constant select records the bits;
    /// a concatenation takes the value from the most significant end; a dynamic select or a
    /// memory makes the signal opaque.
    fn write(&mut self, lhs: &Expr, value: Bits) {
        let (name, width, lo) = match lhs {
            Expr::Ref(s) if s.depth.is_none() => (s.name.as_str(), s.width, 0),
            Expr::Select(s, Select::Bit(i)) if s.depth.is_none() => (s.name.as_str(), s.width, *i),
            Expr::Select(s, Select::Range(_, lo)) if s.depth.is_none() => {
                (s.name.as_str(), s.width, *lo)
            }
            Expr::Ref(s) | Expr::Select(s, _) => {
                self.opaque.push(s.name.to_string());
                return;
            }
            Expr::Concat(parts) => {
                let mut at = value.len();
                for p in parts {
                    let pw = p.width() as usize;
                    let slice = value[at.saturating_sub(pw)..at].to_vec();
                    at = at.saturating_sub(pw);
                    self.write(p, slice);
                }
                return;
            }
            _ => return,
        };
        let slot = self
            .by_signal
            .entry(name.to_string())
            .or_insert_with(|| vec![Vec::new(); width as usize]);
        for (i, v) in value.into_iter().enumerate() {
            if let Some(s) = slot.get_mut(lo as usize + i) {
                s.push(v);
            }
        }
    }

    fn stmts(&mut self, env: &Env, stmts: &[Stmt]) {
        for s in stmts {
            match s {
                Stmt::Blocking(l, r) | Stmt::NonBlocking(l, r) => self.assign(env, l, r),
                Stmt::If { then, els, .. } => {
                    self.stmts(env, then);
                    self.stmts(env, els);
                }
                Stmt::Case { arms, default, .. } => {
                    for (_, body) in arms {
                        self.stmts(env, body);
                    }
                    if let Some(d) = default {
                        self.stmts(env, d);
                    }
                }
                Stmt::Comment(_) => {}
            }
        }
    }

    /// Per signal, the bits every assignment writes with one known value.
    fn agreed(&self, width_of: impl Fn(&str) -> u32) -> BTreeMap<String, Bits> {
        let mut out = BTreeMap::new();
        for (name, slots) in &self.by_signal {
            if self.opaque.contains(name) || slots.len() != width_of(name) as usize {
                continue;
            }
            let bits: Bits = slots
                .iter()
                .map(|vals| match vals.first() {
                    Some(Some(v)) if vals.iter().all(|x| *x == Some(*v)) => Some(*v),
                    _ => None,
                })
                .collect();
            out.insert(name.clone(), bits);
        }
        out
    }
}

/// One pass over `m` with its inputs' known bits `inputs`: the known bits of its signals.
fn module_pass(
    m: &Module,
    inputs: &BTreeMap<String, Bits>,
    prev: &BTreeMap<String, Bits>,
) -> BTreeMap<String, Bits> {
    let widths: BTreeMap<String, (u32, Kind, bool)> = m
        .ports
        .iter()
        .flat_map(|g| g.ports.iter())
        .chain(m.decls.iter())
        .map(|d| (d.name.to_string(), (d.width, d.kind, d.depth.is_some())))
        .collect();
    let width_of = |n: &str| widths.get(n).map_or(0, |w| w.0);
    let mut bits: BTreeMap<String, Bits> = prev.clone();
    for (n, b) in inputs {
        bits.insert(n.clone(), b.clone());
    }
    // Wires and combinational processes settle in a few rounds (their order in the module is
    // free); registers take the facts of the previous pass.
    for _ in 0..8 {
        let mut next = bits.clone();
        for item in &m.items {
            let env = Env { bits: &bits };
            match item {
                Item::Assign { lhs, rhs } => {
                    let mut w = Writes::default();
                    w.assign(&env, lhs, rhs);
                    for (n, b) in w.agreed(width_of) {
                        merge_slice(&mut next, &n, b, width_of(&n));
                    }
                }
                Item::Comb(stmts) => {
                    let mut w = Writes::default();
                    w.stmts(&env, stmts);
                    for (n, b) in w.agreed(width_of) {
                        next.insert(n, b);
                    }
                }
                Item::Seq { reset, body, .. } => {
                    let mut w = Writes::default();
                    w.stmts(&env, body);
                    let Some((_, reset)) = reset else {
                        // No reset: what every assignment writes, from the first load on.
                        for (n, b) in w.agreed(width_of) {
                            next.insert(n, b);
                        }
                        continue;
                    };
                    let mut r = Writes::default();
                    r.stmts(&env, reset);
                    let at_reset = r.agreed(width_of);
                    for (n, b) in w.agreed(width_of) {
                        let Some(rb) = at_reset.get(&n) else {
                            continue;
                        };
                        let both: Bits = b
                            .iter()
                            .zip(rb)
                            .map(|(x, y)| if x.is_some() && x == y { *x } else { None })
                            .collect();
                        next.insert(n, both);
                    }
                    // Registers the body never writes hold their reset value.
                    for (n, rb) in at_reset {
                        if !w.by_signal.contains_key(&n) && !w.opaque.contains(&n) {
                            next.insert(n, rb);
                        }
                    }
                }
                Item::Latch { .. } | Item::Instance(_) | Item::Comment(_) => {}
            }
        }
        if next == bits {
            break;
        }
        bits = next;
    }
    bits.retain(|n, _| widths.get(n).is_some_and(|w| !w.2));
    bits
}

/// An `assign` to a part of a signal: the other bits keep what earlier assigns gave.
fn merge_slice(into: &mut BTreeMap<String, Bits>, name: &str, b: Bits, width: u32) {
    let e = into
        .entry(name.to_string())
        .or_insert_with(|| unknown(width));
    for (i, v) in b.iter().enumerate() {
        if v.is_some() {
            if let Some(x) = e.get_mut(i) {
                *x = *v;
            }
        }
    }
}

/// The known bits of every module of a design (`modules`, the top last or anywhere: instances
/// are found by name).
pub fn known_bits(modules: &[Module]) -> Known {
    let by_name: BTreeMap<String, &Module> =
        modules.iter().map(|m| (m.name.to_string(), m)).collect();
    let mut facts: BTreeMap<String, BTreeMap<String, Bits>> = BTreeMap::new();
    let mut inputs: BTreeMap<String, BTreeMap<String, Bits>> = BTreeMap::new();
    // Modules no instance names (tops) have no input known.
    for _ in 0..24 {
        let mut new_facts = BTreeMap::new();
        for m in modules {
            let name = m.name.to_string();
            let ins = inputs.get(&name).cloned().unwrap_or_default();
            let prev = facts.get(&name).cloned().unwrap_or_default();
            let mut bits = module_pass(m, &ins, &prev);
            // Outputs of instances: what the child proved.
            for item in &m.items {
                if let Item::Instance(inst) = item {
                    let Some(child) = by_name.get(inst.module.as_str()) else {
                        continue;
                    };
                    let child_facts = facts.get(inst.module.as_str());
                    for (port, conn) in &inst.connections {
                        let Some(d) = child
                            .ports
                            .iter()
                            .flat_map(|g| g.ports.iter())
                            .find(|d| d.name == *port)
                        else {
                            continue;
                        };
                        if !matches!(d.kind, Kind::Output | Kind::OutputReg) {
                            continue;
                        }
                        let value = child_facts
                            .and_then(|f| f.get(port.as_str()))
                            .cloned()
                            .unwrap_or_else(|| unknown(d.width));
                        let mut w = Writes::default();
                        w.write(conn, value);
                        let widths = |n: &str| signal_width(m, n);
                        for (n, b) in w.agreed(widths) {
                            merge_slice(&mut bits, &n, b, signal_width(m, &n));
                        }
                    }
                }
            }
            new_facts.insert(name, bits);
        }
        // Inputs of each module: the bits every instance connects with the same known value.
        let mut new_inputs: BTreeMap<String, BTreeMap<String, Vec<Bits>>> = BTreeMap::new();
        for m in modules {
            let env_bits = new_facts.get(m.name.as_str()).cloned().unwrap_or_default();
            let env = Env { bits: &env_bits };
            for item in &m.items {
                if let Item::Instance(inst) = item {
                    let Some(child) = by_name.get(inst.module.as_str()) else {
                        continue;
                    };
                    for d in child.ports.iter().flat_map(|g| g.ports.iter()) {
                        if d.kind != Kind::Input {
                            continue;
                        }
                        let value = inst
                            .connections
                            .iter()
                            .find(|(p, _)| *p == d.name)
                            .map_or_else(|| unknown(d.width), |(_, e)| env.eval(e));
                        new_inputs
                            .entry(inst.module.to_string())
                            .or_default()
                            .entry(d.name.to_string())
                            .or_default()
                            .push(value);
                    }
                }
            }
        }
        let new_inputs: BTreeMap<String, BTreeMap<String, Bits>> = new_inputs
            .into_iter()
            .map(|(m, ports)| {
                let ports = ports
                    .into_iter()
                    .map(|(p, all)| {
                        let first = all[0].clone();
                        let agreed = (0..first.len())
                            .map(|i| {
                                let v = first[i];
                                (v.is_some() && all.iter().all(|b| b.get(i) == Some(&v)))
                                    .then_some(v)
                                    .flatten()
                            })
                            .collect();
                        (p, agreed)
                    })
                    .collect();
                (m, ports)
            })
            .collect();
        let done = new_facts == facts && new_inputs == inputs;
        facts = new_facts;
        inputs = new_inputs;
        if done {
            break;
        }
    }
    facts
        .into_iter()
        .map(|(m, sigs)| {
            let sigs = sigs
                .into_iter()
                .filter(|(_, b)| b.iter().any(Option::is_some))
                .collect();
            (m, sigs)
        })
        .collect()
}

fn signal_width(m: &Module, name: &str) -> u32 {
    m.ports
        .iter()
        .flat_map(|g| g.ports.iter())
        .chain(m.decls.iter())
        .find(|d| d.name.as_str() == name)
        .map_or(0, |d| d.width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdl::expr::{cat, lit};
    use crate::hdl::module::Decl;

    #[test]
    fn shifted_rows_and_constant_registers_are_known() {
        let mut m = Module::new("t");
        let clk = m.input("clk", 1);
        let rst_n = m.input("rst_n", 1);
        let x = m.input("x", 4);
        let y = m.output("y", 8);
        let r = m.decl(Decl::new("r", Kind::Reg, 3));
        let c = m.decl(Decl::new("c", Kind::Reg, 4));
        // y = {x, 4'b0} + {4'b0, x}: the low 4 bits are x's (unknown), nothing is known
        // above; a shifted row alone has its low bits known.
        let shifted = m.decl(Decl::new("shifted", Kind::Wire, 8));
        m.assign(&shifted, cat(vec![x.e(), lit(4, 0)]));
        m.assign(&y, shifted.add(cat(vec![lit(4, 0), x.e()])));
        // r takes 1, 2 or 4 but never sets... every bit toggles; c counts: unknown; a
        // register written only with 3'b001 or 3'b011 has bit 0 known 1 and bit 2 known 0.
        m.seq(
            &clk,
            &rst_n,
            vec![
                Stmt::nonblocking(&r, lit(3, 1)),
                Stmt::nonblocking(&c, lit(4, 0)),
            ],
            vec![
                Stmt::if_else(
                    x.bit(0),
                    vec![Stmt::nonblocking(&r, lit(3, 3))],
                    vec![Stmt::nonblocking(&r, lit(3, 1))],
                ),
                Stmt::nonblocking(&c, c.add(lit(4, 1))),
            ],
        );
        // Without reset: bit 0 of {x[1], 1'b0} is 0 from the first load on; a register that
        // follows a top input is not known.
        let d = m.decl(Decl::new("d", Kind::Reg, 2));
        let e = m.decl(Decl::new("e", Kind::Reg, 1));
        m.seq_no_reset(
            &clk,
            vec![
                Stmt::nonblocking(&d, cat(vec![x.bit(1), lit(1, 0)])),
                Stmt::nonblocking(&e, x.bit(2)),
            ],
        );
        let k = known_bits(&[m]);
        let t = &k["t"];
        assert_eq!(t["d"], vec![Some(false), None]);
        assert!(!t.contains_key("e"), "{t:?}");
        assert_eq!(
            t["shifted"],
            vec![
                Some(false),
                Some(false),
                Some(false),
                Some(false),
                None,
                None,
                None,
                None
            ]
        );
        assert_eq!(t["r"], vec![Some(true), None, Some(false)]);
        assert!(!t.contains_key("c"), "a counter is not constant");
        assert!(!t.contains_key("x"), "a top input is not known");
    }
}
