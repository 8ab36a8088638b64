//! The pipelined arithmetic of the RTL against the hardware twin's formulas, lane by lane,
//! under Icarus: `gca_quantizer` (Booth carry-save products, carry select at the rounding point,
//! ties to even, clamp) and `gca_out_scale` (carry-save products, rounding, offset, saturation
//! against registered limits). Random vectors plus the corners the co-simulation rarely
//! reaches: ties, extreme gains and offsets, saturation on both sides, the clamp on both sides.
//! The carry-select adders and split compares both use are checked exhaustively at small widths.

mod common;

use std::fmt::Write as _;

use common::{run, TempDir};
use gca::config::{self, Params};
use gca::models::twin::fixed::{saturate, shift_round_even};
use gca::rng::Rng;

fn hex(width: u32, fields: &[(u32, i128)]) -> String {
    // Packs signed fields, first field in the high bits, into one hex word of `width` bits
    // (any width: the bits MSB first, then four to a digit).
    let mut bits = Vec::new();
    for &(w, x) in fields {
        bits.extend((0..w).rev().map(|b| b < 128 && (x >> b) & 1 == 1));
    }
    assert_eq!(bits.len(), width as usize);
    let pad = (4 - bits.len() % 4) % 4;
    let bits: Vec<bool> = std::iter::repeat_n(false, pad).chain(bits).collect();
    bits.chunks(4)
        .map(|c| {
            let d = c.iter().fold(0u32, |a, &b| a << 1 | u32::from(b));
            char::from_digit(d, 16).unwrap()
        })
        .collect()
}

