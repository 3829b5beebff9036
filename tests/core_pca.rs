#![cfg(not(target_arch = "wasm32"))]
//! core::pca against NumPy's SVD on the shipped digits (tests/reference/pca.py: eigenvalues,
//! reconstruction MSE on the fit and held-out sets, explained variance, and the top 32 axes
//! in tests/reference/pca_components.i16.gz for the subspace angles), plus hand-checkable
//! cases: an exact low-rank set, the MSE = Σ_{i>k} λᵢ / D identity, the Jacobi eigensolver,
//! bad sizes as errors, and the frame-sized work units.

use dlviz::core::mnist::{self, PIXELS};
use dlviz::core::pca::{self, fit, jacobi_eigen, PcaError, PcaFit, Phase};
use std::io::Read;

fn gunzip(path: &str) -> Vec<u8> {
    let gz = std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).expect(path);
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).expect("gzip");
    out
}

/// Digits `from..to` of the shipped file as `(n, 784)` in `[0, 1]`.
fn digits(from: usize, to: usize) -> Vec<f32> {
    let m = mnist::parse(&gunzip("assets/mnist/digits.bin.gz")).expect("valid file");
    let ds = m.dataset(to);
    ds.x.data()[from * PIXELS..to * PIXELS].to_vec()
}

// Printed by tests/reference/pca.py.
const EIG: [f64; 33] = [
    5.251173845,
    3.732991655,
    3.22467505,
    2.872000119,
    2.679099044,
    2.184033805,
    1.832857303,
    1.572843113,
    1.427021967,
    1.277012296,
    1.184582524,
    1.15146147,
    0.9364531127,
    0.8778464119,
    0.8681645086,
    0.8390602401,
    0.7218218417,
    0.705805528,
    0.619453206,
    0.6047552913,
    0.5702634988,
    0.5627716246,
    0.5372327104,
    0.4929414734,
    0.4653355358,
    0.4457912837,
    0.4226708392,
    0.4068883992,
    0.3746864336,
    0.3607207144,
    0.3408617078,
    0.332904354,
    0.3210841676,
];
const TRACE: f64 = 52.68416615;
/// (k, fit MSE, held-out MSE, explained variance ratio)
const MSE: [(usize, f64, f64, f64); 5] = [
    (2, 5.573979675e-02, 5.643343353e-02, 1.705287595e-01),
    (4, 4.796342536e-02, 4.856597949e-02, 2.862499641e-01),
    (8, 3.741644416e-02, 3.800774092e-02, 4.432009774e-01),
    (16, 2.649603277e-02, 2.777720943e-02, 6.057090544e-01),
    (32, 1.633671588e-02, 1.800013418e-02, 7.568911842e-01),
];

fn close(got: f64, want: f64, atol: f64, rtol: f64) -> bool {
    (got - want).abs() <= atol + rtol * want.abs()
}

/// The largest principal angle (radians) between the row spaces of `a` and `b` (`k × d`,
/// orthonormal rows): `acos` of the smallest singular value of `A Bᵀ`.
fn max_angle(a: &[f32], b: &[f32], k: usize, d: usize) -> f64 {
    let mut m = vec![0f64; k * k];
    for i in 0..k {
        for j in 0..k {
            m[i * k + j] = (0..d).map(|t| a[i * d + t] as f64 * b[j * d + t] as f64).sum();
        }
    }
    // Singular values² of M = eigenvalues of M Mᵀ.
    let mut mmt = vec![0f64; k * k];
    for i in 0..k {
        for j in 0..k {
            mmt[i * k + j] = (0..k).map(|t| m[i * k + t] * m[j * k + t]).sum();
        }
    }
    let (vals, _) = jacobi_eigen(&mut mmt, k);
    let smin = vals[k - 1].max(0.0).sqrt().min(1.0);
    smin.acos()
}

