//! Layers built on the autodiff tape: Linear, Conv2d, BatchNorm1d/2d, activations, Flatten and
//! a [`Sequential`] container, plus seeded initialisers ([`Init`]).
//!
//! A layer holds [`ParamId`]s into a [`ParamStore`] (its weights live there, across steps) and
//! hyper-parameters; its `forward` binds the parameters into a [`Tape`] and records the ops:
//!
//! * [`Linear`]: `y = x·W + b`, `x: (N, in)`, `W: (in, out)`, `b: (out)` → `(N, out)`.
//! * [`Conv2d`]: `y = conv(x, W) + b`, `x: (N, C, H, W)`, `W: (F, C, k, k)` → `(N, F, H', W')`.
//! * [`BatchNorm`]: `y = γ·(x − μ)/√(σ² + ε) + β` per channel with batch statistics in training
//!   mode (and the running-statistics update `r ← (1−m)·r + m·batch`, unbiased variance, as
//!   PyTorch), running statistics in inference mode.
//! * [`Activation`]: ReLU, leaky ReLU, sigmoid, tanh.
//!
//! [`Sequential`] keeps the handle of every layer's output from the last forward, so a lesson
//! can draw per-layer activations (e.g. before and after normalisation) and read the batch's
//! `μ_B`, `σ²_B` ([`BatchNorm::last_stats`]) and γ, β from the store.
//!
//! ```
//! use dlviz::core::autograd::{ParamStore, Tape};
//! use dlviz::core::nn::{Activation, BatchNorm, Init, Linear, Sequential};
//! use dlviz::core::Rng;
//!
//! let mut store = ParamStore::new();
//! let mut rng = Rng::new(7);
//! let mut net = Sequential::new()
//!     .with(Linear::new(&mut store, "fc1", 2, 8, Init::HeUniform, &mut rng))
//!     .with(BatchNorm::new_1d(&mut store, "bn1", 8))
//!     .with(Activation::Relu)
//!     .with(Linear::new(&mut store, "fc2", 8, 3, Init::XavierUniform, &mut rng));
//! let mut tape = Tape::new();
//! let x = tape.input(&[4, 2], &[0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7, 0.8]).unwrap();
//! let logits = net.forward(&mut tape, &mut store, x).unwrap();
//! let loss = tape.cross_entropy(logits, &[0, 1, 2, 1]).unwrap();
//! tape.backward(loss).unwrap();
//! tape.accumulate_param_grads(&mut store).unwrap();
//! assert_eq!(tape.shape(logits).unwrap(), &[4, 3]);
//! assert!(net.layer_output(1).is_some()); // the BatchNorm layer's output handle
//! ```

pub mod classifier;
mod init;

pub use classifier::{classifier_eval, classifier_step, ClassifierStep};
pub use init::{fans, Init};

use super::autograd::{BatchNormMode, BatchStats, ParamId, ParamStore, Result, Tape, Unary, Var};
use super::conv::Conv2dParams;
use super::{Rng, Tensor};

/// An element-wise activation layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Activation {
    /// `max(0, x)`.
    Relu,
    /// `x` or `α·x` below zero.
    LeakyRelu(f32),
    /// `1/(1+e^{−x})`.
    Sigmoid,
    /// `tanh x`.
    Tanh,
}

impl Activation {
    /// Records the activation on the tape.
    pub fn forward(self, tape: &mut Tape, x: Var) -> Result<Var> {
        let kind = match self {
            Activation::Relu => Unary::Relu,
            Activation::LeakyRelu(a) => Unary::LeakyRelu(a),
            Activation::Sigmoid => Unary::Sigmoid,
            Activation::Tanh => Unary::Tanh,
        };
        tape.unary(kind, x)
    }
}

/// A fully connected layer `y = x·W + b`.
#[derive(Debug, Clone)]
pub struct Linear {
    /// `W: (in, out)`.
    pub weight: ParamId,
    /// `b: (out)`, if the layer has a bias.
    pub bias: Option<ParamId>,
    /// Input features.
    pub in_features: usize,
    /// Output features.
    pub out_features: usize,
}

