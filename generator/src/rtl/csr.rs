//! `gca_csr`: the AXI4-Lite register block (docs/rtl.md), built from the register map
//! ([`crate::regmap::RegMap`]) so that the RTL and the documents cannot disagree.
//!
//! # Bus behaviour
//! - Write: AW and W are accepted independently (`awready = !aw_held`, `wready = !w_held`), each
//!   held in a register until the write is performed, in the first cycle with both held and no
//!   response waiting. The write then updates the addressed register, sets BVALID with OKAY or
//!   SLVERR, and frees both holding registers; BVALID stays high until BREADY. One write is
//!   outstanding at a time (the next AW/W may be accepted while B waits; they are performed
//!   after the B handshake).
//! - Read: `arready = !rvalid`; an accepted address is decoded in the same cycle and RDATA /
//!   RRESP are registered with RVALID, held until RREADY. A read of CYCLES_LO latches the high
//!   word of the cycle counter into CYCLES_HI.
//! - No ready depends combinationally on any input. The reset (`rst_n`, active low) is
//!   asynchronous.
//!
//! # Datapath side
//! `enable` (CONTROL.ENABLE, reset 1), `soft_reset` and `clear_windows` (registered one-cycle
//! pulses in the cycle after the write), `scalers` (every scaler register; layout in
//! [`crate::regmap`]), `irq` (any sticky STATUS flag). The events `ev_token`, `ev_error`,
//! `ev_result` count into TOKENS, ERRORS and RESULTS; `ev_err_kind` (one-hot) sets the sticky
//! flags, and a set wins over a clear in the same cycle. `gca_ingress` and `gca_egress`
//! register their events (they arrive a cycle after the handshake). `soft_reset` does not reset
//! the CSRs.
//!
//! The scalers are a register file: one memory per register of a head (`q_gain[n]` is head n's
//! Q_GAIN), written by head and register index with byte strobes and read back by index. The
//! read decode is one `case` over the full byte address of the fixed registers; its default
//! reads the scalers by index, and answers SLVERR outside them (holes, misaligned addresses).

use crate::config::Params;
use crate::hdl::{clear, e, index_width, Decl, Expr, Kind, Module, Signal, Stmt};
use crate::regmap::{RegMap, Register};

use super::common::header_comment;

/// The module's name.
pub const MODULE: &str = "gca_csr";

/// AXI response codes.
const OKAY: u128 = 0b00;
const SLVERR: u128 = 0b10;

/// The `gca_csr` module of a configuration.
pub fn build(p: &Params) -> Module {
    build_from_map(p, &RegMap::new(p))
}

/// `s_axil_<name>`
fn axi(name: &str) -> String {
    format!("s_axil_{name}")
}

fn port(m: &mut Module, name: &str, kind: Kind, width: u32, doc: &str) -> Signal {
    m.port(Decl::new(name, kind, width).doc(doc))
}

/// A 32-bit read value from (lsb, expression) parts, zeros elsewhere.
fn compose(mut parts: Vec<(u32, Expr)>) -> Expr {
    parts.sort_by_key(|(lsb, _)| *lsb);
    let mut out = Vec::new();
    let mut next = 0;
    for (lsb, x) in parts {
        assert!(lsb >= next, "overlapping read fields");
        if lsb > next {
            out.push(e::lit(lsb - next, 0));
        }
        next = lsb + x.width();
        out.push(x);
    }
    if next < 32 {
        out.push(e::lit(32 - next, 0));
    }
    out.reverse();
    if out.len() == 1 {
        out.pop().expect("one part")
    } else {
        e::cat(out)
    }
}

fn field_lsb(r: &Register, name: &str) -> u32 {
    r.field(name)
        .unwrap_or_else(|| panic!("{} has no field {name}", r.name))
        .lsb
}

