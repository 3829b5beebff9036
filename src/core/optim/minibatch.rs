//! Mini-batch versus full-batch gradients on a real (seeded) regression problem: the line
//! `ŷ = w·x + b` fitted to `(x_i, y_i)` by least squares.
//!
//! ```text
//! L_B(w, b) = 1/(2|B|) Σ_{i∈B} (w x_i + b − y_i)²            (B = all samples: the full loss)
//! ∂L_B/∂w = 1/|B| Σ r_i x_i,   ∂L_B/∂b = 1/|B| Σ r_i,        r_i = w x_i + b − y_i
//! optimum: w* = cov(x, y) / var(x),  b* = ȳ − w* x̄            (normal equations)
//! ```
//!
//! A mini-batch gradient is an unbiased estimate of the full gradient whose variance shrinks
//! like `1/|B|`; [`run`] trains the same start with the same [`super::Sgd`] optimizer on
//! full batches and on seeded mini-batches ([`crate::core::data::BatchSampler`]) so the two
//! paths can be drawn side by side in the `(w, b)` plane.

use super::{Optimizer, Sgd, SgdConfig};
use crate::core::data::{BatchSampler, DataError, Dataset};

/// A 1-D least-squares problem: samples `(x_i, y_i)` in `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct LineFit {
    /// Inputs `x_i`.
    pub xs: Vec<f64>,
    /// Targets `y_i`.
    pub ys: Vec<f64>,
}

