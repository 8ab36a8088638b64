//! The behavioral view: cycle-level Verilog, bit-exact with the hardware twin H for one tile.
//!
//! Per cycle it only stores written codes and counts (QK row pulses, READOUT cycles); the
//! arithmetic of `HeadTwin::step` (score, phi, tile accumulator, output code) runs once per
//! token, at the first rising edge of AV, on the cell table embedded as an `initial` block.

use std::fmt::Write;

use crate::config::{bits_for, index_bits, Params};
use crate::models::twin::CellTable;

use super::ports::{header, module_header, table, Dims, PortStyle, PRELUDE, TRAILER};

/// Every constant of the body, derived once.
struct K {
    d: u32,
    c: u32,
    cw: u32,
    kb: u32,
    step: u64,
    /// QK counter: counts up to (L_q - 1) STEP and holds there.
    qmax: u64,
    qcw: u32,
    /// Column age 0..M-1.
    age_max: u64,
    agew: u32,
    /// READOUT counter: counts up to out_code_max STEP and holds there.
    ro_max: u64,
    row: u32,
    /// Cycles of the AV phase (the phi pulses integrate over all of it).
    av: u64,
    /// Signed width of the AV arithmetic (64 for every preset).
    w: u32,
    rows: usize,
    levels: usize,
    /// Index width of the cell table.
    gw: u32,
    gb: u32,
    phi_frac: u32,
    phi_den: i64,
    out_num: u64,
    out_den: i64,
    out_max: u64,
}

impl K {
    fn new(p: &Params, table: &CellTable) -> Self {
        let n = Dims::new(p);
        let f = &p.fixed;
        let step = p.cycles.pwm_step;
        let qmax = (p.hardware.levels.q - 1) * step;
        let ro_max = u64::from(p.widths.out_code_max) * step;
        let out_num = p.hardware.levels.out - 1;
        // S 2^phi_frac and A (L_out - 1), plus a sign bit of headroom. The rounding adds r + r
        // with r < den < 2^62 (validation bounds both divisors), which fits 64 bits.
        let w = [
            64,
            f.s_bits + f.phi_frac + 1,
            f.a_bits + bits_for(out_num) + 1,
        ]
        .into_iter()
        .max()
        .unwrap_or(64);
        Self {
            d: n.d,
            c: n.c,
            cw: n.cw,
            kb: n.kb,
            step,
            qmax,
            qcw: bits_for(qmax),
            age_max: p.shape.window as u64 - 1,
            agew: index_bits(p.shape.window as u64),
            ro_max,
            row: bits_for(ro_max),
            av: p.cycles.av,
            w,
            rows: table.rows(),
            levels: table.levels(),
            gw: index_bits((table.rows() * table.levels()) as u64),
            gb: f.g_bits,
            phi_frac: f.phi_frac,
            phi_den: f.phi_den,
            out_num,
            out_den: f.out_den,
            out_max: u64::from(p.widths.out_code_max),
        }
    }

    /// A signed literal of the arithmetic width.
    fn s(&self, v: i128) -> String {
        signed_lit(self.w, v)
    }
}

fn signed_lit(w: u32, v: i128) -> String {
    if v < 0 {
        format!("-{w}'sd{}", v.unsigned_abs())
    } else {
        format!("{w}'sd{v}")
    }
}

/// `expr` (unsigned, `from` bits) zero-extended to `to` bits.
fn zext(expr: &str, from: u32, to: u32) -> String {
    if to > from {
        format!("{{{}'d0, {expr}}}", to - from)
    } else {
        expr.to_string()
    }
}

