//! Benchmark exports (feature `bench`, wasm32 only): dlviz's kernels as wasm-bindgen classes
//! for the side-by-side page against TensorFlow.js (`cargo xtask bench`, xtask/bench/).
//!
//! Each case owns its inputs and output inside wasm memory, so `run()` times the kernel
//! alone (no copies across the JS boundary); `output()` copies the result out once, for the
//! agreement check. Never part of the app bundle (the feature is off there).

use crate::core::autograd::{AutogradError, BatchNormMode, ParamStore, Tape};
use crate::core::conv::{conv2d_into, Conv2dParams};
use crate::core::logits::softmax_rows_into;
use crate::core::matmul::{gemm, Gemm};
use crate::core::nn::{Activation, Init, Linear, Sequential};
use crate::core::optim::adam::{Adam, AdamConfig};
use crate::core::optim::Optimizer;
use crate::core::vae::{Likelihood, Vae, VaeSpec};
use crate::core::{Rng, Tensor};
use crate::gpu::Gpu;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// `C = A·B` with `A: m×k`, `B: k×n` (row-major), through [`gemm`].
#[wasm_bindgen]
pub struct MatmulCase {
    g: Gemm,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

#[wasm_bindgen]
impl MatmulCase {
    /// Takes copies of `a` (`m·k` floats) and `b` (`k·n`); errors if the lengths disagree.
    #[wasm_bindgen(constructor)]
    pub fn new(m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> Result<MatmulCase, JsError> {
        let g = Gemm::new(m, k, n);
        let mut case = MatmulCase { g, a: a.to_vec(), b: b.to_vec(), c: vec![0.0; m * n] };
        case.run()?;
        Ok(case)
    }

    /// One product into the case's own output buffer.
    pub fn run(&mut self) -> Result<(), JsError> {
        gemm(self.g, &self.a, &self.b, &mut self.c).map_err(|e| JsError::new(&e.to_string()))
    }

    /// A copy of the last output (`m·n`, row-major).
    pub fn output(&self) -> Vec<f32> {
        self.c.clone()
    }
}

/// 3×3 "same" convolution (stride 1, padding 1) of `x: (N, C, H, W)` with `w: (F, C, 3, 3)`
/// and zero bias, through [`conv2d_into`] (the app's path).
#[wasm_bindgen]
pub struct ConvCase {
    x: Tensor,
    w: Tensor,
    bias: Vec<f32>,
    y: Vec<f32>,
}

#[wasm_bindgen]
impl ConvCase {
    /// Takes copies of `x` (`n·c·h·w` floats, NCHW) and `w` (`f·c·9`, FCHW).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        n: usize,
        c: usize,
        h: usize,
        w: usize,
        f: usize,
        x: &[f32],
        wt: &[f32],
    ) -> Result<ConvCase, JsError> {
        let err = |e: crate::core::ShapeError| JsError::new(&e.to_string());
        let x = Tensor::new(vec![n, c, h, w], x.to_vec()).map_err(err)?;
        let wt = Tensor::new(vec![f, c, 3, 3], wt.to_vec()).map_err(err)?;
        let mut case = ConvCase { x, w: wt, bias: vec![0.0; f], y: Vec::new() };
        case.run()?;
        Ok(case)
    }

    /// One convolution into the case's own output buffer.
    pub fn run(&mut self) -> Result<(), JsError> {
        let same = Conv2dParams { stride: 1, padding: 1, dilation: 1 };
        conv2d_into(&self.x, &self.w, Some(&self.bias), same, false, &mut self.y)
            .map(|_| ())
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// A copy of the last output (`(N, F, H, W)`, NCHW).
    pub fn output(&self) -> Vec<f32> {
        self.y.clone()
    }
}

/// Batch normalisation, training mode (batch statistics), forward only, through the training
/// engine's tape: `x: (N, C)` or `(N, C, H, W)`, `γ = 1 + 0.1·c`, `β = 0.05·c`, ε = 1e-5.
#[wasm_bindgen]
pub struct BatchNormCase {
    shape: Vec<usize>,
    x: Vec<f32>,
    gamma: Vec<f32>,
    beta: Vec<f32>,
    tape: Tape,
    y: Vec<f32>,
}

#[wasm_bindgen]
impl BatchNormCase {
    /// `shape` is `[N, C]` or `[N, C, H, W]`; `x` holds its product of floats.
    #[wasm_bindgen(constructor)]
    pub fn new(shape: Vec<usize>, x: &[f32]) -> Result<BatchNormCase, JsError> {
        let c = shape.get(1).copied().ok_or_else(|| JsError::new("shape needs ≥ 2 axes"))?;
        let gamma = (0..c).map(|i| 1.0 + 0.1 * i as f32).collect();
        let beta = (0..c).map(|i| 0.05 * i as f32).collect();
        let mut case =
            BatchNormCase { shape, x: x.to_vec(), gamma, beta, tape: Tape::new(), y: Vec::new() };
        case.run()?;
        Ok(case)
    }

