//! Batch normalisation (Ioffe & Szegedy 2015), forward and backward.
//!
//! For `x: (N, C)` (BatchNorm1d) or `x: (N, C, H, W)` (BatchNorm2d), per channel `c` over the
//! `M = N·H·W` values of the batch:
//!
//! ```text
//! μ_B = (1/M) Σ x          σ²_B = (1/M) Σ (x − μ_B)²        (biased, as in training)
//! x̂ = (x − μ_B) / √(σ²_B + ε)          y = γ·x̂ + β
//! ```
//!
//! Backward in training mode goes through `μ_B` and `σ²_B` (they depend on every `x`):
//!
//! ```text
//! ∂β = Σ ∂y      ∂γ = Σ ∂y·x̂      ∂x = γ/(M·√(σ²_B+ε)) · (M·∂y − Σ∂y − x̂·Σ(∂y·x̂))
//! ```
//!
//! In inference mode the running statistics are constants, so `∂x = γ·∂y/√(σ²_run + ε)`.
//! The running-statistics update (`running = (1−m)·running + m·batch`, unbiased variance) is
//! done by the layer ([`crate::core::nn::BatchNorm`]) from [`Tape::batch_stats`].
//!
//! With `M = 1` (batch size 1 in BatchNorm1d) the batch variance is 0, `x̂ = 0` and the output
//! is `β` whatever the input: normalisation over one example removes all its information.

use super::{AutogradError, Grads, Op, Result, Tape, Var};
use crate::core::tensor::{ShapeError, Tensor};

/// Whether batch normalisation uses the batch's statistics or fixed running ones.
#[derive(Debug, Clone, Copy)]
pub enum BatchNormMode<'a> {
    /// Training: normalise with the batch mean and (biased) variance; gradients flow through
    /// them.
    Train {
        /// Added to the variance before the square root.
        eps: f32,
    },
    /// Inference: normalise with stored statistics (constants for the backward pass).
    Eval {
        /// Running mean per channel.
        running_mean: &'a [f32],
        /// Running (unbiased) variance per channel.
        running_var: &'a [f32],
        /// Added to the variance before the square root.
        eps: f32,
    },
}

/// The statistics a batch-norm node normalised with.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchStats {
    /// Mean per channel (`μ_B` in training mode, the running mean in inference mode).
    pub mean: Vec<f32>,
    /// Variance per channel (biased `σ²_B` in training mode, the running variance otherwise).
    pub var: Vec<f32>,
    /// Values per channel the statistics were taken over (`M = N·H·W`).
    pub count: usize,
    /// True when these are batch statistics (training mode).
    pub training: bool,
}

/// What the backward pass keeps from the forward.
#[derive(Debug)]
pub(crate) struct BnSaved {
    x: usize,
    gamma: usize,
    beta: usize,
    stats: BatchStats,
    inv_std: Vec<f32>,
    /// Spatial size `H·W` (1 for `(N, C)`).
    inner: usize,
}

/// The message of a refused batch-norm ε (the op and [`crate::core::nn::BatchNorm`] share it).
pub(crate) const BN_EPS_NEED: &str = "batch_norm: eps must be finite and > 0";

