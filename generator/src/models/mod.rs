//! Golden models. They live apart from the generator's design description and emitters so that a
//! bug in one cannot compare equal to itself.
//!
//! - [`mod@reference`]: R, the float64 reference of SPEC section 2 (the authors' algorithm).
//! - [`twin`]: H, the integer hardware twin, bit-exact and cycle-exact with the RTL.

pub mod compare;
pub mod reference;
pub mod stimulus;
pub mod twin;
