//! Input streams and what the design must answer: seeded random TOKEN streams over every layer
//! (with RESET_WINDOW packets and windows that wrap), bad packets of every rule, and for each
//! input packet the output packet the twin H expects. Outputs are matched per queue (the
//! results of one layer come out in order, error packets in order), since results and errors
//! of different layers may leave in another order than their packets came in.

use crate::config::Params;
use crate::models::stimulus::{HeadStream, TokenValues};

use super::packets::{self, Beat};
use super::twin::DesignTwin;

/// Error status codes of error packets (docs/rtl.md).
pub const BAD_LENGTH: u64 = 1;
pub const BAD_OPCODE: u64 = 2;
pub const BAD_LAYER: u64 = 3;
pub const BAD_POSITION: u64 = 4;

/// A malformed packet, one per rule of docs/rtl.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadRule {
    /// TLAST one beat early.
    Short,
    /// TLAST missing on the last beat; one more beat follows.
    Long,
    /// A TOKEN header with TLAST.
    HeaderOnly,
    UnknownOpcode,
    LayerOutOfRange,
    WrongPosition,
    /// A RESET_WINDOW followed by a beat.
    LongReset,
}

impl BadRule {
    pub const ALL: [BadRule; 7] = [
        BadRule::Short,
        BadRule::Long,
        BadRule::HeaderOnly,
        BadRule::UnknownOpcode,
        BadRule::LayerOutOfRange,
        BadRule::WrongPosition,
        BadRule::LongReset,
    ];

    pub fn code(self) -> u64 {
        match self {
            BadRule::Short | BadRule::Long | BadRule::HeaderOnly | BadRule::LongReset => BAD_LENGTH,
            BadRule::UnknownOpcode => BAD_OPCODE,
            BadRule::LayerOutOfRange => BAD_LAYER,
            BadRule::WrongPosition => BAD_POSITION,
        }
    }
}

/// A CONTROL command written over AXI4-Lite in the middle of a TOKEN packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// CONTROL.SOFT_RESET: the packet is dropped (its remaining beats are consumed up to its
    /// TLAST), every window and position starts again; the scalers and counters are kept, and
    /// an output packet being sent is finished.
    SoftReset,
    /// CONTROL.CLEAR_WINDOWS: every layer's window empties before this packet's token.
    ClearWindows,
}

impl Command {
    /// The CONTROL value written (ENABLE stays set).
    pub fn control_value(self) -> u32 {
        match self {
            Command::SoftReset => 0b011,
            Command::ClearWindows => 0b101,
        }
    }
}

/// What an input packet is.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Token {
        values: Vec<TokenValues>,
    },
    Reset,
    Bad(BadRule),
    /// The first beats of a TOKEN packet, then a reset of the whole design (`rst_n`) while the
    /// packet is open. Drivers send it once every earlier output packet has left; the twin
    /// starts afresh (empty windows, positions 0, default scalers).
    Cut,
    /// A TOKEN packet with a CONTROL `command` written after its first `at` beats (input held
    /// meanwhile). Drivers write it once every output packet of the earlier input packets has
    /// started, holding TREADY low while one is being sent; all the packet's beats are sent.
    Interrupted {
        values: Vec<TokenValues>,
        at: usize,
        command: Command,
    },
}

/// One input packet.
#[derive(Clone, Debug)]
pub struct Packet {
    pub kind: Kind,
    /// Layer and position in its header.
    pub layer: usize,
    pub pos: u32,
    pub beats: Vec<Beat>,
}

/// Where an output packet is matched: the results of a layer, or the error packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Queue {
    Layer(usize),
    Errors,
}

/// One output packet the design must send.
#[derive(Clone, Debug)]
pub struct Expected {
    pub queue: Queue,
    /// Index of the input packet that causes it.
    pub packet: usize,
    pub layer: usize,
    pub pos: u32,
    pub beats: Vec<Beat>,
}

