#![cfg(not(target_arch = "wasm32"))]
//! core::divergence against SciPy (`scipy.stats.entropy`, `scipy.spatial.distance.jensenshannon`
//! squared, `scipy.integrate.quad`; script and printed values in tests/reference/divergence.py),
//! hand cases (zeros, disjoint supports, all-zero input), the Gaussian closed form, Monte Carlo
//! convergence, and finite-difference checks of the KL-fitting gradients.

use dlviz::core::divergence::*;
use std::f64::consts::LN_2;

fn close(a: f64, b: f64, atol: f64, rtol: f64) -> bool {
    (a - b).abs() <= atol + rtol * b.abs()
}

macro_rules! assert_close {
    ($a:expr, $b:expr, $atol:expr, $rtol:expr) => {{
        let (a, b) = ($a, $b);
        assert!(close(a, b, $atol, $rtol), "{} = {a} vs {} = {b}", stringify!($a), stringify!($b));
    }};
}

type HistCase = (&'static [f64], &'static [f64], f64, f64, f64, f64, f64);

/// (p, q, kl_pq, kl_qp, js_nats, js_bits, kl_pq_bits) printed by divergence.py.
const HIST: &[HistCase] = &[
    (
        &[1., 3., 5., 3., 1.],
        &[2., 2., 2., 2., 2.],
        0.17055496221711441,
        0.19417894707337244,
        0.04425778894791613,
        0.06385049263586898,
        0.2460587981896355,
    ),
    (
        &[0.1, 0.2, 0.7],
        &[0.3, 0.3, 0.4],
        0.20077680106635193,
        0.22737690385871312,
        0.05191225923810343,
        0.07489355896415409,
        0.2896596952239759,
    ),
    (
        &[0., 2., 5., 1.],
        &[1., 1., 1., 1.],
        0.48603830985135377,
        f64::INFINITY,
        0.13877103385863154,
        0.20020428236688215,
        0.7012050593046015,
    ),
    (
        &[4., 0., 0., 1., 6., 2.],
        &[1., 2., 3., 4., 5., 6.],
        0.7146182992455157,
        f64::INFINITY,
        0.17631744533585048,
        0.2543723040082424,
        1.0309762764500108,
    ),
];

#[test]
fn histograms_match_scipy() {
    for &(p, q, kpq, kqp, js_n, js_b, kpq_b) in HIST {
        let d = divergences(p, q).unwrap();
        assert_close!(d.kl_pq, kpq, 1e-12, 1e-12);
        if kqp.is_infinite() {
            assert_eq!(d.kl_qp, f64::INFINITY, "{p:?} {q:?}");
        } else {
            assert_close!(d.kl_qp, kqp, 1e-12, 1e-12);
        }
        assert_close!(d.js, js_n, 1e-12, 1e-12);
        assert_close!(to_bits(d.js), js_b, 1e-12, 1e-12);
        assert_close!(to_bits(d.kl_pq), kpq_b, 1e-12, 1e-12);
        // JS is symmetric and bounded.
        assert_close!(js(q, p).unwrap(), d.js, 1e-15, 0.0);
        assert!(d.js <= JS_MAX_NATS);
    }
}

