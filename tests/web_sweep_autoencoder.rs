#![cfg(target_arch = "wasm32")]
//! The URL sweep (see `tests/web_sweep.rs`) of the `autoencoder` lesson, in a page of its own.
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown
//! --test web_sweep_autoencoder`.

#[path = "support/sweep.rs"]
#[macro_use]
mod sweep_support;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

sweep!(autoencoder);

#[wasm_bindgen_test]
fn this_file_sweeps_its_group() {
    assert_eq!(SWEPT, sweep_support::GROUPS[5]);
}
