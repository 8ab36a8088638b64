//! `gca reference`: the float reference model R on vectors from a JSON file.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::models::reference;

/// Run the float reference model R (SPEC section 2) on the q, k, v vectors of a JSON file.
///
/// Input: {"cell": "linear"|"polynomial", "decay_per_token": f, "window": M, "tile": C,
/// "q_levels": 16, "kv_levels": 8, "out_levels": 32, "heads": [{"q_scale": [a, b],
/// "k_scale": [a, b], "v_scale": [a, b], "out_scale": [a, b], "q": [[D floats] x T],
/// "k": [...], "v": [...]}]}, with optional v_max, v_off, s_sat, a_sat, linear_gain,
/// poly_coeffs (10 numbers) and v_in. Output: {"heads": [{"y": [[D floats] x T]}]}.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input JSON file ("-" reads standard input).
    input: PathBuf,
    /// Output JSON file (default: standard output); written atomically.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(a: Args) -> ExitCode {
    let text = if a.input.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(&a.input)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            return super::bad_input(format!("error: cannot read {}: {e}", a.input.display()))
        }
    };
    let (params, heads) = match reference::parse_input(&text) {
        Ok(x) => x,
        Err(errors) => {
            let n = errors.len();
            let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            return super::bad_input(format!(
                "{}\n{n} input error{}; nothing was written",
                list.join("\n"),
                if n == 1 { "" } else { "s" }
            ));
        }
    };
    let results: Vec<_> = heads
        .iter()
        .map(|h| reference::run_head(&params, h))
        .collect();
    let json = reference::output_json(&results);
    match a.output {
        Some(path) => match super::write_atomic(&path, &json) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        None => {
            super::print_out(&format!("{json}\n"));
            ExitCode::SUCCESS
        }
    }
}
