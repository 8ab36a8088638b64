//! The co-simulation scenarios of generated GCA designs: the tests in `tests/` run the
//! simulators of `gca::sim` (Verilator in lockstep with the twin H, Icarus with a
//! self-checking bench) on scenario after scenario. The simulation library itself lives in
//! `gca::sim`, so that `gca sim` can use it; it is re-exported here.

pub use gca::sim::{icarus, lockstep, packets, scenario, twin, verilator};

use gca::config::Params;

/// The configurations the scenario tests run besides `tiny`, on both simulators.
pub mod configs {
    use super::Params;

    /// 2 layers x 2 heads, D 8, window 32 in 4 tiles of 8, write/compute overlap, decay 0.01 per
    /// token, 2-cycle PWM steps (t_max 30 ns).
    pub fn small_overlap() -> Params {
        let yaml = "name: small-overlap\nmodel: {n_layer: 2, n_head: 2, n_embd: 16, n_ctx: 64}\n\
                    hardware:\n  window: 32\n  tile: 8\n  decay_per_token: 0.01\n  prefill_overlap: true\n\
                    \x20 timing: {t_max_ns: 30.0}\n";
        gca::config::from_yaml(yaml, "inline", "small-overlap").expect("a valid configuration")
    }

    /// 2 layers x 2 heads, D 8, window 16 in 2 tiles of 8, decay 0.01 per token: windows wrap
    /// after 16 tokens.
    pub fn small_wrap() -> Params {
        let yaml = "name: small-wrap\nmodel: {n_layer: 2, n_head: 2, n_embd: 16, n_ctx: 64}\n\
                    hardware:\n  window: 16\n  tile: 8\n  decay_per_token: 0.01\n";
        gca::config::from_yaml(yaml, "inline", "small-wrap").expect("a valid configuration")
    }
}
