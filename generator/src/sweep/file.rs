//! The sweep file as written (`SWEEP.yaml`, docs/sweep.md): a base configuration, the axes and
//! the stages run at every point. serde with `deny_unknown_fields`, like the configuration.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// A sweep file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    /// Names the sweep and its default results folder (runs/sweep/<name>).
    pub name: Option<String>,
    /// A preset name, a configuration file (relative to the sweep file) or an inline
    /// configuration (the fields of a configuration file).
    pub base: Base,
    /// The axes; the points are their cartesian product, the first axis varying slowest.
    #[serde(default)]
    pub axes: Vec<Axis>,
    /// The stages run at every point.
    pub stages: Stages,
}

/// The base configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Base {
    Named(String),
    Inline(serde_json::Map<String, Value>),
}

/// One axis: a configuration field and its values, listed or as a range.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Dotted path of a configuration field, e.g. `hardware.window` or `hardware.levels.kv`.
    pub field: String,
    pub values: Option<Vec<Value>>,
    pub range: Option<Range>,
}

/// `from`, `from + step`, ... up to and including `to` when a step lands on it.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub from: f64,
    pub to: f64,
    pub step: f64,
}

/// The stages a point runs, always in this order: generate, golden, sim, flow, power, report.
/// A stage is on when its key is present (`generate:` alone takes the defaults).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Stages {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub generate: Option<Generate>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub golden: Option<Golden>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub sim: Option<Sim>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub flow: Option<Flow>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub power: Option<Flow>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub report: Option<Report>,
}

/// A present key is a stage on, `null` (a key with no value) included.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(Some(Option::<T>::deserialize(d)?.unwrap_or_default()))
}

/// `gca generate` into the point's folder.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Generate {}

/// `gca golden`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Golden {
    /// Tokens per head [default: gca golden's, 1.25 x the window].
    pub tokens: Option<usize>,
    #[serde(default = "one")]
    pub seed: u64,
}

/// `gca sim`, once per seed (and per shard).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sim {
    /// TOKEN packets [default: gca sim's, enough for every window to wrap].
    pub tokens: Option<usize>,
    #[serde(default = "seeds")]
    pub seeds: Vec<u64>,
    /// Run the simulation as this many shards (`gca sim --shard K/N`), each its own task.
    #[serde(default = "one_usize")]
    pub shards: usize,
    /// Input without gaps and output without back-pressure.
    #[serde(default)]
    pub smooth: bool,
}

impl Default for Sim {
    fn default() -> Self {
        Sim {
            tokens: None,
            seeds: seeds(),
            shards: 1,
            smooth: false,
        }
    }
}

/// `gca flow` (and `gca flow --power` for the power stage).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Standard-cell Liberty file (`--liberty`).
    pub liberty: Option<String>,
}

/// `gca report --json` (with the point's flow area when the flow stage ran).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Report {}

fn one() -> u64 {
    1
}

fn one_usize() -> usize {
    1
}

fn seeds() -> Vec<u64> {
    vec![1]
}

impl Axis {
    /// The values of the axis, or what is wrong with it.
    pub fn expand(&self) -> Result<Vec<Value>, String> {
        match (&self.values, &self.range) {
            (Some(v), None) => Ok(v.clone()),
            (None, Some(r)) => r.expand(),
            _ => Err("give either `values: [...]` or `range: {from, to, step}`".to_string()),
        }
    }
}

impl Range {
    fn expand(&self) -> Result<Vec<Value>, String> {
        let Range { from, to, step } = *self;
        if !(from.is_finite() && to.is_finite() && step.is_finite()) || step <= 0.0 || to < from {
            return Err(format!(
                "range {{from: {from}, to: {to}, step: {step}}} needs finite numbers, from <= to \
                 and step > 0"
            ));
        }
        let n = ((to - from) / step + 1e-9).floor() as usize + 1;
        if n > 10_000 {
            return Err(format!("range gives {n} values; at most 10000"));
        }
        let whole = [from, step].iter().all(|v| v.fract() == 0.0);
        Ok((0..n)
            .map(|i| {
                let v = from + i as f64 * step;
                if whole {
                    Value::from(v as i64)
                } else {
                    Value::from((v * 1e12).round() / 1e12)
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(from: f64, to: f64, step: f64) -> Vec<Value> {
        Range { from, to, step }.expand().unwrap()
    }

    #[test]
    fn ranges_include_their_end_and_keep_whole_numbers_whole() {
        assert_eq!(range(64.0, 256.0, 64.0), vec![64, 128, 192, 256]);
        assert_eq!(range(4.0, 9.0, 2.0), vec![4, 6, 8]);
        let f = range(0.0, 0.3, 0.1);
        assert_eq!(f.len(), 4);
        assert_eq!(f[3], Value::from(0.3));
        assert!(Range {
            from: 2.0,
            to: 1.0,
            step: 1.0
        }
        .expand()
        .is_err());
    }

    #[test]
    fn a_stage_key_alone_turns_the_stage_on() {
        let s: Stages = serde_saphyr::from_str("generate:\nsim: {tokens: 9}\n").unwrap();
        assert!(s.generate.is_some() && s.sim.is_some() && s.golden.is_none());
        assert_eq!(s.sim.unwrap().seeds, vec![1]);
        assert!(serde_saphyr::from_str::<Stages>("simulate: {}\n").is_err());
    }
}
