//! gca_layer: the KV store of one transformer layer: its controller, its window, its heads, the
//! quantizer and the output scaler its heads share, and the result beats it presents to the
//! egress.

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Instance, Kind, Module, Signal, Stmt};

use super::common::{header_comment, index_width};
use super::head::scaler_bits;
use super::out_scale::group_lanes as out_group_lanes;
use super::quantizer::{group_lanes, lanes, offset_half};
use super::wires::{clock_and_reset, let_wire};

/// Data beats of a result packet (after the header).
pub fn result_data_beats(p: &Params) -> usize {
    p.shape.n_head * p.stream.out_beats_per_head
}

pub fn build(p: &Params) -> Module {
    let s = p.shape;
    let (d, h) = (s.d_head as u32, s.n_head as u32);
    let td = p.stream.tdata_bits;
    let ob = p.fixed.out_bits;
    let lw = index_width(s.n_layer);
    let hw = index_width(s.n_head);
    let pw = index_width(p.stream.in_beats_per_vector);
    let bw = index_width(result_data_beats(p));
    let tw = index_width(s.n_tiles);
    let cw = index_width(s.tile);
    let sbh = scaler_bits(p);
    let used = lanes(p) as u32 * p.fixed.in_bits;

    let mut m = Module::new("gca_layer");
    let supplies = super::common::add_supplies(&mut m, p);
    m.header_comment = header_comment(p, "gca_layer: one layer's controller, window and heads");
    let (clk, rst_n) = clock_and_reset(&mut m);
    m.group("Identity");
    let layer =
        m.port(Decl::new("layer_id", Kind::Input, lw).doc("this layer's index (a constant)"));
    m.group("Beats (gca_ingress, broadcast to every layer)");
    let beat_valid = m.input("beat_valid", 1);
    let beat_layer = m.input("beat_layer", lw);
    let mut head_decl = Decl::new("beat_head", Kind::Input, hw);
    if s.n_head == 1 {
        head_decl = head_decl.waive("UNUSEDSIGNAL", "one head: beat_sel selects the scalers");
    }
    let beat_head = m.port(head_decl);
    let beat_kind = m.input("beat_kind", 2);
    let beat_sel = m.port(
        Decl::new("beat_sel", Kind::Input, 3 * h)
            .doc("one-hot of the beat's (head, kind): bit 3 * head + kind"),
    );
    let mut part_decl = Decl::new("beat_part", Kind::Input, pw);
    if p.stream.in_beats_per_vector == 1 {
        part_decl = part_decl.waive("UNUSEDSIGNAL", "every vector fits one beat");
    }
    let beat_part = m.port(part_decl);
    let mut data_decl = Decl::new("beat_data", Kind::Input, td);
    if used < td {
        data_decl = data_decl.waive("UNUSEDSIGNAL", "bits beyond one vector's lanes are padding");
    }
    let beat_data = m.port(data_decl);
    let beat_pos = m.input("beat_pos", 32);
    let commit = m.input("commit", 1);
    let win_reset = m.input("win_reset", 1);
    let clear_windows =
        m.port(Decl::new("clear_windows", Kind::Input, 1).doc("CONTROL.CLEAR_WINDOWS"));
    m.group("Soft reset (gca_top)");
    let hold =
        m.port(Decl::new("hold", Kind::Input, 1).doc("a soft reset is pending: no QK starts"));
    let srst = m.port(
        Decl::new("srst", Kind::Input, 1)
            .doc("synchronous clear: window, controller (but its result register), pending clear"),
    );
    let in_qk = m.port(Decl::new("in_qk", Kind::Output, 1).doc("the layer is in QK"));
    m.group("Scalers of this layer's heads (gca_csr)");
    let scalers = m.input("scalers", h * sbh);
    m.group("Status");
    let stage_free = m.port(
        Decl::new("stage_free", Kind::Output, 1)
            .doc("data beats may be accepted: staging free and no window clear pending"),
    );
    let busy = m.port(
        Decl::new("busy", Kind::Output, 1).doc("a token in the layer or a window clear pending"),
    );
    m.group("Result (gca_egress)");
    let res_beat = m.input("res_beat", bw);
    let res_done = m.input("res_done", 1);
    let res_valid = m.output("res_valid", 1);
    let res_pos = m.output("res_pos", 32);
    let res_data =
        m.port(Decl::new("res_data", Kind::OutputReg, td).doc("data beat res_beat of the result"));

    let hit = let_wire(&mut m, "hit", beat_layer.eq(&layer));
    let beat_en = let_wire(&mut m, "beat_en", beat_valid.land(&hit));
    let commit_en = let_wire(&mut m, "commit_en", commit.land(&beat_en));
    // A RESET_WINDOW of this layer or a CONTROL.CLEAR_WINDOWS is held pending until the
    // controller is idle (the tokens committed before it are written and read), and no data
    // beat is accepted meanwhile (`stage_free` low); then the window empties, in the cycle
    // after the pending request meets an idle controller. The earliest write after it starts
    // `quant` cycles after the next token's last beat, well after the clear.
    let ctrl_stage_free = m.wire("ctrl_stage_free", 1);
    let ctrl_idle = m.wire("ctrl_idle", 1);
    let ctrl_busy = m.wire("ctrl_busy", 1);
    let pend = m.decl(
        Decl::new("win_pend", Kind::Reg, 1)
            .doc("a window clear waits for the tokens committed before it"),
    );
    let clear = m.decl(
        Decl::new("win_clear", Kind::Reg, 1)
            .doc("empty the window (the cycle after a pending clear meets an idle controller)"),
    );
    let fire = let_wire(&mut m, "win_fire", pend.land(&ctrl_idle));
    let pend_reset = vec![crate::hdl::clear(&pend), crate::hdl::clear(&clear)];
    m.seq(
        &clk,
        &rst_n,
        pend_reset.clone(),
        vec![Stmt::if_else(
            &srst,
            pend_reset,
            vec![
                Stmt::nonblocking(
                    &pend,
                    win_reset
                        .land(&hit)
                        .lor(&clear_windows)
                        .lor(pend.land(fire.lnot())),
                ),
                Stmt::nonblocking(&clear, &fire),
            ],
        )],
    );
    // The window empties with the soft reset too, at the same edge.
    let win_empty = let_wire(&mut m, "win_empty", clear.lor(&srst));
    // CONTROL.CLEAR_WINDOWS holds the data beats from the cycle of its pulse (the cycle the
    // write's response is first offered): a token whose beats come with or after the response
    // is computed in the emptied window.
    m.assign(
        &stage_free,
        ctrl_stage_free.land(pend.lor(&clear_windows).lnot()),
    );
    m.assign(&busy, ctrl_busy.lor(&pend));

    let w = |m: &mut Module, name: &str, width: u32| m.wire(name, width);
    let win_advance = w(&mut m, "win_advance", 1);
    // The controller's timing outputs, each wired to the head port of the same name.
    let timing: Vec<Signal> = [
        ("wr_we_next", 1),
        ("age_tick_next", 1),
        ("pwm_load_next", 1),
        ("qk_next", 1),
        ("av_next", 1),
        ("ro_next", 1),
        ("ro_first_next", 1),
        ("ro_count_next", 1),
    ]
    .into_iter()
    .map(|(name, width)| w(&mut m, name, width))
    .collect();
    let with_timing = |inst: Instance| {
        timing
            .iter()
            .fold(inst, |inst, s| inst.pin(s.name.as_str(), s))
    };
    // The output scaler's controls (one scaler for the layer's heads, docs/rtl.md).
    let mul_en = w(&mut m, "mul_en", 1);
    let add_en = w(&mut m, "add_en", 1);
    let scale_en = w(&mut m, "scale_en", 1);
    let shared = h > 1;
    let seq: Option<[Signal; 3]> = shared.then(|| {
        [
            w(&mut m, "mul_head", hw),
            w(&mut m, "gain_head", hw),
            w(&mut m, "scale_head", hw),
        ]
    });
    let mut ctrl = Instance::new("gca_layer_ctrl", "u_ctrl");
    for s in [&mul_en, &add_en, &scale_en]
        .into_iter()
        .chain(seq.iter().flatten())
    {
        ctrl = ctrl.pin(s.name.as_str(), s);
    }
    m.instance(
        with_timing(
            ctrl.pin("clk", &clk)
                .pin("rst_n", &rst_n)
                .pin("commit", &commit_en)
                .pin("commit_pos", &beat_pos)
                .pin("res_done", &res_done)
                .pin("hold", &hold)
                .pin("srst", &srst)
                .pin("in_qk", &in_qk)
                .pin("stage_free", &ctrl_stage_free)
                .pin("layer_idle", &ctrl_idle)
                .pin("busy", &ctrl_busy),
        )
        .pin("win_advance", &win_advance)
        .pin("res_valid", &res_valid)
        .pin("res_pos", &res_pos),
    );
    let wtile_next = w(&mut m, "wtile_next", tw);
    let wcol_next = w(&mut m, "wcol_next", cw);
    let col_en = w(&mut m, "col_en", s.window as u32);
    let fill = m.decl(Decl::new("fill", Kind::Wire, p.widths.fill).waive(
        "UNUSEDSIGNAL",
        "the fill count is for waveforms; no logic needs it",
    ));
    m.instance(
        Instance::new("gca_window", "u_window")
            .pin("clk", &clk)
            .pin("rst_n", &rst_n)
            .pin("clear", &win_empty)
            .pin("advance", &win_advance)
            .pin("wtile_next", &wtile_next)
            .pin("wcol_next", &wcol_next)
            .pin("fill", &fill)
            .pin("col_en", &col_en),
    );
    let lanes_data: Expr = if used < td {
        beat_data.slice(used - 1, 0)
    } else {
        beat_data.e()
    };
    let lanes_data = let_wire(&mut m, "beat_lanes", lanes_data);
    let code = quantizer(
        p,
        &mut m,
        &clk,
        &rst_n,
        &scalers,
        [&beat_en, &beat_head, &beat_kind, &beat_part, &beat_sel],
        &lanes_data,
    );
    let sw = p.widths.tile_sum;
    let mut sums = Vec::new();
    for head in 0..h {
        let sum = m.wire(&format!("sums{head}"), d * sw);
        m.instance(
            with_timing(
                Instance::new("gca_head", &format!("u_head{head}"))
                    .supplies(&supplies)
                    .pin("clk", &clk)
                    .pin("head_id", e::lit(hw, head as u128))
                    .pin("rst_n", &rst_n)
                    .pin("codes_q", code[0].clone())
                    .pin("codes_kv", code[1].clone())
                    .pin("code_en", code[2].clone())
                    .pin("code_head", code[3].clone())
                    .pin("code_kind", code[4].clone())
                    .pin("code_part", code[5].clone()),
            )
            .pin("wtile_next", &wtile_next)
            .pin("wcol_next", &wcol_next)
            .pin("col_en", &col_en)
            .pin("sums", &sum),
        );
        sums.push(sum);
    }
    let ys = output_scaler(
        p,
        &mut m,
        &clk,
        &rst_n,
        &scalers,
        &sums,
        [&mul_en, &add_en, &scale_en],
        &seq,
    );

    // Result beats: head h, beat j carries dimensions j*per_beat.. of y_h.
    let per_beat = p.stream.out_values_per_beat as u32;
    let mut arms = Vec::new();
    for beat in 0..result_data_beats(p) as u32 {
        let (head, part) = (
            beat / p.stream.out_beats_per_head as u32,
            beat % p.stream.out_beats_per_head as u32,
        );
        let first = part * per_beat;
        let last = (first + per_beat).min(d);
        let y = &ys[head as usize];
        let mut value = y.slice(ob * last - 1, ob * first);
        let width = ob * (last - first);
        if width < td {
            value = e::cat(vec![e::lit(td - width, 0), value]);
        }
        arms.push((
            vec![e::lit(bw, beat as u128)],
            vec![Stmt::blocking(&res_data, value)],
        ));
    }
    m.comb(vec![Stmt::case_closed(
        &res_beat,
        bw,
        arms,
        vec![Stmt::blocking(&res_data, e::lit(td, 0))],
    )]);
    m
}

