//! `gca generate gpt2`: wall time of building, checking and printing the whole design (all
//! files in memory), and of writing the folder; the generated size is printed once.
//! Run: `cargo bench -p gca --bench generate`.

use criterion::{criterion_group, criterion_main, Criterion};
use gca::{config, emit};

fn bench(c: &mut Criterion) {
    let p = config::load("gpt2").expect("preset");
    let files = emit::generate(&p).expect("gpt2 generates");
    eprintln!(
        "gpt2: {} files, {} lines, {} bytes",
        files.0.len(),
        files.lines(),
        files.bytes()
    );
    let mut g = c.benchmark_group("generate_gpt2");
    g.sample_size(10);
    g.bench_function("in_memory", |b| {
        b.iter(|| emit::generate(&p).expect("gpt2"))
    });
    let dir = std::env::temp_dir().join(format!("gca-bench-generate-{}", std::process::id()));
    g.bench_function("write_folder", |b| {
        b.iter(|| emit::write::write_folder(&dir, &files, false).expect("write"))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
