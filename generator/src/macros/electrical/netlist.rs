//! The VACASK netlist of one sub-tile: a subcircuit `gca_subtile` whose terminals are the
//! macro's pins (power and bias pins first, then the digital pins bit by bit, in the order of
//! `ports.rs`), built from instances of the Verilog-A cells (OpenVAF cannot instantiate
//! modules inside Verilog-A, so the array is a netlist).

use super::consts::Electrical;
use super::veriloga::{real, VaFile};

/// File name of the netlist (in `models/`).
pub const NETLIST_FILE: &str = "gca_subtile_vacask.inc";
/// Name of the subcircuit.
pub const SUBCKT: &str = "gca_subtile";

/// Node name of bit `i` of a pin bus, `name_i`; a one-bit pin keeps its name.
pub fn node(name: &str, width: usize, i: usize) -> String {
    if width == 1 {
        name.to_string()
    } else {
        format!("{name}_{i}")
    }
}

/// The terminals of the subcircuit: (pin, width) in the order of the macro's ports
/// (`ports.rs`), power and bias pins first.
pub fn pins(e: &Electrical) -> Vec<(&'static str, usize)> {
    let (d, c, kb) = (e.shape.rows, e.shape.cols, e.kb as usize);
    vec![
        ("VDD", 1),
        ("VSS", 1),
        ("V_OFF", 1),
        ("V_IN", 1),
        ("clk", 1),
        ("we", 1),
        ("age_tick", 1),
        ("wcol", e.cw as usize),
        ("k_code", d * kb),
        ("v_code", d * kb),
        ("row_pulse", d),
        ("col_en", c),
        ("ph_qk", 1),
        ("ph_av", 1),
        ("ph_ro", 1),
        ("out_pulse", d),
        ("out_sign", d),
    ]
}

