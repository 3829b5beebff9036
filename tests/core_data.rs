#![cfg(not(target_arch = "wasm32"))]
//! `core::data`: shapes, determinism per seed, class balance, value ranges, the geometry each
//! generator promises, splits and the mini-batch sampler.

use dlviz::core::data::{
    blobs, circles, linear_regression, permutation, shapes, sine_regression, spirals, two_moons,
    BatchSampler, DataError, Dataset,
};
use dlviz::core::Rng;

fn all_2d(seed: u64) -> Vec<(&'static str, Dataset)> {
    vec![
        ("moons", two_moons(101, 0.1, seed).unwrap()),
        ("spirals", spirals(150, 3, 0.05, seed).unwrap()),
        ("circles", circles(100, 0.5, 0.05, seed).unwrap()),
        ("blobs", blobs(99, 4, 0.5, seed).unwrap()),
    ]
}

#[test]
fn classification_shapes_balance_and_determinism() {
    for ((name, a), (_, b)) in all_2d(7).into_iter().zip(all_2d(7)) {
        let n = a.len();
        assert_eq!(a.x.shape(), &[n, 2], "{name}");
        assert_eq!(a.y.shape(), &[n], "{name}");
        assert_eq!(a, b, "{name}: same seed, same data");
        let counts = a.class_counts();
        assert_eq!(counts.iter().sum::<usize>(), n);
        let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(hi - lo <= 1, "{name}: unbalanced {counts:?}");
        assert!(a.x.data().iter().all(|v| v.is_finite()));
        // Shuffled: the first 20 labels are not all one class nor a strict cycle.
        let first: Vec<usize> = (0..20).map(|i| a.label(i).unwrap()).collect();
        assert!(first.iter().any(|&c| c != first[0]), "{name}");
        assert!((0..20).any(|i| first[i] != i % a.classes), "{name}: labels not shuffled");
    }
    for ((name, a), (_, c)) in all_2d(7).into_iter().zip(all_2d(8)) {
        assert_ne!(a.x, c.x, "{name}: different seeds, different data");
    }
}

#[test]
fn geometry_without_noise() {
    let m = two_moons(200, 0.0, 1).unwrap();
    for i in 0..m.len() {
        let (x, y) = (m.x.data()[2 * i], m.x.data()[2 * i + 1]);
        let r = if m.label(i) == Some(0) {
            (x * x + y * y).sqrt()
        } else {
            ((x - 1.0).powi(2) + (y - 0.5).powi(2)).sqrt()
        };
        assert!((r - 1.0).abs() < 1e-5, "moon point off its arc: {x},{y}");
        assert!((-1.0..=2.0).contains(&x) && (-0.5..=1.0).contains(&y));
    }
    let c = circles(200, 0.3, 0.0, 2).unwrap();
    for i in 0..c.len() {
        let (x, y) = (c.x.data()[2 * i], c.x.data()[2 * i + 1]);
        let want = if c.label(i) == Some(0) { 1.0 } else { 0.3 };
        assert!(((x * x + y * y).sqrt() - want).abs() < 1e-5);
    }
    let s = spirals(300, 4, 0.0, 3).unwrap();
    assert_eq!(s.classes, 4);
    assert!(s.x.data().chunks(2).all(|p| (p[0] * p[0] + p[1] * p[1]).sqrt() <= 1.0 + 1e-5));
}

#[test]
fn blobs_cluster_around_their_centres() {
    let b = blobs(4000, 3, 0.5, 11).unwrap();
    for k in 0..3 {
        let pts: Vec<&[f32]> =
            b.x.data()
                .chunks(2)
                .enumerate()
                .filter(|(i, _)| b.label(*i) == Some(k))
                .map(|p| p.1)
                .collect();
        let n = pts.len() as f32;
        let mx = pts.iter().map(|p| p[0]).sum::<f32>() / n;
        let my = pts.iter().map(|p| p[1]).sum::<f32>() / n;
        let var = pts.iter().map(|p| (p[0] - mx).powi(2) + (p[1] - my).powi(2)).sum::<f32>() / n;
        // Two axes of variance 0.25 each.
        assert!((var - 0.5).abs() < 0.05, "class {k}: variance {var}");
        assert!(mx.abs() <= 4.1 && my.abs() <= 4.1);
    }
}

