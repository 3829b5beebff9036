//! The Autoencoder lesson's experiment: data split, the dense autoencoder trained by
//! `compute::dense::DenseCpu`, and its evaluation (codes, reconstructions, errors).
//!
//! Network: `784 → h → z → h → 784`, one activation (tanh or ReLU) after every layer but the
//! last, logits out; loss = binary cross-entropy with logits, mean over pixels,
//! `−[x log σ(ℓ) + (1 − x) log(1 − σ(ℓ))]`; reconstruction `x̂ = σ(ℓ)`. Denoising: the input is
//! `clip(x + σ_n·ε, 0, 1)`, `ε ~ N(0, 1)` per pixel, while the target stays the clean `x`.

use crate::compute::dense::{init_params, DenseCpu, DenseParams};
use crate::core::data::{BatchSampler, Dataset};
use crate::core::matmul::{gemm, Gemm};
use crate::core::mnist::{Mnist, PIXELS};
use crate::core::optim::AdamConfig;
use crate::core::pca::mse;
use crate::core::train::StepReport;
use crate::core::Rng;
use crate::gpu::dense::{Act, DenseLoss, DenseSpec};
use std::rc::Rc;

/// Digits used by the lesson (first of the shipped 10,000).
pub const N_DIGITS: usize = 2500;
/// Fraction of them held out for validation (500 digits).
pub const VAL_FRACTION: f32 = 0.2;
/// The reconstruction grid shows this many validation digits.
pub const GRID: usize = 8;
/// Validation metrics are computed every this many steps.
pub const EVAL_EVERY: u64 = 10;
/// Metric: validation BCE.
pub const VAL_BCE: &str = "val_bce";
/// Metric: validation mean squared error per pixel.
pub const VAL_MSE: &str = "val_mse";

/// The knobs that define a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Hidden width `h`.
    pub hidden: usize,
    /// Code size `z` (2–32).
    pub z: usize,
    /// Activation of the hidden and code layers.
    pub act: Act,
    /// Adam learning rate.
    pub lr: f32,
    /// Batch size.
    pub batch: usize,
    /// Denoising on/off and its noise σ.
    pub noise: Option<f32>,
    /// Seed of the split, the weights, the batches and the noise.
    pub seed: u64,
}

/// The seeded train/validation split of the first [`N_DIGITS`] digits.
pub struct Split {
    /// Training digits `(n, 784)` in `[0, 1]`.
    pub train: Dataset,
    /// Validation digits.
    pub val: Dataset,
}

impl Split {
    /// Splits `mnist` with `seed`.
    pub fn new(mnist: &Mnist, seed: u64) -> Result<Split, String> {
        let all = mnist.dataset(N_DIGITS);
        let (train, val) = all.split(VAL_FRACTION, seed).map_err(|e| e.to_string())?;
        Ok(Split { train, val })
    }
}

/// `clip(x + σ·ε, 0, 1)` for every pixel, from `rng`.
pub fn add_noise(x: &[f32], sigma: f32, rng: &mut Rng) -> Vec<f32> {
    x.iter().map(|&v| (v + sigma * rng.normal()).clamp(0.0, 1.0)).collect()
}

/// The validation inputs the models see: the clean digits, or with denoising
/// `clip(x + σ·ε, 0, 1)` drawn from `seed` (the same draw for the autoencoder and PCA).
pub fn val_input(split: &Split, noise: Option<f32>, seed: u64) -> Vec<f32> {
    let clean = split.val.x.data();
    match noise {
        Some(sigma) => add_noise(clean, sigma, &mut Rng::new(seed ^ 0x0153_0153)),
        None => clean.to_vec(),
    }
}

/// The network spec for `s`.
pub fn spec(s: &Settings) -> DenseSpec {
    DenseSpec {
        dims: vec![PIXELS, s.hidden, s.z, s.hidden, PIXELS],
        hidden: s.act,
        output: Act::Identity,
        loss: DenseLoss::BceWithLogits,
        batch: s.batch,
        adam: AdamConfig { lr: s.lr, ..AdamConfig::default() },
    }
}

/// The autoencoder's outputs on a set of digits.
#[derive(Debug, Clone, Default)]
pub struct Eval {
    /// Codes `(n, z)`.
    pub codes: Vec<f32>,
    /// Reconstructions `σ(ℓ)`, `(n, 784)`.
    pub recon: Vec<f32>,
    /// Mean BCE per pixel against the clean targets.
    pub bce: f64,
    /// Mean squared error per pixel against the clean targets.
    pub mse: f64,
}