const EXTRA: [&str; 28] = [
    "SIMULATION ONLY: loops, initial blocks and 64-bit arithmetic; not synthesizable.",
    "Bit-exact with the hardware twin H (generator/src/models/twin/head.rs, HeadTwin::step) for",
    "one tile; the fixed-point formats are in docs/hardware-twin.md. Edge by edge:",
    "- age_tick: every column ages by one token (holding at M-1). we: column wcol stores k_code",
    "  and v_code (on every edge with we) and, with age_tick on the same edge, gets age 0.",
    "- ph_qk: per dimension d, the edges with row_pulse[d] are counted; q_d = count_d / STEP.",
    "- the first edge with ph_av after a QK, for every column c with col_en[c] (sampled there):",
    "    S_c    = sum_d q_d G[age_c][k_dc]",
    "    phi_c  = clamp(rhe(S_c 2^phi_frac / PHI_DEN), 0, 2^phi_frac)",
    "    A_d    = sum_c phi_c G[age_c][v_dc]",
    "    code_d = clamp(rhe(A_d (L_out - 1) / OUT_DEN), -OUT_MAX, OUT_MAX)",
    "  (rhe: round half to even; G: the cell table below), and the QK counts are cleared.",
    "  Columns with col_en 0 add nothing; a tile without any yields code 0.",
    "- ph_ro: out_pulse[d] is high from the first READOUT cycle for |code_d| * STEP cycles",
    "  (a READOUT counter, 0 in the first ph_ro cycle, cleared while ph_ro is low);",
    "  out_sign[d] = code_d < 0, held until the next AV.",
    "",
    "Speed (it is simulated with Verilator for whole heads): per cycle only the counters run,",
    "as word operations (the QK counts are kept as bit planes, the READOUT pulses end by a mask",
    "per count); the arithmetic runs once per token in an automatic task, whose indices are",
    "locals of the simulator's code, on integers in the order that keeps it cheap (per column",
    "the q codes are summed by key code before the L_kv multiplies of S, and phi is multiplied",
    "by the L_kv table entries once, before the D additions of A; integer sums are exact, so",
    "the result is H's). The loop bounds are variables so that Verilator keeps the loops rolled.",
    "",
    "Checked: Icarus 11 (`iverilog -g2005 -Wall`) and Verilator 5.006 (`--lint-only -Wall`,",
    "with the waivers next to the code they cover; `--binary --timing` simulation), both",
    "against H. The power and bias pins (with USE_POWER_PINS) have no function here.",
];

pub(crate) fn behavioral(p: &Params) -> String {
    let table = CellTable::new(p);
    let k = K::new(p, &table);
    let style = PortStyle {
        supply: "inout  wire",
        input_waivers: vec![(
            "UNUSEDSIGNAL",
            "the power and bias pins have no function in the digital model",
        )],
        output_waivers: vec![],
    };
    let mut o = header(
        p,
        "gca_subtile: analog sub-tile macro, behavioral view (digital simulation).",
        &EXTRA,
    );
    o.push_str(PRELUDE);
    let _ = writeln!(
        o,
        "`ifndef GCA_SUBTILE_GTAB\n`define GCA_SUBTILE_GTAB \"models/{}\"\n`endif",
        super::GTAB_FILE
    );
    o.push_str(&module_header(p, &style));
    constants(&mut o, &k);
    state(&mut o, &k);
    division(&mut o, &k);
    clocked(&mut o, &k);
    init(&mut o, &k);
    o.push_str(TRAILER);
    o
}

fn lines(o: &mut String, ls: &[&str]) {
    for l in ls {
        o.push_str(l);
        o.push('\n');
    }
}

fn constants(o: &mut String, k: &K) {
    let w = k.w;
    let int = |name: &str, v: u64, doc: &str| {
        [
            format!("localparam integer {name}"),
            format!("= {v};"),
            doc.to_string(),
        ]
    };
    let uns = |name: &str, bits: u32, v: u64, doc: &str| {
        [
            format!("localparam [{}:0] {name}", bits - 1),
            format!("= {bits}'d{v};"),
            doc.to_string(),
        ]
    };
    let sig = |name: &str, v: i128, doc: &str| {
        [
            format!("localparam signed [{}:0] {name}", w - 1),
            format!("= {};", k.s(v)),
            doc.to_string(),
        ]
    };
    let rows = [
        int("D", k.d.into(), "dimensions (word lines)"),
        int("C", k.c.into(), "columns (tokens)"),
        int("KB", k.kb.into(), "bits of a k/v DAC code"),
        int("LEVELS", k.levels as u64, "k/v code levels"),
        int(
            "ROWS",
            k.rows as u64,
            "cell-table rows: 1 without decay, M (one per age) with decay",
        ),
        uns("QMAX", k.qcw, k.qmax, "QK count limit: (L_q - 1) * STEP"),
        uns("AGE_MAX", k.agew, k.age_max, "oldest age: M - 1"),
        int("N_RO", k.ro_max + 1, "READOUT counts: 0 ..= RO_MAX"),
        uns(
            "RO_MAX",
            k.row,
            k.ro_max,
            "READOUT count limit: OUT_MAX * STEP",
        ),
        sig("STEP", k.step.into(), "PWM step, cycles"),
        uns("AV_LEN", 16, k.av, "cycles of the AV phase"),
        sig("PHI_ONE", 1i128 << k.phi_frac, "phi = 1: 2^phi_frac"),
        sig("PHI_DEN", k.phi_den.into(), "rhe((L_q - 1) S_sat 2^g_frac)"),
        sig("OUT_NUM", k.out_num.into(), "L_out - 1"),
        sig(
            "OUT_DEN",
            k.out_den.into(),
            "rhe(2 A_sat 2^(phi_frac + g_frac))",
        ),
        sig("OUT_MAX", k.out_max.into(), "largest |code|"),
    ];
    o.push_str("\n  // Constants of the configuration\n");
    o.push_str(&table(&rows));
}