/// The layer's output scaler: one set of `gca_out_scale` groups for all heads. With one head it
/// scales the head's sums and its result registers are the result. With several, the
/// controller's sequence feeds head h's sums in cycle A + h (head 0's straight from its
/// accumulators, the others from `sums_nx`, loaded a cycle ahead), and stage 3 writes each
/// head's result into its own registers `y<h>` (cycle A + 2 + h), which the egress reads from
/// the next cycle on (docs/rtl.md, "The layer's output scaler"). Returns the heads' results.
#[allow(clippy::too_many_arguments)]
fn output_scaler(
    p: &Params,
    m: &mut Module,
    clk: &Signal,
    rst_n: &Signal,
    scalers: &Signal,
    sums: &[Signal],
    [mul_en, add_en, scale_en]: [&Signal; 3],
    seq: &Option<[Signal; 3]>,
) -> Vec<Signal> {
    let d = p.shape.d_head as u32;
    let h = sums.len() as u32;
    let (sb, ob) = (p.fixed.scaler_bits, p.fixed.out_bits);
    let sw = p.widths.tile_sum;
    let sbh = scaler_bits(p);
    let hw = index_width(p.shape.n_head);
    let gain_of = |head: u32| scalers.slice(sbh * head + 7 * sb - 1, sbh * head + 6 * sb);
    let off_of = |head: u32| scalers.slice(sbh * head + 7 * sb + ob - 1, sbh * head + 7 * sb);
    // Selects one head's field by an index, as a case statement.
    let select =
        |m: &mut Module, name: &str, width: u32, index: &Signal, f: &dyn Fn(u32) -> Expr| {
            let out = m.decl(Decl::new(name, Kind::Reg, width).signed());
            let arms = (0..h)
                .map(|head| {
                    (
                        vec![e::lit(hw, head as u128)],
                        vec![Stmt::blocking(&out, f(head).as_signed())],
                    )
                })
                .collect();
            m.comb(vec![Stmt::case_closed(
                index,
                hw,
                arms,
                vec![Stmt::blocking(&out, e::slit(width, 0))],
            )]);
            out
        };
    let (gain, offset, from_nx): (Expr, Expr, Option<(Signal, Signal)>) = match seq {
        None => (gain_of(0).as_signed(), off_of(0).as_signed(), None),
        Some([mul_head, gain_head, _]) => {
            let gain = select(m, "o_gain", sb, gain_head, &|x| gain_of(x));
            // The offset of the head stage 1 loads, registered: stage 2 holds that head next
            // cycle, when the scaler registers the offset for stage 3 (a register between the
            // head's selection and the limits computed from it). Outside a sequence it is
            // head 0's, unused.
            let off_sel = select(m, "o_off_sel", ob, mul_head, &|x| off_of(x));
            let offset = m.decl(
                Decl::new("o_offset", Kind::Reg, ob)
                    .signed()
                    .doc("the offset of the head in stage 1"),
            );
            m.seq_no_reset(clk, vec![Stmt::nonblocking(&offset, &off_sel)]);
            let next = select(m, "sums_sel", d * sw, gain_head, &|x| sums[x as usize].e());
            let nx = m.decl(
                Decl::new("sums_nx", Kind::Reg, d * sw)
                    .doc("the sums of the head stage 1 takes next cycle (heads 1..)"),
            );
            // Stage 1 takes sums_nx next cycle (each scaler group registers its own copy).
            let nx_next = let_wire(m, "nx_next", gain_head.ne(e::lit(hw, 0)));
            // Data only: loaded the cycle before stage 1 reads it.
            m.seq_no_reset(
                clk,
                vec![Stmt::if_then(&nx_next, vec![Stmt::nonblocking(&nx, &next)])],
            );
            (gain.e(), offset.e(), Some((nx, nx_next)))
        }
    };
    let og = out_group_lanes(p) as u32;
    let groups = d / og;
    let scale_head = seq.as_ref().map(|[_, _, head]| head.clone());
    let [ys] = lane_groups(m, groups, [("ys_", "y", h * og * ob)], |grp| {
        let lo = grp * og;
        let inst = Instance::new("gca_out_scale", &format!("u_scale{grp}"))
            .pin("clk", clk)
            .pin("rst_n", rst_n)
            .pin("sums", sums[0].slice(sw * (lo + og) - 1, sw * lo))
            .pin("gain", gain.clone())
            .pin("offset", offset.clone())
            .pin("mul_en", mul_en)
            .pin("add_en", add_en)
            .pin("en", scale_en);
        match (&from_nx, &scale_head) {
            (Some((nx, nx_next)), Some(head)) => inst
                .pin("sums_nx", nx.slice(sw * (lo + og) - 1, sw * lo))
                .pin("nx_next", nx_next)
                .pin("head", head),
            _ => inst,
        }
    });
    if h == 1 {
        return vec![let_wire(m, "scaled", ys)];
    }
    // Head h's result: its registers in every group (group g holds lanes g * G..).
    let all = let_wire(m, "scaled", ys);
    let width = og * ob;
    (0..h)
        .map(|head| {
            let parts: Vec<Expr> = (0..groups)
                .rev()
                .map(|grp| {
                    let lo = (grp * h + head) * width;
                    all.slice(lo + width - 1, lo)
                })
                .collect();
            let_wire(m, &format!("y{head}"), e::cat(parts))
        })
        .collect()
}

