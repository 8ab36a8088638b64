//! The Verilator back end: the generated design compiled by the installed Verilator (5.006 from
//! Debian works) and g++ into a shared library with a small C ABI ([`shim`]), cached by a hash
//! of the design's files ([`build`]: the recipe and the cache), loaded with `libloading` and
//! driven cycle by cycle from Rust through [`Model`].
//!
//! ```no_run
//! # use std::path::Path;
//! use gca::sim::verilator::Model;
//! let p = gca::config::load("tiny").unwrap();
//! // `rtl` is a folder written by `gca generate` (or gca::emit::write::write_folder).
//! let mut m = Model::build(&p, Path::new("rtl"), Path::new("target/gca-verilator"), |line| {
//!     eprintln!("{line}")
//! })
//! .unwrap();
//! m.reset(4);
//! assert_eq!(m.axil_read(0x000), (gca::regmap::ID_VALUE, 0));
//! ```
//!
//! # Driving the model
//! Between calls the clock is low. One cycle of a bench is: set the inputs (setters only fill
//! a buffer), [`Model::eval`] when a decision needs outputs that may depend combinationally on
//! the inputs (AXI handshakes: read TREADY and TVALID there), read the outputs, then
//! [`Model::tick`] (the rising edge: registers load the inputs as they are at that moment; the
//! outputs are then those after the edge). Changed inputs go to the model in one call, and
//! every eval or tick reads all outputs back in one call; an eval with no input changed since
//! the last eval or tick does nothing (the outputs are current). A cycle therefore costs one
//! evaluation of the Verilated model when the inputs did not change (the shim skips Verilator's
//! low-phase evaluation, see [`shim`]) and two when they did. [`run_stream`] and
//! [`drive_stream`] are such a bench for the two AXI4-Stream ports; [`Model::axil_write`] and
//! [`Model::axil_read`] are an AXI4-Lite master.

//! # Waveforms
//! A library built with [`BuildOptions::waves`] (Verilator `--trace`) writes VCD files
//! ([`Model::open_waves`]); the signals are dumped at both clock edges, and time advances by
//! half of `cycles.clock_period_ns` at each. The default build has no tracing, and the waveform
//! variant is a separate cached library: `--trace` makes the model slower even when no file is
//! open, about 8x on gpt2-head (220 against 1,700 tokens/s with a full window: Verilator then
//! keeps wide concatenations it otherwise optimises away), within noise on tiny.
//!
//! # Speed
//! Each cycle of a driven stream costs one or two evaluations of the model ([`shim`]) and
//! about 1% in the library calls and the Rust bench; the rest is the model: on gpt2-head about
//! 60% in the behavioral macro (`gca_subtile`), 30% in the rest of the RTL and 8% in the logic
//! that depends directly on the inputs (re-evaluated by Verilator 5.006 on every eval). See the
//! ignored test `bench_speed` in `tests/verilator_backend.rs` for the measurements.

pub mod build;
mod drive;
mod ffi;
pub mod monitor;
pub mod shim;

use std::ffi::{c_void, CString};
use std::path::Path;
use std::ptr::NonNull;

use crate::config::Params;

use crate::sim::packets::Beat;
pub use build::{sim_files, BuildInfo, BuildOptions};
pub use drive::{describe_mismatch, drive_stream, run_stream, StreamDrive, StreamRun};
use ffi::Api;
pub use monitor::PinLog;
use shim::{inb, outb};

pub use super::csr::{RESP_OKAY, RESP_SLVERR};

/// The AXI4-Lite inputs of `gca_top` (the master's side of the five channels).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxilIn {
    pub awaddr: u32,
    pub awprot: u8,
    pub awvalid: bool,
    pub wdata: u32,
    pub wstrb: u8,
    pub wvalid: bool,
    pub bready: bool,
    pub araddr: u32,
    pub arprot: u8,
    pub arvalid: bool,
    pub rready: bool,
}

/// The AXI4-Lite outputs of `gca_top`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxilOut {
    pub awready: bool,
    pub wready: bool,
    pub bresp: u8,
    pub bvalid: bool,
    pub arready: bool,
    pub rdata: u32,
    pub rresp: u8,
    pub rvalid: bool,
}

/// Cycles an AXI4-Lite transfer may wait for a handshake before [`Model::axil_write`] or
/// [`Model::axil_read`] gives up.
pub const AXIL_TIMEOUT: u64 = 1000;

