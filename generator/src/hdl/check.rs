//! `check_widths`: every rule a module must meet before it is printed, all problems at once.

use std::collections::{BTreeMap, BTreeSet};

use super::check_expr::desc;
use super::error::{ErrorKind as K, HdlError};
use super::expr::Expr;
use super::module::{Decl, Instance, Item, Kind, Module, Stmt};
use super::print::expr as show;

/// How a name may be used: read-only inputs/parameters, wires, regs, instances.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    ReadOnly(&'static str),
    Wire,
    Reg,
    Instance,
}

/// Role, width, signed, depth.
pub(super) type Sym = (Role, u32, bool, Option<u32>);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Proc {
    Cont,
    Seq,
    Comb,
}

pub(super) struct Checker<'a> {
    module: &'a Module,
    pub(super) syms: BTreeMap<String, Sym>,
    item: String,
    errors: Vec<HdlError>,
}

/// Checks `module` against every rule; `known` are the modules its instances may refer to
/// (instances of other modules are black boxes: only their expressions are checked).
///
/// When the result is empty the printer may assume, and prints Verilog that relies on it:
/// - every name is declared once, ports are inputs/outputs and body nets wires/regs (memories
///   are body regs), every handle matches its declaration, no memory is used without an index
///   and no 1-bit signal is selected;
/// - both sides of every assignment, connection and parameter override have equal widths and
///   every operator follows the width rules of [`Expr`], so no Verilog context ever extends
///   or truncates a value; comparisons do not mix signedness; constants fit their widths;
/// - selects are in range and indices have exactly `ceil(log2(size))` bits;
/// - each signal has at most one driving item; `assign` and instance outputs drive wires,
///   always blocks drive regs; clocked processes use `<=`, `always @*` uses `=` and assigns
///   each of its regs on every path (no latch); every case has a default;
/// - instances of known modules connect each port exactly once, with the port's width, and
///   their supply ports one to one; an instance passes on only supplies its module has;
/// - every lint waiver has a rule and a reason.
pub fn check_widths(module: &Module, known: &[&Module]) -> Vec<HdlError> {
    let item = "declarations".to_string();
    let mut c = Checker {
        module,
        syms: BTreeMap::new(),
        item,
        errors: vec![],
    };
    c.declarations();
    let mut drivers: BTreeMap<String, usize> = BTreeMap::new();
    for (i, item) in module.items.iter().enumerate() {
        c.item = format!("item {} ({})", i + 1, label(item));
        let mut driven = BTreeSet::new();
        c.item_rules(item, known, &mut driven);
        for name in driven {
            if let Some(first) = drivers.get(&name) {
                let msg = format!("`{name}` is driven by item {first} and item {}", i + 1);
                c.err(K::MultipleDrivers, msg);
            } else {
                drivers.insert(name, i + 1);
            }
        }
    }
    c.errors
}

fn label(item: &Item) -> String {
    match item {
        Item::Assign { lhs, .. } => format!("assign {}", show(lhs)),
        Item::Seq { clock, .. } => format!("always @(posedge {})", clock.name),
        Item::Comb(_) => "always @*".into(),
        Item::Latch { .. } => "always @* (latch)".into(),
        Item::Instance(inst) => format!("instance {}", inst.name),
        Item::Comment(_) => "comment".into(),
    }
}