/// The layer's quantizer: one set of `gca_quantizer` groups (the lanes of a beat) for all heads.
/// Stage 0 registers the gain and offset of the accepted beat's head and kind (each head's
/// offset with its rounding half, `offset_half`, is formed off the beat's path); the beat's
/// head, kind and part follow it down the stages, and the codes go to every head at the end of
/// stage 2, where the head they belong to stages them (docs/rtl.md, "The layer's quantizer").
/// Returns `[codes_q, codes_kv, code_en, code_head, code_kind, code_part]` (the codes clamped
/// as q and as k/v codes; the head is 0 with one head,
/// the part 0 when every vector fits one beat: no register holds a constant).
fn quantizer(
    p: &Params,
    m: &mut Module,
    clk: &Signal,
    rst_n: &Signal,
    scalers: &Signal,
    [beat_en, beat_head, beat_kind, beat_part, beat_sel]: [&Signal; 5],
    data: &Signal,
) -> [Expr; 6] {
    let h = p.shape.n_head as u32;
    let (ib, sb) = (p.fixed.in_bits, p.fixed.scaler_bits);
    let hw = index_width(p.shape.n_head);
    let pw = index_width(p.stream.in_beats_per_vector);
    let sbh = scaler_bits(p);
    let lanes = lanes(p) as u32;
    let ow = super::quantizer::offset_half_bits(p);
    // Per head: the three gains and the three offsets with their rounding half.
    let mut gains = Vec::new();
    let mut offs = Vec::new();
    for head in 0..h {
        let field = |i: u32| {
            let lo = sbh * head + sb * i;
            scalers.slice(lo + sb - 1, lo).as_signed()
        };
        for (k, kind) in ["q", "k", "v"].iter().enumerate() {
            let k = k as u32;
            gains.push(let_wire(m, &format!("{kind}_gain{head}"), field(2 * k)));
            let off = let_wire(m, &format!("{kind}_offset{head}"), field(2 * k + 1));
            offs.push(let_wire(
                m,
                &format!("{kind}_offh{head}"),
                offset_half(p, &off),
            ));
        }
    }
    // The accepted beat's scalers, selected by its (head, kind) one-hot straight from the
    // ingress's flip-flops (an AND-OR, no decode).
    let pick = |vals: &[Signal], width: u32| {
        vals.iter()
            .enumerate()
            .map(|(i, v)| e::rep(width, beat_sel.bit(i as u32)).and(v))
            .reduce(|a, b| a.or(b))
            .expect("at least one head")
    };
    let gain = let_wire(m, "gain", pick(&gains, sb));
    let offset = let_wire(m, "offset", pick(&offs, ow));

    // The beat's head, kind and part follow it down the stages (the part only when a vector
    // takes several beats).
    let multi = p.stream.in_beats_per_vector > 1;
    let track = |m: &mut Module, stage: u32| {
        let reg = |m: &mut Module, name: &str, width: u32, doc: &str| {
            m.decl(Decl::new(&format!("{name}_s{stage}"), Kind::Reg, width).doc(doc))
        };
        // [beat, kind, head (several heads), part (several beats a vector)]
        let mut regs = vec![
            reg(m, "beat", 1, &format!("stage {stage} holds a data beat")),
            reg(m, "kind", 2, "its kind"),
        ];
        if h > 1 {
            regs.push(reg(m, "head", hw, "its head"));
        }
        if multi {
            regs.push(reg(m, "part", pw, "its part"));
        }
        regs
    };
    let s1 = track(m, 1);
    let s2 = track(m, 2);
    let mut src0 = vec![beat_en, beat_kind];
    if h > 1 {
        src0.push(beat_head);
    }
    if multi {
        src0.push(beat_part);
    }
    let mut pairs = Vec::new();
    for (r, src) in s1.iter().zip(src0) {
        pairs.push((r, src.e()));
    }
    for (r, src) in s2.iter().zip(&s1) {
        pairs.push((r, src.e()));
    }
    super::wires::follow(m, clk, rst_n, &pairs);
    let g = group_lanes(p) as u32;
    let (qb, kb) = (p.widths.q_code, p.widths.kv_code);
    let outputs = [
        ("codes_q", "code_q", g * qb),
        ("codes_kv", "code_kv", g * kb),
    ];
    let [codes_q, codes_kv] = lane_groups(m, lanes / g, outputs, |grp| {
        let lo = grp * g;
        Instance::new("gca_quantizer", &format!("u_quant{grp}"))
            .pin("clk", clk)
            .pin("rst_n", rst_n)
            .pin("load", beat_en)
            .pin("gain", &gain)
            .pin("offset", &offset)
            .pin("x", data.slice(ib * (lo + g) - 1, ib * lo))
    });
    let codes_q = let_wire(m, "codes_q", codes_q);
    let codes_kv = let_wire(m, "codes_kv", codes_kv);
    let head: Expr = if h > 1 { s2[2].e() } else { e::lit(hw, 0) };
    let part: Expr = if multi {
        s2.last().expect("tracked").e()
    } else {
        e::lit(pw, 0)
    };
    [codes_q.e(), codes_kv.e(), s2[0].e(), head, s2[1].e(), part]
}

/// `groups` instances of a lane-group block (the quantizer's, the output scaler's), each output
/// `(wire, pin, width)` on a wire `<wire><grp>` of `width` bits; returns each output over the
/// groups concatenated, group 0 at bit 0.
fn lane_groups<const N: usize>(
    m: &mut Module,
    groups: u32,
    outputs: [(&str, &str, u32); N],
    instance: impl Fn(u32) -> Instance,
) -> [Expr; N] {
    let mut outs: [Vec<Expr>; N] = std::array::from_fn(|_| Vec::new());
    for grp in 0..groups {
        let mut inst = instance(grp);
        for ((wire, pin, width), out) in outputs.iter().zip(outs.iter_mut()) {
            let w = m.wire(&format!("{wire}{grp}"), *width);
            inst = inst.pin(pin, &w);
            out.push(w.e());
        }
        m.instance(inst);
    }
    outs.map(|mut o| {
        o.reverse();
        e::cat(o)
    })
}
