//! The OpenROAD-flow-scripts design configuration (`flow/orfs/config.mk` and the macro
//! placement it sources, `flow/orfs/macro_placement.tcl`), for profiles ORFS ships a platform
//! of. Keys as ORFS documents them in `flow/scripts/variables.yaml` (docs/flow.md cites them):
//! the RTL, the SDC, the macro's LEF, Liberty and GDS as ADDITIONAL_*, die and core of the
//! generated floorplan, every macro placed by `place_macro`, and ABC's clock period given
//! explicitly (ORFS would grep it from the SDC's first `-period`, which here is a variable).

use askama::Template;

use crate::config::Params;
use crate::macros::area::um;
use crate::rtl::header_comment;

use super::floorplan::TopFloorplan;

/// Path of the ORFS configuration in a generated folder.
pub const CONFIG_FILE: &str = "flow/orfs/config.mk";
/// Path of its macro placement script.
pub const PLACEMENT_FILE: &str = "flow/orfs/macro_placement.tcl";

#[derive(Template)]
#[template(path = "orfs_config.mk")]
struct Config<'a> {
    header: Vec<String>,
    nickname: String,
    platform: &'a str,
    rtl: &'a [String],
    period_ps: String,
    die: String,
    core: String,
    placement: &'static str,
}

pub(crate) fn config_mk(p: &Params, platform: &str, rtl: &[String]) -> String {
    let f = TopFloorplan::new(p);
    let (c0, c1, c2, c3) = f.core_nm;
    let view = Config {
        header: header_comment(p, "OpenROAD-flow-scripts design configuration of gca_top."),
        nickname: format!("gca_{}", super::safe_name(&p.name)),
        platform,
        rtl,
        period_ps: super::budget::num(p.cycles.clock_period_ns * 1000.0),
        die: format!("0 0 {} {}", um(f.die_nm.0), um(f.die_nm.1)),
        core: format!("{} {} {} {}", um(c0), um(c1), um(c2), um(c3)),
        placement: "macro_placement.tcl",
    };
    crate::asic::render(&view, "ORFS config.mk")
}

pub(crate) fn macro_placement(p: &Params) -> String {
    let f = TopFloorplan::new(p);
    let mut o = String::new();
    for l in header_comment(
        p,
        "Macro placement of gca_top for ORFS (MACRO_PLACEMENT_TCL).",
    ) {
        o.push_str(&format!("# {l}\n"));
    }
    for m in &f.macros {
        o.push_str(&format!(
            "place_macro -macro_name {} -location {{{} {}}} -orientation R0 -exact\n",
            m.instance,
            um(m.x_nm),
            um(m.y_nm)
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_one_place_per_macro() {
        let p = crate::config::load("tiny").unwrap();
        let rtl = vec!["rtl/gca_top.v".to_string()];
        let text = config_mk(&p, "nangate45", &rtl);
        assert!(text.contains("export PLATFORM = nangate45\n"));
        assert!(text.contains("export ABC_CLOCK_PERIOD_IN_PS = 1000\n"));
        assert!(text.contains("$(GCA_DIR)/rtl/gca_top.v"));
        let places = macro_placement(&p);
        let n = p.shape.n_layer * p.shape.n_head * p.shape.n_tiles;
        assert_eq!(places.matches("place_macro ").count(), n);
    }
}
