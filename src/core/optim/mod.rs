//! First-order optimizers, learning-rate schedules, gradient clipping and exponential moving
//! averages — the update rules of `torch.optim`, on flat `f32` slices.
//!
//! Every optimizer turns a gradient `g = ∇L(θ)` into a parameter update. With learning rate
//! `η` and (optional, coupled) L2 weight decay `λ`, `g ← g + λθ` first, then:
//!
//! ```text
//! SGD        θ ← θ − η g
//! momentum   b ← μ b + (1 − τ) g          (b₁ = g)        θ ← θ − η b
//! Nesterov   b ← μ b + g                                   θ ← θ − η (g + μ b)
//! RMSProp    v ← α v + (1 − α) g²                          θ ← θ − η g / (√v + ε)
//! Adam       m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
//!            θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
//! AdamW      θ ← θ (1 − η λ)  (decoupled decay), then the Adam step with g un-decayed
//! ```
//!
//! The rules, defaults and order of operations are PyTorch's (`torch.optim`, single-tensor
//! path); `tests/core_optim.rs` replays trajectories computed by torch step by step.
//!
//! # The shared contract
//! An [`Optimizer`] receives the model's parameters and their gradients as two lists of flat
//! slices, in the same order every step (the training engine's parameter store hands them
//! over). State (momentum buffers, moment estimates) is kept per list index and sized lazily
//! on the first step. A mismatch — a different number of gradients than parameters, a
//! gradient whose length differs from its parameter, or a parameter whose length changed
//! since the state was created — is an [`OptimError`] and leaves every parameter untouched.
//!
//! Sub-modules: [`schedule`] (constant, step, cosine with warm-up), [`clip`] (global-norm
//! clipping), [`ema`] (EMA of a series and of a model's weights), [`path`] (trajectories on a
//! 2-D loss surface, with divergence detection), [`minibatch`] (mini-batch vs full-batch SGD
//! on a line fit).

pub mod adam;
pub mod clip;
pub mod ema;
pub mod minibatch;
pub mod path;
pub mod rmsprop;
pub mod schedule;
pub mod sgd;

pub use adam::{Adam, AdamConfig};
pub use clip::clip_grad_norm;
pub use ema::{effective_window, ema_series, Ema, WeightEma};
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use schedule::{LrSchedule, Warmup};
pub use sgd::{Sgd, SgdConfig};

use std::fmt;

/// Why an optimizer step (or an optimizer's construction) was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum OptimError {
    /// `params.len() != grads.len()`.
    CountMismatch { params: usize, grads: usize },
    /// Gradient `index` has a different length than its parameter.
    LengthMismatch { index: usize, param: usize, grad: usize },
    /// Parameter `index` changed length since the optimizer's state was created
    /// (call [`Optimizer::reset`] when the model changes).
    StateMismatch { index: usize, state: usize, param: usize },
    /// A hyper-parameter outside its valid range (the same checks `torch.optim` makes).
    InvalidHyper { name: &'static str, value: f32 },
}

impl fmt::Display for OptimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptimError::CountMismatch { params, grads } => {
                write!(f, "{params} parameter tensors but {grads} gradients")
            }
            OptimError::LengthMismatch { index, param, grad } => {
                write!(f, "parameter {index} has {param} values but its gradient has {grad}")
            }
            OptimError::StateMismatch { index, state, param } => write!(
                f,
                "parameter {index} has {param} values but the optimizer state has {state} \
                 (reset the optimizer after changing the model)"
            ),
            OptimError::InvalidHyper { name, value } => {
                write!(f, "invalid hyper-parameter {name} = {value}")
            }
        }
    }
}

impl std::error::Error for OptimError {}

/// A first-order optimizer over a list of flat parameter slices (see the module docs).
pub trait Optimizer {
    /// One update of every parameter from its gradient. On error nothing is modified.
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[&[f32]]) -> Result<(), OptimError>;
    /// The current learning rate.
    fn lr(&self) -> f32;
    /// Sets the learning rate (a schedule calls this before each step); the state is kept.
    /// A NaN, infinite or negative rate is refused like the constructors refuse it
    /// (`InvalidHyper { name: "lr" }`) and the rate is unchanged.
    fn set_lr(&mut self, lr: f32) -> Result<(), OptimError>;
    /// Forgets all state (buffers, moments, step count); hyper-parameters are kept.
    fn reset(&mut self);
    /// Steps taken since construction or the last [`Optimizer::reset`].
    fn steps(&self) -> u64;
}

/// Checks the shapes of a step against the per-index state lengths (`state[i]` is `None` for
/// a parameter not seen yet). Shared by every optimizer so that a bad call changes nothing.
pub(crate) fn check_shapes(
    params: &[&mut [f32]],
    grads: &[&[f32]],
    state_len: impl Fn(usize) -> Option<usize>,
) -> Result<(), OptimError> {
    if params.len() != grads.len() {
        return Err(OptimError::CountMismatch { params: params.len(), grads: grads.len() });
    }
    for (index, (p, g)) in params.iter().zip(grads).enumerate() {
        if p.len() != g.len() {
            return Err(OptimError::LengthMismatch { index, param: p.len(), grad: g.len() });
        }
        if let Some(state) = state_len(index) {
            if state != p.len() {
                return Err(OptimError::StateMismatch { index, state, param: p.len() });
            }
        }
    }
    Ok(())
}

/// Grows a per-parameter state list to `n` entries and sizes new entries like the params.
pub(crate) fn ensure_state(state: &mut Vec<Vec<f32>>, params: &[&mut [f32]]) {
    for p in params.iter().skip(state.len()) {
        state.push(vec![0.0; p.len()]);
    }
}

