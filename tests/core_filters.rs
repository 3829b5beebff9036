#![cfg(not(target_arch = "wasm32"))]
//! Kernel presets: sums, responses to ramps and paraboloids, classic 3 × 3 values, seeds.

use dlviz::core::conv::{conv2d, Conv2dParams};
use dlviz::core::filters::{gaussian_sigma, FilterError, Preset, SIZES};
use dlviz::core::Tensor;

/// Applies `k` (n × n) to a 21 × 21 image `f(i, j)` without padding; returns the output.
fn apply(k: &[f32], n: usize, f: impl Fn(f32, f32) -> f32) -> Vec<f32> {
    let x = Tensor::from_fn(vec![1, 1, 21, 21], |i| f((i / 21) as f32, (i % 21) as f32));
    let w = Tensor::new(vec![1, 1, n, n], k.to_vec()).unwrap();
    conv2d(&x, &w, None, Conv2dParams::default()).unwrap().into_data()
}

fn all_close(v: &[f32], want: f32, tol: f32) -> bool {
    v.iter().all(|x| (x - want).abs() <= tol)
}

#[test]
fn sums() {
    for n in SIZES {
        let sum = |p: Preset| p.kernel(n, 0).unwrap().iter().map(|&v| v as f64).sum::<f64>();
        for p in [Preset::Identity, Preset::Box, Preset::Gaussian, Preset::Sharpen, Preset::Emboss]
        {
            assert!((sum(p) - 1.0).abs() < 1e-6, "{p:?} {n}: {}", sum(p));
        }
        for p in [Preset::SobelX, Preset::SobelY, Preset::Laplacian] {
            assert!(sum(p).abs() < 1e-6, "{p:?} {n}: {}", sum(p));
        }
        assert_eq!(Preset::Random.kernel(n, 3).unwrap().len(), n * n);
    }
}

#[test]
fn classic_three_by_three_values() {
    let k = |p: Preset| p.kernel(3, 0).unwrap();
    assert_eq!(k(Preset::Identity), vec![0., 0., 0., 0., 1., 0., 0., 0., 0.]);
    assert_eq!(k(Preset::SobelX), vec![-1., 0., 1., -2., 0., 2., -1., 0., 1.]);
    assert_eq!(k(Preset::SobelY), vec![-1., -2., -1., 0., 0., 0., 1., 2., 1.]);
    assert_eq!(k(Preset::Laplacian), vec![0., 1., 0., 1., -4., 1., 0., 1., 0.]);
    assert_eq!(k(Preset::Sharpen), vec![0., -1., 0., -1., 5., -1., 0., -1., 0.]);
    assert_eq!(k(Preset::Emboss), vec![-2., -1., 0., -1., 1., 1., 0., 1., 2.]);
    assert!(k(Preset::Box).iter().all(|&v| (v - 1.0 / 9.0).abs() < 1e-7));
}

#[test]
fn sobel_5_is_binomial_outer_derivative() {
    // OpenCV's 5 × 5 Sobel: [1,4,6,4,1]ᵀ ⊗ [−1,−2,0,2,1]; its ramp gain is 16 · 8 = 128, ours is
    // scaled to the 3 × 3 gain 8, i.e. divided by 16.
    let k = Preset::SobelX.kernel(5, 0).unwrap();
    let (s, d) = ([1., 4., 6., 4., 1.], [-1., -2., 0., 2., 1.]);
    for u in 0..5 {
        for v in 0..5 {
            assert_eq!(k[u * 5 + v], s[u] * d[v] / 16.0, "({u}, {v})");
        }
    }
}

