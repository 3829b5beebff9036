//! Exponential moving averages: smoothing a noisy series, and averaging a model's weights.
//!
//! `v_0 = 0`, `v_t = β v_{t−1} + (1 − β) x_t`: each new value gets weight `1 − β`, and the
//! weights of older values decay geometrically, so the average covers about `1/(1 − β)` recent
//! values (its effective window). Starting from 0 biases the first values towards 0 — their
//! weights sum to `1 − β^t`, not 1 — and dividing by that, `v̂_t = v_t/(1 − β^t)`, removes the
//! bias (Adam does this for its moments). The same average over a model's weights during
//! training (Polyak averaging, mean teacher: `θ̄ ← θ̄ + (1 − decay)(θ − θ̄)`) cancels much of
//! the noise of small-batch, high-rate SGD: the averaged weights often have a lower and
//! smoother validation loss than the raw ones.
//!
//! The page: a seeded random walk or a real training-loss curve (the engine, small batches)
//! smoothed with β, with and without bias correction, and the effective window; then a live
//! run (an MLP on two moons with noisy SGD) whose raw and EMA weights are both evaluated on the
//! validation set every few steps. Every knob is in the URL.

use super::{Lesson, Text};

pub mod strings;

#[cfg(target_arch = "wasm32")]
mod figures;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;

const DECAYS: &[&str] = &["0.9", "0.95", "0.99", "0.995", "0.999"];
const RATES: &[&str] = &["0.1", "0.3", "1", "2"];
const SOURCES: &[&str] = &["walk", "loss"];

crate::url_state::params! {
    /// Every knob of the lesson: the URL schema ([`Knobs::PARAMS`]) and its typed values.
    pub struct Knobs => KnobKeys {
        /// The smoothing factor β of the series.
        beta: Float(0.0, 0.999) = "0.9",
        /// The series: a random walk or a training-loss curve.
        src: Choice(SOURCES) = "walk",
        /// The random walk's step size.
        noise: Float(0.0, 5.0) = "1",
        /// The seed of the walk and of the run.
        seed: Seed = "1",
        /// The live run's weight-EMA decay.
        decay: Number(DECAYS) = "0.99",
        /// The live run's learning rate.
        lr: Number(RATES) = "1",
        /// The live run's batch size.
        batch: Int(1, 64) = "4",
    }
}

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "ema",
    title: Text { en: "Exponential moving averages", zh: "指数移动平均（EMA）" },
    summary: Text { en: "Smoothing noisy curves, bias correction, and averaging a model's weights.", zh: "平滑噪声曲线、偏差修正，以及对模型权重求平均。" },
    params: Knobs::PARAMS,
};
