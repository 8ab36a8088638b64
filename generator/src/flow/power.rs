//! Power and energy per token of `gca flow --power` (docs/power.md).
//!
//! Debian's OpenSTA (2.0.17, 2019) takes switching activity only at the top's input ports:
//! `set_power_activity -pins` fails in its Tcl (it calls a missing `get_pins_error`), and its
//! propagation (inputs through the combinational logic by probabilities, registers D to Q)
//! overwrites any activity set on an internal pin. So OpenSTA is used for what it computes
//! well, the energy of every cell with its real loads, slews and the library's tables, and the
//! activity is applied here:
//! - run 0: `set_power_activity -global -activity 0`: per cell, the clock pins' internal power
//!   and the leakage (the clock toggles twice a cycle whatever the global activity);
//! - run 1: `-global -activity 1`: every other pin toggling once a cycle;
//! - a cell's power at activity `a` (transitions per cycle of its output) is
//!   `P0 + a (P1 - P0)` for internal and switching power, leakage `P0`.
//!
//! The activity `a` of a flip-flop is that of the register bit on its Q net, measured in the
//! RTL simulation (register names survive synthesis, [`Mapping`]); a combinational cell takes
//! the mean activity of the mapped flip-flops of its module instance (of the enclosing
//! instance when it has none), an approximation the gate-level cross-check ([`super::gate`]) measures.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::netlist::{self, CellInfo, Leaf};
use super::tools::STA;
use super::{write, FlowError};
use crate::config::Params;
use crate::sim::activity::Activity;

pub const SCRIPT: &str = "power.tcl";
pub const LOG: &str = "power.log";
const REPORT0: &str = "power_a0.rpt";
const REPORT1: &str = "power_a1.rpt";

/// Power of a group of cells, W.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Watts {
    pub internal_w: f64,
    pub switching_w: f64,
    pub leakage_w: f64,
    pub total_w: f64,
}

impl Watts {
    fn add(&mut self, o: &Watts) {
        self.internal_w += o.internal_w;
        self.switching_w += o.switching_w;
        self.leakage_w += o.leakage_w;
        self.total_w += o.total_w;
    }

    fn dynamic(&self) -> f64 {
        self.internal_w + self.switching_w
    }
}

/// How much of the netlist the activity reached.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Mapping {
    pub flip_flops: usize,
    /// Flip-flops whose Q net is a register bit of the activity file.
    pub flip_flops_mapped: usize,
    pub flip_flop_rate: f64,
    /// Ports of `gca_top` (bits) found in the activity file.
    pub port_bits: usize,
    pub port_bits_mapped: usize,
    /// Flip-flops not mapped, first 20.
    pub unmapped_examples: Vec<String>,
    /// Clock gate cells, and those whose output net (the gated clock) is in the activity file.
    pub clock_gates: usize,
    pub clock_gates_mapped: usize,
    /// Flip-flops clocked by a gate.
    pub gated_flip_flops: usize,
    /// Their clock's pulses per cycle, the mean over them (1 would be no gating).
    pub gated_clock_duty: f64,
}

/// One block's share.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Block {
    pub block: String,
    pub cells: usize,
    pub power: Watts,
    /// Energy per token per head, pJ.
    pub energy_per_token_per_head_pj: f64,
    /// Mean activity of its mapped flip-flops, transitions per cycle.
    pub flip_flop_activity: f64,
}

/// The result of a power run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PowerReport {
    pub method: String,
    pub library: String,
    pub corner: String,
    pub clock_mhz: f64,
    pub tokens: usize,
    pub warmup_tokens: usize,
    pub seed: u64,
    pub cycles: u64,
    pub cycles_per_token: f64,
    pub heads: usize,
    pub mapping: Mapping,
    pub total: Watts,
    /// The part that does not depend on the data: every cell at activity 0 (the clock pins'
    /// internal power of the flip-flops, and leakage).
    pub at_zero_activity: Watts,
    pub digital_energy_per_token_per_head_pj: f64,
    /// By block (quantizers, PWM, accumulators, output scaler, ...).
    pub blocks: Vec<Block>,
    /// By module (all instances of it, its own cells).
    pub modules: BTreeMap<String, Watts>,
    pub sta_seconds: f64,
    /// The gate-level cross-check (`--cross-check`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_check: Option<super::gate::CrossCheck>,
}

