//! The CSR register map: one description ([`RegMap`]), derived from the resolved parameters,
//! from which the `gca_csr` RTL (`crate::rtl::csr`) and the files of `regmap/` ([`markdown`],
//! [`c_header`], [`json`], [`systemrdl`] and the C [`driver`]) are generated, so that they
//! cannot disagree (docs/regmap.md).
//!
//! # Bus
//! AXI4-Lite, 32-bit data, byte addresses of [`RegMap::addr_bits`] bits (at least 12). Every
//! register is 32 bits wide at a word-aligned offset. Unmapped or misaligned addresses, and
//! writes to read-only registers, answer SLVERR and change nothing; everything else answers
//! OKAY. Writes honour WSTRB per byte.
//!
//! # Fixed registers (offsets 0x000 to 0x03C)
//! - `ID` (0x47434131, "GCA1"), `VERSION` (generator major << 16 | minor << 8 | patch),
//!   `CONFIG_HASH` (first 32 bits of [`crate::rtl::config_hash`]);
//! - configuration readback `SHAPE0`, `SHAPE1`, `LEVELS`, `STREAM`, `TIMING` and `TIMING1`;
//!   every field is wide enough for the largest value validation allows (ARCHITECTURE.md: up to
//!   256 layers and heads, D 1024, window 65536, tile 4096, 256 q/kv and 1024 output levels, a
//!   decode latency of about 5.2e7 cycles, a PWM step of 1e5 cycles), which is why the layout is
//!   wider than a byte per field and the PWM step has a register of its own (`TIMING1`, 0x03C);
//! - `CONTROL` (ENABLE, reset 1; SOFT_RESET and CLEAR_WINDOWS: write 1 for a one-cycle pulse);
//! - `STATUS` (sticky error flags, write 1 to clear, a set in the same cycle wins; BUSY);
//! - counters `TOKENS`, `ERRORS`, `RESULTS` (32-bit, wrapping) and the 64-bit cycle counter
//!   `CYCLES_LO` / `CYCLES_HI`: reading `CYCLES_LO` latches the high word, which `CYCLES_HI`
//!   returns until the next read of `CYCLES_LO` (read LO then HI for a consistent value).
//!
//! # Scalers (from 0x100)
//! Head n = layer * n_head + head has eight registers at `0x100 + 0x20 * n + offset`:
//! Q_GAIN (+0x00), Q_OFFSET, K_GAIN, K_OFFSET, V_GAIN, V_OFFSET, O_GAIN (+0x18), each a signed
//! `scaler_bits` value with `scaler_frac` fractional bits in code units (docs/hardware-twin.md),
//! and O_OFFSET (+0x1C), a signed `out_bits` value in output LSBs. Reads sign-extend to 32
//! bits; writes keep the low bits. Reset values are the default scalers of `gca golden`
//! ([`crate::models::compare::default_scalers`]) in register units (the nominal
//! [`Quantizer::new`] / [`OutScaler::new`] conversion).
//!
//! The `scalers` output port of `gca_csr` is [`scaler_bits_per_head`] bits per head: head n's
//! fields start at bit `n * (7 * SB + OB)` and follow from bit 0 upward in register order:
//! q_gain, q_offset, k_gain, k_offset, v_gain, v_offset, o_gain (SB bits each), o_offset (OB
//! bits); see [`ScalerBlock::port_lsb`].

mod driver;
mod emit;
mod rdl;

use serde::Serialize;

use crate::config::{bits_for, CellModel, Params};
use crate::models::compare::default_scalers;
use crate::models::twin::fixed::{saturate, to_fixed};
use crate::models::twin::{OutScaler, Quantizer};
use crate::rtl::common::{config_hash, GENERATOR_VERSION};

pub use driver::driver;
pub use emit::{c_header, files, json, markdown};
pub use rdl::systemrdl;

/// The ID register's value: ASCII "GCA1".
pub const ID_VALUE: u32 = 0x4743_4131;

