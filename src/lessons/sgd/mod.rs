//! SGD and its improvements: gradient descent `θ ← θ − η∇L(θ)` and the optimizers built on
//! it — momentum (`b ← μb + g`, `θ ← θ − ηb`), Nesterov (the gradient step taken from the
//! look-ahead), RMSProp (`θ ← θ − η g/(√v + ε)`, `v` a running mean of `g²`) and Adam
//! (momentum plus RMSProp scaling, bias-corrected).
//!
//! The page: five optimizers race on 2-D loss surfaces drawn as contour plots, from a
//! draggable start, step by step; then mini-batch SGD on a seeded regression problem next to
//! full-batch gradient descent, with the noise of batch gradients shown as arrows. The
//! numerics are `core::optim` (torch.optim's update rules), `core::surfaces` and
//! `core::data`; every knob is in the URL (see [`PARAMS`]).

use super::{Lesson, Text};
use crate::core::surfaces::SURFACE_IDS;
use crate::url_state::{ParamKind, ParamSpec};

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
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;


/// Every knob of the lesson, the seed included: the URL schema.
pub const PARAMS: &[ParamSpec] = &[
    // The race on a 2-D surface.
    ParamSpec { key: "surf", kind: ParamKind::Choice(SURFACE_IDS), default: "quadratic" },
    ParamSpec { key: "kappa", kind: ParamKind::Float { min: 1.0, max: 100.0 }, default: "10" },
    ParamSpec { key: "angle", kind: ParamKind::Float { min: -90.0, max: 90.0 }, default: "20" },
    ParamSpec { key: "ripple", kind: ParamKind::Float { min: 0.0, max: 0.5 }, default: "0.15" },
    ParamSpec { key: "seed", kind: ParamKind::Seed, default: "7" },
    ParamSpec { key: "x0", kind: ParamKind::Float { min: -10.0, max: 10.0 }, default: "-2.5" },
    ParamSpec { key: "y0", kind: ParamKind::Float { min: -10.0, max: 10.0 }, default: "0.2" },
    ParamSpec { key: "lr", kind: ParamKind::Float { min: 1e-5, max: 10.0 }, default: "0.12" },
    ParamSpec { key: "alr", kind: ParamKind::Float { min: 1e-5, max: 10.0 }, default: "0.1" },
    ParamSpec { key: "mom", kind: ParamKind::Float { min: 0.0, max: 0.999 }, default: "0.9" },
    ParamSpec { key: "alpha", kind: ParamKind::Float { min: 0.0, max: 0.9999 }, default: "0.99" },
    ParamSpec { key: "b1", kind: ParamKind::Float { min: 0.0, max: 0.999 }, default: "0.9" },
    ParamSpec { key: "b2", kind: ParamKind::Float { min: 0.0, max: 0.9999 }, default: "0.999" },
    ParamSpec { key: "show", kind: ParamKind::Bits { len: 5 }, default: "f8" },
    ParamSpec { key: "steps", kind: ParamKind::Int { min: 10, max: 1000 }, default: "150" },
    // The mini-batch view.
    ParamSpec { key: "n", kind: ParamKind::Int { min: 20, max: 400 }, default: "100" },
    ParamSpec { key: "noise", kind: ParamKind::Float { min: 0.0, max: 2.0 }, default: "0.8" },
    ParamSpec { key: "bs", kind: ParamKind::Int { min: 1, max: 400 }, default: "8" },
    ParamSpec { key: "mlr", kind: ParamKind::Float { min: 0.001, max: 3.0 }, default: "0.1" },
    ParamSpec { key: "msteps", kind: ParamKind::Int { min: 10, max: 500 }, default: "100" },
];

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "sgd",
    title: Text { en: "SGD and its improvements", zh: "SGD 及其改进" },
    summary: Text { en: "Gradient descent, momentum, Nesterov, RMSProp and Adam race on loss surfaces; mini-batch noise versus the full gradient.", zh: "梯度下降、动量、Nesterov、RMSProp 与 Adam 在损失曲面上赛跑；小批量梯度的噪声与全量梯度的对比。" },
    params: PARAMS,
};
