//! The hardware twin H of a whole design: one `HeadTwin` per layer and head, with the
//! quantizers and output scalers the CSR block holds after reset (the default scalers, nominal
//! register values).

use gca::config::Params;
use gca::models::compare::default_scalers;
use gca::models::stimulus::TokenValues;
use gca::models::twin::{CellTable, HeadTwin, OutScaler, Quantizer};

pub struct DesignTwin {
    table: CellTable,
    quant: [Quantizer; 3],
    heads: Vec<Vec<HeadTwin>>,
}

impl DesignTwin {
    pub fn new(p: &Params) -> DesignTwin {
        let s = default_scalers();
        let hw = &p.hardware;
        let quant = [
            Quantizer::new(p, "q", s.q, hw.levels.q, 1.0).expect("default q scaler fits"),
            Quantizer::new(p, "k", s.k, hw.levels.kv, hw.analog.v_max)
                .expect("default k scaler fits"),
            Quantizer::new(p, "v", s.v, hw.levels.kv, hw.analog.v_max)
                .expect("default v scaler fits"),
        ];
        let out = OutScaler::new(p, s.out).expect("default output scaler fits");
        let heads = (0..p.shape.n_layer)
            .map(|_| (0..p.shape.n_head).map(|_| HeadTwin::new(p, out)).collect())
            .collect();
        DesignTwin {
            table: CellTable::new(p),
            quant,
            heads,
        }
    }

    /// One token of a layer: every head's outputs (output fixed point).
    pub fn token(&mut self, layer: usize, values: &[TokenValues]) -> Vec<Vec<i64>> {
        let [qz, kz, vz] = self.quant;
        let codes = |z: &Quantizer, x: &[i64]| x.iter().map(|&x| z.code(x)).collect::<Vec<u8>>();
        self.heads[layer]
            .iter_mut()
            .zip(values)
            .map(|(h, t)| {
                h.step(
                    &self.table,
                    &codes(&qz, &t.q),
                    &codes(&kz, &t.k),
                    &codes(&vz, &t.v),
                )
                .y
            })
            .collect()
    }

    pub fn reset_window(&mut self, layer: usize) {
        self.heads[layer]
            .iter_mut()
            .for_each(HeadTwin::reset_window);
    }
}
