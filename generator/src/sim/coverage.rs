//! Code coverage of `gca sim --coverage DIR`: Verilator's line and toggle points of a run
//! (`coverage.dat`, written by the shim), turned into figures per module and in total, an
//! lcov file and annotated sources by `verilator_coverage`, and HTML by `genhtml` when
//! Debian's `lcov` is installed.
//!
//! # Figures
//! Each generated module is one file under `rtl/`; its figures merge the points of all its
//! instances (a point counts as covered when any instance hit it), as `verilator_coverage`'s
//! annotation does. Line coverage counts Verilator's `v_line` points (every block of
//! statements) and `v_branch` points (each arm of an `if` or `case`); toggle coverage counts
//! `v_toggle` points, one per bit of every signal, hit when the bit changed in both
//! directions... as Verilator counts it: a bit's point is hit when it toggled at least once.
//! The behavioral model of the analog macro (`models/`) is not digital RTL: it is reported on
//! its own line and left out of the total. Toggle points excluded from the figures are those
//! of [`EXCLUSIONS`], each with its reason (docs/verification.md lists them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::hdl::known::Known;

/// Verilator's points of the run, in DIR.
pub const DAT_FILE: &str = "coverage.dat";
/// The lcov file, in DIR.
pub const INFO_FILE: &str = "coverage.info";
/// The annotated sources, a folder in DIR.
pub const ANNOTATED_DIR: &str = "annotated";
/// genhtml's report, a folder in DIR.
pub const HTML_DIR: &str = "html";
/// The figures as JSON, in DIR.
pub const JSON_FILE: &str = "coverage.json";

/// Toggle points left out of the figures: (module, signal name as Verilator writes it, the
/// reason). A signal name matches the point's signal with its bit select removed.
pub const EXCLUSIONS: &[(&str, &str, &str)] = &[
    (
        "gca_layer",
        "layer_index",
        "constant tie-off: each instance's layer number, an input port tied to a constant",
    ),
    (
        "gca_head",
        "head_index",
        "constant tie-off: each instance's head number, an input port tied to a constant",
    ),
];

/// One coverage point of `coverage.dat`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// `v_line`, `v_branch`, `v_toggle` (Verilator's page without the module).
    pub kind: String,
    pub module: String,
    pub file: String,
    pub line: u32,
    /// Verilator's comment: `block`, `if`, `else`, or the signal of a toggle point.
    pub comment: String,
    pub hier: String,
    pub count: u64,
}

/// Covered and total points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ratio {
    pub covered: usize,
    pub total: usize,
}

impl Ratio {
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.covered as f64 / self.total as f64
        }
    }

    fn add(&mut self, hit: bool) {
        self.total += 1;
        self.covered += usize::from(hit);
    }
}

/// The figures of one module (or file).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ModuleFigures {
    pub module: String,
    pub file: String,
    pub line: Ratio,
    pub toggle: Ratio,
    pub line_percent: f64,
    pub toggle_percent: f64,
    /// Points not covered, as `file:line kind comment` (at most 50 per module).
    pub missed: Vec<String>,
    pub excluded_toggle_points: usize,
    /// Toggle points of bits the generator proves constant ([`crate::hdl::known`]): out of
    /// the figures.
    pub constant_toggle_points: usize,
}

/// Everything `--coverage` reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    /// The generated digital RTL, by module.
    pub modules: Vec<ModuleFigures>,
    /// The total over `modules`.
    pub total: ModuleFigures,
    /// The behavioral model of the analog macro, outside the total.
    pub macro_model: Option<ModuleFigures>,
    /// The protocol checkers (`checkers/`: verification code, whose failure branches a
    /// passing run never takes), outside the total.
    pub checkers: Option<ModuleFigures>,
    pub dir: PathBuf,
    pub info: PathBuf,
    pub annotated: PathBuf,
    /// The HTML report's index, when genhtml ran.
    pub html: Option<PathBuf>,
}