impl Checker<'_> {
    pub(super) fn err(&mut self, kind: K, message: String) {
        let (module, item) = (self.module.name.to_string(), self.item.clone());
        self.errors.push(HdlError {
            module,
            item,
            kind,
            message,
        });
    }

    fn declare(&mut self, name: &str, sym: Sym) {
        if sym.1 == 0 || sym.3 == Some(0) {
            self.err(K::Malformed, format!("`{name}` has zero width or depth"));
        }
        if self.syms.insert(name.to_string(), sym).is_some() {
            self.err(K::Duplicate, format!("`{name}` is declared twice"));
        }
    }

    fn declarations(&mut self) {
        let m = self.module;
        for p in &m.params {
            if p.width < 128 && p.value >> p.width != 0 {
                let msg = format!(
                    "parameter `{}` = {} does not fit in {} bits",
                    p.name, p.value, p.width
                );
                self.err(K::Range, msg);
            }
            self.declare(
                p.name.as_str(),
                (Role::ReadOnly("a parameter"), p.width, false, None),
            );
        }
        let ports = m.all_ports().map(|d| (d, true));
        let decls: Vec<(&Decl, bool)> = ports.chain(m.decls.iter().map(|d| (d, false))).collect();
        for (d, in_ports) in decls {
            let is_port = matches!(d.kind, Kind::Input | Kind::Output | Kind::OutputReg);
            if is_port != in_ports || (d.depth.is_some() && (in_ports || d.kind != Kind::Reg)) {
                let place = if in_ports { "port" } else { "body net" };
                let what = if d.depth.is_some() { "a memory " } else { "" };
                let msg = format!("{place} `{}` cannot be {what}of kind {:?}", d.name, d.kind);
                self.err(K::Malformed, msg);
            }
            let role = match d.kind {
                Kind::Input => Role::ReadOnly("an input"),
                Kind::Output | Kind::Wire => Role::Wire,
                Kind::OutputReg | Kind::Reg => Role::Reg,
            };
            self.declare(d.name.as_str(), (role, d.width, d.signed, d.depth));
            let Some(w) = &d.waiver else { continue };
            let rule_ok = !w.rule.is_empty() && w.rule.chars().all(|c| c.is_ascii_uppercase());
            if !rule_ok || w.reason.trim().is_empty() {
                let msg = format!(
                    "lint waiver `{}` on `{}` needs a rule and a reason",
                    w.rule, d.name
                );
                self.err(K::Waiver, msg);
            }
        }
        for item in &m.items {
            if let Item::Instance(inst) = item {
                self.declare(inst.name.as_str(), (Role::Instance, 1, false, None));
            }
        }
    }

    fn item_rules(&mut self, item: &Item, known: &[&Module], driven: &mut BTreeSet<String>) {
        match item {
            Item::Assign { lhs, rhs } => self.assignment(lhs, rhs, Proc::Cont, driven),
            Item::Seq { clock, reset, body } => {
                self.one_bit(&clock.e(), "clock");
                if let Some((rst_n, stmts)) = reset {
                    self.one_bit(&rst_n.e(), "reset");
                    self.stmts(stmts, Proc::Seq, driven);
                }
                self.stmts(body, Proc::Seq, driven);
            }
            Item::Comb(body) => {
                self.stmts(body, Proc::Comb, driven);
                let sure = definite(body);
                for name in driven.iter().filter(|n| !sure.contains(*n)) {
                    let msg = format!("`{name}` is not assigned on every path of always @* (latch); assign a default first");
                    self.err(K::Latch, msg);
                }
            }
            Item::Latch { open, body } => {
                self.one_bit(open, "latch enable");
                self.stmts(body, Proc::Comb, driven);
            }
            Item::Instance(inst) => self.instance(inst, known, driven),
            Item::Comment(_) => {}
        }
    }

    fn instance(&mut self, inst: &Instance, known: &[&Module], driven: &mut BTreeSet<String>) {
        inst.params.iter().for_each(|(_, v)| self.expr(v));
        for n in &inst.supplies {
            if !self.module.supplies.iter().any(|(s, _)| s == n) {
                let msg = format!(
                    "`{}` passes supply `{n}`, which it does not have",
                    inst.name
                );
                self.err(K::Instance, msg);
            }
        }
        let Some(child) = known.iter().find(|m| m.name == inst.module) else {
            return inst.connections.iter().for_each(|(_, v)| self.expr(v));
        };
        let c = &child.name;
        let child_supplies: Vec<&crate::hdl::Ident> =
            child.supplies.iter().map(|(n, _)| n).collect();
        if inst.supplies.iter().collect::<Vec<_>>() != child_supplies {
            let msg = format!("the supply ports of `{c}` are not connected one to one");
            self.err(K::Instance, msg);
        }
        for (name, value) in &inst.params {
            match child.params.iter().find(|p| p.name == *name && p.header) {
                None => self.err(K::Instance, format!("`{c}` has no parameter `{name}`")),
                Some(p) if p.width != value.width() => {
                    let msg = format!(
                        "parameter `{name}` of `{c}` is {} bits but {} is given",
                        p.width,
                        desc(value)
                    );
                    self.err(K::AssignWidth, msg);
                }
                Some(_) => {}
            }
        }
        let mut seen = BTreeSet::new();
        for (port, value) in &inst.connections {
            let Some(p) = child.all_ports().find(|p| p.name == *port) else {
                self.err(K::Instance, format!("`{c}` has no port `{port}`"));
                continue;
            };
            if !seen.insert(port) {
                self.err(
                    K::Instance,
                    format!("port `{port}` of `{c}` is connected twice"),
                );
            }
            match p.kind {
                Kind::Input => self.expr(value),
                _ => self.lvalue(value, Proc::Cont, driven),
            }
            if value.width() != p.width {
                let msg = format!(
                    "port `{port}` of `{c}` is {} bits but {} is connected",
                    p.width,
                    desc(value)
                );
                self.err(K::AssignWidth, msg);
            }
        }
        for p in child.all_ports().filter(|p| !seen.contains(&p.name)) {
            self.err(
                K::Instance,
                format!("port `{}` of `{c}` is not connected", p.name),
            );
        }
    }

    fn stmts(&mut self, stmts: &[Stmt], proc: Proc, driven: &mut BTreeSet<String>) {
        for s in stmts {
            match s {
                Stmt::Blocking(lhs, rhs) | Stmt::NonBlocking(lhs, rhs) => {
                    let blocking = matches!(s, Stmt::Blocking(..));
                    if blocking && proc == Proc::Seq {
                        let msg = format!(
                            "blocking assignment to `{}` in a clocked always block; use <=",
                            show(lhs)
                        );
                        self.err(K::AssignKind, msg);
                    } else if !blocking && proc == Proc::Comb {
                        let msg = format!(
                            "nonblocking assignment to `{}` in always @*; use =",
                            show(lhs)
                        );
                        self.err(K::AssignKind, msg);
                    }
                    self.assignment(lhs, rhs, proc, driven);
                }
                Stmt::If { cond, then, els } => {
                    self.one_bit(cond, "if condition");
                    self.stmts(then, proc, driven);
                    self.stmts(els, proc, driven);
                }
                Stmt::Case {
                    subject,
                    arms,
                    default,
                } => {
                    self.expr(subject);
                    for (labels, body) in arms {
                        if labels.is_empty() {
                            self.err(K::Malformed, "a case arm has no label".into());
                        }
                        for l in labels {
                            self.expr(l);
                            if l.width() != subject.width() {
                                let msg = format!(
                                    "case label {} differs from the subject {}",
                                    desc(l),
                                    desc(subject)
                                );
                                self.err(K::OperandWidth, msg);
                            }
                        }
                        self.stmts(body, proc, driven);
                    }
                    match default {
                        Some(body) => self.stmts(body, proc, driven),
                        None => self.err(
                            K::Malformed,
                            format!("case ({}) has no default", show(subject)),
                        ),
                    }
                }
                Stmt::Comment(_) => {}
            }
        }
    }

    fn assignment(&mut self, lhs: &Expr, rhs: &Expr, proc: Proc, driven: &mut BTreeSet<String>) {
        self.expr(rhs);
        self.lvalue(lhs, proc, driven);
        if lhs.width() != rhs.width() {
            let msg = format!(
                "{} is assigned {}; slice or extend explicitly",
                desc(lhs),
                desc(rhs)
            );
            self.err(K::AssignWidth, msg);
        }
    }

    /// Checks an assignment target and records the signals it drives.
    fn lvalue(&mut self, e: &Expr, proc: Proc, driven: &mut BTreeSet<String>) {
        let s = match e {
            Expr::Concat(parts) => return parts.iter().for_each(|p| self.lvalue(p, proc, driven)),
            Expr::Ref(s) | Expr::Select(s, _) => s,
            _ => {
                return self.err(
                    K::NotAssignable,
                    format!("`{}` is not a signal or a select", show(e)),
                )
            }
        };
        self.expr(e);
        let Some(&(role, ..)) = self.syms.get(s.name.as_str()) else {
            return;
        };
        let n = &s.name;
        let problem = match (role, proc) {
            (Role::ReadOnly(what), _) => format!("`{n}` is {what} and cannot be assigned"),
            (Role::Reg, Proc::Cont) => {
                format!("`{n}` is a reg; assign and instance outputs drive wires")
            }
            (Role::Wire, Proc::Seq | Proc::Comb) => {
                format!("`{n}` is a wire; always blocks drive regs")
            }
            _ => {
                driven.insert(n.to_string());
                return;
            }
        };
        self.err(K::NotAssignable, problem);
    }
}

