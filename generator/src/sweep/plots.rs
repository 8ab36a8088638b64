//! The sweep's pictures: Pareto fronts of area, energy and latency (pairs of figures, both
//! minimized) and each figure against each axis, as SVG from `report::svg`.

use serde_json::Value;

use super::point::TaskResult;
use super::Plan;
use crate::report::svg::{tick_label, Anchor, Svg, PALETTE};

/// The figures plotted: (key in a result, short name, label).
const FIGURES: [(&str, &str, &str); 3] = [
    (
        "report.model_decode_latency_ns",
        "latency",
        "decode latency per token (ns)",
    ),
    (
        "report.model_energy_per_token_nj",
        "energy",
        "energy per token (nJ)",
    ),
    ("report.model_area_mm2", "area", "area (mm^2)"),
];

/// A plotted point: x, y and its label.
struct Dot {
    x: f64,
    y: f64,
    label: String,
}

/// Every plot, by file name; none without the report stage's figures.
pub fn all(plan: &Plan, results: &[Option<TaskResult>]) -> Vec<(String, String)> {
    let rows: Vec<(&super::Task, &TaskResult)> = plan
        .tasks
        .iter()
        .zip(results)
        .filter_map(|(t, r)| r.as_ref().filter(|r| r.ok).map(|r| (t, r)))
        .filter(|(_, r)| r.figures.contains_key(FIGURES[0].0))
        .collect();
    let fig = |r: &TaskResult, k: &str| r.figures.get(k).and_then(Value::as_f64);
    let mut out = Vec::new();
    if rows.is_empty() {
        return out;
    }
    for (a, b) in [(2, 0), (1, 0), (2, 1)] {
        let dots: Vec<Dot> = rows
            .iter()
            .filter_map(|(t, r)| {
                Some(Dot {
                    x: fig(r, FIGURES[a].0)?,
                    y: fig(r, FIGURES[b].0)?,
                    label: format!("{}: {}", t.id, t.describe(&plan.axes)),
                })
            })
            .collect();
        let title = format!(
            "{}: {} against {} (Pareto front)",
            plan.name, FIGURES[b].1, FIGURES[a].1
        );
        out.push((
            format!("pareto-{}-{}.svg", FIGURES[a].1, FIGURES[b].1),
            scatter(&title, FIGURES[a].2, FIGURES[b].2, &dots, true),
        ));
    }
    for (i, axis) in plan.axes.iter().enumerate() {
        let numeric = axis.values.iter().all(Value::is_number);
        for (key, short, label) in FIGURES {
            let dots: Vec<Dot> = rows
                .iter()
                .filter_map(|(t, r)| {
                    let x = if numeric {
                        t.values[i].as_f64()?
                    } else {
                        axis.values.iter().position(|v| *v == t.values[i])? as f64
                    };
                    Some(Dot {
                        x,
                        y: fig(r, key)?,
                        label: format!("{}: {}", t.id, t.describe(&plan.axes)),
                    })
                })
                .collect();
            let x_label = if numeric {
                axis.field.clone()
            } else {
                let names: Vec<String> = axis
                    .values
                    .iter()
                    .enumerate()
                    .map(|(k, v)| {
                        format!("{k} = {}", v.as_str().map_or(v.to_string(), String::from))
                    })
                    .collect();
                format!("{} ({})", axis.field, names.join(", "))
            };
            let title = format!("{}: {short} against {}", plan.name, axis.field);
            out.push((
                format!("{short}-vs-{}.svg", axis.field.replace('.', "_")),
                scatter(&title, &x_label, label, &dots, false),
            ));
        }
    }
    out
}

/// The points no other point beats in both coordinates (both minimized), by x.
fn pareto(dots: &[Dot]) -> Vec<usize> {
    let mut front: Vec<usize> = (0..dots.len())
        .filter(|&i| {
            !dots.iter().any(|o| {
                o.x <= dots[i].x && o.y <= dots[i].y && (o.x < dots[i].x || o.y < dots[i].y)
            })
        })
        .collect();
    front.sort_by(|&a, &b| dots[a].x.total_cmp(&dots[b].x));
    front
}

/// A range with a margin, never empty.
fn span(vs: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = vs.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    let pad = if hi > lo {
        (hi - lo) * 0.08
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - pad, hi + pad)
}

fn scatter(title: &str, x_label: &str, y_label: &str, dots: &[Dot], front: bool) -> String {
    let (left, top, w, h) = (80.0, 50.0, 540.0, 260.0);
    let mut s = Svg::new(left + w + 30.0, top + h + 70.0);
    s.text(left, 22.0, 14.0, Anchor::Start, title);
    let (x0, x1) = span(dots.iter().map(|d| d.x));
    let (y0, y1) = span(dots.iter().map(|d| d.y));
    let xs = |x: f64| left + w * (x - x0) / (x1 - x0);
    let ys = |y: f64| top + h - h * (y - y0) / (y1 - y0);
    for k in 0..=4 {
        let f = k as f64 / 4.0;
        let (xv, yv) = (x0 + f * (x1 - x0), y0 + f * (y1 - y0));
        s.line(xs(xv), top, xs(xv), top + h, "#dddddd", false);
        s.line(left, ys(yv), left + w, ys(yv), "#dddddd", false);
        s.text(
            xs(xv),
            top + h + 16.0,
            10.0,
            Anchor::Middle,
            &tick_label(xv),
        );
        s.text(left - 6.0, ys(yv) + 4.0, 10.0, Anchor::End, &tick_label(yv));
    }
    s.line(left, top, left, top + h, "#333333", false);
    s.line(left, top + h, left + w, top + h, "#333333", false);
    s.text(
        left + w / 2.0,
        top + h + 36.0,
        11.0,
        Anchor::Middle,
        x_label,
    );
    s.text(left, top - 10.0, 11.0, Anchor::Start, y_label);
    let on_front = if front { pareto(dots) } else { Vec::new() };
    if on_front.len() > 1 {
        let line: Vec<(f64, f64)> = on_front
            .iter()
            .map(|&i| (xs(dots[i].x), ys(dots[i].y)))
            .collect();
        s.polyline(&line, PALETTE[1]);
    }
    for (i, d) in dots.iter().enumerate() {
        let colour = if on_front.contains(&i) {
            PALETTE[1]
        } else {
            PALETTE[0]
        };
        s.circle(xs(d.x), ys(d.y), 3.5, colour, &d.label);
    }
    if front {
        s.text(
            left,
            top + h + 58.0,
            11.0,
            Anchor::Start,
            &format!(
                "{} points; red: the Pareto front ({} points no other point beats in both)",
                dots.len(),
                on_front.len()
            ),
        );
    }
    s.finish(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_front_keeps_the_points_nothing_beats() {
        let d = |x: f64, y: f64| Dot {
            x,
            y,
            label: String::new(),
        };
        let dots = [
            d(1.0, 5.0),
            d(2.0, 2.0),
            d(3.0, 3.0),
            d(4.0, 1.0),
            d(2.0, 2.5),
        ];
        assert_eq!(pareto(&dots), vec![0, 1, 3]);
    }
}
