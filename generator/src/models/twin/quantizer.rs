//! Input quantizers and the output scaler, as the RTL computes them. The scaler registers hold
//! gain and offset in code units (docs/hardware-twin.md): for a quantizer onto L levels over
//! [0, hi], gain = a (L - 1) / hi and offset = b (L - 1) / hi, so that
//! code = clamp(round(x * gain + offset), 0, L - 1), ties to even: exactly Qz(clamp(a x + b)).

use crate::config::Params;

use super::fixed::{saturate, shift_round_even, to_fixed};

/// One input quantizer (q, k or v of one head).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantizer {
    /// Scaler register values (signed, `scaler_frac` fractional bits).
    pub gain: i64,
    pub offset: i64,
    max_code: i64,
    in_frac: u32,
    scaler_frac: u32,
}

/// A scaler that does not fit its register; `value` and `limit` are in the user's units.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalerRange {
    pub which: String,
    pub value: f64,
    pub limit: f64,
}

impl std::fmt::Display for ScalerRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the {} is {}, beyond its register's range of +-{:.4}",
            self.which, self.value, self.limit
        )
    }
}

/// The register value of `x * per_unit` (a user value times its conversion to register units).
fn register(p: &Params, which: String, x: f64, per_unit: f64) -> Result<i64, ScalerRange> {
    let (bits, frac) = (p.fixed.scaler_bits, p.fixed.scaler_frac);
    let v = to_fixed(x * per_unit, frac);
    let s = saturate(v, bits);
    if s as i128 != v || !x.is_finite() {
        return Err(ScalerRange {
            which,
            value: x,
            limit: (1u64 << (bits - 1 - frac)) as f64 / per_unit.abs(),
        });
    }
    Ok(s)
}

impl Quantizer {
    /// The quantizer for the affine scaler (a, b) onto `levels` codes over [0, hi].
    pub fn new(
        p: &Params,
        which: &'static str,
        (a, b): (f64, f64),
        levels: u64,
        hi: f64,
    ) -> Result<Self, ScalerRange> {
        let k = (levels - 1) as f64 / hi;
        Ok(Self {
            gain: register(p, format!("{which} scaler a"), a, k)?,
            offset: register(p, format!("{which} scaler b"), b, k)?,
            max_code: levels as i64 - 1,
            in_frac: p.fixed.in_frac,
            scaler_frac: p.fixed.scaler_frac,
        })
    }

    /// The quantizer for (a, b) whose registers agree best with `target` (the code a float model
    /// gives each input integer) over every input of `in_bits` bits (for in_bits <= 16).
    ///
    /// The nearest register values reproduce exact arithmetic, where ties round to even. A float
    /// model lands on either side of a tie by rounding noise (0.45 / (0.9 / 7) is
    /// 3.4999999999999996 in float64), so the registers are moved by up to 2 LSB each when that
    /// makes more input codes agree; the nearest values win among equals.
    pub fn fitted(
        p: &Params,
        which: &'static str,
        ab: (f64, f64),
        levels: u64,
        hi: f64,
        target: impl Fn(i64) -> u8,
    ) -> Result<Self, ScalerRange> {
        let nominal = Self::new(p, which, ab, levels, hi)?;
        let bits = p.fixed.in_bits;
        if bits > 16 {
            return Ok(nominal);
        }
        let inputs = -(1i64 << (bits - 1))..(1i64 << (bits - 1));
        let wanted: Vec<u8> = inputs.clone().map(&target).collect();
        let lim = (1i64 << (p.fixed.scaler_bits - 1)) - 1;
        let score = |z: &Self| {
            inputs
                .clone()
                .zip(&wanted)
                .filter(|(x, &w)| z.code(*x) == w)
                .count()
        };
        let mut best = (score(&nominal), 0, nominal);
        for dg in -2i64..=2 {
            for dof in -2i64..=2 {
                let z = Self {
                    gain: (nominal.gain + dg).clamp(-lim - 1, lim),
                    offset: (nominal.offset + dof).clamp(-lim - 1, lim),
                    ..nominal
                };
                let (sc, dist) = (score(&z), dg.abs() + dof.abs());
                if sc > best.0 || (sc == best.0 && dist < best.1) {
                    best = (sc, dist, z);
                }
            }
        }
        Ok(best.2)
    }

