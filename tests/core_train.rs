#![cfg(not(target_arch = "wasm32"))]
//! `core::train`: EMA smoothing vs NumPy (`tests/reference/train_reference.py`), divergence
//! cases (NaN loss, infinite gradient, norm limit, spike over the running median, loss
//! blow-up), CSV export, the throughput meter, and a real lockstep training run through
//! [`Trainer`] (gradient descent on least squares, gradient written here).

use dlviz::core::optim::ema_series;
use dlviz::core::train::*;
use std::collections::VecDeque;

mod reference {
    include!("reference/train_cases.rs");
}

fn close(got: &[f64], want: &[f64], atol: f64, rtol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= atol + rtol * w.abs(), "{what}[{i}]: got {g}, want {w}");
    }
}

#[test]
fn ema_matches_numpy() {
    use reference::*;
    // The series is also reproduced from its formula here, to pin the script's input.
    let x: Vec<f64> = (1..=40)
        .map(|t| {
            let t = t as f64;
            2.0 * (-t / 10.0).exp() + 0.3 * (1.7 * t).sin().powi(3)
        })
        .collect();
    close(&x, X, 1e-14, 1e-14, "input");
    for (beta, deb, bia) in [
        (0.9, EMA_DEBIASED_0_9, EMA_BIASED_0_9),
        (0.6, EMA_DEBIASED_0_6, EMA_BIASED_0_6),
        (0.99, EMA_DEBIASED_0_99, EMA_BIASED_0_99),
    ] {
        close(&ema_debiased(X, beta), deb, 1e-12, 1e-12, &format!("debiased {beta}"));
        // The EMA lesson's f32 series smoother (core::optim::ema_series) against the same
        // NumPy values, raw and bias-corrected.
        let x32: Vec<f32> = X.iter().map(|&v| v as f32).collect();
        let as64 = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<f64>>();
        let raw = as64(ema_series(&x32, beta as f32, false).unwrap());
        let corrected = as64(ema_series(&x32, beta as f32, true).unwrap());
        close(&raw, bia, 1e-5, 1e-5, &format!("ema_series raw {beta}"));
        close(&corrected, deb, 1e-5, 1e-5, &format!("ema_series corrected {beta}"));
    }
    // First debiased value is the first input; beta 0 is the identity.
    assert_eq!(ema_debiased(X, 0.9)[0], X[0]);
    assert_eq!(ema_debiased(X, 0.0), X.to_vec());
    // A NaN passes through and does not poison the rest.
    let s = ema_debiased(&[1.0, f64::NAN, 1.0], 0.5);
    assert!(s[1].is_nan() && s[2] == 1.0, "{s:?}");
}

#[test]
fn divergence_non_finite() {
    let mut d = DivergenceDetector::new(DivergenceConfig::default());
    assert_eq!(d.observe(0, 1, 1.0, Some(1.0)), None);
    let got = d.observe(3, 2, f64::NAN, Some(1.0)).unwrap();
    assert_eq!((got.run, got.step, got.kind), (3, 2, DivergenceKind::NonFiniteLoss));
    assert!(got.value.is_nan() && !got.is_gradient());
    assert!(got.remedies().contains(&Remedy::LowerLearningRate));
    let mut d = DivergenceDetector::new(DivergenceConfig::default());
    let got = d.observe(0, 5, 1.0, Some(f64::INFINITY)).unwrap();
    assert_eq!((got.step, got.value, got.kind), (5, f64::INFINITY, DivergenceKind::NonFiniteGrad));
    assert!(got.is_gradient());
}

