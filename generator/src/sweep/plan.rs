//! A sweep file -> the plan: every point's configuration validated, the tasks (a point, or a
//! shard of a point's simulation) with stable ids, and a hash that names the sweep. The plan is
//! written to `DIR/sweep.json`; a task runs from it alone.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::file::{Base, Stages, SweepFile};
use crate::config::{self, Params};
use crate::sim::shard::{self, Shard};

/// The format tag of `sweep.json`.
pub const FORMAT: &str = "gca-sweep-1";

/// At most this many tasks (a Slurm array's default MaxArraySize is 1001).
pub const MAX_TASKS: usize = 100_000;

/// A validated sweep.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Plan {
    pub format: String,
    pub name: String,
    /// SHA-256 of everything below: the same sweep gives the same hash.
    pub hash: String,
    pub axes: Vec<PlanAxis>,
    pub stages: Stages,
    pub tasks: Vec<Task>,
}

/// An axis with its values expanded.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct PlanAxis {
    pub field: String,
    pub values: Vec<Value>,
}

/// What one process (a local worker or a Slurm array task) runs.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Task {
    /// `p003`, or `p003-s1of4` for shard 1 of 4 of point 3's simulation.
    pub id: String,
    pub point: usize,
    /// The value of every axis, in axis order.
    pub values: Vec<Value>,
    /// `[k, n]` when the simulation is sharded.
    pub shard: Option<[usize; 2]>,
    /// The point's configuration file (name, model, hardware with every default filled in).
    pub config: Value,
}

impl Task {
    /// Whether the task runs the stages other than sim (shard 0 of a point does).
    pub fn runs_point_stages(&self) -> bool {
        self.shard.is_none_or(|[k, _]| k == 0)
    }