/// `gca_csr` for a configuration and its register map (`RegMap::new(p)`).
pub fn build_from_map(p: &Params, map: &RegMap) -> Module {
    let aw = map.addr_bits();
    let wd = map.write_data_bits();
    let ws = wd.div_ceil(8);
    let s = &map.scalers;
    let mut m = Module::new(MODULE);
    m.header_comment = header_comment(
        p,
        "gca_csr: AXI4-Lite control and status registers, counters, per-head scalers (register map in regmap/)",
    );

    m.group("Clock and active-low asynchronous reset");
    let clk = m.input("clk", 1);
    let rst_n = m.input("rst_n", 1);

    m.group("AXI4-Lite slave: write address");
    let awaddr = port(&mut m, &axi("awaddr"), Kind::Input, aw, "byte address");
    m.port(Decl::new(&axi("awprot"), Kind::Input, 3).waive(
        "UNUSEDSIGNAL",
        "protection attributes: every access is treated alike",
    ));
    let awvalid = m.input(&axi("awvalid"), 1);
    let awready = m.output(&axi("awready"), 1);

    m.group("AXI4-Lite slave: write data");
    let mut wdata_decl = Decl::new(&axi("wdata"), Kind::Input, 32);
    if wd < 32 {
        wdata_decl = wdata_decl.waive(
            "UNUSEDSIGNAL",
            &format!("writes keep the low bits: no writable field reaches bit {wd}"),
        );
    }
    let wdata = m.port(wdata_decl);
    let mut wstrb_decl = Decl::new(&axi("wstrb"), Kind::Input, 4).doc("byte enables");
    if ws < 4 {
        wstrb_decl = wstrb_decl.waive(
            "UNUSEDSIGNAL",
            &format!("no writable field reaches byte lane {ws}"),
        );
    }
    let wstrb = m.port(wstrb_decl);
    let wvalid = m.input(&axi("wvalid"), 1);
    let wready = m.output(&axi("wready"), 1);

    m.group("AXI4-Lite slave: write response");
    let bresp = port(&mut m, &axi("bresp"), Kind::OutputReg, 2, "OKAY or SLVERR");
    let bvalid = m.output_reg(&axi("bvalid"), 1);
    let bready = m.input(&axi("bready"), 1);

    m.group("AXI4-Lite slave: read address");
    let araddr = port(&mut m, &axi("araddr"), Kind::Input, aw, "byte address");
    m.port(Decl::new(&axi("arprot"), Kind::Input, 3).waive(
        "UNUSEDSIGNAL",
        "protection attributes: every access is treated alike",
    ));
    let arvalid = m.input(&axi("arvalid"), 1);
    let arready = m.output(&axi("arready"), 1);

    m.group("AXI4-Lite slave: read data");
    let rdata = m.output_reg(&axi("rdata"), 32);
    let rresp = port(&mut m, &axi("rresp"), Kind::OutputReg, 2, "OKAY or SLVERR");
    let rvalid = m.output_reg(&axi("rvalid"), 1);
    let rready = m.input(&axi("rready"), 1);

    m.group("Interrupt");
    let irq = port(
        &mut m,
        "irq",
        Kind::Output,
        1,
        "level: a sticky STATUS error flag is set",
    );

    m.group("Control and scalers to the datapath");
    let enable = port(
        &mut m,
        "enable",
        Kind::OutputReg,
        1,
        "CONTROL.ENABLE: the input stream may run",
    );
    let soft_reset = port(
        &mut m,
        "soft_reset",
        Kind::OutputReg,
        1,
        "one-cycle pulse: CONTROL.SOFT_RESET written 1",
    );
    let clear_windows = port(
        &mut m,
        "clear_windows",
        Kind::OutputReg,
        1,
        "one-cycle pulse: CONTROL.CLEAR_WINDOWS written 1",
    );
    let scalers = port(
        &mut m,
        "scalers",
        Kind::Output,
        s.heads() * s.bits_per_head,
        &format!(
            "head n = layer * {} + head at bit n * {}: q/k/v gain and offset, o_gain, o_offset",
            s.n_head, s.bits_per_head
        ),
    );

    m.group("Events and status from the datapath");
    let ev_token = port(&mut m, "ev_token", Kind::Input, 1, "a TOKEN was committed");
    let ev_error = port(&mut m, "ev_error", Kind::Input, 1, "a packet was dropped");
    let ev_result = port(
        &mut m,
        "ev_result",
        Kind::Input,
        1,
        "a result packet was sent",
    );
    let ev_err_kind = port(
        &mut m,
        "ev_err_kind",
        Kind::Input,
        4,
        "one-hot kind of the dropped packet (bit k-1 for status k)",
    );
    let busy = port(&mut m, "busy", Kind::Input, 1, "STATUS.BUSY");

    // Addresses of the fixed registers.
    let addr_of: Vec<(String, Signal)> = map
        .registers
        .iter()
        .map(|r| {
            let name = format!("ADDR_{}", r.name);
            (r.name.clone(), m.localparam(&name, aw, r.offset as u128))
        })
        .collect();
    let addr = |name: &str| -> Signal {
        addr_of
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no register {name}"))
            .1
            .clone()
    };
    let reg_of = |name: &str| {
        map.get(name)
            .unwrap_or_else(|| panic!("no register {name}"))
    };

    // Declarations.
    let aw_held = m.decl(Decl::new("aw_held", Kind::Reg, 1).doc("a write address waits"));
    let aw_addr = m.decl(Decl::new("aw_addr", Kind::Reg, aw).doc("the held write address"));
    let w_held = m.decl(Decl::new("w_held", Kind::Reg, 1).doc("write data wait"));
    let w_data = m.decl(Decl::new("w_data", Kind::Reg, wd).doc("the held write data (low bits)"));
    let w_strb = m.decl(Decl::new("w_strb", Kind::Reg, ws).doc("the held byte enables"));
    let wr_fire = m.decl(Decl::new("wr_fire", Kind::Wire, 1).doc("the held write is performed"));
    let wr_err =
        m.decl(Decl::new("wr_err", Kind::Reg, 1).doc("the held write is refused (SLVERR)"));
    let ar_fire = m.decl(Decl::new("ar_fire", Kind::Wire, 1).doc("a read address is accepted"));
    let rd_data = m.decl(Decl::new("rd_data", Kind::Reg, 32).doc("read value of araddr"));
    let rd_err = m.decl(Decl::new("rd_err", Kind::Reg, 1).doc("araddr is not readable (SLVERR)"));
    let ctrl_write =
        m.decl(Decl::new("ctrl_write", Kind::Wire, 1).doc("byte 0 of CONTROL is written"));
    let status_reg = reg_of("STATUS");
    let flags_lsb = field_lsb(status_reg, "BAD_LENGTH");
    let names = ["BAD_LENGTH", "BAD_OPCODE", "BAD_LAYER", "BAD_POSITION"];
    for (i, n) in names.iter().enumerate() {
        assert_eq!(field_lsb(status_reg, n), flags_lsb + i as u32);
    }
    assert!(flags_lsb + 4 <= 8, "the sticky flags live in byte 0");
    let err_flags = m.decl(
        Decl::new("err_flags", Kind::Reg, 4)
            .doc("STATUS sticky flags: length, opcode, layer, position"),
    );
    let status_clear =
        m.decl(Decl::new("status_clear", Kind::Wire, 4).doc("STATUS flags written 1 this cycle"));
    let cnt_tokens = m.decl(Decl::new("cnt_tokens", Kind::Reg, 32).doc("TOKENS"));
    let cnt_errors = m.decl(Decl::new("cnt_errors", Kind::Reg, 32).doc("ERRORS"));
    let cnt_results = m.decl(Decl::new("cnt_results", Kind::Reg, 32).doc("RESULTS"));
    let cyc_lo = m.decl(Decl::new("cyc_lo", Kind::Reg, 32).doc("cycles since reset, low word"));
    let cyc_hi = m.decl(Decl::new("cyc_hi", Kind::Reg, 32).doc("high word"));
    let cyc_carry =
        m.decl(Decl::new("cyc_carry", Kind::Reg, 1).doc("cyc_lo is all ones: cyc_hi increments"));
    let cycles_hi = m.decl(
        Decl::new("cycles_hi", Kind::Reg, 32)
            .doc("CYCLES_HI: high word latched by reading CYCLES_LO"),
    );
    // The scalers: one memory per register of a head, word n for head n, and the head and
    // register indices of the write and read addresses.
    assert_eq!(
        s.stride,
        4 * s.registers.len() as u32,
        "the scaler block has no holes"
    );
    assert!(s.stride.is_power_of_two() && s.base.is_multiple_of(s.stride));
    let heads = s.heads();
    let hw = index_width(heads);
    let rw = index_width(s.registers.len() as u32);
    let sh = s.stride.trailing_zeros();
    let mems: Vec<(Signal, u32)> = s
        .registers
        .iter()
        .map(|r| {
            let f = &r.fields[0];
            let name = r.name.to_lowercase();
            let doc = format!(
                "{} of head n at 0x{:X} + 0x{:X} * n + 0x{:X}",
                r.name, s.base, s.stride, r.offset
            );
            let sig = m.decl(Decl::register_file(&name, f.width, heads).doc(&doc));
            (sig, f.reset)
        })
        .collect();
    let wr_scaler = m
        .decl(Decl::new("wr_scaler", Kind::Wire, 1).doc("the held write is performed on a scaler"));
    let wr_head = m.decl(Decl::new("wr_head", Kind::Wire, hw).doc("head of the write address"));
    let ar_scaler =
        m.decl(Decl::new("ar_scaler", Kind::Wire, 1).doc("araddr is a scaler register"));
    let rd_head = m.decl(Decl::new("rd_head", Kind::Wire, hw).doc("head of the read address"));
    let rd_words: Vec<Signal> = s
        .registers
        .iter()
        .zip(&mems)
        .map(|(r, (mem, _))| {
            let name = format!("rd_{}", r.name.to_lowercase());
            let doc = format!("{} of the head read", r.name);
            m.decl(Decl::new(&name, Kind::Wire, mem.width).doc(&doc))
        })
        .collect();

    let one = |x: &Signal| x.e();
    let lit1 = |v: u128| e::lit(1, v);

    // Handshakes.
    m.comment("AXI4-Lite handshakes: AW and W are held until the write is performed.");
    m.assign(&awready, aw_held.not());
    m.assign(&wready, w_held.not());
    m.assign(&arready, rvalid.not());
    m.assign(&wr_fire, aw_held.and(&w_held).and(bvalid.not()));
    m.assign(&ar_fire, arvalid.and(&arready));

    // Write channel.
    let resp = |err: &Signal| err.mux(e::bin(2, SLVERR), e::bin(2, OKAY));
    m.seq(
        &clk,
        &rst_n,
        vec![
            clear(&aw_held),
            clear(&aw_addr),
            clear(&w_held),
            clear(&w_data),
            clear(&w_strb),
            clear(&bvalid),
            clear(&bresp),
        ],
        vec![
            Stmt::if_then(
                awvalid.and(&awready),
                vec![
                    Stmt::nonblocking(&aw_held, lit1(1)),
                    Stmt::nonblocking(&aw_addr, &awaddr),
                ],
            ),
            Stmt::if_then(
                wvalid.and(&wready),
                vec![
                    Stmt::nonblocking(&w_held, lit1(1)),
                    Stmt::nonblocking(&w_data, wdata.slice(wd - 1, 0)),
                    Stmt::nonblocking(&w_strb, wstrb.slice(ws - 1, 0)),
                ],
            ),
            Stmt::if_else(
                one(&wr_fire),
                vec![
                    Stmt::nonblocking(&aw_held, lit1(0)),
                    Stmt::nonblocking(&w_held, lit1(0)),
                    Stmt::nonblocking(&bvalid, lit1(1)),
                    Stmt::nonblocking(&bresp, resp(&wr_err)),
                ],
                vec![Stmt::if_then(
                    bvalid.and(&bready),
                    vec![Stmt::nonblocking(&bvalid, lit1(0))],
                )],
            ),
        ],
    );

    // Write decode: which writes are refused.
    let (first, last) = (s.base, s.end() - 4);
    let writable: Vec<Expr> = map
        .registers
        .iter()
        .filter(|r| r.writable())
        .map(|r| addr(&r.name).e())
        .collect();
    assert!(s.registers.iter().all(Register::writable));
    let in_scalers = |a: &Signal| {
        a.ge(e::hex(aw, first as u128))
            .land(a.le(e::hex(aw, last as u128)))
            .land(a.slice(1, 0).eq(e::bin(2, 0)))
    };
    // The head of an address: its bits above the stride, less the base's when the block does
    // not start at a multiple of (stride * 2^hw).
    let head_of = |m: &mut Module, a: &Signal, target: &Signal, what: &str| {
        let base_head = (s.base / s.stride) as u128;
        if base_head.is_multiple_of(1u128 << hw) {
            m.assign(
                target,
                if hw == 1 {
                    a.bit(sh)
                } else {
                    a.slice(sh + hw - 1, sh)
                },
            );
            return;
        }
        let tw = aw - sh;
        let less_base = a.slice(aw - 1, sh).sub(e::lit(tw, base_head));
        if tw == hw {
            m.assign(target, less_base);
            return;
        }
        let name = format!("{what}_hoff");
        let mut decl = Decl::new(&name, Kind::Wire, tw).doc(&format!(
            "{} bits above the stride, less the base's",
            a.name
        ));
        if tw > hw {
            decl = decl.waive(
                "UNUSEDSIGNAL",
                "the high bits are zero within the scaler block, which the range check tests",
            );
        }
        let off = m.decl(decl);
        m.assign(&off, less_base);
        m.assign(target, off.slice(hw - 1, 0));
    };
    m.comment(&format!(
        "Writes to read-only, unmapped or misaligned addresses answer SLVERR; the scalers span 0x{first:X} .. 0x{:X}.",
        s.end() - 1
    ));
    m.comb(vec![
        Stmt::blocking(&wr_err, lit1(1)),
        Stmt::case(
            &aw_addr,
            vec![(writable, vec![Stmt::blocking(&wr_err, lit1(0))])],
            vec![Stmt::blocking(&wr_err, in_scalers(&aw_addr).lnot())],
        ),
    ]);

    // Read decode.
    let mut arms: Vec<(Vec<Expr>, Vec<Stmt>)> = Vec::new();
    for r in &map.registers {
        let value = if r.constant {
            e::hex(32, r.reset as u128)
        } else {
            match r.name.as_str() {
                "CONTROL" => compose(vec![(field_lsb(r, "ENABLE"), enable.e())]),
                "STATUS" => compose(vec![
                    (flags_lsb, err_flags.e()),
                    (field_lsb(r, "BUSY"), busy.e()),
                ]),
                "TOKENS" => cnt_tokens.e(),
                "ERRORS" => cnt_errors.e(),
                "RESULTS" => cnt_results.e(),
                "CYCLES_LO" => cyc_lo.e(),
                "CYCLES_HI" => cycles_hi.e(),
                other => panic!("register {other} has no read source in gca_csr"),
            }
        };
        arms.push((
            vec![addr(&r.name).e()],
            vec![Stmt::blocking(&rd_data, value)],
        ));
    }
    m.comment("Scaler reads: the words of the head addressed, by register.");
    m.assign(&ar_scaler, in_scalers(&araddr));
    head_of(&mut m, &araddr, &rd_head, "rd");
    for (word, (mem, _)) in rd_words.iter().zip(&mems) {
        m.assign(word, mem.word(&rd_head));
    }
    let kind_arms = |words: &[Signal]| -> Vec<(Vec<Expr>, Vec<Stmt>)> {
        words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                (
                    vec![e::lit(rw, i as u128)],
                    vec![Stmt::blocking(&rd_data, e::sext(w, 32))],
                )
            })
            .collect()
    };
    let scaler_read = Stmt::if_else(
        &ar_scaler,
        vec![Stmt::case_closed(
            araddr.slice(sh - 1, 2),
            rw,
            kind_arms(&rd_words),
            vec![],
        )],
        vec![Stmt::blocking(&rd_err, lit1(1))],
    );
    m.comment("Read decode: unmapped and misaligned addresses answer SLVERR and read 0; the scalers are read by head and register.");
    m.comb(vec![
        Stmt::blocking(&rd_data, e::lit(32, 0)),
        Stmt::blocking(&rd_err, lit1(0)),
        Stmt::case(&araddr, arms, vec![scaler_read]),
    ]);

    // Read channel.
    m.comment("Read channel: RDATA/RRESP registered at the address handshake, held until RREADY.");
    m.seq(
        &clk,
        &rst_n,
        vec![
            clear(&rvalid),
            clear(&rdata),
            clear(&rresp),
            clear(&cycles_hi),
        ],
        vec![Stmt::if_else(
            one(&ar_fire),
            vec![
                Stmt::nonblocking(&rvalid, lit1(1)),
                Stmt::nonblocking(&rdata, &rd_data),
                Stmt::nonblocking(&rresp, resp(&rd_err)),
                Stmt::if_then(
                    araddr.eq(addr("CYCLES_LO")),
                    vec![Stmt::nonblocking(&cycles_hi, &cyc_hi)],
                ),
            ],
            vec![Stmt::if_then(
                rvalid.and(&rready),
                vec![Stmt::nonblocking(&rvalid, lit1(0))],
            )],
        )],
    );

    // CONTROL.
    let control = reg_of("CONTROL");
    let bit = |name: &str| {
        let lsb = field_lsb(control, name);
        assert!(lsb < 8, "CONTROL fields live in byte 0");
        w_data.bit(lsb)
    };
    m.comment("CONTROL: ENABLE (reset 1) and the one-cycle command pulses.");
    m.assign(
        &ctrl_write,
        wr_fire.and(aw_addr.eq(addr("CONTROL"))).and(w_strb.bit(0)),
    );
    m.seq(
        &clk,
        &rst_n,
        vec![
            Stmt::nonblocking(&enable, lit1(1)),
            clear(&soft_reset),
            clear(&clear_windows),
        ],
        vec![
            Stmt::nonblocking(&soft_reset, ctrl_write.and(bit("SOFT_RESET"))),
            Stmt::nonblocking(&clear_windows, ctrl_write.and(bit("CLEAR_WINDOWS"))),
            Stmt::if_then(
                one(&ctrl_write),
                vec![Stmt::nonblocking(&enable, bit("ENABLE"))],
            ),
        ],
    );

    // STATUS.
    m.comment("STATUS: sticky error flags, write 1 to clear; a new error wins over a clear.");
    let status_write = wr_fire.and(aw_addr.eq(addr("STATUS"))).and(w_strb.bit(0));
    m.assign(
        &status_clear,
        status_write.mux(w_data.slice(flags_lsb + 3, flags_lsb), e::lit(4, 0)),
    );
    m.seq(
        &clk,
        &rst_n,
        vec![clear(&err_flags)],
        vec![Stmt::nonblocking(
            &err_flags,
            err_flags.and(status_clear.not()).or(&ev_err_kind),
        )],
    );
    m.assign(&irq, err_flags.red_or());

    // Counters.
    m.comment("Event counters (wrapping) and the 64-bit cycle counter: two 32-bit halves, the high one incremented by a carry registered a cycle ahead (the same count, no 64-bit carry chain).");
    let count = |c: &Signal, ev: &Signal| Stmt::nonblocking(c, ev.mux(c.add(e::lit(32, 1)), c));
    m.seq(
        &clk,
        &rst_n,
        vec![
            clear(&cnt_tokens),
            clear(&cnt_errors),
            clear(&cnt_results),
            clear(&cyc_lo),
            clear(&cyc_hi),
            clear(&cyc_carry),
        ],
        vec![
            count(&cnt_tokens, &ev_token),
            count(&cnt_errors, &ev_error),
            count(&cnt_results, &ev_result),
            Stmt::nonblocking(&cyc_lo, cyc_lo.add(e::lit(32, 1))),
            Stmt::nonblocking(&cyc_carry, cyc_lo.eq(e::hex(32, 0xFFFF_FFFE))),
            count(&cyc_hi, &cyc_carry),
        ],
    );

    // Scalers: one process, the memories written by head and register, per byte lane.
    m.comment(&format!(
        "Scalers: head n's registers are word n of the memories (reset: the default scalers); a write keeps the low bits, per byte lane (0x{first:X} .. 0x{:X}).",
        s.end() - 1
    ));
    m.assign(&wr_scaler, wr_fire.and(in_scalers(&aw_addr)));
    head_of(&mut m, &aw_addr, &wr_head, "wr");
    let mut reset = Vec::new();
    for (mem, value) in &mems {
        for n in 0..heads {
            reset.push(Stmt::nonblocking(
                mem.word(e::lit(hw, n as u128)),
                e::hex(mem.width, *value as u128),
            ));
        }
    }
    let arms = mems
        .iter()
        .enumerate()
        .map(|(i, (mem, _))| {
            let w = mem.width;
            let lanes = (0..w.div_ceil(8))
                .map(|b| {
                    let (lo, hi) = (8 * b, (8 * b + 8).min(w) - 1);
                    Stmt::if_then(
                        w_strb.bit(b),
                        vec![Stmt::nonblocking(
                            mem.word_slice(&wr_head, hi, lo),
                            w_data.slice(hi, lo),
                        )],
                    )
                })
                .collect();
            (vec![e::lit(rw, i as u128)], lanes)
        })
        .collect();
    // The scalers change only on a write to them: on a gated clock (gca_clock_gate).
    let gclk_scalers = super::clock_gate::gate_reset(&mut m, &clk, &rst_n, "scalers", &wr_scaler);
    m.seq(
        &gclk_scalers,
        &rst_n,
        reset,
        vec![Stmt::case_closed(
            aw_addr.slice(sh - 1, 2),
            rw,
            arms,
            vec![],
        )],
    );

    // The scalers port: head n at bit n * bits_per_head, fields from bit 0 in register order.
    m.comment(
        "The scalers port: head n from bit n * bits_per_head, q_gain lowest, o_offset highest.",
    );
    let parts: Vec<Expr> = (0..heads)
        .rev()
        .map(|n| {
            let words = mems
                .iter()
                .rev()
                .map(|(mem, _)| mem.word(e::lit(hw, n as u128)))
                .collect();
            e::cat(words)
        })
        .collect();
    m.assign(
        &scalers,
        if parts.len() == 1 {
            parts[0].clone()
        } else {
            e::cat(parts)
        },
    );
    m
}
