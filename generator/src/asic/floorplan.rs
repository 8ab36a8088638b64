//! The floorplan of `gca_top` that the flow configurations place the macros by (docs/flow.md,
//! "Floorplan"): the `gca_subtile` instances of each head stacked in a column, the columns of
//! all heads in a near-square grid with routing channels between them, and below them a band
//! for the standard cells sized for the datasheet's control-area estimate (`report::model`) at
//! [`UTILIZATION`]. Every macro origin is a whole number of sites and rows and of the track
//! pitches of the macro's pin layers, so its pins land on the top level's routing tracks.

use crate::config::Params;
use crate::macros::Floorplan;

/// Routing channel around every macro, nm.
pub const CHANNEL_NM: u64 = 20_000;
/// Distance from the die edge to the core, in rows.
pub const CORE_MARGIN_ROWS: u64 = 4;
/// Placement utilization of the standard-cell band.
pub const UTILIZATION: f64 = 0.5;

/// One placed macro: its instance path in the flattened netlist (`u_layer0.u_head1.u_tile2`)
/// and its origin, nm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroPlace {
    pub instance: String,
    pub x_nm: u64,
    pub y_nm: u64,
}

/// Die, core and macro places of the whole design, nm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopFloorplan {
    pub die_nm: (u64, u64),
    pub core_nm: (u64, u64, u64, u64),
    pub macro_nm: (u64, u64),
    pub macros: Vec<MacroPlace>,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

fn round_up(x: u64, grid: u64) -> u64 {
    x.div_ceil(grid) * grid
}

impl TopFloorplan {
    pub fn new(p: &Params) -> Self {
        let pdk = p.pdk();
        let m = Floorplan::new(p);
        let gx = lcm(lcm(pdk.site_w_nm, pdk.pin_v.pitch_nm), pdk.supply.pitch_nm);
        let gy = lcm(pdk.row_h_nm, pdk.pin_h.pitch_nm);
        let (heads, tiles) = (p.shape.n_layer * p.shape.n_head, p.shape.n_tiles as u64);
        let cols = (1..=heads).find(|c| c * c >= heads).unwrap_or(1) as u64;
        let rows = (heads as u64).div_ceil(cols);
        let col_pitch = round_up(m.width_nm + CHANNEL_NM, gx);
        let row_pitch = round_up(m.height_nm + CHANNEL_NM, gy);
        let control_mm2 = crate::report::Figures::new(p, None)
            .area
            .control_per_head_mm2;
        let cells_nm2 = control_mm2 * 1e12 * heads as f64 / UTILIZATION;
        // The band is at least as wide as it is high (a square when the macros are few).
        let block_w = (cols * col_pitch + CHANNEL_NM).max(cells_nm2.sqrt().ceil() as u64);
        let block_h = rows * tiles * row_pitch + CHANNEL_NM;
        let band_h = round_up((cells_nm2 / block_w as f64).ceil() as u64, gy);
        let margin = round_up(CORE_MARGIN_ROWS * pdk.row_h_nm, lcm(gx, gy));
        let x0 = margin + round_up(CHANNEL_NM, gx);
        let y0 = margin + band_h + round_up(CHANNEL_NM, gy);
        let mut macros = Vec::new();
        for l in 0..p.shape.n_layer {
            for h in 0..p.shape.n_head {
                let g = (l * p.shape.n_head + h) as u64;
                for t in 0..tiles {
                    macros.push(MacroPlace {
                        instance: format!("u_layer{l}.u_head{h}.u_tile{t}"),
                        x_nm: x0 + (g % cols) * col_pitch,
                        y_nm: y0 + ((g / cols) * tiles + t) * row_pitch,
                    });
                }
            }
        }
        let die_w = round_up(2 * margin + block_w, gx);
        let die_h = round_up(2 * margin + band_h + block_h, gy);
        Self {
            die_nm: (die_w, die_h),
            core_nm: (margin, margin, die_w - margin, die_h - margin),
            macro_nm: (m.width_nm, m.height_nm),
            macros,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_inside_the_core_on_the_grids_and_apart() {
        for pdk in ["nangate45", "sky130"] {
            for name in ["tiny", "gpt2-layer"] {
                let mut p = crate::config::load(name).unwrap();
                p.hardware.pdk = pdk.to_string();
                let f = TopFloorplan::new(&p);
                let prof = p.pdk();
                let n = p.shape.n_layer * p.shape.n_head * p.shape.n_tiles;
                assert_eq!(f.macros.len(), n);
                let (w, h) = f.macro_nm;
                for (i, a) in f.macros.iter().enumerate() {
                    assert_eq!(a.x_nm % prof.site_w_nm, 0);
                    assert_eq!(a.x_nm % prof.supply.pitch_nm, 0);
                    assert_eq!(a.y_nm % prof.row_h_nm, 0);
                    assert_eq!(a.y_nm % prof.pin_h.pitch_nm, 0);
                    assert!(
                        a.x_nm >= f.core_nm.0 && a.x_nm + w <= f.core_nm.2,
                        "{pdk} {name}"
                    );
                    assert!(
                        a.y_nm >= f.core_nm.1 && a.y_nm + h <= f.core_nm.3,
                        "{pdk} {name}"
                    );
                    for b in &f.macros[i + 1..] {
                        let apart = a.x_nm + w <= b.x_nm
                            || b.x_nm + w <= a.x_nm
                            || a.y_nm + h <= b.y_nm
                            || b.y_nm + h <= a.y_nm;
                        assert!(apart, "{a:?} {b:?}");
                    }
                }
            }
        }
    }
}
