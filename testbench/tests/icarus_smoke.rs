//! Generated designs in Icarus against the twin H (`gca::sim::icarus`): streams over every
//! layer (windows wrap, RESET_WINDOW), every output packet matched to its queue and compared
//! beat by beat; `tiny` with and without gaps and back-pressure, a small configuration with the
//! write overlap, decay, a PWM step of 2 cycles and 4 tiles, the linear cell, and every
//! bad-packet rule (answered by an error packet, the tokens after it still match).

use gca::config::Params;
use gca::sim::csr::{CsrOp, CsrScript};
use gca::sim::icarus::{self, Drive, Verdict};
use gca::sim::scenario::{random_stream, BadRule, Builder, Counters, Scenario, StreamOptions};
use gca::sim::twin::{DesignTwin, ScalerRegisters};

fn run(tag: &str, p: &Params, s: &Scenario, drive: Drive) -> Verdict {
    let dir = std::env::temp_dir().join(format!("gca-smoke-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = gca::emit::generate(p).unwrap();
    gca::emit::write::write_folder(&dir.join("rtl"), &files, false).unwrap();
    let v = icarus::run(p, &dir.join("rtl"), &dir.join("work"), s, drive, None).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    v
}

fn stream(p: &Params, tokens: usize) -> Scenario {
    let opts = StreamOptions {
        tokens,
        seed: 1,
        interleaved: true,
        reset_every: p.shape.window + 20,
        commands: false,
    };
    let s = random_stream(p, &opts, DesignTwin::new(p));
    // A stream whose outputs were all zero would prove little.
    let values: Vec<i64> = s
        .expected
        .iter()
        .flat_map(|e| e.beats[1..].iter())
        .flat_map(|b| {
            (0..p.shape.d_head.min(p.stream.out_values_per_beat) as u32)
                .map(|i| b.get(i * p.fixed.out_bits, p.fixed.out_bits))
        })
        .collect();
    let nonzero = values.iter().filter(|&&v| v != 0).count();
    assert!(
        nonzero * 10 > values.len(),
        "{nonzero} of {} outputs nonzero",
        values.len()
    );
    s
}

fn pass(tag: &str, p: &Params, s: &Scenario, drive: Drive) {
    let v = run(tag, p, s, drive);
    assert!(matches!(v, Verdict::Pass { .. }), "{}: {v:?}", p.name);
}

#[test]
fn tiny_clean_stream() {
    let p = gca::config::load("tiny").unwrap();
    pass("clean", &p, &stream(&p, 300), Drive::default());
}

#[test]
fn tiny_gaps_and_backpressure() {
    let p = gca::config::load("tiny").unwrap();
    pass(
        "gaps",
        &p,
        &stream(&p, 120),
        Drive {
            gaps: true,
            backpressure: true,
        },
    );
}

#[test]
fn overlap_decay_and_two_cycle_pwm_steps() {
    let p = gca_testbench::configs::small_overlap();
    assert_eq!((p.cycles.pwm_step, p.shape.n_tiles), (2, 4));
    pass("overlap", &p, &stream(&p, 150), Drive::default());
}

#[test]
fn linear_cell_without_decay() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../configs/tiny-linear.yaml");
    let p = gca::config::load(path).unwrap();
    pass(
        "linear",
        &p,
        &stream(&p, 300),
        Drive {
            gaps: true,
            backpressure: false,
        },
    );
}

/// Every bad-packet rule, on tiny and on a configuration whose window wraps in the tokens
/// after them, with gaps and back-pressure.
#[test]
fn every_bad_packet_is_answered_and_corrupts_nothing() {
    for (p, tail) in [
        (gca::config::load("tiny").unwrap(), 10),
        (gca_testbench::configs::small_wrap(), 20),
    ] {
        pass(
            "bad",
            &p,
            &gca::sim::scenario::every_bad_rule(&p, 3, tail),
            Drive {
                gaps: true,
                backpressure: true,
            },
        );
    }
}

#[test]
fn a_wrong_expectation_is_reported_with_its_place() {
    let p = gca::config::load("tiny").unwrap();
    let mut s = stream(&p, 200);
    // Damage one expected value: head 1, dimension 3 of the 150th result.
    let e = &mut s.expected[150];
    let old = e.beats[2].get(3 * p.fixed.out_bits, p.fixed.out_bits);
    e.beats[2].set(3 * p.fixed.out_bits, p.fixed.out_bits, old + 1);
    let (layer, pos) = (e.layer, e.pos);
    match run("wrong", &p, &s, Drive::default()) {
        Verdict::Fail { detail, .. } => assert!(
            detail.contains(&format!("(layer {layer}, position {pos}), output beat 2: head 1, dimension 3: expected {}, got {old}", old + 1)),
            "{detail}"
        ),
        v => panic!("the damage went unnoticed: {v:?}"),
    }
}

fn run_script(tag: &str, p: &Params, s: &Scenario, drive: Drive, script: &CsrScript) -> Verdict {
    let dir = std::env::temp_dir().join(format!("gca-smoke-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = gca::emit::generate(p).unwrap();
    gca::emit::write::write_folder(&dir.join("rtl"), &files, false).unwrap();
    let v = icarus::run_script(
        p,
        &dir.join("rtl"),
        &dir.join("work"),
        s,
        drive,
        script,
        None,
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    v
}

/// AXI4-Lite through gca_top: ID, an unmapped address (SLVERR both ways), a write to a
/// read-only register (SLVERR), non-default scalers in every head (the results follow them),
/// then the counters and STATUS after a stream with bad packets, and STATUS cleared by
/// writing 1. A wrong expectation of a counter is reported with the register's name.
#[test]
fn csr_through_the_top_level() {
    let p = gca::config::load("tiny").unwrap();
    let regs = ScalerRegisters::new(&p, gca::sim::programmed_scalers()).unwrap();
    let mut b = Builder::with_twin(&p, 9, DesignTwin::with_registers(&p, regs));
    for i in 0..30 {
        b.token(i % 2);
        if i % 10 == 5 {
            b.bad(BadRule::ALL[i / 10], 1);
        }
    }
    let s = b.finish();
    let want = Counters::after(&s.packets);
    assert_eq!((want.tokens, want.errors), (30, 3));
    let script = CsrScript::standard(&p, &regs, &want);
    let v = run_script("csr", &p, &s, Drive::default(), &script);
    assert!(matches!(v, Verdict::Pass { .. }), "{v:?}");

    let mut wrong = script.clone();
    let off = gca::regmap::RegMap::new(&p).get("TOKENS").unwrap().offset;
    for op in &mut wrong.after {
        if let CsrOp::Read { addr, data, .. } = op {
            if *addr == off {
                *data = Some(want.tokens + 1);
            }
        }
    }
    match run_script("csr-wrong", &p, &s, Drive::default(), &wrong) {
        Verdict::Fail { detail, line } => {
            assert!(detail.contains("TOKENS"), "{detail}");
            assert!(line.contains("expected 0000001f"), "{line}");
        }
        v => panic!("a wrong counter expectation passed: {v:?}"),
    }
}

/// The design reset while a TOKEN packet is half in (tiny, and a configuration whose window
/// wraps before the reset), with and without gaps and back-pressure: the tokens after it
/// match a fresh twin, the counters and STATUS count from the reset.
#[test]
fn reset_in_the_middle_of_a_packet() {
    let tiny = gca::config::load("tiny").unwrap();
    let small = gca_testbench::configs::small_wrap();
    for (p, tokens) in [(&tiny, 20), (&small, 24)] {
        let s = gca::sim::scenario::reset_mid_packet(p, 5, tokens);
        let script = CsrScript {
            before: vec![],
            after: gca::sim::csr::after_stream(p, &Counters::after(&s.packets)),
        };
        for (tag, drive) in [
            ("cut-smooth", Drive::default()),
            (
                "cut-rough",
                Drive {
                    gaps: true,
                    backpressure: true,
                },
            ),
        ] {
            let v = run_script(&format!("{tag}-{}", p.name), p, &s, drive, &script);
            assert!(matches!(v, Verdict::Pass { .. }), "{} {tag}: {v:?}", p.name);
        }
    }
}
