//! The paper's figures (SPEC section 6) and the per-operation constants derived from them.
//!
//! The paper reports one operating point: a GPT-2 head (D 64, window 1024, 64-token tiles, 16
//! query, 8 key/value and 32 output levels, 1 GHz, T_max 15 ns) at 65 ns and 6.1 nJ per token
//! (QK arrays 1,120 pJ, AV arrays 700 pJ, DACs 330 pJ, digital and routing 4 nJ) and about
//! 0.5 mm^2 with control. Each energy component is divided by the number of operations of its
//! kind that the paper's head performs per token ([`OpCounts`] at [`PaperPoint`]), which gives
//! an energy per operation; a configuration's energy is its own operation counts times these.
//! The same is done for the area of the periphery and control. Nothing else is assumed: no
//! process, voltage or timing scaling (a longer T_max or a wider DAC costs the same per
//! operation here), and the window is full (steady-state decode).

use crate::config::Params;

/// Per token per head decode latency, ns.
pub const PAPER_LATENCY_NS: f64 = 65.0;
/// Per token per head energy components, pJ.
pub const PAPER_QK_ARRAYS_PJ: f64 = 1120.0;
pub const PAPER_AV_ARRAYS_PJ: f64 = 700.0;
pub const PAPER_DACS_PJ: f64 = 330.0;
pub const PAPER_DIGITAL_PJ: f64 = 4000.0;
/// The total as the paper states it (the components add up to 6.15 nJ).
pub const PAPER_ENERGY_NJ: f64 = 6.1;
/// Area of one head with its control, mm^2.
pub const PAPER_AREA_PER_HEAD_MM2: f64 = 0.5;
/// One head's K and V arrays as the paper states them, mm^2.
pub const PAPER_HEAD_ARRAYS_MM2: f64 = 0.0157;
/// Area of one gain cell, um^2 (the paper: "about 1 um^2").
pub const CELL_AREA_UM2: f64 = 1.0;

/// The paper's GPT-2 head: the configuration at which the constants are calibrated. The `gpt2`
/// preset resolves to it (a test checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaperPoint;

impl PaperPoint {
    pub const D_HEAD: usize = 64;
    pub const WINDOW: usize = 1024;
    pub const TILE: usize = 64;
    /// Heads per layer of GPT-2 (the GPU baselines' workload).
    pub const HEADS: usize = 12;

    pub fn counts() -> OpCounts {
        OpCounts::of_shape(Self::D_HEAD, Self::WINDOW, Self::TILE)
    }
}

/// What one head does for one decode token with its window full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpCounts {
    /// Gain-cell multiply-accumulates of the QK product: D rows x M columns.
    pub qk_macs: u64,
    /// Gain-cell multiply-accumulates of the AV product: M rows x D columns.
    pub av_macs: u64,
    /// DAC conversions of the write: D key codes and D value codes.
    pub dac_conversions: u64,
    /// Digital operations on D-vectors: 3 D quantizations (q, k, v), D PWM pulses, n_tiles D
    /// pulse counts, (n_tiles - 1) D tile additions and D output scalings.
    pub digital_ops: u64,
    /// Peripheral and control channels: M column charge-to-pulse circuits with their column
    /// enables, n_tiles D output charge-to-pulse circuits with their counters, and 3 D input
    /// channels (q PWM drivers, k and v DACs).
    pub channels: u64,
}

impl OpCounts {
    pub fn of_shape(d_head: usize, window: usize, tile: usize) -> OpCounts {
        let (d, m) = (d_head as u64, window as u64);
        let tiles = m / tile as u64;
        OpCounts {
            qk_macs: d * m,
            av_macs: m * d,
            dac_conversions: 2 * d,
            digital_ops: 3 * d + d + tiles * d + (tiles - 1) * d + d,
            channels: m + tiles * d + 3 * d,
        }
    }

    pub fn of(p: &Params) -> OpCounts {
        OpCounts::of_shape(p.shape.d_head, p.shape.window, p.shape.tile)
    }
}

/// Energy and area per operation, derived from the paper's figures at [`PaperPoint`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calibration {
    /// Energy of one gain-cell MAC in a K array, pJ: QK arrays / (D M).
    pub qk_mac_pj: f64,
    /// Energy of one gain-cell MAC in a V array, pJ: AV arrays / (M D).
    pub av_mac_pj: f64,
    /// Energy of one DAC conversion (a key or value code written into a cell), pJ: DACs / 2 D.
    pub dac_conversion_pj: f64,
    /// Energy of one digital operation, routing included, pJ: digital / digital_ops.
    pub digital_op_pj: f64,
    /// Area of one gain cell, um^2 ([`CELL_AREA_UM2`]).
    pub cell_um2: f64,
    /// Area of one peripheral or control channel, um^2: (paper head area - 2 D M cells) /
    /// channels, so that the paper's head comes out at its 0.5 mm^2.
    pub channel_um2: f64,
}

impl Calibration {
    pub fn paper() -> Calibration {
        let n = PaperPoint::counts();
        let cells = 2 * PaperPoint::D_HEAD as u64 * PaperPoint::WINDOW as u64;
        let arrays_um2 = cells as f64 * CELL_AREA_UM2;
        Calibration {
            qk_mac_pj: PAPER_QK_ARRAYS_PJ / n.qk_macs as f64,
            av_mac_pj: PAPER_AV_ARRAYS_PJ / n.av_macs as f64,
            dac_conversion_pj: PAPER_DACS_PJ / n.dac_conversions as f64,
            digital_op_pj: PAPER_DIGITAL_PJ / n.digital_ops as f64,
            cell_um2: CELL_AREA_UM2,
            channel_um2: (PAPER_AREA_PER_HEAD_MM2 * 1e6 - arrays_um2) / n.channels as f64,
        }
    }
}