fn orthonormal_rows(a: &[f32], k: usize, d: usize) -> Vec<f32> {
    let mut q: Vec<f64> = a.iter().map(|&v| v as f64).collect();
    for i in 0..k {
        for j in 0..i {
            let dot: f64 = (0..d).map(|t| q[i * d + t] * q[j * d + t]).sum();
            for t in 0..d {
                q[i * d + t] -= dot * q[j * d + t];
            }
        }
        let norm = (0..d).map(|t| q[i * d + t].powi(2)).sum::<f64>().sqrt();
        for t in 0..d {
            q[i * d + t] /= norm;
        }
    }
    q.into_iter().map(|v| v as f32).collect()
}

#[test]
fn matches_numpy_svd_on_real_digits() {
    let (n, d) = (1000, PIXELS);
    let x = digits(0, n);
    let held = digits(1000, 1500);
    let p = fit(&x, n, d, 32, 7).expect("fit");
    println!("iterations: {}", p.iterations);
    // Eigenvalues (variances along the axes).
    for (i, (&got, &want)) in p.variances.iter().zip(&EIG).enumerate() {
        assert!(close(got, want, 1e-5, 1e-4), "λ{} = {got}, numpy {want}", i + 1);
    }
    assert!(close(p.total_variance, TRACE, 1e-4, 1e-5), "tr C {}", p.total_variance);
    // Axes: the reference's, de-quantised (|error| ≤ 1.5e-5 per entry).
    let q = gunzip("tests/reference/pca_components.i16.gz");
    let reference: Vec<f32> =
        q.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32767.0).collect();
    assert_eq!(reference.len(), 32 * d);
    // Quantisation leaves the rows ~1e-4 off unit length, which `acos` near 1 would read as
    // angles of ~1e-2: re-orthonormalise them (Gram–Schmidt in f64) first.
    let reference = orthonormal_rows(&reference, 32, d);
    for &(k, fit_mse, held_mse, evr) in &MSE {
        let angle = max_angle(&p.components[..k * d], &reference[..k * d], k, d);
        println!("k={k}: max principal angle {angle:.2e} rad");
        // Measured 3.6e-4 (k = 2) … 5.8e-4 rad (k = 32, where the gap λ₃₂ − λ₃₃ is 0.012).
        assert!(angle < 1e-3, "k={k}: subspace angle {angle}");
        let got = p.reconstruction_mse(&x, n, k).unwrap();
        assert!(close(got, fit_mse, 1e-7, 1e-4), "k={k} fit mse {got} vs {fit_mse}");
        let got = p.reconstruction_mse(&held, 500, k).unwrap();
        assert!(close(got, held_mse, 1e-7, 1e-4), "k={k} held mse {got} vs {held_mse}");
        let got = p.explained_variance_ratio(k);
        assert!(close(got, evr, 1e-6, 1e-4), "k={k} evr {got} vs {evr}");
    }
    // The first axes one by one (well separated eigenvalues): |cos| ≈ 1.
    for i in 0..4 {
        let c: f64 =
            (0..d).map(|t| p.components[i * d + t] as f64 * reference[i * d + t] as f64).sum();
        assert!(c > 0.9999, "axis {i}: cos {c}");
    }
}

#[test]
fn mse_equals_discarded_variance() {
    // On the fit set, MSE per pixel = Σ_{i>k} λᵢ / D = (tr C − Σ_{i≤k} λᵢ) / D.
    let (n, d) = (400, PIXELS);
    let x = digits(2000, 2000 + n);
    let p = fit(&x, n, d, 12, 1).unwrap();
    for k in [1, 3, 6, 12] {
        let kept: f64 = p.variances[..k].iter().sum();
        let want = (p.total_variance - kept) / d as f64;
        let got = p.reconstruction_mse(&x, n, k).unwrap();
        assert!(close(got, want, 1e-7, 1e-4), "k={k}: {got} vs {want}");
    }
}