    /// One forward pass (the tape is reset first, as a training step does).
    pub fn run(&mut self) -> Result<(), JsError> {
        let e = |e: AutogradError| JsError::new(&e.to_string());
        let t = &mut self.tape;
        t.reset();
        let c = self.gamma.len();
        let x = t.input(&self.shape, &self.x).map_err(e)?;
        let g = t.input(&[c], &self.gamma).map_err(e)?;
        let b = t.input(&[c], &self.beta).map_err(e)?;
        t.batch_norm(x, g, b, BatchNormMode::Train { eps: 1e-5 }).map_err(e)?;
        Ok(())
    }

    /// A copy of the last output (same layout as `x`).
    pub fn output(&mut self) -> Result<Vec<f32>, JsError> {
        let e = |e: AutogradError| JsError::new(&e.to_string());
        let t = &mut self.tape;
        t.reset();
        let c = self.gamma.len();
        let x = t.input(&self.shape, &self.x).map_err(e)?;
        let g = t.input(&[c], &self.gamma).map_err(e)?;
        let b = t.input(&[c], &self.beta).map_err(e)?;
        let y = t.batch_norm(x, g, b, BatchNormMode::Train { eps: 1e-5 }).map_err(e)?;
        self.y = t.value(y).map_err(e)?.data().to_vec();
        Ok(self.y.clone())
    }
}

/// Row-wise softmax of `z: (rows, classes)` through `core::logits::softmax_rows_into`.
#[wasm_bindgen]
pub struct SoftmaxCase {
    classes: usize,
    z: Vec<f32>,
    p: Vec<f32>,
}

#[wasm_bindgen]
impl SoftmaxCase {
    /// `z` holds `rows·classes` logits.
    #[wasm_bindgen(constructor)]
    pub fn new(classes: usize, z: &[f32]) -> Result<SoftmaxCase, JsError> {
        let mut case = SoftmaxCase { classes, z: z.to_vec(), p: vec![0.0; z.len()] };
        case.run()?;
        Ok(case)
    }

    /// One softmax into the case's own buffer.
    pub fn run(&mut self) -> Result<(), JsError> {
        softmax_rows_into(&self.z, self.classes, 1.0, &mut self.p)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// A copy of the last output.
    pub fn output(&self) -> Vec<f32> {
        self.p.clone()
    }
}

/// One training step of an MLP `in → hidden (ReLU) → classes` with mean softmax
/// cross-entropy and Adam (lr 1e-3, β 0.9/0.999, ε 1e-8) through the training engine:
/// forward on the tape, backward, gradients into the store, Adam update.
#[wasm_bindgen]
pub struct MlpStepCase {
    batch: usize,
    inputs: usize,
    x: Vec<f32>,
    labels: Vec<usize>,
    net: Sequential,
    store: ParamStore,
    tape: Tape,
    adam: Adam,
    losses: Vec<f32>,
}

#[wasm_bindgen]
impl MlpStepCase {
    /// `x: (batch, inputs)`, `labels` in `0..classes`, weights `w1: (inputs, hidden)`,
    /// `w2: (hidden, classes)`, zero biases. No step is taken yet.
    #[wasm_bindgen(constructor)]
    pub fn new(
        batch: usize,
        dims: Vec<usize>,
        x: &[f32],
        labels: Vec<u32>,
        w1: &[f32],
        w2: &[f32],
    ) -> Result<MlpStepCase, JsError> {
        let [inputs, hidden, classes] = dims[..] else {
            return Err(JsError::new("dims must be [inputs, hidden, classes]"));
        };
        let mut store = ParamStore::new();
        let mut rng = Rng::new(1);
        let l1 = Linear::new(&mut store, "fc1", inputs, hidden, Init::Zeros, &mut rng);
        let l2 = Linear::new(&mut store, "fc2", hidden, classes, Init::Zeros, &mut rng);
        for (id, w) in [(l1.weight, w1), (l2.weight, w2)] {
            let t = store.value_mut(id).ok_or_else(|| JsError::new("missing weight"))?;
            if t.data().len() != w.len() {
                return Err(JsError::new("weight length does not match dims"));
            }
            t.data_mut().copy_from_slice(w);
        }
        let net = Sequential::new().with(l1).with(Activation::Relu).with(l2);
        let cfg =
            AdamConfig { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, ..Default::default() };
        let adam = Adam::new(cfg).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(MlpStepCase {
            batch,
            inputs,
            x: x.to_vec(),
            labels: labels.iter().map(|&l| l as usize).collect(),
            net,
            store,
            tape: Tape::new(),
            adam,
            losses: Vec::new(),
        })
    }

