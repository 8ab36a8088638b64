//! The Verilator back end: the generated `tiny` design built into a shared library and driven
//! from Rust, against the twin H (streams with gaps and back-pressure), the build cache, the
//! AXI4-Lite registers and waveforms. `bench_speed` (ignored) measures tiny and gpt2-head:
//! `cargo test --release -p gca-testbench --test verilator_backend -- --ignored --nocapture`.
//!
//! Libraries are cached in `CARGO_TARGET_TMPDIR/gca-verilator`, so a second run skips the
//! builds.

use std::path::{Path, PathBuf};
use std::time::Instant;

use gca::config::Params;
use gca::models::stimulus::HeadStream;
use gca_testbench::packets::{reset_packet, result_packet, token_packet, Beat};
use gca_testbench::twin::DesignTwin;
use gca_testbench::verilator::{
    drive_stream, run_stream, BuildOptions, Model, StreamDrive, RESP_OKAY, RESP_SLVERR,
};

fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("gca-verilator")
}

/// A generated design in a fresh temporary folder (removed on drop).
struct Design {
    p: Params,
    dir: PathBuf,
}

impl Design {
    fn new(name: &str, tag: &str) -> Design {
        let p = gca::config::load(name).unwrap();
        let dir = std::env::temp_dir().join(format!("gca-vl-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files = gca::emit::generate(&p).unwrap();
        gca::emit::write::write_folder(&dir.join("rtl"), &files, false).unwrap();
        Design { p, dir }
    }

    fn rtl(&self) -> PathBuf {
        self.dir.join("rtl")
    }

    fn build(&self, opts: &BuildOptions) -> Model {
        let t = Instant::now();
        let m = Model::build_with(&self.p, &self.rtl(), &cache_dir(), opts, |l| {
            eprintln!("{l}")
        })
        .unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "{}: library {} in {:.2} s",
            self.p.name,
            if m.info().cached { "cached" } else { "built" },
            t.elapsed().as_secs_f64()
        );
        m
    }
}

impl Drop for Design {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Tokens over every layer (round robin): token packets in, the twin's result packets out.
struct Tokens {
    p: Params,
    twin: DesignTwin,
    streams: Vec<Vec<HeadStream>>,
    pos: Vec<u32>,
    next: usize,
}

impl Tokens {
    fn new(p: &Params, seed: u64) -> Tokens {
        Tokens {
            p: p.clone(),
            twin: DesignTwin::new(p),
            streams: (0..p.shape.n_layer)
                .map(|l| {
                    (0..p.shape.n_head)
                        .map(|h| HeadStream::new(p, seed, l, h))
                        .collect()
                })
                .collect(),
            pos: vec![0; p.shape.n_layer],
            next: 0,
        }
    }

    /// The next token's packet into `stim` and, with the twin, its result into `expect`; with
    /// `reset`, a RESET_WINDOW of its layer first. Returns the outputs.
    fn token(
        &mut self,
        reset: bool,
        twin: bool,
        stim: &mut Vec<Beat>,
        expect: &mut Vec<Beat>,
    ) -> Vec<Vec<i64>> {
        let p = &self.p;
        let layer = self.next % p.shape.n_layer;
        self.next += 1;
        if reset {
            stim.extend(reset_packet(p, layer, 0));
            self.twin.reset_window(layer);
            self.pos[layer] = 0;
        }
        let values: Vec<_> = self.streams[layer]
            .iter_mut()
            .map(|s| s.next_token())
            .collect();
        stim.extend(token_packet(p, layer, self.pos[layer], &values));
        let ys = if twin {
            let ys = self.twin.token(layer, &values);
            expect.extend(result_packet(p, layer, self.pos[layer], &ys));
            ys
        } else {
            Vec::new()
        };
        self.pos[layer] += 1;
        ys
    }

