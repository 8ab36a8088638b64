//! gca_ingress: see docs/rtl.md. (Being written.)
