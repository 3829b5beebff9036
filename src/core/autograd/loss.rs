//! Softmax, log-softmax, losses and the VAE's pieces, with their backward passes.
//!
//! All along the last axis (one row = one example's logits), computed stably with the
//! row's max `m = max_k x_k` subtracted first, `S = Σ_k e^{x_k − m}`, so no `e^{large}`:
//!
//! | op | forward | backward |
//! |----|---------|----------|
//! | softmax | `p_k = e^{x_k − m} / S` | `∂x = p ⊙ (∂p − Σ ∂p ⊙ p)` |
//! | log-softmax | `(x_k − m) − ln S` | `∂x = ∂y − p·Σ ∂y` |
//! | cross-entropy (mean over N rows, class targets `t`) | `(1/N) Σ_n ((m_n − x_{n,t_n}) + ln S_n)` | `∂x = (p − onehot(t))/N` |
//! | BCE with logits (mean over all) | `max(x,0) − x·y + ln(1 + e^{−|x|})` | `∂x = (σ(x) − y)/n`, `∂y = −x/n` |
//! | MSE (mean) | `(a − b)²` | `∂a = 2(a − b)/n = −∂b` |
//! | reparameterised sample | `z = μ + e^{½·logvar} ⊙ ε` | `∂μ = ∂z`, `∂logvar = ½·∂z ⊙ ε ⊙ e^{½·logvar}` |
//! | Gaussian KL to N(0, 1), per element | `−½(1 + logvar − μ² − e^{logvar})` | `∂μ = μ`, `∂logvar = ½(e^{logvar} − 1)` |
//!
//! The BCE form never overflows: for `x = ±10⁴` it is `x·(1 − y)` or `−x·y` plus a tiny term.
//!
//! Never `lse = m + ln S` followed by `x − lse`: at `|x| ≈ 10⁴` an `f32` `lse` is only good to
//! ±5·10⁻⁴, and that error would land in every probability and loss. `ln S` is taken as
//! `ln_1p(S − 1)` with the other classes' terms summed in `f64` (the arg-max's term is exactly
//! 1), so a confident row's loss `ln(1 + 10⁻⁹)` keeps its digits; the exponentials are
//! `core::fastexp`'s, shared with `core::logits` (`shifted_exp`). Accurate to `10⁻⁵` relative
//! for `|x|` up to `10⁴` (`tests/core_autograd.rs`, exact values from
//! `tests/reference/logits_large.py`).

use super::elementwise::sigmoid;
use super::{AutogradError, Grads, Op, Result, Tape, Var};
use crate::core::fastexp;
use crate::core::logits::shifted_exp;
use crate::core::tensor::{ShapeError, Tensor};

/// `(rows, K)` of a tensor seen as rows along its last axis.
fn rows_of(shape: &[usize]) -> (usize, usize) {
    let k = shape.last().copied().unwrap_or(1);
    let n: usize = shape.iter().product();
    (n.checked_div(k).unwrap_or(0), k)
}

/// `row`'s softmax into `dst`, returning `(m, ln S)` (`m` the max, `S = Σ e^{x − m}`), or
/// `(m, 0)` with IEEE's answer in `dst` when `m` is not finite (all `−∞`, some `+∞`).
// row: (K) -> dst: (K)
fn softmax_row(row: &[f32], dst: &mut [f32]) -> (f32, f64) {
    match shifted_exp(row, 1.0, dst) {
        Some(s) => {
            fastexp::scale_inplace(dst, (1.0 / (1.0 + s.rest)) as f32);
            (s.m, s.log_sum())
        }
        None => {
            // lse = m: all −∞ gives NaN probabilities (−∞ − −∞), +∞ dominates.
            let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for (d, v) in dst.iter_mut().zip(row) {
                *d = (v - m).exp();
            }
            (m, 0.0)
        }
    }
}

fn same_shape(what: &'static str, a: &Tensor, b: &Tensor) -> Result<()> {
    if a.shape() != b.shape() {
        return Err(ShapeError::Mismatch {
            what,
            left: a.shape().to_vec(),
            right: b.shape().to_vec(),
        }
        .into());
    }
    Ok(())
}

