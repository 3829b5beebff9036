//! Training the VAE on the backend that is faster for it, measured.
//!
//! The same model — encoder, reparameterised sample `z = μ + exp(½·lv) ⊙ ε`, decoder, loss
//! `mean(recon + β·kl)`, Adam — runs either on the CPU engine ([`crate::core::vae::Vae`]) or
//! on the GPU ([`crate::gpu::vae::VaeTrainer`], everything resident on the device). Both start
//! from the same parameters and, given the same batches and noise `ε`, give the same numbers
//! (tested step by step in `tests/gpu_vae.rs` and `tests/web_gpu_vae.rs`).
//!
//! Which one runs follows the rule of [`super::decide`]: forced by the user, or in automatic
//! mode by measuring **this model's** training step on both ([`measure_vae`], GPU time
//! including the batch upload and the loss readback) — a software adapter is never chosen for
//! speed, and a GPU failure moves the run to the CPU from the weights last read back.

use super::{median, now_ms, BackendKind, Decision, Preference, Timings};
use crate::core::vae::{init_params, Vae, VaeError, VaeParams, VaeSpec, VaeStep};
use crate::core::Rng;
use crate::gpu::vae::VaeTrainer;
use crate::gpu::{Gpu, GpuError};
use std::fmt;

/// Why a VAE training operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum VaeRunError {
    /// The model refused (bad sizes, β, learning rate, a non-finite loss…).
    Model(VaeError),
    /// The GPU failed (a run on the GPU moves to the CPU where it can).
    Gpu(GpuError),
}

