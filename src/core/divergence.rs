//! Kullback–Leibler and Jensen–Shannon divergences: discrete, on a grid, in closed form and by
//! Monte Carlo, and fitting a Gaussian by forward or reverse KL.
//!
//! * Discrete: `D_KL(P‖Q) = Σ_i p_i ln(p_i / q_i)` nats (divide by `ln 2` for bits), with the
//!   limits `0 · ln(0/q) = 0` and `p · ln(p/0) = +∞` for `p > 0` (returned as
//!   `f64::INFINITY`, never NaN). `D_JS(P, Q) = ½ D_KL(P‖M) + ½ D_KL(Q‖M)` with
//!   `M = (P + Q)/2`: `M > 0` wherever `P` or `Q` is, so JS is always finite, symmetric and
//!   `≤ ln 2` nats (= 1 bit; equality for disjoint supports).
//! * Continuous densities `p, q` on a uniform grid `x_0 … x_{n−1}` (spacing `h`): the integrand
//!   `p(x) (ln p(x) − ln q(x))` (log-densities are computed in log space, so far tails do not
//!   underflow to `0 · ∞`), integrated by the composite Simpson rule, whose error is
//!   `−(b − a) h⁴ f⁗(ξ) / 180` (`O(h⁴)`) plus the mass outside `[a, b]`.
//! * Closed form for Gaussians: `D_KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = ln(σ₂/σ₁)
//!   + (σ₁² + (μ₁ − μ₂)²) / (2σ₂²) − ½`; the VAE's term `D_KL(N(μ, σ²) ‖ N(0, 1))`
//!   `= −½ Σ_j (1 + ln σ_j² − μ_j² − σ_j²)` summed over latent dimensions.
//! * Monte Carlo: `D_KL(P‖Q) ≈ (1/n) Σ_k (ln p(x_k) − ln q(x_k))`, `x_k ~ P` (unbiased, spread
//!   `∝ 1/√n`), repeated with seeded streams to show the spread.
//! * Fitting `q = N(m, s²)` to `P`: forward `D_KL(P‖q)` (mode-covering: the optimum matches
//!   P's mean and variance) vs reverse `D_KL(q‖P)` (mode-seeking: `q` settles on one mode),
//!   by gradient descent on `(m, ln s)` with the gradients of the grid objective (exact
//!   derivatives of the Simpson sums, checked by finite differences in the tests).
//!
//! Everything here is `f64` (analytic quantities on small distributions; see "Element types"
//! in ARCHITECTURE.md). Constructors validate ([`Gaussian::new`], [`Grid::new`],
//! [`Mixture::new`]) and an error names the argument that was wrong.

use super::Rng;
use std::f64::consts::{LN_2, PI};
use std::fmt;

/// `ln 2`: nats per bit, and the upper bound of the JS divergence in nats.
pub const JS_MAX_NATS: f64 = LN_2;

/// Nats → bits.
pub fn to_bits(nats: f64) -> f64 {
    nats / LN_2
}

/// Why a distribution was rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum DivergenceError {
    /// No entries.
    Empty,
    /// `P` and `Q` have different lengths.
    LengthMismatch {
        /// Length of P.
        p: usize,
        /// Length of Q.
        q: usize,
    },
    /// A weight is negative, NaN or infinite (index given).
    BadWeight(usize),
    /// All weights are zero: there is nothing to normalise.
    AllZero,
    /// A setting out of range, described.
    BadSetting(&'static str),
    /// The argument `name` has a value outside what it needs (`need`, e.g. "finite and > 0").
    BadArgument {
        /// The argument's name, as in the function's signature.
        name: &'static str,
        /// Its value (a count is converted to `f64`).
        value: f64,
        /// What it must be.
        need: &'static str,
    },
}