/// Input packets in order and the output packets they cause.
#[derive(Clone, Debug, Default)]
pub struct Scenario {
    pub packets: Vec<Packet>,
    pub expected: Vec<Expected>,
}

/// How to build a random stream.
#[derive(Clone, Debug)]
pub struct StreamOptions {
    /// TOKEN packets in all.
    pub tokens: usize,
    pub seed: u64,
    /// Position-major order (token t of every layer, then t + 1), as a decoder produces them;
    /// otherwise layer-major runs of tokens.
    pub interleaved: bool,
    /// A RESET_WINDOW (new sequence) after this many tokens of a layer; 0: never.
    pub reset_every: usize,
    /// CONTROL commands in the middle of packets: a CLEAR_WINDOWS in the token a third into
    /// the stream and a SOFT_RESET in the token two thirds into it (streams of 6 tokens or
    /// more; the Verilator back end).
    pub commands: bool,
}

impl Scenario {
    /// Output packets of `queue`, in order.
    pub fn queue(&self, queue: Queue) -> impl Iterator<Item = &Expected> {
        self.expected.iter().filter(move |e| e.queue == queue)
    }

    /// Every queue that has packets, sorted.
    pub fn queues(&self) -> Vec<Queue> {
        let mut q: Vec<Queue> = self.expected.iter().map(|e| e.queue).collect();
        q.sort();
        q.dedup();
        q
    }

    pub fn input_beats(&self) -> usize {
        self.packets.iter().map(|p| p.beats.len()).sum()
    }

    pub fn tokens(&self) -> usize {
        token_count(&self.packets)
    }
}

/// The output packet the design must send for input packet `index` (`None` for a
/// RESET_WINDOW), with `twin` advanced past it. Input packets must be given in order.
pub fn expect_packet(
    p: &Params,
    twin: &mut DesignTwin,
    index: usize,
    packet: &Packet,
) -> Option<Expected> {
    match &packet.kind {
        Kind::Token { values } => {
            let ys = twin.token(packet.layer, values);
            Some(Expected {
                queue: Queue::Layer(packet.layer),
                packet: index,
                layer: packet.layer,
                pos: packet.pos,
                beats: packets::result_packet(p, packet.layer, packet.pos, &ys),
            })
        }
        Kind::Reset => {
            twin.reset_window(packet.layer);
            None
        }
        Kind::Cut => {
            twin.restart(p);
            None
        }
        Kind::Interrupted {
            command: Command::SoftReset,
            ..
        } => {
            *twin = DesignTwin::with_registers(p, twin.registers());
            None
        }
        Kind::Interrupted {
            values,
            command: Command::ClearWindows,
            ..
        } => {
            (0..p.shape.n_layer).for_each(|l| twin.reset_window(l));
            let ys = twin.token(packet.layer, values);
            Some(Expected {
                queue: Queue::Layer(packet.layer),
                packet: index,
                layer: packet.layer,
                pos: packet.pos,
                beats: packets::result_packet(p, packet.layer, packet.pos, &ys),
            })
        }
        Kind::Bad(rule) => Some(Expected {
            queue: Queue::Errors,
            packet: index,
            layer: packet.layer,
            pos: packet.pos,
            beats: packets::error_packet(p, rule.code(), packet.layer, packet.pos),
        }),
    }
}

/// Whether input packet `packet` causes an output packet (all but RESET_WINDOW, cut and
/// soft-reset ones).
pub fn answered(packet: &Packet) -> bool {
    !matches!(
        packet.kind,
        Kind::Reset
            | Kind::Cut
            | Kind::Interrupted {
                command: Command::SoftReset,
                ..
            }
    )
}

/// Output packets expected for `packets`.
pub fn expected_count(packets: &[Packet]) -> usize {
    packets.iter().filter(|pk| answered(pk)).count()
}

