//! RMSProp (`torch.optim.RMSprop`): divide the gradient by a running root-mean-square.
//!
//! ```text
//! g ← g + λ θ                                   (L2 weight decay, if λ > 0)
//! v ← α v + (1 − α) g²
//! centered:  a ← α a + (1 − α) g,   s = √(v − a²) + ε      otherwise  s = √v + ε
//! momentum μ > 0:  b ← μ b + g / s,   θ ← θ − η b          otherwise  θ ← θ − η g / s
//! ```

use super::{check_hyper, check_lr, check_shapes, ensure_state, OptimError, Optimizer};

/// Hyper-parameters of [`RmsProp`]; defaults are torch's (η = 1e−2, α = 0.99, ε = 1e−8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmsPropConfig {
    /// Learning rate η ≥ 0.
    pub lr: f32,
    /// Smoothing constant α ∈ [0, 1).
    pub alpha: f32,
    /// ε > 0 added to the root-mean-square.
    pub eps: f32,
    /// L2 weight decay λ ≥ 0.
    pub weight_decay: f32,
    /// Momentum μ ≥ 0 on the normalised step.
    pub momentum: f32,
    /// Normalise by the centred variance instead of the raw second moment.
    pub centered: bool,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        RmsPropConfig {
            lr: 1e-2,
            alpha: 0.99,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum: 0.0,
            centered: false,
        }
    }
}

/// RMSProp (see the module docs).
#[derive(Debug, Clone)]
pub struct RmsProp {
    cfg: RmsPropConfig,
    square_avg: Vec<Vec<f32>>,
    grad_avg: Vec<Vec<f32>>,
    buf: Vec<Vec<f32>>,
    steps: u64,
}

impl RmsProp {
    /// Validates the configuration and builds the optimizer.
    pub fn new(cfg: RmsPropConfig) -> Result<Self, OptimError> {
        check_lr(cfg.lr)?;
        check_hyper("alpha", cfg.alpha, (0.0..1.0).contains(&cfg.alpha))?;
        check_hyper("eps", cfg.eps, cfg.eps >= 0.0)?;
        check_hyper("weight_decay", cfg.weight_decay, cfg.weight_decay >= 0.0)?;
        check_hyper("momentum", cfg.momentum, cfg.momentum >= 0.0)?;
        Ok(RmsProp { cfg, square_avg: Vec::new(), grad_avg: Vec::new(), buf: Vec::new(), steps: 0 })
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> RmsPropConfig {
        self.cfg
    }
}

impl Optimizer for RmsProp {
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[&[f32]]) -> Result<(), OptimError> {
        check_shapes(params, grads, |i| self.square_avg.get(i).map(Vec::len))?;
        let RmsPropConfig { lr, alpha, eps, weight_decay, momentum, centered } = self.cfg;
        ensure_state(&mut self.square_avg, params);
        if centered {
            ensure_state(&mut self.grad_avg, params);
        }
        if momentum > 0.0 {
            ensure_state(&mut self.buf, params);
        }
        for (i, (p, g)) in params.iter_mut().zip(grads).enumerate() {
            for (j, (p, &g)) in p.iter_mut().zip(g.iter()).enumerate() {
                let g = if weight_decay != 0.0 { g + weight_decay * *p } else { g };
                let v = &mut self.square_avg[i][j];
                *v = alpha * *v + (1.0 - alpha) * g * g;
                let avg = if centered {
                    let a = &mut self.grad_avg[i][j];
                    // torch: grad_avg.lerp_(grad, 1 − α)
                    *a += (1.0 - alpha) * (g - *a);
                    (*v - *a * *a).sqrt() + eps
                } else {
                    v.sqrt() + eps
                };
                if momentum > 0.0 {
                    let b = &mut self.buf[i][j];
                    *b = momentum * *b + g / avg;
                    *p -= lr * *b;
                } else {
                    *p -= lr * (g / avg);
                }
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
        self.square_avg.clear();
        self.grad_avg.clear();
        self.buf.clear();
        self.steps = 0;
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
