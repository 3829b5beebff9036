//! The variational autoencoder (VAE) on the CPU training engine.
//!
//! A VAE learns a probabilistic code: the encoder maps a digit `x` to a Gaussian
//! `q(z|x) = N(μ, diag σ²)` over a small latent space, the decoder maps a latent point `z` back
//! to an image, and the prior is `p(z) = N(0, I)`. One hidden layer on each side:
//!
//! ```text
//! enc:    h  = relu(x·W₁ + b₁)          W₁: (D, H)   x: (B, D) in [0, 1]
//! mu:     μ  = h·W_μ + b_μ               W_μ: (H, Z)
//! logvar: lv = h·W_v + b_v               W_v: (H, Z)         (lv = log σ²)
//! reparam z  = μ + exp(½·lv) ⊙ ε         ε: (B, Z) ~ N(0, 1), supplied by the caller
//! dec:    g  = relu(z·W₂ + b₂)           W₂: (Z, H)
//! out:    o  = g·W₃ + b₃                 W₃: (H, D)   logits (Bernoulli) or the mean x̂ (Gaussian)
//! ```
//!
//! The loss is the negative evidence lower bound with a weight β on the KL term (β-VAE),
//! averaged over the batch:
//!
//! ```text
//! recon = Σ_d BCEWithLogits(o_d, x_d)                       (Bernoulli)
//!       = Σ_d ½(o_d − x_d)²                                 (Gaussian, unit variance)
//! kl    = Σ_j ½(μ_j² + exp(lv_j) − 1 − lv_j)                = KL(N(μ, σ²) ‖ N(0, I))
//! loss  = mean_batch(recon + β·kl)
//! ```
//!
//! The **reparameterisation trick** writes the sample as `z = μ + σ ⊙ ε` with the noise `ε`
//! drawn outside the network, so the gradient reaches μ and log σ² through `z`
//! (`∂z/∂μ = 1`, `∂z/∂lv = ½·σ ⊙ ε`). The caller passes `ε` (seeded draws) so that runs are
//! reproducible and the WebGPU trainer (`gpu::vae`) can be checked against this one step by
//! step. Parameters are updated by Adam with PyTorch semantics.
//!
//! Parameters travel as [`VaeParams`] in the order `[enc, mu, logvar, dec, out]`, each
//! `(W row-major (in, out), b (out))`.

use super::autograd::{AutogradError, ParamId, ParamStore, Tape, Var};
use super::matmul::{gemm, Gemm};
use super::nn::{Init, Linear};
use super::optim::adam::{Adam, AdamConfig};
use super::optim::Optimizer;
use super::{Rng, Tensor};
use std::fmt;

/// The decoder's output distribution `p(x|z)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Likelihood {
    /// Each pixel is a Bernoulli variable with logit `o_d`: reconstruction = BCE with logits.
    Bernoulli,
    /// Each pixel is `N(o_d, 1)`: reconstruction = `½(o_d − x_d)²` (constant dropped).
    Gaussian,
}

/// The sizes and training settings of a VAE.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VaeSpec {
    /// Input size `D` (784 for MNIST).
    pub input: usize,
    /// Hidden width `H` of the encoder and the decoder.
    pub hidden: usize,
    /// Latent size `Z`.
    pub latent: usize,
    /// The decoder's output distribution.
    pub likelihood: Likelihood,
    /// Training batch size `B` (rows per [`Vae::step`]).
    pub batch: usize,
    /// Adam's learning rate.
    pub lr: f32,
}

impl VaeSpec {
    /// `(in, out)` of the five layers, in [`VaeParams`] order.
    pub fn layer_dims(&self) -> [(usize, usize); 5] {
        let (d, h, z) = (self.input, self.hidden, self.latent);
        [(d, h), (h, z), (h, z), (z, h), (h, d)]
    }

    /// Checks that every size is positive and the learning rate finite and non-negative.
    pub fn validate(&self) -> Result<(), VaeError> {
        if self.input == 0 || self.hidden == 0 || self.latent == 0 || self.batch == 0 {
            return Err(VaeError::Spec(format!(
                "sizes must be positive: input {}, hidden {}, latent {}, batch {}",
                self.input, self.hidden, self.latent, self.batch
            )));
        }
        if !(self.lr.is_finite() && self.lr >= 0.0) {
            return Err(VaeError::Spec(format!("learning rate {} is not valid", self.lr)));
        }
        Ok(())
    }
}

