//! The hardware twin H of a whole design: one `HeadTwin` per layer and head, with the scaler
//! registers every head holds (the CSR reset values unless programmed otherwise).

use crate::config::Params;
use crate::models::reference::Scalers;
use crate::models::stimulus::TokenValues;
use crate::models::twin::{CellTable, HeadTwin, OutScaler, Quantizer, ScalerRange};

use super::cover_points::TwinCover;

/// The scaler registers of one head, in register units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalerRegisters {
    pub q: Quantizer,
    pub k: Quantizer,
    pub v: Quantizer,
    pub out: OutScaler,
}

impl ScalerRegisters {
    /// The registers for the affine scalers `s` (nominal register values).
    pub fn new(p: &Params, s: Scalers) -> Result<ScalerRegisters, ScalerRange> {
        let hw = &p.hardware;
        Ok(ScalerRegisters {
            q: Quantizer::new(p, "q", s.q, hw.levels.q, 1.0)?,
            k: Quantizer::new(p, "k", s.k, hw.levels.kv, hw.analog.v_max)?,
            v: Quantizer::new(p, "v", s.v, hw.levels.kv, hw.analog.v_max)?,
            out: OutScaler::new(p, s.out)?,
        })
    }

    /// The CSR block's reset values: the default scalers, saturated to registers too narrow
    /// for them as the register map does (`regmap::default_scaler_registers`).
    pub fn defaults(p: &Params) -> ScalerRegisters {
        let zero = Scalers {
            q: (0.0, 0.0),
            k: (0.0, 0.0),
            v: (0.0, 0.0),
            out: (0.0, 0.0),
        };
        ScalerRegisters::new(p, zero)
            .expect("zero scalers fit every register")
            .with_values(crate::regmap::default_scaler_registers(p))
    }

    /// Scalers `s`, each saturated to its register when it does not fit (the configurations
    /// with narrow scaler registers).
    pub fn saturating(p: &Params, s: Scalers) -> ScalerRegisters {
        ScalerRegisters::defaults(p).with_values(crate::regmap::saturated_scaler_registers(p, s))
    }

    /// The registers holding `v` (in the order of [`ScalerRegisters::values`]).
    pub fn with_values(&self, v: [i64; 8]) -> ScalerRegisters {
        ScalerRegisters {
            q: self.q.with_registers(v[0], v[1]),
            k: self.k.with_registers(v[2], v[3]),
            v: self.v.with_registers(v[4], v[5]),
            out: self.out.with_registers(v[6], v[7]),
        }
    }

    /// Register values in map order: Q_GAIN, Q_OFFSET, K_GAIN, K_OFFSET, V_GAIN, V_OFFSET,
    /// O_GAIN, O_OFFSET.
    pub fn values(&self) -> [i64; 8] {
        [
            self.q.gain,
            self.q.offset,
            self.k.gain,
            self.k.offset,
            self.v.gain,
            self.v.offset,
            self.out.gain,
            self.out.offset,
        ]
    }
}

pub struct DesignTwin {
    table: CellTable,
    regs: ScalerRegisters,
    heads: Vec<Vec<HeadTwin>>,
    /// What the functional cover points sample from the twin's values (kept across
    /// [`DesignTwin::restart`]).
    pub cover: TwinCover,
}

impl DesignTwin {
    /// The twin after reset (default scalers).
    pub fn new(p: &Params) -> DesignTwin {
        DesignTwin::with_registers(p, ScalerRegisters::defaults(p))
    }

    /// The twin with every head's scalers programmed to `regs`.
    pub fn with_registers(p: &Params, regs: ScalerRegisters) -> DesignTwin {
        let heads = (0..p.shape.n_layer)
            .map(|_| {
                (0..p.shape.n_head)
                    .map(|_| HeadTwin::new(p, regs.out))
                    .collect()
            })
            .collect();
        DesignTwin {
            table: CellTable::new(p),
            regs,
            heads,
            cover: TwinCover::new(p),
        }
    }

    /// The twin after a reset of the design (default scalers, empty windows), keeping what
    /// [`DesignTwin::cover`] sampled so far.
    pub fn restart(&mut self, p: &Params) {
        let mut cover = std::mem::take(&mut self.cover);
        cover.design_reset();
        *self = DesignTwin {
            cover,
            ..DesignTwin::new(p)
        };
    }

    /// One token of a layer: every head's outputs (output fixed point).
    pub fn token(&mut self, layer: usize, values: &[TokenValues]) -> Vec<Vec<i64>> {
        let r = self.regs;
        let codes = |z: &Quantizer, x: &[i64]| x.iter().map(|&x| z.code(x)).collect::<Vec<u8>>();
        let cover = &mut self.cover;
        cover.token(layer);
        self.heads[layer]
            .iter_mut()
            .zip(values)
            .map(|(h, t)| {
                cover.quantizers(&r, t);
                let out = h.step(
                    &self.table,
                    &codes(&r.q, &t.q),
                    &codes(&r.k, &t.k),
                    &codes(&r.v, &t.v),
                );
                cover.outputs(&r.out, &out.sum);
                out.y
            })
            .collect()
    }

    /// The scaler registers the twin computes with.
    pub fn registers(&self) -> ScalerRegisters {
        self.regs
    }

    pub fn reset_window(&mut self, layer: usize) {
        self.cover.reset_window(layer);
        self.heads[layer]
            .iter_mut()
            .for_each(HeadTwin::reset_window);
    }
}
