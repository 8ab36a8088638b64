//! Switching activity of the generated digital RTL (`gca flow --power`, docs/power.md): a
//! Verilator run of a seeded stream whose windows are full records, for every bit of every
//! register and port of the design, how often it toggled and how long it was high, in a plain
//! JSON file ([`Activity`]) keyed by the configuration hash.
//!
//! The run: the design out of reset, `window` tokens of every layer to fill the windows (not
//! recorded), then `tokens` TOKEN packets (position-major, as a decoder sends them) recorded as
//! a VCD by the model's `--trace` build, until their results have left. The VCD is read with
//! the `vcd` crate as it streams and deleted; the analog macro's behavioral model
//! (`gca_subtile` instances, scopes `u_tile*`) is not digital logic and is left out.

use std::collections::{BTreeMap, HashMap};
use std::io::BufReader;
use std::path::Path;

use serde::{Deserialize, Serialize};
use vcd::{Command, IdCode, ReferenceIndex, ScopeItem, Value};

use crate::config::Params;

use super::scenario::{random_stimulus, StreamOptions};
use super::verilator::{BuildOptions, Model};

/// The activity of one signal, bit by bit from its least significant bit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bits {
    /// The index of the first entry (the signal's LSB as declared).
    pub lsb: i32,
    /// Changes of each bit over the recorded cycles.
    pub toggles: Vec<u64>,
    /// The fraction of the recorded time each bit was 1 (4 decimals).
    pub duty: Vec<f64>,
}

/// One recorded run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub config_name: String,
    /// `rtl::config_hash` of the configuration simulated.
    pub config_hash: String,
    /// TOKEN packets recorded (each processed by every head of its layer).
    pub tokens: usize,
    /// TOKEN packets sent before the recording (every layer's window full).
    pub warmup_tokens: usize,
    pub seed: u64,
    /// Clock cycles recorded.
    pub cycles: u64,
    /// Signals by path below `gca_top` (`u_layer0/u_head0/acc`), ports by name.
    pub signals: BTreeMap<String, Bits>,
}

impl Activity {
    /// The activity of one bit named as in the netlist: `path/name[3]` or `path/name`.
    pub fn bit(&self, path: &str) -> Option<(u64, f64)> {
        let (name, index) = match path.strip_suffix(']').and_then(|s| s.rsplit_once('[')) {
            Some((n, i)) => (n, i.parse::<i32>().ok()?),
            None => (path, 0),
        };
        let b = self.signals.get(name)?;
        let k = usize::try_from(index - b.lsb).ok()?;
        Some((*b.toggles.get(k)?, *b.duty.get(k)?))
    }

    /// Every recorded bit.
    pub fn bit_count(&self) -> usize {
        self.signals.values().map(|b| b.toggles.len()).sum()
    }

    /// Reads an activity file, rejected unless it was recorded for `p`.
    pub fn read(p: &Params, path: &Path) -> Result<Activity, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "no activity for the configuration `{}`: cannot read {} ({e}); run `gca flow {} --power` without --activity to record one",
                p.name,
                path.display(),
                p.name
            )
        })?;
        let a: Activity = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a gca activity file: {e}", path.display()))?;
        let hash = crate::rtl::config_hash(p);
        if a.config_hash != hash {
            return Err(format!(
                "{}: stale activity: it was recorded for configuration `{}` (hash {}), not for `{}` (hash {}); record it again",
                path.display(),
                a.config_name,
                &a.config_hash[..a.config_hash.len().min(16)],
                p.name,
                &hash[..16]
            ));
        }
        Ok(a)
    }
}

/// Records the activity of the design generated for `p` in `rtl_dir` (Verilator libraries
/// cached in `cache_dir`); `scratch` receives the VCD while it is read.
pub fn record(
    p: &Params,
    rtl_dir: &Path,
    cache_dir: &Path,
    scratch: &Path,
    tokens: usize,
    seed: u64,
    mut progress: impl FnMut(&str),
) -> Result<Activity, String> {
    let opts = BuildOptions {
        waves: true,
        ..BuildOptions::default()
    };
    let mut model = Model::build_with(p, rtl_dir, cache_dir, &opts, &mut progress)?;
    let layers = p.shape.n_layer;
    let warmup = layers * p.shape.window;
    let packets = random_stimulus(
        p,
        &StreamOptions {
            tokens: warmup + tokens,
            seed,
            interleaved: true,
            reset_every: 0,
            commands: false,
        },
    );
    let (warm, measured) = packets.split_at(warmup.min(packets.len()));
    model.reset(4);
    model.set_m_axis_tready(true);
    progress(&format!("filling the windows: {warmup} tokens"));
    drive(&mut model, warm)?;
    let vcd = scratch.join("activity.vcd");
    model.open_waves(&vcd)?;
    let start = model.cycles();
    progress(&format!("recording {tokens} tokens"));
    drive(&mut model, measured)?;
    let cycles = model.cycles() - start;
    model.close_waves()?;
    drop(model);
    let signals = read_vcd(&vcd)?;
    let _ = std::fs::remove_file(&vcd);
    Ok(Activity {
        config_name: p.name.clone(),
        config_hash: crate::rtl::config_hash(p),
        tokens: measured.len(),
        warmup_tokens: warm.len(),
        seed,
        cycles,
        signals,
    })
}

