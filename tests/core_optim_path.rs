#![cfg(not(target_arch = "wasm32"))]
//! `core::optim::path` (trajectories on 2-D surfaces, divergence) and `core::optim::minibatch`
//! (line fit: gradients vs finite differences and the normal equations, mini-batch gradients
//! unbiased with variance falling with the batch size, runs).

use dlviz::core::data::{linear_regression, sine_regression};
use dlviz::core::optim::minibatch::{run, LineFit};
use dlviz::core::optim::path::descend;
use dlviz::core::optim::{Hyper, Optimizer, OptimizerKind, OptimizerSpec, Sgd, SgdConfig};
use dlviz::core::surfaces::Surface;

fn spec(kind: OptimizerKind, lr: f32) -> OptimizerSpec {
    OptimizerSpec { kind, hyper: Hyper { lr, ..Hyper::default() } }
}

#[test]
fn path_matches_a_hand_loop() {
    let s = Surface::quadratic(10.0, 0.3);
    let tr = descend(&s, (-2.5, 1.5), &spec(OptimizerKind::Sgd, 0.05), 40).unwrap();
    let mut opt = Sgd::new(SgdConfig { lr: 0.05, ..Default::default() }).unwrap();
    let mut p = [-2.5f32, 1.5];
    for t in 1..=40 {
        let (gx, gy) = s.grad(p[0] as f64, p[1] as f64);
        opt.step(&mut [&mut p], &[&[gx as f32, gy as f32]]).unwrap();
        assert_eq!(tr.points[t], (p[0] as f64, p[1] as f64));
        assert_eq!(tr.losses[t], s.value(p[0] as f64, p[1] as f64));
    }
    assert_eq!(tr.points.len(), 41);
    assert_eq!((tr.diverged_at, tr.left_view_at), (None, None));
}

#[test]
fn stability_threshold_of_gradient_descent() {
    // On f = ½(u² + κv²), GD is stable iff η < 2/κ: with κ = 10, 0.19 converges, 0.21 blows up.
    let s = Surface::quadratic(10.0, 0.0);
    let ok = descend(&s, (1.0, 1.0), &spec(OptimizerKind::Sgd, 0.19), 400).unwrap();
    assert_eq!(ok.diverged_at, None);
    assert!(ok.losses.last().unwrap() < &1e-6);
    let bad = descend(&s, (1.0, 1.0), &spec(OptimizerKind::Sgd, 0.21), 5000).unwrap();
    assert!(bad.diverged_at.is_some());
    assert!(bad.left_view_at.unwrap() < bad.diverged_at.unwrap());
    // A huge rate diverges within a few steps, and nothing recorded is non-finite.
    for kind in OptimizerKind::ALL {
        let tr = descend(&Surface::rosenbrock(), (-1.5, 2.0), &spec(kind, 10.0), 500).unwrap();
        assert!(
            tr.points.iter().all(|p| p.0.is_finite() && p.1.is_finite()),
            "{kind:?} recorded a non-finite point"
        );
        assert!(tr.losses.iter().all(|l| l.is_finite()));
        if matches!(kind, OptimizerKind::Sgd | OptimizerKind::Momentum | OptimizerKind::Nesterov) {
            assert!(tr.diverged_at.is_some_and(|t| t < 10), "{kind:?}: {:?}", tr.diverged_at);
        }
    }
}

#[test]
fn saddle_escape_is_not_divergence() {
    let tr =
        descend(&Surface::Saddle, (-1.5, 0.01), &spec(OptimizerKind::Momentum, 0.05), 200).unwrap();
    assert!(tr.left_view_at.is_some());
    // Either still finite after 200 steps or flagged: never a NaN in the record.
    assert!(tr.points.iter().all(|p| p.0.is_finite() && p.1.is_finite()));
    // Adam from the same start leaves the saddle too (it rescales the tiny y-gradient).
    let adam =
        descend(&Surface::Saddle, (-1.5, 0.01), &spec(OptimizerKind::Adam, 0.05), 200).unwrap();
    assert!(adam.points.last().unwrap().1.abs() > 1.0);
    assert_eq!(tr.point_at(10_000), *tr.points.last().unwrap());
}