impl Linear {
    /// A layer with weights from `init` (fans `in`, `out`) and a zero bias, registered in
    /// `store` as `<name>.weight` and `<name>.bias`.
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        in_features: usize,
        out_features: usize,
        init: Init,
        rng: &mut Rng,
    ) -> Self {
        let mut l = Self::without_bias(store, name, in_features, out_features, init, rng);
        l.bias = Some(store.add(format!("{name}.bias"), Tensor::zeros(vec![out_features])));
        l
    }

    /// The same layer without a bias (e.g. followed by BatchNorm, whose β plays its role).
    pub fn without_bias(
        store: &mut ParamStore,
        name: &str,
        in_features: usize,
        out_features: usize,
        init: Init,
        rng: &mut Rng,
    ) -> Self {
        let w = init.tensor(vec![in_features, out_features], rng);
        let weight = store.add(format!("{name}.weight"), w);
        Self { weight, bias: None, in_features, out_features }
    }

    /// `x: (N, in)` → `(N, out)`.
    pub fn forward(&self, tape: &mut Tape, store: &ParamStore, x: Var) -> Result<Var> {
        let w = tape.param(store, self.weight)?;
        let y = tape.matmul(x, w)?;
        match self.bias {
            Some(b) => {
                let b = tape.param(store, b)?;
                tape.bias_add(y, b)
            }
            None => Ok(y),
        }
    }
}

/// A 2-D convolution layer with a square kernel.
#[derive(Debug, Clone)]
pub struct Conv2d {
    /// `W: (F, C, k, k)`.
    pub weight: ParamId,
    /// `b: (F)`, if the layer has a bias.
    pub bias: Option<ParamId>,
    /// Input channels `C`.
    pub in_channels: usize,
    /// Output channels (filters) `F`.
    pub out_channels: usize,
    /// Kernel size `k`.
    pub kernel: usize,
    /// Stride, padding, dilation.
    pub params: Conv2dParams,
}

impl Conv2d {
    /// A layer with weights from `init` (fans `C·k²`, `F·k²`) and a zero bias, registered as
    /// `<name>.weight` and `<name>.bias`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: &mut ParamStore,
        name: &str,
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        params: Conv2dParams,
        init: Init,
        rng: &mut Rng,
    ) -> Self {
        let w = init.tensor(vec![out_channels, in_channels, kernel, kernel], rng);
        let weight = store.add(format!("{name}.weight"), w);
        let bias = Some(store.add(format!("{name}.bias"), Tensor::zeros(vec![out_channels])));
        Self { weight, bias, in_channels, out_channels, kernel, params }
    }

    /// `x: (N, C, H, W)` → `(N, F, H', W')`.
    pub fn forward(&self, tape: &mut Tape, store: &ParamStore, x: Var) -> Result<Var> {
        let w = tape.param(store, self.weight)?;
        let b = self.bias.map(|b| tape.param(store, b)).transpose()?;
        tape.conv2d(x, w, b, self.params)
    }
}

/// Batch normalisation over `(N, F)` (1d) or `(N, C, H, W)` (2d), with learned γ, β and
/// running statistics (see [`crate::core::autograd`]'s `norm` docs for the formulas).
#[derive(Debug, Clone)]
pub struct BatchNorm {
    /// Scale `γ: (C)`, initialised to 1.
    pub gamma: ParamId,
    /// Shift `β: (C)`, initialised to 0.
    pub beta: ParamId,
    /// Running mean buffer `(C)`, initialised to 0.
    pub running_mean: ParamId,
    /// Running (unbiased) variance buffer `(C)`, initialised to 1.
    pub running_var: ParamId,
    /// Channels / features `C`.
    pub num_features: usize,
    /// Added to the variance before the square root (PyTorch's default 1e-5; finite, > 0).
    eps: f32,
    /// Weight of the new batch in the running statistics (PyTorch's default 0.1; in `[0, 1]`).
    momentum: f32,
    /// Training mode (batch statistics) or inference mode (running statistics).
    pub training: bool,
    /// Expected input rank: 2 for BatchNorm1d, 4 for BatchNorm2d.
    rank: usize,
    /// The statistics used by the last forward.
    last: Option<BatchStats>,
}

