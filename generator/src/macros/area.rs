//! The area and floorplan model of `gca_subtile` (docs/flow.md, "Area model of the macro"):
//! gain cells of 1 um x 1 um in two arrays, periphery strips on three sides, a size rounded up
//! to the placement grid of the technology profile (`config::pdk`), and the pin shapes on the
//! edges, on the profile's routing tracks. The Liberty area, the LEF SIZE and the GDS boundary
//! are all this model.

use crate::config::Params;

use crate::config::pdk::Layer;

use super::ports::{digital_ports, power_pins, Dir, Port};

/// One gain cell, side in nm (about 1 um^2 per cell, SPEC section 6).
pub const CELL_NM: u64 = 1_000;
/// Left strip: per row, the PWM word-line driver and the k and v write DACs.
pub const ROW_STRIP_NM: u64 = 12_000;
/// Right strip: per dimension, the signed output charge-to-pulse converter.
pub const OUT_STRIP_NM: u64 = 12_000;
/// Bottom strip: per column, the score charge-to-pulse converter, the window gate and the
/// write-column select.
pub const COL_STRIP_NM: u64 = 8_000;
/// Top strip: clocking, phase sequencing, bias (V_OFF, V_IN) and the supply pins.
pub const TOP_STRIP_NM: u64 = 4_000;
/// Pins of the power and bias supplies on the top edge: width and pitch along the edge, nm.
pub const SUPPLY_W_NM: u64 = 2_000;
pub const SUPPLY_PITCH_NM: u64 = 6_000;

/// The edge a pin sits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edge {
    /// Inputs (clock, write port, word lines, phase strobes); the profile's horizontal pin layer.
    Left,
    /// Column enables; the profile's vertical pin layer.
    Bottom,
    /// Outputs; the horizontal pin layer.
    Right,
    /// Supply and bias pins; the profile's supply layer.
    Top,
}

/// One pin shape: the name of its bit (`k_code[5]`), its direction, edge, layer and rectangle
/// (x0, y0, x1, y1), nm. Its centre line lies on a routing track of its layer (offset + k *
/// pitch from the macro's origin), so a macro placed on the track grid has its pins on tracks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PinShape {
    pub name: String,
    pub dir: Dir,
    pub edge: Edge,
    pub layer: Layer,
    pub rect: (u64, u64, u64, u64),
}

/// The floorplan of one macro, all in nm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Floorplan {
    pub width_nm: u64,
    pub height_nm: u64,
    /// The two arrays, K above V, tokens along x: (x0, y0, x1, y1).
    pub array_nm: (u64, u64, u64, u64),
    pub gain_cells: u64,
    pub(crate) pins: Vec<PinShape>,
}

fn edge_of(q: &Port) -> Edge {
    match (q.dir, q.name) {
        (Dir::Supply, _) => Edge::Top,
        (Dir::Out, _) => Edge::Right,
        (_, "col_en") => Edge::Bottom,
        _ => Edge::Left,
    }
}

fn round_up(x: u64, grid: u64) -> u64 {
    x.div_ceil(grid) * grid
}

/// Bits of a port, most significant first (LEF and Liberty name bus bits `name[i]`).
fn bits(q: &Port) -> Vec<String> {
    if q.width == 1 {
        vec![q.name.to_string()]
    } else {
        (0..q.width).map(|i| format!("{}[{i}]", q.name)).collect()
    }
}

/// Signal pins use every second track of their layer (a free track between neighbours).
fn pin_pitch(layer: &Layer) -> u64 {
    2 * layer.pitch_nm
}

