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
                self.resp == resp && data.is_none_or(|d| Some(d) == self.data)
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
    /// AWPROT or ARPROT (ignored by the design; random with delays so that the ports toggle).
    prot: u8,
}

/// The bus model.
#[derive(Debug)]
pub struct AxilMaster {
    rng: Option<Rng>,
    queue: VecDeque<CsrOp>,
    /// Transfers started, oldest first: at most two, of the same direction (the second's
    /// address and data are offered while the first waits for its response).
    cur: VecDeque<Xfer>,
}

impl AxilMaster {
    /// Without delays (`seed` None): VALIDs raised at once, BREADY and RREADY always high,
    /// one transfer at a time. With delays, a transfer may also start while the previous one
    /// of the same direction waits for its response, so that the slave's AWREADY, WREADY and
    /// ARREADY are seen low.
    pub fn new(seed: Option<u64>) -> AxilMaster {
        AxilMaster {
            rng: seed.map(|s| Rng::new(s ^ 0xa11_7e5e)),
            queue: VecDeque::new(),
            cur: VecDeque::new(),
        }
    }

    pub fn push(&mut self, op: CsrOp) {
        self.queue.push_back(op);
    }

    /// No transfer running or waiting.
    pub fn idle(&self) -> bool {
        self.cur.is_empty() && self.queue.is_empty()
    }

    fn wait(&mut self) -> u32 {
        self.rng.as_mut().map_or(0, |r| r.below(4) as u32)
    }

    fn ready(&mut self) -> bool {
        self.rng.as_mut().is_none_or(|r| r.below(3) != 0)
    }

    fn start(&mut self, op: CsrOp) {
        let addr_wait = self.wait();
        let data_wait = self.wait();
        let prot = self.rng.as_mut().map_or(0, |r| r.below(8) as u8);
        self.cur.push_back(Xfer {
            op,
            addr_wait,
            data_wait,
            addr_done: false,
            data_done: matches!(op, CsrOp::Read { .. }),
            prot,
        });
    }

    /// This cycle's inputs given the slave's outputs `o`, and the transfer that completes at
    /// the coming edge.
    pub fn drive(&mut self, o: &AxilOut) -> (AxilIn, Option<Done>) {
        if self.cur.is_empty() {
            if let Some(op) = self.queue.pop_front() {
                self.start(op);
            }
        } else if self.cur.len() == 1 && self.rng.is_some() {
            let same = |a: &CsrOp, b: &CsrOp| {
                matches!(
                    (a, b),
                    (CsrOp::Write { .. }, CsrOp::Write { .. })
                        | (CsrOp::Read { .. }, CsrOp::Read { .. })
                )
            };
            let first = self.cur[0];
            if first.addr_done && first.data_done {
                if let Some(next) = self.queue.front().copied() {
                    if same(&first.op, &next) {
                        self.queue.pop_front();
                        self.start(next);
                    }
                }
            }
        }
        let mut a = AxilIn {
            wstrb: 0xf,
            ..AxilIn::default()
        };
        if self.cur.is_empty() {
            return (a, None);
        }
        // The address and data channels serve the oldest transfer that still needs them; the
        // response channel the oldest transfer.
        let aw = self.cur.iter().position(|x| !x.addr_done);
        let wd = self.cur.iter().position(|x| !x.data_done);
        let mut done = None;
        let head = self.cur[0];
        match head.op {
            CsrOp::Write { .. } => {
                if let Some(i) = aw {
                    let x = self.cur[i];
                    if let CsrOp::Write { addr, .. } = x.op {
                        a.awaddr = addr;
                        a.awprot = x.prot;
                        a.awvalid = x.addr_wait == 0;
                    }
                }
                if let Some(i) = wd {
                    let x = self.cur[i];
                    if let CsrOp::Write { data, strb, .. } = x.op {
                        a.wdata = data;
                        a.wstrb = strb;
                        a.wvalid = x.data_wait == 0;
                    }
                }
                a.bready = head.addr_done && head.data_done && self.ready();
                if a.bready && o.bvalid {
                    done = Some(Done {
                        op: head.op,
                        resp: o.bresp,
                        data: None,
                    });
                }
                if let (Some(i), true) = (aw, a.awvalid && o.awready) {
                    self.cur[i].addr_done = true;
                }
                if let (Some(i), true) = (wd, a.wvalid && o.wready) {
                    self.cur[i].data_done = true;
                }
            }
            CsrOp::Read { .. } => {
                if let Some(i) = aw {
                    let x = self.cur[i];
                    if let CsrOp::Read { addr, .. } = x.op {
                        a.araddr = addr;
                        a.arprot = x.prot;
                        a.arvalid = x.addr_wait == 0;
                    }
                }
                a.rready = head.addr_done && self.ready();
                if a.rready && o.rvalid {
                    done = Some(Done {
                        op: head.op,
                        resp: o.rresp,
                        data: Some(o.rdata),
                    });
                }
                if let (Some(i), true) = (aw, a.arvalid && o.arready) {
                    self.cur[i].addr_done = true;
                }
            }
        }
        for x in self.cur.iter_mut() {
            x.addr_wait = x.addr_wait.saturating_sub(1);
            x.data_wait = x.data_wait.saturating_sub(1);
        }
        if done.is_some() {
            self.cur.pop_front();
        }
        (a, done)
    }
}
