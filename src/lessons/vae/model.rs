//! The VAE lesson's experiment: the digits split into training and validation sets, the
//! seeded initial weights, mini-batches with seeded noise `ε`, the validation loss of a model,
//! and the read-outs the page draws (validation codes, per-dimension KL, decoded points). The
//! model itself trains elsewhere (on the CPU or the GPU: [`super::run`]).

use crate::core::data::{permutation, BatchSampler};
use crate::core::mnist::{Mnist, PIXELS};
use crate::core::train::StepReport;
use crate::core::vae::{
    draw_eps, init_params, kl_normal, LatentPlane, Likelihood, Vae, VaeParams, VaeSpec, VaeStep,
};
use crate::core::Rng;
use std::rc::Rc;

/// Metric key: the batch's reconstruction term.
pub const RECON: &str = "recon";
/// Metric key: the batch's KL term.
pub const KL: &str = "kl";
/// Metric key: the validation loss (−ELBO with β, fixed ε), every [`VAL_EVERY`] steps.
pub const VAL_LOSS: &str = "val_loss";
/// Steps between validation-loss measurements.
pub const VAL_EVERY: u64 = 50;
/// Validation digits (the latent scatter, the reparameterisation panel, the CSV export).
pub const VAL_COUNT: usize = 1000;
/// Validation digits used for the validation-loss metric (a prefix of the validation set).
const VAL_LOSS_COUNT: usize = 200;

/// The lesson's knobs that define a run (β acts live and is not one of them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Latent size `Z`.
    pub latent: usize,
    /// Hidden width `H`.
    pub hidden: usize,
    /// Decoder likelihood.
    pub likelihood: Likelihood,
    /// Mini-batch size.
    pub batch: usize,
    /// Adam's learning rate.
    pub lr: f32,
    /// The seed of the split, the weights, the batches and the noise.
    pub seed: u64,
}

impl Settings {
    /// The run the lesson's knobs describe.
    pub fn of(k: &super::Knobs) -> Self {
        Settings {
            latent: k.z as usize,
            hidden: k.hid as usize,
            likelihood: if k.lik == "gauss" { Likelihood::Gaussian } else { Likelihood::Bernoulli },
            batch: k.bs as usize,
            lr: k.lr as f32,
            seed: k.seed,
        }
    }

    /// The model's spec.
    pub fn spec(&self) -> VaeSpec {
        VaeSpec {
            input: PIXELS,
            hidden: self.hidden,
            latent: self.latent,
            likelihood: self.likelihood,
            batch: self.batch,
            lr: self.lr,
        }
    }
}

/// The validation set: pixels in `[0, 1]` and labels.
#[derive(Debug, Clone)]
pub struct ValSet {
    /// `(n, 784)`.
    pub x: Vec<f32>,
    /// `(n)`.
    pub labels: Vec<u8>,
}

impl ValSet {
    /// Number of digits.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Digit `i`'s pixels.
    pub fn image(&self, i: usize) -> Option<&[f32]> {
        self.x.get(i * PIXELS..(i + 1) * PIXELS)
    }
}

/// The data side of one training run: split, batches, noise, validation.
pub struct Experiment {
    /// The settings it was built from.
    pub settings: Settings,
    /// The seeded initial weights ([`init_params`]).
    pub init: VaeParams,
    data: Rc<Mnist>,
    train_idx: Vec<usize>,
    sampler: BatchSampler,
    rng: Rng,
    batch_x: Vec<f32>,
    /// The validation digits.
    pub val: Rc<ValSet>,
    val_eps: Vec<f32>,
}

fn to_unit(bytes: &[u8], out: &mut [f32]) {
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = *b as f32 / 255.0;
    }
}

impl Experiment {
    /// A fresh run on `data`: a seeded split (the last [`VAL_COUNT`] digits of a permutation
    /// are the validation set), weights from [`init_params`] (checked by building the CPU
    /// model once: a bad spec is refused here).
    pub fn new(data: Rc<Mnist>, s: Settings) -> Result<Self, String> {
        let spec = s.spec();
        let init = init_params(&spec, s.seed);
        Vae::new(spec, &init).map_err(|e| e.to_string())?;
        let n = data.len();
        if n <= VAL_COUNT + s.batch {
            return Err(format!("{n} digits are too few"));
        }
        let mut rng = Rng::new(s.seed ^ 0x5641_455f_6461_7461);
        let perm = permutation(n, &mut rng);
        let (train_idx, val_idx) = perm.split_at(n - VAL_COUNT);
        let mut x = vec![0.0; VAL_COUNT * PIXELS];
        let mut labels = Vec::with_capacity(VAL_COUNT);
        for (row, &i) in val_idx.iter().enumerate() {
            let (Some(img), Some(l)) = (data.image(i), data.label(i)) else {
                return Err(format!("digit {i} is missing"));
            };
            to_unit(img, &mut x[row * PIXELS..(row + 1) * PIXELS]);
            labels.push(l);
        }
        let sampler =
            BatchSampler::new(train_idx.len(), s.batch, true, s.seed).map_err(|e| e.to_string())?;
        let val_eps = draw_eps(&mut rng, VAL_LOSS_COUNT * s.latent);
        Ok(Self {
            settings: s,
            init,
            data,
            train_idx: train_idx.to_vec(),
            sampler,
            rng,
            batch_x: vec![0.0; s.batch * PIXELS],
            val: Rc::new(ValSet { x, labels }),
            val_eps,
        })
    }

