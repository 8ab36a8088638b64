//! The FuseSoC CAPI2 core (`gca.core`, at the root of the generated folder so that every file
//! it names is inside it): file sets (RTL, the macro's blackbox and behavioral views, the SDC,
//! the bench of `tb/`), a `USE_POWER_PINS` parameter on every target, a lint target with
//! Verilator and a simulation target that runs the bench with Icarus.

use askama::Template;

use crate::config::Params;
use crate::rtl::{header_comment, GENERATOR_VERSION};

#[derive(Template)]
#[template(path = "gca.core")]
struct Core<'a> {
    header: Vec<String>,
    vlnv: String,
    config: &'a str,
    rtl: &'a [String],
}

/// The core's name: `gca:accelerator:gca_<config>:<version>` (VLNV; characters outside
/// `[A-Za-z0-9_]` of the configuration name become `_`).
pub(crate) fn vlnv(p: &Params) -> String {
    format!(
        "gca:accelerator:gca_{}:{GENERATOR_VERSION}",
        super::safe_name(&p.name)
    )
}

pub(crate) fn core(p: &Params, rtl: &[String]) -> String {
    let view = Core {
        header: header_comment(p, "FuseSoC CAPI2 core of the generated accelerator."),
        vlnv: vlnv(p),
        config: &p.name,
        rtl,
    };
    crate::asic::render(&view, "FuseSoC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_files_and_top() {
        let p = crate::config::load("gpt2-head").unwrap();
        let rtl = vec!["rtl/gca_csr.v".to_string(), "rtl/gca_top.v".to_string()];
        let text = core(&p, &rtl);
        assert!(text.starts_with("CAPI=2:\n"));
        assert!(text.contains("name: gca:accelerator:gca_gpt2_head:"));
        assert!(text.contains("      - rtl/gca_csr.v\n      - rtl/gca_top.v\n"));
        assert!(text.contains("toplevel: gca_top"));
        assert!(text.contains("toplevel: gca_tb"));
        assert_eq!(text.matches("parameters: [USE_POWER_PINS]").count(), 2);
        assert!(text.contains("flow: lint\n    flow_options:\n      tool: verilator"));
        assert!(text.contains("flow: sim\n    flow_options:\n      tool: icarus"));
    }
}