#[test]
fn zeros_and_disjoint_support() {
    // 0·log(0/q) = 0 even for q = 0; p·log(p/0) = +∞; never NaN.
    assert_eq!(kl_term(0.0, 0.0), 0.0);
    assert_eq!(kl_term(0.0, 0.5), 0.0);
    assert_eq!(kl_term(0.2, 0.0), f64::INFINITY);
    let (p, q) = ([1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]);
    let d = divergences(&p, &q).unwrap();
    assert_eq!(d.kl_pq, f64::INFINITY);
    assert_eq!(d.kl_qp, f64::INFINITY);
    assert_close!(d.js, LN_2, 1e-15, 0.0);
    assert_close!(to_bits(d.js), 1.0, 1e-15, 0.0);
    // Same support zeros on both sides: finite, and the zero bins contribute nothing.
    assert_close!(
        kl(&[0.0, 1.0, 1.0], &[0.0, 1.0, 3.0]).unwrap(),
        kl(&[1.0, 1.0], &[1.0, 3.0]).unwrap(),
        1e-15,
        0.0
    );
    // Identical distributions: 0.
    assert_eq!(kl(&[1.0, 2.0], &[2.0, 4.0]).unwrap(), 0.0);
    assert_eq!(js(&[1.0, 2.0], &[2.0, 4.0]).unwrap(), 0.0);
    // Terms: +∞ exactly where p > 0 = q.
    let t = kl_terms(&[1.0, 1.0, 0.0], &[1.0, 0.0, 1.0]).unwrap();
    assert!(t[0].is_finite() && t[1] == f64::INFINITY && t[2] == 0.0, "{t:?}");
}

#[test]
fn bad_histograms_are_errors_not_nan() {
    assert_eq!(normalize(&[0.0, 0.0]), Err(DivergenceError::AllZero));
    assert_eq!(normalize(&[]), Err(DivergenceError::Empty));
    assert_eq!(normalize(&[1.0, -1.0]), Err(DivergenceError::BadWeight(1)));
    assert_eq!(normalize(&[f64::NAN]), Err(DivergenceError::BadWeight(0)));
    assert_eq!(kl(&[0.0, 0.0], &[1.0, 1.0]), Err(DivergenceError::AllZero));
    assert_eq!(js(&[1.0], &[1.0, 2.0]), Err(DivergenceError::LengthMismatch { p: 1, q: 2 }));
    let n = normalize(&[1.0, 3.0]).unwrap();
    assert_eq!(n, vec![0.25, 0.75]);
    let m = mixture_m(&[1.0, 0.0], &[0.0, 1.0]).unwrap();
    assert_eq!(m, vec![0.5, 0.5]);
}

/// (μ₁, σ₁, μ₂, σ₂, closed form, quad) printed by divergence.py.
const GAUSS: &[(f64, f64, f64, f64, f64, f64)] = &[
    (0.0, 1.0, 0.0, 1.0, 0.0, 0.0),
    (0.0, 1.0, 1.0, 1.0, 0.5, 0.5000000000000002),
    (1.0, 0.5, -1.0, 2.0, 1.4175443611198906, 1.4175443611198908),
    (-2.0, 2.0, 1.0, 0.7, 11.715483997950304, 11.715483997950304),
    (0.3, 1.5, 0.0, 1.0, 0.26453489189183554, 0.26453489189183554),
];

#[test]
fn gaussian_closed_form_and_grid_integral_match_quad() {
    let grid = Grid::new(-30.0, 30.0, 6001).unwrap();
    for &(m1, s1, m2, s2, closed, quad) in GAUSS {
        let (p, q) = (Gaussian::new(m1, s1).unwrap(), Gaussian::new(m2, s2).unwrap());
        assert_close!(kl_gaussian(p, q), closed, 1e-14, 1e-13);
        let num = kl_numeric(&Mixture::single(p), &Mixture::single(q), &grid).unwrap();
        assert_close!(num, quad, 1e-9, 1e-9);
    }
}

#[test]
fn simpson_error_is_fourth_order() {
    // ∫_0^π sin = 2; halving h divides the error by ~16.
    let err = |n| {
        let g = Grid::new(0.0, std::f64::consts::PI, n).unwrap();
        let v: Vec<f64> = g.xs().iter().map(|x| x.sin()).collect();
        (simpson(&g, &v).unwrap() - 2.0).abs()
    };
    let (e1, e2) = (err(11), err(21));
    let ratio = e1 / e2;
    assert!((14.0..18.0).contains(&ratio), "{e1} / {e2} = {ratio}");
    // Bound −(b − a) h⁴ f⁗/180 with |f⁗| ≤ 1.
    let h = std::f64::consts::PI / 10.0;
    assert!(e1 <= std::f64::consts::PI * h.powi(4) / 180.0, "{e1}");
}

