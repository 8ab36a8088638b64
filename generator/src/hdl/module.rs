//! Modules, declarations, processes and statements, with builders that hand out [`Signal`]
//! handles. Builders take `&str` names and check them with [`names::ident`](super::names::ident).

use super::expr::{lit, Expr, Signal};
use super::names::{ident, Ident};

/// What a declaration is: a port (in a [`PortGroup`]) or a net of the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `input wire`
    Input,
    /// `output wire`, driven by `assign` or an instance.
    Output,
    /// `output reg`, written by an always block.
    OutputReg,
    Wire,
    Reg,
}

/// A Verilator warning switched off around one declaration, with the reason it is legitimate.
/// The printer writes `// lint: RULE: reason` and a `lint_off`/`lint_on` pair around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    /// The Verilator rule, e.g. `UNUSEDSIGNAL` (upper-case letters).
    pub rule: String,
    /// Why the warning is expected; `check_widths` rejects an empty reason.
    pub reason: String,
}

/// A port or a net: `reg signed [7:0] name [0:depth-1]; // comment`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decl {
    pub name: Ident,
    pub kind: Kind,
    pub width: u32,
    pub signed: bool,
    /// Words of a memory (a `Reg` of the body only).
    pub depth: Option<u32>,
    /// A synthesis attribute printed before the declaration, `(* name *)`: Yosys's `mem2reg`
    /// (a memory kept as flip-flops) or `nowrshmsk` (a write to a bit at a computed index is
    /// one `if` per bit, the enables of the flip-flops, rather than a shifted mask). Verilator
    /// and Icarus ignore them.
    pub attribute: Option<String>,
    pub comment: String,
    pub waiver: Option<Waiver>,
}

/// Ports printed together under a comment line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortGroup {
    pub comment: String,
    pub ports: Vec<Decl>,
}

/// An unsigned parameter with an explicit range: `localparam [1:0] S_IDLE = 2'd0;`; a `header`
/// one is a `parameter` of the module header, which instances may override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: Ident,
    pub header: bool,
    pub width: u32,
    pub value: u128,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    /// `lhs = rhs;` (combinational processes only)
    Blocking(Expr, Expr),
    /// `lhs <= rhs;` (clocked processes only)
    NonBlocking(Expr, Expr),
    If {
        cond: Expr,
        then: Vec<Stmt>,
        els: Vec<Stmt>,
    },
    /// The labels of an arm are alternatives; `check_widths` requires a default.
    Case {
        subject: Expr,
        arms: Vec<(Vec<Expr>, Vec<Stmt>)>,
        default: Option<Vec<Stmt>>,
    },
    Comment(String),
}

impl Stmt {
    pub fn blocking(lhs: impl Into<Expr>, rhs: impl Into<Expr>) -> Stmt {
        Stmt::Blocking(lhs.into(), rhs.into())
    }

    pub fn nonblocking(lhs: impl Into<Expr>, rhs: impl Into<Expr>) -> Stmt {
        Stmt::NonBlocking(lhs.into(), rhs.into())
    }

    pub fn if_then(cond: impl Into<Expr>, then: Vec<Stmt>) -> Stmt {
        Stmt::if_else(cond, then, vec![])
    }

    pub fn if_else(cond: impl Into<Expr>, then: Vec<Stmt>, els: Vec<Stmt>) -> Stmt {
        let cond = cond.into();
        Stmt::If { cond, then, els }
    }

    pub fn case(
        subject: impl Into<Expr>,
        arms: Vec<(Vec<Expr>, Vec<Stmt>)>,
        default: Vec<Stmt>,
    ) -> Stmt {
        let (subject, default) = (subject.into(), Some(default));
        Stmt::Case {
            subject,
            arms,
            default,
        }
    }

    /// A case whose `arms` list every value the subject (`width` bits) takes in operation,
    /// so that `default` is unreachable: when the arms cover all 2^width values, the last arm
    /// becomes the default (no dead branch); otherwise `default` is kept as the safe state of
    /// an illegal encoding and marked `verilator coverage_block_off`, so that line coverage
    /// counts only reachable code (docs/verification.md lists these exclusions).
    pub fn case_closed(
        subject: impl Into<Expr>,
        width: u32,
        mut arms: Vec<(Vec<Expr>, Vec<Stmt>)>,
        default: Vec<Stmt>,
    ) -> Stmt {
        let labels: usize = arms.iter().map(|a| a.0.len()).sum();
        let full = width < 16 && labels == 1usize << width;
        let default = if full {
            let (_, body) = arms.pop().expect("a full case has arms");
            body
        } else {
            let mut body = vec![
                Stmt::Comment(
                    "An encoding no operation reaches: the safe state, out of coverage.".into(),
                ),
                Stmt::Comment("verilator coverage_block_off".into()),
            ];
            body.extend(default);
            body
        };
        Stmt::case(subject, arms, default)
    }
}