impl BatchNorm {
    fn new(store: &mut ParamStore, name: &str, c: usize, rank: usize) -> Self {
        Self {
            gamma: store.add(format!("{name}.weight"), Tensor::from_fn(vec![c], |_| 1.0)),
            beta: store.add(format!("{name}.bias"), Tensor::zeros(vec![c])),
            running_mean: store.add_buffer(format!("{name}.running_mean"), Tensor::zeros(vec![c])),
            running_var: store
                .add_buffer(format!("{name}.running_var"), Tensor::from_fn(vec![c], |_| 1.0)),
            num_features: c,
            eps: 1e-5,
            momentum: 0.1,
            training: true,
            rank,
            last: None,
        }
    }

    /// BatchNorm1d over `x: (N, F)`.
    pub fn new_1d(store: &mut ParamStore, name: &str, features: usize) -> Self {
        Self::new(store, name, features, 2)
    }

    /// BatchNorm2d over `x: (N, C, H, W)`, statistics per channel over `N·H·W` values.
    pub fn new_2d(store: &mut ParamStore, name: &str, channels: usize) -> Self {
        Self::new(store, name, channels, 4)
    }

    /// The same layer with `eps` (added to the variance before the square root): it must be
    /// finite and > 0 — with ε = 0 a constant feature (σ² = 0) would normalise to NaN. The error
    /// names `eps`.
    pub fn with_eps(mut self, eps: f32) -> Result<Self> {
        if !(eps.is_finite() && eps > 0.0) {
            return Err(super::autograd::AutogradError::Invalid(super::autograd::BN_EPS_NEED));
        }
        self.eps = eps;
        Ok(self)
    }

    /// The same layer with running-statistics `momentum` in `[0, 1]` (the error names it).
    pub fn with_momentum(mut self, momentum: f32) -> Result<Self> {
        if !(0.0..=1.0).contains(&momentum) {
            return Err(super::autograd::AutogradError::Invalid(
                "batch_norm: momentum must be in [0, 1]",
            ));
        }
        self.momentum = momentum;
        Ok(self)
    }

    /// ε, added to the variance before the square root.
    pub fn eps(&self) -> f32 {
        self.eps
    }

    /// The running statistics' momentum.
    pub fn momentum(&self) -> f32 {
        self.momentum
    }

    /// True for BatchNorm2d.
    pub fn is_2d(&self) -> bool {
        self.rank == 4
    }

    /// The statistics the last forward normalised with (batch statistics in training mode).
    pub fn last_stats(&self) -> Option<&BatchStats> {
        self.last.as_ref()
    }

    /// Normalises `x`; in training mode also updates the running statistics in `store`:
    /// `r_μ ← (1−m)·r_μ + m·μ_B`, `r_σ² ← (1−m)·r_σ² + m·σ²_B·M/(M−1)` (unbiased; with `M = 1`
    /// the biased value 0 is used).
    pub fn forward(&mut self, tape: &mut Tape, store: &mut ParamStore, x: Var) -> Result<Var> {
        let rank = tape.shape(x)?.len();
        if rank != self.rank {
            return Err(crate::core::ShapeError::Rank { expected: self.rank, got: rank }.into());
        }
        let g = tape.param(store, self.gamma)?;
        let b = tape.param(store, self.beta)?;
        let y = if self.training {
            tape.batch_norm(x, g, b, BatchNormMode::Train { eps: self.eps })?
        } else {
            let rm = store
                .value(self.running_mean)
                .ok_or(super::autograd::AutogradError::UnknownParam)?;
            let rv = store
                .value(self.running_var)
                .ok_or(super::autograd::AutogradError::UnknownParam)?;
            let mode = BatchNormMode::Eval {
                running_mean: rm.data(),
                running_var: rv.data(),
                eps: self.eps,
            };
            tape.batch_norm(x, g, b, mode)?
        };
        let stats = tape.batch_stats(y)?.cloned();
        if let (true, Some(s)) = (self.training, &stats) {
            let m = self.momentum;
            let bessel = if s.count > 1 { s.count as f32 / (s.count - 1) as f32 } else { 1.0 };
            if let Some(rm) = store.value_mut(self.running_mean) {
                for (r, v) in rm.data_mut().iter_mut().zip(&s.mean) {
                    *r = (1.0 - m) * *r + m * v;
                }
            }
            if let Some(rv) = store.value_mut(self.running_var) {
                for (r, v) in rv.data_mut().iter_mut().zip(&s.var) {
                    *r = (1.0 - m) * *r + m * v * bessel;
                }
            }
        }
        self.last = stats;
        Ok(y)
    }
}