    /// `n` tokens.
    fn chunk(&mut self, n: usize, twin: bool) -> (Vec<Beat>, Vec<Beat>) {
        let (mut stim, mut expect) = (Vec::new(), Vec::new());
        for _ in 0..n {
            self.token(false, twin, &mut stim, &mut expect);
        }
        (stim, expect)
    }
}

/// Token packets over every layer (round robin), a RESET_WINDOW of the layer of token
/// `tokens / 2` before it, and the twin's result packets.
fn stream(p: &Params, tokens: usize, seed: u64) -> (Vec<Beat>, Vec<Beat>) {
    let mut gen = Tokens::new(p, seed);
    let (mut stim, mut expect) = (Vec::new(), Vec::new());
    let (mut nonzero, mut negative) = (0, 0);
    for i in 0..tokens {
        let ys = gen.token(i == tokens / 2, true, &mut stim, &mut expect);
        for y in ys.iter().flatten() {
            nonzero += usize::from(*y != 0);
            negative += usize::from(*y < 0);
        }
    }
    // A stream whose outputs were all zero would prove little.
    let outputs = tokens * p.shape.n_head * p.shape.d_head;
    assert!(
        nonzero > outputs / 10 && negative > outputs / 50,
        "{nonzero} nonzero, {negative} negative of {outputs}"
    );
    (stim, expect)
}

#[test]
fn tiny_stream_matches_twin() {
    let d = Design::new("tiny", "stream");
    let p = &d.p;
    let mut m = d.build(&BuildOptions::default());
    // Longer than the window (128) on both layers, so that it wraps.
    let (stim, expect) = stream(p, 600, 1);
    m.reset(3);
    let drain = 4 * p.cycles.decode_latency;
    let t = Instant::now();
    let run = run_stream(
        &mut m,
        p,
        &stim,
        &expect,
        &StreamDrive {
            drain,
            ..StreamDrive::default()
        },
    )
    .unwrap_or_else(|e| panic!("back-to-back: {e}"));
    eprintln!(
        "back-to-back: {} tokens, {} beats in, {} out, {} cycles, {:.3} s",
        600,
        run.beats_in,
        run.beats_out,
        run.cycles,
        t.elapsed().as_secs_f64()
    );
    assert_eq!(run.beats_out, expect.len());

    // A second instance of the same library, random gaps and back-pressure.
    let mut m2 = Model::open(p, m.info()).unwrap();
    let (stim, expect) = stream(p, 300, 7);
    m2.reset(2);
    for (seed, gap, bp) in [(11, 0.3, 0.5), (12, 0.05, 0.9)] {
        // One run per instance: each starts from reset with empty windows.
        let mut mi = Model::open(p, m.info()).unwrap();
        mi.reset(2);
        let run = run_stream(
            &mut mi,
            p,
            &stim,
            &expect,
            &StreamDrive {
                gap,
                backpressure: bp,
                seed,
                drain,
                ..StreamDrive::default()
            },
        )
        .unwrap_or_else(|e| panic!("gaps {gap}, back-pressure {bp}: {e}"));
        eprintln!(
            "gaps {gap}, back-pressure {bp}: {} cycles for {} beats out",
            run.cycles, run.beats_out
        );
    }
    // A wrong expectation is reported value by value.
    let mut wrong = expect.clone();
    wrong[1].data[0] ^= 1 << p.fixed.out_bits; // value 1 of the first data beat
    let err = run_stream(&mut m2, p, &stim, &wrong, &StreamDrive::default()).unwrap_err();
    assert!(err.starts_with("output beat 1: value 1 expected"), "{err}");
}

#[test]
fn cache_reuses_and_rebuilds() {
    let d = Design::new("tiny", "cache");
    let first = d.build(&BuildOptions::default());
    let info = first.info().clone();
    drop(first);
    // The same folder: found in the cache, no compiler run.
    let t = Instant::now();
    let mut lines = Vec::new();
    let again = Model::build(&d.p, &d.rtl(), &cache_dir(), |l| lines.push(l.to_string())).unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert!(again.info().cached, "{lines:?}");
    assert_eq!(again.info().key, info.key);
    assert!(secs < 2.0, "a cache hit took {secs:.2} s");
    assert!(lines.iter().all(|l| !l.contains("$ ")), "{lines:?}");
    drop(again);

    // The same design in another folder: the same key.
    let d2 = Design::new("tiny", "cache2");
    let other = Model::build(&d2.p, &d2.rtl(), &cache_dir(), |_| {}).unwrap();
    assert_eq!(other.info().key, info.key);
    drop(other);

    // A hand-edited RTL file: a new key and a build (a unique comment, so that no earlier run
    // cached it; the library is removed afterwards).
    let top = d.rtl().join("rtl").join("gca_top.v");
    let mut text = std::fs::read_to_string(&top).unwrap();
    text += &format!(
        "// edited by the cache test {} {:?}\n",
        std::process::id(),
        std::time::SystemTime::now()
    );
    std::fs::write(&top, text).unwrap();
    let mut lines = Vec::new();
    let t = Instant::now();
    let mut edited =
        Model::build(&d.p, &d.rtl(), &cache_dir(), |l| lines.push(l.to_string())).unwrap();
    eprintln!("edited RTL rebuilt in {:.2} s", t.elapsed().as_secs_f64());
    assert!(!edited.info().cached);
    assert_ne!(edited.info().key, info.key);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("$ ") && l.contains("verilator")),
        "{lines:?}"
    );
    edited.reset(2);
    assert_eq!(edited.axil_read(0x000), (gca::regmap::ID_VALUE, RESP_OKAY));
    let built = edited.info().clone();
    drop(edited);
    let _ = std::fs::remove_file(&built.library);
    let _ = std::fs::remove_file(&built.cell_table);

