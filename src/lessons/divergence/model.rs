//! The lesson's numbers, web-free: the histograms and mixtures as edited, their divergences
//! (discrete and by Simpson integration), the Monte-Carlo estimates and the forward/reverse
//! Gaussian fits as a two-run trainable.

use super::BINS;
use crate::core::divergence::{
    bimodal, divergences, js_integrands, js_numeric, kl_integrand, kl_monte_carlo, kl_numeric,
    kl_terms, mixture_m, normalize, Direction, DivergenceError, Divergences, GaussFit, Gaussian,
    Grid, McEstimate, Mixture,
};
use crate::core::train::{FnTrainable, StepReport, Trainable};

/// The integration grid of the continuous modes: `[−16, 16]`, 1281 points (h = 0.025).
pub const GRID: (f64, f64, usize) = (-16.0, 16.0, 1281);
/// The plotted x range.
pub const PLOT_X: (f64, f64) = (-8.0, 8.0);
/// Independent Monte Carlo repeats shown (their spread is the estimator's).
pub const MC_REPEATS: usize = 20;
/// Step size of the fits (see [`GaussFit::step`]).
pub const FIT_LR: f64 = 0.08;
/// A fit whose last move is below this (in `(m, ln s)`) has converged; the loop stops.
pub const FIT_TOL: f64 = 1e-6;
/// The fits' grid: `[−12, 12]`, 961 points.
pub const FIT_GRID: (f64, f64, usize) = (-12.0, 12.0, 961);




/// A histogram as edited: padded with zeros or cut to [`BINS`] bins.
pub fn bins_of(raw: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = raw.iter().copied().take(BINS).collect();
    v.resize(BINS, 0.0);
    v
}

/// P or Q of the continuous modes: one Gaussian, or `w·N(μ, σ²) + (1 − w)·N(μ₂, σ₂²)`.
pub fn density(
    mix: bool,
    g: (f64, f64),
    g2: (f64, f64),
    w: f64,
) -> Result<Mixture, DivergenceError> {
    let a = Gaussian::new(g.0, g.1)?;
    if !mix {
        return Ok(Mixture::single(a));
    }
    Mixture::new(&[(w, a), (1.0 - w, Gaussian::new(g2.0, g2.1)?)])
}

/// Everything the first panels show.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// The three divergences in nats.
    pub div: Divergences,
    /// Plot x positions (empty for histograms: bins are 1…8).
    pub xs: Vec<f64>,
    /// P (density, or normalised histogram).
    pub p: Vec<f64>,
    /// Q.
    pub q: Vec<f64>,
    /// M = (P + Q)/2.
    pub m: Vec<f64>,
    /// The integrand `p ln(p/q)` (may hold +∞ for histograms).
    pub i_pq: Vec<f64>,
    /// The integrand `q ln(q/p)`.
    pub i_qp: Vec<f64>,
    /// The JS integrand `½ p ln(p/m) + ½ q ln(q/m)`.
    pub i_js: Vec<f64>,
}

/// The divergences and plotted curves of two densities (Simpson on [`GRID`]).
pub fn compute_continuous(p: &Mixture, q: &Mixture) -> Result<Shown, DivergenceError> {
    let grid = Grid::new(GRID.0, GRID.1, GRID.2)?;
    let div = Divergences {
        kl_pq: kl_numeric(p, q, &grid)?,
        kl_qp: kl_numeric(q, p, &grid)?,
        js: js_numeric(p, q, &grid)?,
    };
    // Every other grid point inside the plotted range.
    let xs: Vec<f64> = grid
        .xs()
        .into_iter()
        .step_by(2)
        .filter(|x| (PLOT_X.0 - 1e-9..=PLOT_X.1 + 1e-9).contains(x))
        .collect();
    let pv: Vec<f64> = xs.iter().map(|&x| p.pdf(x)).collect();
    let qv: Vec<f64> = xs.iter().map(|&x| q.pdf(x)).collect();
    let m = pv.iter().zip(&qv).map(|(a, b)| 0.5 * (a + b)).collect();
    let (ja, jb) = js_integrands(p, q, &xs);
    Ok(Shown {
        div,
        i_pq: kl_integrand(p, q, &xs),
        i_qp: kl_integrand(q, p, &xs),
        i_js: ja.iter().zip(&jb).map(|(a, b)| a + b).collect(),
        xs,
        p: pv,
        q: qv,
        m,
    })
}

/// The divergences and bars of two histograms (weights, normalised here).
pub fn compute_hist(hp: &[f64], hq: &[f64]) -> Result<Shown, DivergenceError> {
    let div = divergences(hp, hq)?;
    let (p, q) = (normalize(hp)?, normalize(hq)?);
    let m = mixture_m(hp, hq)?;
    let i_js = p
        .iter()
        .zip(&q)
        .zip(&m)
        .map(|((&a, &b), &c)| {
            0.5 * crate::core::divergence::kl_term(a, c)
                + 0.5 * crate::core::divergence::kl_term(b, c)
        })
        .collect();
    Ok(Shown {
        div,
        xs: Vec::new(),
        i_pq: kl_terms(hp, hq)?,
        i_qp: kl_terms(hq, hp)?,
        i_js,
        p,
        q,
        m,
    })
}

/// The bins (1-based) where P has mass and Q has none (the source of `D_KL(P‖Q) = ∞`).
pub fn infinite_bins(hp: &[f64], hq: &[f64]) -> Vec<usize> {
    hp.iter()
        .zip(hq)
        .enumerate()
        .filter(|(_, (a, b))| **a > 0.0 && **b <= 0.0)
        .map(|(i, _)| i + 1)
        .collect()
}

/// Monte Carlo summary for the page: [`MC_REPEATS`] repeats of `n` samples, from `seed`.
pub fn monte_carlo(
    p: &Mixture,
    q: &Mixture,
    n: usize,
    seed: u64,
) -> Result<McEstimate, DivergenceError> {
    kl_monte_carlo(p, q, n, MC_REPEATS, seed)
}

/// Metric keys of the fitting runs.
pub const FIT_M: &str = "fit_m";
/// The fitted σ.
pub const FIT_S: &str = "fit_s";
/// The size of the last parameter update.
pub const FIT_MOVE: &str = "fit_move";

/// The two fits as one [`Trainable`]: run 0 forward KL, run 1 reverse KL, both from
/// `N(m0, 1)` on the bimodal target `bimodal(sep, sigma, w)`.
pub fn fit_trainable(sep: f64, sigma: f64, w: f64, m0: f64) -> Result<impl Trainable, String> {
    let e = |e: DivergenceError| e.to_string();
    let target = bimodal(sep, sigma, w).map_err(e)?;
    let grid = Grid::new(FIT_GRID.0, FIT_GRID.1, FIT_GRID.2).map_err(e)?;
    let mut fits = [
        GaussFit::new(Direction::Forward, m0, 1.0).map_err(e)?,
        GaussFit::new(Direction::Reverse, m0, 1.0).map_err(e)?,
    ];
    Ok(FnTrainable::new(2, move || {
        Ok(fits
            .iter_mut()
            .map(|f| {
                f.step(&target, &grid, FIT_LR);
                StepReport::loss(f.loss)
                    .with_metric(FIT_M, f.m)
                    .with_metric(FIT_S, f.log_s.exp())
                    .with_metric(FIT_MOVE, f.last_move)
            })
            .collect())
    }))
}