impl fmt::Display for DivergenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DivergenceError::Empty => write!(f, "the distribution has no entries"),
            DivergenceError::LengthMismatch { p, q } => {
                write!(f, "P has {p} entries but Q has {q}")
            }
            DivergenceError::BadWeight(i) => {
                write!(f, "entry {} is negative or not a finite number", i + 1)
            }
            DivergenceError::AllZero => write!(f, "all entries are zero: nothing to normalise"),
            DivergenceError::BadSetting(s) => write!(f, "bad setting: {s}"),
            DivergenceError::BadArgument { name, value, need } => {
                write!(f, "{name} = {value}: it must be {need}")
            }
        }
    }
}

impl std::error::Error for DivergenceError {}

/// Normalises non-negative weights to sum 1. All-zero input is [`DivergenceError::AllZero`]
/// (not NaN); a negative or non-finite weight is [`DivergenceError::BadWeight`].
pub fn normalize(w: &[f64]) -> Result<Vec<f64>, DivergenceError> {
    if w.is_empty() {
        return Err(DivergenceError::Empty);
    }
    if let Some(i) = w.iter().position(|v| !v.is_finite() || *v < 0.0) {
        return Err(DivergenceError::BadWeight(i));
    }
    let s: f64 = w.iter().sum();
    if s <= 0.0 || !s.is_finite() {
        return Err(DivergenceError::AllZero);
    }
    Ok(w.iter().map(|v| v / s).collect())
}

/// One term `p ln(p/q)` in nats with the limits `0 ln(0/q) = 0` (also for `q = 0`) and
/// `p ln(p/0) = +∞` for `p > 0`.
pub fn kl_term(p: f64, q: f64) -> f64 {
    if p <= 0.0 {
        0.0
    } else if q <= 0.0 {
        f64::INFINITY
    } else {
        p * (p / q).ln()
    }
}

fn pair(p: &[f64], q: &[f64]) -> Result<(Vec<f64>, Vec<f64>), DivergenceError> {
    if p.len() != q.len() {
        return Err(DivergenceError::LengthMismatch { p: p.len(), q: q.len() });
    }
    Ok((normalize(p)?, normalize(q)?))
}

/// The terms `p_i ln(p_i/q_i)` of `D_KL(P‖Q)` after normalising both (the integrand of the
/// discrete case; an entry is `+∞` where `p_i > 0 = q_i`).
pub fn kl_terms(p: &[f64], q: &[f64]) -> Result<Vec<f64>, DivergenceError> {
    let (p, q) = pair(p, q)?;
    Ok(p.iter().zip(&q).map(|(&a, &b)| kl_term(a, b)).collect())
}

/// `D_KL(P‖Q)` in nats of two histograms (each normalised first, like
/// `scipy.stats.entropy(p, q)`); `+∞` when some `p_i > 0` has `q_i = 0`.
pub fn kl(p: &[f64], q: &[f64]) -> Result<f64, DivergenceError> {
    let t = kl_terms(p, q)?;
    // Sum the finite terms; any +∞ term makes the sum +∞ (no −∞ terms exist: p ≥ 0).
    Ok(t.iter().sum::<f64>().max(0.0))
}

/// `M = (P + Q)/2` of the normalised histograms.
pub fn mixture_m(p: &[f64], q: &[f64]) -> Result<Vec<f64>, DivergenceError> {
    let (p, q) = pair(p, q)?;
    Ok(p.iter().zip(&q).map(|(a, b)| 0.5 * (a + b)).collect())
}

/// `D_JS(P, Q) = ½ D_KL(P‖M) + ½ D_KL(Q‖M)` in nats; always finite, `0 ≤ JS ≤ ln 2`.
/// (`scipy.spatial.distance.jensenshannon` returns `√JS`.)
pub fn js(p: &[f64], q: &[f64]) -> Result<f64, DivergenceError> {
    let (p, q) = pair(p, q)?;
    let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| 0.5 * (a + b)).collect();
    let half = |x: &[f64]| x.iter().zip(&m).map(|(&a, &b)| kl_term(a, b)).sum::<f64>();
    // Each term is finite since m_i ≥ x_i/2; rounding can push the sum a hair past the bounds.
    Ok((0.5 * half(&p) + 0.5 * half(&q)).clamp(0.0, LN_2))
}

