//! The Verilator back end in lockstep with the twin: bus-functional models drive the token
//! stream (seeded random TVALID gaps), accept the result stream (seeded random TREADY
//! back-pressure) and drive AXI4-Lite (the scalers before the stream, the counters and the
//! status after it). Every output packet is matched to the next expected packet of its queue
//! and compared beat by beat; the cycle of the first beat of a result is compared with the
//! twin's schedule whenever the output has not been back-pressured. The first mismatch stops
//! the run.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use serde::Serialize;

use crate::config::Params;
use crate::models::twin::Schedule;
use crate::regmap::RegMap;
use crate::rng::Rng;

use super::axil::AxilMaster;
use super::cover_points::TwinCover;
use super::csr::{self, CsrOp};
use super::packets::Beat;
use super::scenario::{
    answered, cuts, describe_difference, expect_packet, expected_count, header_fields, token_count,
    Command, Counters, Expected, Kind, Packet, Queue, Scenario,
};
use super::twin::DesignTwin;
use super::verilator::{AxilIn, Model};

/// How the bus models behave.
#[derive(Clone, Copy, Debug, Default)]
pub struct Drive {
    pub seed: u64,
    /// TVALID drops in about one cycle in eight.
    pub gaps: bool,
    /// TREADY drops in about one cycle in eight.
    pub backpressure: bool,
    /// TREADY also drops for bursts of 16 cycles to 8 decode latencies (results wait in the layers' result
    /// registers and the controllers hold finished tokens).
    pub bursts: bool,
}

/// The first difference between the design and the twin.
#[derive(Clone, Debug, Serialize)]
pub struct Mismatch {
    pub cycle: u64,
    /// Input packet behind the output, with its layer and position.
    pub packet: Option<usize>,
    pub layer: Option<usize>,
    pub position: Option<u32>,
    pub what: String,
}

impl Mismatch {
    /// A difference tied to no input packet (a bus transfer, a protocol rule, a timeout).
    pub fn at(cycle: u64, what: String) -> Mismatch {
        Mismatch {
            cycle,
            packet: None,
            layer: None,
            position: None,
            what,
        }
    }
}

/// What a run did.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub config: String,
    pub simulator: String,
    pub seed: u64,
    pub tokens: usize,
    pub packets_in: usize,
    pub packets_out: usize,
    pub cycles: u64,
    /// Result packets whose first-beat cycle was compared with the schedule.
    pub cycle_checks: usize,
    pub mismatches: usize,
    pub mismatch: Option<Mismatch>,
    pub seconds: f64,
    pub tokens_per_second: f64,
    pub cycles_per_second: f64,
    /// CPU time of the thread that ran the simulator, and of the twin's thread (Linux; the
    /// wall-clock rates above depend on what else the machine runs, these much less).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulator_cpu_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub twin_cpu_seconds: Option<f64>,
    /// The cycle of the first beat of every result packet, by input packet (for tests of the
    /// schedule; not in the JSON summary).
    #[serde(skip)]
    pub result_cycles: BTreeMap<usize, u64>,
}

/// CPU time the calling thread has run, from /proc/thread-self/schedstat (Linux), in seconds.
pub fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 * 1e-9)
}

/// The first protocol rule the checkers of `gca_top_checked` saw broken, as a message.
pub fn protocol(model: &Model) -> Option<String> {
    model
        .protocol_violation()
        .map(|code| format!("protocol checker: {}", crate::checkers::describe(code)))
}

/// Runs AXI4-Lite transfers on `model` (streams idle), with the bus model's random delays on
/// every channel when `delays` gives a seed; the first response or read value that differs
/// from the script, or a protocol rule broken, is returned as an error naming the transfer.
pub fn run_csr(
    model: &mut Model,
    p: &Params,
    ops: &[CsrOp],
    delays: Option<u64>,
) -> Result<(), String> {
    let map = RegMap::new(p);
    let cycles_lo = map.offset("CYCLES_LO");
    let mut bus = AxilMaster::new(delays);
    ops.iter().for_each(|op| bus.push(*op));
    let mut quiet = 0;
    // The cycle counter is sampled after the previous transfer ended and before this one does.
    let mut since = model.cycles_since_reset();
    while !bus.idle() {
        let (a, done) = bus.drive(&model.axil());
        model.set_axil(&a);
        model.tick();
        if let Some(what) = protocol(model) {
            return Err(what);
        }
        quiet += 1;
        if let Some(d) = done {
            quiet = 0;
            if !d.as_expected() {
                return Err(d.describe(&map));
            }
            let now = model.cycles_since_reset();
            if let (
                CsrOp::Read {
                    addr, data: None, ..
                },
                Some(v),
            ) = (d.op, d.data)
            {
                if Some(addr) == cycles_lo && !(since..=now).contains(&u64::from(v)) {
                    return Err(format!(
                        "AXI4-Lite read of CYCLES_LO answered {v}: {since} to {now} clock edges \
                         had passed since the reset between its start and its end"
                    ));
                }
            }
            since = now;
        }
        if quiet > 1000 {
            return Err("AXI4-Lite: no transfer completed within 1000 cycles".to_string());
        }
    }
    model.set_axil(&AxilIn::default());
    Ok(())
}

