//! Gradient-norm clipping (`torch.nn.utils.clip_grad_norm_`): rescale every gradient by the
//! same factor so that their global L2 norm is at most `max_norm`.
//!
//! ```text
//! n = √(Σ_tensors Σ_i g_i²)          c = min(1, max_norm / (n + 1e−6))          g ← c · g
//! ```

use super::OptimError;

/// Clips in place and returns the **pre-clip** global norm `n`.
///
/// A non-finite norm (a NaN or ∞ gradient) is returned as is and the gradients are left
/// untouched, so the caller can report the divergence instead of training on NaNs.
/// `max_norm` must be ≥ 0 (`+∞` = no clipping): a NaN used to clip nothing and a negative value
/// flipped every gradient; both are `InvalidHyper { name: "max_norm" }`.
pub fn clip_grad_norm(grads: &mut [&mut [f32]], max_norm: f32) -> Result<f32, OptimError> {
    if max_norm.is_nan() || max_norm < 0.0 {
        return Err(OptimError::InvalidHyper { name: "max_norm", value: max_norm });
    }
    let sum_sq: f64 =
        grads.iter().flat_map(|g| g.iter()).map(|&x| f64::from(x) * f64::from(x)).sum();
    let norm = sum_sq.sqrt() as f32;
    if !norm.is_finite() {
        return Ok(norm);
    }
    let coef = (max_norm as f64 / (norm as f64 + 1e-6)).min(1.0) as f32;
    if coef < 1.0 {
        for g in grads.iter_mut() {
            for x in g.iter_mut() {
                *x *= coef;
            }
        }
    }
    Ok(norm)
}

/// The global L2 norm of a list of gradients (no clipping).
pub fn global_norm(grads: &[&[f32]]) -> f32 {
    let sum_sq: f64 =
        grads.iter().flat_map(|g| g.iter()).map(|&x| f64::from(x) * f64::from(x)).sum();
    sum_sq.sqrt() as f32
}