/// Runs the network `params` (widths `dims`, activation `act` between layers) on `x: (n, 784)`;
/// returns the code layer's output and the sigmoid of the logits, and the errors against
/// `target`. `x: (n, 784) -> codes: (n, z), recon: (n, 784)`.
pub fn evaluate(
    params: &DenseParams,
    dims: &[usize],
    act: Act,
    x: &[f32],
    target: &[f32],
    n: usize,
) -> Eval {
    let layers = params.len();
    let mut a = x.to_vec();
    let mut codes = Vec::new();
    for (l, (w, b)) in params.iter().enumerate() {
        let (i, o) = (dims[l], dims[l + 1]);
        let mut y = vec![0f32; n * o];
        for row in y.chunks_exact_mut(o) {
            row.copy_from_slice(b);
        }
        // y (n, o) += a (n, i) · W (i, o)
        if gemm(Gemm::new(n, i, o).acc(), &a, w, &mut y).is_err() {
            return Eval::default();
        }
        if l + 1 < layers {
            match act {
                Act::Relu => y.iter_mut().for_each(|v| *v = v.max(0.0)),
                Act::Tanh => y.iter_mut().for_each(|v| *v = v.tanh()),
                Act::Sigmoid => y.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
                Act::Identity => {}
            }
        }
        if l == 1 {
            codes = y.clone();
        }
        a = y;
    }
    // Stable BCE with logits: max(ℓ, 0) − ℓ·t + ln(1 + e^{−|ℓ|}).
    let mut bce = 0f64;
    for (&l, &t) in a.iter().zip(target) {
        bce += (l.max(0.0) - l * t + (-l.abs()).exp().ln_1p()) as f64;
    }
    let bce = bce / a.len().max(1) as f64;
    let recon: Vec<f32> = a.iter().map(|&l| 1.0 / (1.0 + (-l).exp())).collect();
    let mse = mse(&recon, target);
    Eval { codes, recon, bce, mse }
}

/// A training run: the network, its batches and noise, and the latest evaluation.
pub struct Experiment {
    /// The knobs it was built with.
    pub settings: Settings,
    split: Rc<Split>,
    net: DenseCpu,
    sampler: BatchSampler,
    rng: Rng,
    /// Noisy validation inputs (fixed per run) when denoising, else the clean ones.
    pub val_input: Vec<f32>,
    /// The latest validation evaluation (`None` before the first).
    pub eval: Option<Eval>,
}

impl Experiment {
    /// A fresh run of `s` on `split`.
    pub fn new(s: &Settings, split: Rc<Split>) -> Result<Experiment, String> {
        let spec = spec(s);
        let params = init_params(&spec, s.seed);
        let net = DenseCpu::new(spec, &params).map_err(|e| e.to_string())?;
        let n = split.train.len();
        let sampler =
            BatchSampler::new(n, s.batch, true, s.seed ^ 0xBA7C).map_err(|e| e.to_string())?;
        let rng = Rng::new(s.seed ^ 0x0153);
        let val_input = val_input(&split, s.noise, s.seed);
        Ok(Experiment { settings: s.clone(), split, net, sampler, rng, val_input, eval: None })
    }

    /// The data it trains on.
    pub fn split(&self) -> &Rc<Split> {
        &self.split
    }

    /// One Adam step on a batch; every [`EVAL_EVERY`] steps (and on the first) the validation
    /// set is evaluated and reported as [`VAL_BCE`], [`VAL_MSE`].
    pub fn step(&mut self) -> Result<Vec<StepReport>, String> {
        let idx = self.sampler.next_batch();
        let xs = self.split.train.x.data();
        let mut x = Vec::with_capacity(idx.len() * PIXELS);
        for &i in &idx {
            x.extend_from_slice(&xs[i * PIXELS..(i + 1) * PIXELS]);
        }
        let input = match self.settings.noise {
            Some(sigma) => add_noise(&x, sigma, &mut self.rng),
            None => x.clone(),
        };
        let loss = self.net.step(&input, &x).map_err(|e| e.to_string())?;
        let mut report = StepReport::loss(loss as f64);
        if self.net.steps() % EVAL_EVERY == 1 || EVAL_EVERY == 1 {
            let e = self.evaluate();
            report = report.with_metric(VAL_BCE, e.bce).with_metric(VAL_MSE, e.mse);
            self.eval = Some(e);
        }
        Ok(vec![report])
    }

    /// Evaluates the current network on the validation set.
    pub fn evaluate(&self) -> Eval {
        let spec = self.net.spec();
        let n = self.split.val.len();
        evaluate(
            &self.net.params(),
            &spec.dims,
            spec.hidden,
            &self.val_input,
            self.split.val.x.data(),
            n,
        )
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.net.steps()
    }
}
