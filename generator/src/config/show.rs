//! `gca config`: the resolved parameters as a human table or one JSON object.

use std::fmt::Write;

use super::params::Params;
use super::schema::CellModel;

/// One JSON object: the resolved configuration and every derived number.
pub fn to_json(p: &Params) -> serde_json::Value {
    let mut v = serde_json::to_value(p).expect("parameters serialize");
    v["decode_latency_ns"] = serde_json::json!(p.decode_latency_ns());
    v
}

/// A table for people, grouped by stage.
pub fn to_table(p: &Params) -> String {
    let hw = &p.hardware;
    let s = p.shape;
    let c = p.cycles;
    let w = p.widths;
    let f = p.fixed;
    let st = p.stream;
    let ns = |cycles: u64| cycles as f64 * c.clock_period_ns;
    let plural = |n: u64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let mut t = String::new();
    let mut row = |k: &str, v: String| {
        let _ = writeln!(t, "  {k:<32} {v}");
    };
    row("name", p.name.clone());
    row(
        "model",
        format!(
            "{} layers x {} heads, n_embd {}, n_ctx {}",
            s.n_layer, s.n_head, p.model.n_embd, p.model.n_ctx
        ),
    );
    row("head dimension D", s.d_head.to_string());
    row(
        "window M / tile C",
        format!("{} / {} -> {} tiles per head", s.window, s.tile, s.n_tiles),
    );
    row("gain cells (K and V)", s.gain_cells.to_string());
    row(
        "levels q / kv / out",
        format!(
            "{} / {} / {} (out codes -{m}..{m})",
            hw.levels.q,
            hw.levels.kv,
            hw.levels.out,
            m = w.out_code_max
        ),
    );
    let cell = match hw.cell.model {
        CellModel::Linear => format!("linear, gain {}", hw.cell.linear_gain),
        CellModel::Polynomial => format!("polynomial (paper Eq. 4), V_in {} V", hw.cell.v_in),
    };
    row("cell", cell);
    row("decay per token", format!("{}", hw.decay_per_token));
    row(
        "V_max / V_off / S_sat / A_sat",
        format!(
            "{} V / {} V / {} / {}",
            hw.analog.v_max, hw.analog.v_off, hw.analog.s_sat, hw.analog.a_sat
        ),
    );
    row(
        "clock",
        format!("{} MHz ({} ns)", hw.timing.clock_mhz, c.clock_period_ns),
    );
    row("PWM step", plural(c.pwm_step, "cycle"));
    for (name, cycles) in c.phases() {
        row(
            &format!("phase {name}"),
            format!("{} ({} ns)", plural(cycles, "cycle"), ns(cycles)),
        );
    }
    row(
        "decode latency",
        format!("{} cycles ({} ns)", c.decode_latency, p.decode_latency_ns()),
    );
    row(
        "prefill per token serial",
        format!("{} cycles ({} ns)", c.prefill_serial, ns(c.prefill_serial)),
    );
    row(
        "prefill per token overlap",
        format!(
            "{} cycles ({} ns){}",
            c.prefill_overlap,
            ns(c.prefill_overlap),
            if hw.prefill_overlap {
                " [enabled]"
            } else {
                " [disabled]"
            }
        ),
    );
    row(
        "stream TDATA",
        format!(
            "{} bits: {} inputs or {} outputs per beat",
            st.tdata_bits, st.in_values_per_beat, st.out_values_per_beat
        ),
    );
    row(
        "token packet",
        format!(
            "{} beats (header + q, k, v of {} heads)",
            st.token_beats, s.n_head
        ),
    );
    row(
        "result packet",
        format!(
            "{} beats (header + {} x {} outputs)",
            st.result_beats, s.n_head, s.d_head
        ),
    );
    row(
        "input format",
        format!("signed {} bits, {} fractional", f.in_bits, f.in_frac),
    );
    row(
        "output format",
        format!("signed {} bits, {} fractional", f.out_bits, f.out_frac),
    );
    row(
        "scaler format",
        format!(
            "signed {} bits, {} fractional (code units)",
            f.scaler_bits, f.scaler_frac
        ),
    );
    row(
        "cell table G",
        format!("signed {} bits, {} fractional", f.g_bits, f.g_frac),
    );
    row(
        "score S / phi / tile acc A",
        format!(
            "{} bits / {} fractional bits / {} bits",
            f.s_bits, f.phi_frac, f.a_bits
        ),
    );
    row(
        "widths q / kv / out / sum",
        format!(
            "{} / {} / {} / {} bits",
            w.q_code, w.kv_code, w.out_code, w.tile_sum
        ),
    );
    row(
        "widths col / slot / tile / fill",
        format!(
            "{} / {} / {} / {} bits",
            w.col, w.slot, w.tile_index, w.fill
        ),
    );
    row(
        "widths layer / head / position",
        format!("{} / {} / {} bits", w.layer, w.head, w.position),
    );
    row("technology profile", p.pdk().description.to_string());
    t
}
