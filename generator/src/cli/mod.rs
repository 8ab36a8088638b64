//! The `gca` command line: one file a subcommand. Exit codes: 0 success, 1 a run that found a
//! mismatch or failed, 2 bad input (configuration or input file errors).

mod analog_cmd;
mod config_cmd;
mod flow_cmd;
mod generate_cmd;
mod golden_cmd;
mod mutate_cmd;
mod reference_cmd;
mod report_cmd;
mod sim_cmd;
mod sweep_cmd;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Generator of a mixed-signal gain-cell attention accelerator for GPT-2.
///
/// CONFIG is a preset name (gpt2, gpt2-medium, gpt2-large, gpt2-xl, gpt2-head, gpt2-layer,
/// tiny), a YAML file (see configs/example.yaml) or a Hugging Face GPT-2 config.json.
#[derive(Debug, Parser)]
#[command(name = "gca", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Config(config_cmd::Args),
    Generate(generate_cmd::Args),
    Reference(reference_cmd::Args),
    Golden(golden_cmd::Args),
    Sim(sim_cmd::Args),
    Report(report_cmd::Args),
    Flow(flow_cmd::Args),
    Analog(analog_cmd::Args),
    Mutate(mutate_cmd::Args),
    Sweep(sweep_cmd::Args),
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Config(a) => config_cmd::run(a),
        Command::Generate(a) => generate_cmd::run(a),
        Command::Reference(a) => reference_cmd::run(a),
        Command::Golden(a) => golden_cmd::run(a),
        Command::Sim(a) => sim_cmd::run(a),
        Command::Report(a) => report_cmd::run(a),
        Command::Flow(a) => flow_cmd::run(a),
        Command::Analog(a) => analog_cmd::run(a),
        Command::Mutate(a) => mutate_cmd::run(a),
        Command::Sweep(a) => sweep_cmd::run(a),
    }
}

/// Prints to stdout; a closed pipe (`gca config gpt2 --json | head`) ends quietly.
fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write to standard output: {e}")
        }
        _ => {}
    }
}

/// Where built simulators, generated designs and the flow's standard-cell library are cached: $GCA_CACHE_DIR, else
/// $XDG_CACHE_HOME/gca, else ~/.cache/gca.
pub(crate) fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("GCA_CACHE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("gca");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".cache/gca"),
        None => std::env::temp_dir().join("gca-cache"),
    }
}

/// A command of the pinned Python tools (`scripts/python-tools.txt`) that `scripts/setup`
/// installs into `<cache>/pyenv`: its path, or an error naming the setup script.
pub fn python_tool(command: &str) -> Result<PathBuf, String> {
    python_tool_in(&cache_dir(), command)
}

fn python_tool_in(cache: &Path, command: &str) -> Result<PathBuf, String> {
    let path = cache.join("pyenv").join("bin").join(command);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "`{command}` is not installed in {}: run scripts/setup (it installs the pinned \
             Python tools of scripts/python-tools.txt)",
            path.display()
        ))
    }
}

/// Exit code for bad input.
const BAD_INPUT: u8 = 2;

/// Prints an error block to stderr and returns the bad-input exit code.
fn bad_input(text: impl std::fmt::Display) -> ExitCode {
    eprintln!("{text}");
    ExitCode::from(BAD_INPUT)
}

/// Prints `error: msg` to stderr and returns the failure exit code (a run that failed).
fn fail_run(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::FAILURE
}

/// Reports a generated design that breaks rules of `hdl::check_widths` (a generator bug) and
/// returns the failure exit code.
fn design_bug(errors: Vec<crate::hdl::HdlError>) -> ExitCode {
    eprintln!(
        "error: the generated design breaks {} rule(s) (a gca bug, please report it):",
        errors.len()
    );
    for e in errors {
        eprintln!("  {e}");
    }
    ExitCode::FAILURE
}

/// Writes `text` to `path` atomically (a temporary file in the same folder, then a rename), so
/// that a failure never leaves a half-written file. Errors name the path.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("error: cannot write {}: {e}", path.display())
    })
}

/// A progress line on stderr for long runs, shown only when stderr is a terminal.
struct Progress {
    enabled: bool,
    last: usize,
}

impl Progress {
    fn new(quiet: bool) -> Self {
        use std::io::IsTerminal;
        Self {
            enabled: !quiet && std::io::stderr().is_terminal(),
            last: usize::MAX,
        }
    }

    fn update(&mut self, done: usize, total: usize, what: &str) {
        if !self.enabled {
            return;
        }
        let pct = done * 100 / total.max(1);
        if pct != self.last {
            self.last = pct;
            eprint!("\r  {what}: {done}/{total} ({pct}%)");
            if done == total {
                eprintln!();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_python_tool_names_the_setup_script() {
        let empty = std::env::temp_dir().join(format!("gca-no-pyenv-{}", std::process::id()));
        let err = python_tool_in(&empty, "peakrdl").unwrap_err();
        assert_eq!(
            err,
            format!(
                "`peakrdl` is not installed in {}: run scripts/setup (it installs the pinned \
                 Python tools of scripts/python-tools.txt)",
                empty.join("pyenv/bin/peakrdl").display()
            )
        );
    }
}
