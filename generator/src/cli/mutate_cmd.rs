//! `gca mutate`: the mutation self-test of the verification (docs/verification.md).

use std::panic;
use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;

use crate::config;
use crate::emit;
use crate::sim::mutate::{self, Mutant};

/// Measure the regression: make single-operator mutants of the generated digital RTL and
/// count how many the regression kills.
///
/// Each mutant changes one operator in one module of rtl/ (relational: < <= > >= == != swapped;
/// arithmetic: + and -; logical: && ||, & |, ^ to |, ~x and !x to x; constant: the last bit
/// flipped; condition: the branches of ?: swapped, an if condition negated). The mutation is
/// made in the typed Verilog tree and checked by the generator's width rules, so every mutant
/// is a legal design; a mutant Verilator refuses is reported as not built and not counted.
/// Mutants are drawn with SEED across every module in turn (not in proportion to size).
///
/// Each mutant is built with Verilator (at -O0, cached like `gca sim`'s builds) and runs the
/// regression plain `gca sim CONFIG` runs (the random stream with SEED, the directed
/// scenarios, the AXI4-Lite scripts) in lockstep with the twin H. A mutant is killed when any
/// output, cycle or register read differs, or the run times out. The unmutated design runs
/// first and must pass. The report gives the kill rate and every survivor with its file,
/// line, operator, original and mutated text; `gca mutate CONFIG --seed S --count N` reproduces
/// a run exactly.
///
/// Example: `gca mutate tiny --count 20 --seed 1` (about 25 s a mutant on two cores).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Preset name, YAML file or Hugging Face config.json.
    config: String,
    /// Mutants to make and run.
    #[arg(long, default_value_t = 20)]
    count: usize,
    /// Seed of the mutant sample and of the regression's random stream.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// What happened to one mutant.
#[derive(Clone, Debug, Serialize)]
pub struct MutantResult {
    #[serde(flatten)]
    pub mutant: Mutant,
    /// `killed`, `survived` or `not built`.
    pub status: String,
    /// The first difference the regression found (killed), or the build error (not built).
    pub reason: Option<String>,
    pub seconds: f64,
}

/// The report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub config: String,
    pub seed: u64,
    pub mutants: usize,
    pub killed: usize,
    pub survived: usize,
    pub not_built: usize,
    /// killed / (killed + survived), in percent.
    pub kill_rate: f64,
    pub seconds: f64,
    pub results: Vec<MutantResult>,
}

use crate::sim::mutate::first_line;

fn regress(p: &config::Params, dir: &std::path::Path, seed: u64) -> Result<Option<String>, String> {
    mutate::judge(p, dir, &super::cache_dir().join("verilator"), seed)
}

pub fn run(a: Args) -> ExitCode {
    let p = match config::load(&a.config) {
        Ok(p) => p,
        Err(e) => return super::bad_input(e),
    };
    if a.count == 0 {
        return super::bad_input("error: --count must be at least 1 (mutants to make)");
    }
    let start = Instant::now();
    let files = match emit::generate(&p) {
        Ok(f) => f,
        Err(e) => return super::design_bug(e),
    };
    let modules = crate::rtl::modules(&p);
    let mutants = mutate::sample(&modules, a.count, a.seed);
    // This process's own folder of mutants (removed at the end); the original design is
    // shared by contents (emit::write::write_shared).
    let mutants_root = super::cache_dir().join("mutants");
    let base = mutants_root.join(format!(
        "{}-{}",
        &crate::rtl::config_hash(&p)[..16],
        std::process::id()
    ));
    let say = |s: String| {
        if !a.json {
            eprintln!("{s}");
        }
    };
    // A silent panic hook while mutants run: a panic is a kill, reported as such.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let baseline = emit::write::write_shared(&mutants_root.join("original"), &files)
        .and_then(|original| regress(&p, &original, a.seed));
    match baseline {
        Ok(None) => say(format!(
            "gca mutate: the unmutated `{}` passes the regression ({:.0} s)",
            p.name,
            start.elapsed().as_secs_f64()
        )),
        Ok(Some(why)) => {
            panic::set_hook(hook);
            return super::fail_run(format!(
                "the unmutated design fails the regression, so no mutant can be judged: {why}"
            ));
        }
        Err(e) => {
            panic::set_hook(hook);
            return super::fail_run(e);
        }
    }
    let mut results = Vec::new();
    let total = mutants.len();
    for (i, m) in mutants.into_iter().enumerate() {
        let t = Instant::now();
        let dir = base.join(format!("s{}-{i}", a.seed));
        let mut f = files.clone();
        f.0.insert(m.file.clone(), m.text.clone());
        let outcome =
            emit::write::write_folder(&dir, &f, true).and_then(|_| regress(&p, &dir, a.seed));
        let _ = std::fs::remove_dir_all(&dir);
        let (status, reason) = match outcome {
            Ok(None) => ("survived", None),
            Ok(Some(why)) => ("killed", Some(why)),
            Err(e) => ("not built", Some(first_line(&e))),
        };
        let r = MutantResult {
            mutant: m,
            status: status.to_string(),
            reason,
            seconds: t.elapsed().as_secs_f64(),
        };
        say(format!(
            "  [{}/{total}] {}:{} {} ({}): {} in {:.0} s",
            i + 1,
            r.mutant.file,
            r.mutant.line,
            r.mutant.operator.name(),
            r.mutant.change,
            r.status,
            r.seconds
        ));
        results.push(r);
    }
    panic::set_hook(hook);
    let _ = std::fs::remove_dir(&base);
    let count = |s: &str| results.iter().filter(|r| r.status == s).count();
    let (killed, survived, not_built) = (count("killed"), count("survived"), count("not built"));
    let report = Report {
        config: p.name.clone(),
        seed: a.seed,
        mutants: results.len(),
        killed,
        survived,
        not_built,
        kill_rate: 100.0 * killed as f64 / (killed + survived).max(1) as f64,
        seconds: start.elapsed().as_secs_f64(),
        results,
    };
    if a.json {
        super::print_out(&format!(
            "{:#}\n",
            serde_json::to_value(&report).expect("report serializes")
        ));
    } else {
        let mut s = format!(
            "gca mutate: {} (seed {}): {} mutants, {} killed, {} survived, {} not built: {:.1}% killed, {:.0} s\n",
            report.config,
            report.seed,
            report.mutants,
            report.killed,
            report.survived,
            report.not_built,
            report.kill_rate,
            report.seconds
        );
        for r in report.results.iter().filter(|r| r.status == "survived") {
            s += &format!(
                "  survivor {}:{} {} ({})\n    original: {}\n    mutated:  {}\n",
                r.mutant.file,
                r.mutant.line,
                r.mutant.operator.name(),
                r.mutant.change,
                r.mutant.original,
                r.mutant.mutated
            );
        }
        s += &format!(
            "  reproduce: gca mutate {} --count {} --seed {}\n",
            a.config, a.count, a.seed
        );
        super::print_out(&s);
    }
    ExitCode::SUCCESS
}
