//! HDL: digital blocks described in code as a typed Verilog-2005 tree, checked, then printed by
//! one printer, one module per file.
//!
//! - `names.rs`: the only place identifiers are made ([`Ident`]: `[A-Za-z_][A-Za-z0-9_$]*`, no
//!   Verilog or SystemVerilog keyword); builders panic on a bad literal name, [`Ident::new`]
//!   reports it for names built from user data;
//! - `expr.rs` ([`Expr`], [`Signal`], builders in [`e`]): every expression knows its width;
//!   signal handles returned by the module builders carry width and signedness;
//! - `module.rs` ([`Module`], [`Decl`], [`Item`], [`Stmt`], [`Instance`]): the tree and its
//!   builders;
//! - `check.rs` ([`check_widths`], with the expression rules in `check_expr.rs` and the
//!   error type in `error.rs`): every rule, all violations at once ([`HdlError`]); its
//!   guarantees are what the printer assumes;
//! - `print.rs` ([`print_module`]): the file text; `design.rs` ([`Design`]): modules checked
//!   together, `(file, text)` pairs sorted by name, and a compile order.
//!
//! Nothing is ever extended or truncated implicitly: both sides of an assignment have equal
//! widths and so do the operands of `+ - & | ^` and comparisons; widen with [`e::zext`] /
//! [`e::sext`] and narrow with [`Signal::slice`].
//!
//! ```
//! use gca::hdl::{clear, e, Design, Module, Stmt};
//! let mut m = Module::new("blink");
//! m.header_comment = vec!["blink: 4-bit free-running counter".into()];
//! m.group("Clock and reset");
//! let clk = m.input("clk", 1);
//! let rst_n = m.input("rst_n", 1);
//! m.group("Count");
//! let q = m.output_reg("q", 4);
//! let next = Stmt::nonblocking(&q, q.add(e::lit(4, 1)));
//! m.seq(&clk, &rst_n, vec![clear(&q)], vec![next]);
//! let files = Design::new(vec![m.clone()]).files().unwrap();
//! assert_eq!(files[0].0, "blink.v");
//! assert!(files[0].1.contains("      q <= q + 4'd1;\n"));
//!
//! // A 5-bit sum into the 4-bit register is refused before anything is printed.
//! m.seq(&clk, &rst_n, vec![], vec![Stmt::nonblocking(&q, e::zext(&q, 5).add(e::lit(5, 1)))]);
//! let errors = Design::new(vec![m]).files().unwrap_err();
//! assert_eq!(errors.len(), 2); // the width, and `q` driven by two processes
//! assert_eq!(
//!     errors[0].to_string(),
//!     "module blink, item 2 (always @(posedge clk)): `q` (4 bits) is assigned \
//!      `{1'd0, q} + 5'd1` (5 bits); slice or extend explicitly"
//! );
//! ```

mod check;
mod check_expr;
mod design;
mod error;
mod expr;
pub mod known;
mod module;
pub mod names;
mod print;

pub use check::check_widths;
pub use design::Design;
pub use error::{ErrorKind, HdlError};
pub use expr::{index_width, BinOp, Expr, Radix, Select, Signal, UnOp};
pub use module::{clear, Decl, Instance, Item, Kind, Module, Param, PortGroup, Stmt, Waiver};
pub use names::Ident;
pub use print::{constant, expr as print_expr, print_module};

/// Expression builders: constants, concatenation and explicit extension.
pub mod e {
    pub use super::expr::{bin, cat, hex, lit, rep, sext, slit, zext};
}
