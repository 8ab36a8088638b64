//! `gca report`: the datasheet of a configuration (latency, throughput, energy, area, the
//! comparison with the paper and GPUs, pictures), written with the generated design.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config;
use crate::emit::{self, write};
use crate::report::{self, analog, flow, AnalogLookup, FlowLookup};

/// Write the datasheet of a configuration: decode latency by phase (cycles and ns, from the
/// hardware twin's cycle model), prefill throughput with and without write overlap, energy per
/// token per head (analog arrays, DACs, digital; calibrated on the paper's figures), area
/// (gain-cell arrays, and control from a `gca flow` run when one matches, else an estimate),
/// whole-model figures, the comparison with the paper and the authors' GPU baselines, a block
/// diagram, charts and the register map.
///
/// The datasheet is docs/datasheet.md, docs/datasheet.html (standalone, SVGs inline),
/// docs/datasheet.json and docs/*.svg of the generated folder: `gca report` writes the same
/// folder as `gca generate` (same files, same writer, a true manifest), with the flow's area
/// when runs/flow/<name>/flow_report.json (or --flow FILE) holds a run of this configuration,
/// and the pictures of the circuit simulation (cell transfer, decay, phi against the score)
/// when runs/analog/<name>/analog_report.json (or --analog FILE) holds one.
///
/// Examples:
///   gca report gpt2                 rtl_out/gpt2/docs/datasheet.html and friends
///   gca report gpt2 --json          the figures as one JSON object on stdout, nothing written
///   gca report gpt2-head --flow runs/flow/gpt2-head/flow_report.json -o /tmp/head
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Preset name, YAML file or Hugging Face config.json.
    #[arg(default_value = "gpt2")]
    config: String,
    /// Output folder, the generated design's [default: rtl_out/<configuration name>].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Flow report to take the digital area from [default:
    /// runs/flow/<configuration name>/flow_report.json]; used only when its config_hash is
    /// this configuration's.
    #[arg(long, value_name = "FILE")]
    flow: Option<PathBuf>,
    /// Circuit simulation to take the pictures of the electrical view from [default:
    /// runs/analog/<configuration name>/analog_report.json, written by `gca analog`]; used
    /// only when its config_hash is this configuration's.
    #[arg(long, value_name = "FILE")]
    analog: Option<PathBuf>,
    /// Replace the generated files of a folder that also holds other files (they are kept).
    #[arg(long)]
    force: bool,
    /// Print the figures as one JSON object (decode_latency_ns, prefill_ns_per_token,
    /// energy_per_token_per_head_nj, area_per_head_mm2, model_energy_per_token_nj, ...) and
    /// write nothing.
    #[arg(long)]
    json: bool,
}

pub fn run(a: Args) -> ExitCode {
    let p = match config::load(&a.config) {
        Ok(p) => p,
        Err(e) => return super::bad_input(e),
    };
    let explicit = a.flow.is_some();
    let flow_path = a.flow.unwrap_or_else(|| flow::default_path(&p));
    let lookup = flow::read(&p, &flow_path);
    match (&lookup, explicit) {
        (FlowLookup::Missing(path), true) => {
            return super::bad_input(format!(
                "error: no flow report at {path}\n  help: run `gca flow {}` first, or leave out --flow",
                p.name
            ))
        }
        (FlowLookup::Rejected(why), true) => {
            return super::bad_input(format!(
                "error: {why}\n  help: pass the flow_report.json of a run of this configuration, or leave out --flow"
            ))
        }
        (FlowLookup::Rejected(why), false) => eprintln!("warning: {why}; using the area estimate"),
        _ => {}
    }
    let explicit_analog = a.analog.is_some();
    let analog_path = a.analog.unwrap_or_else(|| analog::default_path(&p));
    let analog_lookup = analog::read(&p, &analog_path);
    match (&analog_lookup, explicit_analog) {
        (AnalogLookup::Missing(path), true) => {
            return super::bad_input(format!(
                "error: no analog report at {path}\n  help: run `gca analog {}` first, or leave out --analog",
                p.name
            ))
        }
        (AnalogLookup::Rejected(why), true) => {
            return super::bad_input(format!(
                "error: {why}\n  help: pass the analog_report.json of a run of this configuration, or leave out --analog"
            ))
        }
        (AnalogLookup::Rejected(why), false) => {
            eprintln!("warning: {why}; the datasheet has no circuit-simulation pictures")
        }
        _ => {}
    }
    if a.json {
        let f = report::Figures::new(&p, lookup.figures());
        super::print_out(&report::json_text(&f));
        return ExitCode::SUCCESS;
    }
    let files = match emit::generate_with_flow(&p, &lookup, &analog_lookup) {
        Ok(f) => f,
        Err(errors) => return super::design_bug(errors),
    };
    let dir = a
        .out
        .unwrap_or_else(|| PathBuf::from("rtl_out").join(&p.name));
    if let Err(e) = write::write_folder(&dir, &files, a.force) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let f = report::Figures::new(&p, lookup.figures());
    let docs = dir.join(report::DOCS_DIR);
    super::print_out(&format!(
        "datasheet of `{}`: {} (and .md, .json, SVGs in {})\n  \
         decode latency {:.1} ns ({} cycles), prefill {:.1} ns per token\n  \
         energy {:.3} nJ per token per head, {:.2} nJ per token for the model\n  \
         area {:.4} mm^2 per head ({}), {:.3} mm^2 for the model\n",
        p.name,
        docs.join(report::FILE_HTML).display(),
        docs.display(),
        f.latency.decode_ns,
        f.latency.decode_cycles,
        f.prefill.ns_per_token,
        f.energy.per_token_per_head_nj,
        f.energy.model_per_token_nj,
        f.area.per_head_mm2,
        match lookup {
            FlowLookup::Used(_) => "digital area from the flow run",
            _ => "estimate",
        },
        f.area.model_mm2,
    ));
    ExitCode::SUCCESS
}
