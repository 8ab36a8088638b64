//! The datasheet's charts as SVG: the latency breakdown of one token, the energy breakdown of
//! one head, latency, energy and area against the window size, and the register address map.

use crate::regmap::RegMap;

use super::model::Figures;
use super::svg::{tick_label, ticks, Anchor, Svg, PALETTE};
use super::sweep::SweepPoint;

const LEFT: f64 = 110.0;
const PLOT_W: f64 = 520.0;
const ROW: f64 = 26.0;

/// A horizontal value axis from 0 over the plot area (x from `LEFT`, `PLOT_W` wide) with
/// vertical grid lines from `top` to `bottom`, tick labels and a caption; returns the axis end.
fn value_axis(s: &mut Svg, max_value: f64, top: f64, bottom: f64, caption: &str) -> f64 {
    let axis = ticks(max_value);
    let max = *axis.last().unwrap_or(&1.0);
    for t in &axis {
        let x = LEFT + PLOT_W * t / max;
        s.line(x, top - 4.0, x, bottom, "#dddddd", false);
        s.text(x, bottom + 16.0, 11.0, Anchor::Middle, &tick_label(*t));
    }
    s.text(
        LEFT + PLOT_W / 2.0,
        bottom + 34.0,
        12.0,
        Anchor::Middle,
        caption,
    );
    max
}

/// One token's phases on a time axis (a bar per phase, starting where the previous ended),
/// from the last input beat to the first result beat.
pub fn latency_breakdown(f: &Figures) -> String {
    let l = &f.latency;
    let n = l.phases.len() as f64;
    let top = 40.0;
    let height = top + ROW * (n + 1.0) + 50.0;
    let mut s = Svg::new(LEFT + PLOT_W + 90.0, height);
    s.text(
        LEFT,
        22.0,
        14.0,
        Anchor::Start,
        &format!(
            "{}: decode latency {} cycles = {} ns at {} MHz",
            f.config_name,
            l.decode_cycles,
            tick_label(l.decode_ns),
            tick_label(l.clock_mhz)
        ),
    );
    let bottom = top + ROW * n + 8.0;
    let max = value_axis(
        &mut s,
        l.decode_ns.max(f.paper.latency_ns),
        top,
        bottom,
        "ns after the last input beat",
    );
    let x = |ns: f64| LEFT + PLOT_W * ns / max;
    for (i, ph) in l.phases.iter().enumerate() {
        let y = top + ROW * i as f64;
        let start = ph.start_cycle as f64 * l.clock_period_ns;
        s.text(LEFT - 8.0, y + 15.0, 12.0, Anchor::End, ph.name);
        s.rect(
            x(start),
            y + 3.0,
            (x(start + ph.ns) - x(start)).max(1.0),
            ROW - 6.0,
            PALETTE[i % PALETTE.len()],
            &format!(
                "{}: {} cycles, {} ns",
                ph.name,
                ph.cycles,
                tick_label(ph.ns)
            ),
        );
        s.text(
            x(start + ph.ns) + 4.0,
            y + 15.0,
            11.0,
            Anchor::Start,
            &format!("{} cyc", ph.cycles),
        );
    }
    let paper = x(f.paper.latency_ns);
    s.line(paper, top - 4.0, paper, bottom, "#aa3377", true);
    s.text(
        paper,
        top - 8.0,
        11.0,
        Anchor::Middle,
        &format!("paper: {} ns", tick_label(f.paper.latency_ns)),
    );
    s.finish(&format!(
        "Latency breakdown of one token, {}",
        f.config_name
    ))
}

/// Energy of one head per token by component, as horizontal bars.
pub fn energy_breakdown(f: &Figures) -> String {
    let e = &f.energy;
    let bars = [
        ("QK arrays", e.qk_arrays_pj),
        ("AV arrays", e.av_arrays_pj),
        ("DACs", e.dacs_pj),
        ("digital, routing", e.digital_pj),
    ];
    let top = 40.0;
    let n = bars.len() as f64;
    let mut s = Svg::new(LEFT + PLOT_W + 90.0, top + ROW * n + 60.0);
    s.text(
        LEFT,
        22.0,
        14.0,
        Anchor::Start,
        &format!(
            "{}: {} nJ per token per head",
            f.config_name,
            tick_label(e.per_token_per_head_nj)
        ),
    );
    let bottom = top + ROW * n + 8.0;
    let max = value_axis(
        &mut s,
        bars.iter().map(|b| b.1).fold(0.0, f64::max),
        top,
        bottom,
        "pJ per token per head",
    );
    let x = |pj: f64| LEFT + PLOT_W * pj / max;
    for (i, (name, pj)) in bars.iter().enumerate() {
        let y = top + ROW * i as f64;
        s.text(LEFT - 8.0, y + 15.0, 12.0, Anchor::End, name);
        s.rect(
            LEFT,
            y + 3.0,
            (x(*pj) - LEFT).max(1.0),
            ROW - 6.0,
            PALETTE[i],
            &format!("{name}: {} pJ", tick_label(*pj)),
        );
        s.text(
            x(*pj) + 4.0,
            y + 15.0,
            11.0,
            Anchor::Start,
            &tick_label(*pj),
        );
    }
    s.finish(&format!("Energy breakdown of one head, {}", f.config_name))
}

