//! The performance and cost model of one configuration: latency from the hardware twin's cycle
//! model (`models::twin::schedule`, the schedule the RTL implements), energy and area from the
//! operation counts of the configuration times the paper-calibrated constants
//! ([`super::calibration`]), and the digital area of a flow run when one matches.

use serde::Serialize;

use crate::config::Params;
use crate::models::twin::schedule::{self, Schedule};
use crate::rtl::config_hash;

use super::calibration::{
    Calibration, GpuBaseline, GpuStep, OpCounts, PaperPoint, GPU_BASELINES, H200_STEPS,
    PAPER_AREA_PER_HEAD_MM2, PAPER_ENERGY_NJ, PAPER_HEAD_ARRAYS_MM2, PAPER_LATENCY_NS,
};
use super::flow::{FlowFigures, MeasuredEnergy};

/// Rounds to 4 decimals, so that printed figures are short and identical on every machine.
fn r4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// One phase of the per-token schedule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Phase {
    pub name: &'static str,
    /// First cycle after the last input beat, and duration.
    pub start_cycle: u64,
    pub cycles: u64,
    pub ns: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Latency {
    pub clock_mhz: f64,
    pub clock_period_ns: f64,
    /// quant, write, qk, av, readout, tree, scale.
    pub phases: Vec<Phase>,
    /// Last input beat accepted to first result beat valid, an idle layer (SPEC 3.2).
    pub decode_cycles: u64,
    pub decode_ns: f64,
    /// Of which the analog phases (write, QK, AV, readout).
    pub analog_cycles: u64,
    /// Beats of one token packet of a layer (header, q, k, v of every head).
    pub token_beats: u64,
    /// Beats of one result packet.
    pub result_beats: u64,
    /// First beat of a layer's token packet accepted to last beat of its result sent.
    pub layer_turnaround_cycles: u64,
    pub layer_turnaround_ns: f64,
    /// Attention of one token through every layer in turn (each layer's input depends on the
    /// previous layer; the rest of the transformer takes no time here).
    pub model_decode_ns: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Prefill {
    /// The configuration's mode (`hardware.prefill_overlap`).
    pub overlap_enabled: bool,
    /// Cycles between tokens of one layer for back-to-back packets.
    pub serial_cycles: u64,
    pub overlap_cycles: u64,
    pub serial_ns_per_token: f64,
    pub overlap_ns_per_token: f64,
    /// In the configuration's mode.
    pub ns_per_token: f64,
    pub tokens_per_s: f64,
    /// Every layer fed from the one input stream, tokens of the layers interleaved: cycles per
    /// token of the whole model, in the configuration's mode.
    pub model_cycles_per_token: u64,
    pub model_ns_per_token: f64,
    pub model_tokens_per_s: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Energy {
    pub qk_macs: u64,
    pub av_macs: u64,
    pub dac_conversions: u64,
    pub digital_ops: u64,
    pub qk_arrays_pj: f64,
    pub av_arrays_pj: f64,
    pub dacs_pj: f64,
    pub digital_pj: f64,
    pub per_token_per_head_nj: f64,
    pub per_token_per_layer_nj: f64,
    pub model_per_token_nj: f64,
    /// Where `digital_pj` comes from; the arrays and DACs are always the paper's calibration.
    pub digital_source: EnergySource,
}

/// Where the digital share of the energy comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnergySource {
    /// Operation counts x the paper's digital and routing energy per operation.
    Calibration,
    /// A `gca flow --power` run of this configuration (docs/power.md).
    Measured,
}

/// Where the control and periphery area comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaSource {
    /// Paper-calibrated estimate per channel.
    Estimate,
    /// Standard-cell area of a `gca flow` run of this configuration.
    Flow,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Area {
    pub source: AreaSource,
    pub cells_per_head: u64,
    pub cell_um2: f64,
    pub arrays_per_head_mm2: f64,
    /// Periphery and control of one head (estimate), or its digital standard cells (flow).
    pub control_per_head_mm2: f64,
    pub per_head_mm2: f64,
    /// All heads, plus (flow) the shared digital blocks.
    pub model_mm2: f64,
    pub model_arrays_mm2: f64,
}

/// One row of the comparison with a GPU.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GpuComparison {
    pub gpu: &'static str,
    pub gpu_latency_us: Option<f64>,
    pub gpu_energy_mj: Option<f64>,
    pub speedup: Option<f64>,
    pub energy_ratio: Option<f64>,
    pub paper_speedup: f64,
    pub paper_energy_ratio: f64,
}

