//! `gca config`: validate a configuration and show every derived number.

use std::process::ExitCode;

use crate::config::{self, PRESETS};

/// Validate a configuration and print the resolved parameters (widths, tiles, cycles per phase).
///
/// Every violated rule is reported at once, with its code, the field to change and how.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Preset name, YAML file or Hugging Face config.json.
    #[arg(required_unless_present = "list")]
    config: Option<String>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// List the presets.
    #[arg(long)]
    list: bool,
}

pub fn run(a: Args) -> ExitCode {
    if a.list {
        for (name, _, about) in PRESETS {
            super::print_out(&format!("{name:<12} {about}\n"));
        }
        return ExitCode::SUCCESS;
    }
    let spec = a.config.unwrap_or_default();
    match config::load(&spec) {
        Ok(p) if a.json => {
            super::print_out(&format!("{:#}\n", config::to_json(&p)));
            ExitCode::SUCCESS
        }
        Ok(p) => {
            super::print_out(&config::to_table(&p));
            ExitCode::SUCCESS
        }
        Err(e) => super::bad_input(e),
    }
}
