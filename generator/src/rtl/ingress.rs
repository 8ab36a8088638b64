//! `gca_ingress`: the AXI4-Stream sink of token packets (docs/rtl.md, "Packets" and
//! "gca_ingress").
//!
//! It decodes the header beat, enforces the packet rules, routes the data beats of good TOKEN
//! packets to their layer (`beat_*`, combinational with the handshake), raises `commit` with the
//! last beat of a good TOKEN and `win_reset` with a good RESET_WINDOW header, keeps each layer's
//! expected position, and turns every dropped packet into exactly one error record for the
//! egress.
//!
//! Timing (what the schedule model assumes):
//! - a header is accepted in any cycle the ingress is not stalled (ENABLE set, no error record
//!   waiting), whatever its opcode and layer: a RESET_WINDOW is accepted at once and its layer
//!   applies it in order (gca_layer holds it pending until the layer's earlier tokens are
//!   through, and takes no data beats meanwhile), so the other layers' packets flow on;
//!   the first data beat may follow in the next cycle, and the next header in the cycle after
//!   the last beat of a packet (no idle cycle between packets);
//! - a data beat of a good TOKEN is accepted while `stage_free` of its layer is high; the
//!   trailing beats of a dropped packet are accepted at once;
//! - `beat_valid`, `commit` and `win_reset` are combinational: high in the cycle of the
//!   handshake that carries them; with `win_reset`, `beat_layer` and `beat_pos` are the
//!   RESET_WINDOW header's layer and position (taken from TDATA), with `beat_valid` those of
//!   the packet; `beat_data` is registered: the data of the beat routed in the previous cycle
//!   (the quantizers' first stage);
//! - `ev_token`, `ev_error` and `ev_err_kind` are registered: high in the cycle after the
//!   handshake that carries them (for an error, the beat at which the error is decided);
//! - the expected position of a layer (32 bits, 0 after reset) is updated at the end of the
//!   `commit` cycle (position + 1) or of the `win_reset` cycle (the header's position); the
//!   next header is checked against the new value;
//! - the error record (`err_valid`, ...) is registered: loaded at the end of that cycle, held
//!   until `err_ack`, and cleared at the end of the `err_ack` cycle. While it is held, TREADY is
//!   low (also for the remaining beats of the packet being dropped).
//!
//! Soft reset (`srst`, one cycle, from gca_top): every layer's expected position returns to
//! 0, and a packet open after that cycle (a header or data beats accepted, TLAST not yet) is
//! consumed up to its TLAST without any effect or error record (S_DROP). The error record and
//! the events are kept: an error packet already decided is still sent and counted.
//!
//! `s_axis_tready` is a function of registers only: ENABLE, the error record, the packet state
//! and, in the data state, `stage_free` of the packet's (registered) layer. It depends neither
//! on `s_axis_tvalid` nor on `s_axis_tdata`, so it is never X out of reset, whatever TDATA is.

use crate::config::Params;
use crate::hdl::names::indexed;
use crate::hdl::{clear, e, Decl, Expr, Kind, Module, Signal, Stmt};
use crate::rtl::common::{header_comment, index_width};

/// Opcode of a TOKEN packet (header bits `[3:0]`).
pub const OP_TOKEN: u128 = 1;
/// Opcode of a RESET_WINDOW packet.
pub const OP_RESET_WINDOW: u128 = 2;
/// Status of an error packet (header bits `[3:0]` of an outgoing error packet): TLAST before
/// the last beat of a TOKEN, missing on it, on a TOKEN header, or missing on a RESET_WINDOW.
pub const BAD_LENGTH: u128 = 1;
/// Status: an opcode other than TOKEN and RESET_WINDOW.
pub const BAD_OPCODE: u128 = 2;
/// Status: the header's 8-bit layer field is not below n_layer.
pub const BAD_LAYER: u128 = 3;
/// Status: a TOKEN whose position is not its layer's expected position.
pub const BAD_POSITION: u128 = 4;

/// Ingress states.
const S_HEADER: u128 = 0;
const S_DATA: u128 = 1;
const S_DROP: u128 = 2;

fn lit(width: u32, value: u128) -> Expr {
    e::lit(width, value)
}