/// All three divergences of a pair of histograms, in nats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Divergences {
    /// `D_KL(P‖Q)` (may be `+∞`).
    pub kl_pq: f64,
    /// `D_KL(Q‖P)` (may be `+∞`).
    pub kl_qp: f64,
    /// `D_JS(P, Q)` (finite, ≤ ln 2).
    pub js: f64,
}

/// `D_KL(P‖Q)`, `D_KL(Q‖P)` and `D_JS` of two histograms.
pub fn divergences(p: &[f64], q: &[f64]) -> Result<Divergences, DivergenceError> {
    Ok(Divergences { kl_pq: kl(p, q)?, kl_qp: kl(q, p)?, js: js(p, q)? })
}

// ---- continuous densities --------------------------------------------------------------

/// A univariate Gaussian `N(μ, σ²)` with a finite mean and a finite `σ > 0` (the fields are
/// private: [`Gaussian::new`] is the only way to build one, so every density and closed form
/// below is finite).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gaussian {
    mu: f64,
    sigma: f64,
}

impl Gaussian {
    /// `N(mean, std²)`; `mean` must be finite, `std` finite and > 0 (the error names the
    /// argument).
    pub fn new(mean: f64, std: f64) -> Result<Self, DivergenceError> {
        if !mean.is_finite() {
            return Err(DivergenceError::BadArgument { name: "mean", value: mean, need: "finite" });
        }
        if !(std.is_finite() && std > 0.0) {
            return Err(DivergenceError::BadArgument {
                name: "std",
                value: std,
                need: "finite and > 0",
            });
        }
        Ok(Gaussian { mu: mean, sigma: std })
    }

    /// The standard normal `N(0, 1)`.
    pub const STANDARD: Gaussian = Gaussian { mu: 0.0, sigma: 1.0 };

    /// The mean μ.
    pub fn mean(&self) -> f64 {
        self.mu
    }

    /// The standard deviation σ (> 0).
    pub fn std(&self) -> f64 {
        self.sigma
    }

    /// `ln N(x; μ, σ²) = −½((x − μ)/σ)² − ln σ − ½ ln 2π`.
    pub fn log_pdf(&self, x: f64) -> f64 {
        let z = (x - self.mu) / self.sigma;
        -0.5 * z * z - self.sigma.ln() - 0.5 * (2.0 * PI).ln()
    }

    /// The density.
    pub fn pdf(&self, x: f64) -> f64 {
        self.log_pdf(x).exp()
    }
}

/// A mixture of Gaussians `Σ_k w_k N(μ_k, σ_k²)` with weights normalised to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixture {
    weights: Vec<f64>,
    comps: Vec<Gaussian>,
}

impl Mixture {
    /// A mixture of `(weight, component)` pairs (weights ≥ 0, not all 0; normalised here).
    pub fn new(parts: &[(f64, Gaussian)]) -> Result<Self, DivergenceError> {
        let w: Vec<f64> = parts.iter().map(|p| p.0).collect();
        let weights = normalize(&w)?;
        Ok(Mixture { weights, comps: parts.iter().map(|p| p.1).collect() })
    }

    /// A single Gaussian as a mixture.
    pub fn single(g: Gaussian) -> Self {
        Mixture { weights: vec![1.0], comps: vec![g] }
    }

    /// The normalised weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The components.
    pub fn components(&self) -> &[Gaussian] {
        &self.comps
    }

