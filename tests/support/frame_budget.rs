//! The training loop's frame-budget constants as `tests/train_budget.rs` (native, fake clock)
//! tests them; the browser binary checks they are the app's (`ui::train`, wasm only).
#![allow(dead_code)]

/// `ui::train::FRAME_BUDGET_MS`: milliseconds of training per animation frame.
pub const FRAME_BUDGET_MS: f64 = 8.0;
/// `ui::train::SPEEDS`: the steps-per-frame caps the speed control offers.
pub const SPEEDS: &[u32] = &[1, 2, 5, 10, 50, 200, 1000];
