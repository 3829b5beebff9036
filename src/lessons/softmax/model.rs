//! The lesson's numbers, web-free: the logits as edited and everything the page shows for them
//! (softmax with temperature, the naive softmax, log-sum-exp, cross-entropy and its gradient,
//! entropy), computed in `f32` like the engine by `core::logits`.

use super::MAX_CLASSES;
use crate::core::logits::{entropy, log_softmax, logsumexp, naive_softmax, softmax};

/// The "large logits" preset: differences as ordinary logits, but all above 88.7.
pub const LARGE_Z: &[f64] = &[120.0, 118.0, 115.0, 110.0];

/// Fewest classes.
pub const MIN_CLASSES: usize = 2;
/// The logits as edited (2–10 of them: a shorter list is padded with zeros, a longer one cut).
pub fn logits_of(raw: &[f64]) -> Vec<f64> {
    let mut z: Vec<f64> = raw.iter().copied().take(MAX_CLASSES).collect();
    while z.len() < MIN_CLASSES {
        z.push(0.0);
    }
    z
}


/// Everything the page shows for one logit vector, computed in `f32` like the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    /// The logits after scaling, divided by T.
    pub scaled: Vec<f32>,
    /// `e^{z_i/T}` as the naive form computes it (may be ∞).
    pub exp_naive: Vec<f32>,
    /// `e^{(z_i − m)/T}` as the stable form computes it (≤ 1).
    pub exp_stable: Vec<f32>,
    /// Stable probabilities.
    pub p: Vec<f32>,
    /// Naive probabilities (NaN where it overflowed).
    pub p_naive: Vec<f32>,
    /// `logsumexp(z/T)`.
    pub lse: f32,
    /// Cross-entropy for the target (of the tempered logits).
    pub ce: f32,
    /// `p − onehot(target)`.
    pub grad: Vec<f32>,
    /// Entropy of `p` (nats).
    pub entropy: f32,
}

/// Computes the page's numbers: logits `z` times `scale`, temperature `t`, target class.
pub fn compute(z: &[f64], scale: f64, t: f64, target: usize) -> Result<Computed, String> {
    let zs: Vec<f32> = z.iter().map(|&v| (v * scale) as f32).collect();
    let t32 = t as f32;
    let scaled: Vec<f32> = zs.iter().map(|&v| v / t32).collect();
    let m = scaled.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp_naive = scaled.iter().map(|v| v.exp()).collect();
    let exp_stable = scaled.iter().map(|v| (v - m).exp()).collect();
    let p = softmax(&zs, t32).map_err(|e| e.to_string())?;
    let p_naive = naive_softmax(&zs, t32).map_err(|e| e.to_string())?;
    let target = target.min(zs.len().saturating_sub(1));
    // From zs and T, not from the rounded z/T: at |z/T| ≈ 1e4 rounding z/T to f32 moves each
    // value by up to 5e-4, which would land in the loss and the probabilities.
    let log_p = log_softmax(&zs, t32).map_err(|e| e.to_string())?;
    let ce = -log_p.get(target).copied().ok_or("no logits")?;
    let mut grad = p.clone();
    if let Some(g) = grad.get_mut(target) {
        *g -= 1.0;
    }
    Ok(Computed {
        lse: logsumexp(&scaled),
        entropy: entropy(&p).map_err(|e| e.to_string())?,
        scaled,
        exp_naive,
        exp_stable,
        p,
        p_naive,
        ce,
        grad,
    })
}

