//! The datapath of one head, token by token: the window's K and V arrays (codes by slot), column
//! ages counted from writes, masking of columns outside the window, the integer QK score, phi,
//! the per-tile AV accumulation and output code, the tile sum and the output scaler.

use crate::config::Params;

use super::fixed::div_round_even;
use super::quantizer::OutScaler;
use super::tables::CellTable;

/// Where a token is written: the one statement of the slot rule, shared by the datasheet and
/// the docs (docs/architecture.md, docs/rtl.md, docs/hardware-twin.md quote it).
pub const SLOT_RULE: &str = "A layer writes each token into slot s = n mod M, tile s div C, \
where n counts the tokens written to the layer since its window was last emptied (by a reset, \
a RESET_WINDOW of the layer or CONTROL.CLEAR_WINDOWS). For a sequence that starts at position 0 \
this is position mod M; after a RESET_WINDOW that starts a sequence at position P, the next \
token goes to slot 0, not to P mod M.";

/// What one token produces in one head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenOut {
    /// Output code per tile and dimension, `[tile * D + d]`.
    pub tile_codes: Vec<i32>,
    /// Whether a tile holds at least one column inside the window.
    pub tile_active: Vec<bool>,
    /// Sum of the tile codes per dimension (the RTL's accumulators).
    pub sum: Vec<i32>,
    /// Scaled outputs in the output fixed-point format.
    pub y: Vec<i64>,
}

/// Constants of the head datapath, copied out of the parameters once.
#[derive(Clone, Copy, Debug)]
struct Consts {
    d: usize,
    window: usize,
    tile: usize,
    n_tiles: usize,
    phi_frac: u32,
    phi_den: i128,
    out_num: i128,
    out_den: i128,
    out_max: i128,
}

/// One head's state: the KV arrays and the window bookkeeping.
#[derive(Clone, Debug)]
pub struct HeadTwin {
    c: Consts,
    k: Vec<u8>,
    v: Vec<u8>,
    /// Per slot, the write count at which it was written; `None` since the last window reset.
    written: Vec<Option<u64>>,
    writes: u64,
    slot: usize,
    fill: usize,
    out: OutScaler,
}

impl HeadTwin {
    pub fn new(p: &Params, out: OutScaler) -> Self {
        let s = p.shape;
        let c = Consts {
            d: s.d_head,
            window: s.window,
            tile: s.tile,
            n_tiles: s.n_tiles,
            phi_frac: p.fixed.phi_frac,
            phi_den: p.fixed.phi_den as i128,
            out_num: (p.hardware.levels.out - 1) as i128,
            out_den: p.fixed.out_den as i128,
            out_max: p.widths.out_code_max as i128,
        };
        Self {
            c,
            k: vec![0; s.window * s.d_head],
            v: vec![0; s.window * s.d_head],
            written: vec![None; s.window],
            writes: 0,
            slot: 0,
            fill: 0,
            out,
        }
    }

    /// RESET_WINDOW (and CONTROL.CLEAR_WINDOWS, and a reset): every column leaves the window;
    /// the next token goes to slot 0 ([`SLOT_RULE`]).
    pub fn reset_window(&mut self) {
        self.written.fill(None);
        self.slot = 0;
        self.fill = 0;
    }

    /// The slot the next token is written to, and the count of valid columns.
    pub fn window_state(&self) -> (usize, usize) {
        (self.slot, self.fill)
    }

    /// One decode step: write the token's k and v codes into the write slot, then compute the
    /// attention of its query over the window (which now includes it).
    pub fn step(&mut self, table: &CellTable, q: &[u8], k: &[u8], v: &[u8]) -> TokenOut {
        let c = self.c;
        let base = self.slot * c.d;
        self.k[base..base + c.d].copy_from_slice(k);
        self.v[base..base + c.d].copy_from_slice(v);
        self.written[self.slot] = Some(self.writes);
        let now = self.writes;
        self.writes += 1;
        self.slot = (self.slot + 1) % c.window;
        self.fill = (self.fill + 1).min(c.window);

        let max_phi = 1i128 << c.phi_frac;
        let mut tile_codes = vec![0i32; c.n_tiles * c.d];
        let mut tile_active = vec![false; c.n_tiles];
        let mut acc = vec![0i64; c.d];
        for t in 0..c.n_tiles {
            acc.fill(0);
            for s in t * c.tile..(t + 1) * c.tile {
                let Some(at) = self.written[s] else { continue };
                let age = (now - at) as usize;
                if age >= c.window {
                    continue;
                }
                tile_active[t] = true;
                let row = table.row(age);
                let col = &self.k[s * c.d..(s + 1) * c.d];
                let score: i64 = q
                    .iter()
                    .zip(col)
                    .map(|(&qd, &kd)| qd as i64 * row[kd as usize])
                    .sum();
                let phi = div_round_even((score as i128) << c.phi_frac, c.phi_den).clamp(0, max_phi)
                    as i64;
                if phi == 0 {
                    continue;
                }
                let vrow = &self.v[s * c.d..(s + 1) * c.d];
                for (a, &vd) in acc.iter_mut().zip(vrow) {
                    *a += phi * row[vd as usize];
                }
            }
            for (d, &a) in acc.iter().enumerate() {
                let code =
                    div_round_even(a as i128 * c.out_num, c.out_den).clamp(-c.out_max, c.out_max);
                tile_codes[t * c.d + d] = code as i32;
            }
        }
        let sum: Vec<i32> = (0..c.d)
            .map(|d| (0..c.n_tiles).map(|t| tile_codes[t * c.d + d]).sum())
            .collect();
        let y = sum.iter().map(|&s| self.out.apply(s as i64)).collect();
        TokenOut {
            tile_codes,
            tile_active,
            sum,
            y,
        }
    }
}