/// The netlist: `load` lines for the compiled cells (`<file>.osdi` next to the netlist), one
/// `model` line per cell and the subcircuit.
pub fn netlist(e: &Electrical, header: &[String], va: &[VaFile]) -> String {
    let (d, c, kb) = (e.shape.rows, e.shape.cols, e.kb as usize);
    let mut o = String::new();
    for l in header {
        o.push_str(&format!("// {l}\n"));
    }
    for l in [
        "",
        &format!("VACASK netlist of one electrical sub-tile, {d} rows (dimensions) x {c} columns (tokens):"),
        "K array (column c integrates its score on bit line cbl_c), HardSigmoid converters",
        "(phi_c drives row c of the V array), V array (dimension d integrates on obl_d) and the",
        "signed output converters. Terminals: the macro's pins, bit i of a bus as NAME_i; logic",
        &format!("levels 0 / {} V (VDD); V_OFF and V_IN are the bias inputs ({} V, {} V nominal).", real(e.vdd), real(e.v_off), real(e.v_in)),
        "The models reference the simulator's ground: tie VSS to 0. clk and age_tick have no",
        "function here (time is continuous; a cell's age is the time since its write).",
        "Compile the cells first (openvaf-r FILE.va -o FILE.osdi, next to this file); see",
        "docs/analog.md.",
    ] {
        if l.is_empty() {
            o.push_str("//\n");
        } else {
            o.push_str(&format!("// {l}\n"));
        }
    }
    o.push('\n');
    for f in va {
        o.push_str(&format!(
            "load \"{}.osdi\"\n",
            f.name.trim_end_matches(".va")
        ));
    }
    o.push('\n');
    for (model, module, extra) in [
        ("gca_cell", "gca_gain_cell", String::new()),
        ("gca_c2p_m", "gca_c2p", String::new()),
        ("gca_out_c2p_m", "gca_out_c2p", String::new()),
        ("gca_dac_m", "gca_dac", String::new()),
        ("gca_wsel_m", "gca_write_select", String::new()),
        ("gca_wl_m", "gca_wl_driver", String::new()),
        (
            "gca_ramp_av",
            "gca_ramp",
            format!(" slope={}", real(e.slope_av)),
        ),
        (
            "gca_ramp_ro",
            "gca_ramp",
            format!(" slope={}", real(e.slope_ro)),
        ),
    ] {
        o.push_str(&format!("model {model} {module}{extra}\n"));
    }
    o.push_str(&format!("\nsubckt {SUBCKT}(\n"));
    for (n, w) in pins(e) {
        let nodes: Vec<String> = (0..w).map(|i| node(n, w, i)).collect();
        for chunk in nodes.chunks(8) {
            o.push_str(&format!("    {}\n", chunk.join(" ")));
        }
    }
    o.push_str("  )\n");
    let cw = e.cw as usize;
    let bus = |name: &str, width: usize, lo: usize, n: usize| -> String {
        (lo..lo + n)
            .map(|i| node(name, width, i))
            .collect::<Vec<_>>()
            .join(" ")
    };
    o.push_str(
        "  // Write DACs: k_code / v_code bits of dimension d -> write bit lines kbl_d, vbl_d\n",
    );
    for dd in 0..d {
        o.push_str(&format!(
            "  xkdac_{dd} ({} kbl_{dd}) gca_dac_m\n",
            bus("k_code", d * kb, dd * kb, kb)
        ));
    }
    for dd in 0..d {
        o.push_str(&format!(
            "  xvdac_{dd} ({} vbl_{dd}) gca_dac_m\n",
            bus("v_code", d * kb, dd * kb, kb)
        ));
    }
    o.push_str("  // Write word line of column c: we and wcol == c\n");
    for cc in 0..c {
        o.push_str(&format!(
            "  xwsel_{cc} (we {} wwl_{cc}) gca_wsel_m col={cc}\n",
            bus("wcol", cw, 0, cw)
        ));
    }
    o.push_str("  // Read word lines of the K array: PWM row pulses at the read amplitude V_IN\n");
    for dd in 0..d {
        o.push_str(&format!(
            "  xrwl_{dd} ({} V_IN rwl_{dd}) gca_wl_m\n",
            node("row_pulse", d, dd)
        ));
    }
    o.push_str("  // Ramps of the HardSigmoid (AV) and output (READOUT) converters\n");
    o.push_str("  xramp_av (ph_av ramp_av) gca_ramp_av\n");
    o.push_str("  xramp_ro (ph_ro ramp_ro) gca_ramp_ro\n");
    o.push_str("  // K array: cell (c, d) on write word line wwl_c, write bit line kbl_d, read word line\n");
    o.push_str("  // rwl_d, read bit line cbl_c\n");
    for cc in 0..c {
        for dd in 0..d {
            o.push_str(&format!(
                "  xk_{cc}_{dd} (wwl_{cc} kbl_{dd} rwl_{dd} cbl_{cc} V_OFF) gca_cell\n"
            ));
        }
    }
    o.push_str("  // HardSigmoid charge-to-pulse converters: column c -> phi_c, gated by col_en\n");
    for cc in 0..c {
        o.push_str(&format!(
            "  xc2p_{cc} (cbl_{cc} ph_qk ph_av {} ramp_av V_IN phi_{cc}) gca_c2p_m\n",
            node("col_en", c, cc)
        ));
    }
    o.push_str("  // V array: cell (c, d) on write word line wwl_c, write bit line vbl_d, read word line\n");
    o.push_str("  // phi_c, read bit line obl_d\n");
    for cc in 0..c {
        for dd in 0..d {
            o.push_str(&format!(
                "  xv_{cc}_{dd} (wwl_{cc} vbl_{dd} phi_{cc} obl_{dd} V_OFF) gca_cell\n"
            ));
        }
    }
    o.push_str(
        "  // Signed output charge-to-pulse converters: dimension d -> out_pulse, out_sign\n",
    );
    for dd in 0..d {
        o.push_str(&format!(
            "  xout_{dd} (obl_{dd} ph_qk ph_av ph_ro ramp_ro {} {}) gca_out_c2p_m\n",
            node("out_pulse", d, dd),
            node("out_sign", d, dd)
        ));
    }
    o.push_str("ends\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::macros::electrical::SubTileShape;
    use crate::macros::ports::{digital_ports, power_pins};

    #[test]
    fn terminals_are_the_macro_ports_in_order() {
        for name in ["tiny", "gpt2"] {
            let p = config::load(name).unwrap();
            let e = Electrical::new(&p, SubTileShape::of(&p));
            let ports: Vec<(String, usize)> = power_pins(&p)
                .iter()
                .chain(digital_ports(&p).iter().flat_map(|g| g.1.iter()))
                .map(|q| (q.name.to_string(), q.width as usize))
                .collect();
            let ours: Vec<(String, usize)> = pins(&e)
                .into_iter()
                .map(|(n, w)| (n.to_string(), w))
                .collect();
            assert_eq!(ours, ports, "{name}");
        }
    }
}
