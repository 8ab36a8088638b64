//! The Verilog-A cells of the electrical view, one file each, every default parameter value
//! from the configuration ([`Electrical`]). Written for OpenVAF-Reloaded: no `@(cross)`,
//! `@(timer)`, `transition` or `idt` with a reset (VACASK aborts with "Timestep too small"
//! on the latter); comparators are linear over a narrow window, symmetric about the crossing,
//! so that a pulse's area equals the ideal one, and `$bound_step` makes the simulator land on
//! every crossing.

use crate::config::CellModel;

use super::consts::Electrical;

/// One Verilog-A source: file name (in `models/`) and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaFile {
    pub name: &'static str,
    /// The modules it defines.
    pub modules: Vec<&'static str>,
    pub text: String,
}

/// A real literal that Verilog-A reads back as the same f64.
pub(crate) fn real(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

/// The four Verilog-A files of the electrical view: the gain cell, the HardSigmoid
/// charge-to-pulse converter, the output charge-to-pulse converter and the periphery (DACs,
/// write column select, word-line drivers, ramps).
pub fn va_files(e: &Electrical, header: &[String]) -> Vec<VaFile> {
    vec![
        VaFile {
            name: "gca_gain_cell.va",
            modules: vec!["gca_gain_cell"],
            text: gain_cell(e, header),
        },
        VaFile {
            name: "gca_c2p.va",
            modules: vec!["gca_c2p"],
            text: c2p(e, header),
        },
        VaFile {
            name: "gca_out_c2p.va",
            modules: vec!["gca_out_c2p"],
            text: out_c2p(e, header),
        },
        VaFile {
            name: "gca_periphery.va",
            modules: vec!["gca_dac", "gca_write_select", "gca_wl_driver", "gca_ramp"],
            text: periphery(e, header),
        },
    ]
}

fn prelude(header: &[String], what: &[&str]) -> String {
    let mut o = String::new();
    for l in header {
        o.push_str(&format!("// {l}\n"));
    }
    o.push_str("//\n");
    for l in what {
        if l.is_empty() {
            o.push_str("//\n");
        } else {
            o.push_str(&format!("// {l}\n"));
        }
    }
    o.push_str("\n`include \"constants.vams\"\n`include \"disciplines.vams\"\n");
    o
}

/// `parameter real NAME = VALUE from RANGE;`, each after a comment line with its meaning.
fn params(rows: &[(&str, f64, &str, &str)]) -> String {
    let mut o = String::new();
    for (n, v, range, doc) in rows {
        o.push_str(&format!(
            "  // {doc}\n  parameter real {n} = {}{range};\n",
            real(*v)
        ));
    }
    o
}

/// Logic level of a pin, 0..1: `min(max(V / vdd, 0), 1)`.
const LOGIC: &str = "min(max(V(PIN) / vdd, 0.0), 1.0)";

fn logic(pin: &str) -> String {
    LOGIC.replace("PIN", pin)
}

fn gain_cell(e: &Electrical, header: &[String]) -> String {
    let mut o = prelude(
        header,
        &[
            "gca_gain_cell: one gain cell of the K or V array (electrical, Verilog-A).",
            "- storage node sn with capacitance cs to ground;",
            "- write switch: conductance gw * x(wwl) between the write bit line wbl and sn",
            "  (x(p) = min(max(V(p) / vdd, 0), 1), a logic level);",
            "- relaxation toward V_off: current cs / tau * (V(sn) - V(voff)), so that a stored",
            "  u = V(sn) - V_off decays as exp(-t / tau); tau = t_token / lambda gives the",
            "  configured decay per token of age (tau = 0: no relaxation);",
            "- read: current iunit * g(u) * min(max(V(rwl) / vin, 0), 1) into the read bit line",
            "  rbl (held at the integrator), g of SPEC section 2 at the read amplitude V_in; the",
            "  read word line gates it (0 V: no current, V_in: the full g).",
        ],
    );
    o.push_str("\nmodule gca_gain_cell(wwl, wbl, rwl, rbl, voff);\n");
    o.push_str("  inout wwl, wbl, rwl, rbl, voff;\n  electrical wwl, wbl, rwl, rbl, voff;\n");
    o.push_str("  electrical sn; // storage node\n");
    let mut rows = vec![
        ("cs", e.c_store, " from (0:inf)", "storage capacitance, F"),
        (
            "gw",
            e.g_write,
            " from (0:inf)",
            "write switch on-conductance, S (cs / gw = t_write / 100)",
        ),
        (
            "tau",
            e.tau,
            " from [0:inf)",
            "relaxation time constant toward V_off, s (t_token / lambda; 0: none)",
        ),
        (
            "iunit",
            e.i_unit,
            " from (0:inf)",
            "read current of g = 1, A",
        ),
        (
            "vin",
            e.v_in,
            " from (0:inf)",
            "read pulse amplitude V_in, V",
        ),
        (
            "vdd",
            e.vdd,
            " from (0:inf)",
            "logic high of the write word line, V",
        ),
    ];
    let names = [
        "c00", "c01", "c02", "c03", "c10", "c11", "c12", "c20", "c21", "c30",
    ];
    let docs: Vec<String> = names
        .iter()
        .map(|n| {
            format!(
                "C[{}][{}]: coefficient of u^{} V_in^{}",
                &n[1..2],
                &n[2..3],
                &n[1..2],
                &n[2..3]
            )
        })
        .collect();
    match e.cell {
        CellModel::Linear => rows.push(("gain", e.linear_gain, "", "linear cell: g(u) = gain * u")),
        CellModel::Polynomial => {
            for ((n, c), d) in names.iter().zip(e.poly).zip(&docs) {
                rows.push((n, c, "", d.as_str()));
            }
        }
    }
    o.push_str(&params(&rows));
    o.push_str("  real sw, gate, u, g;\n\n  analog begin\n");
    o.push_str(&format!("    sw = {};\n", logic("wwl")));
    o.push_str("    gate = min(max(V(rwl) / vin, 0.0), 1.0);\n");
    o.push_str("    u = V(sn, voff);\n");
    match e.cell {
        CellModel::Linear => o.push_str("    g = gain * u;\n"),
        CellModel::Polynomial => o.push_str(
            "    // paper Eq. 4: g = sum_p sum_r C[p][r] V_in^r u^p\n\
             \x20   g = (c00 + vin * (c01 + vin * (c02 + vin * c03)))\n\
             \x20     + u * ((c10 + vin * (c11 + vin * c12))\n\
             \x20     + u * ((c20 + vin * c21) + u * c30));\n",
        ),
    }
    o.push_str(
        "    I(sn) <+ cs * ddt(V(sn));\n\
         \x20   I(wbl, sn) <+ gw * sw * V(wbl, sn);\n\
         \x20   if (tau > 0.0)\n\
         \x20     I(sn, voff) <+ cs / tau * V(sn, voff);\n\
         \x20   I(rbl) <+ -iunit * g * gate;\n\
         \x20 end\nendmodule\n",
    );
    o
}

/// Shared text of both converters: the integrator with its reset switch and the comparator
/// window with the step bound that lands on its crossing.
fn converter_params(e: &Electrical, c: f64, g: f64, slope: f64, what: &str) -> String {
    params(&[
        (
            "cint",
            c,
            " from (0:inf)",
            &format!("integrator capacitance, F ({what})"),
        ),
        (
            "grst",
            g,
            " from (0:inf)",
            "reset switch conductance, S (cint / grst = t_write / 100)",
        ),
        (
            "vw",
            e.v_window,
            " from (0:inf)",
            "comparator window, V: linear from 0 to 1 over +-vw/2 about the crossing",
        ),
        (
            "slope",
            slope,
            " from (0:inf)",
            "slope of the ramp it is compared with, V/s",
        ),
        ("vdd", e.vdd, " from (0:inf)", "logic high, V"),
    ])
}

const BOUND: &str =
    "    // land on the comparator window, then cross it in one step (it is linear inside)
    if (ON > 0.5) begin
      if (dist > vw / 2.0)
        $bound_step(max(dist - vw / 2.0, vw / 2.0) / slope);
      else if (dist > -vw / 2.0)
        $bound_step(max(dist + vw / 2.0, vw / 4.0) / slope);
    end
";

fn c2p(e: &Electrical, header: &[String]) -> String {
    let mut o = prelude(
        header,
        &[
            "gca_c2p: the charge-to-pulse converter of one column (the HardSigmoid), Verilog-A.",
            "- integrator: capacitance cint on the read bit line bl, with a reset switch",
            "  (conductance grst) closed unless ph_qk or ph_av is high: the column charge",
            "  Q = I_unit T_max S is held from the start of QK to the end of AV, and",
            "  V(bl) = Q / cint = V_fs S / S_sat;",
            "- comparator against the AV ramp (V_fs per T_max, from the middle of the ph_av edge):",
            "  phi line = V(vin) * x(en) * x(ph_av) * min(max((V(bl) - V(ramp)) / vw + 1/2, 0), 1)",
            "  is high from the start of AV until the ramp reaches V(bl): a pulse of",
            "  clamp(S / S_sat, 0, 1) * T_max, the HardSigmoid phi, that drives the V array's",
            "  read word line of the column at the read amplitude; en (col_en) gates it.",
            "No @(cross): the window is linear and symmetric about the crossing, so the pulse",
            "area is exact, and $bound_step makes the simulator land on it.",
        ],
    );
    o.push_str("\nmodule gca_c2p(bl, ph_qk, ph_av, en, ramp, vin, phi);\n");
    o.push_str("  inout bl, ph_qk, ph_av, en, ramp, vin, phi;\n");
    o.push_str("  electrical bl, ph_qk, ph_av, en, ramp, vin, phi;\n");
    o.push_str(&converter_params(
        e,
        e.c_col,
        e.g_reset_col,
        e.slope_av,
        "I_unit T_max S_sat / V_fs",
    ));
    o.push_str("  real xq, xa, xe, hold, dist;\n\n  analog begin\n");
    o.push_str(&format!(
        "    xq = {};\n    xa = {};\n    xe = {};\n",
        logic("ph_qk"),
        logic("ph_av"),
        logic("en")
    ));
    o.push_str(
        "    hold = min(xq + xa, 1.0);\n\
         \x20   I(bl) <+ cint * ddt(V(bl)) + grst * (1.0 - hold) * V(bl);\n\
         \x20   dist = V(bl) - V(ramp);\n\
         \x20   V(phi) <+ V(vin) * xe * xa * min(max(dist / vw + 0.5, 0.0), 1.0);\n",
    );
    o.push_str(&BOUND.replace("ON", "xa"));
    o.push_str("  end\nendmodule\n");
    o
}

fn out_c2p(e: &Electrical, header: &[String]) -> String {
    let mut o = prelude(
        header,
        &[
            "gca_out_c2p: the signed output charge-to-pulse converter of one dimension, Verilog-A.",
            "- integrator: capacitance cint on the V array's read bit line bl, reset unless",
            "  ph_qk, ph_av or ph_ro is high: it holds the output charge",
            "  Q = I_unit T_max A from AV through READOUT, V(bl) = V_fs A / A_sat;",
            "- comparator of |V(bl)| against the READOUT ramp (V_fs per (L_out - 1) / 2 PWM",
            "  steps): pulse = vdd * x(ph_ro) * window(|V(bl)| - V(ramp)) lasts",
            "  |A| / A_sat * (L_out - 1) / 2 steps, clipped by READOUT at L_out / 2 steps; the",
            "  accumulator samples it once per step (in the middle), which rounds it to the",
            "  output code |o|;",
            "- sign = vdd * x(ph_ro) * window(-V(bl)): high for a negative output.",
        ],
    );
    o.push_str("\nmodule gca_out_c2p(bl, ph_qk, ph_av, ph_ro, ramp, pulse, sign);\n");
    o.push_str("  inout bl, ph_qk, ph_av, ph_ro, ramp, pulse, sign;\n");
    o.push_str("  electrical bl, ph_qk, ph_av, ph_ro, ramp, pulse, sign;\n");
    o.push_str(&converter_params(
        e,
        e.c_out,
        e.g_reset_out,
        e.slope_ro,
        "I_unit T_max A_sat / V_fs",
    ));
    o.push_str("  real xq, xa, xr, hold, dist;\n\n  analog begin\n");
    o.push_str(&format!(
        "    xq = {};\n    xa = {};\n    xr = {};\n",
        logic("ph_qk"),
        logic("ph_av"),
        logic("ph_ro")
    ));
    o.push_str(
        "    hold = min(xq + xa + xr, 1.0);\n\
         \x20   I(bl) <+ cint * ddt(V(bl)) + grst * (1.0 - hold) * V(bl);\n\
         \x20   dist = abs(V(bl)) - V(ramp);\n\
         \x20   V(pulse) <+ vdd * xr * min(max(dist / vw + 0.5, 0.0), 1.0);\n\
         \x20   V(sign) <+ vdd * xr * min(max(-V(bl) / vw + 0.5, 0.0), 1.0);\n",
    );
    o.push_str(&BOUND.replace("ON", "xr"));
    o.push_str("  end\nendmodule\n");
    o
}

fn periphery(e: &Electrical, header: &[String]) -> String {
    let mut o = prelude(
        header,
        &[
            "The periphery of the electrical sub-tile, Verilog-A: logic pins are voltages, a",
            "logic level is x(p) = min(max(V(p) / vdd, 0), 1).",
            "- gca_dac: the write DAC of one dimension, V(out) = V_max / (L_kv - 1) * code;",
            "- gca_write_select: the write word line of column `col`: vdd * x(we) * (wcol == col);",
            "- gca_wl_driver: a PWM row pulse to a read word line at the read amplitude V(vin);",
            "- gca_ramp: a ramp of `slope` V/s while x(ph) > 0 (a capacitor charged by a",
            "  current), discharged while the phase is low; linear edges of ph start it at the",
            "  middle of the edge.",
        ],
    );
    // DAC
    let bits: Vec<String> = (0..e.kb).map(|b| format!("b{b}")).collect();
    let pins = bits.join(", ");
    o.push_str(&format!("\nmodule gca_dac({pins}, out);\n"));
    o.push_str(&format!(
        "  inout {pins}, out;\n  electrical {pins}, out;\n"
    ));
    o.push_str(&params(&[
        (
            "vlsb",
            e.v_lsb,
            " from (0:inf)",
            "DAC step V_max / (L_kv - 1), V",
        ),
        ("vdd", e.vdd, " from (0:inf)", "logic high, V"),
    ]));
    o.push_str("\n  analog begin\n    V(out) <+ vlsb * (");
    let terms: Vec<String> = (0..e.kb)
        .map(|b| format!("{}.0 * {}", 1u64 << b, logic(&format!("b{b}"))))
        .collect();
    o.push_str(&terms.join("\n      + "));
    o.push_str(");\n  end\nendmodule\n");
    // Write select
    let addr: Vec<String> = (0..e.cw).map(|b| format!("a{b}")).collect();
    let apins = addr.join(", ");
    o.push_str(&format!("\nmodule gca_write_select(we, {apins}, wwl);\n"));
    o.push_str(&format!(
        "  inout we, {apins}, wwl;\n  electrical we, {apins}, wwl;\n"
    ));
    o.push_str(&format!(
        "  (* type=\"instance\" *) parameter integer col = 0 from [0:{}]; // the column it selects\n",
        e.shape.cols - 1
    ));
    o.push_str(&params(&[("vdd", e.vdd, " from (0:inf)", "logic high, V")]));
    o.push_str("  real x, a;\n\n  analog begin\n");
    o.push_str(&format!("    x = {};\n", logic("we")));
    for b in 0..e.cw {
        let bit = if b == 0 {
            "col % 2".to_string()
        } else {
            format!("(col / {}) % 2", 1u64 << b)
        };
        o.push_str(&format!("    a = {};\n", logic(&format!("a{b}"))));
        o.push_str(&format!("    x = x * (({bit}) != 0 ? a : 1.0 - a);\n"));
    }
    o.push_str("    V(wwl) <+ vdd * x;\n  end\nendmodule\n");
    // Word-line driver
    o.push_str(
        "\nmodule gca_wl_driver(in, vin, out);\n  inout in, vin, out;\n  electrical in, vin, out;\n",
    );
    o.push_str(&params(&[("vdd", e.vdd, " from (0:inf)", "logic high, V")]));
    o.push_str(&format!(
        "\n  analog begin\n    V(out) <+ V(vin) * {};\n  end\nendmodule\n",
        logic("in")
    ));
    // Ramp
    o.push_str("\nmodule gca_ramp(ph, out);\n  inout ph, out;\n  electrical ph, out;\n");
    o.push_str(&params(&[
        (
            "slope",
            e.slope_av,
            " from (0:inf)",
            "ramp slope while ph is high, V/s",
        ),
        ("cr", 1e-12, " from (0:inf)", "ramp capacitance, F"),
        (
            "gr",
            1e-12 / (e.t_write / 100.0),
            " from (0:inf)",
            "discharge conductance while ph is low, S",
        ),
        ("vdd", e.vdd, " from (0:inf)", "logic high, V"),
    ]));
    o.push_str("  real x;\n\n  analog begin\n");
    o.push_str(&format!("    x = {};\n", logic("ph")));
    o.push_str(
        "    I(out) <+ cr * ddt(V(out)) - cr * slope * x + (x > 0.0 ? 0.0 : gr) * V(out);\n\
         \x20 end\nendmodule\n",
    );
    o
}
