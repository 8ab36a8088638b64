//! Building the shared library of a generated design: Verilator's C++ of `gca_top`, the shim
//! ([`super::shim`]) and the Verilator runtime, linked into one `.so` in a cache folder.
//!
//! # Cache
//! The library's name carries a key: SHA-256 over the build recipe (the flags below), the
//! installed Verilator's version and root, g++'s version, the shim's text, the waveform
//! switch, and the name and contents of every file `sim.f` lists plus the cell table. A
//! hand-edited RTL file therefore gets a new key and a new build; an unchanged folder (in any
//! place) reuses the library. The cell table is copied next to the library under the same key,
//! and that copy's absolute path is compiled in (`GCA_SUBTILE_GTAB`), so a cached library keeps
//! working after the generated folder is deleted. The Verilator runtime (`verilated.cpp` and
//! friends, about 15 s of g++) is compiled once per Verilator and g++ version into
//! `verilated-<key>.a` in the same folder. Everything is written under a temporary name and
//! renamed into place, so concurrent builds of one key (test processes) are safe; nothing is
//! ever deleted from the cache folder but the temporary build folders.
//!
//! # Recipe
//! 1. `verilator --cc --top-module gca_top -f sim.f` run in the generated folder, with
//!    `--x-assign fast --x-initial unique` (with Verilator's default `randReset` 0 the
//!    registers start at 0 until the reset sets them) and `--trace` for a waveform build. The
//!    lint warnings Verilator enables by default stay fatal: the RTL and the behavioral model
//!    build without any waiver flag (the model has no timing constructs).
//! 2. The trigger list Verilator wrote is checked ([`edge_triggered_only`]): when every process
//!    runs on posedge clk or a reset, the shim skips the low-phase eval ([`super::shim`]).
//! 3. g++ compiles Verilator's C++ without Verilator's makefile, in a few translation units
//!    that each include several generated files (as Verilator's `__ALL.cpp` does: the ~1 s of
//!    header parsing per file is paid once per unit): the hot code in one unit per job,
//!    balanced by size, at `-O1`, the once-only code (constructors, initial blocks, settling)
//!    in one more at `-O0`. The shim and, when not cached, the runtime compile at the same
//!    time. `-O1` measured on gpt2-head (2 cores, g++ 12, the same Verilator output, the model
//!    alone, with the earlier behavioral macro whose per-cycle loops ran row by row; not
//!    re-measured since the macro changed): builds
//!    in 24 s and runs 2,350 tokens/s; `-O2` 60 s and 2,050 tokens/s (one generated function,
//!    the window's unrolled column logic, takes 50 s at `-O2` and 5 s at `-O1`); `-Os`
//!    (Verilator's default) 98 s and 1,500 tokens/s; `-march=native` adds 2-3%, not worth a
//!    machine-specific cache. Re-checked with the pipelined RTL (docs/flow.md): `-O2` ran
//!    1,420 to 1,540 tokens/s against 1,974 to 2,067 at `-O1`.
//! 4. `g++ -shared -Wl,--no-undefined` links the shim, the model units and the runtime archive.
//!
//! A coverage build ([`BuildOptions::coverage`], `gca sim --coverage`) adds
//! [`COVERAGE_FLAGS`] to Verilator, `-DVM_COVERAGE=1` to the model and the shim, and links a
//! runtime archive of its own that includes `verilated_cov.cpp`; a quick build
//! ([`BuildOptions::quick`], `gca mutate`) compiles the model's hot code at `-O0`. Both are
//! separate cached libraries (the options are part of the key).
//!
//! Every command is reported through the `progress` callback before it runs. A missing tool
//! gives one message naming its Debian package (`verilator`, `g++`, `binutils` for `ar`); a
//! failing command's error carries its own output lines.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::config::Params;

use super::shim;

/// How to build.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Build with Verilator's `--trace` so that [`super::Model::open_waves`] can write a VCD.
    pub waves: bool,
    /// Translation units the model's hot code is split into (compiled in parallel, with the
    /// once-only code, the shim and the runtime alongside); 0: the machine's parallelism.
    pub jobs: usize,
    /// Build with Verilator's line and toggle coverage ([`COVERAGE_FLAGS`]) so that
    /// [`super::Model::write_coverage`] can write a `coverage.dat` (a separate cached library,
    /// with its own runtime archive that includes `verilated_cov.cpp`).
    pub coverage: bool,
    /// Compile the model's hot code at `-O0` instead of [`MODEL_OPT_FAST`]: faster builds of
    /// a slower model, for many short runs (`gca mutate` builds one library per mutant).
    pub quick: bool,
}

