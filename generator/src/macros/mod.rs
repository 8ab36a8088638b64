//! The views of the analog macro `gca_subtile` (docs/rtl.md, SPEC 3.3): one sub-tile of a head,
//! C columns of the K and V arrays over D dimensions. All three views are printed from one
//! description of the ports (`ports.rs`), so they cannot drift apart:
//!
//! - [`blackbox`]: `(* blackbox *)` ports only, for synthesis and the ASIC flow;
//! - [`behavioral`]: cycle-level Verilog for digital simulation, bit-exact with the hardware
//!   twin H (`models::twin::HeadTwin`) for one tile;
//! - [`ams`]: Verilog-AMS real-valued model (charges, voltages and pulse widths as reals), close
//!   to H but not bit-exact;
//! - [`liberty`] and [`lef`]: the timing and physical abstracts for the ASIC flow, sized by the
//!   area model ([`Floorplan`]);
//! - [`electrical`]: Verilog-A cells, a VACASK netlist of the sub-tile and a Verilog-AMS
//!   wrapper (docs/analog.md); its terminals are the pins of `ports.rs`, bit by bit (tested).

mod ams;
pub mod area;
mod behavioral;
mod blackbox;
pub mod electrical;
mod gds;
mod lef;
mod liberty;
mod ports;

use crate::config::Params;

pub use area::Floorplan;

/// File name of the blackbox view (in `models/` of a generated folder).
pub const BLACKBOX_FILE: &str = "gca_subtile_bb.v";
/// File name of the behavioral view (in `models/`).
pub const BEHAVIORAL_FILE: &str = "gca_subtile.v";
/// File name of the behavioral view's cell table (in `models/`), read with `$readmemh` from
/// `models/` relative to the simulator's working folder (the generated folder, like the paths
/// of sim.f), or from the path in the macro `GCA_SUBTILE_GTAB`.
pub const GTAB_FILE: &str = "gca_subtile_gtab.hex";
/// File name of the Verilog-AMS real-valued view (in `models/`).
pub const AMS_FILE: &str = "gca_subtile.vams";

/// The blackbox view of `gca_subtile` ([`BLACKBOX_FILE`]): the ports of docs/rtl.md under a
/// `(* blackbox *)` attribute, power and bias pins (`VDD`, `VSS`, `V_OFF`, `V_IN`, `inout`)
/// behind `ifdef USE_POWER_PINS`. Lints clean with `verilator --lint-only -Wall` (its waivers
/// are written next to the ports) and stays one cell through Yosys `synth`.
pub fn blackbox(p: &Params) -> String {
    blackbox::blackbox(p)
}

/// The behavioral view of `gca_subtile` ([`BEHAVIORAL_FILE`]), for simulation only (Icarus,
/// Verilator): stores the k and v codes and the age of every column, counts the PWM row pulses
/// of QK cycle by cycle, and at the first AV edge computes phi and the output codes with exactly
/// the integer arithmetic of `HeadTwin::step` for one tile (cell table read from [`GTAB_FILE`]),
/// then emits the output pulses during READOUT. Lints clean with `verilator --lint-only -Wall`.
pub fn behavioral(p: &Params) -> String {
    behavioral::behavioral(p)
}

/// The cell table of the behavioral view ([`GTAB_FILE`]).
pub fn gtab_hex(p: &Params) -> String {
    behavioral::gtab_hex(p)
}

/// The Verilog-AMS real-valued view of `gca_subtile` ([`AMS_FILE`]): stored cell voltages, the
/// cell transfer g(u), column charges and the phi pulse widths as `real`, power and bias pins as
/// `wreal` inputs behind `ifdef USE_POWER_PINS`. Close to H (within one output code), not
/// bit-exact. Simulate with Icarus 11: `iverilog -g2005 -gverilog-ams` (the flag is needed for
/// `wreal`); it also lints with `verilator --lint-only -Wall`.
pub fn ams(p: &Params) -> String {
    ams::ams(p)
}

/// The supply and bias pins of the macro (`VDD`, `VSS`, `V_OFF`, `V_IN`) with their meaning,
/// which `gca_head`, `gca_layer` and `gca_top` pass down behind `ifdef USE_POWER_PINS`.
pub fn supply_pins(p: &Params) -> Vec<(&'static str, String)> {
    ports::power_pins(p)
        .into_iter()
        .map(|q| (q.name, q.doc))
        .collect()
}

/// File name of the Liberty view (in `macros/`).
pub const LIBERTY_FILE: &str = "gca_subtile.lib";
/// File name of the LEF view (in `macros/`).
pub const LEF_FILE: &str = "gca_subtile.lef";

/// The Liberty timing abstract of `gca_subtile` ([`LIBERTY_FILE`]): the digital pins with their
/// capacitances, setup and hold checks against `clk` and clock-to-output arcs from the timing
/// budget (`asic::budget`), and the area of the area model ([`Floorplan`]). Read by Yosys
/// (`read_liberty -lib`) and OpenSTA (`read_liberty`) without errors.
pub fn liberty(p: &Params) -> String {
    liberty::liberty(p)
}

/// The Liberty library name of the macro of a configuration (`gca_subtile_<name>`).
pub fn liberty_library_name(p: &Params) -> String {
    liberty::library_name(p)
}

/// File name of the GDSII view (in `macros/`).
pub const GDS_FILE: &str = "gca_subtile.gds";

/// The GDSII view of `gca_subtile` ([`GDS_FILE`]): a placeholder abstract (boundary, pin
/// shapes and labels on the profile's GDS layers, obstruction over the arrays), the same
/// geometry as the LEF.
pub fn gds(p: &Params) -> Vec<u8> {
    gds::gds(p)
}

pub use gds::PLACEHOLDER_NOTE;

/// The LEF physical abstract of `gca_subtile` ([`LEF_FILE`]): SIZE of the area model, one pin
/// shape per bit on the edges, supply and bias pins on the top, an obstruction over the arrays.
pub fn lef(p: &Params) -> String {
    lef::lef(p)
}

/// The electrical view of the configuration's sub-tile (D x C), as `(path in the generated
/// folder, text)`: the Verilog-A cells (`models/*.va`), the VACASK netlist
/// ([`electrical::NETLIST_FILE`]) and the Verilog-AMS wrapper ([`electrical::VAMS_FILE`]).
/// `gca analog` runs the same files (docs/analog.md).
pub fn electrical_files(p: &Params) -> Vec<(String, String)> {
    let e = electrical::Electrical::new(p, electrical::SubTileShape::of(p));
    let header = |what: &str| crate::rtl::header_comment(p, what);
    let va = electrical::va_files(
        &e,
        &header("gca_subtile: electrical view, Verilog-A cells."),
    );
    let mut files: Vec<(String, String)> = va
        .iter()
        .map(|f| (format!("models/{}", f.name), f.text.clone()))
        .collect();
    files.push((
        format!("models/{}", electrical::NETLIST_FILE),
        electrical::netlist(
            &e,
            &header("gca_subtile: electrical view, VACASK netlist."),
            &va,
        ),
    ));
    files.push((
        format!("models/{}", electrical::VAMS_FILE),
        electrical::vams_wrapper(
            &e,
            &header("gca_subtile: electrical view, Verilog-AMS wrapper."),
        ),
    ));
    files
}