impl fmt::Display for VaeRunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaeRunError::Model(e) => write!(f, "{e}"),
            VaeRunError::Gpu(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for VaeRunError {}

impl From<VaeError> for VaeRunError {
    fn from(e: VaeError) -> Self {
        VaeRunError::Model(e)
    }
}

impl From<GpuError> for VaeRunError {
    fn from(e: GpuError) -> Self {
        VaeRunError::Gpu(e)
    }
}

/// Checks a training batch against `spec` without running anything: `x: (batch, D)`,
/// `eps: (batch, Z)`, `beta` finite and ≥ 0.
pub fn check_batch(spec: &VaeSpec, x: &[f32], eps: &[f32], beta: f32) -> Result<(), VaeError> {
    let (b, d, z) = (spec.batch, spec.input, spec.latent);
    if x.len() != b * d || eps.len() != b * z {
        return Err(VaeError::Spec(format!(
            "a batch of {} inputs and {} noise values; the model wants {} and {}",
            x.len(),
            eps.len(),
            b * d,
            b * z
        )));
    }
    if !(beta.is_finite() && beta >= 0.0) {
        return Err(VaeError::Spec(format!("β = {beta} is not valid")));
    }
    Ok(())
}

/// Median milliseconds of one training step of `spec` on the CPU engine and on `gpu`, each
/// after two warm-up steps, from the same seeded parameters, batch and noise (β = 1).
pub async fn measure_vae(gpu: &Gpu, spec: &VaeSpec, runs: usize) -> Result<Timings, VaeRunError> {
    let params = init_params(spec, 0x5EED);
    let mut rng = Rng::new(0xBA7C);
    let x: Vec<f32> = (0..spec.batch * spec.input).map(|_| rng.uniform()).collect();
    let eps: Vec<f32> = (0..spec.batch * spec.latent).map(|_| rng.normal()).collect();
    let runs = runs.max(1);
    let mut cpu = Vae::new(*spec, &params)?;
    let mut cpu_ms = Vec::with_capacity(runs);
    for k in 0..runs + 2 {
        let s = now_ms();
        cpu.step(&x, &eps, 1.0)?;
        if k >= 2 {
            cpu_ms.push(now_ms() - s);
        }
    }
    let mut trainer = VaeTrainer::new(gpu, *spec, &params).await?;
    let mut gpu_ms = Vec::with_capacity(runs);
    for k in 0..runs + 2 {
        let s = now_ms();
        trainer.step(&x, &eps, 1.0).await?;
        if k >= 2 {
            gpu_ms.push(now_ms() - s);
        }
    }
    Ok(Timings {
        cpu_ms: median(&cpu_ms).unwrap_or(f64::INFINITY),
        gpu_ms: median(&gpu_ms).unwrap_or(f64::INFINITY),
    })
}

/// Which backend should train `spec` (see the module docs); measures only when the choice is
/// automatic and the adapter is hardware. A failed measurement leaves the decision at
/// "calibrating", which trains on the CPU.
pub async fn choose_vae(
    pref: Preference,
    gpu: Option<&Gpu>,
    spec: &VaeSpec,
) -> (Decision, Option<Timings>) {
    super::policy::choose_with(pref, gpu, || async move {
        measure_vae(gpu?, spec, super::policy::MEASURE_RUNS).await.ok()
    })
    .await
}

/// The key of `spec`'s measured decision (see [`super::policy::ModelKey`]).
pub fn model_key(spec: &VaeSpec) -> super::policy::ModelKey {
    let lik = usize::from(spec.likelihood != crate::core::vae::Likelihood::Bernoulli);
    let shape = vec![spec.input, spec.hidden, spec.latent, spec.batch, lik];
    super::policy::ModelKey { model: "vae", shape }
}

/// A VAE training on one backend.
#[derive(Debug)]
pub enum VaeRun {
    /// On the CPU engine.
    Cpu(Box<Vae>),
    /// On the GPU.
    Gpu(Box<VaeTrainer>),
}

impl VaeRun {
    /// Starts training `spec` from `params` on `backend` (`gpu` is needed for WebGPU); a GPU
    /// that cannot build the trainer gives a CPU run and the error that caused it.
    pub async fn start(
        backend: BackendKind,
        gpu: Option<&Gpu>,
        spec: VaeSpec,
        params: &[(Vec<f32>, Vec<f32>)],
    ) -> Result<(Self, Option<GpuError>), VaeRunError> {
        // The CPU model validates the spec and the parameters (sizes, finite values) first,
        // so a bad spec is a model error on either backend.
        let cpu = Vae::new(spec, params)?;
        if let (BackendKind::WebGpu, Some(gpu)) = (backend, gpu) {
            return Ok(match VaeTrainer::new(gpu, spec, params).await {
                Ok(t) => (VaeRun::Gpu(Box::new(t)), None),
                Err(e) => (VaeRun::Cpu(Box::new(cpu)), Some(e)),
            });
        }
        Ok((VaeRun::Cpu(Box::new(cpu)), None))
    }

    /// Where it trains.
    pub fn backend(&self) -> BackendKind {
        match self {
            VaeRun::Cpu(_) => BackendKind::Cpu,
            VaeRun::Gpu(_) => BackendKind::WebGpu,
        }
    }

    /// The model's spec.
    pub fn spec(&self) -> &VaeSpec {
        match self {
            VaeRun::Cpu(c) => c.spec(),
            VaeRun::Gpu(g) => g.spec(),
        }
    }

    /// Training steps taken on the current backend.
    pub fn steps(&self) -> u64 {
        match self {
            VaeRun::Cpu(c) => c.steps(),
            VaeRun::Gpu(g) => g.steps(),
        }
    }

    /// Sets Adam's learning rate (its moments are kept).
    pub fn set_lr(&mut self, lr: f32) -> Result<(), VaeRunError> {
        match self {
            VaeRun::Cpu(c) => Ok(c.set_lr(lr)?),
            VaeRun::Gpu(g) => {
                if !(lr.is_finite() && lr >= 0.0) {
                    return Err(VaeError::Spec(format!("learning rate {lr} is not valid")).into());
                }
                Ok(g.set_lr(lr)?)
            }
        }
    }

    /// One training step on `x: (batch, D)` with noise `eps: (batch, Z)` and KL weight `beta`
    /// (same contract as [`Vae::step`]: the loss terms before the update). Bad sizes or β are
    /// refused on either backend without a change. On a GPU failure the run moves to the CPU,
    /// continuing from the GPU's weights (Adam's moments restart), and the error is returned
    /// once so the UI can say so; the next call trains on the CPU. If even the weights cannot
    /// be read back, the error is returned and the run must be restarted. A non-finite loss on
    /// the GPU is reported as [`VaeRunError::Model`] (the device has already applied that
    /// update).
    pub async fn step(
        &mut self,
        x: &[f32],
        eps: &[f32],
        beta: f32,
    ) -> Result<VaeStep, VaeRunError> {
        let trainer = match self {
            VaeRun::Cpu(c) => return Ok(c.step(x, eps, beta)?),
            VaeRun::Gpu(t) => t,
        };
        check_batch(trainer.spec(), x, eps, beta)?;
        let err = match trainer.step(x, eps, beta).await {
            Ok(s) if s.loss.is_finite() => return Ok(s),
            Ok(s) => {
                return Err(VaeError::Spec(format!("the loss is not finite ({})", s.loss)).into())
            }
            Err(e) => e,
        };
        self.move_to_cpu().await?;
        Err(VaeRunError::Gpu(err))
    }

    /// Moves a GPU run to the CPU engine, continuing from the weights read back from the
    /// device (Adam's moments restart); a CPU run is left as it is. Used after a GPU failure
    /// and when the user switches to the CPU during a run.
    pub async fn move_to_cpu(&mut self) -> Result<(), VaeRunError> {
        if let VaeRun::Gpu(trainer) = self {
            let spec = *trainer.spec();
            let params = trainer.params().await?;
            *self = VaeRun::Cpu(Box::new(Vae::new(spec, &params)?));
        }
        Ok(())
    }

    /// The current parameters (`[enc, mu, logvar, dec, out]`, each `(W, b)`); a GPU run reads
    /// them back.
    pub async fn params(&self) -> Result<VaeParams, VaeRunError> {
        match self {
            VaeRun::Cpu(c) => Ok(c.params()),
            VaeRun::Gpu(g) => Ok(g.params().await?),
        }
    }

    /// The encoder's posterior `(μ, log σ²)`, each `(n, Z)`, for `x: (n, D)`.
    pub async fn encode(&self, x: &[f32]) -> Result<(Vec<f32>, Vec<f32>), VaeRunError> {
        match self {
            VaeRun::Cpu(c) => Ok(c.encode(x)?),
            VaeRun::Gpu(g) => Ok(g.encode(x).await?),
        }
    }

    /// The decoder's output (probabilities or means), `(n, D)`, for `z: (n, Z)`.
    pub async fn decode(&self, z: &[f32]) -> Result<Vec<f32>, VaeRunError> {
        match self {
            VaeRun::Cpu(c) => Ok(c.decode(z)?),
            VaeRun::Gpu(g) => Ok(g.decode(z).await?),
        }
    }
}