/// What [`build()`] found or produced.
#[derive(Clone, Debug)]
pub struct BuildInfo {
    /// The cache key (64 hexadecimal digits).
    pub key: String,
    /// The shared library.
    pub library: PathBuf,
    /// The copy of the cell table the library reads.
    pub cell_table: PathBuf,
    /// The library was found in the cache.
    pub cached: bool,
    /// Built with `--trace`.
    pub waves: bool,
    /// Built with [`COVERAGE_FLAGS`].
    pub coverage: bool,
    /// Seconds spent in `build`, cache look-up included.
    pub seconds: f64,
    /// `verilator --version`.
    pub verilator: String,
}

/// Bumped whenever the recipe changes in a way the flags below do not show.
const RECIPE_VERSION: &str = "gca-verilator-recipe-4";

/// Verilator's options besides files, top and defines.
const VERILATOR_FLAGS: &[&str] = &["--cc", "--x-assign", "fast", "--x-initial", "unique"];

/// Verilator's options of a coverage build (`gca sim --coverage`): line (blocks and branch
/// arms) and toggle coverage of every signal.
pub const COVERAGE_FLAGS: &[&str] = &["--coverage-line", "--coverage-toggle"];

/// Flags of every C++ compilation besides the optimisation: Verilator's own (C++17, aligned
/// new, no control-flow protection), position-independent code for the shared library, and
/// hidden symbols (only the shim's `gca_*` functions are exported, so that two libraries
/// loaded into one process cannot bind each other's Verilator runtime).
const CXX_FLAGS: &[&str] = &[
    "-std=gnu++17",
    "-faligned-new",
    "-fcf-protection=none",
    "-fPIC",
    "-fvisibility=hidden",
    "-fvisibility-inlines-hidden",
];

/// Optimisation of the model's hot code and of its once-only code (initialisation, settling);
/// measurements in the module documentation. `-O2` or `-O3` on the behavioral macro's file
/// alone changed nothing measurable (with the earlier macro, as above).
const MODEL_OPT_FAST: &str = "-O1";
const MODEL_OPT_SLOW: &str = "-O0";

/// The warnings Verilator's makefile silences in generated code.
const MODEL_WARNINGS: &[&str] = &[
    "-Wno-bool-operation",
    "-Wno-sign-compare",
    "-Wno-uninitialized",
    "-Wno-unused-but-set-variable",
    "-Wno-unused-parameter",
    "-Wno-unused-variable",
    "-Wno-shadow",
];

/// Runtime sources of Verilator's include folder, and the defines that route its fatal errors
/// and `$finish` into the shim.
const RUNTIME_SOURCES: &[&str] = &[
    "verilated.cpp",
    "verilated_threads.cpp",
    "verilated_vcd_c.cpp",
];
const RUNTIME_DEFINES: &[&str] = &[
    "-DVL_USER_FATAL",
    "-DVL_USER_FINISH",
    "-DVL_USER_STOP",
    "-DVM_SC=0",
    "-DVM_TRACE_FST=0",
];
/// The coverage runtime's extra source (the point registry and `coverage.dat` writer).
const RUNTIME_COVERAGE_SOURCE: &str = "verilated_cov.cpp";

/// The runtime's sources and `VM_COVERAGE` define, with or without coverage.
fn runtime_recipe(coverage: bool) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut sources = RUNTIME_SOURCES.to_vec();
    let mut defines = RUNTIME_DEFINES.to_vec();
    if coverage {
        sources.push(RUNTIME_COVERAGE_SOURCE);
        defines.push("-DVM_COVERAGE=1");
    } else {
        defines.push("-DVM_COVERAGE=0");
    }
    (sources, defines)
}

/// Builds in one process run one at a time (they use every core anyway), so that two threads
/// asking for one key build it once.
static BUILD_LOCK: Mutex<()> = Mutex::new(());

