//! The C++ shim: a small C ABI around the Verilated `gca_top`, written for one configuration
//! (the port widths come from the resolved parameters).
//!
//! # ABI (version [`ABI_VERSION`])
//! Every function is `extern "C"` and exported from the shared library; everything else in the
//! library (the model, the Verilator runtime) is hidden.
//!
//! | function | meaning |
//! |---|---|
//! | `uint32_t gca_abi_version(void)` | [`ABI_VERSION`] |
//! | `uint32_t gca_tdata_words(void)` | 32-bit words of TDATA (TD / 32 rounded up) |
//! | `uint32_t gca_has_waves(void)` | 1 when built with `--trace` (VCD available) |
//! | `uint32_t gca_skips_low_eval(void)` | 1 when a tick skips the low-phase eval (below) |
//! | `const char* gca_error(void)` | the last error of this thread (empty if none) |
//! | `void* gca_create(const char* vcd)` | a new instance (own `VerilatedContext`), clock low, every input 0 (so `rst_n` asserted), initial blocks run (one `eval`); `vcd` non-null opens a waveform at once; null on error |
//! | `void gca_destroy(void*)` | closes the waveform, runs `final` blocks, frees |
//! | `void gca_set_inputs(void*, const uint32_t* in)` | every input but `clk`, layout below |
//! | `void gca_get_outputs(const void*, uint32_t* out)` | every output, layout below |
//! | `int gca_eval(void*)` | settle the combinational logic with the current inputs, no clock edge (clk is low between cycles) |
//! | `int gca_tick(void*, uint64_t n)` | `n` clock cycles, each: the low phase (an eval unless `gca_eval` already settled the current inputs), VCD dump, half a period, clk 1, eval (the rising edge), VCD dump, half a period, clk 0 |
//! | `uint64_t gca_cycles(const void*)` | rising edges so far |
//! | `uint32_t gca_finished(const void*)` | a `$finish` ran |
//! | `int gca_waves_open(void*, const char* path)` / `int gca_waves_close(void*)` | VCD |
//! | `uint32_t gca_has_coverage(void)` | 1 when built with coverage (`--coverage-line --coverage-toggle`) |
//! | `int gca_coverage_write(void*, const char* path)` | writes the instance's coverage points and counts (Verilator's `coverage.dat` format) |
//!
//! The outputs after `gca_tick` are those after the rising edge; the model's `clk` is low
//! between calls. Verilator needs to see clk low in one eval before it sees a rising edge in
//! the next, and every eval runs all the logic that depends on the inputs. When the build found
//! that every process of the design is triggered by the rising edge of clk or by a reset
//! (compiled with `-DGCA_SKIP_LOW_EVAL=1`, and Verilator's remembered clock value has the name
//! the shim knows, `rootp->__Vtrigrprev__TOP__clk` in Verilator 5.006, checked at compile time
//! so that another version falls back to the eval), a tick whose low phase was not evaluated by
//! `gca_eval` sets that remembered value instead of evaluating: one eval per cycle when the
//! caller does not need outputs before the edge, two when it does (`gca_eval`). With a VCD open
//! the low phase is always evaluated.
//!
//! `int` results are 0 on success and -1 on error (message in `gca_error`). A Verilator fatal
//! error (`$stop`, an internal check) is turned into a C++ exception inside the library and
//! reported the same way (the instance is then unusable: every later call fails); `$finish`
//! only sets the flag `gca_finished` reads (Verilator's own `vl_finish` would `exit(0)` the
//! process on a second `$finish`).
//!
//! # Word layouts
//! Inputs (`IN_*` indices, [`input_words`] words):
//! - `in[0]` flags: bit 0 `rst_n`, 1 `s_axis_tvalid`, 2 `s_axis_tlast`, 3 `m_axis_tready`,
//!   4 `s_axil_awvalid`, 5 `s_axil_wvalid`, 6 `s_axil_bready`, 7 `s_axil_arvalid`,
//!   8 `s_axil_rready`, bits 12..14 `s_axil_awprot`, 16..18 `s_axil_arprot`, 20..23
//!   `s_axil_wstrb`;
//! - `in[1]` `s_axil_awaddr`, `in[2]` `s_axil_araddr`, `in[3]` `s_axil_wdata`;
//! - `in[4..]` `s_axis_tdata`, little-endian 32-bit words.
//!
//! Outputs ([`output_words`] words):
//! - `out[0]` flags: bit 0 `s_axis_tready`, 1 `m_axis_tvalid`, 2 `m_axis_tlast`, 3
//!   `s_axil_awready`, 4 `s_axil_wready`, 5 `s_axil_bvalid`, 6 `s_axil_arready`, 7
//!   `s_axil_rvalid`, 8 `irq`, 9 `chk_fail`, bits 12..13 `s_axil_bresp`, 14..15
//!   `s_axil_rresp`, 16..23 `chk_rule` (the protocol checkers of `gca_top_checked`);
//! - `out[1]` `s_axil_rdata`;
//! - `out[2..]` `m_axis_tdata`, little-endian 32-bit words.

