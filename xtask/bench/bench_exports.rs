//! The benchmark page's wasm module: links `dlviz::bench` (feature `bench`) into a cdylib so
//! that wasm-bindgen exports its classes. Built by `cargo xtask bench`, never by Trunk.

#[cfg(target_arch = "wasm32")]
pub use dlviz::bench::*;