/// A panel of the sweep: its label and the value it plots.
type Series = (&'static str, fn(&SweepPoint) -> f64);

/// Latency, energy and area of one head against the window size: three panels sharing a
/// logarithmic window axis; the configured window is marked.
pub fn window_sweep(name: &str, points: &[SweepPoint], window: usize) -> String {
    let (pw, ph, gap, top, left) = (230.0, 180.0, 70.0, 50.0, 60.0);
    let width = left + 3.0 * pw + 2.0 * gap + 20.0;
    let mut s = Svg::new(width, top + ph + 60.0);
    s.text(
        left,
        22.0,
        14.0,
        Anchor::Start,
        &format!("{name}: one head against the window size (marked: window {window})"),
    );
    let series: [Series; 3] = [
        ("decode latency, ns", |p| p.decode_latency_ns),
        ("energy per token, nJ", |p| p.energy_per_token_per_head_nj),
        ("area, mm^2", |p| p.area_per_head_mm2),
    ];
    let (wmin, wmax) = match (points.first(), points.last()) {
        (Some(a), Some(b)) => (a.window as f64, b.window as f64),
        _ => return s.finish("no window passes validation"),
    };
    let span = (wmax / wmin).log2().max(1.0);
    for (k, (label, get)) in series.iter().enumerate() {
        let x0 = left + k as f64 * (pw + gap);
        let xs = |w: f64| x0 + pw * (w / wmin).log2() / span;
        let axis = ticks(points.iter().map(get).fold(0.0, f64::max));
        let max = *axis.last().unwrap_or(&1.0);
        let ys = |v: f64| top + ph - ph * v / max;
        for t in &axis {
            s.line(x0, ys(*t), x0 + pw, ys(*t), "#dddddd", false);
            s.text(x0 - 6.0, ys(*t) + 4.0, 10.0, Anchor::End, &tick_label(*t));
        }
        s.line(x0, top, x0, top + ph, "#333333", false);
        s.line(x0, top + ph, x0 + pw, top + ph, "#333333", false);
        for p in points {
            let w = p.window as f64;
            s.text(
                xs(w),
                top + ph + 16.0,
                10.0,
                Anchor::Middle,
                &p.window.to_string(),
            );
        }
        s.text(
            x0 + pw / 2.0,
            top + ph + 34.0,
            11.0,
            Anchor::Middle,
            "window, tokens",
        );
        s.text(x0 + pw / 2.0, top - 10.0, 12.0, Anchor::Middle, label);
        let pts: Vec<(f64, f64)> = points
            .iter()
            .map(|p| (xs(p.window as f64), ys(get(p))))
            .collect();
        s.polyline(&pts, PALETTE[k]);
        for p in points {
            let v = get(p);
            let mine = p.window == window;
            s.circle(
                xs(p.window as f64),
                ys(v),
                if mine { 5.0 } else { 3.0 },
                if mine { "#aa3377" } else { PALETTE[k] },
                &format!("window {}: {}", p.window, tick_label(v)),
            );
        }
    }
    s.finish(&format!(
        "{name}: latency, energy and area against the window"
    ))
}

/// The CSR address map: the fixed registers, then the per-head scaler block.
pub fn register_map(map: &RegMap) -> String {
    let regs = &map.registers;
    let row = 20.0;
    let top = 40.0;
    let (x0, w) = (90.0, 200.0);
    let n = regs.len() as f64 + 1.0;
    let mut s = Svg::new(620.0, top + row * n + 30.0);
    s.text(
        20.0,
        22.0,
        14.0,
        Anchor::Start,
        &format!(
            "gca_csr address map: {} ({}-bit byte addresses, 32-bit registers)",
            map.config, map.addr_bits
        ),
    );
    let colour = |access: &str| match access {
        "RO" => PALETTE[0],
        "RW" => PALETTE[2],
        "W1C" => PALETTE[1],
        _ => PALETTE[3],
    };
    for (i, r) in regs.iter().enumerate() {
        let y = top + row * i as f64;
        let access = r.access.as_str();
        s.text(
            x0 - 8.0,
            y + 14.0,
            11.0,
            Anchor::End,
            &format!("0x{:04X}", r.offset),
        );
        s.rect(x0, y, w, row, colour(access), &r.description);
        s.text(x0 + w / 2.0, y + 14.0, 11.0, Anchor::Middle, &r.name);
        s.text(x0 + w + 8.0, y + 14.0, 11.0, Anchor::Start, access);
    }
    let b = &map.scalers;
    let y = top + row * regs.len() as f64;
    s.text(
        x0 - 8.0,
        y + 14.0,
        11.0,
        Anchor::End,
        &format!("0x{:04X}", b.base),
    );
    s.rect(x0, y, w, row, PALETTE[4], "per-head scaler registers");
    s.text(
        x0 + w / 2.0,
        y + 14.0,
        11.0,
        Anchor::Middle,
        "SCALERS (per head)",
    );
    s.text(
        x0 + w + 8.0,
        y + 14.0,
        11.0,
        Anchor::Start,
        &format!(
            "RW: {} heads x 0x{:X} bytes, to 0x{:04X}",
            b.heads(),
            b.stride,
            b.end() - 1
        ),
    );
    s.finish(&format!("Register map of {}", map.config))
}

/// One panel of the circuit-simulation charts: `model` as a line, `measured` as dots, over the
/// ranges `x` and `y` (each with five grid lines).
pub struct XyPlot<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub model: &'a [(f64, f64)],
    pub model_label: &'a str,
    pub measured: &'a [(f64, f64)],
    pub measured_label: &'a str,
}

