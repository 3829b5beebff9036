//! Reverse-mode automatic differentiation over [`Tensor`]s: the training engine.
//!
//! # The idea
//! A network's loss `L` is a composition of simple ops `v_i = f_i(v_a, v_b, …)`. Running the
//! forward pass records each op on a **tape** (define-by-run). The backward pass walks the tape
//! in reverse and applies the chain rule once per op,
//!
//! ```text
//! ∂L/∂v_a += (∂f_i/∂v_a)ᵀ · ∂L/∂v_i          (vector–Jacobian product)
//! ```
//!
//! seeded with `∂L/∂L = 1`. Each op's forward and backward live side by side in the same file
//! (`elementwise.rs`, `reduce.rs`, `linalg.rs`, `norm.rs`, `loss.rs`), and every backward is a
//! whole-tensor kernel — matrix products go through [`gemm`](crate::core::matmul::gemm) with
//! transposed operands, never materialised transposes.
//!
//! # Pieces
//! * [`Tape`] owns every node's value and gradient in an arena; a [`Var`] is a handle (index)
//!   into it. [`Tape::reset`] recycles all buffers, so a training loop of identical steps
//!   allocates nothing new after the first step.
//! * [`ParamStore`] owns the parameters (and their gradients) **outside** the tape, by name.
//!   [`Tape::param`] binds one into the tape for this step; after [`Tape::backward`],
//!   [`Tape::accumulate_param_grads`] adds the gradients into the store, whose
//!   [`ParamStore::params_and_grads`] gives an optimizer the flat
//!   `(params: &mut [&mut [f32]], grads: &[&[f32]])` lists.
//! * Layers built on the tape (Linear, Conv2d, BatchNorm, Sequential, initialisers) are in
//!   [`crate::core::nn`].
//!
//! Shape mismatches, stale handles and bad targets are [`AutogradError`] values; nothing here
//! panics on bad input.
//!
//! # A training step
//! ```
//! use dlviz::core::autograd::{ParamStore, Tape};
//! use dlviz::core::Tensor;
//!
//! // Fit y = 2x with one weight: loss = mean((x·w − y)²).
//! let mut store = ParamStore::new();
//! let w = store.add("w", Tensor::zeros(vec![1, 1]));
//! let (xs, ys) = ([1.0f32, 2.0, 3.0], [2.0f32, 4.0, 6.0]);
//! let mut tape = Tape::new();
//! for _ in 0..50 {
//!     tape.reset();
//!     store.zero_grads();
//!     let x = tape.input(&[3, 1], &xs).unwrap();
//!     let y = tape.input(&[3, 1], &ys).unwrap();
//!     let wv = tape.param(&store, w).unwrap();
//!     let pred = tape.matmul(x, wv).unwrap();
//!     let loss = tape.mse(pred, y).unwrap();
//!     tape.backward(loss).unwrap();
//!     tape.accumulate_param_grads(&mut store).unwrap();
//!     let (mut params, grads) = store.params_and_grads();
//!     for (p, g) in params.iter_mut().zip(&grads) {
//!         for (v, d) in p.iter_mut().zip(g.iter()) {
//!             *v -= 0.1 * d; // plain SGD; core::optim has the real optimizers
//!         }
//!     }
//! }
//! assert!((store.value(w).unwrap().data()[0] - 2.0).abs() < 1e-3);
//! ```

mod elementwise;
mod linalg;
mod loss;
mod norm;
mod params;
mod reduce;

pub use elementwise::Unary;
pub(crate) use norm::BN_EPS_NEED;
pub use norm::{BatchNormMode, BatchStats};
pub use params::{ParamId, ParamStore};

use super::conv::{Conv2dParams, ConvError};
use super::tensor::{ShapeError, Tensor};
use std::fmt;

/// A handle to a node (a tensor value and, after backward, its gradient) on a [`Tape`].
///
/// Handles are cheap to copy. A handle from before a [`Tape::reset`] (or from another tape) is
/// rejected with [`AutogradError::StaleVar`] rather than silently reading another node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Var {
    idx: u32,
    gen: u32,
}