#[test]
fn divergence_grad_limit_and_spike() {
    let cfg = DivergenceConfig { grad_norm_limit: 50.0, ..DivergenceConfig::default() };
    let mut d = DivergenceDetector::new(cfg);
    let got = d.observe(0, 1, 1.0, Some(60.0)).unwrap();
    assert_eq!(got.kind, DivergenceKind::GradAboveLimit { limit: 50.0 });

    // Spike: norms ~0.1..0.3 for 20 steps, then 40 (> 100 × median 0.2) — but not 15.
    let cfg = DivergenceConfig { grad_norm_limit: f64::INFINITY, ..DivergenceConfig::default() };
    let mut d = DivergenceDetector::new(cfg);
    for i in 0..20 {
        let n = 0.1 + 0.2 * (i % 3) as f64 / 2.0; // 0.1, 0.2, 0.3, …
        assert_eq!(d.observe(0, i + 1, 1.0, Some(n)), None);
    }
    assert_eq!(d.observe(0, 21, 1.0, Some(15.0)), None);
    let got = d.observe(0, 22, 1.0, Some(40.0)).unwrap();
    match got.kind {
        DivergenceKind::GradSpike { median, factor } => {
            assert!((median - 0.2).abs() < 1e-12, "{median}");
            assert_eq!(factor, 100.0);
        }
        k => panic!("{k:?}"),
    }
    assert_eq!((got.step, got.value), (22, 40.0));
    // Too little history: no spike judgement yet.
    let mut d = DivergenceDetector::new(cfg);
    assert_eq!(d.observe(0, 1, 1.0, Some(0.1)), None);
    assert_eq!(d.observe(0, 2, 1.0, Some(1000.0)), None);
}

#[test]
fn divergence_loss_blowup() {
    let cfg = DivergenceConfig { loss_blowup_factor: 100.0, ..DivergenceConfig::default() };
    let mut d = DivergenceDetector::new(cfg);
    assert_eq!(d.observe(0, 1, 2.0, None), None);
    assert_eq!(d.observe(0, 2, 150.0, None), None);
    let got = d.observe(0, 3, 250.0, None).unwrap();
    assert_eq!(got.kind, DivergenceKind::LossBlowUp { first: 2.0, factor: 100.0 });
    assert_eq!(got.value, 250.0);
}

#[test]
fn median_odd_even() {
    assert_eq!(median(&VecDeque::from(vec![3.0, 1.0, 2.0])), 2.0);
    assert_eq!(median(&VecDeque::from(vec![4.0, 1.0, 2.0, 3.0])), 2.5);
    assert_eq!(median(&VecDeque::new()), 0.0);
}

#[test]
fn history_csv_and_lookup() {
    let mut h = History::new();
    h.push(0, LOSS, 1, 2.5);
    h.push(0, LOSS, 2, 1.25);
    h.push(1, LOSS, 1, 3.0);
    h.push(0, "val_loss", 2, 0.5);
    h.push(0, LOSS, 2, 99.0); // not after the last step: ignored
    h.push(1, LOSS, 3, f64::NAN);
    let csv = h.to_csv(|s| format!("run {}, {}", s.run, s.metric));
    assert_eq!(
        csv,
        "step,\"run 0, loss\",\"run 1, loss\",\"run 0, val_loss\"\n\
         1,2.5,3,\n\
         2,1.25,,0.5\n\
         3,,NaN,\n"
    );
    assert_eq!(h.last_step(), 3);
    let s = h.series(0, LOSS).unwrap();
    assert_eq!(s.at(5).unwrap().value, 1.25);
    assert_eq!(s.at(0), None);
    assert_eq!(s.nearest(0).unwrap().step, 1);
    assert_eq!(s.range(false), Some((1.25, 2.5)));
    assert_eq!(h.range(|s| s.metric == LOSS, false), Some((1.25, 3.0)));
    assert_eq!(h.range(|s| s.run == 1, false), Some((3.0, 3.0)));
    let mut h2 = History::new();
    h2.push(0, LOSS, 1, -1.0);
    h2.push(0, LOSS, 2, 0.0);
    assert_eq!(h2.range(|_| true, true), None);
    h.clear();
    assert!(h.is_empty());
}

#[test]
fn throughput_window_and_pauses() {
    let mut t = Throughput::new(1000.0);
    t.record(0.0, 10); // paused: ignored
    assert_eq!(t.total_steps(), 0);
    t.resume(0.0);
    for i in 1..=20 {
        t.record(i as f64 * 100.0, 5); // 50 steps/s
    }
    assert!((t.steps_per_sec() - 50.0).abs() < 1e-9, "{}", t.steps_per_sec());
    assert!((t.elapsed_ms() - 2000.0).abs() < 1e-9);
    t.pause(2000.0);
    // A 10 s pause is not elapsed running time, nor does it dilute the rate.
    t.resume(12_000.0);
    t.record(12_100.0, 20);
    assert!((t.elapsed_ms() - 2100.0).abs() < 1e-9);
    assert!((t.steps_per_sec() - 200.0).abs() < 1e-9, "{}", t.steps_per_sec());
    assert_eq!(t.total_steps(), 120);
    t.reset();
    assert_eq!((t.total_steps(), t.elapsed_ms(), t.is_running()), (0, 0.0, false));
}