/// Byte offset of the first head's scaler registers.
pub const SCALER_BASE: u32 = 0x100;

/// Bytes between two heads' scaler registers.
pub const SCALER_STRIDE: u32 = 0x20;

/// Bits of the `scalers` port per head: seven `scaler_bits` registers and the `out_bits`
/// output offset (`7 * SB + OB`).
pub fn scaler_bits_per_head(p: &Params) -> u32 {
    7 * p.fixed.scaler_bits + p.fixed.out_bits
}

/// How software may access a register or a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Access {
    /// Read-only: writes to a register of this kind answer SLVERR.
    #[serde(rename = "RO")]
    Ro,
    /// Read and write.
    #[serde(rename = "RW")]
    Rw,
    /// Write 1 to clear (sticky flags); writing 0 leaves the bit.
    #[serde(rename = "W1C")]
    W1c,
    /// Write 1 for a one-cycle pulse; reads 0 (fields only).
    #[serde(rename = "W1P")]
    W1p,
}

impl Access {
    /// `RO`, `RW`, `W1C` or `W1P`.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Ro => "RO",
            Access::Rw => "RW",
            Access::W1c => "W1C",
            Access::W1p => "W1P",
        }
    }
}

/// A field of a register: bits `[lsb + width - 1 : lsb]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
    pub lsb: u32,
    pub width: u32,
    pub access: Access,
    /// Two's complement (scalers); the register reads it sign-extended to 32 bits.
    pub signed: bool,
    /// The field's bits after reset (`width` bits, unsigned).
    pub reset: u32,
    pub description: String,
}

impl Field {
    /// The field's bits in place: `((1 << width) - 1) << lsb`.
    pub fn mask(&self) -> u32 {
        (((1u64 << self.width) - 1) << self.lsb) as u32
    }

    /// `31:0`, `16` style bit range.
    pub fn bits(&self) -> String {
        if self.width == 1 {
            self.lsb.to_string()
        } else {
            format!("{}:{}", self.lsb + self.width - 1, self.lsb)
        }
    }
}

/// One 32-bit register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Register {
    pub name: String,
    /// Byte offset; for the registers of [`ScalerBlock`], relative to the head's base.
    pub offset: u32,
    /// `Ro`, `Rw` or `W1c`: any register that is not `Ro` accepts writes.
    pub access: Access,
    /// The 32-bit value read after reset.
    pub reset: u32,
    /// The register always reads its reset value (identification and configuration readback).
    pub constant: bool,
    pub description: String,
    /// Fields by ascending `lsb`; bits outside every field read 0 (or the sign of a signed
    /// field) and ignore writes.
    pub fields: Vec<Field>,
}

impl Register {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Whether writes are accepted (OKAY) rather than refused (SLVERR).
    pub fn writable(&self) -> bool {
        self.access != Access::Ro
    }
}

/// The per-head scaler registers: the same eight registers, with the same reset values, for
/// every layer and head.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScalerBlock {
    /// Byte offset of head 0 ([`SCALER_BASE`]).
    pub base: u32,
    /// Bytes per head ([`SCALER_STRIDE`]).
    pub stride: u32,
    pub n_layer: u32,
    pub n_head: u32,
    pub scaler_bits: u32,
    pub scaler_frac: u32,
    pub out_bits: u32,
    /// Bits of one head in the `scalers` port ([`scaler_bits_per_head`]).
    pub bits_per_head: u32,
    /// The eight registers of one head; `offset` is relative to the head's base.
    pub registers: Vec<Register>,
}

impl ScalerBlock {
    /// Heads of the design, n_layer * n_head.
    pub fn heads(&self) -> u32 {
        self.n_layer * self.n_head
    }

    /// Byte offset of the scaler registers of (layer, head): `base + stride * (layer * n_head
    /// + head)`.
    pub fn head_base(&self, layer: u32, head: u32) -> u32 {
        self.base + self.stride * (layer * self.n_head + head)
    }