#[test]
fn regression_sets_recover_their_truth() {
    let s = sine_regression(5000, 0.2, 4).unwrap();
    assert_eq!((s.x.shape(), s.y.shape(), s.classes), (&[5000, 1][..], &[5000, 1][..], 0));
    assert!(s.x.data().iter().all(|x| (-3.0..=3.0).contains(x)));
    let resid: Vec<f32> = s.x.data().iter().zip(s.y.data()).map(|(x, y)| y - x.sin()).collect();
    let sd = (resid.iter().map(|r| r * r).sum::<f32>() / resid.len() as f32).sqrt();
    assert!((sd - 0.2).abs() < 0.01, "noise sd {sd}");
    assert_eq!(s.label(0), None);

    let (l, truth) = linear_regression(300, 3, 0.0, 5).unwrap();
    assert_eq!((l.x.shape(), l.y.shape()), (&[300, 3][..], &[300, 1][..]));
    for i in 0..300 {
        let row = &l.x.data()[3 * i..3 * i + 3];
        let want: f32 = row.iter().zip(&truth.w).map(|(a, b)| a * b).sum::<f32>() + truth.b;
        assert!((l.y.data()[i] - want).abs() < 1e-5);
    }
}

#[test]
fn shape_images() {
    let d = shapes(40, 16, 0.05, 9).unwrap();
    assert_eq!(d.x.shape(), &[40, 1, 16, 16]);
    assert_eq!(d.class_counts(), vec![10, 10, 10, 10]);
    assert!(d.x.data().iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(d, shapes(40, 16, 0.05, 9).unwrap());
    // Without noise every image has ink but is mostly background, and the four classes
    // differ on average (a circle outline's ink differs from a cross's).
    let clean = shapes(200, 16, 0.0, 10).unwrap();
    let mut ink = [0.0f32; 4];
    for i in 0..clean.len() {
        let img = &clean.x.data()[i * 256..(i + 1) * 256];
        let s: f32 = img.iter().sum();
        assert!(s > 5.0 && s < 150.0, "image {i} ink {s}");
        ink[clean.label(i).unwrap()] += s / 50.0;
    }
    assert!(ink.iter().zip(ink.iter().skip(1)).any(|(a, b)| (a - b).abs() > 3.0), "{ink:?}");
    assert!(matches!(shapes(4, 4, 0.0, 1), Err(DataError::BadArgument { name: "size", .. })));
}

#[test]
fn bad_arguments_are_errors() {
    assert!(two_moons(0, 0.1, 1).is_err());
    assert!(two_moons(10, -1.0, 1).is_err());
    assert!(two_moons(10, f32::NAN, 1).is_err());
    assert!(spirals(10, 1, 0.1, 1).is_err());
    assert!(circles(10, 1.0, 0.1, 1).is_err());
    assert!(blobs(10, 0, 0.1, 1).is_err());
    assert!(BatchSampler::new(0, 4, false, 1).is_err());
    let d = two_moons(10, 0.1, 1).unwrap();
    assert_eq!(d.gather(&[3, 10]), Err(DataError::IndexOutOfRange { index: 10, len: 10 }));
    assert!(d.split(1.5, 0).is_err());
}

#[test]
fn split_is_seeded_disjoint_and_complete() {
    let d = two_moons(50, 0.1, 2).unwrap();
    let (tr, va) = d.split(0.2, 77).unwrap();
    assert_eq!((tr.len(), va.len()), (40, 10));
    assert_eq!(d.split(0.2, 77).unwrap(), (tr.clone(), va.clone()));
    assert_ne!(d.split(0.2, 78).unwrap().1, va);
    // Every sample lands exactly once (points are distinct with noise).
    let mut rows: Vec<(u32, u32)> =
        tr.x.data()
            .chunks(2)
            .chain(va.x.data().chunks(2))
            .map(|p| (p[0].to_bits(), p[1].to_bits()))
            .collect();
    let mut all: Vec<(u32, u32)> =
        d.x.data().chunks(2).map(|p| (p[0].to_bits(), p[1].to_bits())).collect();
    rows.sort();
    all.sort();
    assert_eq!(rows, all);
}

#[test]
fn sampler_visits_each_index_once_per_epoch() {
    let mut s = BatchSampler::new(10, 4, false, 3).unwrap();
    assert_eq!(s.batches_per_epoch(), 3);
    let mut epochs = Vec::new();
    for _ in 0..3 {
        let mut seen: Vec<usize> = (0..3).flat_map(|_| s.next_batch()).collect();
        epochs.push(seen.clone());
        seen.sort();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }
    assert_eq!(s.epoch(), 2);
    assert_ne!(epochs[0], epochs[1], "a fresh permutation each epoch");
    let mut again = BatchSampler::new(10, 4, false, 3).unwrap();
    assert_eq!(again.next_batch(), epochs[0][..4].to_vec());
    // drop_last: only full batches.
    let mut d = BatchSampler::new(10, 4, true, 3).unwrap();
    assert_eq!(d.batches_per_epoch(), 2);
    assert!((0..10).all(|_| d.next_batch().len() == 4));
    // A batch larger than the set is the full batch.
    assert_eq!(BatchSampler::new(5, 64, false, 1).unwrap().next_batch().len(), 5);
    let p = permutation(1000, &mut Rng::new(1));
    assert_ne!(p[..10], (0..10).collect::<Vec<_>>()[..]);
}