/// Checks that `dir` can be written (created if missing) and that `verilator_coverage` is
/// installed, before anything is built.
pub fn prepare(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the coverage folder {}: {e}", dir.display()))?;
    let probe = dir.join(format!(".gca-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| format!("the coverage folder {} is not writable: {e}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    match Command::new("verilator_coverage").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        _ => Err(
            "`verilator_coverage` is not installed (it comes with the Debian package `verilator`): run scripts/setup"
                .to_string(),
        ),
    }
}

/// Splits Verilator's `'\x01key\x02value...'` into pairs.
fn keys(text: &str) -> BTreeMap<&str, &str> {
    text.split('\u{1}')
        .filter_map(|kv| kv.split_once('\u{2}'))
        .collect()
}

/// The points of a `coverage.dat` text.
pub fn parse_dat(text: &str) -> Result<Vec<Point>, String> {
    let mut points = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("C '") else {
            continue;
        };
        let bad = || format!("coverage.dat line {}: not a coverage point", n + 1);
        let (body, count) = rest.rsplit_once("' ").ok_or_else(bad)?;
        let count: u64 = count.trim().parse().map_err(|_| bad())?;
        let k = keys(body);
        let page = k.get("page").ok_or_else(bad)?;
        let (kind, module) = page.split_once('/').unwrap_or((page, ""));
        points.push(Point {
            kind: kind.to_string(),
            module: module.to_string(),
            file: k.get("f").copied().unwrap_or("").to_string(),
            line: k.get("l").and_then(|l| l.parse().ok()).unwrap_or(0),
            comment: k.get("o").copied().unwrap_or("").to_string(),
            hier: k.get("h").copied().unwrap_or("").to_string(),
            count,
        });
    }
    Ok(points)
}

/// The signal of a toggle point's comment, without its bit select (`data[3]` -> `data`).
fn signal(comment: &str) -> &str {
    comment.split('[').next().unwrap_or(comment).trim()
}

fn excluded(p: &Point) -> bool {
    p.kind == "v_toggle"
        && EXCLUSIONS
            .iter()
            .any(|(m, s, _)| *m == p.module && *s == signal(&p.comment))
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().to_string())
}

fn finish(mut m: ModuleFigures) -> ModuleFigures {
    m.line_percent = m.line.percent();
    m.toggle_percent = m.toggle.percent();
    m
}

/// Figures by module from the points: points merged over instances (identity: file, line,
/// kind, comment), the macro model (`models/`) apart.
pub fn figures(
    points: &[Point],
) -> (
    Vec<ModuleFigures>,
    ModuleFigures,
    Option<ModuleFigures>,
    Option<ModuleFigures>,
) {
    figures_with(points, None)
}

/// Whether `known` proves the bit of a toggle point constant.
fn proven_constant(known: Option<&Known>, p: &Point) -> bool {
    let Some(sigs) = known.and_then(|k| k.get(&p.module)) else {
        return false;
    };
    let name = signal(&p.comment);
    let Some(bits) = sigs.get(name) else {
        return false;
    };
    let bit = match p.comment.split_once('[') {
        None => 0,
        Some((_, rest)) => match rest.trim_end_matches(']').parse::<usize>() {
            Ok(b) => b,
            Err(_) => return false,
        },
    };
    bits.get(bit).copied().flatten().is_some()
}

