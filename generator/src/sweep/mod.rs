//! Design-space sweeps (`gca sweep`, docs/sweep.md): a sweep file -> a validated plan of tasks
//! (`plan`) -> a results folder (`prepare`) -> the tasks run by a local pool of `gca`
//! processes (`local`) or a Slurm job array (`slurm`), each task writing one result
//! (`point`) -> the results merged into tables and plots (`collect`, `plots`).

pub mod collect;
pub mod file;
pub mod local;
pub mod plan;
mod plots;
pub mod point;
pub mod slurm;

use std::path::Path;

pub use plan::{Plan, Task};

/// The plan file of a results folder.
pub const PLAN_FILE: &str = "sweep.json";

/// Why a results folder cannot take a sweep.
#[derive(Debug)]
pub enum FolderError {
    /// The folder holds another sweep's results, or other files (bad input).
    Refused(String),
    /// A file could not be written.
    Io(String),
}

/// Reads the plan of a results folder.
pub fn read_plan(dir: &Path) -> Result<Plan, String> {
    let path = dir.join(PLAN_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{} is not a sweep's results folder (cannot read {}: {e})",
            dir.display(),
            PLAN_FILE
        )
    })?;
    let plan: Plan = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a gca sweep plan: {e}", path.display()))?;
    if plan.format != plan::FORMAT || plan.hash != plan::plan_hash(&plan) {
        return Err(format!(
            "{} is not a gca sweep plan of this version (format {}), or was edited",
            path.display(),
            plan.format
        ));
    }
    Ok(plan)
}

/// Makes `dir` the results folder of `plan`: a new or empty folder gets the plan and every
/// task's configuration; a folder of the same sweep is kept (finished tasks are skipped); a
/// folder of another sweep, or with other files, is refused.
pub fn prepare(dir: &Path, plan: &Plan) -> Result<(), FolderError> {
    if dir.join(PLAN_FILE).exists() {
        match read_plan(dir) {
            Ok(old) if old.hash == plan.hash => {}
            Ok(old) => {
                return Err(FolderError::Refused(format!(
                    "{} holds the results of another sweep (`{}`, {} tasks, plan {}); use \
                     another --out folder, or delete it to start over",
                    dir.display(),
                    old.name,
                    old.tasks.len(),
                    &old.hash[..12]
                )))
            }
            Err(e) => return Err(FolderError::Refused(e)),
        }
    } else if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(FolderError::Refused(format!(
            "{} is not empty and holds no {PLAN_FILE}: it is not a sweep's results folder; \
             use another --out folder",
            dir.display()
        )));
    }
    let io = |e: String| FolderError::Io(e);
    for t in &plan.tasks {
        let tdir = point::task_dir(dir, &t.id);
        std::fs::create_dir_all(&tdir)
            .map_err(|e| io(format!("cannot create {}: {e}", tdir.display())))?;
        let cfg = tdir.join("config.yaml");
        if !cfg.is_file() {
            write(&cfg, &plan::config_text(t)).map_err(io)?;
        }
    }
    let text = serde_json::to_string_pretty(plan).expect("plan serializes") + "\n";
    write(&dir.join(PLAN_FILE), &text).map_err(io)
}

/// The task named by an id or an index of the plan.
pub fn find_task<'a>(plan: &'a Plan, which: &str) -> Option<&'a Task> {
    match which.parse::<usize>() {
        Ok(i) => plan.tasks.get(i),
        Err(_) => plan.tasks.iter().find(|t| t.id == which),
    }
}

/// Writes a file of the results folder atomically; the error names the path.
fn write(path: &Path, text: &str) -> Result<(), String> {
    crate::cli::write_atomic(path, text).map_err(|e| e.trim_start_matches("error: ").to_string())
}
