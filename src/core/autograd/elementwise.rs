//! Element-wise ops and their backward passes.
//!
//! * Binary `a + b`, `a − b`, `a ⊙ b` with NumPy broadcasting (shapes aligned on the right; a
//!   size-1 or missing axis repeats). Backward sums the gradient over the repeated axes:
//!   `∂L/∂a = reduce(∂L/∂y ⊙ ∂y/∂a)`.
//! * `bias_add(x, b)`: `y[n, c, …] = x[n, c, …] + b[c]` — a dense layer's bias over a batch
//!   `(N, F)` and a conv layer's per-channel bias over `(N, C, H, W)`; `∂b[c] = Σ ∂y[·, c, ·]`.
//! * `c·x` and `x + c`.
//! * Unary functions with their derivatives:
//!
//! | f | f(x) | f′(x) |
//! |---|------|-------|
//! | ReLU | max(0, x) | 1 if x > 0 else 0 |
//! | leaky ReLU(α) | x if x > 0 else αx | 1 or α |
//! | sigmoid σ | 1/(1+e^{−x}) | σ(1−σ) |
//! | tanh | tanh x | 1 − tanh² x |
//! | exp | eˣ | eˣ |
//! | log | ln x | 1/x |
//! | σ from log-variance | exp(½x) | ½·exp(½x) |

use super::{AutogradError, Grads, Op, Result, Tape, Var};
use crate::core::tensor::{ShapeError, Tensor};

/// An element-wise function (see the module table for formulas and derivatives).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unary {
    /// `max(0, x)`.
    Relu,
    /// `x` for `x > 0`, else `α·x`.
    LeakyRelu(f32),
    /// The logistic function `1/(1+e^{−x})` (evaluated without overflow).
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// `eˣ`.
    Exp,
    /// Natural logarithm (NaN/−∞ outside `x > 0`, as the maths says).
    Log,
    /// `exp(½x)`: the standard deviation from a log-variance (VAE).
    HalfExp,
}

impl Unary {
    /// `f(x)`.
    #[inline]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Unary::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Unary::LeakyRelu(a) => {
                if x > 0.0 {
                    x
                } else {
                    a * x
                }
            }
            Unary::Sigmoid => sigmoid(x),
            Unary::Tanh => x.tanh(),
            Unary::Exp => x.exp(),
            Unary::Log => x.ln(),
            Unary::HalfExp => (0.5 * x).exp(),
        }
    }
}

/// Numerically stable logistic function: never evaluates `e^{+large}`.
#[inline]
pub(crate) fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Which binary op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinaryKind {
    Add,
    Sub,
    Mul,
}

/// The broadcast result shape of `a` and `b` (NumPy rules), if compatible.
fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let r = a.len().max(b.len());
    let mut out = vec![0; r];
    for (k, o) in out.iter_mut().enumerate() {
        let da = if k + a.len() >= r { a[k + a.len() - r] } else { 1 };
        let db = if k + b.len() >= r { b[k + b.len() - r] } else { 1 };
        *o = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return None;
        };
    }
    Some(out)
}

/// Strides of `input` indexed by the output's multi-index (0 on broadcast axes).
fn broadcast_strides(input: &[usize], out: &[usize]) -> Vec<usize> {
    let r = out.len();
    let mut strides = vec![0; r];
    let mut s = 1;
    for k in (0..input.len()).rev() {
        let ok = k + r - input.len();
        strides[ok] = if input[k] == 1 { 0 } else { s };
        s *= input[k];
    }
    strides
}

/// Calls `f(out_index, a_index, b_index)` for every output element in row-major order.
fn for_each_broadcast(
    out: &[usize],
    sa: &[usize],
    sb: &[usize],
    mut f: impl FnMut(usize, usize, usize),
) {
    let n: usize = out.iter().product();
    let r = out.len();
    let mut idx = vec![0usize; r];
    let (mut ia, mut ib) = (0usize, 0usize);
    for o in 0..n {
        f(o, ia, ib);
        for d in (0..r).rev() {
            idx[d] += 1;
            ia += sa[d];
            ib += sb[d];
            if idx[d] < out[d] {
                break;
            }
            ia -= sa[d] * out[d];
            ib -= sb[d] * out[d];
            idx[d] = 0;
        }
    }
}

