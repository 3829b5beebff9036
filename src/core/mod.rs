//! The web-free numeric core of dlviz: tensors, kernels and their maths.
//!
//! Nothing in this module knows about Leptos, the DOM or wasm-bindgen (a test in
//! `tests/core_is_web_free.rs` enforces it), so every formula here is tested natively and
//! usable by any crate that depends on `dlviz`.

pub mod activation;
pub mod conv;
pub mod rng;
pub mod tensor;

pub use conv::{conv2d, Conv2dParams, ConvError};
pub use rng::Rng;
pub use tensor::{ShapeError, Tensor};