/// Two runs of full-batch gradient descent on least squares `L(w) = mean((Xw − y)²)/2` with
/// the gradient `Xᵀ(Xw − y)/n`, at a safe and a too-large rate: in lockstep, the safe one
/// converges to the exact solution, the large one diverges and is caught.
#[test]
fn lockstep_training_and_divergence() {
    let xs = [(1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (2.0, -1.0)];
    let w_true = [1.5, -0.5];
    let ys: Vec<f64> = xs.iter().map(|(a, b)| a * w_true[0] + b * w_true[1]).collect();
    let rates = [0.3, 2.0];
    let mut w = [[0.0f64; 2]; 2];
    let model = FnTrainable::new(2, move || {
        let mut out = Vec::new();
        for (r, lr) in rates.iter().enumerate() {
            let (mut loss, mut g) = (0.0, [0.0; 2]);
            for ((a, b), y) in xs.iter().zip(&ys) {
                let e = a * w[r][0] + b * w[r][1] - y;
                loss += e * e / 2.0 / xs.len() as f64;
                g[0] += e * a / xs.len() as f64;
                g[1] += e * b / xs.len() as f64;
            }
            w[r][0] -= lr * g[0];
            w[r][1] -= lr * g[1];
            out.push(
                StepReport::loss(loss).with_grad_norm(g[0].hypot(g[1])).with_metric("w0", w[r][0]),
            );
        }
        Ok(out)
    });
    let mut t = Trainer::new(Box::new(model), DivergenceConfig::default());
    let mut clock_ms = 0.0;
    let mut clock = || {
        clock_ms += 1.0;
        clock_ms
    };
    t.throughput_mut().resume(0.0);
    let mut diverged = None;
    for _ in 0..100 {
        let b = t.run_budget(5.0, 1000, &mut clock).unwrap();
        assert!(b.steps >= 1);
        if let Some(d) = b.diverged {
            diverged = Some(d);
            break;
        }
    }
    let d = diverged.expect("the rate-2 run must diverge");
    assert_eq!(d.run, 1);
    assert!(matches!(d.kind, DivergenceKind::LossBlowUp { .. }), "{d:?}");
    // After divergence no more steps are taken.
    let n = t.step_count();
    assert_eq!(t.step().unwrap(), Some(d));
    assert_eq!(t.run_budget(5.0, 10, &mut clock).unwrap().steps, 0);
    assert_eq!(t.step_count(), n);
    // Both runs recorded every step in lockstep.
    let h = t.history();
    assert_eq!(h.series(0, LOSS).unwrap().points.len() as u64, n);
    assert_eq!(h.series(1, LOSS).unwrap().points.len() as u64, n);
    assert_eq!(h.series(1, GRAD_NORM).unwrap().points.len() as u64, n);
    assert_eq!(t.throughput().total_steps(), n);
    // The safe run has decreased its loss monotonically.
    let l0 = &h.series(0, LOSS).unwrap().points;
    assert!(l0.windows(2).all(|p| p[1].value <= p[0].value));
}

#[test]
fn safe_run_converges_and_errors_surface() {
    // One run, w ← w − 0.5·2(w − 3): converges to 3 in one step of exact GD.
    let mut w = 0.0f64;
    let model = FnTrainable::new(1, move || {
        let g = 2.0 * (w - 3.0);
        let loss = (w - 3.0) * (w - 3.0);
        w -= 0.25 * g;
        Ok(vec![StepReport::loss(loss).with_metric("w", w)])
    });
    let mut t = Trainer::new(Box::new(model), DivergenceConfig::default());
    for _ in 0..60 {
        assert_eq!(t.step().unwrap(), None);
    }
    let w_end = t.history().series(0, "w").unwrap().last().unwrap().value;
    assert!((w_end - 3.0).abs() < 1e-12, "{w_end}");
    // A wrong report count is an error, not a panic.
    let bad = FnTrainable::new(2, || Ok(vec![StepReport::loss(1.0)]));
    t.reset(Box::new(bad));
    assert_eq!(t.step_count(), 0);
    assert!(t.history().is_empty());
    assert!(t.step().is_err());
    // An error from the trainable stops a burst and is returned.
    let failing = FnTrainable::new(1, || Err("shape mismatch".to_string()));
    t.reset(Box::new(failing));
    let mut c = 0.0;
    let e = t.run_budget(10.0, 5, &mut || {
        c += 1.0;
        c
    });
    assert_eq!(e, Err("shape mismatch".to_string()));
}

#[test]
fn history_stays_bounded_on_long_runs() {
    let mut h = History::new();
    let n = 200_000u64;
    for step in 1..=n {
        let v = if step == 150_001 { f64::NAN } else { step as f64 };
        h.push(0, LOSS, step, v);
    }
    let s = h.series(0, LOSS).unwrap();
    assert!(s.points.len() <= MAX_POINTS, "{}", s.points.len());
    assert!(s.points.len() > MAX_POINTS / 4, "{}", s.points.len());
    assert_eq!(s.points[0].step, 1);
    assert!(s.points.windows(2).all(|w| w[0].step < w[1].step));
    // Values still belong to their steps, the NaN survived thinning, and the end is recent.
    assert!(s.points.iter().all(|p| p.value.is_nan() || p.value == p.step as f64));
    assert!(s.points.iter().any(|p| p.step == 150_001 && p.value.is_nan()));
    assert!(s.last().unwrap().step > n - 64, "{:?}", s.last());
}

/// A minimal executor for futures that never wait (the async models below resolve at once):
/// polls with a no-op waker.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
    fn raw() -> RawWaker {
        RawWaker::new(std::ptr::null(), &VTABLE)
    }
    static VTABLE: RawWakerVTable = RawWakerVTable::new(|_| raw(), |_| {}, |_| {}, |_| {});
    // SAFETY: the vtable's functions ignore the null data pointer.
    let waker = unsafe { Waker::from_raw(raw()) };
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Gradient descent on f(w) = (w − 3)², stepped through the async contract.
struct AsyncQuadratic {
    w: f64,
    lr: f64,
}

impl AsyncTrainable for AsyncQuadratic {
    fn runs(&self) -> usize {
        1
    }

    fn step(&mut self) -> StepFuture<'_> {
        Box::pin(async move {
            let g = 2.0 * (self.w - 3.0);
            let loss = (self.w - 3.0).powi(2);
            self.w -= self.lr * g;
            Ok(vec![StepReport::loss(loss).with_grad_norm(g.abs()).with_metric("w", self.w)])
        })
    }
}

