//! The printer: one Verilog-2005 file per module, deterministic, 2-space indented, declarations
//! aligned in columns. It assumes `check_widths` found nothing and never renames anything.

use super::expr::{BinOp, Expr, Radix, Select, UnOp};
use super::module::{Decl, Item, Kind, Module, Stmt, Waiver};
use super::names::Ident;

/// The Verilog text of a constant: `8'd5`, `4'b1010`, `16'hffff`, `-8'sd3`; the most negative
/// value of a signed width is written in hex (`8'sh80`).
pub fn constant(width: u32, value: u128, signed: bool, radix: Radix) -> String {
    let bits = if width >= 128 {
        value
    } else {
        value & ((1 << width) - 1)
    };
    let s = if signed { "s" } else { "" };
    let v = value as i128;
    if signed && v < 0 {
        let most_negative = width <= 128 && bits == 1 << (width - 1);
        if !most_negative {
            return format!("-{width}'sd{}", v.unsigned_abs());
        }
    }
    match radix {
        Radix::Dec if !(signed && v < 0) => format!("{width}'{s}d{bits}"),
        Radix::Bin => format!("{width}'{s}b{bits:0>w$b}", w = width as usize),
        _ => format!("{width}'{s}h{bits:0>w$x}", w = width.div_ceil(4) as usize),
    }
}

/// The Verilog text of an expression; nested operators are parenthesized.
pub fn expr(e: &Expr) -> String {
    nested(e, true)
}

fn nested(e: &Expr, top: bool) -> String {
    let paren = |s: String| if top { s } else { format!("({s})") };
    match e {
        Expr::Const {
            width,
            value,
            signed,
            radix,
        } => {
            let s = constant(*width, *value, *signed, *radix);
            if s.starts_with('-') {
                paren(s)
            } else {
                s
            }
        }
        Expr::Ref(s) => s.name.to_string(),
        Expr::Select(s, sel) => match sel {
            Select::Bit(i) => format!("{}[{i}]", s.name),
            Select::BitAt(i) | Select::Word(i) => format!("{}[{}]", s.name, expr(i)),
            Select::Range(hi, lo) => format!("{}[{hi}:{lo}]", s.name),
            Select::Part(base, w) => format!("{}[{} +: {w}]", s.name, expr(base)),
            Select::WordRange(i, hi, lo) => format!("{}[{}][{hi}:{lo}]", s.name, expr(i)),
        },
        Expr::Concat(parts) => {
            let parts: Vec<String> = parts.iter().map(expr).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Expr::Repeat(n, x) => format!("{{{n}{{{}}}}}", expr(x)),
        Expr::Unary(op, x) => {
            let s = format!("{}{}", op.symbol(), nested(x, false));
            match op {
                UnOp::Not | UnOp::Neg => s,
                _ => paren(s),
            }
        }
        Expr::Binary(op, a, b) => paren(format!(
            "{} {} {}",
            nested(a, false),
            op.symbol(),
            nested(b, false)
        )),
        Expr::Cond(c, a, b) => paren(format!(
            "{} ? {} : {}",
            nested(c, false),
            nested(a, false),
            nested(b, false)
        )),
        Expr::Signed(x) => format!("$signed({})", expr(x)),
        Expr::Unsigned(x) => format!("$unsigned({})", expr(x)),
    }
}

/// Lines longer than this (indentation included) have their expression wrapped, when it is a
/// concatenation, a chain of one associative operator or a chain of `?:`.
pub const WRAP: usize = 120;

/// Operators whose left-nested chains may be printed flat: `a || b || c` means the same as
/// `(a || b) || c`, and every operand is parenthesized when it is itself an operation. `+` is
/// one of them: the operands of an addition have one width (`check_widths`), so the sum is
/// the same modulo that width in any order.
fn associative(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::LogOr | BinOp::LogAnd | BinOp::Or | BinOp::And | BinOp::Xor | BinOp::Add
    )
}

/// The operands of a left-nested chain of `op`.
fn chain<'a>(e: &'a Expr, op: BinOp, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::Binary(o, a, b) if *o == op => {
            chain(a, op, out);
            out.push(b);
        }
        _ => out.push(e),
    }
}