impl Tape {
    /// Softmax along the last axis (stable).
    pub fn softmax(&mut self, x: Var) -> Result<Var> {
        let ix = self.id(x)?;
        let shape = self.val(ix).shape().to_vec();
        let (_, k) = rows_of(&shape);
        let mut out = self.alloc(self.val(ix).len());
        if k > 0 {
            for (dst, row) in out.chunks_exact_mut(k).zip(self.val(ix).data().chunks_exact(k)) {
                softmax_row(row, dst);
            }
        }
        let req = self.req(ix);
        self.push(shape, out, Op::Softmax { x: ix }, req)
    }

    /// Log-softmax along the last axis: `(x − m) − ln Σ e^{x − m}` (stable).
    pub fn log_softmax(&mut self, x: Var) -> Result<Var> {
        let ix = self.id(x)?;
        let shape = self.val(ix).shape().to_vec();
        let (_, k) = rows_of(&shape);
        let mut out = self.alloc(self.val(ix).len());
        if k > 0 {
            for (dst, row) in out.chunks_exact_mut(k).zip(self.val(ix).data().chunks_exact(k)) {
                // dst holds the exponentials until it is overwritten with the logs.
                let (m, log_sum) = softmax_row(row, dst);
                let m = m as f64;
                for (o, &v) in dst.iter_mut().zip(row) {
                    *o = ((v as f64 - m) - log_sum) as f32;
                }
            }
        }
        let req = self.req(ix);
        self.push(shape, out, Op::LogSoftmax { x: ix }, req)
    }

    /// Mean cross-entropy of `logits: (N, K)` against class indices `targets` (length N):
    /// `(1/N) Σ_n −log softmax(x_n)[t_n]`, a 0-d tensor.
    pub fn cross_entropy(&mut self, logits: Var, targets: &[usize]) -> Result<Var> {
        let ix = self.id(logits)?;
        let shape = self.val(ix).shape().to_vec();
        let (n, k) = match shape.as_slice() {
            [n, k] => (*n, *k),
            _ => return Err(ShapeError::Rank { expected: 2, got: shape.len() }.into()),
        };
        if targets.len() != n {
            return Err(ShapeError::Mismatch {
                what: "cross_entropy: targets vs rows",
                left: vec![targets.len()],
                right: shape,
            }
            .into());
        }
        if n == 0 {
            return Err(AutogradError::Invalid("cross_entropy: empty batch"));
        }
        if let Some((row, &t)) = targets.iter().enumerate().find(|(_, &t)| t >= k) {
            return Err(AutogradError::Target { row, target: t, classes: k });
        }
        let mut probs = vec![0.0f32; n * k];
        let mut total = 0.0f64;
        for ((prow, row), &t) in
            probs.chunks_exact_mut(k).zip(self.val(ix).data().chunks_exact(k)).zip(targets)
        {
            let (m, log_sum) = softmax_row(row, prow);
            total += (m as f64 - row[t] as f64) + log_sum;
        }
        let mut out = self.alloc(1);
        out[0] = (total / n as f64) as f32;
        let req = self.req(ix);
        let op = Op::CrossEntropy { x: ix, targets: targets.to_vec(), probs };
        self.push(vec![], out, op, req)
    }

    /// Mean binary cross-entropy of `logits` against `targets` in `[0, 1]` (same shape),
    /// in the stable form `max(x,0) − x·y + ln(1 + e^{−|x|})`; a 0-d tensor.
    pub fn bce_with_logits(&mut self, logits: Var, targets: Var) -> Result<Var> {
        let (ix, iy) = (self.id(logits)?, self.id(targets)?);
        same_shape("bce_with_logits: logits vs targets", self.val(ix), self.val(iy))?;
        let n = self.val(ix).len();
        if n == 0 {
            return Err(AutogradError::Invalid("bce_with_logits: no elements"));
        }
        let mut total = 0.0f64;
        for (x, y) in self.val(ix).data().iter().zip(self.val(iy).data()) {
            total += (x.max(0.0) - x * y + (-x.abs()).exp().ln_1p()) as f64;
        }
        let mut out = self.alloc(1);
        out[0] = (total / n as f64) as f32;
        let req = self.req(ix) || self.req(iy);
        self.push(vec![], out, Op::BceLogits { x: ix, y: iy }, req)
    }

