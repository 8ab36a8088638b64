//! Merges a results folder: `summary.csv` and `summary.json` (one row per task, in plan
//! order) and the SVG plots of `plots/`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};

use super::point::{self, TaskResult};
use super::Plan;

/// What the merge found.
#[derive(Debug, Default)]
pub struct Merged {
    pub ok: Vec<String>,
    /// Tasks that failed: id and result (with the failed stage and log).
    pub failed: Vec<(String, TaskResult)>,
    /// Tasks without a result.
    pub missing: Vec<String>,
    pub plots: Vec<String>,
}

/// Reads every task's result, writes the summaries and plots and returns what was found.
/// `reason(index, id)` says why a task has no result (the back end knows).
pub fn collect(
    plan: &Plan,
    dir: &Path,
    reason: impl Fn(usize, &str) -> String,
) -> Result<Merged, String> {
    let mut merged = Merged::default();
    let mut rows = Vec::new();
    let mut figure_cols = BTreeSet::new();
    let mut timing_cols = BTreeSet::new();
    let results: Vec<Option<TaskResult>> = plan
        .tasks
        .iter()
        .map(|t| point::read_result(dir, plan, &t.id))
        .collect();
    for r in results.iter().flatten() {
        figure_cols.extend(r.figures.keys().cloned());
        timing_cols.extend(r.timing.keys().cloned());
    }
    let mut csv = String::from("id,point,shard,status");
    for a in &plan.axes {
        csv.push(',');
        csv.push_str(&cell(&Value::from(a.field.clone())));
    }
    for c in figure_cols.iter().chain(&timing_cols) {
        csv.push(',');
        csv.push_str(c);
    }
    csv.push('\n');
    for (i, (t, r)) in plan.tasks.iter().zip(&results).enumerate() {
        let status = match r {
            Some(r) if r.ok => {
                merged.ok.push(t.id.clone());
                "ok"
            }
            Some(r) => {
                merged.failed.push((t.id.clone(), r.clone()));
                "failed"
            }
            None => {
                merged.missing.push(t.id.clone());
                "missing"
            }
        };
        let shard = t.shard.map(|[k, n]| format!("{k}/{n}"));
        let mut line = format!(
            "{},{},{},{status}",
            t.id,
            t.point,
            shard.clone().unwrap_or_default()
        );
        for v in &t.values {
            line.push(',');
            line.push_str(&cell(v));
        }
        let empty = serde_json::Map::new();
        let (figs, timing) = r
            .as_ref()
            .map_or((&empty, &empty), |r| (&r.figures, &r.timing));
        for c in &figure_cols {
            line.push(',');
            line.push_str(&figs.get(c).map(cell).unwrap_or_default());
        }
        for c in &timing_cols {
            line.push(',');
            line.push_str(&timing.get(c).map(cell).unwrap_or_default());
        }
        csv.push_str(&line);
        csv.push('\n');
        let values: serde_json::Map<String, Value> = plan
            .axes
            .iter()
            .zip(&t.values)
            .map(|(a, v)| (a.field.clone(), v.clone()))
            .collect();
        rows.push(json!({
            "id": t.id,
            "point": t.point,
            "shard": shard,
            "status": status,
            "values": values,
            "figures": figs,
            "timing": timing,
            "failure": match r {
                Some(r) => json!(r.failure),
                None => json!({ "reason": reason(i, &t.id) }),
            },
        }));
    }
    let summary = json!({
        "sweep": plan.name,
        "plan_hash": plan.hash,
        "axes": plan.axes,
        "stages": plan.stages,
        "tasks": rows,
    });
    super::write(&dir.join("summary.csv"), &csv)?;
    super::write(&dir.join("summary.json"), &format!("{summary:#}\n"))?;
    let pdir = dir.join("plots");
    std::fs::create_dir_all(&pdir).map_err(|e| format!("cannot create {}: {e}", pdir.display()))?;
    for (name, svg) in super::plots::all(plan, &results) {
        super::write(&pdir.join(&name), &svg)?;
        merged.plots.push(format!("plots/{name}"));
    }
    Ok(merged)
}

/// A CSV cell: numbers and words as they are, quoted when needed.
fn cell(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    };
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