/// One layer of a [`Sequential`].
#[derive(Debug, Clone)]
pub enum Layer {
    /// Fully connected.
    Linear(Linear),
    /// 2-D convolution.
    Conv2d(Conv2d),
    /// Batch normalisation (1d or 2d).
    BatchNorm(BatchNorm),
    /// Element-wise activation.
    Activation(Activation),
    /// `(N, …) → (N, rest)`.
    Flatten,
}

impl From<Linear> for Layer {
    fn from(l: Linear) -> Self {
        Layer::Linear(l)
    }
}

impl From<Conv2d> for Layer {
    fn from(l: Conv2d) -> Self {
        Layer::Conv2d(l)
    }
}

impl From<BatchNorm> for Layer {
    fn from(l: BatchNorm) -> Self {
        Layer::BatchNorm(l)
    }
}

impl From<Activation> for Layer {
    fn from(a: Activation) -> Self {
        Layer::Activation(a)
    }
}

impl Layer {
    /// Records this layer on the tape.
    pub fn forward(&mut self, tape: &mut Tape, store: &mut ParamStore, x: Var) -> Result<Var> {
        match self {
            Layer::Linear(l) => l.forward(tape, store, x),
            Layer::Conv2d(l) => l.forward(tape, store, x),
            Layer::BatchNorm(l) => l.forward(tape, store, x),
            Layer::Activation(a) => a.forward(tape, x),
            Layer::Flatten => tape.flatten(x),
        }
    }
}

/// Layers applied in order; remembers each layer's output handle from the last forward.
#[derive(Debug, Clone, Default)]
pub struct Sequential {
    layers: Vec<Layer>,
    input: Option<Var>,
    outputs: Vec<Var>,
}

impl Sequential {
    /// An empty container.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a layer (builder style).
    pub fn with(mut self, layer: impl Into<Layer>) -> Self {
        self.layers.push(layer.into());
        self
    }

    /// Appends a layer.
    pub fn push(&mut self, layer: impl Into<Layer>) {
        self.layers.push(layer.into());
    }

    /// The layers.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The layers, mutably (e.g. to change ε or momentum).
    pub fn layers_mut(&mut self) -> &mut [Layer] {
        &mut self.layers
    }

    /// Puts every BatchNorm layer in training (`true`) or inference (`false`) mode.
    pub fn set_training(&mut self, training: bool) {
        for l in &mut self.layers {
            if let Layer::BatchNorm(bn) = l {
                bn.training = training;
            }
        }
    }

    /// Runs every layer on `x`, recording the ops on `tape`; returns the last output.
    pub fn forward(&mut self, tape: &mut Tape, store: &mut ParamStore, x: Var) -> Result<Var> {
        self.input = Some(x);
        self.outputs.clear();
        let mut h = x;
        for l in &mut self.layers {
            h = l.forward(tape, store, h)?;
            self.outputs.push(h);
        }
        Ok(h)
    }

    /// Output handle of layer `i` in the last forward (valid until the tape is reset).
    pub fn layer_output(&self, i: usize) -> Option<Var> {
        self.outputs.get(i).copied()
    }

    /// Input handle of layer `i` in the last forward (the previous layer's output, or the
    /// network's input for layer 0) — e.g. the pre-normalisation activations of a BatchNorm.
    pub fn layer_input(&self, i: usize) -> Option<Var> {
        match i {
            0 => self.input,
            _ => self.outputs.get(i - 1).copied(),
        }
    }
}
