//! The synthesized netlist as `gca flow --power` needs it: every leaf cell with its full
//! instance path, the module it sits in and the nets of its pins; and the standard cells'
//! output pins and whether they are sequential, from the Liberty file.

use std::collections::{BTreeMap, BTreeSet};

/// A cell or module instance in a module body.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    pub kind: String,
    pub name: String,
    /// (pin, net) for connections to a single net.
    pub pins: Vec<(String, String)>,
}

/// An identifier as written (`\foo[3] ` escaped) to its name (`foo[3]`).
fn ident(s: &str) -> String {
    s.trim().trim_start_matches('\\').trim().to_string()
}

/// The instances of every module of a Yosys netlist, by module name.
pub fn parse(netlist: &str) -> BTreeMap<String, Vec<Instance>> {
    let mut out = BTreeMap::new();
    for m in netlist.split("\nmodule ").skip(1) {
        let Some(name) = m.split('(').next().map(|n| n.trim().to_string()) else {
            continue;
        };
        let body = &m[..m.find("\nendmodule").unwrap_or(m.len())];
        let mut insts = Vec::new();
        for stmt in body.split(';') {
            let t = stmt.trim();
            if t.is_empty()
                || ["wire ", "input ", "output ", "inout ", "assign ", "reg "]
                    .iter()
                    .any(|k| t.starts_with(k))
            {
                continue;
            }
            let Some(open) = t.find('(') else { continue };
            let head: Vec<&str> = t[..open].split_whitespace().collect();
            if head.len() != 2 {
                continue;
            }
            let mut pins = Vec::new();
            for conn in t[open + 1..].split("\n").map(str::trim) {
                let Some(c) = conn.strip_prefix('.') else {
                    continue;
                };
                let Some((pin, rest)) = c.split_once('(') else {
                    continue;
                };
                let net = rest.trim_end_matches(',').trim_end();
                let net = net.strip_suffix(')').unwrap_or(net);
                if !net.contains('{') && !net.is_empty() {
                    pins.push((pin.to_string(), ident(net)));
                }
            }
            insts.push(Instance {
                kind: ident(head[0]),
                name: ident(head[1]),
                pins,
            });
        }
        out.insert(name, insts);
    }
    out
}

/// A leaf cell of the design.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    /// `u_layer0/u_head0/_123_`.
    pub path: String,
    /// The instance path of its module (`u_layer0/u_head0`, `` for the top).
    pub scope: String,
    /// The module it sits in.
    pub module: String,
    pub kind: String,
    pub pins: Vec<(String, String)>,
}

/// Every leaf cell below `top`, depth first.
pub fn leaves(modules: &BTreeMap<String, Vec<Instance>>, top: &str) -> Vec<Leaf> {
    let mut out = Vec::new();
    walk(modules, top, "", &mut out);
    out
}

fn walk(modules: &BTreeMap<String, Vec<Instance>>, module: &str, scope: &str, out: &mut Vec<Leaf>) {
    for i in modules.get(module).map(Vec::as_slice).unwrap_or(&[]) {
        let path = if scope.is_empty() {
            i.name.clone()
        } else {
            format!("{scope}/{}", i.name)
        };
        if modules.contains_key(&i.kind) {
            walk(modules, &i.kind, &path, out);
        } else {
            out.push(Leaf {
                path,
                scope: scope.to_string(),
                module: module.to_string(),
                kind: i.kind.clone(),
                pins: i.pins.clone(),
            });
        }
    }
}

/// What the power analysis needs of a standard cell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CellInfo {
    pub sequential: bool,
    pub outputs: BTreeSet<String>,
    /// Clock pins (`clock : true`, or a clock gate's `clock_gate_clock_pin`).
    pub clock_pins: BTreeSet<String>,
    /// An integrated clock gate (`clock_gating_integrated_cell`): its pins.
    pub gate: Option<GatePins>,
    pub area: f64,
}

/// The pins of an integrated clock gate, and whether it has a test (scan) enable.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GatePins {
    /// `latch_posedge` for a gate of rising-edge registers.
    pub kind: String,
    pub clock: String,
    pub enable: String,
    pub out: String,
    pub test: Option<String>,
}

