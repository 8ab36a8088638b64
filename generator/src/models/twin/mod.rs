//! H, the integer hardware twin (SPEC 3.4): bit-exact with the RTL and its behavioral macro,
//! cycle-exact for the latency of every token. Its formats are in docs/hardware-twin.md.

pub mod fixed;
mod head;
mod quantizer;
pub mod schedule;
mod tables;

pub use head::{HeadTwin, TokenOut, SLOT_RULE};
pub use quantizer::{OutScaler, Quantizer, Rounding, ScalerRange};
pub use schedule::{Schedule, TokenTiming};
pub use tables::CellTable;
