//! Rust-driven simulation of generated GCA RTL against the golden models: packets as beats,
//! the hardware twin of a whole design, and the simulator back ends.

pub mod icarus;
pub mod packets;
pub mod twin;