impl Tape {
    fn binary(&mut self, kind: BinaryKind, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.id(a)?, self.id(b)?);
        let (sa, sb) = (self.val(ia).shape().to_vec(), self.val(ib).shape().to_vec());
        let out_shape = broadcast_shape(&sa, &sb).ok_or_else(|| {
            AutogradError::Shape(ShapeError::Mismatch {
                what: "broadcast",
                left: sa.clone(),
                right: sb.clone(),
            })
        })?;
        let n: usize = out_shape.iter().product();
        let mut out = self.alloc(n);
        let (x, y) = (self.val(ia).data(), self.val(ib).data());
        let f: fn(f32, f32) -> f32 = match kind {
            BinaryKind::Add => |p, q| p + q,
            BinaryKind::Sub => |p, q| p - q,
            BinaryKind::Mul => |p, q| p * q,
        };
        if sa == sb {
            // Same shapes: one straight loop per op (vectorisable).
            let it = out.iter_mut().zip(x).zip(y);
            match kind {
                BinaryKind::Add => it.for_each(|((o, p), q)| *o = p + q),
                BinaryKind::Sub => it.for_each(|((o, p), q)| *o = p - q),
                BinaryKind::Mul => it.for_each(|((o, p), q)| *o = p * q),
            }
        } else {
            let (ta, tb) = (broadcast_strides(&sa, &out_shape), broadcast_strides(&sb, &out_shape));
            for_each_broadcast(&out_shape, &ta, &tb, |o, i, j| out[o] = f(x[i], y[j]));
        }
        let req = self.req(ia) || self.req(ib);
        self.push(out_shape, out, Op::Binary { kind, a: ia, b: ib }, req)
    }

    /// `a + b` with NumPy broadcasting.
    pub fn add(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary(BinaryKind::Add, a, b)
    }

    /// `a − b` with NumPy broadcasting.
    pub fn sub(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary(BinaryKind::Sub, a, b)
    }

    /// `a ⊙ b` (element-wise product) with NumPy broadcasting.
    pub fn mul(&mut self, a: Var, b: Var) -> Result<Var> {
        self.binary(BinaryKind::Mul, a, b)
    }

    /// `y[n, c, …] = x[n, c, …] + b[c]`: `x: (N, C, …)`, `b: (C)` — the bias of a dense layer
    /// over a batch `(N, F)` or of a conv layer per channel over `(N, C, H, W)`.
    pub fn bias_add(&mut self, x: Var, b: Var) -> Result<Var> {
        let (ix, ib) = (self.id(x)?, self.id(b)?);
        let shape = self.val(ix).shape().to_vec();
        let c = self.val(ib).len();
        if shape.len() < 2 || shape[1] != c || self.val(ib).rank() != 1 {
            return Err(ShapeError::Mismatch {
                what: "bias_add: x (N, C, …) vs bias (C)",
                left: shape,
                right: self.val(ib).shape().to_vec(),
            }
            .into());
        }
        let inner: usize = shape[2..].iter().product();
        let mut out = self.alloc(self.val(ix).len());
        out.copy_from_slice(self.val(ix).data());
        let bias = self.val(ib).data();
        // out: (N, C, inner); each (n, c) block gets b[c].
        for (k, block) in out.chunks_exact_mut(inner.max(1)).enumerate() {
            let bc = bias[k % c];
            for v in block {
                *v += bc;
            }
        }
        let req = self.req(ix) || self.req(ib);
        self.push(shape, out, Op::BiasAdd { x: ix, b: ib, inner }, req)
    }

    /// `c · x`.
    pub fn scale(&mut self, x: Var, c: f32) -> Result<Var> {
        let ix = self.id(x)?;
        let mut out = self.alloc(self.val(ix).len());
        for (o, v) in out.iter_mut().zip(self.val(ix).data()) {
            *o = c * v;
        }
        let shape = self.val(ix).shape().to_vec();
        let req = self.req(ix);
        self.push(shape, out, Op::Scale { x: ix, c }, req)
    }

    /// `−x`.
    pub fn neg(&mut self, x: Var) -> Result<Var> {
        self.scale(x, -1.0)
    }

    /// `x + c`.
    pub fn add_scalar(&mut self, x: Var, c: f32) -> Result<Var> {
        let ix = self.id(x)?;
        let mut out = self.alloc(self.val(ix).len());
        for (o, v) in out.iter_mut().zip(self.val(ix).data()) {
            *o = v + c;
        }
        let shape = self.val(ix).shape().to_vec();
        let req = self.req(ix);
        self.push(shape, out, Op::AddScalar { x: ix }, req)
    }

    /// `f(x)` element-wise for any [`Unary`] function.
    pub fn unary(&mut self, kind: Unary, x: Var) -> Result<Var> {
        let ix = self.id(x)?;
        let mut out = self.alloc(self.val(ix).len());
        let xs = self.val(ix).data();
        match kind {
            // The hot activations get their own loops (vectorisable, no per-element match).
            Unary::Relu => {
                for (o, v) in out.iter_mut().zip(xs) {
                    *o = if *v > 0.0 { *v } else { 0.0 };
                }
            }
            Unary::LeakyRelu(a) => {
                for (o, v) in out.iter_mut().zip(xs) {
                    *o = if *v > 0.0 { *v } else { a * v };
                }
            }
            _ => {
                for (o, v) in out.iter_mut().zip(xs) {
                    *o = kind.apply(*v);
                }
            }
        }
        let shape = self.val(ix).shape().to_vec();
        let req = self.req(ix);
        self.push(shape, out, Op::Unary { kind, x: ix }, req)
    }

    /// `max(0, x)`.
    pub fn relu(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Relu, x)
    }

    /// `x` for `x > 0`, else `alpha·x`.
    pub fn leaky_relu(&mut self, x: Var, alpha: f32) -> Result<Var> {
        self.unary(Unary::LeakyRelu(alpha), x)
    }

    /// The logistic sigmoid `1/(1+e^{−x})`.
    pub fn sigmoid(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Sigmoid, x)
    }

    /// `tanh x`.
    pub fn tanh(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Tanh, x)
    }

    /// `eˣ`.
    pub fn exp(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Exp, x)
    }

    /// `ln x`.
    pub fn log(&mut self, x: Var) -> Result<Var> {
        self.unary(Unary::Log, x)
    }

    /// `σ = exp(½·logvar)`: the standard deviation from a log-variance (VAE encoder output).
    pub fn std_from_logvar(&mut self, logvar: Var) -> Result<Var> {
        self.unary(Unary::HalfExp, logvar)
    }
}

