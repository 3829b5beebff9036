//! The Autoencoder lesson's experiment: data split, the dense autoencoder trained through
//! `compute::dense::DenseRun` (CPU engine or WebGPU, whichever the measured choice picks), the
//! page-wide caches of the split and the PCA baseline, and the evaluation (codes,
//! reconstructions, errors).
//!
//! Network: `784 → h → z → h → 784`, one activation (tanh or ReLU) after every layer but the
//! last, logits out; loss = binary cross-entropy with logits, mean over pixels,
//! `−[x log σ(ℓ) + (1 − x) log(1 − σ(ℓ))]`; reconstruction `x̂ = σ(ℓ)`. Denoising: the input is
//! `clip(x + σ_n·ε, 0, 1)`, `ε ~ N(0, 1)` per pixel, while the target stays the clean `x`.
//!
//! The train/validation split is fixed ([`SPLIT_SEED`]): every seed, code size and the PCA
//! baseline are compared on the same held-out digits, and both the split and the PCA fit
//! (`k = 32`; PCA axes are nested, so the first `k` of them are the fit at `k`) are computed
//! once per page and shared by every mount of the lesson.

use crate::compute::dense::{init_params, DenseError, DenseParams, DenseRun};
use crate::compute::BackendKind;
use crate::compute::Gpu;
use crate::core::data::{BatchSampler, Dataset};
use crate::core::dense::{Act, DenseLoss, DenseSpec};
use crate::core::matmul::{gemm, Gemm};
use crate::core::mnist::{Mnist, PIXELS};
use crate::core::optim::AdamConfig;
use crate::core::pca::{mse, Pca, PcaFit};
use crate::core::train::{AsyncTrainable, Board, StepFuture, StepReport};
use crate::core::Rng;
use std::cell::RefCell;
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
    /// Seed of the weights, the batches and the noise.
    pub seed: u64,
}

impl Settings {
    /// The run the lesson's knobs describe.
    pub fn of(k: &super::Knobs) -> Self {
        Settings {
            hidden: k.h as usize,
            z: k.z as usize,
            act: if k.act == "tanh" { Act::Tanh } else { Act::Relu },
            lr: k.lr as f32,
            batch: k.bs as usize,
            noise: k.dn.then_some(k.noise as f32),
            seed: k.seed,
        }
    }
}

/// Seed of the fixed train/validation split.
pub const SPLIT_SEED: u64 = 1;
/// PCA is fitted once with this many axes; every `k = z ≤ 32` reads the first `k`.
pub const PCA_K: usize = 32;
/// Seed of the PCA fit's start basis (the converged axes do not depend on it).
const PCA_SEED: u64 = 0x00AE_0BCA;

/// The train/validation split of the first [`N_DIGITS`] digits (permutation from
/// [`SPLIT_SEED`]).
pub struct Split {
    /// Training digits `(n, 784)` in `[0, 1]`.
    pub train: Dataset,
    /// Validation digits.
    pub val: Dataset,
}

impl Split {
    /// Splits `mnist`.
    pub fn new(mnist: &Mnist) -> Result<Split, String> {
        let all = mnist.dataset(N_DIGITS);
        let (train, val) = all.split(VAL_FRACTION, SPLIT_SEED).map_err(|e| e.to_string())?;
        Ok(Split { train, val })
    }
}

/// Where the page's PCA fit stands.
enum PcaSlot {
    Empty,
    Fitting(Rc<Split>, Box<PcaFit>),
    Done(Rc<Split>, Rc<Pca>),
    Failed(Rc<Split>, String),
}

thread_local! {
    /// The page's split: built once per loaded digit set, shared by every mount.
    static SPLIT: RefCell<Option<(Rc<Mnist>, Rc<Split>)>> = const { RefCell::new(None) };
    /// The page's PCA fit of the split's training digits, advanced by whichever mount runs.
    static PCA: RefCell<PcaSlot> = const { RefCell::new(PcaSlot::Empty) };
}

