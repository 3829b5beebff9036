//! The sweep's browser binary (wasm32, headless Chromium): the registry's URL sweep
//! (`web_sweep.rs`: every lesson, parser-level and mounted) and the mount/unmount leak cycles
//! (`web_sweep_mounts.rs`) — the tests that mount the whole app many times, in a page of their
//! own. `WASM_BINDGEN_TEST_TIMEOUT` bounds the whole page; `cargo xtask test browser` sets it.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=900 cargo test --target
//! wasm32-unknown-unknown --test browser_sweep` (add `-- web_sweep::` for the URL sweep alone).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/url_garbage.rs"]
mod url_garbage;

#[path = "support/sweep.rs"]
mod sweep_support;

#[path = "web_sweep.rs"]
mod web_sweep;

#[path = "web_sweep_mounts.rs"]
mod web_sweep_mounts;
