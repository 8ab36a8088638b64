//! The stimulus of an electrical sub-tile run: seeded codes, the time of every phase of every
//! token, the piecewise-linear sources of the macro's logic pins, and the VACASK testbench
//! around the sub-tile netlist (what it saves, the transient analysis).

use crate::macros::electrical::{netlist_pins, node, Electrical, NETLIST_FILE, SUBCKT};
use crate::rng::Rng;

/// The codes of a run, `[token][dimension]`: query PWM codes (0..L_q) and key/value DAC codes
/// (0..L_kv). Token i is written into column i mod C.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Codes {
    pub q: Vec<Vec<u8>>,
    pub k: Vec<Vec<u8>>,
    pub v: Vec<Vec<u8>>,
}

impl Codes {
    /// Uniform random codes from a seed (SplitMix64): the same codes on every machine.
    pub fn seeded(e: &Electrical, tokens: usize, seed: u64) -> Codes {
        let mut rng = Rng::new(seed);
        let d = e.shape.rows;
        let mut rows = |levels: u64| -> Vec<Vec<u8>> {
            (0..tokens)
                .map(|_| (0..d).map(|_| rng.below(levels) as u8).collect())
                .collect()
        };
        let q = rows(e.levels_q);
        let k = rows(e.levels_kv);
        let v = rows(e.levels_kv);
        Codes { q, k, v }
    }

    pub fn tokens(&self) -> usize {
        self.q.len()
    }
}

/// When each phase of a token happens. Logic pins switch with linear edges of `t_edge`; the
/// phase strobes have their edges centred on the phase boundaries (so that one falls while
/// the next rises and the integrators hold through), the write pulse and the PWM row pulses
/// lie inside their phases.
#[derive(Clone, Copy, Debug)]
pub struct Timeline {
    pub t0: f64,
    pub period: f64,
    pub t_write: f64,
    pub t_max: f64,
    pub t_readout: f64,
    pub t_step: f64,
    pub te: f64,
}

impl Timeline {
    pub fn new(e: &Electrical) -> Self {
        Self {
            t0: e.t_clk,
            period: e.t_token,
            t_write: e.t_write,
            t_max: e.t_max,
            t_readout: e.t_readout,
            t_step: e.t_step,
            te: e.t_edge,
        }
    }

    /// Token i starts: codes and the write address change (edge [start, start + te]).
    pub fn start(&self, i: usize) -> f64 {
        self.t0 + i as f64 * self.period
    }

    /// The write word line is high over [start + te, write end]; the middle of its falling
    /// edge, when the cell stops following the DAC.
    pub fn write_end(&self, i: usize) -> f64 {
        self.start(i) + self.t_write - 2.5 * self.te
    }

    /// QK: the PWM row pulses rise over [qk, qk + te]; ph_qk is high from qk.
    pub fn qk(&self, i: usize) -> f64 {
        self.start(i) + self.t_write
    }

    /// AV: the middle of ph_av's rising edge, where the ramp starts.
    pub fn av(&self, i: usize) -> f64 {
        self.qk(i) + self.t_max + 2.0 * self.te
    }

    /// READOUT: the middle of ph_ro's rising edge, where the output ramp starts.
    pub fn readout(&self, i: usize) -> f64 {
        self.av(i) + self.t_max
    }

    /// The middle of ph_ro's falling edge; the next token starts te / 2 later.
    pub fn end(&self, i: usize) -> f64 {
        self.readout(i) + self.t_readout - 2.5 * self.te
    }

    /// The counter's sampling instant of PWM step k of READOUT.
    pub fn sample(&self, i: usize, k: u32) -> f64 {
        self.readout(i) + (k as f64 + 0.5) * self.t_step
    }
}

/// A piecewise-linear logic waveform built from level changes.
struct Wave {
    points: Vec<(f64, f64)>,
    level: f64,
    te: f64,
}

impl Wave {
    fn new(level: f64, te: f64) -> Self {
        Self {
            points: vec![(0.0, level)],
            level,
            te,
        }
    }

    /// The level moves to `level` over [t, t + te].
    fn set(&mut self, t: f64, level: f64) {
        if level != self.level {
            self.points.push((t, self.level));
            self.points.push((t + self.te, level));
            self.level = level;
        }
    }