/// The smallest latch-based gate of rising-edge registers without a test enable: the cell
/// `gca_clock_gate` maps to (`CLKGATE_X1` in Nangate45).
pub fn clock_gate_cell(cells: &BTreeMap<String, CellInfo>) -> Option<(&str, &GatePins)> {
    cells
        .iter()
        .filter_map(|(n, c)| c.gate.as_ref().map(|g| (n.as_str(), g, c.area)))
        .filter(|(_, g, _)| g.kind == "latch_posedge" && g.test.is_none())
        .min_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(b.0)))
        .map(|(n, g, _)| (n, g))
}

/// `key : value;` attributes of a Liberty group's own lines (not of its nested groups).
fn attributes(body: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut depth = 0i32;
    for line in body.lines() {
        let t = line.trim();
        if depth == 0 {
            if let Some((k, v)) = t.split_once(':') {
                if !k.contains('(') && t.ends_with(';') {
                    let v = v.trim().trim_end_matches(';').trim().trim_matches('"');
                    out.entry(k.trim().to_string())
                        .or_insert_with(|| v.to_string());
                }
            }
        }
        depth += t.matches('{').count() as i32 - t.matches('}').count() as i32;
    }
    out
}

/// The cells of a Liberty file.
pub fn liberty_cells(text: &str) -> BTreeMap<String, CellInfo> {
    let mut out = BTreeMap::new();
    for block in text.split("cell (").skip(1) {
        let Some(name) = block.split(')').next() else {
            continue;
        };
        let name = name.trim().trim_matches('"').to_string();
        let own = block.split("pin (").next().unwrap_or(block);
        let cell_attrs = attributes(own.split_once('{').map_or(own, |x| x.1));
        let mut info = CellInfo {
            sequential: block.contains("ff (") || block.contains("latch ("),
            area: cell_attrs
                .get("area")
                .and_then(|a| a.parse().ok())
                .unwrap_or(0.0),
            ..CellInfo::default()
        };
        let mut gate = cell_attrs
            .get("clock_gating_integrated_cell")
            .map(|k| GatePins {
                kind: k.clone(),
                ..GatePins::default()
            });
        for pin in block.split("pin (").skip(1) {
            let Some((pname, rest)) = pin.split_once(')') else {
                continue;
            };
            let pname = pname.trim().trim_matches('"').to_string();
            let body = rest.split_once('{').map_or(rest, |x| x.1);
            let a = attributes(body);
            let yes = |k: &str| a.get(k).map(String::as_str) == Some("true");
            if a.get("direction").map(String::as_str) == Some("output") {
                info.outputs.insert(pname.clone());
            }
            if yes("clock") || yes("clock_gate_clock_pin") {
                info.clock_pins.insert(pname.clone());
            }
            if let Some(g) = gate.as_mut() {
                if yes("clock_gate_clock_pin") {
                    g.clock = pname.clone();
                } else if yes("clock_gate_enable_pin") {
                    g.enable = pname.clone();
                } else if yes("clock_gate_out_pin") {
                    g.out = pname.clone();
                } else if yes("clock_gate_test_pin") {
                    g.test = Some(pname.clone());
                }
            }
        }
        info.gate =
            gate.filter(|g| !g.clock.is_empty() && !g.enable.is_empty() && !g.out.is_empty());
        // A name can come up more than once (a `cell (X)` reference before the cell's own
        // group): the group with pins wins.
        let e: &mut CellInfo = out.entry(name).or_default();
        if e.outputs.is_empty() {
            *e = info;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: &str = "/* generated */\nmodule gca_sub(clk, q);\n  input clk;\n  output [1:0] q;\n  wire _1_;\n  DFFR_X1 _2_ (\n    .CK(clk),\n    .D(_1_),\n    .Q(q[0]),\n    .QN(_1_),\n    .RN(rst_n)\n  );\n  INV_X1 _3_ (\n    .A(\\cnt[3] ),\n    .ZN(q[1])\n  );\nendmodule\n\nmodule gca_top(clk);\n  gca_sub u_a (\n    .clk(clk),\n    .q({ a, b })\n  );\n  gca_sub u_b (\n    .clk(clk),\n    .q(c)\n  );\nendmodule\n";

    #[test]
    fn leaves_with_paths_and_nets() {
        let m = parse(NET);
        assert_eq!(m["gca_sub"].len(), 2);
        assert_eq!(
            m["gca_sub"][0].pins,
            [
                ("CK".to_string(), "clk".to_string()),
                ("D".into(), "_1_".into()),
                ("Q".into(), "q[0]".into()),
                ("QN".into(), "_1_".into()),
                ("RN".into(), "rst_n".into())
            ]
        );
        assert_eq!(m["gca_sub"][1].pins[0], ("A".into(), "cnt[3]".into()));
        let l = leaves(&m, "gca_top");
        let paths: Vec<&str> = l.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(paths, ["u_a/_2_", "u_a/_3_", "u_b/_2_", "u_b/_3_"]);
        assert_eq!(l[2].scope, "u_b");
        assert_eq!(l[2].module, "gca_sub");
    }

    #[test]
    fn liberty_outputs_and_sequential_cells() {
        let lib = "library (x) {\n\tx_cell (INV_X1) { }\n\tcell (INV_X1) {\n\t\tpin (A) {\n\t\t\tdirection\t\t: input;\n\t\t\tcapacitance\t\t: 1.7;\n\t\t}\n\t\tpin (ZN) {\n\t\t\tdirection\t\t: output;\n\t\t\tfunction\t\t: \"!A\";\n\t\t}\n\t}\n\tcell (DFF_X1) {\n\t\tff (\"IQ\",\"IQN\") { }\n\t\tpin (D) {\n\t\t\tdirection\t\t: input;\n\t\t\tcapacitance\t\t: 1.1;\n\t\t}\n\t\tpin (Q) {\n\t\t\tdirection\t\t: output;\n\t\t}\n\t}\n}\n";
        let gates = "library (x) {\n\tcell (CLKGATETST_X1) {\n\tclock_gating_integrated_cell\t: latch_posedge;\n\tarea : 4.0;\n\tpin (CK) {\n\t\tclock_gate_clock_pin\t: true;\n\t}\n\tpin (E) {\n\t\tclock_gate_enable_pin\t: true;\n\t}\n\tpin (SE) {\n\t\tclock_gate_test_pin\t: true;\n\t}\n\tpin (GCK) {\n\t\tdirection\t\t: output;\n\t\tclock_gate_out_pin\t: true;\n\t}\n\t}\n\tcell (CLKGATE_X2) {\n\tclock_gating_integrated_cell\t: latch_posedge;\n\tarea : 3.7;\n\tpin (CK) {\n\t\tclock_gate_clock_pin\t: true;\n\t}\n\tpin (E) {\n\t\tclock_gate_enable_pin\t: true;\n\t}\n\tpin (GCK) {\n\t\tdirection\t\t: output;\n\t\tclock_gate_out_pin\t: true;\n\t}\n\t}\n\tcell (CLKGATE_X1) {\n\tclock_gating_integrated_cell\t: latch_posedge;\n\tarea : 3.458;\n\tpin (CK) {\n\t\tclock_gate_clock_pin\t: true;\n\t\ttiming () {\n\t\t\tclock : true;\n\t\t}\n\t}\n\tpin (E) {\n\t\tclock_gate_enable_pin\t: true;\n\t}\n\tpin (GCK) {\n\t\tdirection\t\t: output;\n\t\tclock_gate_out_pin\t: true;\n\t}\n\t}\n}\n";
        let g = liberty_cells(gates);
        assert_eq!(
            g["CLKGATETST_X1"].gate.as_ref().unwrap().test.as_deref(),
            Some("SE")
        );
        assert_eq!(g["CLKGATE_X1"].area, 3.458);
        assert_eq!(
            g["CLKGATE_X1"].clock_pins.iter().collect::<Vec<_>>(),
            ["CK"]
        );
        // The smallest gate without a test pin.
        let (name, pins) = clock_gate_cell(&g).unwrap();
        assert_eq!(
            (
                name,
                pins.clock.as_str(),
                pins.enable.as_str(),
                pins.out.as_str()
            ),
            ("CLKGATE_X1", "CK", "E", "GCK")
        );
        let c = liberty_cells(lib);
        assert!(clock_gate_cell(&c).is_none());
        assert!(!c["INV_X1"].sequential);
        assert!(c["DFF_X1"].sequential);
        assert_eq!(c["INV_X1"].outputs.iter().collect::<Vec<_>>(), ["ZN"]);
        assert!(c["DFF_X1"].outputs.contains("Q"));
        assert!(
            c["DFF_X1"].clock_pins.is_empty(),
            "no `clock : true` in this snippet"
        );
    }
}
