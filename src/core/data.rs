//! Seeded toy datasets: every sample is a pure function of `(generator, size, knobs, seed)`,
//! so a lesson's URL replays its data exactly.
//!
//! Classification sets return features `x: (N, D)` (images: `(N, 1, S, S)`) and labels
//! `y: (N)` holding the class index as `f32`; classes are exactly balanced (counts differ by
//! at most one) and the samples are shuffled. Regression sets return `x: (N, D)` and targets
//! `y: (N, 1)`.
//!
//! ```text
//! two moons   outer: (cos t, sin t),  inner: (1 − cos t, ½ − sin t),  t ~ U[0, π],  + σ·N(0, I)
//! spirals     arm k of K: r = s, θ = 2πk/K + 3π s,  s ~ U[0.05, 1],   (r cos θ, r sin θ) + σ·N
//! circles     (cos t, sin t) (class 0) and factor·(cos t, sin t) (class 1), t ~ U[0, 2π), + σ·N
//! blobs       class k ~ N(μ_k, σ² I) with centres μ_k ~ U[−4, 4]²
//! sine        x ~ U[−3, 3],  y = sin x + σ·N(0, 1)
//! linear      x ~ N(0, I_D),  y = x·w + b + σ·N(0, 1),  w ~ N(0, I), b ~ N(0, 1)
//! shapes      S×S grey images of a circle, square, triangle or cross outline (class 0–3) with
//!             random centre, size, rotation and stroke, anti-aliased (4×4 supersampling),
//!             plus σ·N pixel noise, clamped to [0, 1]
//! ```
//!
//! [`Dataset::split`] makes a seeded train/validation split; [`BatchSampler`] draws seeded
//! mini-batches, a fresh permutation every epoch.

use super::rng::Rng;
use super::tensor::{ShapeError, Tensor};
use std::f32::consts::PI;
use std::fmt;

/// Why a dataset could not be generated or indexed.
#[derive(Debug, Clone, PartialEq)]
pub enum DataError {
    /// A size or count argument outside its valid range.
    BadArgument { name: &'static str, value: f64 },
    /// A sample index past the end.
    IndexOutOfRange { index: usize, len: usize },
    /// Building a tensor failed (cannot happen with valid arguments).
    Shape(ShapeError),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::BadArgument { name, value } => write!(f, "invalid {name}: {value}"),
            DataError::IndexOutOfRange { index, len } => {
                write!(f, "sample {index} out of range (dataset has {len})")
            }
            DataError::Shape(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for DataError {}

impl From<ShapeError> for DataError {
    fn from(e: ShapeError) -> Self {
        DataError::Shape(e)
    }
}

fn arg(name: &'static str, value: f64, ok: bool) -> Result<(), DataError> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(DataError::BadArgument { name, value })
    }
}

/// Features and labels (or regression targets), one row per sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Features: `(N, D)` or images `(N, C, H, W)`.
    pub x: Tensor,
    /// Labels `(N)` as class indices stored in `f32`, or targets `(N, T)` for regression.
    pub y: Tensor,
    /// Number of classes; 0 for a regression set.
    pub classes: usize,
}

impl Dataset {
    /// Number of samples `N`.
    pub fn len(&self) -> usize {
        self.x.shape().first().copied().unwrap_or(0)
    }

    /// True when the set holds no sample.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Values per sample in `x` (`D`, or `C·H·W`).
    pub fn feature_len(&self) -> usize {
        self.x.shape().iter().skip(1).product()
    }

    /// Values per sample in `y` (1 for labels).
    pub fn target_len(&self) -> usize {
        self.y.shape().iter().skip(1).product()
    }

    /// The class of sample `i` (classification sets), or `None`.
    pub fn label(&self, i: usize) -> Option<usize> {
        if self.classes == 0 {
            return None;
        }
        self.y.data().get(i).map(|&c| c as usize)
    }

    /// Samples per class (empty for regression).
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for i in 0..self.len() {
            if let Some(c) = self.label(i).and_then(|c| counts.get_mut(c)) {
                *c += 1;
            }
        }
        counts
    }

