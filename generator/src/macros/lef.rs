//! The LEF view (physical abstract) of `gca_subtile`: SIZE, pins and obstruction from the area
//! model (`area.rs`), pin names from the port description (`ports.rs`).

use askama::Template;

use crate::config::Params;
use crate::rtl::header_comment;

use super::area::{um, Floorplan, PinShape};
use super::ports::Dir;

struct LefPin {
    name: String,
    direction: &'static str,
    usage: &'static str,
    layer: &'static str,
    rect: (String, String, String, String),
}

#[derive(Template)]
#[template(path = "gca_subtile.lef")]
struct Lef {
    header: Vec<String>,
    profile: &'static str,
    h_layer: &'static str,
    v_layer: &'static str,
    supply_layer: &'static str,
    site: &'static str,
    width: String,
    height: String,
    pins: Vec<LefPin>,
    obs_layers: Vec<&'static str>,
    obs: (String, String, String, String),
}

fn rect(r: (u64, u64, u64, u64)) -> (String, String, String, String) {
    (um(r.0), um(r.1), um(r.2), um(r.3))
}

/// LEF DIRECTION and USE of a pin.
pub(crate) fn direction_and_use(q: &PinShape) -> (&'static str, &'static str) {
    match (q.dir, q.name.as_str()) {
        (Dir::Out, _) => ("OUTPUT", "SIGNAL"),
        (Dir::In, "clk") => ("INPUT", "CLOCK"),
        (Dir::In, _) => ("INPUT", "SIGNAL"),
        (Dir::Supply, "VDD") => ("INOUT", "POWER"),
        (Dir::Supply, "VSS") => ("INOUT", "GROUND"),
        (Dir::Supply, _) => ("INPUT", "ANALOG"),
    }
}

pub(crate) fn lef(p: &Params) -> String {
    let plan = Floorplan::new(p);
    let pdk = p.pdk();
    let pins: Vec<LefPin> = plan
        .pins
        .iter()
        .map(|q| {
            let (direction, usage) = direction_and_use(q);
            LefPin {
                name: q.name.clone(),
                direction,
                usage,
                layer: q.layer.name,
                rect: rect(q.rect),
            }
        })
        .collect();
    let view = Lef {
        header: header_comment(
            p,
            "gca_subtile: analog sub-tile macro, LEF physical abstract.",
        ),
        profile: pdk.description,
        h_layer: pdk.pin_h.name,
        v_layer: pdk.pin_v.name,
        supply_layer: pdk.supply.name,
        site: pdk.site,
        width: um(plan.width_nm),
        height: um(plan.height_nm),
        pins,
        obs_layers: pdk.obstruction.iter().map(|l| l.name).collect(),
        obs: rect(plan.array_nm),
    };
    crate::asic::render(&view, "LEF")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::macros::ports::{digital_ports, power_pins};

    #[test]
    fn size_is_the_area_model() {
        for name in ["tiny", "gpt2"] {
            let p = crate::config::load(name).unwrap();
            let plan = Floorplan::new(&p);
            let text = lef(&p);
            let size = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("SIZE "))
                .expect("SIZE line");
            let v: Vec<f64> = size
                .trim_end_matches(" ;")
                .split(" BY ")
                .map(|x| x.parse().unwrap())
                .collect();
            assert!(
                (v[0] * v[1] - plan.area_um2()).abs() < 1e-6,
                "{name}: {size}"
            );
        }
    }

    #[test]
    fn pins_are_the_port_description_bit_by_bit() {
        let p = crate::config::load("tiny").unwrap();
        let text = lef(&p);
        let in_lef: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("PIN "))
            .collect();
        let mut expected: Vec<String> = Vec::new();
        for q in digital_ports(&p).into_iter().flat_map(|g| g.1) {
            if q.width == 1 {
                expected.push(q.name.to_string());
            } else {
                expected.extend((0..q.width).map(|i| format!("{}[{i}]", q.name)));
            }
        }
        expected.extend(power_pins(&p).iter().map(|q| q.name.to_string()));
        // Left-edge pins first, then the bottom, the right and the top: compare as sets.
        let mut a: Vec<String> = in_lef.iter().map(|s| s.to_string()).collect();
        a.sort();
        expected.sort();
        assert_eq!(a, expected);
        assert_eq!(
            text.matches("\n  PIN ").count(),
            text.matches("\n  END ").count()
        );
    }
}
