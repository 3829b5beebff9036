#![cfg(not(target_arch = "wasm32"))]
//! `core::matmul::gemm` against its f64 reference loop and a hand-computed case.

use dlviz::core::matmul::{gemm, gemm_reference, Gemm};
use dlviz::core::Rng;

#[path = "support/gemm_check.rs"]
mod gemm_check;
use gemm_check::gemm_matches_reference;

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

/// Random shapes with every dimension in 1..=130 (so the packed path's edges — partial
/// `MR`/`NR` tiles, single rows — all occur; several `KC` blocks are the next test's),
/// all four transpose combinations and accumulate; tolerance grows with √k.
#[test]
fn packed_path_matches_reference_on_edge_shapes() {
    let mut rng = Rng::new(29);
    let dims = [1usize, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 129, 130];
    for case in 0..240 {
        let pick = |r: &mut Rng| {
            if r.below(3) == 0 {
                1 + r.below(130) as usize
            } else {
                dims[r.below(dims.len() as u32) as usize]
            }
        };
        let (m, n, k) = (pick(&mut rng), pick(&mut rng), pick(&mut rng));
        let mut g = Gemm::new(m, k, n);
        g.a_trans = case % 2 == 1;
        g.b_trans = (case / 2) % 2 == 1;
        g.accumulate = (case / 4) % 2 == 1;
        let a: Vec<f32> = (0..m * k).map(|_| rng.normal()).collect();
        let b: Vec<f32> = (0..k * n).map(|_| rng.normal()).collect();
        let c0: Vec<f32> = (0..m * n).map(|_| rng.normal()).collect();
        let (mut fast, mut slow) = (c0.clone(), c0);
        gemm(g, &a, &b, &mut fast).unwrap();
        gemm_reference(g, &a, &b, &mut slow).unwrap();
        let scale = (k as f32).sqrt();
        for (idx, (x, y)) in fast.iter().zip(&slow).enumerate() {
            assert!((x - y).abs() <= 1e-4 * scale + 1e-4 * y.abs(), "{g:?} at {idx}: {x} vs {y}");
        }
    }
}

/// Depth beyond one packed block (k > 1024, k not a multiple of it) and a width beyond one
/// column block are summed across blocks correctly; accumulate adds once, not once per block.
#[test]
fn several_depth_and_width_blocks() {
    let mut rng = Rng::new(5);
    for &(m, k, n) in &[(9, 2100, 13), (17, 1025, 2100), (130, 1100, 17)] {
        for acc in [false, true] {
            gemm_matches_reference(&mut rng, m, k, n, acc);
        }
    }
}

/// Zero-sized dimensions: k = 0 gives C = 0 (or leaves C when accumulating); m = 0 or n = 0
/// is an empty product.
#[test]
fn empty_dimensions() {
    let mut c = [3.0f32; 6];
    gemm(Gemm::new(2, 0, 3), &[], &[], &mut c).unwrap();
    assert_eq!(c, [0.0; 6]);
    let mut c = [3.0f32; 6];
    gemm(Gemm::new(2, 0, 3).acc(), &[], &[], &mut c).unwrap();
    assert_eq!(c, [3.0; 6]);
    gemm(Gemm::new(0, 4, 3), &[], &[0.0; 12], &mut []).unwrap();
}