/// Greedy packing of `items` into lines of at most `budget` characters, `sep` after all but
/// the last item (the separator stays at the end of a line).
fn pack(items: &[String], sep: &str, budget: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    let mut cur = String::new();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item}{sep}")
        } else {
            item.clone()
        };
        if !cur.is_empty() && cur.len() + 1 + piece.trim_end().len() > budget {
            lines.push(cur.trim_end().to_string());
            cur = String::new();
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(piece.trim_end());
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// `head` + the expression + `tail` as lines (the first at the statement's indentation, the
/// others relative to it): one line when it fits in [`WRAP`] columns at `indent`, otherwise a
/// concatenation one group of parts per line between `{` and `}`, an associative chain or a
/// `?:` chain one operand per line.
fn wrapped(indent: usize, head: &str, e: &Expr, tail: &str) -> Vec<String> {
    let flat = format!("{head}{}{tail}", expr(e));
    let budget = WRAP.saturating_sub(2 * indent + 2).max(40);
    if 2 * indent + flat.len() <= WRAP {
        return vec![flat];
    }
    match e {
        Expr::Concat(parts) if parts.len() > 1 => {
            let items: Vec<String> = parts.iter().map(expr).collect();
            let mut out = vec![format!("{head}{{")];
            out.extend(
                pack(&items, ",", budget)
                    .into_iter()
                    .map(|l| format!("  {l}")),
            );
            out.push(format!("}}{tail}"));
            out
        }
        Expr::Binary(op, ..) if associative(*op) => {
            let mut operands = vec![];
            chain(e, *op, &mut operands);
            let items: Vec<String> = operands.iter().map(|x| nested(x, false)).collect();
            let sep = format!(" {}", op.symbol());
            let mut out = vec![head.trim_end().to_string()];
            out.extend(
                pack(&items, &sep, budget)
                    .into_iter()
                    .map(|l| format!("  {l}")),
            );
            if let Some(last) = out.last_mut() {
                last.push_str(tail);
            }
            out
        }
        Expr::Cond(..) => {
            let mut out = vec![head.trim_end().to_string()];
            let mut x = e;
            while let Expr::Cond(c, a, b) = x {
                out.push(format!("  {} ? {} :", nested(c, false), nested(a, false)));
                x = b;
            }
            out.push(format!("  {}{tail}", nested(x, false)));
            out
        }
        _ => vec![flat],
    }
}

fn range(width: u32) -> String {
    if width == 1 {
        String::new()
    } else {
        format!("[{}:0]", width - 1)
    }
}

fn comment(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("// {}", text.replace('\n', " "))
    }
}

/// Rows of cells aligned in columns; columns empty in every row are dropped.
fn table(rows: &[Vec<String>]) -> Vec<String> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, String::len))
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = (0..cols)
                .filter(|&c| widths[c] > 0)
                .map(|c| format!("{:<w$}", r.get(c).map_or("", String::as_str), w = widths[c]))
                .collect();
            cells.join(" ").trim_end().to_string()
        })
        .collect()
}

struct Out(Vec<String>);

impl Out {
    fn line(&mut self, indent: usize, text: impl AsRef<str>) {
        let text = text.as_ref();
        if text.is_empty() {
            self.0.push(String::new());
        } else {
            self.0.push(format!("{}{text}", "  ".repeat(indent)));
        }
    }

    /// Comment lines; a line longer than [`WRAP`] columns is broken between words.
    fn comment(&mut self, indent: usize, text: &str) {
        for l in text.lines() {
            if l.is_empty() {
                self.line(indent, "//");
                continue;
            }
            let words: Vec<String> = l.split(' ').map(str::to_string).collect();
            for part in pack(&words, "", WRAP.saturating_sub(2 * indent + 3).max(40)) {
                self.line(indent, comment(&part));
            }
        }
    }

    /// The attribute line of a declaration, if it has one.
    fn attribute(&mut self, d: &Decl) {
        if let Some(a) = &d.attribute {
            self.line(1, format!("(* {a} *)"));
        }
    }