    /// The first byte after the block.
    pub fn end(&self) -> u32 {
        self.base + self.stride * self.heads()
    }

    /// Bit of the `scalers` port where head n's register `index` (order of `registers`)
    /// starts: `n * bits_per_head` plus the widths of the registers before it.
    pub fn port_lsb(&self, n: u32, index: usize) -> u32 {
        let within: u32 = self.registers[..index]
            .iter()
            .map(|r| r.fields[0].width)
            .sum();
        n * self.bits_per_head + within
    }
}

/// The whole register map of one configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegMap {
    /// The configuration's name.
    pub config: String,
    /// SHA-256 of the resolved configuration ([`crate::rtl::config_hash`]).
    pub config_hash: String,
    pub generator_version: String,
    /// Data bits of the bus (32).
    pub data_bits: u32,
    /// Byte-address bits of the bus ([`RegMap::addr_bits`]).
    pub addr_bits: u32,
    /// The fixed registers (0x000 to 0x03C), by offset.
    pub registers: Vec<Register>,
    pub scalers: ScalerBlock,
}

/// A register with one field covering `width` bits from bit 0.
fn whole(name: &str, offset: u32, field_name: &str, value: u64, desc: &str) -> Register {
    let f = field(field_name, 0, 32, Access::Ro, value, desc);
    reg(name, offset, Access::Ro, false, desc, vec![f])
}

fn field(name: &str, lsb: u32, width: u32, access: Access, reset: u64, desc: &str) -> Field {
    assert!(
        width >= 1 && lsb + width <= 32,
        "field {name} [{lsb} +: {width}] leaves the 32-bit register"
    );
    assert!(
        width == 64 || reset >> width == 0,
        "{name} = {reset} does not fit its {width}-bit field"
    );
    Field {
        name: name.to_string(),
        lsb,
        width,
        access,
        signed: false,
        reset: reset as u32,
        description: desc.to_string(),
    }
}

fn reg(
    name: &str,
    offset: u32,
    access: Access,
    constant: bool,
    desc: &str,
    fields: Vec<Field>,
) -> Register {
    let reset = fields.iter().fold(0u32, |acc, f| {
        let v = if f.signed && f.width < 32 && (f.reset >> (f.width - 1)) & 1 == 1 {
            f.reset | !(((1u64 << f.width) - 1) as u32)
        } else {
            f.reset << f.lsb
        };
        acc | v
    });
    Register {
        name: name.to_string(),
        offset,
        access,
        reset,
        constant,
        description: desc.to_string(),
        fields,
    }
}

/// A constant read-only register (identification, configuration readback).
fn constant(name: &str, offset: u32, desc: &str, fields: Vec<Field>) -> Register {
    reg(name, offset, Access::Ro, true, desc, fields)
}

fn ro(name: &str, lsb: u32, width: u32, value: u64, desc: &str) -> Field {
    field(name, lsb, width, Access::Ro, value, desc)
}

/// The generator version as major << 16 | minor << 8 | patch (each part saturated to 8 bits;
/// a pre-release suffix is ignored).
pub fn version_value(version: &str) -> u32 {
    let mut parts = version.split(['.', '-', '+']).map(|s| {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<u32>().unwrap_or(0).min(255)
    });
    let mut next = || parts.next().unwrap_or(0);
    let (major, minor, patch) = (next(), next(), next());
    major << 16 | minor << 8 | patch
}

/// The register value of a user scaler `x` converted by `per_unit`, saturated to a signed
/// `bits`-bit register with `frac` fractional bits: the fallback when a default scaler is out
/// of range of a narrow register (the nominal conversion of `models::twin` refuses it).
fn saturated(x: f64, per_unit: f64, frac: u32, bits: u32) -> i64 {
    saturate(to_fixed(x * per_unit, frac), bits)
}