fn signed_range(bits: u32) -> (i128, i128) {
    (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
}

fn pick(rng: &mut Rng, bits: u32) -> i128 {
    let (lo, hi) = signed_range(bits);
    match rng.below(8) {
        0 => lo,
        1 => hi,
        2 => 0,
        _ => lo + rng.below((hi - lo + 1) as u64) as i128,
    }
}

fn module(p: &Params, name: &str) -> String {
    let files = gca::emit::generate(p).expect("the design generates");
    files.0[&format!("rtl/{name}.v")].clone()
}

fn simulate(dir: &TempDir, files: &[&str], out: &str) -> Vec<String> {
    let mut args = vec!["-g2005", "-Wall", "-o", "tb.vvp"];
    args.extend(files);
    let c = run("iverilog", "iverilog", &dir.0, &args);
    assert!(
        c.status.success(),
        "iverilog: {}",
        String::from_utf8_lossy(&c.stderr)
    );
    let r = run("vvp", "iverilog", &dir.0, &["-n", "tb.vvp"]);
    assert!(
        r.status.success(),
        "vvp: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    std::fs::read_to_string(dir.0.join(out))
        .expect("the testbench wrote its results")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn quantizer_codes_equal_the_twin_formula() {
    let p = config::load("tiny").unwrap();
    let f = p.fixed;
    let (ib, sb, ifr, sf) = (f.in_bits, f.scaler_bits, f.in_frac, f.scaler_frac);
    let g = gca::rtl::quantizer::group_lanes(&p) as u32;
    let (qb, kb) = (p.widths.q_code, p.widths.kv_code);
    let ow = gca::rtl::quantizer::offset_half_bits(&p);
    let k = ifr + sf;
    let (max_q, max_kv) = (
        p.hardware.levels.q as i128 - 1,
        p.hardware.levels.kv as i128 - 1,
    );
    let mut rng = Rng::new(7);
    let n = 600;
    let width = sb + ow + g * ib;
    let (mut vecs, mut want) = (String::new(), Vec::new());
    let mut ties = 0;
    for v in 0..n {
        let mut gain = pick(&mut rng, sb);
        let xs: Vec<i128> = (0..g).map(|_| pick(&mut rng, ib)).collect();
        let mut off = pick(&mut rng, sb);
        if v % 3 == 0 {
            // A tie in lane 0: x * gain + off * 2^ifr = (2j + 1) * 2^(k-1).
            gain = (gain >> ifr) << ifr;
            let (lo, hi) = signed_range(sb);
            let need = (1i128 << (k - 1)) - xs[0] * gain;
            let base = need >> ifr; // exact: gain is a multiple of 2^ifr
            let turns = rng.below(64) as i128 - 32;
            off = (base + (turns << sf)).clamp(lo, hi);
            if (off - base) % (1 << sf) != 0 {
                // No tie within the register's range for this product: any offset will do.
                off = pick(&mut rng, sb);
            }
        }
        let acc0 = xs[0] * gain + (off << ifr);
        ties += usize::from(k > 0 && acc0.rem_euclid(1 << k) == 1 << (k - 1));
        let offh = if sf > 0 {
            off + (1i128 << (sf - 1))
        } else {
            off
        };
        let mut fields = vec![(sb, gain), (ow, offh)];
        for &x in xs.iter().rev() {
            fields.push((ib, x));
        }
        writeln!(vecs, "{}", hex(width, &fields)).unwrap();
        // Every beat is clamped both ways: as q codes and as k/v codes.
        let codes = |max: i128| {
            xs.iter()
                .map(|&x| shift_round_even(x * gain + (off << ifr), k).clamp(0, max))
                .collect::<Vec<_>>()
        };
        want.push([codes(max_q), codes(max_kv)]);
    }
    let dir = TempDir::new("arith-quantizer");
    dir.write("gca_quantizer.v", &module(&p, "gca_quantizer"));
    dir.write("gca_clock_gate.v", &module(&p, "gca_clock_gate"));
    dir.write("q.hex", &vecs);
    dir.write(
        "tb.v",
        &format!(
            r#"`timescale 1ns/1ps
module tb;
  localparam N = {n};
  reg clk = 1'b0, rst_n = 1'b0, load = 1'b0;
  reg signed [{sbm}:0] gain = 0;
  reg signed [{owm}:0] offset = 0;
  reg [{xm}:0] x = 0;
  wire [{qm}:0] code_q;
  wire [{km}:0] code_kv;
  reg [{wm}:0] vec [0:N-1];
  integer i, f;
  gca_quantizer dut (.clk(clk), .rst_n(rst_n), .load(load), .gain(gain), .offset(offset),
    .x(x), .code_q(code_q), .code_kv(code_kv));
  always #5 clk = ~clk;
  initial begin
    $readmemh("q.hex", vec);
    f = $fopen("q.out", "w");
    #12 rst_n = 1'b1;
    for (i = 0; i < N; i = i + 1) begin
      @(negedge clk) {{gain, offset, x}} = vec[i]; load = 1'b1;
      @(negedge clk) load = 1'b0;
      @(negedge clk) $fdisplay(f, "%h %h", code_q, code_kv);
    end
    $fclose(f);
    $finish;
  end
endmodule
"#,
            sbm = sb - 1,
            owm = ow - 1,
            xm = g * ib - 1,
            qm = g * qb - 1,
            km = g * kb - 1,
            wm = width - 1,
        ),
    );
    let got = simulate(
        &dir,
        &["tb.v", "gca_quantizer.v", "gca_clock_gate.v"],
        "q.out",
    );
    assert_eq!(got.len(), n);
    for (v, (line, kinds)) in got.iter().zip(&want).enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for ((word, lanes), (cb, kind)) in words.iter().zip(kinds).zip([(qb, "q"), (kb, "k/v")]) {
            let word = u128::from_str_radix(word, 16).expect("hex code word");
            for (lane, &w) in lanes.iter().enumerate() {
                let c = (word >> (cb * lane as u32)) & ((1 << cb) - 1);
                assert_eq!(
                    c as i128, w,
                    "vector {v}, lane {lane} as {kind}: RTL {c}, twin {w}"
                );
            }
        }
    }
    assert!(ties >= n / 10, "the vectors hold ties ({ties})");
}

#[test]
fn output_scaler_equals_the_twin_formula() {
    // tiny: two heads (stage 3 unregistered, stage 1 from `sums` or `sums_nx`, different
    // vectors on each); gpt2-head: one (the scaler's result registers).
    for name in ["tiny", "gpt2-head"] {
        output_scaler_matches(name);
    }
}

fn output_scaler_matches(name: &str) {
    let p = config::load(name).unwrap();
    // With two inputs: another vector on `sums_nx`, taken in odd vectors (`nx_next` held for
    // the vector's six cycles); head 0's registers.
    let two = p.shape.n_head > 1;
    let ports = if two {
        ".sums_nx(sums_nx), .nx_next(i[0]), .en(1'b1), .head(0)"
    } else {
        ".en(1'b1)"
    };
    let (sb, sf, ob) = (p.fixed.scaler_bits, p.fixed.scaler_frac, p.fixed.out_bits);
    let sw = p.widths.tile_sum;
    let g = gca::rtl::out_scale::group_lanes(&p) as u32;
    let mut rng = Rng::new(11);
    let n = 500;
    let width = sb + ob + g * sw * if two { 2 } else { 1 };
    let (mut vecs, mut want) = (String::new(), Vec::new());
    let (mut sat_hi, mut sat_lo) = (0, 0);
    for v in 0..n {
        let mut gain = pick(&mut rng, sb);
        let off = pick(&mut rng, ob);
        let mut sums: Vec<i128> = (0..g).map(|_| pick(&mut rng, sw)).collect();
        let mut sums_nx: Vec<i128> = (0..g).map(|_| pick(&mut rng, sw)).collect();
        if v % 4 < 2 && sf > 0 {
            // A tie in lane 0: an odd sum times an odd multiple of 2^(f-1).
            gain = ((gain >> sf) << sf) | (1 << (sf - 1));
            sums[0] |= 1;
            sums_nx[0] |= 1;
        }
        let mut fields = vec![(sb, gain), (ob, off)];
        for &s in sums.iter().rev() {
            fields.push((sw, s));
        }
        if two {
            for &s in sums_nx.iter().rev() {
                fields.push((sw, s));
            }
            if v % 2 == 1 {
                sums = sums_nx;
            }
        }
        writeln!(vecs, "{}", hex(width, &fields)).unwrap();
        let ys: Vec<i128> = sums
            .iter()
            .map(|&s| saturate(shift_round_even(s * gain, sf) + off, ob) as i128)
            .collect();
        let (lo, hi) = signed_range(ob);
        sat_hi += ys.iter().filter(|&&y| y == hi).count();
        sat_lo += ys.iter().filter(|&&y| y == lo).count();
        want.push(ys);
    }
    let dir = TempDir::new(&format!("arith-out-scale-{name}"));
    dir.write("gca_out_scale.v", &module(&p, "gca_out_scale"));
    dir.write("gca_clock_gate.v", &module(&p, "gca_clock_gate"));
    dir.write("s.hex", &vecs);
    dir.write(
        "tb.v",
        &format!(
            r#"`timescale 1ns/1ps
module tb;
  localparam N = {n};
  reg clk = 1'b0, rst_n = 1'b0;
  reg signed [{sbm}:0] gain = 0;
  reg signed [{obm}:0] offset = 0;
  reg [{sm}:0] sums = 0, sums_nx = 0;
  wire [{ym}:0] y;
  reg [{wm}:0] vec [0:N-1];
  integer i, f;
  gca_out_scale dut (.clk(clk), .rst_n(rst_n), .sums(sums), .gain(gain), .offset(offset),
    .mul_en(1'b1), .add_en(1'b1), {ports}, .y(y));
  always #5 clk = ~clk;
  initial begin
    $readmemh("s.hex", vec);
    f = $fopen("s.out", "w");
    #12 rst_n = 1'b1;
    for (i = 0; i < N; i = i + 1) begin
      @(negedge clk) {{gain, offset, sums{nx}}} = vec[i];
      repeat (6) @(negedge clk);
      $fdisplay(f, "%h", y[{lm}:0]);
    end
    $fclose(f);
    $finish;
  end
endmodule
"#,
            sbm = sb - 1,
            obm = ob - 1,
            sm = g * sw - 1,
            ym = p.shape.n_head as u32 * g * ob - 1,
            lm = g * ob - 1,
            wm = width - 1,
            nx = if two { ", sums_nx" } else { "" },
        ),
    );
    let got = simulate(
        &dir,
        &["tb.v", "gca_out_scale.v", "gca_clock_gate.v"],
        "s.out",
    );
    assert_eq!(got.len(), n);
    for (v, (line, lanes)) in got.iter().zip(&want).enumerate() {
        let word = u128::from_str_radix(line.trim(), 16).expect("hex result word");
        for (lane, &w) in lanes.iter().enumerate() {
            let raw = (word >> (ob * lane as u32)) & ((1 << ob) - 1);
            let y = ((raw << (128 - ob)) as i128) >> (128 - ob);
            assert_eq!(y, w, "vector {v}, lane {lane}: RTL {y}, twin {w}");
        }
    }
    assert!(
        sat_hi > 0 && sat_lo > 0,
        "the vectors saturate on both sides"
    );
}

/// `wires::select_sums` (a + b and a + b + 1 of a bit range, by carry select) and
/// `wires::signed_less` (split signed compare), against Verilog's own `+` and signed `<`, for
/// every pair of operands of widths below, at and above the split width.
#[test]
fn carry_select_adders_and_split_compares_are_exact() {
    use gca::hdl::{Decl, Design, Kind, Module};
    use gca::rtl::wires::{let_wire, select_sums, signed_less};
    let widths = [3u32, 7, 8, 9];
    let mut modules = Vec::new();
    for &n in &widths {
        // The operands carry two bits below the summed range, as the rounding's do.
        let mut m = Module::new(&format!("sel{n}"));
        let a = m.port(Decl::new("a", Kind::Input, n + 2));
        let b = m.port(Decl::new("b", Kind::Input, n + 2));
        let s0 = m.port(Decl::new("s0", Kind::Output, n));
        let s1 = m.port(Decl::new("s1", Kind::Output, n));
        let lt = m.port(Decl::new("lt", Kind::Output, 1));
        let (x, y) = select_sums(&mut m, "t", &a, &b, 2, n + 1, true);
        m.assign(&s0, x.e().as_unsigned());
        m.assign(&s1, y.expect("asked for").e().as_unsigned());
        let sa = let_wire(&mut m, "sa", a.slice(n + 1, 2).as_signed());
        let sb = let_wire(&mut m, "sb", b.slice(n + 1, 2).as_signed());
        let less = signed_less(&mut m, "cmp", &sa, &sb);
        m.assign(&lt, less);
        modules.push(m);
    }
    let design = Design::new(modules);
    assert!(design.check().is_empty(), "{:?}", design.check());
    let dir = TempDir::new("arith_select");
    let mut files = vec!["tb.v".to_string()];
    for m in &design.modules {
        let file = format!("{}.v", m.name);
        std::fs::write(dir.0.join(&file), gca::hdl::print_module(m)).unwrap();
        files.push(file);
    }
    let mut tb = String::from("`timescale 1ns/1ps\nmodule tb;\n  integer fd, i, j, bad;\n");
    for &n in &widths {
        writeln!(
            tb,
            "  reg [{h}:0] x{n}, y{n};\n  wire [{n1}:0] a{n} = {{x{n}, 2'b01}};\n  \
             wire [{n1}:0] b{n} = {{y{n}, 2'b11}};\n  wire [{h}:0] s0_{n}, s1_{n};\n  wire lt_{n};\n  \
             wire [{h}:0] r0_{n} = x{n} + y{n};\n  wire [{h}:0] r1_{n} = x{n} + y{n} + 1'b1;\n  \
             sel{n} u{n} (.a(a{n}), .b(b{n}), .s0(s0_{n}), .s1(s1_{n}), .lt(lt_{n}));",
            h = n - 1,
            n1 = n + 1
        )
        .unwrap();
    }
    tb.push_str("  initial begin\n    fd = $fopen(\"out.txt\", \"w\");\n    bad = 0;\n");
    for &n in &widths {
        writeln!(
            tb,
            "    for (i = 0; i < {m}; i = i + 1) for (j = 0; j < {m}; j = j + 1) begin\n      \
             x{n} = i; y{n} = j; #1;\n      \
             if (s0_{n} !== r0_{n} || s1_{n} !== r1_{n} || lt_{n} !== ($signed(x{n}) < $signed(y{n}))) begin\n        \
             bad = bad + 1;\n        \
             if (bad < 10) $fdisplay(fd, \"width {n}: x %0d y %0d: sums %0d/%0d lt %0d\", x{n}, y{n}, s0_{n}, s1_{n}, lt_{n});\n      \
             end\n    end\n    $fdisplay(fd, \"width {n} checked %0d pairs\", {m} * {m});",
            m = 1u32 << n,
        )
        .unwrap();
    }
    tb.push_str("    $fdisplay(fd, \"mismatches %0d\", bad);\n    $fclose(fd);\n    $finish;\n  end\nendmodule\n");
    std::fs::write(dir.0.join("tb.v"), tb).unwrap();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let lines = simulate(&dir, &refs, "out.txt");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("mismatches 0"),
        "{}",
        lines.join("\n")
    );
    for &n in &widths {
        let want = format!("width {n} checked {} pairs", 1u32 << (2 * n));
        assert!(
            lines.contains(&want),
            "{want} missing: {}",
            lines.join("\n")
        );
    }
}