impl Var {
    /// The node's position on its tape (creation order).
    pub fn index(self) -> usize {
        self.idx as usize
    }
}

/// Why an autograd operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum AutogradError {
    /// Tensor shapes that must agree do not (or a tensor has the wrong rank).
    Shape(ShapeError),
    /// A convolution's sizes are impossible.
    Conv(ConvError),
    /// The handle is from before the last [`Tape::reset`] or from another tape.
    StaleVar,
    /// `backward` needs a single-element loss; this node has `shape`.
    NotScalar {
        /// The offending node's shape.
        shape: Vec<usize>,
    },
    /// A class target is outside `0..classes`.
    Target {
        /// Row of the batch.
        row: usize,
        /// The target given.
        target: usize,
        /// Number of classes (logits per row).
        classes: usize,
    },
    /// The parameter id does not belong to this store.
    UnknownParam,
    /// An argument is outside its domain (the message says which).
    Invalid(&'static str),
}

impl fmt::Display for AutogradError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AutogradError::Shape(e) => write!(f, "{e}"),
            AutogradError::Conv(e) => write!(f, "{e}"),
            AutogradError::StaleVar => write!(f, "a tensor handle from an earlier step was used"),
            AutogradError::NotScalar { shape } => {
                write!(f, "backward needs a single-value loss, got shape {shape:?}")
            }
            AutogradError::Target { row, target, classes } => {
                write!(f, "row {row}: target class {target} is not below {classes}")
            }
            AutogradError::UnknownParam => write!(f, "unknown parameter id"),
            AutogradError::Invalid(what) => write!(f, "{what}"),
        }
    }
}

impl std::error::Error for AutogradError {}

impl From<ShapeError> for AutogradError {
    fn from(e: ShapeError) -> Self {
        AutogradError::Shape(e)
    }
}

impl From<ConvError> for AutogradError {
    fn from(e: ConvError) -> Self {
        match e {
            ConvError::Shape(s) => AutogradError::Shape(s),
            other => AutogradError::Conv(other),
        }
    }
}

/// Result of autograd operations.
pub type Result<T> = std::result::Result<T, AutogradError>;

/// What a node was computed by, with what its backward needs (inputs as node indices).
#[derive(Debug)]
pub(crate) enum Op {
    /// A constant or a leaf created by the caller.
    Leaf,
    /// A parameter bound from a [`ParamStore`].
    Param(ParamId),
    /// `a ∘ b` with NumPy broadcasting.
    Binary { kind: elementwise::BinaryKind, a: usize, b: usize },
    /// `x + b` with `b: (C)` broadcast over axis 1 of `x: (N, C, …)`.
    BiasAdd { x: usize, b: usize, inner: usize },
    /// `c · x`.
    Scale { x: usize, c: f32 },
    /// `x + c`.
    AddScalar { x: usize },
    /// An element-wise function.
    Unary { kind: Unary, x: usize },
    /// Sum (or mean) of everything.
    SumAll { x: usize, mean: bool },
    /// Sum (or mean) along one axis, seen as `(outer, len, inner)`.
    SumAxis { x: usize, outer: usize, len: usize, inner: usize, mean: bool },
    /// Same data, new shape.
    Reshape { x: usize },
    /// `(m, k) · (k, n)`.
    MatMul { a: usize, b: usize, m: usize, k: usize, n: usize },
    /// 2-D convolution.
    Conv2d { x: usize, w: usize, b: Option<usize>, p: Conv2dParams },
    /// Batch normalisation (saved statistics per channel).
    BatchNorm(Box<norm::BnSaved>),
    /// Softmax along the last axis.
    Softmax { x: usize },
    /// Log-softmax along the last axis.
    LogSoftmax { x: usize },
    /// Mean cross-entropy from logits with class targets (softmax saved).
    CrossEntropy { x: usize, targets: Vec<usize>, probs: Vec<f32> },
    /// Mean binary cross-entropy with logits.
    BceLogits { x: usize, y: usize },
    /// Mean squared error.
    Mse { a: usize, b: usize },
    /// `μ + exp(½·logvar) ⊙ ε`.
    Reparam { mu: usize, logvar: usize, eps: Vec<f32> },
    /// Per-element Gaussian KL to N(0, 1).
    KlNormal { mu: usize, logvar: usize },
}