#[test]
fn recorder_records_async_steps_like_step() {
    // The same model stepped synchronously and through AsyncTrainable + record: same history.
    let mut sync_w = 0.0f64;
    let sync = FnTrainable::new(1, move || {
        let g = 2.0 * (sync_w - 3.0);
        let loss = (sync_w - 3.0).powi(2);
        sync_w -= 0.1 * g;
        Ok(vec![StepReport::loss(loss).with_grad_norm(g.abs()).with_metric("w", sync_w)])
    });
    let mut a = Trainer::new(Box::new(sync), DivergenceConfig::default());
    let mut model = AsyncQuadratic { w: 0.0, lr: 0.1 };
    let mut b = Trainer::recorder(model.runs(), DivergenceConfig::default());
    assert!(b.step().is_err(), "a recorder cannot step by itself");
    assert_eq!(b.step_count(), 0);
    for _ in 0..20 {
        assert_eq!(a.step().unwrap(), None);
        let reports = block_on(model.step()).unwrap();
        assert_eq!(b.record(reports).unwrap(), None);
    }
    assert_eq!(b.step_count(), 20);
    assert_eq!(a.history(), b.history());
    // w after 20 steps of w ← w − 0.2 (w − 3) from 0: 3 − 3·0.8²⁰ (by hand).
    let w = b.history().series(0, "w").unwrap().last().unwrap().value;
    assert!((w - (3.0 - 3.0 * 0.8f64.powi(20))).abs() < 1e-12, "{w}");
    // Wrong report counts are errors; a divergence is kept and stops recording.
    assert!(b.record(vec![]).is_err());
    let d = b.record(vec![StepReport::loss(f64::NAN)]).unwrap().unwrap();
    assert_eq!(d.step, 21);
    // (compared by step: the recorded value is NaN, never equal to itself)
    assert_eq!(b.record(vec![StepReport::loss(1.0)]).unwrap().map(|d| d.step), Some(d.step));
    assert_eq!(b.step_count(), 21);
}
