//! gca_egress: see docs/rtl.md. (Being written.)
