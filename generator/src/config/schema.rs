//! The configuration file as the user writes it (YAML, or a preset, or a Hugging Face
//! `config.json` mapped onto it). Every hardware field has a default, and every default lives
//! here, in the `Default` impls of this file: the paper's values (SPEC section 2 and 3.2).
//! Unknown fields are rejected by serde (`deny_unknown_fields`).

use serde::{Deserialize, Serialize};

/// Coefficients of the polynomial gain cell (paper Eq. 4, fitted to SPICE), in the order
/// (p,r) = (0,0),(0,1),(0,2),(0,3),(1,0),(1,1),(1,2),(2,0),(2,1),(3,0).
pub const PAPER_POLY_COEFFS: [f64; 10] = [
    0.17393044,
    0.15653739,
    0.14088365,
    0.12679529,
    5.51975209,
    4.96777688,
    4.4709992,
    -1.44776001,
    -1.30298401,
    46.05483778,
];

/// A whole configuration file.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Name of the configuration; names the output folder. Default: the preset's name or the
    /// file's stem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Take the model shape of this preset (give either `preset` or `model`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// The transformer: required unless `preset` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    #[serde(default)]
    pub hardware: Hardware,
}

/// The GPT-2 shape, as in a Hugging Face `config.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub n_layer: u64,
    pub n_head: u64,
    pub n_embd: u64,
    pub n_ctx: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CellModel {
    Linear,
    Polynomial,
}

/// Hardware fields. `window` and `tile` default to the model's context and 64.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hardware {
    /// Sliding window M in tokens (KV-cache columns per head). Default: `model.n_ctx`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<u64>,
    /// Tile C in tokens (columns of one analog sub-tile).
    pub tile: u64,
    pub levels: Levels,
    pub cell: Cell,
    pub analog: Analog,
    /// Decay lambda per token of age: a cell written `age` tokens ago holds u * exp(-lambda)^age.
    pub decay_per_token: f64,
    pub timing: Timing,
    pub stream: Stream,
    /// Overlap the write of token t+1 with the read phases of token t (prefill throughput).
    pub prefill_overlap: bool,
    pub fixed_point: FixedPoint,
    /// Technology profile of the macro's physical views and the flow collateral
    /// (`config::pdk::PROFILES`: `nangate45`, `sky130`).
    pub pdk: String,
}

impl Default for Hardware {
    fn default() -> Self {
        Self {
            window: None,
            tile: 64,
            levels: Levels::default(),
            cell: Cell::default(),
            analog: Analog::default(),
            decay_per_token: 1.6e-4,
            timing: Timing::default(),
            stream: Stream::default(),
            prefill_overlap: false,
            fixed_point: FixedPoint::default(),
            pdk: super::pdk::DEFAULT_PDK.to_string(),
        }
    }
}

/// Quantization levels: queries on [0, 1], keys and values on [0, V_max], outputs on [-1, 1].
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Levels {
    pub q: u64,
    pub kv: u64,
    pub out: u64,
}

impl Default for Levels {
    fn default() -> Self {
        Self {
            q: 16,
            kv: 8,
            out: 32,
        }
    }
}

/// The gain-cell transfer function g(u).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cell {
    pub model: CellModel,
    /// g(u) = linear_gain * u for the linear cell.
    pub linear_gain: f64,
    /// Polynomial cell coefficients, 10 numbers (see `PAPER_POLY_COEFFS`).
    pub poly_coeffs: Vec<f64>,
    /// Read pulse amplitude V_in of the polynomial cell, volts.
    pub v_in: f64,
}

impl Default for Cell {
    fn default() -> Self {
        Self {
            model: CellModel::Polynomial,
            linear_gain: 19.3,
            poly_coeffs: PAPER_POLY_COEFFS.to_vec(),
            v_in: 0.9,
        }
    }
}

/// Analog operating points.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Analog {
    /// Top of the key/value voltage range, volts.
    pub v_max: f64,
    /// Cell offset voltage: u = stored voltage - v_off.
    pub v_off: f64,
    /// Score saturation: phi = clamp(S / s_sat, 0, 1).
    pub s_sat: f64,
    /// Output saturation: o = Qz(clamp(A / a_sat, -1, 1)).
    pub a_sat: f64,
}

impl Default for Analog {
    fn default() -> Self {
        Self {
            v_max: 0.9,
            v_off: 0.45,
            s_sat: 80.0,
            a_sat: 40.0,
        }
    }
}

/// Clock and analog phase durations. Durations in ns become whole cycles (rounded up), except
/// the PWM step (T_max / (levels.q - 1)), which must be a whole number of cycles.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timing {
    pub clock_mhz: f64,
    /// Full-scale PWM pulse T_max, ns.
    pub t_max_ns: f64,
    /// DAC write of one K column and one V row, ns.
    pub t_write_ns: f64,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            clock_mhz: 1000.0,
            t_max_ns: 15.0,
            t_write_ns: 10.0,
        }
    }
}

/// Stream widths and the fixed-point formats of the values that cross the chip boundary.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Stream {
    /// AXI4-Stream TDATA width of both streams, bits.
    pub tdata_bits: u64,
    /// Signed q, k, v input values: width and fractional bits.
    pub in_bits: u64,
    pub in_frac_bits: u64,
    /// Signed outputs: width and fractional bits.
    pub out_bits: u64,
    pub out_frac_bits: u64,
}

impl Default for Stream {
    fn default() -> Self {
        Self {
            tdata_bits: 512,
            in_bits: 8,
            in_frac_bits: 5,
            out_bits: 16,
            out_frac_bits: 8,
        }
    }
}

/// Fixed-point formats of the hardware twin and the behavioral macro (docs/hardware-twin.md).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FixedPoint {
    /// Signed scaler registers (gain and offset in code units): width and fractional bits.
    pub scaler_bits: u64,
    pub scaler_frac_bits: u64,
    /// Fractional bits of the cell table G = g(d * u) * 2^g_frac_bits.
    pub g_frac_bits: u64,
    /// Fractional bits of phi (pulse width as a fraction of T_max).
    pub phi_frac_bits: u64,
}

impl Default for FixedPoint {
    fn default() -> Self {
        Self {
            scaler_bits: 16,
            scaler_frac_bits: 10,
            g_frac_bits: 16,
            phi_frac_bits: 16,
        }
    }
}
