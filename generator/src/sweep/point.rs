//! One task of a sweep (`gca sweep point DIR TASK`, run by a local worker or a Slurm array
//! task): its stages as `gca` child processes in `DIR/points/<id>/`, each stage's JSON on
//! `<stage>.json` and its messages in `<stage>.log`, then one `result.json`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::plan::{Plan, Task};

/// The format tag of `result.json`.
pub const RESULT_FORMAT: &str = "gca-sweep-result-1";

/// The file a task writes last.
pub const RESULT: &str = "result.json";

/// What a task left: its figures, or the stage that failed.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct TaskResult {
    pub format: String,
    pub sweep_hash: String,
    pub id: String,
    pub ok: bool,
    /// The stage that failed, its exit code and log.
    pub failure: Option<Failure>,
    /// `stage.field` -> value: the top-level numbers and words of each stage's JSON that do
    /// not depend on the machine (the same on every run).
    pub figures: Map<String, Value>,
    /// Run times and rates (`*seconds*`, `*per_second*`) and where the task ran.
    pub timing: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Failure {
    pub stage: String,
    pub exit_code: Option<i32>,
    pub log: String,
    /// The last lines of the log.
    pub tail: Vec<String>,
}

/// A stage's command line (after `gca`).
struct Step {
    key: String,
    args: Vec<String>,
}

/// The folder of a task's files.
pub fn task_dir(dir: &Path, id: &str) -> PathBuf {
    dir.join("points").join(id)
}

/// Reads a task's result when it is one of this sweep.
pub fn read_result(dir: &Path, plan: &Plan, id: &str) -> Option<TaskResult> {
    let text = std::fs::read_to_string(task_dir(dir, id).join(RESULT)).ok()?;
    let r: TaskResult = serde_json::from_str(&text).ok()?;
    (r.sweep_hash == plan.hash && r.id == id).then_some(r)
}

/// Whether this gca has `gca flow --power` (the power stage).
pub fn gca_has_power() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Command::new(exe).args(["flow", "--help"]).output().ok())
        .is_some_and(|o| String::from_utf8_lossy(&o.stdout).contains("--power"))
}

fn steps(plan: &Plan, task: &Task, dir: &Path) -> Vec<Step> {
    let s = &plan.stages;
    let cfg = dir.join("config.yaml").to_string_lossy().into_owned();
    let path = |p: &str| dir.join(p).to_string_lossy().into_owned();
    let mut out = Vec::new();
    let mut step = |key: &str, args: Vec<String>| {
        out.push(Step {
            key: key.to_string(),
            args,
        })
    };
    let point = task.runs_point_stages();
    let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    if point && s.generate.is_some() {
        step(
            "generate",
            v(&[
                "generate",
                &cfg,
                "--json",
                "--force",
                "--out",
                &path("design"),
            ]),
        );
    }
    if let (true, Some(g)) = (point, &s.golden) {
        let mut a = v(&["golden", &cfg, "--json", "--quiet", "--seed"]);
        a.push(g.seed.to_string());
        if let Some(t) = g.tokens {
            a.extend(["--tokens".to_string(), t.to_string()]);
        }
        step("golden", a);
    }
    if let Some(sim) = &s.sim {
        for seed in &sim.seeds {
            let mut a = v(&["sim", &cfg, "--json", "--seed"]);
            a.push(seed.to_string());
            if let Some(t) = sim.tokens {
                a.extend(["--tokens".to_string(), t.to_string()]);
            }
            if sim.smooth {
                a.push("--smooth".to_string());
            }
            if let Some([k, n]) = task.shard {
                a.extend(["--shard".to_string(), format!("{k}/{n}")]);
            }
            step(&format!("sim.s{seed}"), a);
        }
    }
    for (key, stage, extra) in [
        ("flow", &s.flow, None),
        ("power", &s.power, Some("--power")),
    ] {
        if let (true, Some(f)) = (point, stage) {
            let mut a = v(&["flow", &cfg, "--json", "-o", &path(key)]);
            a.extend(extra.map(String::from));
            if let Some(lib) = &f.liberty {
                a.extend(["--liberty".to_string(), lib.clone()]);
            }
            step(key, a);
        }
    }
    if point && s.report.is_some() {
        let mut a = v(&["report", &cfg, "--json"]);
        if s.flow.is_some() {
            a.extend(["--flow".to_string(), path("flow/flow_report.json")]);
        }
        step("report", a);
    }
    out
}

/// Whether a field of a stage's JSON is a run time or rate.
fn is_timing(field: &str) -> bool {
    field.contains("seconds") || field.contains("per_second")
}

/// Runs a task's stages and writes its `result.json`; the result is also returned.
pub fn run(plan: &Plan, dir: &Path, task: &Task) -> Result<TaskResult, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the gca program: {e}"))?;
    let tdir = task_dir(dir, &task.id);
    std::fs::create_dir_all(&tdir).map_err(|e| format!("cannot create {}: {e}", tdir.display()))?;
    let _ = std::fs::remove_file(tdir.join(RESULT));
    let cfg = tdir.join("config.yaml");
    if !cfg.is_file() {
        super::write(&cfg, &super::plan::config_text(task))?;
    }
    let mut result = TaskResult {
        format: RESULT_FORMAT.to_string(),
        sweep_hash: plan.hash.clone(),
        id: task.id.clone(),
        ok: true,
        failure: None,
        figures: Map::new(),
        timing: Map::new(),
    };
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    result.timing.insert("host".into(), Value::from(host));
    let start = Instant::now();
    for st in steps(plan, task, &tdir) {
        let out_path = tdir.join(format!("{}.json", st.key));
        let log_path = tdir.join(format!("{}.log", st.key));
        let open = |p: &Path| {
            std::fs::File::create(p).map_err(|e| format!("cannot create {}: {e}", p.display()))
        };
        let t0 = Instant::now();
        let status = Command::new(&exe)
            .args(&st.args)
            .stdin(Stdio::null())
            .stdout(open(&out_path)?)
            .stderr(open(&log_path)?)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        result.timing.insert(
            format!("{}.wall_seconds", st.key),
            Value::from(t0.elapsed().as_secs_f64()),
        );
        let json: Option<Value> = std::fs::read_to_string(&out_path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        if let Some(Value::Object(m)) = &json {
            for (k, v) in m {
                let scalar = matches!(v, Value::Number(_) | Value::Bool(_))
                    || v.as_str().is_some_and(|s| !s.starts_with('/'));
                if !scalar || k == "dir" {
                    continue;
                }
                let key = format!("{}.{k}", st.key);
                if is_timing(k) {
                    result.timing.insert(key, v.clone());
                } else {
                    result.figures.insert(key, v.clone());
                }
            }
        }
        if !status.success() {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            result.ok = false;
            result.failure = Some(Failure {
                stage: st.key.clone(),
                exit_code: status.code(),
                log: log_path.to_string_lossy().into_owned(),
                tail: lines[lines.len().saturating_sub(8)..]
                    .iter()
                    .map(|l| l.to_string())
                    .collect(),
            });
            break;
        }
    }
    result.timing.insert(
        "task.wall_seconds".into(),
        Value::from(start.elapsed().as_secs_f64()),
    );
    let text = serde_json::to_string_pretty(&result).expect("result serializes") + "\n";
    super::write(&tdir.join(RESULT), &text)?;
    Ok(result)
}
