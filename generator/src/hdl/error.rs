//! Errors of the HDL checks: one [`ErrorKind`] per rule, located by module and item.

use std::fmt;

/// The rule an [`HdlError`] breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// A name declared twice, or a module defined twice in a design.
    Duplicate,
    /// A signal used but not declared (or an instance name used as a signal).
    Undeclared,
    /// A handle whose width, signedness or depth disagrees with the declaration.
    HandleMismatch,
    /// The two sides of an assignment, port connection or parameter differ in width.
    AssignWidth,
    /// Operands of one operator or case labels differ in width, or a 1-bit operand is wider.
    OperandWidth,
    /// A comparison mixes signed and unsigned operands, or `>>>` shifts an unsigned one.
    Signedness,
    /// A select out of range, an index of the wrong width, or a value that does not fit.
    Range,
    /// Zero widths, empty concatenations or case arms, a case without default, a memory
    /// used without index, a select of a 1-bit signal.
    Malformed,
    /// A signal driven by two items.
    MultipleDrivers,
    /// A reg of an `always @*` not assigned on every path.
    Latch,
    /// `=` in a clocked process or `<=` in `always @*`.
    AssignKind,
    /// An input, parameter or expression assigned, or a wire/reg driven the wrong way.
    NotAssignable,
    /// An instance with unknown, missing or doubly connected ports or unknown parameters.
    Instance,
    /// A lint waiver without a reason or with a malformed rule.
    Waiver,
    /// Modules instantiating each other in a cycle.
    Hierarchy,
}

/// One problem, located by module and item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HdlError {
    pub module: String,
    /// `item 3 (always @*)`, `declarations`, `design`.
    pub item: String,
    pub kind: ErrorKind,
    pub message: String,
}

impl fmt::Display for HdlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "module {}, {}: {}", self.module, self.item, self.message)
    }
}