    /// `ln p(x) = logsumexp_k(ln w_k + ln N_k(x))` (finite everywhere: no underflow to ln 0).
    pub fn log_pdf(&self, x: f64) -> f64 {
        let term = |(w, g): (&f64, &Gaussian)| {
            if *w > 0.0 {
                w.ln() + g.log_pdf(x)
            } else {
                f64::NEG_INFINITY
            }
        };
        let parts = || self.weights.iter().zip(&self.comps).map(term);
        let m = parts().fold(f64::NEG_INFINITY, f64::max);
        if m == f64::NEG_INFINITY {
            return m;
        }
        m + parts().map(|t| (t - m).exp()).sum::<f64>().ln()
    }

    /// The density.
    pub fn pdf(&self, x: f64) -> f64 {
        self.log_pdf(x).exp()
    }

    /// The mean `Σ w_k μ_k`.
    pub fn mean(&self) -> f64 {
        self.weights.iter().zip(&self.comps).map(|(w, g)| w * g.mu).sum()
    }

    /// The variance `Σ w_k (σ_k² + μ_k²) − mean²`.
    pub fn variance(&self) -> f64 {
        let m = self.mean();
        let s2: f64 = self
            .weights
            .iter()
            .zip(&self.comps)
            .map(|(w, g)| w * (g.sigma.powi(2) + g.mu.powi(2)))
            .sum();
        (s2 - m * m).max(0.0)
    }

    /// One sample: a component by its weight, then `μ + σ ε`, `ε ~ N(0, 1)`.
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        let u = f64::from(rng.uniform());
        let mut acc = 0.0;
        let mut pick = self.comps.len().saturating_sub(1);
        for (k, w) in self.weights.iter().enumerate() {
            acc += w;
            if u < acc {
                pick = k;
                break;
            }
        }
        let g = self.comps.get(pick).copied().unwrap_or(Gaussian::STANDARD);
        g.mu + g.sigma * f64::from(rng.normal())
    }
}

/// A uniform grid `x_i = a + i h`, `i = 0 … n−1`, `h = (b − a)/(n − 1)`, `n` odd (Simpson).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// Left end a.
    pub a: f64,
    /// Right end b.
    pub b: f64,
    /// Number of points (odd, ≥ 3).
    pub n: usize,
}

impl Grid {
    /// A grid over `[a, b]` with `n` points; an even `n` is raised by one (Simpson needs an
    /// even number of intervals).
    pub fn new(a: f64, b: f64, n: usize) -> Result<Self, DivergenceError> {
        if !a.is_finite() {
            return Err(DivergenceError::BadArgument { name: "a", value: a, need: "finite" });
        }
        if !(b.is_finite() && b > a) {
            return Err(DivergenceError::BadArgument {
                name: "b",
                value: b,
                need: "finite and > a",
            });
        }
        if n < 3 {
            return Err(DivergenceError::BadArgument { name: "n", value: n as f64, need: "≥ 3" });
        }
        Ok(Grid { a, b, n: n | 1 })
    }

    /// The spacing h.
    pub fn step(&self) -> f64 {
        (self.b - self.a) / (self.n - 1) as f64
    }

    /// The points.
    pub fn xs(&self) -> Vec<f64> {
        let h = self.step();
        (0..self.n).map(|i| self.a + i as f64 * h).collect()
    }