/// [`figures`], with the toggle points of bits that `known` proves constant left out.
pub fn figures_with(
    points: &[Point],
    known: Option<&Known>,
) -> (
    Vec<ModuleFigures>,
    ModuleFigures,
    Option<ModuleFigures>,
    Option<ModuleFigures>,
) {
    type Key<'a> = (&'a str, u32, &'a str, &'a str);
    // Per point: (count, hit, proven constant).
    type Points<'a> = BTreeMap<Key<'a>, (u64, bool, bool)>;
    let mut merged: BTreeMap<(String, String), Points> = BTreeMap::new();
    for p in points {
        let konst = p.kind == "v_toggle" && proven_constant(known, p);
        let e = merged
            .entry((p.module.clone(), p.file.clone()))
            .or_default()
            .entry((&p.kind, p.line, &p.comment, &p.file))
            .or_insert((0, excluded(p), konst));
        e.0 += p.count;
    }
    let mut modules = Vec::new();
    let mut macro_model: Option<ModuleFigures> = None;
    let mut checkers: Option<ModuleFigures> = None;
    let add = |into: &mut Option<ModuleFigures>, m: ModuleFigures, name: &str| {
        *into = Some(match into.take() {
            None => ModuleFigures {
                module: name.to_string(),
                ..m
            },
            Some(mut a) => {
                a.line.covered += m.line.covered;
                a.line.total += m.line.total;
                a.toggle.covered += m.toggle.covered;
                a.toggle.total += m.toggle.total;
                finish(a)
            }
        });
    };
    for ((module, file), pts) in &merged {
        let mut m = ModuleFigures {
            module: module.clone(),
            file: file.clone(),
            ..ModuleFigures::default()
        };
        for ((kind, line, comment, _), (count, excl, konst)) in pts {
            let hit = *count > 0;
            match *kind {
                "v_toggle" if *excl => m.excluded_toggle_points += 1,
                // A constant bit may still count one change per instance: Verilator's
                // signals start at 0 before the first evaluation gives them their value.
                "v_toggle" if *konst => {
                    m.constant_toggle_points += 1;
                    continue;
                }
                "v_toggle" => m.toggle.add(hit),
                "v_line" | "v_branch" => m.line.add(hit),
                _ => continue,
            }
            if !hit && !*excl && m.missed.len() < 50 {
                m.missed
                    .push(format!("{}:{line} {kind} {comment}", file_name(file)));
            }
        }
        let m = finish(m);
        if file.contains("models/") || file.contains("models\\") {
            let name = m.module.clone();
            add(&mut macro_model, m, &name);
        } else if file.contains("checkers/") || file.contains("checkers\\") {
            add(&mut checkers, m, "protocol checkers");
        } else {
            modules.push(m);
        }
    }
    let mut total = ModuleFigures {
        module: "total".into(),
        ..ModuleFigures::default()
    };
    for m in &modules {
        total.line.covered += m.line.covered;
        total.line.total += m.line.total;
        total.toggle.covered += m.toggle.covered;
        total.toggle.total += m.toggle.total;
        total.excluded_toggle_points += m.excluded_toggle_points;
        total.constant_toggle_points += m.constant_toggle_points;
    }
    (modules, finish(total), macro_model, checkers)
}

fn run_tool(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("`{what}` is not installed: run scripts/setup")
        } else {
            format!("cannot run `{what}`: {e}")
        }
    })?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    Ok(())
}

