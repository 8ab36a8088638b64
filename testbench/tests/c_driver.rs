//! The generated C driver (`regmap/gca_driver.c`) against the generated RTL: the driver is
//! compiled (`-Wall -Wextra -Werror -pedantic`) with `GCA_DRIVER_EXTERNAL_IO` and a host shim
//! whose `gca_read32` / `gca_write32` call back into this test, which performs each access as
//! an AXI4-Lite transfer on the Verilator model of `gca_top` (tiny) and records it. The test
//! calls the driver's functions and checks what they return, the transfers they made, and
//! what the design then does: streams run against the twin with the scalers the driver wrote,
//! the counters and STATUS it reads, the irq after its clear, a stream from position 0 after
//! its soft reset, the stream held after its disable.

use std::ffi::c_void;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;

use gca::config::Params;
use gca::models::reference::Scalers;
use gca::regmap::{version_value, RegMap};
use gca::sim::csr::{program_scalers, CsrOp, RESP_OKAY};
use gca::sim::lockstep::{self, Drive};
use gca::sim::packets::Beat;
use gca::sim::scenario::{random_stream, BadRule, Builder, Counters, Scenario, StreamOptions};
use gca::sim::twin::{DesignTwin, ScalerRegisters};
use gca::sim::verilator::{run_stream, Model, StreamDrive};

/// `struct gca_dev`.
#[repr(C)]
struct Dev {
    base: usize,
}

/// `struct gca_info`.
#[repr(C)]
#[derive(Debug, Default)]
struct Info {
    version: u32,
    config_hash: u32,
    n_layer: u32,
    n_head: u32,
    d_head: u32,
    window: u32,
    tile: u32,
    decode_latency: u32,
}

/// `struct gca_head_scalers`: the eight registers in map order.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct HeadScalers([i32; 8]);

/// `struct gca_counters`.
#[repr(C)]
#[derive(Debug, Default)]
struct Counts {
    tokens: u32,
    errors: u32,
    results: u32,
    cycles: u64,
}

const GCA_OK: i32 = 0;
const GCA_ERR_RANGE: i32 = -3;

/// The host side of `gca_read32` / `gca_write32`: every access as an AXI4-Lite transfer on
/// the model, recorded with its response.
struct Bus {
    model: Model,
    log: Vec<CsrOp>,
}

extern "C" fn host_read(ctx: *mut c_void, addr: u32) -> u32 {
    // SAFETY: ctx is the `Bus` the test connected, alive and not otherwise borrowed while a
    // driver function runs.
    let bus = unsafe { &mut *(ctx as *mut Bus) };
    let (data, resp) = bus.model.axil_read(addr);
    bus.log.push(CsrOp::Read {
        addr,
        resp,
        data: Some(data),
    });
    data
}

extern "C" fn host_write(ctx: *mut c_void, addr: u32, data: u32) {
    // SAFETY: as in `host_read`.
    let bus = unsafe { &mut *(ctx as *mut Bus) };
    let resp = bus.model.axil_write(addr, data);
    bus.log.push(CsrOp::Write {
        addr,
        data,
        strb: 0xf,
        resp,
    });
}

/// The shim compiled with the driver: bus accesses go to two callbacks of the host.
const HOST_SHIM: &str = r#"#include "gca_driver.h"

typedef uint32_t (*host_read_fn)(void *ctx, uint32_t addr);
typedef void (*host_write_fn)(void *ctx, uint32_t addr, uint32_t data);

static void *host_ctx;
static host_read_fn host_read;
static host_write_fn host_write;

void host_connect(void *ctx, host_read_fn r, host_write_fn w)
{
    host_ctx = ctx;
    host_read = r;
    host_write = w;
}

uint32_t gca_read32(const struct gca_dev *dev, uint32_t offset)
{
    return host_read(host_ctx, (uint32_t)dev->base + offset);
}

void gca_write32(const struct gca_dev *dev, uint32_t offset, uint32_t value)
{
    host_write(host_ctx, (uint32_t)dev->base + offset, value);
}
"#;