/// Adds `dy` reduced to `input`'s shape (sum over broadcast axes), times `factor`.
pub(crate) fn binary_backward(
    kind: BinaryKind,
    a: usize,
    b: usize,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let (sa, sb) = (v[a].shape(), v[b].shape());
    let out = broadcast_shape(sa, sb).unwrap_or_default();
    let same = sa == sb;
    let (ta, tb) = (broadcast_strides(sa, &out), broadcast_strides(sb, &out));
    // ∂y/∂a: 1 (add, sub) or b (mul).
    if let Some(da) = g.slot(a, v[a].len()) {
        match kind {
            BinaryKind::Add | BinaryKind::Sub if same => {
                da.iter_mut().zip(dy).for_each(|(d, y)| *d += y);
            }
            BinaryKind::Mul if same => {
                for ((d, y), q) in da.iter_mut().zip(dy).zip(v[b].data()) {
                    *d += y * q;
                }
            }
            BinaryKind::Add | BinaryKind::Sub => {
                for_each_broadcast(&out, &ta, &tb, |o, i, _| da[i] += dy[o]);
            }
            BinaryKind::Mul => {
                let q = v[b].data();
                for_each_broadcast(&out, &ta, &tb, |o, i, j| da[i] += dy[o] * q[j]);
            }
        }
    }
    // ∂y/∂b: 1 (add), −1 (sub) or a (mul).
    if let Some(db) = g.slot(b, v[b].len()) {
        let sign = if kind == BinaryKind::Sub { -1.0 } else { 1.0 };
        match kind {
            BinaryKind::Add | BinaryKind::Sub if same => {
                db.iter_mut().zip(dy).for_each(|(d, y)| *d += sign * y);
            }
            BinaryKind::Mul if same => {
                for ((d, y), p) in db.iter_mut().zip(dy).zip(v[a].data()) {
                    *d += y * p;
                }
            }
            BinaryKind::Add | BinaryKind::Sub => {
                for_each_broadcast(&out, &ta, &tb, |o, _, j| db[j] += sign * dy[o]);
            }
            BinaryKind::Mul => {
                let p = v[a].data();
                for_each_broadcast(&out, &ta, &tb, |o, i, j| db[j] += dy[o] * p[i]);
            }
        }
    }
    Ok(())
}

