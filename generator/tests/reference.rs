//! Tests of R, the float64 reference model (`gca::models::reference`).

use gca::models::reference::*;
use proptest::prelude::*;

const S_OUT: f64 = 2.0 / 31.0;

/// D = 2, window 2, tile 1 (two tiles of one slot), T = 3 so the window wraps; linear cell,
/// no decay, s_sat = 10, a_sat = 10, identity q/k/v scalers, out scaler (2, 0.5).
///
/// Quantization (q step 1/15, k/v step 0.9/7, u = k' - 0.45 = 0.45 (2n - 7) / 7,
/// g(u) = 19.3 u = 8.685 (2n - 7) / 7):
///   q0 = [1, 0]      -> [15, 0]/15         = [1, 0]
///   q1 = [0.34, 1]   -> [5.1 -> 5, 15]/15  = [1/3, 1]
///   q2 = [-0.2, .81] -> [0, 12.15 -> 12]/15 = [0, 0.8]
///   k0 = [0.9, 0]    -> n [7, 0]          -> g [8.685, -8.685]
///   k1 = [1.5, 0.5]  -> n [7, 3.89 -> 4]  -> g [8.685, 1.2407143]
///   k2 = [0.3, 0.6]  -> n [2.33 -> 2, 4.67 -> 5] -> g [-3.7221429, 3.7221429]
///   v0 = [0.9, 0.2]  -> n [7, 1.56 -> 2]  -> g [8.685, -3.7221429]
///   v1 = [0, 0.8]    -> n [0, 6.22 -> 6]  -> g [-8.685, 6.2035714]
///   v2 = [0.65, 0.1] -> n [5.06 -> 5, 0.78 -> 1] -> g [3.7221429, -6.2035714]
/// Token j sits in slot j mod 2 = tile j mod 2.
///   i=0: S00 = 8.685, phi 0.8685, tile 0: A0 = 0.8685 g(v0) = [7.5429225, -3.2326811];
///        /10/s_out = [11.69, -5.01] -> codes [12, -5]; tile 1 empty -> [0, 0].
///        y0 = 2 (2/31) [12, -5] + 0.5 = [48/31 + 0.5, -20/31 + 0.5].
///   i=1: S10 = 8.685/3 - 8.685 = -5.79 -> phi 0 (tile 0 active, A0 = 0);
///        S11 = 8.685/3 + 1.2407143 = 4.1357143 -> phi 0.41357143, tile 1:
///        A1 = [-3.5918679, 2.5656199] -> /10/s_out = [-5.57, 3.98] -> [-6, 4].
///        y1 = (4/31) [-6, 4] + 0.5.
///   i=2: token 0 left the window. S21 = 0.8 * 1.2407143 = 0.99257143 (tile 1),
///        S22 = 0.8 * 3.7221429 = 2.9777143 (slot 0: tile 0, the window wrapped).
///        A0 = 0.29777143 g(v2) = [1.1083478, -1.8472463] -> [1.72, -2.86] -> [2, -3];
///        A1 = 0.099257143 g(v1) = [-0.86204829, 0.61574878] -> [-1.34, 0.95] -> [-1, 1].
///        y2 = (4/31) ([2, -3] + [-1, 1]) + 0.5 = (4/31) [1, -2] + 0.5.
#[test]
fn hand_linear_window_wraps() {
    let mut p = RefParams::paper(Cell::Linear, 2, 1);
    p.s_sat = 10.0;
    p.a_sat = 10.0;
    let sc = Scalers {
        q: (1.0, 0.0),
        k: (1.0, 0.0),
        v: (1.0, 0.0),
        out: (2.0, 0.5),
    };
    let mut st = HeadState::new(&p, sc);
    let t0 = st.step_traced(&[1.0, 0.0], &[0.9, 0.0], &[0.9, 0.2]);
    let t1 = st.step_traced(&[0.34, 1.0], &[1.5, 0.5], &[0.0, 0.8]);
    let t2 = st.step_traced(&[-0.2, 0.81], &[0.3, 0.6], &[0.65, 0.1]);
    let kstep = 0.9 / 7.0;
    assert_eq!(t1.q, vec![5.0 / 15.0, 1.0]);
    assert_eq!(t2.q, vec![0.0, 12.0 / 15.0]);
    assert_eq!(t1.k, vec![7.0 * kstep, 4.0 * kstep]);
    assert_eq!(t2.k, vec![2.0 * kstep, 5.0 * kstep]);
    assert_eq!(t2.v, vec![5.0 * kstep, kstep]);
    let s: Vec<Vec<(usize, f64, f64)>> = [&t0, &t1, &t2]
        .iter()
        .map(|t| t.scores.iter().map(|s| (s.token, s.s, s.phi)).collect())
        .collect();
    assert_eq!(s[0].len(), 1);
    assert_close(s[0][0].1, 8.685, 1e-12);
    assert_close(s[0][0].2, 0.8685, 1e-12);
    assert_close(s[1][0].1, -5.79, 1e-12);
    assert_eq!(s[1][0].2, 0.0);
    assert_close(s[1][1].1, 4.135714285714286, 1e-12);
    assert_eq!((s[2][0].0, s[2][1].0), (1, 2));
    assert_close(s[2][0].1, 0.992571428571429, 1e-12);
    assert_close(s[2][1].1, 2.977714285714286, 1e-12);
    assert_eq!(
        t2.scores.iter().map(|s| s.tile).collect::<Vec<_>>(),
        vec![1, 0]
    );
    assert_close(t0.tile_sums[0][0], 7.5429225, 1e-12);
    assert_close(t2.tile_sums[1][1], 0.615748775510205, 1e-12);
    let codes = |t: &TokenTrace| t.result.tile_codes.clone();
    assert_eq!(codes(&t0), vec![vec![12, -5], vec![0, 0]]);
    assert_eq!(codes(&t1), vec![vec![0, 0], vec![-6, 4]]);
    assert_eq!(codes(&t2), vec![vec![2, -3], vec![-1, 1]]);
    assert_eq!(t0.result.tile_active, vec![true, false]);
    assert_eq!(t2.result.tile_active, vec![true, true]);
    let y = |a: f64, b: f64| vec![2.0 * S_OUT * a + 0.5, 2.0 * S_OUT * b + 0.5];
    for (t, want) in [
        (&t0, y(12.0, -5.0)),
        (&t1, y(-6.0, 4.0)),
        (&t2, y(1.0, -2.0)),
    ] {
        assert_close(t.result.y[0], want[0], 1e-12);
        assert_close(t.result.y[1], want[1], 1e-12);
    }
}