    /// The composite Simpson weights `h/3 · (1, 4, 2, 4, …, 2, 4, 1)`.
    pub fn simpson_weights(&self) -> Vec<f64> {
        let h = self.step();
        (0..self.n)
            .map(|i| {
                let c = if i == 0 || i == self.n - 1 {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                c * h / 3.0
            })
            .collect()
    }
}

/// `∫ f dx ≈ Σ_i w_i f(x_i)` by the composite Simpson rule on `grid` (`values.len()` must be
/// `grid.n`). Error `−(b − a) h⁴ f⁗(ξ)/180`.
pub fn simpson(grid: &Grid, values: &[f64]) -> Result<f64, DivergenceError> {
    if values.len() != grid.n {
        return Err(DivergenceError::LengthMismatch { p: values.len(), q: grid.n });
    }
    Ok(grid.simpson_weights().iter().zip(values).map(|(w, v)| w * v).sum())
}

/// The KL integrand `p(x)(ln p(x) − ln q(x))` at each grid point (can be negative where
/// `q > p`; it integrates to `D_KL(P‖Q) ≥ 0`).
pub fn kl_integrand(p: &Mixture, q: &Mixture, xs: &[f64]) -> Vec<f64> {
    xs.iter()
        .map(|&x| {
            let lp = p.log_pdf(x);
            lp.exp() * (lp - q.log_pdf(x))
        })
        .collect()
}

/// `D_KL(P‖Q)` in nats by Simpson on `grid` (mass outside the grid is ignored).
pub fn kl_numeric(p: &Mixture, q: &Mixture, grid: &Grid) -> Result<f64, DivergenceError> {
    simpson(grid, &kl_integrand(p, q, &grid.xs()))
}

/// The two JS integrands `½ p ln(p/m)` and `½ q ln(q/m)`, `m = (p + q)/2`, at each point.
pub fn js_integrands(p: &Mixture, q: &Mixture, xs: &[f64]) -> (Vec<f64>, Vec<f64>) {
    xs.iter()
        .map(|&x| {
            let (lp, lq) = (p.log_pdf(x), q.log_pdf(x));
            // ln m = ln ½ + logsumexp(lp, lq)
            let hi = lp.max(lq);
            let lm = if hi == f64::NEG_INFINITY {
                hi
            } else {
                hi + ((lp - hi).exp() + (lq - hi).exp()).ln() - LN_2
            };
            let term = |l: f64| if l == f64::NEG_INFINITY { 0.0 } else { 0.5 * l.exp() * (l - lm) };
            (term(lp), term(lq))
        })
        .unzip()
}

/// `D_JS(P, Q)` in nats by Simpson on `grid`, clamped to `[0, ln 2]`.
pub fn js_numeric(p: &Mixture, q: &Mixture, grid: &Grid) -> Result<f64, DivergenceError> {
    let (a, b) = js_integrands(p, q, &grid.xs());
    Ok((simpson(grid, &a)? + simpson(grid, &b)?).clamp(0.0, LN_2))
}

/// Closed form `D_KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = ln(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½`.
pub fn kl_gaussian(p: Gaussian, q: Gaussian) -> f64 {
    (q.sigma / p.sigma).ln() + (p.sigma.powi(2) + (p.mu - q.mu).powi(2)) / (2.0 * q.sigma.powi(2))
        - 0.5
}

/// One latent dimension's KL term `D_KL(N(μ, e^{lv}) ‖ N(0, 1)) = −½(1 + lv − μ² − e^{lv})`
/// (≥ 0; `+∞` for `lv = +∞`). The `f32` helpers of the VAE (`core::vae::kl_normal`) delegate
/// here.
pub fn kl_vae_term(mu: f64, logvar: f64) -> f64 {
    // e^{lv} − 1 − lv by exp_m1, so that lv ≈ 0 (σ ≈ 1) loses no digits to cancellation.
    0.5 * (mu * mu + (logvar.exp_m1() - logvar))
}

/// The VAE's KL term `D_KL(N(μ, diag σ²) ‖ N(0, I)) = −½ Σ_j (1 + ln σ_j² − μ_j² − σ_j²)`
/// from `μ` and `ln σ²` per latent dimension (the same closed form as [`kl_gaussian`] with
/// `q = N(0, 1)`, summed: [`kl_vae_term`] per dimension). Lengths must match and be ≥ 1 (a
/// latent space with no dimension is an error, not `0`).
pub fn kl_vae(mu: &[f64], logvar: &[f64]) -> Result<f64, DivergenceError> {
    if mu.len() != logvar.len() {
        return Err(DivergenceError::LengthMismatch { p: mu.len(), q: logvar.len() });
    }
    if mu.is_empty() {
        return Err(DivergenceError::Empty);
    }
    Ok(mu.iter().zip(logvar).map(|(&m, &lv)| kl_vae_term(m, lv)).sum())
}

/// A Monte Carlo estimate's summary over repeats.
#[derive(Debug, Clone, PartialEq)]
pub struct McEstimate {
    /// The estimate of each repeat.
    pub estimates: Vec<f64>,
    /// Their mean.
    pub mean: f64,
    /// Their standard deviation (population; 0 for one repeat).
    pub std: f64,
}

/// One estimate `(1/n) Σ_k (ln p(x_k) − ln q(x_k))`, `x_k ~ P`, from `rng`.
pub fn kl_monte_carlo_once(p: &Mixture, q: &Mixture, n: usize, rng: &mut Rng) -> f64 {
    let mut s = 0.0;
    for _ in 0..n {
        let x = p.sample(rng);
        s += p.log_pdf(x) - q.log_pdf(x);
    }
    s / n.max(1) as f64
}

/// `repeats` independent Monte Carlo estimates of `D_KL(P‖Q)` with `n` samples each, repeat
/// `r` drawn from `Rng::new(seed + r)`; their mean and spread.
pub fn kl_monte_carlo(
    p: &Mixture,
    q: &Mixture,
    n: usize,
    repeats: usize,
    seed: u64,
) -> Result<McEstimate, DivergenceError> {
    if n == 0 {
        return Err(DivergenceError::BadArgument { name: "n", value: 0.0, need: "≥ 1" });
    }
    if repeats == 0 {
        return Err(DivergenceError::BadArgument { name: "repeats", value: 0.0, need: "≥ 1" });
    }
    let estimates: Vec<f64> = (0..repeats)
        .map(|r| kl_monte_carlo_once(p, q, n, &mut Rng::new(seed.wrapping_add(r as u64))))
        .collect();
    let mean = estimates.iter().sum::<f64>() / repeats as f64;
    let var = estimates.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / repeats as f64;
    Ok(McEstimate { estimates, mean, std: var.sqrt() })
}

// ---- fitting a Gaussian by forward or reverse KL ----------------------------------------

/// Which KL a fit minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `D_KL(P‖q)`: mode-covering (q spreads over every mode of P).
    Forward,
    /// `D_KL(q‖P)`: mode-seeking (q avoids regions where P is small).
    Reverse,
}