/// Reset values of one head's eight scaler registers, in register order.
pub(crate) fn default_scaler_registers(p: &Params) -> [i64; 8] {
    saturated_scaler_registers(p, default_scalers())
}

/// The register values of scalers `s`, each saturated to its register when it does not fit
/// (in the order of `ScalerRegisters::values`).
pub(crate) fn saturated_scaler_registers(
    p: &Params,
    s: crate::models::reference::Scalers,
) -> [i64; 8] {
    let lv = p.hardware.levels;
    let v_max = p.hardware.analog.v_max;
    let (sb, frac, ob) = (p.fixed.scaler_bits, p.fixed.scaler_frac, p.fixed.out_bits);
    let quant = |which: &'static str, (a, b): (f64, f64), levels: u64, hi: f64| {
        Quantizer::new(p, which, (a, b), levels, hi)
            .map(|z| (z.gain, z.offset))
            .unwrap_or_else(|_| {
                let k = (levels - 1) as f64 / hi;
                (saturated(a, k, frac, sb), saturated(b, k, frac, sb))
            })
    };
    let (qg, qo) = quant("q", s.q, lv.q, 1.0);
    let (kg, ko) = quant("k", s.k, lv.kv, v_max);
    let (vg, vo) = quant("v", s.v, lv.kv, v_max);
    let (og, oo) = OutScaler::new(p, s.out)
        .map(|o| (o.gain, o.offset))
        .unwrap_or_else(|_| {
            let lsb = (1u64 << p.fixed.out_frac) as f64;
            let per_code = 2.0 / (lv.out - 1) as f64 * lsb;
            let (a, b) = s.out;
            (
                saturated(a, per_code, frac, sb),
                saturated(b, 1.0, p.fixed.out_frac, ob),
            )
        });
    [qg, qo, kg, ko, vg, vo, og, oo]
}

fn scaler_block(p: &Params) -> ScalerBlock {
    let (sb, frac, ob) = (p.fixed.scaler_bits, p.fixed.scaler_frac, p.fixed.out_bits);
    let resets = default_scaler_registers(p);
    let q = format!("q quantizer ({} levels over [0, 1])", p.hardware.levels.q);
    let kv = format!(
        "{{}} quantizer ({} levels over [0, V_max = {} V])",
        p.hardware.levels.kv, p.hardware.analog.v_max
    );
    let (k, v) = (kv.replace("{}", "k"), kv.replace("{}", "v"));
    let gain = |what: &str| format!("Gain of the {what}, code units per input unit");
    let offset = |what: &str| format!("Offset of the {what}, code units");
    let specs: [(&str, u32, String); 8] = [
        ("Q_GAIN", sb, gain(&q)),
        ("Q_OFFSET", sb, offset(&q)),
        ("K_GAIN", sb, gain(&k)),
        ("K_OFFSET", sb, offset(&k)),
        ("V_GAIN", sb, gain(&v)),
        ("V_OFFSET", sb, offset(&v)),
        (
            "O_GAIN",
            sb,
            format!(
                "Output gain in output LSBs per tile-sum code: y = round_even(sum * O_GAIN / 2^{frac}) + O_OFFSET, saturated to {ob} bits"
            ),
        ),
        (
            "O_OFFSET",
            ob,
            format!(
                "Output offset in output LSBs ({} fractional bits)",
                p.fixed.out_frac
            ),
        ),
    ];
    let registers = specs
        .iter()
        .zip(resets)
        .enumerate()
        .map(|(i, ((name, width, desc), value))| {
            let fmt = if i < 7 {
                format!("signed, {sb} bits, {frac} fractional")
            } else {
                format!("signed, {ob} bits, output LSBs")
            };
            let mut f = field(
                "VALUE",
                0,
                *width,
                Access::Rw,
                (value as u64) & ((1u64 << width) - 1),
                &format!("{desc} ({fmt}); reads sign-extended, writes keep the low {width} bits"),
            );
            f.signed = true;
            reg(name, 4 * i as u32, Access::Rw, false, desc, vec![f])
        })
        .collect();
    ScalerBlock {
        base: SCALER_BASE,
        stride: SCALER_STRIDE,
        n_layer: p.shape.n_layer as u32,
        n_head: p.shape.n_head as u32,
        scaler_bits: sb,
        scaler_frac: frac,
        out_bits: ob,
        bits_per_head: scaler_bits_per_head(p),
        registers,
    }
}

