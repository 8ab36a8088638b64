//! Generated designs in Icarus against the twin H (`gca::sim::icarus`): streams over every
//! layer (windows wrap, RESET_WINDOW), every output packet matched to its queue and compared
//! beat by beat; `tiny` with and without gaps and back-pressure, a small configuration with the
//! write overlap, decay, a PWM step of 2 cycles and 4 tiles, the linear cell, and every
//! bad-packet rule (answered by an error packet, the tokens after it still match).

use gca::config::Params;
use gca::sim::icarus::{self, Drive, Verdict};
use gca::sim::scenario::{random_stream, BadRule, Builder, Scenario, StreamOptions};
use gca::sim::twin::DesignTwin;

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
    let yaml = "name: small-overlap\nmodel: {n_layer: 2, n_head: 2, n_embd: 16, n_ctx: 64}\n\
                hardware:\n  window: 32\n  tile: 8\n  decay_per_token: 0.01\n  prefill_overlap: true\n\
                \x20 timing: {t_max_ns: 30.0}\n";
    let p = gca::config::from_yaml(yaml, "inline", "small").unwrap();
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

#[test]
fn every_bad_packet_is_answered_and_corrupts_nothing() {
    let p = gca::config::load("tiny").unwrap();
    let mut b = Builder::new(&p, 3);
    for rule in BadRule::ALL {
        b.token(0);
        b.token(1);
        b.bad(rule, 1);
        b.token(1);
    }
    for _ in 0..10 {
        b.token(0);
        b.token(1);
    }
    pass(
        "bad",
        &p,
        &b.finish(),
        Drive {
            gaps: true,
            backpressure: true,
        },
    );
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
