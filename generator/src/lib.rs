//! `gca`: generator of a mixed-signal gain-cell attention accelerator.
//!
//! The pipeline, one folder a stage (see ARCHITECTURE.md):
//! configuration (`config`) -> resolved parameters (`config::Params`) -> golden models
//! (`models`: the float reference R and the integer hardware twin H) -> emitters (`rtl`,
//! `macros`, `regmap`, `report`: the datasheet) -> files (`emit`).

pub mod analog;
pub mod asic;
pub mod checkers;
pub mod cli;
pub mod config;
pub mod emit;
pub mod flow;
pub mod hdl;
pub mod macros;
pub mod models;
pub mod regmap;
pub mod report;
pub mod rng;
pub mod rtl;
pub mod sim;
pub mod sweep;
