//! Integer helpers shared by the twin's datapath: round-half-to-even division and saturation.
//! The RTL and the behavioral macro implement exactly these operations.

/// n / d rounded to the nearest integer, ties to even (d > 0).
pub fn div_round_even(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// n / 2^k rounded half to even (k < 127).
pub fn shift_round_even(n: i128, k: u32) -> i128 {
    if k == 0 {
        n
    } else {
        div_round_even(n, 1i128 << k)
    }
}

/// Clamps to the range of a signed two's-complement number of `bits` bits.
pub fn saturate(x: i128, bits: u32) -> i64 {
    let hi = (1i128 << (bits - 1)) - 1;
    let lo = -(1i128 << (bits - 1));
    x.clamp(lo, hi) as i64
}

/// A real rounded half to even to `frac` fractional bits, as an integer.
pub fn to_fixed(x: f64, frac: u32) -> i128 {
    (x * (1u64 << frac) as f64).round_ties_even() as i128
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_go_to_even() {
        assert_eq!(div_round_even(5, 2), 2);
        assert_eq!(div_round_even(7, 2), 4);
        assert_eq!(div_round_even(-5, 2), -2);
        assert_eq!(div_round_even(-7, 2), -4);
        assert_eq!(div_round_even(7, 3), 2);
        assert_eq!(div_round_even(-8, 3), -3);
        assert_eq!(shift_round_even(24, 4), 2); // 1.5 -> 2
        assert_eq!(shift_round_even(40, 4), 2); // 2.5 -> 2
    }

    #[test]
    fn saturation_bounds() {
        assert_eq!(saturate(40_000, 16), 32767);
        assert_eq!(saturate(-40_000, 16), -32768);
        assert_eq!(saturate(-5, 16), -5);
    }

    proptest! {
        #[test]
        fn matches_float_rounding(n in -1_000_000i64..1_000_000, d in 1i64..5000) {
            let exact = n as f64 / d as f64;
            prop_assert_eq!(div_round_even(n as i128, d as i128) as f64, exact.round_ties_even());
        }
    }
}
