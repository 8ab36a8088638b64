//! Emitters: the resolved parameters to the files of one generated folder (SPEC section 5),
//! as an in-memory set of `(relative path, text)` ([`generate`]), and the one place that
//! writes such a set to disk ([`write::write_folder`]): atomically, refusing to overwrite
//! files it did not generate.

mod lists;
mod manifest;
pub mod write;

use std::collections::BTreeMap;

use crate::config::Params;
use crate::hdl::{Design, HdlError};
use crate::{asic, macros, regmap, report, rtl};

pub use manifest::{sha256_bytes, sha256_hex, Manifest, MANIFEST};

/// The files of one generated folder, by path relative to it ('/' separated), sorted: the text
/// files, then the binary ones (the macro's GDS).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Files(pub BTreeMap<String, String>, pub BTreeMap<String, Vec<u8>>);

impl Files {
    fn add(&mut self, path: impl Into<String>, text: String) {
        let path = path.into();
        assert!(
            !self.1.contains_key(&path) && self.0.insert(path.clone(), text).is_none(),
            "{path} emitted twice"
        );
    }

    fn add_binary(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        let path = path.into();
        assert!(
            !self.0.contains_key(&path) && self.1.insert(path.clone(), bytes).is_none(),
            "{path} emitted twice"
        );
    }

    /// Whether the set holds a file of this path (text or binary).
    pub fn contains(&self, path: &str) -> bool {
        self.0.contains_key(path) || self.1.contains_key(path)
    }

    /// Every path, sorted.
    pub fn paths(&self) -> Vec<String> {
        let mut all: Vec<String> = self.0.keys().chain(self.1.keys()).cloned().collect();
        all.sort();
        all
    }

    /// Lines over all files.
    pub fn lines(&self) -> usize {
        self.0.values().map(|t| t.lines().count()).sum()
    }

    pub fn bytes(&self) -> usize {
        self.0.values().map(String::len).sum()
    }
}

/// Everything `gca generate` writes for a configuration: rtl/ (one module per file),
/// models/ (the macro views), checkers/ (protocol checkers and `gca_top_checked`), synth.f and
/// sim.f, regmap/, constraints/ (SDC), macros/ (Liberty, LEF, GDS), flow/ (LibreLane or ORFS,
/// by profile), gca.core (FuseSoC), tb/ (the Icarus bench), docs/ (the datasheet, with the
/// estimated area: no flow results are read) and manifest.json. Fails only when the design
/// breaks a rule of
/// `hdl::check_widths` (a generator bug, reported in full).
pub fn generate(p: &Params) -> Result<Files, Vec<HdlError>> {
    generate_with_flow(
        p,
        &report::FlowLookup::NotRead,
        &report::AnalogLookup::NotRead,
    )
}

/// [`generate`] with the datasheet using the flow figures of `flow` when it holds some and the
/// pictures of the circuit simulation in `analog` (`gca report`).
pub fn generate_with_flow(
    p: &Params,
    flow: &report::FlowLookup,
    analog: &report::AnalogLookup,
) -> Result<Files, Vec<HdlError>> {
    let design = Design::new(rtl::modules(p));
    let rtl_files = design.files()?;
    let order = design.compile_order()?;
    let mut files = Files::default();
    for (name, text) in rtl_files {
        files.add(format!("rtl/{name}"), text);
    }
    files.add(
        format!("models/{}", macros::BLACKBOX_FILE),
        macros::blackbox(p),
    );
    files.add(
        format!("models/{}", macros::BEHAVIORAL_FILE),
        macros::behavioral(p),
    );
    files.add(format!("models/{}", macros::AMS_FILE), macros::ams(p));
    files.add(format!("models/{}", macros::GTAB_FILE), macros::gtab_hex(p));
    for (path, text) in crate::checkers::files(p) {
        files.add(path, text);
    }
    for (path, text) in macros::electrical_files(p) {
        files.add(path, text);
    }
    let rtl_order: Vec<String> = order.iter().map(|f| format!("rtl/{f}")).collect();
    files.add(
        "synth.f",
        lists::file_list(
            p,
            "synthesis: RTL and the macro's blackbox",
            macros::BLACKBOX_FILE,
            &rtl_order,
        ),
    );
    files.add(
        "sim.f",
        lists::file_list(
            p,
            "simulation: RTL and the macro's behavioral model",
            macros::BEHAVIORAL_FILE,
            &rtl_order,
        ),
    );
    let map = regmap::RegMap::new(p);
    for (name, text) in regmap::files(&map) {
        files.add(format!("regmap/{name}"), text);
    }
    for (path, text) in asic::files(p, &rtl_order) {
        files.add(path, text);
    }
    files.add_binary(asic::GDS_PATH, macros::gds(p));
    for (path, text) in crate::sim::tb_folder::files(p) {
        files.add(path, text);
    }
    for (path, text) in report::files(p, flow, analog) {
        files.add(path, text);
    }
    let manifest = Manifest::new(p, &files);
    files.add(MANIFEST, manifest.to_json());
    Ok(files)
}
