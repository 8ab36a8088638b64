//! The datasheet of a generated instance (`gca report`, and `docs/` of every `gca generate`
//! folder): latency, throughput, energy and area from the resolved parameters, the hardware
//! twin's cycle model and the paper-calibrated constants, compared with the paper and the
//! authors' GPU baselines, with a block diagram, charts and the register map.
//!
//! - [`calibration`]: the paper's figures and the per-operation constants derived from them;
//! - [`model`]: the figures of one configuration ([`Figures`]);
//! - [`flow`]: the figures of a `gca flow` run, when one matches;
//! - [`sweep`]: the figures at other window sizes;
//! - `diagram`, `charts`, `svg`: the pictures; `doc`, `datasheet`: the document, printed as
//!   Markdown and, through an askama template, as HTML.

pub mod analog;
pub mod calibration;
mod charts;
mod datasheet;
mod diagram;
mod doc;
pub mod flow;
mod lookup;
pub mod model;
pub(crate) mod svg;
pub mod sweep;

use crate::config::Params;
use crate::regmap::RegMap;

pub use analog::{AnalogCurves, AnalogLookup};
pub use flow::{FlowFigures, FlowLookup};
pub use lookup::Lookup;
pub use model::Figures;

/// The datasheet's files, relative to the generated folder.
pub const FILE_MARKDOWN: &str = "datasheet.md";
pub const FILE_HTML: &str = "datasheet.html";
pub const FILE_JSON: &str = "datasheet.json";
pub const FILE_BLOCK_DIAGRAM: &str = "block_diagram.svg";
pub const FILE_LATENCY: &str = "latency_breakdown.svg";
pub const FILE_ENERGY: &str = "energy_breakdown.svg";
pub const FILE_SWEEP: &str = "window_sweep.svg";
pub const FILE_REGMAP: &str = "register_map.svg";
/// The folder of the datasheet inside a generated folder.
pub const DOCS_DIR: &str = "docs";

/// The figures as the JSON text of `docs/datasheet.json` and `gca report --json`.
pub fn json_text(f: &Figures) -> String {
    let mut s = serde_json::to_string_pretty(&f.to_json()).expect("figures serialize");
    s.push('\n');
    s
}

/// Every file of the datasheet, by path relative to the generated folder (`docs/...`).
/// `flow` says whether and how flow figures were looked up; only `FlowLookup::Used` changes
/// a figure.
/// `analog` says whether and how a circuit simulation was looked up; its pictures are added
/// when one is used.
pub fn files(p: &Params, flow: &FlowLookup, analog: &AnalogLookup) -> Vec<(String, String)> {
    let figures = Figures::new(p, flow.figures());
    let points = sweep::sweep(p);
    let pics = datasheet::Pictures {
        block_ascii: diagram::ascii(p).replace('"', " "),
        block_svg: diagram::svg(p),
        latency_svg: charts::latency_breakdown(&figures),
        energy_svg: charts::energy_breakdown(&figures),
        sweep_svg: charts::window_sweep(&p.name, &points, p.shape.window),
        regmap_svg: charts::register_map(&RegMap::new(p)),
    };
    let doc = datasheet::build(
        p,
        &figures,
        flow,
        &points,
        &pics,
        analog::section(p, analog),
    );
    let docs = |f: &str| format!("{DOCS_DIR}/{f}");
    let mut files = vec![
        (docs(FILE_MARKDOWN), doc.markdown()),
        (docs(FILE_HTML), doc.html()),
        (docs(FILE_JSON), json_text(&figures)),
        (docs(FILE_BLOCK_DIAGRAM), pics.block_svg),
        (docs(FILE_LATENCY), pics.latency_svg),
        (docs(FILE_ENERGY), pics.energy_svg),
        (docs(FILE_SWEEP), pics.sweep_svg),
        (docs(FILE_REGMAP), pics.regmap_svg),
    ];
    if let Some(c) = analog.used() {
        for (file, _, svg) in analog::pictures(p, c) {
            files.push((docs(file), svg));
        }
    }
    files
}
