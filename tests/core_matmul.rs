#![cfg(not(target_arch = "wasm32"))]
//! `core::matmul::gemm` against its f64 reference loop and a hand-computed case.

use dlviz::core::matmul::{gemm, gemm_reference, Gemm};
use dlviz::core::Rng;

#[test]
fn hand_computed_2x3_times_3x2() {
    // [[1,2,3],[4,5,6]] · [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
    let mut c = [0.0f32; 4];
    gemm(Gemm::new(2, 3, 2), &a, &b, &mut c).unwrap();
    assert_eq!(c, [58.0, 64.0, 139.0, 154.0]);
    // Aᵀ stored 3×2 and Bᵀ stored 2×3 give the same product.
    let at = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
    let bt = [7.0, 9.0, 11.0, 8.0, 10.0, 12.0];
    let mut c2 = [1.0f32; 4];
    gemm(Gemm::new(2, 3, 2).a_t().b_t(), &at, &bt, &mut c2).unwrap();
    assert_eq!(c2, c);
    // Accumulate adds onto what is there.
    gemm(Gemm::new(2, 3, 2).acc(), &a, &b, &mut c2).unwrap();
    assert_eq!(c2, [116.0, 128.0, 278.0, 308.0]);
}

#[test]
fn wrong_lengths_are_errors_and_leave_c_alone() {
    let mut c = [7.0f32; 4];
    assert!(gemm(Gemm::new(2, 3, 2), &[0.0; 5], &[0.0; 6], &mut c).is_err());
    assert!(gemm(Gemm::new(2, 3, 2), &[0.0; 6], &[0.0; 6], &mut [0.0; 3]).is_err());
    assert_eq!(c, [7.0; 4]);
}

#[test]
fn fast_path_matches_reference_on_random_shapes() {
    let mut rng = Rng::new(11);
    for case in 0..200 {
        let m = 1 + rng.below(40) as usize;
        let n = 1 + rng.below(40) as usize;
        let k = 1 + rng.below(70) as usize;
        let mut g = Gemm::new(m, k, n);
        g.a_trans = case % 2 == 1;
        g.b_trans = case % 4 >= 2;
        g.accumulate = case % 3 == 0;
        let a: Vec<f32> = (0..m * k).map(|_| rng.normal()).collect();
        let b: Vec<f32> = (0..k * n).map(|_| rng.normal()).collect();
        let c0: Vec<f32> = (0..m * n).map(|_| rng.normal()).collect();
        let (mut fast, mut slow) = (c0.clone(), c0);
        gemm(g, &a, &b, &mut fast).unwrap();
        gemm_reference(g, &a, &b, &mut slow).unwrap();
        for (x, y) in fast.iter().zip(&slow) {
            assert!((x - y).abs() <= 1e-4 + 1e-4 * y.abs(), "{g:?}: {x} vs {y}");
        }
    }
}
