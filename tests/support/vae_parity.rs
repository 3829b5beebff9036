//! Shared by `tests/gpu_vae.rs` (native) and `tests/web_gpu_vae.rs` (browser): checks of
//! `gpu::vae::VaeTrainer` against PyTorch (`tests/reference/vae_gpu.py`, two Adam steps) and
//! against the CPU model `core::vae::Vae` (several steps from the same parameters, batches
//! and noise).

#![allow(dead_code)]

use dlviz::core::vae::{init_params, Likelihood, Vae, VaeParams, VaeSpec, VaeStep};
use dlviz::core::Rng;
use dlviz::gpu::vae::VaeTrainer;
use dlviz::gpu::Gpu;

mod cases {
    include!("../reference/vae_gpu_cases.rs");
}

/// `|got − want| ≤ atol + rtol·|want|`.
pub fn close(got: f32, want: f32, atol: f32, rtol: f32) -> bool {
    (got - want).abs() <= atol + rtol * want.abs()
}

/// The reference script's inputs: `float32(sin(0.29·i + 0.9·seed)·cos(0.13·i + 0.4·seed)·scale
/// + offset)`.
pub fn det(n: usize, seed: u32, scale: f64, offset: f64) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let i = i as f64;
            let s = seed as f64;
            ((0.29 * i + 0.9 * s).sin() * (0.13 * i + 0.4 * s).cos() * scale + offset) as f32
        })
        .collect()
}

fn assert_all_close(what: &str, got: &[f32], want: &[f64], atol: f32, rtol: f32) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w as f32, atol, rtol), "{what}[{i}]: gpu {g} vs reference {w}");
    }
}

fn step_values(s: &VaeStep) -> Vec<f32> {
    let mut v = vec![s.loss, s.recon, s.kl];
    v.extend_from_slice(&s.kl_per_dim);
    v
}

/// Two training steps of the reference script's VAE (D 7, H 6, Z 2, B 5; β 0.6 then 1.5;
/// Adam lr 0.02) on the GPU against PyTorch: the loss terms of both steps, every parameter
/// after both updates, the encoder's μ and log σ² of the batch and the decoder's output at
/// three latent points.
pub async fn reference(gpu: &Gpu, likelihood: Likelihood) {
    let (d, h, z, b) = (7, 6, 2, 5);
    let spec = VaeSpec { input: d, hidden: h, latent: z, likelihood, batch: b, lr: 0.02 };
    let shapes = [
        (d * h, 11, 0.9, 0.0),
        (h, 12, 0.2, 0.25),
        (h * z, 13, 0.8, 0.0),
        (z, 14, 0.2, 0.0),
        (h * z, 15, 0.6, 0.0),
        (z, 16, 0.2, 0.0),
        (z * h, 17, 0.9, 0.0),
        (h, 18, 0.2, 0.3),
        (h * d, 19, 0.8, 0.0),
        (d, 20, 0.2, 0.0),
    ];
    let flat: Vec<Vec<f32>> = shapes.iter().map(|&(n, s, sc, off)| det(n, s, sc, off)).collect();
    let params: VaeParams = flat.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect();
    let x = det(b * d, 1, 0.5, 0.5);
    let eps = [det(b * z, 2, 1.0, 0.0), det(b * z, 3, 1.0, 0.0)];
    let zq = det(3 * z, 4, 1.5, 0.0);
    let (steps, final_params, mu, lv, decode) = match likelihood {
        Likelihood::Bernoulli => (
            [&cases::BERNOULLI_STEP0[..], &cases::BERNOULLI_STEP1[..]],
            &cases::BERNOULLI_PARAMS[..],
            &cases::BERNOULLI_MU[..],
            &cases::BERNOULLI_LV[..],
            &cases::BERNOULLI_DECODE[..],
        ),
        Likelihood::Gaussian => (
            [&cases::GAUSSIAN_STEP0[..], &cases::GAUSSIAN_STEP1[..]],
            &cases::GAUSSIAN_PARAMS[..],
            &cases::GAUSSIAN_MU[..],
            &cases::GAUSSIAN_LV[..],
            &cases::GAUSSIAN_DECODE[..],
        ),
    };
    let tag = format!("vae reference {likelihood:?}");
    let mut trainer = VaeTrainer::new(gpu, spec, &params).await.unwrap();
    for (k, beta) in [0.6, 1.5].into_iter().enumerate() {
        let s = trainer.step(&x, &eps[k], beta).await.unwrap();
        assert_all_close(
            &format!("{tag} step {k} [loss recon kl kl/dim]"),
            &step_values(&s),
            steps[k],
            1e-5,
            1e-5,
        );
    }
    let got: Vec<f32> = trainer
        .params()
        .await
        .unwrap()
        .into_iter()
        .flat_map(|(w, b)| w.into_iter().chain(b))
        .collect();
    // Adam's first steps move every parameter by about ±lr, so these are tight.
    assert_all_close(&format!("{tag} params after 2 steps"), &got, final_params, 1e-5, 1e-5);
    let (gmu, glv) = trainer.encode(&x).await.unwrap();
    assert_all_close(&format!("{tag} encode μ"), &gmu, mu, 1e-5, 1e-5);
    assert_all_close(&format!("{tag} encode lv"), &glv, lv, 1e-5, 1e-5);
    let dec = trainer.decode(&zq).await.unwrap();
    assert_all_close(&format!("{tag} decode"), &dec, decode, 1e-5, 1e-5);
    assert_eq!(trainer.steps(), 2);
}

