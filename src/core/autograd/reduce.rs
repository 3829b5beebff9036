//! Reductions and reshapes, with their backward passes.
//!
//! * `sum(x) = Σᵢ xᵢ` → `∂xᵢ = ∂y`; `mean(x) = Σᵢ xᵢ / n` → `∂xᵢ = ∂y / n`. The result is a
//!   0-d tensor (shape `[]`, one value).
//! * Along axis `k`, viewing `x` as `(outer, len, inner)`:
//!   `y[o, i] = Σ_l x[o, l, i]` (or `/ len` for the mean) → `∂x[o, l, i] = ∂y[o, i]` (`/ len`).
//! * `reshape` keeps the data (row-major) and changes the shape; the gradient is reshaped back.

use super::{Grads, Op, Result, Tape, Var};
use crate::core::tensor::{ShapeError, Tensor};

impl Tape {
    fn sum_all_inner(&mut self, x: Var, mean: bool) -> Result<Var> {
        let ix = self.id(x)?;
        let xs = self.val(ix).data();
        // Accumulate in f64: a loss is often the sum of thousands of terms.
        let s: f64 = xs.iter().map(|&v| v as f64).sum();
        let n = xs.len().max(1) as f64;
        let mut out = self.alloc(1);
        out[0] = if mean { s / n } else { s } as f32;
        let req = self.req(ix);
        self.push(vec![], out, Op::SumAll { x: ix, mean }, req)
    }

    /// `Σᵢ xᵢ` as a 0-d tensor.
    pub fn sum(&mut self, x: Var) -> Result<Var> {
        self.sum_all_inner(x, false)
    }

    /// `Σᵢ xᵢ / n` as a 0-d tensor.
    pub fn mean(&mut self, x: Var) -> Result<Var> {
        self.sum_all_inner(x, true)
    }

    fn sum_axis_inner(&mut self, x: Var, axis: usize, mean: bool) -> Result<Var> {
        let ix = self.id(x)?;
        let shape = self.val(ix).shape().to_vec();
        if axis >= shape.len() {
            return Err(ShapeError::Rank { expected: axis + 1, got: shape.len() }.into());
        }
        let outer: usize = shape[..axis].iter().product();
        let len = shape[axis];
        let inner: usize = shape[axis + 1..].iter().product();
        let mut out = self.alloc(outer * inner);
        let xs = self.val(ix).data();
        // x: (outer, len, inner) -> y: (outer, inner)
        for o in 0..outer {
            let dst = &mut out[o * inner..(o + 1) * inner];
            for l in 0..len {
                let src = &xs[(o * len + l) * inner..(o * len + l + 1) * inner];
                dst.iter_mut().zip(src).for_each(|(d, s)| *d += s);
            }
        }
        if mean && len > 0 {
            let r = 1.0 / len as f32;
            out.iter_mut().for_each(|v| *v *= r);
        }
        let mut out_shape = shape;
        out_shape.remove(axis);
        let req = self.req(ix);
        self.push(out_shape, out, Op::SumAxis { x: ix, outer, len, inner, mean }, req)
    }

    /// Sum along `axis` (the axis is removed from the shape).
    pub fn sum_axis(&mut self, x: Var, axis: usize) -> Result<Var> {
        self.sum_axis_inner(x, axis, false)
    }

    /// Mean along `axis` (the axis is removed from the shape).
    pub fn mean_axis(&mut self, x: Var, axis: usize) -> Result<Var> {
        self.sum_axis_inner(x, axis, true)
    }

    /// The same elements under `shape` (same count).
    pub fn reshape(&mut self, x: Var, shape: &[usize]) -> Result<Var> {
        let ix = self.id(x)?;
        let n = self.val(ix).len();
        if shape.iter().product::<usize>() != n {
            return Err(ShapeError::LengthMismatch { shape: shape.to_vec(), len: n }.into());
        }
        let mut out = self.alloc(n);
        out.copy_from_slice(self.val(ix).data());
        let req = self.req(ix);
        self.push(shape.to_vec(), out, Op::Reshape { x: ix }, req)
    }

    /// `(N, …) → (N, rest)`: keeps the batch axis, flattens the others (conv → dense).
    pub fn flatten(&mut self, x: Var) -> Result<Var> {
        let shape = self.shape(x)?;
        let n = shape.first().copied().unwrap_or(1);
        let rest: usize = shape.iter().skip(1).product();
        self.reshape(x, &[n, rest])
    }
}

/// `∂xᵢ += ∂y` (or `∂y / n`).
pub(crate) fn sum_all_backward(
    x: usize,
    mean: bool,
    dy: &[f32],
    v: &[Tensor],
    g: &mut Grads,
) -> Result<()> {
    let n = v[x].len();
    let d = dy.first().copied().unwrap_or(0.0) / if mean { n.max(1) as f32 } else { 1.0 };
    if let Some(dx) = g.slot(x, n) {
        dx.iter_mut().for_each(|v| *v += d);
    }
    Ok(())
}

/// `∂x[o, l, i] += ∂y[o, i]` (or `/ len`).
pub(crate) fn sum_axis_backward(
    x: usize,
    [outer, len, inner]: [usize; 3],
    mean: bool,
    dy: &[f32],
    g: &mut Grads,
) -> Result<()> {
    let Some(dx) = g.slot(x, outer * len * inner) else { return Ok(()) };
    let r = if mean && len > 0 { 1.0 / len as f32 } else { 1.0 };
    for o in 0..outer {
        let src = &dy[o * inner..(o + 1) * inner];
        for l in 0..len {
            let dst = &mut dx[(o * len + l) * inner..(o * len + l + 1) * inner];
            dst.iter_mut().zip(src).for_each(|(d, s)| *d += r * s);
        }
    }
    Ok(())
}
