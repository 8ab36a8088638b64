//! The GDSII view of `gca_subtile`: a placeholder abstract, as OpenRAM and LibreLane's macro
//! flow use one before the layout exists. One structure with the boundary of the area model on
//! the profile's boundary layer (its property 1 says that it is a placeholder), every pin shape
//! of the LEF on its layer's pin datatype (and drawing datatype where the PDK separates them)
//! with a text label of the pin's name at its centre, and the obstruction over the arrays as
//! drawn shapes on the blocked layers. Written record by record (GDSII stream format release 6:
//! big-endian records, excess-64 reals); database unit 1 nm, user unit 1 um. Deterministic:
//! the modification and access dates are fixed.

use crate::config::Params;

use super::area::Floorplan;

/// The text of the boundary's property 1.
pub const PLACEHOLDER_NOTE: &str =
    "placeholder abstract of gca_subtile: boundary, pins and obstruction only, no devices";

/// Record types (high byte) with their data types (low byte).
const HEADER: u16 = 0x0002;
const BGNLIB: u16 = 0x0102;
const LIBNAME: u16 = 0x0206;
const UNITS: u16 = 0x0305;
const ENDLIB: u16 = 0x0400;
const BGNSTR: u16 = 0x0502;
const STRNAME: u16 = 0x0606;
const ENDSTR: u16 = 0x0700;
const BOUNDARY: u16 = 0x0800;
const TEXT: u16 = 0x0C00;
const LAYER: u16 = 0x0D02;
const DATATYPE: u16 = 0x0E02;
const XY: u16 = 0x1003;
const ENDEL: u16 = 0x1100;
const TEXTTYPE: u16 = 0x1602;
const STRING: u16 = 0x1906;
const PROPATTR: u16 = 0x2B02;
const PROPVALUE: u16 = 0x2C06;

/// The fixed date of BGNLIB and BGNSTR (modification, then access): 2026-01-01 00:00:00.
const DATE: [i16; 12] = [2026, 1, 1, 0, 0, 0, 2026, 1, 1, 0, 0, 0];

struct Stream(Vec<u8>);

impl Stream {
    fn record(&mut self, kind: u16, data: &[u8]) {
        let len = u16::try_from(4 + data.len()).expect("a GDS record fits 65535 bytes");
        self.0.extend_from_slice(&len.to_be_bytes());
        self.0.extend_from_slice(&kind.to_be_bytes());
        self.0.extend_from_slice(data);
    }

    fn int2(&mut self, kind: u16, values: &[i16]) {
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        self.record(kind, &data);
    }

    fn int4(&mut self, kind: u16, values: &[i32]) {
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        self.record(kind, &data);
    }

    /// ASCII, padded with a NUL to an even length.
    fn text(&mut self, kind: u16, s: &str) {
        let mut data = s.as_bytes().to_vec();
        if data.len() % 2 == 1 {
            data.push(0);
        }
        self.record(kind, &data);
    }

    fn rect(&mut self, layer: (u16, u16), r: (u64, u64, u64, u64), note: Option<&str>) {
        let (x0, y0, x1, y1) = (coord(r.0), coord(r.1), coord(r.2), coord(r.3));
        self.record(BOUNDARY, &[]);
        self.int2(LAYER, &[layer.0 as i16]);
        self.int2(DATATYPE, &[layer.1 as i16]);
        self.int4(XY, &[x0, y0, x1, y0, x1, y1, x0, y1, x0, y0]);
        if let Some(note) = note {
            self.int2(PROPATTR, &[1]);
            self.text(PROPVALUE, note);
        }
        self.record(ENDEL, &[]);
    }

    fn label(&mut self, layer: (u16, u16), at: (u64, u64), s: &str) {
        self.record(TEXT, &[]);
        self.int2(LAYER, &[layer.0 as i16]);
        self.int2(TEXTTYPE, &[layer.1 as i16]);
        self.int4(XY, &[coord(at.0), coord(at.1)]);
        self.text(STRING, s);
        self.record(ENDEL, &[]);
    }
}

fn coord(nm: u64) -> i32 {
    i32::try_from(nm).expect("a macro coordinate fits 32 bits of nm")
}

/// An 8-byte GDSII real: sign, excess-64 base-16 exponent, 56-bit mantissa.
fn real8(x: f64) -> [u8; 8] {
    if x == 0.0 {
        return [0; 8];
    }
    let (sign, mut m) = if x < 0.0 { (0x80u8, -x) } else { (0, x) };
    let mut exp: i32 = 64;
    while m >= 1.0 {
        m /= 16.0;
        exp += 1;
    }
    while m < 1.0 / 16.0 {
        m *= 16.0;
        exp -= 1;
    }
    let mantissa = (m * (1u64 << 56) as f64).round() as u64;
    let mut out = [0u8; 8];
    out[0] = sign | exp as u8;
    out[1..].copy_from_slice(&mantissa.to_be_bytes()[1..]);
    out
}

/// The GDSII file of `gca_subtile` (bytes).
pub(crate) fn gds(p: &Params) -> Vec<u8> {
    let plan = Floorplan::new(p);
    let pdk = p.pdk();
    let mut s = Stream(Vec::new());
    s.int2(HEADER, &[600]);
    s.int2(BGNLIB, &DATE);
    s.text(LIBNAME, "gca_subtile.db");
    let mut units = real8(1e-3).to_vec();
    units.extend_from_slice(&real8(1e-9));
    s.record(UNITS, &units);
    s.int2(BGNSTR, &DATE);
    s.text(STRNAME, "gca_subtile");
    s.rect(
        pdk.gds_boundary,
        (0, 0, plan.width_nm, plan.height_nm),
        Some(PLACEHOLDER_NOTE),
    );
    for layer in pdk.obstruction {
        s.rect(layer.gds_drawing, plan.array_nm, None);
    }
    for q in &plan.pins {
        if q.layer.gds_drawing != q.layer.gds_pin {
            s.rect(q.layer.gds_drawing, q.rect, None);
        }
        s.rect(q.layer.gds_pin, q.rect, None);
        let (x0, y0, x1, y1) = q.rect;
        s.label(q.layer.gds_label, ((x0 + x1) / 2, (y0 + y1) / 2), &q.name);
    }
    s.record(ENDSTR, &[]);
    s.record(ENDLIB, &[]);
    s.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_in_excess_64() {
        // 1e-3 and 1e-9 as every GDS writer encodes them.
        assert_eq!(
            real8(1e-3),
            [0x3e, 0x41, 0x89, 0x37, 0x4b, 0xc6, 0xa7, 0xf0]
        );
        assert_eq!(
            real8(1e-9),
            [0x39, 0x44, 0xb8, 0x2f, 0xa0, 0x9b, 0x5a, 0x54]
        );
        assert_eq!(real8(1.0), [0x41, 0x10, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn records_are_whole_and_end_the_library() {
        let p = crate::config::load("tiny").unwrap();
        let bytes = gds(&p);
        let mut i = 0;
        let mut last = 0;
        while i < bytes.len() {
            let len = u16::from_be_bytes([bytes[i], bytes[i + 1]]) as usize;
            assert!(len >= 4 && len.is_multiple_of(2), "record at {i}");
            last = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]);
            i += len;
        }
        assert_eq!(i, bytes.len());
        assert_eq!(last, ENDLIB);
    }
}