    /// A declaration line, wrapped in a Verilator waiver when it has one.
    fn waived(&mut self, indent: usize, waiver: &Option<Waiver>, text: &str) {
        match waiver {
            Some(w) => {
                self.line(indent, comment(&format!("lint: {}: {}", w.rule, w.reason)));
                self.line(indent, format!("/* verilator lint_off {} */", w.rule));
                self.line(indent, text);
                self.line(indent, format!("/* verilator lint_on {} */", w.rule));
            }
            None => self.line(indent, text),
        }
    }

    /// `head` + `rhs` + `;`, wrapped when too long (see [`wrapped`]).
    fn wrapped(&mut self, indent: usize, head: &str, rhs: &Expr) {
        for l in wrapped(indent, head, rhs, ";") {
            self.line(indent, l);
        }
    }

    fn block(&mut self, indent: usize, open: String, body: &[Stmt]) {
        self.line(indent, format!("{open} begin"));
        self.stmts(indent + 1, body);
        self.line(indent, "end");
    }

    fn stmts(&mut self, indent: usize, stmts: &[Stmt]) {
        for s in stmts {
            match s {
                Stmt::Blocking(l, r) => self.wrapped(indent, &format!("{} = ", expr(l)), r),
                Stmt::NonBlocking(l, r) => self.wrapped(indent, &format!("{} <= ", expr(l)), r),
                Stmt::If { cond, then, els } => {
                    self.line(indent, format!("if ({}) begin", expr(cond)));
                    self.stmts(indent + 1, then);
                    let mut els = els;
                    loop {
                        match els.as_slice() {
                            [] => break self.line(indent, "end"),
                            [Stmt::If {
                                cond,
                                then,
                                els: rest,
                            }] => {
                                self.line(indent, format!("end else if ({}) begin", expr(cond)));
                                self.stmts(indent + 1, then);
                                els = rest;
                            }
                            _ => {
                                self.line(indent, "end else begin");
                                self.stmts(indent + 1, els);
                                break self.line(indent, "end");
                            }
                        }
                    }
                }
                Stmt::Case {
                    subject,
                    arms,
                    default,
                } => {
                    self.line(indent, format!("case ({})", expr(subject)));
                    for (labels, body) in arms {
                        let labels: Vec<String> = labels.iter().map(expr).collect();
                        self.block(indent + 1, format!("{}:", labels.join(", ")), body);
                    }
                    if let Some(body) = default {
                        self.block(indent + 1, "default:".into(), body);
                    }
                    self.line(indent, "endcase");
                }
                Stmt::Comment(text) => self.comment(indent, text),
            }
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Assign { lhs, rhs } => self.wrapped(1, &format!("assign {} = ", expr(lhs)), rhs),
            Item::Seq { clock, reset, body } => match reset {
                Some((rst, reset)) => {
                    let edge = format!("always @(posedge {} or negedge {})", clock.name, rst.name);
                    self.line(1, format!("{edge} begin"));
                    self.line(2, format!("if (!{}) begin", rst.name));
                    self.stmts(3, reset);
                    self.line(2, "end else begin");
                    self.stmts(3, body);
                    self.line(2, "end");
                    self.line(1, "end");
                }
                None => self.block(1, format!("always @(posedge {})", clock.name), body),
            },
            Item::Comb(body) => self.block(1, "always @*".into(), body),
            Item::Latch { open, body } => {
                self.line(1, "/* verilator lint_off LATCH */");
                self.line(1, "always @* begin");
                self.line(2, format!("if ({}) begin", expr(open)));
                self.stmts(3, body);
                self.line(2, "end");
                self.line(1, "end");
                self.line(1, "/* verilator lint_on LATCH */");
            }
            Item::Instance(inst) => {
                let named = |list: &[(Ident, Expr)]| -> Vec<String> {
                    let w = list
                        .iter()
                        .map(|(n, _)| n.as_str().len())
                        .max()
                        .unwrap_or(0);
                    let last = list.len().saturating_sub(1);
                    let pin = |(i, (n, e)): (usize, &(Ident, Expr))| {
                        let sep = if i == last { "" } else { "," };
                        format!(".{:<w$}({}){sep}", n.as_str(), expr(e))
                    };
                    list.iter().enumerate().map(pin).collect()
                };
                if inst.params.is_empty() {
                    self.line(1, format!("{} {} (", inst.module, inst.name));
                } else {
                    self.line(1, format!("{} #(", inst.module));
                    named(&inst.params).iter().for_each(|l| self.line(2, l));
                    self.line(1, format!(") {} (", inst.name));
                }
                if !inst.supplies.is_empty() {
                    self.line(0, "`ifdef USE_POWER_PINS");
                    for n in &inst.supplies {
                        self.line(2, format!(".{n}({n}),"));
                    }
                    self.line(0, "`endif");
                }
                named(&inst.connections)
                    .iter()
                    .for_each(|l| self.line(2, l));
                self.line(1, ");");
            }
            Item::Comment(text) => self.comment(1, text),
        }
    }
}