/// The five layers' parameters `[enc, mu, logvar, dec, out]`, each `(W: (in, out) row-major,
/// b: (out))`.
pub type VaeParams = Vec<(Vec<f32>, Vec<f32>)>;

/// Why a VAE operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum VaeError {
    /// The spec, the parameters or an input's size is inconsistent (the message says how).
    Spec(String),
    /// The training engine refused an operation.
    Engine(AutogradError),
    /// The optimizer refused the update.
    Optim(String),
}

impl fmt::Display for VaeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaeError::Spec(m) | VaeError::Optim(m) => write!(f, "{m}"),
            VaeError::Engine(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for VaeError {}

impl From<AutogradError> for VaeError {
    fn from(e: AutogradError) -> Self {
        VaeError::Engine(e)
    }
}

/// The loss of one batch (every value a mean over the batch's rows).
#[derive(Debug, Clone, PartialEq)]
pub struct VaeStep {
    /// `recon + β·kl`.
    pub loss: f32,
    /// The reconstruction term (nats per digit; Gaussian: half the squared error).
    pub recon: f32,
    /// The KL term `KL(q(z|x) ‖ N(0, I))` summed over the latent dimensions.
    pub kl: f32,
    /// The KL of each latent dimension (length `Z`); they sum to `kl`. A dimension whose KL
    /// stays near 0 is *inactive*: the encoder ignores it and it carries no information.
    pub kl_per_dim: Vec<f32>,
}

/// Seeded initial parameters for `spec`: He-uniform for `enc` and `dec` (followed by ReLU),
/// Xavier-uniform for `mu`, `logvar` and `out`, zero biases; drawn in [`VaeParams`] order from
/// one [`Rng`], so both backends start from the same weights.
pub fn init_params(spec: &VaeSpec, seed: u64) -> VaeParams {
    let mut rng = Rng::new(seed);
    spec.layer_dims()
        .iter()
        .enumerate()
        .map(|(l, &(i, o))| {
            let init = if l == 0 || l == 3 { Init::HeUniform } else { Init::XavierUniform };
            let mut w = vec![0.0; i * o];
            init.fill(&mut w, i, o, &mut rng);
            (w, vec![0.0; o])
        })
        .collect()
}

/// Layer names in [`VaeParams`] order.
const NAMES: [&str; 5] = ["enc", "mu", "logvar", "dec", "out"];

/// A VAE being trained on the CPU engine (see the module docs).
#[derive(Debug)]
pub struct Vae {
    spec: VaeSpec,
    store: ParamStore,
    layers: Vec<Linear>,
    ids: Vec<(ParamId, ParamId)>,
    tape: Tape,
    adam: Adam,
    steps: u64,
    /// `(μ, lv)` handles of the last forward pass.
    last: Option<(Var, Var)>,
}

/// The tape handles of one forward pass.
struct Forward {
    kl_terms: Var,
    recon: Var,
    kl: Var,
    loss: Var,
}

impl Vae {
    /// Builds the model from `params` (see [`VaeParams`]; e.g. [`init_params`]).
    pub fn new(spec: VaeSpec, params: &[(Vec<f32>, Vec<f32>)]) -> Result<Self, VaeError> {
        spec.validate()?;
        let dims = spec.layer_dims();
        if params.len() != dims.len() {
            return Err(VaeError::Spec(format!(
                "{} parameter pairs given, the VAE has {}",
                params.len(),
                dims.len()
            )));
        }
        let adam = Adam::new(AdamConfig { lr: spec.lr, ..AdamConfig::default() })
            .map_err(|e| VaeError::Optim(e.to_string()))?;
        let mut store = ParamStore::new();
        let mut layers = Vec::with_capacity(dims.len());
        let mut ids = Vec::with_capacity(dims.len());
        // The initialiser is irrelevant: every value is overwritten from `params` below.
        let mut rng = Rng::new(0);
        for (l, ((w, b), &(i, o))) in params.iter().zip(&dims).enumerate() {
            if w.len() != i * o || b.len() != o {
                return Err(VaeError::Spec(format!(
                    "layer {}: W has {} values (want {i}×{o}), b has {} (want {o})",
                    NAMES[l],
                    w.len(),
                    b.len()
                )));
            }
            if w.iter().chain(b).any(|v| !v.is_finite()) {
                return Err(VaeError::Spec(format!(
                    "layer {}: a parameter is not finite",
                    NAMES[l]
                )));
            }
            let lin = Linear::new(&mut store, NAMES[l], i, o, Init::Zeros, &mut rng);
            let Some(bid) = lin.bias else {
                return Err(VaeError::Spec("a Linear layer without bias".into()));
            };
            for (id, src) in [(lin.weight, w), (bid, b)] {
                if let Some(t) = store.value_mut(id) {
                    t.data_mut().copy_from_slice(src);
                }
            }
            ids.push((lin.weight, bid));
            layers.push(lin);
        }
        Ok(Self { spec, store, layers, ids, tape: Tape::new(), adam, steps: 0, last: None })
    }

    /// The model's spec.
    pub fn spec(&self) -> &VaeSpec {
        &self.spec
    }

    /// Training steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Sets Adam's learning rate (its moments are kept).
    pub fn set_lr(&mut self, lr: f32) -> Result<(), VaeError> {
        if !(lr.is_finite() && lr >= 0.0) {
            return Err(VaeError::Spec(format!("learning rate {lr} is not valid")));
        }
        self.adam.set_lr(lr).map_err(|e| VaeError::Spec(e.to_string()))?;
        self.spec.lr = lr;
        Ok(())
    }

    /// Number of rows in `x` (checked against the input size and `eps`).
    fn rows(&self, x: &[f32], eps: &[f32]) -> Result<usize, VaeError> {
        let (d, z) = (self.spec.input, self.spec.latent);
        if x.is_empty() || !x.len().is_multiple_of(d) {
            return Err(VaeError::Spec(format!("x has {} values, not a multiple of {d}", x.len())));
        }
        let n = x.len() / d;
        if eps.len() != n * z {
            return Err(VaeError::Spec(format!(
                "eps has {} values, want {n}×{z} = {}",
                eps.len(),
                n * z
            )));
        }
        Ok(n)
    }

    /// Records the forward pass and the loss of `x: (n, D)` with noise `eps: (n, Z)`.
    fn forward(
        &mut self,
        x: &[f32],
        eps: &[f32],
        n: usize,
        beta: f32,
    ) -> Result<Forward, VaeError> {
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(VaeError::Spec(format!("β = {beta} is not valid")));
        }
        let (d, z) = (self.spec.input, self.spec.latent);
        let t = &mut self.tape;
        let s = &self.store;
        t.reset();
        // x: (n, D) -> h: (n, H) -> μ, lv: (n, Z) -> z: (n, Z) -> g: (n, H) -> o: (n, D)
        let xv = t.input(&[n, d], x)?;
        let h = self.layers[0].forward(t, s, xv)?;
        let h = t.relu(h)?;
        let mu = self.layers[1].forward(t, s, h)?;
        let logvar = self.layers[2].forward(t, s, h)?;
        let noise = Tensor::new(vec![n, z], eps.to_vec()).map_err(AutogradError::from)?;
        let zv = t.reparameterize(mu, logvar, &noise)?;
        let g = self.layers[3].forward(t, s, zv)?;
        let g = t.relu(g)?;
        let o = self.layers[4].forward(t, s, g)?;
        let recon = match self.spec.likelihood {
            // mean over n·D elements × D = Σ_d per row, mean over rows.
            Likelihood::Bernoulli => {
                let bce = t.bce_with_logits(o, xv)?;
                t.scale(bce, d as f32)?
            }
            Likelihood::Gaussian => {
                let mse = t.mse(o, xv)?;
                t.scale(mse, 0.5 * d as f32)?
            }
        };
        let kl_terms = t.kl_normal(mu, logvar)?;
        let kl_sum = t.sum(kl_terms)?;
        let kl = t.scale(kl_sum, 1.0 / n as f32)?;
        let weighted = t.scale(kl, beta)?;
        let loss = t.add(recon, weighted)?;
        self.last = Some((mu, logvar));
        Ok(Forward { kl_terms, recon, kl, loss })
    }

    /// Reads the step report from a recorded forward pass.
    fn report(&self, f: &Forward, n: usize) -> Result<VaeStep, VaeError> {
        let scalar = |v: Var| -> Result<f32, VaeError> {
            Ok(self.tape.value(v)?.data().first().copied().unwrap_or(f32::NAN))
        };
        let z = self.spec.latent;
        let mut per_dim = vec![0.0f64; z];
        for row in self.tape.value(f.kl_terms)?.data().chunks_exact(z) {
            for (acc, v) in per_dim.iter_mut().zip(row) {
                *acc += *v as f64;
            }
        }
        Ok(VaeStep {
            loss: scalar(f.loss)?,
            recon: scalar(f.recon)?,
            kl: scalar(f.kl)?,
            kl_per_dim: per_dim.iter().map(|s| (s / n as f64) as f32).collect(),
        })
    }

    /// One training step on a batch `x: (batch, D)` in `[0, 1]` with noise `eps: (batch, Z)`
    /// and KL weight `beta ≥ 0`: forward, backward, one Adam update. Returns the batch's loss
    /// terms **before** the update. On error the parameters are unchanged.
    pub fn step(&mut self, x: &[f32], eps: &[f32], beta: f32) -> Result<VaeStep, VaeError> {
        let n = self.rows(x, eps)?;
        if n != self.spec.batch {
            return Err(VaeError::Spec(format!(
                "a training batch has {} rows, got {n}",
                self.spec.batch
            )));
        }
        let f = self.forward(x, eps, n, beta)?;
        let report = self.report(&f, n)?;
        if !report.loss.is_finite() {
            return Err(VaeError::Spec(format!("the loss is not finite ({})", report.loss)));
        }
        self.store.zero_grads();
        self.tape.backward(f.loss)?;
        self.tape.accumulate_param_grads(&mut self.store)?;
        let (mut p, g) = self.store.params_and_grads();
        self.adam.step(&mut p, &g).map_err(|e| VaeError::Optim(e.to_string()))?;
        self.steps += 1;
        Ok(report)
    }

    /// The loss terms of `x: (n, D)` (any `n ≥ 1`) with noise `eps: (n, Z)`, without any
    /// update (validation).
    pub fn loss(&mut self, x: &[f32], eps: &[f32], beta: f32) -> Result<VaeStep, VaeError> {
        let n = self.rows(x, eps)?;
        let f = self.forward(x, eps, n, beta)?;
        self.report(&f, n)
    }

    /// The loss of `x` with noise `eps` and the gradient of the loss w.r.t. every parameter
    /// (in [`VaeParams`] order), without an update — for gradient checks.
    pub fn loss_and_grads(
        &mut self,
        x: &[f32],
        eps: &[f32],
        beta: f32,
    ) -> Result<(VaeStep, VaeParams), VaeError> {
        let n = self.rows(x, eps)?;
        let f = self.forward(x, eps, n, beta)?;
        let report = self.report(&f, n)?;
        self.store.zero_grads();
        self.tape.backward(f.loss)?;
        self.tape.accumulate_param_grads(&mut self.store)?;
        let get = |id| self.store.grad(id).map(|t| t.data().to_vec()).unwrap_or_default();
        let grads = self.ids.iter().map(|&(w, b)| (get(w), get(b))).collect();
        Ok((report, grads))
    }

    /// `∂loss/∂μ` and `∂loss/∂lv` (each `(n, Z)`) of the last [`Vae::loss_and_grads`] — the
    /// gradient that reaches the encoder's outputs through the reparameterised sample and the
    /// KL term.
    pub fn latent_grads(&self) -> Result<(Vec<f32>, Vec<f32>), VaeError> {
        let Some((mu, lv)) = self.last else {
            return Err(VaeError::Spec("no forward pass recorded yet".into()));
        };
        let get = |v: Var| -> Result<Vec<f32>, VaeError> {
            Ok(self.tape.grad(v)?.map(<[f32]>::to_vec).unwrap_or_default())
        };
        Ok((get(mu)?, get(lv)?))
    }

    /// The current parameters (see [`VaeParams`]).
    pub fn params(&self) -> VaeParams {
        let get = |id| self.store.value(id).map(|t| t.data().to_vec()).unwrap_or_default();
        self.ids.iter().map(|&(w, b)| (get(w), get(b))).collect()
    }

    /// `y = act(x·W + b)` of layer `l` for `x: (n, in)` → `(n, out)`.
    fn dense(&self, l: usize, x: &[f32], n: usize, relu: bool) -> Result<Vec<f32>, VaeError> {
        let (i, o) = self.spec.layer_dims()[l];
        let (wid, bid) = self.ids[l];
        let (Some(w), Some(b)) = (self.store.value(wid), self.store.value(bid)) else {
            return Err(VaeError::Engine(AutogradError::UnknownParam));
        };
        let mut y = vec![0.0; n * o];
        gemm(Gemm::new(n, i, o), x, w.data(), &mut y).map_err(AutogradError::from)?;
        for row in y.chunks_exact_mut(o) {
            for (v, bb) in row.iter_mut().zip(b.data()) {
                *v += bb;
                if relu && *v < 0.0 {
                    *v = 0.0;
                }
            }
        }
        Ok(y)
    }

    /// The encoder's posterior for `x: (n, D)`, any `n ≥ 1`: `(μ, log σ²)`, each `(n, Z)`.
    pub fn encode(&self, x: &[f32]) -> Result<(Vec<f32>, Vec<f32>), VaeError> {
        let d = self.spec.input;
        if x.is_empty() || !x.len().is_multiple_of(d) {
            return Err(VaeError::Spec(format!("x has {} values, not a multiple of {d}", x.len())));
        }
        let n = x.len() / d;
        // x: (n, D) -> h: (n, H) -> μ, lv: (n, Z)
        let h = self.dense(0, x, n, true)?;
        Ok((self.dense(1, &h, n, false)?, self.dense(2, &h, n, false)?))
    }

    /// The decoder's output for latent points `z: (n, Z)`, any `n ≥ 1`: pixel probabilities
    /// `sigmoid(o)` (Bernoulli) or the means `o` (Gaussian), `(n, D)`.
    pub fn decode(&self, z: &[f32]) -> Result<Vec<f32>, VaeError> {
        let zd = self.spec.latent;
        if z.is_empty() || !z.len().is_multiple_of(zd) {
            return Err(VaeError::Spec(format!(
                "z has {} values, not a multiple of {zd}",
                z.len()
            )));
        }
        let n = z.len() / zd;
        // z: (n, Z) -> g: (n, H) -> o: (n, D)
        let g = self.dense(3, z, n, true)?;
        let mut o = self.dense(4, &g, n, false)?;
        if self.spec.likelihood == Likelihood::Bernoulli {
            for v in &mut o {
                *v = sigmoid(*v);
            }
        }
        Ok(o)
    }
}

