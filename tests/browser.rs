//! The browser test binary (wasm32, headless Chromium, WebGPU on SwiftShader): the shell, every
//! lesson's page, the training kit, MNIST loading and the WebGPU backend — the
//! `tests/web_*.rs` files folded in as modules, so the tier compiles, links, binds and opens
//! one page for all of them instead of one per file. The URL sweep and the mount/unmount leak
//! cycles have their own page (`browser_sweep.rs`); the benchmarks are `web_bench*.rs`
//! (`cargo xtask bench --web-test`).
//!
//! `WASM_BINDGEN_TEST_TIMEOUT` bounds the whole page (all tests together), not each test:
//! `cargo xtask test browser` sets it per binary. Run: `CHROMEDRIVER=/usr/bin/chromedriver
//! WASM_BINDGEN_TEST_TIMEOUT=600 cargo test --target wasm32-unknown-unknown --test browser`,
//! optionally with a filter naming a module (`-- web_shell::`).
//!
//! The tests share one page, so each must leave it as it found it: apps unmounted (the
//! mounting helpers also remove what a failed test left behind), no running loops. A new
//! browser test file is added here as `#[path = "web_x.rs"] mod web_x;`.
#![cfg(target_arch = "wasm32")]
// Several files include `support/web.rs` as their own `mod web` (as when each was a crate).
#![allow(clippy::duplicate_mod)]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/frame_budget.rs"]
mod frame_budget;

/// The frame budget and caps `train_budget.rs` checks natively (against a fake clock) are the
/// app's.
#[wasm_bindgen_test]
fn frame_budget_constants_are_the_apps() {
    assert_eq!(dlviz::ui::train::FRAME_BUDGET_MS, frame_budget::FRAME_BUDGET_MS);
    assert_eq!(dlviz::ui::train::SPEEDS, frame_budget::SPEEDS);
}

#[path = "web_autoencoder.rs"]
mod web_autoencoder;
#[path = "web_batchnorm.rs"]
mod web_batchnorm;
#[path = "web_convolution.rs"]
mod web_convolution;
#[path = "web_divergence.rs"]
mod web_divergence;
#[path = "web_ema.rs"]
mod web_ema;
#[path = "web_gpu.rs"]
mod web_gpu;
#[path = "web_gpu_dense.rs"]
mod web_gpu_dense;
#[path = "web_gpu_vae.rs"]
mod web_gpu_vae;
#[path = "web_mnist.rs"]
mod web_mnist;
#[path = "web_sgd.rs"]
mod web_sgd;
#[path = "web_shell.rs"]
mod web_shell;
#[path = "web_softmax.rs"]
mod web_softmax;
#[path = "web_train.rs"]
mod web_train;
#[path = "web_vae.rs"]
mod web_vae;
