//! The lesson's panels, one component each (wasm only).

pub mod codes;
pub mod recon;
pub mod train;
