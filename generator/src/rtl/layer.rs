//! gca_layer: the KV store of one transformer layer: its controller, its window and its heads,
//! and the result beats it presents to the egress.

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Instance, Kind, Module, Signal, Stmt};

use super::common::{header_comment, index_width};
use super::head::scaler_bits;
use super::quantizer::lanes;
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
    let qb = p.widths.q_code;
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
    let beat_head = m.input("beat_head", hw);
    let beat_kind = m.input("beat_kind", 2);
    let beat_part = m.input("beat_part", pw);
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
        ("wr_we", 1),
        ("age_tick", 1),
        ("pwm_load", 1),
        ("qk_next", 1),
        ("qk_step_next", qb),
        ("av_next", 1),
        ("ro_next", 1),
        ("ro_first_next", 1),
        ("ro_count_next", 1),
        ("mul_en", 1),
        ("add_en", 1),
        ("scale_en", 1),
    ]
    .into_iter()
    .map(|(name, width)| w(&mut m, name, width))
    .collect();
    let with_timing = |inst: Instance| {
        timing
            .iter()
            .fold(inst, |inst, s| inst.pin(s.name.as_str(), s))
    };
    m.instance(
        with_timing(
            Instance::new("gca_layer_ctrl", "u_ctrl")
                .pin("clk", &clk)
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
    let wtile = w(&mut m, "wtile", tw);
    let wcol = w(&mut m, "wcol", cw);
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
            .pin("wtile", &wtile)
            .pin("wcol", &wcol)
            .pin("fill", &fill)
            .pin("col_en", &col_en),
    );
    let lanes_data: Expr = if used < td {
        beat_data.slice(used - 1, 0)
    } else {
        beat_data.e()
    };
    let lanes_data = let_wire(&mut m, "beat_lanes", lanes_data);
    let mut ys = Vec::new();
    for head in 0..h {
        let y = m.wire(&format!("y{head}"), d * ob);
        m.instance(
            with_timing(
                Instance::new("gca_head", &format!("u_head{head}"))
                    .supplies(&supplies)
                    .pin("clk", &clk)
                    .pin("head_id", e::lit(hw, head as u128))
                    .pin("rst_n", &rst_n)
                    .pin("beat_en", &beat_en)
                    .pin("beat_head", &beat_head)
                    .pin("beat_kind", &beat_kind)
                    .pin("beat_part", &beat_part)
                    .pin("beat_data", &lanes_data)
                    .pin("scalers", scalers.slice(sbh * head + sbh - 1, sbh * head)),
            )
            .pin("wtile", &wtile)
            .pin("wcol", &wcol)
            .pin("col_en", &col_en)
            .pin("y", &y),
        );
        ys.push(y);
    }

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
