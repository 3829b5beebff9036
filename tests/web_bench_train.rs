#![cfg(all(target_arch = "wasm32", feature = "bench"))]
//! Training throughput in the browser (issue 3 §4). Not a timed test: it prints medians and
//! 10th percentiles of one training step and the steps per second they imply.
//!
//! * MLP 784-256-10 (ReLU), batch 128, softmax cross-entropy, Adam — on the CPU engine
//!   (`core::nn` on the autograd tape + `core::optim::Adam`, wasm SIMD128) and on WebGPU
//!   (`gpu::dense::DenseTrainer`, everything resident on the device).
//! * VAE 784-256-2 (issue 4), batch 128, Bernoulli likelihood, β = 1, Adam — on the CPU engine
//!   (`core::vae::Vae`) and on WebGPU (`gpu::vae::VaeTrainer`, everything resident on the device,
//!   one readback of the loss terms per step).
//! * A small conv net on 28×28 images, batch 32: conv 3×3 (8) → BN2d → ReLU → conv 3×3 stride 2 (16)
//!   → ReLU → flatten → linear 10, cross-entropy, Adam — on the CPU engine.
//!
//! In headless Chromium WebGPU runs on SwiftShader (a software adapter on the same CPU): its
//! figure shows the GPU path works end to end, not what a real GPU does.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test --release --target wasm32-unknown-unknown
//! --features bench --test web_bench_train -- --nocapture` (or `cargo xtask bench`).

use dlviz::compute;
use dlviz::compute::dense::{init_params, DenseCpu};
use dlviz::core::autograd::{ParamStore, Tape};
use dlviz::core::conv::Conv2dParams;
use dlviz::core::nn::{Activation, BatchNorm, Conv2d, Init, Layer, Linear, Sequential};
use dlviz::core::optim::{Adam, AdamConfig, Optimizer};
use dlviz::core::vae::{self, Likelihood, Vae, VaeSpec};
use dlviz::core::Rng;
use dlviz::gpu::dense::{Act, DenseLoss, DenseSpec, DenseTrainer};
use dlviz::gpu::vae::VaeTrainer;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// (median, p10) of a sorted copy of `t`.
fn stats(mut t: Vec<f64>) -> (f64, f64) {
    t.sort_by(f64::total_cmp);
    (t[t.len() / 2], t[t.len() / 10])
}

fn report(what: &str, t: Vec<f64>) {
    let (med, p10) = stats(t);
    console_log!("{what}: median {med:.2} ms/step (p10 {p10:.2}) = {:.1} steps/s", 1000.0 / med);
}

/// One CPU training run of a conv net with Adam; `step` returns the loss.
struct CpuTrainer {
    store: ParamStore,
    net: Sequential,
    tape: Tape,
    adam: Adam,
}

impl CpuTrainer {
    fn step(&mut self, x_shape: &[usize], x: &[f32], labels: &[usize]) -> f32 {
        self.tape.reset();
        self.store.zero_grads();
        let xv = self.tape.input(x_shape, x).unwrap();
        let logits = self.net.forward(&mut self.tape, &mut self.store, xv).unwrap();
        let loss = self.tape.cross_entropy(logits, labels).unwrap();
        let value = self.tape.value(loss).unwrap().data()[0];
        self.tape.backward(loss).unwrap();
        self.tape.accumulate_param_grads(&mut self.store).unwrap();
        let (mut p, g) = self.store.params_and_grads();
        self.adam.step(&mut p, &g).unwrap();
        value
    }
}

fn conv_net(rng: &mut Rng) -> CpuTrainer {
    let mut store = ParamStore::new();
    let same = Conv2dParams { stride: 1, padding: 1, dilation: 1 };
    let down = Conv2dParams { stride: 2, padding: 1, dilation: 1 };
    let net = Sequential::new()
        .with(Conv2d::new(&mut store, "c1", 1, 8, 3, same, Init::HeUniform, rng))
        .with(BatchNorm::new_2d(&mut store, "bn1", 8))
        .with(Activation::Relu)
        .with(Conv2d::new(&mut store, "c2", 8, 16, 3, down, Init::HeUniform, rng))
        .with(Activation::Relu)
        .with(Layer::Flatten)
        .with(Linear::new(&mut store, "fc", 16 * 14 * 14, 10, Init::XavierUniform, rng));
    let adam = Adam::new(AdamConfig { lr: 1e-3, ..AdamConfig::default() }).unwrap();
    CpuTrainer { store, net, tape: Tape::new(), adam }
}

