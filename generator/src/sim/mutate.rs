//! Mutants of the generated digital RTL for `gca mutate`: one operator changed in the typed
//! tree of one module (`hdl`), so that every mutant is printed by the one printer and passes
//! `hdl::check_widths` (widths and signedness are kept by construction: each replacement has
//! the width rules of the original).
//!
//! Operators ([`Operator`]):
//! - relational: `<` and `<=`, `>` and `>=`, `==` and `!=` swapped;
//! - arithmetic: `+` and `-` swapped;
//! - logical: `&&` and `||`, `&` and `|` swapped, `^` to `|`, `~x` to `x`, `!x` to `x` (1 bit);
//! - constant: the least significant bit of a constant flipped;
//! - condition: the branches of `c ? a : b` swapped, the condition of an `if` negated.
//!
//! Sites are the expressions a module computes: right-hand sides of assignments, conditions
//! of `if`, and values connected to instance ports (the tie-offs). Left-hand sides and case
//! labels are left alone (a mutated label could duplicate another).
//! [`sample`] draws mutants across every module in turn (a seeded shuffle of the modules
//! that have sites, then a site at random within each), not in proportion to size.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use serde::Serialize;

use super::regression;
use super::verilator::{BuildOptions, Model};
use crate::config::Params;
use crate::hdl::{print_module, BinOp, Design, Expr, Item, Module, Stmt, UnOp};
use crate::rng::Rng;

/// The class of a mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    Relational,
    Arithmetic,
    Logical,
    Constant,
    Condition,
}

impl Operator {
    pub fn name(self) -> &'static str {
        match self {
            Operator::Relational => "relational",
            Operator::Arithmetic => "arithmetic",
            Operator::Logical => "logical",
            Operator::Constant => "constant",
            Operator::Condition => "condition",
        }
    }
}

/// One mutant: where, what, and the printed lines before and after.
#[derive(Clone, Debug, Serialize)]
pub struct Mutant {
    /// `rtl/<module>.v`.
    pub file: String,
    pub module: String,
    /// 1-based line of the first printed difference.
    pub line: usize,
    pub operator: Operator,
    /// What changed, e.g. `< -> <=`.
    pub change: String,
    pub original: String,
    pub mutated: String,
    /// The whole mutated file.
    #[serde(skip)]
    pub text: String,
}

/// The mutation of the site at `target`, counted in walk order; `None` when the expression
/// is not a site.
fn mutate_expr(e: &mut Expr, target: usize, n: &mut usize) -> Option<(Operator, String)> {
    let here = site(e);
    if let Some(op) = here {
        if *n == target {
            *n += 1;
            return Some(apply(e, op));
        }
        *n += 1;
    }
    match e {
        Expr::Unary(_, x) | Expr::Signed(x) | Expr::Unsigned(x) | Expr::Repeat(_, x) => {
            mutate_expr(x, target, n)
        }
        Expr::Binary(_, a, b) => mutate_expr(a, target, n).or_else(|| mutate_expr(b, target, n)),
        Expr::Cond(c, a, b) => mutate_expr(c, target, n)
            .or_else(|| mutate_expr(a, target, n))
            .or_else(|| mutate_expr(b, target, n)),
        Expr::Concat(xs) => xs.iter_mut().find_map(|x| mutate_expr(x, target, n)),
        Expr::Const { .. } | Expr::Ref(_) | Expr::Select(..) => None,
    }
}

/// Whether `e` is a mutation site, and of which class.
fn site(e: &Expr) -> Option<Operator> {
    match e {
        Expr::Binary(op, ..) => match op {
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                Some(Operator::Relational)
            }
            // One bit wide, a + b and a - b are the same (mod 2): an equivalent mutant.
            BinOp::Add | BinOp::Sub if e.width() > 1 => Some(Operator::Arithmetic),
            BinOp::LogAnd | BinOp::LogOr | BinOp::And | BinOp::Or | BinOp::Xor => {
                Some(Operator::Logical)
            }
            _ => None,
        },
        Expr::Unary(UnOp::Not, _) => Some(Operator::Logical),
        Expr::Unary(UnOp::LogNot, x) if x.width() == 1 => Some(Operator::Logical),
        Expr::Const { width, .. } if *width > 0 => Some(Operator::Constant),
        Expr::Cond(..) => Some(Operator::Condition),
        _ => None,
    }
}

