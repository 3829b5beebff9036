//! Batch normalization: normalise each hidden feature over the mini-batch, then rescale it.
//!
//! `x̂ = (x − μ_B)/√(σ²_B + ε)`, `y = γ·x̂ + β`, with `μ_B`, `σ²_B` the feature's mean and
//! biased variance over the batch, and running averages
//! `r ← (1 − m)·r + m·batch` used at inference.
//!
//! The page trains the same MLP with and without BN in lockstep (`model::Experiment`, driven
//! by the training kit `ui::train`), overlays their loss and validation curves, draws the
//! histograms of a BN layer's inputs and outputs on the current batch (batch or running
//! statistics), tabulates μ_B, σ²_B, γ, β and the running statistics, explains the batch-size-1
//! failure, and sweeps the learning rate. Every knob and the seed live in the URL ([`Knobs`]).

use super::{Lesson, Text};

pub mod strings;
pub mod model;
use model::DEPTH;
#[cfg(target_arch = "wasm32")]
mod figures;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;

const DATA: &[&str] = &["spirals", "moons", "shapes"];
const EPS: &[&str] = &["1e-5", "1e-3", "0.1", "1"];
const LRS: &[&str] = &["0.003", "0.01", "0.03", "0.1", "0.3", "1", "3"];
const MOMENTA: &[&str] = &["0.01", "0.1", "0.5"];

crate::url_state::params! {
    /// Every knob of the lesson: the URL schema ([`Knobs::PARAMS`], the field names are the
    /// URL keys) and its typed values ([`Knobs::KEYS`] for widgets and setters).
    pub struct Knobs => KnobKeys {
        data: Choice(DATA) = "spirals",
        bs: Int(1, 128) = "32",
        lr: Number(LRS) = "0.1",
        eps: Number(EPS) = "1e-5",
        mom: Number(MOMENTA) = "0.1",
        layer: Int(1, DEPTH as i64) = "1",
        mode: Choice(&["train", "eval"]) = "train",
        seed: Seed = "1",
    }
}

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "batchnorm",
    title: Text { en: "Batch normalization", zh: "批量归一化" },
    summary: Text { en: "Normalise each layer's inputs over the mini-batch: train the same network with and without BN and watch the activations, μ_B, σ²_B, γ and β.", zh: "在小批量上归一化每一层的输入：同一个网络分别带 BN 和不带 BN 训练，观察激活值、μ_B、σ²_B、γ 与 β。" },
    params: Knobs::PARAMS,
};