    /// `hardware.window=128, hardware.levels.kv=8`.
    pub fn describe(&self, axes: &[PlanAxis]) -> String {
        axes.iter()
            .zip(&self.values)
            .map(|(a, v)| format!("{}={}", a.field, v))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads and validates a sweep file: every problem of the file and of every point, each line
/// naming the point, or the plan.
pub fn load(path: &Path) -> Result<Plan, Vec<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;
    let file: SweepFile = serde_saphyr::from_str(&text).map_err(|e| {
        vec![format!(
            "{}: {} (the format is in docs/sweep.md)",
            path.display(),
            e.to_string().trim_start_matches("error: ")
        )]
    })?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("sweep")
        .to_string();
    let dir = path.parent().unwrap_or(Path::new("."));
    build(&file, &stem, dir)
}

/// The plan of a parsed sweep file; `dir` is where relative base paths start.
pub fn build(file: &SweepFile, stem: &str, dir: &Path) -> Result<Plan, Vec<String>> {
    let mut errors = Vec::new();
    let name = file.name.clone().unwrap_or_else(|| stem.to_string());
    if name.is_empty()
        || name.len() > 48
        || name.starts_with('.')
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        errors.push(format!(
            "name: \"{name}\" cannot name the sweep (use 1 to 48 letters, digits, '-', '_' or \
             '.', not starting with '.')"
        ));
    }
    let base = match base_config(&file.base, dir) {
        Ok(b) => Some(b),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if file.axes.is_empty() {
        errors.push(
            "axes: none given, so the sweep is empty: add at least one axis (field and values)"
                .to_string(),
        );
    }
    let mut axes = Vec::new();
    for (i, a) in file.axes.iter().enumerate() {
        let at = format!("axes[{i}] ({})", a.field);
        if file.axes[..i].iter().any(|b| b.field == a.field) {
            errors.push(format!("{at}: the field is swept twice"));
        }
        if let Some(b) = &base {
            if let Err(e) = check_field(b, &a.field) {
                errors.push(format!("{at}: {e}"));
            }
        }
        match a.expand() {
            Ok(v) if v.is_empty() => errors.push(format!("{at}: no values (an empty sweep)")),
            Ok(v) => axes.push(PlanAxis {
                field: a.field.clone(),
                values: v,
            }),
            Err(e) => errors.push(format!("{at}: {e}")),
        }
    }
    errors.extend(check_stages(&file.stages));
    let points: usize = axes.iter().map(|a| a.values.len()).product();
    let shards = file.stages.sim.as_ref().map_or(1, |s| s.shards.max(1));
    if points.saturating_mul(shards) > MAX_TASKS {
        errors.push(format!(
            "the sweep has {} tasks; at most {MAX_TASKS}",
            points.saturating_mul(shards)
        ));
    }
    let base = match base {
        Some(b) if errors.is_empty() => b,
        _ => return Err(errors),
    };
    let width = format!("{}", points.saturating_sub(1)).len().max(3);
    let mut tasks = Vec::new();
    for point in 0..points {
        let mut values = Vec::new();
        let mut rest = point;
        for a in axes.iter().rev() {
            values.push(a.values[rest % a.values.len()].clone());
            rest /= a.values.len();
        }
        values.reverse();
        let id = format!("p{point:0width$}");
        let mut config = base.clone();
        config["name"] = Value::from(format!("{name}-{id}"));
        for (a, v) in axes.iter().zip(&values) {
            set_field(&mut config, &a.field, v.clone());
        }
        let what = axes
            .iter()
            .zip(&values)
            .map(|(a, v)| format!("{}={v}", a.field))
            .collect::<Vec<_>>()
            .join(", ");
        match point_params(&config, &id) {
            Err(e) => errors.push(format!(
                "point {id} ({what}):\n{}",
                e.lines()
                    .map(|l| format!("    {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )),
            Ok(p) => {
                if shards > 1 {
                    if let Err(e) =
                        shard::slice(p.shape.n_layer, p.shape.n_head, Shard { k: 0, n: shards })
                    {
                        errors.push(format!("point {id} ({what}): stages.sim.shards: {e}"));
                    }
                }
            }
        }
        for k in 0..shards {
            tasks.push(Task {
                id: if shards > 1 {
                    format!("{id}-s{k}of{shards}")
                } else {
                    id.clone()
                },
                point,
                values: values.clone(),
                shard: (shards > 1).then_some([k, shards]),
                config: config.clone(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut plan = Plan {
        format: FORMAT.to_string(),
        name,
        hash: String::new(),
        axes,
        stages: file.stages.clone(),
        tasks,
    };
    plan.hash = plan_hash(&plan);
    Ok(plan)
}

/// The hash of a plan (its `hash` field left out).
pub fn plan_hash(plan: &Plan) -> String {
    let mut v = serde_json::to_value(plan).expect("plan serializes");
    v["hash"] = Value::Null;
    let digest = Sha256::digest(v.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The configuration file of a task, as written to `points/<id>/config.yaml` (JSON is YAML).
pub fn config_text(task: &Task) -> String {
    let mut s = serde_json::to_string_pretty(&task.config).expect("config serializes");
    s.push('\n');
    s
}

/// Validates a point's configuration as `gca` will read it.
fn point_params(config: &Value, id: &str) -> Result<Params, String> {
    let text = serde_json::to_string(config).expect("config serializes");
    config::from_yaml(&text, &format!("point {id}"), id).map_err(|e| e.to_string())
}

/// The base configuration with every field filled in: `{name, model, hardware}`.
fn base_config(base: &Base, dir: &Path) -> Result<Value, String> {
    let p = match base {
        Base::Named(spec) => {
            let is_file = Path::new(spec).extension().is_some() || spec.contains('/');
            let spec = if is_file && Path::new(spec).is_relative() {
                dir.join(spec).to_string_lossy().into_owned()
            } else {
                spec.clone()
            };
            config::load(&spec)
        }
        Base::Inline(map) => {
            let text = serde_json::to_string(map).expect("map serializes");
            config::from_yaml(&text, "base", "base")
        }
    };
    let p = p.map_err(|e| {
        format!(
            "base:\n{}",
            e.to_string()
                .lines()
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    Ok(serde_json::json!({ "name": p.name, "model": p.model, "hardware": p.hardware }))
}

/// Whether `path` names a field of the configuration (a leaf or a section).
fn check_field(config: &Value, path: &str) -> Result<(), String> {
    if path == "name" {
        return Err("`name` cannot be swept: the sweep names its points".to_string());
    }
    let mut at = config;
    let mut walked = Vec::new();
    for part in path.split('.') {
        let obj = at.as_object().ok_or_else(|| {
            format!(
                "`{}` is a value, not a section with a field `{part}`",
                walked.join(".")
            )
        })?;
        at = obj.get(part).ok_or_else(|| {
            let mut fields: Vec<&str> = obj.keys().map(String::as_str).collect();
            fields.sort();
            fields.retain(|f| *f != "name");
            format!(
                "unknown configuration field `{path}`: {} has {}",
                if walked.is_empty() {
                    "a configuration".to_string()
                } else {
                    format!("`{}`", walked.join("."))
                },
                fields.join(", ")
            )
        })?;
        walked.push(part);
    }
    Ok(())
}

fn set_field(config: &mut Value, path: &str, value: Value) {
    let mut at = config;
    for part in path.split('.') {
        at = &mut at[part];
    }
    *at = value;
}

fn check_stages(s: &Stages) -> Vec<String> {
    let mut errors = Vec::new();
    let on = [
        s.generate.is_some(),
        s.golden.is_some(),
        s.sim.is_some(),
        s.flow.is_some(),
        s.power.is_some(),
        s.report.is_some(),
    ];
    if !on.contains(&true) {
        errors.push(
            "stages: none given: name at least one of generate, golden, sim, flow, power, report"
                .to_string(),
        );
    }
    if let Some(g) = &s.golden {
        if g.tokens == Some(0) {
            errors.push("stages.golden.tokens: must be at least 1".to_string());
        }
    }
    if let Some(sim) = &s.sim {
        if sim.tokens == Some(0) {
            errors.push("stages.sim.tokens: must be at least 1".to_string());
        }
        if sim.seeds.is_empty() {
            errors.push("stages.sim.seeds: give at least one seed".to_string());
        }
        if sim.shards == 0 {
            errors.push("stages.sim.shards: must be at least 1".to_string());
        }
    }
    if s.power.is_some() && !super::point::gca_has_power() {
        errors.push(
            "stages.power: this gca has no `gca flow --power` (the power analysis); drop the \
             stage or use a gca that has it"
                .to_string(),
        );
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(yaml: &str) -> Result<Plan, Vec<String>> {
        let file: SweepFile = serde_saphyr::from_str(yaml).unwrap();
        build(&file, "t", Path::new("."))
    }

    #[test]
    fn points_are_the_product_of_the_axes_first_axis_slowest() {
        let p = plan(
            "base: tiny\naxes:\n  - {field: hardware.window, values: [64, 128]}\n  \
             - {field: hardware.levels.kv, range: {from: 4, to: 8, step: 2}}\nstages: {golden: }\n",
        )
        .unwrap();
        assert_eq!(p.tasks.len(), 6);
        assert_eq!(p.tasks[4].id, "p004");
        assert_eq!(p.tasks[4].values, vec![Value::from(128), Value::from(6)]);
        assert_eq!(p.tasks[4].config["hardware"]["window"], 128);
        assert_eq!(p.tasks[4].config["hardware"]["levels"]["kv"], 6);
        assert_eq!(p.tasks[4].config["name"], "t-p004");
        assert_eq!(p.hash, plan_hash(&p));
    }

    #[test]
    fn every_bad_point_and_field_is_reported_at_once() {
        let e = plan(
            "base: tiny\naxes:\n  - {field: hardware.windw, values: [64]}\n  \
             - {field: hardware.tile, values: []}\nstages: {}\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 3, "{e:#?}");
        assert!(e[0].contains("unknown configuration field `hardware.windw`"));
        assert!(e[1].contains("no values (an empty sweep)"));
        assert!(e[2].starts_with("stages: none given"));
        let e = plan(
            "base: tiny\naxes:\n  - {field: hardware.window, values: [64, 96, 100]}\n\
             stages: {golden: }\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 2, "{e:#?}");
        assert!(e[0].starts_with("point p001 (hardware.window=96)") && e[0].contains("E012"));
        assert!(e[1].starts_with("point p002 (hardware.window=100)"));
    }

    #[test]
    fn shards_become_tasks_and_must_cut_the_design() {
        let p = plan(
            "base: tiny\naxes: [{field: hardware.window, values: [64]}]\n\
             stages: {sim: {shards: 2}}\n",
        )
        .unwrap();
        let ids: Vec<_> = p.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["p000-s0of2", "p000-s1of2"]);
        assert!(p.tasks[0].runs_point_stages() && !p.tasks[1].runs_point_stages());
        let e = plan(
            "base: tiny\naxes: [{field: hardware.window, values: [64]}]\n\
             stages: {sim: {shards: 3}}\n",
        )
        .unwrap_err();
        assert!(e[0].contains("3 shards do not cut"), "{e:#?}");
    }

    #[test]
    fn the_shipped_sweep_files_are_valid() {
        let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs");
        for (file, tasks) in [
            ("sweep-example.yaml", 4),
            ("sweep-gpt2-head.yaml", 16),
            ("sweep-gpt2-head-4.yaml", 4),
            ("sweep-shards.yaml", 4),
        ] {
            let p = load(&configs.join(file)).unwrap_or_else(|e| panic!("{file}: {e:#?}"));
            assert_eq!(p.tasks.len(), tasks, "{file}");
        }
    }
}
