//! The Verilog-AMS wrapper of the electrical view: `gca_subtile` with the blackbox's logic pin
//! list around the electrical core (the Verilog-A cells of `veriloga.rs`, instantiated with
//! generate loops, which Verilog-AMS allows and Verilog-A does not), and the connect modules
//! that turn logic pins into voltages and back. For commercial mixed-signal simulators; the
//! open tools here do not run it (Icarus and Verilator have no `analog` blocks, OpenVAF no
//! instances or discrete disciplines).

use super::consts::Electrical;
use super::veriloga::real;

/// File name of the wrapper (in `models/`).
pub const VAMS_FILE: &str = "gca_subtile_electrical.vams";

pub fn vams_wrapper(e: &Electrical, header: &[String]) -> String {
    let (d, c, kb, cw) = (e.shape.rows, e.shape.cols, e.kb as usize, e.cw as usize);
    let mut o = String::new();
    for l in header {
        o.push_str(&format!("// {l}\n"));
    }
    for l in [
        "",
        "gca_subtile, electrical view for mixed-signal simulators (Verilog-AMS): the logic pins of",
        "the blackbox around the electrical core built from the Verilog-A cells of models/*.va",
        "(compile them with this file). Logic pins cross into the core through the connect",
        "modules below (logic 1 = VDD volts with linear edges; back to logic at VDD / 2).",
        "NOT runnable with the open tools of this project (Icarus, Verilator: no analog blocks;",
        "OpenVAF: no instances); the same core runs in VACASK as models/gca_subtile_vacask.inc",
        "(`gca analog`). docs/analog.md describes both.",
    ] {
        if l.is_empty() {
            o.push_str("//\n");
        } else {
            o.push_str(&format!("// {l}\n"));
        }
    }
    o.push_str(&format!(
        r#"
`include "disciplines.vams"
`timescale 1ns / 1ps

connectmodule gca_l2e(d, a);
  input d;
  output a;
  logic d;
  electrical a;
  parameter real vdd = {vdd};
  parameter real tr = {tr};
  analog V(a) <+ vdd * transition(d === 1'b1 ? 1.0 : 0.0, 0.0, tr);
endmodule

connectmodule gca_e2l(a, d);
  input a;
  output d;
  electrical a;
  logic d;
  parameter real vdd = {vdd};
  reg r;
  initial r = 1'b0;
  always @(above(V(a) - vdd / 2.0)) r = 1'b1;
  always @(above(vdd / 2.0 - V(a))) r = 1'b0;
  assign d = r;
endmodule

connectrules gca_connect;
  connect gca_l2e;
  connect gca_e2l;
endconnectrules

module gca_subtile (
`ifdef USE_POWER_PINS
  inout  VDD, VSS, V_OFF, V_IN,
`endif
  input  clk, we, age_tick,
  input  [{cw1}:0] wcol,
  input  [{dk1}:0] k_code, v_code,
  input  [{d1}:0] row_pulse,
  input  [{c1}:0] col_en,
  input  ph_qk, ph_av, ph_ro,
  output [{d1}:0] out_pulse, out_sign
);
  // clk and age_tick have no function in the electrical core (ages are time since the write).
`ifdef USE_POWER_PINS
  electrical VDD, VSS, V_OFF, V_IN;
`else
  electrical V_OFF, V_IN;
  analog begin
    V(V_OFF) <+ {v_off};
    V(V_IN) <+ {v_in};
  end
`endif
  electrical [{d1}:0] kbl, vbl, rwl, obl;
  electrical [{c1}:0] wwl, cbl, phi;
  electrical ramp_av, ramp_ro;

  genvar c, d;
  gca_ramp #(.slope({slope_av})) xramp_av (ph_av, ramp_av);
  gca_ramp #(.slope({slope_ro})) xramp_ro (ph_ro, ramp_ro);
  generate
    for (d = 0; d < {d}; d = d + 1) begin : dim
      gca_dac xkdac ({kbits}, kbl[d]);
      gca_dac xvdac ({vbits}, vbl[d]);
      gca_wl_driver xrwl (row_pulse[d], V_IN, rwl[d]);
      gca_out_c2p xout (obl[d], ph_qk, ph_av, ph_ro, ramp_ro, out_pulse[d], out_sign[d]);
    end
    for (c = 0; c < {c}; c = c + 1) begin : col
      gca_write_select #(.col(c)) xwsel (we, {abits},
        wwl[c]);
      gca_c2p xc2p (cbl[c], ph_qk, ph_av, col_en[c], ramp_av, V_IN, phi[c]);
      for (d = 0; d < {d}; d = d + 1) begin : row
        gca_gain_cell xk (wwl[c], kbl[d], rwl[d], cbl[c], V_OFF);
        gca_gain_cell xv (wwl[c], vbl[d], phi[c], obl[d], V_OFF);
      end
    end
  endgenerate
endmodule
"#,
        vdd = real(e.vdd),
        tr = real(e.t_edge),
        v_off = real(e.v_off),
        v_in = real(e.v_in),
        slope_av = real(e.slope_av),
        slope_ro = real(e.slope_ro),
        cw1 = cw - 1,
        dk1 = d * kb - 1,
        d1 = d - 1,
        c1 = c - 1,
        kbits = (0..kb)
            .map(|b| format!("k_code[{kb}*d+{b}]"))
            .collect::<Vec<_>>()
            .join(", "),
        vbits = (0..kb)
            .map(|b| format!("v_code[{kb}*d+{b}]"))
            .collect::<Vec<_>>()
            .join(", "),
        abits = (0..cw)
            .map(|b| format!("wcol[{b}]"))
            .collect::<Vec<_>>()
            .join(", "),
    ));
    o
}