    /// Mean squared error `(1/n) Σ (a − b)²` (same shapes); a 0-d tensor.
    pub fn mse(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.id(a)?, self.id(b)?);
        same_shape("mse: prediction vs target", self.val(ia), self.val(ib))?;
        let n = self.val(ia).len();
        if n == 0 {
            return Err(AutogradError::Invalid("mse: no elements"));
        }
        let total: f64 = self
            .val(ia)
            .data()
            .iter()
            .zip(self.val(ib).data())
            .map(|(p, q)| ((p - q) as f64).powi(2))
            .sum();
        let mut out = self.alloc(1);
        out[0] = (total / n as f64) as f32;
        let req = self.req(ia) || self.req(ib);
        self.push(vec![], out, Op::Mse { a: ia, b: ib }, req)
    }

    /// The reparameterised sample `z = μ + exp(½·logvar) ⊙ ε` for a given noise `eps` (same
    /// shape as `mu` and `logvar`; draw it from a seeded [`crate::core::Rng`]).
    pub fn reparameterize(&mut self, mu: Var, logvar: Var, eps: &Tensor) -> Result<Var> {
        let (im, il) = (self.id(mu)?, self.id(logvar)?);
        same_shape("reparameterize: mu vs logvar", self.val(im), self.val(il))?;
        same_shape("reparameterize: mu vs noise", self.val(im), eps)?;
        let mut out = self.alloc(eps.len());
        for (((o, m), l), e) in
            out.iter_mut().zip(self.val(im).data()).zip(self.val(il).data()).zip(eps.data())
        {
            *o = m + (0.5 * l).exp() * e;
        }
        let shape = eps.shape().to_vec();
        let req = self.req(im) || self.req(il);
        let op = Op::Reparam { mu: im, logvar: il, eps: eps.data().to_vec() };
        self.push(shape, out, op, req)
    }

    /// The Gaussian KL divergence of `N(μ, e^{logvar})` to `N(0, 1)` **per element**:
    /// `−½(1 + logvar − μ² − e^{logvar})` (same shape as `mu`; each value is ≥ 0).
    pub fn kl_normal(&mut self, mu: Var, logvar: Var) -> Result<Var> {
        let (im, il) = (self.id(mu)?, self.id(logvar)?);
        same_shape("kl_normal: mu vs logvar", self.val(im), self.val(il))?;
        let mut out = self.alloc(self.val(im).len());
        for ((o, m), l) in out.iter_mut().zip(self.val(im).data()).zip(self.val(il).data()) {
            *o = -0.5 * (1.0 + l - m * m - l.exp());
        }
        let shape = self.val(im).shape().to_vec();
        let req = self.req(im) || self.req(il);
        self.push(shape, out, Op::KlNormal { mu: im, logvar: il }, req)
    }

    /// The VAE's KL term: the per-element KL ([`Tape::kl_normal`]) summed over the latent
    /// dimensions and averaged over the batch (axis 0); a 0-d tensor.
    pub fn kl_normal_loss(&mut self, mu: Var, logvar: Var) -> Result<Var> {
        let n = self.shape(mu)?.first().copied().unwrap_or(1).max(1);
        let terms = self.kl_normal(mu, logvar)?;
        let total = self.sum(terms)?;
        self.scale(total, 1.0 / n as f32)
    }
}

/// `∂x = p ⊙ (∂p − Σ ∂p ⊙ p)` row by row (`p` = the saved output).
pub(crate) fn softmax_backward(
    x: usize,
    out: usize,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let (_, k) = rows_of(v[x].shape());
    let Some(dx) = g.slot(x, v[x].len()) else { return Ok(()) };
    if k == 0 {
        return Ok(());
    }
    for ((dr, gr), pr) in
        dx.chunks_exact_mut(k).zip(dy.chunks_exact(k)).zip(v[out].data().chunks_exact(k))
    {
        let s: f32 = gr.iter().zip(pr).map(|(a, b)| a * b).sum();
        for ((d, gy), p) in dr.iter_mut().zip(gr).zip(pr) {
            *d += p * (gy - s);
        }
    }
    Ok(())
}

