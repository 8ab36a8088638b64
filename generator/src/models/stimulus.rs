//! Seeded random token streams: q, k, v ~ N(0, 1), quantized to the signed input format, so
//! that the twin, the reference and (later) the simulated RTL see exactly the same values.

use crate::config::Params;
use crate::rng::Rng;

/// One token of one head, as signed input integers (`in_frac` fractional bits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenValues {
    pub q: Vec<i64>,
    pub k: Vec<i64>,
    pub v: Vec<i64>,
}

impl TokenValues {
    /// The real values the integers stand for.
    pub fn to_real(&self, in_frac: u32) -> [Vec<f64>; 3] {
        let scale = 1.0 / (1u64 << in_frac) as f64;
        [&self.q, &self.k, &self.v].map(|x| x.iter().map(|&i| i as f64 * scale).collect())
    }
}

/// A normal sample rounded (half to even) to the input format and saturated.
pub fn input_value(rng: &mut Rng, in_bits: u32, in_frac: u32) -> i64 {
    let x = (rng.normal() * (1u64 << in_frac) as f64).round_ties_even();
    let hi = ((1i64 << (in_bits - 1)) - 1) as f64;
    x.clamp(-hi - 1.0, hi) as i64
}

/// The seeded stream of one head: a generator per (seed, layer, head).
pub struct HeadStream {
    rng: Rng,
    d: usize,
    in_bits: u32,
    in_frac: u32,
}

impl HeadStream {
    pub fn new(p: &Params, seed: u64, layer: usize, head: usize) -> Self {
        let salt = ((layer as u64) << 32 | head as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Self {
            rng: Rng::new(seed ^ salt),
            d: p.shape.d_head,
            in_bits: p.fixed.in_bits,
            in_frac: p.fixed.in_frac,
        }
    }

    pub fn next_token(&mut self) -> TokenValues {
        let mut vector = || -> Vec<i64> {
            (0..self.d)
                .map(|_| input_value(&mut self.rng, self.in_bits, self.in_frac))
                .collect()
        };
        let q = vector();
        let k = vector();
        let v = vector();
        TokenValues { q, k, v }
    }
}