/// D = 2, window 2, tile 2 (one tile), T = 3; polynomial cell, lambda = 0.5
/// (d(1) = e^-0.5 = 0.60653066), s_sat = 20, a_sat = 2, scalers q (2, 0), k and v (0.5, 0.45),
/// out (1/19.3, 0). g(u) = c0 + c1 u + c2 u^2 + c3 u^3 with c0 = 0.52136361391,
/// c1 = 13.612260634, c2 = -2.620445619, c3 = 46.05483778.
///   q' = [9, 12.9 -> 13]/15, [15, 0]/15, [6, 12]/15
///   k' = n [6.61 -> 7, 1.56 -> 2], [3.89 -> 4, 4.67 -> 5], [0, 5.83 -> 6] (x 0.9/7)
///   v' = n [5.83 -> 6, 2.72 -> 3], [1.94 -> 2, 7], [4.28 -> 4, 3.69 -> 4]
///   i=0: g(k'0 - .45) = [g(0.45), g(-0.19285714)] = [10.312988, -2.5316788];
///        S00 = 0.6 * 10.312988 + 0.8667 * -2.5316788 = 3.9936710, phi 0.19968355;
///        A = phi [g(0.32142857), g(-0.06428571)] = phi [6.1554251, -0.37677509]
///          = [1.2291371, -0.07523579] -> /2/s_out = [9.53, -0.58] -> [10, -1].
///   i=1: j=0 at age 1: S10 = 1 * g(0.60653066 * 0.45) = g(0.27293880) = 4.9778869,
///        phi 0.24889434, gv = [g(0.6065 * 0.32142857), g(0.6065 * -0.0642857)]
///        = [3.4168228, -0.016109536]; j=1: S11 = g(0.06428571) = 1.3978435, phi 0.069892177,
///        gv = [g(-0.19285714), g(0.45)] = [-2.5316788, 10.312988];
///        A = [0.67348333, 0.71678759] -> [5.22, 5.56] -> [5, 6].
///   i=2: j=1 at age 1: S21 = 0.4 * 1.0508689 + 0.8 * 2.1514983 = 2.1415462;
///        j=2: S22 = 0.4 * g(-0.45) + 0.8 * g(0.32142857) = 0.4 * -10.331541 + 0.8 * 6.1554251
///        = 0.79172366; A = [-0.07106749, 0.58835403] -> [-0.55, 4.56] -> [-1, 5].
///   y_i = (2/31) codes / 19.3.
#[test]
fn hand_polynomial_with_decay() {
    let mut p = RefParams::paper(Cell::Polynomial, 2, 2);
    p.decay_per_token = 0.5;
    p.s_sat = 20.0;
    p.a_sat = 2.0;
    let sc = Scalers {
        q: (2.0, 0.0),
        k: (0.5, 0.45),
        v: (0.5, 0.45),
        out: (1.0 / 19.3, 0.0),
    };
    let h = head(
        sc,
        &[[0.3, 0.43], [0.5, -0.1], [0.2, 0.4]],
        &[[0.8, -0.5], [0.1, 0.3], [-0.9, 0.6]],
        &[[0.6, -0.2], [-0.4, 0.9], [0.2, 0.05]],
    );
    let mut st = HeadState::new(&p, sc);
    let tr: Vec<TokenTrace> = (0..3)
        .map(|i| st.step_traced(&h.q[i], &h.k[i], &h.v[i]))
        .collect();
    assert_eq!(tr[0].q, vec![9.0 / 15.0, 13.0 / 15.0]);
    assert_eq!(tr[2].k, vec![0.0, 6.0 * (0.9 / 7.0)]);
    assert_close(p.g(0.45), 10.312987754065, 1e-12);
    assert_close(tr[1].scores[0].decay, 0.6065306597126334, 1e-15);
    let want_s = [
        vec![3.9936710271485683],
        vec![4.977886870778897, 1.3978435334653068],
    ];
    for (t, want) in tr.iter().zip(&want_s) {
        for (s, w) in t.scores.iter().zip(want) {
            assert_close(s.s, *w, 1e-12);
        }
    }
    assert_close(tr[2].scores[0].s, 2.1415462086707238, 1e-12);
    assert_close(tr[2].scores[1].s, 0.7917236562132262, 1e-12);
    assert_close(tr[1].scores[0].phi, 0.24889434353894485, 1e-12);
    assert_close(tr[2].tile_sums[0][1], 0.5883540274218744, 1e-12);
    let codes: Vec<_> = tr.iter().map(|t| t.result.tile_codes[0].clone()).collect();
    assert_eq!(codes, vec![vec![10, -1], vec![5, 6], vec![-1, 5]]);
    let result = run_head(&p, &h);
    for (i, c) in codes.iter().enumerate() {
        assert_eq!(result.y[i], tr[i].result.y);
        for (y, code) in result.y[i].iter().zip(c) {
            assert_close(*y, S_OUT * *code as f64 / 19.3, 1e-15);
        }
    }
}

