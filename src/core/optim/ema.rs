//! Exponential moving averages: of a scalar series (loss smoothing) and of a model's weights
//! (Polyak / mean-teacher averaging).
//!
//! ```text
//! v₀ = 0,   v_t = β v_{t−1} + (1 − β) x_t          (raw; biased towards 0 early on)
//! v̂_t = v_t / (1 − βᵗ)                             (bias-corrected)
//! effective window ≈ 1 / (1 − β) samples
//! ```
//!
//! The weight EMA follows `torch.optim.swa_utils.AveragedModel` with
//! `get_ema_multi_avg_fn(decay)`: the first update copies the weights, later ones do
//! `s ← s + (1 − decay)(θ − s)`.
//!
//! Both refuse a decay outside `[0, 1]` or NaN with the same check ([`check_decay`]), as
//! `OptimError::InvalidHyper` naming the argument (`beta` or `decay`).

use super::{check_hyper, OptimError};

/// The one check of an EMA decay: finite and in `[0, 1]` (`name` is the argument's name, which
/// the error carries).
pub fn check_decay(name: &'static str, value: f32) -> Result<(), OptimError> {
    check_hyper(name, value, (0.0..=1.0).contains(&value))
}

/// The effective averaging window `1 / (1 − β)` (∞ for β = 1).
pub fn effective_window(beta: f32) -> f32 {
    (1.0 / (1.0 - f64::from(beta))) as f32
}

/// Running EMA of a scalar series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ema {
    beta: f32,
    value: f64,
    t: u64,
}

impl Ema {
    /// A fresh average with decay `beta` in `[0, 1]` (else `InvalidHyper { name: "beta" }`).
    pub fn new(beta: f32) -> Result<Self, OptimError> {
        check_decay("beta", beta)?;
        Ok(Ema { beta, value: 0.0, t: 0 })
    }

    /// The decay β.
    pub fn beta(&self) -> f32 {
        self.beta
    }

    /// Folds in `x` and returns the bias-corrected value.
    pub fn update(&mut self, x: f32) -> f32 {
        let b = self.beta as f64;
        self.value = b * self.value + (1.0 - b) * x as f64;
        self.t += 1;
        self.corrected()
    }

    /// The raw average `v_t` (0 before any update).
    pub fn raw(&self) -> f32 {
        self.value as f32
    }

    /// The bias-corrected average `v_t / (1 − βᵗ)`; 0 before any update. With β = 1 the
    /// raw value never moves and there is nothing to correct, so 0 is returned.
    pub fn corrected(&self) -> f32 {
        let denom = 1.0 - (self.beta as f64).powf(self.t as f64);
        if self.t == 0 || denom <= 0.0 {
            0.0
        } else {
            (self.value / denom) as f32
        }
    }

    /// Number of values folded in.
    pub fn count(&self) -> u64 {
        self.t
    }
}

/// The EMA of a whole series, raw or bias-corrected, one output per input; `beta` is checked
/// like [`Ema::new`]'s.
pub fn ema_series(xs: &[f32], beta: f32, bias_correction: bool) -> Result<Vec<f32>, OptimError> {
    let mut e = Ema::new(beta)?;
    Ok(xs
        .iter()
        .map(|&x| {
            let c = e.update(x);
            if bias_correction {
                c
            } else {
                e.raw()
            }
        })
        .collect())
}

/// A shadow copy of a model's weights, averaged over training steps (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightEma {
    decay: f32,
    shadow: Vec<Vec<f32>>,
    updates: u64,
}

impl WeightEma {
    /// A weight average with `decay` in `[0, 1]` (typically 0.99–0.9999).
    pub fn new(decay: f32) -> Result<Self, OptimError> {
        check_decay("decay", decay)?;
        Ok(WeightEma { decay, shadow: Vec::new(), updates: 0 })
    }

    /// The decay.
    pub fn decay(&self) -> f32 {
        self.decay
    }

    /// Number of updates folded in.
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// The averaged weights, one slice per parameter (empty before the first update).
    pub fn shadow(&self) -> &[Vec<f32>] {
        &self.shadow
    }

    fn check(&self, lens: impl ExactSizeIterator<Item = usize>) -> Result<(), OptimError> {
        if self.shadow.is_empty() {
            return Ok(());
        }
        if lens.len() != self.shadow.len() {
            return Err(OptimError::CountMismatch { params: lens.len(), grads: self.shadow.len() });
        }
        for (index, (len, s)) in lens.zip(&self.shadow).enumerate() {
            if len != s.len() {
                return Err(OptimError::StateMismatch { index, state: s.len(), param: len });
            }
        }
        Ok(())
    }

    /// Folds in the current weights: copies them on the first call, then
    /// `s ← s + (1 − decay)(θ − s)`. A shape change is an error and changes nothing.
    pub fn update(&mut self, params: &[&[f32]]) -> Result<(), OptimError> {
        self.check(params.iter().map(|p| p.len()))?;
        if self.shadow.is_empty() {
            self.shadow = params.iter().map(|p| p.to_vec()).collect();
        } else {
            let w = 1.0 - self.decay;
            for (s, p) in self.shadow.iter_mut().zip(params) {
                for (s, &p) in s.iter_mut().zip(p.iter()) {
                    *s += w * (p - *s);
                }
            }
        }
        self.updates += 1;
        Ok(())
    }

    /// Exchanges the shadow weights with the live ones (call again to swap back): evaluate
    /// the averaged model in place, then resume training the raw one. Before the first
    /// update there is nothing to swap and the call does nothing.
    pub fn swap(&mut self, params: &mut [&mut [f32]]) -> Result<(), OptimError> {
        self.check(params.iter().map(|p| p.len()))?;
        for (s, p) in self.shadow.iter_mut().zip(params.iter_mut()) {
            s.as_mut_slice().swap_with_slice(p);
        }
        Ok(())
    }

    /// Copies the shadow weights into `params` (e.g. to export the averaged model).
    pub fn copy_to(&self, params: &mut [&mut [f32]]) -> Result<(), OptimError> {
        self.check(params.iter().map(|p| p.len()))?;
        for (s, p) in self.shadow.iter().zip(params.iter_mut()) {
            p.copy_from_slice(s);
        }
        Ok(())
    }

    /// Forgets the shadow (the next update copies the weights again).
    pub fn reset(&mut self) {
        self.shadow.clear();
        self.updates = 0;
    }
}