/// One instance of the Verilated `gca_top` of a generated design.
///
/// It owns the instance (its own `VerilatedContext`); dropping it destroys the instance (final
/// blocks run, an open VCD is closed). The library stays loaded for the rest of the process.
/// A `Model` may move between threads but is used by one at a time.
pub struct Model {
    api: Api,
    handle: NonNull<c_void>,
    inputs: Vec<u32>,
    outputs: Vec<u32>,
    dirty: bool,
    aw_mask: u32,
    info: BuildInfo,
    monitor: Option<Box<PinLog>>,
    /// [`Model::cycles`] when [`Model::reset`] last released `rst_n`.
    released_at: u64,
}

// SAFETY: the instance is only touched through `&mut self` (or `&self` for reads of plain
// fields), so never by two threads at once; Verilator models with their own context may run on
// any thread (the context's thread-local pointer is set on every eval).
unsafe impl Send for Model {}

impl Model {
    /// Builds (or finds in `cache_dir`) the library of the design generated for `p` in
    /// `rtl_dir` and creates an instance, reset asserted (call [`Model::reset`]).
    /// `progress` receives one line per step and command run.
    pub fn build(
        p: &Params,
        rtl_dir: &Path,
        cache_dir: &Path,
        mut progress: impl FnMut(&str),
    ) -> Result<Model, String> {
        Model::build_with(
            p,
            rtl_dir,
            cache_dir,
            &BuildOptions::default(),
            &mut progress,
        )
    }

    /// [`Model::build`] with options (waveforms, jobs).
    pub fn build_with(
        p: &Params,
        rtl_dir: &Path,
        cache_dir: &Path,
        opts: &BuildOptions,
        mut progress: impl FnMut(&str),
    ) -> Result<Model, String> {
        let info = build::build(p, rtl_dir, cache_dir, opts, &mut progress)?;
        Model::open(p, &info)
    }

    /// A new instance of an already built library (for example [`Model::info`] of another
    /// model); `p` must be the configuration it was built for.
    pub fn open(p: &Params, info: &BuildInfo) -> Result<Model, String> {
        let api = ffi::load(&info.library)?;
        // SAFETY: a function without arguments returning a constant.
        let words = unsafe { (api.tdata_words)() } as usize;
        if words != shim::tdata_words(p) {
            return Err(format!(
                "{} was built for {words} TDATA words, configuration `{}` has {}",
                info.library.display(),
                p.name,
                shim::tdata_words(p)
            ));
        }
        if !info.cell_table.exists() {
            return Err(format!(
                "the cell table {} the library reads is missing: build again",
                info.cell_table.display()
            ));
        }
        // SAFETY: gca_create takes a nullable C string; null: no waveform.
        let raw = unsafe { (api.create)(std::ptr::null()) };
        let handle = NonNull::new(raw)
            .ok_or_else(|| format!("cannot create the Verilated model: {}", api.last_error()))?;
        let aw = crate::regmap::RegMap::new(p).addr_bits();
        let mut m = Model {
            api,
            handle,
            inputs: vec![0; shim::input_words(p)],
            outputs: vec![0; shim::output_words(p)],
            dirty: false,
            aw_mask: if aw >= 32 { u32::MAX } else { (1 << aw) - 1 },
            info: info.clone(),
            monitor: None,
            released_at: 0,
        };
        m.read_outputs();
        Ok(m)
    }

    /// Starts recording handshakes at the pins ([`monitor`]) from the next tick on, replacing
    /// an earlier record.
    pub fn attach_monitor(&mut self) {
        self.monitor = Some(Box::default());
    }

    /// The record of the pin monitor, which stops.
    pub fn take_monitor(&mut self) -> Option<PinLog> {
        self.monitor.take().map(|b| *b)
    }

    /// How the library was obtained: key, path, cached or built, seconds.
    pub fn info(&self) -> &BuildInfo {
        &self.info
    }

    fn read_outputs(&mut self) {
        // SAFETY: the handle is live; the buffer has output_words entries, the count the
        // library was checked to write (same TDATA words).
        unsafe { (self.api.get_outputs)(self.handle.as_ptr(), self.outputs.as_mut_ptr()) };
    }

    fn flush(&mut self) {
        if self.dirty {
            // SAFETY: as in read_outputs, with input_words entries.
            unsafe { (self.api.set_inputs)(self.handle.as_ptr(), self.inputs.as_ptr()) };
            self.dirty = false;
        }
    }

    fn flag(&mut self, bit: u32, on: bool) {
        let f = &mut self.inputs[shim::IN_FLAGS];
        let new = if on { *f | bit } else { *f & !bit };
        if new != *f {
            *f = new;
            self.dirty = true;
        }
    }

