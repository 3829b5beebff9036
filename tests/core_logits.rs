#![cfg(not(target_arch = "wasm32"))]
//! `core::logits` against SciPy (`tests/reference/logits_reference.py`, values embedded in
//! `tests/reference/logits_cases.rs`), hand-computed cases, finite differences, and the
//! behaviour at ±1e4 logits (stable forms finite, naive forms overflowing as documented).

use dlviz::core::logits::*;

// Generated values: ln 2 appears as a literal because it is what SciPy printed.
#[allow(dead_code, clippy::approx_constant)]
mod reference {
    include!("reference/logits_cases.rs");
}
use reference::*;

/// `|got − want| ≤ atol + rtol·|want|` element-wise.
fn close(got: &[f32], want: &[f64], atol: f64, rtol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (g as f64 - w).abs();
        assert!(err <= atol + rtol * w.abs(), "{what}[{i}]: got {g}, want {w} (err {err:e})");
    }
}

fn f32s(x: &[f64]) -> Vec<f32> {
    x.iter().map(|&v| v as f32).collect()
}

struct Case {
    z: &'static [f64],
    lse: f64,
    sm: &'static [f64],
    sm_t05: &'static [f64],
    sm_t3: &'static [f64],
    lsm: &'static [f64],
    ce: &'static [f64],
    h: f64,
}

const CASES: &[Case] = &[
    Case {
        z: Z1,
        lse: Z1_LSE,
        sm: Z1_SOFTMAX,
        sm_t05: Z1_SOFTMAX_T0_5,
        sm_t3: Z1_SOFTMAX_T3,
        lsm: Z1_LOG_SOFTMAX,
        ce: Z1_CE,
        h: Z1_ENTROPY,
    },
    Case {
        z: Z2,
        lse: Z2_LSE,
        sm: Z2_SOFTMAX,
        sm_t05: Z2_SOFTMAX_T0_5,
        sm_t3: Z2_SOFTMAX_T3,
        lsm: Z2_LOG_SOFTMAX,
        ce: Z2_CE,
        h: Z2_ENTROPY,
    },
    Case {
        z: Z3,
        lse: Z3_LSE,
        sm: Z3_SOFTMAX,
        sm_t05: Z3_SOFTMAX_T0_5,
        sm_t3: Z3_SOFTMAX_T3,
        lsm: Z3_LOG_SOFTMAX,
        ce: Z3_CE,
        h: Z3_ENTROPY,
    },
];

const ATOL: f64 = 1e-6;
const RTOL: f64 = 1e-5;

#[test]
fn matches_scipy() {
    for (k, c) in CASES.iter().enumerate() {
        let z = f32s(c.z);
        close(&[logsumexp(&z)], &[c.lse], ATOL, RTOL, &format!("lse {k}"));
        close(&softmax(&z, 1.0).unwrap(), c.sm, ATOL, RTOL, &format!("softmax {k}"));
        close(&softmax(&z, 0.5).unwrap(), c.sm_t05, ATOL, RTOL, &format!("softmax T=.5 {k}"));
        close(&softmax(&z, 3.0).unwrap(), c.sm_t3, ATOL, RTOL, &format!("softmax T=3 {k}"));
        close(&log_softmax(&z, 1.0).unwrap(), c.lsm, ATOL, RTOL, &format!("log_softmax {k}"));
        let ce: Vec<f32> = (0..z.len()).map(|t| cross_entropy(&z, t).unwrap()).collect();
        close(&ce, c.ce, ATOL, RTOL, &format!("cross-entropy {k}"));
        let p = softmax(&z, 1.0).unwrap();
        close(&[entropy(&p).unwrap()], &[c.h], ATOL, RTOL, &format!("entropy {k}"));
        // The naive softmax agrees where nothing overflows.
        close(&naive_softmax(&z, 1.0).unwrap(), c.sm, ATOL, RTOL, &format!("naive {k}"));
    }
}

#[test]
fn rows_match_single_softmax() {
    let z: Vec<f32> = f32s(Z1).into_iter().chain(f32s(Z1).into_iter().map(|v| v * 2.0)).collect();
    let mut out = vec![0.0; 8];
    softmax_rows_into(&z, 4, 1.0, &mut out).unwrap();
    assert_eq!(&out[..4], softmax(&z[..4], 1.0).unwrap().as_slice());
    assert_eq!(&out[4..], softmax(&z[4..], 1.0).unwrap().as_slice());
}