/// A line of the model and the simulator's points on linear axes.
pub fn xy_plot(plot: &XyPlot) -> String {
    let (left, top, w, h) = (70.0, 50.0, 540.0, 240.0);
    let mut s = Svg::new(left + w + 30.0, top + h + 80.0);
    s.text(left, 22.0, 14.0, Anchor::Start, plot.title);
    let (x0, x1) = plot.x;
    let (y0, y1) = plot.y;
    let xs = |x: f64| left + w * (x - x0) / (x1 - x0);
    let ys = |y: f64| top + h - h * (y - y0) / (y1 - y0);
    for k in 0..=4 {
        let f = k as f64 / 4.0;
        let (xv, yv) = (x0 + f * (x1 - x0), y0 + f * (y1 - y0));
        s.line(xs(xv), top, xs(xv), top + h, "#dddddd", false);
        s.line(left, ys(yv), left + w, ys(yv), "#dddddd", false);
        s.text(xs(xv), top + h + 16.0, 10.0, Anchor::Middle, &label(xv));
        s.text(left - 6.0, ys(yv) + 4.0, 10.0, Anchor::End, &label(yv));
    }
    s.line(left, top, left, top + h, "#333333", false);
    s.line(left, top + h, left + w, top + h, "#333333", false);
    s.text(
        left + w / 2.0,
        top + h + 34.0,
        11.0,
        Anchor::Middle,
        plot.x_label,
    );
    s.text(left, top - 10.0, 11.0, Anchor::Start, plot.y_label);
    let line: Vec<(f64, f64)> = plot.model.iter().map(|&(x, y)| (xs(x), ys(y))).collect();
    s.polyline(&line, PALETTE[0]);
    for &(x, y) in plot.measured {
        s.circle(
            xs(x),
            ys(y),
            3.5,
            PALETTE[1],
            &format!("{}, {}", label(x), label(y)),
        );
    }
    let ly = top + h + 56.0;
    s.line(left, ly - 4.0, left + 24.0, ly - 4.0, PALETTE[0], false);
    s.text(left + 30.0, ly, 11.0, Anchor::Start, plot.model_label);
    s.circle(
        left + w / 2.0 + 12.0,
        ly - 4.0,
        3.5,
        PALETTE[1],
        plot.measured_label,
    );
    s.text(
        left + w / 2.0 + 22.0,
        ly,
        11.0,
        Anchor::Start,
        plot.measured_label,
    );
    s.finish(plot.title)
}

/// A short label of an axis value.
fn label(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r == 0.0 {
        "0".to_string()
    } else {
        format!("{r}")
    }
}
