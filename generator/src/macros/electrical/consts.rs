//! The numbers of the electrical view, derived once from the configuration: the paper's
//! analog points and timings, and the constants of the electrical model (unit current,
//! capacitances, conductances), chosen so that every result is a ratio in which they cancel.

use crate::config::{index_bits, CellModel, Params};

/// The size of the simulated sub-tile: D rows (word lines, dimensions) by C columns (tokens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubTileShape {
    pub rows: usize,
    pub cols: usize,
}

impl SubTileShape {
    /// The configuration's own sub-tile: D x C.
    pub fn of(p: &Params) -> Self {
        Self {
            rows: p.shape.d_head,
            cols: p.shape.tile,
        }
    }
}

/// Everything the Verilog-A cells, the netlist and the stimulus need. Times in seconds,
/// voltages in volts, currents in amperes, capacitances in farads.
#[derive(Clone, Debug, PartialEq)]
pub struct Electrical {
    pub shape: SubTileShape,
    /// Bits of one k or v DAC code.
    pub kb: u32,
    /// Bits of the write column address `wcol`.
    pub cw: u32,
    /// Query levels L_q; a PWM pulse of code q lasts q PWM steps.
    pub levels_q: u64,
    /// Key/value levels L_kv.
    pub levels_kv: u64,
    /// Largest |output code| (L_out / 2).
    pub out_max: u32,
    /// (L_out - 1) / 2: output codes per unit of A / A_sat.
    pub half_out: f64,
    pub t_clk: f64,
    pub t_step: f64,
    /// Full-scale PWM pulse T_max = (L_q - 1) T_step; also the AV phase.
    pub t_max: f64,
    pub t_write: f64,
    /// READOUT: out_max PWM steps.
    pub t_readout: f64,
    /// One token with the phases back to back: write + QK + AV + READOUT.
    pub t_token: f64,
    /// Edge time of every logic pulse of the stimulus (linear edges).
    pub t_edge: f64,
    /// Logic high level of the macro's digital pins (logic 1 = VDD).
    pub vdd: f64,
    pub v_max: f64,
    pub v_off: f64,
    /// DAC step V_max / (L_kv - 1).
    pub v_lsb: f64,
    /// Read pulse amplitude V_in (the word-line high level; the polynomial's V_in).
    pub v_in: f64,
    pub cell: CellModel,
    pub linear_gain: f64,
    /// C[p][r] of the polynomial cell, SPEC order.
    pub poly: [f64; 10],
    pub s_sat: f64,
    pub a_sat: f64,
    /// Decay lambda per token of age.
    pub lambda: f64,
    /// Relaxation time constant toward V_off: t_token / lambda (0: no relaxation).
    pub tau: f64,
    /// Read current of g = 1 at a fully open word line.
    pub i_unit: f64,
    /// Storage capacitance of a gain cell.
    pub c_store: f64,
    /// Write switch on-conductance: C_s / (t_write / 100).
    pub g_write: f64,
    /// Integrator full scale: the voltage at S = S_sat (columns) and A = A_sat (outputs).
    pub v_fs: f64,
    /// Column integrator capacitance: I_unit T_max S_sat / V_fs.
    pub c_col: f64,
    /// Output integrator capacitance: I_unit T_max A_sat / V_fs.
    pub c_out: f64,
    /// Integrator reset conductance (column): C_col / (t_write / 100); outputs scale alike.
    pub g_reset_col: f64,
    pub g_reset_out: f64,
    /// Comparator transition width: 1e-4 of V_fs (linear, symmetric about the crossing).
    pub v_window: f64,
    /// Ramp of the HardSigmoid converter: V_fs per T_max.
    pub slope_av: f64,
    /// Ramp of the output converter: V_fs per (L_out - 1) / 2 PWM steps, so that a pulse lasts
    /// |A| / A_sat * (L_out - 1) / 2 steps.
    pub slope_ro: f64,
}

impl Electrical {
    /// The electrical view of `p` for a sub-tile of `shape`.
    pub fn new(p: &Params, shape: SubTileShape) -> Self {
        let hw = &p.hardware;
        let t_clk = p.cycles.clock_period_ns * 1e-9;
        let t_step = p.cycles.pwm_step as f64 * t_clk;
        let t_max = (hw.levels.q - 1) as f64 * t_step;
        let t_write = p.cycles.write as f64 * t_clk;
        let out_max = p.widths.out_code_max;
        let t_readout = out_max as f64 * t_step;
        let t_token = t_write + 2.0 * t_max + t_readout;
        let lambda = hw.decay_per_token;
        let tau = if lambda > 0.0 { t_token / lambda } else { 0.0 };
        let i_unit = 1e-6;
        let c_store = 1e-15;
        let v_fs = 1.0;
        let c_col = i_unit * t_max * hw.analog.s_sat / v_fs;
        let c_out = i_unit * t_max * hw.analog.a_sat / v_fs;
        let settle = t_write / 100.0;
        let half_out = (hw.levels.out - 1) as f64 / 2.0;
        let mut poly = [0.0; 10];
        poly.copy_from_slice(&hw.cell.poly_coeffs);
        Self {
            shape,
            kb: p.widths.kv_code,
            cw: index_bits(shape.cols as u64).max(1),
            levels_q: hw.levels.q,
            levels_kv: hw.levels.kv,
            out_max,
            half_out,
            t_clk,
            t_step,
            t_max,
            t_write,
            t_readout,
            t_token,
            t_edge: t_clk / 100.0,
            vdd: 1.0,
            v_max: hw.analog.v_max,
            v_off: hw.analog.v_off,
            v_lsb: hw.analog.v_max / (hw.levels.kv - 1) as f64,
            v_in: hw.cell.v_in,
            cell: hw.cell.model,
            linear_gain: hw.cell.linear_gain,
            poly,
            s_sat: hw.analog.s_sat,
            a_sat: hw.analog.a_sat,
            lambda,
            tau,
            i_unit,
            c_store,
            g_write: c_store / settle,
            v_fs,
            c_col,
            c_out,
            g_reset_col: c_col / settle,
            g_reset_out: c_out / settle,
            v_window: 1e-4 * v_fs,
            slope_av: v_fs / t_max,
            slope_ro: v_fs / (half_out * t_step),
        }
    }

    /// g(u) of the configuration in float64 (the polynomial at V_in, or the linear gain).
    pub fn g(&self, u: f64) -> f64 {
        let a = self.g_by_power();
        a[0] + u * (a[1] + u * (a[2] + u * a[3]))
    }

    /// g(u) as coefficients of u^0..u^3.
    pub fn g_by_power(&self) -> [f64; 4] {
        match self.cell {
            CellModel::Linear => [0.0, self.linear_gain, 0.0, 0.0],
            CellModel::Polynomial => crate::config::poly_by_power(&self.poly, self.v_in),
        }
    }

    /// The u a cell holds at the end of a write of `u_dac` (the DAC's voltage minus V_off): the
    /// write switch and the relaxation toward V_off divide it, u_dac / (1 + (cs / gw) / tau).
    pub fn written_u(&self, u_dac: f64) -> f64 {
        if self.tau > 0.0 {
            u_dac / (1.0 + self.c_store / self.g_write / self.tau)
        } else {
            u_dac
        }
    }

    /// Charge of the column integrator at S = S_sat (phi = 1): the full scale of the charge
    /// errors.
    pub fn q_full_scale(&self) -> f64 {
        self.i_unit * self.t_max * self.s_sat
    }
}