#[test]
fn sigmoid_softplus_bce_match_scipy() {
    let xs = f32s(XS);
    let sig: Vec<f32> = xs.iter().map(|&x| sigmoid(x)).collect();
    close(&sig, SIGMOID, 1e-30, 1e-6, "sigmoid");
    let sp: Vec<f32> = xs.iter().map(|&x| softplus(x)).collect();
    close(&sp, SOFTPLUS, 1e-30, 1e-6, "softplus");
    for (y, want) in [(0.0f32, BCE_Y0), (1.0, BCE_Y1), (0.3, BCE_Y0_3)] {
        let got: Vec<f32> = xs.iter().map(|&x| bce_with_logits(x, y)).collect();
        // `softplus(x) − y·x` cancels for large |x|; 1e-5 absolute is f32 rounding of 100.
        close(&got, want, 1e-30, 2e-6, &format!("bce y={y}"));
    }
}

#[test]
fn hand_computed() {
    // Two equal logits: p = (1/2, 1/2), lse = z + ln 2, CE = ln 2, H = ln 2.
    let z = [3.0f32, 3.0];
    assert_eq!(softmax(&z, 1.0).unwrap(), vec![0.5, 0.5]);
    assert!((logsumexp(&z) - (3.0 + 2f32.ln())).abs() < 1e-6);
    assert!((cross_entropy(&z, 0).unwrap() - 2f32.ln()).abs() < 1e-6);
    assert!((entropy(&[0.5, 0.5]).unwrap() - 2f32.ln()).abs() < 1e-6);
    assert_eq!(entropy(&[1.0, 0.0, 0.0]), Ok(0.0));
    // z = (0, ln 3): p = (1/4, 3/4).
    let p = softmax(&[0.0, 3f32.ln()], 1.0).unwrap();
    assert!((p[0] - 0.25).abs() < 1e-6 && (p[1] - 0.75).abs() < 1e-6);
    // Gradient p − onehot: (1/4 − 1, 3/4) for target 0.
    let g = cross_entropy_grad(&[0.0, 3f32.ln()], 0).unwrap();
    assert!((g[0] + 0.75).abs() < 1e-6 && (g[1] - 0.75).abs() < 1e-6);
    // sigmoid(0) = 1/2, softplus(0) = ln 2, BCE(0, y) = ln 2 for any y.
    assert_eq!(sigmoid(0.0), 0.5);
    assert!((softplus(0.0) - 2f32.ln()).abs() < 1e-7);
    assert!((bce_with_logits(0.0, 0.7) - 2f32.ln()).abs() < 1e-7);
    // Shift invariance: softmax(z) = softmax(z − c).
    let a = softmax(&[1.0, 2.0, 3.0], 1.0).unwrap();
    let b = softmax(&[101.0, 102.0, 103.0], 1.0).unwrap();
    close(&a, &b.iter().map(|&v| v as f64).collect::<Vec<_>>(), 1e-6, 0.0, "shift");
    // Temperature: T → small is near one-hot, T large near uniform.
    let cold = softmax(&[1.0, 2.0, 3.0], 0.01).unwrap();
    assert!(cold[2] > 0.999_999);
    let hot = softmax(&[1.0, 2.0, 3.0], 1e4).unwrap();
    assert!(hot.iter().all(|&v| (v - 1.0 / 3.0).abs() < 1e-3));
}

#[test]
fn gradient_matches_finite_differences() {
    let z = [0.3f64, -1.2, 2.0, 0.7];
    for t in 0..z.len() {
        let zf: Vec<f32> = z.iter().map(|&v| v as f32).collect();
        let g = cross_entropy_grad(&zf, t).unwrap();
        for (i, &gi) in g.iter().enumerate() {
            // Central difference of CE in f64 (the same formula lse(z) − z_t, exactly).
            let ce = |d: f64| {
                let zz: Vec<f64> =
                    z.iter().enumerate().map(|(j, &v)| if j == i { v + d } else { v }).collect();
                let m = zz.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                m + zz.iter().map(|v| (v - m).exp()).sum::<f64>().ln() - zz[t]
            };
            let h = 1e-6;
            let fd = (ce(h) - ce(-h)) / (2.0 * h);
            assert!((gi as f64 - fd).abs() < 1e-5, "t={t} i={i}: {gi} vs {fd}");
        }
        assert!(g.iter().sum::<f32>().abs() < 1e-6);
    }
}