use crate::config::Params;

/// Version of the C ABI above; the Rust side refuses a library with another one.
pub const ABI_VERSION: u32 = 2;

/// Index of the flag word of the inputs.
pub const IN_FLAGS: usize = 0;
/// Index of `s_axil_awaddr` in the inputs.
pub const IN_AWADDR: usize = 1;
/// Index of `s_axil_araddr` in the inputs.
pub const IN_ARADDR: usize = 2;
/// Index of `s_axil_wdata` in the inputs.
pub const IN_WDATA: usize = 3;
/// Index of the first `s_axis_tdata` word in the inputs.
pub const IN_TDATA: usize = 4;

/// Input flag bits (`in[0]`).
pub mod inb {
    pub const RST_N: u32 = 1 << 0;
    pub const S_TVALID: u32 = 1 << 1;
    pub const S_TLAST: u32 = 1 << 2;
    pub const M_TREADY: u32 = 1 << 3;
    pub const AWVALID: u32 = 1 << 4;
    pub const WVALID: u32 = 1 << 5;
    pub const BREADY: u32 = 1 << 6;
    pub const ARVALID: u32 = 1 << 7;
    pub const RREADY: u32 = 1 << 8;
    pub const AWPROT_LSB: u32 = 12;
    pub const ARPROT_LSB: u32 = 16;
    pub const WSTRB_LSB: u32 = 20;
}

/// Index of the flag word of the outputs.
pub const OUT_FLAGS: usize = 0;
/// Index of `s_axil_rdata` in the outputs.
pub const OUT_RDATA: usize = 1;
/// Index of the first `m_axis_tdata` word in the outputs.
pub const OUT_TDATA: usize = 2;

/// Output flag bits (`out[0]`).
pub mod outb {
    pub const S_TREADY: u32 = 1 << 0;
    pub const M_TVALID: u32 = 1 << 1;
    pub const M_TLAST: u32 = 1 << 2;
    pub const AWREADY: u32 = 1 << 3;
    pub const WREADY: u32 = 1 << 4;
    pub const BVALID: u32 = 1 << 5;
    pub const ARREADY: u32 = 1 << 6;
    pub const RVALID: u32 = 1 << 7;
    pub const IRQ: u32 = 1 << 8;
    pub const CHK_FAIL: u32 = 1 << 9;
    pub const CHK_RULE_LSB: u32 = 16;
    pub const BRESP_LSB: u32 = 12;
    pub const RRESP_LSB: u32 = 14;
}

/// 32-bit words of TDATA.
pub fn tdata_words(p: &Params) -> usize {
    (p.stream.tdata_bits as usize).div_ceil(32)
}

/// Length of the input word array.
pub fn input_words(p: &Params) -> usize {
    IN_TDATA + tdata_words(p)
}

/// Length of the output word array.
pub fn output_words(p: &Params) -> usize {
    OUT_TDATA + tdata_words(p)
}