/// The logistic function without overflow.
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// The closed-form KL of `N(μ, e^{lv})` to `N(0, 1)` for one dimension:
/// `½(μ² + e^{lv} − 1 − lv)`, for the model's `f32` codes: computed in `f64` by
/// [`crate::core::divergence::kl_vae_term`] (the textbook form, shared with the KL lesson) and
/// rounded once. The training loss's per-element term is the tape's `Tape::kl_normal` (an `f32`
/// tensor op, with its gradient).
pub fn kl_normal(mu: f32, logvar: f32) -> f32 {
    crate::core::divergence::kl_vae_term(mu as f64, logvar as f64) as f32
}

/// `n` standard normal draws from `rng` (the noise `ε` of a step: `n = rows·Z`).
pub fn draw_eps(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.normal()).collect()
}

/// A plane through the latent space on which codes are drawn and from which points are decoded:
/// `z(a, b) = c + a·u + b·v`. With a 2-D latent it is the latent plane itself
/// ([`LatentPlane::axes`]); with more dimensions it is the plane of the two principal axes of a
/// cloud of codes ([`LatentPlane::pca`]), so a point picked on the figure is a real latent vector.
#[derive(Debug, Clone, PartialEq)]
pub struct LatentPlane {
    /// The centre `c` (length `Z`).
    pub center: Vec<f32>,
    /// The first axis `u` (unit length).
    pub u: Vec<f32>,
    /// The second axis `v` (unit length, orthogonal to `u`).
    pub v: Vec<f32>,
}

