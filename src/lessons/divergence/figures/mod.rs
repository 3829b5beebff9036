//! The lesson's panels, one component each (wasm only), over the shared [`Dists`].

pub mod estimates;
pub mod fit;
pub mod plots;
pub mod values;

use super::model::Shown;
use crate::core::divergence::Mixture;
use leptos::prelude::*;

/// The page's distributions and what is computed from them (all handles: `Copy`).
#[derive(Clone, Copy)]
pub struct Dists {
    /// `gauss`, `mix` or `hist`.
    pub mode: Memo<&'static str>,
    /// P's mean.
    pub pm: Memo<f64>,
    /// P's standard deviation.
    pub ps: Memo<f64>,
    /// Q's mean.
    pub qm: Memo<f64>,
    /// Q's standard deviation.
    pub qs: Memo<f64>,
    /// P's histogram.
    pub hp: Memo<Vec<f64>>,
    /// Q's histogram.
    pub hq: Memo<Vec<f64>>,
    /// The Monte Carlo seed.
    pub seed: Memo<u64>,
    /// Monte Carlo samples per estimate.
    pub mc_n: Memo<usize>,
    /// P and Q as densities.
    pub dists: Memo<Result<(Mixture, Mixture), String>>,
    /// Everything drawn and tabulated.
    pub shown: Memo<Result<Shown, String>>,
}