/// `∂x += ∂y`, `∂b[c] += Σ_{n, inner} ∂y[n, c, inner]`.
pub(crate) fn bias_add_backward(
    x: usize,
    b: usize,
    inner: usize,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    if let Some(dx) = g.slot(x, v[x].len()) {
        dx.iter_mut().zip(dy).for_each(|(d, y)| *d += y);
    }
    let c = v[b].len();
    if let Some(db) = g.slot(b, c) {
        for (k, block) in dy.chunks_exact(inner.max(1)).enumerate() {
            db[k % c] += block.iter().sum::<f32>();
        }
    }
    Ok(())
}

/// `∂x += c·∂y` (scale; also add-scalar and reshape with `c = 1`).
pub(crate) fn scale_backward(
    x: usize,
    c: f32,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    if let Some(dx) = g.slot(x, v[x].len()) {
        dx.iter_mut().zip(dy).for_each(|(d, y)| *d += c * y);
    }
    Ok(())
}

/// `∂x += f′(x)·∂y`, using the saved output `y = v[out]` where that is cheaper.
pub(crate) fn unary_backward(
    kind: Unary,
    x: usize,
    out: usize,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let Some(dx) = g.slot(x, v[x].len()) else { return Ok(()) };
    let (xs, ys) = (v[x].data(), v[out].data());
    let it = dx.iter_mut().zip(dy);
    match kind {
        Unary::Relu => {
            for ((d, gy), xv) in it.zip(xs) {
                if *xv > 0.0 {
                    *d += gy;
                }
            }
        }
        Unary::LeakyRelu(a) => {
            for ((d, gy), xv) in it.zip(xs) {
                *d += if *xv > 0.0 { *gy } else { a * gy };
            }
        }
        Unary::Sigmoid => {
            for ((d, gy), s) in it.zip(ys) {
                *d += gy * s * (1.0 - s);
            }
        }
        Unary::Tanh => {
            for ((d, gy), t) in it.zip(ys) {
                *d += gy * (1.0 - t * t);
            }
        }
        Unary::Exp => {
            for ((d, gy), e) in it.zip(ys) {
                *d += gy * e;
            }
        }
        Unary::Log => {
            for ((d, gy), xv) in it.zip(xs) {
                *d += gy / xv;
            }
        }
        Unary::HalfExp => {
            for ((d, gy), s) in it.zip(ys) {
                *d += 0.5 * gy * s;
            }
        }
    }
    Ok(())
}