impl Tape {
    /// Batch normalisation of `x: (N, C)` or `(N, C, H, W)` with scale `gamma: (C)` and shift
    /// `beta: (C)` (see the module docs for the formulas and the two modes).
    pub fn batch_norm(
        &mut self,
        x: Var,
        gamma: Var,
        beta: Var,
        mode: BatchNormMode,
    ) -> Result<Var> {
        let (ix, ig, ib) = (self.id(x)?, self.id(gamma)?, self.id(beta)?);
        let shape = self.val(ix).shape().to_vec();
        if shape.len() != 2 && shape.len() != 4 {
            return Err(ShapeError::Rank { expected: 4, got: shape.len() }.into());
        }
        let (n, c) = (shape[0], shape[1]);
        let inner: usize = shape[2..].iter().product();
        for (what, t) in
            [("batch_norm: gamma vs channels", ig), ("batch_norm: beta vs channels", ib)]
        {
            if self.val(t).shape() != [c] {
                return Err(ShapeError::Mismatch {
                    what,
                    left: self.val(t).shape().to_vec(),
                    right: vec![c],
                }
                .into());
            }
        }
        let count = n * inner;
        if count == 0 {
            return Err(AutogradError::Invalid("batch_norm: empty batch"));
        }
        let xs = self.val(ix).data();
        let (mean, var, eps, training) = match mode {
            BatchNormMode::Train { eps } => {
                let (mean, var) = channel_stats(xs, n, c, inner);
                (mean, var, eps, true)
            }
            BatchNormMode::Eval { running_mean, running_var, eps } => {
                if running_mean.len() != c || running_var.len() != c {
                    return Err(ShapeError::Mismatch {
                        what: "batch_norm: running statistics vs channels",
                        left: vec![running_mean.len(), running_var.len()],
                        right: vec![c],
                    }
                    .into());
                }
                (running_mean.to_vec(), running_var.to_vec(), eps, false)
            }
        };
        // ε = 0 divides by zero on a constant feature (σ² = 0): NaN, not an error, downstream.
        if !(eps.is_finite() && eps > 0.0) {
            return Err(AutogradError::Invalid(BN_EPS_NEED));
        }
        let inv_std: Vec<f32> = var.iter().map(|v| 1.0 / (v + eps).sqrt()).collect();
        let (gs, bs) = (self.val(ig).data(), self.val(ib).data());
        // Per channel: y = a·x + b with a = γ/σ, b = β − a·μ.
        let scale: Vec<f32> = (0..c).map(|k| gs[k] * inv_std[k]).collect();
        let shift: Vec<f32> = (0..c).map(|k| bs[k] - scale[k] * mean[k]).collect();
        let total = self.val(ix).len();
        let mut out = self.alloc(total);
        let xs = self.val(ix).data();
        // x: (N, C, inner) -> y: (N, C, inner)
        if inner == 1 {
            // (N, C): whole rows at once, so the loop over channels vectorises.
            for (dst, src) in out.chunks_exact_mut(c).zip(xs.chunks_exact(c)) {
                for (((o, v), a), b) in dst.iter_mut().zip(src).zip(&scale).zip(&shift) {
                    *o = a * v + b;
                }
            }
        } else {
            for (k, (dst, src)) in
                out.chunks_exact_mut(inner).zip(xs.chunks_exact(inner)).enumerate()
            {
                let ch = k % c;
                let (a, b) = (scale[ch], shift[ch]);
                for (o, v) in dst.iter_mut().zip(src) {
                    *o = a * v + b;
                }
            }
        }
        let req = self.req(ix) || self.req(ig) || self.req(ib);
        let saved = BnSaved {
            x: ix,
            gamma: ig,
            beta: ib,
            stats: BatchStats { mean, var, count, training },
            inv_std,
            inner,
        };
        self.push(shape, out, Op::BatchNorm(Box::new(saved)), req)
    }

    /// The statistics the batch-norm node `v` normalised with (`None` if `v` is another op).
    pub fn batch_stats(&self, v: Var) -> Result<Option<&BatchStats>> {
        let i = self.id(v)?;
        Ok(match &self.ops[i] {
            Op::BatchNorm(s) => Some(&s.stats),
            _ => None,
        })
    }
}

/// Per-channel mean and biased variance of `x: (N, C, inner)`, two-pass, accumulated in `f64`
/// (blocks of 256 summed in eight `f32` lanes first, so the inner loops vectorise).
fn channel_stats(xs: &[f32], n: usize, c: usize, inner: usize) -> (Vec<f32>, Vec<f32>) {
    let count = (n * inner).max(1) as f64;
    let mut sum = vec![0.0f64; c];
    if inner == 1 {
        for row in xs.chunks_exact(c) {
            for (s, &v) in sum.iter_mut().zip(row) {
                *s += v as f64;
            }
        }
    } else {
        for (k, block) in xs.chunks_exact(inner).enumerate() {
            sum[k % c] += lane_sum(block, |v| v);
        }
    }
    let mean: Vec<f64> = sum.iter().map(|s| s / count).collect();
    let mut sq = vec![0.0f64; c];
    if inner == 1 {
        for row in xs.chunks_exact(c) {
            for ((q, &v), &m) in sq.iter_mut().zip(row).zip(&mean) {
                let d = v as f64 - m;
                *q += d * d;
            }
        }
    } else {
        for (k, block) in xs.chunks_exact(inner).enumerate() {
            let m = mean[k % c] as f32;
            sq[k % c] += lane_sum(block, |v| (v - m) * (v - m));
        }
    }
    (mean.iter().map(|&m| m as f32).collect(), sq.iter().map(|s| (s / count) as f32).collect())
}

