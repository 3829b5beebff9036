//! Training a dense network (an MLP) on the backend that is faster for it, measured.
//!
//! The same network — `aₗ = actₗ(aₗ₋₁·Wₗ + bₗ)`, a loss, Adam — runs either on the CPU
//! engine ([`DenseCpu`]: `core::nn` layers on the autograd tape, `core::optim::Adam`) or on
//! the GPU ([`crate::gpu::dense::DenseTrainer`], weights resident on the device). Both start
//! from the same weights and give the same numbers (tested step by step in
//! `tests/gpu_dense.rs` and `tests/web_gpu_dense.rs`).
//!
//! Which one runs is decided like every other operation ([`super::decide`]): forced by the
//! user, or in automatic mode by measuring **this network's** training step on both
//! ([`measure_dense`], GPU time including the batch upload and the loss readback) — a
//! software adapter is never chosen, and a GPU failure falls back to the CPU from the weights
//! last read back.

use super::{median, now_ms, BackendKind, Decision, Preference, Timings};
use crate::core::autograd::{AutogradError, ParamId, ParamStore, Tape};
pub use crate::core::dense::{Act, DenseLoss, DenseSpec};
use crate::core::nn::{Activation, Init, Linear, Sequential};
use crate::core::optim::{Adam, Optimizer};
use crate::core::Rng;
use crate::gpu::dense::DenseTrainer;
use crate::gpu::{Gpu, GpuError};
use std::fmt;

/// Per-layer parameters `(Wₗ: dₗ₋₁×dₗ row-major, bₗ: dₗ)`.
pub type DenseParams = Vec<(Vec<f32>, Vec<f32>)>;

/// Why a dense training step could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum DenseError {
    /// The spec or the parameters are inconsistent (the message says how).
    Spec(String),
    /// The CPU engine refused the batch.
    Engine(AutogradError),
    /// The optimizer refused the update.
    Optim(String),
    /// The GPU failed (the run falls back to the CPU where it can).
    Gpu(GpuError),
}