/// The gradient side of the tape during backward: one lazily allocated buffer per node.
pub(crate) struct Grads<'a> {
    slots: &'a mut [Option<Vec<f32>>],
    requires: &'a [bool],
    pool: &'a mut Vec<Vec<f32>>,
}

impl Grads<'_> {
    /// The gradient buffer of node `i` (zeros on first use, length `len`), or `None` when
    /// no parameter or leaf depends on it.
    pub(crate) fn slot(&mut self, i: usize, len: usize) -> Option<&mut [f32]> {
        if !self.requires.get(i).copied().unwrap_or(false) {
            return None;
        }
        let slot = self.slots.get_mut(i)?;
        if slot.is_none() {
            *slot = Some(take_zeroed(self.pool, len));
        }
        slot.as_deref_mut()
    }

    /// A zeroed temporary buffer from the pool (give it back with [`Grads::recycle`]).
    pub(crate) fn scratch(&mut self, len: usize) -> Vec<f32> {
        take_zeroed(self.pool, len)
    }

    /// Returns a temporary buffer to the pool.
    pub(crate) fn recycle(&mut self, buf: Vec<f32>) {
        if self.pool.len() < POOL_MAX {
            self.pool.push(buf);
        }
    }
}

/// A zero-filled buffer of `len`, reusing a pooled allocation when one is large enough.
fn take_zeroed(pool: &mut Vec<Vec<f32>>, len: usize) -> Vec<f32> {
    let mut v = match pool.iter().rposition(|b| b.capacity() >= len) {
        Some(i) => pool.swap_remove(i),
        None => Vec::with_capacity(len),
    };
    v.clear();
    v.resize(len, 0.0);
    v
}

/// Buffers kept for reuse at most (a bound in case graphs vary wildly between steps).
const POOL_MAX: usize = 4096;

/// A define-by-run tape: the arena of node values and gradients (see the module docs).
#[derive(Debug, Default)]
pub struct Tape {
    gen: u32,
    values: Vec<Tensor>,
    ops: Vec<Op>,
    requires: Vec<bool>,
    grads: Vec<Option<Vec<f32>>>,
    pool: Vec<Vec<f32>>,
}

impl Tape {
    /// An empty tape.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every node (all handles become stale) and keeps their buffers for reuse.
    pub fn reset(&mut self) {
        self.gen = self.gen.wrapping_add(1);
        for t in self.values.drain(..) {
            if self.pool.len() < POOL_MAX {
                self.pool.push(t.into_data());
            }
        }
        for g in self.grads.drain(..).flatten() {
            if self.pool.len() < POOL_MAX {
                self.pool.push(g);
            }
        }
        self.ops.clear();
        self.requires.clear();
    }

    /// Number of nodes recorded since the last reset.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when nothing has been recorded since the last reset.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// A buffer of `len` zeros for a new node's value (pooled).
    pub(crate) fn alloc(&mut self, len: usize) -> Vec<f32> {
        take_zeroed(&mut self.pool, len)
    }

    /// Records a node and returns its handle.
    pub(crate) fn push(
        &mut self,
        shape: Vec<usize>,
        data: Vec<f32>,
        op: Op,
        requires: bool,
    ) -> Result<Var> {
        let t = Tensor::new(shape, data)?;
        let idx = u32::try_from(self.values.len())
            .map_err(|_| AutogradError::Invalid("too many nodes on one tape"))?;
        self.values.push(t);
        self.ops.push(op);
        self.requires.push(requires);
        self.grads.push(None);
        Ok(Var { idx, gen: self.gen })
    }

    /// The node index of `v`, checked.
    pub(crate) fn id(&self, v: Var) -> Result<usize> {
        let i = v.idx as usize;
        if v.gen != self.gen || i >= self.values.len() {
            return Err(AutogradError::StaleVar);
        }
        Ok(i)
    }