/// Trains the same VAE on the GPU and on the CPU model for `steps` steps (β varying, 0
/// included) and compares the loss terms step by step, then every parameter and a batched
/// encode/decode (more rows than a batch, so the chunking is exercised).
pub async fn parity(gpu: &Gpu, spec: VaeSpec, steps: usize, seed: u64) {
    let tag = format!(
        "vae parity {:?} {}-{}-{} B{}",
        spec.likelihood, spec.input, spec.hidden, spec.latent, spec.batch
    );
    let mut params = init_params(&spec, seed);
    // Non-zero biases, so the bias paths matter from the first step.
    let mut rng = Rng::new(seed + 1);
    for (_, b) in &mut params {
        b.iter_mut().for_each(|v| *v = rng.uniform_in(-0.1, 0.1));
    }
    let mut cpu = Vae::new(spec, &params).unwrap();
    let mut trainer = VaeTrainer::new(gpu, spec, &params).await.unwrap();
    let (bt, d, z) = (spec.batch, spec.input, spec.latent);
    for step in 0..steps {
        let x: Vec<f32> = (0..bt * d).map(|_| rng.uniform()).collect();
        let eps: Vec<f32> = (0..bt * z).map(|_| rng.normal()).collect();
        let beta = [1.0, 0.0, 4.0, 0.5][step % 4];
        let want = cpu.step(&x, &eps, beta).unwrap();
        let got = trainer.step(&x, &eps, beta).await.unwrap();
        let (g, w) = (step_values(&got), step_values(&want));
        for (i, (a, b)) in g.iter().zip(&w).enumerate() {
            assert!(close(*a, *b, 1e-4, 1e-4), "{tag}: step {step} term {i}: gpu {a} vs cpu {b}");
        }
    }
    let gp = trainer.params().await.unwrap();
    for (l, ((gw, gb), (cw, cb))) in gp.iter().zip(cpu.params()).enumerate() {
        for (i, (g, c)) in gw.iter().chain(gb).zip(cw.iter().chain(&cb)).enumerate() {
            assert!(close(*g, *c, 2e-5, 1e-3), "{tag}: layer {l} param {i}: gpu {g} vs cpu {c}");
        }
    }
    let n = bt + bt / 2 + 1;
    let x: Vec<f32> = (0..n * d).map(|_| rng.uniform()).collect();
    let (gmu, glv) = trainer.encode(&x).await.unwrap();
    let (cmu, clv) = cpu.encode(&x).unwrap();
    for (i, (g, c)) in gmu.iter().chain(&glv).zip(cmu.iter().chain(&clv)).enumerate() {
        assert!(close(*g, *c, 1e-4, 1e-3), "{tag}: encode value {i}: gpu {g} vs cpu {c}");
    }
    let zs: Vec<f32> = (0..n * z).map(|_| rng.normal()).collect();
    let gd = trainer.decode(&zs).await.unwrap();
    let cd = cpu.decode(&zs).unwrap();
    assert_eq!(gd.len(), n * d);
    for (i, (g, c)) in gd.iter().zip(&cd).enumerate() {
        assert!(close(*g, *c, 1e-4, 1e-3), "{tag}: decode value {i}: gpu {g} vs cpu {c}");
    }
    assert_eq!((trainer.steps(), cpu.steps()), (steps as u64, steps as u64));
}
