//! The local back end: a pool of `gca sweep point` processes, at most `jobs` at a time.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::point::{self, TaskResult};
use super::Plan;

/// How a task ended, as the pool reports it.
pub enum Outcome {
    /// Finished by an earlier run.
    Skipped,
    Done(TaskResult),
    /// The worker died without a result (its output file is named).
    Lost(String),
}

/// Runs every unfinished task of `plan` in `dir`; `report(done, total, id, outcome, seconds)`
/// is called as each ends.
pub fn run(
    plan: &Plan,
    dir: &Path,
    jobs: usize,
    mut report: impl FnMut(usize, usize, &str, &Outcome, f64),
) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the gca program: {e}"))?;
    let total = plan.tasks.len();
    let mut done = 0;
    let mut queue = Vec::new();
    for t in &plan.tasks {
        if point::read_result(dir, plan, &t.id).is_some_and(|r| r.ok) {
            done += 1;
            report(done, total, &t.id, &Outcome::Skipped, 0.0);
        } else {
            queue.push(t);
        }
    }
    queue.reverse();
    let mut running: Vec<(Child, &str, Instant)> = Vec::new();
    while !queue.is_empty() || !running.is_empty() {
        while running.len() < jobs.max(1) {
            let Some(t) = queue.pop() else { break };
            let log = point::task_dir(dir, &t.id).join("runner.log");
            let file = std::fs::File::create(&log)
                .map_err(|e| format!("cannot create {}: {e}", log.display()))?;
            let child = Command::new(&exe)
                .arg("sweep")
                .arg("point")
                .arg(dir)
                .arg(&t.id)
                .stdin(Stdio::null())
                .stdout(file.try_clone().map_err(|e| e.to_string())?)
                .stderr(file)
                .spawn()
                .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
            running.push((child, &t.id, Instant::now()));
        }
        std::thread::sleep(Duration::from_millis(100));
        let mut i = 0;
        while i < running.len() {
            match running[i].0.try_wait() {
                Ok(None) => i += 1,
                Ok(Some(_)) | Err(_) => {
                    let (_, id, t0) = running.swap_remove(i);
                    done += 1;
                    let outcome = match point::read_result(dir, plan, id) {
                        Some(r) => Outcome::Done(r),
                        None => Outcome::Lost(
                            point::task_dir(dir, id)
                                .join("runner.log")
                                .to_string_lossy()
                                .into_owned(),
                        ),
                    };
                    report(done, total, id, &outcome, t0.elapsed().as_secs_f64());
                }
            }
        }
    }
    Ok(())
}