    /// A pulse whose edges are centred on `a` and `b`.
    fn centred(&mut self, a: f64, b: f64, level: f64) {
        let low = self.level;
        self.set(a - self.te / 2.0, level);
        self.set(b - self.te / 2.0, low);
    }

    fn source(&self, node: &str) -> String {
        if self.points.len() == 1 {
            return format!("v_{node} ({node} 0) gca_vsrc dc={}\n", fmt(self.level));
        }
        let wave: Vec<String> = self
            .points
            .iter()
            .map(|(t, v)| format!("{}, {}", fmt(*t), fmt(*v)))
            .collect();
        format!(
            "v_{node} ({node} 0) gca_vsrc type=\"pwl\" wave=[{}]\n",
            wave.join(", ")
        )
    }
}

/// A number for the netlist (shortest round-trip form).
pub fn fmt(x: f64) -> String {
    format!("{x:?}")
}

/// The names of the saved waveforms.
pub fn saved_col(c: usize) -> String {
    format!("xst:cbl_{c}")
}
pub fn saved_phi(c: usize) -> String {
    format!("xst:phi_{c}")
}
pub fn saved_store(c: usize) -> String {
    format!("xst:xk_{c}_0:sn")
}
pub fn saved_out(d: usize) -> String {
    format!("xst:obl_{d}")
}

pub fn saved_g(n: usize) -> String {
    format!("g_rbl_{n}")
}

/// The stored u of the g(u) characterization: V_max / 18 apart over the DAC's range.
pub fn g_points(e: &Electrical) -> Vec<f64> {
    (0..=18)
        .map(|n| n as f64 * e.v_max / 18.0 - e.v_off)
        .collect()
}