/// `module #(.P(v)) name (.port(expr), ...);` with named connections only, none empty.
#[derive(Clone, Debug)]
pub struct Instance {
    pub module: Ident,
    pub name: Ident,
    pub params: Vec<(Ident, Expr)>,
    pub connections: Vec<(Ident, Expr)>,
    /// Supply ports of the child connected to the parent's of the same names, behind
    /// `ifdef USE_POWER_PINS` ([`Module::supplies`]).
    pub supplies: Vec<Ident>,
}

impl Instance {
    pub fn new(module: &str, name: &str) -> Instance {
        let (module, name) = (ident(module), ident(name));
        Instance {
            module,
            name,
            params: vec![],
            connections: vec![],
            supplies: vec![],
        }
    }

    /// Connects the supply ports `names` (`.VDD(VDD)`, ...) behind `ifdef USE_POWER_PINS`.
    pub fn supplies(mut self, names: &[&str]) -> Instance {
        self.supplies = names.iter().map(|n| ident(n)).collect();
        self
    }

    pub fn param(mut self, name: &str, value: impl Into<Expr>) -> Instance {
        self.params.push((ident(name), value.into()));
        self
    }

    pub fn pin(mut self, port: &str, value: impl Into<Expr>) -> Instance {
        self.connections.push((ident(port), value.into()));
        self
    }
}

#[derive(Clone, Debug)]
pub enum Item {
    /// `assign lhs = rhs;`
    Assign {
        lhs: Expr,
        rhs: Expr,
    },
    /// `always @(posedge clock or negedge rst_n)` with `if (!rst_n) reset else body`; without a
    /// reset (memories), `always @(posedge clock)`.
    Seq {
        clock: Signal,
        reset: Option<(Signal, Vec<Stmt>)>,
        body: Vec<Stmt>,
    },
    /// `always @*`
    Comb(Vec<Stmt>),
    /// An intended latch: `always @* if (open) body`, with blocking assignments, transparent
    /// while `open` is 1 and holding otherwise; printed between `lint_off LATCH` and `lint_on`.
    /// Only the clock gate (`gca_clock_gate`) has one.
    Latch {
        open: Expr,
        body: Vec<Stmt>,
    },
    Instance(Instance),
    Comment(String),
}

/// One Verilog module, printed to its own file `<name>.v`.
#[derive(Clone, Debug)]
pub struct Module {
    pub name: Ident,
    /// Comment lines at the top of the file (configuration, generator version).
    pub header_comment: Vec<String>,
    pub params: Vec<Param>,
    pub ports: Vec<PortGroup>,
    pub decls: Vec<Decl>,
    pub items: Vec<Item>,
    /// Supply and bias ports (`inout wire`, one bit, with a comment), printed first and only
    /// when the macro `USE_POWER_PINS` is defined, the convention of open-source macros and
    /// flows (LibreLane's `VERILOG_POWER_DEFINE`). They carry no logic: instances pass them on.
    pub supplies: Vec<(Ident, String)>,
}

impl Decl {
    pub fn new(name: &str, kind: Kind, width: u32) -> Decl {
        let name = ident(name);
        Decl {
            name,
            kind,
            width,
            signed: false,
            depth: None,
            attribute: None,
            comment: String::new(),
            waiver: None,
        }
    }

    /// `reg [width-1:0] name [0:depth-1]`
    pub fn memory(name: &str, width: u32, depth: u32) -> Decl {
        Decl {
            depth: Some(depth),
            ..Decl::new(name, Kind::Reg, width)
        }
    }

    /// A register file of flip-flops: `(* mem2reg *) reg [width-1:0] name [0:depth-1]`, for
    /// memories with a reset or read word by word in parallel.
    pub fn register_file(name: &str, width: u32, depth: u32) -> Decl {
        Decl::memory(name, width, depth).attr("mem2reg")
    }

    /// `(* name *)` before the declaration (see [`Decl::attribute`]).
    pub fn attr(self, name: &str) -> Decl {
        Decl {
            attribute: Some(name.to_string()),
            ..self
        }
    }

    pub fn signed(self) -> Decl {
        Decl {
            signed: true,
            ..self
        }
    }

    pub fn doc(self, comment: &str) -> Decl {
        Decl {
            comment: comment.to_string(),
            ..self
        }
    }

    pub fn waive(self, rule: &str, reason: &str) -> Decl {
        let waiver = Some(Waiver {
            rule: rule.to_string(),
            reason: reason.to_string(),
        });
        Decl { waiver, ..self }
    }

