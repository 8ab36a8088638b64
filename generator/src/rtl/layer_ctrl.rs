//! gca_layer_ctrl: the per-token schedule of one layer (docs/rtl.md, "Timing of one token";
//! the twin's `Schedule` is its model), shared by all heads of the layer.
//!
//! - Staging: `staged` from the commit of a token (its last beat) until the PWM generators
//!   load its q codes (`qk_go`, the cycle before QK); data beats of the next token are
//!   accepted from then on (`stage_free`).
//! - Write engine: `write` cycles of `wr_busy` from the cycle after the commit at the earliest,
//!   after the previous write, and once the previous token is past READOUT (serial) or past AV
//!   (`prefill_overlap`); the heads' `age_tick` in its first cycle, `win_advance` in its last.
//! - Fan-out: what drives every head leaves a cycle ahead (`*_next`), and each head registers
//!   its own copy. `qk_go` is itself a register, predicted a cycle ahead (`qk_go_next`), so
//!   that the heads' copies of it (`pwm_load_next`) are exact.
//! - Read engine: IDLE -> QK -> AV -> (HOLD while the accumulators still hold the previous
//!   token) -> READOUT -> IDLE, QK starting once the token is written and the previous READOUT
//!   is over.
//! - Tail: the accumulators take the last READOUT step a cycle after it (`acc_go`, then
//!   `cnt_full`); once the result is free (`res_valid` low: the egress sent the previous
//!   packet) the layer's output scaler takes the heads in turn, one a cycle (`sq_go`,
//!   `mul_head`, `v1`, `v2`, with several heads `sq_busy`, `h1`, `h2`; stage 3 writes head
//!   `scale_head`'s result registers with `scale_en`), and `res_valid` rises when head 0
//!   enters stage 2, so that the header goes out while stage 3 computes head 0's result and
//!   head 0's first data beat can follow in the next cycle; it holds until the egress sent the
//!   packet (`res_done`).
//! - Soft reset: `hold` (a soft reset is pending) keeps QK from starting in the next cycle,
//!   and `srst` clears
//!   every register but the result register and a scaler sequence whose head 0 reached it, in
//!   one cycle: the staged, written and computing tokens are dropped, a result already in the
//!   result register is still sent (all of its heads). The analog macro has no reset: the
//!   soft reset is applied only while no layer is in QK (gca_top waits for `in_qk` low), so no
//!   sub-tile is left with half-integrated scores.

use crate::config::Params;
use crate::hdl::{clear, e, Decl, Expr, Kind, Module, Signal, Stmt};

use super::common::header_comment;
use super::wires::{clock_and_reset, let_wire};

const IDLE: u128 = 0;
const QK: u128 = 1;
const AV: u128 = 2;
const HOLD: u128 = 3;
const RO: u128 = 4;

fn counter_bits(n: u64) -> u32 {
    crate::config::index_bits(n)
}

