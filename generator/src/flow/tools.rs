//! The external tools and the standard-cell library of `gca flow`, each found or reported with
//! what to install.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::FlowError;
use crate::config::pdk::{FlowLiberty, Profile};

/// A tool of the flow: the command, its Debian package, and an argument that makes it print
/// its version and exit.
#[derive(Clone, Copy, Debug)]
pub struct Tool {
    pub command: &'static str,
    pub package: &'static str,
    version_arg: &'static str,
}

pub const YOSYS: Tool = Tool {
    command: "yosys",
    package: "yosys",
    version_arg: "-V",
};

pub const STA: Tool = Tool {
    command: "sta",
    package: "opensta",
    version_arg: "-version",
};

impl Tool {
    /// The tool's version line, or the error naming its package.
    pub fn check(&self) -> Result<String, FlowError> {
        let out = Command::new(self.command)
            .arg(self.version_arg)
            .output()
            .map_err(|_| self.missing())?;
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(text.lines().next().unwrap_or("").trim().to_string())
    }

    fn missing(&self) -> FlowError {
        FlowError::MissingTool {
            command: self.command,
            package: self.package,
        }
    }

    /// Runs the tool in `dir`.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Result<Output, FlowError> {
        self.run_with_env(dir, args, &[])
    }

    /// Runs the tool in `dir` with extra environment variables.
    pub fn run_with_env(
        &self,
        dir: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Output, FlowError> {
        Command::new(self.command)
            .args(args)
            .envs(env.iter().copied())
            .current_dir(dir)
            .output()
            .map_err(|_| self.missing())
    }
}

/// The standard-cell library: `given`, else the technology profile's (`scripts/setup` fetches
/// the Nangate 45 nm one); an error names the setup command, or the library a profile without
/// one here needs.
pub fn liberty(pdk: &Profile, given: Option<&Path>) -> Result<PathBuf, FlowError> {
    let path = match (given, pdk.flow_liberty) {
        (Some(g), _) => g.to_path_buf(),
        (None, FlowLiberty::Cached(rel)) => crate::cli::cache_dir().join(rel),
        (None, FlowLiberty::Unavailable(needs)) => {
            return Err(FlowError::NoLibraryForProfile {
                profile: pdk.name,
                needs,
            })
        }
    };
    if path.is_file() {
        // Absolute, because the tools run in the work folder.
        Ok(std::fs::canonicalize(&path).unwrap_or(path))
    } else {
        Err(FlowError::MissingLibrary {
            path,
            default: given.is_none(),
        })
    }
}

/// The value of the first `key : value;` in `text`, without quotes.
fn attribute(text: &str, key: &str) -> Option<String> {
    let rest = text.split(key).nth(1)?;
    let value = rest.split(';').next()?;
    Some(
        value
            .trim()
            .trim_start_matches(':')
            .trim()
            .trim_matches('"')
            .to_string(),
    )
}

/// A buffer cell of a library and its output pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buffer {
    pub cell: String,
    pub output: String,
}

/// The smallest-area buffer of a Liberty library (one input, one output whose function is the
/// input), if it has one.
pub fn smallest_buffer(liberty_text: &str) -> Option<Buffer> {
    let mut best: Option<(f64, Buffer)> = None;
    for block in liberty_text.split("cell (").skip(1) {
        let name = block
            .split(')')
            .next()?
            .trim()
            .trim_matches('"')
            .to_string();
        let field = |key: &str| -> Vec<String> {
            block
                .split(key)
                .skip(1)
                .filter_map(|r| r.split(';').next())
                .map(|v| {
                    v.trim()
                        .trim_matches(':')
                        .trim()
                        .trim_matches('"')
                        .to_string()
                })
                .collect()
        };
        let pins: Vec<(String, String)> = block
            .split("pin (")
            .skip(1)
            .filter_map(|r| {
                let name = r.split(')').next()?.trim().trim_matches('"').to_string();
                let dir = attribute(r, "direction").unwrap_or_default();
                Some((name, dir))
            })
            .collect();
        let inputs: Vec<&str> = pins
            .iter()
            .filter(|(_, d)| d == "input")
            .map(|(n, _)| n.as_str())
            .collect();
        let outputs: Vec<&str> = pins
            .iter()
            .filter(|(_, d)| d == "output")
            .map(|(n, _)| n.as_str())
            .collect();
        let (&[input], &[output]) = (inputs.as_slice(), outputs.as_slice()) else {
            continue;
        };
        let is_buffer = field("function").iter().any(|f| f == input);
        let output = output.to_string();
        let area: f64 = field("area")
            .first()
            .and_then(|a| a.parse().ok())
            .unwrap_or(f64::MAX);
        let smaller = match &best {
            Some((a, _)) => area < *a,
            None => true,
        };
        if is_buffer && smaller {
            best = Some((area, Buffer { cell: name, output }));
        }
    }
    best.map(|(_, b)| b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_smallest_buffer() {
        let lib = r#"library (x) {
  cell (INV_X1) { area : 0.5; pin (A) { direction : input; } pin (ZN) { direction : output; function : "!A"; } }
  cell (BUF_X2) { area : 1.2; pin (A) { direction : input; } pin (Z) { direction : output; function : "A"; } }
  cell (BUF_X1) { area : 0.8; pin (A) { direction : input; } pin (Z) { direction : output; function : "A"; } }
  cell (AND2_X1) { area : 1.0; pin (A1) { direction : input; } pin (A2) { direction : input; } pin (ZN) { direction : output; function : "(A1 & A2)"; } }
}"#;
        assert_eq!(
            smallest_buffer(lib),
            Some(Buffer {
                cell: "BUF_X1".into(),
                output: "Z".into()
            })
        );
        assert_eq!(smallest_buffer("library (y) { }"), None);
        // The Nangate 45 nm library's layout: tabs before the colons.
        let nangate = "cell (BUF_X1) {\n\tarea\t\t: 0.798;\n\tpin (A) {\n\t\tdirection\t\t: input;\n\t}\n\tpin (Z) {\n\t\tdirection\t\t: output;\n\t\tfunction\t\t: \"A\";\n\t}\n}\n";
        assert_eq!(smallest_buffer(nangate).unwrap().output, "Z");
    }
}
