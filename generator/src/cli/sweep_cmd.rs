//! `gca sweep`: a design-space sweep or a sharded regression, run by a local pool of `gca`
//! processes or as a Slurm job array, merged into tables and plots.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::sweep::{self, collect, local, point, slurm, FolderError, Plan};

/// Run a sweep file's points (configurations on a grid of axes) through its stages.
///
/// SWEEP.yaml names a base configuration, the axes (any configuration field, a list of values
/// or a range) and the stages per point (generate, golden, sim with tokens, seeds and shards,
/// flow, power, report); docs/sweep.md has the format. Every point's configuration is
/// validated first, all errors at once. Each task (a point, or a shard of its simulation) runs
/// as its own `gca` process and writes DIR/points/<id>/result.json and its logs; a rerun into
/// the same folder skips finished tasks; a failed task is reported with its log and the others
/// go on. At the end the results are merged (as by `gca sweep collect DIR`) into summary.csv,
/// summary.json and plots/*.svg (Pareto fronts of area, energy and latency, each figure against
/// each axis).
///
/// Exit code 0 when every task finished, 1 when one failed or has no result, 2 for bad input.
///
/// Examples:
///   gca sweep configs/sweep-example.yaml --jobs 2
///   gca sweep configs/sweep-example.yaml --slurm --partition short --time 00:20:00
///   gca sweep collect runs/sweep/sweep-example
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Merge the results of a sweep folder into summary.csv, summary.json and plots/.
    Collect {
        /// The results folder (holds sweep.json).
        dir: PathBuf,
    },
    /// Run one task of a sweep folder (what each worker or Slurm array task runs).
    #[command(hide = true)]
    Point {
        dir: PathBuf,
        /// Task id (p003) or index in the plan.
        task: String,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The sweep file.
    #[arg(value_name = "SWEEP.yaml")]
    sweep: Option<PathBuf>,
    /// Tasks run at once by the local pool [default: the number of CPUs].
    #[arg(short, long)]
    jobs: Option<usize>,
    /// Results folder [default: runs/sweep/<sweep name>].
    #[arg(short, long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Submit the tasks as one Slurm job array (sbatch --array) and wait for it.
    #[arg(long)]
    slurm: bool,
    /// Slurm partition (sbatch --partition).
    #[arg(long, requires = "slurm")]
    partition: Option<String>,
    /// Slurm account (sbatch --account).
    #[arg(long, requires = "slurm")]
    account: Option<String>,
    /// Time limit of each array task (sbatch --time), e.g. 00:30:00.
    #[arg(long, requires = "slurm")]
    time: Option<String>,
    /// Another sbatch option, passed as it is (repeatable), e.g. --sbatch-arg=--mem=4G.
    #[arg(
        long,
        value_name = "ARG",
        allow_hyphen_values = true,
        requires = "slurm"
    )]
    sbatch_arg: Vec<String>,
}

pub fn run(a: Args) -> ExitCode {
    match a.action {
        Some(Action::Collect { dir }) => collect_cmd(&dir),
        Some(Action::Point { dir, task }) => point_cmd(&dir, &task),
        None => match a.run.sweep.clone() {
            Some(file) => sweep_cmd(&file, a.run),
            None => super::bad_input(
                "error: give a SWEEP.yaml, or `gca sweep collect DIR` (see gca sweep --help)",
            ),
        },
    }
}

