//! The digital design of one configuration, as `hdl` modules: every block of docs/rtl.md, one
//! file a block, each built from the resolved parameters alone. [`build`] returns the checked
//! design; the macro views live in `crate::macros`, the register map in `crate::regmap`.

pub mod accumulator;
pub mod clock_gate;
pub mod common;
pub mod csr;
pub mod egress;
pub mod head;
pub mod ingress;
pub mod layer;
pub mod layer_ctrl;
pub mod out_scale;
pub mod pwm;
pub mod quantizer;
pub mod top;
pub mod window;
pub mod wires;

pub use common::{config_hash, header_comment, GENERATOR_VERSION};

use crate::config::Params;
use crate::hdl::Module;

/// Every synthesizable module of the design (the macro `gca_subtile` is not one of them).
pub fn modules(p: &Params) -> Vec<Module> {
    let mut all = vec![
        top::build(p),
        csr::build(p),
        ingress::build(p),
        egress::build(p),
    ];
    all.extend(layer_modules(p));
    all
}

/// The blocks of one layer and below (everything but the top, the CSR block and the streams).
pub fn layer_modules(p: &Params) -> Vec<Module> {
    vec![
        layer::build(p),
        layer_ctrl::build(p),
        window::build(p),
        head::build(p),
        quantizer::build(p),
        pwm::build(p),
        accumulator::build(p),
        out_scale::build(p),
        clock_gate::build(p),
    ]
}