fn tool_error(name: &str, e: &std::io::Error) -> String {
    let package = match name {
        "verilator" => "verilator",
        "ar" => "binutils",
        _ => "g++",
    };
    if e.kind() == std::io::ErrorKind::NotFound {
        format!("`{name}` is not installed: install the Debian package `{package}` (apt-get install {package})")
    } else {
        format!("cannot run `{name}` ({e}): install the Debian package `{package}`")
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<Output, String> {
    let name = cmd.get_program().to_string_lossy().to_string();
    let out = cmd.output().map_err(|e| tool_error(&name, &e))?;
    if !out.status.success() {
        return Err(failure(what, &out));
    }
    Ok(out)
}

/// A failed command's message: its own lines (stderr, then stdout), at most 60 of them.
fn failure(what: &str, out: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let shown = lines
        .iter()
        .take(60)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    let more = if lines.len() > 60 {
        format!("\n... ({} more lines)", lines.len() - 60)
    } else {
        String::new()
    };
    format!("{what} failed ({}):\n{shown}{more}", out.status)
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().to_string();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.contains(' ') || a.contains('"') || a.is_empty() {
            s += &format!(" '{a}'");
        } else {
            s += &format!(" {a}");
        }
    }
    s
}

fn first_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The installed tools: versions and Verilator's root.
struct Tools {
    verilator: String,
    root: PathBuf,
    gxx: String,
}

fn tools() -> Result<Tools, String> {
    // The three queries at once (Verilator's is a Perl script: about 0.1 s each).
    let mut queries = Vec::new();
    for (prog, args) in [
        ("verilator", &["--version"][..]),
        ("verilator", &["--getenv", "VERILATOR_ROOT"][..]),
        ("g++", &["--version"][..]),
    ] {
        let child = Command::new(prog)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| tool_error(prog, &e))?;
        queries.push((child, format!("{prog} {}", args.join(" "))));
    }
    let mut outs = Vec::new();
    for (child, what) in queries {
        let out = child
            .wait_with_output()
            .map_err(|e| format!("{what}: {e}"))?;
        if !out.status.success() {
            return Err(failure(&what, &out));
        }
        outs.push(out);
    }
    let (v, r, g) = (&outs[0], &outs[1], &outs[2]);
    Ok(Tools {
        verilator: first_line(v),
        root: PathBuf::from(first_line(r)),
        gxx: first_line(g),
    })
}

/// The files `sim.f` lists, relative to the folder.
pub fn sim_files(rtl_dir: &Path) -> Result<Vec<String>, String> {
    let f = rtl_dir.join("sim.f");
    let text =
        std::fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with('#'))
        .map(String::from)
        .collect())
}

fn hash_part(h: &mut Sha256, label: &str, bytes: &[u8]) {
    h.update((label.len() as u64).to_le_bytes());
    h.update(label.as_bytes());
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Writes `bytes` to `path` through a temporary sibling and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = temp_sibling(path);
    let io = |e: std::io::Error| format!("cannot write {}: {e}", tmp.display());
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot rename into {}: {e}", path.display())
    })
}

fn temp_sibling(path: &Path) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}-{nanos}", std::process::id()))
}

fn jobs(o: &BuildOptions) -> usize {
    if o.jobs > 0 {
        o.jobs
    } else {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    }
}

