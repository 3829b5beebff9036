//! What a dense network (a multi-layer perceptron) trained by the dense trainers is: its
//! widths, activations, loss and optimizer. Shared by the GPU trainer (`gpu::dense`) and the
//! CPU run (`compute::dense`), so that lessons describe a model without naming a backend.
//!
//! The network: `a₀ = x`, `aₗ = actₗ(aₗ₋₁·Wₗ + bₗ)` for `l = 1…L`, `Wₗ: (dₗ₋₁, dₗ)` row-major,
//! the hidden activation on every layer but the last and the output activation on the last.
//! Losses: softmax cross-entropy over class indices (mean over the batch), binary
//! cross-entropy with logits and squared error (means over every element).

use crate::core::optim::AdamConfig;

/// An activation function of the dense trainer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// `a = z`.
    Identity,
    /// `a = max(z, 0)`.
    Relu,
    /// `a = 1 / (1 + e^{−z})`.
    Sigmoid,
    /// `a = tanh z`.
    Tanh,
}

/// The loss of the dense trainer (see the module docs for the formulas and reductions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenseLoss {
    /// Softmax cross-entropy; targets are class indices (one per sample, as `f32`).
    SoftmaxCrossEntropy,
    /// Binary cross-entropy with logits; targets have the output's shape, in `[0, 1]`.
    BceWithLogits,
    /// Squared error, mean over every element; targets have the output's shape.
    Mse,
}

impl DenseLoss {
    /// Values of the target per sample, for `outputs` outputs.
    pub fn targets_per_sample(self, outputs: usize) -> usize {
        match self {
            DenseLoss::SoftmaxCrossEntropy => 1,
            _ => outputs,
        }
    }

    /// The factor from the summed per-row losses to the reported loss.
    pub fn scale(self, batch: usize, outputs: usize) -> f32 {
        match self {
            DenseLoss::SoftmaxCrossEntropy => 1.0 / batch as f32,
            _ => 1.0 / (batch * outputs) as f32,
        }
    }
}

/// What to train.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseSpec {
    /// Layer widths `d₀ (inputs), d₁, …, d_L (outputs)`; at least two entries.
    pub dims: Vec<usize>,
    /// Activation of every layer but the last.
    pub hidden: Act,
    /// Activation of the last layer (identity for logits).
    pub output: Act,
    /// The loss.
    pub loss: DenseLoss,
    /// Samples per step (fixed for the trainer's lifetime).
    pub batch: usize,
    /// The optimizer (AMSGrad is not supported on the GPU).
    pub adam: AdamConfig,
}

impl DenseSpec {
    /// Checks a batch: `x: (batch, d₀)`; targets: `batch` class indices (integers in
    /// `0..d_L`) for cross-entropy, else `(batch, d_L)`. The message says what is wrong.
    pub fn check_batch(&self, x: &[f32], targets: &[f32]) -> Result<(), String> {
        let outputs = self.dims.last().copied().unwrap_or(0);
        let want_x = self.batch * self.dims.first().copied().unwrap_or(0);
        let want_t = self.batch * self.loss.targets_per_sample(outputs);
        if x.len() != want_x || targets.len() != want_t {
            return Err(format!(
                "a batch of {} inputs and {} targets; the network wants {want_x} and {want_t}",
                x.len(),
                targets.len()
            ));
        }
        let bad_class = |t: f32| !(t >= 0.0 && t.fract() == 0.0 && (t as usize) < outputs);
        if self.loss == DenseLoss::SoftmaxCrossEntropy && targets.iter().any(|&t| bad_class(t)) {
            return Err(format!("class targets must be integers in 0..{outputs}"));
        }
        Ok(())
    }
}