/// The block a module's cells count to.
pub fn block_of(module: &str) -> &'static str {
    match module {
        "gca_quantizer" => "quantizers",
        "gca_pwm" => "PWM",
        "gca_accumulator" => "accumulators",
        "gca_out_scale" => "output scaler",
        "gca_layer_ctrl" => "layer control",
        "gca_window" => "window",
        "gca_csr" => "CSR",
        "gca_ingress" | "gca_egress" => "stream ports",
        "gca_head" => "head staging and control",
        _ => "top and layer glue",
    }
}

pub fn script(liberty: &Path, macro_liberty: &Path, netlist: &Path, sdc: &Path) -> String {
    format!(
        "# gca flow --power: per-cell power at activity 0 and 1, generated by `gca flow`.\n\
         read_liberty {lib}\n\
         read_liberty {mlib}\n\
         read_verilog {net}\n\
         link_design gca_top\n\
         read_sdc {sdc}\n\
         set gca_cells [get_cells -hierarchical *]\n\
         set_power_activity -global -activity 0.0 -duty 0.5\n\
         report_power -instances $gca_cells -digits 8 > {REPORT0}\n\
         set_power_activity -global -activity 1.0 -duty 0.5\n\
         report_power -instances $gca_cells -digits 8 > {REPORT1}\n\
         puts \"GCA-POWER done\"\n",
        lib = liberty.display(),
        mlib = macro_liberty.display(),
        net = netlist.display(),
        sdc = sdc.display(),
    )
}

/// The rows of `report_power -instances`: instance path -> power.
pub fn parse_instances(text: &str) -> BTreeMap<String, Watts> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 5 {
            continue;
        }
        let v: Vec<f64> = f[..4].iter().filter_map(|x| x.parse().ok()).collect();
        if v.len() == 4 {
            out.insert(
                f[4].to_string(),
                Watts {
                    internal_w: v[0],
                    switching_w: v[1],
                    leakage_w: v[2],
                    total_w: v[3],
                },
            );
        }
    }
    out
}

/// Power by leaf-cell path.
pub type CellPower = BTreeMap<String, Watts>;

/// Runs OpenSTA for the per-cell power at activity 0 and 1.
pub fn run_sta(
    work: &Path,
    liberty: &Path,
    macro_liberty: &Path,
    netlist: &Path,
    sdc: &Path,
) -> Result<(CellPower, CellPower), FlowError> {
    write(
        &work.join(SCRIPT),
        &script(liberty, macro_liberty, netlist, sdc),
    )?;
    let out = STA.run(work, &["-no_init", "-exit", SCRIPT])?;
    let mut log = String::from_utf8_lossy(&out.stdout).to_string();
    log.push_str(&String::from_utf8_lossy(&out.stderr));
    write(&work.join(LOG), &log)?;
    let errors: Vec<String> = log
        .lines()
        .filter(|l| l.starts_with("Error"))
        .map(str::to_string)
        .collect();
    if !errors.is_empty() || !log.contains("GCA-POWER done") {
        return Err(FlowError::ToolFailed {
            tool: "sta",
            log: work.join(LOG),
            lines: errors,
        });
    }
    let read = |f: &str| {
        std::fs::read_to_string(work.join(f))
            .map(|t| parse_instances(&t))
            .map_err(|e| FlowError::Other(format!("cannot read {f}: {e}")))
    };
    Ok((read(REPORT0)?, read(REPORT1)?))
}

