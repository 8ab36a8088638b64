//! Writing a generated folder. The whole file set is first written into a staging folder next
//! to the target (same file system), then swapped in with two renames, so a failure (read-only
//! folder, full disk) leaves the previous output as it was and names the path that failed. A
//! folder that holds files the generator did not write (not listed in its manifest) is left
//! alone unless `force` is given; then those files are kept and the generated ones replaced.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::manifest::{Manifest, MANIFEST};
use super::Files;

/// What a write did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub files: usize,
    /// Files of an earlier generation that the new one no longer has (removed).
    pub removed: Vec<String>,
    /// Files the generator did not write, kept in place (`force`).
    pub kept: Vec<String>,
}

/// Every file under `dir`, as '/'-separated relative paths, sorted.
fn list(dir: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let here = dir.join(&rel);
        let entries =
            fs::read_dir(&here).map_err(|e| format!("cannot read {}: {e}", here.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", here.display()))?;
            let path = rel.join(entry.file_name());
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(path);
            } else {
                out.push(path.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Files in `dir` that are not the generator's: not in its manifest (all of them when there
/// is no readable manifest).
pub fn foreign_files(dir: &Path) -> Result<Vec<String>, String> {
    if !dir.exists() {
        return Ok(vec![]);
    }
    let all = list(dir)?;
    let manifest = fs::read_to_string(dir.join(MANIFEST))
        .ok()
        .and_then(|t| Manifest::parse(&t));
    Ok(all
        .into_iter()
        .filter(|f| match &manifest {
            Some(m) => f != MANIFEST && !m.files.contains_key(f),
            None => true,
        })
        .collect())
}

fn write_file(path: &Path, text: &[u8]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut f = fs::File::create(path).map_err(fail)?;
    f.write_all(text).map_err(fail)?;
    f.sync_all().map_err(fail)
}

fn sibling(dir: &Path, tag: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    dir.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Writes `files` as the folder `dir` (see the module documentation).
pub fn write_folder(dir: &Path, files: &Files, force: bool) -> Result<Written, String> {
    let foreign = foreign_files(dir)?;
    if !foreign.is_empty() && !force {
        let shown: Vec<&str> = foreign.iter().take(5).map(String::as_str).collect();
        let more = if foreign.len() > 5 {
            format!(" and {} more", foreign.len() - 5)
        } else {
            String::new()
        };
        return Err(format!(
            "{} holds files gca did not generate ({}{more}); nothing was written.\n  \
             help: choose another folder with -o, or pass --force to replace the generated files \
             and keep the others",
            dir.display(),
            shown.join(", ")
        ));
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let staging = sibling(dir, "new");
    let _ = fs::remove_dir_all(&staging);
    let staged = (|| {
        fs::create_dir(&staging)
            .map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
        for (rel, text) in &files.0 {
            write_file(&staging.join(rel), text.as_bytes())?;
        }
        for (rel, bytes) in &files.1 {
            write_file(&staging.join(rel), bytes)?;
        }
        Ok::<(), String>(())
    })();
    if let Err(e) = staged {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let mut written = Written {
        files: files.0.len() + files.1.len(),
        ..Written::default()
    };
    if dir.exists() {
        let old = sibling(dir, "old");
        let _ = fs::remove_dir_all(&old);
        // Files to carry over into the new folder (force only) and generated files to drop.
        for f in list(dir)? {
            if foreign.contains(&f) {
                let (from, to) = (dir.join(&f), staging.join(&f));
                if let Some(p) = to.parent() {
                    fs::create_dir_all(p)
                        .map_err(|e| format!("cannot create {}: {e}", p.display()))?;
                }
                fs::copy(&from, &to).map_err(|e| {
                    let _ = fs::remove_dir_all(&staging);
                    format!("cannot copy {} into the new folder: {e}", from.display())
                })?;
                written.kept.push(f);
            } else if !files.contains(&f) {
                written.removed.push(f);
            }
        }
        fs::rename(dir, &old).map_err(|e| {
            let _ = fs::remove_dir_all(&staging);
            format!("cannot replace {}: {e}", dir.display())
        })?;
        if let Err(e) = fs::rename(&staging, dir) {
            let _ = fs::rename(&old, dir);
            let _ = fs::remove_dir_all(&staging);
            return Err(format!("cannot replace {}: {e}", dir.display()));
        }
        let _ = fs::remove_dir_all(&old);
    } else if let Err(e) = fs::rename(&staging, dir) {
        let _ = fs::remove_dir_all(&staging);
        return Err(format!("cannot create {}: {e}", dir.display()));
    }
    Ok(written)
}