    /// The next training batch: its pixels `(batch, 784)` and fresh noise `ε: (batch, Z)`.
    pub fn next_batch(&mut self) -> Result<(&[f32], Vec<f32>), String> {
        let s = self.settings;
        for (row, &k) in self.sampler.next_batch().iter().enumerate() {
            let i = self.train_idx.get(k).copied().unwrap_or(0);
            let img = self.data.image(i).ok_or("a training digit is missing")?;
            to_unit(img, &mut self.batch_x[row * PIXELS..(row + 1) * PIXELS]);
        }
        let eps = draw_eps(&mut self.rng, s.batch * s.latent);
        Ok((&self.batch_x, eps))
    }

    /// The validation loss of `vae` (−ELBO with KL weight `beta`, fixed noise) on the first
    /// validation digits.
    pub fn val_loss(&self, vae: &mut Vae, beta: f32) -> Result<f64, String> {
        let x = &self.val.x[..VAL_LOSS_COUNT * PIXELS];
        let v = vae.loss(x, &self.val_eps, beta).map_err(|e| e.to_string())?;
        Ok(v.loss as f64)
    }

    /// One step's report: the loss (recon + β·KL) and the two terms.
    pub fn report(r: &VaeStep) -> StepReport {
        StepReport::loss(r.loss as f64)
            .with_metric(RECON, r.recon as f64)
            .with_metric(KL, r.kl as f64)
    }
}

/// What the latent figures show, computed from the validation codes.
#[derive(Debug, Clone, PartialEq)]
pub struct LatentView {
    /// The step it was computed at.
    pub step: u64,
    /// `μ: (n, Z)`.
    pub mu: Vec<f32>,
    /// `log σ²: (n, Z)`.
    pub logvar: Vec<f32>,
    /// Labels `(n)`.
    pub labels: Vec<u8>,
    /// The drawing plane (the latent plane itself for `Z = 2`, else the PCA plane).
    pub plane: LatentPlane,
    /// Plane coordinates of each `μ`.
    pub points: Vec<(f32, f32)>,
    /// Half-width of the square drawn (same for both axes).
    pub range: f32,
    /// Mean KL of each dimension over the validation set (nats).
    pub kl_per_dim: Vec<f32>,
}

/// KL below which a latent dimension counts as inactive (nats, validation mean).
pub const INACTIVE_KL: f32 = 0.05;

impl LatentView {
    /// Builds the view from encoded validation codes.
    pub fn new(step: u64, z: usize, mu: Vec<f32>, logvar: Vec<f32>, labels: Vec<u8>) -> Self {
        let plane = if z == 2 { LatentPlane::axes(2) } else { LatentPlane::pca(&mu, z) }
            .or_else(|| LatentPlane::axes(z.max(2)))
            .unwrap_or(LatentPlane { center: vec![0.0; z], u: vec![0.0; z], v: vec![0.0; z] });
        let points: Vec<(f32, f32)> = mu.chunks_exact(z.max(1)).map(|p| plane.project(p)).collect();
        // A symmetric square holding ~all codes, at least the prior's ±3.
        let mut mags: Vec<f32> =
            points.iter().map(|(a, b)| a.abs().max(b.abs())).filter(|v| v.is_finite()).collect();
        mags.sort_by(f32::total_cmp);
        let p99 = mags.get(mags.len() * 99 / 100).copied().unwrap_or(3.0);
        let range = (p99 * 1.1).clamp(3.0, 50.0);
        let n = (mu.len() / z.max(1)).max(1);
        let mut kl = vec![0.0f64; z];
        for (i, (m, l)) in mu.iter().zip(&logvar).enumerate() {
            kl[i % z] += kl_normal(*m, *l) as f64 / n as f64;
        }
        Self {
            step,
            mu,
            logvar,
            labels,
            plane,
            points,
            range,
            kl_per_dim: kl.into_iter().map(|v| v as f32).collect(),
        }
    }

    /// The latent point at plane coordinates `(a, b)`.
    pub fn lift(&self, a: f32, b: f32) -> Vec<f32> {
        self.plane.lift(a, b)
    }

    /// The validation digit whose code (plane coordinates) is nearest `(a, b)`, if within
    /// `reach` (plane units).
    pub fn nearest(&self, a: f32, b: f32, reach: f32) -> Option<usize> {
        self.points
            .iter()
            .enumerate()
            .map(|(i, (pa, pb))| (i, (pa - a).powi(2) + (pb - b).powi(2)))
            .filter(|(_, d)| d.is_finite() && *d <= reach * reach)
            .min_by(|x, y| x.1.total_cmp(&y.1))
            .map(|(i, _)| i)
    }

    /// The CSV of the codes: index, label, μ₁…μ_Z, σ₁…σ_Z, and the plane coordinates.
    pub fn csv(&self, z: usize) -> Vec<Vec<String>> {
        let mut head = vec!["index".to_string(), "label".to_string()];
        head.extend((1..=z).map(|j| format!("mu_{j}")));
        head.extend((1..=z).map(|j| format!("sigma_{j}")));
        head.push("plane_a".into());
        head.push("plane_b".into());
        let mut rows = vec![head];
        for (i, ((m, l), (a, b))) in
            self.mu.chunks_exact(z).zip(self.logvar.chunks_exact(z)).zip(&self.points).enumerate()
        {
            let mut r =
                vec![i.to_string(), self.labels.get(i).map_or(String::new(), u8::to_string)];
            r.extend(m.iter().map(f32::to_string));
            r.extend(l.iter().map(|v| (0.5 * v).exp().to_string()));
            r.push(a.to_string());
            r.push(b.to_string());
            rows.push(r);
        }
        rows
    }
}

/// `n` draws of `N(0, I)` in `z` dimensions from a seeded generator.
pub fn prior_samples(seed: u64, n: usize, z: usize) -> Vec<f32> {
    draw_eps(&mut Rng::new(seed), n * z)
}