/// The activity of every leaf cell, transitions per cycle: flip-flops from their Q net,
/// combinational cells the mean of their module instance's mapped flip-flops.
pub struct CellActivity {
    pub by_cell: Vec<f64>,
    /// The share of the activity-0 power each cell takes, (internal, switching): (1, 1) on
    /// the free-running clock; a flip-flop behind a clock gate takes the gate's pulses per
    /// cycle `d` for both (its clock pin toggles only then); a gate takes `d` of its switching
    /// power (its output net) and all of its internal power (its clock pin toggles every
    /// cycle; its output's share of that is left counted, an overestimate).
    pub clock_share: Vec<(f64, f64)>,
    /// Flip-flops behind a clock gate. Before place and route nothing buffers a gated clock
    /// net, so OpenSTA gives their clock pins the slow edge of one gate driving them all, and
    /// several times the internal power of the same cell on the ideal free-running clock;
    /// [`combine`] charges them the ideal clock's, like every other flip-flop, and keeps the
    /// gate's own power for its loaded output.
    pub gated: Vec<bool>,
    /// Flip-flops on the free-running clock (the ideal clock's energy per cell type).
    pub free: Vec<bool>,
    pub mapping: Mapping,
    /// Mean mapped flip-flop activity per module instance path.
    pub scope_mean: BTreeMap<String, f64>,
}

/// The net a flip-flop's activity is read from: its Q (or QN) net when named.
fn named_output<'a>(leaf: &'a Leaf, cell: &CellInfo) -> impl Iterator<Item = &'a str> {
    let outputs = cell.outputs.clone();
    leaf.pins
        .iter()
        .filter(move |(p, _)| outputs.contains(p))
        .map(|(_, n)| n.as_str())
        .filter(|n| !(n.starts_with('_') && n.ends_with('_')))
}

/// Maps the activity onto the leaf cells.
pub fn map_activity(
    leaves: &[Leaf],
    cells: &BTreeMap<String, CellInfo>,
    activity: &Activity,
    top_ports: &[String],
) -> CellActivity {
    let cycles = activity.cycles.max(1) as f64;
    let mut by_cell = vec![f64::NAN; leaves.len()];
    let mut m = Mapping::default();
    let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for (k, leaf) in leaves.iter().enumerate() {
        let Some(cell) = cells.get(&leaf.kind) else {
            continue;
        };
        if !cell.sequential {
            continue;
        }
        m.flip_flops += 1;
        let found = named_output(leaf, cell).find_map(|net| {
            let path = if leaf.scope.is_empty() {
                net.to_string()
            } else {
                format!("{}/{net}", leaf.scope)
            };
            activity.bit(&path)
        });
        match found {
            Some((toggles, _)) => {
                let a = toggles as f64 / cycles;
                by_cell[k] = a;
                m.flip_flops_mapped += 1;
                let e = sums.entry(leaf.scope.clone()).or_default();
                e.0 += a;
                e.1 += 1;
            }
            None => {
                if m.unmapped_examples.len() < 20 {
                    m.unmapped_examples.push(leaf.path.clone());
                }
            }
        }
    }
    m.flip_flop_rate = if m.flip_flops == 0 {
        0.0
    } else {
        m.flip_flops_mapped as f64 / m.flip_flops as f64
    };
    m.port_bits = top_ports.len();
    m.port_bits_mapped = top_ports
        .iter()
        .filter(|p| activity.bit(p).is_some())
        .count();
    let global = {
        let (s, n) = sums
            .values()
            .fold((0.0, 0usize), |(s, n), (a, k)| (s + a, n + k));
        if n == 0 {
            0.0
        } else {
            s / n as f64
        }
    };
    let scope_mean: BTreeMap<String, f64> = sums
        .iter()
        .map(|(s, (a, n))| (s.clone(), a / *n as f64))
        .collect();
    let mean_of = |scope: &str| -> f64 {
        let mut s = scope;
        loop {
            if let Some(a) = scope_mean.get(s) {
                return *a;
            }
            match s.rsplit_once('/') {
                Some((up, _)) => s = up,
                None if !s.is_empty() => s = "",
                None => return global,
            }
        }
    };
    for (k, leaf) in leaves.iter().enumerate() {
        if by_cell[k].is_nan() {
            by_cell[k] = mean_of(&leaf.scope);
        }
    }
    let (clock_share, gated, free) = clock_shares(leaves, cells, activity, &mut m);
    CellActivity {
        by_cell,
        clock_share,
        gated,
        free,
        mapping: m,
        scope_mean,
    }
}

