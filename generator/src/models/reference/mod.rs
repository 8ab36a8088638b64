//! R, the float64 reference model of analog in-memory (gain-cell) attention.
//!
//! This is a direct, unoptimised transcription of the authors' PyTorch reference
//! (`LinearDRAMAttention` and `DRAMAttention` in `modules/model_gpt.py` of
//! NathanLeroux-git/GainCellAttention, Leroux et al. 2025). Per head, with head dimension `D`,
//! a window of `M` tokens and tiles of `C` tokens (`n_tiles = M / C`):
//!
//! 1. `q' = Qz(clamp(a_q q + b_q, 0, 1), L_q, 0, 1)`, `k'` and `v'` likewise on `[0, V_max]`
//!    with `L_kv` levels ([`quantize`]).
//! 2. For a key `j` in the window of query `i` (`i - M < j <= i`), `age = i - j`,
//!    `d = exp(-lambda)^age`: `S_ij = sum_dims q'_i * g(d * (k'_j - V_off))` ([`RefParams::g`]);
//!    keys outside the window are gated off (they contribute nothing, never `g(0)`).
//! 3. `phi_ij = clamp(S_ij / S_sat, 0, 1)` (hard sigmoid, no softmax, no scaling, not quantized).
//! 4. Token `j` lives in slot `j mod M`, tile `slot / C`. Per tile
//!    `A_it = sum_j phi_ij * g(d * (v'_j - V_off))` and
//!    `o_it = Qz(clamp(A_it / A_sat, -1, 1), L_out, -1, 1)`.
//! 5. `y_i = a_o * sum_t o_it + b_o`.
//!
//! For `T <= M` slot tiling equals the authors' tiling by absolute position; once the window
//! wraps, slot tiling is what the hardware does.
//!
//! The model is kept as clear float64 code: it is the independent reference the integer
//! hardware twin is checked against. [`HeadState`] is the streaming form (memory `O(M * D)`),
//! [`run_head`] the batch form, and [`parse_input`] / [`output_json`] the JSON interface of
//! `gca reference`.

mod json;
#[cfg(test)]
mod json_tests;
mod stream;

pub use json::{output_json, parse_input, InputError, MAX_LEVELS, MAX_TILES, MAX_WINDOW};
pub use stream::{HeadState, Score, TokenResult, TokenTrace};

use serde::{Deserialize, Serialize};

/// The gain-cell transfer function `g(u)` used for both products (Q.K and phi.V).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cell {
    /// `g(u) = linear_gain * u` (the authors' `LinearDRAMAttention`).
    Linear,
    /// The cubic fit of the authors' `DRAMAttention` (see [`RefParams::poly_terms`]).
    Polynomial,
}

/// Polynomial coefficients `C[p][r]` of the authors' cell fit, flattened in the order
/// `(p, r) = (0,0),(0,1),(0,2),(0,3),(1,0),(1,1),(1,2),(2,0),(2,1),(3,0)`.
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

/// All parameters of the reference model (shared by every head of a run).
#[derive(Clone, Debug, PartialEq)]
pub struct RefParams {
    /// Which gain-cell transfer function to use.
    pub cell: Cell,
    /// Decay `lambda` per token of age: a cell written `age` tokens ago is read through
    /// `d = exp(-lambda)^age`. `0` disables the decay.
    pub decay_per_token: f64,
    /// Window `M` in tokens (a multiple of `tile`).
    pub window: usize,
    /// Tile `C` in tokens (tokens summed into one output quantizer).
    pub tile: usize,
    /// Query levels `L_q` on `[0, 1]` (16 in the paper).
    pub q_levels: u32,
    /// Key/value levels `L_kv` on `[0, v_max]` (8 in the paper).
    pub kv_levels: u32,
    /// Output levels `L_out` on `[-1, 1]` (32 in the paper).
    pub out_levels: u32,
    /// Upper bound `V_max` of stored key/value voltages (0.9).
    pub v_max: f64,
    /// Voltage offset `V_off` subtracted from stored voltages before `g` (0.45).
    pub v_off: f64,
    /// Score saturation `S_sat`: `phi = clamp(S / S_sat, 0, 1)` (80).
    pub s_sat: f64,
    /// Accumulator saturation `A_sat`: `o = Qz(clamp(A / A_sat, -1, 1))` (40).
    pub a_sat: f64,
    /// Gain of the linear cell (19.3).
    pub linear_gain: f64,
    /// Coefficients `C[p][r]` of the polynomial cell, order as [`PAPER_POLY_COEFFS`].
    pub poly_coeffs: [f64; 10],
    /// Input voltage `V_in` of the polynomial fit (0.9).
    pub v_in: f64,
}

impl RefParams {
    /// The paper's constants for `cell`, with the given window and tile and no decay.
    pub fn paper(cell: Cell, window: usize, tile: usize) -> Self {
        RefParams {
            cell,
            decay_per_token: 0.0,
            window,
            tile,
            q_levels: 16,
            kv_levels: 8,
            out_levels: 32,
            v_max: 0.9,
            v_off: 0.45,
            s_sat: 80.0,
            a_sat: 40.0,
            linear_gain: 19.3,
            poly_coeffs: PAPER_POLY_COEFFS,
            v_in: 0.9,
        }
    }