/// Finds the library of `p`'s design in `rtl_dir` in `cache_dir`, or builds it (see the module
/// documentation); `progress` receives one line per step and command. [`super::Model::build`]
/// calls it and then creates an instance; [`super::Model::open`] creates more.
pub fn build(
    p: &Params,
    rtl_dir: &Path,
    cache_dir: &Path,
    opts: &BuildOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<BuildInfo, String> {
    let start = Instant::now();
    let t = tools()?;
    let shim_text = shim::source(p);
    let mut files = sim_files(rtl_dir)?;
    if files.is_empty() {
        return Err(format!(
            "{} lists no files",
            rtl_dir.join("sim.f").display()
        ));
    }
    files.extend(crate::checkers::files_in(rtl_dir)?.map(String::from));
    let gtab_src = rtl_dir.join("models").join(crate::macros::GTAB_FILE);
    let gtab = read(&gtab_src)?;

    let mut h = Sha256::new();
    hash_part(&mut h, "recipe", RECIPE_VERSION.as_bytes());
    for (label, list) in [
        ("verilator-flags", VERILATOR_FLAGS),
        ("cxx-flags", CXX_FLAGS),
        ("model-opt", &[MODEL_OPT_FAST, MODEL_OPT_SLOW]),
        ("model-warnings", MODEL_WARNINGS),
        ("runtime", RUNTIME_DEFINES),
    ] {
        hash_part(&mut h, label, list.join(" ").as_bytes());
    }
    hash_part(&mut h, "waves", &[u8::from(opts.waves)]);
    if opts.quick {
        hash_part(&mut h, "quick", MODEL_OPT_SLOW.as_bytes());
    }
    if opts.coverage {
        hash_part(&mut h, "coverage", COVERAGE_FLAGS.join(" ").as_bytes());
    }
    hash_part(&mut h, "verilator", t.verilator.as_bytes());
    hash_part(&mut h, "root", t.root.to_string_lossy().as_bytes());
    hash_part(&mut h, "g++", t.gxx.as_bytes());
    hash_part(&mut h, "shim", shim_text.as_bytes());
    for f in &files {
        hash_part(&mut h, f, &read(&rtl_dir.join(f))?);
    }
    hash_part(&mut h, "gtab", &gtab);
    let key = format!("{:x}", h.finalize());

    std::fs::create_dir_all(cache_dir)
        .map_err(|e| format!("cannot create {}: {e}", cache_dir.display()))?;
    let cache_dir = cache_dir
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", cache_dir.display()))?;
    let stem = format!("gca_top-{}", &key[..24]);
    let library = cache_dir.join(format!("{stem}.so"));
    let cell_table = cache_dir.join(format!("{stem}.gtab.hex"));
    let mut info = BuildInfo {
        key: key.clone(),
        library: library.clone(),
        cell_table: cell_table.clone(),
        cached: true,
        waves: opts.waves,
        coverage: opts.coverage,
        seconds: 0.0,
        verilator: t.verilator.clone(),
    };

    let _lock = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // The copy of the cell table: the same contents for the same key, so rewriting it is
    // harmless (and repairs a deleted one).
    if read(&cell_table).ok().as_deref() != Some(&gtab[..]) {
        write_atomic(&cell_table, &gtab)?;
    }
    if library.exists() {
        progress(&format!(
            "verilator: reusing {} (key {})",
            library.display(),
            &key[..16]
        ));
        info.seconds = start.elapsed().as_secs_f64();
        return Ok(info);
    }
    info.cached = false;
    progress(&format!(
        "verilator: building `{}` ({}) into {}",
        p.name,
        t.verilator,
        library.display()
    ));

    let work = temp_sibling(&cache_dir.join(format!("build-{}", &key[..16])));
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let result = build_in(
        rtl_dir,
        &cache_dir,
        &work,
        &t,
        &shim_text,
        &cell_table,
        opts,
        &library,
        progress,
    );
    match result {
        Ok(()) => {
            let _ = std::fs::remove_dir_all(&work);
            info.seconds = start.elapsed().as_secs_f64();
            progress(&format!(
                "verilator: built {} in {:.1} s",
                library.display(),
                info.seconds
            ));
            Ok(info)
        }
        Err(e) => Err(format!("{e}\n(build folder kept: {})", work.display())),
    }
}

/// The runtime archive of the installed tools (compiled once per Verilator and g++ version,
/// with and without coverage).
fn runtime_archive(cache_dir: &Path, t: &Tools, coverage: bool) -> PathBuf {
    let (sources, defines) = runtime_recipe(coverage);
    let mut h = Sha256::new();
    hash_part(&mut h, "recipe", RECIPE_VERSION.as_bytes());
    hash_part(&mut h, "verilator", t.verilator.as_bytes());
    hash_part(&mut h, "root", t.root.to_string_lossy().as_bytes());
    hash_part(&mut h, "g++", t.gxx.as_bytes());
    hash_part(&mut h, "flags", CXX_FLAGS.join(" ").as_bytes());
    hash_part(&mut h, "defines", defines.join(" ").as_bytes());
    hash_part(&mut h, "sources", sources.join(" ").as_bytes());
    let key = format!("{:x}", h.finalize());
    cache_dir.join(format!("verilated-{}.a", &key[..24]))
}

fn include_args(t: &Tools) -> Vec<String> {
    let inc = t.root.join("include");
    vec![
        format!("-I{}", inc.display()),
        format!("-I{}", inc.join("vltstd").display()),
    ]
}

fn cxx(t: &Tools, opt: &str) -> Command {
    let mut c = Command::new("g++");
    c.arg(opt).args(CXX_FLAGS).args(include_args(t));
    c
}

fn wait(children: Vec<(Child, String)>) -> Result<(), String> {
    let mut first_err = None;
    for (child, what) in children {
        match child.wait_with_output() {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                first_err.get_or_insert_with(|| failure(&what, &out));
            }
            Err(e) => {
                first_err.get_or_insert_with(|| format!("{what}: {e}"));
            }
        }
    }
    first_err.map_or(Ok(()), Err)
}