/// The testbench: sources for every input pin from the codes, the sub-tile instance, the
/// saved waveforms and the transient analysis over all tokens.
pub fn testbench(e: &Electrical, codes: &Codes, title: &str) -> String {
    let tl = Timeline::new(e);
    let (d, c, kb) = (e.shape.rows, e.shape.cols, e.kb as usize);
    let hi = e.vdd;
    let te = e.t_edge;
    let n = codes.tokens();
    let wave = || Wave::new(0.0, te);
    let mut we = wave();
    let mut wcol: Vec<Wave> = (0..e.cw).map(|_| wave()).collect();
    let mut kbits: Vec<Wave> = (0..d * kb).map(|_| wave()).collect();
    let mut vbits: Vec<Wave> = (0..d * kb).map(|_| wave()).collect();
    let mut rows: Vec<Wave> = (0..d).map(|_| wave()).collect();
    let mut col_en: Vec<Wave> = (0..c).map(|_| wave()).collect();
    let (mut ph_qk, mut ph_av, mut ph_ro) = (wave(), wave(), wave());
    let bit = |x: u64, b: usize| if (x >> b) & 1 == 1 { hi } else { 0.0 };
    for i in 0..n {
        let s = tl.start(i);
        let col = i % c;
        for (b, w) in wcol.iter_mut().enumerate() {
            w.set(s, bit(col as u64, b));
        }
        for dd in 0..d {
            for b in 0..kb {
                kbits[dd * kb + b].set(s, bit(codes.k[i][dd].into(), b));
                vbits[dd * kb + b].set(s, bit(codes.v[i][dd].into(), b));
            }
        }
        col_en[col].set(s, hi);
        we.set(s + te, hi);
        we.set(tl.write_end(i) - te / 2.0, 0.0);
        ph_qk.set(tl.qk(i) - te, hi);
        ph_qk.set(tl.av(i) - te / 2.0, 0.0);
        for (dd, w) in rows.iter_mut().enumerate() {
            let q = codes.q[i][dd];
            if q > 0 {
                w.set(tl.qk(i), hi);
                w.set(tl.qk(i) + q as f64 * e.t_step, 0.0);
            }
        }
        ph_av.centred(tl.av(i), tl.readout(i), hi);
        ph_ro.centred(tl.readout(i), tl.end(i), hi);
    }
    let stop = tl.start(n);

    let mut o =
        format!("{title}\n\nground 0\ninclude \"{NETLIST_FILE}\"\n\nmodel gca_vsrc vsource\n\n");
    o.push_str("// Supply and bias\n");
    o.push_str(&format!("v_VDD (VDD 0) gca_vsrc dc={}\n", fmt(e.vdd)));
    o.push_str(&format!("v_V_OFF (V_OFF 0) gca_vsrc dc={}\n", fmt(e.v_off)));
    o.push_str(&format!("v_V_IN (V_IN 0) gca_vsrc dc={}\n", fmt(e.v_in)));
    o.push_str("// Logic inputs (clk and age_tick have no function in the electrical view)\n");
    o.push_str("v_clk (clk 0) gca_vsrc dc=0.0\nv_age_tick (age_tick 0) gca_vsrc dc=0.0\n");
    o.push_str(&we.source("we"));
    let groups: [(&str, &[Wave]); 7] = [
        ("wcol", &wcol),
        ("k_code", &kbits),
        ("v_code", &vbits),
        ("row_pulse", &rows),
        ("col_en", &col_en),
        ("ph_qk", std::slice::from_ref(&ph_qk)),
        ("ph_av", std::slice::from_ref(&ph_av)),
    ];
    for (name, waves) in groups {
        for (i, w) in waves.iter().enumerate() {
            o.push_str(&w.source(&node(name, waves.len(), i)));
        }
    }
    o.push_str(&ph_ro.source("ph_ro"));
    o.push_str("\n// The sub-tile: its terminals are the macro's pins (VSS tied to ground)\n");
    let terms: Vec<String> = netlist_pins(e)
        .into_iter()
        .flat_map(|(n, w)| {
            (0..w).map(move |i| {
                if n == "VSS" {
                    "0".to_string()
                } else {
                    node(n, w, i)
                }
            })
        })
        .collect();
    o.push_str("xst (\n");
    for chunk in terms.chunks(8) {
        o.push_str(&format!("    {}\n", chunk.join(" ")));
    }
    o.push_str(&format!("  ) {SUBCKT}\n\n"));

    // Characterization of g(u): cells outside the sub-tile, each written with its own u in
    // token 0 and read for T_max during its QK into a capacitor of its own.
    o.push_str(
        "// g(u) characterization: one cell per u, read at V_in for T_max in token 0's QK\n",
    );
    o.push_str("load \"capacitor.osdi\"\nload \"resistor.osdi\"\n");
    o.push_str("model gca_cap capacitor\nmodel gca_res resistor\n");
    let mut gw = wave();
    gw.set(tl.start(0) + te, hi);
    gw.set(tl.write_end(0) - te / 2.0, 0.0);
    o.push_str(&gw.source("g_wwl"));
    let mut gr = wave();
    gr.set(tl.qk(0), e.v_in);
    gr.set(tl.qk(0) + e.t_max, 0.0);
    o.push_str(&gr.source("g_rwl"));
    for (n, u) in g_points(e).into_iter().enumerate() {
        o.push_str(&format!(
            "v_g_wbl_{n} (g_wbl_{n} 0) gca_vsrc dc={}\n\
             xg_{n} (g_wwl g_wbl_{n} g_rwl {} V_OFF) gca_cell\n\
             cg_{n} ({} 0) gca_cap c={}\nrg_{n} ({} 0) gca_res r=1e15\n",
            fmt(e.v_off + u),
            saved_g(n),
            saved_g(n),
            fmt(e.c_col),
            saved_g(n),
        ));
    }
    o.push('\n');

    let mut saves: Vec<String> = Vec::new();
    for n in 0..g_points(e).len() {
        saves.push(saved_g(n));
    }
    for cc in 0..c {
        saves.push(saved_col(cc));
        saves.push(saved_phi(cc));
        saves.push(saved_store(cc));
    }
    for dd in 0..d {
        saves.push(saved_out(dd));
        saves.push(node("out_pulse", d, dd));
        saves.push(node("out_sign", d, dd));
    }
    o.push_str("control\n  options rawfile=\"ascii\"\n");
    for chunk in saves.chunks(8) {
        let list: Vec<String> = chunk.iter().map(|s| format!("v(\"{s}\")")).collect();
        o.push_str(&format!("  save {}\n", list.join(" ")));
    }
    o.push_str(&format!(
        "  analysis tran1 tran step={} stop={} maxstep={}\nendc\n",
        fmt(e.t_step),
        fmt(stop),
        fmt(e.t_max)
    ));
    o
}
