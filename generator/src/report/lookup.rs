//! What became of a report of another command that the datasheet may use (`gca flow`'s area,
//! `gca analog`'s curves): read as plain JSON from a path, used only when it parses and
//! belongs to this configuration.

use std::path::Path;

use crate::config::Params;
use crate::rtl::config_hash;

/// The outcome of looking for one report.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup<T> {
    Used(T),
    /// Not looked for (`gca generate`, whose output must not depend on other files).
    NotRead,
    /// No file at the path.
    Missing(String),
    /// A file that cannot be used (unreadable, malformed, another configuration): why.
    Rejected(String),
}

impl<T> Lookup<T> {
    /// The report, when it is used.
    pub fn used(&self) -> Option<&T> {
        match self {
            Lookup::Used(t) => Some(t),
            _ => None,
        }
    }
}

/// Reads the file at `path` and parses it with `parse(text, shown path)`.
pub fn read<T>(path: &Path, parse: impl FnOnce(&str, &str) -> Result<T, String>) -> Lookup<T> {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Lookup::Missing(shown),
        Err(e) => return Lookup::Rejected(format!("cannot read {shown}: {e}")),
    };
    match parse(&text, &shown) {
        Ok(t) => Lookup::Used(t),
        Err(e) => Lookup::Rejected(e),
    }
}

/// The JSON object of a report of `gca COMMAND` run on `p`: an error unless it parses and its
/// `config_hash` is `p`'s. `source` names the file in messages.
pub fn json_of(
    p: &Params,
    text: &str,
    source: &str,
    command: &str,
) -> Result<serde_json::Value, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("{source} is not JSON: {e}"))?;
    let hash = v.get("config_hash").and_then(|h| h.as_str()).unwrap_or("");
    let ours = config_hash(p);
    if hash != ours {
        return Err(format!(
            "{source} is for another configuration (config_hash {}, this one {}): run `gca {command} {}` again",
            if hash.is_empty() { "missing" } else { hash },
            &ours[..16],
            p.name
        ));
    }
    Ok(v)
}