/// This instance on the GPU baselines' workload: one token through the 12 heads of a layer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub heads: usize,
    /// Passes of a layer needed for 12 heads (1 when the layer has at least 12 heads).
    pub passes: u64,
    pub latency_ns: f64,
    pub energy_nj: f64,
    /// Whether the head shape matches the baselines' (D 64, window 1024).
    pub same_workload: bool,
    pub gpus: Vec<GpuComparison>,
    /// The H200 measured on this project's machine, with ratios against this instance.
    pub measured_gpus: Vec<MeasuredGpu>,
}

/// A GPU decode step measured here, against this instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasuredGpu {
    pub step: GpuStep,
    /// GPU step latency / this instance's latency for a layer's 12 heads.
    pub latency_ratio: f64,
    /// GPU dynamic energy per token per head / this instance's energy per token per head.
    pub dynamic_energy_ratio: f64,
}

/// Our figures next to the paper's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PaperFigures {
    pub latency_ns: f64,
    pub energy_per_token_per_head_nj: f64,
    pub area_per_head_mm2: f64,
    pub head_arrays_mm2: f64,
}

/// Every figure of the datasheet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figures {
    pub config_name: String,
    pub config_hash: String,
    pub n_layer: usize,
    pub n_head: usize,
    pub d_head: usize,
    pub window: usize,
    pub tile: usize,
    pub n_tiles: usize,
    pub latency: Latency,
    pub prefill: Prefill,
    pub energy: Energy,
    pub area: Area,
    pub comparison: Comparison,
    pub paper: PaperFigures,
    /// The flow run whose digital area was used, if any.
    pub flow: Option<FlowFigures>,
}

impl Figures {
    /// The figures of `p`; the digital area of `flow` replaces the estimate when given.
    pub fn new(p: &Params, flow: Option<&FlowFigures>) -> Figures {
        let cal = Calibration::paper();
        let latency = latency(p);
        let energy = energy(p, &cal, flow.and_then(|f| f.power.as_ref()));
        let area = area(p, &cal, flow);
        let comparison = comparison(p, &latency, &energy);
        Figures {
            config_name: p.name.clone(),
            config_hash: config_hash(p),
            n_layer: p.shape.n_layer,
            n_head: p.shape.n_head,
            d_head: p.shape.d_head,
            window: p.shape.window,
            tile: p.shape.tile,
            n_tiles: p.shape.n_tiles,
            prefill: prefill(p),
            latency,
            energy,
            area,
            comparison,
            paper: PaperFigures {
                latency_ns: PAPER_LATENCY_NS,
                energy_per_token_per_head_nj: PAPER_ENERGY_NJ,
                area_per_head_mm2: PAPER_AREA_PER_HEAD_MM2,
                head_arrays_mm2: PAPER_HEAD_ARRAYS_MM2,
            },
            flow: flow.cloned(),
        }
    }

    /// The headline figures as one JSON object (`gca report --json`, docs/datasheet.json).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "config_name": self.config_name,
            "config_hash": self.config_hash,
            "decode_latency_cycles": self.latency.decode_cycles,
            "decode_latency_ns": self.latency.decode_ns,
            "prefill_ns_per_token": self.prefill.ns_per_token,
            "prefill_ns_per_token_serial": self.prefill.serial_ns_per_token,
            "prefill_ns_per_token_overlap": self.prefill.overlap_ns_per_token,
            "energy_per_token_per_head_nj": self.energy.per_token_per_head_nj,
            "digital_energy_per_token_per_head_pj": self.energy.digital_pj,
            "digital_energy_source": self.energy.digital_source,
            "digital_energy_blocks_pj": self
                .flow
                .as_ref()
                .and_then(|f| f.power.as_ref())
                .map(|m| m.blocks.clone()),
            "area_per_head_mm2": self.area.per_head_mm2,
            "area_source": self.area.source,
            "layer_turnaround_cycles": self.latency.layer_turnaround_cycles,
            "model_decode_latency_ns": self.latency.model_decode_ns,
            "model_prefill_ns_per_token": self.prefill.model_ns_per_token,
            "model_energy_per_token_nj": self.energy.model_per_token_nj,
            "model_area_mm2": self.area.model_mm2,
            "figures": self,
        })
    }
}

