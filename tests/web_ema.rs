#![cfg(target_arch = "wasm32")]
//! Browser tests of the EMA lesson (src/lessons/ema.rs): the effective window text; the
//! smoothed series read out at step 1 (bias-corrected = the first value, uncorrected =
//! (1 − β)·first) and at β = 0 (both equal the series); the real training-loss source; the live
//! run with raw vs EMA weights evaluated on validation data (the EMA curve is smoother), and a
//! knob change restarting the run.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_ema::`

use dlviz::lessons::ema::{loss_series, random_walk, EmaRun, SERIES_LEN, VAL_EMA, VAL_RAW};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
#[path = "support/web.rs"]
mod web;
use web::*;
use web_sys::HtmlCanvasElement;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_lesson(query: &str) -> Mounted {
    web::mount_lesson("ema", query, "[data-testid=\"ema-window\"]").await
}

/// The numbers after each `": "` in a read-out line, in order.
fn readout_values(s: &str) -> Vec<f64> {
    s.split(" · ")
        .filter_map(|part| part.rsplit(": ").next())
        .filter_map(|v| v.trim().parse().ok())
        .collect()
}

#[wasm_bindgen_test]
async fn window_and_bias_correction_read_out() {
    let _app = mount_lesson("beta=0.9&seed=3&noise=1").await;
    let w = text("ema-window");
    assert!(w.contains("1/(1 − β) = 10 values"), "{w}");
    let xs = random_walk(SERIES_LEN, 1.0, 3);
    // Read out step 1: raw x₁, uncorrected 0.1·x₁, corrected x₁.
    let canvas: HtmlCanvasElement = tid("chart-ema-series").dyn_into().unwrap();
    canvas.focus().unwrap();
    key("chart-ema-series", "Home");
    sleep(30).await;
    let r = text("chart-ema-series-readout");
    assert!(r.starts_with("Step 1 "), "{r}");
    let v = readout_values(&r);
    assert_eq!(v.len(), 3, "{r}");
    let x1 = f64::from(xs[0]);
    assert!((v[0] - x1).abs() <= 1e-3 * x1.abs().max(1.0), "{r} vs x1 = {x1}");
    assert!((v[1] - 0.1 * x1).abs() <= 1e-3 * x1.abs().max(1.0), "{r}");
    assert!((v[2] - x1).abs() <= 1e-3 * x1.abs().max(1.0), "{r}");
    // β = 0: no smoothing, all three agree at the last step too.
    set_input("ema-beta", "0");
    sleep(30).await;
    assert!(text("ema-window").contains("= 1 values"), "{}", text("ema-window"));
    key("chart-ema-series", "End");
    sleep(30).await;
    let r = text("chart-ema-series-readout");
    assert!(r.starts_with(&format!("Step {SERIES_LEN} ")), "{r}");
    let v = readout_values(&r);
    let last = f64::from(xs[SERIES_LEN - 1]);
    for x in &v {
        assert!((x - last).abs() <= 1e-3 * last.abs().max(1.0), "{r} vs {last}");
    }
}

#[wasm_bindgen_test]
async fn training_loss_source_is_a_real_loss_curve() {
    let _app = mount_lesson("src=loss&seed=5").await;
    sleep(50).await;
    let losses = loss_series(SERIES_LEN, 5).unwrap();
    assert!(losses.iter().all(|v| v.is_finite() && *v >= 0.0));
    // Learning happened: the last 50 steps' mean is below the first 10's.
    let head: f32 = losses[..10].iter().sum::<f32>() / 10.0;
    let tail: f32 = losses[SERIES_LEN - 50..].iter().sum::<f32>() / 50.0;
    assert!(tail < head, "{tail} vs {head}");
    let w = text("ema-window");
    let x1 = dlviz::ui::train::fmt_num(f64::from(losses[0]));
    assert!(w.contains(&format!("x₁ = {x1}")), "{w} (want {x1})");
}

#[wasm_bindgen_test]
async fn weight_ema_smooths_validation_loss() {
    // Deterministic: data, init and batches come from the seed.
    let mut run = EmaRun::new(1, 1.0, 4, 0.99).unwrap();
    let (mut raw, mut avg) = (Vec::new(), Vec::new());
    for _ in 0..400 {
        let r = run.step().unwrap();
        for (k, v) in r.metrics {
            if k == VAL_RAW {
                raw.push(v);
            } else if k == VAL_EMA {
                avg.push(v);
            }
        }
    }
    assert_eq!(raw.len(), avg.len());
    assert_eq!(raw.len(), 1 + 400 / 5);
    let tv = |v: &[f64]| v.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>();
    let (tr, ta) = (tv(&raw[40..]), tv(&avg[40..]));
    assert!(ta < tr, "EMA total variation {ta} vs raw {tr}");
    assert!(avg.iter().all(|v| v.is_finite()));

    // The page runs the same thing live.
    let _app = mount_lesson("seed=1&lr=1&batch=4&decay=0.99").await;
    tid("train-play").click();
    until("50 steps", || {
        text("train-steps").trim_start_matches("step ").trim().parse::<u64>().unwrap_or(0) >= 50
    })
    .await;
    let rate = text("train-rate");
    tid("train-play").click();
    sleep(30).await;
    // Measured figure for the report (shown with `-- --nocapture`).
    web_sys::console::log_1(
        &format!("EMA lesson live run (MLP 2-16-16-2, batch 4): {rate}").into(),
    );
    let c = text("ema-compare");
    assert!(c.contains("validation loss"), "{c}");
    // Changing the decay starts a fresh run.
    set_select("ema-decay", "0.9");
    sleep(30).await;
    assert_eq!(text("train-steps"), "step 0");
}
