//! AXI4-Stream packets as beats (docs/rtl.md, "Packets"), built from the same resolved
//! parameters as the RTL: token and RESET_WINDOW packets in, result and error packets out.

use crate::config::Params;
use crate::models::stimulus::TokenValues;

pub const OP_TOKEN: u64 = 1;
pub const OP_RESET_WINDOW: u64 = 2;

/// One beat: TDATA as little-endian 64-bit words, and TLAST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beat {
    pub data: Vec<u64>,
    pub last: bool,
}

impl Beat {
    pub fn zero(p: &Params) -> Beat {
        Beat {
            data: vec![0; (p.stream.tdata_bits as usize).div_ceil(64)],
            last: false,
        }
    }

    /// Sets `width` bits at `lsb` to the low bits of `value` (two's complement for negatives).
    pub fn set(&mut self, lsb: u32, width: u32, value: i64) {
        for i in 0..width {
            let bit = (value >> i.min(63)) & 1;
            let pos = (lsb + i) as usize;
            let (w, b) = (pos / 64, pos % 64);
            self.data[w] = (self.data[w] & !(1 << b)) | ((bit as u64) << b);
        }
    }

    /// `width` bits at `lsb`, sign-extended.
    pub fn get(&self, lsb: u32, width: u32) -> i64 {
        let mut v: u64 = 0;
        for i in 0..width {
            let pos = (lsb + i) as usize;
            v |= ((self.data[pos / 64] >> (pos % 64)) & 1) << i;
        }
        let shift = 64 - width;
        ((v << shift) as i64) >> shift
    }

    /// The inverse of [`Beat::hex`].
    pub fn from_hex(text: &str, tdata_bits: u32) -> Beat {
        let words = (tdata_bits as usize).div_ceil(64);
        let mut data = vec![0u64; words];
        let digits: Vec<u32> = text.chars().rev().filter_map(|c| c.to_digit(16)).collect();
        let data_digits = (tdata_bits as usize).div_ceil(4);
        for (i, &d) in digits.iter().enumerate().take(data_digits) {
            let bit = i * 4;
            data[bit / 64] |= (d as u64) << (bit % 64);
        }
        let last = digits.get(data_digits).is_some_and(|&d| d & 1 == 1);
        Beat { data, last }
    }

    /// TLAST then TDATA as one hexadecimal word of 4 + TD bits (for `$readmemh`).
    pub fn hex(&self, tdata_bits: u32) -> String {
        let digits = (tdata_bits as usize).div_ceil(4);
        let mut s = String::with_capacity(digits + 1);
        s.push(if self.last { '1' } else { '0' });
        for d in (0..digits).rev() {
            let (w, b) = (d * 4 / 64, d * 4 % 64);
            s.push(char::from_digit(((self.data[w] >> b) & 0xf) as u32, 16).expect("hex digit"));
        }
        s
    }
}

fn header(p: &Params, code: u64, layer: usize, pos: u32) -> Beat {
    let mut b = Beat::zero(p);
    b.set(0, 4, code as i64);
    b.set(8, 8, layer as i64);
    b.set(16, 32, pos as i64);
    b
}

fn vector_beats(p: &Params, values: &[i64], bits: u32, per_beat: usize) -> Vec<Beat> {
    values
        .chunks(per_beat)
        .map(|chunk| {
            let mut b = Beat::zero(p);
            for (i, &v) in chunk.iter().enumerate() {
                b.set(bits * i as u32, bits, v);
            }
            b
        })
        .collect()
}

fn finish(mut beats: Vec<Beat>) -> Vec<Beat> {
    if let Some(b) = beats.last_mut() {
        b.last = true;
    }
    beats
}

/// A TOKEN packet: header, then q, k, v of every head of the layer.
pub fn token_packet(p: &Params, layer: usize, pos: u32, heads: &[TokenValues]) -> Vec<Beat> {
    let mut beats = vec![header(p, OP_TOKEN, layer, pos)];
    let (ib, per) = (p.fixed.in_bits, p.stream.in_values_per_beat);
    for h in heads {
        for v in [&h.q, &h.k, &h.v] {
            beats.extend(vector_beats(p, v, ib, per));
        }
    }
    finish(beats)
}

/// A RESET_WINDOW packet: the header alone.
pub fn reset_packet(p: &Params, layer: usize, pos: u32) -> Vec<Beat> {
    finish(vec![header(p, OP_RESET_WINDOW, layer, pos)])
}

/// A result packet: header (status 0), then the outputs of every head.
pub fn result_packet(p: &Params, layer: usize, pos: u32, ys: &[Vec<i64>]) -> Vec<Beat> {
    let mut beats = vec![header(p, 0, layer, pos)];
    let (ob, per) = (p.fixed.out_bits, p.stream.out_values_per_beat);
    for y in ys {
        beats.extend(vector_beats(p, y, ob, per));
    }
    finish(beats)
}

/// An error packet: the header alone with the error's status code.
pub fn error_packet(p: &Params, code: u64, layer: usize, pos: u32) -> Vec<Beat> {
    finish(vec![header(p, code, layer, pos)])
}
