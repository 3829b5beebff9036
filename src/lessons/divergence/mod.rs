//! KL and JS divergences: how far one distribution is from another, and in which direction.
//!
//! `D_KL(P‖Q) = Σ p ln(p/q)` (or `∫ p(x) ln(p(x)/q(x)) dx`) nats, `/ln 2` for bits: the extra
//! cost of coding samples of P with a code built for Q. It is ≥ 0, zero only for P = Q, not
//! symmetric, and infinite as soon as P puts mass where Q has none. The Jensen–Shannon
//! divergence `D_JS = ½ D_KL(P‖M) + ½ D_KL(Q‖M)`, `M = (P+Q)/2`, is symmetric and bounded by
//! `ln 2` nats (1 bit). For Gaussians `D_KL(N(μ₁,σ₁²)‖N(μ₂,σ₂²)) = ln(σ₂/σ₁) + (σ₁² +
//! (μ₁−μ₂)²)/(2σ₂²) − ½`, the VAE's KL term with `N(0, 1)`. The numbers come from
//! [`crate::core::divergence`].
//!
//! The page: P and Q as Gaussians, mixtures of two Gaussians or 8-bin histograms with
//! draggable bars; plots of P, Q, M and of both integrands; the three divergences live in nats
//! and bits; ∞ explained for disjoint support; closed form vs Simpson integral vs Monte Carlo
//! (sample-count slider, the spread of 20 seeded repeats); the VAE link; forward vs reverse KL
//! fits of one Gaussian to a bimodal P, stepped live. Every knob and the seed are in the URL.

use super::{Lesson, Text};
use crate::url_state::{ParamKind, ParamSpec};

pub mod model;
pub mod strings;
#[cfg(target_arch = "wasm32")]
mod hist;
#[cfg(target_arch = "wasm32")]
mod plot;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;
pub use model::*;

/// Number of histogram bins.
pub const BINS: usize = 8;
/// Sample counts offered for Monte Carlo.
pub const MC_COUNTS: &[&str] = &["10", "30", "100", "300", "1000", "3000", "10000"];
const MODES: &[&str] = &["gauss", "mix", "hist"];

/// Largest bar height (the URL schema's bound).
pub const HIST_MAX: f64 = 10.0;

/// Every knob of the lesson: the URL schema.
pub const PARAMS: &[ParamSpec] = &[
    ParamSpec { key: "mode", kind: ParamKind::Choice(MODES), default: "gauss" },
    ParamSpec { key: "pm", kind: ParamKind::Float { min: -5.0, max: 5.0 }, default: "0" },
    ParamSpec { key: "ps", kind: ParamKind::Float { min: 0.2, max: 3.0 }, default: "1" },
    ParamSpec { key: "qm", kind: ParamKind::Float { min: -5.0, max: 5.0 }, default: "1.5" },
    ParamSpec { key: "qs", kind: ParamKind::Float { min: 0.2, max: 3.0 }, default: "0.7" },
    ParamSpec { key: "pm2", kind: ParamKind::Float { min: -5.0, max: 5.0 }, default: "3" },
    ParamSpec { key: "ps2", kind: ParamKind::Float { min: 0.2, max: 3.0 }, default: "0.6" },
    ParamSpec { key: "pw", kind: ParamKind::Float { min: 0.0, max: 1.0 }, default: "0.6" },
    ParamSpec { key: "qm2", kind: ParamKind::Float { min: -5.0, max: 5.0 }, default: "-2" },
    ParamSpec { key: "qs2", kind: ParamKind::Float { min: 0.2, max: 3.0 }, default: "1" },
    ParamSpec { key: "qw", kind: ParamKind::Float { min: 0.0, max: 1.0 }, default: "0.5" },
    ParamSpec {
        key: "hp",
        kind: ParamKind::Floats { max_len: BINS, min: 0.0, max: HIST_MAX },
        default: "1,3,6,3,1,0.5,0,0",
    },
    ParamSpec {
        key: "hq",
        kind: ParamKind::Floats { max_len: BINS, min: 0.0, max: HIST_MAX },
        default: "0.5,1,2,4,3,2,1,0.5",
    },
    ParamSpec { key: "mc", kind: ParamKind::Choice(MC_COUNTS), default: "100" },
    ParamSpec { key: "seed", kind: ParamKind::Seed, default: "1" },
    ParamSpec { key: "fsep", kind: ParamKind::Float { min: 0.0, max: 8.0 }, default: "5" },
    ParamSpec { key: "fs", kind: ParamKind::Float { min: 0.3, max: 2.0 }, default: "0.6" },
    ParamSpec { key: "fw", kind: ParamKind::Float { min: 0.1, max: 0.9 }, default: "0.5" },
    ParamSpec { key: "fm0", kind: ParamKind::Float { min: -6.0, max: 6.0 }, default: "0.5" },
];

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "divergence",
    title: Text { en: "KL and JS divergences", zh: "KL 散度与 JS 散度" },
    summary: Text { en: "How far one distribution is from another: asymmetry, infinity, and the VAE's KL term.", zh: "一个分布离另一个有多远：不对称性、无穷大，以及 VAE 中的 KL 项。" },
    params: PARAMS,
};
