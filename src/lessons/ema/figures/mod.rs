//! The lesson's panels (wasm only).

pub mod weights;
