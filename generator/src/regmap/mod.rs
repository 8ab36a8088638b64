//! The CSR register map: one description, emitted as Markdown, C header and JSON, and used by
//! the `gca_csr` RTL. (Being written.)