impl Floorplan {
    pub fn new(p: &Params) -> Self {
        let pdk = p.pdk();
        let d = p.shape.d_head as u64;
        let c = p.shape.tile as u64;
        let ports: Vec<Port> = digital_ports(p).into_iter().flat_map(|g| g.1).collect();
        let count = |e: Edge| -> u64 {
            ports
                .iter()
                .filter(|q| edge_of(q) == e)
                .map(|q| q.width as u64)
                .sum()
        };
        let layer_of = |e: Edge| match e {
            Edge::Left | Edge::Right => pdk.pin_h,
            Edge::Bottom => pdk.pin_v,
            Edge::Top => pdk.supply,
        };
        // The first pin's track is at least one row from the corner; the last leaves as much.
        let margin = pdk.row_h_nm;
        let span = |e: Edge| 2 * margin + count(e) * pin_pitch(&layer_of(e)) + layer_of(e).pitch_nm;
        let array_w = c * CELL_NM;
        let array_h = 2 * d * CELL_NM;
        let width = (ROW_STRIP_NM + array_w + OUT_STRIP_NM).max(span(Edge::Bottom));
        let height = (COL_STRIP_NM + array_h + TOP_STRIP_NM)
            .max(span(Edge::Left))
            .max(span(Edge::Right));
        let width_nm = round_up(width, pdk.site_w_nm);
        let height_nm = round_up(height, pdk.row_h_nm);
        let mut pins = Vec::new();
        for e in [Edge::Left, Edge::Bottom, Edge::Right] {
            let layer = layer_of(e);
            let first = layer.track_at_or_above(margin);
            let half = layer.min_width_nm / 2;
            let depth = pdk.pin_depth_nm;
            let mut i = 0;
            for q in ports.iter().filter(|q| edge_of(q) == e) {
                for name in bits(q) {
                    let a = first + i * pin_pitch(&layer);
                    let rect = match e {
                        Edge::Left => (0, a - half, depth, a + half),
                        Edge::Right => (width_nm - depth, a - half, width_nm, a + half),
                        _ => (a - half, 0, a + half, depth),
                    };
                    pins.push(PinShape {
                        name,
                        dir: q.dir,
                        edge: e,
                        layer,
                        rect,
                    });
                    i += 1;
                }
            }
        }
        for (i, q) in power_pins(p).iter().enumerate() {
            let centre = pdk
                .supply
                .track_at_or_above(SUPPLY_PITCH_NM * (i as u64 + 1) + SUPPLY_W_NM / 2);
            pins.push(PinShape {
                name: q.name.to_string(),
                dir: Dir::Supply,
                edge: Edge::Top,
                layer: pdk.supply,
                rect: (
                    centre - SUPPLY_W_NM / 2,
                    height_nm - pdk.row_h_nm,
                    centre + SUPPLY_W_NM / 2,
                    height_nm,
                ),
            });
        }
        Self {
            width_nm,
            height_nm,
            array_nm: (
                ROW_STRIP_NM,
                COL_STRIP_NM,
                ROW_STRIP_NM + array_w,
                COL_STRIP_NM + array_h,
            ),
            gain_cells: 2 * d * c,
            pins,
        }
    }

    /// Area in um^2 (the Liberty `area`).
    pub fn area_um2(&self) -> f64 {
        (self.width_nm * self.height_nm) as f64 / 1e6
    }

    /// Area of the gain cells alone, um^2.
    pub fn cells_um2(&self) -> f64 {
        (self.gain_cells * CELL_NM * CELL_NM) as f64 / 1e6
    }
}

/// nm as um with three decimals (LEF coordinates).
pub fn um(nm: u64) -> String {
    format!("{}.{:03}", nm / 1000, nm % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_pdk(name: &str, pdk: &str) -> Params {
        let mut p = crate::config::load(name).unwrap();
        p.hardware.pdk = pdk.to_string();
        p
    }

    #[test]
    fn gpt2_subtile_is_array_plus_periphery() {
        let p = crate::config::load("gpt2").unwrap();
        let f = Floorplan::new(&p);
        // 64 columns + 24 um of strips; 128 rows + 12 um of strips; rounded to the grid.
        assert_eq!(f.width_nm, 88_160);
        assert_eq!(f.height_nm, 140_000);
        assert_eq!(f.gain_cells, 8192);
        assert_eq!(f.cells_um2(), 8192.0);
    }

    #[test]
    fn pins_on_tracks_inside_the_macro_and_apart() {
        for pdk in ["nangate45", "sky130"] {
            for name in ["tiny", "gpt2"] {
                let p = with_pdk(name, pdk);
                let f = Floorplan::new(&p);
                let prof = p.pdk();
                assert_eq!(f.width_nm % prof.site_w_nm, 0, "{pdk} {name}");
                assert_eq!(f.height_nm % prof.row_h_nm, 0, "{pdk} {name}");
                for q in &f.pins {
                    let (x0, y0, x1, y1) = q.rect;
                    assert!(x0 < x1 && y0 < y1 && x1 <= f.width_nm && y1 <= f.height_nm);
                    let centre = if q.layer.horizontal {
                        (y0 + y1) / 2
                    } else {
                        (x0 + x1) / 2
                    };
                    assert!(q.layer.on_track(centre), "{pdk} {name} {q:?}");
                    assert!(x1 - x0 >= q.layer.min_width_nm && y1 - y0 >= q.layer.min_width_nm);
                }
                for e in [Edge::Left, Edge::Bottom, Edge::Right, Edge::Top] {
                    let mut r: Vec<_> = f
                        .pins
                        .iter()
                        .filter(|q| q.edge == e)
                        .map(|q| q.rect)
                        .collect();
                    r.sort();
                    for w in r.windows(2) {
                        let apart = if e == Edge::Bottom || e == Edge::Top {
                            w[0].2 < w[1].0
                        } else {
                            w[0].3 < w[1].1
                        };
                        assert!(apart, "{pdk} {name} {e:?} {w:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_pin_limited_edge_grows_the_macro() {
        let mut p = crate::config::load("tiny").unwrap();
        p.widths.kv_code = 8;
        let f = Floorplan::new(&p);
        let left = f.pins.iter().filter(|q| q.edge == Edge::Left).count() as u64;
        assert!(f.height_nm >= left * 2 * p.pdk().pin_h.pitch_nm);
    }

    #[test]
    fn um_prints_three_decimals() {
        assert_eq!(um(88_160), "88.160");
        assert_eq!(um(35), "0.035");
    }
}