    /// The samples at `indices`, in that order, as a new dataset.
    pub fn gather(&self, indices: &[usize]) -> Result<Dataset, DataError> {
        let n = self.len();
        let (fx, fy) = (self.feature_len(), self.target_len());
        let mut x = Vec::with_capacity(indices.len() * fx);
        let mut y = Vec::with_capacity(indices.len() * fy);
        for &i in indices {
            if i >= n {
                return Err(DataError::IndexOutOfRange { index: i, len: n });
            }
            x.extend_from_slice(&self.x.data()[i * fx..(i + 1) * fx]);
            y.extend_from_slice(&self.y.data()[i * fy..(i + 1) * fy]);
        }
        let mut xs = self.x.shape().to_vec();
        let mut ys = self.y.shape().to_vec();
        xs[0] = indices.len();
        ys[0] = indices.len();
        Ok(Dataset { x: Tensor::new(xs, x)?, y: Tensor::new(ys, y)?, classes: self.classes })
    }

    /// A seeded split into (train, validation): a random `round(N·val_fraction)` samples
    /// (`val_fraction` in `[0, 1]`) go to validation, the rest to training, each keeping the
    /// permuted order.
    pub fn split(&self, val_fraction: f32, seed: u64) -> Result<(Dataset, Dataset), DataError> {
        arg("val_fraction", val_fraction as f64, (0.0..=1.0).contains(&val_fraction))?;
        let n = self.len();
        let perm = permutation(n, &mut Rng::new(seed));
        let n_val = ((n as f32 * val_fraction).round() as usize).min(n);
        Ok((self.gather(&perm[n_val..])?, self.gather(&perm[..n_val])?))
    }
}

/// A uniformly random permutation of `0..n` (Fisher–Yates).
pub fn permutation(n: usize, rng: &mut Rng) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(i as u32 + 1) as usize;
        p.swap(i, j);
    }
    p
}

/// Balanced, shuffled class labels: class `k` gets `⌊n/K⌋` samples, plus one for `k < n mod K`.
fn balanced_labels(n: usize, classes: usize, rng: &mut Rng) -> Vec<usize> {
    let mut labels: Vec<usize> = (0..n).map(|i| i % classes).collect();
    let perm = permutation(n, rng);
    labels = perm.iter().map(|&i| labels[i]).collect();
    labels
}

fn check_n(n: usize) -> Result<(), DataError> {
    arg("n", n as f64, (1..=1_000_000).contains(&n))
}

fn check_noise(noise: f32) -> Result<(), DataError> {
    arg("noise", noise as f64, noise >= 0.0)
}

/// Builds a 2-D classification set from a per-sample generator `(class, rng) → (x, y)`.
fn points2d(
    n: usize,
    classes: usize,
    seed: u64,
    mut point: impl FnMut(usize, &mut Rng) -> (f32, f32),
) -> Result<Dataset, DataError> {
    let mut rng = Rng::new(seed);
    let labels = balanced_labels(n, classes, &mut rng);
    let mut x = Vec::with_capacity(2 * n);
    for &c in &labels {
        let (a, b) = point(c, &mut rng);
        x.push(a);
        x.push(b);
    }
    Ok(Dataset {
        x: Tensor::new(vec![n, 2], x)?,
        y: Tensor::new(vec![n], labels.iter().map(|&c| c as f32).collect())?,
        classes,
    })
}

/// Two interleaving half circles (2 classes); `x` spans about `[−1, 2] × [−0.5, 1]`.
pub fn two_moons(n: usize, noise: f32, seed: u64) -> Result<Dataset, DataError> {
    check_n(n)?;
    check_noise(noise)?;
    points2d(n, 2, seed, |c, rng| {
        let t = rng.uniform_in(0.0, PI);
        let (x, y) = if c == 0 { (t.cos(), t.sin()) } else { (1.0 - t.cos(), 0.5 - t.sin()) };
        (x + noise * rng.normal(), y + noise * rng.normal())
    })
}

/// `arms` interleaved spirals (one class per arm, 1.5 turns each) inside the unit disc.
pub fn spirals(n: usize, arms: usize, noise: f32, seed: u64) -> Result<Dataset, DataError> {
    check_n(n)?;
    check_noise(noise)?;
    arg("arms", arms as f64, (2..=8).contains(&arms))?;
    points2d(n, arms, seed, |c, rng| {
        let s = rng.uniform_in(0.05, 1.0);
        let th = 2.0 * PI * c as f32 / arms as f32 + 3.0 * PI * s;
        (s * th.cos() + noise * rng.normal(), s * th.sin() + noise * rng.normal())
    })
}