#[test]
fn extreme_logits_stable_vs_naive() {
    let big = [1e4f32, 0.0, -1e4];
    // Stable: exact one-hot, finite lse / CE.
    assert_eq!(softmax(&big, 1.0).unwrap(), vec![1.0, 0.0, 0.0]);
    assert_eq!(logsumexp(&big), 1e4);
    assert_eq!(cross_entropy(&big, 0).unwrap(), 0.0);
    assert_eq!(cross_entropy(&big, 2).unwrap(), 2e4);
    let ls = log_softmax(&big, 1.0).unwrap();
    assert_eq!(ls, vec![0.0, -1e4, -2e4]);
    // Naive: e^{1e4} = inf, inf/inf = NaN.
    let n = naive_softmax(&big, 1.0).unwrap();
    assert!(n[0].is_nan(), "{n:?}");
    // All very negative: naive gives 0/0 = NaN, stable gives the uniform distribution.
    let neg = [-1e4f32, -1e4];
    assert!(naive_softmax(&neg, 1.0).unwrap().iter().all(|v| v.is_nan()));
    assert_eq!(softmax(&neg, 1.0).unwrap(), vec![0.5, 0.5]);
    // The naive form breaks just past ln(f32::MAX) ≈ 88.72.
    assert!(naive_softmax(&[88.0, 0.0], 1.0).unwrap()[0].is_finite());
    assert!(naive_softmax(&[89.0, 0.0], 1.0).unwrap()[0].is_nan());
    // Sigmoid stable at both ends, never NaN.
    assert_eq!(sigmoid(1e4), 1.0);
    assert_eq!(sigmoid(-1e4), 0.0);
    assert_eq!(softplus(1e4), 1e4);
    assert_eq!(softplus(-1e4), 0.0);
    // BCE with logits: exact linear growth; naive: log(0) -> inf.
    assert_eq!(bce_with_logits(1e4, 0.0), 1e4);
    assert_eq!(bce_with_logits(-1e4, 1.0), 1e4);
    assert_eq!(bce_with_logits(1e4, 1.0), 0.0);
    assert_eq!(naive_bce(1e4, 0.0), f32::INFINITY);
    assert_eq!(naive_bce(-1e4, 1.0), f32::INFINITY);
    // Where the naive BCE first breaks (target 0): σ(x) rounds to 1 in f32 near x ≈ 16.6.
    assert!(naive_bce(15.0, 0.0).is_finite());
    assert_eq!(naive_bce(17.0, 0.0), f32::INFINITY);
    // ... while the stable one is ≈ x there.
    assert!((bce_with_logits(17.0, 0.0) - 17.0).abs() < 1e-5);
}

// ---- large logits: |z|/T up to 1e4 against exact values -------------------------------------

mod large {
    include!("reference/logits_large_cases.rs");
}

/// Relative tolerance for every large-logit comparison: `|got − want| ≤ atol + LARGE_RTOL·|want|`.
const LARGE_RTOL: f64 = 1e-5;
/// Absolute floor for values that are themselves at f32's bottom (probabilities below 1e-30,
/// flushed to 0 by `core::fastexp` under e^{−87.3}).
const LARGE_ATOL: f64 = 1e-30;
/// The gradient `p − onehot(t)` is an f32 difference with 1: its resolution there is 2^−24.
const GRAD_ATOL: f64 = 1.2e-7;

/// The worst errors of a batch of comparisons, printed by `large_logits_match_exact`.
#[derive(Default)]
struct Worst {
    abs: f64,
    /// The largest absolute error where `|want| ≤ 10` (f32's own resolution there is ≤ 1e-6).
    abs10: f64,
    rel: f64,
    /// The largest `|err| / (atol + rtol·|want|)`: ≤ 1 passes.
    ratio: f64,
    at: String,
}

impl Worst {
    fn add(&mut self, got: &[f32], want: &[f64], atol: f64, what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            let err = (g as f64 - w).abs();
            let err = if err.is_nan() { f64::INFINITY } else { err };
            self.abs = self.abs.max(err);
            if w.abs() <= 10.0 {
                self.abs10 = self.abs10.max(err);
            }
            if w.abs() > 1e-30 {
                self.rel = self.rel.max(err / w.abs());
            }
            let r = err / (atol + LARGE_RTOL * w.abs());
            if r > self.ratio {
                self.ratio = r;
                self.at = format!("{what}[{i}]: got {g:e}, want {w:e}");
            }
        }
    }
}