#[test]
fn derivative_kernels_on_ramps() {
    for n in SIZES {
        let sx = Preset::SobelX.kernel(n, 0).unwrap();
        let sy = Preset::SobelY.kernel(n, 0).unwrap();
        // Ramp along columns: sobel_x gives the constant 8, sobel_y gives 0.
        assert!(all_close(&apply(&sx, n, |_, j| j), 8.0, 1e-4), "sobel_x {n}");
        assert!(all_close(&apply(&sy, n, |_, j| j), 0.0, 1e-4), "sobel_y {n}");
        assert!(all_close(&apply(&sy, n, |i, _| 3.0 * i), 24.0, 1e-3), "sobel_y {n}");
        // Laplacian: ∇²(i² + j²) = 4, ∇² of a plane = 0.
        let lap = Preset::Laplacian.kernel(n, 0).unwrap();
        assert!(all_close(&apply(&lap, n, |i, j| i * i + j * j), 4.0, 1e-3), "laplacian {n}");
        assert!(all_close(&apply(&lap, n, |i, j| 2.0 * i - j + 5.0), 0.0, 1e-4), "lap {n}");
        // Blurs and sharpen keep constants; identity keeps everything.
        for p in [Preset::Box, Preset::Gaussian, Preset::Sharpen] {
            let k = p.kernel(n, 0).unwrap();
            assert!(all_close(&apply(&k, n, |_, _| 0.7), 0.7, 1e-5), "{p:?} {n}");
        }
        let id = Preset::Identity.kernel(n, 0).unwrap();
        let out = apply(&id, n, |i, j| i * 21.0 + j);
        let m = 21 - n + 1;
        let c = (n / 2) as f32;
        assert!(out.iter().enumerate().all(|(o, &v)| {
            let (i, j) = ((o / m) as f32 + c, (o % m) as f32 + c);
            v == i * 21.0 + j
        }));
        // Emboss on a diagonal ramp i + j: δ part gives the value, the relief part adds
        // s_n · Σ((u−c)+(v−c))² = 2 · 6 = 12 at every size.
        let em = Preset::Emboss.kernel(n, 0).unwrap();
        let out = apply(&em, n, |i, j| i + j);
        for (o, &v) in out.iter().enumerate() {
            let (i, j) = ((o / m) as f32 + c, (o % m) as f32 + c);
            assert!((v - (i + j + 12.0)).abs() < 1e-3, "emboss {n}: {v} at ({i}, {j})");
        }
    }
}

#[test]
fn gaussian_matches_formula() {
    assert!((gaussian_sigma(3) - 0.8).abs() < 1e-12);
    assert!((gaussian_sigma(5) - 1.1).abs() < 1e-12);
    assert!((gaussian_sigma(7) - 1.4).abs() < 1e-12);
    // 3 × 3, σ = 0.8: g = [e^{−1/1.28}, 1, e^{−1/1.28}] / Σ; kernel = g ⊗ g.
    let e = (-1.0f64 / 1.28).exp();
    let g = [e / (1.0 + 2.0 * e), 1.0 / (1.0 + 2.0 * e), e / (1.0 + 2.0 * e)];
    let k = Preset::Gaussian.kernel(3, 0).unwrap();
    for u in 0..3 {
        for v in 0..3 {
            assert!((k[u * 3 + v] as f64 - g[u] * g[v]).abs() < 1e-7);
        }
    }
    // Centre is the maximum and the kernel is symmetric.
    for n in SIZES {
        let k = Preset::Gaussian.kernel(n, 0).unwrap();
        let centre = k[(n / 2) * n + n / 2];
        assert!(k.iter().all(|&v| v <= centre && v > 0.0));
        for i in 0..n * n {
            assert_eq!(k[i], k[n * n - 1 - i]);
        }
    }
}

#[test]
fn random_is_seeded_he_normal() {
    assert_eq!(Preset::Random.kernel(5, 42), Preset::Random.kernel(5, 42));
    assert_ne!(Preset::Random.kernel(5, 42), Preset::Random.kernel(5, 43));
    // He-normal: variance 2/n² per weight; pooled over many seeds.
    for n in SIZES {
        let (mut s2, mut count) = (0.0f64, 0usize);
        for seed in 0..400 {
            for v in Preset::Random.kernel(n, seed).unwrap() {
                s2 += (v as f64).powi(2);
                count += 1;
            }
        }
        let var = s2 / count as f64;
        let want = 2.0 / (n * n) as f64;
        assert!((var / want - 1.0).abs() < 0.05, "n={n}: var {var} vs {want}");
    }
    // Every other preset ignores the seed.
    assert_eq!(Preset::SobelX.kernel(3, 1), Preset::SobelX.kernel(3, 2));
}

#[test]
fn ids_round_trip_and_bad_sizes() {
    let ids: Vec<&str> = Preset::ALL.iter().map(|p| p.id()).collect();
    assert_eq!(
        ids,
        [
            "identity",
            "box",
            "gaussian",
            "sharpen",
            "sobel_x",
            "sobel_y",
            "laplacian",
            "emboss",
            "random"
        ]
    );
    for p in Preset::ALL {
        assert_eq!(Preset::from_id(p.id()), Some(p));
    }
    assert_eq!(Preset::from_id("Sobel_X"), None);
    assert_eq!(Preset::from_id(""), None);
    for size in [0, 1, 2, 4, 6, 17, usize::MAX] {
        assert_eq!(Preset::Box.kernel(size, 0), Err(FilterError::Size { size }));
    }
    for size in (3..=15).step_by(2) {
        for p in Preset::ALL {
            let k = p.kernel(size, 9).unwrap();
            assert_eq!(k.len(), size * size);
            assert!(k.iter().all(|v| v.is_finite()));
        }
    }
}