    // A broken RTL file: Verilator's own error lines come back.
    std::fs::write(
        &top,
        "module gca_top(input wire clk);\n  assign nope = ;\nendmodule\n",
    )
    .unwrap();
    let err = match Model::build(&d.p, &d.rtl(), &cache_dir(), |_| {}) {
        Ok(_) => panic!("a broken gca_top.v built"),
        Err(e) => e,
    };
    assert!(err.starts_with("verilator failed"), "{err}");
    assert!(err.contains("%Error"), "{err}");
    assert!(err.contains("gca_top.v:2"), "{err}");
    if let Some(kept) = err
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("(build folder kept: "))
    {
        let _ = std::fs::remove_dir_all(kept.trim_end_matches(')'));
    }
}

#[test]
fn axi_lite_registers() {
    let d = Design::new("tiny", "axil");
    let p = &d.p;
    let mut m = d.build(&BuildOptions::default());
    m.reset(2);
    let map = gca::regmap::RegMap::new(p);
    assert_eq!(m.axil_read(0x000), (0x4743_4131, RESP_OKAY));
    assert_eq!(map.offset("ID"), Some(0));
    // Q_GAIN of head 0 and of the last head: reset value, write, read back (sign-extended).
    let q = &map.scalers.registers[0];
    assert_eq!(q.name, "Q_GAIN");
    let sb = p.fixed.scaler_bits;
    let last = map
        .scalers
        .head_base(p.shape.n_layer as u32 - 1, p.shape.n_head as u32 - 1);
    for base in [gca::regmap::SCALER_BASE, last] {
        let addr = base + q.offset;
        assert_eq!(m.axil_read(addr), (q.reset, RESP_OKAY), "{addr:#x}");
        for value in [0x0000_1234u32, 0x0000_8001, 0xdead_0003] {
            assert_eq!(m.axil_write(addr, value), RESP_OKAY);
            let low = value & ((1u32 << sb) - 1);
            let want = if low >> (sb - 1) & 1 == 1 {
                low | !((1u32 << sb) - 1)
            } else {
                low
            };
            assert_eq!(
                m.axil_read(addr),
                (want, RESP_OKAY),
                "{addr:#x} <- {value:#x}"
            );
        }
    }
    // Head 0 kept its last value while the last head was written.
    assert_eq!(m.axil_read(gca::regmap::SCALER_BASE).0, 3);
    // Unmapped: SLVERR both ways; a read-only register: SLVERR on write, unchanged.
    assert_eq!(m.axil_read(0xffc).1, RESP_SLVERR);
    assert_eq!(m.axil_write(0xffc, 1), RESP_SLVERR);
    assert_eq!(m.axil_write(0x000, 0), RESP_SLVERR);
    assert_eq!(m.axil_read(0x000), (gca::regmap::ID_VALUE, RESP_OKAY));
    assert!(!m.irq());
}

