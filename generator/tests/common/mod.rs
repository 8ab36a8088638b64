//! Helpers shared by the integration tests (each test binary uses some of them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary folder, unique per process and test, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("gca-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    /// Writes `text` to `name` in the folder and returns the file's path.
    pub fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write temp file");
        path.to_str().expect("utf-8 temp path").to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs an external tool in `dir`; a missing tool fails the test with its Debian package.
#[allow(dead_code)]
pub fn run(tool: &str, package: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{tool}` ({e}): install the Debian package `{package}` \
                 (apt-get install {package})"
            )
        })
}

/// The start of a bench module around `gca_csr`: the AXI4-Lite master's signals and the
/// datapath's inputs as regs (idle), every output as a wire, the instance `dut` and a 10 ns
/// clock `clk`; `aw` address bits, `scaler_bits` bits of the `scalers` port.
#[allow(dead_code)]
pub fn csr_dut(aw: u32, scaler_bits: u32) -> String {
    format!(
        "\
  localparam AW = {aw};
  reg clk = 1'b0;
  reg rst_n = 1'b0;
  reg [AW-1:0] awaddr = {{AW{{1'b0}}}};
  reg [2:0] awprot = 3'd0;
  reg awvalid = 1'b0;
  wire awready;
  reg [31:0] wdata = 32'd0;
  reg [3:0] wstrb = 4'd0;
  reg wvalid = 1'b0;
  wire wready;
  wire [1:0] bresp;
  wire bvalid;
  reg bready = 1'b0;
  reg [AW-1:0] araddr = {{AW{{1'b0}}}};
  reg [2:0] arprot = 3'd0;
  reg arvalid = 1'b0;
  wire arready;
  wire [31:0] rdata;
  wire [1:0] rresp;
  wire rvalid;
  reg rready = 1'b0;
  wire irq;
  wire enable;
  wire soft_reset;
  wire clear_windows;
  wire [{scaler_bits}-1:0] scalers;
  reg ev_token = 1'b0;
  reg ev_error = 1'b0;
  reg ev_result = 1'b0;
  reg [3:0] ev_err_kind = 4'd0;
  reg busy = 1'b0;

  gca_csr dut (
    .clk(clk), .rst_n(rst_n),
    .s_axil_awaddr(awaddr), .s_axil_awprot(awprot), .s_axil_awvalid(awvalid),
    .s_axil_awready(awready), .s_axil_wdata(wdata), .s_axil_wstrb(wstrb),
    .s_axil_wvalid(wvalid), .s_axil_wready(wready), .s_axil_bresp(bresp),
    .s_axil_bvalid(bvalid), .s_axil_bready(bready), .s_axil_araddr(araddr),
    .s_axil_arprot(arprot), .s_axil_arvalid(arvalid), .s_axil_arready(arready),
    .s_axil_rdata(rdata), .s_axil_rresp(rresp), .s_axil_rvalid(rvalid),
    .s_axil_rready(rready), .irq(irq), .enable(enable), .soft_reset(soft_reset),
    .clear_windows(clear_windows), .scalers(scalers), .ev_token(ev_token),
    .ev_error(ev_error), .ev_result(ev_result), .ev_err_kind(ev_err_kind), .busy(busy)
  );

  always #5 clk = ~clk;
"
    )
}