    fn field(&mut self, lsb: u32, width: u32, value: u32) {
        let mask = ((1u32 << width) - 1) << lsb;
        let f = &mut self.inputs[shim::IN_FLAGS];
        let new = (*f & !mask) | ((value << lsb) & mask);
        if new != *f {
            *f = new;
            self.dirty = true;
        }
    }

    fn word(&mut self, index: usize, value: u32) {
        if self.inputs[index] != value {
            self.inputs[index] = value;
            self.dirty = true;
        }
    }

    /// Settles the combinational logic with the current inputs (no clock edge) and reads the
    /// outputs. Nothing to do (no call into the library) when no input changed since the last
    /// eval or tick: the outputs are current. Panics if the model stopped on a Verilator fatal
    /// error ([`Model::try_eval`] returns it).
    pub fn eval(&mut self) {
        if let Err(e) = self.try_eval() {
            panic!("{e}");
        }
    }

    /// [`Model::eval`], returning a Verilator fatal error (`$stop`, an internal check).
    pub fn try_eval(&mut self) -> Result<(), String> {
        if !self.dirty {
            return Ok(());
        }
        self.flush();
        // SAFETY: the handle is live.
        let rc = unsafe { (self.api.eval)(self.handle.as_ptr()) };
        self.read_outputs();
        if rc != 0 {
            return Err(format!(
                "the Verilated model failed: {}",
                self.api.last_error()
            ));
        }
        Ok(())
    }

    /// One clock cycle (see the module documentation) and the outputs after its rising edge.
    /// Panics like [`Model::eval`].
    pub fn tick(&mut self) {
        if let Err(e) = self.try_tick(1) {
            panic!("{e}");
        }
    }

    /// `n` clock cycles with the inputs unchanged, returning a Verilator fatal error.
    pub fn try_tick(&mut self, n: u64) -> Result<(), String> {
        if let Some(m) = self.monitor.as_mut() {
            m.sample(&self.inputs, &self.outputs);
        }
        self.flush();
        // SAFETY: the handle is live.
        let rc = unsafe { (self.api.tick)(self.handle.as_ptr(), n) };
        self.read_outputs();
        if rc != 0 {
            return Err(format!(
                "the Verilated model failed: {}",
                self.api.last_error()
            ));
        }
        Ok(())
    }

    /// Rising clock edges since the instance was created.
    pub fn cycles(&self) -> u64 {
        // SAFETY: the handle is live.
        unsafe { (self.api.cycles)(self.handle.as_ptr()) }
    }

    /// A `$finish` ran in the model (the behavioral macro runs one when it cannot read its cell
    /// table).
    pub fn finished(&self) -> bool {
        // SAFETY: the handle is live.
        unsafe { (self.api.finished)(self.handle.as_ptr()) != 0 }
    }

    /// Asserts `rst_n` for `cycles` cycles (at least one) with every valid and ready input low,
    /// then releases it and settles the logic.
    pub fn reset(&mut self, cycles: u64) {
        let strb = self.inputs[shim::IN_FLAGS] & (0xf << inb::WSTRB_LSB);
        self.inputs[shim::IN_FLAGS] = strb;
        self.dirty = true;
        if let Err(e) = self.try_tick(cycles.max(1)) {
            panic!("{e}");
        }
        self.set_rst_n(true);
        self.eval();
        self.released_at = self.cycles();
    }

    /// Clock edges since [`Model::reset`] last released `rst_n`: what the CSR's cycle counter
    /// (`CYCLES_LO`, `CYCLES_HI`) holds after this many edges.
    pub fn cycles_since_reset(&self) -> u64 {
        self.cycles() - self.released_at
    }

    /// The active-low asynchronous reset.
    pub fn set_rst_n(&mut self, v: bool) {
        self.flag(inb::RST_N, v);
    }

    /// The input stream: `Some(beat)` drives TVALID high with the beat's TDATA and TLAST,
    /// `None` drives TVALID low (TDATA and TLAST keep their values).
    pub fn set_s_axis(&mut self, beat: Option<&Beat>) {
        match beat {
            Some(b) => {
                self.set_s_axis_tdata(&b.data);
                self.flag(inb::S_TLAST, b.last);
                self.flag(inb::S_TVALID, true);
            }
            None => self.flag(inb::S_TVALID, false),
        }
    }