type Connect = unsafe extern "C" fn(
    *mut c_void,
    extern "C" fn(*mut c_void, u32) -> u32,
    extern "C" fn(*mut c_void, u32, u32),
);

/// The driver's entry points, loaded from the compiled library.
struct Driver {
    _lib: libloading::Library,
    identify: unsafe extern "C" fn(*const Dev, *mut Info) -> i32,
    default_scalers: unsafe extern "C" fn(*mut HeadScalers),
    set_head_scalers: unsafe extern "C" fn(*const Dev, u32, u32, *const HeadScalers) -> i32,
    get_head_scalers: unsafe extern "C" fn(*const Dev, u32, u32, *mut HeadScalers) -> i32,
    read_counters: unsafe extern "C" fn(*const Dev, *mut Counts),
    read_status: unsafe extern "C" fn(*const Dev) -> u32,
    clear_status: unsafe extern "C" fn(*const Dev, u32),
    soft_reset: unsafe extern "C" fn(*const Dev),
    enable: unsafe extern "C" fn(*const Dev, i32),
}

/// Compiles the driver of the generated folder `dir` with the host shim into a shared library
/// and loads it; the compiler must print nothing.
fn compile_driver(dir: &Path, bus: &mut Bus) -> Driver {
    let regmap = dir.join("regmap");
    std::fs::write(regmap.join("host_shim.c"), HOST_SHIM).unwrap();
    let lib = regmap.join("libgca_driver.so");
    let out = Command::new("cc")
        .current_dir(&regmap)
        .args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-DGCA_DRIVER_EXTERNAL_IO",
            "-fPIC",
            "-shared",
            "-o",
            "libgca_driver.so",
            "gca_driver.c",
            "host_shim.c",
        ])
        .output()
        .expect("run cc: install the Debian package gcc");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "cc:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // SAFETY: the library just built from the generated driver and the shim above; the
    // symbol types are the prototypes of gca_driver.h.
    unsafe {
        let l = libloading::Library::new(&lib).unwrap();
        let connect: Connect = *l.get(b"host_connect").unwrap();
        connect(bus as *mut Bus as *mut c_void, host_read, host_write);
        Driver {
            identify: *l.get(b"gca_identify").unwrap(),
            default_scalers: *l.get(b"gca_default_scalers").unwrap(),
            set_head_scalers: *l.get(b"gca_set_head_scalers").unwrap(),
            get_head_scalers: *l.get(b"gca_get_head_scalers").unwrap(),
            read_counters: *l.get(b"gca_read_counters").unwrap(),
            read_status: *l.get(b"gca_read_status").unwrap(),
            clear_status: *l.get(b"gca_clear_status").unwrap(),
            soft_reset: *l.get(b"gca_soft_reset").unwrap(),
            enable: *l.get(b"gca_enable").unwrap(),
            _lib: l,
        }
    }
}

fn read(addr: u32, data: u32) -> CsrOp {
    CsrOp::Read {
        addr,
        resp: RESP_OKAY,
        data: Some(data),
    }
}

fn write(addr: u32, data: u32) -> CsrOp {
    CsrOp::Write {
        addr,
        data,
        strb: 0xf,
        resp: RESP_OKAY,
    }
}

fn heads(p: &Params) -> impl Iterator<Item = (u32, u32)> {
    let (l, h) = (p.shape.n_layer as u32, p.shape.n_head as u32);
    (0..l).flat_map(move |layer| (0..h).map(move |head| (layer, head)))
}

/// Packets `range` of `s` on the model and their expected outputs, beat by beat (no CSR
/// script: the counters are read through the driver).
fn run_packets(p: &Params, bus: &mut Bus, s: &Scenario, range: Range<usize>, what: &str) {
    let stim: Vec<Beat> = s.packets[range.clone()]
        .iter()
        .flat_map(|pk| pk.beats.clone())
        .collect();
    let expect: Vec<Beat> = s
        .expected
        .iter()
        .filter(|e| range.contains(&e.packet))
        .flat_map(|e| e.beats.clone())
        .collect();
    let run = run_stream(&mut bus.model, p, &stim, &expect, &StreamDrive::default());
    run.unwrap_or_else(|e| panic!("{what}: {e}"));
}

