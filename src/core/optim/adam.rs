//! Adam and AdamW (`torch.optim.Adam`, `torch.optim.AdamW`): momentum on the gradient and a
//! per-coordinate step size from the running mean of its square, both bias-corrected.
//!
//! ```text
//! Adam:   g ← g + λ θ                  AdamW:  θ ← θ (1 − η λ)      (decoupled decay)
//! m ← β₁ m + (1 − β₁) g
//! v ← β₂ v + (1 − β₂) g²               (AMSGrad: v̂ ← max(v̂, v), used in place of v)
//! θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
//! ```
//!
//! The bias corrections are computed in `f64` from the step count `t` and rounded to `f32`
//! where they meet the tensors, as torch does.

use super::{check_hyper, check_lr, check_shapes, ensure_state, OptimError, Optimizer};

/// Hyper-parameters of [`Adam`]. `Default` is torch's Adam (η = 1e−3, β = (0.9, 0.999),
/// ε = 1e−8, λ = 0); [`AdamConfig::adamw`] is torch's AdamW (λ = 1e−2, decoupled).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// Learning rate η ≥ 0.
    pub lr: f32,
    /// First-moment decay β₁ ∈ [0, 1).
    pub beta1: f32,
    /// Second-moment decay β₂ ∈ [0, 1).
    pub beta2: f32,
    /// ε ≥ 0 added to the denominator.
    pub eps: f32,
    /// Weight decay λ ≥ 0: L2 on the gradient (Adam) or decoupled (AdamW).
    pub weight_decay: f32,
    /// Decoupled weight decay (AdamW): `θ ← θ(1 − ηλ)` before the Adam step.
    pub decoupled: bool,
    /// The AMSGrad variant (the running maximum of `v`).
    pub amsgrad: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
            amsgrad: false,
        }
    }
}

impl AdamConfig {
    /// torch's AdamW defaults: Adam's, with decoupled weight decay λ = 1e−2.
    pub fn adamw() -> Self {
        AdamConfig { weight_decay: 1e-2, decoupled: true, ..Self::default() }
    }
}

/// Adam / AdamW (see the module docs).
#[derive(Debug, Clone)]
pub struct Adam {
    cfg: AdamConfig,
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    v_max: Vec<Vec<f32>>,
    steps: u64,
}

impl Adam {
    /// Validates the configuration and builds the optimizer.
    pub fn new(cfg: AdamConfig) -> Result<Self, OptimError> {
        check_lr(cfg.lr)?;
        check_hyper("beta1", cfg.beta1, (0.0..1.0).contains(&cfg.beta1))?;
        check_hyper("beta2", cfg.beta2, (0.0..1.0).contains(&cfg.beta2))?;
        check_hyper("eps", cfg.eps, cfg.eps >= 0.0)?;
        check_hyper("weight_decay", cfg.weight_decay, cfg.weight_decay >= 0.0)?;
        Ok(Adam { cfg, m: Vec::new(), v: Vec::new(), v_max: Vec::new(), steps: 0 })
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> AdamConfig {
        self.cfg
    }
}

impl Optimizer for Adam {
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[&[f32]]) -> Result<(), OptimError> {
        check_shapes(params, grads, |i| self.m.get(i).map(Vec::len))?;
        let AdamConfig { lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad } = self.cfg;
        ensure_state(&mut self.m, params);
        ensure_state(&mut self.v, params);
        if amsgrad {
            ensure_state(&mut self.v_max, params);
        }
        let t = (self.steps + 1) as f64;
        let bc1 = 1.0 - (beta1 as f64).powf(t);
        let bc2_sqrt = (1.0 - (beta2 as f64).powf(t)).sqrt();
        let step_size = (lr as f64 / bc1) as f32;
        let bc2_sqrt = bc2_sqrt as f32;
        let decay = (1.0 - lr as f64 * weight_decay as f64) as f32;
        for (i, (p, g)) in params.iter_mut().zip(grads).enumerate() {
            for (j, (p, &g)) in p.iter_mut().zip(g.iter()).enumerate() {
                let g = if weight_decay != 0.0 && !decoupled { g + weight_decay * *p } else { g };
                if decoupled && weight_decay != 0.0 {
                    *p *= decay;
                }
                let m = &mut self.m[i][j];
                // torch: exp_avg.lerp_(grad, 1 − β₁)  ≡  m + (1 − β₁)(g − m)
                *m += (1.0 - beta1) * (g - *m);
                let v = &mut self.v[i][j];
                *v = beta2 * *v + (1.0 - beta2) * g * g;
                let v_used = if amsgrad {
                    let vm = &mut self.v_max[i][j];
                    *vm = vm.max(*v);
                    *vm
                } else {
                    *v
                };
                let denom = v_used.sqrt() / bc2_sqrt + eps;
                *p -= step_size * (*m / denom);
            }
        }
        self.steps += 1;
        Ok(())
    }

    fn lr(&self) -> f32 {
        self.cfg.lr
    }

    fn set_lr(&mut self, lr: f32) -> Result<(), OptimError> {
        check_lr(lr)?;
        self.cfg.lr = lr;
        Ok(())
    }

    fn reset(&mut self) {
        self.m.clear();
        self.v.clear();
        self.v_max.clear();
        self.steps = 0;
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
