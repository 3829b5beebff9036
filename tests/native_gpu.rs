//! The native GPU test binary: `tests/gpu_*.rs` folded in as modules, on whatever Vulkan
//! adapter is present (lavapipe in CI, where `DLVIZ_REQUIRE_GPU=1` makes a missing adapter a
//! failure). Run one file's tests by its module name, e.g. `cargo test --test native_gpu
//! gpu_vae::`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "gpu_dense.rs"]
mod gpu_dense;
#[path = "gpu_native.rs"]
mod gpu_native;
#[path = "gpu_vae.rs"]
mod gpu_vae;