#[test]
fn large_logits_match_exact() {
    // The errors are printed: cargo test --test core_logits large_logits -- --nocapture
    let (mut sm, mut lsm, mut ce, mut grad, mut bce) =
        (Worst::default(), Worst::default(), Worst::default(), Worst::default(), Worst::default());
    for (c, case) in large::LARGE.iter().enumerate() {
        let what = |q: &str| format!("case {c} (T = {}, K = {}) {q}", case.t, case.z.len());
        sm.add(&softmax(case.z, case.t).unwrap(), case.softmax, LARGE_ATOL, &what("softmax"));
        let mut rows = vec![0.0; case.z.len() * 2];
        let twice: Vec<f32> = case.z.iter().chain(case.z).copied().collect();
        softmax_rows_into(&twice, case.z.len(), case.t, &mut rows).unwrap();
        let want2: Vec<f64> = case.softmax.iter().chain(case.softmax).copied().collect();
        sm.add(&rows, &want2, LARGE_ATOL, &what("softmax_rows"));
        lsm.add(&log_softmax(case.z, case.t).unwrap(), case.log_softmax, 0.0, &what("log_softmax"));
        for (t, &want) in case.ce.iter().enumerate() {
            ce.add(&[cross_entropy(case.z, t).unwrap()], &[want], 0.0, &what(&format!("CE t={t}")));
            let mut g_want = case.softmax.to_vec();
            g_want[t] -= 1.0;
            grad.add(&cross_entropy_grad(case.z, t).unwrap(), &g_want, GRAD_ATOL, &what("grad"));
        }
    }
    for &(x, y, want) in large::BCE_LARGE {
        bce.add(&[bce_with_logits(x, y)], &[want], 0.0, &format!("BCE({x}, {y})"));
    }
    let mut failed = Vec::new();
    for (name, w) in [
        ("softmax", &sm),
        ("log_softmax", &lsm),
        ("cross_entropy", &ce),
        ("cross_entropy_grad", &grad),
        ("bce_with_logits", &bce),
    ] {
        println!(
            "core::logits {name:<20} max abs err {:.2e} (|ref| ≤ 10: {:.2e})  max rel err {:.2e}  worst/tol {:.2}  ({})",
            w.abs, w.abs10, w.rel, w.ratio, w.at
        );
        if w.ratio > 1.0 {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "beyond atol + 1e-5·|ref|: {failed:?}");
}

#[test]
fn bad_inputs_are_errors_that_name_the_argument() {
    // A negative (or NaN, or infinite) "probability" used to give an entropy anyway.
    let e = entropy(&[0.5, -0.25, 0.75]).unwrap_err();
    assert_eq!(e, LogitsError::BadProbability { index: 1, value: -0.25 });
    assert!(e.to_string().contains("p[1]"), "{e}");
    assert!(matches!(entropy(&[f32::NAN]), Err(LogitsError::BadProbability { index: 0, .. })));
    assert!(matches!(entropy(&[f32::INFINITY]), Err(LogitsError::BadProbability { .. })));
    assert_eq!(entropy(&[]), Err(LogitsError::Empty));
    // Empty logits, bad temperatures, targets out of range.
    for r in [softmax(&[], 1.0).map(|_| ()), log_softmax(&[], 1.0).map(|_| ())] {
        assert_eq!(r, Err(LogitsError::Empty));
    }
    assert_eq!(cross_entropy(&[], 0), Err(LogitsError::Empty));
    assert_eq!(cross_entropy_grad(&[], 0), Err(LogitsError::Empty));
    for t in [0.0, -1.0, f32::NAN, f32::INFINITY] {
        let e = log_softmax(&[1.0], t).unwrap_err();
        assert!(e.to_string().contains("temperature"), "{e}");
    }
    let e = cross_entropy(&[1.0, 2.0], 5).unwrap_err();
    assert!(e.to_string().contains("target"), "{e}");
    let mut out = [0.0; 2];
    let e = softmax_into(&[1.0, 2.0, 3.0], 1.0, &mut out).unwrap_err();
    assert!(e.to_string().starts_with("out "), "{e}");
    let mut out = [0.0; 5];
    let e = softmax_rows_into(&[1.0; 5], 2, 1.0, &mut out).unwrap_err();
    assert!(e.to_string().starts_with("z "), "{e}");
}
