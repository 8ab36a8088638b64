//! JSON interface of `gca reference INPUT.json [-o OUTPUT.json]`.
//!
//! Input: `{"cell": "linear"|"polynomial", "window": M, "tile": C, "heads": [{"q_scale":
//! [a, b], "k_scale": [a, b], "v_scale": [a, b], "out_scale": [a, b], "q": [[..D..] x T],
//! "k": .., "v": ..}]}` with optional `decay_per_token` (0), `q_levels` (16), `kv_levels` (8),
//! `out_levels` (32), `v_max`, `v_off`, `s_sat`, `a_sat`, `linear_gain`, `poly_coeffs`
//! (10 numbers), `v_in` (paper values). Unknown keys are errors.
//! Output: `{"heads": [{"y": [[..D..] x T]}]}`.
//!
//! Error codes (stable):
//! - `R001` the text is not valid JSON or does not have the input's shape (unknown key,
//!   missing key, wrong type). Reading stops there, so this is the only error reported.
//! - `R002` array geometry or quantizer levels: window/tile zero, window not a multiple of
//!   tile, too many tiles, levels below 2 or above [`MAX_LEVELS`].
//! - `R003` a head's q/k/v shape: token counts differ, ragged rows, empty rows, no tokens.
//! - `R004` a parameter that would produce NaN or infinity (non-positive saturation,
//!   `v_off` outside `[0, v_max]`, negative decay, gains or scalers that overflow f64).
//! - `R005` no heads.
//!
//! Every problem from R002 to R005 is collected; parsing never panics.

use super::{Cell, HeadInput, HeadResult, RefParams, Scalers, PAPER_POLY_COEFFS};
use serde::Deserialize;
use std::fmt;

/// Largest accepted window, in tokens.
pub const MAX_WINDOW: usize = 1 << 16;
/// Largest accepted number of tiles (`window / tile`): each token's result holds
/// `n_tiles * D` codes.
pub const MAX_TILES: usize = 1 << 10;
/// Largest accepted number of quantizer levels (codes must fit an `i32`).
pub const MAX_LEVELS: u32 = 1 << 24;

/// One problem found in a `gca reference` input.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// Stable code, `R001`..`R005`.
    pub code: &'static str,
    /// Where: a JSON path such as `heads[0].k[2]`, or `line L, column C` for R001.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl fmt::Display for InputError {
    /// `error[R003] heads[0].k[2]: expected 64 values (the head dimension), found 63`
    /// followed by `\n  help: <hint>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error[{}] {}: {}\n  help: {}",
            self.code, self.path, self.message, self.hint
        )
    }
}

impl std::error::Error for InputError {}