fn spawn(
    cmd: &mut Command,
    what: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<(Child, String), String> {
    progress(&format!("  $ {}", show(cmd)));
    let name = cmd.get_program().to_string_lossy().to_string();
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| tool_error(&name, &e))?;
    Ok((child, what.to_string()))
}

/// The generated C++ files of the model, from Verilator's `V<top>_classes.mk`: (hot code,
/// once-only code), names without `.cpp`.
fn model_sources(obj: &Path) -> Result<(Vec<String>, Vec<String>), String> {
    let mk = obj.join("Vgca_top_classes.mk");
    let text =
        std::fs::read_to_string(&mk).map_err(|e| format!("cannot read {}: {e}", mk.display()))?;
    let (mut fast, mut slow) = (Vec::new(), Vec::new());
    let mut list: Option<bool> = None;
    for line in text.lines() {
        let l = line.trim();
        if let Some(var) = l.strip_suffix("+= \\") {
            list = match var.trim() {
                "VM_CLASSES_FAST" | "VM_SUPPORT_FAST" => Some(true),
                "VM_CLASSES_SLOW" | "VM_SUPPORT_SLOW" => Some(false),
                _ => None,
            };
            continue;
        }
        if l.is_empty() {
            list = None;
            continue;
        }
        if let Some(is_fast) = list {
            let name = l.trim_end_matches('\\').trim().to_string();
            if !name.is_empty() {
                if is_fast { &mut fast } else { &mut slow }.push(name);
            }
        }
    }
    if fast.is_empty() {
        return Err(format!("{} lists no model files", mk.display()));
    }
    Ok((fast, slow))
}

/// Splits files into `n` groups of about equal size (largest first, each into the lightest
/// group).
fn balance(obj: &Path, names: &[String], n: usize) -> Vec<Vec<String>> {
    let mut sized: Vec<(u64, &String)> = names
        .iter()
        .map(|f| {
            let len = std::fs::metadata(obj.join(format!("{f}.cpp"))).map_or(0, |m| m.len());
            (len, f)
        })
        .collect();
    sized.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut groups: Vec<(u64, Vec<String>)> = vec![(0, Vec::new()); n.max(1)];
    for (len, f) in sized {
        let g = groups
            .iter_mut()
            .min_by_key(|g| g.0)
            .expect("at least one group");
        g.0 += len;
        g.1.push(f.clone());
    }
    groups
        .into_iter()
        .map(|g| g.1)
        .filter(|g| !g.is_empty())
        .collect()
}

/// Whether every process of the Verilated design is triggered by the rising edge of `clk` or
/// the falling edge of a reset (`..rst..`), from the trigger list Verilator writes into its
/// debug code ("'act' region trigger index N is active: @(posedge clk or negedge rst_n)").
/// Then the shim may skip the low-phase eval ([`super::shim`]). No list found: false.
pub fn edge_triggered_only(obj: &Path) -> bool {
    let Ok(dir) = std::fs::read_dir(obj) else {
        return false;
    };
    let mut found = 0;
    for entry in dir.flatten() {
        let path = entry.path();
        if path.extension() != Some(std::ffi::OsStr::new("cpp")) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            return false;
        };
        for line in text
            .lines()
            .filter(|l| l.contains("'act' region trigger index"))
        {
            let Some(terms) = line
                .split_once("is active: @(")
                .and_then(|(_, rest)| rest.split_once(")\\n"))
                .map(|(terms, _)| terms)
            else {
                return false;
            };
            for term in terms.split(" or ") {
                let ok = match term.trim().split_once(' ') {
                    Some(("posedge", "clk")) => true,
                    Some(("negedge", sig)) => {
                        sig != "clk" && sig.rsplit('.').next().is_some_and(|n| n.contains("rst"))
                    }
                    _ => false,
                };
                if !ok {
                    return false;
                }
            }
            found += 1;
        }
    }
    found > 0
}