#[test]
fn mixtures_match_quad() {
    let g = |m, s| Gaussian::new(m, s).unwrap();
    let grid = Grid::new(-30.0, 30.0, 12001).unwrap();
    let p = Mixture::new(&[(0.3, g(-2.0, 0.6)), (0.7, g(1.5, 1.0))]).unwrap();
    let q = Mixture::single(g(0.0, 1.5));
    assert_close!(kl_numeric(&p, &q, &grid).unwrap(), 0.28317048693642327, 1e-9, 1e-9);
    assert_close!(kl_numeric(&q, &p, &grid).unwrap(), 0.34847326692074004, 1e-9, 1e-9);
    assert_close!(js_numeric(&p, &q, &grid).unwrap(), 0.07368738246918555, 1e-9, 1e-9);
    let p2 = Mixture::new(&[(0.5, g(-3.0, 0.5)), (0.5, g(3.0, 0.5))]).unwrap();
    let q2 = Mixture::new(&[(0.5, g(-1.0, 1.0)), (0.5, g(2.0, 0.8))]).unwrap();
    assert_close!(kl_numeric(&p2, &q2, &grid).unwrap(), 1.631611218743289, 1e-9, 1e-9);
    assert_close!(kl_numeric(&q2, &p2, &grid).unwrap(), 4.652607743304797, 1e-9, 1e-9);
    assert_close!(js_numeric(&p2, &q2, &grid).unwrap(), 0.35860853873542775, 1e-9, 1e-9);
    // Moments of a mixture.
    assert_close!(p.mean(), 0.3 * -2.0 + 0.7 * 1.5, 1e-15, 0.0);
    let var = 0.3 * (0.36 + 4.0) + 0.7 * (1.0 + 2.25) - p.mean().powi(2);
    assert_close!(p.variance(), var, 1e-14, 0.0);
    // Far tails stay finite in log space (a plain pdf would underflow to 0 → ∞ or NaN).
    let far = kl_integrand(&p2, &q2, &[-40.0, 40.0]);
    assert!(far.iter().all(|v| v.is_finite()), "{far:?}");
    // Well-separated mixtures: JS is close to but below ln 2, never above.
    let a = Mixture::single(g(-20.0, 0.5));
    let b = Mixture::single(g(20.0, 0.5));
    let j = js_numeric(&a, &b, &grid).unwrap();
    assert!(j <= LN_2 && j > LN_2 - 1e-6, "{j}");
}

#[test]
fn vae_kl_term_matches_quad_and_closed_form() {
    let mu = [0.5, -1.2, 0.0, 2.0];
    let lv = [-0.3, 0.8, 0.0, -2.0];
    let k = kl_vae(&mu, &lv).unwrap();
    assert_close!(k, 3.6458472162053988, 1e-12, 1e-12);
    let std_normal = Gaussian::new(0.0, 1.0).unwrap();
    let by_dim: f64 = mu
        .iter()
        .zip(&lv)
        .map(|(&m, &v)| kl_gaussian(Gaussian::new(m, (0.5 * v).exp()).unwrap(), std_normal))
        .sum();
    assert_close!(k, by_dim, 1e-13, 1e-13);
    assert!(kl_vae(&[0.0], &[]).is_err());
    assert_eq!(kl_vae(&[0.0, 0.0], &[0.0, 0.0]).unwrap(), 0.0);
    // No latent dimension is an error, not Ok(-0.0).
    assert_eq!(kl_vae(&[], &[]), Err(DivergenceError::Empty));
    // The VAE's f32 per-dimension term delegates to the f64 one: same value, rounded once.
    for (&m, &v) in mu.iter().zip(&lv) {
        let (m, v) = (m as f32, v as f32);
        assert_eq!(dlviz::core::vae::kl_normal(m, v), kl_vae_term(m.into(), v.into()) as f32);
    }
    // Near σ = 1 the term is ≈ lv²/4: e^{lv} − 1 − lv without cancellation (the f32 form
    // ½(μ² + e^{lv} − 1 − lv) gave 0 or a 100 % error here). Exact: ½(expm1(1e-4) − 1e-4).
    let tiny = dlviz::core::vae::kl_normal(0.0, 1e-4) as f64;
    assert_close!(tiny, 2.5000833347222e-9, 0.0, 1e-6);
}

