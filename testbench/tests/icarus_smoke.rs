//! Generated designs in Icarus against the twin H: a stream of tokens over every layer (the
//! window wraps) with a RESET_WINDOW, every output beat compared; `tiny`, and small
//! configurations with the write overlap, decay, a PWM step of 2 cycles and the linear cell.

use gca::models::stimulus::HeadStream;
use gca_testbench::icarus::{self, Drive, Verdict};
use gca_testbench::packets::{reset_packet, result_packet, token_packet};
use gca_testbench::twin::DesignTwin;

fn scenario(tag: &str, p: &gca::config::Params, tokens: usize, drive: Drive) {
    let p = p.clone();
    let name = p.name.as_str();
    let dir = std::env::temp_dir().join(format!("gca-smoke-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = gca::emit::generate(&p).unwrap();
    gca::emit::write::write_folder(&dir.join("rtl"), &files, false).unwrap();
    let mut twin = DesignTwin::new(&p);
    let mut streams: Vec<Vec<HeadStream>> = (0..p.shape.n_layer)
        .map(|l| {
            (0..p.shape.n_head)
                .map(|h| HeadStream::new(&p, 1, l, h))
                .collect()
        })
        .collect();
    let (mut stim, mut expect) = (Vec::new(), Vec::new());
    let mut pos = vec![0u32; p.shape.n_layer];
    let (mut nonzero, mut negative) = (0, 0);
    for i in 0..tokens {
        let layer = i % p.shape.n_layer;
        if i == tokens / 2 {
            stim.extend(reset_packet(&p, layer, 0));
            twin.reset_window(layer);
            pos[layer] = 0;
        }
        let values: Vec<_> = streams[layer].iter_mut().map(|s| s.next_token()).collect();
        stim.extend(token_packet(&p, layer, pos[layer], &values));
        let ys = twin.token(layer, &values);
        for y in ys.iter().flatten() {
            nonzero += usize::from(*y != 0);
            negative += usize::from(*y < 0);
        }
        expect.extend(result_packet(&p, layer, pos[layer], &ys));
        pos[layer] += 1;
    }
    // A stream whose outputs were all zero would prove little.
    let outputs = tokens * p.shape.n_head * p.shape.d_head;
    assert!(
        nonzero > outputs / 10 && negative > outputs / 50,
        "{nonzero} nonzero, {negative} negative of {outputs}"
    );
    let verdict = icarus::run(
        &p,
        &dir.join("rtl"),
        &dir.join("work"),
        &stim,
        &expect,
        drive,
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        matches!(verdict, Verdict::Pass { .. }),
        "{name}: {verdict:?}"
    );
}

#[test]
fn tiny_clean_stream() {
    scenario(
        "clean",
        &gca::config::load("tiny").unwrap(),
        300,
        Drive::default(),
    );
}

#[test]
fn tiny_gaps_and_backpressure() {
    scenario(
        "gaps",
        &gca::config::load("tiny").unwrap(),
        120,
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
    scenario("overlap", &p, 150, Drive::default());
}

#[test]
fn linear_cell_without_decay() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../configs/tiny-linear.yaml");
    let p = gca::config::load(path).unwrap();
    scenario(
        "linear",
        &p,
        300,
        Drive {
            gaps: true,
            backpressure: false,
        },
    );
}