/// Two concentric circles: radius 1 (class 0) and `factor` ∈ (0, 1) (class 1).
pub fn circles(n: usize, factor: f32, noise: f32, seed: u64) -> Result<Dataset, DataError> {
    check_n(n)?;
    check_noise(noise)?;
    arg("factor", factor as f64, factor > 0.0 && factor < 1.0)?;
    points2d(n, 2, seed, |c, rng| {
        let t = rng.uniform_in(0.0, 2.0 * PI);
        let r = if c == 0 { 1.0 } else { factor };
        (r * t.cos() + noise * rng.normal(), r * t.sin() + noise * rng.normal())
    })
}

/// Isotropic Gaussian blobs: `centers` classes with standard deviation `std`, centres drawn
/// from the seed in `[−4, 4]²`.
pub fn blobs(n: usize, centers: usize, std: f32, seed: u64) -> Result<Dataset, DataError> {
    check_n(n)?;
    check_noise(std)?;
    arg("centers", centers as f64, (1..=16).contains(&centers))?;
    let mut crng = Rng::new(seed ^ 0xB10B);
    let mu: Vec<(f32, f32)> =
        (0..centers).map(|_| (crng.uniform_in(-4.0, 4.0), crng.uniform_in(-4.0, 4.0))).collect();
    points2d(n, centers, seed, |c, rng| {
        (mu[c].0 + std * rng.normal(), mu[c].1 + std * rng.normal())
    })
}

/// `y = sin x + σ·ε` with `x ~ U[−3, 3]`: `x: (N, 1)`, `y: (N, 1)`.
pub fn sine_regression(n: usize, noise: f32, seed: u64) -> Result<Dataset, DataError> {
    check_n(n)?;
    check_noise(noise)?;
    let mut rng = Rng::new(seed);
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let a = rng.uniform_in(-3.0, 3.0);
        x.push(a);
        y.push(a.sin() + noise * rng.normal());
    }
    Ok(Dataset { x: Tensor::new(vec![n, 1], x)?, y: Tensor::new(vec![n, 1], y)?, classes: 0 })
}

/// The true parameters behind [`linear_regression`].
#[derive(Debug, Clone, PartialEq)]
pub struct LinearTruth {
    /// Weights `w` (`D`).
    pub w: Vec<f32>,
    /// Bias `b`.
    pub b: f32,
}

/// `y = x·w + b + σ·ε` with `x ~ N(0, I_D)` and seeded true `w ~ N(0, I)`, `b ~ N(0, 1)`:
/// `x: (N, D)`, `y: (N, 1)`.
pub fn linear_regression(
    n: usize,
    dim: usize,
    noise: f32,
    seed: u64,
) -> Result<(Dataset, LinearTruth), DataError> {
    check_n(n)?;
    check_noise(noise)?;
    arg("dim", dim as f64, (1..=1024).contains(&dim))?;
    let mut rng = Rng::new(seed);
    let w: Vec<f32> = (0..dim).map(|_| rng.normal()).collect();
    let b = rng.normal();
    let mut x = Vec::with_capacity(n * dim);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let row: Vec<f32> = (0..dim).map(|_| rng.normal()).collect();
        let dot: f32 = row.iter().zip(&w).map(|(a, b)| a * b).sum();
        y.push(dot + b + noise * rng.normal());
        x.extend(row);
    }
    let ds =
        Dataset { x: Tensor::new(vec![n, dim], x)?, y: Tensor::new(vec![n, 1], y)?, classes: 0 };
    Ok((ds, LinearTruth { w, b }))
}

/// The classes of [`shapes`], in label order.
pub const SHAPE_CLASSES: [&str; 4] = ["circle", "square", "triangle", "cross"];

/// Distance from `p` to the segment `a–b`.
fn seg_dist(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a.0 + t * dx - p.0, a.1 + t * dy - p.1);
    (qx * qx + qy * qy).sqrt()
}

/// Whether the point `(u, v)` (shape-local coordinates: centred, rotated) is on the stroke.
fn on_shape(class: usize, u: f32, v: f32, r: f32, half_w: f32) -> bool {
    match class {
        0 => ((u * u + v * v).sqrt() - r).abs() <= half_w,
        1 => {
            let s = 0.8 * r;
            (u.abs().max(v.abs()) - s).abs() <= half_w
        }
        2 => {
            let corner = |k: f32| {
                let a = -PI / 2.0 + k * 2.0 * PI / 3.0;
                (r * a.cos(), r * a.sin())
            };
            let (a, b, c) = (corner(0.0), corner(1.0), corner(2.0));
            let p = (u, v);
            seg_dist(p, a, b).min(seg_dist(p, b, c)).min(seg_dist(p, c, a)) <= half_w
        }
        _ => {
            let hw = half_w * 1.25;
            (u.abs() <= hw && v.abs() <= r) || (v.abs() <= hw && u.abs() <= r)
        }
    }
}