#[test]
fn waves_vcd() {
    let d = Design::new("tiny", "waves");
    let mut m = d.build(&BuildOptions {
        waves: true,
        ..BuildOptions::default()
    });
    assert!(m.has_waves());
    let vcd = d.dir.join("run.vcd");
    m.open_waves(&vcd).unwrap();
    m.reset(2);
    m.tick();
    assert_eq!(m.axil_read(0x000).0, gca::regmap::ID_VALUE);
    m.close_waves().unwrap();
    let text = std::fs::read_to_string(&vcd).unwrap();
    assert!(
        text.starts_with("$date") || text.starts_with("$version"),
        "{}",
        &text[..text.len().min(200)]
    );
    assert!(text.contains("s_axil_rdata"));
    // Half a period a phase: the clock period of tiny is 1 ns at 1 ps precision.
    assert!(
        text.contains("\n#500\n") && text.contains("\n#1000\n"),
        "time steps"
    );
    // Reopening a second file works; a library without --trace refuses.
    let vcd2 = d.dir.join("run2.vcd");
    m.open_waves(&vcd2).unwrap();
    m.tick();
    drop(m);
    assert!(std::fs::read_to_string(&vcd2)
        .unwrap()
        .contains("$enddefinitions"));
    let mut plain = d.build(&BuildOptions::default());
    let err = plain.open_waves(&vcd).unwrap_err();
    assert!(err.contains("without waveform"), "{err}");
}

/// Rates of slices of a run: this machine's speed varies by up to 2x over seconds (shared
/// host), so the best slice is the uncontended speed and the median the typical one.
#[derive(Default)]
struct Rates(Vec<f64>);

impl Rates {
    fn add(&mut self, units: f64, secs: f64) {
        self.0.push(units / secs);
    }

    fn show(&mut self) -> String {
        self.0.sort_by(|a, b| b.partial_cmp(a).unwrap());
        format!(
            "best {:.0}, median {:.0}",
            self.0[0],
            self.0[self.0.len() / 2]
        )
    }
}

