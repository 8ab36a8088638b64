//! The cell table G(age, code) = round(g(d(age) * u(code)) * 2^g_frac): the charge one PWM step
//! (one phi unit in AV) adds through a cell holding DAC code `code`, written `age` tokens ago.
//! The behavioral macro model holds the same table; the RTL never sees it (it is analog).

use crate::config::{poly_by_power, CellModel, Params};

use super::fixed::to_fixed;

/// G for every age of the window and every key/value code. Without decay every age has the
/// same row, and one row is stored.
#[derive(Clone, Debug, PartialEq)]
pub struct CellTable {
    levels: usize,
    rows: usize,
    values: Vec<i64>,
}

impl CellTable {
    pub fn new(p: &Params) -> Self {
        let hw = &p.hardware;
        let levels = hw.levels.kv as usize;
        let rows = if hw.decay_per_token == 0.0 {
            1
        } else {
            p.shape.window
        };
        let step = hw.analog.v_max / (hw.levels.kv - 1) as f64;
        let cell = Cell::new(p);
        let decay = (-hw.decay_per_token).exp();
        let mut values = Vec::with_capacity(rows * levels);
        for age in 0..rows {
            let d = decay.powi(age as i32);
            for code in 0..levels {
                let u = step * code as f64 - hw.analog.v_off;
                values.push(to_fixed(cell.g(d * u), p.fixed.g_frac) as i64);
            }
        }
        Self {
            levels,
            rows,
            values,
        }
    }

    /// G for a cell of DAC code `code` written `age` tokens ago (age < window).
    #[inline]
    pub fn get(&self, age: usize, code: u8) -> i64 {
        let row = if self.rows == 1 { 0 } else { age };
        self.values[row * self.levels + code as usize]
    }

    /// The row of one age: `levels` entries.
    #[inline]
    pub fn row(&self, age: usize) -> &[i64] {
        let row = if self.rows == 1 { 0 } else { age };
        &self.values[row * self.levels..(row + 1) * self.levels]
    }

    /// Stored rows: 1 without decay, the window otherwise.
    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn levels(&self) -> usize {
        self.levels
    }
}

/// The gain-cell transfer function of the configuration, folded to powers of u.
struct Cell {
    by_power: [f64; 4],
}

impl Cell {
    fn new(p: &Params) -> Self {
        let c = &p.hardware.cell;
        let by_power = match c.model {
            CellModel::Linear => [0.0, c.linear_gain, 0.0, 0.0],
            CellModel::Polynomial => poly_by_power(&c.poly_coeffs, c.v_in),
        };
        Self { by_power }
    }

    fn g(&self, u: f64) -> f64 {
        let a = self.by_power;
        a[0] + u * (a[1] + u * (a[2] + u * a[3]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Hardware};

    fn params(decay: f64, cell: CellModel) -> Params {
        let mut hw = Hardware {
            decay_per_token: decay,
            ..Hardware::default()
        };
        hw.cell.model = cell;
        config::resolve("t".into(), config::preset("tiny").unwrap(), hw).unwrap()
    }

    #[test]
    fn linear_table_is_gain_times_u() {
        let t = CellTable::new(&params(0.0, CellModel::Linear));
        assert_eq!(t.rows(), 1);
        // code 7: u = 0.9 - 0.45 = 0.45, g = 8.685, * 2^16 = 569180.16 -> 569180
        assert_eq!(t.get(5, 7), 569_180);
        assert_eq!(t.get(0, 0), -569_180);
    }

    #[test]
    fn polynomial_g0_is_not_zero_and_decay_shrinks_u() {
        let t = CellTable::new(&params(1.6e-4, CellModel::Polynomial));
        assert_eq!(t.rows(), 128);
        // g(0) = 0.17393044 + 0.15653739*0.9 + 0.14088365*0.81 + 0.12679529*0.729 = 0.52085...
        let g0 = 0.17393044 + 0.15653739 * 0.9 + 0.14088365 * 0.81 + 0.12679529 * 0.729;
        // code 3.5 does not exist; the nearest codes sit at u = +-0.0643 around 0.
        assert!(t.get(0, 7) > t.get(100, 7), "decay pulls g toward g(0)");
        assert!(t.get(0, 0) < t.get(100, 0));
        let far = t.get(127, 7) as f64 / 65536.0;
        assert!(far > g0);
    }
}