    /// The handle expressions use.
    pub fn signal(&self) -> Signal {
        let (width, signed, depth) = (self.width, self.signed, self.depth);
        Signal {
            name: self.name.clone(),
            width,
            signed,
            depth,
        }
    }
}

impl Module {
    pub fn new(name: &str) -> Module {
        let name = ident(name);
        Module {
            name,
            header_comment: vec![],
            params: vec![],
            ports: vec![],
            decls: vec![],
            items: vec![],
            supplies: vec![],
        }
    }

    /// Adds a supply or bias port behind `ifdef USE_POWER_PINS`.
    pub fn supply(&mut self, name: &str, comment: &str) {
        self.supplies.push((ident(name), comment.to_string()));
    }

    /// Starts a new group of ports, printed under `// comment`.
    pub fn group(&mut self, comment: &str) {
        self.ports.push(PortGroup {
            comment: comment.to_string(),
            ports: vec![],
        });
    }

    /// Adds a port (kind `Input`, `Output` or `OutputReg`) to the last group.
    pub fn port(&mut self, port: Decl) -> Signal {
        if self.ports.is_empty() {
            self.group("");
        }
        let s = port.signal();
        self.ports.last_mut().expect("a group").ports.push(port);
        s
    }

    pub fn input(&mut self, name: &str, width: u32) -> Signal {
        self.port(Decl::new(name, Kind::Input, width))
    }

    pub fn output(&mut self, name: &str, width: u32) -> Signal {
        self.port(Decl::new(name, Kind::Output, width))
    }

    pub fn output_reg(&mut self, name: &str, width: u32) -> Signal {
        self.port(Decl::new(name, Kind::OutputReg, width))
    }

    /// Adds a net (kind `Wire` or `Reg`) to the body.
    pub fn decl(&mut self, decl: Decl) -> Signal {
        let s = decl.signal();
        self.decls.push(decl);
        s
    }

    pub fn wire(&mut self, name: &str, width: u32) -> Signal {
        self.decl(Decl::new(name, Kind::Wire, width))
    }

    pub fn reg(&mut self, name: &str, width: u32) -> Signal {
        self.decl(Decl::new(name, Kind::Reg, width))
    }

    fn add_param(&mut self, header: bool, name: &str, width: u32, value: u128) -> Signal {
        let name = ident(name);
        self.params.push(Param {
            name: name.clone(),
            header,
            width,
            value,
        });
        Signal {
            name,
            width,
            signed: false,
            depth: None,
        }
    }

    /// `localparam [width-1:0] name = value;`
    pub fn localparam(&mut self, name: &str, width: u32, value: u128) -> Signal {
        self.add_param(false, name, width, value)
    }

    /// `parameter [width-1:0] name = value` in the module header.
    pub fn parameter(&mut self, name: &str, width: u32, value: u128) -> Signal {
        self.add_param(true, name, width, value)
    }

    pub fn assign(&mut self, lhs: impl Into<Expr>, rhs: impl Into<Expr>) {
        let (lhs, rhs) = (lhs.into(), rhs.into());
        self.items.push(Item::Assign { lhs, rhs });
    }

    /// A clocked process with active-low asynchronous reset.
    pub fn seq(&mut self, clock: &Signal, rst_n: &Signal, reset: Vec<Stmt>, body: Vec<Stmt>) {
        let (clock, reset) = (clock.clone(), Some((rst_n.clone(), reset)));
        self.items.push(Item::Seq { clock, reset, body });
    }

    /// A clocked process without reset, for memories.
    pub fn seq_no_reset(&mut self, clock: &Signal, body: Vec<Stmt>) {
        let clock = clock.clone();
        self.items.push(Item::Seq {
            clock,
            reset: None,
            body,
        });
    }

    pub fn comb(&mut self, body: Vec<Stmt>) {
        self.items.push(Item::Comb(body));
    }

    /// A latch, transparent while `open` is 1 ([`Item::Latch`]).
    pub fn latch(&mut self, open: impl Into<Expr>, body: Vec<Stmt>) {
        let open = open.into();
        self.items.push(Item::Latch { open, body });
    }

    pub fn instance(&mut self, instance: Instance) {
        self.items.push(Item::Instance(instance));
    }

    pub fn comment(&mut self, text: &str) {
        self.items.push(Item::Comment(text.to_string()));
    }

    /// All ports in order.
    pub fn all_ports(&self) -> impl Iterator<Item = &Decl> {
        self.ports.iter().flat_map(|g| g.ports.iter())
    }
}

/// `reg <= 0`, the usual reset assignment.
pub fn clear(reg: &Signal) -> Stmt {
    Stmt::nonblocking(reg, lit(reg.width, 0))
}