/// TOKEN packets among `packets`.
pub fn token_count(packets: &[Packet]) -> usize {
    packets
        .iter()
        .filter(|pk| {
            matches!(
                pk.kind,
                Kind::Token { .. }
                    | Kind::Interrupted {
                        command: Command::ClearWindows,
                        ..
                    }
            )
        })
        .count()
}

/// Where a cut packet (a reset while it is open) sits in a stream: its index, its beats in the
/// stream's beats (`start` to one past `end`), and the output packets that must have left
/// before it starts (every one caused by an earlier input packet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    pub packet: usize,
    pub start: usize,
    pub end: usize,
    pub drain: usize,
}

/// The cut packets of `packets`, in order.
pub fn cuts(packets: &[Packet]) -> Vec<Cut> {
    let (mut beat, mut answered_before, mut out) = (0, 0, Vec::new());
    for (i, pk) in packets.iter().enumerate() {
        if pk.kind == Kind::Cut {
            out.push(Cut {
                packet: i,
                start: beat,
                end: beat + pk.beats.len(),
                drain: answered_before,
            });
        }
        beat += pk.beats.len();
        answered_before += usize::from(answered(pk));
    }
    out
}

/// What the CSR registers read after `packets` went through and every output left: TOKENS
/// (TOKEN packets committed), ERRORS (packets dropped), RESULTS (result packets sent) and
/// STATUS (the sticky flag of every error code seen, bit code - 1; BUSY clear), all since the
/// last reset of the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counters {
    pub tokens: u32,
    pub errors: u32,
    pub results: u32,
    pub status: u32,
}

impl Counters {
    pub fn after(packets: &[Packet]) -> Counters {
        let since = packets
            .iter()
            .rposition(|pk| pk.kind == Kind::Cut)
            .map_or(0, |i| i + 1);
        let mut c = Counters {
            tokens: 0,
            errors: 0,
            results: 0,
            status: 0,
        };
        for pk in &packets[since..] {
            match pk.kind {
                Kind::Token { .. }
                | Kind::Interrupted {
                    command: Command::ClearWindows,
                    ..
                } => {
                    c.tokens += 1;
                    c.results += 1;
                }
                Kind::Interrupted {
                    command: Command::SoftReset,
                    ..
                } => {}
                Kind::Bad(rule) => {
                    c.errors += 1;
                    c.status |= 1 << (rule.code() - 1);
                }
                Kind::Reset | Kind::Cut => {}
            }
        }
        c
    }
}

impl Scenario {
    /// `packets` with the output packets `twin` (fresh, or with programmed scalers) expects.
    pub fn expect(p: &Params, mut twin: DesignTwin, packets: Vec<Packet>) -> Scenario {
        let expected = packets
            .iter()
            .enumerate()
            .filter_map(|(i, pk)| expect_packet(p, &mut twin, i, pk))
            .collect();
        Scenario { packets, expected }
    }
}

/// Builds input streams packet by packet, keeping each layer's next position; the twin's
/// expectations are computed when the stream is finished ([`Builder::finish`]), or alongside
/// the simulation ([`Builder::finish_stimulus`] and `lockstep::run_with_twin`).
pub struct Builder<'a> {
    p: &'a Params,
    /// None for a stimulus-only builder.
    twin: Option<DesignTwin>,
    streams: Vec<Vec<HeadStream>>,
    next_pos: Vec<u32>,
    packets: Vec<Packet>,
}

