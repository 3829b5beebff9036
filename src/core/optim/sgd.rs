//! Stochastic gradient descent with optional heavy-ball or Nesterov momentum
//! (`torch.optim.SGD`).
//!
//! ```text
//! g ← g + λ θ                                  (L2 weight decay, if λ > 0)
//! b ← g                 on the first step      (momentum μ > 0)
//! b ← μ b + (1 − τ) g   afterwards             (τ: dampening)
//! d ← g + μ b  (Nesterov)   or   d ← b  (heavy ball)   or   d ← g  (μ = 0)
//! θ ← θ − η d
//! ```

use super::{check_hyper, check_lr, check_shapes, ensure_state, OptimError, Optimizer};

/// Hyper-parameters of [`Sgd`]; defaults are torch's (`lr = 1e−3`, everything else 0/false).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig {
    /// Learning rate η ≥ 0.
    pub lr: f32,
    /// Momentum μ ≥ 0 (0 = plain SGD).
    pub momentum: f32,
    /// Dampening τ of the momentum buffer's gradient term.
    pub dampening: f32,
    /// Nesterov momentum (needs μ > 0 and τ = 0, as in torch).
    pub nesterov: bool,
    /// L2 weight decay λ ≥ 0 (added to the gradient).
    pub weight_decay: f32,
}

impl Default for SgdConfig {
    fn default() -> Self {
        SgdConfig { lr: 1e-3, momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0 }
    }
}

/// SGD / momentum / Nesterov (see the module docs).
#[derive(Debug, Clone)]
pub struct Sgd {
    cfg: SgdConfig,
    /// Momentum buffer per parameter; empty until that parameter's first step.
    buf: Vec<Vec<f32>>,
    steps: u64,
}

impl Sgd {
    /// Validates the configuration (same rules as torch) and builds the optimizer.
    pub fn new(cfg: SgdConfig) -> Result<Self, OptimError> {
        check_lr(cfg.lr)?;
        check_hyper("momentum", cfg.momentum, cfg.momentum >= 0.0)?;
        check_hyper("dampening", cfg.dampening, true)?;
        check_hyper("weight_decay", cfg.weight_decay, cfg.weight_decay >= 0.0)?;
        if cfg.nesterov && (cfg.momentum <= 0.0 || cfg.dampening != 0.0) {
            return Err(OptimError::InvalidHyper { name: "nesterov", value: cfg.momentum });
        }
        Ok(Sgd { cfg, buf: Vec::new(), steps: 0 })
    }

    /// The configuration (with the current learning rate).
    pub fn config(&self) -> SgdConfig {
        self.cfg
    }
}

impl Optimizer for Sgd {
    fn step(&mut self, params: &mut [&mut [f32]], grads: &[&[f32]]) -> Result<(), OptimError> {
        check_shapes(params, grads, |i| self.buf.get(i).map(Vec::len))?;
        let SgdConfig { lr, momentum, dampening, nesterov, weight_decay } = self.cfg;
        let first = self.buf.len();
        if momentum != 0.0 {
            ensure_state(&mut self.buf, params);
        }
        for (i, (p, g)) in params.iter_mut().zip(grads).enumerate() {
            if momentum == 0.0 {
                for (p, &g) in p.iter_mut().zip(g.iter()) {
                    let d = if weight_decay != 0.0 { g + weight_decay * *p } else { g };
                    *p -= lr * d;
                }
                continue;
            }
            // torch initialises a buffer with its first (decayed) gradient, undampened.
            let fresh = i >= first;
            let b = &mut self.buf[i];
            for ((p, &g), b) in p.iter_mut().zip(g.iter()).zip(b.iter_mut()) {
                let d = if weight_decay != 0.0 { g + weight_decay * *p } else { g };
                *b = if fresh { d } else { momentum * *b + (1.0 - dampening) * d };
                let step = if nesterov { d + momentum * *b } else { *b };
                *p -= lr * step;
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
        self.buf.clear();
        self.steps = 0;
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
