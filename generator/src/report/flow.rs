//! Figures of an ASIC-flow run (`gca flow CONFIG` writes `runs/flow/<name>/flow_report.json`).
//! Read as plain JSON so that the report does not depend on the flow's types; used only when
//! the run's configuration hash is this configuration's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Params;

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
    /// The measured digital energy (`gca flow --power`), when the run has one.
    pub power: Option<MeasuredEnergy>,
}

/// The digital energy of a `gca flow --power` run and what it was measured under.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasuredEnergy {
    pub digital_energy_per_token_per_head_pj: f64,
    pub library: String,
    pub corner: String,
    pub tokens: u64,
    pub seed: u64,
    /// (block, pJ per token per head).
    pub blocks: Vec<(String, f64)>,
}

fn measured(v: &serde_json::Value) -> Option<MeasuredEnergy> {
    let w = v.get("power")?;
    Some(MeasuredEnergy {
        digital_energy_per_token_per_head_pj: w
            .get("digital_energy_per_token_per_head_pj")?
            .as_f64()?,
        library: w.get("library")?.as_str()?.to_string(),
        corner: w.get("corner")?.as_str()?.to_string(),
        tokens: w.get("tokens")?.as_u64()?,
        seed: w.get("seed")?.as_u64()?,
        blocks: w
            .get("blocks")?
            .as_array()?
            .iter()
            .filter_map(|b| {
                Some((
                    b.get("block")?.as_str()?.to_string(),
                    b.get("energy_per_token_per_head_pj")?.as_f64()?,
                ))
            })
            .collect(),
    })
}

/// The default place of a configuration's flow report, relative to the working folder.
pub fn default_path(p: &Params) -> PathBuf {
    crate::flow::default_work_dir(p).join(crate::flow::REPORT_JSON)
}

/// What became of a flow report.
pub type FlowLookup = super::lookup::Lookup<FlowFigures>;

impl FlowLookup {
    pub fn figures(&self) -> Option<&FlowFigures> {
        self.used()
    }
}

/// Reads the flow report at `path` for the configuration `p`.
pub fn read(p: &Params, path: &Path) -> FlowLookup {
    super::lookup::read(path, |text, shown| parse(p, text, shown))
}

/// Parses a flow report's text; `source` names it in messages.
pub fn parse(p: &Params, text: &str, source: &str) -> Result<FlowFigures, String> {
    let v = super::lookup::json_of(p, text, source, "flow")?;
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
        power: measured(&v),
    })
}