/// Speeds of the Verilator back end (`GCA_BENCH_CONFIGS`, default `tiny,gpt2-head`;
/// `GCA_BENCH_TRACE=0` skips the `--trace` variant): build times; tokens/s and cycles/s of
/// back-to-back token streams without the twin, while the windows fill and once they are full;
/// eval and tick alone; the twin alone; lockstep with the twin (every beat compared), in one
/// thread and with the twin in a second thread. Every speed is measured on slices of 50 tokens
/// and shown as best and median slice.
#[test]
#[ignore]
fn bench_speed() {
    let configs = std::env::var("GCA_BENCH_CONFIGS").unwrap_or_else(|_| "tiny,gpt2-head".into());
    let trace = std::env::var("GCA_BENCH_TRACE").map_or(true, |v| v != "0");
    let slice = 50;
    for name in configs.split(',') {
        let d = Design::new(name, &format!("bench-{name}"));
        let p = &d.p;
        // Every layer's window full, then `n` more tokens.
        let fill = p.shape.window * p.shape.n_layer;
        let n = 1000;
        let per_token = p.stream.result_beats;
        let mut variants = vec![false];
        if trace {
            variants.push(true);
        }
        let mut plain = None;
        for waves in variants {
            let t = Instant::now();
            let m = d.build(&BuildOptions {
                waves,
                ..BuildOptions::default()
            });
            let build = t.elapsed().as_secs_f64();
            let info = m.info().clone();
            drop(m);
            let mut gen = Tokens::new(p, 3);
            let mut m = Model::open(p, &info).unwrap();
            m.reset(2);
            let (mut filling, mut full, mut full_cycles) =
                (Rates::default(), Rates::default(), Rates::default());
            let mut cycles = 0;
            for i in 0..(fill + n) / slice {
                let (stim, _) = gen.chunk(slice, false);
                let t = Instant::now();
                let r = drive_stream(
                    &mut m,
                    &stim,
                    slice * per_token,
                    &StreamDrive::default(),
                    |_, _, _| Ok(()),
                )
                .unwrap();
                let secs = t.elapsed().as_secs_f64();
                if (i + 1) * slice <= fill {
                    filling.add(slice as f64, secs);
                } else {
                    full.add(slice as f64, secs);
                    full_cycles.add(r.cycles as f64, secs);
                    cycles += r.cycles;
                }
            }
            eprintln!(
                "BENCH {name} trace={waves}: build {build:.1} s ({}); tokens/s filling the window {}; full window ({:.1} cycles/token) {} tokens/s, {} cycles/s",
                if info.cached { "cached" } else { "built" },
                filling.show(),
                cycles as f64 / (full.0.len() * slice) as f64,
                full.show(),
                full_cycles.show()
            );
            if !waves {
                plain = Some(info);
            }
        }
        let info = plain.expect("the plain variant");

        // Eval (an input toggled so that it runs) and tick, idle.
        let mut m = Model::open(p, &info).unwrap();
        m.reset(2);
        let (mut eval, mut tick) = (Rates::default(), Rates::default());
        for _ in 0..10 {
            let reps = 2000;
            let t = Instant::now();
            for i in 0..reps {
                m.set_m_axis_tready(i % 2 == 0);
                m.eval();
            }
            eval.add(reps as f64, t.elapsed().as_secs_f64());
            let t = Instant::now();
            for _ in 0..reps {
                m.tick();
            }
            tick.add(reps as f64, t.elapsed().as_secs_f64());
        }
        eprintln!(
            "BENCH {name}: idle evals/s {}, idle ticks/s {} (a tick skips the low-phase eval: {})",
            eval.show(),
            tick.show(),
            m.skips_low_eval()
        );

        // The twin alone, full window.
        let mut gen = Tokens::new(p, 5);
        gen.chunk(fill, true);
        let mut twin = Rates::default();
        for _ in 0..n / slice {
            let t = Instant::now();
            gen.chunk(slice, true);
            twin.add(slice as f64, t.elapsed().as_secs_f64());
        }
        eprintln!(
            "BENCH {name}: twin and packets alone (full window) {} tokens/s",
            twin.show()
        );

        // Lockstep, full window: slices of tokens, the twin in this thread or in another.
        for threaded in [false, true] {
            let mut gen = Tokens::new(p, 5);
            let mut m = Model::open(p, &info).unwrap();
            m.reset(2);
            let (stim, expect) = gen.chunk(fill, true);
            run_stream(&mut m, p, &stim, &expect, &StreamDrive::default()).unwrap();
            let mut rates = Rates::default();
            if threaded {
                let (tx, rx) = std::sync::mpsc::sync_channel(2);
                let producer = std::thread::spawn(move || {
                    for _ in 0..n / slice {
                        if tx.send(gen.chunk(slice, true)).is_err() {
                            return;
                        }
                    }
                });
                let mut t = Instant::now();
                for (stim, expect) in rx {
                    run_stream(&mut m, p, &stim, &expect, &StreamDrive::default()).unwrap();
                    rates.add(slice as f64, t.elapsed().as_secs_f64());
                    t = Instant::now();
                }
                producer.join().unwrap();
            } else {
                for _ in 0..n / slice {
                    let t = Instant::now();
                    let (stim, expect) = gen.chunk(slice, true);
                    run_stream(&mut m, p, &stim, &expect, &StreamDrive::default()).unwrap();
                    rates.add(slice as f64, t.elapsed().as_secs_f64());
                }
            }
            eprintln!(
                "BENCH {name}: lockstep (full window, every beat compared), twin in {}: {} tokens/s",
                if threaded { "a second thread" } else { "the same thread" },
                rates.show()
            );
        }
    }
}

