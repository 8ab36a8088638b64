//! `gca analog`: one electrical sub-tile in VACASK against R and H.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::analog::{self, stimulus::Codes, AnalogReport};
use crate::config;
use crate::macros::electrical::{Electrical, SubTileShape};

/// Simulate one sub-tile of the electrical view (Verilog-A cells, VACASK) on seeded codes.
///
/// Writes the cells, the sub-tile netlist, a testbench and analog_report.json (read by
/// `gca report` for the datasheet's pictures) into DIR, compiles the cells with
/// openvaf-r, runs a VACASK transient of write, QK, phi, AV and READOUT for every token, and
/// compares the column charges with R's closed form, phi with R's HardSigmoid and the output
/// codes with R and with H. Exit 1 when a tolerance is missed (charge error above 1e-4 of full
/// scale, phi error above 1e-3, a code unequal to the closed form's away from a rounding tie).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Preset name, YAML file or Hugging Face config.json.
    config: String,
    /// Columns (tokens) of the sub-tile: the window of the run (default: the configuration's tile).
    #[arg(long)]
    cols: Option<usize>,
    /// Rows (dimensions) of the sub-tile (default: the head dimension D).
    #[arg(long)]
    rows: Option<usize>,
    /// Tokens to run (default: the columns, so that the last token sees a full window).
    #[arg(long)]
    tokens: Option<usize>,
    /// Seed of the random codes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder for the netlist, the compiled cells and the raw file (default runs/analog/<name>/).
    #[arg(short, long)]
    out: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Largest sub-tile the command runs (cells per array).
const MAX_CELLS: usize = 256 * 256;
/// Most tokens of one run.
const MAX_TOKENS: usize = 4096;

pub fn run(a: Args) -> ExitCode {
    let p = match config::load(&a.config) {
        Ok(p) => p,
        Err(e) => return super::bad_input(e),
    };
    let shape = SubTileShape {
        rows: a.rows.unwrap_or(p.shape.d_head),
        cols: a.cols.unwrap_or(p.shape.tile),
    };
    if shape.rows == 0 || shape.cols == 0 || shape.rows * shape.cols > MAX_CELLS {
        return super::bad_input(format!(
            "error: a sub-tile of {} rows x {} columns is outside 1..={MAX_CELLS} cells\n  help: choose --rows and --cols of at least 1 and a product of at most {MAX_CELLS}",
            shape.rows, shape.cols
        ));
    }
    let tokens = a.tokens.unwrap_or(shape.cols);
    if tokens == 0 || tokens > MAX_TOKENS {
        return super::bad_input(format!(
            "error: --tokens {tokens} is outside 1..={MAX_TOKENS}\n  help: choose at least one token (the default is the columns)"
        ));
    }
    let sub = match analog::sub_tile_params(&p, shape) {
        Ok(s) => s,
        Err(e) => {
            return super::bad_input(format!(
                "error: the sub-tile of {} rows x {} columns breaks a configuration rule:\n{e}",
                shape.rows, shape.cols
            ))
        }
    };
    let e = Electrical::new(&sub, shape);
    let codes = Codes::seeded(&e, tokens, a.seed);
    let dir = a
        .out
        .unwrap_or_else(|| PathBuf::from("runs/analog").join(&p.name));
    let report = match analog::run(&sub, &codes, a.seed, &dir) {
        Ok(r) => r,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let mut v = serde_json::to_value(&report).expect("report serializes");
    if let Some(o) = v.as_object_mut() {
        o.insert("config".into(), p.name.clone().into());
        o.insert("config_hash".into(), crate::rtl::config_hash(&p).into());
        o.insert("folder".into(), dir.display().to_string().into());
    }
    let json = format!("{v:#}\n");
    let path = dir.join(crate::report::analog::REPORT_JSON);
    if let Err(err) = super::write_atomic(&path, &json) {
        eprintln!("{err}");
        return ExitCode::FAILURE;
    }
    if a.json {
        super::print_out(&json);
    } else {
        super::print_out(&text(&report, &p.name, &dir));
    }
    if report.pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn text(r: &AnalogReport, name: &str, dir: &std::path::Path) -> String {
    let verdict = if r.pass { "PASS" } else { "FAIL" };
    format!(
        "gca analog: {name}, sub-tile {} rows x {} columns, {} tokens, seed {} (in {})\n\
         \x20 column charge vs closed form   max error {:.2e} of full scale (tolerance {:.0e})\n\
         \x20 column charge vs R's score     max error {:.2e} of S_sat (R ages in whole tokens)\n\
         \x20 phi vs HardSigmoid             max error {:.2e} (tolerance {:.0e}); vs R's {:.2e}; {} of {} columns saturated\n\
         \x20 output charge vs closed form   max error {:.2e} of A_sat; vs R's A {:.2e}\n\
         \x20 storage nodes vs decay         max error {:.2e} V\n\
         \x20 cell g(u), 19 points           max error {:.2e} (g units)\n\
         \x20 output codes vs closed form    {} of {} equal ({} differ at a rounding tie)\n\
         \x20 output codes vs R              {} of {} equal\n\
         \x20 output codes vs H              {} of {} equal (H differs from R on {})\n\
         \x20 simulation                     {} time points, {:.2} s, {:.0} MB peak; compile {:.2} s; total {:.2} s\n\
         {verdict}\n",
        r.rows,
        r.cols,
        r.tokens,
        r.seed,
        dir.display(),
        r.charge_error_max,
        analog::CHARGE_TOLERANCE,
        r.charge_error_vs_r_max,
        r.phi_error_max,
        analog::PHI_TOLERANCE,
        r.phi_error_vs_r_max,
        r.saturated_columns,
        r.columns_checked,
        r.out_charge_error_max,
        r.out_charge_error_vs_r_max,
        r.store_error_max,
        r.g_error_max,
        r.codes_closed_form_equal,
        r.codes_total,
        r.codes_near_tie,
        r.codes_equal,
        r.codes_total,
        r.twin_codes_equal,
        r.codes_total,
        r.twin_vs_reference_differ,
        r.time_points,
        r.simulator_seconds,
        r.memory_mb,
        r.compile_seconds,
        r.seconds,
    )
}