/// The gated clocks: every clock gate cell's output net, and its pulses per cycle (half the
/// net's measured changes; 1 when the net is not in the activity file, which counts the gate
/// as open). Then each cell's share of its activity-0 power ([`CellActivity::clock_share`]),
/// and which flip-flops are behind a gate ([`CellActivity::gated`]) or on the free-running
/// clock ([`CellActivity::free`]).
fn clock_shares(
    leaves: &[Leaf],
    cells: &BTreeMap<String, CellInfo>,
    activity: &Activity,
    m: &mut Mapping,
) -> (Vec<(f64, f64)>, Vec<bool>, Vec<bool>) {
    let cycles = activity.cycles.max(1) as f64;
    let at = |scope: &str, net: &str| {
        if scope.is_empty() {
            net.to_string()
        } else {
            format!("{scope}/{net}")
        }
    };
    let mut gates: BTreeMap<String, f64> = BTreeMap::new();
    let mut out = vec![(1.0, 1.0); leaves.len()];
    let mut gated = vec![false; leaves.len()];
    let mut free = vec![false; leaves.len()];
    for (k, leaf) in leaves.iter().enumerate() {
        let Some(g) = cells.get(&leaf.kind).and_then(|c| c.gate.as_ref()) else {
            continue;
        };
        let Some((_, net)) = leaf.pins.iter().find(|(p, _)| *p == g.out) else {
            continue;
        };
        m.clock_gates += 1;
        let path = at(&leaf.scope, net);
        let d = match activity.bit(&path) {
            Some((toggles, _)) => {
                m.clock_gates_mapped += 1;
                (toggles as f64 / 2.0 / cycles).min(1.0)
            }
            None => 1.0,
        };
        gates.insert(path, d);
        out[k] = (1.0, d);
    }
    for (k, leaf) in leaves.iter().enumerate() {
        let Some(c) = cells.get(&leaf.kind) else {
            continue;
        };
        if !c.sequential || c.gate.is_some() {
            continue;
        }
        let d = leaf
            .pins
            .iter()
            .filter(|(p, _)| c.clock_pins.contains(p))
            .find_map(|(_, n)| gates.get(&at(&leaf.scope, n)));
        match d {
            Some(d) => {
                m.gated_flip_flops += 1;
                m.gated_clock_duty += *d;
                out[k] = (*d, *d);
                gated[k] = true;
            }
            None => free[k] = true,
        }
    }
    if m.gated_flip_flops > 0 {
        m.gated_clock_duty /= m.gated_flip_flops as f64;
    }
    (out, gated, free)
}