#[test]
fn monte_carlo_converges_and_its_spread_shrinks() {
    let p = Mixture::single(Gaussian::new(1.0, 0.5).unwrap());
    let q = Mixture::single(Gaussian::new(-1.0, 2.0).unwrap());
    let exact = 1.4175443611198906;
    let small = kl_monte_carlo(&p, &q, 100, 40, 7).unwrap();
    let big = kl_monte_carlo(&p, &q, 10_000, 40, 7).unwrap();
    assert_eq!(small.estimates.len(), 40);
    // Spread ∝ 1/√n: ×100 samples → ~×10 smaller.
    let r = small.std / big.std;
    assert!((6.0..16.0).contains(&r), "{} / {} = {r}", small.std, big.std);
    // Unbiased: the mean of the repeats is within 4 standard errors.
    assert!((big.mean - exact).abs() < 4.0 * big.std / 40f64.sqrt(), "{big:?}");
    assert!((small.mean - exact).abs() < 4.0 * small.std / 40f64.sqrt(), "{small:?}");
    // Seeded: the same seed gives the same estimates.
    assert_eq!(kl_monte_carlo(&p, &q, 100, 3, 7).unwrap().estimates, small.estimates[..3]);
    assert!(kl_monte_carlo(&p, &q, 0, 3, 7).is_err());
}

#[test]
fn fitting_gradients_match_finite_differences() {
    let p = bimodal(4.0, 0.7, 0.4).unwrap();
    let grid = Grid::new(-12.0, 12.0, 2401).unwrap();
    for dir in [Direction::Forward, Direction::Reverse] {
        for &(m, ls) in &[(0.3, 0.0), (-1.5, -0.7), (2.2, 0.5)] {
            let (_, g) = fit_objective(&p, &grid, dir, m, ls);
            let e = 1e-5;
            let f = |m, ls| fit_objective(&p, &grid, dir, m, ls).0;
            let fd_m = (f(m + e, ls) - f(m - e, ls)) / (2.0 * e);
            let fd_s = (f(m, ls + e) - f(m, ls - e)) / (2.0 * e);
            assert_close!(g[0], fd_m, 1e-7, 1e-6);
            assert_close!(g[1], fd_s, 1e-7, 1e-6);
        }
    }
}

#[test]
fn forward_covers_modes_reverse_seeks_one() {
    let p = bimodal(5.0, 0.6, 0.5).unwrap();
    let grid = Grid::new(-12.0, 12.0, 1601).unwrap();
    let mut fwd = GaussFit::new(Direction::Forward, 0.5, 1.0).unwrap();
    let mut rev = GaussFit::new(Direction::Reverse, 0.5, 1.0).unwrap();
    let mut prev = (f64::INFINITY, f64::INFINITY);
    for _ in 0..400 {
        let a = fwd.step(&p, &grid, 0.3);
        let b = rev.step(&p, &grid, 0.3);
        // Descent: the objective never increases by more than rounding.
        assert!(a <= prev.0 + 1e-9 && b <= prev.1 + 1e-9, "{a} {b} {prev:?}");
        prev = (a, b);
    }
    // Forward KL's optimum matches P's moments: mean 0, variance σ² + (d/2)² = 0.36 + 6.25.
    assert_close!(fwd.m, p.mean(), 1e-3, 0.0);
    assert_close!(fwd.gaussian().std(), p.variance().sqrt(), 1e-3, 1e-3);
    // Reverse KL picks the mode on the side it started (m0 = 0.5 > 0): near +2.5, σ ≈ 0.6.
    assert!((rev.m - 2.5).abs() < 0.05, "{rev:?}");
    assert!((rev.gaussian().std() - 0.6).abs() < 0.05, "{rev:?}");
    // The reverse fit's loss is about ln 2: q sits on one of two equal, well-separated modes
    // (q ≈ one component, P ≈ ½ of it there, so ln(q/P) ≈ ln 2).
    assert!((rev.loss - LN_2).abs() < 0.02, "{}", rev.loss);
    assert!(fwd.last_move < 1e-6 && rev.last_move < 1e-6, "{fwd:?} {rev:?}");
}