/// `s` in lockstep with the twin; the run ends by checking the counters and STATUS since the
/// design's reset, and clearing STATUS.
fn stream(p: &Params, bus: &mut Bus, s: &Scenario, what: &str) {
    let drive = Drive {
        seed: 5,
        gaps: false,
        backpressure: false,
        bursts: false,
    };
    let r = lockstep::run(p, &mut bus.model, s, drive, |_, _| {});
    assert_eq!(r.mismatches, 0, "{what}: {:?}", r.mismatch);
    assert_eq!(r.packets_out, s.expected.len(), "{what}");
}

#[test]
fn the_c_driver_runs_the_design() {
    let p = gca::config::load("tiny").unwrap();
    let map = RegMap::new(&p);
    let off = |name: &str| map.offset(name).unwrap();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.join(format!("gca-cdriver-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    gca::emit::write::write_folder(&dir, &gca::emit::generate(&p).unwrap(), false).unwrap();
    let mut model = Model::build(&p, &dir, &tmp.join("gca-verilator"), |_| {}).unwrap();
    model.reset(4);
    let mut bus = Box::new(Bus {
        model,
        log: Vec::new(),
    });
    let drv = compile_driver(&dir, &mut bus);
    let dev = Dev { base: 0 };
    // The driver runs only inside these calls; the test touches `bus` between them.
    let bus: &mut Bus = &mut bus;

    // Identification: ID, CONFIG_HASH, then the readback.
    let mut info = Info::default();
    assert_eq!(unsafe { (drv.identify)(&dev, &mut info) }, GCA_OK);
    let hash = map.get("CONFIG_HASH").unwrap().reset;
    assert_eq!(
        (info.version, info.config_hash),
        (version_value(&map.generator_version), hash)
    );
    let shape = [
        info.n_layer,
        info.n_head,
        info.d_head,
        info.window,
        info.tile,
    ];
    let s = &p.shape;
    let want = [s.n_layer, s.n_head, s.d_head, s.window, s.tile].map(|v| v as u32);
    assert_eq!(shape, want);
    assert_eq!(info.decode_latency as u64, p.cycles.decode_latency);
    let id = map.get("ID").unwrap().reset;
    assert_eq!(
        bus.log[..2],
        [read(off("ID"), id), read(off("CONFIG_HASH"), hash)]
    );
    assert!(bus
        .log
        .iter()
        .all(|op| matches!(op, CsrOp::Read { resp: 0, .. })));
    bus.log.clear();

    // Defaults are the reset values; scalers programmed through the driver are exactly the
    // transfers of the benches' own script, read back equal, and used by the datapath.
    let mut defaults = HeadScalers::default();
    unsafe { (drv.default_scalers)(&mut defaults) };
    let reset = ScalerRegisters::defaults(&p).values().map(|v| v as i32);
    assert_eq!(defaults.0, reset);
    let scalers = Scalers {
        q: (0.3, 0.45),
        k: (0.2, -0.05),
        v: (0.25, 0.4),
        out: (1.5, -0.125),
    };
    let regs = ScalerRegisters::new(&p, scalers).unwrap();
    let mine = HeadScalers(regs.values().map(|v| v as i32));
    assert_ne!(mine, defaults);
    assert!(mine.0[3] < 0 && mine.0[7] < 0, "{mine:?}");
    for (layer, head) in heads(&p) {
        assert_eq!(
            unsafe { (drv.set_head_scalers)(&dev, layer, head, &mine) },
            GCA_OK
        );
    }
    assert_eq!(bus.log, program_scalers(&p, &regs));
    for (layer, head) in heads(&p) {
        let mut back = HeadScalers::default();
        assert_eq!(
            unsafe { (drv.get_head_scalers)(&dev, layer, head, &mut back) },
            GCA_OK
        );
        assert_eq!(back, mine, "L{layer} H{head}");
    }
    bus.log.clear();
    // Out of range: refused, nothing written.
    let (l, h) = (p.shape.n_layer as u32, p.shape.n_head as u32);
    let mut wide = mine;
    wide.0[0] = 1 << (map.scalers.scaler_bits - 1);
    let refused = unsafe {
        [
            (drv.set_head_scalers)(&dev, l, 0, &mine),
            (drv.set_head_scalers)(&dev, 0, h, &mine),
            (drv.set_head_scalers)(&dev, 0, 0, &wide),
        ]
    };
    assert_eq!(refused, [GCA_ERR_RANGE; 3]);
    assert!(bus.log.is_empty(), "{:?}", bus.log);
    let opts = StreamOptions {
        tokens: 12,
        seed: 7,
        interleaved: true,
        reset_every: 0,
        commands: false,
    };
    let programmed = random_stream(&p, &opts, DesignTwin::with_registers(&p, regs));
    stream(&p, bus, &programmed, "stream with the driver's scalers");

    // Counters: TOKENS, ERRORS, RESULTS, then the cycle counter LO before HI.
    let mut c = Counts::default();
    unsafe { (drv.read_counters)(&dev, &mut c) };
    let tokens = programmed.tokens() as u32;
    assert_eq!((c.tokens, c.errors, c.results), (tokens, 0, tokens));
    assert!(c.cycles > 0 && c.cycles <= bus.model.cycles(), "{c:?}");
    let order: Vec<u32> = bus
        .log
        .iter()
        .map(|op| match op {
            CsrOp::Read { addr, .. } => *addr,
            CsrOp::Write { .. } => panic!("a write while reading the counters"),
        })
        .collect();
    let names = ["TOKENS", "ERRORS", "RESULTS", "CYCLES_LO", "CYCLES_HI"];
    assert_eq!(order, names.map(off));
    bus.log.clear();

    // Back to the default scalers, soft reset (CONTROL read, ENABLE kept, SOFT_RESET set),
    // then tokens of layer 0 from position 0 and an unknown opcode: the datapath restarted,
    // the CSRs kept counting.
    for (layer, head) in heads(&p) {
        assert_eq!(
            unsafe { (drv.set_head_scalers)(&dev, layer, head, &defaults) },
            GCA_OK
        );
    }
    bus.log.clear();
    unsafe { (drv.soft_reset)(&dev) };
    let control = off("CONTROL");
    assert_eq!(bus.log, [read(control, 1), write(control, 0b011)]);
    let mut b = Builder::new(&p, 3);
    (0..4).for_each(|_| b.token(0));
    b.bad(BadRule::UnknownOpcode, 0);
    let again = b.finish();
    // The error packet after the results: one run each, so that their order is fixed.
    run_packets(
        &p,
        bus,
        &again,
        0..4,
        "tokens from position 0 after the soft reset",
    );
    run_packets(&p, bus, &again, 4..5, "the unknown opcode");
    let want = Counters::after(&again.packets);
    assert!(want.status != 0 && bus.model.irq());
    let status = unsafe { (drv.read_status)(&dev) };
    assert_eq!(status, want.status);
    unsafe { (drv.read_counters)(&dev, &mut c) };
    let total = tokens + want.tokens;
    assert_eq!((c.tokens, c.errors, c.results), (total, 1, total));

    // Clear STATUS: the flags written back, irq low, STATUS 0.
    bus.log.clear();
    unsafe { (drv.clear_status)(&dev, status) };
    assert_eq!(bus.log, [write(off("STATUS"), status)]);
    bus.model.tick();
    assert!(!bus.model.irq());
    assert_eq!(unsafe { (drv.read_status)(&dev) }, 0);

    // Disable holds the input stream; enable releases it.
    unsafe { (drv.enable)(&dev, 0) };
    bus.model.set_s_axis_tvalid(true);
    bus.model.eval();
    assert!(!bus.model.s_axis_tready());
    bus.model.set_s_axis_tvalid(false);
    unsafe { (drv.enable)(&dev, 1) };
    bus.model.eval();
    assert!(bus.model.s_axis_tready());
    drop(drv);
    let _ = std::fs::remove_dir_all(&dir);
}
