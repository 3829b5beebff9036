//! The lesson's panels (wasm only).

pub mod binary;
pub mod table;
