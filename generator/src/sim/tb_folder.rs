//! `tb/` of a generated folder: the self-checking Icarus bench of [`super::icarus`] with its
//! data for one seeded stream, so that the design can be simulated without Rust (FuseSoC's
//! `sim` target runs it). The stream is [`TB_SEED`]'s: position-major TOKEN packets, two per
//! layer (at least [`MIN_TOKENS`]), with gaps on the input and back-pressure on the output; the
//! expected packets are the hardware twin's with the reset scaler registers.

use crate::config::Params;

use super::csr::CsrScript;
use super::icarus::{self, Drive};
use super::scenario::{random_stream, StreamOptions};
use super::twin::DesignTwin;

/// Seed of the stream in `tb/`.
pub const TB_SEED: u64 = 1;
/// Fewest TOKEN packets of the stream.
pub const MIN_TOKENS: usize = 4;

/// The files of `tb/`, by path relative to the generated folder.
pub fn files(p: &Params) -> Vec<(String, String)> {
    let tokens = (2 * p.shape.n_layer).max(MIN_TOKENS);
    let opts = StreamOptions {
        tokens,
        seed: TB_SEED,
        interleaved: true,
        reset_every: 0,
        commands: false,
    };
    let scenario = random_stream(p, &opts, DesignTwin::new(p));
    let drive = Drive {
        gaps: true,
        backpressure: true,
    };
    let bench = icarus::bench(p, &scenario, drive, &CsrScript::default(), None)
        .expect("a random stream has no cut packet");
    let mut files: Vec<(String, String)> = bench
        .into_iter()
        .map(|(name, text)| (format!("tb/{name}"), text))
        .collect();
    files.push((
        "tb/README.md".to_string(),
        readme(p, tokens, scenario.expected.len()),
    ));
    files
}

fn readme(p: &Params, tokens: usize, packets: usize) -> String {
    format!(
        "# Testbench of `{name}`\n\n\
         A self-checking Verilog bench that runs without Rust. `gca_tb.v` drives `gca_top_checked`\n\
         (`gca_top` with the AXI4-Stream and AXI4-Lite protocol checkers of `../checkers/`) with the\n\
         beats of `stim.hex` ({tokens} TOKEN packets of a seeded stream, seed {seed}, position-major over\n\
         the layers, with gaps on the input stream and back-pressure on the output stream), matches\n\
         every output packet with the next expected packet of its layer in `expect.hex` ({packets}\n\
         result packets, computed by the generator's hardware twin; `origin.hex` names the input\n\
         packet behind each expected beat) and prints one line:\n\n\
         ```\n\
         GCA-TB PASS: <packets> packets in <cycles> cycles\n\
         GCA-TB FAIL: expect.hex line <n>, input packet <k>, cycle <c>: expected <beat>, got <beat>\n\
         GCA-TB FAIL: cycle <c>: protocol checker rule <code>\n\
         ```\n\n\
         It reads its `.hex` files and the macro's cell table (`models/gca_subtile_gtab.hex`, or the\n\
         path in the define `GCA_SUBTILE_GTAB`) from the simulator's working folder.\n\n\
         With FuseSoC (2.4.7), from the generated folder:\n\n\
         ```\n\
         fusesoc --cores-root . run --target=sim {vlnv}\n\
         ```\n\n\
         With Icarus alone, from this folder:\n\n\
         ```\n\
         iverilog -g2005 -DGCA_SUBTILE_GTAB='\"../models/gca_subtile_gtab.hex\"' -s gca_tb -o tb.vvp \\\n  \
         gca_tb.v ../checkers/*.v $(grep -v '^//' ../sim.f | sed 's|^|../|')\n\
         vvp -n tb.vvp\n\
         ```\n\n\
         `gca sim {name} --simulator icarus` runs the same bench on other seeded streams.\n",
        name = p.name,
        seed = TB_SEED,
        vlnv = crate::asic::vlnv(p),
    )
}
