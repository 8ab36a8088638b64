//! The digital design of one configuration, as `hdl` modules: every block of docs/rtl.md, one
//! file a block, each built from the resolved parameters alone. [`build`] returns the checked
//! design; the macro views live in `crate::macros`, the register map in `crate::regmap`.

pub mod common;
pub mod csr;
pub mod egress;
pub mod ingress;

pub use common::{config_hash, header_comment, GENERATOR_VERSION};