/// Mask of the low `bits` bits of a 32-bit word, as C++ text.
fn mask32(bits: u32) -> String {
    if bits >= 32 {
        "0xffffffffu".into()
    } else {
        format!("0x{:x}u", (1u64 << bits) - 1)
    }
}

/// C++ statements setting port `name` (`bits` wide) from `in[first..]`.
fn set_port(name: &str, bits: u32, first: usize) -> String {
    if bits <= 32 {
        format!("  t->{name} = in[{first}] & {};\n", mask32(bits))
    } else if bits <= 64 {
        format!(
            "  t->{name} = (QData)in[{first}] | ((QData)(in[{}] & {}) << 32);\n",
            first + 1,
            mask32(bits - 32)
        )
    } else {
        let words = (bits as usize).div_ceil(32);
        let mut s = String::new();
        for i in 0..words {
            let m = if i + 1 == words {
                mask32(bits - 32 * i as u32)
            } else {
                mask32(32)
            };
            s += &format!("  t->{name}[{i}] = in[{}] & {m};\n", first + i);
        }
        s
    }
}

/// C++ statements copying port `name` (`bits` wide) into `out[first..]`.
fn get_port(name: &str, bits: u32, first: usize) -> String {
    if bits <= 32 {
        format!("  out[{first}] = (uint32_t)t->{name};\n")
    } else if bits <= 64 {
        format!(
            "  out[{first}] = (uint32_t)t->{name};\n  out[{}] = (uint32_t)(t->{name} >> 32);\n",
            first + 1
        )
    } else {
        let words = (bits as usize).div_ceil(32);
        (0..words)
            .map(|i| format!("  out[{}] = t->{name}[{i}];\n", first + i))
            .collect()
    }
}