fn err(code: &'static str, path: impl Into<String>, message: String, hint: &str) -> InputError {
    InputError {
        code,
        path: path.into(),
        message,
        hint: hint.to_string(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputDoc {
    cell: Cell,
    #[serde(default)]
    decay_per_token: Option<f64>,
    window: usize,
    tile: usize,
    #[serde(default)]
    q_levels: Option<u32>,
    #[serde(default)]
    kv_levels: Option<u32>,
    #[serde(default)]
    out_levels: Option<u32>,
    #[serde(default)]
    v_max: Option<f64>,
    #[serde(default)]
    v_off: Option<f64>,
    #[serde(default)]
    s_sat: Option<f64>,
    #[serde(default)]
    a_sat: Option<f64>,
    #[serde(default)]
    linear_gain: Option<f64>,
    #[serde(default)]
    poly_coeffs: Option<[f64; 10]>,
    #[serde(default)]
    v_in: Option<f64>,
    heads: Vec<HeadDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadDoc {
    q_scale: (f64, f64),
    k_scale: (f64, f64),
    v_scale: (f64, f64),
    out_scale: (f64, f64),
    q: Vec<Vec<f64>>,
    k: Vec<Vec<f64>>,
    v: Vec<Vec<f64>>,
}

/// Parses and validates a `gca reference` input, reporting every problem at once
/// (except R001: a document that cannot be read stops at its first syntax or shape error).
pub fn parse_input(text: &str) -> Result<(RefParams, Vec<HeadInput>), Vec<InputError>> {
    // serde_json reads decimals exactly (the workspace enables its `float_roundtrip`).
    let doc: InputDoc = serde_json::from_str(text).map_err(|e| vec![json_error(&e)])?;
    let mut p = RefParams::paper(doc.cell, doc.window, doc.tile);
    p.decay_per_token = doc.decay_per_token.unwrap_or(p.decay_per_token);
    p.q_levels = doc.q_levels.unwrap_or(p.q_levels);
    p.kv_levels = doc.kv_levels.unwrap_or(p.kv_levels);
    p.out_levels = doc.out_levels.unwrap_or(p.out_levels);
    p.v_max = doc.v_max.unwrap_or(p.v_max);
    p.v_off = doc.v_off.unwrap_or(p.v_off);
    p.s_sat = doc.s_sat.unwrap_or(p.s_sat);
    p.a_sat = doc.a_sat.unwrap_or(p.a_sat);
    p.linear_gain = doc.linear_gain.unwrap_or(p.linear_gain);
    p.poly_coeffs = doc.poly_coeffs.unwrap_or(PAPER_POLY_COEFFS);
    p.v_in = doc.v_in.unwrap_or(p.v_in);

    let mut errors = param_errors(&p);
    if doc.heads.is_empty() {
        errors.push(err(
            "R005",
            "heads",
            "no heads".to_string(),
            "give at least one head object with q_scale, k_scale, v_scale, out_scale, q, k and v",
        ));
    }
    let heads: Vec<HeadInput> = doc
        .heads
        .into_iter()
        .enumerate()
        .map(|(h, head)| {
            errors.extend(head_errors(&p, h, &head));
            HeadInput {
                scalers: Scalers {
                    q: head.q_scale,
                    k: head.k_scale,
                    v: head.v_scale,
                    out: head.out_scale,
                },
                q: head.q,
                k: head.k,
                v: head.v,
            }
        })
        .collect();
    if errors.is_empty() {
        Ok((p, heads))
    } else {
        Err(errors)
    }
}

/// R001 from a serde_json error, with its line and column as the path.
fn json_error(e: &serde_json::Error) -> InputError {
    let location = format!(" at line {} column {}", e.line(), e.column());
    let full = e.to_string();
    let message = full.strip_suffix(&location).unwrap_or(&full).to_string();
    let hint = match e.classify() {
        serde_json::error::Category::Eof => "the input ends early: close every object and array",
        serde_json::error::Category::Syntax => {
            "the input must be one JSON object: check commas, brackets and quotes"
        }
        _ => {
            "keys and value types must follow the input format of `gca reference` \
             (unknown keys are rejected)"
        }
    };
    err(
        "R001",
        format!("line {}, column {}", e.line(), e.column()),
        message,
        hint,
    )
}

/// Problems with the run-wide parameters (R002 and R004).
fn param_errors(p: &RefParams) -> Vec<InputError> {
    let mut errors = Vec::new();
    let geometry_hint = "the window is split into whole tiles: window = n_tiles * tile, \
                         1 <= n_tiles <= 1024, window <= 65536";
    if p.window == 0 {
        errors.push(err("R002", "window", "window is 0".into(), geometry_hint));
    } else if p.window > MAX_WINDOW {
        let message = format!("window {} is larger than {MAX_WINDOW} tokens", p.window);
        errors.push(err("R002", "window", message, geometry_hint));
    }
    if p.tile == 0 {
        errors.push(err("R002", "tile", "tile is 0".into(), geometry_hint));
    }
    if p.window > 0 && p.tile > 0 {
        if p.n_tiles() * p.tile != p.window {
            let message = format!("window {} is not a multiple of tile {}", p.window, p.tile);
            errors.push(err("R002", "tile", message, geometry_hint));
        } else if p.window / p.tile > MAX_TILES {
            let message = format!(
                "window {} / tile {} gives {} tiles, more than {MAX_TILES}",
                p.window,
                p.tile,
                p.window / p.tile
            );
            errors.push(err("R002", "tile", message, geometry_hint));
        }
    }
    for (name, levels) in [
        ("q_levels", p.q_levels),
        ("kv_levels", p.kv_levels),
        ("out_levels", p.out_levels),
    ] {
        if !(2..=MAX_LEVELS).contains(&levels) {
            let message = format!("{levels} levels, expected 2 to {MAX_LEVELS}");
            let hint = "a quantizer has at least 2 levels (its step is range / (levels - 1))";
            errors.push(err("R002", name, message, hint));
        }
    }
    let positive = |name: &str, x: f64, errors: &mut Vec<InputError>| {
        if x <= 0.0 {
            let message = format!("{name} is {x:?}, it must be positive");
            let hint = "it divides or scales every value; zero or a negative value gives NaN";
            errors.push(err("R004", name, message, hint));
        }
    };
    positive("v_max", p.v_max, &mut errors);
    positive("s_sat", p.s_sat, &mut errors);
    positive("a_sat", p.a_sat, &mut errors);
    if p.v_max > 0.0 && !(0.0..=p.v_max).contains(&p.v_off) {
        let message = format!("v_off {:?} is outside [0, v_max = {:?}]", p.v_off, p.v_max);
        let hint = "the offset is a voltage within the stored range [0, v_max]";
        errors.push(err("R004", "v_off", message, hint));
    }
    if p.decay_per_token < 0.0 {
        let message = format!(
            "decay_per_token is {:?}, it must be >= 0",
            p.decay_per_token
        );
        let hint = "cells lose charge with age: lambda >= 0, and 0 disables the decay";
        errors.push(err("R004", "decay_per_token", message, hint));
    }
    if !gain_bound(p).is_finite() {
        let (name, hint) = match p.cell {
            Cell::Linear => ("linear_gain", "keep |linear_gain| * v_max far below 1e308"),
            Cell::Polynomial => (
                "poly_coeffs",
                "keep the polynomial coefficients and v_in far below 1e308",
            ),
        };
        let message = format!("the cell output |g(u)| overflows f64 for {name}");
        errors.push(err("R004", name, message, hint));
    }
    errors
}

/// An upper bound on `|g(u)|` over the stored range (decay only shrinks `|u|`).
fn gain_bound(p: &RefParams) -> f64 {
    let u = p.v_off.abs().max((p.v_max - p.v_off).abs());
    match p.cell {
        Cell::Linear => p.linear_gain.abs() * u,
        Cell::Polynomial => (0..4)
            .map(|k| p.poly_terms()[k].abs() * u.powi(k as i32))
            .sum(),
    }
}

/// Problems with one head (R003 and R004).
fn head_errors(p: &RefParams, h: usize, head: &HeadDoc) -> Vec<InputError> {
    let mut errors = Vec::new();
    let t = head.q.len();
    for (name, rows) in [("k", &head.k), ("v", &head.v)] {
        if rows.len() != t {
            let message = format!(
                "expected {t} rows (the token count of q), found {}",
                rows.len()
            );
            let hint = "q, k and v hold one row per token, so they have the same number of rows";
            errors.push(err("R003", format!("heads[{h}].{name}"), message, hint));
        }
    }
    let first = [&head.q, &head.k, &head.v]
        .into_iter()
        .find_map(|rows| rows.first());
    let Some(first) = first else {
        let message = "no tokens".to_string();
        let hint = "a head needs at least one row in each of q, k and v";
        errors.push(err("R003", format!("heads[{h}].q"), message, hint));
        return errors;
    };
    let d = first.len();
    if d == 0 {
        let message = "the head dimension is 0 (empty rows)".to_string();
        let hint = "every q, k and v row holds the head's D values, D >= 1";
        errors.push(err("R003", format!("heads[{h}]"), message, hint));
    } else {
        for (name, rows) in [("q", &head.q), ("k", &head.k), ("v", &head.v)] {
            for (i, row) in rows.iter().enumerate() {
                if row.len() != d {
                    let message = format!(
                        "expected {d} values (the head dimension), found {}",
                        row.len()
                    );
                    let hint = "every q, k and v row of a head has the same length";
                    errors.push(err(
                        "R003",
                        format!("heads[{h}].{name}[{i}]"),
                        message,
                        hint,
                    ));
                }
            }
        }
        // |S| <= D * max|g| and |A| <= tile * max|g|: both must stay finite.
        let terms = d.max(p.tile) as f64;
        if gain_bound(p).is_finite() && !(gain_bound(p) * terms * 2.0).is_finite() {
            let message = "the sums of the cell outputs overflow f64".to_string();
            let hint = "reduce the cell gain (linear_gain or poly_coeffs)";
            errors.push(err("R004", format!("heads[{h}]"), message, hint));
        }
    }
    let (a, b) = head.out_scale;
    let n_tiles = p.window.checked_div(p.tile).unwrap_or(0) as f64;
    // y = a * sum_t o_t + b with |o_t| <= 1 + s_out / 2 <= 2.
    if !(a.abs() * 2.0 * n_tiles + b.abs()).is_finite() {
        let message = format!("out_scale [{a:?}, {b:?}] makes the output overflow f64");
        let hint = "the output is a * (sum of up to n_tiles values in [-2, 2]) + b";
        errors.push(err("R004", format!("heads[{h}].out_scale"), message, hint));
    }
    errors
}

/// Renders `{"heads": [{"y": [[..D..] x T]}]}` (no final newline), one row of `y` per line.
/// Floats are printed by serde_json (shortest form that reads back to the same f64).
pub fn output_json(results: &[HeadResult]) -> String {
    let mut out = String::from("{\"heads\": [");
    for (h, result) in results.iter().enumerate() {
        out.push_str(if h == 0 { "\n  " } else { ",\n  " });
        if result.y.is_empty() {
            out.push_str("{\"y\": []}");
            continue;
        }
        out.push_str("{\"y\": [");
        for (i, row) in result.y.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(row).expect("plain data"));
        }
        out.push_str("\n  ]}");
    }
    out.push_str(if results.is_empty() { "]}" } else { "\n]}" });
    out
}
