//! `gca sim`: simulate a generated design against the hardware twin H, value by value and (with
//! Verilator) cycle by cycle.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::{self, Hardware, Model as ModelShape, Params};
use crate::emit::{self, Manifest, MANIFEST};
use crate::sim::cover_points::CoverReport;
use crate::sim::scenario::{random_stream, Counters, StreamOptions};
use crate::sim::twin::{DesignTwin, ScalerRegisters};
use crate::sim::{coverage, csr, icarus, programmed_scalers, regression, shard, verilator};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Simulator {
    Verilator,
    Icarus,
}

/// Simulate the generated RTL against the golden hardware twin H.
///
/// A seeded random stream of TOKEN packets over every layer (with RESET_WINDOW packets and
/// windows that wrap) goes in; every result packet is compared value by value with H. Around
/// the stream, AXI4-Lite reads the ID, checks the error responses (an unmapped address, a
/// write to a read-only register) and programs every head's scalers; after it, the TOKENS,
/// ERRORS and RESULTS counters and STATUS are read and checked. With Verilator (the default)
/// H runs in lockstep, in a second thread: the input has random TVALID gaps and the output
/// random back-pressure unless disabled, and the cycle of every result's first beat is
/// compared with H's schedule while the output is not back-pressured. Icarus runs a
/// self-checking bench written from the same stream and transfers.
///
/// With Verilator, directed scenarios follow on the same model, each from a reset: every
/// bad-packet rule, a reset in the middle of a packet, RESET_WINDOW at an empty, half-filled,
/// full and wrapped window, scaler settings across the registers' range, and every register
/// read and written. The functional cover points not hit are printed (docs/verification.md:
/// what each means and how it is sampled); --coverage DIR adds Verilator's line and toggle
/// coverage per module.
///
/// The first mismatch stops the run and is reported with the configuration, seed, layer,
/// position, head, dimension, expected and actual value, and cycle. Exit code 0 only when
/// everything matched.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Preset name, YAML file or Hugging Face config.json (not needed with --rtl).
    config: Option<String>,
    /// Simulator back end.
    #[arg(long, value_enum, default_value = "verilator")]
    simulator: Simulator,
    /// TOKEN packets in all [default: enough for every layer's window to wrap].
    #[arg(long)]
    tokens: Option<usize>,
    /// Seed of the stream and of the bus models.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Send token t of every layer before token t + 1 (as a decoder does) instead of
    /// layer-by-layer runs.
    #[arg(long)]
    layers_interleaved: bool,
    /// Write a VCD waveform (opens in GTKWave).
    #[arg(long, value_name = "FILE")]
    waves: Option<PathBuf>,
    /// Simulate the design in this generated folder (possibly edited by hand) instead of
    /// generating it afresh; its manifest names the configuration.
    #[arg(long, value_name = "DIR")]
    rtl: Option<PathBuf>,
    /// Input without TVALID gaps and output without back-pressure.
    #[arg(long)]
    smooth: bool,
    /// Verilator line and toggle coverage of the generated digital RTL into DIR:
    /// coverage.dat (Verilator's points), coverage.info (lcov), annotated/ (the sources with
    /// counts), html/ when genhtml (Debian's lcov) is installed, and coverage.json (the
    /// figures). Prints line % and toggle % per module and in total; the behavioral model of
    /// the analog macro is reported apart, outside the total. Verilator only.
    #[arg(long, value_name = "DIR")]
    coverage: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Simulate slice K of N of the design (0 <= K < N), generated as a design of its own:
    /// whole layers when N <= n_layer, else groups of heads of one layer (N a multiple of
    /// n_layer). The N slices cover every layer and head once (docs/sweep.md).
    #[arg(long, value_name = "K/N", value_parser = shard::Shard::parse)]
    shard: Option<shard::Shard>,
}

/// The configuration recorded in a generated folder's manifest.
pub fn params_of_folder(dir: &Path) -> Result<Params, String> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let m = Manifest::parse(&text)
        .ok_or_else(|| format!("{} is not a gca manifest", path.display()))?;
    let model: ModelShape = serde_json::from_value(m.config["model"].clone())
        .map_err(|e| format!("{}: the configuration's model: {e}", path.display()))?;
    let hw: Hardware = serde_json::from_value(m.config["hardware"].clone())
        .map_err(|e| format!("{}: the configuration's hardware: {e}", path.display()))?;
    config::resolve(m.config_name.clone(), model, hw).map_err(|e| e.to_string())
}