    /// Number of tiles of the window, `window / tile`.
    pub fn n_tiles(&self) -> usize {
        self.window / self.tile
    }

    /// The polynomial cell's coefficients per power of `u`:
    /// `coef_p = sum_{r=0..3-p} C[p][r] * v_in^r`, `p = 0..3`.
    pub fn poly_terms(&self) -> [f64; 4] {
        let mut terms = [0.0; 4];
        let mut idx = 0;
        for (p, term) in terms.iter_mut().enumerate() {
            for r in 0..(4 - p) {
                *term += self.poly_coeffs[idx] * self.v_in.powi(r as i32);
                idx += 1;
            }
        }
        terms
    }

    /// The gain-cell transfer `g(u)`, `u` = stored voltage minus `V_off` (already decayed:
    /// a cell of a given age contributes `g(d * u)`). Note `g(0) != 0` for the polynomial
    /// cell; cells outside the window are gated off and never evaluated.
    pub fn g(&self, u: f64) -> f64 {
        eval_g(self.cell, self.linear_gain, &self.poly_terms(), u)
    }

    /// Decay factor of a cell written `age` tokens ago: `exp(-lambda).powi(age)`, computed
    /// like the authors (`decay = exp(-lambda)`, then raised to the age).
    pub fn decay(&self, age: usize) -> f64 {
        let decay = (-self.decay_per_token).exp();
        decay.powi(age as i32)
    }
}

/// `g(u)` given precomputed polynomial terms (shared by [`RefParams::g`] and [`HeadState`]).
pub(crate) fn eval_g(cell: Cell, linear_gain: f64, terms: &[f64; 4], u: f64) -> f64 {
    match cell {
        Cell::Linear => linear_gain * u,
        Cell::Polynomial => (0..4).map(|p| terms[p] * u.powi(p as i32)).sum(),
    }
}

/// The authors' quantizer `Qz(x, L, lo, hi) = s * round_half_even(x / s)` with
/// `s = (hi - lo) / (L - 1)`. The grid is anchored at 0, not at `lo`; there is no clamp
/// (callers clamp first). Panics if `levels < 2`.
pub fn quantize(x: f64, levels: u32, lo: f64, hi: f64) -> f64 {
    let s = step(levels, lo, hi);
    s * (x / s).round_ties_even()
}

/// The integer code of [`quantize`]: `round_half_even(x / s)`, so that
/// `quantize(x, ..) == s * code`. For the output grid (32 levels on `[-1, 1]`,
/// `s = 2/31`) the codes of clamped values are `-16..=16`. Panics if `levels < 2`.
pub fn quantize_code(x: f64, levels: u32, lo: f64, hi: f64) -> i64 {
    let s = step(levels, lo, hi);
    (x / s).round_ties_even() as i64
}

/// Quantizer step `(hi - lo) / (L - 1)`.
fn step(levels: u32, lo: f64, hi: f64) -> f64 {
    assert!(
        levels >= 2,
        "a quantizer needs at least 2 levels, got {levels}"
    );
    (hi - lo) / (levels - 1) as f64
}

/// Per-head affine scalers `(a, b)`, applied as `a * x + b` (the authors' `range_scaler`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scalers {
    /// Query scaler, applied before clamping to `[0, 1]`.
    pub q: (f64, f64),
    /// Key scaler, applied before clamping to `[0, V_max]`.
    pub k: (f64, f64),
    /// Value scaler, applied before clamping to `[0, V_max]`.
    pub v: (f64, f64),
    /// Output scaler, applied to the sum of the tile outputs.
    pub out: (f64, f64),
}

/// One head's inputs: scalers and `T x D` rows of q, k and v (one row per token).
#[derive(Clone, Debug, PartialEq)]
pub struct HeadInput {
    /// The head's affine scalers.
    pub scalers: Scalers,
    /// Queries, `T` rows of `D` values.
    pub q: Vec<Vec<f64>>,
    /// Keys, `T` rows of `D` values.
    pub k: Vec<Vec<f64>>,
    /// Values, `T` rows of `D` values.
    pub v: Vec<Vec<f64>>,
}

/// One head's outputs, one entry per token.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadResult {
    /// `[token][dim]`: the head output `y_i = a_o * sum_t o_it + b_o`.
    pub y: Vec<Vec<f64>>,
    /// `[token][tile][dim]` output codes (integers `-16..=16` for `L_out = 32`), one entry
    /// per tile of the window (`n_tiles = window / tile`), 0 for tiles with no in-window token.
    pub tile_codes: Vec<Vec<Vec<i32>>>,
    /// `[token][tile]`: whether that tile holds at least one in-window token for that query.
    pub tile_active: Vec<Vec<bool>>,
}

