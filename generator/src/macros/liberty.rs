//! The Liberty view (timing abstract) of `gca_subtile`: the digital pins of `ports.rs` with
//! their capacitances, setup and hold checks and clock-to-output arcs from the timing budget
//! (`asic::budget`), and the area of the area model (`area.rs`).

use askama::Template;

use crate::asic::budget::{self, num, Budget};
use crate::config::Params;
use crate::rtl::header_comment;

use super::area::Floorplan;
use super::ports::{digital_ports, Dir, Port};

struct LibPin {
    /// `pin` or `bus`.
    kind: &'static str,
    name: &'static str,
    bus_type: Option<String>,
    cap: String,
}

#[derive(Template)]
#[template(path = "gca_subtile.lib")]
struct Liberty {
    header: Vec<String>,
    lib_name: String,
    area: String,
    cells: u64,
    period: String,
    setup: String,
    hold: String,
    clk_to_out: String,
    out_transition: String,
    max_load: String,
    clk_cap: String,
    pin_cap: String,
    types: Vec<(String, u32)>,
    inputs: Vec<LibPin>,
    outputs: Vec<LibPin>,
}

fn bus_type(width: u32) -> String {
    format!("gca_bus_{width}")
}

fn lib_pin(q: &Port) -> LibPin {
    let cap = match q.name {
        "row_pulse" => budget::MACRO_ROW_CAP_PF,
        _ => budget::MACRO_PIN_CAP_PF,
    };
    LibPin {
        kind: if q.width == 1 { "pin" } else { "bus" },
        name: q.name,
        bus_type: (q.width > 1).then(|| bus_type(q.width)),
        cap: num(cap),
    }
}

/// The Liberty name of the library: the cell's name and the configuration's.
pub(crate) fn library_name(p: &Params) -> String {
    format!("gca_subtile_{}", crate::asic::safe_name(&p.name))
}

pub(crate) fn liberty(p: &Params) -> String {
    let b = Budget::new(p);
    let plan = Floorplan::new(p);
    let ports: Vec<Port> = digital_ports(p).into_iter().flat_map(|g| g.1).collect();
    let mut widths: Vec<u32> = ports.iter().map(|q| q.width).filter(|&w| w > 1).collect();
    widths.sort_unstable();
    widths.dedup();
    let view = Liberty {
        header: header_comment(
            p,
            "gca_subtile: analog sub-tile macro, Liberty timing abstract.",
        ),
        lib_name: library_name(p),
        area: format!("{:.4}", plan.area_um2()),
        cells: plan.gain_cells,
        period: num(b.period_ns),
        setup: num(b.macro_setup_ns),
        hold: num(b.macro_hold_ns),
        clk_to_out: num(b.macro_clk_to_out_ns),
        out_transition: num(budget::MACRO_OUT_TRANSITION_NS),
        max_load: num(budget::MACRO_MAX_LOAD_PF),
        clk_cap: num(budget::MACRO_CLK_CAP_PF),
        pin_cap: num(budget::MACRO_PIN_CAP_PF),
        types: widths.into_iter().map(|w| (bus_type(w), w)).collect(),
        inputs: ports
            .iter()
            .filter(|q| q.dir == Dir::In && q.name != "clk")
            .map(lib_pin)
            .collect(),
        outputs: ports
            .iter()
            .filter(|q| q.dir == Dir::Out)
            .map(lib_pin)
            .collect(),
    };
    crate::asic::render(&view, "Liberty")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(kind, name, direction)` of every pin and bus group of the cell, in order.
    fn pins_of(text: &str) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let mut open: Option<(String, String)> = None;
        for line in text.lines().map(str::trim) {
            for kind in ["pin", "bus"] {
                if let Some(rest) = line.strip_prefix(&format!("{kind} (")) {
                    let name = rest.split(')').next().unwrap().to_string();
                    open = Some((kind.to_string(), name));
                }
            }
            if let Some(dir) = line.strip_prefix("direction : ") {
                let (k, n) = open.take().expect("direction inside a pin");
                out.push((k, n, dir.trim_end_matches(';').trim().to_string()));
            }
        }
        out
    }

    #[test]
    fn pins_are_the_port_description() {
        for name in ["tiny", "gpt2"] {
            let p = crate::config::load(name).unwrap();
            let text = liberty(&p);
            let expected: Vec<(String, String, String)> = digital_ports(&p)
                .into_iter()
                .flat_map(|g| g.1)
                .map(|q| {
                    let kind = if q.width == 1 { "pin" } else { "bus" };
                    let dir = if q.dir == Dir::Out { "output" } else { "input" };
                    (kind.to_string(), q.name.to_string(), dir.to_string())
                })
                .collect();
            assert_eq!(pins_of(&text), expected, "{name}");
        }
    }

    #[test]
    fn area_and_arcs_come_from_the_model_and_budget() {
        let p = crate::config::load("gpt2").unwrap();
        let text = liberty(&p);
        let area = Floorplan::new(&p).area_um2();
        assert!(text.contains(&format!("area : {area:.4};")), "{area}");
        assert!(text.contains("setup_rising"));
        assert!(text.contains("rise_constraint (scalar) { values (\"0.1\"); }"));
        assert!(text.contains("cell_rise (scalar) { values (\"0.2\"); }"));
        assert!(text.contains("type (gca_bus_192)"));
        assert_eq!(text.matches('{').count(), text.matches('}').count());
    }
}
