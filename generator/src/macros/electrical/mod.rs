//! The electrical view of `gca_subtile` (docs/analog.md): Verilog-A cells compiled by
//! OpenVAF-Reloaded, a VACASK netlist of one sub-tile built from their instances (Verilog-A
//! cannot instantiate modules), and a Verilog-AMS wrapper that puts the macro's logic pins
//! around that electrical core for commercial mixed-signal simulators.
//!
//! Every number comes from [`Electrical`], derived once from the configuration: the cell
//! transfer, V_in, V_off, V_max, the decay per token, the timings, S_sat and A_sat, and the
//! few constants of the electrical model itself (unit read current, capacitances, switch
//! conductances), which scale currents and voltages but cancel out of every result.

mod consts;
mod netlist;
mod vams;
mod veriloga;

pub use consts::{Electrical, SubTileShape};
pub use netlist::{netlist, node, pins as netlist_pins, NETLIST_FILE, SUBCKT};
pub use vams::{vams_wrapper, VAMS_FILE};
pub use veriloga::{va_files, VaFile};
