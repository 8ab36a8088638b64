//! The report of a flow run: `flow_report.json` (the keys the datasheet reads) and
//! `flow_report.md` / the text printed by `gca flow`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::power::PowerReport;
use super::sta::Step;

/// One run of `gca flow`. Areas are standard-cell areas of the digital logic (the macros are
/// blackboxes; their area model is reported apart), in um^2.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowReport {
    pub config_name: String,
    pub config_hash: String,
    /// The standard-cell Liberty file.
    pub liberty: String,
    pub macro_liberty: String,
    pub sdc: String,
    pub yosys_version: String,
    pub sta_version: String,
    pub clock_mhz: f64,
    pub period_ns: f64,
    /// Worst setup slack of the clock group (register, input and output paths), ns.
    pub wns_ns: f64,
    /// Worst hold slack of the clock group, ns.
    pub whs_ns: f64,
    pub meets_timing: bool,
    /// The highest clock at which the clock group meets setup, MHz.
    pub fmax_mhz: f64,
    /// Recovery and removal slack of the asynchronous reset, which has no buffer tree before
    /// place and route (docs/flow.md).
    pub reset_recovery_ns: Option<f64>,
    pub reset_removal_ns: Option<f64>,
    /// Digital standard-cell area of the whole design.
    pub area_um2: f64,
    /// `area_um2` over the heads: the share of one head including all control.
    pub area_per_head_um2: f64,
    /// One `gca_head` instance alone (staging, PWM, accumulators; the quantizer and output
    /// scaler are the layer's).
    pub head_datapath_um2: f64,
    pub heads: usize,
    /// Area of one instance of each module, everything inside it included.
    pub area_per_module_um2: BTreeMap<String, f64>,
    pub instances_per_module: BTreeMap<String, usize>,
    /// The analog macro (area model of the Liberty and LEF views).
    pub macro_instances: usize,
    pub macro_area_um2: f64,
    pub flip_flops: usize,
    /// Endpoints without a timing check, outputs tied to a constant not counted.
    pub unconstrained_endpoints: usize,
    pub unconstrained: Vec<String>,
    /// Outputs the synthesis tied to a constant (no timing path, so OpenSTA lists them as
    /// unconstrained although the SDC constrains them), e.g. bit 0 of BRESP and RRESP.
    pub constant_outputs: Vec<String>,
    pub critical_path_start: String,
    pub critical_path_end: String,
    /// The worst setup path of the clock group, pin by pin.
    pub critical_path: Vec<Step>,
    pub hold_path_start: String,
    pub hold_path_end: String,
    /// Warnings of OpenSTA while reading the libraries, the netlist and the SDC.
    pub sta_read_warnings: Vec<String>,
    pub synthesis_seconds: f64,
    pub sta_seconds: f64,
    /// Measured digital energy per token per head (`--power`), pJ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital_energy_per_token_per_head_pj: Option<f64>,
    /// The power run (`--power`): totals, breakdown by block and module, activity mapping.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power: Option<PowerReport>,
}

/// The instance path of a pin: `u_layer0/u_head0/u_count/_1445_/D` -> `u_layer0/u_head0/u_count`.
fn instance_of(pin: &str) -> &str {
    let parts: Vec<&str> = pin.rsplitn(3, '/').collect();
    if parts.len() == 3 {
        parts[2]
    } else {
        "(top)"
    }
}

impl FlowReport {
    /// The instances the critical path goes through, in order, without repeats.
    pub fn path_instances(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.critical_path {
            let i = instance_of(&s.pin).to_string();
            if out.last() != Some(&i) {
                out.push(i);
            }
        }
        out
    }

    /// The summary `gca flow` prints and `flow_report.md` holds.
    pub fn text(&self) -> String {
        let mut o = String::new();
        let met = if self.meets_timing { "met" } else { "NOT met" };
        let _ = writeln!(
            o,
            "gca flow: {} (config {})",
            self.config_name,
            &self.config_hash[..16]
        );
        let _ = writeln!(o, "  library                   {}", self.liberty);
        let _ = writeln!(
            o,
            "  clock                     {} MHz ({} ns): {met}",
            self.clock_mhz, self.period_ns
        );
        let _ = writeln!(o, "  worst setup slack (WNS)   {:.3} ns", self.wns_ns);
        let _ = writeln!(o, "  worst hold slack (WHS)    {:.3} ns", self.whs_ns);
        let _ = writeln!(o, "  highest clock (fmax)      {:.0} MHz", self.fmax_mhz);
        if let (Some(rec), Some(rem)) = (self.reset_recovery_ns, self.reset_removal_ns) {
            let _ = writeln!(
                o,
                "  reset recovery / removal  {rec:.3} / {rem:.3} ns (unbuffered reset net, see docs/flow.md)"
            );
        }
        let _ = writeln!(
            o,
            "  critical path             {} -> {}",
            self.critical_path_start, self.critical_path_end
        );
        let _ = writeln!(
            o,
            "    through                 {}",
            self.path_instances().join(" -> ")
        );
        let _ = writeln!(
            o,
            "  digital cell area         {:.0} um^2 ({:.4} mm^2)",
            self.area_um2,
            self.area_um2 / 1e6
        );
        let _ = writeln!(
            o,
            "  per head ({} heads)        {:.0} um^2 = {:.4} mm^2 with control (paper: 0.5 mm^2 per head with control); gca_head alone {:.0} um^2",
            self.heads,
            self.area_per_head_um2,
            self.area_per_head_um2 / 1e6,
            self.head_datapath_um2
        );
        let _ = writeln!(
            o,
            "  analog macro              {} x {:.0} um^2 (area model)",
            self.macro_instances, self.macro_area_um2
        );
        let _ = writeln!(o, "  flip-flops                {}", self.flip_flops);
        let _ = writeln!(
            o,
            "  unconstrained endpoints   {}",
            self.unconstrained_endpoints
        );
        if !self.constant_outputs.is_empty() {
            let _ = writeln!(
                o,
                "  constant outputs          {} (tied off, no timing path)",
                self.constant_outputs.join(" ")
            );
        }
        let _ = writeln!(
            o,
            "  area per module (one instance, with its submodules; instances):"
        );
        for (m, a) in &self.area_per_module_um2 {
            let n = self.instances_per_module.get(m).copied().unwrap_or(0);
            let _ = writeln!(o, "    {m:<22} {a:>12.1} um^2  x{n}");
        }
        if let Some(w) = &self.power {
            o.push_str(&w.text());
        }
        o
    }

    /// `flow_report.md`: the summary and the critical path pin by pin.
    pub fn markdown(&self) -> String {
        let mut o = format!(
            "# Flow report: `{}`\n\n```\n{}```\n\n",
            self.config_name,
            self.text()
        );
        o.push_str("## Critical path (setup, clock group)\n\n");
        o.push_str("| pin | cell | delay (ns) | arrival (ns) |\n|---|---|---:|---:|\n");
        for s in &self.critical_path {
            let _ = writeln!(
                o,
                "| `{}` | {} | {:.3} | {:.3} |",
                s.pin, s.cell, s.delay_ns, s.arrival_ns
            );
        }
        o.push_str(&format!(
            "\nSynthesis {:.0} s ({}), timing {:.0} s ({}).\n",
            self.synthesis_seconds, self.yosys_version, self.sta_seconds, self.sta_version
        ));
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_of_a_pin() {
        assert_eq!(
            instance_of("u_layer0/u_head0/u_count/_1445_/D"),
            "u_layer0/u_head0/u_count"
        );
        assert_eq!(instance_of("_5_/ZN"), "(top)");
    }
}
