//! The co-simulation scenarios of generated GCA designs: the tests in `tests/` run the
//! simulators of `gca::sim` (Verilator in lockstep with the twin H, Icarus with a
//! self-checking bench) on scenario after scenario. The simulation library itself lives in
//! `gca::sim`, so that `gca sim` can use it; it is re-exported here.

pub use gca::sim::{icarus, lockstep, packets, scenario, twin, verilator};