#[test]
fn tokens_outside_the_window_are_gated_off() {
    let mut rng = Rng(7);
    let mut p = RefParams::paper(Cell::Polynomial, 3, 1);
    p.decay_per_token = 0.1;
    p.s_sat = 8.0;
    p.a_sat = 4.0;
    let base = rng.head(8, 6);
    let mut changed = base.clone();
    changed.k[2] = rng.rows(1, 6).remove(0);
    changed.v[2] = rng.rows(1, 6).remove(0);
    let (a, b) = (run_head(&p, &base), run_head(&p, &changed));
    // Token 2 is in the window of queries 2, 3, 4 only.
    assert_eq!(a.y[..2], b.y[..2]);
    assert_ne!(a.y[2..5], b.y[2..5]);
    assert_eq!(a.y[5..], b.y[5..]);
    assert_eq!(a.tile_codes[5..], b.tile_codes[5..]);
}

#[test]
fn matches_the_authors_dense_form() {
    let mut rng = Rng(2025);
    for cell in [Cell::Linear, Cell::Polynomial] {
        for (window, tile, t) in [(24, 8, 24), (24, 8, 20), (16, 16, 11), (6, 2, 5)] {
            for (lambda, s_sat, a_sat) in [(0.0, 80.0, 40.0), (0.04, 80.0, 40.0), (0.1, 6.0, 3.0)] {
                let mut p = RefParams::paper(cell, window, tile);
                p.decay_per_token = lambda;
                p.s_sat = s_sat;
                p.a_sat = a_sat;
                let h = rng.head(t, 16);
                let got = run_head(&p, &h);
                let want = dense_authors(&p, &h);
                for (g, w) in got.y.iter().flatten().zip(want.iter().flatten()) {
                    assert!(
                        (g - w).abs() <= 1e-9,
                        "{cell:?} M={window} T={t}: {g} vs {w}"
                    );
                }
                let codes = got.tile_codes.iter().flatten().flatten();
                assert!(codes.filter(|&&c| c != 0).count() > 0, "all codes are 0");
            }
        }
    }
}

