//! Writing a generated folder. The whole file set is first written into a staging folder next
//! to the target (same file system), then swapped in with two renames, so a failure (read-only
//! folder, full disk) leaves the previous output as it was and names the path that failed. A
//! folder that holds files the generator did not write (not listed in its manifest) is left
//! alone unless `force` is given; then those files are kept and the generated ones replaced.
//!
//! [`write_shared`] writes a folder that concurrent processes may read while another writes:
//! named by its contents, published with one rename and never replaced (`gca sim` and
//! `gca mutate` generate into the cache this way, so that test processes running the same
//! design at once never see a folder swapped under them).

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

/// Writes every file into the new folder `staging` (replacing a leftover of this process); on
/// failure removes it.
fn stage(staging: &Path, files: &Files) -> Result<(), String> {
    let _ = fs::remove_dir_all(staging);
    let staged = (|| {
        fs::create_dir(staging).map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
        for (rel, text) in &files.0 {
            write_file(&staging.join(rel), text.as_bytes())?;
        }
        for (rel, bytes) in &files.1 {
            write_file(&staging.join(rel), bytes)?;
        }
        Ok::<(), String>(())
    })();
    if staged.is_err() {
        let _ = fs::remove_dir_all(staging);
    }
    staged
}

fn sibling(dir: &Path, tag: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    // The process and a count: unique among processes and among the threads of one.
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.with_file_name(format!(".{name}.{tag}-{}-{n}", std::process::id()))
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
    stage(&staging, files)?;
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

/// Writes `files` as the folder `parent/<key>`, where the key is 16 hexadecimal digits of the
/// SHA-256 over every path and contents, and returns its path. A folder of that name with every
/// file present at its size is taken as it is: nothing is ever rewritten, so a process using it
/// (a simulator run with it as working folder) never sees it change. A new folder is written
/// under a name of this process and published with one rename; when another process
/// published the same key first, this copy is dropped and that one used. A damaged folder of
/// the key (a file missing or of another size) is left to whoever uses it, and this process
/// writes and uses a copy of its own, `<key>-<pid>`.
pub fn write_shared(parent: &Path, files: &Files) -> Result<PathBuf, String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (rel, bytes) in files
        .0
        .iter()
        .map(|(r, t)| (r, t.as_bytes()))
        .chain(files.1.iter().map(|(r, b)| (r, &b[..])))
    {
        for part in [rel.as_bytes(), bytes] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
    }
    let key = format!("{:x}", h.finalize());
    let mut dir = parent.join(&key[..16]);
    let whole = |dir: &Path| {
        files
            .0
            .iter()
            .map(|(r, t)| (r, t.len()))
            .chain(files.1.iter().map(|(r, b)| (r, b.len())))
            .all(|(rel, len)| fs::metadata(dir.join(rel)).is_ok_and(|m| m.len() == len as u64))
    };
    if dir.exists() {
        if whole(&dir) {
            return Ok(dir);
        }
        dir = parent.join(format!("{}-{}", &key[..16], std::process::id()));
        let _ = fs::remove_dir_all(&dir);
    }
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let staging = sibling(&dir, "new");
    stage(&staging, files)?;
    // A rename onto a folder that is not empty fails: the first process to publish wins.
    match fs::rename(&staging, &dir) {
        Ok(()) => Ok(dir),
        Err(_) if whole(&dir) => {
            let _ = fs::remove_dir_all(&staging);
            Ok(dir)
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            Err(format!("cannot create {}: {e}", dir.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(text: &str) -> Files {
        let mut f = Files::default();
        f.0.insert(MANIFEST.to_string(), "{}".to_string());
        f.0.insert("rtl/a.v".to_string(), text.to_string());
        f.1.insert("b.gds".to_string(), vec![0, 1, 2]);
        f
    }

    #[test]
    fn a_shared_folder_is_named_by_its_contents_and_never_rewritten() {
        let root = std::env::temp_dir().join(format!("gca-write-shared-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        // Eight writers at once: one folder, all files there, no staging folder left over.
        let dirs: Vec<PathBuf> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| write_shared(&root, &files("module a; endmodule\n"))))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap().unwrap())
                .collect()
        });
        assert!(dirs.iter().all(|d| d == &dirs[0]), "{dirs:?}");
        assert_eq!(
            list(&dirs[0]).unwrap(),
            ["b.gds", "manifest.json", "rtl/a.v"]
        );
        assert_eq!(list(&root).unwrap().len(), 3, "only the published folder");
        // The same contents again: the folder is taken as it is (an edit of the same size in
        // it stays).
        fs::write(dirs[0].join("rtl/a.v"), "module e; endmodule\n").unwrap();
        assert_eq!(
            write_shared(&root, &files("module a; endmodule\n")).unwrap(),
            dirs[0]
        );
        assert_eq!(
            fs::read_to_string(dirs[0].join("rtl/a.v")).unwrap(),
            "module e; endmodule\n"
        );
        // A damaged folder (a file deleted) is left alone; this process gets its own copy.
        fs::remove_file(dirs[0].join("b.gds")).unwrap();
        let own = write_shared(&root, &files("module a; endmodule\n")).unwrap();
        assert_eq!(
            own,
            root.join(format!(
                "{}-{}",
                dirs[0].file_name().unwrap().to_str().unwrap(),
                std::process::id()
            ))
        );
        assert_eq!(list(&own).unwrap(), ["b.gds", "manifest.json", "rtl/a.v"]);
        assert!(!dirs[0].join("b.gds").exists());
        // Other contents: another folder.
        let other = write_shared(&root, &files("module b; endmodule\n")).unwrap();
        assert_ne!(other, dirs[0]);
        assert_eq!(
            fs::read_to_string(other.join("rtl/a.v")).unwrap(),
            "module b; endmodule\n"
        );
        let _ = fs::remove_dir_all(&root);
    }
}