#[test]
fn optimizers_reach_the_rosenbrock_valley_floor() {
    // Adam at its suggested rate gets close to (1, 1) in 2000 steps; plain SGD is far slower.
    let s = Surface::rosenbrock();
    let adam = descend(&s, (-1.5, 2.0), &spec(OptimizerKind::Adam, 0.02), 2000).unwrap();
    let sgd = descend(&s, (-1.5, 2.0), &spec(OptimizerKind::Sgd, 5e-4), 2000).unwrap();
    assert!(adam.loss_at(2000) < 1e-3, "adam loss {}", adam.loss_at(2000));
    assert!(sgd.loss_at(2000) > adam.loss_at(2000));
}

fn line() -> LineFit {
    let (ds, _) = linear_regression(64, 1, 0.5, 3).unwrap();
    LineFit::from_dataset(&ds).unwrap()
}

#[test]
fn line_fit_gradient_and_optimum() {
    let f = line();
    let h = 1e-6;
    for &(w, b) in &[(0.0, 0.0), (1.3, -0.7), (-2.0, 3.0)] {
        let (gw, gb) = f.grad(w, b, None);
        let fw = (f.loss(w + h, b, None) - f.loss(w - h, b, None)) / (2.0 * h);
        let fb = (f.loss(w, b + h, None) - f.loss(w, b - h, None)) / (2.0 * h);
        assert!((gw - fw).abs() < 1e-7 && (gb - fb).abs() < 1e-7);
        let idx = [3usize, 9, 17];
        let (bw, bb) = f.grad(w, b, Some(&idx));
        let fw = (f.loss(w + h, b, Some(&idx)) - f.loss(w - h, b, Some(&idx))) / (2.0 * h);
        let fb = (f.loss(w, b + h, Some(&idx)) - f.loss(w, b - h, Some(&idx))) / (2.0 * h);
        assert!((bw - fw).abs() < 1e-7 && (bb - fb).abs() < 1e-7);
    }
    let (w, b) = f.optimum();
    let (gw, gb) = f.grad(w, b, None);
    assert!(gw.abs() < 1e-12 && gb.abs() < 1e-12);
    // Hand case: points on y = 2x + 1 exactly.
    let exact = LineFit { xs: vec![0.0, 1.0, 2.0], ys: vec![1.0, 3.0, 5.0] };
    assert_eq!(exact.optimum(), (2.0, 1.0));
    assert_eq!(exact.loss(2.0, 1.0, None), 0.0);
    assert_eq!(exact.loss(0.0, 0.0, Some(&[1])), 4.5);
    assert!(LineFit::from_dataset(&linear_regression(8, 2, 0.1, 1).unwrap().0).is_err());
    assert!(LineFit::from_dataset(&sine_regression(8, 0.1, 1).unwrap()).is_ok());
}

#[test]
fn minibatch_gradients_are_unbiased_with_shrinking_variance() {
    let f = line();
    let (w, b) = (0.3, -0.2);
    let full = f.grad(w, b, None);
    // Equal batches covering the data once average to the full gradient.
    let mut mean = (0.0, 0.0);
    for k in 0..8 {
        let idx: Vec<usize> = (k * 8..(k + 1) * 8).collect();
        let g = f.grad(w, b, Some(&idx));
        mean = (mean.0 + g.0 / 8.0, mean.1 + g.1 / 8.0);
    }
    assert!((mean.0 - full.0).abs() < 1e-12 && (mean.1 - full.1).abs() < 1e-12);
    // Spread of batch gradients around the full one: batch 32 is tighter than batch 2.
    let spread = |bs: usize| {
        let mut s = dlviz::core::data::BatchSampler::new(64, bs, true, 9).unwrap();
        let mut acc = 0.0;
        for _ in 0..400 {
            let g = f.grad(w, b, Some(&s.next_batch()));
            acc += (g.0 - full.0).powi(2) + (g.1 - full.1).powi(2);
        }
        acc / 400.0
    };
    let (v2, v32) = (spread(2), spread(32));
    // Sampling without replacement: Var ∝ (N − B)/(B (N − 1)); the ratio 2→32 is ≈ 31.
    let ratio = v2 / v32;
    assert!(ratio > 15.0 && ratio < 60.0, "variance ratio {ratio}");
}