impl LatentPlane {
    /// The plane of the first two latent coordinates through the origin (`Z ≥ 2`).
    pub fn axes(z: usize) -> Option<Self> {
        if z < 2 {
            return None;
        }
        let mut u = vec![0.0; z];
        let mut v = vec![0.0; z];
        u[0] = 1.0;
        v[1] = 1.0;
        Some(Self { center: vec![0.0; z], u, v })
    }

    /// The plane through the mean of `points: (n, z)` spanned by their two principal axes (the
    /// top two eigenvectors of the covariance, by power iteration with deflation in `f64`).
    /// `None` for fewer than two dimensions or no points. Each axis' sign is fixed so that its
    /// largest-magnitude component is positive (a stable picture while training).
    pub fn pca(points: &[f32], z: usize) -> Option<Self> {
        if z < 2 || points.len() < z || !points.len().is_multiple_of(z) {
            return None;
        }
        let n = points.len() / z;
        let mut mean = vec![0.0f64; z];
        for p in points.chunks_exact(z) {
            for (m, v) in mean.iter_mut().zip(p) {
                *m += *v as f64 / n as f64;
            }
        }
        let mut cov = vec![0.0f64; z * z];
        for p in points.chunks_exact(z) {
            for i in 0..z {
                let di = p[i] as f64 - mean[i];
                for j in 0..z {
                    cov[i * z + j] += di * (p[j] as f64 - mean[j]) / n as f64;
                }
            }
        }
        let first = power_axis(&cov, z, None);
        let second = power_axis(&cov, z, Some(&first));
        let f = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
        Some(Self { center: f(mean), u: f(first), v: f(second) })
    }