fn decl_row(d: &Decl, end: &str) -> Vec<String> {
    let (dir, net) = match d.kind {
        Kind::Input => ("input", "wire"),
        Kind::Output => ("output", "wire"),
        Kind::OutputReg => ("output", "reg"),
        Kind::Wire => ("", "wire"),
        Kind::Reg => ("", "reg"),
    };
    let words = d
        .depth
        .map(|n| format!(" [0:{}]", n - 1))
        .unwrap_or_default();
    let signed = if d.signed { "signed" } else { "" };
    let name = format!("{}{words}{end}", d.name);
    let cells = [
        dir,
        net,
        signed,
        &range(d.width),
        &name,
        &comment(&d.comment),
    ];
    cells.map(str::to_string).to_vec()
}

fn param_rows(m: &Module, header: bool) -> Vec<String> {
    let params: Vec<_> = m.params.iter().filter(|p| p.header == header).collect();
    let rows: Vec<Vec<String>> = params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let keyword = if header { "parameter" } else { "localparam" };
            let end = if !header {
                ";"
            } else if i + 1 < params.len() {
                ","
            } else {
                ""
            };
            let value = constant(p.width, p.value, false, Radix::Dec) + end;
            let cells = [keyword, &range(p.width), p.name.as_str(), "=", &value];
            cells.map(str::to_string).to_vec()
        })
        .collect();
    table(&rows)
}