fn state(o: &mut String, k: &K) {
    let (d, w) = (k.d, k.w);
    let rows = |r: &[(String, &str)]| -> Vec<[String; 3]> {
        r.iter()
            .map(|(decl, doc)| {
                let (a, b) = decl.split_once('|').unwrap_or((decl.as_str(), ""));
                [a.to_string(), format!("{b};"), doc.to_string()]
            })
            .collect()
    };
    o.push_str("\n  // Array state: the codes and the age of every column, the cell table\n");
    o.push_str(&table(&rows(&[
        (
            format!("reg [{}:0]|kmem [0:C*D-1]", k.kb - 1),
            "key code of cell (c, d) at c*D + d",
        ),
        (
            format!("reg [{}:0]|vmem [0:C*D-1]", k.kb - 1),
            "value code of cell (c, d) at c*D + d",
        ),
        (
            format!("reg [{}:0]|age [0:C-1]", k.agew - 1),
            "tokens since column c was written",
        ),
        (
            format!("reg signed [{}:0]|gtab [0:ROWS*LEVELS-1]", k.gb - 1),
            "G[age * LEVELS + code], g_frac fractional bits",
        ),
    ])));
    o.push_str("  // Counters of the QK and READOUT phases, result of the last AV\n");
    let mut counters: Vec<(String, &str)> = (0..k.qcw)
        .map(|b| {
            (
                format!("reg [{}:0]|qk{b}", d - 1),
                "bit plane of the QK counts: bit d of plane b is bit b of row d's count",
            )
        })
        .collect();
    counters.extend([
        ("reg|qk_seen".into(), "a QK ran since the last AV"),
        (
            "reg [15:0]|av_len".into(),
            "cycles of the AV phase so far (checked when it ends)",
        ),
        (
            format!("reg [{}:0]|ro_cnt", k.row - 1),
            "READOUT cycles: 0 in the first one",
        ),
        (
            format!("reg [{}:0]|lim [0:D-1]", k.row - 1),
            "output pulse length |code_d| * STEP",
        ),
        (
            format!("reg [{}:0]|ends [0:RO_MAX]", d - 1),
            "rows whose pulse length is the index",
        ),
        (
            format!("reg [{}:0]|nz, run, run_n", d - 1),
            "lim[d] != 0; out_pulse[d] while ph_ro (register, next value: lim[d] > ro_cnt)",
        ),
        (
            format!("reg [{}:0]|sign_r, sign_n", d - 1),
            "code_d < 0 (register, next value)",
        ),
    ]);
    o.push_str(&table(&rows(&counters)));
    o.push_str("  // Scratch of the AV arithmetic (written before it is read on every use)\n");
    o.push_str(&table(&rows(&[
        (
            format!("reg signed [{}:0]|qv [0:D-1]", w - 1),
            "q code of row d",
        ),
        (
            format!("reg signed [{}:0]|acc [0:D-1]", w - 1),
            "tile accumulator A_d",
        ),
        (
            format!("reg signed [{}:0]|hq [0:LEVELS-1]", w - 1),
            "sum of q_d over the rows whose key code is the index",
        ),
        (
            format!("reg signed [{}:0]|pg [0:LEVELS-1]", w - 1),
            "phi * G[age][code] of one column",
        ),
        (
            "integer|ci, di, cb, ii".into(),
            "loop indices of the write port; cb: first cell of a column",
        ),
        (
            "integer|n_d, n_c, n_l".into(),
            "D, C, LEVELS as loop bounds that Verilator does not unroll",
        ),
    ])));
}

