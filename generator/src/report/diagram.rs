//! The block diagram of a generated instance: an ASCII drawing built from the configuration
//! (hierarchy of SPEC 3.1 with the instance's counts, sizes and stream widths), turned into SVG
//! by svgbob. The drawing is also kept as text for the Markdown datasheet.

use crate::config::Params;
use crate::regmap::RegMap;

/// A character canvas.
struct Canvas {
    rows: Vec<Vec<char>>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            rows: vec![vec![' '; width]; height],
        }
    }

    fn put(&mut self, x: usize, y: usize, c: char) {
        if let Some(cell) = self.rows.get_mut(y).and_then(|r| r.get_mut(x)) {
            *cell = c;
        }
    }

    fn text(&mut self, x: usize, y: usize, s: &str) {
        for (i, c) in s.chars().enumerate() {
            self.put(x + i, y, c);
        }
    }

    /// A box with corners at (x, y) and (x + w - 1, y + h - 1), text lines from its top left,
    /// quoted so that svgbob prints them as they are (a `-` in a label would become a line).
    fn boxed(&mut self, x: usize, y: usize, w: usize, h: usize, lines: &[String]) {
        for i in 1..w - 1 {
            self.put(x + i, y, '-');
            self.put(x + i, y + h - 1, '-');
        }
        for j in 1..h - 1 {
            self.put(x, y + j, '|');
            self.put(x + w - 1, y + j, '|');
        }
        for (cx, cy) in [
            (x, y),
            (x + w - 1, y),
            (x, y + h - 1),
            (x + w - 1, y + h - 1),
        ] {
            self.put(cx, cy, '+');
        }
        for (j, line) in lines.iter().enumerate().take(h.saturating_sub(2)) {
            let s: String = line.chars().take(w - 6).collect();
            self.text(x + 2, y + 1 + j, &format!("\"{s}\""));
        }
    }

    /// A horizontal arrow from x1 to x2 (exclusive of the head) on row y.
    fn harrow(&mut self, x1: usize, x2: usize, y: usize) {
        if x2 > x1 {
            for x in x1..x2 {
                self.put(x, y, '-');
            }
            self.put(x2, y, '>');
        } else {
            for x in x2 + 1..=x1 {
                self.put(x, y, '-');
            }
            self.put(x2, y, '<');
        }
    }

    /// A downward arrow from y1 to y2 in column x.
    fn varrow(&mut self, x: usize, y1: usize, y2: usize) {
        for y in y1..y2 {
            self.put(x, y, '|');
        }
        self.put(x, y2, 'v');
    }

    fn finish(self) -> String {
        let mut s = String::new();
        for r in self.rows {
            let line: String = r.into_iter().collect();
            s.push_str(line.trim_end());
            s.push('\n');
        }
        s
    }
}

