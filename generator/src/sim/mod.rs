//! Simulation of generated designs against the twin H (`gca sim`): packets as AXI4-Stream
//! beats (`packets`), the twin of a whole design (`twin`), input scenarios with their expected
//! outputs (`scenario`), AXI4-Lite scripts around them (`csr`), and the two back ends: Verilator in lockstep (`verilator`, `lockstep`)
//! and Icarus with a self-checking bench (`icarus`).

pub mod activity;
pub mod axil;
pub mod cover_points;
pub mod coverage;
pub mod csr;
pub mod icarus;
pub mod lockstep;
pub mod mutate;
pub mod packets;
pub mod regression;
pub mod scenario;
pub mod shard;
pub mod tb_folder;
pub mod twin;
pub mod verilator;

use crate::models::reference::Scalers;

/// The scalers `gca sim` programs through AXI4-Lite before a run (different from the reset
/// values, so that the register path is exercised); each saturated to its register where the
/// configuration's scaler registers are too narrow for it (`ScalerRegisters::saturating`).
pub fn programmed_scalers() -> Scalers {
    Scalers {
        q: (0.3, 0.45),
        k: (0.25, 0.45),
        v: (0.2, 0.45),
        out: (1.25, 0.0),
    }
}
