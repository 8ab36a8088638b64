//! Streaming form of the reference model: one token at a time, keeping only the last
//! `window` tokens (a ring buffer indexed by slot, like the hardware array).

use super::{eval_g, quantize, quantize_code, RefParams, Scalers};

/// The outputs of one query token.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenResult {
    /// `[dim]`: `y_i = a_o * sum_t o_it + b_o`.
    pub y: Vec<f64>,
    /// `[tile][dim]`: output codes `round_half_even(clamp(A_it / A_sat, -1, 1) / s_out)`.
    pub tile_codes: Vec<Vec<i32>>,
    /// `[tile]`: whether the tile holds at least one in-window token.
    pub tile_active: Vec<bool>,
}

/// One in-window key of a query, as seen by [`HeadState::step_traced`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Score {
    /// Absolute index `j` of the key token.
    pub token: usize,
    /// `i - j`.
    pub age: usize,
    /// Slot `j mod window` holding the token.
    pub slot: usize,
    /// Tile `slot / tile` holding the token.
    pub tile: usize,
    /// Decay factor `exp(-lambda)^age`.
    pub decay: f64,
    /// Raw score `S_ij`.
    pub s: f64,
    /// `phi_ij = clamp(S_ij / S_sat, 0, 1)`.
    pub phi: f64,
}

/// Every intermediate value of one token, for tests and debugging.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenTrace {
    /// `q'` of the query token.
    pub q: Vec<f64>,
    /// `k'` of the token just written.
    pub k: Vec<f64>,
    /// `v'` of the token just written.
    pub v: Vec<f64>,
    /// The in-window keys, oldest first.
    pub scores: Vec<Score>,
    /// `[tile][dim]`: the accumulations `A_it` before saturation and quantization.
    pub tile_sums: Vec<Vec<f64>>,
    /// The token's outputs.
    pub result: TokenResult,
}

/// Streaming reference model of one head. Feed tokens in order with [`HeadState::step`];
/// memory stays `O(window * D)` however many tokens go through.
#[derive(Clone, Debug)]
pub struct HeadState {
    p: RefParams,
    scalers: Scalers,
    /// Polynomial terms `coef_p`, computed once.
    terms: [f64; 4],
    /// Head dimension, fixed by the first token.
    dim: Option<usize>,
    /// Index of the next token (tokens seen so far).
    next: usize,
    /// `k'` of the last `min(next, window)` tokens, slot-major: slot `s` at `s * D..`.
    keys: Vec<f64>,
    /// `v'`, same layout as `keys`.
    values: Vec<f64>,
    /// Scratch: `q'` of the current query.
    query: Vec<f64>,
    /// Scratch: `A_it`, tile-major, `n_tiles * D`.
    sums: Vec<f64>,
    /// Scratch: per tile, whether it holds an in-window token.
    active: Vec<bool>,
}

impl HeadState {
    /// A fresh head (no token seen yet).
    ///
    /// Panics if `window` or `tile` is 0 or `window` is not a multiple of `tile`
    /// (use [`super::parse_input`] to validate parameters from outside).
    pub fn new(p: &RefParams, scalers: Scalers) -> Self {
        assert!(
            p.tile > 0 && p.window > 0 && p.n_tiles() * p.tile == p.window,
            "window ({}) must be a non-zero multiple of tile ({})",
            p.window,
            p.tile
        );
        HeadState {
            p: p.clone(),
            scalers,
            terms: p.poly_terms(),
            dim: None,
            next: 0,
            keys: Vec::new(),
            values: Vec::new(),
            query: Vec::new(),
            sums: Vec::new(),
            active: vec![false; p.n_tiles()],
        }
    }

    /// Number of tokens fed so far.
    pub fn tokens_seen(&self) -> usize {
        self.next
    }

    /// Feeds token `i = tokens_seen()`: writes its key and value into slot `i mod window`,
    /// then answers its query over the window. All three rows must have the head dimension
    /// (fixed by the first token, non-zero); otherwise this panics.
    pub fn step(&mut self, q: &[f64], k: &[f64], v: &[f64]) -> TokenResult {
        self.advance(q, k, v, None)
    }