/// The bits of `gca_top`'s ports, as the netlist names them (`s_axis_tdata[3]`).
pub fn top_port_bits(netlist_text: &str) -> Vec<String> {
    let Some(start) = netlist_text.find("\nmodule gca_top(") else {
        return Vec::new();
    };
    let body = &netlist_text[start..];
    let body = &body[..body.find("\nendmodule").unwrap_or(body.len())];
    let mut out = Vec::new();
    for stmt in body.split(';') {
        let t = stmt.trim();
        let Some(rest) = t
            .strip_prefix("input ")
            .or_else(|| t.strip_prefix("output "))
        else {
            continue;
        };
        let rest = rest.trim();
        if let Some(r) = rest.strip_prefix('[') {
            let (range, name) = r.split_once(']').unwrap_or(("0:0", r));
            let (msb, lsb) = range.split_once(':').unwrap_or(("0", "0"));
            let (msb, lsb): (i64, i64) = (msb.parse().unwrap_or(0), lsb.parse().unwrap_or(0));
            for b in lsb.min(msb)..=lsb.max(msb) {
                out.push(format!("{}[{b}]", name.trim()));
            }
        } else if rest != "clk" {
            out.push(rest.to_string());
        }
    }
    out
}

/// Power of every cell at its activity, summed by block and module; energy per token per head.
#[allow(clippy::too_many_arguments)]
pub fn combine(
    p: &Params,
    leaves: &[Leaf],
    act: &CellActivity,
    p0: &BTreeMap<String, Watts>,
    p1: &BTreeMap<String, Watts>,
    activity: &Activity,
    library: &str,
    corner: &str,
    sta_seconds: f64,
) -> PowerReport {
    let heads = p.shape.n_head;
    let period_s = p.cycles.clock_period_ns * 1e-9;
    let cycles_per_token = activity.cycles as f64 / activity.tokens.max(1) as f64;
    // Energy per token per head of a power: P x period x cycles / (tokens x heads per layer).
    let pj = |w: f64| w * period_s * cycles_per_token / heads as f64 * 1e12;
    let mut total = Watts::default();
    let mut zero = Watts::default();
    let mut blocks: BTreeMap<&'static str, (Watts, usize, f64, usize)> = BTreeMap::new();
    let mut modules: BTreeMap<String, Watts> = BTreeMap::new();
    // The clock pins' power of each flip-flop type on the ideal free-running clock.
    let mut ideal: BTreeMap<&str, f64> = BTreeMap::new();
    for (k, leaf) in leaves.iter().enumerate() {
        if let (true, Some(a0)) = (act.free[k], p0.get(&leaf.path)) {
            let e = ideal.entry(leaf.kind.as_str()).or_insert(f64::INFINITY);
            *e = e.min(a0.internal_w);
        }
    }
    for (k, leaf) in leaves.iter().enumerate() {
        let (Some(a0), Some(a1)) = (p0.get(&leaf.path), p1.get(&leaf.path)) else {
            continue;
        };
        // The clock pins' part: on the ideal clock's edge for a gated flip-flop.
        let clock_int = match (act.gated[k], ideal.get(leaf.kind.as_str())) {
            (true, Some(i)) => a0.internal_w.min(*i),
            _ => a0.internal_w,
        };
        let (si, ss) = act.clock_share[k];
        zero.add(&Watts {
            internal_w: si * clock_int,
            switching_w: ss * a0.switching_w,
            leakage_w: a0.leakage_w,
            total_w: si * clock_int + ss * a0.switching_w + a0.leakage_w,
        });
        let a = act.by_cell[k];
        let w = Watts {
            internal_w: si * clock_int + a * (a1.internal_w - a0.internal_w),
            switching_w: ss * a0.switching_w + a * (a1.switching_w - a0.switching_w),
            leakage_w: a0.leakage_w,
            total_w: 0.0,
        };
        let w = Watts {
            total_w: w.internal_w + w.switching_w + w.leakage_w,
            ..w
        };
        total.add(&w);
        let b = blocks.entry(block_of(&leaf.module)).or_default();
        b.0.add(&w);
        b.1 += 1;
        modules.entry(leaf.module.clone()).or_default().add(&w);
    }
    for (scope, a) in &act.scope_mean {
        let module = leaves
            .iter()
            .find(|l| &l.scope == scope)
            .map(|l| l.module.as_str())
            .unwrap_or("");
        let b = blocks.entry(block_of(module)).or_default();
        b.2 += a;
        b.3 += 1;
    }
    let blocks = blocks
        .into_iter()
        .map(|(name, (w, cells, a, n))| Block {
            block: name.to_string(),
            cells,
            power: w,
            energy_per_token_per_head_pj: pj(w.total_w),
            flip_flop_activity: if n == 0 { 0.0 } else { a / n as f64 },
        })
        .collect();
    PowerReport {
        method: "RTL register and port activity (Verilator) on the Yosys netlist; per-cell energy from OpenSTA at activity 0 and 1; combinational cells at their module instance's mean register activity".into(),
        library: library.to_string(),
        corner: corner.to_string(),
        clock_mhz: p.hardware.timing.clock_mhz,
        tokens: activity.tokens,
        warmup_tokens: activity.warmup_tokens,
        seed: activity.seed,
        cycles: activity.cycles,
        cycles_per_token,
        heads,
        mapping: act.mapping.clone(),
        total,
        at_zero_activity: zero,
        digital_energy_per_token_per_head_pj: pj(total.total_w),
        blocks,
        modules,
        sta_seconds,
        cross_check: None,
    }
}