fn nb(lhs: &Signal, rhs: impl Into<Expr>) -> Stmt {
    Stmt::nonblocking(lhs, rhs)
}

fn bl(lhs: &Signal, rhs: impl Into<Expr>) -> Stmt {
    Stmt::blocking(lhs, rhs)
}

fn wire(m: &mut Module, name: &str, width: u32, doc: &str) -> Signal {
    m.decl(Decl::new(name, Kind::Wire, width).doc(doc))
}

fn reg(m: &mut Module, name: &str, width: u32, doc: &str) -> Signal {
    m.decl(Decl::new(name, Kind::Reg, width).doc(doc))
}

fn out_reg(m: &mut Module, name: &str, width: u32, doc: &str) -> Signal {
    m.port(Decl::new(name, Kind::OutputReg, width).doc(doc))
}

fn out(m: &mut Module, name: &str, width: u32, doc: &str) -> Signal {
    m.port(Decl::new(name, Kind::Output, width).doc(doc))
}

fn input(m: &mut Module, name: &str, width: u32, doc: &str) -> Signal {
    m.port(Decl::new(name, Kind::Input, width).doc(doc))
}

/// `cnt == n - 1 ? 0 : cnt + 1`: the wrapping increment of a counter over `0..n`.
fn wrap_inc(cnt: &Signal, n: usize) -> Expr {
    let w = cnt.width;
    cnt.eq(lit(w, n as u128 - 1))
        .mux(lit(w, 0), cnt.add(lit(w, 1)))
}

