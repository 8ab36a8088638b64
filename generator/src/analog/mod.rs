//! `gca analog`: the electrical view of one sub-tile in a circuit simulator. Writes the
//! Verilog-A cells, the sub-tile netlist and a testbench for seeded codes, compiles the cells
//! with OpenVAF-Reloaded, runs a VACASK transient of write, QK, phi and AV and READOUT per
//! token, reads the ASCII raw file and compares (docs/analog.md):
//!
//! - the charge of every column at the end of QK with the closed form of R's score, the cell
//!   ages taken at the instant of reading ([`closed_form`]), and with R's integer-age score;
//! - the width of every phi pulse with the HardSigmoid of the closed-form score and R's;
//! - the output charge of every dimension with the closed form (the phi pulses reading the V
//!   cells) and R's tile sum A, and the output codes counted from the output pulses with the
//!   closed form's, R's and the hardware twin H's. The closed form differs from R only by the
//!   decay between a write and the read (R counts ages in whole tokens).

pub mod raw;
pub mod stimulus;
pub mod tools;

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::config::{self, ConfigErrors, Params};
use crate::macros::electrical::{self, Electrical, SubTileShape, VaFile};
use crate::models::compare::reference_params;
use crate::models::reference::{HeadState, Scalers};
use crate::models::twin::{CellTable, HeadTwin, OutScaler};

use raw::Raw;
use stimulus::{Codes, Timeline};
pub use tools::Tools;

/// Tolerances of a passing run.
pub const CHARGE_TOLERANCE: f64 = 1e-4;
/// Largest |phi - phi_R| of a passing run.
pub const PHI_TOLERANCE: f64 = 1e-3;
/// A code that differs from the closed form's is a failure unless the closed form's unrounded
/// value lies this close to a rounding tie (the error budget of the output converter, codes).
pub const TIE_MARGIN: f64 = 1e-3;

/// The configuration of a sub-tile: D = `rows`, window = tile = `cols`, one head of one layer,
/// every other field of `p` unchanged. The configuration's rules apply to it.
pub fn sub_tile_params(p: &Params, shape: SubTileShape) -> Result<Params, ConfigErrors> {
    let mut model = p.model;
    model.n_layer = 1;
    model.n_head = 1;
    model.n_embd = shape.rows as u64;
    model.n_ctx = model.n_ctx.max(shape.cols as u64);
    let mut hw = p.hardware.clone();
    hw.window = Some(shape.cols as u64);
    hw.tile = shape.cols as u64;
    config::resolve(format!("{}-subtile", p.name), model, hw)
}

/// R's and H's values for one token.
struct Golden {
    /// Per column in the window: R's score and phi.
    score: Vec<Option<(f64, f64)>>,
    /// R's tile sum A per dimension.
    a: Vec<f64>,
    codes_r: Vec<i32>,
    codes_h: Vec<i32>,
}

fn golden(p: &Params, e: &Electrical, codes: &Codes) -> Vec<Golden> {
    let rp = reference_params(p);
    let identity = Scalers {
        q: (1.0, 0.0),
        k: (1.0, 0.0),
        v: (1.0, 0.0),
        out: (1.0, 0.0),
    };
    let mut r = HeadState::new(&rp, identity);
    let table = CellTable::new(p);
    let out = OutScaler::new(p, (1.0, 0.0)).expect("the identity output scaler fits");
    let mut h = HeadTwin::new(p, out);
    let lq = (e.levels_q - 1) as f64;
    let mut all = Vec::with_capacity(codes.tokens());
    for i in 0..codes.tokens() {
        let q: Vec<f64> = codes.q[i].iter().map(|&c| c as f64 / lq).collect();
        let k: Vec<f64> = codes.k[i].iter().map(|&c| c as f64 * e.v_lsb).collect();
        let v: Vec<f64> = codes.v[i].iter().map(|&c| c as f64 * e.v_lsb).collect();
        let t = r.step_traced(&q, &k, &v);
        let mut score = vec![None; e.shape.cols];
        for s in &t.scores {
            score[s.slot] = Some((s.s, s.phi));
        }
        let ht = h.step(&table, &codes.q[i], &codes.k[i], &codes.v[i]);
        all.push(Golden {
            score,
            a: t.tile_sums[0].clone(),
            codes_r: t.result.tile_codes[0].clone(),
            codes_h: ht.tile_codes.clone(),
        });
    }
    all
}

