//! Shards of a co-simulation (`gca sim CONFIG --shard K/N`): slice K of N of a design's layers
//! and heads, simulated as a design generated for that slice alone, so that each shard builds
//! a Verilated model of a layer or less.
//!
//! With N <= n_layer, shard K takes the layers `K*L/N .. (K+1)*L/N` with all their heads; with
//! N a multiple of n_layer (up to n_layer x n_head), each layer is cut into N / n_layer groups
//! of heads and shard K takes group `K mod g` of layer `K / g`. The slices are disjoint and
//! together hold every layer and head once. Layers and heads are identical hardware (a layer
//! or head index is a constant input port, docs/rtl.md), so the slice's design is the
//! configuration with `n_layer` and `n_head` (and `n_embd = n_head x D`) of the slice, every
//! hardware field unchanged; in it the slice's layers and heads are numbered from 0. The
//! index decoding of the whole design is covered by a short run of the whole top.

use std::ops::Range;

use crate::config::{self, Model, Params};

/// Shard `k` of `n` (0 <= k < n).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    /// Parses `K/N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("\"{text}\" is not a shard K/N with 0 <= K < N (e.g. 0/4)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// The layers and heads of the whole design that a shard simulates.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Slice {
    pub layers: Range<usize>,
    pub heads: Range<usize>,
}

/// The slice of shard `s` of a design of `n_layer` x `n_head`, or why N does not cut it.
pub fn slice(n_layer: usize, n_head: usize, s: Shard) -> Result<Slice, String> {
    let cut = |total: usize, parts: usize, i: usize| i * total / parts..(i + 1) * total / parts;
    if s.n <= n_layer {
        return Ok(Slice {
            layers: cut(n_layer, s.n, s.k),
            heads: 0..n_head,
        });
    }
    if s.n.is_multiple_of(n_layer) && s.n / n_layer <= n_head {
        let groups = s.n / n_layer;
        let layer = s.k / groups;
        return Ok(Slice {
            layers: layer..layer + 1,
            heads: cut(n_head, groups, s.k % groups),
        });
    }
    Err(format!(
        "{} shards do not cut {n_layer} layer(s) x {n_head} head(s) into slices: use at most \
         {n_layer} shards (whole layers) or a multiple of {n_layer} up to {} (groups of heads)",
        s.n,
        n_layer * n_head
    ))
}

/// The parameters of the design generated for shard `s` of `p`, and its slice.
pub fn params(p: &Params, s: Shard) -> Result<(Params, Slice), String> {
    let sl = slice(p.shape.n_layer, p.shape.n_head, s)?;
    let model = Model {
        n_layer: sl.layers.len() as u64,
        n_head: sl.heads.len() as u64,
        n_embd: (sl.heads.len() * p.shape.d_head) as u64,
        n_ctx: p.model.n_ctx,
    };
    let name = format!("{}-shard{}of{}", p.name, s.k, s.n);
    let q = config::resolve(name, model, p.hardware.clone()).map_err(|e| e.to_string())?;
    Ok((q, sl))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (layer, head) of the design, once, over all shards.
    fn cells(l: usize, h: usize, n: usize) -> Vec<(usize, usize)> {
        let mut all = Vec::new();
        for k in 0..n {
            let s = slice(l, h, Shard { k, n }).unwrap();
            assert!(!s.layers.is_empty() && !s.heads.is_empty(), "{k}/{n} empty");
            for layer in s.layers.clone() {
                for head in s.heads.clone() {
                    all.push((layer, head));
                }
            }
        }
        all.sort();
        all
    }

    #[test]
    fn the_slices_cover_every_layer_and_head_once() {
        for (l, h) in [(12, 12), (48, 25), (2, 2), (1, 1), (1, 12), (5, 3)] {
            let every: Vec<_> = (0..l).flat_map(|a| (0..h).map(move |b| (a, b))).collect();
            for n in 1..=l * h {
                if n <= l || (n % l == 0 && n / l <= h) {
                    assert_eq!(cells(l, h, n), every, "{l}x{h} in {n} shards");
                } else {
                    assert!(slice(l, h, Shard { k: 0, n }).is_err(), "{l}x{h} in {n}");
                }
            }
        }
    }

    #[test]
    fn a_slice_of_a_layer_keeps_its_heads_and_a_slice_of_heads_one_layer() {
        assert_eq!(
            slice(12, 12, Shard { k: 5, n: 6 }).unwrap(),
            Slice {
                layers: 10..12,
                heads: 0..12
            }
        );
        assert_eq!(
            slice(2, 4, Shard { k: 3, n: 4 }).unwrap(),
            Slice {
                layers: 1..2,
                heads: 2..4
            }
        );
    }

    #[test]
    fn shard_texts_are_checked() {
        assert_eq!(Shard::parse("1/4"), Ok(Shard { k: 1, n: 4 }));
        for bad in ["4/4", "1", "a/2", "0/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_shard_is_the_configuration_with_the_slice_shape() {
        let p = config::load("gpt2").unwrap();
        let (q, sl) = params(&p, Shard { k: 3, n: 24 }).unwrap();
        assert_eq!(sl.layers, 1..2);
        assert_eq!(sl.heads, 6..12);
        assert_eq!((q.shape.n_layer, q.shape.n_head), (1, 6));
        assert_eq!(q.shape.d_head, p.shape.d_head);
        assert_eq!(q.hardware, p.hardware);
        assert_eq!(q.cycles.decode_latency, p.cycles.decode_latency);
        assert_eq!(q.name, "gpt2-shard3of24");
    }
}
