//! A reader of the ASCII raw files VACASK writes with `options rawfile="ascii"` (the SPICE3
//! raw format: a text header naming the variables, then per point its index and one value
//! per variable), and linear interpolation of a waveform at a given time.

/// One analysis of a raw file: variable names and their values, column by column.
#[derive(Clone, Debug, PartialEq)]
pub struct Raw {
    pub names: Vec<String>,
    /// `columns[v][point]`; column 0 is the sweep variable (time).
    pub columns: Vec<Vec<f64>>,
}

impl Raw {
    /// Parses the text of an ASCII raw file holding one real-valued analysis.
    pub fn parse(text: &str) -> Result<Raw, String> {
        let (head, values) = text
            .split_once("\nValues:")
            .ok_or("no \"Values:\" section (is the raw file ASCII?)")?;
        let field = |key: &str| -> Result<&str, String> {
            head.lines()
                .find_map(|l| l.strip_prefix(key))
                .map(str::trim)
                .ok_or_else(|| format!("no \"{key}\" line in the header"))
        };
        let flags = field("Flags:")?;
        if flags.contains("complex") {
            return Err(format!("complex data (Flags: {flags}) is not supported"));
        }
        let nvars: usize = field("No. Variables:")?
            .parse()
            .map_err(|e| format!("No. Variables: {e}"))?;
        let npoints: usize = field("No. Points:")?
            .parse()
            .map_err(|e| format!("No. Points: {e}"))?;
        let vars = head
            .split_once("\nVariables:")
            .ok_or("no \"Variables:\" section")?
            .1;
        let names: Vec<String> = vars
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(nvars)
            .map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .map(str::to_string)
                    .ok_or_else(|| format!("bad variable line \"{l}\""))
            })
            .collect::<Result<_, _>>()?;
        if names.len() != nvars {
            return Err(format!(
                "{} variables listed, the header says {nvars}",
                names.len()
            ));
        }
        let mut columns = vec![Vec::with_capacity(npoints); nvars];
        let mut words = values.split_ascii_whitespace();
        for point in 0..npoints {
            let index = words
                .next()
                .ok_or_else(|| format!("the file ends before point {point}"))?;
            if index.parse::<usize>() != Ok(point) {
                return Err(format!("point {point} is numbered \"{index}\""));
            }
            for (v, col) in columns.iter_mut().enumerate() {
                let w = words
                    .next()
                    .ok_or_else(|| format!("point {point} ends before variable {v}"))?;
                col.push(
                    w.parse::<f64>()
                        .map_err(|e| format!("point {point}, variable {v}: \"{w}\": {e}"))?,
                );
            }
        }
        Ok(Raw { names, columns })
    }

    /// The values of a variable by name.
    pub fn column(&self, name: &str) -> Result<&[f64], String> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.columns[i].as_slice())
            .ok_or_else(|| format!("the raw file has no variable \"{name}\""))
    }

    pub fn time(&self) -> &[f64] {
        &self.columns[0]
    }

    /// `values` at time `t`, linear between the two points around it.
    pub fn at(&self, values: &[f64], t: f64) -> f64 {
        let time = self.time();
        let i = time.partition_point(|&x| x <= t);
        if i == 0 {
            return values[0];
        }
        if i == time.len() {
            return values[i - 1];
        }
        let (t0, t1) = (time[i - 1], time[i]);
        let f = if t1 > t0 { (t - t0) / (t1 - t0) } else { 0.0 };
        values[i - 1] + f * (values[i] - values[i - 1])
    }

    /// The integral of `values` over [a, b] (trapezoids between the points, interpolated at
    /// both ends).
    pub fn integral(&self, values: &[f64], a: f64, b: f64) -> f64 {
        let time = self.time();
        let lo = time.partition_point(|&x| x <= a);
        let hi = time.partition_point(|&x| x < b);
        let mut prev = (a, self.at(values, a));
        let mut sum = 0.0;
        for i in lo..hi {
            sum += 0.5 * (prev.1 + values[i]) * (time[i] - prev.0);
            prev = (time[i], values[i]);
        }
        sum + 0.5 * (prev.1 + self.at(values, b)) * (b - prev.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Title: t\nDate: today\nPlotname: Transient Analysis\nFlags: real\n\
No. Variables: 2\nNo. Points: 3             \nVariables:\n\t0\ttime\tnotype\n\t1\tx\tnotype\n\
Values:\n 0\t0.0\n\t1.0\n 1\t1.0e-9\n\t3.0\n 2\t3.0e-9\n\t3.0\n";

    #[test]
    fn parses_interpolates_and_integrates() {
        let r = Raw::parse(SAMPLE).unwrap();
        assert_eq!(r.names, ["time", "x"]);
        let x = r.column("x").unwrap();
        assert_eq!(x, [1.0, 3.0, 3.0]);
        assert_eq!(r.at(x, 0.5e-9), 2.0);
        assert_eq!(r.at(x, 5e-9), 3.0);
        let area = r.integral(x, 0.0, 3e-9);
        assert!((area - 8e-9).abs() < 1e-20, "{area}");
        let part = r.integral(x, 0.5e-9, 2e-9);
        assert!((part - 4.25e-9).abs() < 1e-20, "{part}");
        assert!(r.column("y").unwrap_err().contains("no variable \"y\""));
    }

    #[test]
    fn rejects_truncated_and_binary_files() {
        let cut = SAMPLE.trim_end().rsplit_once('\n').unwrap().0;
        assert!(Raw::parse(cut).unwrap_err().contains("ends before"));
        assert!(Raw::parse("Title: t\nBinary:\n")
            .unwrap_err()
            .contains("ASCII"));
    }
}