/// Sends `packets` beat by beat (TVALID high whenever a beat waits, TREADY always high) and
/// runs until a result packet has left for each of them.
fn drive(model: &mut Model, packets: &[super::scenario::Packet]) -> Result<(), String> {
    let beats: Vec<_> = packets.iter().flat_map(|pk| pk.beats.iter()).collect();
    let mut results = 0usize;
    let mut next = 0usize;
    let mut idle = 0u64;
    while results < packets.len() {
        model.set_s_axis(beats.get(next).copied());
        model.eval();
        let accepted = next < beats.len() && model.s_axis_tready();
        let out_last = model.m_axis_tvalid() && model.m_axis_tlast();
        model.try_tick(1)?;
        if accepted {
            next += 1;
        }
        if out_last {
            results += 1;
            idle = 0;
        } else {
            idle += 1;
        }
        if idle > 1_000_000 {
            return Err(format!(
                "the design gave {results} result packets for {} tokens and then none for a million cycles",
                packets.len()
            ));
        }
    }
    model.set_s_axis(None);
    Ok(())
}

/// A signal of the VCD below `gca_top`: its path and declared bit range.
struct Signal {
    path: String,
    code: IdCode,
    msb: i32,
    lsb: i32,
}

/// The signals below the scope of `gca_top` (the scope with a child `u_csr`), macro models
/// (`u_tile*`) left out.
fn signals_of(items: &[ScopeItem], prefix: &str, out: &mut Vec<Signal>) {
    for item in items {
        match item {
            ScopeItem::Scope(s) if s.identifier.starts_with("u_tile") => {}
            ScopeItem::Scope(s) => signals_of(&s.items, &format!("{prefix}{}/", s.identifier), out),
            ScopeItem::Var(v) => {
                // Gate-level netlists name split bits `\foo[3] `: one bit of `foo`.
                let name = v.reference.trim_start_matches('\\').trim();
                let (name, index) = match (v.index, name.strip_suffix(']')) {
                    (None, Some(r)) if v.size == 1 && r.contains('[') => {
                        let (n, i) = r.rsplit_once('[').expect("contains [");
                        match i.trim().parse::<i32>() {
                            Ok(i) => (n.trim(), Some(ReferenceIndex::BitSelect(i))),
                            Err(_) => (name, None),
                        }
                    }
                    _ => (name, v.index),
                };
                let (msb, lsb) = match index {
                    Some(ReferenceIndex::Range(m, l)) => (m, l),
                    Some(ReferenceIndex::BitSelect(b)) => (b, b),
                    None => (v.size as i32 - 1, 0),
                };
                out.push(Signal {
                    path: format!("{prefix}{name}"),
                    code: v.code,
                    msb,
                    lsb,
                });
            }
            _ => {}
        }
    }
}

fn find_top(items: &[ScopeItem]) -> Option<&[ScopeItem]> {
    let has_csr = items
        .iter()
        .any(|i| matches!(i, ScopeItem::Scope(s) if s.identifier == "u_csr"));
    if has_csr {
        return Some(items);
    }
    items.iter().find_map(|i| match i {
        ScopeItem::Scope(s) => find_top(&s.items),
        _ => None,
    })
}

/// The state of one VCD code while the file streams.
struct Track {
    /// Bits from the LSB.
    value: Vec<bool>,
    toggles: Vec<u64>,
    high: Vec<u64>,
    since: Vec<u64>,
}

impl Track {
    fn set(&mut self, bits: impl Iterator<Item = bool>, t: u64, initial: bool) {
        for (k, b) in bits.enumerate().take(self.value.len()) {
            if self.value[k] != b || initial {
                if self.value[k] && !initial {
                    self.high[k] += t - self.since[k];
                }
                if !initial {
                    self.toggles[k] += 1;
                }
                self.value[k] = b;
                self.since[k] = t;
            }
        }
    }
}

