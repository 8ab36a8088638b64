//! `gca flow`: synthesize the generated design with Yosys on a real standard-cell library and
//! time it with OpenSTA.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config;
use crate::flow::{self, FlowError, Options};

/// Synthesize the design with Yosys and time it with OpenSTA.
///
/// The design is generated into WORK/design; Yosys maps its digital RTL to the standard-cell
/// library (default: the Nangate 45 nm Open Cell Library that scripts/setup fetches into the
/// cache folder) with the analog macro gca_subtile a blackbox described by its generated
/// Liberty file (macros/gca_subtile.lib), and ABC maps for the configured clock. OpenSTA then
/// reads both Liberty files, the netlist and the generated SDC (constraints/gca_top.sdc) and
/// reports the worst setup and hold slack, the critical path, and the highest clock that meets
/// setup (the SDC re-read at shorter or longer periods). Cell area is reported per module and
/// per head, with the flip-flop count.
///
/// WORK (default runs/flow/<config name>) receives the scripts, logs (yosys.log, sta.log),
/// netlist.v, flow_report.json and flow_report.md. Exit code 0 when the run finished (met or
/// not: see "meets_timing"), 1 when a tool or library is missing or a tool failed (with the
/// tool's own error lines), 2 for a bad configuration.
///
/// Run times on a 2-core machine: tiny about 1 minute, gpt2-head about 5 minutes (longer when the
/// machine is shared with other builds).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Preset name, YAML file or Hugging Face config.json.
    config: String,
    /// Standard-cell Liberty file [default: <cache>/nangate45/stdcells.lib, cache =
    /// $GCA_CACHE_DIR, else $XDG_CACHE_HOME/gca, else ~/.cache/gca]. With another library the
    /// inputs are driven by its smallest buffer.
    #[arg(long, value_name = "FILE")]
    liberty: Option<PathBuf>,
    /// Work folder [default: runs/flow/<config name>].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the report as one JSON object (the content of flow_report.json).
    #[arg(long)]
    json: bool,
    /// Also measure power: record the switching activity of the RTL in Verilator over a
    /// seeded stream with full windows (WORK/activity.json), map it onto the netlist, and
    /// report internal, switching and leakage power and the digital energy per token per head,
    /// in total and by block (docs/power.md).
    #[arg(long)]
    power: bool,
    /// With --power: TOKEN packets recorded after the windows are full.
    #[arg(long, default_value_t = 64, requires = "power")]
    tokens: usize,
    /// With --power: seed of the stream.
    #[arg(long, default_value_t = 1, requires = "power")]
    seed: u64,
    /// With --power: read this activity file (WORK/activity.json of an earlier run) instead of
    /// simulating; it must be of this configuration.
    #[arg(long, value_name = "FILE", requires = "power")]
    activity: Option<PathBuf>,
    /// With --power: also simulate the gate-level netlist with the library's cell models
    /// (Icarus, small configurations only: tens of cycles per second) on N tokens from reset,
    /// and compare the dynamic power of the register-activity method with every cell at its
    /// own net's activity.
    #[arg(long, requires = "power")]
    cross_check: bool,
}

pub fn run(a: Args) -> ExitCode {
    let p = match config::load(&a.config) {
        Ok(p) => p,
        Err(e) => return super::bad_input(e),
    };
    let work = a.out.unwrap_or_else(|| flow::default_work_dir(&p));
    let opts = Options {
        liberty: a.liberty,
        work: work.clone(),
        power: a.power.then(|| flow::PowerOptions {
            tokens: a.tokens,
            seed: a.seed,
            activity: a.activity.clone(),
            cross_check: a.cross_check,
        }),
    };
    let quiet = a.json;
    let result = flow::run(&p, &opts, |step| {
        if !quiet {
            eprintln!("gca flow: {step} ...");
        }
    });
    match result {
        Ok(r) => {
            if a.json {
                let v = serde_json::to_value(&r).expect("the report serializes");
                super::print_out(&format!("{v:#}\n"));
            } else {
                super::print_out(&r.text());
                super::print_out(&format!(
                    "  report                    {}\n",
                    work.join(flow::REPORT_JSON).display()
                ));
            }
            ExitCode::SUCCESS
        }
        // An activity file that is missing or of another configuration is bad input.
        Err(e @ FlowError::BadInput(_)) => super::bad_input(e),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
