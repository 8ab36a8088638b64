//! gca_head: one head's datapath. The layer's quantizer turns the head's beats into codes in
//! the head's staging registers (q, k, v); the PWM generators drive the read word lines of every
//! sub-tile; the sub-tiles (analog macros) hold the head's window; the accumulators sum their
//! output pulses into the head's sums, which the layer's output scaler scales. The layer
//! controller times everything (docs/rtl.md).

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Instance, Kind, Module, Stmt};

use super::clock_gate::gate;
use super::common::{header_comment, index_width};
use super::quantizer::lanes;
use super::wires::{clock_and_reset, let_wire};

/// Bits of one head's scaler fields on the `scalers` bus (regmap::scaler_bits_per_head).
pub fn scaler_bits(p: &Params) -> u32 {
    7 * p.fixed.scaler_bits + p.fixed.out_bits
}

pub fn build(p: &Params) -> Module {
    let s = p.shape;
    let (d, c, t, win) = (
        s.d_head as u32,
        s.tile as u32,
        s.n_tiles as u32,
        s.window as u32,
    );
    let (qb, kb) = (p.widths.q_code, p.widths.kv_code);
    let lanes = lanes(p) as u32;
    let hw = index_width(s.n_head);
    let pw = index_width(p.stream.in_beats_per_vector);
    let tw = index_width(s.n_tiles);
    let cw = index_width(s.tile);

    let mut m = Module::new("gca_head");
    let supplies = super::common::add_supplies(&mut m, p);
    m.header_comment = header_comment(
        p,
        "gca_head: one attention head's datapath around its analog sub-tiles",
    );
    let (clk, rst_n) = clock_and_reset(&mut m);
    m.group("Identity");
    let head = m.port(
        Decl::new("head_id", Kind::Input, hw).doc("this head's index in its layer (a constant)"),
    );
    m.group("Codes of this layer's beats (the layer's quantizer, gca_layer)");
    let codes_q = m.port(
        Decl::new("codes_q", Kind::Input, lanes * qb)
            .doc("lane i at [QB*i +: QB]: a beat's codes as q codes, at the end of its stage 2"),
    );
    let codes_kv = m.port(
        Decl::new("codes_kv", Kind::Input, lanes * kb)
            .doc("lane i at [KB*i +: KB]: the same as k or v codes"),
    );
    let code_en = m.port(Decl::new("code_en", Kind::Input, 1).doc("codes holds a data beat"));
    let code_head = m.port(Decl::new("code_head", Kind::Input, hw).doc("its head"));
    let code_kind = m.port(Decl::new("code_kind", Kind::Input, 2).doc("0 q, 1 k, 2 v"));
    let mut part_decl = Decl::new("code_part", Kind::Input, pw).doc("beat within the vector");
    if p.stream.in_beats_per_vector == 1 {
        part_decl = part_decl.waive("UNUSEDSIGNAL", "every vector fits one beat");
    }
    let part_s2 = m.port(part_decl);
    m.group("Timing (gca_layer_ctrl) and window (gca_window)");
    let pwm_load_next = m.input("pwm_load_next", 1);
    let qk_next = m.input("qk_next", 1);
    let av_next = m.input("av_next", 1);
    let ro_next = m.input("ro_next", 1);
    let ro_first_next = m.input("ro_first_next", 1);
    let ro_count_next = m.input("ro_count_next", 1);
    let wr_we_next = m.input("wr_we_next", 1);
    let age_tick_next = m.input("age_tick_next", 1);
    let mut wtile_decl =
        Decl::new("wtile_next", Kind::Input, tw).doc("tile of the next cycle's write slot");
    if t == 1 {
        wtile_decl = wtile_decl.waive("UNUSEDSIGNAL", "the window is one tile");
    }
    let wtile_next = m.port(wtile_decl);
    let wcol_next = m
        .port(Decl::new("wcol_next", Kind::Input, cw).doc("column of the next cycle's write slot"));
    let col_en = m.input("col_en", win);
    m.group("Sums (to the layer's output scaler)");
    let sums = m.port(
        Decl::new("sums", Kind::Output, d * p.widths.tile_sum)
            .doc("dimension d at [SW*d +: SW], signed; complete a cycle after READOUT"),
    );

    // Staging registers (loaded at the end of the quantizer's stage 2) for this head's beats.
    let mine_s2 = let_wire(&mut m, "mine_s2", code_en.land(code_head.eq(&head)));
    let kind_s2 = code_kind;
    let q_codes = m.decl(Decl::new("q_codes", Kind::Reg, d * qb).doc("staged q codes"));
    let k_codes = m.decl(Decl::new("k_codes", Kind::Reg, d * kb).doc("staged k codes"));
    let v_codes = m.decl(Decl::new("v_codes", Kind::Reg, d * kb).doc("staged v codes"));
    let mut kind_bodies = Vec::new();
    for (kind, (reg, bits)) in [(&q_codes, qb), (&k_codes, kb), (&v_codes, kb)]
        .into_iter()
        .enumerate()
    {
        let mut part_arms = Vec::new();
        for part in 0..p.stream.in_beats_per_vector as u32 {
            let mut stmts = Vec::new();
            for lane in 0..lanes {
                let dim = part * lanes + lane;
                if dim >= d {
                    break;
                }
                let code = if kind == 0 {
                    codes_q.slice(bits * lane + bits - 1, bits * lane)
                } else {
                    codes_kv.slice(bits * lane + bits - 1, bits * lane)
                };
                stmts.push(Stmt::nonblocking(
                    reg.slice(bits * dim + bits - 1, bits * dim),
                    code,
                ));
            }
            part_arms.push((vec![e::lit(pw, part as u128)], stmts));
        }
        let body = if p.stream.in_beats_per_vector == 1 {
            part_arms.pop().map(|a| a.1).unwrap_or_default()
        } else {
            vec![Stmt::case_closed(&part_s2, pw, part_arms, vec![])]
        };
        kind_bodies.push(body);
    }
    // Data only: a token's codes are staged before the write (k, v) and the PWM generators'
    // load (q) read them, so they have no reset. The q codes load only with a q beat of this
    // head, on a gated clock (gca_clock_gate). The k and v codes keep their enable on `clk`:
    // the quantizer's k/v output drives the k and v staging of every head of the layer, and a
    // multiplexer's input is a lighter load than a flip-flop's D pin (gated, `gpt2-layer`
    // missed 1 GHz by 0.018 ns on that path; docs/flow.md).
    let mut stages = Vec::new();
    for (kind, (name, body)) in ["q", "k", "v"].into_iter().zip(kind_bodies).enumerate() {
        let en = let_wire(
            &mut m,
            &format!("stage_{name}"),
            mine_s2.land(kind_s2.eq(e::lit(2, kind as u128))),
        );
        if kind == 0 {
            let gclk_q = gate(&mut m, &clk, name, &en);
            m.seq_no_reset(&gclk_q, body);
        } else {
            stages.push(Stmt::if_then(&en, body));
        }
    }
    m.seq_no_reset(&clk, stages);

    // The phase strobes of the sub-tiles and the accumulators' controls, registered here from
    // the controller's next-cycle values: this head's copy drives its T sub-tiles and its D
    // accumulators from a flip-flop.
    let ctrl =
        |m: &mut Module, name: &str, doc: &str| m.decl(Decl::new(name, Kind::Reg, 1).doc(doc));
    let ph_qk = ctrl(&mut m, "ph_qk", "QK phase");
    let ph_av = ctrl(&mut m, "ph_av", "AV phase");
    let ph_ro = ctrl(&mut m, "ph_ro", "READOUT phase");
    let ro_first = ctrl(&mut m, "ro_first", "first READOUT cycle");
    let ro_count = ctrl(&mut m, "ro_count", "last cycle of a READOUT PWM step");
    let pwm_load = ctrl(
        &mut m,
        "pwm_load",
        "the PWM generator loads: QK starts next cycle",
    );
    let wr_we = ctrl(&mut m, "wr_we", "write phase");
    let age_tick = ctrl(&mut m, "age_tick", "first write cycle");
    let wcol = m.decl(Decl::new("wcol", Kind::Reg, cw).doc("column of the write slot"));
    let wtile =
        (t > 1).then(|| m.decl(Decl::new("wtile", Kind::Reg, tw).doc("tile of the write slot")));
    // The phase strobes and write controls of the sub-tiles (which have no reset), the
    // accumulators' controls (the accumulators have none either) and the PWM generator's load:
    // loaded from the controller's and the window's reset registers at every edge, in reset
    // too, so they need no reset of their own. Each head's copy keeps the fan-out of every
    // controller and window output to one flip-flop per head.
    let mut copies = vec![
        (&ph_qk, qk_next.e()),
        (&ph_av, av_next.e()),
        (&ph_ro, ro_next.e()),
        (&ro_first, ro_first_next.e()),
        (&ro_count, ro_count_next.e()),
        (&pwm_load, pwm_load_next.e()),
        (&wr_we, wr_we_next.e()),
        (&age_tick, age_tick_next.e()),
        (&wcol, wcol_next.e()),
    ];
    if let Some(wtile) = &wtile {
        copies.push((wtile, wtile_next.e()));
    }
    super::wires::follow_no_reset(&mut m, &clk, &copies);

    // PWM generators.
    let row = m.wire("row_pulse", d);
    m.instance(
        Instance::new("gca_pwm", "u_pwm")
            .pin("clk", &clk)
            .pin("rst_n", &rst_n)
            .pin("q_codes", &q_codes)
            .pin("load", &pwm_load)
            .pin("row_pulse", &row),
    );

    // Sub-tiles.
    let mut pulses = Vec::new();
    let mut signs = Vec::new();
    for tile in 0..t {
        let we: Expr = match &wtile {
            None => wr_we.e(),
            Some(wtile) => wr_we.land(wtile.eq(e::lit(tw, tile as u128))),
        };
        let we = let_wire(&mut m, &format!("we{tile}"), we);
        let pulse = m.wire(&format!("out_pulse{tile}"), d);
        let sign = m.wire(&format!("out_sign{tile}"), d);
        m.instance(
            Instance::new("gca_subtile", &format!("u_tile{tile}"))
                .supplies(&supplies)
                .pin("clk", &clk)
                .pin("we", &we)
                .pin("age_tick", &age_tick)
                .pin("wcol", &wcol)
                .pin("k_code", &k_codes)
                .pin("v_code", &v_codes)
                .pin("row_pulse", &row)
                .pin("col_en", col_en.slice(c * tile + c - 1, c * tile))
                .pin("ph_qk", &ph_qk)
                .pin("ph_av", &ph_av)
                .pin("ph_ro", &ph_ro)
                .pin("out_pulse", &pulse)
                .pin("out_sign", &sign),
        );
        pulses.push(pulse.e());
        signs.push(sign.e());
    }

    // Accumulators.
    let mut acc = Instance::new("gca_accumulator", "u_acc").pin("clk", &clk);
    for (tile, (pulse, sign)) in pulses.iter().zip(&signs).enumerate() {
        acc = acc
            .pin(&format!("pulse{tile}"), pulse.clone())
            .pin(&format!("sign{tile}"), sign.clone());
    }
    m.instance(
        acc.pin("clear", &ro_first)
            .pin("count", &ro_count)
            .pin("sums", &sums),
    );
    m
}
