//! gca_csr: see docs/rtl.md. (Being written.)