/// The authors' measured GPU baselines (attention only) and the ratios the paper claims.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GpuBaseline {
    pub name: &'static str,
    /// Measured latency and energy per token, when the paper gives them.
    pub latency_us: Option<f64>,
    pub energy_mj: Option<f64>,
    /// The paper's claimed speed-up and energy reduction of its design over this GPU.
    pub paper_speedup: f64,
    pub paper_energy_ratio: f64,
}

/// SPEC section 6: RTX 4090 and Jetson Nano measured at batch 64, 12 heads, D 64, window 1024;
/// the H100 ratios are claimed without a published baseline.
pub const GPU_BASELINES: [GpuBaseline; 3] = [
    GpuBaseline {
        name: "Jetson Nano",
        latency_us: Some(489.0),
        energy_mj: Some(3.25),
        paper_speedup: 7000.0,
        paper_energy_ratio: 40000.0,
    },
    GpuBaseline {
        name: "RTX 4090",
        latency_us: Some(22.4),
        energy_mj: Some(7.18),
        paper_speedup: 300.0,
        paper_energy_ratio: 90000.0,
    },
    GpuBaseline {
        name: "H100",
        latency_us: None,
        energy_mj: None,
        paper_speedup: 100.0,
        paper_energy_ratio: 70000.0,
    },
];

/// One decode step of a GPU measured on this project's H200 (../shared/FINDINGS.md): the
/// authors' benchmark (12 heads, D 64, window 1024, one token per step into a KV cache,
/// PyTorch `scaled_dot_product_attention`), PyTorch 2.11, CUDA 13; energy from NVML's
/// total-energy counter over at least 4 s, the idle 78 W subtracted for the dynamic energy.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct GpuStep {
    pub gpu: &'static str,
    pub batch: u32,
    pub dtype: &'static str,
    /// `CUDA graph` or `eager`.
    pub launch: &'static str,
    /// Latency of one decode step of one layer's attention, us.
    pub latency_us: f64,
    /// Per token per head, uJ.
    pub dynamic_energy_uj: f64,
    pub total_energy_uj: f64,
}

/// The H200 measurements (FINDINGS.md, 2026-12).
pub const H200_STEPS: [GpuStep; 6] = [
    GpuStep {
        gpu: "H200",
        batch: 64,
        dtype: "fp16",
        launch: "CUDA graph",
        latency_us: 60.3,
        dynamic_energy_uj: 24.3,
        total_energy_uj: 30.4,
    },
    GpuStep {
        gpu: "H200",
        batch: 64,
        dtype: "fp16",
        launch: "eager",
        latency_us: 65.1,
        dynamic_energy_uj: 37.1,
        total_energy_uj: 43.7,
    },
    GpuStep {
        gpu: "H200",
        batch: 64,
        dtype: "fp32",
        launch: "eager",
        latency_us: 416.6,
        dynamic_energy_uj: 288.0,
        total_energy_uj: 331.0,
    },
    GpuStep {
        gpu: "H200",
        batch: 1,
        dtype: "fp16",
        launch: "CUDA graph",
        latency_us: 11.6,
        dynamic_energy_uj: 59.2,
        total_energy_uj: 134.7,
    },
    GpuStep {
        gpu: "H200",
        batch: 1,
        dtype: "fp16",
        launch: "eager",
        latency_us: 54.3,
        dynamic_energy_uj: 233.0,
        total_energy_uj: 588.0,
    },
    GpuStep {
        gpu: "H200",
        batch: 1,
        dtype: "fp32",
        launch: "eager",
        latency_us: 110.1,
        dynamic_energy_uj: 587.0,
        total_energy_uj: 1307.0,
    },
];

/// Batch size of the GPU measurements.
pub const GPU_BATCH: u32 = 64;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    #[test]
    fn the_gpt2_preset_is_the_paper_point() {
        let p = config::load("gpt2").unwrap();
        assert_eq!(
            (p.shape.d_head, p.shape.window, p.shape.tile, p.shape.n_head),
            (
                PaperPoint::D_HEAD,
                PaperPoint::WINDOW,
                PaperPoint::TILE,
                PaperPoint::HEADS
            )
        );
        assert_eq!(OpCounts::of(&p), PaperPoint::counts());
    }

    #[test]
    fn the_constants_reproduce_the_paper_components() {
        let c = Calibration::paper();
        let n = PaperPoint::counts();
        assert_eq!(n.digital_ops, 2304);
        assert_eq!(n.channels, 2240);
        assert!((c.qk_mac_pj * n.qk_macs as f64 - PAPER_QK_ARRAYS_PJ).abs() < 1e-9);
        assert!((c.av_mac_pj * n.av_macs as f64 - PAPER_AV_ARRAYS_PJ).abs() < 1e-9);
        assert!((c.dac_conversion_pj * n.dac_conversions as f64 - PAPER_DACS_PJ).abs() < 1e-9);
        assert!((c.digital_op_pj * n.digital_ops as f64 - PAPER_DIGITAL_PJ).abs() < 1e-9);
    }
}