fn sweep_cmd(file: &Path, a: RunArgs) -> ExitCode {
    let plan = match sweep::plan::load(file) {
        Ok(p) => p,
        Err(errors) => {
            let mut s = format!(
                "error: the sweep {} has {} problem(s); nothing was run:\n",
                file.display(),
                errors.len()
            );
            for e in errors {
                s.push_str(&format!("  {e}\n"));
            }
            return super::bad_input(s.trim_end());
        }
    };
    if a.jobs == Some(0) {
        return super::bad_input("error: --jobs must be at least 1");
    }
    if a.slurm {
        if let Err(e) = slurm::tool("sbatch").and_then(|_| slurm::tool("squeue")) {
            return super::bad_input(format!("error: {e}"));
        }
    }
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs/sweep").join(&plan.name));
    match sweep::prepare(&dir, &plan) {
        Ok(()) => {}
        Err(FolderError::Refused(e)) => return super::bad_input(format!("error: {e}")),
        Err(FolderError::Io(e)) => return super::fail_run(e),
    }
    let points = plan
        .tasks
        .iter()
        .map(|t| t.point)
        .max()
        .map_or(0, |m| m + 1);
    eprintln!(
        "gca sweep `{}`: {} point(s), {} task(s), results in {}",
        plan.name,
        points,
        plan.tasks.len(),
        dir.display()
    );
    let mut job = None;
    if a.slurm {
        let opts = slurm::Options {
            partition: a.partition,
            account: a.account,
            time: a.time,
            extra: a.sbatch_arg,
        };
        match slurm::submit(&plan, &dir, &opts) {
            Err(e) => return super::fail_run(e),
            Ok(None) => eprintln!("  every task finished in an earlier run"),
            Ok(Some(sub)) => {
                eprintln!(
                    "  submitted Slurm job array {} ({} task(s), script {}); waiting",
                    sub.job_id,
                    sub.indices.len(),
                    sub.script.display()
                );
                let total = sub.indices.len();
                if let Err(e) = slurm::wait(&plan, &dir, &sub, |queued, done| {
                    eprintln!("  [{done}/{total} results] {queued} array task(s) in the queue")
                }) {
                    return super::fail_run(format!(
                        "{e}; the job may still run: `gca sweep collect {}` merges later",
                        dir.display()
                    ));
                }
                job = Some(sub.job_id);
            }
        }
    } else {
        let jobs = a.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
        let result = local::run(&plan, &dir, jobs, |done, total, id, outcome, secs| {
            let what = match outcome {
                local::Outcome::Skipped => "finished earlier, skipped".to_string(),
                local::Outcome::Done(r) if r.ok => format!("ok ({secs:.1} s)"),
                local::Outcome::Done(r) => {
                    let f = r.failure.as_ref().expect("a failed result names its stage");
                    format!(
                        "FAILED in stage {} (exit {}), log {}",
                        f.stage,
                        f.exit_code.map_or("signal".to_string(), |c| c.to_string()),
                        f.log
                    )
                }
                local::Outcome::Lost(log) => format!("FAILED without a result, see {log}"),
            };
            eprintln!("  [{done}/{total}] {id} {what}");
        });
        if let Err(e) = result {
            return super::fail_run(e);
        }
    }
    finish(&plan, &dir, job.as_deref())
}

/// Merges the results, prints what failed, and gives the exit code.
fn finish(plan: &Plan, dir: &Path, job: Option<&str>) -> ExitCode {
    let reason = |i: usize, id: &str| match job {
        Some(j) => slurm::lost_reason(dir, j, i),
        None => format!(
            "no result: the task has not run, or its runner died (see {})",
            point::task_dir(dir, id).join("runner.log").display()
        ),
    };
    let merged = match collect::collect(plan, dir, reason) {
        Ok(m) => m,
        Err(e) => return super::fail_run(e),
    };
    let mut s = format!(
        "gca sweep `{}`: {} task(s) ok, {} failed, {} without a result\n  merged into {} and \
         summary.json, {} plot(s) in {}\n",
        plan.name,
        merged.ok.len(),
        merged.failed.len(),
        merged.missing.len(),
        dir.join("summary.csv").display(),
        merged.plots.len(),
        dir.join("plots").display()
    );
    for (id, r) in &merged.failed {
        if let Some(f) = &r.failure {
            s.push_str(&format!(
                "  FAILED {id}: stage {} exited with {}; log {}\n",
                f.stage,
                f.exit_code
                    .map_or("a signal".to_string(), |c| c.to_string()),
                f.log
            ));
            for l in &f.tail {
                s.push_str(&format!("    | {l}\n"));
            }
        }
    }
    for id in &merged.missing {
        let i = plan.tasks.iter().position(|t| &t.id == id).unwrap_or(0);
        s.push_str(&format!("  MISSING {id}: {}\n", reason(i, id)));
    }
    super::print_out(&s);
    if merged.failed.is_empty() && merged.missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn collect_cmd(dir: &Path) -> ExitCode {
    let plan = match sweep::read_plan(dir) {
        Ok(p) => p,
        Err(e) => return super::bad_input(format!("error: {e}")),
    };
    let job = last_job(dir);
    finish(&plan, dir, job.as_deref())
}

/// The id of the last Slurm array submitted for a folder (slurm/job-<id>.json), if any.
fn last_job(dir: &Path) -> Option<String> {
    std::fs::read_dir(dir.join("slurm"))
        .ok()?
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let id = name
                .strip_prefix("job-")?
                .strip_suffix(".json")?
                .to_string();
            id.parse::<u64>().ok().map(|n| (n, id))
        })
        .max()
        .map(|(_, id)| id)
}

fn point_cmd(dir: &Path, which: &str) -> ExitCode {
    let plan = match sweep::read_plan(dir) {
        Ok(p) => p,
        Err(e) => return super::bad_input(format!("error: {e}")),
    };
    let Some(task) = sweep::find_task(&plan, which) else {
        return super::bad_input(format!(
            "error: {} has no task `{which}` ({} tasks)",
            dir.display(),
            plan.tasks.len()
        ));
    };
    match point::run(&plan, dir, task) {
        Ok(r) if r.ok => ExitCode::SUCCESS,
        Ok(r) => {
            let f = r.failure.expect("a failed result names its stage");
            super::fail_run(format!(
                "{}: stage {} failed, log {}",
                task.id, f.stage, f.log
            ))
        }
        Err(e) => super::fail_run(e),
    }
}