/// `∂x = ∂y − softmax(x)·Σ ∂y` row by row (`softmax = e^{saved output}`).
pub(crate) fn log_softmax_backward(
    x: usize,
    out: usize,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let (_, k) = rows_of(v[x].shape());
    let Some(dx) = g.slot(x, v[x].len()) else { return Ok(()) };
    if k == 0 {
        return Ok(());
    }
    for ((dr, gr), lr) in
        dx.chunks_exact_mut(k).zip(dy.chunks_exact(k)).zip(v[out].data().chunks_exact(k))
    {
        let s: f32 = gr.iter().sum();
        for ((d, gy), l) in dr.iter_mut().zip(gr).zip(lr) {
            *d += gy - l.exp() * s;
        }
    }
    Ok(())
}

/// `∂x = ∂L·(p − onehot(t))/N`.
pub(crate) fn cross_entropy_backward(
    x: usize,
    targets: &[usize],
    probs: &[f32],
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let n = targets.len().max(1);
    let k = probs.len() / n;
    let scale = dy.first().copied().unwrap_or(0.0) / n as f32;
    let Some(dx) = g.slot(x, v[x].len()) else { return Ok(()) };
    if k == 0 {
        return Ok(());
    }
    for ((dr, pr), &t) in dx.chunks_exact_mut(k).zip(probs.chunks_exact(k)).zip(targets) {
        for (d, p) in dr.iter_mut().zip(pr) {
            *d += scale * p;
        }
        dr[t] -= scale;
    }
    Ok(())
}

/// `∂x = ∂L·(σ(x) − y)/n`, `∂y = −∂L·x/n`.
pub(crate) fn bce_logits_backward(
    x: usize,
    y: usize,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let n = v[x].len().max(1);
    let scale = dy.first().copied().unwrap_or(0.0) / n as f32;
    let (xs, ys) = (v[x].data(), v[y].data());
    if let Some(dx) = g.slot(x, xs.len()) {
        for ((d, xv), yv) in dx.iter_mut().zip(xs).zip(ys) {
            *d += scale * (sigmoid(*xv) - yv);
        }
    }
    if let Some(dt) = g.slot(y, ys.len()) {
        for (d, xv) in dt.iter_mut().zip(xs) {
            *d -= scale * xv;
        }
    }
    Ok(())
}

/// `∂a = 2∂L(a − b)/n = −∂b`.
pub(crate) fn mse_backward(
    a: usize,
    b: usize,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let n = v[a].len().max(1);
    let scale = 2.0 * dy.first().copied().unwrap_or(0.0) / n as f32;
    let (pa, pb) = (v[a].data(), v[b].data());
    if let Some(da) = g.slot(a, pa.len()) {
        for ((d, p), q) in da.iter_mut().zip(pa).zip(pb) {
            *d += scale * (p - q);
        }
    }
    if let Some(db) = g.slot(b, pb.len()) {
        for ((d, p), q) in db.iter_mut().zip(pa).zip(pb) {
            *d -= scale * (p - q);
        }
    }
    Ok(())
}

/// `∂μ = ∂z`, `∂logvar = ½·∂z ⊙ ε ⊙ e^{½·logvar}`.
pub(crate) fn reparam_backward(
    mu: usize,
    logvar: usize,
    eps: &[f32],
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    if let Some(dm) = g.slot(mu, v[mu].len()) {
        dm.iter_mut().zip(dy).for_each(|(d, gy)| *d += gy);
    }
    if let Some(dl) = g.slot(logvar, v[logvar].len()) {
        for (((d, gy), e), l) in dl.iter_mut().zip(dy).zip(eps).zip(v[logvar].data()) {
            *d += 0.5 * gy * e * (0.5 * l).exp();
        }
    }
    Ok(())
}

/// `∂μ = ∂k·μ`, `∂logvar = ∂k·½(e^{logvar} − 1)`.
pub(crate) fn kl_normal_backward(
    mu: usize,
    logvar: usize,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    if let Some(dm) = g.slot(mu, v[mu].len()) {
        for ((d, gy), m) in dm.iter_mut().zip(dy).zip(v[mu].data()) {
            *d += gy * m;
        }
    }
    if let Some(dl) = g.slot(logvar, v[logvar].len()) {
        for ((d, gy), l) in dl.iter_mut().zip(dy).zip(v[logvar].data()) {
            *d += 0.5 * gy * (l.exp() - 1.0);
        }
    }
    Ok(())
}