    /// The plane coordinates `(a, b)` of a latent point: `((p − c)·u, (p − c)·v)`.
    pub fn project(&self, p: &[f32]) -> (f32, f32) {
        let mut a = 0.0;
        let mut b = 0.0;
        for (((x, c), u), v) in p.iter().zip(&self.center).zip(&self.u).zip(&self.v) {
            a += (x - c) * u;
            b += (x - c) * v;
        }
        (a, b)
    }

    /// The latent point at plane coordinates `(a, b)`: `c + a·u + b·v`.
    pub fn lift(&self, a: f32, b: f32) -> Vec<f32> {
        self.center.iter().zip(&self.u).zip(&self.v).map(|((c, u), v)| c + a * u + b * v).collect()
    }
}

/// The dominant unit eigenvector of the symmetric `cov: (z, z)`, orthogonal to `deflate` if
/// given (power iteration; a degenerate matrix gives a coordinate axis).
fn power_axis(cov: &[f64], z: usize, deflate: Option<&[f64]>) -> Vec<f64> {
    let orth = |v: &mut Vec<f64>| {
        if let Some(d) = deflate {
            let dot: f64 = v.iter().zip(d).map(|(a, b)| a * b).sum();
            for (x, y) in v.iter_mut().zip(d) {
                *x -= dot * y;
            }
        }
    };
    let norm = |v: &mut Vec<f64>| -> bool {
        let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n > 1e-300 && n.is_finite() {
            v.iter_mut().for_each(|x| *x /= n);
            true
        } else {
            false
        }
    };
    // A start vector not orthogonal to any eigenvector in practice.
    let mut v: Vec<f64> = (0..z).map(|i| 1.0 + 0.1 * i as f64).collect();
    orth(&mut v);
    if !norm(&mut v) {
        v = vec![0.0; z];
        v[usize::from(deflate.is_some()).min(z - 1)] = 1.0;
    }
    for _ in 0..500 {
        let mut w: Vec<f64> =
            (0..z).map(|i| (0..z).map(|j| cov[i * z + j] * v[j]).sum::<f64>()).collect();
        orth(&mut w);
        if !norm(&mut w) {
            break;
        }
        let change: f64 = w.iter().zip(&v).map(|(a, b)| (a - b).abs()).sum();
        v = w;
        if change < 1e-12 {
            break;
        }
    }
    let big = v.iter().copied().fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
    if big < 0.0 {
        v.iter_mut().for_each(|x| *x = -*x);
    }
    v
}
