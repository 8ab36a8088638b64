//! Throughput of the golden models on one GPT-2 head (D 64, window 1024, 16 tiles), in tokens
//! per second per head, with the window full (every token sees 1024 columns).
//! Run: `cargo bench -p gca --bench models`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gca::config;
use gca::models::compare::{default_scalers, reference_params};
use gca::models::reference::HeadState;
use gca::models::stimulus::{HeadStream, TokenValues};
use gca::models::twin::{CellTable, HeadTwin, OutScaler, Quantizer};

fn tokens(p: &config::Params, n: usize) -> Vec<TokenValues> {
    let mut s = HeadStream::new(p, 1, 0, 0);
    (0..n).map(|_| s.next_token()).collect()
}

fn bench(c: &mut Criterion) {
    let p = config::load("gpt2").expect("preset");
    let window = p.shape.window;
    let stream = tokens(&p, window + 256);
    let sc = default_scalers();
    let mut g = c.benchmark_group("gpt2_head_full_window");
    g.throughput(Throughput::Elements(1));

    let rp = reference_params(&p);
    let mut r = HeadState::new(&rp, sc);
    let real: Vec<[Vec<f64>; 3]> = stream.iter().map(|t| t.to_real(p.fixed.in_frac)).collect();
    for t in &real[..window] {
        r.step(&t[0], &t[1], &t[2]);
    }
    let mut i = window;
    g.bench_function("reference_R_token", |b| {
        b.iter(|| {
            let t = &real[i];
            i = if i + 1 == real.len() { window } else { i + 1 };
            r.step(&t[0], &t[1], &t[2])
        })
    });

    let hw = &p.hardware;
    let qz = Quantizer::new(&p, "q", sc.q, hw.levels.q, 1.0).unwrap();
    let kz = Quantizer::new(&p, "k", sc.k, hw.levels.kv, hw.analog.v_max).unwrap();
    let vz = Quantizer::new(&p, "v", sc.v, hw.levels.kv, hw.analog.v_max).unwrap();
    let table = CellTable::new(&p);
    let mut h = HeadTwin::new(&p, OutScaler::new(&p, sc.out).unwrap());
    let codes = |z: &Quantizer, x: &[i64]| x.iter().map(|&x| z.code(x)).collect::<Vec<u8>>();
    let coded: Vec<[Vec<u8>; 3]> = stream
        .iter()
        .map(|t| [codes(&qz, &t.q), codes(&kz, &t.k), codes(&vz, &t.v)])
        .collect();
    for t in &coded[..window] {
        h.step(&table, &t[0], &t[1], &t[2]);
    }
    let mut i = window;
    g.bench_function("twin_H_token", |b| {
        b.iter(|| {
            let t = &coded[i];
            i = if i + 1 == coded.len() { window } else { i + 1 };
            h.step(&table, &t[0], &t[1], &t[2])
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