/// What a Verilator run adds to the summary.
#[derive(Default)]
struct Extra {
    scenarios: Vec<regression::ScenarioResult>,
    cover: Option<CoverReport>,
    coverage: Option<coverage::Figures>,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::FAILURE
}

pub fn run(a: Args) -> ExitCode {
    let p = match (&a.config, &a.rtl) {
        (_, Some(dir)) => match params_of_folder(dir) {
            Ok(p) => p,
            Err(e) => return super::bad_input(format!("error: {e}")),
        },
        (Some(spec), None) => match config::load(spec) {
            Ok(p) => p,
            Err(e) => return super::bad_input(e),
        },
        (None, None) => {
            return super::bad_input("error: give a CONFIG or --rtl DIR (see gca sim --help)")
        }
    };
    if let (Some(spec), Some(_)) = (&a.config, &a.rtl) {
        match config::load(spec) {
            Ok(q) if crate::rtl::config_hash(&q) != crate::rtl::config_hash(&p) => {
                return super::bad_input(format!(
                    "error: {spec} is not the configuration the folder was generated for (`{}`); drop CONFIG or regenerate",
                    p.name
                ))
            }
            Err(e) => return super::bad_input(e),
            Ok(_) => {}
        }
    }
    let (p, slice) =
        match a.shard {
            None => (p, None),
            Some(_) if a.rtl.is_some() => {
                return super::bad_input(
                    "error: --shard generates the slice's design; drop --rtl or --shard",
                )
            }
            Some(s) => {
                match shard::params(&p, s) {
                    Ok((q, sl)) => {
                        if !a.json {
                            eprintln!(
                        "  shard {s} of `{}`: layers {}..{}, heads {}..{}, simulated as `{}`",
                        p.name, sl.layers.start, sl.layers.end, sl.heads.start, sl.heads.end, q.name
                    );
                        }
                        (q, Some((s, sl)))
                    }
                    Err(e) => return super::bad_input(format!("error: --shard {s}: {e}")),
                }
            }
        };
    if a.coverage.is_some() && a.simulator != Simulator::Verilator {
        return super::bad_input(
            "error: --coverage needs the Verilator back end (drop --simulator icarus)",
        );
    }
    if let Some(dir) = &a.coverage {
        if let Err(e) = coverage::prepare(dir) {
            return super::bad_input(format!("error: {e}"));
        }
    }
    let cache = super::cache_dir();
    let rtl_dir = match &a.rtl {
        Some(d) => d.clone(),
        None => {
            // Named by its contents and never rewritten: concurrent runs of one design
            // (test processes) share the folder while their simulators read it.
            let files = match emit::generate(&p) {
                Ok(f) => f,
                Err(e) => {
                    return fail(format!("the design breaks {} rule(s) (a gca bug)", e.len()))
                }
            };
            match emit::write::write_shared(&cache.join("designs"), &files) {
                Ok(dir) => dir,
                Err(e) => return fail(e),
            }
        }
    };
    let plan = regression::Plan::new(&p, a.tokens, a.seed, a.layers_interleaved);
    // The Icarus bench takes no CONTROL command in the middle of a packet.
    let opts = StreamOptions {
        commands: false,
        ..plan.stream.clone()
    };
    let quiet = a.json;
    let mut extra = Extra::default();
    let summary = match a.simulator {
        Simulator::Verilator => {
            let options = verilator::BuildOptions {
                waves: a.waves.is_some(),
                jobs: 0,
                coverage: a.coverage.is_some(),
                quick: false,
            };
            let mut model = match verilator::Model::build_with(
                &p,
                &rtl_dir,
                &cache.join("verilator"),
                &options,
                |line: &str| {
                    if !quiet {
                        eprintln!("  {line}");
                    }
                },
            ) {
                Ok(m) => m,
                Err(e) => return fail(e),
            };
            if let Some(w) = &a.waves {
                if let Err(e) = model.open_waves(w) {
                    return fail(e);
                }
            }
            let mut bar = super::Progress::new(quiet);
            let plan = regression::Plan {
                smooth: a.smooth,
                ..plan
            };
            let outcome = match regression::run(&p, &mut model, &plan, |d, t| {
                bar.update(d, t, "result packets")
            }) {
                Ok(o) => o,
                Err(e) => return fail(e),
            };
            if a.waves.is_some() {
                let _ = model.close_waves();
            }
            if let Some(dir) = &a.coverage {
                let dat = dir.join(coverage::DAT_FILE);
                if let Err(e) = model.write_coverage(&dat) {
                    return fail(e);
                }
                // The bits the generator proves constant leave the toggle figures; a design
                // given with --rtl may have been edited, so its figures count every bit.
                let known = crate::hdl::known::known_bits(&crate::rtl::modules(&p));
                let known = a.rtl.is_none().then_some(&known);
                match coverage::report(&rtl_dir, dir, known) {
                    Ok(c) => extra.coverage = Some(c),
                    Err(e) => return fail(e),
                }
            }
            extra.scenarios = outcome.scenarios;
            extra.cover = Some(outcome.cover);
            outcome.summary
        }
        Simulator::Icarus => {
            let regs = ScalerRegisters::saturating(&p, programmed_scalers());
            let scenario = random_stream(&p, &opts, DesignTwin::with_registers(&p, regs));
            let script = csr::CsrScript::standard(&p, &regs, &Counters::after(&scenario.packets));
            let work = cache.join("icarus").join(format!(
                "{}-{}",
                &crate::rtl::config_hash(&p)[..16],
                std::process::id()
            ));
            let drive = icarus::Drive {
                gaps: !a.smooth,
                backpressure: !a.smooth,
            };
            let verdict = icarus::run_timed(
                &p,
                &rtl_dir,
                &work,
                &scenario,
                drive,
                &script,
                a.waves.as_deref(),
            );
            let _ = std::fs::remove_dir_all(&work);
            match verdict {
                Err(e) => return fail(e),
                // The rates count the simulation (vvp), not the compilation.
                Ok((v, times)) => {
                    if !quiet {
                        eprintln!(
                            "  icarus: compiled in {:.1} s, simulated in {:.1} s",
                            times.compile, times.simulate
                        );
                    }
                    icarus::summary(&p, &scenario, a.seed, v, times.simulate)
                }
            }
        }
    };
    if a.json {
        let mut v = serde_json::to_value(&summary).expect("summary serializes");
        if !extra.scenarios.is_empty() {
            v["scenarios"] = serde_json::to_value(&extra.scenarios).expect("serializes");
        }
        if let Some(c) = &extra.cover {
            v["cover_points"] = serde_json::to_value(c.summary()).expect("serializes");
        }
        if let Some(c) = &extra.coverage {
            v["coverage"] = serde_json::to_value(c).expect("serializes");
        }
        if let Some((s, sl)) = &slice {
            v["shard"] = serde_json::json!({
                "k": s.k, "n": s.n, "layers": [sl.layers.start, sl.layers.end],
                "heads": [sl.heads.start, sl.heads.end],
            });
        }
        super::print_out(&format!("{v:#}\n"));
    } else {
        let mut s = format!(
            "gca sim: {} with {} (seed {}): {} tokens, {} packets in, {} out, {} cycles, {:.0} tokens/s, {:.0} cycles/s\n",
            summary.config,
            summary.simulator,
            summary.seed,
            summary.tokens,
            summary.packets_in,
            summary.packets_out,
            summary.cycles,
            summary.tokens_per_second,
            summary.cycles_per_second
        );
        if let (Some(sim), Some(twin)) = (summary.simulator_cpu_seconds, summary.twin_cpu_seconds) {
            s.push_str(&format!(
                "  CPU time: simulator thread {sim:.2} s ({:.0} tokens per CPU second), twin thread {twin:.2} s\n",
                summary.tokens as f64 / sim.max(1e-9)
            ));
        }
        if summary.cycle_checks > 0 {
            s.push_str(&format!(
                "  result timing checked against H's schedule: {} packets\n",
                summary.cycle_checks
            ));
        }
        for sc in &extra.scenarios {
            s.push_str(&format!(
                "  scenario {}: {} packets in, {} out, {} cycles{}\n",
                sc.name,
                sc.packets_in,
                sc.packets_out,
                sc.cycles,
                if sc.mismatch.is_some() {
                    " (MISMATCH)"
                } else {
                    ""
                }
            ));
        }
        if let Some(c) = &extra.cover {
            s.push_str(&c.text());
        }
        if let Some(c) = &extra.coverage {
            s.push_str(&c.text());
        }
        match &summary.mismatch {
            None => s.push_str("  every output matched H\n"),
            Some(m) => s.push_str(&format!(
                "  MISMATCH in cycle {}: {}{}\n",
                m.cycle,
                match (m.packet, m.layer, m.position) {
                    (Some(k), Some(l), Some(pos)) =>
                        format!("input packet {k} (layer {l}, position {pos}): "),
                    _ => String::new(),
                },
                m.what
            )),
        }
        super::print_out(&s);
    }
    if summary.mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