    /// One training step; the loss before the update is kept (see [`Self::losses`]).
    pub fn run(&mut self) -> Result<(), JsError> {
        let e = |e: AutogradError| JsError::new(&e.to_string());
        self.tape.reset();
        self.store.zero_grads();
        let xv = self.tape.input(&[self.batch, self.inputs], &self.x).map_err(e)?;
        let out = self.net.forward(&mut self.tape, &mut self.store, xv).map_err(e)?;
        let loss = self.tape.cross_entropy(out, &self.labels).map_err(e)?;
        let value = self.tape.value(loss).map_err(e)?.data().first().copied().unwrap_or(f32::NAN);
        self.tape.backward(loss).map_err(e)?;
        self.tape.accumulate_param_grads(&mut self.store).map_err(e)?;
        let (mut p, g) = self.store.params_and_grads();
        self.adam.step(&mut p, &g).map_err(|e| JsError::new(&e.to_string()))?;
        self.losses.push(value);
        Ok(())
    }

    /// The loss of every step taken so far, in order.
    pub fn losses(&self) -> Vec<f32> {
        self.losses.clone()
    }
}

/// One training step of the VAE `D → H → (μ, log σ²) ∈ R^Z → H → D` (Bernoulli likelihood,
/// loss = mean over the batch of BCE-with-logits summed over pixels + β·KL, Adam lr 1e-3)
/// through [`crate::core::vae::Vae`]: the lesson's CPU trainer. The noise `ε` is fixed so the
/// tfjs twin in xtask/bench/bench.mjs computes the same losses.
#[wasm_bindgen]
pub struct VaeStepCase {
    vae: Vae,
    x: Vec<f32>,
    eps: Vec<f32>,
    beta: f32,
    losses: Vec<f32>,
}

#[wasm_bindgen]
impl VaeStepCase {
    /// `dims = [D, H, Z]`, `x: (batch, D)` in `[0, 1]`, `eps: (batch, Z)`; `weights` holds the
    /// five weight matrices `[enc (D,H), mu (H,Z), logvar (H,Z), dec (Z,H), out (H,D)]`
    /// row-major, one after the other; biases start at zero.
    #[wasm_bindgen(constructor)]
    pub fn new(
        batch: usize,
        dims: Vec<usize>,
        x: &[f32],
        eps: &[f32],
        weights: &[f32],
        beta: f32,
    ) -> Result<VaeStepCase, JsError> {
        let [input, hidden, latent] = dims[..] else {
            return Err(JsError::new("dims must be [input, hidden, latent]"));
        };
        let spec =
            VaeSpec { input, hidden, latent, likelihood: Likelihood::Bernoulli, batch, lr: 1e-3 };
        let mut params = Vec::with_capacity(5);
        let mut at = 0;
        for (i, o) in spec.layer_dims() {
            let w = weights
                .get(at..at + i * o)
                .ok_or_else(|| JsError::new("weights shorter than the five layers"))?;
            params.push((w.to_vec(), vec![0.0; o]));
            at += i * o;
        }
        if at != weights.len() {
            return Err(JsError::new("weights longer than the five layers"));
        }
        let vae = Vae::new(spec, &params).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(VaeStepCase { vae, x: x.to_vec(), eps: eps.to_vec(), beta, losses: Vec::new() })
    }

