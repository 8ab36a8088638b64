//! `gca_egress`: the AXI4-Stream source of result and error packets (docs/rtl.md, "Packets" and
//! "gca_egress").
//!
//! Sources: the error record of the ingress (`err_*`) and the result register of every layer
//! (`res_valid`, `res_pos`, `res_data` for beat `res_beat`). TVALID, TDATA and TLAST are
//! combinational from those registers and the egress state, so a header is offered in the first
//! cycle its source is valid while the egress is idle.
//!
//! - Arbitration when idle: the error record first, then the lowest layer with `res_valid`.
//!   When the offer is not accepted the choice is registered and held (AXI4-Stream stability:
//!   TDATA/TLAST do not change while TVALID is high and TREADY low).
//! - Error packet: one beat (status = err_code, layer = err_layer, position = err_pos) with
//!   TLAST; `err_ack` is high in the cycle it is accepted.
//! - Result packet: header (status 0, layer, `res_pos` of the layer), then `H * out_beats` data
//!   beats with TDATA = `res_data` of the layer while `res_beat` counts 0, 1, ...; TLAST on the
//!   last; `res_done[l]` is high in the cycle the last beat is accepted, `ev_result` (registered)
//!   in the cycle after.
//! - Timing: no idle cycle between packets: the cycle after the last beat of a packet is an
//!   idle cycle of the arbiter, which offers the next header in that same cycle. This relies on
//!   the sources dropping (or replacing) their valid at the end of the cycle of `err_ack` /
//!   `res_done`, as registered valids do.

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Kind, Module, Signal, Stmt};
use crate::rtl::common::{header_comment, index_width};
use crate::rtl::wires::follow;

/// Status of a result packet (header bits `[3:0]`).
pub const STATUS_RESULT: u128 = 0;

const S_IDLE: u128 = 0;
const S_HEADER: u128 = 1;
const S_DATA: u128 = 2;

fn lit(width: u32, value: u128) -> Expr {
    e::lit(width, value)
}

fn nb(lhs: &Signal, rhs: impl Into<Expr>) -> Stmt {
    Stmt::nonblocking(lhs, rhs)
}

fn bl(lhs: &Signal, rhs: impl Into<Expr>) -> Stmt {
    Stmt::blocking(lhs, rhs)
}

fn decl(m: &mut Module, kind: Kind, name: &str, width: u32, doc: &str) -> Signal {
    m.decl(Decl::new(name, kind, width).doc(doc))
}

fn port(m: &mut Module, kind: Kind, name: &str, width: u32, doc: &str) -> Signal {
    m.port(Decl::new(name, kind, width).doc(doc))
}

/// A header beat of `td` bits: status `[3:0]`, layer `[15:8]`, position `[47:16]`, zeros elsewhere.
fn header(td: u32, status: Expr, layer: Expr, pos: Expr) -> Expr {
    e::cat(vec![lit(td - 48, 0), pos, layer, lit(4, 0), status])
}

