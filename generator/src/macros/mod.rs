//! The views of the analog macro `gca_subtile` (docs/rtl.md): blackbox, behavioral Verilog,
//! Verilog-AMS real-valued model. (Being written.)
