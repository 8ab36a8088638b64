//! The model's heads at other window sizes: the configuration with only `hardware.window`
//! changed, resolved and validated like any configuration, then costed by the same model.

use serde::Serialize;

use crate::config::{self, Params};

use super::model::Figures;

/// One window size of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepPoint {
    pub window: usize,
    pub decode_latency_ns: f64,
    pub energy_per_token_per_head_nj: f64,
    pub area_per_head_mm2: f64,
}

/// Windows of tile * 2^k up to the model's context (and the configured window), each one that
/// passes validation. Areas are estimates: a flow run exists for one window at most.
pub fn sweep(p: &Params) -> Vec<SweepPoint> {
    let mut windows = Vec::new();
    let mut w = p.shape.tile as u64;
    while w <= p.model.n_ctx {
        windows.push(w);
        w *= 2;
    }
    windows.push(p.shape.window as u64);
    windows.sort_unstable();
    windows.dedup();
    windows
        .into_iter()
        .filter_map(|w| {
            let mut hw = p.hardware.clone();
            hw.window = Some(w);
            let q = config::resolve(p.name.clone(), p.model, hw).ok()?;
            let f = Figures::new(&q, None);
            Some(SweepPoint {
                window: q.shape.window,
                decode_latency_ns: f.latency.decode_ns,
                energy_per_token_per_head_nj: f.energy.per_token_per_head_nj,
                area_per_head_mm2: f.area.per_head_mm2,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpt2_sweeps_from_one_tile_to_the_context() {
        let p = config::load("gpt2").unwrap();
        let s = sweep(&p);
        let windows: Vec<usize> = s.iter().map(|x| x.window).collect();
        assert_eq!(windows, vec![64, 128, 256, 512, 1024]);
        assert!(s
            .windows(2)
            .all(|w| w[0].energy_per_token_per_head_nj < w[1].energy_per_token_per_head_nj));
    }
}