/// The closed form of a column's charge: I_unit times the sum over rows of the integral of
/// g(u(t)) over the row's pulse [a, a + width], with u(t) = u0 exp(-(t - t_write) / tau) (the
/// cell relaxing toward V_off since its write). With tau = 0 (no decay) it is R's score times
/// I_unit T_step (L_q - 1).
pub fn closed_form(e: &Electrical, rows: &[(f64, f64, f64)], t_write: f64) -> f64 {
    let a = e.g_by_power();
    let mut q = 0.0;
    for &(u0, start, width) in rows {
        if width <= 0.0 {
            continue;
        }
        q += a[0] * width;
        for (pw, &ap) in a.iter().enumerate().skip(1) {
            let up = u0.powi(pw as i32);
            if e.tau > 0.0 {
                let k = pw as f64 / e.tau;
                q += ap * up * (-(start - t_write) * k).exp() * -(-width * k).exp_m1() / k;
            } else {
                q += ap * up * width;
            }
        }
    }
    e.i_unit * q
}

/// What one run measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnalogReport {
    pub config: String,
    pub rows: usize,
    pub cols: usize,
    pub tokens: usize,
    pub seed: u64,
    /// Largest |Q_sim - Q_closed| over the columns in the window, fraction of the full scale
    /// I_unit T_max S_sat (the charge at phi = 1).
    pub charge_error_max: f64,
    /// The same against R's score with integer ages (includes the decay between the write
    /// and the read, which R does not model).
    pub charge_error_vs_r_max: f64,
    /// Largest |phi_sim - phi| against the HardSigmoid of the closed-form score (pulse widths
    /// measured on the phi lines, fraction of T_max).
    pub phi_error_max: f64,
    /// The same against R's phi (integer ages).
    pub phi_error_vs_r_max: f64,
    /// Largest |A_sim - A| / A_sat of the output charges, A from the closed-form phi pulses
    /// reading the V cells.
    pub out_charge_error_max: f64,
    /// The same against R's tile sum A.
    pub out_charge_error_vs_r_max: f64,
    /// Largest |V_store - V_off - u0 exp(-(t - t_write) / tau)| of row 0's storage nodes at
    /// the start of every QK, volts.
    pub store_error_max: f64,
    /// Output codes counted from the pulses, equal to R's.
    pub codes_equal: u64,
    pub codes_total: u64,
    /// Output codes equal to the closed form's (its A rounded as R rounds).
    pub codes_closed_form_equal: u64,
    /// Codes unequal to the closed form's where its value is within TIE_MARGIN of a tie.
    pub codes_near_tie: u64,
    /// Output codes equal to the hardware twin H's.
    pub twin_codes_equal: u64,
    /// Codes where H's fixed point differs from R.
    pub twin_vs_reference_differ: u64,
    /// (token, column) pairs in the window whose score reached S_sat (phi = 1).
    pub saturated_columns: u64,
    pub columns_checked: u64,
    pub time_points: usize,
    pub compile_seconds: f64,
    pub simulator_seconds: f64,
    /// Peak resident memory of the simulator, MB.
    pub memory_mb: f64,
    /// The whole run: write, compile, simulate, read and compare.
    pub seconds: f64,
    pub pass: bool,
    /// The output codes counted from the pulses, `[token][dimension]`.
    pub codes: Vec<Vec<i32>>,
    /// R's output codes, `[token][dimension]`.
    pub codes_reference: Vec<Vec<i32>>,
    /// Curves for the datasheet: (R's score, measured phi) of every column in the window.
    pub phi_curve: Vec<(f64, f64)>,
    /// Largest |g_sim - g| of the g(u) characterization (g of the cell at the instant of
    /// reading, the closed form).
    pub g_error_max: f64,
    /// The g(u) characterization: (u written, measured g, g(u) of the configuration).
    pub g_curve: Vec<(f64, f64, f64)>,
    /// Row 0 of column 0: (age in tokens at the start of each QK, measured u / u0, exp(-lambda
    /// age)) while it holds token 0.
    pub decay_curve: Vec<(f64, f64, f64)>,
}

/// Writes the netlist, the cells and the testbench into `dir`, compiles and simulates, and
/// compares. `p` is the sub-tile's configuration ([`sub_tile_params`]).
pub fn run(p: &Params, codes: &Codes, seed: u64, dir: &Path) -> Result<AnalogReport, String> {
    run_edited(p, codes, seed, dir, |_| {})
}

