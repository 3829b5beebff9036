//! SGD and its improvements: gradient descent `θ ← θ − η∇L(θ)` and the optimizers built on
//! it — momentum (`b ← μb + g`, `θ ← θ − ηb`), Nesterov (the gradient step taken from the
//! look-ahead), RMSProp (`θ ← θ − η g/(√v + ε)`, `v` a running mean of `g²`) and Adam
//! (momentum plus RMSProp scaling, bias-corrected).
//!
//! The page: five optimizers race on 2-D loss surfaces drawn as contour plots, from a
//! draggable start, step by step; then mini-batch SGD on a seeded regression problem next to
//! full-batch gradient descent, with the noise of batch gradients shown as arrows. The
//! numerics are `core::optim` (torch.optim's update rules), `core::surfaces` and
//! `core::data`; every knob is in the URL (see [`Knobs`]).

use super::{Lesson, Text};
use crate::core::surfaces::SURFACE_IDS;

pub mod strings;
#[cfg(target_arch = "wasm32")]
mod controls;
#[cfg(target_arch = "wasm32")]
mod draw;
#[cfg(target_arch = "wasm32")]
mod minibatch;
#[cfg(target_arch = "wasm32")]
mod player;
#[cfg(target_arch = "wasm32")]
mod race;
#[cfg(target_arch = "wasm32")]
mod race_panels;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;


crate::url_state::params! {
    /// Every knob of the lesson: the URL schema ([`Knobs::PARAMS`], the field names are the
    /// URL keys) and its typed values ([`Knobs::KEYS`] for widgets and setters).
    pub struct Knobs => KnobKeys {
        // The race on a 2-D surface.
        surf: Choice(SURFACE_IDS) = "quadratic",
        kappa: Float(1.0, 100.0) = "10",
        angle: Float(-90.0, 90.0) = "20",
        ripple: Float(0.0, 0.5) = "0.15",
        seed: Seed = "7",
        x0: Float(-10.0, 10.0) = "-2.5",
        y0: Float(-10.0, 10.0) = "0.2",
        lr: Float(1e-5, 10.0) = "0.12",
        alr: Float(1e-5, 10.0) = "0.1",
        mom: Float(0.0, 0.999) = "0.9",
        alpha: Float(0.0, 0.9999) = "0.99",
        b1: Float(0.0, 0.999) = "0.9",
        b2: Float(0.0, 0.9999) = "0.999",
        show: Bits(5) = "f8",
        steps: Int(10, 1000) = "150",
        // The mini-batch view.
        n: Int(20, 400) = "100",
        noise: Float(0.0, 2.0) = "0.8",
        bs: Int(1, 400) = "8",
        mlr: Float(0.001, 3.0) = "0.1",
        msteps: Int(10, 500) = "100",
    }
}

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "sgd",
    title: Text { en: "SGD and its improvements", zh: "SGD 及其改进" },
    summary: Text { en: "Gradient descent, momentum, Nesterov, RMSProp and Adam race on loss surfaces; mini-batch noise versus the full gradient.", zh: "梯度下降、动量、Nesterov、RMSProp 与 Adam 在损失曲面上赛跑；小批量梯度的噪声与全量梯度的对比。" },
    params: Knobs::PARAMS,
};