struct Open {
    expected: Expected,
    beat: usize,
}

/// Runs `scenario` on `model` (out of reset) against its precomputed expectations;
/// `progress(done, total)` is called as output packets complete.
pub fn run(
    p: &Params,
    model: &mut Model,
    scenario: &Scenario,
    drive: Drive,
    progress: impl FnMut(usize, usize),
) -> Summary {
    let mut expected = scenario.expected.iter().cloned();
    run_inner(
        p,
        model,
        &scenario.packets,
        scenario.expected.len(),
        &mut || expected.next(),
        drive,
        progress,
        Instant::now(),
    )
}

/// Runs `packets` on `model` (out of reset) with `twin` computing the expected output packets
/// in a second thread while the model simulates (on two cores the twin's cost hides behind
/// the model's); the time reported covers both.
pub fn run_with_twin(
    p: &Params,
    model: &mut Model,
    packets: &[Packet],
    twin: DesignTwin,
    drive: Drive,
    progress: impl FnMut(usize, usize),
) -> Summary {
    run_with_twin_cover(p, model, packets, twin, drive, progress).0
}

/// [`run_with_twin`], also returning what the twin's values hit of the functional cover
/// points ([`super::cover_points`]).
pub fn run_with_twin_cover(
    p: &Params,
    model: &mut Model,
    packets: &[Packet],
    mut twin: DesignTwin,
    drive: Drive,
    progress: impl FnMut(usize, usize),
) -> (Summary, TwinCover) {
    let start = Instant::now();
    // Bounded, so a long run does not hold every expectation at once; the twin stays at most
    // this many output packets ahead of the design.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Expected>(4096);
    std::thread::scope(|scope| {
        let twin_thread = scope.spawn(move || {
            let t0 = thread_cpu_seconds();
            for (i, pk) in packets.iter().enumerate() {
                if let Some(e) = expect_packet(p, &mut twin, i, pk) {
                    if tx.send(e).is_err() {
                        // The run stopped (a mismatch): nothing more to compute.
                        break;
                    }
                }
            }
            let cpu = thread_cpu_seconds().zip(t0).map(|(a, b)| a - b);
            (cpu, twin.cover)
        });
        let mut summary = run_inner(
            p,
            model,
            packets,
            expected_count(packets),
            &mut move || rx.recv().ok(),
            drive,
            progress,
            start,
        );
        let (cpu, cover) = twin_thread
            .join()
            .unwrap_or_else(|_| (None, TwinCover::default()));
        summary.twin_cpu_seconds = cpu;
        (summary, cover)
    })
}