    /// One training step; the loss before the update is kept (see [`Self::losses`]).
    pub fn run(&mut self) -> Result<(), JsError> {
        let r = self
            .vae
            .step(&self.x, &self.eps, self.beta)
            .map_err(|e| JsError::new(&e.to_string()))?;
        self.losses.push(r.loss);
        Ok(())
    }

    /// The loss of every step taken so far, in order.
    pub fn losses(&self) -> Vec<f32> {
        self.losses.clone()
    }
}

/// The WebGPU side of the benchmark: dlviz's kernels on the browser's adapter (the same one
/// tfjs-webgpu uses). Every run uploads its inputs, dispatches and reads back.
#[wasm_bindgen]
pub struct GpuBench {
    gpu: Rc<Gpu>,
}

/// Opens WebGPU and compiles dlviz's kernels; errors when the browser has no adapter.
#[wasm_bindgen]
pub async fn open_gpu_bench() -> Result<GpuBench, JsError> {
    let gpu = Gpu::open().await.map_err(|e| JsError::new(&e.to_string()))?;
    Ok(GpuBench { gpu: Rc::new(gpu) })
}

#[wasm_bindgen]
impl GpuBench {
    /// The adapter's description (name, backend, software or not).
    pub fn adapter(&self) -> String {
        format!("{:?}", self.gpu.info())
    }

    /// A matmul case `C = A·B` (`A: m×k`, `B: k×n`) on the GPU.
    pub fn matmul_case(&self, m: usize, k: usize, n: usize, a: &[f32], b: &[f32]) -> GpuCase {
        GpuCase {
            gpu: self.gpu.clone(),
            op: Rc::new(GpuOp::Matmul { g: Gemm::new(m, k, n), a: a.to_vec(), b: b.to_vec() }),
        }
    }

    /// A 3×3 same-padding convolution case (`x: (N, C, H, W)`, `w: (F, C, 3, 3)`, zero bias).
    #[allow(clippy::too_many_arguments)]
    pub fn conv_case(
        &self,
        n: usize,
        c: usize,
        h: usize,
        w: usize,
        f: usize,
        x: &[f32],
        wt: &[f32],
    ) -> Result<GpuCase, JsError> {
        let err = |e: crate::core::ShapeError| JsError::new(&e.to_string());
        let x = Tensor::new(vec![n, c, h, w], x.to_vec()).map_err(err)?;
        let wt = Tensor::new(vec![f, c, 3, 3], wt.to_vec()).map_err(err)?;
        Ok(GpuCase {
            gpu: self.gpu.clone(),
            op: Rc::new(GpuOp::Conv { x, w: wt, bias: vec![0.0; f] }),
        })
    }
}

enum GpuOp {
    Matmul { g: Gemm, a: Vec<f32>, b: Vec<f32> },
    Conv { x: Tensor, w: Tensor, bias: Vec<f32> },
}

/// One WebGPU case; `run()` resolves to the output (upload, dispatch, readback).
#[wasm_bindgen]
pub struct GpuCase {
    gpu: Rc<Gpu>,
    op: Rc<GpuOp>,
}

#[wasm_bindgen]
impl GpuCase {
    /// Runs the case once; the promise resolves to the output as a `Float32Array`.
    pub fn run(&self) -> js_sys::Promise {
        let (gpu, op) = (self.gpu.clone(), self.op.clone());
        wasm_bindgen_futures::future_to_promise(async move {
            let out = match &*op {
                GpuOp::Matmul { g, a, b } => gpu.matmul(*g, a, b, None).await,
                GpuOp::Conv { x, w, bias } => {
                    let same = Conv2dParams { stride: 1, padding: 1, dilation: 1 };
                    gpu.conv2d(x, w, Some(bias), same, false).await.map(|t| t.into_data())
                }
            };
            out.map(|v| js_sys::Float32Array::from(&v[..]).into())
                .map_err(|e| JsValue::from(JsError::new(&e.to_string())))
        })
    }
}