/// The drawing of `p`'s design as ASCII art.
pub fn ascii(p: &Params) -> String {
    let sh = p.shape;
    let st = p.stream;
    let map = RegMap::new(p);
    let tdata = st.tdata_bits;
    let mut c = Canvas::new(130, 40);
    c.boxed(
        14,
        0,
        115,
        40,
        &[format!(
            "gca_top   {}   {} MHz",
            p.name, p.hardware.timing.clock_mhz
        )],
    );
    // Left column: CSR, ingress, egress (x 18..=49), with the ports outside gca_top.
    c.boxed(
        18,
        3,
        34,
        5,
        &[
            "gca_csr".into(),
            format!("AXI4-Lite, {}-bit addresses", map.addr_bits),
            format!("scalers of {} heads", sh.n_layer * sh.n_head),
        ],
    );
    c.text(0, 4, "\"AXI4-Lite\"");
    c.harrow(10, 17, 5);
    c.text(0, 6, "irq");
    c.harrow(17, 5, 6);
    c.boxed(
        18,
        11,
        26,
        5,
        &[
            "gca_ingress".into(),
            format!("{} beats per token", st.token_beats),
            format!("{} values per beat", st.in_values_per_beat),
        ],
    );
    c.text(0, 12, "s_axis");
    c.text(0, 14, &format!("{tdata} bit"));
    c.harrow(8, 17, 13);
    c.boxed(
        18,
        20,
        26,
        5,
        &[
            "gca_egress".into(),
            format!("{} beats per result", st.result_beats),
            format!("{} values per beat", st.out_values_per_beat),
        ],
    );
    c.text(0, 21, "m_axis");
    c.text(0, 23, &format!("{tdata} bit"));
    c.harrow(17, 8, 22);
    // A layer (x 54..=125) with its controller, window and heads.
    c.boxed(
        54,
        3,
        72,
        36,
        &[format!("gca_layer  × {} layers", sh.n_layer)],
    );
    c.harrow(44, 53, 13);
    c.harrow(53, 44, 22);
    c.boxed(
        57,
        5,
        30,
        4,
        &[
            "gca_layer_ctrl".into(),
            format!("{} cycles per token", p.cycles.decode_latency),
        ],
    );
    c.boxed(
        90,
        5,
        33,
        4,
        &[
            "gca_window".into(),
            format!("window {}, tile {}", sh.window, sh.tile),
        ],
    );
    c.boxed(
        57,
        10,
        66,
        28,
        &[format!("gca_head  × {} heads, D {}", sh.n_head, sh.d_head)],
    );
    // Inside a head: two columns, x 60..=83 and x 90..=119.
    c.boxed(
        60,
        12,
        24,
        4,
        &[
            "gca_quantizer".into(),
            format!("q {}b, k v {}b codes", p.widths.q_code, p.widths.kv_code),
        ],
    );
    c.boxed(
        90,
        12,
        30,
        4,
        &[
            "gca_pwm".into(),
            format!("{} rows, {} steps", sh.d_head, p.hardware.levels.q - 1),
        ],
    );
    c.harrow(84, 89, 13);
    c.varrow(71, 16, 18);
    c.varrow(104, 16, 18);
    c.boxed(
        60,
        19,
        60,
        5,
        &[
            format!("gca_subtile  × {} tiles, analog macro", sh.n_tiles),
            format!(
                "K {} × {} + V {} × {} gain cells per tile",
                sh.d_head, sh.tile, sh.tile, sh.d_head
            ),
            format!("{} gain cells per head", 2 * sh.window * sh.d_head),
        ],
    );
    c.varrow(71, 24, 26);
    c.boxed(
        60,
        27,
        24,
        4,
        &[
            "gca_accumulator".into(),
            format!(
                "{} tile groups × {}",
                sh.n_tiles.div_ceil(crate::rtl::accumulator::GROUP),
                sh.d_head
            ),
        ],
    );
    c.boxed(
        90,
        27,
        30,
        4,
        &[
            "pulse-domain sums".into(),
            format!("{} accumulators of {} bits", sh.d_head, p.widths.tile_sum),
        ],
    );
    c.harrow(84, 89, 28);
    c.varrow(104, 31, 32);
    c.boxed(
        90,
        33,
        30,
        4,
        &[
            "gca_out_scale".into(),
            format!("{} × {}-bit outputs", sh.d_head, p.hardware.stream.out_bits),
        ],
    );
    c.finish()
}

/// The block diagram as SVG, with a viewBox so that it scales inside a page.
pub fn svg(p: &Params) -> String {
    let mut s = with_view_box(&svgbob::to_svg(&ascii(p)));
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Adds `viewBox="0 0 W H"` to the root element of an SVG that gives only a width and height.
fn with_view_box(svg: &str) -> String {
    let Some(end) = svg.find('>') else {
        return svg.to_string();
    };
    let root = &svg[..end];
    let attr = |name: &str| {
        let key = format!(" {name}=\"");
        let from = root.find(&key)? + key.len();
        let len = root[from..].find('"')?;
        Some(root[from..from + len].to_string())
    };
    match (attr("width"), attr("height"), root.contains("viewBox")) {
        (Some(w), Some(h), false) => format!("{root} viewBox=\"0 0 {w} {h}\"{}", &svg[end..]),
        _ => svg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diagram_names_the_instance_and_scales() {
        let p = crate::config::load("gpt2").unwrap();
        let a = ascii(&p);
        for s in [
            "gca_layer  × 12 layers",
            "gca_subtile  × 16 tiles",
            "37 beats per token",
        ] {
            assert!(a.contains(s), "{s}");
        }
        let s = svg(&p);
        assert!(
            s.starts_with("<svg") && s.contains("viewBox=\"0 0 "),
            "{}",
            &s[..200]
        );
    }
}