fn apply(e: &mut Expr, op: Operator) -> (Operator, String) {
    let change = match e {
        Expr::Binary(b, ..) => {
            let new = match *b {
                BinOp::Lt => BinOp::Le,
                BinOp::Le => BinOp::Lt,
                BinOp::Gt => BinOp::Ge,
                BinOp::Ge => BinOp::Gt,
                BinOp::Eq => BinOp::Ne,
                BinOp::Ne => BinOp::Eq,
                BinOp::Add => BinOp::Sub,
                BinOp::Sub => BinOp::Add,
                BinOp::LogAnd => BinOp::LogOr,
                BinOp::LogOr => BinOp::LogAnd,
                BinOp::And => BinOp::Or,
                BinOp::Or => BinOp::And,
                BinOp::Xor => BinOp::Or,
                other => other,
            };
            let c = format!("{} -> {}", b.symbol(), new.symbol());
            *b = new;
            c
        }
        Expr::Unary(u, x) => {
            let c = format!("{}x -> x", u.symbol());
            *e = (**x).clone();
            c
        }
        Expr::Const { width, value, .. } => {
            let mask = if *width >= 128 {
                u128::MAX
            } else {
                (1u128 << *width) - 1
            };
            let old = *value & mask;
            *value = (old ^ 1) & mask | (*value & !mask);
            format!("constant {old} -> {}", old ^ 1)
        }
        Expr::Cond(_, a, b) => {
            std::mem::swap(a, b);
            "c ? a : b -> c ? b : a".to_string()
        }
        _ => unreachable!("apply on a site"),
    };
    (op, change)
}