pub fn build(p: &Params) -> Module {
    let cy = p.cycles;
    assert_eq!(
        cy.scale, 2,
        "gca_out_scale has three stages; the header goes out in the third"
    );
    assert_eq!(cy.quant, 3, "gca_quantizer has three stages");
    assert_eq!(cy.accumulate, 1, "gca_accumulator has two stages");
    let heads = p.shape.n_head as u64;
    let shared = heads > 1;
    let hw = crate::hdl::index_width(p.shape.n_head as u32);
    let step = cy.pwm_step;
    let overlap = p.hardware.prefill_overlap;
    let mut m = Module::new("gca_layer_ctrl");
    m.header_comment = header_comment(
        p,
        "gca_layer_ctrl: staging, write and read engines, result pipeline of one layer",
    );
    let (clk, rst_n) = clock_and_reset(&mut m);
    m.group("From gca_ingress and gca_egress");
    let commit = m.port(
        Decl::new("commit", Kind::Input, 1).doc("last beat of a good token of this layer accepted"),
    );
    let commit_pos = m.port(Decl::new("commit_pos", Kind::Input, 32).doc("its position"));
    let res_done = m.port(Decl::new("res_done", Kind::Input, 1).doc("the egress sent the result"));
    m.group("Soft reset (gca_top)");
    let hold =
        m.port(Decl::new("hold", Kind::Input, 1).doc("a soft reset is pending: no QK starts"));
    let srst = m.port(
        Decl::new("srst", Kind::Input, 1)
            .doc("synchronous clear of everything but the result register"),
    );
    let in_qk = m.port(Decl::new("in_qk", Kind::Output, 1).doc("the read engine is in QK"));
    m.group("Status");
    let stage_free =
        m.port(Decl::new("stage_free", Kind::Output, 1).doc("data beats may be accepted"));
    let layer_idle = m.port(
        Decl::new("layer_idle", Kind::Output, 1).doc("nothing staged, written or being read"),
    );
    let busy = m.port(Decl::new("busy", Kind::Output, 1).doc("any token in the layer"));
    m.group("Write engine, one cycle ahead (every head registers its own copy)");
    let wr_we_next =
        m.port(Decl::new("wr_we_next", Kind::Output, 1).doc("next cycle is a write cycle"));
    let age_tick_next = m.port(
        Decl::new("age_tick_next", Kind::Output, 1).doc("next cycle is a write's first cycle"),
    );
    let win_advance = m.port(Decl::new("win_advance", Kind::Output, 1).doc("last write cycle"));
    m.group("Read engine, one cycle ahead (every head registers its own copy)");
    let pwm_load_next = m.port(
        Decl::new("pwm_load_next", Kind::Output, 1)
            .doc("next cycle loads the PWM generators: QK starts in the cycle after it"),
    );
    let qk_next = m.port(Decl::new("qk_next", Kind::Output, 1).doc("next cycle is a QK cycle"));
    let av_next = m.port(Decl::new("av_next", Kind::Output, 1).doc("next cycle is an AV cycle"));
    let ro_next =
        m.port(Decl::new("ro_next", Kind::Output, 1).doc("next cycle is a READOUT cycle"));
    let ro_first_next = m.port(
        Decl::new("ro_first_next", Kind::Output, 1)
            .doc("next cycle is the first READOUT cycle: counters restart"),
    );
    let ro_count_next = m.port(
        Decl::new("ro_count_next", Kind::Output, 1)
            .doc("next cycle is the last cycle of a READOUT PWM step"),
    );
    m.group("Tail and result");
    let mul_en = m.port(
        Decl::new("mul_en", Kind::Output, 1).doc("the output scaler's carry-save stage loads"),
    );
    let add_en =
        m.port(Decl::new("add_en", Kind::Output, 1).doc("the output scaler's product stage loads"));
    let scale_en = m.port(
        Decl::new("scale_en", Kind::Output, 1).doc("the output scaler's result register loads"),
    );
    // With several heads the layer's one output scaler takes them in turn (docs/rtl.md,
    // "The layer's output scaler").
    let seq_ports = shared.then(|| {
        let port = |m: &mut Module, name: &str, width: u32, doc: &str| {
            m.port(Decl::new(name, Kind::Output, width).doc(doc))
        };
        (
            port(&mut m, "mul_head", hw, "the head stage 1 loads"),
            port(
                &mut m,
                "gain_head",
                hw,
                "the head whose gain stage 1 uses next cycle",
            ),
            port(
                &mut m,
                "scale_head",
                hw,
                "the head stage 3 writes (with scale_en)",
            ),
        )
    });
    let res_valid =
        m.port(Decl::new("res_valid", Kind::OutputReg, 1).doc("a result waits for the egress"));
    let res_pos = m.port(Decl::new("res_pos", Kind::OutputReg, 32).doc("its position"));

    // State.
    let staged = m.reg("staged", 1);
    let unwritten = m.reg("unwritten", 1);
    let commit_d = m.decl(Decl::new("commit_d", Kind::Reg, 1).doc("commit, a cycle later"));
    let written = m.reg("written", 1);
    let pos_stage = m.reg("pos_stage", 32);
    let wb = counter_bits(cy.write);
    let wr_busy = m.reg("wr_busy", 1);
    let wr_cnt = m.reg("wr_cnt", wb);
    let rb = counter_bits(cy.qk.max(cy.av).max(cy.readout));
    let rd_state =
        m.decl(Decl::new("rd_state", Kind::Reg, 3).doc("0 idle, 1 QK, 2 AV, 3 hold, 4 READOUT"));
    let rd_cnt = m.reg("rd_cnt", rb);
    let rd_pos = m.reg("rd_pos", 32);
    let acc_go = m
        .decl(Decl::new("acc_go", Kind::Reg, 1).doc("the accumulators take the last READOUT step"));
    let acc_pos = m.reg("acc_pos", 32);
    let cnt_full = m.decl(
        Decl::new("cnt_full", Kind::Reg, 1)
            .doc("the accumulators hold a token the tail has not taken"),
    );
    let cnt_pos = m.reg("cnt_pos", 32);
    // The output scaler's sequence: stage 1 takes the heads in turn, one a cycle.
    let v1 = m.decl(Decl::new("v1", Kind::Reg, 1).doc("stage 1 holds a head"));
    let v2 = m.decl(Decl::new("v2", Kind::Reg, 1).doc("stage 2 holds a head"));
    let sq_pos = m.decl(Decl::new("sq_pos", Kind::Reg, 32).doc("the position of the token"));
    let seq = shared.then(|| {
        let r = |m: &mut Module, name: &str, width: u32, doc: &str| {
            m.decl(Decl::new(name, Kind::Reg, width).doc(doc))
        };
        (
            r(&mut m, "sq_busy", 1, "stage 1 takes heads 1.. of a token"),
            r(&mut m, "sq_cnt", hw, "the head it takes"),
            r(&mut m, "h1", hw, "the head in stage 1"),
            r(&mut m, "h2", hw, "the head in stage 2"),
            r(
                &mut m,
                "dlv",
                1,
                "the sequence's header was announced (head 0 reached stage 2)",
            ),
        )
    });

    let is = |st: u128| rd_state.eq(e::lit(3, st));
    let cnt_is = |n: u64| rd_cnt.eq(e::lit(rb, n as u128 - 1));
    let wr_last = let_wire(
        &mut m,
        "wr_last",
        wr_busy.land(wr_cnt.eq(e::lit(wb, cy.write as u128 - 1))),
    );
    let qk_last = let_wire(&mut m, "qk_last", is(QK).land(cnt_is(cy.qk)));
    let av_last = let_wire(&mut m, "av_last", is(AV).land(cnt_is(cy.av)));
    let ro_last = let_wire(&mut m, "ro_last", is(RO).land(cnt_is(cy.readout)));
    let rd_free_next = let_wire(&mut m, "rd_free_next", is(IDLE).lor(&ro_last));
    // QK starts in the cycle after `qk_go`. It is a register, predicted a cycle ahead
    // (`qk_go_next` below), so that every head's copy of it (`pwm_load_next`) drives its PWM
    // generator from a flip-flop; a pending soft reset (`hold`) keeps QK from starting in the
    // next cycle.
    let qk_go = m.decl(
        Decl::new("qk_go", Kind::Reg, 1).doc("the PWM generators load: QK starts next cycle"),
    );
    let array_ok: Expr = if overlap {
        is(QK).lor(is(AV)).lnot().lor(&av_last)
    } else {
        rd_free_next.e()
    };
    let array_ok = let_wire(&mut m, "array_ok", array_ok);
    let wr_go = let_wire(
        &mut m,
        "wr_go",
        // The codes of the last beat are staged `quant` - 1 cycles after it (the end of the
        // quantizer's last stage), so `unwritten` rises a cycle after the commit and the write
        // starts `quant` cycles after the last beat.
        unwritten.land(wr_busy.lnot().lor(&wr_last)).land(&array_ok),
    );

    // The tail: a token's sums enter the output scaler once its result register is free (the
    // egress sent the previous result), then run through its three stages without stopping.
    let hlit = |n: u64| e::lit(hw, n as u128);
    let go_cond: Expr = match &seq {
        Some((sq_busy, ..)) => cnt_full.land(sq_busy.lnot()).land(res_valid.lnot()),
        None => cnt_full.land(res_valid.lnot()),
    };
    let go = let_wire(&mut m, "sq_go", go_cond);
    let (load1, take_last, announce, head1): (Signal, Signal, Signal, Option<Signal>) = match &seq {
        Some((sq_busy, sq_cnt, h1, ..)) => {
            let load1 = let_wire(&mut m, "load1", go.lor(sq_busy));
            let head1 = let_wire(&mut m, "head1", sq_busy.mux(sq_cnt, hlit(0)));
            let last = let_wire(&mut m, "take_last", load1.land(head1.eq(hlit(heads - 1))));
            let r0 = let_wire(&mut m, "announce", v1.land(h1.eq(hlit(0))));
            (load1, last, r0, Some(head1))
        }
        None => (go.clone(), go.clone(), v1.clone(), None),
    };
    let ro_go = let_wire(
        &mut m,
        "ro_go",
        av_last.lor(is(HOLD)).land(cnt_full.lnot().lor(&take_last)),
    );

    // qk_go of the next cycle: the token staged, written (or in its write's last cycle) and the
    // read engine free then, from this cycle's transitions below.
    let wr_last_next: Expr = if cy.write == 1 {
        wr_go.e()
    } else {
        wr_go
            .lnot()
            .land(wr_busy.land(wr_last.lnot()))
            .land(wr_cnt.eq(e::lit(wb, cy.write as u128 - 2)))
    };
    let ro_last_next: Expr = if cy.readout == 1 {
        ro_go.e()
    } else {
        is(RO)
            .land(ro_last.lnot())
            .land(rd_cnt.eq(e::lit(rb, cy.readout as u128 - 2)))
    };
    // IDLE next cycle (with overlap a token may go from the readout's last cycle to QK).
    let idle_next: Expr = if overlap {
        is(IDLE).lor(&ro_last).land(qk_go.lnot())
    } else {
        is(IDLE).land(qk_go.lnot()).lor(&ro_last)
    };
    let qk_go_next = let_wire(
        &mut m,
        "qk_go_next",
        srst.lnot()
            .land(hold.lnot())
            .land(commit.lor(staged.land(qk_go.lnot())))
            .land(qk_go.lnot().land(written.lor(&wr_last)).lor(wr_last_next))
            .land(idle_next.lor(ro_last_next)),
    );

    // Outputs.
    m.assign(&stage_free, staged.lnot());
    m.assign(
        &layer_idle,
        staged.lnot().land(wr_busy.lnot()).land(is(IDLE)),
    );
    // The write's next cycle: one that starts a write, or continues one.
    m.assign(
        &wr_we_next,
        srst.lnot().land(wr_go.lor(wr_busy.land(wr_last.lnot()))),
    );
    m.assign(&age_tick_next, srst.lnot().land(&wr_go));
    m.assign(&win_advance, &wr_last);
    m.assign(&pwm_load_next, &qk_go_next);
    m.assign(&in_qk, is(QK));
    // The phase of the next cycle, from the read engine's transitions below.
    m.assign(&qk_next, qk_go.lor(is(QK).land(qk_last.lnot())));
    m.assign(&av_next, qk_last.lor(is(AV).land(av_last.lnot())));
    let ro_stay = let_wire(&mut m, "ro_stay", is(RO).land(ro_last.lnot()));
    m.assign(&ro_next, ro_go.lor(&ro_stay));
    m.assign(&ro_first_next, &ro_go);
    m.assign(&mul_en, &load1);
    m.assign(&add_en, &v1);
    m.assign(&scale_en, &v2);
    let mut any_busy = layer_idle
        .lnot()
        .lor(&acc_go)
        .lor(&cnt_full)
        .lor(&v1)
        .lor(&v2)
        .lor(&res_valid);
    if let (Some((mul_head, gain_head, scale_head)), Some(sq)) = (&seq_ports, &seq) {
        let (sq_busy, sq_cnt, _, h2, _) = sq;
        m.assign(mul_head, sq_busy.mux(sq_cnt, hlit(0)));
        // The head stage 1 takes next cycle (0 when idle, so head 0's gain waits for a go).
        let more = sq_busy.land(sq_cnt.ne(hlit(heads - 1)));
        m.assign(
            gain_head,
            go.mux(hlit(1), more.mux(sq_cnt.add(hlit(1)), hlit(0))),
        );
        m.assign(scale_head, h2);
        any_busy = any_busy.lor(sq_busy);
    }
    m.assign(&busy, any_busy);

    // READOUT step ends (each head's PWM generator counts its own QK steps, gca_pwm).
    let mut regs_reset = vec![];
    let mut regs_body = vec![];
    if step == 1 {
        m.assign(&ro_count_next, &ro_next);
    } else {
        let sbits = counter_bits(step);
        let sub = m.reg("sub", sbits);
        let sub_last = sub.eq(e::lit(sbits, step as u128 - 1));
        // A READOUT cycle that stays in READOUT is never one that enters it, so its step
        // counter moves on: the next cycle ends a step when this one is the step's last but one.
        m.assign(
            &ro_count_next,
            ro_stay.land(sub.eq(e::lit(sbits, step as u128 - 2))),
        );
        regs_reset.push(clear(&sub));
        regs_body.push(Stmt::if_else(
            ro_go.lor(sub_last),
            vec![clear(&sub)],
            vec![Stmt::nonblocking(&sub, sub.add(e::lit(sbits, 1)))],
        ));
    }

    let goto = |st: u128| Stmt::nonblocking(&rd_state, e::lit(3, st));
    let cnt0 = clear(&rd_cnt);
    let cnt_inc = Stmt::nonblocking(&rd_cnt, rd_cnt.add(e::lit(rb, 1)));
    let load_token = vec![
        goto(QK),
        cnt0.clone(),
        Stmt::nonblocking(&rd_pos, &pos_stage),
    ];
    let read_engine = Stmt::case_closed(
        &rd_state,
        3,
        vec![
            (
                vec![e::lit(3, IDLE)],
                vec![Stmt::if_then(&qk_go, load_token.clone())],
            ),
            (
                vec![e::lit(3, QK)],
                vec![Stmt::if_else(
                    &qk_last,
                    vec![goto(AV), cnt0.clone()],
                    vec![cnt_inc.clone()],
                )],
            ),
            (
                vec![e::lit(3, AV)],
                vec![Stmt::if_else(
                    &av_last,
                    vec![
                        Stmt::if_else(&ro_go, vec![goto(RO)], vec![goto(HOLD)]),
                        cnt0.clone(),
                    ],
                    vec![cnt_inc.clone()],
                )],
            ),
            (
                vec![e::lit(3, HOLD)],
                vec![Stmt::if_then(&ro_go, vec![goto(RO), cnt0.clone()])],
            ),
            (
                vec![e::lit(3, RO)],
                vec![Stmt::if_else(
                    &ro_last,
                    // The next token can start QK in the readout's last cycle only when its
                    // write overlapped the reads (`prefill_overlap`); without the overlap its
                    // write starts in that cycle at the earliest, so qk_go is low there.
                    if overlap {
                        vec![Stmt::if_else(
                            &qk_go,
                            load_token,
                            vec![goto(IDLE), cnt0.clone()],
                        )]
                    } else {
                        vec![goto(IDLE), cnt0.clone()]
                    },
                    vec![cnt_inc],
                )],
            ),
        ],
        vec![goto(IDLE), cnt0],
    );

    let one = |s: &Signal| Stmt::nonblocking(s, e::lit(1, 1));
    let zero = |s: &Signal| Stmt::nonblocking(s, e::lit(1, 0));
    let mut body = vec![
        // Staging.
        Stmt::if_then(
            &commit,
            vec![one(&staged), Stmt::nonblocking(&pos_stage, &commit_pos)],
        ),
        Stmt::nonblocking(&commit_d, &commit),
        Stmt::if_then(&commit_d, vec![one(&unwritten)]),
        Stmt::if_then(&wr_go, vec![zero(&unwritten)]),
        // A token may start QK in the cycle its write ends: the clear below wins.
        Stmt::if_then(&wr_last, vec![one(&written)]),
        Stmt::if_then(&qk_go, vec![zero(&staged), zero(&written)]),
        Stmt::nonblocking(&qk_go, &qk_go_next),
        // Write engine.
        Stmt::if_else(
            &wr_go,
            vec![one(&wr_busy), clear(&wr_cnt)],
            vec![Stmt::if_then(
                &wr_busy,
                vec![Stmt::if_else(
                    &wr_last,
                    vec![zero(&wr_busy)],
                    vec![Stmt::nonblocking(&wr_cnt, wr_cnt.add(e::lit(wb, 1)))],
                )],
            )],
        ),
        read_engine,
        // Tail: the accumulators hold the token a cycle after its last READOUT cycle.
        Stmt::nonblocking(&acc_go, &ro_last),
        Stmt::if_then(&ro_last, vec![Stmt::nonblocking(&acc_pos, &rd_pos)]),
        Stmt::if_else(
            &acc_go,
            vec![one(&cnt_full), Stmt::nonblocking(&cnt_pos, &acc_pos)],
            vec![Stmt::if_then(&take_last, vec![zero(&cnt_full)])],
        ),
    ];
    body.extend(regs_body);
    let mut reset: Vec<Stmt> = [
        &staged, &commit_d, &unwritten, &written, &qk_go, &pos_stage, &wr_busy, &wr_cnt, &rd_state,
        &rd_cnt, &rd_pos, &acc_go, &acc_pos, &cnt_full, &cnt_pos,
    ]
    .into_iter()
    .map(clear)
    .collect();
    reset.extend(regs_reset);
    let body = vec![Stmt::if_else(&srst, reset.clone(), body)];
    m.seq(&clk, &rst_n, reset, body);
    m.comment(
        "The output scaler's sequence and the result: the header is announced (`res_valid`) when \
         head 0 enters stage 2, so that it goes out while stage 3 computes head 0's result; \
         the soft reset drops a sequence not yet announced, and keeps the rest.",
    );
    let mut seq_reset = vec![clear(&res_valid), clear(&res_pos), clear(&v1), clear(&v2)];
    seq_reset.push(clear(&sq_pos));
    let mut run = vec![Stmt::nonblocking(&v1, &load1), Stmt::nonblocking(&v2, &v1)];
    let mut drop = vec![zero(&v1), zero(&v2)];
    let mut keep: Option<Expr> = None;
    if let Some((sq_busy, sq_cnt, h1, h2, dlv)) = &seq {
        seq_reset.extend([sq_busy, sq_cnt, h1, h2, dlv].into_iter().map(clear));
        let head1 = head1.as_ref().expect("a sequence has a head index");
        run.extend([
            Stmt::nonblocking(h1, head1),
            Stmt::nonblocking(h2, h1),
            Stmt::if_else(
                &go,
                vec![one(sq_busy), Stmt::nonblocking(sq_cnt, hlit(1))],
                // With two heads the go takes head 1 next: the sequence ends there.
                vec![Stmt::if_then(
                    sq_busy,
                    if heads == 2 {
                        vec![zero(sq_busy)]
                    } else {
                        vec![Stmt::if_else(
                            sq_cnt.eq(hlit(heads - 1)),
                            vec![zero(sq_busy)],
                            vec![Stmt::nonblocking(sq_cnt, sq_cnt.add(hlit(1)))],
                        )]
                    },
                )],
            ),
            Stmt::if_else(
                &announce,
                vec![one(dlv)],
                vec![Stmt::if_then(
                    v2.land(h2.eq(hlit(heads - 1))),
                    vec![zero(dlv)],
                )],
            ),
        ]);
        drop.push(zero(sq_busy));
        keep = Some(dlv.lor(&announce));
    }
    // A sequence whose header was announced runs to its end: the soft reset drops the others.
    let dropping: Expr = srst.land(keep.unwrap_or_else(|| announce.e()).lnot());
    m.seq(
        &clk,
        &rst_n,
        seq_reset,
        vec![
            Stmt::if_else(
                &announce,
                vec![one(&res_valid), Stmt::nonblocking(&res_pos, &sq_pos)],
                vec![Stmt::if_then(&res_done, vec![zero(&res_valid)])],
            ),
            Stmt::if_then(&go, vec![Stmt::nonblocking(&sq_pos, &cnt_pos)]),
            Stmt::if_else(dropping, drop, run),
        ],
    );
    m
}
