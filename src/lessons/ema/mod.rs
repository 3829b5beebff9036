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
use crate::url_state::{ParamKind, ParamSpec};

pub mod strings;

#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;

const DECAYS: &[&str] = &["0.9", "0.95", "0.99", "0.995", "0.999"];
const RATES: &[&str] = &["0.1", "0.3", "1", "2"];
const SOURCES: &[&str] = &["walk", "loss"];

/// Every knob of the lesson: the URL schema.
pub const PARAMS: &[ParamSpec] = &[
    ParamSpec { key: "beta", kind: ParamKind::Float { min: 0.0, max: 0.999 }, default: "0.9" },
    ParamSpec { key: "src", kind: ParamKind::Choice(SOURCES), default: "walk" },
    ParamSpec { key: "noise", kind: ParamKind::Float { min: 0.0, max: 5.0 }, default: "1" },
    ParamSpec { key: "seed", kind: ParamKind::Seed, default: "1" },
    ParamSpec { key: "decay", kind: ParamKind::Choice(DECAYS), default: "0.99" },
    ParamSpec { key: "lr", kind: ParamKind::Choice(RATES), default: "1" },
    ParamSpec { key: "batch", kind: ParamKind::Int { min: 1, max: 64 }, default: "4" },
];

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "ema",
    title: Text { en: "Exponential moving averages", zh: "指数移动平均（EMA）" },
    summary: Text { en: "Smoothing noisy curves, bias correction, and averaging a model's weights.", zh: "平滑噪声曲线、偏差修正，以及对模型权重求平均。" },
    params: PARAMS,
};