/// The lockstep loop: `next_expected` yields the expected output packets in input order.
#[allow(clippy::too_many_arguments)]
fn run_inner(
    p: &Params,
    model: &mut Model,
    packets: &[Packet],
    total_out: usize,
    next_expected: &mut dyn FnMut() -> Option<Expected>,
    drive: Drive,
    mut progress: impl FnMut(usize, usize),
    start: Instant,
) -> Summary {
    let cpu0 = thread_cpu_seconds();
    let start_cycle = model.cycles();
    let beats: Vec<(usize, &Beat)> = packets
        .iter()
        .enumerate()
        .flat_map(|(i, pk)| pk.beats.iter().map(move |b| (i, b)))
        .collect();
    let mut queues: BTreeMap<Queue, VecDeque<Expected>> = BTreeMap::new();
    let mut rng = Rng::new(drive.seed ^ 0xb05_b0de);
    let mut sched = Schedule::new(p);
    // Predicted first-beat cycle of each token's result, by input packet.
    let mut predicted: BTreeMap<usize, u64> = BTreeMap::new();
    let mut header_at: Option<u64> = None;
    let (mut next_in, mut done_out, mut checks) = (0usize, 0usize, 0usize);
    let mut open: Option<Open> = None;
    let mut egress_free = 0u64;
    // Back-pressure delays results in ways the schedule does not model; its predictions count
    // again once the design has drained (no token in flight), from a fresh schedule.
    let mut backpressured = false;
    let mut in_flight = 0usize;
    let mut mismatch: Option<Mismatch> = None;
    let mut result_cycles = BTreeMap::new();
    // Cut packets (a reset while the packet is open) wait until every earlier output left:
    // by input packet, the output packets that must have left first.
    let mut drain_before: Vec<Option<usize>> = vec![None; packets.len()];
    for c in cuts(packets) {
        drain_before[c.packet] = Some(c.drain);
    }
    let mut reset_after_edge = false;
    // Packets with a CONTROL command after their first beats: where each packet's beats start,
    // the output packets of the earlier input packets, and the command waiting to be written.
    let mut first_beat = Vec::with_capacity(packets.len());
    let mut answered_before = Vec::with_capacity(packets.len());
    let (mut b0, mut a0) = (0, 0);
    for pk in packets {
        first_beat.push(b0);
        answered_before.push(a0);
        b0 += pk.beats.len();
        a0 += usize::from(answered(pk));
    }
    let map = RegMap::new(p);
    let control = map
        .get("CONTROL")
        .expect("the register map has CONTROL")
        .offset;
    // The command of an interrupted packet: (packet, command, written to the bus model).
    let mut command: Option<(usize, Command, bool)> = None;
    // STATUS.BUSY: read now and then right after a token's last beat is taken (the token
    // stays in its layer for tens of cycles, longer than the read), and must be 1.
    let status = map.get("STATUS").expect("the register map has STATUS");
    let (status_addr, busy_mask) = (
        status.offset,
        status.field("BUSY").map_or(0, |f| 1u32 << f.lsb),
    );
    let mut busy_read = false;
    let constants: Vec<(u32, u32)> = map
        .all()
        .iter()
        .filter(|r| r.constant)
        .map(|r| (r.offset, r.reset))
        .collect();
    let mut axil = AxilMaster::new(drive.gaps.then_some(drive.seed));
    let mut stalled = false;
    let mut stall = 0u64;
    let limit = 10_000 + 8 * (beats.len() as u64 + 64) * p.cycles.decode_latency.max(1);
    let mut out_words = Beat::zero(p);
    while done_out < total_out && mismatch.is_none() {
        let cycle = model.cycles() - start_cycle;
        if cycle > limit {
            mismatch = Some(Mismatch::at(cycle, format!(
                    "timeout: {next_in} of {} input beats accepted, {done_out} of {total_out} output packets seen",
                    beats.len()
                )));
            break;
        }
        // AXI4-Lite in the same cycles as the streams: a CONTROL command of an interrupted
        // packet (input held from its `at` beats until the write's response; a soft reset is
        // written once every earlier output packet has started or is offered, so that every
        // earlier result is in a result register or out), else now and then a read of a
        // constant register.
        if let Some((pk, cmd, false)) = command {
            let started = done_out + usize::from(open.is_some() || model.m_axis_tvalid());
            // With back-pressure on, an output packet offered but not yet started is let
            // start first, so that the command meets it open (TREADY is then held low).
            let offered = drive.backpressure && open.is_none() && model.m_axis_tvalid();
            // A clear waits (with back-pressure on) until an output packet is open, while
            // earlier ones are still to come, so that it meets one.
            let clear_ready =
                !drive.backpressure || open.is_some() || done_out >= answered_before[pk];
            let ready = match cmd {
                Command::ClearWindows => clear_ready,
                Command::SoftReset => started >= answered_before[pk],
            };
            if ready && !offered {
                axil.push(CsrOp::Write {
                    addr: control,
                    data: cmd.control_value(),
                    strb: 0xf,
                    resp: csr::RESP_OKAY,
                });
                command = Some((pk, cmd, true));
            }
        } else if command.is_none() && axil.idle() && rng.below(64) == 0 {
            if drive.gaps && rng.below(4) == 0 {
                // A pause: CONTROL.ENABLE cleared, then set again (TREADY low meanwhile; no
                // value changes, and the schedule counts from the beats' accept cycles).
                for data in [0, 1] {
                    axil.push(CsrOp::Write {
                        addr: control,
                        data,
                        strb: 0xf,
                        resp: csr::RESP_OKAY,
                    });
                }
            } else {
                let r = &constants[rng.below(constants.len() as u64) as usize];
                axil.push(CsrOp::Read {
                    addr: r.0,
                    resp: csr::RESP_OKAY,
                    data: Some(r.1),
                });
            }
        }
        let (lite, lite_done) = axil.drive(&model.axil());
        model.set_axil(&lite);
        if let Some(d) = lite_done {
            if !d.as_expected() {
                mismatch = Some(Mismatch {
                    cycle,
                    packet: command.map(|c| c.0),
                    layer: None,
                    position: None,
                    what: format!("during the stream: {}", d.describe(&map)),
                });
                break;
            }
            let written = command.map(|c| c.1.control_value());
            if matches!(d.op, CsrOp::Write { addr, data, .. } if addr == control && Some(data) == written)
            {
                command = None;
            }
            if busy_read && matches!(d.op, CsrOp::Read { addr, .. } if addr == status_addr) {
                busy_read = false;
                if d.data.unwrap_or(0) & busy_mask == 0 {
                    mismatch = Some(Mismatch::at(cycle, format!(
                            "during the stream: STATUS read {:#x} with BUSY 0 right after a token's last beat",
                            d.data.unwrap_or(0)
                        )));
                    break;
                }
            }
        }
        let gap = drive.gaps && rng.below(8) == 0;
        // A cut packet starts once every earlier output packet has started; the last one is
        // then held open (TREADY low, with back-pressure on) so that the reset cuts it too.
        let started = done_out + usize::from(open.is_some());
        let cut_armed =
            next_in < beats.len() && drain_before[beats[next_in].0].is_some_and(|n| started >= n);
        let held = next_in < beats.len()
            && (command.is_some() || drain_before[beats[next_in].0].is_some_and(|n| started < n));
        // A beat offered and not taken stays offered (AXI4-Stream): gaps and holds start only
        // after a handshake.
        let offer =
            (next_in < beats.len() && (stalled || (!gap && !held))).then(|| beats[next_in].1);
        model.set_s_axis(offer);
        // Back-pressure: TREADY low about one cycle in eight, or in bursts of 16 cycles to 8 decode latencies;
        // held low while a CONTROL command is on the bus or a reset is coming with an output
        // packet open, so that the command or the reset meets the open packet.
        if drive.bursts && stall == 0 && rng.below(32) == 0 {
            stall = 16 + rng.below(8 * p.cycles.decode_latency.max(1));
        }
        stall = stall.saturating_sub(1);
        let hold_out = drive.backpressure
            && open.is_some()
            && (cut_armed || matches!(command, Some((_, _, true))));
        let ready = !(hold_out || stall > 0 || (drive.backpressure && rng.below(8) == 0));
        model.set_m_axis_tready(ready);
        // The output stream and s_axis_tready are functions of registers only (docs/rtl.md):
        // the values read after the last edge hold for this cycle and the new inputs take
        // effect at the next edge, so the model is not evaluated between edges.
        stalled = offer.is_some() && !model.s_axis_tready();
        if offer.is_some() && model.s_axis_tready() {
            let (pk, beat) = beats[next_in];
            let first = next_in == 0 || beats[next_in - 1].0 != pk;
            if first {
                header_at = Some(cycle);
            }
            if beat.last {
                let packet = &packets[pk];
                match packet.kind {
                    Kind::Token { .. }
                    | Kind::Interrupted {
                        command: Command::ClearWindows,
                        ..
                    } => {
                        let header = header_at.unwrap_or(cycle);
                        let t = sched.after_last_beat(packet.layer, header, cycle);
                        predicted.insert(pk, t.result);
                        in_flight += 1;
                        if busy_mask != 0 && axil.idle() && command.is_none() && rng.below(4) == 0 {
                            axil.push(CsrOp::Read {
                                addr: status_addr,
                                resp: csr::RESP_OKAY,
                                data: None,
                            });
                            busy_read = true;
                        }
                    }
                    Kind::Reset => sched.reset_accepted(packet.layer, cycle),
                    _ => {}
                }
            }
            next_in += 1;
            if let Kind::Interrupted { at, command: c, .. } = packets[pk].kind {
                if next_in - first_beat[pk] == at {
                    command = Some((pk, c, false));
                }
            }
            if packets[pk].kind == Kind::Cut && (next_in == beats.len() || beats[next_in].0 != pk) {
                reset_after_edge = true;
            }
        }
        if model.m_axis_tvalid() {
            if !ready {
                backpressured = true;
            } else {
                model.m_axis_tdata_into(&mut out_words.data);
                out_words.last = model.m_axis_tlast();
                let got = &out_words;
                if open.is_none() {
                    let (code, layer, _) = header_fields(got);
                    let queue = if code != 0 {
                        Queue::Errors
                    } else {
                        Queue::Layer(layer)
                    };
                    // The next expected packet of this queue, pulling the twin's output
                    // packets in input order until one for this queue comes.
                    while queues.get(&queue).is_none_or(VecDeque::is_empty) {
                        match next_expected() {
                            Some(e) => queues.entry(e.queue).or_default().push_back(e),
                            None => break,
                        }
                    }
                    match queues.get_mut(&queue).and_then(VecDeque::pop_front) {
                        Some(e) => {
                            if e.queue != Queue::Errors {
                                result_cycles.insert(e.packet, cycle);
                            }
                            if let (Some(&pred), false) = (predicted.get(&e.packet), backpressured)
                            {
                                let want = pred.max(egress_free);
                                checks += 1;
                                if want != cycle {
                                    mismatch = Some(Mismatch {
                                        cycle,
                                        packet: Some(e.packet),
                                        layer: Some(e.layer),
                                        position: Some(e.pos),
                                        what: format!(
                                            "the result's first beat came in cycle {cycle}, the twin's schedule says {want}"
                                        ),
                                    });
                                }
                            }
                            open = Some(Open {
                                expected: e,
                                beat: 0,
                            });
                        }
                        None => {
                            mismatch = Some(Mismatch {
                                cycle,
                                packet: None,
                                layer: Some(layer),
                                position: None,
                                what: format!(
                                    "an unexpected packet with header {:x?} (status {code})",
                                    &got.data[..1]
                                ),
                            });
                        }
                    }
                }
                if let (Some(o), None) = (open.as_mut(), mismatch.as_ref()) {
                    let want = &o.expected.beats[o.beat];
                    if want != got {
                        mismatch = Some(Mismatch {
                            cycle,
                            packet: Some(o.expected.packet),
                            layer: Some(o.expected.layer),
                            position: Some(o.expected.pos),
                            what: format!(
                                "output beat {}: {}",
                                o.beat,
                                describe_difference(p, o.beat, want, got)
                            ),
                        });
                    } else {
                        o.beat += 1;
                        if got.last {
                            if o.expected.queue != Queue::Errors {
                                in_flight -= 1;
                            }
                            open = None;
                            done_out += 1;
                            egress_free = cycle + 1;
                            progress(done_out, total_out);
                        }
                    }
                }
            }
        }
        if backpressured && in_flight == 0 && open.is_none() && !model.m_axis_tvalid() {
            backpressured = false;
            sched = Schedule::new(p);
        }
        model.tick();
        if let Some(what) = protocol(model) {
            mismatch = Some(Mismatch::at(cycle, what));
            break;
        }
        if reset_after_edge {
            // The cut packet's beats are in: reset the design while the packet is open. The
            // twin starts afresh with it, and so does the schedule.
            reset_after_edge = false;
            if let Some(o) = open.take() {
                // The output packet open at the reset is cut with it: it counts as seen.
                if o.expected.queue != Queue::Errors {
                    in_flight -= 1;
                }
                done_out += 1;
            }
            model.reset(4);
            sched = Schedule::new(p);
            egress_free = 0;
            backpressured = false;
            header_at = None;
        }
    }
    if mismatch.is_none() {
        // The last register read of the stream, if any, ends first.
        let mut guard = 0;
        let mut last_read = Ok(());
        while !axil.idle() && guard < 1000 {
            let (lite, done) = axil.drive(&model.axil());
            model.set_axil(&lite);
            model.tick();
            guard += 1;
            if let Some(d) = done.filter(|d| !d.as_expected()) {
                last_read = Err(format!("during the stream: {}", d.describe(&map)));
            }
        }
        let after = csr::after_stream(p, &Counters::after(packets));
        if let Err(what) =
            last_read.and_then(|()| run_csr(model, p, &after, drive.gaps.then_some(drive.seed)))
        {
            mismatch = Some(Mismatch::at(model.cycles() - start_cycle, what));
        }
    }
    let cycles = model.cycles() - start_cycle;
    let seconds = start.elapsed().as_secs_f64().max(1e-9);
    let tokens = token_count(packets);
    Summary {
        config: p.name.clone(),
        simulator: "verilator".to_string(),
        seed: drive.seed,
        tokens,
        packets_in: packets.len(),
        packets_out: done_out,
        cycles,
        cycle_checks: checks,
        mismatches: usize::from(mismatch.is_some()),
        mismatch,
        seconds,
        tokens_per_second: tokens as f64 / seconds,
        cycles_per_second: cycles as f64 / seconds,
        simulator_cpu_seconds: thread_cpu_seconds().zip(cpu0).map(|(a, b)| a - b),
        twin_cpu_seconds: None,
        result_cycles,
    }
}