    /// The same quantizer with other register values (as a CSR write leaves them).
    pub fn with_registers(self, gain: i64, offset: i64) -> Self {
        Self {
            gain,
            offset,
            ..self
        }
    }

    /// The code of one signed input value (`in_frac` fractional bits).
    #[inline]
    pub fn code(&self, x: i64) -> u8 {
        let acc = x as i128 * self.gain as i128 + ((self.offset as i128) << self.in_frac);
        shift_round_even(acc, self.in_frac + self.scaler_frac).clamp(0, self.max_code as i128) as u8
    }

    /// Whether [`Quantizer::code`] of `x` rounds a tie or saturates.
    pub fn rounding(&self, x: i64) -> Rounding {
        let acc = x as i128 * self.gain as i128 + ((self.offset as i128) << self.in_frac);
        rounding(
            acc,
            self.in_frac + self.scaler_frac,
            0,
            self.max_code as i128,
        )
    }
}

/// How one value went through a scaler's rounding and saturation (sampled by the functional
/// cover points of `gca sim`, `sim::cover_points`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rounding {
    /// The rounded quantity lay exactly half way between two integers.
    pub tie: bool,
    /// Saturated at the low end.
    pub low: bool,
    /// Saturated at the high end.
    pub high: bool,
}

/// [`Rounding`] of `n / 2^k` rounded half to even, then clamped to `lo..=hi`.
fn rounding(n: i128, k: u32, lo: i128, hi: i128) -> Rounding {
    let r = shift_round_even(n, k);
    Rounding {
        tie: k > 0 && n.rem_euclid(1i128 << k) == 1i128 << (k - 1),
        low: r < lo,
        high: r > hi,
    }
}

/// The per-head output scaler: y = a_o * (2 / (L_out - 1)) * sum of tile codes + b_o, in the
/// output fixed-point format. Gain register: output LSBs per code (`scaler_frac` fractional
/// bits); offset register: output LSBs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutScaler {
    pub gain: i64,
    pub offset: i64,
    out_bits: u32,
    scaler_frac: u32,
}

impl OutScaler {
    pub fn new(p: &Params, (a, b): (f64, f64)) -> Result<Self, ScalerRange> {
        let lsb = (1u64 << p.fixed.out_frac) as f64;
        let per_code = 2.0 / (p.hardware.levels.out - 1) as f64 * lsb;
        let offset = to_fixed(b, p.fixed.out_frac);
        if saturate(offset, p.fixed.out_bits) as i128 != offset || !b.is_finite() {
            return Err(ScalerRange {
                which: "output scaler b".to_string(),
                value: b,
                limit: (1u64 << (p.fixed.out_bits - 1)) as f64 / lsb,
            });
        }
        Ok(Self {
            gain: register(p, "output scaler a".to_string(), a, per_code)?,
            offset: offset as i64,
            out_bits: p.fixed.out_bits,
            scaler_frac: p.fixed.scaler_frac,
        })
    }

    /// The same scaler with other register values (as a CSR write leaves them).
    pub fn with_registers(self, gain: i64, offset: i64) -> Self {
        Self {
            gain,
            offset,
            ..self
        }
    }

    /// The output value (signed, `out_frac` fractional bits) of a sum of tile codes.
    #[inline]
    pub fn apply(&self, sum: i64) -> i64 {
        let scaled = shift_round_even(sum as i128 * self.gain as i128, self.scaler_frac);
        saturate(scaled + self.offset as i128, self.out_bits)
    }