    /// The value of node index `i` (already checked).
    pub(crate) fn val(&self, i: usize) -> &Tensor {
        &self.values[i]
    }

    /// Whether node index `i` needs a gradient.
    pub(crate) fn req(&self, i: usize) -> bool {
        self.requires[i]
    }

    /// A constant (no gradient flows into it), taking ownership of `t`.
    pub fn constant(&mut self, t: Tensor) -> Var {
        self.leaf_inner(t, false)
    }

    /// A leaf whose gradient is kept: read it with [`Tape::grad`] after backward.
    pub fn leaf(&mut self, t: Tensor) -> Var {
        self.leaf_inner(t, true)
    }

    fn leaf_inner(&mut self, t: Tensor, requires: bool) -> Var {
        let shape = t.shape().to_vec();
        // `Tensor` guarantees shape and length agree, so `push` cannot fail here except for
        // the node-count bound; fall back to a zero-size handle that later use rejects.
        self.push(shape, t.into_data(), Op::Leaf, requires)
            .unwrap_or(Var { idx: u32::MAX, gen: self.gen })
    }

    /// A constant input copied from `data` into a pooled buffer (no allocation per step).
    pub fn input(&mut self, shape: &[usize], data: &[f32]) -> Result<Var> {
        let n: usize = shape.iter().product();
        if n != data.len() {
            return Err(
                ShapeError::LengthMismatch { shape: shape.to_vec(), len: data.len() }.into()
            );
        }
        let mut buf = self.alloc(n);
        buf.copy_from_slice(data);
        self.push(shape.to_vec(), buf, Op::Leaf, false)
    }

    /// Binds parameter `id` of `store` into the tape for this step (its value is copied into
    /// a pooled buffer); its gradient reaches the store through
    /// [`Tape::accumulate_param_grads`].
    pub fn param(&mut self, store: &ParamStore, id: ParamId) -> Result<Var> {
        let t = store.value(id).ok_or(AutogradError::UnknownParam)?;
        let mut buf = self.alloc(t.len());
        buf.copy_from_slice(t.data());
        let trainable = store.is_trainable(id);
        self.push(t.shape().to_vec(), buf, Op::Param(id), trainable)
    }

    /// The value of `v`.
    pub fn value(&self, v: Var) -> Result<&Tensor> {
        Ok(&self.values[self.id(v)?])
    }

    /// The shape of `v`.
    pub fn shape(&self, v: Var) -> Result<&[usize]> {
        Ok(self.values[self.id(v)?].shape())
    }

    /// The gradient `∂L/∂v` after [`Tape::backward`]; `None` when no gradient reached `v`
    /// (it does not depend on a leaf or parameter, or it does not influence the loss).
    pub fn grad(&self, v: Var) -> Result<Option<&[f32]>> {
        Ok(self.grads[self.id(v)?].as_deref())
    }

    /// Backpropagates from a single-element `loss` (seed `∂L/∂L = 1`).
    pub fn backward(&mut self, loss: Var) -> Result<()> {
        let i = self.id(loss)?;
        if self.values[i].len() != 1 {
            return Err(AutogradError::NotScalar { shape: self.values[i].shape().to_vec() });
        }
        self.backward_with(loss, &[1.0])
    }

    /// Backpropagates from `v` with the seed gradient `seed` (same length as `v`): computes
    /// the vector–Jacobian products `seedᵀ · ∂v/∂x` for every leaf and parameter `x`.
    /// Gradients accumulate over calls until [`Tape::zero_grads`] or [`Tape::reset`].
    pub fn backward_with(&mut self, v: Var, seed: &[f32]) -> Result<()> {
        let root = self.id(v)?;
        if seed.len() != self.values[root].len() {
            return Err(ShapeError::Mismatch {
                what: "backward seed vs value",
                left: vec![seed.len()],
                right: self.values[root].shape().to_vec(),
            }
            .into());
        }
        if !self.requires[root] {
            return Ok(());
        }
        let Tape { values, ops, requires, grads, pool, .. } = self;
        let mut g = Grads { slots: grads, requires, pool };
        if let Some(s) = g.slot(root, seed.len()) {
            for (d, x) in s.iter_mut().zip(seed) {
                *d += x;
            }
        }
        for i in (0..=root).rev() {
            if !requires[i] {
                continue;
            }
            // Take node i's gradient out so its inputs' slots can be borrowed mutably.
            let Some(dy) = g.slots[i].take() else { continue };
            let r = backward_op(&ops[i], i, &dy, values, &mut g);
            g.slots[i] = Some(dy);
            r?;
        }
        Ok(())
    }

