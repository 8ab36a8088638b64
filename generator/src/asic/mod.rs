//! ASIC-flow collateral of a configuration (SPEC section 5): the SDC of `gca_top`
//! (`constraints/`), the macro's Liberty and LEF abstracts (`macros/`, printed by
//! `crate::macros`), a LibreLane configuration and a FuseSoC core (`flow/`). Every number
//! comes from the resolved parameters and the timing budget ([`budget`]).

pub mod budget;
mod fusesoc;
mod librelane;
mod sdc;

use crate::config::Params;
use crate::macros;

/// Path of the SDC in a generated folder.
pub const SDC_FILE: &str = "constraints/gca_top.sdc";
/// Path of the macro's Liberty view in a generated folder.
pub const LIBERTY_PATH: &str = "macros/gca_subtile.lib";
/// Path of the macro's LEF view in a generated folder.
pub const LEF_PATH: &str = "macros/gca_subtile.lef";
/// Path of the LibreLane configuration in a generated folder.
pub const LIBRELANE_FILE: &str = "flow/librelane.json";
/// Path of the FuseSoC core file in a generated folder.
pub const FUSESOC_FILE: &str = "flow/gca.core";

/// The flow files of a folder, `(path, text)`; `rtl` lists the RTL files in compile order
/// (paths relative to the folder).
pub fn files(p: &Params, rtl: &[String]) -> Vec<(String, String)> {
    vec![
        (SDC_FILE.to_string(), sdc::sdc(p)),
        (LIBERTY_PATH.to_string(), macros::liberty(p)),
        (LEF_PATH.to_string(), macros::lef(p)),
        (LIBRELANE_FILE.to_string(), librelane::librelane(p, rtl)),
        (FUSESOC_FILE.to_string(), fusesoc::core(p, rtl)),
    ]
}
