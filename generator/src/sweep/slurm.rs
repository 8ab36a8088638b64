//! The Slurm back end: the unfinished tasks of a plan as one job array (`sbatch --array`), each
//! array task running `gca sweep point DIR INDEX`; then a wait until the array has left the
//! queue (`squeue`). The gca program, the results folder and the cache must be visible at the
//! same paths on the compute nodes (a shared file system); sbatch passes the environment.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::point;
use super::Plan;

/// Options of the submission.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub partition: Option<String>,
    pub account: Option<String>,
    pub time: Option<String>,
    /// Passed to sbatch as they are, before the script.
    pub extra: Vec<String>,
}

/// A submitted array.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub job_id: String,
    /// The plan's task indices in the array.
    pub indices: Vec<usize>,
    pub script: PathBuf,
}

/// A Slurm command on PATH, or an error naming the Debian package that has it.
pub fn tool(name: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            format!(
                "`{name}` is not on PATH: --slurm needs the Slurm client commands (Debian \
                 package `slurm-client`, installed by scripts/setup) on a machine that can \
                 submit to the cluster; or run the sweep locally (drop --slurm)"
            )
        })
}

/// The array's batch script.
fn script(exe: &Path, dir: &Path) -> String {
    let q = |p: &Path| shell_quote(&p.to_string_lossy());
    format!(
        "#!/bin/sh\n# gca sweep: one array task = one task of {plan} (its index in the plan)\n\
         exec {exe} sweep point {dir} \"$SLURM_ARRAY_TASK_ID\"\n",
        plan = dir.join(super::PLAN_FILE).display(),
        exe = q(exe),
        dir = q(dir),
    )
}

fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Submits the tasks of `plan` without a finished result as one array; `None` when all are
/// finished.
pub fn submit(plan: &Plan, dir: &Path, opts: &Options) -> Result<Option<Submitted>, String> {
    let sbatch = tool("sbatch")?;
    let indices: Vec<usize> = plan
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| !point::read_result(dir, plan, &t.id).is_some_and(|r| r.ok))
        .map(|(i, _)| i)
        .collect();
    if indices.is_empty() {
        return Ok(None);
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the gca program: {e}"))?;
    let dir = std::path::absolute(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let sdir = dir.join("slurm");
    std::fs::create_dir_all(&sdir).map_err(|e| format!("cannot create {}: {e}", sdir.display()))?;
    let path = sdir.join("array.sh");
    super::write(&path, &script(&exe, &dir))?;
    let mut cmd = Command::new(&sbatch);
    cmd.arg("--parsable")
        .arg(format!("--array={}", ranges(&indices)))
        .arg(format!("--job-name=gca-sweep-{}", plan.name))
        .arg(format!("--output={}/%A_%a.out", sdir.display()))
        .arg("--ntasks=1");
    for (flag, v) in [
        ("--partition", &opts.partition),
        ("--account", &opts.account),
        ("--time", &opts.time),
    ] {
        if let Some(v) = v {
            cmd.arg(format!("{flag}={v}"));
        }
    }
    cmd.args(&opts.extra).arg(&path);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", sbatch.display()))?;
    if !out.status.success() {
        return Err(format!(
            "sbatch refused the job array (exit {}): {}",
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let job_id = stdout
        .trim()
        .split(';')
        .next()
        .filter(|j| !j.is_empty() && j.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| format!("sbatch printed no job id: {}", stdout.trim()))?
        .to_string();
    let record = serde_json::json!({
        "job_id": job_id,
        "tasks": indices.iter().map(|&i| serde_json::json!({"index": i, "id": plan.tasks[i].id})).collect::<Vec<_>>(),
    });
    super::write(
        &sdir.join(format!("job-{job_id}.json")),
        &format!("{record:#}\n"),
    )?;
    Ok(Some(Submitted {
        job_id,
        indices,
        script: path,
    }))
}

/// `0-3,5,7-8` of sorted indices.
pub fn ranges(indices: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let mut j = i;
        while j + 1 < indices.len() && indices[j + 1] == indices[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            indices[i].to_string()
        } else {
            format!("{}-{}", indices[i], indices[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// Array tasks of `job_id` still in the queue, by state (`PENDING`, `RUNNING`, ...).
pub fn queued(job_id: &str) -> Result<Vec<(String, String)>, String> {
    let squeue = tool("squeue")?;
    let out = Command::new(&squeue)
        .args(["-h", "-r", "-j", job_id, "-o", "%i %T"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", squeue.display()))?;
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        if err.contains("Invalid job id") {
            return Ok(Vec::new());
        }
        return Err(format!("squeue failed: {}", err.trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (id, state) = l.trim().split_once(' ')?;
            Some((id.to_string(), state.to_string()))
        })
        .collect())
}

/// Waits until the array has left the queue; `progress(queued, finished)` is called when the
/// counts change.
pub fn wait(
    plan: &Plan,
    dir: &Path,
    sub: &Submitted,
    mut progress: impl FnMut(usize, usize),
) -> Result<(), String> {
    let mut last = (usize::MAX, usize::MAX);
    loop {
        let q = queued(&sub.job_id)?;
        let finished = sub
            .indices
            .iter()
            .filter(|&&i| point::read_result(dir, plan, &plan.tasks[i].id).is_some())
            .count();
        if (q.len(), finished) != last {
            last = (q.len(), finished);
            progress(q.len(), finished);
        }
        if q.is_empty() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// Why an array task left no result: its output file, and whether Slurm cancelled it.
pub fn lost_reason(dir: &Path, job_id: &str, index: usize) -> String {
    let out = dir.join("slurm").join(format!("{job_id}_{index}.out"));
    match std::fs::read_to_string(&out) {
        Err(_) => format!(
            "Slurm task {job_id}_{index} left no result and no output: cancelled before it \
             started, or it could not start"
        ),
        Ok(text) if text.contains("CANCELLED") => format!(
            "Slurm task {job_id}_{index} was cancelled; its output: {}",
            out.display()
        ),
        Ok(_) => format!(
            "Slurm task {job_id}_{index} ended without a result (failed, or hit its time \
             limit); its output: {}",
            out.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_indices_are_written_as_ranges() {
        assert_eq!(ranges(&[0, 1, 2, 3, 5, 7, 8]), "0-3,5,7-8");
        assert_eq!(ranges(&[4]), "4");
    }

    #[test]
    fn the_script_runs_one_task_of_the_plan() {
        let s = script(Path::new("/opt/gca"), Path::new("/data/my sweep"));
        assert!(
            s.ends_with("exec /opt/gca sweep point '/data/my sweep' \"$SLURM_ARRAY_TASK_ID\"\n")
        );
    }
}