/// Toggle counts and duty of every bit below `gca_top` in the VCD at `path`.
pub fn read_vcd(path: &Path) -> Result<BTreeMap<String, Bits>, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read the VCD {}: {e}", path.display()))?;
    let mut parser = vcd::Parser::new(BufReader::with_capacity(1 << 20, file));
    let header = parser
        .parse_header()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let top = find_top(&header.items)
        .ok_or_else(|| format!("{}: no scope of gca_top (with u_csr)", path.display()))?;
    let mut signals = Vec::new();
    signals_of(top, "", &mut signals);
    let mut tracks: HashMap<IdCode, Track> = HashMap::new();
    for s in &signals {
        let n = (s.msb - s.lsb).unsigned_abs() as usize + 1;
        tracks.entry(s.code).or_insert_with(|| Track {
            value: vec![false; n],
            toggles: vec![0; n],
            high: vec![0; n],
            since: vec![0; n],
        });
    }
    let (mut first, mut t) = (None::<u64>, 0u64);
    let mut stamps = 0u64;
    let mut step = 0u64;
    for cmd in parser {
        match cmd.map_err(|e| format!("{}: {e}", path.display()))? {
            Command::Timestamp(x) => {
                if stamps == 1 {
                    step = x - t;
                }
                t = x;
                first.get_or_insert(x);
                stamps += 1;
            }
            Command::ChangeScalar(c, v) => {
                if let Some(tr) = tracks.get_mut(&c) {
                    tr.set(std::iter::once(v == Value::V1), t, stamps <= 1);
                }
            }
            Command::ChangeVector(c, v) => {
                if let Some(tr) = tracks.get_mut(&c) {
                    // MSB first, possibly shorter than the signal (left-extended with 0).
                    let mut bits: Vec<bool> = v.iter().map(|b| b == Value::V1).collect();
                    bits.reverse();
                    bits.resize(tr.value.len(), false);
                    tr.set(bits.into_iter(), t, stamps <= 1);
                }
            }
            _ => {}
        }
    }
    let start = first.unwrap_or(0);
    let end = t + step;
    let span = (end - start).max(1) as f64;
    // Bits by signal path and index (split bits of one signal merge).
    let mut bits: BTreeMap<String, BTreeMap<i32, (u64, f64)>> = BTreeMap::new();
    for s in signals {
        let tr = &tracks[&s.code];
        let entry = bits.entry(s.path).or_default();
        for k in 0..tr.value.len() {
            let mut h = tr.high[k];
            if tr.value[k] {
                h += end - tr.since[k];
            }
            let duty = (h as f64 / span * 1e4).round() / 1e4;
            let index = if s.msb >= s.lsb {
                s.lsb + k as i32
            } else {
                s.lsb - k as i32
            };
            entry.insert(index, (tr.toggles[k], duty));
        }
    }
    let mut out = BTreeMap::new();
    for (path, b) in bits {
        let (Some(&lo), Some(&hi)) = (b.keys().next(), b.keys().next_back()) else {
            continue;
        };
        let n = (hi - lo) as usize + 1;
        let (mut toggles, mut duty) = (vec![0; n], vec![0.0; n]);
        for (i, (t, d)) in b {
            toggles[(i - lo) as usize] = t;
            duty[(i - lo) as usize] = d;
        }
        out.insert(
            path,
            Bits {
                lsb: lo,
                toggles,
                duty,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggles_and_duty_from_a_vcd() {
        let dir = std::env::temp_dir().join(format!("gca-activity-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.vcd");
        let text = "$timescale 1ps $end\n$scope module TOP $end\n$scope module gca_top $end\n\
                    $var wire 1 ! clk $end\n$var wire 4 \" cnt [3:0] $end\n\
                    $var wire 1 % \\sp[2] $end\n$var wire 1 & \\sp[3] $end\n\
                    $scope module u_csr $end\n$var wire 1 # irq $end\n$upscope $end\n\
                    $scope module u_tile0 $end\n$var wire 1 $ x $end\n$upscope $end\n\
                    $upscope $end\n$upscope $end\n$enddefinitions $end\n\
                    #0\n0!\nb0000 \"\n0#\n0$\n0%\n0&\n#500\n1!\n#1000\n0!\nb1 \"\n1#\n1&\n#1500\n1!\n\
                    #2000\n0!\nb10 \"\n#2500\n1!\n#3000\n0!\nb11 \"\n0#\n#3500\n1!\n";
        std::fs::write(&path, text).unwrap();
        let s = read_vcd(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(s["clk"].toggles, [7]);
        assert_eq!(s["cnt"].toggles, [3, 1, 0, 0]);
        assert_eq!(s["cnt"].duty, [0.5, 0.5, 0.0, 0.0]);
        assert_eq!(s["u_csr/irq"].toggles, [2]);
        assert_eq!(s["u_csr/irq"].duty, [0.5]);
        assert!(!s.contains_key("u_tile0/x"));
        assert_eq!(s["sp"].lsb, 2);
        assert_eq!(s["sp"].toggles, [0, 1]);
        assert_eq!(s["sp"].duty, [0.0, 0.75]);
        let a = Activity {
            config_name: "t".into(),
            config_hash: "0".repeat(64),
            tokens: 1,
            warmup_tokens: 0,
            seed: 1,
            cycles: 4,
            signals: s,
        };
        assert_eq!(a.bit("cnt[1]"), Some((1, 0.5)));
        assert_eq!(a.bit("u_csr/irq"), Some((2, 0.5)));
        assert_eq!(a.bit("cnt[4]"), None);
        assert_eq!(a.bit_count(), 8);
        assert_eq!(a.bit("sp[3]"), Some((1, 0.75)));
    }
}
