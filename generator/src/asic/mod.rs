//! ASIC-flow collateral of a configuration (SPEC section 5): the SDC of `gca_top`
//! (`constraints/`), the macro's Liberty and LEF abstracts (`macros/`, printed by
//! `crate::macros`), a LibreLane configuration and a FuseSoC core (`flow/`). Every number
//! comes from the resolved parameters and the timing budget ([`budget`]).

pub mod budget;
pub mod floorplan;
mod fusesoc;
mod librelane;
mod orfs;
mod sdc;

pub use orfs::{CONFIG_FILE as ORFS_CONFIG_FILE, PLACEMENT_FILE as ORFS_PLACEMENT_FILE};

use crate::config::Params;
use crate::macros;

/// Path of the SDC in a generated folder.
pub const SDC_FILE: &str = "constraints/gca_top.sdc";
/// Path of the macro's Liberty view in a generated folder.
pub const LIBERTY_PATH: &str = "macros/gca_subtile.lib";
/// Path of the macro's LEF view in a generated folder.
pub const LEF_PATH: &str = "macros/gca_subtile.lef";
/// Path of the macro's GDSII view in a generated folder.
pub const GDS_PATH: &str = "macros/gca_subtile.gds";
/// Path of the LibreLane configuration in a generated folder.
pub const LIBRELANE_FILE: &str = "flow/librelane.json";
/// Path of `gca_clock_gate` as the profile's library clock gate: the LibreLane and ORFS
/// configurations compile it in place of `rtl/gca_clock_gate.v`.
pub const CLOCK_GATE_FILE: &str = "flow/gca_clock_gate.v";

/// Path of the FuseSoC core file in a generated folder: at its root, so that every file the
/// core names is inside the core's folder.
pub const FUSESOC_FILE: &str = "gca.core";

pub(crate) use fusesoc::vlnv;

/// The configuration's name with every character outside `[A-Za-z0-9]` replaced by `_`, for
/// names in Liberty and FuseSoC files.
pub(crate) fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Renders a template of the flow files, ending with one newline.
pub(crate) fn render(view: &impl askama::Template, what: &str) -> String {
    let mut text = view
        .render()
        .unwrap_or_else(|e| panic!("the {what} template renders: {e}"));
    text.push('\n');
    text
}

/// The RTL files of the place-and-route flows: `rtl` with the behavioral clock gate replaced
/// by [`CLOCK_GATE_FILE`].
pub fn flow_rtl(rtl: &[String]) -> Vec<String> {
    let behavioral = format!("rtl/{}.v", crate::rtl::clock_gate::MODULE);
    rtl.iter()
        .map(|f| {
            if *f == behavioral {
                CLOCK_GATE_FILE.to_string()
            } else {
                f.clone()
            }
        })
        .collect()
}

/// The flow files of a folder, `(path, text)`; `rtl` lists the RTL files in compile order
/// (paths relative to the folder). The LibreLane configuration is written for profiles that
/// LibreLane supports, the ORFS configuration for profiles ORFS has a platform of; both
/// compile the library clock gate ([`CLOCK_GATE_FILE`]).
pub fn files(p: &Params, rtl: &[String]) -> Vec<(String, String)> {
    let mut files = vec![
        (SDC_FILE.to_string(), sdc::sdc(p)),
        (LIBERTY_PATH.to_string(), macros::liberty(p)),
        (LEF_PATH.to_string(), macros::lef(p)),
        (FUSESOC_FILE.to_string(), fusesoc::core(p, rtl)),
    ];
    let pnr_rtl = flow_rtl(rtl);
    let pdk = p.pdk();
    if pdk.librelane.is_some() || pdk.orfs_platform.is_some() {
        files.push((
            CLOCK_GATE_FILE.to_string(),
            crate::hdl::print_module(&crate::rtl::clock_gate::library_cell(p, &pdk.clock_gate)),
        ));
    }
    if let Some(l) = &pdk.librelane {
        files.push((
            LIBRELANE_FILE.to_string(),
            librelane::librelane(p, l, &pnr_rtl),
        ));
    }
    if let Some(platform) = pdk.orfs_platform {
        files.push((
            ORFS_CONFIG_FILE.to_string(),
            orfs::config_mk(p, platform, &pnr_rtl),
        ));
        files.push((ORFS_PLACEMENT_FILE.to_string(), orfs::macro_placement(p)));
    }
    files
}
