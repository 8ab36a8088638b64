//! The LibreLane configuration (`flow/librelane.json`): design name, RTL files in compile order,
//! clock port and period, the SDC for place-and-route and sign-off, and the macro's views.

use askama::Template;

use crate::config::Params;

use super::budget::num;

#[derive(Template)]
#[template(path = "librelane.json")]
struct LibreLane<'a> {
    verilog: &'a [String],
    period: String,
}

pub(crate) fn librelane(p: &Params, rtl: &[String]) -> String {
    let view = LibreLane {
        verilog: rtl,
        period: num(p.cycles.clock_period_ns),
    };
    crate::asic::render(&view, "LibreLane")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_json_with_the_required_keys() {
        let p = crate::config::load("tiny").unwrap();
        let rtl = vec!["rtl/gca_csr.v".to_string(), "rtl/gca_top.v".to_string()];
        let v: serde_json::Value = serde_json::from_str(&librelane(&p, &rtl)).unwrap();
        assert_eq!(v["DESIGN_NAME"], "gca_top");
        assert_eq!(v["CLOCK_PORT"], "clk");
        assert_eq!(v["CLOCK_PERIOD"], 1);
        assert_eq!(v["VERILOG_FILES"][1], "dir::../rtl/gca_top.v");
        assert_eq!(v["PNR_SDC_FILE"], "dir::../constraints/gca_top.sdc");
        assert_eq!(v["SIGNOFF_SDC_FILE"], v["PNR_SDC_FILE"]);
        let m = &v["MACROS"]["gca_subtile"];
        assert_eq!(m["lef"][0], "dir::../macros/gca_subtile.lef");
        assert_eq!(m["lib"]["*"][0], "dir::../macros/gca_subtile.lib");
    }
}