#[test]
fn runs_full_vs_mini() {
    let f = line();
    let r = run(&f, (-2.0, 2.0), 0.2, 8, 200, 5).unwrap();
    assert_eq!((r.full.len(), r.mini.len(), r.batches.len()), (201, 201, 200));
    let opt = f.optimum();
    let end = *r.full.last().unwrap();
    assert!((end.0 - opt.0).abs() < 1e-4 && (end.1 - opt.1).abs() < 1e-4);
    // The mini-batch path hovers near the optimum but keeps jittering.
    let m = *r.mini.last().unwrap();
    assert!((m.0 - opt.0).hypot(m.1 - opt.1) < 0.5);
    assert!(r.mini_loss.last().unwrap() >= r.full_loss.last().unwrap());
    assert!(r.batches.iter().all(|b| b.len() == 8));
    // Full batch as the "mini" batch: the two paths coincide.
    let same = run(&f, (-2.0, 2.0), 0.2, 64, 50, 5).unwrap();
    assert_eq!(same.full, same.mini);
    // Seeded.
    assert_eq!(run(&f, (-2.0, 2.0), 0.2, 8, 50, 5).unwrap().mini, r.mini[..51].to_vec());
    // Too large a rate stops at the divergence, with finite records.
    let d = run(&f, (-2.0, 2.0), 50.0, 8, 500, 5).unwrap();
    assert!(d.diverged_at.is_some());
    assert!(d.mini.iter().chain(&d.full).all(|p| p.0.is_finite() && p.1.is_finite()));
}

#[test]
fn line_fit_gradient_matches_the_autograd_engine() {
    // The lesson's hand-written gradient against the training engine: pred = x·w + b,
    // loss = mse(pred, y) = (1/n) Σ r², i.e. twice LineFit's ½-scaled loss.
    use dlviz::core::autograd::{ParamStore, Tape};
    use dlviz::core::Tensor;
    let f = line();
    let batch = [0usize, 5, 7, 12, 40, 63];
    let (w0, b0) = (0.7f32, -1.1f32);
    let mut store = ParamStore::new();
    let w = store.add("w", Tensor::new(vec![1, 1], vec![w0]).unwrap());
    let b = store.add("b", Tensor::new(vec![1], vec![b0]).unwrap());
    let xs: Vec<f32> = batch.iter().map(|&i| f.xs[i] as f32).collect();
    let ys: Vec<f32> = batch.iter().map(|&i| f.ys[i] as f32).collect();
    let mut tape = Tape::new();
    let x = tape.input(&[batch.len(), 1], &xs).unwrap();
    let y = tape.input(&[batch.len(), 1], &ys).unwrap();
    let wv = tape.param(&store, w).unwrap();
    let bv = tape.param(&store, b).unwrap();
    let xw = tape.matmul(x, wv).unwrap();
    let pred = tape.bias_add(xw, bv).unwrap();
    let loss = tape.mse(pred, y).unwrap();
    tape.backward(loss).unwrap();
    tape.accumulate_param_grads(&mut store).unwrap();
    let (gw, gb) = f.grad(w0 as f64, b0 as f64, Some(&batch));
    let ew = store.grad(w).unwrap().data()[0] as f64 / 2.0;
    let eb = store.grad(b).unwrap().data()[0] as f64 / 2.0;
    assert!((gw - ew).abs() < 1e-5 + 1e-5 * ew.abs(), "w: {gw} vs engine {ew}");
    assert!((gb - eb).abs() < 1e-5 + 1e-5 * eb.abs(), "b: {gb} vs engine {eb}");
}