/// The shim's C++ source for the configuration `p`. Compile it with `-DGCA_WAVES=1` for a
/// library that can write VCD (the model built with `--trace`), `-DGCA_WAVES=0` otherwise,
/// and with the Verilator runtime compiled with `-DVL_USER_FATAL -DVL_USER_FINISH
/// -DVL_USER_STOP` (the shim defines those three functions).
pub fn source(p: &Params) -> String {
    let td = p.stream.tdata_bits;
    let aw = crate::regmap::RegMap::new(p).addr_bits();
    let tw = tdata_words(p);
    let set_tdata = set_port("s_axis_tdata", td, IN_TDATA);
    let get_tdata = get_port("m_axis_tdata", td, OUT_TDATA);
    let set_awaddr = set_port("s_axil_awaddr", aw, IN_AWADDR);
    let set_araddr = set_port("s_axil_araddr", aw, IN_ARADDR);
    format!(
        r#"// gca_shim.cpp: C ABI around the Verilated gca_top (ABI version {abi}).
// Configuration `{name}`: TDATA {td} bits ({tw} words), AXI4-Lite addresses {aw} bits,
// clock period {period} ns. Written by gca-testbench (src/verilator/shim.rs); do not edit.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "verilated.h"
#include "Vgca_top.h"
#include "Vgca_top___024root.h"
#if GCA_WAVES
#include "verilated_vcd_c.h"
#endif
#ifndef GCA_COVERAGE
#define GCA_COVERAGE 0
#endif
#if GCA_COVERAGE
#include "verilated_cov.h"
#endif

#define GCA_API extern "C" __attribute__((visibility("default")))

namespace {{

thread_local std::string g_error;

// A Verilator fatal error, thrown by vl_fatal below and caught at the C ABI.
struct Fatal : std::runtime_error {{
  explicit Fatal(const std::string& m) : std::runtime_error(m) {{}}
}};

struct Gca {{
  VerilatedContext ctx;
  Vgca_top* top = nullptr;
#if GCA_WAVES
  VerilatedVcdC* vcd = nullptr;
  bool vcd_open = false;
#endif
  uint64_t cycles = 0;
  uint64_t half = 1;  // half a clock period in units of the time precision
  bool low_pending = false;  // inputs or clk changed since the last eval (clk is low)
  bool broken = false;
}};

const double PERIOD_NS = {period:?};

// Skipping the low-phase evaluation. Verilator 5 detects a rising edge by comparing clk with
// its value at the previous eval, so a cycle normally needs an eval with clk low before the
// one with clk high, and every eval runs all the logic that depends on the inputs. When every
// process of the design is triggered by the rising edge of clk or by a reset (the build checks
// Verilator's trigger list and defines GCA_SKIP_LOW_EVAL), the low-phase eval changes nothing
// but that remembered value: it is set directly, where this Verilator version has it (checked
// at compile time), and the eval is skipped. With a VCD open the low phase is always evaluated.
#ifndef GCA_SKIP_LOW_EVAL
#define GCA_SKIP_LOW_EVAL 0
#endif
template <typename R, typename = void>
struct HasClkPrev : std::false_type {{}};
template <typename R>
struct HasClkPrev<R, std::void_t<decltype(std::declval<R&>().__Vtrigrprev__TOP__clk)>>
    : std::true_type {{}};
template <typename R>
void mark_clk_low(R* r) {{
  if constexpr (HasClkPrev<R>::value) r->__Vtrigrprev__TOP__clk = 0;
  (void)r;
}}
constexpr bool SKIP_LOW = GCA_SKIP_LOW_EVAL && HasClkPrev<Vgca_top___024root>::value;

bool waves_open(const Gca* g) {{
#if GCA_WAVES
  return g->vcd_open;
#else
  (void)g;
  return false;
#endif
}}

int fail(const std::string& m) {{
  g_error = m;
  return -1;
}}

// Runs f, turning exceptions into -1 and the message.
template <typename F>
int guard(Gca* g, F f) {{
  if (!g) return fail("null instance");
  if (g->broken) return fail("the instance stopped after an earlier fatal error: " + g_error);
  try {{
    f();
    return 0;
  }} catch (const std::exception& e) {{
    g->broken = true;
    return fail(e.what());
  }}
}}

void dump(Gca* g) {{
#if GCA_WAVES
  if (g->vcd_open) g->vcd->dump(g->ctx.time());
#else
  (void)g;
#endif
}}

int open_waves(Gca* g, const char* path) {{
#if GCA_WAVES
  return guard(g, [&] {{
    if (g->vcd_open) g->vcd->close();
    g->vcd_open = false;
    if (!g->vcd) {{
      g->vcd = new VerilatedVcdC;
      g->top->trace(g->vcd, 99);
    }}
    g->vcd->open(path);
    if (!g->vcd->isOpen()) throw std::runtime_error(std::string("cannot open the VCD file ") + path);
    g->vcd_open = true;  // the next tick dumps every signal first
  }});
#else
  (void)g;
  (void)path;
  return fail("this library was built without waveform support (Verilator --trace)");
#endif
}}

}}  // namespace

// Verilator's hooks (the runtime is compiled with VL_USER_FATAL, VL_USER_FINISH, VL_USER_STOP).
void vl_fatal(const char* filename, int linenum, const char* hier, const char* msg) {{
  (void)hier;
  Verilated::threadContextp()->gotError(true);
  Verilated::threadContextp()->gotFinish(true);
  std::string m = "Verilator fatal error";
  if (filename && filename[0]) m += std::string(" at ") + filename + ":" + std::to_string(linenum);
  m += std::string(": ") + (msg ? msg : "");
  throw Fatal(m);
}}

void vl_finish(const char* filename, int linenum, const char* hier) {{
  (void)hier;
  std::printf("- %s:%d: Verilog $finish\n", filename ? filename : "", linenum);
  std::fflush(stdout);
  Verilated::threadContextp()->gotFinish(true);
}}

void vl_stop(const char* filename, int linenum, const char* hier) {{
  vl_fatal(filename, linenum, hier, "Verilog $stop");
}}

GCA_API uint32_t gca_abi_version(void) {{ return {abi}u; }}

GCA_API uint32_t gca_tdata_words(void) {{ return {tw}u; }}

GCA_API uint32_t gca_has_waves(void) {{ return GCA_WAVES ? 1u : 0u; }}

GCA_API uint32_t gca_skips_low_eval(void) {{
  return SKIP_LOW ? 1u : 0u;
}}

GCA_API const char* gca_error(void) {{ return g_error.c_str(); }}

GCA_API void gca_destroy(void* h) {{
  Gca* g = static_cast<Gca*>(h);
  if (!g) return;
  try {{
#if GCA_WAVES
    if (g->vcd) {{
      if (g->vcd_open) g->vcd->close();
      delete g->vcd;
    }}
#endif
    if (g->top) {{
      if (!g->broken) g->top->final();
      delete g->top;
    }}
  }} catch (const std::exception& e) {{
    g_error = e.what();
  }}
  delete g;
}}

GCA_API void* gca_create(const char* vcd) {{
  g_error.clear();
  Gca* g = nullptr;
  try {{
    g = new Gca;
    g->ctx.fatalOnError(true);
#if GCA_WAVES
    g->ctx.traceEverOn(true);
#endif
    g->top = new Vgca_top(&g->ctx, "TOP");
    double units = PERIOD_NS * 1e-9;
    for (int p = g->ctx.timeprecision(); p < 0; ++p) units *= 10.0;
    uint64_t half = (uint64_t)(units / 2.0 + 0.5);
    g->half = half ? half : 1;
    g->top->clk = 0;
    g->top->rst_n = 0;
    g->top->eval();
    g->low_pending = false;
    if (g->ctx.gotFinish()) throw std::runtime_error("the model ran $finish while starting (see its output above)");
  }} catch (const std::exception& e) {{
    std::string m = e.what();
    if (g) {{
      g->broken = true;
      gca_destroy(g);
    }}
    g_error = m;
    return nullptr;
  }}
  if (vcd && open_waves(g, vcd) != 0) {{
    std::string m = g_error;
    gca_destroy(g);
    g_error = m;
    return nullptr;
  }}
  return g;
}}

GCA_API void gca_set_inputs(void* h, const uint32_t* in) {{
  Gca* g = static_cast<Gca*>(h);
  Vgca_top* t = g->top;
  g->low_pending = true;
  const uint32_t f = in[{in_flags}];
  t->rst_n = f & 1u;
  t->s_axis_tvalid = (f >> 1) & 1u;
  t->s_axis_tlast = (f >> 2) & 1u;
  t->m_axis_tready = (f >> 3) & 1u;
  t->s_axil_awvalid = (f >> 4) & 1u;
  t->s_axil_wvalid = (f >> 5) & 1u;
  t->s_axil_bready = (f >> 6) & 1u;
  t->s_axil_arvalid = (f >> 7) & 1u;
  t->s_axil_rready = (f >> 8) & 1u;
  t->s_axil_awprot = (f >> 12) & 7u;
  t->s_axil_arprot = (f >> 16) & 7u;
  t->s_axil_wstrb = (f >> 20) & 15u;
{set_awaddr}{set_araddr}  t->s_axil_wdata = in[{in_wdata}];
{set_tdata}}}

GCA_API void gca_get_outputs(const void* h, uint32_t* out) {{
  const Vgca_top* t = static_cast<const Gca*>(h)->top;
  out[{out_flags}] = (uint32_t)(t->s_axis_tready & 1u)
      | (uint32_t)(t->m_axis_tvalid & 1u) << 1
      | (uint32_t)(t->m_axis_tlast & 1u) << 2
      | (uint32_t)(t->s_axil_awready & 1u) << 3
      | (uint32_t)(t->s_axil_wready & 1u) << 4
      | (uint32_t)(t->s_axil_bvalid & 1u) << 5
      | (uint32_t)(t->s_axil_arready & 1u) << 6
      | (uint32_t)(t->s_axil_rvalid & 1u) << 7
      | (uint32_t)(t->irq & 1u) << 8
      | (uint32_t)(t->chk_fail & 1u) << 9
      | (uint32_t)(t->chk_rule & 255u) << 16
      | (uint32_t)(t->s_axil_bresp & 3u) << 12
      | (uint32_t)(t->s_axil_rresp & 3u) << 14;
  out[{out_rdata}] = t->s_axil_rdata;
{get_tdata}}}

GCA_API int gca_eval(void* h) {{
  Gca* g = static_cast<Gca*>(h);
  return guard(g, [&] {{
    g->top->eval();
    g->low_pending = false;
  }});
}}

GCA_API int gca_tick(void* h, uint64_t n) {{
  Gca* g = static_cast<Gca*>(h);
  return guard(g, [&] {{
    Vgca_top* t = g->top;
    for (uint64_t i = 0; i < n; ++i) {{
      // Low phase: clk is already 0 (since the end of the last cycle); evaluate unless an
      // eval since then already settled the current inputs, or the eval can be skipped.
      if (g->low_pending) {{
        if (SKIP_LOW && !waves_open(g))
          mark_clk_low(t->rootp);
        else
          t->eval();
      }}
      dump(g);
      g->ctx.timeInc(g->half);
      t->clk = 1;
      t->eval();
      dump(g);
      g->ctx.timeInc(g->half);
      t->clk = 0;
      g->low_pending = true;
      ++g->cycles;
    }}
  }});
}}

GCA_API uint32_t gca_has_coverage(void) {{ return GCA_COVERAGE ? 1u : 0u; }}

GCA_API int gca_coverage_write(void* h, const char* path) {{
#if GCA_COVERAGE
  Gca* g = static_cast<Gca*>(h);
  if (!g) return fail("null instance");
  try {{
    g->ctx.coveragep()->write(path);
  }} catch (const std::exception& e) {{
    return fail(e.what());
  }}
  return 0;
#else
  (void)h;
  (void)path;
  return fail("this library was built without coverage (gca sim --coverage builds one)");
#endif
}}

GCA_API uint64_t gca_cycles(const void* h) {{ return static_cast<const Gca*>(h)->cycles; }}

GCA_API uint32_t gca_finished(const void* h) {{
  return static_cast<const Gca*>(h)->ctx.gotFinish() ? 1u : 0u;
}}

GCA_API int gca_waves_open(void* h, const char* path) {{
  return open_waves(static_cast<Gca*>(h), path);
}}

GCA_API int gca_waves_close(void* h) {{
#if GCA_WAVES
  Gca* g = static_cast<Gca*>(h);
  return guard(g, [&] {{
    if (g->vcd_open) g->vcd->close();
    g->vcd_open = false;
  }});
#else
  (void)h;
  return 0;
#endif
}}
"#,
        abi = ABI_VERSION,
        name = p.name,
        period = p.cycles.clock_period_ns,
        in_flags = IN_FLAGS,
        in_wdata = IN_WDATA,
        out_flags = OUT_FLAGS,
        out_rdata = OUT_RDATA,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_code_by_width() {
        assert_eq!(set_port("a", 12, 1), "  t->a = in[1] & 0xfffu;\n");
        assert!(set_port("a", 40, 4).contains("(QData)(in[5] & 0xffu) << 32"));
        let wide = set_port("d", 72, 4);
        assert!(wide.contains("t->d[2] = in[6] & 0xffu;"), "{wide}");
        assert_eq!(get_port("r", 32, 1), "  out[1] = (uint32_t)t->r;\n");
        assert!(get_port("m", 512, 2).contains("out[17] = t->m[15];"));
    }

    #[test]
    fn tiny_shim_has_every_port() {
        let p = crate::config::load("tiny").unwrap();
        let s = source(&p);
        for port in [
            "s_axis_tdata[15]",
            "m_axis_tdata[15]",
            "s_axil_awaddr",
            "irq",
        ] {
            assert!(s.contains(port), "{port}");
        }
        assert_eq!(input_words(&p), 4 + 16);
    }
}