impl<'a> Builder<'a> {
    pub fn new(p: &'a Params, seed: u64) -> Builder<'a> {
        Builder::with_twin(p, seed, DesignTwin::new(p))
    }

    /// A builder whose expectations come from `twin` (e.g. with programmed scalers).
    pub fn with_twin(p: &'a Params, seed: u64, twin: DesignTwin) -> Builder<'a> {
        Builder::build(p, seed, Some(twin))
    }

    fn build(p: &'a Params, seed: u64, twin: Option<DesignTwin>) -> Builder<'a> {
        let streams = (0..p.shape.n_layer)
            .map(|l| {
                (0..p.shape.n_head)
                    .map(|h| HeadStream::new(p, seed, l, h))
                    .collect()
            })
            .collect();
        Builder {
            p,
            twin,
            streams,
            next_pos: vec![0; p.shape.n_layer],
            packets: Vec::new(),
        }
    }

    /// The next TOKEN of `layer`.
    pub fn token(&mut self, layer: usize) {
        let values: Vec<TokenValues> = self.streams[layer]
            .iter_mut()
            .map(|s| s.next_token())
            .collect();
        let pos = self.next_pos[layer];
        let beats = packets::token_packet(self.p, layer, pos, &values);
        self.packets.push(Packet {
            kind: Kind::Token { values },
            layer,
            pos,
            beats,
        });
        self.next_pos[layer] = pos.wrapping_add(1);
    }

    /// A RESET_WINDOW of `layer` starting a new sequence at position `pos`.
    pub fn reset(&mut self, layer: usize, pos: u32) {
        self.next_pos[layer] = pos;
        let beats = packets::reset_packet(self.p, layer, pos);
        self.packets.push(Packet {
            kind: Kind::Reset,
            layer,
            pos,
            beats,
        });
    }

    /// A bad packet for `layer` (its header's layer for `LayerOutOfRange` is n_layer), answered
    /// by an error packet; nothing else changes.
    pub fn bad(&mut self, rule: BadRule, layer: usize) {
        self.bad_with(rule, layer, false);
    }

    /// [`Builder::bad`], with `far` the header's fields far from the expected ones: opcode 15
    /// for `UnknownOpcode`, layer 255 for `LayerOutOfRange`, every position bit inverted for
    /// `WrongPosition` (so that the error record's bits toggle).
    pub fn bad_with(&mut self, rule: BadRule, layer: usize, far: bool) {
        let p = self.p;
        let pos = self.next_pos[layer];
        let dummy: Vec<TokenValues> = (0..p.shape.n_head)
            .map(|_| TokenValues {
                q: vec![1; p.shape.d_head],
                k: vec![2; p.shape.d_head],
                v: vec![3; p.shape.d_head],
            })
            .collect();
        let token = packets::token_packet(p, layer, pos, &dummy);
        let (hl, hp, beats) = match rule {
            BadRule::Short => {
                let mut b = token[..token.len() - 1].to_vec();
                b.last_mut().expect("a data beat").last = true;
                (layer, pos, b)
            }
            BadRule::Long => {
                let mut b = token.clone();
                b.last_mut().expect("beats").last = false;
                let mut extra = b[1].clone();
                extra.last = true;
                b.push(extra);
                (layer, pos, b)
            }
            BadRule::HeaderOnly => {
                let mut h = token[0].clone();
                h.last = true;
                (layer, pos, vec![h])
            }
            BadRule::UnknownOpcode => {
                let mut h = token[0].clone();
                h.set(0, 4, if far { 15 } else { 7 });
                h.last = true;
                (layer, pos, vec![h])
            }
            BadRule::LayerOutOfRange => {
                let mut b = token.clone();
                let bad = if far { 255 } else { p.shape.n_layer };
                b[0].set(8, 8, bad as i64);
                (bad, pos, b)
            }
            BadRule::WrongPosition => {
                let wrong = if far { !pos } else { pos.wrapping_add(5) };
                let mut b = token.clone();
                b[0].set(16, 32, wrong as i64);
                (layer, wrong, b)
            }
            BadRule::LongReset => {
                let mut b = packets::reset_packet(p, layer, 0);
                b[0].last = false;
                let mut extra = Beat::zero(p);
                extra.last = true;
                b.push(extra);
                (layer, 0, b)
            }
        };
        self.packets.push(Packet {
            kind: Kind::Bad(rule),
            layer: hl,
            pos: hp,
            beats,
        });
    }

    /// The first `beats` beats (header included, fewer than the whole packet) of the next
    /// TOKEN of `layer`, then a reset of the design: every layer starts again at position 0.
    pub fn cut(&mut self, layer: usize, beats: usize) {
        let values: Vec<TokenValues> = self.streams[layer]
            .iter_mut()
            .map(|s| s.next_token())
            .collect();
        let pos = self.next_pos[layer];
        let mut all = packets::token_packet(self.p, layer, pos, &values);
        assert!(
            beats >= 1 && beats < all.len(),
            "a cut packet keeps 1 to {} of its {} beats",
            all.len() - 1,
            all.len()
        );
        all.truncate(beats);
        self.packets.push(Packet {
            kind: Kind::Cut,
            layer,
            pos,
            beats: all,
        });
        self.next_pos.iter_mut().for_each(|p| *p = 0);
    }

    /// The next TOKEN of `layer` with a CONTROL `command` written after its first `at` beats
    /// (1 to all but one). After a soft reset every layer starts again at position 0.
    pub fn interrupted(&mut self, layer: usize, at: usize, command: Command) {
        let values: Vec<TokenValues> = self.streams[layer]
            .iter_mut()
            .map(|s| s.next_token())
            .collect();
        let pos = self.next_pos[layer];
        let beats = packets::token_packet(self.p, layer, pos, &values);
        assert!(
            at >= 1 && at < beats.len(),
            "a command comes after 1 to {} of the packet's {} beats",
            beats.len() - 1,
            beats.len()
        );
        self.packets.push(Packet {
            kind: Kind::Interrupted {
                values,
                at,
                command,
            },
            layer,
            pos,
            beats,
        });
        match command {
            Command::SoftReset => self.next_pos.iter_mut().for_each(|p| *p = 0),
            Command::ClearWindows => self.next_pos[layer] = pos.wrapping_add(1),
        }
    }

    /// Input packets so far.
    pub fn packets(&self) -> &[Packet] {
        &self.packets
    }

    /// The stream with the twin's expectations.
    pub fn finish(self) -> Scenario {
        let twin = self.twin.unwrap_or_else(|| DesignTwin::new(self.p));
        Scenario::expect(self.p, twin, self.packets)
    }

    /// The stream alone, its expectations left to the caller (e.g. `lockstep::run_with_twin`
    /// computes them alongside the simulation).
    pub fn finish_stimulus(self) -> Vec<Packet> {
        self.packets
    }
}

fn random_builder<'a>(
    p: &'a Params,
    opts: &StreamOptions,
    twin: Option<DesignTwin>,
) -> Builder<'a> {
    let mut b = Builder::build(p, opts.seed, twin);
    let layers = p.shape.n_layer;
    let mut per_layer = vec![0usize; layers];
    let order: Vec<usize> = if opts.interleaved {
        (0..opts.tokens).map(|i| i % layers).collect()
    } else {
        let run = (opts.tokens.div_ceil(layers)).max(1);
        (0..opts.tokens)
            .map(|i| (i / run).min(layers - 1))
            .collect()
    };
    let n = opts.tokens;
    let commands = opts.commands && n >= 6;
    let half = 1 + p.stream.token_beats / 2;
    for (i, layer) in order.into_iter().enumerate() {
        if opts.reset_every > 0
            && per_layer[layer] > 0
            && per_layer[layer].is_multiple_of(opts.reset_every)
        {
            b.reset(layer, 0);
        }
        if commands && i == n / 3 {
            b.interrupted(layer, half, Command::ClearWindows);
        } else if commands && i == 2 * n / 3 {
            // All but the last beat before the soft reset: the last one and the next packet's
            // header come right after the write's response, and must wait for the soft reset.
            b.interrupted(layer, p.stream.token_beats - 1, Command::SoftReset);
            per_layer.iter_mut().for_each(|c| *c = 0);
            continue;
        } else {
            b.token(layer);
        }
        per_layer[layer] += 1;
    }
    b
}

/// A seeded random stream over every layer (see [`StreamOptions`]) with `twin`'s expectations.
pub fn random_stream(p: &Params, opts: &StreamOptions, twin: DesignTwin) -> Scenario {
    random_builder(p, opts, Some(twin)).finish()
}

/// The input packets of [`random_stream`] alone (the expectations computed elsewhere, e.g.
/// by `lockstep::run_with_twin` alongside the simulation).
pub fn random_stimulus(p: &Params, opts: &StreamOptions) -> Vec<Packet> {
    random_builder(p, opts, None).packets
}

/// Every bad-packet rule between tokens of both ends of the layer range, then `tail` tokens on
/// every layer (the tokens after a bad packet must match: nothing it carried was stored).
pub fn every_bad_rule(p: &Params, seed: u64, tail: usize) -> Scenario {
    let mut b = Builder::new(p, seed);
    let last = p.shape.n_layer - 1;
    for rule in BadRule::ALL {
        b.token(0);
        b.token(last);
        b.bad(rule, last);
        b.token(last);
    }
    for rule in [
        BadRule::UnknownOpcode,
        BadRule::LayerOutOfRange,
        BadRule::WrongPosition,
    ] {
        b.bad_with(rule, last, true);
        b.bad(rule, 0);
    }
    for _ in 0..tail {
        (0..p.shape.n_layer).for_each(|l| b.token(l));
    }
    b.finish()
}

/// A reset of the whole design in the middle of a TOKEN packet: `tokens` tokens on every layer
/// and a bad packet (the sticky STATUS flag and the counters must clear with the reset), half
/// a TOKEN packet of the last layer, the reset, then `tokens` tokens on every layer from
/// position 0 (a window that survived the reset would change their results) and another bad
/// packet.
pub fn reset_mid_packet(p: &Params, seed: u64, tokens: usize) -> Scenario {
    let mut b = Builder::new(p, seed);
    let layers = p.shape.n_layer;
    for _ in 0..tokens {
        (0..layers).for_each(|l| b.token(l));
    }
    b.bad(BadRule::WrongPosition, 0);
    b.cut(layers - 1, 1 + p.stream.token_beats / 2);
    for _ in 0..tokens {
        (0..layers).for_each(|l| b.token(l));
    }
    b.bad(BadRule::Short, layers - 1);
    b.token(0);
    b.finish()
}

/// Reads the fields of a header beat: (code, layer, position).
pub fn header_fields(beat: &Beat) -> (u64, usize, u32) {
    let w = beat.data[0];
    (
        w & 0xf,
        ((w >> 8) & 0xff) as usize,
        ((w >> 16) & 0xffff_ffff) as u32,
    )
}

/// Describes where two beats of an output packet differ: the first field (header field, or
/// head and dimension of a value) and both values.
pub fn describe_difference(
    p: &Params,
    beat_index: usize,
    expected: &Beat,
    actual: &Beat,
) -> String {
    if beat_index == 0 {
        let (e, a) = (header_fields(expected), header_fields(actual));
        return format!(
            "header: expected status {} layer {} position {}, got status {} layer {} position {}",
            e.0, e.1, e.2, a.0, a.1, a.2
        );
    }
    if expected.last != actual.last {
        return format!("TLAST: expected {}, got {}", expected.last, actual.last);
    }
    let (ob, per) = (p.fixed.out_bits, p.stream.out_values_per_beat);
    let j = beat_index - 1;
    let (head, part) = (
        j / p.stream.out_beats_per_head,
        j % p.stream.out_beats_per_head,
    );
    for i in 0..per {
        let dim = part * per + i;
        if dim >= p.shape.d_head {
            break;
        }
        let (e, a) = (
            expected.get(ob * i as u32, ob),
            actual.get(ob * i as u32, ob),
        );
        if e != a {
            return format!("head {head}, dimension {dim}: expected {e}, got {a}");
        }
    }
    "padding bits differ".to_string()
}