/// The split of `mnist`, built on the first call and reused while the digit set is the same.
pub fn shared_split(mnist: &Rc<Mnist>) -> Result<Rc<Split>, String> {
    SPLIT.with(|cell| {
        let mut cache = cell.borrow_mut();
        if let Some((m, sp)) = cache.as_ref() {
            if Rc::ptr_eq(m, mnist) {
                return Ok(sp.clone());
            }
        }
        let sp = Rc::new(Split::new(mnist)?);
        *cache = Some((mnist.clone(), sp.clone()));
        Ok(sp)
    })
}

/// Where a PCA fit stands after [`advance_pca`].
#[derive(Clone)]
pub enum PcaProgress {
    /// Still fitting; the fraction done.
    Busy(f64),
    /// The fitted PCA (`k = `[`PCA_K`]).
    Done(Rc<Pca>),
    /// The fit could not run (the message says why).
    Failed(String),
}

/// Advances the page's PCA fit of `split`'s training digits by bounded units of work while
/// `more()` returns `true` (at least one unit). A fit of another split is discarded. The fit
/// lives with the page, so a lesson unmounted mid-fit leaves the work done for the next mount.
pub fn advance_pca(split: &Rc<Split>, mut more: impl FnMut() -> bool) -> PcaProgress {
    PCA.with(|cell| {
        let mut slot = cell.borrow_mut();
        let same = match &*slot {
            PcaSlot::Empty => false,
            PcaSlot::Fitting(s, _) | PcaSlot::Done(s, _) | PcaSlot::Failed(s, _) => {
                Rc::ptr_eq(s, split)
            }
        };
        if !same {
            let x = split.train.x.data();
            *slot = match PcaFit::new(x, split.train.len(), PIXELS, PCA_K, PCA_SEED) {
                Ok(fit) => PcaSlot::Fitting(split.clone(), Box::new(fit)),
                Err(e) => PcaSlot::Failed(split.clone(), e.to_string()),
            };
        }
        let done = match &mut *slot {
            PcaSlot::Fitting(_, fit) => {
                loop {
                    if fit.step() || fit.is_done() {
                        break;
                    }
                    if !more() {
                        return PcaProgress::Busy(fit.progress());
                    }
                }
                std::mem::replace(&mut *slot, PcaSlot::Empty)
            }
            PcaSlot::Done(_, pca) => return PcaProgress::Done(pca.clone()),
            PcaSlot::Failed(_, e) => return PcaProgress::Failed(e.clone()),
            PcaSlot::Empty => return PcaProgress::Failed("no PCA fit".into()),
        };
        let PcaSlot::Fitting(sp, fit) = done else {
            return PcaProgress::Failed("no PCA fit".into());
        };
        match fit.into_result() {
            Some(p) => {
                let p = Rc::new(p);
                *slot = PcaSlot::Done(sp, p.clone());
                PcaProgress::Done(p)
            }
            None => {
                let e = "the PCA fit did not converge".to_string();
                *slot = PcaSlot::Failed(sp, e.clone());
                PcaProgress::Failed(e)
            }
        }
    })
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

/// What a run publishes for the page after each evaluation.
#[derive(Debug, Clone)]
pub struct Published {
    /// The latest validation evaluation.
    pub eval: Eval,
    /// Steps taken when it was made.
    pub steps: u64,
    /// Code size of the run.
    pub z: usize,
    /// Where the run trains now.
    pub backend: BackendKind,
    /// A GPU failure that moved the run to the CPU, if one happened.
    pub fallback: Option<String>,
}


/// A training run: the network (on the CPU or the GPU), its batches and noise; it publishes
/// every evaluation on its [`Board`] (read by the page after every frame of training).
pub struct Experiment {
    settings: Settings,
    split: Rc<Split>,
    run: DenseRun,
    gpu: Option<Rc<Gpu>>,
    sampler: BatchSampler,
    rng: Rng,
    val_input: Rc<Vec<f32>>,
    steps: u64,
    fallback: Option<String>,
    board: Board<Published>,
}

impl Experiment {
    /// A fresh run of `s` on `split` on `backend` (`gpu` is needed for WebGPU), evaluated on
    /// `val_input` (see [`val_input`]). A GPU that cannot build the trainer gives a CPU run
    /// and the error that caused it (also published as the fallback).
    pub async fn start(
        s: &Settings,
        split: Rc<Split>,
        val_input: Rc<Vec<f32>>,
        backend: BackendKind,
        gpu: Option<Rc<Gpu>>,
        board: impl Into<Board<Published>>,
    ) -> Result<(Experiment, Option<String>), String> {
        let board = board.into();
        let spec = spec(s);
        let params = init_params(&spec, s.seed);
        let (run, failed) = DenseRun::start(backend, gpu.as_deref(), spec, &params)
            .await
            .map_err(|e| e.to_string())?;
        let failed = failed.map(|e| e.to_string());
        // A CPU run does not hold the device.
        let gpu = if run.backend() == BackendKind::WebGpu { gpu } else { None };
        let n = split.train.len();
        let sampler =
            BatchSampler::new(n, s.batch, true, s.seed ^ 0xBA7C).map_err(|e| e.to_string())?;
        let rng = Rng::new(s.seed ^ 0x0153);
        let e = Experiment {
            settings: s.clone(),
            split,
            run,
            gpu,
            sampler,
            rng,
            val_input,
            steps: 0,
            fallback: failed.clone(),
            board,
        };
        Ok((e, failed))
    }

    /// Where it trains now.
    pub fn backend(&self) -> BackendKind {
        self.run.backend()
    }

    /// One Adam step on a batch; every [`EVAL_EVERY`] steps (and on the first) the validation
    /// set is evaluated, reported as [`VAL_BCE`], [`VAL_MSE`] and published. A GPU failure
    /// moves the run to the CPU (from the weights read back) and the step is taken there.
    pub async fn step(&mut self) -> Result<Vec<StepReport>, String> {
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
        let loss = match self.run.step(self.gpu.as_deref(), &input, &x).await {
            Ok(l) => l,
            Err(DenseError::Gpu(e)) => {
                // The run is on the CPU now (or could not read its weights back: then this
                // second attempt fails too and the error stops training).
                self.fallback = Some(e.to_string());
                self.gpu = None;
                self.run.step(None, &input, &x).await.map_err(|e| e.to_string())?
            }
            Err(e) => return Err(e.to_string()),
        };
        self.steps += 1;
        let mut report = StepReport::loss(loss as f64);
        if self.steps % EVAL_EVERY == 1 || EVAL_EVERY == 1 {
            let e = self.evaluate().await?;
            report = report.with_metric(VAL_BCE, e.bce).with_metric(VAL_MSE, e.mse);
            let p = Published {
                eval: e,
                steps: self.steps,
                z: self.settings.z,
                backend: self.run.backend(),
                fallback: self.fallback.clone(),
            };
            self.board.publish(p);
        }
        Ok(vec![report])
    }

    /// The current weights (read back from the GPU when it trains there).
    pub async fn params(&self) -> Result<DenseParams, String> {
        match &self.run {
            DenseRun::Cpu(c) => Ok(c.params()),
            DenseRun::Gpu(t) => t.params().await.map_err(|e| e.to_string()),
        }
    }

    /// Evaluates the current network on the validation set (on the CPU).
    pub async fn evaluate(&self) -> Result<Eval, String> {
        let params = self.params().await?;
        let sp = spec(&self.settings);
        let n = self.split.val.len();
        Ok(evaluate(&params, &sp.dims, sp.hidden, &self.val_input, self.split.val.x.data(), n))
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }
}

impl AsyncTrainable for Experiment {
    fn runs(&self) -> usize {
        1
    }

    fn step(&mut self) -> StepFuture<'_> {
        Box::pin(Experiment::step(self))
    }
}