/// `n` grey `size×size` images of shape outlines, 4 balanced classes ([`SHAPE_CLASSES`]):
/// `x: (N, 1, size, size)` in `[0, 1]`, `y: (N)`. `size` in `8..=64`; `noise` is the pixel
/// noise σ.
pub fn shapes(n: usize, size: usize, noise: f32, seed: u64) -> Result<Dataset, DataError> {
    check_n(n)?;
    check_noise(noise)?;
    arg("size", size as f64, (8..=64).contains(&size))?;
    let mut rng = Rng::new(seed);
    let labels = balanced_labels(n, 4, &mut rng);
    let s = size as f32;
    let mut x = vec![0.0f32; n * size * size];
    const SS: usize = 4;
    for (i, &c) in labels.iter().enumerate() {
        let r = rng.uniform_in(0.22, 0.38) * s;
        let stroke = rng.uniform_in(0.06, 0.11) * s;
        let margin = r + stroke;
        let cx = rng.uniform_in(margin.min(s / 2.0), (s - margin).max(s / 2.0));
        let cy = rng.uniform_in(margin.min(s / 2.0), (s - margin).max(s / 2.0));
        let rot = rng.uniform_in(-0.3, 0.3);
        let (sin, cos) = rot.sin_cos();
        let img = &mut x[i * size * size..(i + 1) * size * size];
        for py in 0..size {
            for px in 0..size {
                let mut hits = 0;
                for sy in 0..SS {
                    for sx in 0..SS {
                        let fx = px as f32 + (sx as f32 + 0.5) / SS as f32 - cx;
                        let fy = py as f32 + (sy as f32 + 0.5) / SS as f32 - cy;
                        let (u, v) = (cos * fx + sin * fy, -sin * fx + cos * fy);
                        hits += usize::from(on_shape(c, u, v, r, stroke / 2.0));
                    }
                }
                let val = hits as f32 / (SS * SS) as f32 + noise * rng.normal();
                img[py * size + px] = val.clamp(0.0, 1.0);
            }
        }
    }
    Ok(Dataset {
        x: Tensor::new(vec![n, 1, size, size], x)?,
        y: Tensor::new(vec![n], labels.iter().map(|&c| c as f32).collect())?,
        classes: 4,
    })
}

/// Seeded mini-batches over `0..n`: each epoch is a fresh permutation cut into batches of
/// `batch` indices (the last one shorter unless `drop_last`).
#[derive(Debug, Clone)]
pub struct BatchSampler {
    n: usize,
    batch: usize,
    drop_last: bool,
    rng: Rng,
    perm: Vec<usize>,
    pos: usize,
    epoch: u64,
}

impl BatchSampler {
    /// A sampler over `n ≥ 1` samples with batches of `batch` (clamped to `1..=n`).
    pub fn new(n: usize, batch: usize, drop_last: bool, seed: u64) -> Result<Self, DataError> {
        arg("n", n as f64, n >= 1)?;
        let batch = batch.clamp(1, n);
        let mut rng = Rng::new(seed);
        let perm = permutation(n, &mut rng);
        Ok(BatchSampler { n, batch, drop_last, rng, perm, pos: 0, epoch: 0 })
    }

    /// The batch size in use.
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    /// Completed epochs (a pass is counted when the batch after its last one is drawn).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Batches per epoch.
    pub fn batches_per_epoch(&self) -> usize {
        if self.drop_last {
            self.n / self.batch
        } else {
            self.n.div_ceil(self.batch)
        }
    }

    /// The next batch's sample indices (never empty).
    pub fn next_batch(&mut self) -> Vec<usize> {
        let left = self.n - self.pos;
        if left == 0 || (self.drop_last && left < self.batch) {
            self.perm = permutation(self.n, &mut self.rng);
            self.pos = 0;
            self.epoch += 1;
        }
        let end = (self.pos + self.batch).min(self.n);
        let out = self.perm[self.pos..end].to_vec();
        self.pos = end;
        out
    }
}
