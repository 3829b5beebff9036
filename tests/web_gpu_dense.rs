#![cfg(target_arch = "wasm32")]
//! Browser tests of the WebGPU matrix product and the GPU-resident dense trainer (headless
//! Chromium, WebGPU on SwiftShader: correctness, not speed). The same parity check as the
//! native `tests/gpu_dense.rs`, through the browser's WebGPU implementation.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_gpu_dense::`

#[path = "support/dense_parity.rs"]
mod dense_parity;

use dense_parity::close;
use dlviz::compute::{self, BackendKind, Compute, Preference};
use dlviz::core::matmul::{gemm_reference, Gemm};
use dlviz::core::optim::AdamConfig;
use dlviz::core::Rng;
use dlviz::gpu::dense::{Act, DenseLoss};
use dlviz::gpu::Gpu;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn open(test: &str) -> Option<Gpu> {
    match compute::open_gpu().await {
        Ok(g) => Some(g),
        Err(e) => {
            assert!(
                option_env!("DLVIZ_REQUIRE_GPU") != Some("1"),
                "{test}: DLVIZ_REQUIRE_GPU=1 but WebGPU could not be opened: {e}"
            );
            web_sys::console::log_1(&format!("SKIP {test}: WebGPU unavailable ({e})").into());
            None
        }
    }
}

#[wasm_bindgen_test]
async fn webgpu_matmul_matches_reference() {
    let Some(gpu) = open("webgpu_matmul_matches_reference").await else { return };
    let mut rng = Rng::new(21);
    for (case, (m, k, n)) in
        [(1, 1, 1), (65, 33, 70), (128, 100, 10), (17, 129, 64)].into_iter().enumerate()
    {
        let mut g = Gemm::new(m, k, n);
        g.a_trans = case % 2 == 1;
        g.b_trans = case >= 2;
        g.accumulate = case == 3;
        let a: Vec<f32> = (0..m * k).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let b: Vec<f32> = (0..k * n).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let c0: Vec<f32> = (0..m * n).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let mut want = c0.clone();
        gemm_reference(g, &a, &b, &mut want).unwrap();
        let got = gpu.matmul(g, &a, &b, Some(&c0)).await.unwrap();
        for (x, y) in got.iter().zip(&want) {
            assert!(close(*x, *y, 1e-5 * k as f32, 1e-4), "{g:?}: gpu {x} vs cpu {y}");
        }
    }
    // Through the app's compute handle: forced WebGPU runs there; automatic never picks
    // SwiftShader (a software adapter).
    let g = Gemm::new(40, 30, 20);
    let a = vec![0.5; 40 * 30];
    let b = vec![0.25; 30 * 20];
    let forced = Compute::new(Preference::WebGpu);
    forced.set_gpu(Ok(gpu));
    let (c, kind) = forced.matmul(g, &a, &b, None).await.unwrap();
    assert_eq!(kind, BackendKind::WebGpu);
    assert!(c.iter().all(|&v| close(v, 30.0 * 0.125, 1e-5, 1e-5)), "{:?}", &c[..3]);
    let Some(gpu2) = open("webgpu_matmul (auto)").await else { return };
    let software = gpu2.info().is_software();
    let auto = Compute::new(Preference::Auto);
    auto.set_gpu(Ok(gpu2));
    let (_, kind) = auto.matmul(g, &a, &b, None).await.unwrap();
    if software {
        assert_eq!(kind, BackendKind::Cpu);
    }
}

#[wasm_bindgen_test]
async fn webgpu_dense_trainer_matches_engine() {
    let Some(gpu) = open("webgpu_dense_trainer_matches_engine").await else { return };
    dense_parity::parity(
        &gpu,
        DenseLoss::SoftmaxCrossEntropy,
        Act::Relu,
        AdamConfig { lr: 1e-2, ..AdamConfig::default() },
    )
    .await;
    dense_parity::parity(
        &gpu,
        DenseLoss::BceWithLogits,
        Act::Sigmoid,
        AdamConfig { lr: 5e-3, ..AdamConfig::adamw() },
    )
    .await;
}
