//! Rust-driven simulation of generated GCA RTL against the golden models.
//!
//! This crate holds the co-simulation stage (Verilator in lockstep with the hardware twin,
//! Icarus self-checking benches). It is empty until the RTL stage emits a design to simulate;
//! the golden models it will compare against live in `gca::models`.