/// `Σ f(v)` over `block`: runs of 256 values summed in eight `f32` lanes, the runs in `f64`.
#[inline]
fn lane_sum(block: &[f32], f: impl Fn(f32) -> f32) -> f64 {
    let mut total = 0.0f64;
    for run in block.chunks(256) {
        let mut lanes = [0.0f32; 8];
        let mut it = run.chunks_exact(8);
        for c8 in &mut it {
            for (l, &v) in lanes.iter_mut().zip(c8) {
                *l += f(v);
            }
        }
        let tail: f32 = it.remainder().iter().map(|&v| f(v)).sum();
        total += (lanes.iter().sum::<f32>() + tail) as f64;
    }
    total
}

/// Batch-norm backward (formulas in the module docs).
pub(crate) fn batch_norm_backward(
    s: &BnSaved,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let c = s.stats.mean.len();
    let inner = s.inner;
    let xs = v[s.x].data();
    let gamma = v[s.gamma].data();
    // Σ ∂y and Σ ∂y·x̂ per channel (f64).
    let mut sdy = vec![0.0f64; c];
    let mut sdyx = vec![0.0f64; c];
    let (mean, inv_std) = (&s.stats.mean, &s.inv_std);
    if inner == 1 {
        // (N, C): whole rows, the channel loop vectorises.
        for (gr, xr) in dy.chunks_exact(c).zip(xs.chunks_exact(c)) {
            for j in 0..c {
                let d = gr[j];
                sdy[j] += d as f64;
                sdyx[j] += (d * (xr[j] - mean[j]) * inv_std[j]) as f64;
            }
        }
    }
    for (k, (gb, xb)) in
        dy.chunks_exact(inner).zip(xs.chunks_exact(inner)).enumerate().filter(|_| inner > 1)
    {
        let ch = k % c;
        let (m, is) = (s.stats.mean[ch], s.inv_std[ch]);
        let mut a = 0.0f64;
        let mut b = 0.0f64;
        for (d, x) in gb.iter().zip(xb) {
            a += *d as f64;
            b += (*d * (x - m) * is) as f64;
        }
        sdy[ch] += a;
        sdyx[ch] += b;
    }
    if let Some(db) = g.slot(s.beta, c) {
        for (d, v) in db.iter_mut().zip(&sdy) {
            *d += *v as f32;
        }
    }
    if let Some(dg) = g.slot(s.gamma, c) {
        for (d, v) in dg.iter_mut().zip(&sdyx) {
            *d += *v as f32;
        }
    }
    let Some(dx) = g.slot(s.x, xs.len()) else { return Ok(()) };
    let m_count = s.stats.count as f32;
    if inner == 1 {
        // Per channel: ∂x = k1·(M·∂y − a − x̂·b) (training) or k1·∂y (inference).
        let k1: Vec<f32> = (0..c)
            .map(|j| gamma[j] * inv_std[j] / if s.stats.training { m_count } else { 1.0 })
            .collect();
        let (a, b): (Vec<f32>, Vec<f32>) =
            sdy.iter().zip(&sdyx).map(|(&a, &b)| (a as f32, b as f32)).unzip();
        for ((dr, gr), xr) in dx.chunks_exact_mut(c).zip(dy.chunks_exact(c)).zip(xs.chunks_exact(c))
        {
            if s.stats.training {
                for j in 0..c {
                    let xhat = (xr[j] - mean[j]) * inv_std[j];
                    dr[j] += k1[j] * (m_count * gr[j] - a[j] - xhat * b[j]);
                }
            } else {
                for j in 0..c {
                    dr[j] += k1[j] * gr[j];
                }
            }
        }
        return Ok(());
    }
    for (k, ((dxb, gb), xb)) in dx
        .chunks_exact_mut(inner)
        .zip(dy.chunks_exact(inner))
        .zip(xs.chunks_exact(inner))
        .enumerate()
    {
        let ch = k % c;
        let (m, is) = (s.stats.mean[ch], s.inv_std[ch]);
        if s.stats.training {
            // ∂x = γ·is/M · (M·∂y − Σ∂y − x̂·Σ∂y·x̂)
            let k1 = gamma[ch] * is / m_count;
            let (a, b) = (sdy[ch] as f32, sdyx[ch] as f32);
            for ((d, gy), x) in dxb.iter_mut().zip(gb).zip(xb) {
                let xhat = (x - m) * is;
                *d += k1 * (m_count * gy - a - xhat * b);
            }
        } else {
            let k1 = gamma[ch] * is;
            for (d, gy) in dxb.iter_mut().zip(gb) {
                *d += k1 * gy;
            }
        }
    }
    Ok(())
}
