//! Scenarios on the Verilator back end in lockstep with the twin (`gca::sim::lockstep`; every
//! run ends by reading the TOKENS, ERRORS and RESULTS counters and STATUS over AXI4-Lite):
//! every bad-packet rule (answered by its error packet, the tokens after it still match) on
//! tiny and on a configuration whose window wraps; a configuration with the write overlap,
//! decay, 2-cycle PWM steps and 4 tiles whose window wraps, with every result's cycle checked
//! against the twin's schedule; a reset of the design in the middle of a packet, and a check
//! that a wrong expectation after it is reported; a RESET_WINDOW of a busy layer that holds no
//! other layer back.

use std::path::PathBuf;

use gca::config::Params;
use gca::sim::lockstep::{self, Drive, Summary};
use gca::sim::scenario::{random_stream, Scenario, StreamOptions};
use gca::sim::twin::DesignTwin;
use gca::sim::verilator::Model;

fn run(tag: &str, p: &Params, s: &Scenario, drive: Drive) -> Summary {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.join(format!("gca-vscen-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    gca::emit::write::write_folder(&dir, &gca::emit::generate(p).unwrap(), false).unwrap();
    let mut m = Model::build(p, &dir, &tmp.join("gca-verilator"), |_| {}).unwrap();
    m.reset(4);
    let summary = lockstep::run(p, &mut m, s, drive, |_, _| {});
    drop(m);
    let _ = std::fs::remove_dir_all(&dir);
    summary
}

/// Every bad-packet rule, on tiny and on a configuration whose window wraps in the tokens
/// after them, smooth and with gaps and back-pressure.
#[test]
fn every_bad_packet_is_answered_and_corrupts_nothing() {
    for (p, tail) in [
        (gca::config::load("tiny").unwrap(), 10),
        (gca_testbench::configs::small_wrap(), 20),
    ] {
        let s = gca::sim::scenario::every_bad_rule(&p, 3, tail);
        for (tag, rough) in [("bad-smooth", false), ("bad-rough", true)] {
            let r = run(
                &format!("{tag}-{}", p.name),
                &p,
                &s,
                Drive {
                    seed: 2,
                    gaps: rough,
                    backpressure: rough,
                    bursts: false,
                },
            );
            assert_eq!(r.mismatches, 0, "{} {tag}: {:?}", p.name, r.mismatch);
            assert_eq!(r.packets_out, s.expected.len());
        }
    }
}

#[test]
fn overlap_decay_and_two_cycle_pwm_steps_are_cycle_exact() {
    let p = gca_testbench::configs::small_overlap();
    let opts = StreamOptions {
        tokens: 200,
        seed: 4,
        interleaved: false,
        reset_every: 45,
        commands: false,
    };
    let s = random_stream(&p, &opts, DesignTwin::new(&p));
    let r = run(
        "overlap",
        &p,
        &s,
        Drive {
            seed: 4,
            gaps: false,
            backpressure: false,
            bursts: false,
        },
    );
    assert_eq!(r.mismatches, 0, "{:?}", r.mismatch);
    assert_eq!(r.cycle_checks, 200, "every result timed");
}

/// The design reset (`rst_n`) while a TOKEN packet is half in: the packet leaves nothing
/// behind, windows, positions, counters and sticky flags start again (the lockstep reads the
/// counters and STATUS after the stream), and the tokens after it match a fresh twin; tiny and
/// a configuration whose window wraps before the reset.
#[test]
fn reset_in_the_middle_of_a_packet() {
    let tiny = gca::config::load("tiny").unwrap();
    let small = gca_testbench::configs::small_wrap();
    for (p, tokens) in [(&tiny, 20), (&small, 24)] {
        let s = gca::sim::scenario::reset_mid_packet(p, 5, tokens);
        for (tag, rough) in [("cut-smooth", false), ("cut-rough", true)] {
            let r = run(
                &format!("{tag}-{}", p.name),
                p,
                &s,
                Drive {
                    seed: 6,
                    gaps: rough,
                    backpressure: rough,
                    bursts: false,
                },
            );
            assert_eq!(r.mismatches, 0, "{} {tag}: {:?}", p.name, r.mismatch);
            assert_eq!(r.packets_out, s.expected.len());
        }
    }
}

/// The check can fail: a scenario that claims the windows survive the reset (expectations
/// from a twin that was not reset) is reported.
#[test]
fn reset_check_can_fail() {
    let p = gca::config::load("tiny").unwrap();
    let s = gca::sim::scenario::reset_mid_packet(&p, 5, 20);
    // The same packets with the twin kept across the cut: replace the cut by a plain
    // RESET_WINDOW-free continuation of the expectations.
    let mut twin = DesignTwin::new(&p);
    let expected = s
        .packets
        .iter()
        .enumerate()
        .filter_map(|(i, pk)| match pk.kind {
            gca::sim::scenario::Kind::Cut => None,
            _ => gca::sim::scenario::expect_packet(&p, &mut twin, i, pk),
        })
        .collect();
    let wrong = Scenario {
        packets: s.packets.clone(),
        expected,
    };
    let r = run("cut-wrong", &p, &wrong, Drive::default());
    assert_eq!(r.mismatches, 1);
    let m = r.mismatch.unwrap();
    assert!(m.what.contains("dimension"), "{}", m.what);
}

/// A RESET_WINDOW of a busy layer is accepted at once: the token of another layer right behind
/// it gives its result one cycle (the reset's header beat) after it does in the same stream
/// without the reset, at the cycle of the twin's schedule; the reset layer's next token waits
/// for the clear and matches a twin whose window was emptied (tiny, whose window of 16 tokens
/// is partly filled, and a configuration whose window wraps before the reset).
#[test]
fn reset_window_does_not_block_other_layers() {
    use gca::models::twin::Schedule;
    use gca::sim::scenario::Builder;
    let tiny = gca::config::load("tiny").unwrap();
    let small = gca_testbench::configs::small_wrap();
    for (p, before) in [(&tiny, 3), (&small, 2 * small.shape.window + 3)] {
        let stream = |with_reset: bool| {
            let mut b = Builder::new(p, 11);
            for _ in 0..before {
                b.token(0);
            }
            if with_reset {
                b.reset(0, 500);
            }
            b.token(1);
            b.token(0);
            b.token(1);
            b.finish()
        };
        let (with, without) = (stream(true), stream(false));
        let smooth = Drive::default();
        let a = run(&format!("rw-with-{}", p.name), p, &with, smooth);
        let b = run(&format!("rw-without-{}", p.name), p, &without, smooth);
        assert_eq!(a.mismatches, 0, "{}: {:?}", p.name, a.mismatch);
        assert_eq!(b.mismatches, 0, "{}: {:?}", p.name, b.mismatch);
        // Input packet `before + 1` is layer 1's token behind the reset (`before` without it).
        let with_l1 = a.result_cycles[&(before + 1)];
        let without_l1 = b.result_cycles[&before];
        assert_eq!(
            with_l1,
            without_l1 + 1,
            "{}: layer 1 delayed by the reset",
            p.name
        );
        let mut sched = Schedule::new(p);
        let last = (0..before).map(|_| sched.token(0, 0)).last().unwrap();
        let accepted = sched.reset_window(0, 0);
        assert_eq!(accepted, last.last_beat + 1, "{}", p.name);
        let l1 = sched.token(1, 0);
        assert_eq!(l1.header, accepted + 1, "{}", p.name);
        // Layer 1 computes while layer 0 still works on its tokens before the reset.
        assert!(l1.result < a.result_cycles[&(before - 1)], "{}", p.name);
        assert_eq!(with_l1, l1.result, "{}", p.name);
        // Layer 0's token after the reset waits for the clear (after its last readout).
        let l0 = sched.token(0, 0);
        assert_eq!(a.result_cycles[&(before + 2)], l0.result, "{}", p.name);
        assert!(l0.last_beat > last.readout + p.cycles.readout, "{}", p.name);
    }
}
