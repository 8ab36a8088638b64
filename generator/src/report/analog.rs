//! Curves of a circuit simulation of the electrical view (`gca analog CONFIG` writes
//! `runs/analog/<name>/analog_report.json`): the cell's g(u) at V_in, the decay of a stored
//! value and phi against the score, with the run's errors. Read as plain JSON, used only when
//! the run's configuration hash is this configuration's; `gca generate` never reads one, so
//! that its output depends on the configuration alone (docs/analog.md).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Params;

use super::charts::{xy_plot, XyPlot};
use super::doc::{Block, Inline, Section};

/// The file `gca analog` writes next to its netlist.
pub const REPORT_JSON: &str = "analog_report.json";

/// What the datasheet shows of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnalogCurves {
    pub source: String,
    pub rows: u64,
    pub cols: u64,
    pub tokens: u64,
    pub charge_error_max: f64,
    pub phi_error_max: f64,
    pub codes_equal: u64,
    pub codes_total: u64,
    /// (u, measured g, g of the configuration).
    pub g_curve: Vec<(f64, f64, f64)>,
    /// (age in tokens, measured u / u0, exp(-lambda age)).
    pub decay_curve: Vec<(f64, f64, f64)>,
    /// (R's score, measured phi).
    pub phi_curve: Vec<(f64, f64)>,
}

/// The default place of a configuration's analog report, relative to the working folder.
pub fn default_path(p: &Params) -> PathBuf {
    PathBuf::from("runs/analog").join(&p.name).join(REPORT_JSON)
}

/// What became of an analog report.
pub type AnalogLookup = super::lookup::Lookup<AnalogCurves>;

/// Reads the analog report at `path` for the configuration `p`.
pub fn read(p: &Params, path: &Path) -> AnalogLookup {
    super::lookup::read(path, |text, shown| parse(p, text, shown))
}

/// Parses an analog report's text; `source` names it in messages.
pub fn parse(p: &Params, text: &str, source: &str) -> Result<AnalogCurves, String> {
    let v = super::lookup::json_of(p, text, source, "analog")?;
    let field = |key: &str| -> Result<serde_json::Value, String> {
        v.get(key)
            .cloned()
            .ok_or_else(|| format!("{source}: `{key}` is missing"))
    };
    let de = |key: &str, e: serde_json::Error| format!("{source}: `{key}`: {e}");
    macro_rules! get {
        ($key:literal) => {
            serde_json::from_value(field($key)?).map_err(|e| de($key, e))?
        };
    }
    Ok(AnalogCurves {
        source: source.to_string(),
        rows: get!("rows"),
        cols: get!("cols"),
        tokens: get!("tokens"),
        charge_error_max: get!("charge_error_max"),
        phi_error_max: get!("phi_error_max"),
        codes_equal: get!("codes_equal"),
        codes_total: get!("codes_total"),
        g_curve: get!("g_curve"),
        decay_curve: get!("decay_curve"),
        phi_curve: get!("phi_curve"),
    })
}

/// The datasheet's files of the three pictures.
pub const FILE_G: &str = "analog_g.svg";
pub const FILE_DECAY: &str = "analog_decay.svg";
pub const FILE_PHI: &str = "analog_phi.svg";