#[test]
fn bad_settings_are_errors() {
    // Each error names the argument that was wrong.
    let named = |r: Result<Gaussian, DivergenceError>, name: &str| {
        let e = r.unwrap_err();
        assert!(matches!(e, DivergenceError::BadArgument { name: n, .. } if n == name), "{e:?}");
        assert!(e.to_string().starts_with(name), "{e}");
    };
    named(Gaussian::new(0.0, 0.0), "std");
    named(Gaussian::new(0.0, -1.0), "std");
    named(Gaussian::new(0.0, f64::INFINITY), "std");
    named(Gaussian::new(0.0, f64::NAN), "std");
    named(Gaussian::new(f64::NAN, 1.0), "mean");
    let g = Gaussian::new(0.5, 2.0).unwrap();
    assert_eq!((g.mean(), g.std()), (0.5, 2.0));
    assert_eq!(Gaussian::STANDARD, Gaussian::new(0.0, 1.0).unwrap());
    // With σ > 0 guaranteed by construction the closed form is always finite.
    assert!(kl_gaussian(g, Gaussian::STANDARD).is_finite());
    let arg = |e: DivergenceError| match e {
        DivergenceError::BadArgument { name, .. } => name,
        other => panic!("{other:?}"),
    };
    assert_eq!(arg(Grid::new(1.0, 1.0, 10).unwrap_err()), "b");
    assert_eq!(arg(Grid::new(f64::NAN, 1.0, 10).unwrap_err()), "a");
    assert_eq!(arg(Grid::new(0.0, 1.0, 2).unwrap_err()), "n");
    let p = Mixture::single(g);
    assert_eq!(arg(kl_monte_carlo(&p, &p, 0, 3, 1).unwrap_err()), "n");
    assert_eq!(arg(kl_monte_carlo(&p, &p, 10, 0, 1).unwrap_err()), "repeats");
    assert_eq!(Grid::new(0.0, 1.0, 10).unwrap().n, 11);
    assert!(Mixture::new(&[(0.0, Gaussian::new(0.0, 1.0).unwrap())]).is_err());
    assert!(bimodal(2.0, -1.0, 0.5).is_err());
}

#[test]
fn lesson_fit_settings_converge_in_a_few_hundred_steps() {
    // The lesson's defaults (lessons::divergence: FIT_LR = 0.08, FIT_GRID = [−12, 12] × 961,
    // FIT_TOL = 1e-6, start N(0.5, 1), target bimodal(5, 0.6, 0.5)): the loop stops by itself.
    let p = bimodal(5.0, 0.6, 0.5).unwrap();
    let grid = Grid::new(-12.0, 12.0, 961).unwrap();
    let mut fits = [
        GaussFit::new(Direction::Forward, 0.5, 1.0).unwrap(),
        GaussFit::new(Direction::Reverse, 0.5, 1.0).unwrap(),
    ];
    let mut steps = 0;
    while fits.iter().any(|f| f.last_move >= 1e-6) && steps < 2000 {
        for f in &mut fits {
            f.step(&p, &grid, 0.08);
        }
        steps += 1;
    }
    println!("lesson fits converge in {steps} steps: {fits:?}");
    assert!((20..600).contains(&steps), "{steps}");
    assert!(
        fits[0].m.abs() < 1e-3 && (fits[0].gaussian().std() - p.variance().sqrt()).abs() < 1e-3
    );
    assert!((fits[1].m - 2.5).abs() < 0.01 && (fits[1].gaussian().std() - 0.6).abs() < 0.01);
}