    /// Sets every node's gradient back to "none yet" (buffers are recycled).
    pub fn zero_grads(&mut self) {
        for g in self.grads.iter_mut() {
            if let Some(b) = g.take() {
                if self.pool.len() < POOL_MAX {
                    self.pool.push(b);
                }
            }
        }
    }

    /// Adds the gradient of every bound parameter node into `store`'s gradients
    /// (a parameter bound twice receives both contributions).
    pub fn accumulate_param_grads(&self, store: &mut ParamStore) -> Result<()> {
        for (op, g) in self.ops.iter().zip(&self.grads) {
            if let (Op::Param(id), Some(g)) = (op, g) {
                let dst = store.grad_mut(*id).ok_or(AutogradError::UnknownParam)?;
                if dst.len() != g.len() {
                    return Err(ShapeError::Mismatch {
                        what: "parameter gradient vs store",
                        left: vec![g.len()],
                        right: dst.shape().to_vec(),
                    }
                    .into());
                }
                for (d, s) in dst.data_mut().iter_mut().zip(g) {
                    *d += s;
                }
            }
        }
        Ok(())
    }
}

/// One node's backward: dispatches to the op's kernel beside its forward.
fn backward_op(op: &Op, i: usize, dy: &[f32], v: &[Tensor], g: &mut Grads) -> Result<()> {
    match op {
        Op::Leaf | Op::Param(_) => Ok(()),
        Op::Binary { kind, a, b } => elementwise::binary_backward(*kind, *a, *b, dy, v, g),
        Op::BiasAdd { x, b, inner } => elementwise::bias_add_backward(*x, *b, *inner, dy, v, g),
        Op::Scale { x, c } => elementwise::scale_backward(*x, *c, dy, v, g),
        Op::AddScalar { x } => elementwise::scale_backward(*x, 1.0, dy, v, g),
        Op::Unary { kind, x } => elementwise::unary_backward(*kind, *x, i, dy, v, g),
        Op::SumAll { x, mean } => reduce::sum_all_backward(*x, *mean, dy, v, g),
        Op::SumAxis { x, outer, len, inner, mean } => {
            reduce::sum_axis_backward(*x, [*outer, *len, *inner], *mean, dy, g)
        }
        Op::Reshape { x } => elementwise::scale_backward(*x, 1.0, dy, v, g),
        Op::MatMul { a, b, m, k, n } => linalg::matmul_backward(*a, *b, [*m, *k, *n], dy, v, g),
        Op::Conv2d { x, w, b, p } => linalg::conv2d_backward(*x, *w, *b, *p, i, dy, v, g),
        Op::BatchNorm(s) => norm::batch_norm_backward(s, dy, v, g),
        Op::Softmax { x } => loss::softmax_backward(*x, i, dy, v, g),
        Op::LogSoftmax { x } => loss::log_softmax_backward(*x, i, dy, v, g),
        Op::CrossEntropy { x, targets, probs } => {
            loss::cross_entropy_backward(*x, targets, probs, dy, v, g)
        }
        Op::BceLogits { x, y } => loss::bce_logits_backward(*x, *y, dy, v, g),
        Op::Mse { a, b } => loss::mse_backward(*a, *b, dy, v, g),
        Op::Reparam { mu, logvar, eps } => loss::reparam_backward(*mu, *logvar, eps, dy, v, g),
        Op::KlNormal { mu, logvar } => loss::kl_normal_backward(*mu, *logvar, dy, v, g),
    }
}