proptest! {
    #[test]
    fn codes_stay_in_range(x in -1e6f64..1e6, levels in 2u32..=300, v_max in 0.01f64..10.0) {
        let c = quantize_code(x.clamp(0.0, 1.0), levels, 0.0, 1.0);
        prop_assert!((0..levels as i64).contains(&c));
        let c = quantize_code(x.clamp(0.0, v_max), levels, 0.0, v_max);
        prop_assert!((0..levels as i64).contains(&c));
        let c = quantize_code(x.clamp(-1.0, 1.0), levels, -1.0, 1.0);
        prop_assert!(c.abs() <= (levels / 2) as i64);
    }

    #[test]
    fn quantizer_is_idempotent(x in -50.0f64..50.0, levels in 2u32..=300, grid in 0usize..3) {
        let (lo, hi) = [(0.0, 1.0), (0.0, 0.9), (-1.0, 1.0)][grid];
        let once = quantize(x, levels, lo, hi);
        prop_assert_eq!(quantize(once, levels, lo, hi), once);
        let s = (hi - lo) / (levels - 1) as f64;
        prop_assert_eq!(once, s * quantize_code(x, levels, lo, hi) as f64);
    }
}

fn assert_close(got: f64, want: f64, tol: f64) {
    let ok = (got - want).abs() <= tol * want.abs().max(1.0);
    assert!(ok, "got {got}, want {want} (tolerance {tol})");
}

fn head(sc: Scalers, q: &[[f64; 2]], k: &[[f64; 2]], v: &[[f64; 2]]) -> HeadInput {
    let rows = |x: &[[f64; 2]]| x.iter().map(|r| r.to_vec()).collect();
    HeadInput {
        scalers: sc,
        q: rows(q),
        k: rows(k),
        v: rows(v),
    }
}

/// SplitMix64, enough for seeded test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn rows(&mut self, t: usize, d: usize) -> Vec<Vec<f64>> {
        (0..t)
            .map(|_| (0..d).map(|_| self.uniform(-0.6, 0.6)).collect())
            .collect()
    }
    /// Random rows around the clamping ranges (scalers map [-0.6, 0.6] to a bit beyond them).
    fn head(&mut self, t: usize, d: usize) -> HeadInput {
        let mut scaler =
            |a: f64, b: f64| (a * self.uniform(0.9, 1.1), b + self.uniform(-0.05, 0.05));
        let scalers = Scalers {
            q: scaler(1.0, 0.5),
            k: scaler(0.9, 0.45),
            v: scaler(0.9, 0.45),
            out: scaler(1.0, 0.0),
        };
        HeadInput {
            scalers,
            q: self.rows(t, d),
            k: self.rows(t, d),
            v: self.rows(t, d),
        }
    }
}

type Mat = Vec<Vec<f64>>;

fn matmul(a: &Mat, b: &Mat) -> Mat {
    let (n, k, m) = (a.len(), b.len(), b[0].len());
    (0..n)
        .map(|i| {
            (0..m)
                .map(|j| (0..k).map(|l| a[i][l] * b[l][j]).sum())
                .collect()
        })
        .collect()
}

fn map2(a: &Mat, b: &Mat, f: impl Fn(f64, f64) -> f64) -> Mat {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.iter().zip(y).map(|(&u, &v)| f(u, v)).collect())
        .collect()
}

fn map(a: &Mat, f: impl Fn(f64) -> f64) -> Mat {
    a.iter()
        .map(|x| x.iter().map(|&u| f(u)).collect())
        .collect()
}

