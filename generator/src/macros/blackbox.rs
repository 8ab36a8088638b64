//! The blackbox view: ports only, `(* blackbox *)`, for synthesis and the ASIC flow.

use crate::config::Params;

use super::ports::{header, module_header, PortStyle, PRELUDE, TRAILER};

pub(crate) fn blackbox(p: &Params) -> String {
    let extra = [
        "Ports only: the sub-tile is an analog macro (K array, charge-to-pulse, V array, signed",
        "output charge-to-pulse). Synthesis keeps it as one cell. Simulation views: gca_subtile.v",
        "(behavioral, bit-exact with the hardware twin H) and gca_subtile.vams (real-valued).",
        "Power and bias pins are ports only with `define USE_POWER_PINS.",
        "Checked: `verilator --lint-only -Wall` as top (with and without USE_POWER_PINS), Yosys",
        "`read_verilog` + `hierarchy` + `synth` (stays one blackbox cell).",
    ];
    let style = PortStyle {
        supply: "inout  wire",
        input_waivers: vec![(
            "UNUSEDSIGNAL",
            "a blackbox has no body; the analog macro reads these pins",
        )],
        output_waivers: vec![(
            "UNDRIVEN",
            "a blackbox has no body; the analog macro drives these pins",
        )],
    };
    let mut o = header(
        p,
        "gca_subtile: analog sub-tile macro, blackbox view (synthesis, ASIC flow).",
        &extra,
    );
    o.push_str(PRELUDE);
    o.push_str(
        "// lint: DECLFILENAME: this view is gca_subtile_bb.v so that it can sit next to the\n",
    );
    o.push_str("// behavioral view gca_subtile.v; both define module gca_subtile\n");
    o.push_str("/* verilator lint_off DECLFILENAME */\n");
    o.push_str("(* blackbox *)\n");
    o.push_str(&module_header(p, &style));
    o.push_str("/* verilator lint_on DECLFILENAME */\n");
    o.push_str(TRAILER);
    o
}