/// CONTROL.SOFT_RESET while an error packet is offered with TREADY low (a fault of the first
/// design, whose soft reset was an asynchronous reset of the stream blocks: TVALID fell without
/// a handshake and the packet was lost): TVALID and the beat are held across the reset, the
/// packet is delivered once TREADY rises, and a token at position 0 afterwards matches a twin
/// whose windows were emptied (the scalers kept).
#[test]
fn soft_reset_keeps_an_offered_packet() {
    use gca::sim::twin::ScalerRegisters;
    let d = Design::new("tiny", "softrst");
    let p = &d.p;
    let mut m = d.build(&BuildOptions::default());
    m.reset(2);
    let map = gca::regmap::RegMap::new(p);
    let control = map.offset("CONTROL").unwrap();
    let mut streams: Vec<HeadStream> = (0..p.shape.n_head)
        .map(|h| HeadStream::new(p, 9, 0, h))
        .collect();
    let mut twin = DesignTwin::new(p);
    // Two tokens of layer 0, their results taken.
    for pos in 0..2u32 {
        let vals: Vec<_> = streams.iter_mut().map(|s| s.next_token()).collect();
        let ys = twin.token(0, &vals);
        let want = result_packet(p, 0, pos, &ys);
        run_stream(
            &mut m,
            p,
            &token_packet(p, 0, pos, &vals),
            &want,
            &StreamDrive::default(),
        )
        .unwrap_or_else(|e| panic!("token {pos}: {e}"));
    }
    // A header of an unknown opcode (one beat, TLAST): its error packet is offered while
    // TREADY is low.
    let mut bad = reset_packet(p, 0, 7).remove(0);
    bad.set(0, 4, 3);
    m.set_m_axis_tready(false);
    m.set_s_axis(Some(&bad));
    let mut waited = 0;
    while !m.s_axis_tready() {
        m.tick();
        waited += 1;
        assert!(waited < 100, "the header is not accepted");
    }
    m.tick();
    m.set_s_axis(None);
    let mut waited = 0;
    while !m.m_axis_tvalid() {
        m.tick();
        waited += 1;
        assert!(waited < 100, "no error packet offered");
    }
    let offered = m.m_axis_beat();
    assert_eq!(m.axil_write(control, 0b011), RESP_OKAY);
    for cycle in 0..40 {
        assert!(
            m.m_axis_tvalid(),
            "TVALID fell {cycle} cycles after the soft reset"
        );
        assert_eq!(m.m_axis_beat(), offered, "the offered beat changed");
        m.tick();
    }
    m.set_m_axis_tready(true);
    m.tick();
    assert!(!m.m_axis_tvalid(), "one beat, taken");
    assert_eq!(offered.data[0] & 0xf, 2, "BAD_OPCODE");
    // Windows and positions start again, the scalers are kept (defaults here).
    let mut fresh = DesignTwin::with_registers(p, ScalerRegisters::defaults(p));
    let vals: Vec<_> = streams.iter_mut().map(|s| s.next_token()).collect();
    let ys = fresh.token(0, &vals);
    let want = result_packet(p, 0, 0, &ys);
    run_stream(
        &mut m,
        p,
        &token_packet(p, 0, 0, &vals),
        &want,
        &StreamDrive::default(),
    )
    .unwrap_or_else(|e| panic!("the token after the soft reset: {e}"));
}
