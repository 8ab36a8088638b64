//! AXI4-Lite scripts the benches run around a stream, the same on both back ends: before it,
//! identification reads, the error responses (an unmapped address both ways, a write to a
//! read-only register) and the scalers of every head; after it, the counters and STATUS, the
//! sticky flags cleared by writing 1 and read again. The Verilator lockstep runs them through
//! its bus model ([`super::lockstep::run_csr`]); the Icarus bench has them written in as task
//! calls ([`super::icarus`]).

use crate::config::Params;
use crate::regmap::{RegMap, ID_VALUE};

use super::scenario::Counters;
use super::twin::ScalerRegisters;

/// AXI4-Lite response codes.
pub const RESP_OKAY: u8 = 0;
pub const RESP_SLVERR: u8 = 2;

/// One transfer and what it must answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsrOp {
    /// `strb`: the byte enables (WSTRB), 0xf for a whole word.
    Write {
        addr: u32,
        data: u32,
        strb: u8,
        resp: u8,
    },
    /// `data`: the value the read must return, when it is checked.
    Read {
        addr: u32,
        resp: u8,
        data: Option<u32>,
    },
}

impl CsrOp {
    /// What the transfer is, for messages: `read 0x028 (TOKENS)`.
    pub fn describe(&self, map: &RegMap) -> String {
        let (verb, addr) = match self {
            CsrOp::Write { addr, .. } => ("write", *addr),
            CsrOp::Read { addr, .. } => ("read", *addr),
        };
        let name = map
            .all()
            .into_iter()
            .find(|r| r.offset == addr)
            .map_or_else(|| "unmapped".to_string(), |r| r.name);
        format!("{verb} {addr:#05x} ({name})")
    }
}

/// Transfers before and after a stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsrScript {
    pub before: Vec<CsrOp>,
    pub after: Vec<CsrOp>,
}

/// An address the map does not decode: the last word of the address space when free, else
/// the word after the scalers.
pub fn unmapped_address(map: &RegMap) -> u32 {
    let last = ((1u64 << map.addr_bits()) - 4) as u32;
    if map.all().iter().any(|r| r.offset == last) {
        map.scalers.end()
    } else {
        last
    }
}

fn offset(map: &RegMap, name: &str) -> u32 {
    map.get(name)
        .unwrap_or_else(|| panic!("the register map has {name}"))
        .offset
}

/// The scaler registers of every head written with `regs` (in map order).
pub fn program_scalers(p: &Params, regs: &ScalerRegisters) -> Vec<CsrOp> {
    let map = RegMap::new(p);
    let values = regs.values();
    let mut ops = Vec::new();
    for l in 0..p.shape.n_layer as u32 {
        for h in 0..p.shape.n_head as u32 {
            let base = map.scalers.head_base(l, h);
            for (i, v) in values.iter().enumerate() {
                ops.push(CsrOp::Write {
                    addr: base + 4 * i as u32,
                    data: *v as u32,
                    strb: 0xf,
                    resp: RESP_OKAY,
                });
            }
        }
    }
    ops
}