/// Direct transcription of the authors' matrix form (`SlidingWindowAttention.attention_forward`
/// with `offset_weights_matmul_*` / `DRAM_MAC_temporal_encoding_surrogate_*`), valid for T <= M.
/// Only window, tile, decay, s_sat and a_sat are taken from `p`; 19.3, 0.45, 0.9 and the
/// polynomial coefficients are the authors' literals.
fn dense_authors(p: &RefParams, h: &HeadInput) -> Mat {
    let c = [
        0.17393044,
        0.15653739,
        0.14088365,
        0.12679529,
        5.51975209,
        4.96777688,
        4.4709992,
        -1.44776001,
        -1.30298401,
        46.05483778,
    ];
    let (t, d) = (h.q.len(), h.q[0].len());
    let n_tiles = t.div_ceil(p.tile);
    let n_cols = n_tiles * p.tile;
    let qz = |x: f64, l: u32, lo: f64, hi: f64| {
        let s = (hi - lo) / (l - 1) as f64;
        s * (x / s).round_ties_even()
    };
    let sc = h.scalers;
    let q = map(&h.q, |x| {
        qz((sc.q.0 * x + sc.q.1).clamp(0.0, 1.0), 16, 0.0, 1.0)
    });
    let k = map(&h.k, |x| {
        qz((sc.k.0 * x + sc.k.1).clamp(0.0, 0.9), 8, 0.0, 0.9)
    });
    let v = map(&h.v, |x| {
        qz((sc.v.0 * x + sc.v.1).clamp(0.0, 0.9), 8, 0.0, 0.9)
    });
    // WindowMaskGeneration, then decay_mask = exp(-lambda) ** (cumsum(mask, dim=-2) - 1).
    let m = p.window;
    let mask: Mat = (0..t)
        .map(|i| {
            (0..n_cols)
                .map(|j| f64::from(u8::from(j <= i && (i < m || j > i - m))))
                .collect()
        })
        .collect();
    let decay = (-p.decay_per_token).exp();
    let mut cum = vec![0.0; n_cols];
    let dm: Mat = mask
        .iter()
        .map(|row| {
            cum.iter_mut().zip(row).for_each(|(s, x)| *s += x);
            cum.iter().map(|&e| decay.powi(e as i32 - 1)).collect()
        })
        .collect();
    let kt: Mat = (0..d)
        .map(|e| (0..t).map(|j| k[j][e] - 0.45).collect())
        .collect();
    let dm_t: Mat = dm.iter().map(|r| r[..t].to_vec()).collect();
    let mut s = match p.cell {
        Cell::Linear => map2(&map(&matmul(&q, &kt), |x| 19.3 * x), &dm_t, |x, y| x * y),
        Cell::Polynomial => {
            let mut acc = vec![vec![0.0; t]; t];
            let mut idx = 0;
            for pw in 0..4 {
                for r in 0..(4 - pw) {
                    let w = map(&kt, |y| y.powi(pw) * 0.9f64.powi(r) * c[idx]);
                    let term = map2(&matmul(&q, &w), &dm_t, |x, dd| x * dd.powi(pw));
                    acc = map2(&acc, &term, |a, b| a + b);
                    idx += 1;
                }
            }
            acc
        }
    };
    s = map2(
        &s,
        &mask.iter().map(|r| r[..t].to_vec()).collect(),
        |x, mk| if mk == 0.0 { 0.0 } else { x },
    );
    let phi = map(&s, |x| (x / p.s_sat).clamp(0.0, 1.0));
    // Pad phi columns and v rows to n_tiles * tile, split into tiles by absolute position.
    let mut y = vec![vec![0.0; d]; t];
    for tile in 0..n_tiles {
        let cols = tile * p.tile..(tile + 1) * p.tile;
        let x: Mat = (0..t)
            .map(|i| {
                cols.clone()
                    .map(|j| if j < t { phi[i][j] } else { 0.0 })
                    .collect()
            })
            .collect();
        let dmt: Mat = dm.iter().map(|r| r[cols.clone()].to_vec()).collect();
        let vt: Mat = cols
            .clone()
            .map(|j| if j < t { v[j].clone() } else { vec![0.0; d] })
            .collect();
        let vo = map(&vt, |y| y - 0.45);
        let av = match p.cell {
            Cell::Linear => map(&matmul(&map2(&x, &dmt, |a, b| a * b), &vo), |z| 19.3 * z),
            Cell::Polynomial => {
                let mut acc = vec![vec![0.0; d]; t];
                let mut idx = 0;
                for pw in 0..4 {
                    for r in 0..(4 - pw) {
                        let xd = map2(&x, &dmt, |a, b| a * b.powi(pw));
                        let w = map(&vo, |y| y.powi(pw) * 0.9f64.powi(r) * c[idx]);
                        acc = map2(&acc, &matmul(&xd, &w), |a, b| a + b);
                        idx += 1;
                    }
                }
                acc
            }
        };
        let o = map(&av, |z| qz((z / p.a_sat).clamp(-1.0, 1.0), 32, -1.0, 1.0));
        y = map2(&y, &o, |a, b| a + b);
    }
    map(&y, |z| sc.out.0 * z + sc.out.1)
}