fn fixed_registers(p: &Params, hash: &str) -> Vec<Register> {
    let (s, hw, c) = (&p.shape, &p.hardware, &p.cycles);
    let flag = |b: bool| u64::from(b);
    let hash32 = u64::from_str_radix(&hash[..8], 16).expect("hex hash");
    let version = version_value(GENERATOR_VERSION) as u64;
    let fixed = |name, offset, field, value, desc| Register {
        constant: true,
        ..whole(name, offset, field, value, desc)
    };
    let counter = |name, offset, desc| whole(name, offset, "COUNT", 0, desc);
    let id = fixed(
        "ID",
        0x000,
        "VALUE",
        ID_VALUE as u64,
        "Identification: ASCII \"GCA1\"",
    );
    let hash_reg = fixed(
        "CONFIG_HASH",
        0x008,
        "HASH",
        hash32,
        "First 32 bits (first 8 hex digits) of the SHA-256 of the resolved configuration",
    );
    let timing = fixed(
        "TIMING",
        0x01C,
        "DECODE_LATENCY",
        c.decode_latency,
        "Decode latency in clock cycles: last input beat accepted to first result beat valid, idle layer",
    );
    let timing1 = fixed(
        "TIMING1",
        0x03C,
        "PWM_STEP",
        c.pwm_step,
        "PWM step in clock cycles (T_max / (levels.q - 1))",
    );
    let w1c = |name, lsb, desc| field(name, lsb, 1, Access::W1c, 0, desc);
    let sticky = "sticky; write 1 to clear (a new error in the clearing cycle keeps it set)";
    vec![
        id,
        constant(
            "VERSION",
            0x004,
            "Generator version major.minor.patch",
            vec![
                ro("PATCH", 0, 8, version & 0xff, "Patch version"),
                ro("MINOR", 8, 8, (version >> 8) & 0xff, "Minor version"),
                ro("MAJOR", 16, 8, version >> 16, "Major version"),
            ],
        ),
        hash_reg,
        constant(
            "SHAPE0",
            0x00C,
            "Configuration readback: layers, heads, head dimension",
            vec![
                ro("N_LAYER", 0, 10, s.n_layer as u64, "Layers L (1..256)"),
                ro("N_HEAD", 10, 10, s.n_head as u64, "Heads per layer H (1..256)"),
                ro("D_HEAD", 20, 12, s.d_head as u64, "Head dimension D (1..1024)"),
            ],
        ),
        constant(
            "SHAPE1",
            0x010,
            "Configuration readback: window and tile",
            vec![
                ro("WINDOW", 0, 17, s.window as u64, "Window M in tokens (1..65536)"),
                ro("TILE", 17, 15, s.tile as u64, "Tile C in tokens (1..4096)"),
            ],
        ),
        constant(
            "LEVELS",
            0x014,
            "Configuration readback: quantization levels and feature flags",
            vec![
                ro("Q", 0, 9, hw.levels.q, "Query levels (2..256)"),
                ro("KV", 9, 9, hw.levels.kv, "Key/value levels (2..256)"),
                ro("OUT", 18, 11, hw.levels.out, "Output code levels (2..1024)"),
                ro(
                    "PREFILL_OVERLAP",
                    29,
                    1,
                    flag(hw.prefill_overlap),
                    "1: the write of token t+1 overlaps the read phases of token t",
                ),
                ro(
                    "POLYNOMIAL",
                    30,
                    1,
                    flag(hw.cell.model == CellModel::Polynomial),
                    "1: polynomial gain cell, 0: linear cell",
                ),
                ro(
                    "DECAY",
                    31,
                    1,
                    flag(hw.decay_per_token > 0.0),
                    "1: stored values decay with age (decay_per_token > 0)",
                ),
            ],
        ),
        constant(
            "STREAM",
            0x018,
            "Configuration readback: stream widths",
            vec![
                ro(
                    "TDATA_BITS",
                    0,
                    16,
                    p.stream.tdata_bits as u64,
                    "AXI4-Stream TDATA bits of both streams",
                ),
                ro(
                    "IN_BITS",
                    16,
                    8,
                    p.fixed.in_bits as u64,
                    "Bits of a signed q, k, v input value",
                ),
                ro(
                    "OUT_BITS",
                    24,
                    8,
                    p.fixed.out_bits as u64,
                    "Bits of a signed output value",
                ),
            ],
        ),
        timing,
        reg(
            "CONTROL",
            0x020,
            Access::Rw,
            false,
            "Control: stream enable and one-cycle commands",
            vec![
                field(
                    "ENABLE",
                    0,
                    1,
                    Access::Rw,
                    1,
                    "1: the input stream is accepted (reset 1: runs without programming); 0 holds s_axis_tready low",
                ),
                field(
                    "SOFT_RESET",
                    1,
                    1,
                    Access::W1p,
                    0,
                    "Write 1: soft reset of the datapath: input held until no layer is in QK, then windows, positions and unfinished tokens cleared in one cycle; a packet being sent, results in the result registers and error packets are still sent; an open input packet is dropped up to its TLAST; the CSRs keep their values; reads 0",
                ),
                field(
                    "CLEAR_WINDOWS",
                    2,
                    1,
                    Access::W1p,
                    0,
                    "Write 1: every layer's window empties once the tokens it committed before are written and read (its data beats wait meanwhile); reads 0",
                ),
            ],
        ),
        reg(
            "STATUS",
            0x024,
            Access::W1c,
            false,
            "Status: sticky error flags (irq is high while any is set) and busy",
            vec![
                w1c(
                    "BAD_LENGTH",
                    0,
                    &format!("A packet was dropped for its length (TLAST misplaced); {sticky}"),
                ),
                w1c(
                    "BAD_OPCODE",
                    1,
                    &format!("A packet was dropped for an unknown opcode; {sticky}"),
                ),
                w1c(
                    "BAD_LAYER",
                    2,
                    &format!("A packet was dropped for a layer >= L; {sticky}"),
                ),
                w1c(
                    "BAD_POSITION",
                    3,
                    &format!("A TOKEN was dropped for an unexpected position; {sticky}"),
                ),
                field(
                    "BUSY",
                    16,
                    1,
                    Access::Ro,
                    0,
                    "The datapath's busy input: 1 while a packet or token is in flight",
                ),
            ],
        ),
        counter(
            "TOKENS",
            0x028,
            "TOKEN packets committed since reset (wraps)",
        ),
        counter("ERRORS", 0x02C, "Packets dropped since reset (wraps)"),
        counter(
            "RESULTS",
            0x030,
            "Result packets sent since reset (wraps)",
        ),
        counter(
            "CYCLES_LO",
            0x034,
            "Cycles since reset, low word; reading it latches the high word into CYCLES_HI",
        ),
        counter(
            "CYCLES_HI",
            0x038,
            "Cycles since reset, high word as latched by the last read of CYCLES_LO (read LO, then HI)",
        ),
        timing1,
    ]
}