    /// `s_axis_tdata` from little-endian 64-bit words (as [`Beat::data`]); missing words are 0,
    /// bits beyond TDATA are ignored.
    pub fn set_s_axis_tdata(&mut self, words: &[u64]) {
        let n = self.inputs.len() - shim::IN_TDATA;
        for i in 0..n {
            let w = words.get(i / 2).copied().unwrap_or(0);
            let v = if i % 2 == 0 {
                w as u32
            } else {
                (w >> 32) as u32
            };
            self.word(shim::IN_TDATA + i, v);
        }
    }

    pub fn set_s_axis_tvalid(&mut self, v: bool) {
        self.flag(inb::S_TVALID, v);
    }

    pub fn set_s_axis_tlast(&mut self, v: bool) {
        self.flag(inb::S_TLAST, v);
    }

    pub fn set_m_axis_tready(&mut self, v: bool) {
        self.flag(inb::M_TREADY, v);
    }

    /// Every AXI4-Lite input (addresses are cut to the bus width).
    pub fn set_axil(&mut self, a: &AxilIn) {
        self.flag(inb::AWVALID, a.awvalid);
        self.flag(inb::WVALID, a.wvalid);
        self.flag(inb::BREADY, a.bready);
        self.flag(inb::ARVALID, a.arvalid);
        self.flag(inb::RREADY, a.rready);
        self.field(inb::AWPROT_LSB, 3, u32::from(a.awprot));
        self.field(inb::ARPROT_LSB, 3, u32::from(a.arprot));
        self.field(inb::WSTRB_LSB, 4, u32::from(a.wstrb));
        self.word(shim::IN_AWADDR, a.awaddr & self.aw_mask);
        self.word(shim::IN_ARADDR, a.araddr & self.aw_mask);
        self.word(shim::IN_WDATA, a.wdata);
    }

    fn out(&self, bit: u32) -> bool {
        self.outputs[shim::OUT_FLAGS] & bit != 0
    }

    pub fn s_axis_tready(&self) -> bool {
        self.out(outb::S_TREADY)
    }

    pub fn m_axis_tvalid(&self) -> bool {
        self.out(outb::M_TVALID)
    }

    pub fn m_axis_tlast(&self) -> bool {
        self.out(outb::M_TLAST)
    }

    pub fn irq(&self) -> bool {
        self.out(outb::IRQ)
    }

    /// The code of the first protocol rule broken on a port (the checkers of
    /// `gca_top_checked`, [`crate::checkers::RULES`]), if any.
    pub fn protocol_violation(&self) -> Option<u8> {
        let f = self.outputs[shim::OUT_FLAGS];
        (f & outb::CHK_FAIL != 0).then_some(((f >> outb::CHK_RULE_LSB) & 0xff) as u8)
    }

    /// `m_axis_tdata` into little-endian 64-bit words (as [`Beat::data`]; extra words get 0).
    pub fn m_axis_tdata_into(&self, words: &mut [u64]) {
        let t = &self.outputs[shim::OUT_TDATA..];
        for (i, w) in words.iter_mut().enumerate() {
            let lo = t.get(2 * i).copied().unwrap_or(0);
            let hi = t.get(2 * i + 1).copied().unwrap_or(0);
            *w = u64::from(lo) | (u64::from(hi) << 32);
        }
    }

    /// The output stream's TDATA and TLAST as a beat (whatever TVALID is).
    pub fn m_axis_beat(&self) -> Beat {
        let mut data = vec![0; (self.outputs.len() - shim::OUT_TDATA).div_ceil(2)];
        self.m_axis_tdata_into(&mut data);
        Beat {
            data,
            last: self.m_axis_tlast(),
        }
    }

    /// Every AXI4-Lite output.
    pub fn axil(&self) -> AxilOut {
        let f = self.outputs[shim::OUT_FLAGS];
        AxilOut {
            awready: f & outb::AWREADY != 0,
            wready: f & outb::WREADY != 0,
            bresp: ((f >> outb::BRESP_LSB) & 3) as u8,
            bvalid: f & outb::BVALID != 0,
            arready: f & outb::ARREADY != 0,
            rdata: self.outputs[shim::OUT_RDATA],
            rresp: ((f >> outb::RRESP_LSB) & 3) as u8,
            rvalid: f & outb::RVALID != 0,
        }
    }

    /// Opens a VCD file (closing an open one); the library must be built with
    /// [`BuildOptions::waves`]. The next [`Model::tick`] dumps every signal first.
    pub fn open_waves(&mut self, path: &Path) -> Result<(), String> {
        self.flush();
        let c = CString::new(path.to_string_lossy().as_bytes())
            .map_err(|_| format!("{}: a path with a NUL byte", path.display()))?;
        // SAFETY: the handle is live; the string is NUL-terminated and outlives the call.
        let rc = unsafe { (self.api.waves_open)(self.handle.as_ptr(), c.as_ptr()) };
        if rc != 0 {
            return Err(self.api.last_error());
        }
        Ok(())
    }