    /// Whether [`OutScaler::apply`] of `sum` rounds a tie or saturates.
    pub fn rounding(&self, sum: i64) -> Rounding {
        let n = sum as i128 * self.gain as i128;
        let scaled = shift_round_even(n, self.scaler_frac) + self.offset as i128;
        let hi = (1i128 << (self.out_bits - 1)) - 1;
        Rounding {
            low: scaled < -hi - 1,
            high: scaled > hi,
            ..rounding(n, self.scaler_frac, i128::MIN, i128::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn tiny() -> Params {
        config::load("tiny").unwrap()
    }

    #[test]
    fn default_scalers_are_exact_in_code_units() {
        let p = tiny();
        let q = Quantizer::new(&p, "q", (0.25, 0.5), 16, 1.0).unwrap();
        assert_eq!((q.gain, q.offset), (3840, 7680)); // 3.75 and 7.5 with 10 fractional bits
        let k = Quantizer::new(&p, "k", (0.225, 0.45), 8, 0.9).unwrap();
        assert_eq!((k.gain, k.offset), (1792, 3584)); // 1.75 and 3.5
    }

    #[test]
    fn quantizer_rounds_ties_to_even_and_clamps() {
        let p = tiny();
        let q = Quantizer::new(&p, "q", (0.25, 0.5), 16, 1.0).unwrap();
        assert_eq!(q.code(0), 8); // 7.5 -> 8
        assert_eq!(q.code(-127), 0); // -3.97 * 3.75 + 7.5 < 0
        assert_eq!(q.code(127), 15);
        let k = Quantizer::new(&p, "k", (0.225, 0.45), 8, 0.9).unwrap();
        assert_eq!(k.code(0), 4); // 3.5 -> 4
        assert_eq!(k.code(32), 5); // x = 1: 5.25 -> 5
        assert_eq!(k.code(-32), 2); // x = -1: 1.75 -> 2
    }

    #[test]
    fn fitting_follows_the_float_model_at_ties_only() {
        let p = tiny();
        // A target that rounds the tie at x = 0 (3.5) down, as float64 does.
        let target = |x: i64| {
            ((1.75 * x as f64 / 32.0 + 3.5 - 1e-12)
                .round()
                .clamp(0.0, 7.0)) as u8
        };
        let nominal = Quantizer::new(&p, "k", (0.225, 0.45), 8, 0.9).unwrap();
        assert_eq!(nominal.code(0), 4);
        let fitted = Quantizer::fitted(&p, "k", (0.225, 0.45), 8, 0.9, target).unwrap();
        assert_eq!((fitted.gain, fitted.offset), (1792, 3583));
        for x in -128..128 {
            assert_eq!(fitted.code(x), target(x), "x = {x}");
        }
    }

    #[test]
    fn out_of_range_scaler_is_reported() {
        let p = tiny();
        let e = Quantizer::new(&p, "q", (3.0, 0.0), 16, 1.0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the q scaler a is 3, beyond its register's range of +-2.1333"
        );
    }

    #[test]
    fn rounding_reports_ties_and_saturation() {
        let p = tiny();
        let q = Quantizer::new(&p, "q", (0.25, 0.5), 16, 1.0).unwrap();
        assert_eq!(
            q.rounding(0),
            Rounding {
                tie: true,
                ..Rounding::default()
            }
        ); // 7.5
        assert!(q.rounding(-127).low && q.rounding(127).high);
        assert_eq!(q.rounding(1), Rounding::default());
        let o = OutScaler::new(&p, (1.0, 0.0)).unwrap();
        assert!(o.rounding(2000).high && o.rounding(-2000).low);
        assert_eq!(o.rounding(0), Rounding::default());
    }

    #[test]
    fn output_scaler_maps_codes_to_output_lsbs() {
        let p = tiny();
        let o = OutScaler::new(&p, (1.0, 0.0)).unwrap();
        assert_eq!(o.gain, 16913); // 2/31 * 256 * 1024 = 16912.5 + 0.016 -> 16913
        assert_eq!(o.apply(31), 512); // 31 codes * 2/31 = 2.0 -> 512 LSBs
        assert_eq!(o.apply(-31), -512);
    }
}