/// Identification, the error responses, then the scalers: what a bench runs before a stream.
pub fn before_stream(p: &Params, regs: &ScalerRegisters) -> Vec<CsrOp> {
    let map = RegMap::new(p);
    let id = offset(&map, "ID");
    let hole = unmapped_address(&map);
    let mut ops = vec![
        CsrOp::Read {
            addr: id,
            resp: RESP_OKAY,
            data: Some(ID_VALUE),
        },
        CsrOp::Read {
            addr: hole,
            resp: RESP_SLVERR,
            data: None,
        },
        CsrOp::Write {
            addr: hole,
            data: 1,
            strb: 0xf,
            resp: RESP_SLVERR,
        },
        CsrOp::Write {
            addr: id,
            data: 0,
            strb: 0xf,
            resp: RESP_SLVERR,
        },
        CsrOp::Read {
            addr: id,
            resp: RESP_OKAY,
            data: Some(ID_VALUE),
        },
    ];
    // CONTROL reads its reset value (ENABLE 1, the commands 0).
    let control = map.get("CONTROL").expect("the map has CONTROL");
    ops.push(CsrOp::Read {
        addr: control.offset,
        resp: RESP_OKAY,
        data: Some(control.reset),
    });
    // Every scaler register of every head reads its reset value before it is programmed (the
    // CSR's scalers are on a gated clock that opens in reset: a register file left unreset,
    // or one head's reset value wrong, shows here).
    for l in 0..p.shape.n_layer as u32 {
        for h in 0..p.shape.n_head as u32 {
            let base = map.scalers.head_base(l, h);
            ops.extend(map.scalers.registers.iter().map(|r| CsrOp::Read {
                addr: base + r.offset,
                resp: RESP_OKAY,
                data: Some(r.reset),
            }));
        }
    }
    ops.extend(program_scalers(p, regs));
    // Misaligned addresses (AWADDR/ARADDR bits 1 and 0 set) answer SLVERR and change nothing:
    // a misaligned write that reached the first scaler would change every later result.
    let first = map.scalers.head_base(0, 0);
    for (addr, write) in [
        (id + 1, false),
        (id + 2, false),
        (first + 1, true),
        (first + 2, true),
    ] {
        ops.push(if write {
            CsrOp::Write {
                addr,
                data: 0x5a5a_5a5a,
                strb: 0xf,
                resp: RESP_SLVERR,
            }
        } else {
            CsrOp::Read {
                addr,
                resp: RESP_SLVERR,
                data: None,
            }
        });
    }
    ops
}

/// The scaler registers of every head written byte lane by byte lane: each register first
/// with a junk word, then lane by lane (WSTRB 0001, 0010, 0100, 1000) with its value in that
/// lane and junk in the others, then junk with WSTRB 0000. The registers end at `regs` only
/// when every byte enable is obeyed.
pub fn program_scalers_by_bytes(p: &Params, regs: &ScalerRegisters, seed: u64) -> Vec<CsrOp> {
    let mut rng = crate::rng::Rng::new(seed ^ 0x5757_b17e);
    let mut junk = move || (rng.next_u64() & 0xffff_ffff) as u32;
    program_scalers(p, regs)
        .into_iter()
        .flat_map(|op| {
            let CsrOp::Write { addr, data, .. } = op else {
                unreachable!("program_scalers writes")
            };
            let w = |data: u32, strb: u8| CsrOp::Write {
                addr,
                data,
                strb,
                resp: RESP_OKAY,
            };
            let mut ops = vec![w(junk(), 0xf)];
            for lane in 0..4 {
                let mask = 0xffu32 << (8 * lane);
                ops.push(w((junk() & !mask) | (data & mask), 1 << lane));
            }
            ops.push(w(junk(), 0x0));
            ops
        })
        .collect()
}

/// The counters and STATUS as `want`, then STATUS cleared (write 1 to clear) and read as 0, then
/// the cycle counter: `CYCLES_LO` unchecked here (the Verilator bench checks it against the clock
/// edges since reset, `lockstep::run_csr`), then `CYCLES_HI`, the high word that read latched: 0
/// in any run of fewer than 2^32 cycles.
pub fn after_stream(p: &Params, want: &Counters) -> Vec<CsrOp> {
    let map = RegMap::new(p);
    let read = |name: &str, v: u32| CsrOp::Read {
        addr: offset(&map, name),
        resp: RESP_OKAY,
        data: Some(v),
    };
    vec![
        read("TOKENS", want.tokens),
        read("ERRORS", want.errors),
        read("RESULTS", want.results),
        read("STATUS", want.status),
        CsrOp::Write {
            addr: offset(&map, "STATUS"),
            data: want.status,
            strb: 0xf,
            resp: RESP_OKAY,
        },
        read("STATUS", 0),
        CsrOp::Read {
            addr: offset(&map, "CYCLES_LO"),
            resp: RESP_OKAY,
            data: None,
        },
        read("CYCLES_HI", 0),
    ]
}

impl CsrScript {
    /// [`before_stream`] and [`after_stream`].
    pub fn standard(p: &Params, regs: &ScalerRegisters, want: &Counters) -> CsrScript {
        CsrScript {
            before: before_stream(p, regs),
            after: after_stream(p, want),
        }
    }
}
