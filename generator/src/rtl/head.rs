//! gca_head: one head's datapath. The quantizer turns the head's beats into codes in the
//! staging registers (q, k, v); the PWM generators drive the read word lines of every
//! sub-tile; the sub-tiles (analog macros) hold the head's window; the accumulators sum their
//! output pulses into the head's sums, which the layer's output scaler scales. The layer
//! controller times everything (docs/rtl.md).

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Instance, Kind, Module, Signal, Stmt};

use super::common::{header_comment, index_width};
use super::quantizer::{code_bits, group_lanes, lanes, offset_half};
use super::wires::{clock_and_reset, follow, let_wire};

/// Bits of one head's scaler fields on the `scalers` bus (regmap::scaler_bits_per_head).
pub fn scaler_bits(p: &Params) -> u32 {
    7 * p.fixed.scaler_bits + p.fixed.out_bits
}

/// Bits of the head's own scaler fields: the quantizer's q, k and v gain and offset (the output
/// gain and offset are the layer's output scaler's).
pub fn quant_scaler_bits(p: &Params) -> u32 {
    6 * p.fixed.scaler_bits
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
    let (ib, sb) = (p.fixed.in_bits, p.fixed.scaler_bits);
    let lanes = lanes(p) as u32;
    let cb = code_bits(p);
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
    m.group("Beats of this layer (gca_ingress through gca_layer)");
    let beat_en =
        m.port(Decl::new("beat_en", Kind::Input, 1).doc("a data beat of this layer is accepted"));
    let beat_head = m.input("beat_head", hw);
    let beat_kind = m.port(Decl::new("beat_kind", Kind::Input, 2).doc("0 q, 1 k, 2 v"));
    let mut part_decl = Decl::new("beat_part", Kind::Input, pw).doc("beat within the vector");
    if p.stream.in_beats_per_vector == 1 {
        part_decl = part_decl.waive("UNUSEDSIGNAL", "every vector fits one beat");
    }
    let beat_part = m.port(part_decl);
    let beat_data = m.port(
        Decl::new("beat_data", Kind::Input, lanes * ib)
            .doc("the lanes of the beat accepted in the previous cycle (registered)"),
    );
    m.group("Scalers (gca_csr)");
    let scl = m.port(
        Decl::new("scalers", Kind::Input, quant_scaler_bits(p))
            .doc("q, k, v gain/offset from bit 0"),
    );
    m.group("Timing (gca_layer_ctrl) and window (gca_window)");
    let pwm_load = m.input("pwm_load", 1);
    let qk_next = m.input("qk_next", 1);
    let qk_step_next = m.input("qk_step_next", qb);
    let av_next = m.input("av_next", 1);
    let ro_next = m.input("ro_next", 1);
    let ro_first_next = m.input("ro_first_next", 1);
    let ro_count_next = m.input("ro_count_next", 1);
    let wr_we = m.input("wr_we", 1);
    let age_tick = m.input("age_tick", 1);
    let mut wtile_decl = Decl::new("wtile", Kind::Input, tw).doc("tile of the write slot");
    if t == 1 {
        wtile_decl = wtile_decl.waive("UNUSEDSIGNAL", "the window is one tile");
    }
    let wtile = m.port(wtile_decl);
    let wcol = m.input("wcol", cw);
    let col_en = m.input("col_en", win);
    m.group("Sums (to the layer's output scaler)");
    let sums = m.port(
        Decl::new("sums", Kind::Output, d * p.widths.tile_sum)
            .doc("dimension d at [SW*d +: SW], signed; complete a cycle after READOUT"),
    );

    // Scaler fields; the quantizer groups register the scaler of the accepted beat's kind.
    let field = |i: u32| scl.slice(sb * i + sb - 1, sb * i).as_signed();
    let fields: Vec<Signal> = (0..6)
        .map(|i| {
            let name = [
                "q_gain", "q_offset", "k_gain", "k_offset", "v_gain", "v_offset",
            ][i];
            let_wire(&mut m, name, field(i as u32))
        })
        .collect();
    let offh: Vec<Signal> = [1usize, 3, 5]
        .iter()
        .zip(["q_offh", "k_offh", "v_offh"])
        .map(|(&i, name)| let_wire(&mut m, name, offset_half(p, &fields[i])))
        .collect();
    let by_kind = |q: &Signal, k: &Signal, v: &Signal| {
        beat_kind
            .eq(e::lit(2, 0))
            .mux(q, beat_kind.eq(e::lit(2, 1)).mux(k, v))
            .as_signed()
    };
    let gain = let_wire(&mut m, "gain", by_kind(&fields[0], &fields[2], &fields[4]));
    let offset = let_wire(&mut m, "offset", by_kind(&offh[0], &offh[1], &offh[2]));

    // Quantizer (stage 0 with the accepted beat, then two more) and staging registers (loaded
    // at the end of stage 2): the beat's head match, kind and part follow it down the stages.
    let mine = let_wire(&mut m, "mine", beat_en.land(beat_head.eq(&head)));
    let track = |m: &mut Module, stage: u32| {
        let mine = m.decl(
            Decl::new(&format!("mine_s{stage}"), Kind::Reg, 1)
                .doc(&format!("stage {stage} holds a beat of this head")),
        );
        let kind = m.decl(Decl::new(&format!("kind_s{stage}"), Kind::Reg, 2).doc("its kind"));
        let mut part = Decl::new(&format!("part_s{stage}"), Kind::Reg, pw).doc("its part");
        if p.stream.in_beats_per_vector == 1 {
            part = part.waive("UNUSEDSIGNAL", "every vector fits one beat");
        }
        let part = m.decl(part);
        (mine, kind, part)
    };
    let (mine_s1, kind_s1, part_s1) = track(&mut m, 1);
    let (mine_s2, kind_s2, part_s2) = track(&mut m, 2);
    follow(
        &mut m,
        &clk,
        &rst_n,
        &[
            (&mine_s1, mine.e()),
            (&kind_s1, beat_kind.e()),
            (&part_s1, beat_part.e()),
            (&mine_s2, mine_s1.e()),
            (&kind_s2, kind_s1.e()),
            (&part_s2, part_s1.e()),
        ],
    );
    let is_q = let_wire(&mut m, "is_q", kind_s2.eq(e::lit(2, 0)));
    let g = group_lanes(p) as u32;
    let mut group_codes = Vec::new();
    for grp in 0..lanes / g {
        let lo = grp * g;
        let gc = m.wire(&format!("codes{grp}"), g * cb);
        group_codes.push(gc.e());
        m.instance(
            Instance::new("gca_quantizer", &format!("u_quant{grp}"))
                .pin("clk", &clk)
                .pin("rst_n", &rst_n)
                .pin("load", &mine)
                .pin("gain", &gain)
                .pin("offset", &offset)
                .pin("x", beat_data.slice(ib * (lo + g) - 1, ib * lo))
                .pin("is_q", &is_q)
                .pin("code", &gc),
        );
    }
    group_codes.reverse();
    let codes = let_wire(&mut m, "codes", e::cat(group_codes));
    let q_codes = m.decl(Decl::new("q_codes", Kind::Reg, d * qb).doc("staged q codes"));
    let k_codes = m.decl(Decl::new("k_codes", Kind::Reg, d * kb).doc("staged k codes"));
    let v_codes = m.decl(Decl::new("v_codes", Kind::Reg, d * kb).doc("staged v codes"));
    let mut kind_arms = Vec::new();
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
                let code = codes.slice(cb * lane + bits - 1, cb * lane);
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
        kind_arms.push((vec![e::lit(2, kind as u128)], body));
    }
    m.seq(
        &clk,
        &rst_n,
        vec![
            crate::hdl::clear(&q_codes),
            crate::hdl::clear(&k_codes),
            crate::hdl::clear(&v_codes),
        ],
        vec![Stmt::if_then(
            &mine_s2,
            vec![Stmt::case_closed(&kind_s2, 2, kind_arms, vec![])],
        )],
    );

    // The phase strobes of the sub-tiles and the counters' controls, registered here from the
    // controller's next-cycle values: this head's copy drives its T sub-tiles and T x D
    // counters from a flip-flop.
    let ctrl =
        |m: &mut Module, name: &str, doc: &str| m.decl(Decl::new(name, Kind::Reg, 1).doc(doc));
    let ph_qk = ctrl(&mut m, "ph_qk", "QK phase");
    let ph_av = ctrl(&mut m, "ph_av", "AV phase");
    let ph_ro = ctrl(&mut m, "ph_ro", "READOUT phase");
    let ro_first = ctrl(&mut m, "ro_first", "first READOUT cycle");
    let ro_count = ctrl(&mut m, "ro_count", "last cycle of a READOUT PWM step");
    // The phase strobes of the sub-tiles (which have no reset) and the pulse counters'
    // controls (the counters have none either): loaded from the controller's reset registers
    // at every edge, in reset too, so they need no reset of their own.
    super::wires::follow_no_reset(
        &mut m,
        &clk,
        &[
            (&ph_qk, qk_next.e()),
            (&ph_av, av_next.e()),
            (&ph_ro, ro_next.e()),
            (&ro_first, ro_first_next.e()),
            (&ro_count, ro_count_next.e()),
        ],
    );

    // PWM generators.
    let row = m.wire("row_pulse", d);
    m.instance(
        Instance::new("gca_pwm", "u_pwm")
            .pin("clk", &clk)
            .pin("rst_n", &rst_n)
            .pin("q_codes", &q_codes)
            .pin("load", &pwm_load)
            .pin("qk_next", &qk_next)
            .pin("qk_step_next", &qk_step_next)
            .pin("row_pulse", &row),
    );

    // Sub-tiles.
    let mut pulses = Vec::new();
    let mut signs = Vec::new();
    for tile in 0..t {
        let we: Expr = if t == 1 {
            wr_we.e()
        } else {
            wr_we.land(wtile.eq(e::lit(tw, tile as u128)))
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
