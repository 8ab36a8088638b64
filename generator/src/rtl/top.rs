//! gca_top: the whole accelerator: CSR block, token ingress, one gca_layer per transformer
//! layer, result egress, and the soft-reset sequencer.
//!
//! Soft reset (CONTROL.SOFT_RESET): one reset, `rst_n`, reaches every flip-flop; the soft
//! reset is a synchronous clear (`srst`), never an internally generated asynchronous reset.
//! From the cycle of the CSR pulse (the cycle the write's response is offered), the pulse and
//! then `sr_pend` hold TREADY low and keep every layer from starting QK, so that no beat sent
//! after the response is taken before the soft reset; once no layer is in QK (the analog sub-tiles have no reset and must not be left
//! with half-integrated scores: at most T_max + 1 cycles), `srst` is high for one cycle and
//! clears, at that edge, every window, expected position, staged, written and computing token
//! and the pending window clears. Kept: the CSR block, the egress (a packet being sent is
//! finished, TVALID is never dropped), each layer's result register (a result there is still
//! sent) and the ingress's error record (still sent). An input packet open at that edge is
//! consumed up to its TLAST and dropped without an error packet.

use crate::config::Params;
use crate::hdl::{e, Decl, Expr, Instance, Kind, Module, Signal, Stmt};

use super::common::{header_comment, index_width};
use super::head::scaler_bits;
use super::layer::result_data_beats;
use super::wires::let_wire;