/// The three pictures of a run: (file, caption, SVG).
pub fn pictures(p: &Params, c: &AnalogCurves) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let g_model: Vec<(f64, f64)> = (0..=90)
        .map(|k| {
            let u = -p.hardware.analog.v_off + k as f64 * p.hardware.analog.v_max / 90.0;
            (u, cell_g(p, u))
        })
        .collect();
    let g_meas: Vec<(f64, f64)> = c.g_curve.iter().map(|&(u, g, _)| (u, g)).collect();
    let g_range = g_model
        .iter()
        .chain(&g_meas)
        .fold((0.0f64, 0.0f64), |(lo, hi), &(_, g)| (lo.min(g), hi.max(g)));
    let lo_u = -p.hardware.analog.v_off;
    let hi_u = p.hardware.analog.v_max - p.hardware.analog.v_off;
    let caption = format!(
        "Cell transfer g(u) at V_in = {} V: circuit simulation against the configured cell",
        p.hardware.cell.v_in
    );
    out.push((
        FILE_G,
        caption.clone(),
        xy_plot(&XyPlot {
            title: &caption,
            x_label: "u = stored voltage - V_off, V",
            y_label: "g (read charge / I_unit T)",
            x: (lo_u, hi_u),
            y: (g_range.0.floor(), g_range.1.ceil()),
            model: &g_model,
            model_label: "g(u) of the configuration",
            measured: &g_meas,
            measured_label: "VACASK, one cell per point",
        }),
    ));
    let ages = c.decay_curve.last().map_or(1.0, |d| d.0.max(1.0));
    let lambda = p.hardware.decay_per_token;
    let d_model: Vec<(f64, f64)> = (0..=50)
        .map(|k| {
            let a = ages * k as f64 / 50.0;
            (a, (-lambda * a).exp())
        })
        .collect();
    let d_meas: Vec<(f64, f64)> = c.decay_curve.iter().map(|&(a, m, _)| (a, m)).collect();
    let low = d_model
        .iter()
        .chain(&d_meas)
        .fold(1.0f64, |lo, &(_, v)| lo.min(v));
    let caption =
        format!("Decay of a stored value: u / u0 against exp(-lambda age), lambda = {lambda}");
    out.push((
        FILE_DECAY,
        caption.clone(),
        xy_plot(&XyPlot {
            title: &caption,
            x_label: "age, tokens (sampled at the start of each QK)",
            y_label: "u / u0",
            x: (0.0, ages),
            y: ((low * 100.0).floor() / 100.0 - 0.01, 1.01),
            model: &d_model,
            model_label: "exp(-lambda age)",
            measured: &d_meas,
            measured_label: "VACASK storage node",
        }),
    ));
    let s_sat = p.hardware.analog.s_sat;
    let s_lo = c
        .phi_curve
        .iter()
        .fold(0.0f64, |lo, &(s, _)| lo.min(s))
        .floor();
    let s_hi = c
        .phi_curve
        .iter()
        .fold(1.25 * s_sat, |hi, &(s, _)| hi.max(s))
        .ceil();
    let phi_model = vec![(s_lo, 0.0), (0.0, 0.0), (s_sat, 1.0), (s_hi, 1.0)];
    let caption = format!("phi against the score: the charge-to-pulse converter against the HardSigmoid clamp(S / {s_sat}, 0, 1)");
    out.push((
        FILE_PHI,
        caption.clone(),
        xy_plot(&XyPlot {
            title: &caption,
            x_label: "score S (R)",
            y_label: "phi (pulse width / T_max)",
            x: (s_lo, s_hi),
            y: (0.0, 1.0),
            model: &phi_model,
            model_label: "HardSigmoid",
            measured: &c.phi_curve,
            measured_label: "VACASK, every column of every token",
        }),
    ));
    out
}

/// g(u) of the configuration (SPEC section 2).
fn cell_g(p: &Params, u: f64) -> f64 {
    let c = &p.hardware.cell;
    let a = match c.model {
        crate::config::CellModel::Linear => [0.0, c.linear_gain, 0.0, 0.0],
        crate::config::CellModel::Polynomial => {
            crate::config::poly_by_power(&c.poly_coeffs, c.v_in)
        }
    };
    a[0] + u * (a[1] + u * (a[2] + u * a[3]))
}

/// The datasheet's section on the electrical view.
pub fn section(p: &Params, lookup: &AnalogLookup) -> Section {
    let para = |s: String| Block::Para(Inline::new(&s));
    let mut blocks = vec![para(format!(
        "`models/` holds the electrical view of the sub-tile: Verilog-A gain cell, HardSigmoid \
         and output charge-to-pulse converters and periphery, a VACASK netlist of the {} x {} \
         sub-tile and a Verilog-AMS wrapper (docs/analog.md). `gca analog {}` simulates it in \
         VACASK and compares it with R and H.",
        p.shape.d_head, p.shape.tile, p.name
    ))];
    match lookup {
        AnalogLookup::Used(c) => {
            blocks.push(para(format!(
                "From the circuit simulation `{}` ({} rows x {} columns, {} tokens): column \
                 charges within {:.1e} of full scale of the closed form, phi within {:.1e} of \
                 the HardSigmoid, {} of {} output codes equal to R's.",
                c.source,
                c.rows,
                c.cols,
                c.tokens,
                c.charge_error_max,
                c.phi_error_max,
                c.codes_equal,
                c.codes_total
            )));
            for (file, caption, svg) in pictures(p, c) {
                blocks.push(Block::Figure {
                    file: file.to_string(),
                    caption,
                    svg: super::doc::inline_svg(&svg),
                    text: None,
                });
            }
        }
        AnalogLookup::NotRead => blocks.push(para(format!(
            "`gca generate` runs no circuit simulator, so that its files depend on the \
             configuration alone: run `gca analog {0}` and then `gca report {0}` for the \
             pictures of the cell transfer, the decay and phi from VACASK.",
            p.name
        ))),
        AnalogLookup::Missing(path) => blocks.push(para(format!(
            "No circuit simulation at `{path}`: run `gca analog {}` first for the pictures of \
             the cell transfer, the decay and phi.",
            p.name
        ))),
        AnalogLookup::Rejected(why) => {
            blocks.push(para(format!("The circuit simulation was not used: {why}.")))
        }
    }
    Section {
        id: "electrical-view".into(),
        title: "Electrical view (circuit simulation)".into(),
        blocks,
    }
}