impl fmt::Display for DenseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DenseError::Spec(m) | DenseError::Optim(m) => write!(f, "{m}"),
            DenseError::Engine(e) => write!(f, "{e}"),
            DenseError::Gpu(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for DenseError {}

impl From<AutogradError> for DenseError {
    fn from(e: AutogradError) -> Self {
        DenseError::Engine(e)
    }
}

impl From<GpuError> for DenseError {
    fn from(e: GpuError) -> Self {
        DenseError::Gpu(e)
    }
}

/// Seeded initial weights for `spec`: He-uniform before ReLU, Xavier-uniform otherwise, zero
/// biases — the same draw whichever backend trains them.
pub fn init_params(spec: &DenseSpec, seed: u64) -> DenseParams {
    let mut rng = Rng::new(seed);
    let layers = spec.dims.len().saturating_sub(1);
    (0..layers)
        .map(|l| {
            let (i, o) = (spec.dims[l], spec.dims[l + 1]);
            let act = if l + 1 == layers { spec.output } else { spec.hidden };
            let init = if act == Act::Relu { Init::HeUniform } else { Init::XavierUniform };
            let mut w = vec![0.0; i * o];
            init.fill(&mut w, i, o, &mut rng);
            (w, vec![0.0; o])
        })
        .collect()
}

fn activation(act: Act) -> Option<Activation> {
    match act {
        Act::Identity => None,
        Act::Relu => Some(Activation::Relu),
        Act::Sigmoid => Some(Activation::Sigmoid),
        Act::Tanh => Some(Activation::Tanh),
    }
}

/// The CPU twin of [`DenseTrainer`]: the training engine running the same network.
#[derive(Debug)]
pub struct DenseCpu {
    spec: DenseSpec,
    store: ParamStore,
    net: Sequential,
    tape: Tape,
    adam: Adam,
    ids: Vec<(ParamId, ParamId)>,
    steps: u64,
}

impl DenseCpu {
    /// Builds the network from `params` (see [`DenseParams`]).
    pub fn new(spec: DenseSpec, params: &[(Vec<f32>, Vec<f32>)]) -> Result<Self, DenseError> {
        let layers = spec.dims.len().saturating_sub(1);
        if layers == 0 || spec.batch == 0 || spec.dims.contains(&0) || params.len() != layers {
            return Err(DenseError::Spec(format!(
                "widths {:?}, batch {}, {} parameter pairs",
                spec.dims,
                spec.batch,
                params.len()
            )));
        }
        let adam = Adam::new(spec.adam).map_err(|e| DenseError::Optim(e.to_string()))?;
        let mut store = ParamStore::new();
        let mut net = Sequential::new();
        let mut ids = Vec::with_capacity(layers);
        // The initialiser is irrelevant: every value is overwritten from `params` below.
        let mut rng = Rng::new(0);
        for (l, (w, b)) in params.iter().enumerate() {
            let (i, o) = (spec.dims[l], spec.dims[l + 1]);
            if w.len() != i * o || b.len() != o {
                return Err(DenseError::Spec(format!(
                    "layer {l}: W has {} values (want {i}×{o}), b has {} (want {o})",
                    w.len(),
                    b.len()
                )));
            }
            let lin = Linear::new(&mut store, &format!("fc{l}"), i, o, Init::Zeros, &mut rng);
            let (wid, bid) = match lin.bias {
                Some(bid) => (lin.weight, bid),
                None => return Err(DenseError::Spec("a Linear layer without bias".into())),
            };
            for (id, src) in [(wid, w), (bid, b)] {
                if let Some(t) = store.value_mut(id) {
                    t.data_mut().copy_from_slice(src);
                }
            }
            ids.push((wid, bid));
            net.push(lin);
            let act = if l + 1 == layers { spec.output } else { spec.hidden };
            if let Some(a) = activation(act) {
                net.push(a);
            }
        }
        Ok(Self { spec, store, net, tape: Tape::new(), adam, ids, steps: 0 })
    }

    /// The network being trained.
    pub fn spec(&self) -> &DenseSpec {
        &self.spec
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One training step; same contract as [`DenseTrainer::step`]: `x: (batch, d₀)`,
    /// `targets`: class indices `(batch)` for cross-entropy, else `(batch, d_L)`. Returns the
    /// batch's loss before the update.
    pub fn step(&mut self, x: &[f32], targets: &[f32]) -> Result<f32, DenseError> {
        self.spec.check_batch(x, targets).map_err(DenseError::Spec)?;
        let batch = self.spec.batch;
        let outputs = self.spec.dims[self.spec.dims.len() - 1];
        self.tape.reset();
        self.store.zero_grads();
        let xv = self.tape.input(&[batch, self.spec.dims[0]], x)?;
        let out = self.net.forward(&mut self.tape, &mut self.store, xv)?;
        let loss = match self.spec.loss {
            DenseLoss::SoftmaxCrossEntropy => {
                let cls: Vec<usize> = targets.iter().map(|&t| t as usize).collect();
                self.tape.cross_entropy(out, &cls)?
            }
            DenseLoss::BceWithLogits => {
                let t = self.tape.input(&[batch, outputs], targets)?;
                self.tape.bce_with_logits(out, t)?
            }
            DenseLoss::Mse => {
                let t = self.tape.input(&[batch, outputs], targets)?;
                self.tape.mse(out, t)?
            }
        };
        let value = self.tape.value(loss)?.data().first().copied().unwrap_or(f32::NAN);
        self.tape.backward(loss)?;
        self.tape.accumulate_param_grads(&mut self.store)?;
        let (mut p, g) = self.store.params_and_grads();
        self.adam.step(&mut p, &g).map_err(|e| DenseError::Optim(e.to_string()))?;
        self.steps += 1;
        Ok(value)
    }

    /// The current parameters (see [`DenseParams`]).
    pub fn params(&self) -> DenseParams {
        let get = |id| self.store.value(id).map(|t| t.data().to_vec()).unwrap_or_default();
        self.ids.iter().map(|&(w, b)| (get(w), get(b))).collect()
    }
}

/// Median milliseconds of one training step of `spec` on the CPU engine and on `gpu`, each
/// after two warm-up steps, from the same seeded weights and a seeded batch.
pub async fn measure_dense(
    gpu: &Gpu,
    spec: &DenseSpec,
    runs: usize,
) -> Result<Timings, DenseError> {
    let params = init_params(spec, 0x5EED);
    let mut rng = Rng::new(0xBA7C);
    let x: Vec<f32> = (0..spec.batch * spec.dims[0]).map(|_| rng.uniform()).collect();
    let outputs = spec.dims[spec.dims.len() - 1];
    let t: Vec<f32> = match spec.loss {
        DenseLoss::SoftmaxCrossEntropy => {
            (0..spec.batch).map(|_| rng.below(outputs as u32) as f32).collect()
        }
        _ => (0..spec.batch * outputs).map(|_| rng.uniform()).collect(),
    };
    let runs = runs.max(1);
    let mut cpu = DenseCpu::new(spec.clone(), &params)?;
    let mut cpu_ms = Vec::with_capacity(runs);
    for k in 0..runs + 2 {
        let s = now_ms();
        cpu.step(&x, &t)?;
        if k >= 2 {
            cpu_ms.push(now_ms() - s);
        }
    }
    let mut trainer = DenseTrainer::new(gpu, spec.clone(), &params).await?;
    let mut gpu_ms = Vec::with_capacity(runs);
    for k in 0..runs + 2 {
        let s = now_ms();
        trainer.step(gpu, &x, &t).await?;
        if k >= 2 {
            gpu_ms.push(now_ms() - s);
        }
    }
    Ok(Timings {
        cpu_ms: median(&cpu_ms).unwrap_or(f64::INFINITY),
        gpu_ms: median(&gpu_ms).unwrap_or(f64::INFINITY),
    })
}

/// Which backend should train `spec` on `gpu` (the rule of [`super::policy`], without the
/// page's settling and cache); measures only when the choice is automatic and the adapter is
/// hardware. A failed measurement leaves the decision at "calibrating", which trains on the CPU.
pub async fn choose_dense(
    pref: Preference,
    gpu: Option<&Gpu>,
    spec: &DenseSpec,
) -> (Decision, Option<Timings>) {
    super::policy::choose_with(pref, gpu, || async move {
        measure_dense(gpu?, spec, super::policy::MEASURE_RUNS).await.ok()
    })
    .await
}

/// The key of `spec`'s measured decision: widths, then the batch.
pub fn model_key(spec: &DenseSpec) -> super::policy::ModelKey {
    let mut shape = spec.dims.clone();
    shape.push(spec.batch);
    super::policy::ModelKey { model: "dense", shape }
}

/// A dense network training on one backend.
#[derive(Debug)]
pub enum DenseRun {
    /// On the CPU engine.
    Cpu(Box<DenseCpu>),
    /// On the GPU.
    Gpu(Box<DenseTrainer>),
}

impl DenseRun {
    /// Starts training `spec` from `params` on `backend` (`gpu` is needed for WebGPU); a
    /// GPU that cannot build the trainer gives a CPU run and the error that caused it.
    pub async fn start(
        backend: BackendKind,
        gpu: Option<&Gpu>,
        spec: DenseSpec,
        params: &[(Vec<f32>, Vec<f32>)],
    ) -> Result<(Self, Option<GpuError>), DenseError> {
        if let (BackendKind::WebGpu, Some(gpu)) = (backend, gpu) {
            match DenseTrainer::new(gpu, spec.clone(), params).await {
                Ok(t) => return Ok((DenseRun::Gpu(Box::new(t)), None)),
                Err(e) => {
                    return Ok((DenseRun::Cpu(Box::new(DenseCpu::new(spec, params)?)), Some(e)))
                }
            }
        }
        Ok((DenseRun::Cpu(Box::new(DenseCpu::new(spec, params)?)), None))
    }

    /// Where it trains.
    pub fn backend(&self) -> BackendKind {
        match self {
            DenseRun::Cpu(_) => BackendKind::Cpu,
            DenseRun::Gpu(_) => BackendKind::WebGpu,
        }
    }

    /// One training step (see [`DenseCpu::step`]). On a GPU failure the run moves to the CPU,
    /// continuing from the GPU's weights (Adam's moments restart), and the error is returned
    /// once so the UI can say so; the next call trains on the CPU. If even the weights cannot
    /// be read back, the error is returned and the run must be restarted.
    pub async fn step(
        &mut self,
        gpu: Option<&Gpu>,
        x: &[f32],
        t: &[f32],
    ) -> Result<f32, DenseError> {
        match self {
            DenseRun::Cpu(c) => c.step(x, t),
            DenseRun::Gpu(trainer) => {
                trainer.spec().check_batch(x, t).map_err(DenseError::Spec)?;
                let err = match gpu {
                    Some(g) => match trainer.step(g, x, t).await {
                        Ok(v) => return Ok(v),
                        Err(e) => e,
                    },
                    None => GpuError::DeviceLost("the GPU is no longer available".into()),
                };
                let spec = trainer.spec().clone();
                let params = trainer.params().await?;
                *self = DenseRun::Cpu(Box::new(DenseCpu::new(spec, &params)?));
                Err(DenseError::Gpu(err))
            }
        }
    }
}