/// [`run`] with the Verilog-A sources passed through `edit` before they are compiled (the
/// tests damage a cell on purpose and expect the comparison to fail).
pub fn run_edited(
    p: &Params,
    codes: &Codes,
    seed: u64,
    dir: &Path,
    edit: impl FnOnce(&mut [VaFile]),
) -> Result<AnalogReport, String> {
    let start = Instant::now();
    let tools = Tools::find()?;
    let e = Electrical::new(p, SubTileShape::of(p));
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let header = crate::rtl::header_comment(p, "gca_subtile: electrical view (VACASK run)");
    let mut va = electrical::va_files(&e, &header);
    edit(&mut va);
    let t = Instant::now();
    for f in &va {
        tools.compile(dir, f.name, &f.text)?;
    }
    let compile_seconds = t.elapsed().as_secs_f64();
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text)
            .map_err(|err| format!("cannot write {}: {err}", dir.join(name).display()))
    };
    write(
        electrical::NETLIST_FILE,
        &electrical::netlist(&e, &header, &va),
    )?;
    let title = format!(
        "GCA electrical sub-tile {}: {} x {}, {} tokens, seed {seed}",
        p.name,
        e.shape.rows,
        e.shape.cols,
        codes.tokens()
    );
    write("testbench.sim", &stimulus::testbench(&e, codes, &title))?;
    let (simulator_seconds, memory_mb) = tools.simulate(dir, "testbench.sim")?;
    let text = std::fs::read_to_string(dir.join("tran1.raw"))
        .map_err(|err| format!("cannot read the raw file: {err}"))?;
    let raw = Raw::parse(&text).map_err(|err| format!("tran1.raw: {err}"))?;
    let mut report = compare(p, &e, codes, &raw)?;
    report.seed = seed;
    report.compile_seconds = compile_seconds;
    report.simulator_seconds = simulator_seconds;
    report.memory_mb = memory_mb;
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

