//! Parameters and buffers, stored outside the tape so they live across steps.
//!
//! A *parameter* (weight, bias, γ, β) has a gradient and is updated by an optimizer; a
//! *buffer* (BatchNorm's running mean and variance) is state that is not trained by gradient.
//! Both are named tensors addressed by a [`ParamId`].

use super::super::tensor::Tensor;

/// A handle to one tensor of a [`ParamStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamId(usize);

impl ParamId {
    /// Position in the store (creation order).
    pub fn index(self) -> usize {
        self.0
    }
}

/// Named parameters and buffers with one gradient tensor per entry.
#[derive(Debug, Clone, Default)]
pub struct ParamStore {
    names: Vec<String>,
    values: Vec<Tensor>,
    grads: Vec<Tensor>,
    trainable: Vec<bool>,
}

impl ParamStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a trainable parameter with initial `value`.
    pub fn add(&mut self, name: impl Into<String>, value: Tensor) -> ParamId {
        self.insert(name.into(), value, true)
    }

    /// Adds a buffer: state that travels with the model but gets no gradient (running stats).
    pub fn add_buffer(&mut self, name: impl Into<String>, value: Tensor) -> ParamId {
        self.insert(name.into(), value, false)
    }

    fn insert(&mut self, name: String, value: Tensor, trainable: bool) -> ParamId {
        let id = ParamId(self.values.len());
        self.names.push(name);
        self.grads.push(Tensor::zeros(value.shape().to_vec()));
        self.values.push(value);
        self.trainable.push(trainable);
        id
    }

    /// Number of entries (parameters and buffers).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the store holds nothing.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every id, in creation order.
    pub fn ids(&self) -> impl Iterator<Item = ParamId> + '_ {
        (0..self.values.len()).map(ParamId)
    }

    /// The trainable ids, in creation order (the order of [`ParamStore::params_and_grads`]).
    pub fn trainable_ids(&self) -> impl Iterator<Item = ParamId> + '_ {
        self.ids().filter(|id| self.trainable[id.0])
    }

    /// The entry's name.
    pub fn name(&self, id: ParamId) -> Option<&str> {
        self.names.get(id.0).map(String::as_str)
    }

    /// The id of the entry called `name`, if any.
    pub fn find(&self, name: &str) -> Option<ParamId> {
        self.names.iter().position(|n| n == name).map(ParamId)
    }

    /// Whether the entry is a trainable parameter (not a buffer).
    pub fn is_trainable(&self, id: ParamId) -> bool {
        self.trainable.get(id.0).copied().unwrap_or(false)
    }

    /// The entry's current value.
    pub fn value(&self, id: ParamId) -> Option<&Tensor> {
        self.values.get(id.0)
    }

    /// The entry's value, mutably (initialisation, running-stat updates, loading).
    pub fn value_mut(&mut self, id: ParamId) -> Option<&mut Tensor> {
        self.values.get_mut(id.0)
    }

    /// The entry's accumulated gradient.
    pub fn grad(&self, id: ParamId) -> Option<&Tensor> {
        self.grads.get(id.0)
    }

    /// The entry's gradient, mutably.
    pub fn grad_mut(&mut self, id: ParamId) -> Option<&mut Tensor> {
        self.grads.get_mut(id.0)
    }

    /// Sets every gradient to zero (call once per step, before backward).
    pub fn zero_grads(&mut self) {
        for g in &mut self.grads {
            g.data_mut().fill(0.0);
        }
    }

    /// The trainable parameters' values (mutable) and gradients, in the same order — the
    /// flat-slice contract of `core::optim::Optimizer::step(params, grads)`.
    pub fn params_and_grads(&mut self) -> (Vec<&mut [f32]>, Vec<&[f32]>) {
        let mut ps = Vec::new();
        let mut gs = Vec::new();
        for ((v, g), t) in self.values.iter_mut().zip(&self.grads).zip(&self.trainable) {
            if *t {
                ps.push(v.data_mut());
                gs.push(g.data());
            }
        }
        (ps, gs)
    }

    /// Global L2 norm of the trainable gradients `√(Σ g²)` (accumulated in `f64`).
    pub fn grad_norm(&self) -> f32 {
        let mut s = 0.0f64;
        for (g, t) in self.grads.iter().zip(&self.trainable) {
            if *t {
                s += g.data().iter().map(|&x| x as f64 * x as f64).sum::<f64>();
            }
        }
        s.sqrt() as f32
    }

    /// Number of trainable scalars.
    pub fn num_trainable(&self) -> usize {
        self.values.iter().zip(&self.trainable).filter(|(_, t)| **t).map(|(v, _)| v.len()).sum()
    }

    /// Copies every value from `other`, which must have the same entries and shapes (e.g. a
    /// snapshot, or an EMA copy of the weights).
    pub fn copy_values_from(&mut self, other: &ParamStore) -> bool {
        if other.values.len() != self.values.len()
            || self.values.iter().zip(&other.values).any(|(a, b)| a.shape() != b.shape())
        {
            return false;
        }
        for (a, b) in self.values.iter_mut().zip(&other.values) {
            a.data_mut().copy_from_slice(b.data());
        }
        true
    }
}