/// The grid objective and its gradient with respect to `(m, ln s)` for `q = N(m, s²)`.
///
/// With Simpson weights `w_i`, `q_i = q(x_i)`, scores `∂ln q/∂m = (x − m)/s²`,
/// `∂ln q/∂ln s = (x − m)²/s² − 1`:
/// * forward `F = Σ w_i p_i (ln p_i − ln q_i)`, `∂F/∂θ = −Σ w_i p_i ∂_θ ln q_i`;
/// * reverse `R = Σ w_i q_i (ln q_i − ln p_i)`, `∂R/∂θ = Σ w_i q_i ∂_θ ln q_i (ln q_i − ln p_i + 1)`.
///
/// Returns `(objective, [∂/∂m, ∂/∂ln s])`.
pub fn fit_objective(
    p: &Mixture,
    grid: &Grid,
    dir: Direction,
    m: f64,
    log_s: f64,
) -> (f64, [f64; 2]) {
    let s = log_s.exp();
    let q = Gaussian { mu: m, sigma: s };
    let w = grid.simpson_weights();
    let (mut f, mut gm, mut gs) = (0.0, 0.0, 0.0);
    for (x, wi) in grid.xs().into_iter().zip(w) {
        let lp = p.log_pdf(x);
        let lq = q.log_pdf(x);
        let z = (x - m) / s;
        let (dm, ds) = (z / s, z * z - 1.0);
        match dir {
            Direction::Forward => {
                let pi = lp.exp();
                f += wi * pi * (lp - lq);
                gm -= wi * pi * dm;
                gs -= wi * pi * ds;
            }
            Direction::Reverse => {
                let qi = lq.exp();
                let c = lq - lp;
                f += wi * qi * c;
                gm += wi * qi * dm * (c + 1.0);
                gs += wi * qi * ds * (c + 1.0);
            }
        }
    }
    (f, [gm, gs])
}