impl RegMap {
    /// The register map of a configuration.
    ///
    /// # Panics
    /// When a readback value does not fit its field: the layout covers every configuration
    /// validation accepts, so this is a generator bug.
    pub fn new(p: &Params) -> RegMap {
        let hash = config_hash(p);
        let registers = fixed_registers(p, &hash);
        let scalers = scaler_block(p);
        let last = scalers
            .end()
            .max(registers.iter().map(|r| r.offset + 4).max().unwrap_or(4))
            - 1;
        RegMap {
            config: p.name.clone(),
            config_hash: hash,
            generator_version: GENERATOR_VERSION.to_string(),
            data_bits: 32,
            addr_bits: bits_for(last as u64).max(12),
            registers,
            scalers,
        }
    }

    /// Byte-address bits of the AXI4-Lite port: max(12, bits to address the map's last byte).
    pub fn addr_bits(&self) -> u32 {
        self.addr_bits
    }

    /// A fixed register by name.
    pub fn get(&self, name: &str) -> Option<&Register> {
        self.registers.iter().find(|r| r.name == name)
    }

    /// The absolute byte offset of a fixed register, or of a scaler register named
    /// `L<layer>_H<head>_<NAME>` (e.g. `L1_H0_K_GAIN`).
    pub fn offset(&self, name: &str) -> Option<u32> {
        self.all()
            .into_iter()
            .find(|r| r.name == name)
            .map(|r| r.offset)
    }

