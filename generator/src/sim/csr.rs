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
    Write {
        addr: u32,
        data: u32,
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
            resp: RESP_SLVERR,
        },
        CsrOp::Write {
            addr: id,
            data: 0,
            resp: RESP_SLVERR,
        },
        CsrOp::Read {
            addr: id,
            resp: RESP_OKAY,
            data: Some(ID_VALUE),
        },
    ];
    ops.extend(program_scalers(p, regs));
    ops
}

/// The counters and STATUS as `want`, then STATUS cleared (write 1 to clear) and read as 0.
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
            resp: RESP_OKAY,
        },
        read("STATUS", 0),
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