/// Everything between a synthesized netlist and a [`PowerReport`].
#[allow(clippy::too_many_arguments)]
pub fn run(
    p: &Params,
    work: &Path,
    liberty: &Path,
    macro_liberty: &Path,
    netlist_path: &Path,
    sdc: &Path,
    cells: &BTreeMap<String, CellInfo>,
    activity: &Activity,
    cross_check: Option<&Path>,
    corner: &str,
) -> Result<PowerReport, FlowError> {
    let text = std::fs::read_to_string(netlist_path)
        .map_err(|e| FlowError::Other(format!("cannot read the netlist: {e}")))?;
    let modules = netlist::parse(&text);
    let leaves = netlist::leaves(&modules, "gca_top");
    let ports = top_port_bits(&text);
    let act = map_activity(&leaves, cells, activity, &ports);
    let t0 = std::time::Instant::now();
    let (p0, p1) = run_sta(work, liberty, macro_liberty, netlist_path, sdc)?;
    let mut report = combine(
        p,
        &leaves,
        &act,
        &p0,
        &p1,
        activity,
        &liberty.display().to_string(),
        corner,
        t0.elapsed().as_secs_f64(),
    );
    if let Some(design) = cross_check {
        report.cross_check = Some(super::gate::run(
            p,
            work,
            design,
            netlist_path,
            &leaves,
            cells,
            &p0,
            &p1,
            activity.tokens,
            activity.seed,
        )?);
    }
    Ok(report)
}

/// The corner of the default library, as the report labels it.
pub const NANGATE_CORNER: &str = "Nangate 45 nm Open Cell Library, typical, 1.1 V, 25 C; before place and route (wire-load model, ideal clock)";

/// The paper's digital and routing share of the energy per token per head, pJ (SPEC 6).
pub const PAPER_DIGITAL_PJ: f64 = 4000.0;
/// The moonshot of the architecture work that follows, pJ.
pub const MOONSHOT_DIGITAL_PJ: f64 = 1000.0;

