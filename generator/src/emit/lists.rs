//! File lists (`synth.f`, `sim.f`): one path per line, relative to the generated folder, in
//! compile order (the macro view first, then every module after the modules it instantiates),
//! as Verilator, Icarus (`-f` / `-c`) and Yosys scripts read them.

use crate::config::Params;

pub fn file_list(p: &Params, what: &str, macro_view: &str, rtl_order: &[String]) -> String {
    let mut out = String::new();
    for line in crate::rtl::header_comment(p, &format!("File list for {what}.")) {
        out.push_str(&format!("// {line}\n"));
    }
    out.push_str("// Paths are relative to this folder.\n");
    out.push_str(&format!("models/{macro_view}\n"));
    for f in rtl_order {
        out.push_str(f);
        out.push('\n');
    }
    out
}
