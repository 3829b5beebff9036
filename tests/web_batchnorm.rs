#![cfg(target_arch = "wasm32")]
//! Browser tests of the Batch-normalization lesson (src/lessons/batchnorm*): it mounts with
//! its controls, charts, histograms and table; single steps train both runs and fill the
//! histograms and the μ_B/σ²_B/γ/β table; playing moves the loss curves; batch size 1 shows
//! the notice and a batch variance of exactly 0; inference mode normalises with the running
//! statistics; the learning-rate sweep fills its table.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_batchnorm::`

use wasm_bindgen_test::*;
#[path = "support/web.rs"]
mod web;
use web::until_secs as until;
use web::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_lesson(query: &str) -> Mounted {
    web::mount_lesson_within("batchnorm", query, "[data-testid=\"train-play\"]", 10).await
}

#[wasm_bindgen_test]
async fn mounts_steps_and_fills_the_inspector() {
    let _app = mount_lesson("data=moons&bs=16&seed=3").await;
    for id in [
        "bn-data",
        "bn-batch",
        "bn-lr",
        "bn-eps",
        "bn-momentum",
        "bn-seed",
        "bn-layer",
        "bn-mode",
        "train-play",
        "train-step",
        "chart-bn-loss",
        "chart-bn-val",
        "bn-hist-pre",
        "bn-hist-post",
        "bn-stats",
        "bn-sweep-run",
        "export-png-bn-hist-post",
        "export-csv-bn-hist-post",
        "export-png-bn-loss",
    ] {
        tid(id);
    }
    assert!(q("[data-testid=\"bn-b1-notice\"]").is_none());
    assert!(text("bn-pre-summary").contains("Take a training step"));
    for _ in 0..3 {
        tid("train-step").click();
    }
    until("3 steps", 10, || steps() == 3).await;
    until("histogram summary", 10, || text("bn-pre-summary").contains("512 values")).await;
    // Training-mode BN output: per feature mean β and variance γ²·σ²/(σ²+ε) ≈ γ²; the table
    // shows 8 features with a positive batch variance and γ near 1.
    let table = rows("bn-stats");
    assert_eq!(table.len(), 8, "{table:?}");
    for r in &table {
        let var: f32 = r[2].parse().unwrap();
        let gamma: f32 = r[3].parse().unwrap();
        assert!(var > 0.0, "{r:?}");
        assert!((gamma - 1.0).abs() < 0.5, "{r:?}");
    }
    // The histograms were drawn.
    let (w, h, _, _) = canvas_digest("bn-hist-post");
    assert!(w > 10 && h > 10);
}

#[wasm_bindgen_test]
async fn playing_moves_the_curves() {
    let _app = mount_lesson("data=moons&bs=32&seed=1&lr=0.3").await;
    tid("train-step").click();
    until("1 step", 10, || steps() == 1).await;
    sleep(100).await;
    let before = canvas_digest("chart-bn-loss");
    tid("train-play").click();
    until("40 steps", 30, || steps() >= 40).await;
    tid("train-play").click(); // pause
    sleep(200).await;
    let after = canvas_digest("chart-bn-loss");
    assert_ne!(before.2, after.2, "the loss chart did not change");
    assert!(text("train-status").contains("Paused"), "{}", text("train-status"));
}

#[wasm_bindgen_test]
async fn batch_size_one_shows_the_failure() {
    let _app = mount_lesson("data=moons&bs=1&seed=2").await;
    until("batch-size-1 notice", 5, || q("[data-testid=\"bn-b1-notice\"]").is_some()).await;
    assert!(text("bn-b1-notice").contains("σ²_B = 0"), "{}", text("bn-b1-notice"));
    tid("train-step").click();
    until("1 step", 10, || steps() == 1).await;
    until("table", 10, || !rows("bn-stats").is_empty()).await;
    // With one example, the batch variance of every feature is exactly 0 …
    for r in rows("bn-stats") {
        assert_eq!(r[2], "0", "{r:?}");
    }
    // … and the layer's output is β: 32 values, all features at their β.
    assert!(text("bn-post-summary").contains("32 values"), "{}", text("bn-post-summary"));
}

#[wasm_bindgen_test]
async fn inference_mode_uses_running_statistics() {
    let _app = mount_lesson("data=moons&bs=16&seed=5&mode=eval").await;
    for _ in 0..2 {
        tid("train-step").click();
    }
    until("2 steps", 10, || steps() == 2).await;
    until("table", 10, || !rows("bn-stats").is_empty()).await;
    // In inference mode the μ and σ² used are the running ones (columns 5 and 6).
    for r in rows("bn-stats") {
        assert_eq!(r[1], r[5], "{r:?}");
        assert_eq!(r[2], r[6], "{r:?}");
    }
    set_select("bn-mode", "train");
    until("batch statistics", 5, || rows("bn-stats").iter().any(|r| r[1] != r[5])).await;
}

#[wasm_bindgen_test]
async fn the_learning_rate_sweep_fills_its_table() {
    // The whole sweep's outcome (BN trains where the plain net diverges) is checked natively
    // in tests/core_nn_bn_lesson.rs; here: it runs in the page, row by row, without blocking.
    let _app = mount_lesson("data=moons&bs=32&seed=4").await;
    tid("bn-sweep-run").click();
    until("the sweep status", 10, || text("bn-sweep-status").contains("Running")).await;
    until("2 sweep rows", 150, || rows("bn-sweep-table").len() >= 2).await;
    let table = rows("bn-sweep-table");
    assert_eq!(table[0][0], "0.01");
    assert_eq!(table[1][0], "0.03");
    for r in &table[..2] {
        assert!(r[1].parse::<f32>().is_ok() && r[2].parse::<f32>().is_ok(), "{r:?}");
        assert!(r[3].ends_with('%'), "{r:?}");
    }
}