fn latency(p: &Params) -> Latency {
    let c = p.cycles;
    let ns = |cycles: u64| r4(cycles as f64 * c.clock_period_ns);
    let mut start = 0;
    let phases: Vec<Phase> = c
        .phases()
        .iter()
        .map(|&(name, cycles)| {
            let ph = Phase {
                name,
                start_cycle: start,
                cycles,
                ns: ns(cycles),
            };
            start += cycles;
            ph
        })
        .collect();
    let t = Schedule::new(p).token(0, 0);
    let decode = schedule::decode_latency(p);
    debug_assert_eq!(decode, t.latency());
    debug_assert_eq!(decode, start);
    let result_beats = p.stream.result_beats as u64;
    let turnaround = t.result + result_beats - t.header;
    Latency {
        clock_mhz: p.hardware.timing.clock_mhz,
        clock_period_ns: r4(c.clock_period_ns),
        phases,
        decode_cycles: decode,
        decode_ns: ns(decode),
        analog_cycles: c.write + c.qk + c.av + c.readout,
        token_beats: p.stream.token_beats as u64,
        result_beats,
        layer_turnaround_cycles: turnaround,
        layer_turnaround_ns: ns(turnaround),
        model_decode_ns: ns(turnaround * p.shape.n_layer as u64),
    }
}

/// Steady-state cycles per token of the whole model when the layers' packets share the input
/// stream round-robin, from the twin's schedule.
pub fn model_prefill_cycles(p: &Params, overlap: bool) -> u64 {
    let mut s = Schedule::with_overlap(p, overlap);
    let rounds = 16;
    let mut first_layer_results = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t0 = s.token(0, 0);
        for l in 1..p.shape.n_layer {
            s.token(l, 0);
        }
        first_layer_results.push(t0.result);
    }
    first_layer_results[rounds - 1] - first_layer_results[rounds - 2]
}

fn prefill(p: &Params) -> Prefill {
    let period = p.cycles.clock_period_ns;
    let overlap = p.hardware.prefill_overlap;
    let serial = schedule::prefill_cycles_per_token(p, false);
    let over = schedule::prefill_cycles_per_token(p, true);
    let mine = if overlap { over } else { serial };
    let model = model_prefill_cycles(p, overlap);
    Prefill {
        overlap_enabled: overlap,
        serial_cycles: serial,
        overlap_cycles: over,
        serial_ns_per_token: r4(serial as f64 * period),
        overlap_ns_per_token: r4(over as f64 * period),
        ns_per_token: r4(mine as f64 * period),
        tokens_per_s: (1e9 / (mine as f64 * period)).round(),
        model_cycles_per_token: model,
        model_ns_per_token: r4(model as f64 * period),
        model_tokens_per_s: (1e9 / (model as f64 * period)).round(),
    }
}

fn energy(p: &Params, cal: &Calibration, measured: Option<&MeasuredEnergy>) -> Energy {
    let n = OpCounts::of(p);
    let qk = n.qk_macs as f64 * cal.qk_mac_pj;
    let av = n.av_macs as f64 * cal.av_mac_pj;
    let dacs = n.dac_conversions as f64 * cal.dac_conversion_pj;
    let (digital, digital_source) = match measured {
        Some(m) => (
            m.digital_energy_per_token_per_head_pj,
            EnergySource::Measured,
        ),
        None => (
            n.digital_ops as f64 * cal.digital_op_pj,
            EnergySource::Calibration,
        ),
    };
    let head_nj = (qk + av + dacs + digital) / 1000.0;
    Energy {
        qk_macs: n.qk_macs,
        av_macs: n.av_macs,
        dac_conversions: n.dac_conversions,
        digital_ops: n.digital_ops,
        qk_arrays_pj: r4(qk),
        av_arrays_pj: r4(av),
        dacs_pj: r4(dacs),
        digital_pj: r4(digital),
        per_token_per_head_nj: r4(head_nj),
        per_token_per_layer_nj: r4(head_nj * p.shape.n_head as f64),
        model_per_token_nj: r4(head_nj * (p.shape.n_head * p.shape.n_layer) as f64),
        digital_source,
    }
}

fn area(p: &Params, cal: &Calibration, flow: Option<&FlowFigures>) -> Area {
    let heads = (p.shape.n_layer * p.shape.n_head) as f64;
    let cells = 2 * (p.shape.window * p.shape.d_head) as u64;
    let arrays = cells as f64 * cal.cell_um2 / 1e6;
    let (source, control, model_control) = match flow {
        Some(f) => (
            AreaSource::Flow,
            f.area_per_head_um2 / 1e6,
            f.area_um2 / 1e6,
        ),
        None => {
            let c = OpCounts::of(p).channels as f64 * cal.channel_um2 / 1e6;
            (AreaSource::Estimate, c, c * heads)
        }
    };
    Area {
        source,
        cells_per_head: cells,
        cell_um2: cal.cell_um2,
        arrays_per_head_mm2: r4(arrays),
        control_per_head_mm2: r4(control),
        per_head_mm2: r4(arrays + control),
        model_mm2: r4(arrays * heads + model_control),
        model_arrays_mm2: r4(arrays * heads),
    }
}