/// From `DIR/coverage.dat` of a run of the design in `rtl_dir`: the lcov file, the annotated
/// sources, HTML when genhtml is installed, `coverage.json`, and the figures.
/// `known`: the constant bits of the generated design ([`crate::hdl::known::known_bits`]),
/// whose toggle points are left out of the figures.
pub fn report(rtl_dir: &Path, dir: &Path, known: Option<&Known>) -> Result<Figures, String> {
    let dat = dir.join(DAT_FILE);
    let text =
        std::fs::read_to_string(&dat).map_err(|e| format!("cannot read {}: {e}", dat.display()))?;
    let points = parse_dat(&text)?;
    let (modules, total, macro_model, checkers) = figures_with(&points, known);
    let info = dir.join(INFO_FILE);
    let annotated = dir.join(ANNOTATED_DIR);
    // The point files are relative to the generated folder (where Verilator ran).
    run_tool(
        Command::new("verilator_coverage")
            .arg("--write-info")
            .arg(info.canonicalize().unwrap_or_else(|_| absolute(&info)))
            .arg(absolute(&dat))
            .current_dir(rtl_dir),
        "verilator_coverage",
    )?;
    let _ = std::fs::remove_dir_all(&annotated);
    run_tool(
        Command::new("verilator_coverage")
            .arg("--annotate")
            .arg(absolute(&annotated))
            .arg("--annotate-all")
            .arg(absolute(&dat))
            .current_dir(rtl_dir),
        "verilator_coverage",
    )?;
    let html_dir = dir.join(HTML_DIR);
    let html = match Command::new("genhtml")
        .arg("--quiet")
        .arg("-o")
        .arg(absolute(&html_dir))
        .arg(absolute(&info))
        .current_dir(rtl_dir)
        .output()
    {
        Ok(o) if o.status.success() => Some(html_dir.join("index.html")),
        _ => None,
    };
    let f = Figures {
        modules,
        total,
        macro_model,
        checkers,
        dir: dir.to_path_buf(),
        info,
        annotated,
        html,
    };
    let json = serde_json::to_string_pretty(&f).expect("figures serialize");
    std::fs::write(dir.join(JSON_FILE), json + "\n")
        .map_err(|e| format!("cannot write {}: {e}", dir.join(JSON_FILE).display()))?;
    Ok(f)
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

impl Figures {
    /// The table `gca sim --coverage` prints.
    pub fn text(&self) -> String {
        let row = |m: &ModuleFigures| {
            format!(
                "    {:<22} line {:>6.2}% ({:>5}/{:<5}) toggle {:>6.2}% ({:>6}/{:<6})\n",
                m.module,
                m.line_percent,
                m.line.covered,
                m.line.total,
                m.toggle_percent,
                m.toggle.covered,
                m.toggle.total
            )
        };
        let mut s = format!(
            "  code coverage of the digital RTL (Verilator line and toggle) in {}:\n",
            self.dir.display()
        );
        for m in &self.modules {
            s += &row(m);
        }
        s += &row(&self.total);
        s += &format!(
            "    toggle points left out: {} of bits the generator proves constant (hdl::known), {} excluded with a reason (docs/verification.md)\n",
            self.total.constant_toggle_points, self.total.excluded_toggle_points
        );
        if let Some(m) = &self.macro_model {
            s += "  not in the total (behavioral model of the analog macro):\n";
            s += &row(m);
        }
        if let Some(m) = &self.checkers {
            s += "  not in the total (protocol checkers, verification code):\n";
            s += &row(m);
        }
        s += &format!(
            "  lcov: {}; annotated sources: {}; {}\n",
            self.info.display(),
            self.annotated.display(),
            match &self.html {
                Some(h) => format!("HTML: {}", h.display()),
                None => "no HTML (install Debian's lcov for genhtml)".to_string(),
            }
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(kind: &str, module: &str, file: &str, line: u32, o: &str, h: &str, n: u64) -> String {
        format!(
            "C '\u{1}t\u{2}{kind}\u{1}page\u{2}{kind}/{module}\u{1}f\u{2}{file}\u{1}l\u{2}{line}\u{1}n\u{2}0\u{1}o\u{2}{o}\u{1}h\u{2}{h}' {n}\n"
        )
    }

    #[test]
    fn figures_merge_instances_and_set_the_macro_apart() {
        let text = format!(
            "# SystemC::Coverage-3\n{}{}{}{}{}{}",
            point(
                "v_line",
                "gca_head",
                "rtl/gca_head.v",
                10,
                "block",
                "TOP.a",
                0
            ),
            point(
                "v_line",
                "gca_head",
                "rtl/gca_head.v",
                10,
                "block",
                "TOP.b",
                3
            ),
            point(
                "v_toggle",
                "gca_head",
                "rtl/gca_head.v",
                5,
                "x[0]",
                "TOP.a",
                0
            ),
            point(
                "v_toggle",
                "gca_head",
                "rtl/gca_head.v",
                6,
                "head_index[0]",
                "TOP.a",
                0
            ),
            point("v_branch", "gca_csr", "rtl/gca_csr.v", 20, "if", "TOP.c", 1),
            point(
                "v_line",
                "gca_subtile",
                "models/gca_subtile.v",
                3,
                "block",
                "TOP.d",
                0
            ),
        );
        let pts = parse_dat(&text).unwrap();
        assert_eq!(pts.len(), 6);
        let (mods, total, mac, _) = figures(&pts);
        assert_eq!(mods.len(), 2);
        let head = mods.iter().find(|m| m.module == "gca_head").unwrap();
        assert_eq!(
            head.line,
            Ratio {
                covered: 1,
                total: 1
            }
        );
        assert_eq!(
            head.toggle,
            Ratio {
                covered: 0,
                total: 1
            }
        );
        assert_eq!(head.excluded_toggle_points, 1);
        assert_eq!(head.missed, vec!["gca_head.v:5 v_toggle x[0]".to_string()]);
        assert_eq!(
            total.line,
            Ratio {
                covered: 2,
                total: 2
            }
        );
        assert_eq!(
            mac.unwrap().line,
            Ratio {
                covered: 0,
                total: 1
            }
        );
    }

    #[test]
    fn bad_lines_are_reported() {
        assert!(parse_dat("C 'abc\n").is_err());
    }
}