pub fn build(p: &Params) -> Module {
    let s = p.shape;
    let nl = s.n_layer as u32;
    let td = p.stream.tdata_bits;
    let lw = index_width(s.n_layer);
    let hw = index_width(s.n_head);
    let pw = index_width(p.stream.in_beats_per_vector);
    let bw = index_width(result_data_beats(p));
    let aw = crate::regmap::RegMap::new(p).addr_bits();
    let per_layer = s.n_head as u32 * scaler_bits(p);

    let mut m = Module::new("gca_top");
    let supplies = super::common::add_supplies(&mut m, p);
    m.header_comment = header_comment(p, "gca_top: gain-cell attention accelerator (docs/rtl.md)");
    m.group("Clock and active-low asynchronous reset");
    let clk = m.input("clk", 1);
    let rst_n = m.input("rst_n", 1);
    m.group("Token packets in (AXI4-Stream)");
    let s_tdata = m.input("s_axis_tdata", td);
    let s_tvalid = m.input("s_axis_tvalid", 1);
    let s_tready = m.output("s_axis_tready", 1);
    let s_tlast = m.input("s_axis_tlast", 1);
    m.group("Result and error packets out (AXI4-Stream)");
    let m_tdata = m.output("m_axis_tdata", td);
    let m_tvalid = m.output("m_axis_tvalid", 1);
    let m_tready = m.input("m_axis_tready", 1);
    let m_tlast = m.output("m_axis_tlast", 1);
    m.group("Registers (AXI4-Lite, 32-bit)");
    let awaddr = m.input("s_axil_awaddr", aw);
    let awprot = m.input("s_axil_awprot", 3);
    let awvalid = m.input("s_axil_awvalid", 1);
    let awready = m.output("s_axil_awready", 1);
    let wdata = m.input("s_axil_wdata", 32);
    let wstrb = m.input("s_axil_wstrb", 4);
    let wvalid = m.input("s_axil_wvalid", 1);
    let wready = m.output("s_axil_wready", 1);
    let bresp = m.output("s_axil_bresp", 2);
    let bvalid = m.output("s_axil_bvalid", 1);
    let bready = m.input("s_axil_bready", 1);
    let araddr = m.input("s_axil_araddr", aw);
    let arprot = m.input("s_axil_arprot", 3);
    let arvalid = m.input("s_axil_arvalid", 1);
    let arready = m.output("s_axil_arready", 1);
    let rdata = m.output("s_axil_rdata", 32);
    let rresp = m.output("s_axil_rresp", 2);
    let rvalid = m.output("s_axil_rvalid", 1);
    let rready = m.input("s_axil_rready", 1);
    m.group("Interrupt");
    let irq =
        m.port(Decl::new("irq", Kind::Output, 1).doc("level: a sticky error bit of STATUS is set"));

    let w = |m: &mut Module, name: &str, width: u32| m.wire(name, width);
    // CSR block.
    let enable = w(&mut m, "enable", 1);
    let soft_reset = w(&mut m, "soft_reset", 1);
    let clear_windows = w(&mut m, "clear_windows", 1);
    let scalers = w(&mut m, "scalers", nl * per_layer);
    let ev_token = w(&mut m, "ev_token", 1);
    let ev_error = w(&mut m, "ev_error", 1);
    let ev_result = w(&mut m, "ev_result", 1);
    let ev_err_kind = w(&mut m, "ev_err_kind", 4);
    let busy = w(&mut m, "busy", 1);
    m.instance(
        Instance::new("gca_csr", "u_csr")
            .pin("clk", &clk)
            .pin("rst_n", &rst_n)
            .pin("s_axil_awaddr", &awaddr)
            .pin("s_axil_awprot", &awprot)
            .pin("s_axil_awvalid", &awvalid)
            .pin("s_axil_awready", &awready)
            .pin("s_axil_wdata", &wdata)
            .pin("s_axil_wstrb", &wstrb)
            .pin("s_axil_wvalid", &wvalid)
            .pin("s_axil_wready", &wready)
            .pin("s_axil_bresp", &bresp)
            .pin("s_axil_bvalid", &bvalid)
            .pin("s_axil_bready", &bready)
            .pin("s_axil_araddr", &araddr)
            .pin("s_axil_arprot", &arprot)
            .pin("s_axil_arvalid", &arvalid)
            .pin("s_axil_arready", &arready)
            .pin("s_axil_rdata", &rdata)
            .pin("s_axil_rresp", &rresp)
            .pin("s_axil_rvalid", &rvalid)
            .pin("s_axil_rready", &rready)
            .pin("irq", &irq)
            .pin("enable", &enable)
            .pin("soft_reset", &soft_reset)
            .pin("clear_windows", &clear_windows)
            .pin("scalers", &scalers)
            .pin("ev_token", &ev_token)
            .pin("ev_error", &ev_error)
            .pin("ev_result", &ev_result)
            .pin("ev_err_kind", &ev_err_kind)
            .pin("busy", &busy),
    );
    let in_qk = w(&mut m, "in_qk", nl);
    let sr_pend = m.decl(
        Decl::new("sr_pend", Kind::Reg, 1)
            .doc("a soft reset waits for no layer in QK (input held, no QK starts)"),
    );
    let srst = m.decl(
        Decl::new("srst", Kind::Reg, 1).doc("the soft reset: a synchronous clear, one cycle"),
    );
    m.seq(
        &clk,
        &rst_n,
        vec![crate::hdl::clear(&sr_pend), crate::hdl::clear(&srst)],
        vec![
            Stmt::nonblocking(&sr_pend, soft_reset.lor(sr_pend.land(srst.lnot()))),
            Stmt::nonblocking(&srst, sr_pend.land(srst.lnot()).land(in_qk.red_or().lnot())),
        ],
    );
    // The pulse itself already holds the input and QK: it is high in the cycle the write's
    // response is first offered, so a beat sent with or after the response waits.
    let sr_hold = let_wire(&mut m, "sr_hold", soft_reset.lor(&sr_pend));
    let in_enable = let_wire(&mut m, "in_enable", enable.land(sr_hold.lnot()));

    // Ingress.
    let stage_free = w(&mut m, "stage_free", nl);
    let beat_data = w(&mut m, "beat_data", td);
    let beat_valid = w(&mut m, "beat_valid", 1);
    let beat_layer = w(&mut m, "beat_layer", lw);
    let beat_head = w(&mut m, "beat_head", hw);
    let beat_kind = w(&mut m, "beat_kind", 2);
    let beat_sel = w(&mut m, "beat_sel", 3 * p.shape.n_head as u32);
    let beat_part = w(&mut m, "beat_part", pw);
    let beat_pos = w(&mut m, "beat_pos", 32);
    let commit = w(&mut m, "commit", 1);
    let win_reset = w(&mut m, "win_reset", 1);
    let err_valid = w(&mut m, "err_valid", 1);
    let err_code = w(&mut m, "err_code", 4);
    let err_layer = w(&mut m, "err_layer", 8);
    let err_pos = w(&mut m, "err_pos", 32);
    let err_ack = w(&mut m, "err_ack", 1);
    m.instance(
        Instance::new("gca_ingress", "u_ingress")
            .pin("clk", &clk)
            .pin("rst_n", &rst_n)
            .pin("srst", &srst)
            .pin("s_axis_tdata", &s_tdata)
            .pin("s_axis_tvalid", &s_tvalid)
            .pin("s_axis_tready", &s_tready)
            .pin("s_axis_tlast", &s_tlast)
            .pin("enable", &in_enable)
            .pin("stage_free", &stage_free)
            .pin("beat_data", &beat_data)
            .pin("beat_valid", &beat_valid)
            .pin("beat_layer", &beat_layer)
            .pin("beat_head", &beat_head)
            .pin("beat_kind", &beat_kind)
            .pin("beat_sel", &beat_sel)
            .pin("beat_part", &beat_part)
            .pin("beat_pos", &beat_pos)
            .pin("commit", &commit)
            .pin("win_reset", &win_reset)
            .pin("err_valid", &err_valid)
            .pin("err_code", &err_code)
            .pin("err_layer", &err_layer)
            .pin("err_pos", &err_pos)
            .pin("err_ack", &err_ack)
            .pin("ev_token", &ev_token)
            .pin("ev_error", &ev_error)
            .pin("ev_err_kind", &ev_err_kind),
    );

    // Layers.
    let res_beat = w(&mut m, "res_beat", bw);
    let res_done = w(&mut m, "res_done", nl);
    let mut per: [Vec<Expr>; 6] = Default::default();
    for l in 0..nl {
        let names = [
            "stage_free",
            "busy",
            "res_valid",
            "res_pos",
            "res_data",
            "in_qk",
        ];
        let widths = [1, 1, 1, 32, td, 1];
        let outs: Vec<Signal> = names
            .iter()
            .zip(widths)
            .map(|(n, wd)| m.wire(&format!("{n}{l}"), wd))
            .collect();
        m.instance(
            Instance::new("gca_layer", &format!("u_layer{l}"))
                .supplies(&supplies)
                .pin("clk", &clk)
                .pin("layer_id", e::lit(lw, l as u128))
                .pin("rst_n", &rst_n)
                .pin("hold", &sr_hold)
                .pin("srst", &srst)
                .pin("beat_valid", &beat_valid)
                .pin("beat_layer", &beat_layer)
                .pin("beat_head", &beat_head)
                .pin("beat_kind", &beat_kind)
                .pin("beat_sel", &beat_sel)
                .pin("beat_part", &beat_part)
                .pin("beat_data", &beat_data)
                .pin("beat_pos", &beat_pos)
                .pin("commit", &commit)
                .pin("win_reset", &win_reset)
                .pin("clear_windows", &clear_windows)
                .pin(
                    "scalers",
                    scalers.slice(per_layer * l + per_layer - 1, per_layer * l),
                )
                .pin("stage_free", &outs[0])
                .pin("busy", &outs[1])
                .pin("res_beat", &res_beat)
                .pin("res_done", res_done.bit(l))
                .pin("res_valid", &outs[2])
                .pin("res_pos", &outs[3])
                .pin("res_data", &outs[4])
                .pin("in_qk", &outs[5]),
        );
        for (v, o) in per.iter_mut().zip(&outs) {
            v.push(o.e());
        }
    }
    let bus = |v: &[Expr]| -> Expr {
        if v.len() == 1 {
            v[0].clone()
        } else {
            e::cat(v.iter().rev().cloned().collect())
        }
    };
    m.assign(&stage_free, bus(&per[0]));
    m.assign(&busy, bus(&per[1]).red_or());
    let res_valid = let_wire(&mut m, "res_valid", bus(&per[2]));
    let res_pos = let_wire(&mut m, "res_pos", bus(&per[3]));
    let res_data = let_wire(&mut m, "res_data", bus(&per[4]));
    m.assign(&in_qk, bus(&per[5]));

    // Egress.
    m.instance(
        Instance::new("gca_egress", "u_egress")
            .pin("clk", &clk)
            .pin("rst_n", &rst_n)
            .pin("m_axis_tdata", &m_tdata)
            .pin("m_axis_tvalid", &m_tvalid)
            .pin("m_axis_tready", &m_tready)
            .pin("m_axis_tlast", &m_tlast)
            .pin("res_valid", &res_valid)
            .pin("res_pos", &res_pos)
            .pin("res_beat", &res_beat)
            .pin("res_data", &res_data)
            .pin("res_done", &res_done)
            .pin("err_valid", &err_valid)
            .pin("err_code", &err_code)
            .pin("err_layer", &err_layer)
            .pin("err_pos", &err_pos)
            .pin("err_ack", &err_ack)
            .pin("ev_result", &ev_result),
    );
    m
}