/// The `gca_egress` module of a configuration: ports exactly as the table in docs/rtl.md,
/// behaviour as the module documentation above.
///
/// # Panics
/// When the configuration was not validated (more than 256 layers, TDATA narrower than the
/// 48-bit header).
pub fn build(p: &Params) -> Module {
    let n_layer = p.shape.n_layer;
    let s = p.stream;
    let td = s.tdata_bits;
    let n_beats = p.shape.n_head * s.out_beats_per_head;
    assert!((1..=256).contains(&n_layer), "1..=256 layers");
    assert!(td >= 48, "TDATA holds the 48-bit header");
    let lw = index_width(n_layer);
    let bw = index_width(n_beats);
    let n_l = n_layer as u32;

    let mut m = Module::new("gca_egress");
    m.header_comment = header_comment(
        p,
        "gca_egress: AXI4-Stream source of result and error packets",
    );
    m.header_comment.extend(
        [
            "",
            "Header beat: [3:0] status (0 result, 1..4 error), [15:8] layer, [47:16] position.",
            "Idle arbitration: the error record first, then the lowest layer with res_valid; the",
            "choice is registered and held while TVALID is high and TREADY low.",
            "Error packet: the header alone with TLAST; err_ack in the cycle it is accepted.",
            &format!(
                "Result packet: header, then {n_beats} data beats (res_data of the layer for beat"
            ),
            "res_beat), TLAST on the last; res_done[layer] and ev_result in the cycle it is",
            "accepted. TVALID/TDATA/TLAST are combinational from registers (no input path from",
            "m_axis_tready). The next packet may start in the cycle after the last beat.",
        ]
        .map(String::from),
    );

    m.group("Clock and active-low asynchronous reset");
    let clk = m.input("clk", 1);
    let rst_n = m.input("rst_n", 1);

    m.group("Result stream (AXI4-Stream source)");
    let tdata = port(
        &mut m,
        Kind::Output,
        "m_axis_tdata",
        td,
        "header or data beat",
    );
    let tvalid = port(&mut m, Kind::Output, "m_axis_tvalid", 1, "");
    let tready = port(&mut m, Kind::Input, "m_axis_tready", 1, "");
    let tlast = port(
        &mut m,
        Kind::Output,
        "m_axis_tlast",
        1,
        "last beat of a packet",
    );

    m.group("Result registers of the layers");
    let res_valid = port(
        &mut m,
        Kind::Input,
        "res_valid",
        n_l,
        "per layer: a result waits",
    );
    let res_pos = port(
        &mut m,
        Kind::Input,
        "res_pos",
        32 * n_l,
        "layer l: bits [32 l +: 32]",
    );
    let res_beat = port(
        &mut m,
        Kind::OutputReg,
        "res_beat",
        bw,
        "data beat the layers present",
    );
    let res_data = port(
        &mut m,
        Kind::Input,
        "res_data",
        td * n_l,
        "layer l: beat res_beat in [TD l +: TD]",
    );
    let res_done = port(
        &mut m,
        Kind::Output,
        "res_done",
        n_l,
        "one cycle: last beat of layer l accepted",
    );

    m.group("Error record of the ingress");
    let err_valid = port(&mut m, Kind::Input, "err_valid", 1, "");
    let err_code = port(&mut m, Kind::Input, "err_code", 4, "status 1..4");
    let err_layer = port(&mut m, Kind::Input, "err_layer", 8, "");
    let err_pos = port(&mut m, Kind::Input, "err_pos", 32, "");
    let err_ack = port(
        &mut m,
        Kind::Output,
        "err_ack",
        1,
        "one cycle: the error packet was accepted",
    );

    m.group("Events (to the CSR counters)");
    let ev_result = port(
        &mut m,
        Kind::OutputReg,
        "ev_result",
        1,
        "one cycle, registered: a result packet was completed in the previous cycle",
    );

    // ---- state ----
    let s_idle = m.localparam("S_IDLE", 2, S_IDLE);
    let s_header = m.localparam("S_HEADER", 2, S_HEADER);
    let s_data = m.localparam("S_DATA", 2, S_DATA);
    let state = decl(
        &mut m,
        Kind::Reg,
        "state",
        2,
        "S_IDLE: arbitrate; S_HEADER: chosen header held; S_DATA: result beats",
    );
    let src_err = decl(
        &mut m,
        Kind::Reg,
        "src_err",
        1,
        "chosen source: the error record",
    );
    let src_layer = decl(
        &mut m,
        Kind::Reg,
        "src_layer",
        lw,
        "chosen source: this layer",
    );

    let idle = decl(&mut m, Kind::Wire, "idle", 1, "arbitrating this cycle");
    let in_data = decl(&mut m, Kind::Wire, "in_data", 1, "sending result beats");
    let pick_layer = decl(
        &mut m,
        Kind::Reg,
        "pick_layer",
        lw,
        "lowest layer with res_valid",
    );
    let any_res = decl(&mut m, Kind::Wire, "any_res", 1, "some layer has a result");
    let sel_err = decl(
        &mut m,
        Kind::Wire,
        "sel_err",
        1,
        "the offered header is the error",
    );
    let sel_layer = decl(
        &mut m,
        Kind::Wire,
        "sel_layer",
        lw,
        "layer of the offered header",
    );
    let sel_pos = decl(&mut m, Kind::Reg, "sel_pos", 32, "res_pos of sel_layer");
    let src_data = decl(&mut m, Kind::Reg, "src_data", td, "res_data of src_layer");
    let hdr = decl(&mut m, Kind::Wire, "hdr", td, "the offered header beat");
    let last_beat = decl(
        &mut m,
        Kind::Wire,
        "last_beat",
        1,
        "res_beat is the last data beat",
    );
    let accept = decl(&mut m, Kind::Wire, "accept", 1, "handshake");
    let done = decl(&mut m, Kind::Wire, "done", 1, "last data beat accepted");

    m.assign(&idle, state.eq(&s_idle));
    m.assign(&in_data, state.eq(&s_data));
    m.assign(&any_res, res_valid.red_or());

    m.comment("Lowest layer with a result (unrolled priority encoder).");
    let mut body = vec![bl(&pick_layer, lit(lw, 0))];
    for l in (0..n_layer).rev() {
        body.push(Stmt::if_then(
            res_valid.bit(l as u32),
            vec![bl(&pick_layer, lit(lw, l as u128))],
        ));
    }
    m.comb(body);

    m.comment("Source of the offer: the arbiter's pick when idle, else the registered choice.");
    m.assign(&sel_err, idle.mux(&err_valid, &src_err));
    m.assign(&sel_layer, idle.mux(&pick_layer, &src_layer));
    let mux_by = |sel: &Signal, out: &Signal, src: &Signal, w: u32| {
        let arms = (0..n_layer)
            .map(|l| {
                let body = vec![bl(out, src.slice(w * (l as u32) + w - 1, w * l as u32))];
                (vec![lit(lw, l as u128)], body)
            })
            .collect();
        Stmt::case_closed(sel, lw, arms, vec![bl(out, lit(w, 0))])
    };
    m.comb(vec![mux_by(&sel_layer, &sel_pos, &res_pos, 32)]);
    m.comb(vec![mux_by(&src_layer, &src_data, &res_data, td)]);

    let err_hdr = header(td, err_code.e(), err_layer.e(), err_pos.e());
    let res_hdr = header(
        td,
        lit(4, STATUS_RESULT),
        e::zext(&sel_layer, 8),
        sel_pos.e(),
    );
    m.assign(&hdr, sel_err.mux(err_hdr, res_hdr));

    m.comment("Stream outputs: combinational from registers only.");
    m.assign(&last_beat, res_beat.eq(lit(bw, n_beats as u128 - 1)));
    m.assign(&tvalid, idle.mux(err_valid.lor(&any_res), lit(1, 1)));
    m.assign(&tdata, in_data.mux(&src_data, &hdr));
    m.assign(&tlast, in_data.mux(&last_beat, &sel_err));
    m.assign(&accept, tvalid.land(&tready));
    m.assign(&done, accept.land(&in_data).land(&last_beat));
    m.assign(&err_ack, accept.land(in_data.lnot()).land(&sel_err));
    // Registered, like gca_ingress's events: the CSR counter counts a cycle later and the
    // stream handshake is not in front of its increment.
    follow(&mut m, &clk, &rst_n, &[(&ev_result, done.e())]);
    let done_bits: Vec<Expr> = (0..n_layer)
        .rev()
        .map(|l| done.land(src_layer.eq(lit(lw, l as u128))))
        .collect();
    m.assign(&res_done, e::cat(done_bits));

    m.comment("Packet state: the chosen source is registered whenever a header is offered.");
    let on_offer = vec![Stmt::if_else(
        &accept,
        vec![nb(&state, sel_err.mux(&s_idle, &s_data))],
        vec![nb(&state, &s_header)],
    )];
    let on_data = vec![Stmt::if_then(
        &accept,
        vec![Stmt::if_else(
            &last_beat,
            vec![nb(&state, &s_idle), nb(&res_beat, lit(bw, 0))],
            vec![nb(&res_beat, res_beat.add(lit(bw, 1)))],
        )],
    )];
    let body = vec![Stmt::if_else(
        &in_data,
        on_data,
        vec![Stmt::if_then(&tvalid, on_offer)],
    )];
    let reset = vec![nb(&state, &s_idle), nb(&res_beat, lit(bw, 0))];
    m.seq(&clk, &rst_n, reset, body);
    // The chosen source: loaded whenever a header is offered from idle, read only after (out
    // of idle the offer comes from the arbiter), so it has no reset.
    m.seq_no_reset(
        &clk,
        vec![Stmt::if_then(
            in_data.lnot().land(&tvalid).land(&idle),
            vec![nb(&src_err, &sel_err), nb(&src_layer, &sel_layer)],
        )],
    );
    m
}