/// The whole file of one module: header comment, `timescale`, `default_nettype none`, the
/// module, and `default_nettype wire` so that later files are unaffected.
pub fn print_module(m: &Module) -> String {
    let mut o = Out(vec![]);
    m.header_comment.iter().for_each(|l| o.comment(0, l));
    o.line(0, "`timescale 1ns / 1ps");
    o.line(0, "`default_nettype none");
    o.line(0, "");
    let header = param_rows(m, true);
    if header.is_empty() {
        o.line(0, format!("module {} (", m.name));
    } else {
        o.line(0, format!("module {} #(", m.name));
        header.iter().for_each(|l| o.line(1, l));
        o.line(0, ") (");
    }
    if !m.supplies.is_empty() {
        o.line(0, "`ifdef USE_POWER_PINS");
        o.comment(1, "Power and bias (analog macros)");
        let rows: Vec<Vec<String>> = m
            .supplies
            .iter()
            .map(|(n, _)| vec!["inout".into(), "wire".into(), format!("{n},")])
            .collect();
        for ((_, comment), line) in m.supplies.iter().zip(table(&rows)) {
            o.line(1, format!("{line} // {comment}"));
        }
        o.line(0, "`endif");
    }
    let count = m.all_ports().count();
    let rows: Vec<Vec<String>> = m
        .all_ports()
        .enumerate()
        .map(|(i, p)| decl_row(p, if i + 1 < count { "," } else { "" }))
        .collect();
    let mut lines = table(&rows).into_iter();
    for g in &m.ports {
        o.comment(1, &g.comment);
        for p in &g.ports {
            o.attribute(p);
            o.waived(1, &p.waiver, &lines.next().unwrap_or_default());
        }
    }
    o.line(0, ");");
    let locals = param_rows(m, false);
    if !locals.is_empty() {
        o.line(0, "");
        locals.iter().for_each(|l| o.line(1, l));
    }
    if !m.decls.is_empty() {
        o.line(0, "");
        let rows: Vec<Vec<String>> = m.decls.iter().map(|d| decl_row(d, ";")).collect();
        for (d, line) in m.decls.iter().zip(table(&rows)) {
            o.attribute(d);
            o.waived(1, &d.waiver, &line);
        }
    }
    let mut prev: Option<&Item> = None;
    for item in &m.items {
        let tight = matches!(
            (prev, item),
            (Some(Item::Comment(_)), _) | (Some(Item::Assign { .. }), Item::Assign { .. })
        );
        if !tight {
            o.line(0, "");
        }
        o.item(item);
        prev = Some(item);
    }
    for l in ["", "endmodule", "", "`default_nettype wire", ""] {
        o.line(0, l);
    }
    o.0.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hdl::e::{bin, cat, hex, lit, rep, slit};
    use crate::hdl::{clear, Decl, Instance, Signal};

    fn item(item: &Item) -> String {
        let mut o = Out(vec![]);
        o.item(item);
        o.0.join("\n")
    }

    #[test]
    fn constants() {
        let shown: Vec<String> = [
            lit(8, 5),
            bin(4, 0b1010),
            hex(16, 0xffff),
            hex(12, 0xab),
            slit(8, -3),
            slit(8, 5),
            slit(8, -128),
            lit(1, 1),
        ]
        .iter()
        .map(expr)
        .collect();
        let expected = [
            "8'd5", "4'b1010", "16'hffff", "12'h0ab", "-8'sd3", "8'sd5", "8'sh80", "1'd1",
        ];
        assert_eq!(shown, expected);
        assert_eq!(expr(&slit(8, -3).neg()), "-(-8'sd3)");
    }

    #[test]
    fn selects_and_operators() {
        let x = Signal::new("x", 8, false);
        let i = Signal::new("i", 3, false);
        let mem = Signal {
            depth: Some(4),
            ..Signal::new("mem", 8, false)
        };
        assert_eq!(expr(&x.slice(7, 4)), "x[7:4]");
        assert_eq!(expr(&x.part(&i, 4)), "x[i +: 4]");
        assert_eq!(expr(&x.bit_at(&i)), "x[i]");
        assert_eq!(expr(&mem.word(i.slice(1, 0))), "mem[i[1:0]]");
        let sum = x.add(lit(8, 1)).and(x.not());
        assert_eq!(expr(&sum), "(x + 8'd1) & ~x");
        assert_eq!(expr(&x.red_or().lnot()), "!(|x)");
        let pick = x
            .bit(7)
            .mux(cat(vec![rep(4, x.bit(0)), x.slice(3, 0)]), x.e());
        assert_eq!(expr(&pick), "x[7] ? {{4{x[0]}}, x[3:0]} : x");
        assert_eq!(
            expr(&x.e().as_signed().ashr(lit(3, 2))),
            "$signed(x) >>> 3'd2"
        );
        let y = x.shl(&i).as_unsigned().eq(&x).lor(x.red_xor());
        let y = y.land(x.ne(hex(8, 0x80)));
        assert_eq!(
            expr(&y),
            "(($unsigned(x << i) == x) || (^x)) && (x != 8'h80)"
        );
    }

    #[test]
    fn clocked_process_with_reset() {
        let (clk, rst_n) = (Signal::new("clk", 1, false), Signal::new("rst_n", 1, false));
        let (q, en) = (Signal::new("q", 4, false), Signal::new("en", 1, false));
        let load = Stmt::nonblocking(&q, q.add(lit(4, 1)));
        let body = vec![Stmt::if_else(
            &en,
            vec![load],
            vec![Stmt::Comment("hold".into())],
        )];
        let seq = Item::Seq {
            clock: clk,
            reset: Some((rst_n, vec![clear(&q)])),
            body,
        };
        let expected = "  always @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      q <= 4'd0;
    end else begin
      if (en) begin
        q <= q + 4'd1;
      end else begin
        // hold
      end
    end
  end";
        assert_eq!(item(&seq), expected);
    }

    #[test]
    fn case_and_else_if() {
        let (s, y) = (Signal::new("s", 2, false), Signal::new("y", 1, false));
        let set = |v| vec![Stmt::blocking(&y, lit(1, v))];
        let chain = Stmt::if_else(s.bit(0), set(1), vec![Stmt::if_then(s.bit(1), set(0))]);
        let arms = vec![
            (vec![lit(2, 0), lit(2, 3)], set(1)),
            (vec![lit(2, 1)], vec![chain]),
        ];
        let comb = Item::Comb(vec![Stmt::case(&s, arms, set(0))]);
        let expected = "  always @* begin
    case (s)
      2'd0, 2'd3: begin
        y = 1'd1;
      end
      2'd1: begin
        if (s[0]) begin
          y = 1'd1;
        end else if (s[1]) begin
          y = 1'd0;
        end
      end
      default: begin
        y = 1'd0;
      end
    endcase
  end";
        assert_eq!(item(&comb), expected);
    }

    #[test]
    fn long_statements_wrap_at_commas_and_operators() {
        let parts: Vec<Expr> = (0..24)
            .map(|i| Signal::new(&format!("sig{i:02}"), 1, false).e())
            .collect();
        let y = Signal::new("y", 24, false);
        let text = item(&Item::Assign {
            lhs: y.e(),
            rhs: cat(parts.clone()),
        });
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  assign y = {");
        assert_eq!(lines.last(), Some(&"  };"));
        assert!(lines.iter().all(|l| l.len() <= WRAP), "{text}");
        assert!(lines[1].starts_with("    sig00, sig01,"), "{text}");
        let chain = parts[1..]
            .iter()
            .fold(parts[0].clone(), |acc, p| acc.lor(p.clone()));
        let b = Signal::new("b", 1, false);
        let text = item(&Item::Assign {
            lhs: b.e(),
            rhs: chain,
        });
        assert!(
            text.starts_with("  assign b =\n    sig00 || sig01 ||"),
            "{text}"
        );
        assert!(text.ends_with("sig23;") && text.lines().all(|l| l.len() <= WRAP));
        let mem = Signal {
            depth: Some(4),
            ..Signal::new("mem", 16, false)
        };
        let i = Signal::new("i", 2, false);
        assert_eq!(expr(&mem.word_slice(&i, 15, 8)), "mem[i][15:8]");
        assert_eq!(expr(&mem.word_slice(&i, 15, 0)), "mem[i]");
    }

    #[test]
    fn declarations_and_instances() {
        let mut m = Module::new("m");
        m.parameter("W", 4, 3);
        m.localparam("N", 8, 200);
        let a = m.input("a", 8);
        m.decl(Decl::memory("mem", 8, 64).doc("words"));
        m.decl(Decl::register_file("rf", 8, 2));
        m.decl(Decl::new("t", Kind::Wire, 1).waive("UNUSEDSIGNAL", "kept for probing"));
        m.instance(
            Instance::new("leaf", "u_leaf")
                .param("W", lit(4, 2))
                .pin("a", &a),
        );
        let text = print_module(&m);
        let expected = "`timescale 1ns / 1ps
`default_nettype none

module m #(
  parameter [3:0] W = 4'd3
) (
  input wire [7:0] a
);

  localparam [7:0] N = 8'd200;

  reg  [7:0] mem [0:63]; // words
  (* mem2reg *)
  reg  [7:0] rf [0:1];
  // lint: UNUSEDSIGNAL: kept for probing
  /* verilator lint_off UNUSEDSIGNAL */
  wire       t;
  /* verilator lint_on UNUSEDSIGNAL */

  leaf #(
    .W(4'd2)
  ) u_leaf (
    .a(a)
  );

endmodule

`default_nettype wire
";
        assert_eq!(text, expected);
    }
}
