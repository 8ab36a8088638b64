//! The area and floorplan model of `gca_subtile` (docs/flow.md, "Area model of the macro"):
//! gain cells of 1 um x 1 um in two arrays, periphery strips on three sides, a size rounded up
//! to the 45 nm placement grid, and the pin places on the edges. The Liberty area and the LEF
//! SIZE are both this model.

use crate::config::Params;

use super::ports::{digital_ports, Dir, Port};

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
/// Placement grid of the Nangate 45 nm library: site width and row height.
pub const SITE_W_NM: u64 = 190;
pub const SITE_H_NM: u64 = 1_400;
/// Pitch of the signal pins along an edge (two metal3/metal2 tracks).
pub const PIN_PITCH_NM: u64 = 280;
/// Side of a signal pin's shape along the edge, and its depth into the macro.
pub const PIN_W_NM: u64 = 70;
pub const PIN_DEPTH_NM: u64 = 280;
/// First pin's distance from the corner of its edge.
pub const PIN_MARGIN_NM: u64 = 1_400;

/// The edge a pin sits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edge {
    /// Inputs (clock, write port, word lines, phase strobes); metal3.
    Left,
    /// Column enables; metal2.
    Bottom,
    /// Outputs; metal3.
    Right,
}

/// One bit of a pin on an edge: its name (`k_code[5]`) and the centre of its shape along the
/// edge, nm from the lower or left corner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PinPlace {
    pub name: String,
    pub dir: Dir,
    pub edge: Edge,
    pub along_nm: u64,
}

/// The floorplan of one macro, all in nm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Floorplan {
    pub width_nm: u64,
    pub height_nm: u64,
    /// The two arrays, K above V, tokens along x: (x0, y0, x1, y1).
    pub array_nm: (u64, u64, u64, u64),
    pub gain_cells: u64,
    pub(crate) pins: Vec<PinPlace>,
}

fn edge_of(q: &Port) -> Edge {
    match (q.dir, q.name) {
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

impl Floorplan {
    pub fn new(p: &Params) -> Self {
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
        let span = |n: u64| 2 * PIN_MARGIN_NM + n * PIN_PITCH_NM;
        let array_w = c * CELL_NM;
        let array_h = 2 * d * CELL_NM;
        let width = (ROW_STRIP_NM + array_w + OUT_STRIP_NM).max(span(count(Edge::Bottom)));
        let height = (COL_STRIP_NM + array_h + TOP_STRIP_NM)
            .max(span(count(Edge::Left)))
            .max(span(count(Edge::Right)));
        let (width_nm, height_nm) = (round_up(width, SITE_W_NM), round_up(height, SITE_H_NM));
        let mut pins = Vec::new();
        for e in [Edge::Left, Edge::Bottom, Edge::Right] {
            let mut i = 0;
            for q in ports.iter().filter(|q| edge_of(q) == e) {
                for name in bits(q) {
                    pins.push(PinPlace {
                        name,
                        dir: q.dir,
                        edge: e,
                        along_nm: PIN_MARGIN_NM + i * PIN_PITCH_NM + PIN_PITCH_NM / 2,
                    });
                    i += 1;
                }
            }
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

    /// The rectangle of a pin's shape: (x0, y0, x1, y1), nm.
    pub(crate) fn pin_rect(&self, pin: &PinPlace) -> (u64, u64, u64, u64) {
        let a = pin.along_nm;
        let h = PIN_W_NM / 2;
        match pin.edge {
            Edge::Left => (0, a - h, PIN_DEPTH_NM, a + h),
            Edge::Right => (self.width_nm - PIN_DEPTH_NM, a - h, self.width_nm, a + h),
            Edge::Bottom => (a - h, 0, a + h, PIN_DEPTH_NM),
        }
    }
}

/// nm as um with three decimals (LEF coordinates).
pub fn um(nm: u64) -> String {
    format!("{}.{:03}", nm / 1000, nm % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpt2_subtile_is_array_plus_periphery() {
        let p = crate::config::load("gpt2").unwrap();
        let f = Floorplan::new(&p);
        // 64 columns + 24 um of strips; 128 rows + 12 um of strips; rounded to the grid.
        assert_eq!(f.width_nm, 88_160);
        assert_eq!(f.height_nm, 140_000);
        assert_eq!(f.gain_cells, 8192);
        assert_eq!(f.cells_um2(), 8192.0);
        // Every pin inside its edge, none overlapping.
        for pin in &f.pins {
            let (x0, y0, x1, y1) = f.pin_rect(pin);
            assert!(x1 <= f.width_nm && y1 <= f.height_nm, "{pin:?}");
            assert!(x0 < x1 && y0 < y1);
        }
        let left: Vec<u64> = f
            .pins
            .iter()
            .filter(|q| q.edge == Edge::Left)
            .map(|q| q.along_nm)
            .collect();
        assert!(left.windows(2).all(|w| w[1] - w[0] == PIN_PITCH_NM));
    }

    #[test]
    fn a_pin_limited_edge_grows_the_macro() {
        let mut p = crate::config::load("tiny").unwrap();
        p.widths.kv_code = 8;
        let f = Floorplan::new(&p);
        let left = f.pins.iter().filter(|q| q.edge == Edge::Left).count() as u64;
        assert!(f.height_nm >= 2 * PIN_MARGIN_NM + left * PIN_PITCH_NM);
    }

    #[test]
    fn um_prints_three_decimals() {
        assert_eq!(um(88_160), "88.160");
        assert_eq!(um(35), "0.035");
    }
}
