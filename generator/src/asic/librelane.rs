//! The LibreLane configuration (`flow/librelane.json`, for profiles LibreLane supports): the
//! PDK and library, design name, RTL files in compile order, clock port and period, the SDC for
//! place-and-route and sign-off, a die of the generated floorplan (`floorplan.rs`), the macro's
//! views (GDS, LEF, Liberty, blackbox) with the place of every instance, and the power
//! connections of the macros (`PDN_MACRO_CONNECTIONS`). Keys are LibreLane 3.0.17 variables;
//! `generator/tests/handoff.rs` loads the file with LibreLane's own configuration code.

use serde_json::{json, Map, Value};

use crate::config::pdk::LibreLanePdk;
use crate::config::Params;
use crate::macros::area::um;

use super::floorplan::TopFloorplan;

/// A number of um as JSON (three decimals, as LibreLane's Decimal parses it).
fn um_json(nm: u64) -> Value {
    um(nm)
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .expect("a number")
}

pub(crate) fn librelane(p: &Params, pdk: &LibreLanePdk, rtl: &[String]) -> String {
    let plan = TopFloorplan::new(p);
    let mut instances = Map::new();
    for m in &plan.macros {
        instances.insert(
            m.instance.clone(),
            json!({"location": [um_json(m.x_nm), um_json(m.y_nm)], "orientation": "N"}),
        );
    }
    let dir = |f: &str| format!("dir::../{f}");
    let v = json!({
        "meta": {"version": 2, "flow": "Classic"},
        "DESIGN_NAME": "gca_top",
        "PDK": pdk.pdk,
        "STD_CELL_LIBRARY": pdk.std_cell_library,
        "VERILOG_FILES": rtl.iter().map(|f| dir(f)).collect::<Vec<_>>(),
        "CLOCK_PORT": "clk",
        "CLOCK_PERIOD": serde_json::Number::from_f64(p.cycles.clock_period_ns),
        "PNR_SDC_FILE": dir(super::SDC_FILE),
        "SIGNOFF_SDC_FILE": dir(super::SDC_FILE),
        "FP_SIZING": "absolute",
        "DIE_AREA": [0, 0, um_json(plan.die_nm.0), um_json(plan.die_nm.1)],
        "VDD_NETS": ["VDD"],
        "GND_NETS": ["VSS"],
        "PDN_MACRO_CONNECTIONS": ["u_layer[0-9]+\\.u_head[0-9]+\\.u_tile[0-9]+ VDD VSS VDD VSS"],
        "MACROS": {
            "gca_subtile": {
                "gds": [dir(super::GDS_PATH)],
                "lef": [dir(super::LEF_PATH)],
                "lib": {"*": [dir(super::LIBERTY_PATH)]},
                "vh": [dir(&format!("models/{}", crate::macros::BLACKBOX_FILE))],
                "instances": instances,
            }
        }
    });
    let mut text = serde_json::to_string_pretty(&v).expect("the configuration serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_json_with_the_required_keys() {
        let mut p = crate::config::load("tiny").unwrap();
        p.hardware.pdk = "sky130".into();
        let rtl = vec!["rtl/gca_csr.v".to_string(), "rtl/gca_top.v".to_string()];
        let pdk = p.pdk().librelane.unwrap();
        let v: Value = serde_json::from_str(&librelane(&p, &pdk, &rtl)).unwrap();
        assert_eq!(v["DESIGN_NAME"], "gca_top");
        assert_eq!(v["PDK"], "sky130A");
        assert_eq!(v["CLOCK_PERIOD"], 1.0);
        assert_eq!(v["VERILOG_FILES"][1], "dir::../rtl/gca_top.v");
        assert_eq!(v["PNR_SDC_FILE"], "dir::../constraints/gca_top.sdc");
        let m = &v["MACROS"]["gca_subtile"];
        assert_eq!(m["gds"][0], "dir::../macros/gca_subtile.gds");
        assert_eq!(m["lib"]["*"][0], "dir::../macros/gca_subtile.lib");
        let n = p.shape.n_layer * p.shape.n_head * p.shape.n_tiles;
        assert_eq!(m["instances"].as_object().unwrap().len(), n);
        assert_eq!(
            m["instances"]["u_layer0.u_head0.u_tile0"]["orientation"],
            "N"
        );
    }
}