    /// Closes the VCD file, if one is open (it is complete afterwards).
    pub fn close_waves(&mut self) -> Result<(), String> {
        // SAFETY: the handle is live.
        let rc = unsafe { (self.api.waves_close)(self.handle.as_ptr()) };
        if rc != 0 {
            return Err(self.api.last_error());
        }
        Ok(())
    }

    /// A tick skips the low-phase eval of Verilator when no [`Model::eval`] did it (see
    /// [`shim`]): the design is triggered by posedge clk and resets only.
    pub fn skips_low_eval(&self) -> bool {
        // SAFETY: a function without arguments returning a constant.
        unsafe { (self.api.skips_low_eval)() != 0 }
    }

    /// The library was built with line and toggle coverage ([`BuildOptions::coverage`]).
    pub fn has_coverage(&self) -> bool {
        // SAFETY: a function without arguments returning a constant.
        unsafe { (self.api.has_coverage)() != 0 }
    }

    /// Writes the coverage points and their counts so far to `path` (Verilator's
    /// `coverage.dat` format, read by `verilator_coverage` and [`crate::sim::coverage`]); the
    /// library must be built with [`BuildOptions::coverage`].
    pub fn write_coverage(&mut self, path: &Path) -> Result<(), String> {
        let c = CString::new(path.to_string_lossy().as_bytes())
            .map_err(|_| format!("{}: a path with a NUL byte", path.display()))?;
        // SAFETY: the handle is live; the string is NUL-terminated and outlives the call.
        let rc = unsafe { (self.api.coverage_write)(self.handle.as_ptr(), c.as_ptr()) };
        if rc != 0 {
            return Err(self.api.last_error());
        }
        Ok(())
    }

    /// The library was built with Verilator `--trace`.
    pub fn has_waves(&self) -> bool {
        // SAFETY: a function without arguments returning a constant.
        unsafe { (self.api.has_waves)() != 0 }
    }

    /// An AXI4-Lite write of `data` (every byte) to `addr`: AW and W offered together, each
    /// dropped after its handshake, then the response taken. Returns BRESP ([`RESP_OKAY`] or
    /// [`RESP_SLVERR`]). The stream inputs keep their values meanwhile. Panics after
    /// [`AXIL_TIMEOUT`] cycles without completion.
    pub fn axil_write(&mut self, addr: u32, data: u32) -> u8 {
        let mut a = AxilIn {
            awaddr: addr,
            awvalid: true,
            wdata: data,
            wstrb: 0xf,
            wvalid: true,
            bready: true,
            ..AxilIn::default()
        };
        for _ in 0..AXIL_TIMEOUT {
            self.set_axil(&a);
            self.eval();
            let o = self.axil();
            let aw_fire = a.awvalid && o.awready;
            let w_fire = a.wvalid && o.wready;
            let b_fire = !a.awvalid && !a.wvalid && o.bvalid;
            self.tick();
            if aw_fire {
                a.awvalid = false;
            }
            if w_fire {
                a.wvalid = false;
            }
            if b_fire {
                self.set_axil(&AxilIn::default());
                return o.bresp;
            }
        }
        panic!("AXI4-Lite write to {addr:#05x}: no response within {AXIL_TIMEOUT} cycles");
    }

    /// An AXI4-Lite read of `addr`: returns (RDATA, RRESP). Panics after [`AXIL_TIMEOUT`]
    /// cycles without completion.
    pub fn axil_read(&mut self, addr: u32) -> (u32, u8) {
        let mut a = AxilIn {
            araddr: addr,
            arvalid: true,
            rready: true,
            ..AxilIn::default()
        };
        for _ in 0..AXIL_TIMEOUT {
            self.set_axil(&a);
            self.eval();
            let o = self.axil();
            let ar_fire = a.arvalid && o.arready;
            let r_fire = !a.arvalid && o.rvalid;
            self.tick();
            if ar_fire {
                a.arvalid = false;
            }
            if r_fire {
                self.set_axil(&AxilIn::default());
                return (o.rdata, o.rresp);
            }
        }
        panic!("AXI4-Lite read of {addr:#05x}: no response within {AXIL_TIMEOUT} cycles");
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: the handle is live and not used afterwards.
        unsafe { (self.api.destroy)(self.handle.as_ptr()) };
    }
}