/// Runs one head over all its tokens (through [`HeadState`]).
///
/// The input must be well formed (as [`parse_input`] guarantees): `q`, `k` and `v` with the
/// same number of rows, all of the same non-zero length, and valid parameters; otherwise this
/// panics. A head with no tokens gives an empty result.
pub fn run_head(p: &RefParams, head: &HeadInput) -> HeadResult {
    assert!(
        head.q.len() == head.k.len() && head.q.len() == head.v.len(),
        "q, k and v must have the same number of rows"
    );
    let mut state = HeadState::new(p, head.scalers);
    let mut result = HeadResult {
        y: Vec::with_capacity(head.q.len()),
        tile_codes: Vec::with_capacity(head.q.len()),
        tile_active: Vec::with_capacity(head.q.len()),
    };
    for ((q, k), v) in head.q.iter().zip(&head.k).zip(&head.v) {
        let token = state.step(q, k, v);
        result.y.push(token.y);
        result.tile_codes.push(token.tile_codes);
        result.tile_active.push(token.tile_active);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    const S_OUT: f64 = 2.0 / 31.0;

    fn assert_close(got: f64, want: f64, tol: f64) {
        let ok = (got - want).abs() <= tol * want.abs().max(1.0);
        assert!(ok, "got {got}, want {want} (tolerance {tol})");
    }

    #[test]
    fn quantizer_ties_clamps_and_output_grid() {
        // Exact ties with s = 1 (4 levels on [0, 3]) and s = 0.5 (3 levels on [-0.5, 0.5]).
        for (x, want) in [(2.5, 2), (3.5, 4), (-2.5, -2), (0.5, 0), (-1.5, -2)] {
            assert_eq!(quantize_code(x, 4, 0.0, 3.0), want);
            assert_eq!(quantize(x, 4, 0.0, 3.0), want as f64);
        }
        assert_eq!(quantize(0.25, 3, -0.5, 0.5), 0.0);
        assert_eq!(quantize(0.75, 3, -0.5, 0.5), 1.0);
        // No clamp inside the quantizer: the grid extends past [lo, hi].
        assert_eq!(quantize_code(5.2, 4, 0.0, 3.0), 5);
        // Output grid: step 2/31, clamped values give codes -16..=16 (1 / (2/31) = 15.5 -> 16).
        let codes: Vec<i64> = (-200..=200)
            .map(|n| quantize_code((n as f64 / 100.0).clamp(-1.0, 1.0), 32, -1.0, 1.0))
            .collect();
        assert_eq!(*codes.iter().min().unwrap(), -16);
        assert_eq!(*codes.iter().max().unwrap(), 16);
        assert_eq!(quantize(0.1, 32, -1.0, 1.0), S_OUT * 2.0);
        assert_eq!(quantize(S_OUT * 7.0, 32, -1.0, 1.0), S_OUT * 7.0);
        // Query and key/value grids.
        assert_eq!(quantize(0.5, 16, 0.0, 1.0), 8.0 / 15.0); // 7.5 -> 8
        assert_eq!(quantize_code(0.9, 8, 0.0, 0.9), 7);
    }

    #[test]
    fn gain_cells() {
        let lin = RefParams::paper(Cell::Linear, 4, 2);
        assert_close(lin.g(0.45), 8.685, 1e-15);
        assert_eq!(lin.g(0.0), 0.0);
        let poly = RefParams::paper(Cell::Polynomial, 4, 2);
        let c = PAPER_POLY_COEFFS;
        for u in [-0.45, 0.0, 0.45] {
            let mut want = 0.0;
            let mut idx = 0;
            for pw in 0..4 {
                for r in 0..(4 - pw) {
                    want += c[idx] * 0.9f64.powi(r) * f64::powi(u, pw);
                    idx += 1;
                }
            }
            assert_close(poly.g(u), want, 1e-12);
        }
        assert_close(poly.g(0.0), 0.5213636139100001, 1e-12); // g(0) != 0
        assert_close(poly.g(-0.45), -10.33154100194, 1e-11);
        let decayed = RefParams {
            decay_per_token: 0.3,
            ..poly.clone()
        };
        assert_close(decayed.decay(2), (-0.6f64).exp(), 1e-15);
    }

    #[test]
    fn poly_terms_follow_the_coefficient_order() {
        let p = RefParams::paper(Cell::Polynomial, 4, 2);
        let c = PAPER_POLY_COEFFS;
        let t = p.poly_terms();
        let v = 0.9_f64;
        assert_eq!(t[0], c[0] + c[1] * v + c[2] * v * v + c[3] * v.powi(3));
        assert_eq!(t[1], c[4] + c[5] * v + c[6] * v * v);
        assert_eq!(t[2], c[7] + c[8] * v);
        assert_eq!(t[3], c[9]);
    }

    #[test]
    fn decay_zero_is_one() {
        let p = RefParams::paper(Cell::Linear, 4, 2);
        assert_eq!(p.decay(0), 1.0);
        assert_eq!(p.decay(3), 1.0);
        let p = RefParams {
            decay_per_token: 0.25,
            ..p
        };
        assert_eq!(p.decay(0), 1.0);
        assert_eq!(p.decay(2), (-0.25f64).exp().powi(2));
    }
}
