//! Figures of an ASIC-flow run (`gca flow CONFIG` writes `runs/flow/<name>/flow_report.json`).
//! Read as plain JSON so that the report does not depend on the flow's types; used only when
//! the run's configuration hash is this configuration's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Params;
use crate::rtl::config_hash;

/// The flow figures the datasheet uses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowFigures {
    /// Where they were read from, as given.
    pub source: String,
    pub clock_mhz: f64,
    pub wns_ns: f64,
    pub whs_ns: f64,
    pub fmax_mhz: f64,
    /// Standard-cell area of the whole digital design, um^2.
    pub area_um2: f64,
    /// Standard-cell area of one head's datapath, um^2.
    pub area_per_head_um2: f64,
    pub flip_flops: u64,
    pub unconstrained_endpoints: u64,
    pub area_per_module_um2: BTreeMap<String, f64>,
}

/// The default place of a configuration's flow report, relative to the working folder.
pub fn default_path(p: &Params) -> PathBuf {
    crate::flow::default_work_dir(p).join(crate::flow::REPORT_JSON)
}

/// What became of a flow report.
#[derive(Clone, Debug, PartialEq)]
pub enum FlowLookup {
    Used(FlowFigures),
    /// Not looked for (`gca generate`, whose output must not depend on other files).
    NotRead,
    /// No file at the path.
    Missing(String),
    /// A file that cannot be used (unreadable, malformed, another configuration): why.
    Rejected(String),
}

impl FlowLookup {
    pub fn figures(&self) -> Option<&FlowFigures> {
        match self {
            FlowLookup::Used(f) => Some(f),
            _ => None,
        }
    }
}

/// Reads the flow report at `path` for the configuration `p`.
pub fn read(p: &Params, path: &Path) -> FlowLookup {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FlowLookup::Missing(shown),
        Err(e) => return FlowLookup::Rejected(format!("cannot read {shown}: {e}")),
    };
    match parse(p, &text, &shown) {
        Ok(f) => FlowLookup::Used(f),
        Err(e) => FlowLookup::Rejected(e),
    }
}

/// Parses a flow report's text; `source` names it in messages.
pub fn parse(p: &Params, text: &str, source: &str) -> Result<FlowFigures, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("{source} is not JSON: {e}"))?;
    let hash = v.get("config_hash").and_then(|h| h.as_str()).unwrap_or("");
    let ours = config_hash(p);
    if hash != ours {
        return Err(format!(
            "{source} is for another configuration (config_hash {}, this one {}): run `gca flow {}` again",
            if hash.is_empty() { "missing" } else { hash },
            &ours[..16],
            p.name
        ));
    }
    let num = |key: &str| {
        v.get(key)
            .and_then(|x| x.as_f64())
            .ok_or_else(|| format!("{source}: `{key}` is missing or not a number"))
    };
    let count = |key: &str| {
        v.get(key)
            .and_then(|x| x.as_u64())
            .ok_or_else(|| format!("{source}: `{key}` is missing or not a whole number"))
    };
    let per_module = v
        .get("area_per_module_um2")
        .and_then(|m| m.as_object())
        .map(|m| {
            m.iter()
                .filter_map(|(k, a)| a.as_f64().map(|a| (k.clone(), a)))
                .collect()
        })
        .unwrap_or_default();
    Ok(FlowFigures {
        source: source.to_string(),
        clock_mhz: num("clock_mhz")?,
        wns_ns: num("wns_ns")?,
        whs_ns: num("whs_ns")?,
        fmax_mhz: num("fmax_mhz")?,
        area_um2: num("area_um2")?,
        area_per_head_um2: num("area_per_head_um2")?,
        flip_flops: count("flip_flops")?,
        unconstrained_endpoints: count("unconstrained_endpoints")?,
        area_per_module_um2: per_module,
    })
}