/// Walks the statements: `if` conditions are sites of their own (negated), then the
/// expressions inside them; right-hand sides of assignments.
fn mutate_stmts(stmts: &mut [Stmt], target: usize, n: &mut usize) -> Option<(Operator, String)> {
    for s in stmts {
        let found = match s {
            Stmt::Blocking(_, rhs) | Stmt::NonBlocking(_, rhs) => mutate_expr(rhs, target, n),
            Stmt::If { cond, then, els } => {
                if *n == target {
                    *n += 1;
                    let c =
                        std::mem::replace(cond, Expr::Ref(crate::hdl::Signal::new("x", 1, false)));
                    *cond = c.lnot();
                    return Some((Operator::Condition, "if (c) -> if (!c)".to_string()));
                }
                *n += 1;
                mutate_expr(cond, target, n)
                    .or_else(|| mutate_stmts(then, target, n))
                    .or_else(|| mutate_stmts(els, target, n))
            }
            Stmt::Case { arms, default, .. } => arms
                .iter_mut()
                .find_map(|(_, body)| mutate_stmts(body, target, n))
                .or_else(|| default.as_mut().and_then(|d| mutate_stmts(d, target, n))),
            Stmt::Comment(_) => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Mutates site `target` of `m` (walk order); `None` when `m` has fewer sites. With
/// `usize::MAX` it only counts: the count is left in `n`.
fn mutate_module(m: &mut Module, target: usize, n: &mut usize) -> Option<(Operator, String)> {
    for item in &mut m.items {
        let found = match item {
            Item::Assign { rhs, .. } => mutate_expr(rhs, target, n),
            Item::Seq { reset, body, .. } => {
                let r = match reset {
                    Some((_, stmts)) => mutate_stmts(stmts, target, n),
                    None => None,
                };
                r.or_else(|| mutate_stmts(body, target, n))
            }
            Item::Comb(stmts) => mutate_stmts(stmts, target, n),
            // The clock gate's latch is a library primitive in every flow, not design logic.
            Item::Latch { .. } => None,
            Item::Instance(inst) => inst
                .connections
                .iter_mut()
                .filter(|(_, e)| !matches!(e, Expr::Ref(_) | Expr::Select(..) | Expr::Concat(_)))
                .find_map(|(_, e)| mutate_expr(e, target, n)),
            Item::Comment(_) => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The number of mutation sites of `m`.
pub fn sites(m: &Module) -> usize {
    let mut n = 0;
    let mut copy = m.clone();
    mutate_module(&mut copy, usize::MAX, &mut n);
    n
}

/// The mutant of site `index` of module `which` in `modules`, if it passes
/// `hdl::check_widths` and prints differently.
pub fn mutant(modules: &[Module], which: usize, index: usize) -> Option<Mutant> {
    let mut m = modules[which].clone();
    let mut n = 0;
    let (operator, change) = mutate_module(&mut m, index, &mut n)?;
    let mut all = modules.to_vec();
    all[which] = m.clone();
    if !Design::new(all).check().is_empty() {
        return None;
    }
    let (old, new) = (print_module(&modules[which]), print_module(&m));
    let (line, (a, b)) = old
        .lines()
        .zip(new.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)?;
    Some(Mutant {
        file: format!("rtl/{}.v", m.name),
        module: m.name.to_string(),
        line: line + 1,
        operator,
        change,
        original: a.trim().to_string(),
        mutated: b.trim().to_string(),
        text: new,
    })
}

/// `count` distinct mutants of `modules` drawn with `seed`: the modules with sites in a
/// seeded order, one mutant from each in turn, a random unused site each time (sites whose
/// mutant fails the width check or prints the same are skipped).
pub fn sample(modules: &[Module], count: usize, seed: u64) -> Vec<Mutant> {
    let mut rng = Rng::new(seed ^ 0x6d75_7461_6e74);
    let mut pools: Vec<(usize, Vec<usize>)> = modules
        .iter()
        .enumerate()
        .map(|(i, m)| (i, (0..sites(m)).collect::<Vec<_>>()))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    for i in (1..pools.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        pools.swap(i, j);
    }
    let mut out = Vec::new();
    while out.len() < count && pools.iter().any(|p| !p.1.is_empty()) {
        for (which, pool) in pools.iter_mut() {
            if out.len() == count {
                break;
            }
            while !pool.is_empty() {
                let k = rng.below(pool.len() as u64) as usize;
                let index = pool.swap_remove(k);
                if let Some(m) = mutant(modules, *which, index) {
                    out.push(m);
                    break;
                }
            }
        }
    }
    out
}

/// The first line of a message, at most 200 characters.
pub fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}

/// Runs the regression of plain `gca sim` (with `seed`) on the design in `dir`, built with
/// Verilator at -O0 into `cache_dir`: `Ok(None)` when it passed, `Ok(Some(why))` when it found
/// a difference (or panicked: a bus timeout, a Verilator fatal error), `Err` when the design
/// does not build. Callers that want quiet panics set a panic hook.
pub fn judge(
    p: &Params,
    dir: &Path,
    cache_dir: &Path,
    seed: u64,
) -> Result<Option<String>, String> {
    let opts = BuildOptions {
        quick: true,
        ..BuildOptions::default()
    };
    let mut model = Model::build_with(p, dir, cache_dir, &opts, |_| {})?;
    let plan = regression::Plan::new(p, None, seed, false);
    let run = panic::catch_unwind(AssertUnwindSafe(|| {
        regression::run(p, &mut model, &plan, |_, _| {})
    }));
    Ok(match run {
        Ok(Ok(o)) => o
            .summary
            .mismatch
            .map(|m| format!("cycle {}: {}", m.cycle, first_line(&m.what))),
        Ok(Err(e)) => Some(first_line(&e)),
        Err(payload) => Some(first_line(
            payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("the run panicked"),
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutants_are_legal_and_spread_over_modules() {
        let p = crate::config::load("tiny").unwrap();
        let modules = crate::rtl::modules(&p);
        let ms = sample(&modules, 26, 1);
        assert_eq!(ms.len(), 26);
        let mut names: Vec<&str> = ms.iter().map(|m| m.module.as_str()).collect();
        names.sort();
        names.dedup();
        let with_sites = modules.iter().filter(|m| sites(m) > 0).count();
        assert_eq!(
            names.len(),
            with_sites,
            "every module with sites: {names:?}"
        );
        for m in &ms {
            assert_ne!(m.original, m.mutated);
            assert!(m.text.lines().nth(m.line - 1).unwrap().trim() == m.mutated);
        }
        // Deterministic for a seed.
        let again = sample(&modules, 26, 1);
        assert!(ms.iter().zip(&again).all(|(a, b)| a.text == b.text));
    }

    #[test]
    fn one_bit_sums_are_not_sites() {
        let a = crate::hdl::Signal::new("a", 1, false);
        let w = crate::hdl::Signal::new("w", 4, false);
        assert_eq!(site(&a.add(crate::hdl::e::lit(1, 1))), None);
        assert_eq!(
            site(&w.sub(crate::hdl::e::lit(4, 1))),
            Some(Operator::Arithmetic)
        );
    }
}
