//! The one description of the ports of `gca_subtile` (docs/rtl.md, "gca_subtile"), and the
//! text every view shares: the header comment, the port list and the file trailer.

use crate::config::{index_bits, Params};
use crate::rtl::header_comment;

/// Direction of a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    In,
    Out,
    /// Power and bias pins, behind `ifdef USE_POWER_PINS`.
    Supply,
}

/// One port of the macro.
#[derive(Clone, Debug)]
pub(crate) struct Port {
    pub name: &'static str,
    pub dir: Dir,
    pub width: u32,
    pub doc: String,
}

/// The sizes the ports are made of.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dims {
    /// Head dimension D.
    pub d: u32,
    /// Columns of the sub-tile C.
    pub c: u32,
    /// Bits of `wcol`: max(1, index bits of C).
    pub cw: u32,
    /// Bits of one k or v DAC code.
    pub kb: u32,
}

impl Dims {
    pub fn new(p: &Params) -> Self {
        Self {
            d: p.shape.d_head as u32,
            c: p.shape.tile as u32,
            cw: index_bits(p.shape.tile as u64).max(1),
            kb: p.widths.kv_code,
        }
    }
}

fn port(name: &'static str, dir: Dir, width: u32, doc: impl Into<String>) -> Port {
    Port {
        name,
        dir,
        width,
        doc: doc.into(),
    }
}

/// The digital ports in order, in groups under a comment each.
pub(crate) fn digital_ports(p: &Params) -> Vec<(&'static str, Vec<Port>)> {
    let n = Dims::new(p);
    let (d, c, kb) = (n.d, n.c, n.kb);
    let step = p.cycles.pwm_step;
    vec![
        (
            "Clock",
            vec![port(
                "clk",
                Dir::In,
                1,
                "every input is sampled on the rising edge",
            )],
        ),
        (
            "Write port (DACs): one K-array column and one V-array row per token",
            vec![
                port(
                    "we",
                    Dir::In,
                    1,
                    "write column wcol (held for the whole write phase)",
                ),
                port(
                    "age_tick",
                    Dir::In,
                    1,
                    "first cycle of every write phase of the head: all columns age by one token",
                ),
                port("wcol", Dir::In, n.cw, format!("column written, 0..{}", c - 1)),
                port(
                    "k_code",
                    Dir::In,
                    d * kb,
                    format!("key DAC codes, dimension d in bits [{kb}*d +: {kb}]"),
                ),
                port(
                    "v_code",
                    Dir::In,
                    d * kb,
                    format!("value DAC codes, dimension d in bits [{kb}*d +: {kb}]"),
                ),
            ],
        ),
        (
            "Read port: PWM word lines, window mask, phase strobes",
            vec![
                port(
                    "row_pulse",
                    Dir::In,
                    d,
                    format!("PWM word lines: row d high for q_d * {step} cycles of QK"),
                ),
                port("col_en", Dir::In, c, "column c is inside the window"),
                port("ph_qk", Dir::In, 1, "QK phase: score integration"),
                port("ph_av", Dir::In, 1, "AV phase: phi pulses drive the V array"),
                port("ph_ro", Dir::In, 1, "READOUT phase: output pulses"),
            ],
        ),
        (
            "Output charge-to-pulse converters",
            vec![
                port(
                    "out_pulse",
                    Dir::Out,
                    d,
                    format!("dimension d: high for |code_d| * {step} cycles from the first READOUT cycle"),
                ),
                port(
                    "out_sign",
                    Dir::Out,
                    d,
                    "1: code_d is negative (valid during READOUT)",
                ),
            ],
        ),
    ]
}

/// Power and bias pins, behind `ifdef USE_POWER_PINS`.
pub(crate) fn power_pins(p: &Params) -> Vec<Port> {
    vec![
        port("VDD", Dir::Supply, 1, "supply"),
        port("VSS", Dir::Supply, 1, "ground"),
        port(
            "V_OFF",
            Dir::Supply,
            1,
            format!(
                "stored-voltage reference V_off ({} V nominal)",
                p.hardware.analog.v_off
            ),
        ),
        port(
            "V_IN",
            Dir::Supply,
            1,
            format!(
                "read pulse amplitude V_in ({} V nominal)",
                p.hardware.cell.v_in
            ),
        ),
    ]
}

/// `[w-1:0]`, or nothing for one bit.
pub(crate) fn range(width: u32) -> String {
    if width == 1 {
        String::new()
    } else {
        format!("[{}:0]", width - 1)
    }
}