/// Signals assigned whole on every path through `stmts`.
fn definite(stmts: &[Stmt]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in stmts {
        match s {
            Stmt::Blocking(lhs, _) | Stmt::NonBlocking(lhs, _) => whole_targets(lhs, &mut out),
            Stmt::If { then, els, .. } => {
                out.extend(definite(then).intersection(&definite(els)).cloned())
            }
            Stmt::Case {
                arms,
                default: Some(default),
                ..
            } => {
                let all = arms.iter().fold(definite(default), |all, (_, body)| {
                    all.intersection(&definite(body)).cloned().collect()
                });
                out.extend(all);
            }
            Stmt::Case { default: None, .. } | Stmt::Comment(_) => {}
        }
    }
    out
}

fn whole_targets(lhs: &Expr, out: &mut BTreeSet<String>) {
    match lhs {
        Expr::Ref(s) => {
            out.insert(s.name.to_string());
        }
        Expr::Concat(parts) => parts.iter().for_each(|p| whole_targets(p, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdl::e::{cat, lit, slit};
    use crate::hdl::{clear, Signal};

    struct Fixture {
        m: Module,
        clk: Signal,
        rst_n: Signal,
        a: Signal,
        s: Signal,
        y: Signal,
        r: Signal,
    }

    /// clk, rst_n, a[7:0], s (signed [7:0]) in; y[7:0] wire out; r[7:0] reg.
    fn fixture() -> Fixture {
        let mut m = Module::new("t");
        let (clk, rst_n, a) = (m.input("clk", 1), m.input("rst_n", 1), m.input("a", 8));
        let s = m.port(Decl::new("s", Kind::Input, 8).signed());
        let (y, r) = (m.output("y", 8), m.reg("r", 8));
        Fixture {
            m,
            clk,
            rst_n,
            a,
            s,
            y,
            r,
        }
    }

    fn errors(m: &Module, known: &[&Module]) -> Vec<String> {
        let errs = check_widths(m, known);
        errs.iter()
            .map(|e| format!("{:?}: {}", e.kind, e.message))
            .collect()
    }

    fn one(m: &Module) -> String {
        let errs = errors(m, &[]);
        assert_eq!(errs.len(), 1, "{errs:#?}");
        errs[0].clone()
    }

    #[test]
    fn a_clean_module_has_no_error() {
        let Fixture {
            mut m,
            clk,
            rst_n,
            a,
            y,
            r,
            ..
        } = fixture();
        m.seq(
            &clk,
            &rst_n,
            vec![clear(&r)],
            vec![Stmt::nonblocking(&r, a.add(&r))],
        );
        m.assign(&y, &r);
        assert_eq!(errors(&m, &[]), Vec::<String>::new());
    }

    #[test]
    fn names_and_handles() {
        let f = fixture();
        let mut m = f.m.clone();
        m.wire("a", 8);
        assert_eq!(one(&m), "Duplicate: `a` is declared twice");
        let mut m = f.m.clone();
        m.assign(&f.y, Signal::new("ghost", 8, false));
        assert_eq!(one(&m), "Undeclared: `ghost` is not declared");
        let mut m = f.m.clone();
        m.assign(&f.y, Signal::new("s", 8, false));
        let msg = "HandleMismatch: `s` is used as 8 bits unsigned but declared 8 bits signed";
        assert_eq!(one(&m), msg);
    }

    #[test]
    fn widths() {
        let f = fixture();
        let mut m = f.m.clone();
        m.assign(&f.y, f.a.slice(3, 0));
        let msg =
            "AssignWidth: `y` (8 bits) is assigned `a[3:0]` (4 bits); slice or extend explicitly";
        assert_eq!(one(&m), msg);
        let mut m = f.m.clone();
        m.assign(&f.y, f.a.add(f.a.slice(3, 0)));
        let msg = "OperandWidth: operands of + differ in width: `a` (8 bits), `a[3:0]` (4 bits); extend with zext/sext";
        assert_eq!(one(&m), msg);
        let mut m = f.m.clone();
        m.assign(&f.y, f.a.mux(&f.a, &f.a));
        assert_eq!(
            one(&m),
            "OperandWidth: condition `a` (8 bits) must be 1 bit"
        );
        let mut m = f.m.clone();
        let arms = vec![(vec![lit(3, 1)], vec![Stmt::blocking(&f.r, &f.a)])];
        m.comb(vec![Stmt::case(
            &f.a,
            arms,
            vec![Stmt::blocking(&f.r, &f.a)],
        )]);
        let msg = "OperandWidth: case label `3'd1` (3 bits) differs from the subject `a` (8 bits)";
        assert_eq!(one(&m), msg);
    }

    #[test]
    fn signedness() {
        let f = fixture();
        let mut m = f.m.clone();
        m.assign(&f.y, cat(vec![lit(7, 0), f.s.lt(&f.a)]));
        let msg = "Signedness: operands of < mix signed and unsigned: `s`, `a`; cast one";
        assert_eq!(one(&m), msg);
        let mut m = f.m.clone();
        m.assign(&f.y, f.a.ashr(lit(3, 1)));
        let msg = "Signedness: >>> of unsigned `a` shifts in zeros; use >> or $signed";
        assert_eq!(one(&m), msg);
    }

    #[test]
    fn ranges() {
        let f = fixture();
        let mut m = f.m.clone();
        m.assign(&f.y, cat(vec![f.a.slice(8, 5), f.a.slice(3, 0)]));
        let msg = "Range: part select [8:5] of `a` is out of range (width 8)";
        assert_eq!(one(&m), msg);
        let mut m = f.m.clone();
        m.assign(&f.y, cat(vec![lit(7, 0), f.a.bit_at(f.a.slice(3, 0))]));
        assert_eq!(
            one(&m),
            "Range: index `a[3:0]` (4 bits) of `a` must be 3 bits"
        );
        let mut m = f.m.clone();
        m.assign(&f.y, f.a.add(lit(8, 256)));
        assert_eq!(one(&m), "Range: constant 256 does not fit in 8 bits");
        let mut m = f.m.clone();
        m.assign(&f.y, f.s.add(slit(8, -129)));
        assert_eq!(one(&m), "Range: constant -129 does not fit in 8 bits");
    }

    #[test]
    fn malformed() {
        let f = fixture();
        let mut m = f.m.clone();
        let body = vec![Stmt::blocking(&f.r, &f.a)];
        let arms = vec![(vec![lit(8, 0)], body.clone())];
        m.comb(vec![Stmt::Case {
            subject: f.a.e(),
            arms,
            default: None,
        }]);
        let expected = [
            "Malformed: case (a) has no default",
            "Latch: `r` is not assigned on every path of always @* (latch); assign a default first",
        ];
        assert_eq!(errors(&m, &[]), expected);
        let mut m = f.m.clone();
        let mem = m.decl(Decl::memory("mem", 8, 4));
        m.assign(&f.y, mem.e());
        assert_eq!(one(&m), "Malformed: memory `mem` is used without an index");
        let mut m = f.m.clone();
        m.decl(Decl::new("i", Kind::Input, 1));
        m.port(Decl::memory("words", 8, 2));
        let expected = [
            "Malformed: port `words` cannot be a memory of kind Reg",
            "Malformed: body net `i` cannot be of kind Input",
        ];
        assert_eq!(errors(&m, &[]), expected);
    }

    #[test]
    fn drivers_latches_and_assignment_kinds() {
        let f = fixture();
        let mut m = f.m.clone();
        m.assign(&f.y, &f.a);
        m.assign(&f.y, &f.a);
        assert_eq!(
            one(&m),
            "MultipleDrivers: `y` is driven by item 1 and item 2"
        );
        let mut m = f.m.clone();
        m.comb(vec![Stmt::if_then(
            f.a.bit(0),
            vec![Stmt::blocking(&f.r, &f.a)],
        )]);
        let msg =
            "Latch: `r` is not assigned on every path of always @* (latch); assign a default first";
        assert_eq!(one(&m), msg);
        let mut m = f.m.clone();
        m.seq(
            &f.clk,
            &f.rst_n,
            vec![clear(&f.r)],
            vec![Stmt::blocking(&f.r, &f.a)],
        );
        let msg = "AssignKind: blocking assignment to `r` in a clocked always block; use <=";
        assert_eq!(one(&m), msg);
        let mut m = f.m.clone();
        m.comb(vec![Stmt::nonblocking(&f.r, &f.a)]);
        let msg = "AssignKind: nonblocking assignment to `r` in always @*; use =";
        assert_eq!(one(&m), msg);
    }

    #[test]
    fn assignability() {
        let f = fixture();
        let mut m = f.m.clone();
        m.assign(&f.a, &f.a);
        assert_eq!(
            one(&m),
            "NotAssignable: `a` is an input and cannot be assigned"
        );
        let mut m = f.m.clone();
        m.assign(&f.r, &f.a);
        let msg = "NotAssignable: `r` is a reg; assign and instance outputs drive wires";
        assert_eq!(one(&m), msg);
        let mut m = f.m.clone();
        m.comb(vec![Stmt::blocking(&f.y, &f.a)]);
        assert_eq!(
            one(&m),
            "NotAssignable: `y` is a wire; always blocks drive regs"
        );
        let mut m = f.m.clone();
        m.assign(f.a.not(), &f.a);
        assert_eq!(one(&m), "NotAssignable: `~a` is not a signal or a select");
    }

    #[test]
    fn instances_and_waivers() {
        let f = fixture();
        let mut m = f.m.clone();
        let pins = [("clk", &f.clk), ("rst_n", &f.rst_n), ("a", &f.a)];
        let inst = pins
            .iter()
            .fold(Instance::new("t", "u_t"), |i, (p, s)| i.pin(p, *s));
        let inst = inst.pin("a", &f.a).pin("b", &f.a).pin("y", f.r.slice(3, 0));
        m.instance(inst.param("W", lit(4, 1)));
        let child = f.m.clone();
        let expected = [
            "Instance: `t` has no parameter `W`",
            "Instance: port `a` of `t` is connected twice",
            "Instance: `t` has no port `b`",
            "NotAssignable: `r` is a reg; assign and instance outputs drive wires",
            "AssignWidth: port `y` of `t` is 8 bits but `r[3:0]` (4 bits) is connected",
            "Instance: port `s` of `t` is not connected",
        ];
        assert_eq!(errors(&m, &[&child]), expected);
        let mut m = f.m.clone();
        m.decl(Decl::new("w", Kind::Wire, 1).waive("UNUSEDSIGNAL", " "));
        let msg = "Waiver: lint waiver `UNUSEDSIGNAL` on `w` needs a rule and a reason";
        assert_eq!(one(&m), msg);
    }

    #[test]
    fn supplies_are_passed_one_to_one() {
        let f = fixture();
        let mut child = f.m.clone();
        child.supply("VDD", "supply");
        child.supply("VSS", "ground");
        let connect = |i: Instance| {
            [
                ("clk", &f.clk),
                ("rst_n", &f.rst_n),
                ("a", &f.a),
                ("s", &f.s),
            ]
            .iter()
            .fold(i, |i, (p, s)| i.pin(p, *s))
            .pin("y", &f.y)
        };
        let mut m = f.m.clone();
        m.supply("VDD", "supply");
        m.instance(connect(Instance::new("t", "u_t")).supplies(&["VDD", "VSS"]));
        let errs = errors(&m, &[&child]);
        let msg = "Instance: `u_t` passes supply `VSS`, which it does not have";
        assert_eq!(errs, [msg]);
        let mut m = f.m.clone();
        m.supply("VDD", "supply");
        m.supply("VSS", "ground");
        m.instance(connect(Instance::new("t", "u_t")).supplies(&["VDD"]));
        let errs = errors(&m, &[&child]);
        let msg = "Instance: the supply ports of `t` are not connected one to one";
        assert_eq!(errs, [msg]);
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let f = fixture();
        let mut m = f.m.clone();
        m.assign(&f.y, f.a.slice(3, 0));
        m.comb(vec![Stmt::nonblocking(&f.r, f.a.eq(&f.s))]);
        let errs = check_widths(&m, &[]);
        let kinds: Vec<K> = errs.iter().map(|e| e.kind).collect();
        let expected = [K::AssignWidth, K::AssignKind, K::Signedness, K::AssignWidth];
        assert_eq!(kinds, expected);
        assert_eq!(
            errs[1].to_string(),
            "module t, item 2 (always @*): nonblocking assignment to `r` in always @*; use ="
        );
    }
}