#[test]
fn exact_low_rank_data_is_reconstructed_exactly() {
    // Points on a 2-D plane in ℝ⁵ through (1, 2, 3, 4, 5): two axes capture everything.
    let (n, d) = (50, 5);
    let u = [1.0f32, 0.0, 1.0, 0.0, 0.0];
    let v = [0.0f32, 1.0, 0.0, -1.0, 2.0];
    let mut x = Vec::new();
    for i in 0..n {
        let (a, b) = ((i as f32 * 0.37).sin() * 3.0, (i as f32 * 0.91).cos());
        for t in 0..d {
            x.push(1.0 + t as f32 + a * u[t] + b * v[t]);
        }
    }
    let p = fit(&x, n, d, 3, 5).unwrap();
    assert!(p.variances[2] < 1e-5, "third variance {}", p.variances[2]);
    assert!(p.reconstruction_mse(&x, n, 2).unwrap() < 1e-9);
    assert!((p.explained_variance_ratio(2) - 1.0).abs() < 1e-5);
    // Axes are unit length and orthogonal; the mean is the column mean.
    for i in 0..3 {
        for j in 0..3 {
            let dot: f32 = (0..d).map(|t| p.components[i * d + t] * p.components[j * d + t]).sum();
            let want = if i == j { 1.0 } else { 0.0 };
            assert!((dot - want).abs() < 1e-5, "({i},{j}) {dot}");
        }
    }
    let m0: f32 = (0..n).map(|i| x[i * d]).sum::<f32>() / n as f32;
    assert!((p.mean[0] - m0).abs() < 1e-5);
    // project then reconstruct with all axes is the identity on this data.
    let z = p.project(&x, n, 2).unwrap();
    assert_eq!(z.len(), n * 2);
    let r = p.reconstruct(&z, n, 2).unwrap();
    assert!(pca::mse(&x, &r) < 1e-9);
}

#[test]
fn jacobi_matches_a_hand_computed_case() {
    // [[2, 1], [1, 2]]: eigenvalues 3 and 1, vectors (1, 1)/√2 and (1, −1)/√2.
    let mut a = vec![2.0, 1.0, 1.0, 2.0];
    let (vals, vecs) = jacobi_eigen(&mut a, 2);
    assert!((vals[0] - 3.0).abs() < 1e-12 && (vals[1] - 1.0).abs() < 1e-12);
    let s = std::f64::consts::FRAC_1_SQRT_2;
    assert!((vecs[0].abs() - s).abs() < 1e-12 && (vecs[2].abs() - s).abs() < 1e-12);
    assert!(vecs[0] * vecs[2] > 0.0, "first eigenvector is (1, 1)/√2 up to sign");
}

#[test]
fn bad_sizes_are_errors() {
    assert!(matches!(fit(&[0.0; 10], 5, 2, 3, 0), Err(PcaError::BadSize { .. })));
    assert!(matches!(fit(&[0.0; 9], 5, 2, 1, 0), Err(PcaError::Shape { .. })));
    assert!(matches!(fit(&[0.0; 2], 1, 2, 1, 0), Err(PcaError::BadSize { .. })));
    let p = fit(&[0.0, 1.0, 2.0, 3.0, 4.0, 6.0], 3, 2, 1, 0).unwrap();
    assert!(p.project(&[0.0; 3], 1, 1).is_err());
    assert!(p.project(&[0.0; 2], 1, 2).is_err());
    assert!(p.reconstruct(&[0.0; 3], 1, 1).is_err());
}

#[test]
fn work_is_split_into_bounded_units() {
    let (n, d) = (300, PIXELS);
    let x = digits(0, n);
    let mut f = PcaFit::new(&x, n, d, 8, 3).unwrap();
    assert_eq!(f.phase(), Phase::Covariance(0));
    assert!(!f.step());
    assert_eq!(f.phase(), Phase::Covariance(pca::BLOCK));
    let mut units = 1;
    let mut last = f.progress();
    while !f.step() {
        units += 1;
        assert!(f.progress() >= last);
        last = f.progress();
    }
    assert!(f.is_done() && f.progress() == 1.0);
    // 3 covariance blocks, then the iterations.
    let p = f.into_result().unwrap();
    assert_eq!(units, 3 + p.iterations - 1);
    let direct = fit(&x, n, d, 8, 3).unwrap();
    assert_eq!(p, direct);
}