/// The one check of a learning rate (constructors and `set_lr`): finite and ≥ 0.
pub(crate) fn check_lr(lr: f32) -> Result<(), OptimError> {
    check_hyper("lr", lr, lr >= 0.0)
}

pub(crate) fn check_hyper(name: &'static str, value: f32, ok: bool) -> Result<(), OptimError> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(OptimError::InvalidHyper { name, value })
    }
}

/// The optimizers a lesson can choose from; `id()` is its stable URL spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptimizerKind {
    /// Plain stochastic gradient descent.
    Sgd,
    /// SGD with heavy-ball momentum.
    Momentum,
    /// SGD with Nesterov momentum.
    Nesterov,
    /// RMSProp (optionally with momentum).
    RmsProp,
    /// Adam with coupled L2 weight decay.
    Adam,
    /// Adam with decoupled weight decay.
    AdamW,
}

impl OptimizerKind {
    /// Every kind, in teaching order.
    pub const ALL: [OptimizerKind; 6] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Nesterov,
        OptimizerKind::RmsProp,
        OptimizerKind::Adam,
        OptimizerKind::AdamW,
    ];

    /// The URL ids of [`Self::ALL`], in the same order (usable as a `ParamKind::Choice`).
    pub const IDS: &'static [&'static str] =
        &["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"];

    /// The stable id (`"sgd"`, `"momentum"`, …).
    pub fn id(self) -> &'static str {
        Self::IDS[self.index()]
    }

    /// Position in [`Self::ALL`].
    pub fn index(self) -> usize {
        match self {
            OptimizerKind::Sgd => 0,
            OptimizerKind::Momentum => 1,
            OptimizerKind::Nesterov => 2,
            OptimizerKind::RmsProp => 3,
            OptimizerKind::Adam => 4,
            OptimizerKind::AdamW => 5,
        }
    }

    /// Parses an id; `None` for an unknown one.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::IDS.iter().position(|s| *s == id).map(|i| Self::ALL[i])
    }
}

/// Hyper-parameters shared across optimizer kinds, as a lesson's knobs hold them. Each kind
/// reads the ones it uses (see [`OptimizerSpec::config`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyper {
    /// Learning rate η.
    pub lr: f32,
    /// Momentum μ (momentum, Nesterov; RMSProp's optional momentum).
    pub momentum: f32,
    /// RMSProp's smoothing constant α.
    pub alpha: f32,
    /// Adam's β₁.
    pub beta1: f32,
    /// Adam's β₂.
    pub beta2: f32,
    /// ε in the denominator of RMSProp and Adam.
    pub eps: f32,
    /// Weight decay λ (L2 for SGD/RMSProp/Adam, decoupled for AdamW).
    pub weight_decay: f32,
}

impl Default for Hyper {
    /// Common defaults: η = 0.01, μ = 0.9, α = 0.99, β = (0.9, 0.999), ε = 1e−8, λ = 0.
    fn default() -> Self {
        Hyper {
            lr: 0.01,
            momentum: 0.9,
            alpha: 0.99,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
        }
    }
}

/// A complete optimizer configuration, one variant per implementation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptimizerConfig {
    /// SGD, momentum or Nesterov.
    Sgd(SgdConfig),
    /// RMSProp.
    RmsProp(RmsPropConfig),
    /// Adam or AdamW (`decoupled`).
    Adam(AdamConfig),
}

impl OptimizerConfig {
    /// Builds the optimizer, or says which hyper-parameter is invalid.
    pub fn build(&self) -> Result<Box<dyn Optimizer>, OptimError> {
        Ok(match *self {
            OptimizerConfig::Sgd(c) => Box::new(Sgd::new(c)?),
            OptimizerConfig::RmsProp(c) => Box::new(RmsProp::new(c)?),
            OptimizerConfig::Adam(c) => Box::new(Adam::new(c)?),
        })
    }
}

/// A kind plus shared hyper-parameters: what a lesson's URL knobs describe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimizerSpec {
    /// Which optimizer.
    pub kind: OptimizerKind,
    /// Its hyper-parameters (each kind reads the ones it uses).
    pub hyper: Hyper,
}

impl OptimizerSpec {
    /// The full configuration of this kind with these hyper-parameters.
    pub fn config(&self) -> OptimizerConfig {
        let h = self.hyper;
        let sgd = |momentum: f32, nesterov: bool| {
            OptimizerConfig::Sgd(SgdConfig {
                lr: h.lr,
                momentum,
                dampening: 0.0,
                nesterov,
                weight_decay: h.weight_decay,
            })
        };
        let adam = |decoupled: bool| {
            OptimizerConfig::Adam(AdamConfig {
                lr: h.lr,
                beta1: h.beta1,
                beta2: h.beta2,
                eps: h.eps,
                weight_decay: h.weight_decay,
                decoupled,
                amsgrad: false,
            })
        };
        match self.kind {
            OptimizerKind::Sgd => sgd(0.0, false),
            OptimizerKind::Momentum => sgd(h.momentum, false),
            OptimizerKind::Nesterov => sgd(h.momentum, true),
            OptimizerKind::RmsProp => OptimizerConfig::RmsProp(RmsPropConfig {
                lr: h.lr,
                alpha: h.alpha,
                eps: h.eps,
                weight_decay: h.weight_decay,
                momentum: 0.0,
                centered: false,
            }),
            OptimizerKind::Adam => adam(false),
            OptimizerKind::AdamW => adam(true),
        }
    }

    /// Builds the optimizer (see [`OptimizerConfig::build`]).
    pub fn build(&self) -> Result<Box<dyn Optimizer>, OptimError> {
        self.config().build()
    }
}
