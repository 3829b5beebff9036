//! dlviz — an interactive visual textbook of deep learning, computed for real in the browser.
//!
//! * [`core`]: the web-free numeric core (tensors, kernels); native and wasm.
//! * [`gpu`]: the WebGPU/wgpu backend for the same ops; native (Vulkan) and wasm (WebGPU).
//! * [`url_state`], [`i18n`]: web-free pieces of the app (URL schema, zh/en catalog).
//! * [`lessons`]: the lesson registry and each lesson's metadata, strings and models on every
//!   target; the lessons' pages on wasm only.
//! * `page`, `ui`, `lessons`, `app` (wasm only): the Leptos app — `page` holds the contexts
//!   the other three share.

pub mod compute;
pub mod core;
pub mod gpu;
pub mod i18n;
pub mod url_state;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
pub mod bench;
pub mod lessons;
#[cfg(target_arch = "wasm32")]
pub mod page;
#[cfg(target_arch = "wasm32")]
pub mod ui;