/// A Gaussian being fitted to P by one direction of KL.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussFit {
    /// The direction minimised.
    pub dir: Direction,
    /// Current mean m.
    pub m: f64,
    /// Current `ln s`.
    pub log_s: f64,
    /// The objective at the current parameters (after the last step).
    pub loss: f64,
    /// Size of the last update `|Δ(m, ln s)|`.
    pub last_move: f64,
    /// Steps taken.
    pub steps: u64,
}

/// Bounds of the fitted mean (keeps q on the grid).
pub const FIT_M_BOUND: f64 = 8.0;
/// Bounds of the fitted `ln s`: `s ∈ [e^−3, e^1.6] ≈ [0.05, 5]`.
pub const FIT_LOG_S_BOUNDS: (f64, f64) = (-3.0, 1.6);

impl GaussFit {
    /// A fit starting at `q = N(m0, s0²)`.
    pub fn new(dir: Direction, m0: f64, s0: f64) -> Result<Self, DivergenceError> {
        let g = Gaussian::new(m0, s0)?;
        Ok(GaussFit {
            dir,
            m: g.mu.clamp(-FIT_M_BOUND, FIT_M_BOUND),
            log_s: g.sigma.ln().clamp(FIT_LOG_S_BOUNDS.0, FIT_LOG_S_BOUNDS.1),
            loss: f64::NAN,
            last_move: f64::INFINITY,
            steps: 0,
        })
    }

    /// The current fit `N(m, s²)`.
    pub fn gaussian(&self) -> Gaussian {
        Gaussian { mu: self.m, sigma: self.log_s.exp() }
    }

    /// One preconditioned gradient step of size `lr`: the gradient is scaled by the inverse
    /// Fisher information of `(m, ln s)`, `diag(s², ½)` (so the step has the same meaning at
    /// every σ), each component clipped to ±1, and parameters stay within the fit bounds. If
    /// the objective would rise, the step is halved (backtracking, up to 20 times), so every
    /// step descends. Returns the objective before the step.
    pub fn step(&mut self, p: &Mixture, grid: &Grid, lr: f64) -> f64 {
        let (f, g) = fit_objective(p, grid, self.dir, self.m, self.log_s);
        let s2 = (2.0 * self.log_s).exp();
        let (m0, l0) = (self.m, self.log_s);
        let mut eta = lr;
        let mut next = (m0, l0, f);
        for _ in 0..20 {
            let dm = (-eta * s2 * g[0]).clamp(-1.0, 1.0);
            let ds = (-eta * 0.5 * g[1]).clamp(-1.0, 1.0);
            let m = (m0 + dm).clamp(-FIT_M_BOUND, FIT_M_BOUND);
            let ls = (l0 + ds).clamp(FIT_LOG_S_BOUNDS.0, FIT_LOG_S_BOUNDS.1);
            let fe = fit_objective(p, grid, self.dir, m, ls).0;
            if fe <= f {
                next = (m, ls, fe);
                break;
            }
            eta *= 0.5;
        }
        self.m = next.0;
        self.log_s = next.1;
        self.loss = next.2;
        self.last_move = ((self.m - m0).powi(2) + (self.log_s - l0).powi(2)).sqrt();
        self.steps += 1;
        f
    }
}

/// The standard bimodal target of the fitting demo: `w·N(−d/2, σ²) + (1 − w)·N(d/2, σ²)`.
pub fn bimodal(separation: f64, sigma: f64, weight: f64) -> Result<Mixture, DivergenceError> {
    let h = separation / 2.0;
    Mixture::new(&[(weight, Gaussian::new(-h, sigma)?), (1.0 - weight, Gaussian::new(h, sigma)?)])
}