impl LineFit {
    /// From a regression dataset with one feature and one target (`x: (N, 1)`, `y: (N, 1)`).
    pub fn from_dataset(ds: &Dataset) -> Result<Self, DataError> {
        if ds.feature_len() != 1 || ds.target_len() != 1 || ds.is_empty() {
            return Err(DataError::BadArgument { name: "dataset shape", value: ds.len() as f64 });
        }
        Ok(LineFit {
            xs: ds.x.data().iter().map(|&v| v as f64).collect(),
            ys: ds.y.data().iter().map(|&v| v as f64).collect(),
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.xs.len()
    }

    /// True when there is no sample.
    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }

    /// `L_B(w, b)` over `batch` (`None` = all samples; indices past the end are skipped).
    pub fn loss(&self, w: f64, b: f64, batch: Option<&[usize]>) -> f64 {
        let (s, n) = self.fold(batch, |x, y| {
            let r = w * x + b - y;
            0.5 * r * r
        });
        if n == 0 {
            0.0
        } else {
            s / n as f64
        }
    }

    /// `(∂L_B/∂w, ∂L_B/∂b)` over `batch` (`None` = all samples).
    pub fn grad(&self, w: f64, b: f64, batch: Option<&[usize]>) -> (f64, f64) {
        let (mut gw, mut gb, mut n) = (0.0, 0.0, 0usize);
        let mut visit = |i: usize| {
            if let (Some(&x), Some(&y)) = (self.xs.get(i), self.ys.get(i)) {
                let r = w * x + b - y;
                gw += r * x;
                gb += r;
                n += 1;
            }
        };
        match batch {
            Some(idx) => idx.iter().for_each(|&i| visit(i)),
            None => (0..self.len()).for_each(&mut visit),
        }
        if n == 0 {
            (0.0, 0.0)
        } else {
            (gw / n as f64, gb / n as f64)
        }
    }

    fn fold(&self, batch: Option<&[usize]>, f: impl Fn(f64, f64) -> f64) -> (f64, usize) {
        let mut s = 0.0;
        let mut n = 0;
        let mut visit = |i: usize| {
            if let (Some(&x), Some(&y)) = (self.xs.get(i), self.ys.get(i)) {
                s += f(x, y);
                n += 1;
            }
        };
        match batch {
            Some(idx) => idx.iter().for_each(|&i| visit(i)),
            None => (0..self.len()).for_each(&mut visit),
        }
        (s, n)
    }

    /// The least-squares optimum `(w*, b*)`; `w* = 0` when all `x_i` are equal.
    pub fn optimum(&self) -> (f64, f64) {
        let n = self.len().max(1) as f64;
        let mx = self.xs.iter().sum::<f64>() / n;
        let my = self.ys.iter().sum::<f64>() / n;
        let cov: f64 = self.xs.iter().zip(&self.ys).map(|(x, y)| (x - mx) * (y - my)).sum();
        let var: f64 = self.xs.iter().map(|x| (x - mx) * (x - mx)).sum();
        let w = if var > 0.0 { cov / var } else { 0.0 };
        (w, my - w * mx)
    }
}

/// Full-batch and mini-batch training runs from the same start.
#[derive(Debug, Clone, PartialEq)]
pub struct MinibatchRun {
    /// `(w, b)` after each full-batch step, the start first.
    pub full: Vec<(f64, f64)>,
    /// `(w, b)` after each mini-batch step, the start first.
    pub mini: Vec<(f64, f64)>,
    /// The sample indices of each mini-batch step (`batches[t]` moved `mini[t]` to `mini[t+1]`).
    pub batches: Vec<Vec<usize>>,
    /// Full-data loss along `full`.
    pub full_loss: Vec<f64>,
    /// Full-data loss along `mini`.
    pub mini_loss: Vec<f64>,
    /// First step at which a run's parameters stopped being finite (runs stop there).
    pub diverged_at: Option<usize>,
}

/// Trains `(w, b)` from `start` with plain SGD at rate `lr` for `steps` steps, once with the
/// full gradient and once with seeded mini-batches of `batch` samples.
pub fn run(
    fit: &LineFit,
    start: (f64, f64),
    lr: f32,
    batch: usize,
    steps: usize,
    seed: u64,
) -> Result<MinibatchRun, DataError> {
    let mut sampler = BatchSampler::new(fit.len(), batch, false, seed)?;
    let cfg = SgdConfig { lr, ..Default::default() };
    let bad_lr = |_| DataError::BadArgument { name: "lr", value: lr as f64 };
    let mut opt_full = Sgd::new(cfg).map_err(bad_lr)?;
    let mut opt_mini = Sgd::new(cfg).map_err(bad_lr)?;
    let mut pf = [start.0 as f32, start.1 as f32];
    let mut pm = pf;
    let as64 = |p: [f32; 2]| (p[0] as f64, p[1] as f64);
    let mut out = MinibatchRun {
        full: vec![as64(pf)],
        mini: vec![as64(pm)],
        batches: Vec::with_capacity(steps),
        full_loss: vec![fit.loss(start.0, start.1, None)],
        mini_loss: vec![fit.loss(start.0, start.1, None)],
        diverged_at: None,
    };
    for t in 1..=steps {
        let idx = sampler.next_batch();
        let step = |opt: &mut Sgd, p: &mut [f32; 2], batch: Option<&[usize]>| {
            let (gw, gb) = fit.grad(p[0] as f64, p[1] as f64, batch);
            // Both optimizers were built from a valid config for one 2-vector: cannot fail.
            let _ = opt.step(&mut [&mut p[..]], &[&[gw as f32, gb as f32]]);
        };
        step(&mut opt_full, &mut pf, None);
        step(&mut opt_mini, &mut pm, Some(&idx));
        let (f, m) = (as64(pf), as64(pm));
        let lf = fit.loss(f.0, f.1, None);
        let lm = fit.loss(m.0, m.1, None);
        let finite = [f.0, f.1, m.0, m.1, lf, lm].iter().all(|v| v.is_finite() && v.abs() < 1e12);
        if !finite {
            out.diverged_at = Some(t);
            break;
        }
        out.full.push(f);
        out.mini.push(m);
        out.full_loss.push(lf);
        out.mini_loss.push(lm);
        out.batches.push(idx);
    }
    Ok(out)
}
