//! The Verilog-AMS real-valued view: the analog quantities of the sub-tile (stored voltages,
//! cell currents, column charges, phi pulse widths, output charges) as `real`, the power and
//! bias pins as `wreal`. No `analog` blocks: Icarus 11 and Verilator 5.006 support neither
//! (docs: FINDINGS.md), so time advances per clock cycle.

use crate::config::{CellModel, Params};

use super::ports::{header, module_header, table, Dims, PortStyle, TRAILER};

/// A real literal that Verilog reads back as the same f64 (Rust's shortest round-trip form,
/// with a decimal point or an exponent).
fn real(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

const EXTRA: [&str; 27] = [
    "Real-valued model (Verilog-AMS subset: `real` variables, `wreal` power and bias pins; no",
    "`analog` blocks). Time advances per clock cycle of the given period; every analog quantity",
    "is a real:",
    "- write: a cell stores V = code * V_MAX / (L_kv - 1); written `age` tokens ago it holds",
    "  u = (V - V_off) * exp(-lambda * age) above V_off (relaxation toward V_off);",
    "- cell transfer g(u) in real arithmetic from the configuration (linear or the paper's",
    "  polynomial in u and V_in, SPEC section 2);",
    "- QK: in every cycle with ph_qk, each column in the window integrates the charge",
    "  sum_d row_pulse[d] * g(u_k) * T_CLK; its score is S = Q / (T_STEP (L_q - 1)), i.e.",
    "  sum_d q'_d g with q' = steps / (L_q - 1);",
    "- AV: at the first AV edge phi = clamp(S / S_sat, 0, 1); the column drives the V array with",
    "  a pulse of phi * T_MAX; every AV cycle adds the part of each pulse inside that cycle,",
    "  so A_d = sum_c phi_c g(u_v) after T_MAX;",
    "- output: code = rhe(clamp(A / A_sat, -1, 1) * (L_out - 1) / 2) (rhe: round half to even;",
    "  the paper's Qz onto L_out levels, codes -OUT_MAX..OUT_MAX), updated after every AV cycle;",
    "  out_pulse[d] is high from the first READOUT cycle for |code_d| * STEP cycles, out_sign[d]",
    "  = code_d < 0, as in the behavioral view.",
    "With USE_POWER_PINS, V_OFF and V_IN are read from their pins (drive them, e.g. with the",
    "nominal values below); VDD and VSS have no function. Without it the nominal values are used.",
    "",
    "NOT bit-exact with the hardware twin H (no cell table, no fixed point): codes agree",
    "with H's except near rounding ties of the output quantizer (within one code).",
    "Checked: Icarus 11 `iverilog -g2005 -gverilog-ams` (the flag is needed for `wreal`, that is",
    "with USE_POWER_PINS; Icarus has no real `inout` ports, so the pins are `input wreal`), and",
    "with Verilator 5.006 `--lint-only -Wall` and `--binary --timing` (it accepts `wreal` only",
    "inside `begin_keywords \"VAMS-2.3\"`, as below: a file that declares `wreal` nets for these",
    "pins needs the same); both simulators give the same codes.",
];

pub(crate) fn ams(p: &Params) -> String {
    let n = Dims::new(p);
    let hw = &p.hardware;
    let step = p.cycles.pwm_step;
    let t_max = (hw.levels.q - 1) * step;
    let out_max = p.widths.out_code_max;
    let ro_max = u64::from(out_max) * step;
    let row = crate::config::bits_for(ro_max);
    let style = PortStyle {
        supply: "input  wreal",
        input_waivers: vec![(
            "UNUSEDSIGNAL",
            "VDD and VSS (and V_IN for the linear cell) have no function in this model",
        )],
        output_waivers: vec![],
    };
    let mut o = header(
        p,
        "gca_subtile: analog sub-tile macro, Verilog-AMS real-valued view (mixed-signal simulation).",
        &EXTRA,
    );
    o.push_str("`begin_keywords \"VAMS-2.3\"\n");
    o.push_str("`timescale 1ns / 1ps\n`default_nettype none\n\n");
    o.push_str(&module_header(p, &style));

    let int = |name: &str, v: u64, doc: &str| {
        [
            format!("localparam integer {name}"),
            format!("= {v};"),
            doc.to_string(),
        ]
    };
    let re = |name: &str, v: f64, doc: &str| {
        [
            format!("localparam real {name}"),
            format!("= {};", real(v)),
            doc.to_string(),
        ]
    };
    let a = &hw.analog;
    let poly = hw.cell.model == CellModel::Polynomial;
    let bias = if poly { "v_off, v_in;" } else { "v_off;" };
    let mut rows = vec![
        int("D", n.d.into(), "dimensions (word lines)"),
        int("C", n.c.into(), "columns (tokens)"),
        int("KB", n.kb.into(), "bits of a k/v DAC code"),
        int("STEP", step, "PWM step, cycles"),
        int(
            "T_MAX_CYC",
            t_max,
            "full-scale pulse T_MAX, cycles: (L_q - 1) * STEP",
        ),
        int("OUT_MAX", out_max.into(), "largest |code|"),
        int("AGE_MAX", p.shape.window as u64 - 1, "oldest age: M - 1"),
        re("T_CLK", p.cycles.clock_period_ns * 1e-9, "clock period, s"),
        re(
            "T_STEP",
            step as f64 * p.cycles.clock_period_ns * 1e-9,
            "PWM step, s",
        ),
        re("LQ1", (hw.levels.q - 1) as f64, "L_q - 1"),
        re(
            "V_LSB",
            a.v_max / (hw.levels.kv - 1) as f64,
            "DAC step: V_MAX / (L_kv - 1), V",
        ),
        re("V_OFF_NOM", a.v_off, "nominal V_off, V"),
        re("LAMBDA", hw.decay_per_token, "decay per token of age"),
        re("S_SAT", a.s_sat, "score saturation"),
        re("A_SAT", a.a_sat, "output saturation"),
        re(
            "HALF_L_OUT",
            (hw.levels.out - 1) as f64 / 2.0,
            "(L_out - 1) / 2: output codes per unit of A / A_sat",
        ),
    ];
    let cell_doc = match hw.cell.model {
        CellModel::Linear => {
            rows.push(re(
                "GAIN",
                hw.cell.linear_gain,
                "linear cell: g(u) = GAIN * u",
            ));
            "linear: g(u) = GAIN * u"
        }
        CellModel::Polynomial => {
            rows.push(re(
                "V_IN_NOM",
                hw.cell.v_in,
                "nominal read amplitude V_in, V",
            ));
            let pr = [
                (0, 0),
                (0, 1),
                (0, 2),
                (0, 3),
                (1, 0),
                (1, 1),
                (1, 2),
                (2, 0),
                (2, 1),
                (3, 0),
            ];
            for ((p, r), &c) in pr.iter().zip(&hw.cell.poly_coeffs) {
                let doc = format!("C[{p}][{r}]: coefficient of u^{p} V_in^{r}");
                rows.push(re(&format!("C{p}{r}"), c, &doc));
            }
            "polynomial (paper Eq. 4): g(u) = sum_p sum_r C[p][r] V_in^r u^p"
        }
    };
    o.push_str("\n  // Constants of the configuration\n");
    o.push_str(&table(&rows));

    let state = [
        [
            "real".into(),
            "kvolt [0:C*D-1];".into(),
            "stored key voltage of cell (c, d) at c*D + d, V".into(),
        ],
        [
            "real".into(),
            "vvolt [0:C*D-1];".into(),
            "stored value voltage, V".into(),
        ],
        [
            "integer".into(),
            "age [0:C-1];".into(),
            "tokens since column c was written".into(),
        ],
        [
            "real".into(),
            "qcol [0:C-1];".into(),
            "QK charge of column c (g * s)".into(),
        ],
        [
            "real".into(),
            "phi [0:C-1];".into(),
            "phi of column c: pulse width / T_MAX".into(),
        ],
        [
            "real".into(),
            "gv [0:C*D-1];".into(),
            "g of the value cells during AV".into(),
        ],
        [
            "real".into(),
            "acc [0:D-1];".into(),
            "output charge A_d".into(),
        ],
        [
            "integer".into(),
            "av_cyc;".into(),
            "AV cycles since the first AV edge".into(),
        ],
        [
            "reg".into(),
            "qk_seen;".into(),
            "a QK ran since the last AV".into(),
        ],
        [
            format!("reg [{}:0]", row - 1),
            "ro_cnt;".into(),
            "READOUT cycles: 0 in the first one".into(),
        ],
        [
            format!("reg [{}:0]", row - 1),
            "lim [0:D-1];".into(),
            "output pulse length |code_d| * STEP".into(),
        ],
        [
            format!("reg [{}:0]", n.d - 1),
            "nz, run, run_n;".into(),
            "lim[d] != 0; out_pulse[d] while ph_ro (register, next value)".into(),
        ],
        [
            format!("reg [{}:0]", n.d - 1),
            "sign_r, sign_n;".into(),
            "code_d < 0 (register, next value)".into(),
        ],
        [
            "real".into(),
            bias.into(),
            "bias: stored-voltage reference and read amplitude, V".into(),
        ],
        ["real".into(), "s, x, frac;".into(), "scratch".into()],
        [
            "integer".into(),
            "code, ci, di, ii;".into(),
            "scratch".into(),
        ],
    ];
    o.push_str("\n  // State: stored voltages, ages, charges (reals) and the output counters\n");
    o.push_str(&table(&state));

    // Cell transfer and rounding functions.
    o.push_str(&format!("\n  // Gain-cell transfer, {cell_doc}\n"));
    o.push_str("  function real g;\n    input real u;\n    begin\n");
    match hw.cell.model {
        CellModel::Linear => {
            o.push_str("      g = GAIN * u;\n");
        }
        CellModel::Polynomial => o.push_str(
            "      g = (C00 + v_in * (C01 + v_in * (C02 + v_in * C03)))\n\
             \x20       + u * ((C10 + v_in * (C11 + v_in * C12))\n\
             \x20       + u * ((C20 + v_in * C21) + u * C30));\n",
        ),
    }
    o.push_str("    end\n  endfunction\n");
    o.push_str(
        "\n  // Round half to even (the authors' torch.round)\n\
         \x20 function integer rhe;\n\
         \x20   input real y;\n\
         \x20   real f;\n\
         \x20   begin\n\
         \x20     f = $floor(y);\n\
         \x20     if (y - f > 0.5) rhe = $rtoi(f) + 1;\n\
         \x20     else if (y - f < 0.5) rhe = $rtoi(f);\n\
         \x20     else rhe = $rtoi(f) + (($rtoi(f) % 2) != 0 ? 1 : 0);\n\
         \x20   end\n\
         \x20 endfunction\n",
    );
    o.push_str(
        "\n  // Decayed stored voltage above V_off of a cell written `a` tokens ago\n\
         \x20 function real ueff;\n\
         \x20   input real v;\n\
         \x20   input real voff;\n\
         \x20   input integer a;\n\
         \x20   begin\n\
         \x20     ueff = (v - voff) * $exp(-LAMBDA * a);\n\
         \x20   end\n\
         \x20 endfunction\n",
    );

    // Bias.
    let (pin_in, nom_in) = if poly {
        ("\n    v_in = V_IN;", "\n    v_in = V_IN_NOM;")
    } else {
        ("", "")
    };
    o.push_str(&format!(
        "\n  // Bias: the nominal values at power-up, then the pins with USE_POWER_PINS\n\
         \x20 initial begin\n\
         \x20   v_off = V_OFF_NOM;{nom_in}\n\
         \x20 end\n\
         `ifdef USE_POWER_PINS\n\
         \x20 always @* begin\n\
         \x20   v_off = V_OFF;{pin_in}\n\
         \x20 end\n\
         `endif\n"
    ));

    // Clocked process.
    let ram = format!("{}'d{}", row, ro_max);
    let guard = if (1u64 << n.cw) != u64::from(n.c) {
        format!(" && wcol < {}'d{}", n.cw, n.c)
    } else {
        String::new()
    };
    let rm1 = row - 1;
    let body = format!(
        r#"
  // One process owns the analog state (reals, ages, counters): it runs AV first, then QK,
  // the write port and the READOUT counter, so that each reads the state of before this
  // edge. Only the registers behind the outputs (run, sign_r) are written with <=.
  // lint: BLKSEQ: blocking assignments to state and scratch that no other process reads
  /* verilator lint_off BLKSEQ */
  always @(posedge clk) begin
    // AV: charge-to-pulse (phi) at the first edge, then the phi pulses drive the V array
    if (ph_av) begin
      if (qk_seen) begin
        qk_seen = 1'b0;
        av_cyc = 0;
        for (di = 0; di < D; di = di + 1) acc[di] = 0.0;
        for (ci = 0; ci < C; ci = ci + 1) begin
          s = qcol[ci] / (T_STEP * LQ1);
          phi[ci] = col_en[ci] ? (s < 0.0 ? 0.0 : (s > S_SAT ? 1.0 : s / S_SAT)) : 0.0;
          for (di = 0; di < D; di = di + 1)
            gv[ci*D + di] = g(ueff(vvolt[ci*D + di], v_off, age[ci]));
        end
      end
      for (ci = 0; ci < C; ci = ci + 1) begin
        // the part of the pulse [0, phi * T_MAX) inside this cycle, in units of T_MAX
        frac = phi[ci] * T_MAX_CYC - av_cyc;
        frac = (frac < 0.0 ? 0.0 : (frac > 1.0 ? 1.0 : frac)) / T_MAX_CYC;
        if (frac > 0.0)
          for (di = 0; di < D; di = di + 1) acc[di] = acc[di] + frac * gv[ci*D + di];
      end
      av_cyc = av_cyc + 1;
      // Signed output charge-to-pulse: quantize A / A_sat
      for (di = 0; di < D; di = di + 1) begin
        x = acc[di] / A_SAT;
        x = x > 1.0 ? 1.0 : (x < -1.0 ? -1.0 : x);
        code = rhe(x * HALF_L_OUT);
        if (code > OUT_MAX) code = OUT_MAX;
        if (code < -OUT_MAX) code = -OUT_MAX;
        sign_n[di] = code < 0;
        code = (code < 0 ? -code : code) * STEP;
        lim[di] = code[{rm1}:0];
        nz[di] = code != 0;
      end
      sign_r <= sign_n;
    end
    // QK: the word lines of rows with a pulse conduct for this cycle
    if (ph_qk) begin
      if (!qk_seen)
        for (ci = 0; ci < C; ci = ci + 1) qcol[ci] = 0.0;
      qk_seen = 1'b1;
      for (ci = 0; ci < C; ci = ci + 1)
        if (col_en[ci])
          for (di = 0; di < D; di = di + 1)
            if (row_pulse[di])
              qcol[ci] = qcol[ci] + g(ueff(kvolt[ci*D + di], v_off, age[ci])) * T_CLK;
    end
    // Ageing and the DAC write: V = code * V_LSB
    if (age_tick)
      for (ci = 0; ci < C; ci = ci + 1)
        if (age[ci] < AGE_MAX) age[ci] = age[ci] + 1;
    if (we{guard}) begin
      for (di = 0; di < D; di = di + 1) begin
        kvolt[wcol*D + di] = V_LSB * k_code[KB*di +: KB];
        vvolt[wcol*D + di] = V_LSB * v_code[KB*di +: KB];
      end
      if (age_tick) age[wcol] = 0;
    end
    // READOUT counter (0 in the first READOUT cycle), and the pulses of the next cycle
    if (!ph_ro) begin
      ro_cnt = {row}'d0;
      run <= nz;
    end else begin
      if (ro_cnt != {ram}) ro_cnt = ro_cnt + {row}'d1;
      for (di = 0; di < D; di = di + 1) run_n[di] = ro_cnt < lim[di];
      run <= run_n;
    end
  end
  /* verilator lint_on BLKSEQ */

  // Output pulses: high from the first READOUT cycle for |code_d| * STEP cycles
  assign out_pulse = run & {{{d}{{ph_ro}}}};
  assign out_sign = sign_r;
"#,
        d = n.d
    );
    o.push_str(&body);
    o.push_str(&format!(
        "\n  // Power-up state (simulation)\n\
         \x20 initial begin\n\
         \x20   qk_seen = 1'b0;\n\
         \x20   ro_cnt = {row}'d0;\n\
         \x20   sign_r = {d}'d0;\n\
         \x20   sign_n = {d}'d0;\n\
         \x20   nz = {d}'d0;\n\
         \x20   run = {d}'d0;\n\
         \x20   av_cyc = 0;\n\
         \x20   for (ii = 0; ii < D; ii = ii + 1) begin\n\
         \x20     lim[ii] = {row}'d0;\n\
         \x20     acc[ii] = 0.0;\n\
         \x20   end\n\
         \x20   for (ii = 0; ii < C; ii = ii + 1) begin\n\
         \x20     age[ii] = AGE_MAX;\n\
         \x20     qcol[ii] = 0.0;\n\
         \x20     phi[ii] = 0.0;\n\
         \x20   end\n\
         \x20   for (ii = 0; ii < C*D; ii = ii + 1) begin\n\
         \x20     kvolt[ii] = V_OFF_NOM;\n\
         \x20     vvolt[ii] = V_OFF_NOM;\n\
         \x20     gv[ii] = 0.0;\n\
         \x20   end\n\
         \x20 end\n",
        d = n.d
    ));
    o.push_str(TRAILER);
    o.push_str("`end_keywords\n");
    o
}