fn compare(p: &Params, e: &Electrical, codes: &Codes, raw: &Raw) -> Result<AnalogReport, String> {
    let tl = Timeline::new(e);
    let gold = golden(p, e, codes);
    let (d, c) = (e.shape.rows, e.shape.cols);
    let q_fs = e.q_full_scale();
    let mut rep = AnalogReport {
        config: p.name.clone(),
        rows: d,
        cols: c,
        tokens: codes.tokens(),
        seed: 0,
        charge_error_max: 0.0,
        charge_error_vs_r_max: 0.0,
        phi_error_max: 0.0,
        phi_error_vs_r_max: 0.0,
        out_charge_error_max: 0.0,
        out_charge_error_vs_r_max: 0.0,
        store_error_max: 0.0,
        codes_equal: 0,
        codes_total: 0,
        codes_closed_form_equal: 0,
        codes_near_tie: 0,
        twin_codes_equal: 0,
        twin_vs_reference_differ: 0,
        saturated_columns: 0,
        columns_checked: 0,
        time_points: raw.time().len(),
        compile_seconds: 0.0,
        simulator_seconds: 0.0,
        memory_mb: 0.0,
        seconds: 0.0,
        pass: false,
        codes: Vec::new(),
        codes_reference: Vec::new(),
        phi_curve: Vec::new(),
        decay_curve: Vec::new(),
        g_error_max: 0.0,
        g_curve: Vec::new(),
    };
    for (n, u) in stimulus::g_points(e).into_iter().enumerate() {
        let v = raw.at(raw.column(&stimulus::saved_g(n))?, tl.av(0));
        let g_sim = e.c_col * v / (e.i_unit * e.t_max);
        let u_w = e.written_u(u);
        let row = [(u_w, tl.qk(0) + e.t_edge / 2.0, e.t_max)];
        let g_closed = closed_form(e, &row, tl.write_end(0)) / (e.i_unit * e.t_max);
        rep.g_error_max = rep.g_error_max.max((g_sim - g_closed).abs());
        rep.g_curve.push((u, g_sim, e.g(u)));
    }
    let cols: Vec<&[f64]> = (0..c)
        .map(|cc| raw.column(&stimulus::saved_col(cc)))
        .collect::<Result<_, _>>()?;
    let phis: Vec<&[f64]> = (0..c)
        .map(|cc| raw.column(&stimulus::saved_phi(cc)))
        .collect::<Result<_, _>>()?;
    let stores: Vec<&[f64]> = (0..c)
        .map(|cc| raw.column(&stimulus::saved_store(cc)))
        .collect::<Result<_, _>>()?;
    let outs: Vec<&[f64]> = (0..d)
        .map(|dd| raw.column(&stimulus::saved_out(dd)))
        .collect::<Result<_, _>>()?;
    let name = |n: &str, dd: usize| electrical::node(n, d, dd);
    let pulses: Vec<&[f64]> = (0..d)
        .map(|dd| raw.column(&name("out_pulse", dd)))
        .collect::<Result<_, _>>()?;
    let signs: Vec<&[f64]> = (0..d)
        .map(|dd| raw.column(&name("out_sign", dd)))
        .collect::<Result<_, _>>()?;
    let score_unit = e.i_unit * e.t_max;
    for (i, g) in gold.iter().enumerate() {
        // The closed form's output charge: every column's phi pulse (from the closed-form
        // score) reading its V cells.
        let mut a_cf = vec![0.0; d];
        // QK charge and phi of every column in the window.
        for cc in 0..c {
            let Some((s_r, phi_r)) = g.score[cc] else {
                continue;
            };
            let j = i - (i - cc) % c; // the token the column holds
            let rows: Vec<(f64, f64, f64)> = (0..d)
                .map(|dd| {
                    let u0 = e.written_u(codes.k[j][dd] as f64 * e.v_lsb - e.v_off);
                    let width = codes.q[i][dd] as f64 * e.t_step;
                    (u0, tl.qk(i) + e.t_edge / 2.0, width)
                })
                .collect();
            let want = closed_form(e, &rows, tl.write_end(j));
            let got = e.c_col * raw.at(cols[cc], tl.readout(i) - e.t_max / 2.0);
            rep.charge_error_max = rep.charge_error_max.max((got - want).abs() / q_fs);
            let s_sim = got / score_unit;
            rep.charge_error_vs_r_max =
                rep.charge_error_vs_r_max.max((s_sim - s_r).abs() / e.s_sat);
            let phi_cf = (want / score_unit / e.s_sat).clamp(0.0, 1.0);
            for (dd, a) in a_cf.iter_mut().enumerate() {
                let u_v = e.written_u(codes.v[j][dd] as f64 * e.v_lsb - e.v_off);
                let row = [(u_v, tl.av(i), phi_cf * e.t_max)];
                *a += closed_form(e, &row, tl.write_end(j)) / score_unit;
            }
            let width = raw.integral(phis[cc], tl.av(i) - e.t_edge, tl.readout(i) + e.t_edge);
            let phi = width / e.v_in / e.t_max;
            rep.phi_error_max = rep.phi_error_max.max((phi - phi_cf).abs());
            rep.phi_error_vs_r_max = rep.phi_error_vs_r_max.max((phi - phi_r).abs());
            rep.phi_curve.push((s_r, phi));
            rep.columns_checked += 1;
            if s_r >= e.s_sat {
                rep.saturated_columns += 1;
            }
            // Row 0's storage node at the start of QK.
            let u0 = e.written_u(codes.k[j][0] as f64 * e.v_lsb - e.v_off);
            let t = tl.qk(i);
            let decay = if e.tau > 0.0 {
                (-(t - tl.write_end(j)) / e.tau).exp()
            } else {
                1.0
            };
            let v = raw.at(stores[cc], t);
            rep.store_error_max = rep.store_error_max.max((v - e.v_off - u0 * decay).abs());
            if cc == 0 && j == 0 && u0 != 0.0 {
                let age = i as f64;
                rep.decay_curve
                    .push((age, (v - e.v_off) / u0, (-e.lambda * age).exp()));
            }
        }
        // Output charges and codes.
        let mut token_codes = Vec::with_capacity(d);
        for dd in 0..d {
            let a_sim = e.c_out * raw.at(outs[dd], tl.readout(i) + e.t_step / 4.0) / score_unit;
            rep.out_charge_error_max = rep
                .out_charge_error_max
                .max((a_sim - a_cf[dd]).abs() / e.a_sat);
            rep.out_charge_error_vs_r_max = rep
                .out_charge_error_vs_r_max
                .max((a_sim - g.a[dd]).abs() / e.a_sat);
            let count = (0..e.out_max)
                .filter(|&k| raw.at(pulses[dd], tl.sample(i, k)) > e.vdd / 2.0)
                .count() as i32;
            let negative = raw.at(signs[dd], tl.readout(i) + e.t_step / 2.0) > e.vdd / 2.0;
            let code = if negative { -count } else { count };
            token_codes.push(code);
            rep.codes_total += 1;
            if code == g.codes_r[dd] {
                rep.codes_equal += 1;
            }
            let x = (a_cf[dd] / e.a_sat).clamp(-1.0, 1.0) * e.half_out;
            if code == x.round_ties_even() as i32 {
                rep.codes_closed_form_equal += 1;
            } else if ((x.abs() - x.abs().floor()) - 0.5).abs() < TIE_MARGIN {
                rep.codes_near_tie += 1;
            }
            if code == g.codes_h[dd] {
                rep.twin_codes_equal += 1;
            }
            if g.codes_h[dd] != g.codes_r[dd] {
                rep.twin_vs_reference_differ += 1;
            }
        }
        rep.codes.push(token_codes);
        rep.codes_reference.push(g.codes_r.clone());
    }
    rep.pass = rep.charge_error_max <= CHARGE_TOLERANCE
        && rep.phi_error_max <= PHI_TOLERANCE
        && rep.codes_closed_form_equal + rep.codes_near_tie == rep.codes_total;
    Ok(rep)
}