fn division(o: &mut String, k: &K) {
    let w = k.w - 1;
    let one = k.s(1);
    o.push('\n');
    lines(
        o,
        &[
            "  // n / den rounded to the nearest integer, ties to even (den > 0), as",
            "  // twin::fixed::div_round_even. Verilog `/` truncates toward zero: floor first.",
            &format!("  function signed [{w}:0] div_rhe;"),
            &format!("    input signed [{w}:0] n;"),
            &format!("    input signed [{w}:0] den;"),
            &format!("    reg signed [{w}:0] q, r;"),
            "    begin",
            "      q = n / den;",
            "      r = n - q * den;",
            &format!("      if (r[{w}]) begin"),
            &format!("        q = q - {one};"),
            "        r = r + den;",
            "      end",
            "      if (r + r > den || (r + r == den && q[0]))",
            &format!("        q = q + {one};"),
            "      div_rhe = q;",
            "    end",
            "  endfunction",
        ],
    );
}

fn clocked(o: &mut String, k: &K) {
    let (w, gw, row, d, qcw) = (k.w - 1, k.gw, k.row, k.d, k.qcw);
    let zero = k.s(0);
    // wcol can name a column beyond C when C is not a power of two: such writes are ignored.
    let guard = if (1u64 << k.cw) != u64::from(k.c) {
        format!(" && wcol < {}'d{}", k.cw, k.c)
    } else {
        String::new()
    };
    let q_of_count = if k.step == 1 {
        format!("$signed({})", zext("cnt", qcw, k.w))
    } else {
        format!("$signed({}) / STEP", zext("cnt", qcw, k.w))
    };
    let row_base = if k.rows == 1 {
        format!("{gw}'d0; // no decay: one row for every age")
    } else {
        format!("{} * {gw}'d{};", zext("age[col]", k.agew, gw), k.levels)
    };
    let lw = index_bits(k.levels as u64);
    let entry = format!("gtab[gr + {}]", zext(&format!("lvl[{}:0]", lw - 1), lw, gw));
    let planes_msb_first: Vec<String> = (0..qcw).rev().map(|b| format!("qk{b}")).collect();
    let cnt_of_row = format!(
        "      cnt = {{{}}};",
        planes_msb_first
            .iter()
            .map(|p| format!("{p}[dim]"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let sat = (0..qcw)
        .map(|b| format!("(QMAX[{b}] ? qk{b} : ~qk{b})"))
        .collect::<Vec<_>>()
        .join(" & ");
    o.push('\n');
    let mut ls: Vec<String> = [
        "  // The arithmetic of one token, at the first AV edge after a QK. Automatic tasks: their",
        "  // indices and scalars are locals of the simulator's code, not state.",
        "  // lint: BLKSEQ: blocking assignments to state and scratch that no other process reads",
        "  /* verilator lint_off BLKSEQ */",
        "  task automatic av_step;",
        "    integer col, dim, lvl, base, nd, nc, nl;",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    ls.extend([
        format!("    reg [{}:0] gr;", gw - 1),
        format!("    reg [{}:0] cnt;", qcw - 1),
        format!("    reg signed [{w}:0] score, phi, code, mag;"),
    ]);
    ls.extend(
        [
            "    begin",
            "      nd = n_d;",
            "      nc = n_c;",
            "      nl = n_l;",
            "      for (dim = 0; dim < nd; dim = dim + 1) begin",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    ls.extend([
        format!("  {cnt_of_row}"),
        format!("        qv[dim] = {q_of_count};"),
        format!("        acc[dim] = {zero};"),
        "      end".into(),
    ]);
    for b in 0..qcw {
        ls.push(format!("      qk{b} = {d}'d0;"));
    }
    ls.extend([
        "      for (col = 0; col < nc; col = col + 1)".into(),
        "        if (col_en[col]) begin".into(),
        format!("          gr = {row_base}"),
        "          base = col * nd;".into(),
        "          // S = sum_d q_d G[k_d] = sum_code G[code] (sum of q_d over rows with k_d = code)".into(),
        format!("          for (lvl = 0; lvl < nl; lvl = lvl + 1) hq[lvl] = {zero};"),
        "          for (dim = 0; dim < nd; dim = dim + 1)".into(),
        "            hq[kmem[base + dim]] = hq[kmem[base + dim]] + qv[dim];".into(),
        format!("          score = {zero};"),
        "          for (lvl = 0; lvl < nl; lvl = lvl + 1)".into(),
        format!("            score = score + hq[lvl] * {entry};"),
        "          phi = div_rhe(score * PHI_ONE, PHI_DEN);".into(),
        format!("          if (phi[{w}]) phi = {zero};"),
        "          else if (phi > PHI_ONE) phi = PHI_ONE;".into(),
        "          // A_d += phi G[v_d], with the L_kv products phi G[code] formed once".into(),
        format!("          if (phi != {zero}) begin"),
        "            for (lvl = 0; lvl < nl; lvl = lvl + 1)".into(),
        format!("              pg[lvl] = phi * {entry};"),
        "            for (dim = 0; dim < nd; dim = dim + 1)".into(),
        "              acc[dim] = acc[dim] + pg[vmem[base + dim]];".into(),
        "          end".into(),
        "        end".into(),
        "      // Output codes: round, saturate; keep the pulse length, where it ends and the sign".into(),
        format!("      for (lvl = 0; lvl < N_RO; lvl = lvl + 1) ends[lvl] = {d}'d0;"),
        "      for (dim = 0; dim < nd; dim = dim + 1) begin".into(),
        "        code = div_rhe(acc[dim] * OUT_NUM, OUT_DEN);".into(),
        "        if (code > OUT_MAX) code = OUT_MAX;".into(),
        "        else if (code < -OUT_MAX) code = -OUT_MAX;".into(),
        format!("        mag = code[{w}] ? -code : code;"),
        "        mag = mag * STEP;".into(),
        format!("        lim[dim] = mag[{}:0];", row - 1),
        "        ends[lim[dim]][dim] = 1'b1;".into(),
        "        run_n[dim] = lim[dim] > ro_cnt;".into(),
        format!("        nz[dim] = mag != {zero};"),
        format!("        sign_n[dim] = code[{w}];"),
        "      end".into(),
        "    end".into(),
        "  endtask".into(),
        "".into(),
        "  // One QK cycle: every row with a pulse whose count is below QMAX (the rows whose planes".into(),
        "  // spell QMAX are full) counts one more, as a".into(),
        "  // ripple increment over the bit planes (a few word operations instead of one per row).".into(),
        "  task automatic qk_step;".into(),
        format!("    reg [{}:0] inc, carry;", d - 1),
        "    begin".into(),
        format!("      inc = row_pulse & ~({sat});"),
    ]);
    for b in 0..qcw {
        ls.push(format!("      carry = qk{b} & inc;"));
        ls.push(format!("      qk{b} = qk{b} ^ inc;"));
        if b + 1 < qcw {
            ls.push("      inc = carry;".into());
        }
    }
    ls.extend(
        [
            "    end",
            "  endtask",
            "",
            "  // One process owns the whole state: it runs the AV arithmetic first, then the QK",
            "  // counters, the write port and the READOUT counter, so that each reads the state of",
            "  // before this edge, as nonblocking assignments would. Only the registers behind the",
            "  // outputs (run, sign_r) are written with <=.",
            "  always @(posedge clk) begin",
            "    if (ph_av && qk_seen) begin",
            "      qk_seen = 1'b0;",
            "      av_step;",
            "      sign_r <= sign_n;",
            "    end",
            "    // The AV phase must last AV_LEN cycles: the phi pulses integrate over all of it. A",
            "    // phase of another length (cut or stretched by the controller) leaves no output",
            "    // charge, and says so.",
            "    if (ph_av)",
            "      av_len = av_len + 16'd1;",
            "    else if (av_len != 16'd0) begin",
            "      if (av_len != AV_LEN) begin",
            "        $fdisplay(32'h8000_0002, \"GCA-MACRO: an AV phase of %0d cycles, expected %0d\", av_len, AV_LEN);",
            "        nz = 0;",
            "        run_n = 0;",
            "      end",
            "      av_len = 16'd0;",
            "    end",
            "    // The K and V cells are read over the whole QK and AV phases: a write then (the",
            "    // controller lets none through) leaves no defined output charge, and says so.",
            "    if (we && (ph_qk || ph_av)) begin",
            "      $fdisplay(32'h8000_0002, \"GCA-MACRO: a write of column %0d during %0s\", wcol, ph_qk ? \"QK\" : \"AV\");",
            "      nz = 0;",
            "      run_n = 0;",
            "    end",
            "    // QK: PWM integration, cycle by cycle",
            "    if (ph_qk) begin",
            "      qk_seen = 1'b1;",
            "      qk_step;",
            "    end",
            "    // Write port: ageing and the DAC write",
            "    if (age_tick)",
            "      for (ci = 0; ci < n_c; ci = ci + 1)",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    ls.extend([
        format!(
            "        if (age[ci] != AGE_MAX) age[ci] = age[ci] + {}'d1;",
            k.agew
        ),
        format!("    if (we{guard}) begin"),
        "      cb = wcol * n_d;".into(),
        "      for (di = 0; di < n_d; di = di + 1) begin".into(),
        "        kmem[cb + di] = k_code[KB*di +: KB];".into(),
        "        vmem[cb + di] = v_code[KB*di +: KB];".into(),
        "      end".into(),
        format!("      if (age_tick) age[wcol] = {}'d0;", k.agew),
        "    end".into(),
        "    // READOUT counter, and the pulses of the next cycle: lim[d] > ro_cnt, i.e. the rows"
            .into(),
        "    // of the last cycle but those whose pulse ends at the new count".into(),
        "    if (!ph_ro) begin".into(),
        format!("      ro_cnt = {row}'d0;"),
        "      run_n = nz;".into(),
        "    end else begin".into(),
        format!("      if (ro_cnt != RO_MAX) ro_cnt = ro_cnt + {row}'d1;"),
        "      run_n = run_n & ~ends[ro_cnt];".into(),
        "    end".into(),
        "    run <= run_n;".into(),
        "  end".into(),
        "  /* verilator lint_on BLKSEQ */".into(),
        "".into(),
        "  // Output charge-to-pulse: high from the first READOUT cycle for |code_d| * STEP cycles"
            .into(),
        format!("  assign out_pulse = run & {{{}{{ph_ro}}}};", k.d),
        "  assign out_sign = sign_r;".into(),
    ]);
    let refs: Vec<&str> = ls.iter().map(String::as_str).collect();
    lines(o, &refs);
}

fn init(o: &mut String, k: &K) {
    let kb = k.kb;
    let qk_planes_init = (0..k.qcw)
        .map(|b| format!("    qk{b} = {}'d0;", k.d))
        .collect::<Vec<_>>()
        .join("\n");
    o.push('\n');
    lines(
        o,
        &[
            "  // Power-up state (simulation only) and the cell table G (CellTable), read from the",
            "  // file models/gca_subtile_gtab.hex of the generated folder: one table for every",
            "  // instance's source, so that simulators do not compile it once per instance.",
            "  initial begin",
            "    qk_seen = 1'b0;",
            "    av_len = 16'd0;",
            "    n_d = D;",
            "    n_c = C;",
            "    n_l = LEVELS;",
            &format!("    ro_cnt = {}'d0;", k.row),
            &format!("    nz = {}'d0;", k.d),
            &format!("    run = {}'d0;", k.d),
            &format!("    run_n = {}'d0;", k.d),
            &format!("    sign_r = {}'d0;", k.d),
            &qk_planes_init,
            &format!(
                "    for (ii = 0; ii < D; ii = ii + 1) lim[ii] = {}'d0;",
                k.row
            ),
            &format!(
                "    for (ii = 0; ii < N_RO; ii = ii + 1) ends[ii] = {}'d0;",
                k.d
            ),
            "    for (ii = 0; ii < C; ii = ii + 1) age[ii] = AGE_MAX;",
            "    for (ii = 0; ii < C*D; ii = ii + 1) begin",
            &format!("      kmem[ii] = {kb}'d0;"),
            &format!("      vmem[ii] = {kb}'d0;"),
            "    end",
        ],
    );
    let _ = writeln!(
        o,
        "    $readmemh(`GCA_SUBTILE_GTAB, gtab);\n    if (gtab[0] === {gb}'bx || gtab[ROWS*LEVELS-1] === {gb}'bx) begin\n      $display(\"gca_subtile: cannot read the cell table %s (run from the generated folder, or define GCA_SUBTILE_GTAB)\", `GCA_SUBTILE_GTAB);\n      $finish;\n    end",
        gb = k.gb
    );
    o.push_str("  end\n");
}

/// The cell table for `$readmemh`: G[age * LEVELS + code] one per line, two's complement in
/// g_bits bits, as hexadecimal; comment lines name the configuration.
pub(crate) fn gtab_hex(p: &Params) -> String {
    let table = CellTable::new(p);
    let gb = p.fixed.g_bits;
    let digits = gb.div_ceil(4) as usize;
    let mask = (1u64 << gb) - 1;
    let mut o = String::new();
    for line in crate::rtl::header_comment(
        p,
        "Cell table G(age, code) of gca_subtile (behavioral view): entry age * LEVELS + code.",
    ) {
        let _ = writeln!(o, "// {line}");
    }
    for r in 0..table.rows() {
        let _ = writeln!(o, "// age {r}");
        for &g in table.row(r) {
            let _ = writeln!(o, "{:0digits$x}", (g as u64) & mask);
        }
    }
    o
}
