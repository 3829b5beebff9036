#![cfg(all(target_arch = "wasm32", feature = "bench"))]
//! Browser benchmark of the CPU core (wasm SIMD128). Not a timed test: it asserts nothing about
//! time, it prints medians and 10th percentiles. Run with
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --release --target wasm32-unknown-unknown
//! --features bench --test web_bench` (or `cargo xtask bench --web-test`).

use dlviz::core::activation::relu_inplace;
use dlviz::core::colormap::{Colormap, ValueRange};
use dlviz::core::conv::{conv2d, conv2d_into, Conv2dParams};
use dlviz::core::{Rng, Tensor};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn random(shape: Vec<usize>, seed: u64) -> Tensor {
    let mut r = Rng::new(seed);
    Tensor::from_fn(shape, |_| r.uniform_in(-1.0, 1.0))
}

/// Lets the browser run its event loop (a `setTimeout(0)` round trip), so that the test
/// runner's polling is answered between measurements.
async fn yield_to_browser() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).ok()
        });
        if scheduled.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// (median, p10) in ms of `reps` runs after `warm` warm-up runs.
async fn measure(warm: usize, reps: usize, mut f: impl FnMut()) -> (f64, f64) {
    for _ in 0..warm {
        f();
        yield_to_browser().await;
    }
    let mut t = Vec::with_capacity(reps);
    for _ in 0..reps {
        let s = now_ms();
        f();
        t.push(now_ms() - s);
        yield_to_browser().await;
    }
    t.sort_by(f64::total_cmp);
    (t[reps / 2], t[reps / 10])
}

#[wasm_bindgen_test]
async fn bench_cpu_core() {
    let same = Conv2dParams { stride: 1, padding: 1, dilation: 1 };

    // The lesson's re-render: 1×3×512×512 image, 8 filters 3×3, same padding, then ReLU and
    // the diverging colour map of each of the 8 feature maps into RGBA.
    let x = random(vec![1, 3, 512, 512], 1);
    let w = random(vec![8, 3, 3, 3], 2);
    let b = vec![0.05f32; 8];
    let plane = 512 * 512;
    let mut rgba = vec![0u8; 8 * plane * 4];
    // As the lesson does it: the output buffer is the caller's and reused between re-renders
    // (the convolution, ReLU and colour map are all recomputed every time), ReLU fused.
    let mut y = Vec::new();
    let (med, p10) = measure(3, 15, || {
        if conv2d_into(&x, &w, Some(&b), same, true, &mut y).is_ok() {
            for (p, out) in y.chunks(plane).zip(rgba.chunks_mut(plane * 4)) {
                let _ = Colormap::Diverging.to_rgba(p, ValueRange::symmetric_of(p), out);
            }
        }
        std::hint::black_box(&rgba);
    })
    .await;
    console_log!("re-render 1x3x512x512 * 8 filters 3x3 + relu + colormap: median {med:.2} ms, p10 {p10:.2} ms");

    // The parts on their own.
    let (med, p10) = measure(3, 15, || {
        std::hint::black_box(conv2d(&x, &w, Some(&b), same).ok());
    })
    .await;
    let flops = 2.0 * (8 * plane * 3 * 9) as f64;
    console_log!(
        "  conv only: median {med:.2} ms, p10 {p10:.2} ms, {:.1} GFLOP/s",
        flops / med / 1e6
    );
    let (med, p10) = measure(3, 15, || {
        std::hint::black_box(conv2d_into(&x, &w, Some(&b), same, true, &mut y).ok());
    })
    .await;
    console_log!("  conv2d_into + fused relu (reused buffer): median {med:.2} ms, p10 {p10:.2} ms");
    let mut y = conv2d(&x, &w, Some(&b), same).unwrap_or_else(|_| Tensor::zeros(vec![1]));
    let (med, p10) = measure(3, 15, || relu_inplace(y.data_mut())).await;
    console_log!("  relu only: median {med:.2} ms, p10 {p10:.2} ms");
    let (med, p10) = measure(3, 15, || {
        for (p, out) in y.data().chunks(plane).zip(rgba.chunks_mut(plane * 4)) {
            let _ = Colormap::Diverging.to_rgba(p, ValueRange::symmetric_of(p), out);
        }
    })
    .await;
    console_log!("  colormap only (8 planes): median {med:.2} ms, p10 {p10:.2} ms");

    // Later perf targets (tfjs-wasm medians on this machine, 3×3 kernels, same padding).
    let cases: [(&str, [usize; 4], usize, f64); 4] = [
        ("1x16x256x256 -> 16", [1, 16, 256, 256], 16, 8.8),
        ("1x64x64x64 -> 64", [1, 64, 64, 64], 64, 7.4),
        ("1x1x256x256 -> 64", [1, 1, 256, 256], 64, 9.9),
        ("32x1x28x28 -> 32", [32, 1, 28, 28], 32, 1.8),
    ];
    for (name, s, f, tfjs) in cases {
        let x = random(s.to_vec(), 3);
        let w = random(vec![f, s[1], 3, 3], 4);
        let b = vec![0.0f32; f];
        let (med, p10) = measure(3, 15, || {
            std::hint::black_box(conv2d(&x, &w, Some(&b), same).ok());
        })
        .await;
        let flops = 2.0 * (s[0] * f * s[2] * s[3] * s[1] * 9) as f64;
        console_log!(
            "conv2d {name}: median {med:.2} ms, p10 {p10:.2} ms, {:.1} GFLOP/s (tfjs-wasm {tfjs} ms)",
            flops / med / 1e6
        );
    }
}
