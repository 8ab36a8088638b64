//! A monitor on the pins of a Verilated `gca_top`: what the bus models drove and what the
//! design answered, sampled at every rising edge ([`super::Model::tick`]) from the input and
//! output words of the shim. It records what the functional cover points
//! ([`crate::sim::cover_points`]) need, from handshakes only: stalls of every channel, CSR
//! reads and writes (address, data, and whether a packet was open on either stream when the
//! write took effect), the status of every output packet, and resets while a packet was open.
//!
//! A tick of `n` cycles with unchanged inputs (only [`super::Model::reset`] uses more than
//! one) is sampled once.

use std::collections::{BTreeMap, VecDeque};

use super::shim::{inb, outb, IN_ARADDR, IN_AWADDR, IN_FLAGS, IN_WDATA, OUT_FLAGS, OUT_TDATA};

/// The channels whose back-pressure is covered: the two streams and the five AXI4-Lite
/// channels, in this order in [`PinLog::stalls`].
pub const CHANNELS: [&str; 7] = ["s_axis", "m_axis", "aw", "w", "b", "ar", "r"];

/// One completed AXI4-Lite write: address, data, and the state of the streams at the edge
/// where its last handshake (AW or W) happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsrWrite {
    pub addr: u32,
    pub data: u32,
    /// Some beats of an input packet were accepted, not yet its last.
    pub input_open: bool,
    /// Some beats of an output packet were sent, not yet its last.
    pub output_open: bool,
}

/// What the monitor saw.
#[derive(Clone, Debug, Default)]
pub struct PinLog {
    /// Cycles with VALID high and READY low, per channel of [`CHANNELS`].
    pub stalls: [u64; 7],
    /// Handshakes per channel of [`CHANNELS`].
    pub fires: [u64; 7],
    /// AXI4-Lite reads by address (AR handshakes).
    pub reads: BTreeMap<u32, u64>,
    /// AXI4-Lite writes in order (AW and W handshakes paired).
    pub writes: Vec<CsrWrite>,
    /// Output packets by the status code of their header (0: a result).
    pub out_status: BTreeMap<u64, u64>,
    /// Input beats accepted (since the monitor was attached).
    pub beats_in: u64,
    /// Cycles of `rst_n` low that began while an input or an output packet was open.
    pub resets_in_input_packet: u64,
    pub resets_in_output_packet: u64,
    /// Open state of the streams and unpaired AW or W handshakes (internal).
    input_open: bool,
    output_open: bool,
    aw: VecDeque<u32>,
    w: VecDeque<u32>,
    in_reset: bool,
}

impl PinLog {
    /// Samples one rising edge: `inputs` and `outputs` are the shim's words as the edge sees
    /// them.
    pub fn sample(&mut self, inputs: &[u32], outputs: &[u32]) {
        let (fi, fo) = (inputs[IN_FLAGS], outputs[OUT_FLAGS]);
        let i = |b: u32| fi & b != 0;
        let o = |b: u32| fo & b != 0;
        if !i(inb::RST_N) {
            if !self.in_reset {
                self.resets_in_input_packet += u64::from(self.input_open);
                self.resets_in_output_packet += u64::from(self.output_open);
            }
            self.in_reset = true;
            self.input_open = false;
            self.output_open = false;
            self.aw.clear();
            self.w.clear();
            return;
        }
        self.in_reset = false;
        // (valid, ready) per channel; B and R are driven by the design, READY by the master.
        let pairs = [
            (i(inb::S_TVALID), o(outb::S_TREADY)),
            (o(outb::M_TVALID), i(inb::M_TREADY)),
            (i(inb::AWVALID), o(outb::AWREADY)),
            (i(inb::WVALID), o(outb::WREADY)),
            (o(outb::BVALID), i(inb::BREADY)),
            (i(inb::ARVALID), o(outb::ARREADY)),
            (o(outb::RVALID), i(inb::RREADY)),
        ];
        let mut fire = [false; 7];
        for (c, &(valid, ready)) in pairs.iter().enumerate() {
            if valid && !ready {
                self.stalls[c] += 1;
            }
            fire[c] = valid && ready;
            self.fires[c] += u64::from(fire[c]);
        }
        if fire[5] {
            *self.reads.entry(inputs[IN_ARADDR]).or_default() += 1;
        }
        if fire[2] {
            self.aw.push_back(inputs[IN_AWADDR]);
        }
        if fire[3] {
            self.w.push_back(inputs[IN_WDATA]);
        }
        while !self.aw.is_empty() && !self.w.is_empty() {
            let (addr, data) = (self.aw.pop_front(), self.w.pop_front());
            self.writes.push(CsrWrite {
                addr: addr.expect("not empty"),
                data: data.expect("not empty"),
                input_open: self.input_open,
                output_open: self.output_open,
            });
        }
        if fire[0] {
            self.beats_in += 1;
            self.input_open = !i(inb::S_TLAST);
        }
        if fire[1] {
            if !self.output_open {
                let status = u64::from(outputs[OUT_TDATA] & 0xf);
                *self.out_status.entry(status).or_default() += 1;
            }
            self.output_open = !o(outb::M_TLAST);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(log: &mut PinLog, fi: u32, fo: u32, tdata0: u32) {
        let mut inputs = vec![0u32; 8];
        let mut outputs = vec![0u32; 8];
        inputs[IN_FLAGS] = fi | inb::RST_N;
        inputs[IN_AWADDR] = 0x20;
        inputs[IN_WDATA] = 2;
        outputs[OUT_FLAGS] = fo;
        outputs[OUT_TDATA] = tdata0;
        log.sample(&inputs, &outputs);
    }

    #[test]
    fn handshakes_stalls_and_open_packets() {
        let mut log = PinLog::default();
        // An input beat accepted (packet open), an output stalled, then an error packet's
        // single beat sent.
        edge(&mut log, inb::S_TVALID, outb::S_TREADY | outb::M_TVALID, 0);
        edge(&mut log, 0, outb::M_TVALID | outb::M_TLAST, 3);
        edge(&mut log, inb::M_TREADY, outb::M_TVALID | outb::M_TLAST, 3);
        assert_eq!(log.beats_in, 1);
        assert_eq!(log.stalls[1], 2);
        assert_eq!(log.out_status.get(&3), Some(&1));
        // A CONTROL write while the input packet is open: AW first, W a cycle later.
        edge(&mut log, inb::AWVALID, outb::AWREADY, 0);
        edge(&mut log, inb::WVALID, 0, 0);
        edge(&mut log, inb::WVALID, outb::WREADY, 0);
        assert_eq!(log.stalls[3], 1);
        assert_eq!(
            log.writes,
            vec![CsrWrite {
                addr: 0x20,
                data: 2,
                input_open: true,
                output_open: false
            }]
        );
        // A reset while the input packet is open, counted once however long it lasts.
        let (inputs, outputs) = (vec![0u32; 8], vec![0u32; 8]);
        log.sample(&inputs, &outputs);
        log.sample(&inputs, &outputs);
        assert_eq!(log.resets_in_input_packet, 1);
    }
}