#[wasm_bindgen_test]
async fn bench_training_throughput() {
    let mut rng = Rng::new(1);
    let (batch, dims) = (128usize, [784usize, 256, 10]);
    let x: Vec<f32> = (0..batch * 784).map(|_| rng.uniform()).collect();
    let labels: Vec<usize> = (0..batch).map(|_| rng.below(10) as usize).collect();

    let spec = DenseSpec {
        dims: dims.to_vec(),
        hidden: Act::Relu,
        output: Act::Identity,
        loss: DenseLoss::SoftmaxCrossEntropy,
        batch,
        adam: AdamConfig { lr: 1e-3, ..AdamConfig::default() },
    };
    let params = init_params(&spec, 2);
    let targets: Vec<f32> = labels.iter().map(|&l| l as f32).collect();

    // CPU engine.
    let mut cpu = DenseCpu::new(spec.clone(), &params).unwrap();
    for _ in 0..5 {
        cpu.step(&x, &targets).unwrap();
    }
    let mut t = Vec::new();
    for _ in 0..30 {
        let s = now_ms();
        cpu.step(&x, &targets).unwrap();
        t.push(now_ms() - s);
    }
    report("MLP 784-256-10 batch 128 Adam, CPU engine (wasm SIMD)", t);

    // WebGPU dense trainer from the same initial weights.
    match compute::open_gpu().await {
        Ok(gpu) => {
            let name = gpu.info().name.clone();
            let mut trainer = DenseTrainer::new(&gpu, spec, &params).await.unwrap();
            for _ in 0..3 {
                trainer.step(&gpu, &x, &targets).await.unwrap();
            }
            let mut t = Vec::new();
            for _ in 0..10 {
                let s = now_ms();
                trainer.step(&gpu, &x, &targets).await.unwrap();
                t.push(now_ms() - s);
            }
            let soft = if gpu.info().is_software() { ", software adapter" } else { "" };
            report(&format!("MLP 784-256-10 batch 128 Adam, WebGPU ({name}{soft})"), t);
        }
        Err(e) => console_log!("MLP on WebGPU: skipped, WebGPU unavailable ({e})"),
    }

    // VAE 784-256-2, batch 128: CPU engine, then WebGPU from the same initial weights.
    let vspec = VaeSpec {
        input: 784,
        hidden: 256,
        latent: 2,
        likelihood: Likelihood::Bernoulli,
        batch,
        lr: 1e-3,
    };
    let vparams = vae::init_params(&vspec, 2);
    let eps: Vec<f32> = vae::draw_eps(&mut rng, batch * 2);
    let mut cpu = Vae::new(vspec, &vparams).unwrap();
    for _ in 0..5 {
        cpu.step(&x, &eps, 1.0).unwrap();
    }
    let mut t = Vec::new();
    for _ in 0..30 {
        let s = now_ms();
        cpu.step(&x, &eps, 1.0).unwrap();
        t.push(now_ms() - s);
    }
    report("VAE 784-256-2 batch 128 Adam, CPU engine (wasm SIMD)", t);
    match compute::open_gpu().await {
        Ok(gpu) => {
            let name = gpu.info().name.clone();
            let mut trainer = VaeTrainer::new(&gpu, vspec, &vparams).await.unwrap();
            for _ in 0..3 {
                trainer.step(&x, &eps, 1.0).await.unwrap();
            }
            let mut t = Vec::new();
            for _ in 0..10 {
                let s = now_ms();
                trainer.step(&x, &eps, 1.0).await.unwrap();
                t.push(now_ms() - s);
            }
            let soft = if gpu.info().is_software() { ", software adapter" } else { "" };
            report(&format!("VAE 784-256-2 batch 128 Adam, WebGPU ({name}{soft})"), t);
        }
        Err(e) => console_log!("VAE on WebGPU: skipped, WebGPU unavailable ({e})"),
    }

    // Small conv net on the CPU engine.
    let cb = 32usize;
    let xi: Vec<f32> = (0..cb * 28 * 28).map(|_| rng.uniform()).collect();
    let li: Vec<usize> = (0..cb).map(|_| rng.below(10) as usize).collect();
    let mut conv = conv_net(&mut Rng::new(3));
    for _ in 0..3 {
        conv.step(&[cb, 1, 28, 28], &xi, &li);
    }
    let mut t = Vec::new();
    for _ in 0..15 {
        let s = now_ms();
        conv.step(&[cb, 1, 28, 28], &xi, &li);
        t.push(now_ms() - s);
    }
    report("conv net 1x28x28 -> c8 -> BN -> c16/2 -> fc10, batch 32, Adam, CPU engine", t);
}