#[allow(clippy::too_many_arguments)]
fn build_in(
    rtl_dir: &Path,
    cache_dir: &Path,
    work: &Path,
    t: &Tools,
    shim_text: &str,
    cell_table: &Path,
    opts: &BuildOptions,
    library: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<(), String> {
    let obj = work.join("obj");
    let waves = u8::from(opts.waves);
    let coverage = u8::from(opts.coverage);
    let model_defines = [
        format!("-DVM_TRACE={waves}"),
        format!("-DVM_TRACE_VCD={waves}"),
        "-DVM_TRACE_FST=0".to_string(),
        format!("-DVM_COVERAGE={coverage}"),
        "-DVM_SC=0".to_string(),
    ];
    let (runtime_sources, runtime_defines) = runtime_recipe(opts.coverage);

    // The runtime, in the background, unless cached.
    let archive = runtime_archive(cache_dir, t, opts.coverage);
    let mut jobs_running = Vec::new();
    let rt_dir = work.join("runtime");
    if !archive.exists() {
        std::fs::create_dir_all(&rt_dir)
            .map_err(|e| format!("cannot create {}: {e}", rt_dir.display()))?;
        progress("verilator: compiling the Verilator runtime (once per Verilator and g++ version)");
        for src in &runtime_sources {
            let o = rt_dir.join(src.replace(".cpp", ".o"));
            let mut c = cxx(t, "-O2");
            c.args(&runtime_defines)
                .args(["-DVM_TRACE=1", "-DVM_TRACE_VCD=1", "-c"])
                .arg(t.root.join("include").join(src))
                .arg("-o")
                .arg(&o);
            jobs_running.push(spawn(
                &mut c,
                &format!("g++ (Verilator runtime {src})"),
                progress,
            )?);
        }
    }

    // Verilator: C++ of the design.
    let mut v = Command::new("verilator");
    v.args(VERILATOR_FLAGS);
    if opts.waves {
        v.arg("--trace");
    }
    if opts.coverage {
        v.args(COVERAGE_FLAGS);
    }
    // The checked top under the classes of gca_top (`--prefix`): the shim is the same.
    v.args([
        "--top-module",
        crate::checkers::WRAPPER,
        "--prefix",
        "Vgca_top",
        "-Mdir",
    ])
    .arg(&obj)
    .arg(format!("-DGCA_SUBTILE_GTAB=\"{}\"", cell_table.display()))
    .args(["-f", "sim.f"])
    .args(crate::checkers::FILES)
    .current_dir(rtl_dir);
    progress(&format!("  $ (cd {}; {})", rtl_dir.display(), show(&v)));
    if let Err(e) = run(&mut v, "verilator") {
        let _ = wait(jobs_running);
        return Err(e);
    }

    // The shim, and the model in a few translation units: the hot code in one per job
    // (balanced by size) at MODEL_OPT_FAST, the once-only code in one more at MODEL_OPT_SLOW.
    let shim_cpp = work.join("gca_shim.cpp");
    std::fs::write(&shim_cpp, shim_text)
        .map_err(|e| format!("cannot write {}: {e}", shim_cpp.display()))?;
    let mut objects = vec![work.join("gca_shim.o")];
    let skip_low = edge_triggered_only(&obj);
    progress(&format!(
        "verilator: {}",
        if skip_low {
            "every process is triggered by posedge clk or a reset: a tick skips the low-phase eval"
        } else {
            "some process is not triggered by posedge clk or a reset: two evals per cycle"
        }
    ));
    let mut s = cxx(t, "-O2");
    s.arg(format!("-I{}", obj.display()))
        .args(&model_defines)
        .arg(format!("-DGCA_WAVES={waves}"))
        .arg(format!("-DGCA_COVERAGE={coverage}"))
        .arg(format!("-DGCA_SKIP_LOW_EVAL={}", u8::from(skip_low)))
        .arg("-c")
        .arg(&shim_cpp)
        .arg("-o")
        .arg(&objects[0]);
    jobs_running.push(spawn(&mut s, "g++ (shim)", progress)?);
    let (fast, slow) = model_sources(&obj)?;
    let mut units: Vec<(Vec<String>, &str)> = balance(&obj, &fast, jobs(opts))
        .into_iter()
        .map(|g| {
            (
                g,
                if opts.quick {
                    MODEL_OPT_SLOW
                } else {
                    MODEL_OPT_FAST
                },
            )
        })
        .collect();
    if !slow.is_empty() {
        units.push((slow, MODEL_OPT_SLOW));
    }
    for (i, (files, opt)) in units.iter().enumerate() {
        let unit = obj.join(format!("gca_unit_{i}.cpp"));
        let mut text = String::from("// Written by gca-testbench: one translation unit of the model.\n#define VL_INCLUDE_OPT include\n");
        for f in files {
            text += &format!("#include \"{f}.cpp\"\n");
        }
        std::fs::write(&unit, text).map_err(|e| format!("cannot write {}: {e}", unit.display()))?;
        let o = obj.join(format!("gca_unit_{i}.o"));
        let mut c = cxx(t, opt);
        c.arg(format!("-I{}", obj.display()))
            .args(MODEL_WARNINGS)
            .args(&model_defines)
            .arg("-c")
            .arg(&unit)
            .arg("-o")
            .arg(&o);
        jobs_running.push(spawn(&mut c, &format!("g++ (model unit {i})"), progress)?);
        objects.push(o);
    }
    wait(jobs_running)?;
    if !archive.exists() {
        let tmp = temp_sibling(&archive);
        let mut a = Command::new("ar");
        a.arg("rcs").arg(&tmp);
        for src in &runtime_sources {
            a.arg(rt_dir.join(src.replace(".cpp", ".o")));
        }
        progress(&format!("  $ {}", show(&a)));
        run(&mut a, "ar (Verilator runtime)")?;
        std::fs::rename(&tmp, &archive)
            .map_err(|e| format!("cannot rename into {}: {e}", archive.display()))?;
    }

    // Link.
    let tmp = temp_sibling(library);
    let mut l = Command::new("g++");
    l.args(["-shared", "-Wl,--no-undefined", "-o"])
        .arg(&tmp)
        .args(&objects)
        .arg(&archive)
        .args(["-pthread", "-latomic"]);
    progress(&format!("  $ {}", show(&l)));
    run(&mut l, "g++ (link)")?;
    std::fs::rename(&tmp, library)
        .map_err(|e| format!("cannot rename into {}: {e}", library.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triggers(lines: &[&str]) -> bool {
        let dir = std::env::temp_dir().join(format!(
            "gca-vl-triggers-{}-{}",
            std::process::id(),
            lines.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let text: String = lines
            .iter()
            .map(|l| {
                format!(
                    "        VL_DBG_MSGF(\"         'act' region trigger index 0 is active: {l}\\n\");\n"
                )
            })
            .collect();
        std::fs::write(dir.join("V__Slow.cpp"), text).unwrap();
        let r = edge_triggered_only(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        r
    }

    #[test]
    fn trigger_list() {
        assert!(triggers(&[
            "@(posedge clk or negedge rst_n)",
            "@(posedge clk or negedge gca_top.core_rst_n)",
            "@(posedge clk)",
        ]));
        assert!(!triggers(&["@(posedge clk)", "@(negedge clk)"]));
        assert!(!triggers(&["@(posedge gca_top.gclk)"]));
        assert!(!triggers(&["@( clk)"]));
        assert!(!triggers(&[]));
    }

    #[test]
    fn missing_tool_names_the_package() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(
            tool_error("verilator", &e),
            "`verilator` is not installed: install the Debian package `verilator` (apt-get install verilator)"
        );
        assert!(tool_error("g++", &e).contains("package `g++`"));
    }
}