impl PowerReport {
    /// The summary `gca flow --power` prints.
    pub fn text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "  power ({} tokens after {} to fill the windows, seed {}, {} cycles, {:.1} cycles per token)",
            self.tokens, self.warmup_tokens, self.seed, self.cycles, self.cycles_per_token
        );
        let m = &self.mapping;
        let _ = writeln!(
            o,
            "    activity mapped          {} of {} flip-flops ({:.1} %), {} of {} port bits",
            m.flip_flops_mapped,
            m.flip_flops,
            100.0 * m.flip_flop_rate,
            m.port_bits_mapped,
            m.port_bits
        );
        let _ = writeln!(
            o,
            "    clock gating             {} flip-flops behind {} gates ({} found in the activity), clocked {:.1} % of cycles",
            m.gated_flip_flops,
            m.clock_gates,
            m.clock_gates_mapped,
            100.0 * m.gated_clock_duty
        );
        let t = &self.total;
        let _ = writeln!(
            o,
            "    total at {} MHz          {:.3} mW (internal {:.3}, switching {:.3}, leakage {:.3})",
            self.clock_mhz,
            t.total_w * 1e3,
            t.internal_w * 1e3,
            t.switching_w * 1e3,
            t.leakage_w * 1e3
        );
        let z = &self.at_zero_activity;
        let _ = writeln!(
            o,
            "    of which at activity 0     {:.3} mW (clock pins of the flip-flops {:.3}, leakage {:.3})",
            z.total_w * 1e3,
            (z.internal_w + z.switching_w) * 1e3,
            z.leakage_w * 1e3
        );
        let e = self.digital_energy_per_token_per_head_pj;
        let _ = writeln!(
            o,
            "    digital energy per token per head  {e:.1} pJ (paper: {PAPER_DIGITAL_PJ:.0} pJ digital and routing, {:.2}x; moonshot {MOONSHOT_DIGITAL_PJ:.0} pJ)",
            e / PAPER_DIGITAL_PJ
        );
        let _ = writeln!(
            o,
            "    by block (pJ per token per head, mW, mean register activity):"
        );
        for b in &self.blocks {
            let _ = writeln!(
                o,
                "      {:<26} {:>10.1} pJ {:>9.3} mW  {:.3}",
                b.block,
                b.energy_per_token_per_head_pj,
                b.power.total_w * 1e3,
                b.flip_flop_activity
            );
        }
        if let Some(c) = &self.cross_check {
            o.push_str(&c.text());
        }
        o
    }

    /// Dynamic power (internal + switching), W.
    pub fn dynamic_w(&self) -> f64 {
        self.total.dynamic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_instance_rows() {
        let t = "       Internal      Switching        Leakage          Total\n------\n 3.75e-05 2.77e-05 8.62e-08 6.53e-05 u_ingress/_3294_\n 0.0 0.0 0.0 0.0 u_layer0\n";
        let r = parse_instances(t);
        assert_eq!(r.len(), 2);
        assert_eq!(r["u_ingress/_3294_"].switching_w, 2.77e-05);
    }

    #[test]
    fn port_bits_of_the_top() {
        let net = "x\nmodule gca_top(clk, a, b);\n  input clk;\n  input [2:0] a;\n  output b;\n  wire w;\nendmodule\n";
        assert_eq!(top_port_bits(net), ["a[0]", "a[1]", "a[2]", "b"]);
    }

    /// A gate `u_s/u_cg` clocking `r[0]`, a flip-flop `f` on the free clock, in one module.
    fn gated_design() -> (Vec<Leaf>, BTreeMap<String, CellInfo>, Activity) {
        let leaf = |kind: &str, name: &str, pins: &[(&str, &str)]| Leaf {
            path: format!("u_s/{name}"),
            scope: "u_s".into(),
            module: "gca_out_scale".into(),
            kind: kind.into(),
            pins: pins
                .iter()
                .map(|(p, n)| (p.to_string(), n.to_string()))
                .collect(),
        };
        let leaves = vec![
            leaf(
                "CLKGATE_X1",
                "u_cg",
                &[("CK", "clk"), ("E", "en"), ("GCK", "gclk_a")],
            ),
            leaf(
                "DFF_X1",
                "_1_",
                &[("CK", "gclk_a"), ("D", "_5_"), ("Q", "r[0]")],
            ),
            leaf("DFF_X1", "_2_", &[("CK", "clk"), ("D", "_6_"), ("Q", "f")]),
        ];
        let ff = CellInfo {
            sequential: true,
            outputs: ["Q".to_string()].into(),
            clock_pins: ["CK".to_string()].into(),
            ..CellInfo::default()
        };
        let gate = CellInfo {
            outputs: ["GCK".to_string()].into(),
            clock_pins: ["CK".to_string()].into(),
            gate: Some(netlist::GatePins {
                kind: "latch_posedge".into(),
                clock: "CK".into(),
                enable: "E".into(),
                out: "GCK".into(),
                test: None,
            }),
            ..CellInfo::default()
        };
        let cells = [("DFF_X1".to_string(), ff), ("CLKGATE_X1".to_string(), gate)].into();
        let bits = |t: u64| crate::sim::activity::Bits {
            lsb: 0,
            toggles: vec![t],
            duty: vec![0.5],
        };
        let activity = Activity {
            config_name: "tiny".into(),
            config_hash: String::new(),
            tokens: 4,
            warmup_tokens: 0,
            seed: 1,
            cycles: 100,
            // The gated clock rose 10 times in 100 cycles.
            signals: [
                ("u_s/gclk_a".to_string(), bits(20)),
                ("u_s/r".to_string(), bits(5)),
                ("u_s/f".to_string(), bits(50)),
            ]
            .into(),
        };
        (leaves, cells, activity)
    }

    #[test]
    fn gated_flip_flops_take_the_gates_pulses() {
        let (leaves, cells, activity) = gated_design();
        let act = map_activity(&leaves, &cells, &activity, &[]);
        assert_eq!(act.clock_share, [(1.0, 0.1), (0.1, 0.1), (1.0, 1.0)]);
        assert_eq!(act.gated, [false, true, false]);
        assert_eq!(act.free, [false, false, true]);
        let m = &act.mapping;
        assert_eq!(
            (m.clock_gates, m.clock_gates_mapped, m.gated_flip_flops),
            (1, 1, 1)
        );
        assert!((m.gated_clock_duty - 0.1).abs() < 1e-12);
        assert_eq!(act.by_cell[1], 0.05);

        // OpenSTA's figures: the gated flip-flop's clock pin at 4x the free one's (the slow
        // edge of an unbuffered gate), its data part 2 uW at activity 1.
        let w = |i: f64, s: f64| Watts {
            internal_w: i,
            switching_w: s,
            leakage_w: 1e-7,
            total_w: i + s + 1e-7,
        };
        let p0: CellPower = [
            ("u_s/u_cg".to_string(), w(20e-6, 100e-6)),
            ("u_s/_1_".to_string(), w(28e-6, 0.0)),
            ("u_s/_2_".to_string(), w(7e-6, 0.0)),
        ]
        .into();
        let p1: CellPower = [
            ("u_s/u_cg".to_string(), w(21e-6, 100e-6)),
            ("u_s/_1_".to_string(), w(30e-6, 1e-6)),
            ("u_s/_2_".to_string(), w(9e-6, 1e-6)),
        ]
        .into();
        let p = crate::config::load("tiny").unwrap();
        let r = combine(&p, &leaves, &act, &p0, &p1, &activity, "", "", 0.0);
        let gate = 20e-6 + 0.1 * 100e-6 + act.by_cell[0] * 1e-6;
        let gated = 0.1 * 7e-6 + 0.05 * (2e-6 + 1e-6);
        let free = 7e-6 + 0.5 * (2e-6 + 1e-6);
        let want = gate + gated + free + 3e-7;
        assert!(
            (r.total.total_w - want).abs() < 1e-12,
            "{} W, want {want}",
            r.total.total_w
        );
        let zero = 20e-6 + 0.1 * 100e-6 + 0.1 * 7e-6 + 7e-6 + 3e-7;
        assert!((r.at_zero_activity.total_w - zero).abs() < 1e-12);
    }

    #[test]
    fn every_block_is_named() {
        assert_eq!(block_of("gca_accumulator"), "accumulators");
        assert_eq!(block_of("gca_egress"), "stream ports");
        assert_eq!(block_of("gca_top"), "top and layer glue");
    }
}
