//! Shared by `tests/core_matmul.rs` (native, the portable micro-kernel) and
//! `tests/web_convolution.rs` (browser, the wasm SIMD128 micro-kernel): one product of random
//! operands through `core::matmul::gemm`, checked against `gemm_reference`.

use dlviz::core::matmul::{gemm, gemm_reference, Gemm};
use dlviz::core::Rng;

/// `m × k · k × n` (accumulating into random `C` when `acc`) through `gemm` and the f64
/// reference loop; every element within `1e-4·√k + 1e-4·|ref|`.
pub fn gemm_matches_reference(rng: &mut Rng, m: usize, k: usize, n: usize, acc: bool) {
    let mut g = Gemm::new(m, k, n);
    g.accumulate = acc;
    let a: Vec<f32> = (0..m * k).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
    let b: Vec<f32> = (0..k * n).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
    let c0: Vec<f32> = (0..m * n).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
    let (mut fast, mut slow) = (c0.clone(), c0);
    gemm(g, &a, &b, &mut fast).unwrap();
    gemm_reference(g, &a, &b, &mut slow).unwrap();
    let tol = 1e-4 * (k as f32).sqrt();
    for (x, y) in fast.iter().zip(&slow) {
        assert!((x - y).abs() <= tol + 1e-4 * y.abs(), "{g:?}: {x} vs {y}");
    }
}