fn comparison(p: &Params, lat: &Latency, energy: &Energy) -> Comparison {
    let heads = PaperPoint::HEADS;
    let passes = heads.div_ceil(p.shape.n_head) as u64;
    let latency_ns = lat.decode_ns * passes as f64;
    let energy_nj = energy.per_token_per_head_nj * heads as f64;
    let gpus = GPU_BASELINES
        .iter()
        .map(|g: &GpuBaseline| GpuComparison {
            gpu: g.name,
            gpu_latency_us: g.latency_us,
            gpu_energy_mj: g.energy_mj,
            speedup: g.latency_us.map(|us| (us * 1000.0 / latency_ns).round()),
            energy_ratio: g.energy_mj.map(|mj| (mj * 1e6 / energy_nj).round()),
            paper_speedup: g.paper_speedup,
            paper_energy_ratio: g.paper_energy_ratio,
        })
        .collect();
    Comparison {
        heads,
        passes,
        latency_ns: r4(latency_ns),
        energy_nj: r4(energy_nj),
        same_workload: p.shape.d_head == PaperPoint::D_HEAD && p.shape.window == PaperPoint::WINDOW,
        gpus,
        measured_gpus: H200_STEPS
            .iter()
            .map(|s| MeasuredGpu {
                step: *s,
                latency_ratio: (s.latency_us * 1000.0 / latency_ns).round(),
                dynamic_energy_ratio: (s.dynamic_energy_uj * 1e3 / energy.per_token_per_head_nj)
                    .round(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    #[test]
    fn gpt2_lands_on_the_paper_point() {
        let p = config::load("gpt2").unwrap();
        let f = Figures::new(&p, None);
        assert_eq!(f.latency.decode_cycles, 62);
        assert!(f.latency.decode_ns <= PAPER_LATENCY_NS);
        assert_eq!(f.energy.per_token_per_head_nj, 6.15);
        assert_eq!(f.area.per_head_mm2, PAPER_AREA_PER_HEAD_MM2);
        assert_eq!(f.prefill.overlap_cycles, 48);
        assert_eq!(f.prefill.serial_cycles, 56);
    }

    #[test]
    fn whole_model_prefill_is_bounded_by_the_shared_input_stream() {
        for name in ["tiny", "gpt2", "gpt2-head"] {
            let p = config::load(name).unwrap();
            let per_layer = p.cycles.prefill(p.hardware.prefill_overlap);
            let stream = (p.shape.n_layer * p.stream.token_beats) as u64;
            assert_eq!(
                model_prefill_cycles(&p, p.hardware.prefill_overlap),
                per_layer.max(stream),
                "{name}"
            );
        }
    }

    #[test]
    fn a_measured_digital_energy_replaces_the_calibrated_share_only() {
        let p = config::load("gpt2").unwrap();
        let calibrated = Figures::new(&p, None);
        assert_eq!(calibrated.energy.digital_source, EnergySource::Calibration);
        assert_eq!(calibrated.energy.digital_pj, 4000.0);
        let report = format!(
            r#"{{"config_hash": "{}", "clock_mhz": 1000, "wns_ns": 0.01, "whs_ns": 0.02,
               "fmax_mhz": 1010, "area_um2": 1e6, "area_per_head_um2": 3e5, "flip_flops": 9,
               "unconstrained_endpoints": 0,
               "power": {{"digital_energy_per_token_per_head_pj": 1234.5, "library": "lib",
                          "corner": "typical", "tokens": 64, "seed": 7,
                          "blocks": [{{"block": "CSR", "energy_per_token_per_head_pj": 1234.5}}]}}}}"#,
            config_hash(&p)
        );
        let flow = super::super::flow::parse(&p, &report, "r.json").unwrap();
        let f = Figures::new(&p, Some(&flow));
        assert_eq!(f.energy.digital_source, EnergySource::Measured);
        assert_eq!(f.energy.digital_pj, 1234.5);
        // The arrays and DACs are untouched: 6150 - 4000 + 1234.5 pJ.
        assert!((f.energy.per_token_per_head_nj - 3.3845).abs() < 1e-9);
        let v = f.to_json();
        assert_eq!(v["digital_energy_per_token_per_head_pj"], 1234.5);
        assert_eq!(v["digital_energy_source"], "measured");
        assert_eq!(v["digital_energy_blocks_pj"][0][0], "CSR");
    }
}