    /// Like [`HeadState::step`], also returning every intermediate value.
    pub fn step_traced(&mut self, q: &[f64], k: &[f64], v: &[f64]) -> TokenTrace {
        let mut scores = Vec::with_capacity(self.p.window.min(self.next + 1));
        let result = self.advance(q, k, v, Some(&mut scores));
        let d = self.dim.unwrap_or(0);
        let slot = (self.next - 1) % self.p.window;
        TokenTrace {
            q: self.query.clone(),
            k: self.keys[slot * d..(slot + 1) * d].to_vec(),
            v: self.values[slot * d..(slot + 1) * d].to_vec(),
            scores,
            tile_sums: self.sums.chunks(d).map(<[f64]>::to_vec).collect(),
            result,
        }
    }

    fn advance(
        &mut self,
        q: &[f64],
        k: &[f64],
        v: &[f64],
        mut trace: Option<&mut Vec<Score>>,
    ) -> TokenResult {
        let d = *self.dim.get_or_insert(q.len());
        assert!(d > 0, "the head dimension must be non-zero");
        assert!(
            q.len() == d && k.len() == d && v.len() == d,
            "q, k and v rows must have the head dimension {d} (got {}, {}, {})",
            q.len(),
            k.len(),
            v.len()
        );
        let p = &self.p;
        let (m, c, n_tiles) = (p.window, p.tile, p.n_tiles());
        let i = self.next;
        self.next += 1;

        // 1. Quantize the new token once, as it enters: q' into the scratch row, k' and v'
        //    into slot i mod M (appending while the window fills, overwriting after).
        let (aq, bq) = self.scalers.q;
        self.query.clear();
        self.query.extend(
            q.iter()
                .map(|&x| quantize((aq * x + bq).clamp(0.0, 1.0), p.q_levels, 0.0, 1.0)),
        );
        let kv = |(a, b): (f64, f64), x: f64| {
            quantize((a * x + b).clamp(0.0, p.v_max), p.kv_levels, 0.0, p.v_max)
        };
        let slot = i % m;
        let (sk, sv) = (self.scalers.k, self.scalers.v);
        if self.keys.len() == slot * d {
            self.keys.extend(k.iter().map(|&x| kv(sk, x)));
            self.values.extend(v.iter().map(|&x| kv(sv, x)));
        } else {
            for (dst, &x) in self.keys[slot * d..(slot + 1) * d].iter_mut().zip(k) {
                *dst = kv(sk, x);
            }
            for (dst, &x) in self.values[slot * d..(slot + 1) * d].iter_mut().zip(v) {
                *dst = kv(sv, x);
            }
        }

        // 2.-4. Scores, hard sigmoid and per-tile accumulation over the window, oldest first.
        self.sums.clear();
        self.sums.resize(n_tiles * d, 0.0);
        self.active.iter_mut().for_each(|a| *a = false);
        let g = |u: f64| eval_g(p.cell, p.linear_gain, &self.terms, u);
        for j in (i + 1).saturating_sub(m)..=i {
            let age = i - j;
            let decay = p.decay(age);
            let s_slot = j % m;
            let tile = s_slot / c;
            let key = &self.keys[s_slot * d..(s_slot + 1) * d];
            let value = &self.values[s_slot * d..(s_slot + 1) * d];
            let s: f64 = self
                .query
                .iter()
                .zip(key)
                .map(|(&qd, &kd)| qd * g(decay * (kd - p.v_off)))
                .sum();
            let phi = (s / p.s_sat).clamp(0.0, 1.0);
            self.active[tile] = true;
            for (acc, &vd) in self.sums[tile * d..(tile + 1) * d].iter_mut().zip(value) {
                *acc += phi * g(decay * (vd - p.v_off));
            }
            if let Some(scores) = trace.as_deref_mut() {
                scores.push(Score {
                    token: j,
                    age,
                    slot: s_slot,
                    tile,
                    decay,
                    s,
                    phi,
                });
            }
        }

        // 4.-5. Saturate and quantize each tile, then sum the tiles and scale.
        let mut y = vec![0.0; d];
        let mut tile_codes = Vec::with_capacity(n_tiles);
        for tile_sums in self.sums.chunks(d) {
            let mut codes = Vec::with_capacity(d);
            for (yd, &a) in y.iter_mut().zip(tile_sums) {
                let x = (a / p.a_sat).clamp(-1.0, 1.0);
                codes.push(quantize_code(x, p.out_levels, -1.0, 1.0) as i32);
                *yd += quantize(x, p.out_levels, -1.0, 1.0);
            }
            tile_codes.push(codes);
        }
        let (ao, bo) = self.scalers.out;
        for yd in &mut y {
            *yd = ao * *yd + bo;
        }
        TokenResult {
            y,
            tile_codes,
            tile_active: self.active.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{quantize, run_head, Cell, HeadInput, RefParams, Scalers};
    use super::*;

    const IDENTITY: Scalers = Scalers {
        q: (1.0, 0.0),
        k: (1.0, 0.0),
        v: (1.0, 0.0),
        out: (1.0, 0.0),
    };

    /// Deterministic values in [-0.1, 1.0) (SplitMix64 of `n`).
    fn val(n: u64) -> f64 {
        let mut z = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        -0.1 + 1.1 * ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn masked_cells_are_not_g_of_zero() {
        // Polynomial g(0) = 0.52 != 0: a lone first token must be the only contribution.
        let p = RefParams::paper(Cell::Polynomial, 4, 2);
        let mut st = HeadState::new(&p, IDENTITY);
        let t = st.step_traced(&[1.0, 1.0, 1.0], &[0.9; 3], &[0.9, 0.0, 0.3]);
        assert_eq!(t.scores.len(), 1);
        let s = 3.0 * p.g(t.k[0] - 0.45);
        assert_eq!(t.scores[0].s, s);
        let phi = (s / 80.0).clamp(0.0, 1.0);
        for d in 0..3 {
            let a = (phi * p.g(t.v[d] - 0.45) / 40.0).clamp(-1.0, 1.0);
            assert_eq!(t.result.y[d], quantize(a, 32, -1.0, 1.0));
        }
        assert_eq!(t.tile_sums[1], vec![0.0; 3]);
        assert_eq!(t.result.tile_codes[1], vec![0; 3]);
        assert_eq!(t.result.tile_active, vec![true, false]);
    }

    #[test]
    fn long_stream_keeps_only_the_window() {
        // 10,000 tokens through one HeadState; a fresh head started at a slot-aligned token
        // (9,984 = 1248 * 8) agrees exactly once its window is full.
        let mut p = RefParams::paper(Cell::Linear, 8, 4);
        p.decay_per_token = 0.05;
        p.s_sat = 8.0;
        p.a_sat = 4.0;
        let (t, d) = (10_000, 4);
        let rows = |base: u64| -> Vec<Vec<f64>> {
            (0..t)
                .map(|i| (0..d).map(|e| val(base + (i * d + e) as u64)).collect())
                .collect()
        };
        let (q, k, v) = (rows(0), rows(1 << 20), rows(2 << 20));
        let mut st = HeadState::new(&p, IDENTITY);
        let all: Vec<TokenResult> = (0..t).map(|i| st.step(&q[i], &k[i], &v[i])).collect();
        assert_eq!(st.tokens_seen(), t);
        assert_eq!(st.keys.len(), 8 * d); // memory stays O(window * D)
        let start = 9_984;
        let tail = HeadInput {
            scalers: IDENTITY,
            q: q[start..].to_vec(),
            k: k[start..].to_vec(),
            v: v[start..].to_vec(),
        };
        let r = run_head(&p, &tail);
        assert!(r.tile_codes.iter().flatten().flatten().any(|&c| c != 0));
        for i in 7..r.y.len() {
            assert_eq!(r.y[i], all[start + i].y);
            assert_eq!(r.tile_codes[i], all[start + i].tile_codes);
        }
    }
}