/// The `gca_ingress` module of a configuration: ports exactly as the table in docs/rtl.md,
/// behaviour as the module documentation above.
///
/// # Panics
/// When the configuration was not validated (more than 256 layers, TDATA narrower than the
/// 48-bit header).
pub fn build(p: &Params) -> Module {
    let n_layer = p.shape.n_layer;
    let n_head = p.shape.n_head;
    let s = p.stream;
    let parts = s.in_beats_per_vector;
    let td = s.tdata_bits;
    assert!((1..=256).contains(&n_layer), "1..=256 layers");
    assert!(td >= 48, "TDATA holds the 48-bit header");
    let lw = index_width(n_layer);
    let hw = index_width(n_head);
    let pw = index_width(parts);
    let n_l = n_layer as u32;

    let mut m = Module::new("gca_ingress");
    m.header_comment = header_comment(p, "gca_ingress: AXI4-Stream sink of token packets");
    m.header_comment.extend(
        [
            "",
            "Header beat: [3:0] opcode (1 TOKEN, 2 RESET_WINDOW), [15:8] layer, [47:16] position.",
            "TOKEN with the layer's expected position: its data beats are routed to the layer",
            "(beat_valid/beat_* with the handshake, accepted while stage_free[layer]); the last",
            "beat carries TLAST, raises commit and sets the expected position to position + 1.",
            "RESET_WINDOW with TLAST on the header: accepted at once (the layer applies it",
            "after its earlier tokens), pulses win_reset and sets the expected position to",
            "the header's position. TREADY depends on registers only (not on TDATA).",
            "Bad packets (priority BAD_OPCODE 2, BAD_LAYER 3, BAD_POSITION 4, BAD_LENGTH 1) are",
            "consumed up to their TLAST without any effect, and give one error record (held",
            "until err_ack; TREADY is low meanwhile) and one ev_error/ev_err_kind pulse at the",
            "beat that decides the error. Early TLAST ends the packet there; a missing TLAST on",
            "the last beat drops that beat and every beat up to TLAST.",
            "Timing: the next header may be accepted in the cycle after a packet's last beat.",
        ]
        .map(String::from),
    );

    m.group("Clock and active-low asynchronous reset");
    let clk = m.input("clk", 1);
    let rst_n = m.input("rst_n", 1);

    m.group("Token stream (AXI4-Stream sink)");
    let tdata = input(&mut m, "s_axis_tdata", td, "header or data beat");
    let tvalid = input(&mut m, "s_axis_tvalid", 1, "");
    let tready = out(
        &mut m,
        "s_axis_tready",
        1,
        "no combinational path from tvalid",
    );
    let tlast = input(&mut m, "s_axis_tlast", 1, "last beat of a packet");

    m.group("Control and per-layer flow control");
    let enable = input(
        &mut m,
        "enable",
        1,
        "CONTROL.ENABLE and no soft reset pending: 0 holds TREADY low",
    );
    let srst = input(
        &mut m,
        "srst",
        1,
        "soft reset: positions to 0, an open packet dropped to its TLAST",
    );
    let stage_free = input(
        &mut m,
        "stage_free",
        n_l,
        "per layer: data beats may be accepted",
    );

    m.group("Routed data beats");
    let beat_data = out_reg(
        &mut m,
        "beat_data",
        td,
        "s_axis_tdata of the data beat accepted in the previous cycle",
    );
    let beat_valid = out(
        &mut m,
        "beat_valid",
        1,
        "a data beat of a good TOKEN packet accepted this cycle",
    );
    let beat_layer = out(
        &mut m,
        "beat_layer",
        lw,
        "layer (with beat_valid, win_reset)",
    );
    let beat_head = out_reg(&mut m, "beat_head", hw, "head of the beat");
    let beat_kind = out_reg(&mut m, "beat_kind", 2, "0 q, 1 k, 2 v");
    let beat_part = out_reg(&mut m, "beat_part", pw, "beat within the vector");
    // The same (head, kind) one-hot, bit 3 * head + kind: the layers select the beat's scalers
    // with it straight from a flip-flop (no decode on the path to the quantizers' stage 0).
    let sel_bits = 3 * n_head as u32;
    let beat_sel = out_reg(
        &mut m,
        "beat_sel",
        sel_bits,
        "bit 3 * beat_head + beat_kind set (one-hot)",
    );
    let beat_pos = out(&mut m, "beat_pos", 32, "position of the packet");
    let commit = out(
        &mut m,
        "commit",
        1,
        "with beat_valid: last beat of a good TOKEN",
    );
    let win_reset = out(
        &mut m,
        "win_reset",
        1,
        "a good RESET_WINDOW for beat_layer accepted",
    );

    m.group("Error record (to the egress)");
    let err_valid = out_reg(&mut m, "err_valid", 1, "held until err_ack");
    let err_code = out_reg(
        &mut m,
        "err_code",
        4,
        "1 length, 2 opcode, 3 layer, 4 position",
    );
    let err_layer = out_reg(&mut m, "err_layer", 8, "header bits [15:8]");
    let err_pos = out_reg(&mut m, "err_pos", 32, "header position");
    let err_ack = input(&mut m, "err_ack", 1, "the egress sent the error packet");

    m.group("Events (to the CSR counters)");
    let ev_token = out_reg(&mut m, "ev_token", 1, "a TOKEN committed (previous cycle)");
    let ev_error = out_reg(&mut m, "ev_error", 1, "a packet dropped (previous cycle)");
    let ev_err_kind = out_reg(&mut m, "ev_err_kind", 4, "one-hot: bit k-1 for status k");

    // ---- constants and state ----
    let s_header = m.localparam("S_HEADER", 2, S_HEADER);
    let s_data = m.localparam("S_DATA", 2, S_DATA);
    let s_drop = m.localparam("S_DROP", 2, S_DROP);
    let state = reg(
        &mut m,
        "state",
        2,
        "S_HEADER: next beat is a header; S_DATA: data of a good TOKEN; S_DROP: dropping",
    );
    let cur_layer = reg(&mut m, "cur_layer", 8, "header layer field of the packet");
    let cur_pos = reg(&mut m, "cur_pos", 32, "header position of the packet");
    let exp_pos: Vec<Signal> = (0..n_layer)
        .map(|l| {
            let name = indexed("exp_pos", l);
            reg(
                &mut m,
                name.as_str(),
                32,
                &format!("layer {l}: expected position of the next TOKEN"),
            )
        })
        .collect();

    // ---- header decode ----
    let in_header = wire(&mut m, "in_header", 1, "the offered beat is a header");
    let in_data = wire(
        &mut m,
        "in_data",
        1,
        "the offered beat is a data beat of a good TOKEN",
    );
    let hdr_op = wire(&mut m, "hdr_op", 4, "header opcode");
    let hdr_layer = wire(&mut m, "hdr_layer", 8, "header layer field");
    let hdr_pos = wire(&mut m, "hdr_pos", 32, "header position");
    let op_token = wire(&mut m, "op_token", 1, "opcode TOKEN");
    let op_reset = wire(&mut m, "op_reset", 1, "opcode RESET_WINDOW");
    let layer_ok = wire(&mut m, "layer_ok", 1, "header layer < n_layer");
    let pos_ok = wire(
        &mut m,
        "pos_ok",
        1,
        "the header position is its layer's expected position",
    );
    let hdr_code = reg(&mut m, "hdr_code", 4, "error of the header (0: good)");
    let cur_free = reg(&mut m, "cur_free", 1, "stage_free of the packet's layer");
    let at_last = wire(
        &mut m,
        "at_last",
        1,
        "the next data beat is the packet's last",
    );
    let data_err = wire(
        &mut m,
        "data_err",
        1,
        "TLAST early or missing on the offered beat",
    );
    let accept = wire(&mut m, "accept", 1, "handshake");
    let err_now = wire(
        &mut m,
        "err_now",
        1,
        "an error is decided by the accepted beat",
    );
    let code_now = wire(&mut m, "code_now", 4, "its status code");

    m.assign(&in_header, state.eq(&s_header));
    m.assign(&in_data, state.eq(&s_data));
    m.assign(&hdr_op, tdata.slice(3, 0));
    m.assign(&hdr_layer, tdata.slice(15, 8));
    m.assign(&hdr_pos, tdata.slice(47, 16));
    m.assign(&op_token, hdr_op.eq(lit(4, OP_TOKEN)));
    m.assign(&op_reset, hdr_op.eq(lit(4, OP_RESET_WINDOW)));
    if n_layer >= 256 {
        m.assign(&layer_ok, lit(1, 1));
    } else {
        m.assign(&layer_ok, hdr_layer.lt(lit(8, n_layer as u128)));
    }

    m.comment("stage_free of the packet's layer (unrolled).");
    let cur_arms = (0..n_layer)
        .map(|l| {
            let body = vec![bl(&cur_free, stage_free.bit(l as u32))];
            (vec![lit(8, l as u128)], body)
        })
        .collect();
    m.comb(vec![Stmt::case(
        &cur_layer,
        cur_arms,
        vec![bl(&cur_free, lit(1, 0))],
    )]);

    // Every layer's expected position is compared in parallel and the header's layer picks
    // the result: the layer decode is not in front of the 32-bit compare.
    let hits: Vec<Expr> = exp_pos
        .iter()
        .enumerate()
        .map(|(l, ep)| hdr_layer.eq(lit(8, l as u128)).land(hdr_pos.eq(ep)))
        .collect();
    let any = hits
        .into_iter()
        .reduce(|a, b| a.lor(b))
        .expect("at least one layer");
    m.assign(&pos_ok, any);

    m.comment("Header rules, in priority order: opcode, layer, position, length.");
    let code = |c: u128| bl(&hdr_code, lit(4, c));
    m.comb(vec![Stmt::if_else(
        op_token.lor(&op_reset).lnot(),
        vec![code(BAD_OPCODE)],
        vec![Stmt::if_else(
            layer_ok.lnot(),
            vec![code(BAD_LAYER)],
            vec![Stmt::if_else(
                op_token.land(pos_ok.lnot()),
                vec![code(BAD_POSITION)],
                vec![Stmt::if_else(
                    op_token.land(&tlast).lor(op_reset.land(tlast.lnot())),
                    vec![code(BAD_LENGTH)],
                    vec![code(0)],
                )],
            )],
        )],
    )]);

    m.comment("Handshake: TREADY depends on registers only, never on TVALID or TDATA.");
    let ready_state = in_data.mux(cur_free.e(), lit(1, 1));
    m.assign(&tready, enable.land(err_valid.lnot()).land(ready_state));
    m.assign(&accept, tvalid.land(&tready));

    let at_last_e = beat_part
        .eq(lit(pw, parts as u128 - 1))
        .land(beat_kind.eq(lit(2, 2)))
        .land(beat_head.eq(lit(hw, n_head as u128 - 1)));
    m.assign(&at_last, at_last_e);
    m.assign(&data_err, tlast.xor(&at_last));
    m.assign(
        &err_now,
        accept.land(
            in_header
                .land(hdr_code.ne(lit(4, 0)))
                .lor(in_data.land(&data_err)),
        ),
    );
    m.assign(&code_now, in_header.mux(&hdr_code, lit(4, BAD_LENGTH)));

    m.comment("Routing outputs, combinational with the handshake.");
    // The handshake of a data state, written without the header decode (TREADY there is
    // ENABLE, no error record and stage_free): no TDATA path into the routed beat.
    m.assign(
        &beat_valid,
        tvalid
            .land(&enable)
            .land(err_valid.lnot())
            .land(&cur_free)
            .land(&in_data)
            .land(data_err.lnot()),
    );
    m.assign(
        &beat_layer,
        in_header.mux(tdata.slice(7 + lw, 8), cur_layer.slice(lw - 1, 0)),
    );
    m.assign(&beat_pos, in_header.mux(&hdr_pos, &cur_pos));
    m.assign(&commit, beat_valid.land(&at_last));
    // A good RESET_WINDOW: the opcode, layer and length rules of `hdr_code`, written out so
    // that the position compare (TOKEN only) is not on its path.
    m.assign(
        &win_reset,
        accept
            .land(&in_header)
            .land(&op_reset)
            .land(&layer_ok)
            .land(&tlast),
    );
    let kind_bits: Vec<Expr> = (1..=4u128)
        .rev()
        .map(|k| err_now.land(code_now.eq(lit(4, k))))
        .collect();
    m.comment("Events, registered: each in the cycle after its handshake.");
    m.seq(
        &clk,
        &rst_n,
        vec![clear(&ev_token), clear(&ev_error), clear(&ev_err_kind)],
        vec![
            nb(&ev_token, &commit),
            nb(&ev_error, &err_now),
            nb(&ev_err_kind, e::cat(kind_bits)),
        ],
    );

    m.comment("The data of a routed beat, registered: the quantizers' first stage. On a gated");
    m.comment("clock (gca_clock_gate): it loads only with a routed beat.");
    let gclk_beat = super::clock_gate::gate_reset(&mut m, &clk, &rst_n, "beat", &beat_valid);
    m.seq(
        &gclk_beat,
        &rst_n,
        vec![clear(&beat_data)],
        vec![nb(&beat_data, &tdata)],
    );

    m.comment("Packet state and beat counters.");
    let counters_clear = vec![
        clear(&beat_head),
        clear(&beat_kind),
        clear(&beat_part),
        nb(&beat_sel, lit(sel_bits, 1)),
    ];
    // The one-hot moves with (head, kind): rotated by one, from the last head's v to head 0's q.
    let sel_next: Expr = if sel_bits == 1 {
        beat_sel.e()
    } else {
        e::cat(vec![
            beat_sel.slice(sel_bits - 2, 0),
            beat_sel.bit(sel_bits - 1),
        ])
    };
    let next_vector = vec![
        Stmt::if_else(
            beat_kind.eq(lit(2, 2)),
            vec![
                clear(&beat_kind),
                nb(&beat_head, wrap_inc(&beat_head, n_head)),
            ],
            vec![nb(&beat_kind, beat_kind.add(lit(2, 1)))],
        ),
        nb(&beat_sel, sel_next),
    ];
    // A vector in one beat: every data beat starts the next vector (beat_part stays 0).
    let advance = if parts == 1 {
        next_vector
    } else {
        vec![Stmt::if_else(
            beat_part.eq(lit(pw, parts as u128 - 1)),
            [vec![clear(&beat_part)], next_vector].concat(),
            vec![nb(&beat_part, wrap_inc(&beat_part, parts))],
        )]
    };
    let mut on_header = vec![nb(&cur_layer, &hdr_layer), nb(&cur_pos, &hdr_pos)];
    on_header.extend(counters_clear.clone());
    on_header.push(Stmt::if_else(
        hdr_code.ne(lit(4, 0)),
        vec![
            Stmt::Comment("bad header: dropped up to TLAST".into()),
            nb(&state, tlast.mux(&s_header, &s_drop)),
        ],
        vec![Stmt::if_then(&op_token, vec![nb(&state, &s_data)])],
    ));
    let on_data = vec![Stmt::if_else(
        &data_err,
        vec![
            Stmt::Comment("early TLAST ends the packet; a missing one drops up to TLAST".into()),
            nb(&state, tlast.mux(&s_header, &s_drop)),
        ],
        vec![Stmt::if_else(
            &at_last,
            vec![nb(&state, &s_header)],
            advance,
        )],
    )];
    let on_drop = vec![Stmt::if_then(&tlast, vec![nb(&state, &s_header)])];
    let body = vec![Stmt::if_then(
        &accept,
        vec![Stmt::case_closed(
            &state,
            2,
            vec![
                (vec![s_header.e()], on_header),
                (vec![s_data.e()], on_data),
                (vec![s_drop.e()], on_drop),
            ],
            vec![nb(&state, &s_header)],
        )],
    )];
    // With the soft reset, a packet still open after this cycle is dropped up to its TLAST.
    let open_next = accept.mux(tlast.lnot(), state.ne(&s_header));
    let body = vec![Stmt::if_else(
        &srst,
        vec![nb(&state, open_next.mux(&s_drop, &s_header))],
        body,
    )];
    let mut reset = vec![nb(&state, &s_header), clear(&cur_layer), clear(&cur_pos)];
    reset.extend(counters_clear);
    m.seq(&clk, &rst_n, reset, body);

    m.comment(
        "cur_pos + 1 in two registered halves (the high half takes the low half's carry a cycle later): valid from the third cycle after the header, and a commit comes at least three data beats after it.",
    );
    let inc_lo = reg(&mut m, "pos_inc_lo", 16, "cur_pos[15:0] + 1");
    let inc_c = reg(&mut m, "pos_inc_c", 1, "cur_pos[15:0] is all ones");
    let inc_hi = reg(&mut m, "pos_inc_hi", 16, "cur_pos[31:16] + pos_inc_c");
    m.seq(
        &clk,
        &rst_n,
        vec![clear(&inc_lo), clear(&inc_c), clear(&inc_hi)],
        vec![
            nb(&inc_lo, cur_pos.slice(15, 0).add(lit(16, 1))),
            nb(&inc_c, cur_pos.slice(15, 0).red_and()),
            nb(
                &inc_hi,
                inc_c.mux(cur_pos.slice(31, 16).add(lit(16, 1)), cur_pos.slice(31, 16)),
            ),
        ],
    );

    m.comment("Expected position per layer: RESET_WINDOW loads it, a commit increments it.");
    let mut body = Vec::new();
    for (l, ep) in exp_pos.iter().enumerate() {
        let l8 = lit(8, l as u128);
        body.push(Stmt::if_else(
            win_reset.land(hdr_layer.eq(l8.clone())),
            vec![nb(ep, &hdr_pos)],
            vec![Stmt::if_then(
                commit.land(cur_layer.eq(l8)),
                vec![nb(ep, e::cat(vec![inc_hi.e(), inc_lo.e()]))],
            )],
        ));
    }
    let positions_clear: Vec<Stmt> = exp_pos.iter().map(clear).collect();
    let body = vec![Stmt::if_else(&srst, positions_clear.clone(), body)];
    m.seq(&clk, &rst_n, positions_clear, body);

    m.comment("Error record: loaded at the deciding beat, held until err_ack.");
    let load = vec![
        nb(&err_valid, lit(1, 1)),
        nb(&err_code, &code_now),
        nb(&err_layer, in_header.mux(&hdr_layer, &cur_layer)),
        nb(&err_pos, in_header.mux(&hdr_pos, &cur_pos)),
    ];
    let body = vec![Stmt::if_else(
        &err_now,
        load,
        vec![Stmt::if_then(&err_ack, vec![clear(&err_valid)])],
    )];
    let reset = vec![
        clear(&err_valid),
        clear(&err_code),
        clear(&err_layer),
        clear(&err_pos),
    ];
    m.seq(&clk, &rst_n, reset, body);
    m
}