    /// Every register with its absolute offset, the scaler registers expanded per head and
    /// named `L<layer>_H<head>_<NAME>`, by offset.
    pub fn all(&self) -> Vec<Register> {
        let mut out = self.registers.clone();
        let s = &self.scalers;
        for layer in 0..s.n_layer {
            for head in 0..s.n_head {
                for r in &s.registers {
                    out.push(Register {
                        name: format!("L{layer}_H{head}_{}", r.name),
                        offset: s.head_base(layer, head) + r.offset,
                        ..r.clone()
                    });
                }
            }
        }
        out.sort_by_key(|r| r.offset);
        out
    }

    /// Bits of write data any writable field uses (bits above are ignored by every write).
    pub fn write_data_bits(&self) -> u32 {
        let fields = self
            .registers
            .iter()
            .chain(&self.scalers.registers)
            .filter(|r| r.writable())
            .flat_map(|r| &r.fields)
            .filter(|f| f.access != Access::Ro);
        fields.map(|f| f.lsb + f.width).max().unwrap_or(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Hardware, Model};

    fn tiny() -> RegMap {
        RegMap::new(&config::load("tiny").unwrap())
    }

    #[test]
    fn version_parts() {
        assert_eq!(version_value("0.1.0"), 0x0100);
        assert_eq!(version_value("1.2.3-rc1"), 0x01_02_03);
        assert_eq!(version_value("300.1"), 0xff_01_00);
    }

    #[test]
    fn tiny_map_values() {
        let m = tiny();
        assert_eq!(m.addr_bits(), 12);
        assert_eq!(m.get("ID").unwrap().reset, 0x4743_4131);
        let shape0 = m.get("SHAPE0").unwrap();
        assert_eq!(shape0.reset, 2 | 2 << 10 | 8 << 20);
        let s = &m.scalers;
        assert_eq!(
            (s.heads(), s.end(), s.bits_per_head),
            (4, 0x180, 7 * 16 + 16)
        );
        let resets: Vec<u32> = s.registers.iter().map(|r| r.reset).collect();
        assert_eq!(&resets[..4], &[3840, 7680, 1792, 3584]);
        assert_eq!(m.get("CONTROL").unwrap().reset, 1);
        assert_eq!(m.write_data_bits(), 16);
        assert_eq!(m.offset("L1_H1_O_OFFSET"), Some(0x100 + 0x20 * 3 + 0x1c));
        assert_eq!(s.port_lsb(3, 7), 3 * 128 + 7 * 16);
    }

    #[test]
    fn addresses_are_unique_aligned_and_inside_the_address_space() {
        for name in ["tiny", "gpt2", "gpt2-head"] {
            let m = RegMap::new(&config::load(name).unwrap());
            let all = m.all();
            assert!(all.windows(2).all(|w| w[0].offset < w[1].offset), "{name}");
            assert!(all.iter().all(|r| r.offset % 4 == 0));
            assert!(all.iter().all(|r| r.offset + 3 < 1 << m.addr_bits()));
            let mut names: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), all.len());
            for r in &all {
                let mut used = 0u32;
                for f in &r.fields {
                    assert_eq!(used & f.mask(), 0, "{} fields overlap", r.name);
                    used |= f.mask();
                }
            }
        }
        assert_eq!(RegMap::new(&config::load("gpt2").unwrap()).addr_bits(), 13);
    }

    fn extreme(model: Model, hw: Hardware) -> Params {
        config::resolve("extreme".into(), model, hw).unwrap()
    }

    #[test]
    fn the_largest_valid_values_fit_their_fields() {
        let mut hw = Hardware {
            window: Some(32768),
            tile: 4096,
            prefill_overlap: true,
            ..Hardware::default()
        };
        hw.levels.q = 256;
        hw.levels.kv = 256;
        hw.levels.out = 1024;
        hw.timing.t_max_ns = 255.0;
        hw.stream.tdata_bits = 4096;
        hw.stream.in_bits = 32;
        hw.stream.out_bits = 32;
        hw.fixed_point.scaler_bits = 32;
        let model = Model {
            n_layer: 256,
            n_head: 256,
            n_embd: 256,
            n_ctx: 32768,
        };
        let m = RegMap::new(&extreme(model, hw.clone()));
        assert_eq!(m.get("SHAPE0").unwrap().fields[0].reset, 256);
        assert_eq!(m.get("SHAPE0").unwrap().fields[1].reset, 256);
        assert_eq!(m.get("LEVELS").unwrap().fields[2].reset, 1024);
        assert_eq!(m.write_data_bits(), 32);
        // Longest phases: 2 q levels, T_max 1e5 cycles, 1024 output levels, window 65536.
        let mut hw = Hardware {
            window: Some(65536),
            tile: 4096,
            ..Hardware::default()
        };
        hw.levels.q = 2;
        hw.levels.out = 1024;
        hw.timing.t_max_ns = 1e5;
        hw.timing.t_write_ns = 1e5;
        let model = Model {
            n_layer: 1,
            n_head: 1,
            n_embd: 1024,
            n_ctx: 65536,
        };
        let p = extreme(model, hw);
        let m = RegMap::new(&p);
        assert_eq!(m.get("SHAPE1").unwrap().fields[0].reset, 65536);
        assert_eq!(
            m.get("TIMING").unwrap().reset as u64,
            p.cycles.decode_latency
        );
        assert_eq!(m.get("TIMING1").unwrap().reset, 100_000);
    }

    #[test]
    fn narrow_scaler_registers_saturate_the_defaults() {
        let mut hw = Hardware::default();
        hw.fixed_point.scaler_bits = 6;
        hw.fixed_point.scaler_frac_bits = 4;
        let model = config::preset("tiny").unwrap();
        let m = RegMap::new(&extreme(model, hw));
        // q gain 3.75 * 16 = 60 > 31: saturated.
        assert_eq!(m.scalers.registers[0].fields[0].reset, 31);
        assert_eq!(m.scalers.registers[0].reset, 31);
        // The twin starts from the same registers (it used to stop with a panic here).
        let p = extreme(config::preset("tiny").unwrap(), {
            let mut hw = Hardware::default();
            hw.fixed_point.scaler_bits = 6;
            hw.fixed_point.scaler_frac_bits = 4;
            hw
        });
        assert_eq!(
            crate::sim::twin::ScalerRegisters::defaults(&p).values(),
            default_scaler_registers(&p)
        );
        assert_eq!(default_scaler_registers(&p)[0], 31);
    }
}
