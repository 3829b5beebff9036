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

pub mod model;
pub mod strings;
#[cfg(target_arch = "wasm32")]
mod figures;
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

crate::url_state::params! {
    /// Every knob of the lesson: the URL schema ([`Knobs::PARAMS`], the field names are the
    /// URL keys) and its typed values ([`Knobs::KEYS`] for widgets and setters).
    pub struct Knobs => KnobKeys {
        mode: Choice(MODES) = "gauss",
        pm: Float(-5.0, 5.0) = "0",
        ps: Float(0.2, 3.0) = "1",
        qm: Float(-5.0, 5.0) = "1.5",
        qs: Float(0.2, 3.0) = "0.7",
        pm2: Float(-5.0, 5.0) = "3",
        ps2: Float(0.2, 3.0) = "0.6",
        pw: Float(0.0, 1.0) = "0.6",
        qm2: Float(-5.0, 5.0) = "-2",
        qs2: Float(0.2, 3.0) = "1",
        qw: Float(0.0, 1.0) = "0.5",
        hp: Floats(BINS, 0.0, HIST_MAX) = "1,3,6,3,1,0.5,0,0",
        hq: Floats(BINS, 0.0, HIST_MAX) = "0.5,1,2,4,3,2,1,0.5",
        mc: Number(MC_COUNTS) = "100",
        seed: Seed = "1",
        fsep: Float(0.0, 8.0) = "5",
        fs: Float(0.3, 2.0) = "0.6",
        fw: Float(0.1, 0.9) = "0.5",
        fm0: Float(-6.0, 6.0) = "0.5",
    }
}

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "divergence",
    title: Text { en: "KL and JS divergences", zh: "KL 散度与 JS 散度" },
    summary: Text { en: "How far one distribution is from another: asymmetry, infinity, and the VAE's KL term.", zh: "一个分布离另一个有多远：不对称性、无穷大，以及 VAE 中的 KL 项。" },
    params: Knobs::PARAMS,
};
