#![cfg(target_arch = "wasm32")]
//! Browser tests of the GPU-resident VAE trainer (headless Chromium, WebGPU on SwiftShader:
//! correctness, not speed). The same checks as the native `tests/gpu_vae.rs`, through the
//! browser's WebGPU implementation: two Adam steps against PyTorch, parity with the CPU model
//! `core::vae::Vae` over several steps, and a `VaeRun` on WebGPU moving to the CPU.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_gpu_vae::`

#[path = "support/vae_parity.rs"]
mod vae_parity;

use dlviz::compute::vae::VaeRun;
use dlviz::compute::{self, BackendKind};
use dlviz::core::vae::{init_params, Likelihood, Vae, VaeSpec};
use dlviz::core::Rng;
use dlviz::gpu::Gpu;
use vae_parity::close;
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
async fn webgpu_vae_matches_pytorch() {
    let Some(gpu) = open("webgpu_vae_matches_pytorch").await else { return };
    vae_parity::reference(&gpu, Likelihood::Bernoulli).await;
    vae_parity::reference(&gpu, Likelihood::Gaussian).await;
}

#[wasm_bindgen_test]
async fn webgpu_vae_matches_core_vae() {
    let Some(gpu) = open("webgpu_vae_matches_core_vae").await else { return };
    let spec = |d, h, z, b, likelihood| VaeSpec {
        input: d,
        hidden: h,
        latent: z,
        likelihood,
        batch: b,
        lr: 5e-3,
    };
    vae_parity::parity(&gpu, spec(70, 33, 3, 9, Likelihood::Bernoulli), 6, 3).await;
    vae_parity::parity(&gpu, spec(70, 33, 5, 9, Likelihood::Gaussian), 6, 4).await;
    vae_parity::parity(&gpu, spec(784, 256, 2, 128, Likelihood::Bernoulli), 2, 5).await;
}

#[wasm_bindgen_test]
async fn webgpu_vae_run_moves_to_cpu() {
    let Some(gpu) = open("webgpu_vae_run_moves_to_cpu").await else { return };
    let s = VaeSpec {
        input: 30,
        hidden: 20,
        latent: 2,
        likelihood: Likelihood::Bernoulli,
        batch: 6,
        lr: 5e-3,
    };
    let params = init_params(&s, 9);
    let (mut run, err) = VaeRun::start(BackendKind::WebGpu, Some(&gpu), s, &params).await.unwrap();
    assert!(err.is_none());
    assert_eq!(run.backend(), BackendKind::WebGpu);
    let mut twin = Vae::new(s, &params).unwrap();
    let mut rng = Rng::new(4);
    let x: Vec<f32> = (0..6 * 30).map(|_| rng.uniform()).collect();
    let eps: Vec<f32> = (0..6 * 2).map(|_| rng.normal()).collect();
    for beta in [1.0, 3.0] {
        let g = run.step(&x, &eps, beta).await.unwrap();
        let c = twin.step(&x, &eps, beta).unwrap();
        assert!(close(g.loss, c.loss, 1e-4, 1e-4), "gpu {g:?} vs cpu {c:?}");
    }
    assert!(run.step(&x[1..], &eps, 1.0).await.is_err());
    assert_eq!(run.backend(), BackendKind::WebGpu, "a bad batch is not a GPU failure");
    run.move_to_cpu().await.unwrap();
    assert_eq!(run.backend(), BackendKind::Cpu);
    let after = run.step(&x, &eps, 1.0).await.unwrap();
    let c = twin.step(&x, &eps, 1.0).unwrap();
    assert!(close(after.loss, c.loss, 1e-4, 1e-4), "continued on the CPU: {after:?} vs {c:?}");
}
