//! The AXI4-Lite master of the Verilator benches, cycle by cycle, so that register traffic runs
//! in the same cycles as the streams: one transfer at a time from a queue of [`CsrOp`]s, with
//! seeded random delays on all five channels when asked for (AWVALID, WVALID and ARVALID each
//! raised 0 to 3 cycles after the transfer starts, independently, so W may lead AW; BREADY and
//! RREADY low in about one cycle in three). A VALID once raised stays high until its handshake
//! (the protocol checkers of `gca_top_checked` check both sides).
//!
//! Use: in every cycle, [`AxilMaster::drive`] with the slave's outputs of this cycle (gca_csr's
//! ready and valid outputs come from registers, so the values read after the last edge hold)
//! returns the inputs to apply before the edge, and the transfer completed at that edge, if any.

use std::collections::VecDeque;

use crate::rng::Rng;

use super::csr::CsrOp;
use super::verilator::{AxilIn, AxilOut};

/// A transfer that ended: what was asked, the response and, for a read, the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    pub op: CsrOp,
    pub resp: u8,
    pub data: Option<u32>,
}

impl Done {
    /// What the transfer answered against what was expected, for messages.
    pub fn describe(&self, map: &crate::regmap::RegMap) -> String {
        let want = match self.op {
            CsrOp::Write { resp, .. } => format!("response {resp}"),
            CsrOp::Read { resp, data, .. } => format!("response {resp}, data {data:x?}"),
        };
        format!(
            "AXI4-Lite {} answered {}{}, expected {want}",
            self.op.describe(map),
            self.resp,
            self.data
                .map_or(String::new(), |v| format!(" with data {v:#x}"))
        )
    }

    /// Whether the response (and read data, when the op names one) is the expected one.
    pub fn as_expected(&self) -> bool {
        match self.op {
            CsrOp::Write { resp, .. } => self.resp == resp,
            CsrOp::Read { resp, data, .. } => {
                self.resp == resp && data.map_or(true, |d| Some(d) == self.data)
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Xfer {
    op: CsrOp,
    /// Cycles before the address (AW or AR) and the write data are offered.
    addr_wait: u32,
    data_wait: u32,
    addr_done: bool,
    data_done: bool,
}

/// The bus model.
#[derive(Debug)]
pub struct AxilMaster {
    rng: Option<Rng>,
    queue: VecDeque<CsrOp>,
    cur: Option<Xfer>,
}

impl AxilMaster {
    /// Without delays (`seed` None): VALIDs raised at once, BREADY and RREADY always high.
    pub fn new(seed: Option<u64>) -> AxilMaster {
        AxilMaster {
            rng: seed.map(|s| Rng::new(s ^ 0xa11_7e5e)),
            queue: VecDeque::new(),
            cur: None,
        }
    }

    pub fn push(&mut self, op: CsrOp) {
        self.queue.push_back(op);
    }

    /// No transfer running or waiting.
    pub fn idle(&self) -> bool {
        self.cur.is_none() && self.queue.is_empty()
    }

    fn wait(&mut self) -> u32 {
        self.rng.as_mut().map_or(0, |r| r.below(4) as u32)
    }

    fn ready(&mut self) -> bool {
        self.rng.as_mut().map_or(true, |r| r.below(3) != 0)
    }

    /// This cycle's inputs given the slave's outputs `o`, and the transfer that completes at
    /// the coming edge.
    pub fn drive(&mut self, o: &AxilOut) -> (AxilIn, Option<Done>) {
        if self.cur.is_none() {
            if let Some(op) = self.queue.pop_front() {
                let addr_wait = self.wait();
                let data_wait = self.wait();
                self.cur = Some(Xfer {
                    op,
                    addr_wait,
                    data_wait,
                    addr_done: false,
                    data_done: matches!(op, CsrOp::Read { .. }),
                });
            }
        }
        let mut a = AxilIn {
            wstrb: 0xf,
            ..AxilIn::default()
        };
        let Some(mut x) = self.cur else {
            return (a, None);
        };
        let mut done = None;
        match x.op {
            CsrOp::Write { addr, data, .. } => {
                a.awaddr = addr;
                a.wdata = data;
                a.awvalid = !x.addr_done && x.addr_wait == 0;
                a.wvalid = !x.data_done && x.data_wait == 0;
                a.bready = x.addr_done && x.data_done && self.ready();
                if a.awvalid && o.awready {
                    x.addr_done = true;
                }
                if a.wvalid && o.wready {
                    x.data_done = true;
                }
                if a.bready && o.bvalid {
                    done = Some(Done {
                        op: x.op,
                        resp: o.bresp,
                        data: None,
                    });
                }
            }
            CsrOp::Read { addr, .. } => {
                a.araddr = addr;
                a.arvalid = !x.addr_done && x.addr_wait == 0;
                a.rready = x.addr_done && self.ready();
                if a.arvalid && o.arready {
                    x.addr_done = true;
                }
                if a.rready && o.rvalid {
                    done = Some(Done {
                        op: x.op,
                        resp: o.rresp,
                        data: Some(o.rdata),
                    });
                }
            }
        }
        x.addr_wait = x.addr_wait.saturating_sub(1);
        x.data_wait = x.data_wait.saturating_sub(1);
        self.cur = if done.is_some() { None } else { Some(x) };
        (a, done)
    }
}