/// How a view declares its ports.
pub(crate) struct PortStyle {
    /// Keywords of a power pin, e.g. `inout  wire` or `input  wreal`.
    pub supply: &'static str,
    /// Verilator waivers (rule, reason) around the inputs (power pins included).
    pub input_waivers: Vec<(&'static str, &'static str)>,
    /// Verilator waivers (rule, reason) around the outputs.
    pub output_waivers: Vec<(&'static str, &'static str)>,
}

/// The comment header at the top of every view, `// ` before each line: the shared header of
/// generated files, then `extra` after an empty comment line.
pub(crate) fn header(p: &Params, what: &str, extra: &[&str]) -> String {
    let mut o = String::new();
    for l in header_comment(p, what) {
        o.push_str(&format!("// {l}\n"));
    }
    if !extra.is_empty() {
        o.push_str("//\n");
        for l in extra {
            // A comment that starts with "verilator" is a Verilator metacomment.
            assert!(!l.to_ascii_lowercase().starts_with("verilator"), "{l}");
            if l.is_empty() {
                o.push_str("//\n");
            } else {
                o.push_str(&format!("// {l}\n"));
            }
        }
    }
    o
}

fn waive(o: &mut String, waivers: &[(&str, &str)], on: bool) {
    for (rule, reason) in waivers {
        if on {
            o.push_str(&format!("  /* verilator lint_on {rule} */\n"));
        } else {
            o.push_str(&format!("  // lint: {rule}: {reason}\n"));
            o.push_str(&format!("  /* verilator lint_off {rule} */\n"));
        }
    }
}

/// `module gca_subtile ( ... );` with the power pins first, behind `ifdef USE_POWER_PINS`, so
/// that no comma dangles whether the macro is defined or not. One port a line, with its
/// meaning in a comment.
pub(crate) fn module_header(p: &Params, style: &PortStyle) -> String {
    let groups = digital_ports(p);
    let power = power_pins(p);
    let decl = |q: &Port| -> String {
        let kw = match q.dir {
            Dir::In => "input  wire",
            Dir::Out => "output wire",
            Dir::Supply => style.supply,
        };
        format!("{kw} {:<7} {}", range(q.width), q.name)
    };
    let all: Vec<&Port> = groups.iter().flat_map(|g| g.1.iter()).collect();
    let pad = all
        .iter()
        .copied()
        .chain(power.iter())
        .map(|q| decl(q).len() + 1)
        .max()
        .unwrap_or(0);
    let line = |q: &Port, comma: bool| -> String {
        let text = format!("{}{}", decl(q), if comma { "," } else { "" });
        format!("  {text:<pad$} // {}\n", q.doc)
    };
    let mut o = String::from("module gca_subtile (\n");
    waive(&mut o, &style.input_waivers, false);
    o.push_str("`ifdef USE_POWER_PINS\n");
    o.push_str("  // Power and bias pins\n");
    for q in &power {
        o.push_str(&line(q, true));
    }
    o.push_str("`endif\n");
    let mut left = all.len();
    for (title, ports) in &groups {
        if ports[0].dir == Dir::Out {
            waive(&mut o, &style.input_waivers, true);
            waive(&mut o, &style.output_waivers, false);
        }
        o.push_str(&format!("  // {title}\n"));
        for q in ports {
            left -= 1;
            o.push_str(&line(q, left > 0));
        }
    }
    waive(&mut o, &style.output_waivers, true);
    o.push_str(");\n");
    o
}

/// Aligns `name = value; // comment` rows of declarations into columns.
pub(crate) fn table(rows: &[[String; 3]]) -> String {
    let w0 = rows.iter().map(|r| r[0].len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r[1].len()).max().unwrap_or(0);
    let mut o = String::new();
    for r in rows {
        let line = if r[2].is_empty() {
            format!("  {:<w0$} {}", r[0], r[1])
        } else {
            format!("  {:<w0$} {:<w1$} // {}", r[0], r[1], r[2])
        };
        o.push_str(line.trim_end());
        o.push('\n');
    }
    o
}

/// The lines before `module`: `timescale` and `default_nettype none`, as in every generated
/// Verilog file (`hdl::print`).
pub(crate) const PRELUDE: &str = "`timescale 1ns / 1ps\n`default_nettype none\n\n";

/// The lines after the body.
pub(crate) const TRAILER: &str = "\nendmodule\n\n`default_nettype wire\n";
