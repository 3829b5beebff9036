#![cfg(not(target_arch = "wasm32"))]
//! `core::optim` against torch.optim: trajectories replayed step by step (scripted gradients and
//! a 60-step Rosenbrock run per optimizer), LR schedules vs torch.optim.lr_scheduler, clipping
//! vs clip_grad_norm_, the weight EMA vs AveragedModel, and hand-computed cases.
//! Reference: tests/reference/optim_reference.py → tests/reference/optim_cases.rs.

use dlviz::core::optim::{
    clip::global_norm, clip_grad_norm, effective_window, ema_series, Adam, AdamConfig, Ema, Hyper,
    LrSchedule, OptimError, Optimizer, OptimizerKind, OptimizerSpec, RmsProp, RmsPropConfig, Sgd,
    SgdConfig, Warmup, WeightEma,
};

mod cases {
    include!("reference/optim_cases.rs");
}

fn close(got: f32, want: f32, atol: f32, rtol: f32) -> bool {
    (got - want).abs() <= atol + rtol * want.abs()
}

/// The optimizer each reference case names (same hyper-parameters as the script).
fn scripted_opt(name: &str) -> Box<dyn Optimizer> {
    let sgd = |lr, momentum, dampening, nesterov, weight_decay| {
        Box::new(Sgd::new(SgdConfig { lr, momentum, dampening, nesterov, weight_decay }).unwrap())
            as Box<dyn Optimizer>
    };
    let adam = |c: AdamConfig| Box::new(Adam::new(c).unwrap()) as Box<dyn Optimizer>;
    match name {
        "sgd" => sgd(0.1, 0.0, 0.0, false, 0.0),
        "sgd_wd" => sgd(0.1, 0.0, 0.0, false, 0.05),
        "momentum" => sgd(0.05, 0.9, 0.0, false, 0.0),
        "momentum_damp" => sgd(0.05, 0.8, 0.3, false, 0.01),
        "nesterov" => sgd(0.05, 0.9, 0.0, true, 0.0),
        "rmsprop" => {
            Box::new(RmsProp::new(RmsPropConfig { lr: 0.01, ..Default::default() }).unwrap())
        }
        "rmsprop_mom_centered" => Box::new(
            RmsProp::new(RmsPropConfig {
                lr: 0.01,
                alpha: 0.9,
                momentum: 0.5,
                centered: true,
                weight_decay: 0.02,
                ..Default::default()
            })
            .unwrap(),
        ),
        "adam" => adam(AdamConfig { lr: 0.01, ..Default::default() }),
        "adam_wd" => adam(AdamConfig {
            lr: 0.01,
            beta1: 0.8,
            beta2: 0.99,
            weight_decay: 0.1,
            ..Default::default()
        }),
        "adam_amsgrad" => adam(AdamConfig { lr: 0.01, amsgrad: true, ..Default::default() }),
        "adamw" => adam(AdamConfig { lr: 0.01, ..AdamConfig::adamw() }),
        "adamw_wd" => {
            adam(AdamConfig { lr: 0.02, weight_decay: 0.3, eps: 1e-6, ..AdamConfig::adamw() })
        }
        other => panic!("no optimizer for case {other}"),
    }
}

#[test]
fn scripted_gradients_match_torch_step_by_step() {
    assert_eq!(cases::SCRIPTED.len(), 12);
    for (name, traj) in cases::SCRIPTED {
        let mut opt = scripted_opt(name);
        let mut p0 = vec![0.5f32, -1.0, 2.0];
        let mut p1 = vec![0.25f32, -0.75];
        assert_eq!(traj.len(), cases::SCRIPTED_STEPS * 5);
        for t in 1..=cases::SCRIPTED_STEPS {
            let g = |i: usize, n: usize| -> Vec<f32> {
                (0..n)
                    .map(|k| {
                        ((0.37 * t as f64 * (k + 1) as f64 + 1.3 * i as f64).sin() + 0.1 * i as f64)
                            as f32
                    })
                    .collect()
            };
            let (g0, g1) = (g(0, 3), g(1, 2));
            opt.step(&mut [&mut p0, &mut p1], &[&g0, &g1]).unwrap();
            let want = &traj[(t - 1) * 5..t * 5];
            let got = [p0[0], p0[1], p0[2], p1[0], p1[1]];
            for (k, (&g, &w)) in got.iter().zip(want).enumerate() {
                assert!(close(g, w, 1e-6, 1e-5), "{name} step {t} elem {k}: {g} vs torch {w}");
            }
        }
        assert_eq!(opt.steps(), cases::SCRIPTED_STEPS as u64);
    }
}

fn rosen_grad(x: f32, y: f32) -> [f32; 2] {
    // f = (1 − x)² + 100 (y − x²)²
    let r = y - x * x;
    [-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r]
}

#[test]
fn rosenbrock_60_steps_match_torch() {
    let hyper = |lr, weight_decay| Hyper { lr, weight_decay, ..Hyper::default() };
    let specs = [
        ("sgd", OptimizerKind::Sgd, hyper(2e-4, 0.0)),
        ("momentum", OptimizerKind::Momentum, hyper(2e-4, 0.0)),
        ("nesterov", OptimizerKind::Nesterov, hyper(2e-4, 0.0)),
        ("rmsprop", OptimizerKind::RmsProp, hyper(1e-2, 0.0)),
        ("adam", OptimizerKind::Adam, hyper(0.05, 0.0)),
        ("adamw", OptimizerKind::AdamW, hyper(0.05, 0.1)),
    ];
    assert_eq!(cases::ROSEN.len(), specs.len());
    for ((name, traj), (want_name, kind, h)) in cases::ROSEN.iter().zip(specs) {
        assert_eq!(*name, want_name);
        // Built through the URL-facing spec, as a lesson does.
        let mut opt = OptimizerSpec { kind, hyper: h }.build().unwrap();
        let mut p = vec![-1.5f32, 2.0];
        for t in 0..cases::ROSEN_STEPS {
            let g = rosen_grad(p[0], p[1]);
            opt.step(&mut [&mut p], &[&g]).unwrap();
            for k in 0..2 {
                let w = traj[2 * t + k];
                assert!(
                    close(p[k], w, 1e-5, 1e-4),
                    "{name} step {} coord {k}: {} vs {w}",
                    t + 1,
                    p[k]
                );
            }
        }
    }
}

#[test]
fn hand_computed_first_steps() {
    // SGD: θ = 1, g = 2, η = 0.1 → 0.8.
    let mut p = vec![1.0f32];
    let mut sgd = Sgd::new(SgdConfig { lr: 0.1, ..Default::default() }).unwrap();
    sgd.step(&mut [&mut p], &[&[2.0]]).unwrap();
    assert!((p[0] - 0.8).abs() < 1e-7);
    // Momentum μ = 0.9, constant g = 1, η = 1: buffers 1, 1.9, 2.71 → θ = −1, −2.9, −5.61.
    let mut p = vec![0.0f32];
    let mut m = Sgd::new(SgdConfig { lr: 1.0, momentum: 0.9, ..Default::default() }).unwrap();
    for want in [-1.0, -2.9, -5.61] {
        m.step(&mut [&mut p], &[&[1.0]]).unwrap();
        assert!((p[0] - want).abs() < 1e-5, "{} vs {want}", p[0]);
    }
    // Adam's first step is −η·sign(g) (up to ε): bias correction makes m̂ = g, v̂ = g².
    let mut p = vec![0.0f32, 0.0];
    let mut a = Adam::new(AdamConfig { lr: 0.1, ..Default::default() }).unwrap();
    a.step(&mut [&mut p], &[&[3.0, -0.02]]).unwrap();
    assert!((p[0] + 0.1).abs() < 1e-6 && (p[1] - 0.1).abs() < 1e-5, "{p:?}");
    // AdamW with a zero gradient only decays: θ(1 − ηλ) = 2·(1 − 0.1·0.5) = 1.9.
    let mut p = vec![2.0f32];
    let mut w =
        Adam::new(AdamConfig { lr: 0.1, weight_decay: 0.5, ..AdamConfig::adamw() }).unwrap();
    w.step(&mut [&mut p], &[&[0.0]]).unwrap();
    assert!((p[0] - 1.9).abs() < 1e-6);
}

#[test]
fn shape_errors_change_nothing() {
    let mut opt =
        OptimizerSpec { kind: OptimizerKind::Adam, hyper: Hyper::default() }.build().unwrap();
    let mut a = vec![1.0f32, 2.0];
    let mut b = vec![3.0f32];
    assert_eq!(
        opt.step(&mut [&mut a, &mut b], &[&[0.1, 0.1]]),
        Err(OptimError::CountMismatch { params: 2, grads: 1 })
    );
    assert!(matches!(
        opt.step(&mut [&mut a, &mut b], &[&[0.1, 0.1], &[0.1, 0.2]]),
        Err(OptimError::LengthMismatch { index: 1, param: 1, grad: 2 })
    ));
    assert_eq!((a.as_slice(), b.as_slice(), opt.steps()), (&[1.0, 2.0][..], &[3.0][..], 0));
    opt.step(&mut [&mut a, &mut b], &[&[0.1, 0.1], &[0.1]]).unwrap();
    let (a1, b1) = (a.clone(), b.clone());
    let mut longer = vec![0.0f32; 3];
    assert!(matches!(
        opt.step(&mut [&mut longer, &mut b], &[&[0.0; 3], &[0.1]]),
        Err(OptimError::StateMismatch { index: 0, state: 2, param: 3 })
    ));
    assert_eq!((a, b.clone()), (a1, b1));
    // After a reset the new shape is accepted.
    opt.reset();
    assert_eq!(opt.steps(), 0);
    opt.step(&mut [&mut longer, &mut b], &[&[0.0; 3], &[0.1]]).unwrap();
}

#[test]
fn invalid_hyper_parameters_are_errors() {
    assert!(Sgd::new(SgdConfig { lr: -1.0, ..Default::default() }).is_err());
    assert!(Sgd::new(SgdConfig { nesterov: true, ..Default::default() }).is_err());
    assert!(Adam::new(AdamConfig { beta1: 1.0, ..Default::default() }).is_err());
    assert!(Adam::new(AdamConfig { lr: f32::NAN, ..Default::default() }).is_err());
    assert!(RmsProp::new(RmsPropConfig { alpha: 1.5, ..Default::default() }).is_err());
    for kind in OptimizerKind::ALL {
        assert_eq!(OptimizerKind::from_id(kind.id()), Some(kind));
        let mut o = OptimizerSpec { kind, hyper: Hyper::default() }.build().unwrap();
        o.set_lr(0.5).unwrap();
        assert_eq!(o.lr(), 0.5);
        // set_lr checks like the constructors: the error names lr and the rate is kept.
        for bad in [f32::NAN, -0.1, f32::INFINITY] {
            let e = o.set_lr(bad).unwrap_err();
            assert!(matches!(e, OptimError::InvalidHyper { name: "lr", .. }), "{e:?}");
            assert_eq!(o.lr(), 0.5);
        }
    }
    assert_eq!(OptimizerKind::from_id("lbfgs"), None);
}

#[test]
fn schedules_match_torch() {
    let step = LrSchedule::Step { every: 7, gamma: 0.5 };
    for (t, &w) in cases::SCHED_STEP.iter().enumerate() {
        assert!(close(step.lr_at(0.1, t as u64), w as f32, 1e-9, 1e-6), "step t={t}");
    }
    let cos = LrSchedule::Cosine { total: 20, eta_min: 0.001, warmup: None };
    for (t, &w) in cases::SCHED_COSINE.iter().enumerate() {
        assert!(close(cos.lr_at(0.1, t as u64), w as f32, 1e-8, 1e-5), "cosine t={t}");
    }
    // Past the end the rate stays at η_min.
    assert_eq!(cos.lr_at(0.1, 35), 0.001);
    let warm = LrSchedule::Cosine {
        total: 20,
        eta_min: 0.0,
        warmup: Some(Warmup { steps: 5, start_factor: 0.1 }),
    };
    for (t, &w) in cases::SCHED_WARMUP.iter().enumerate() {
        let got = warm.lr_at(0.1, t as u64);
        assert!(close(got, w as f32, 1e-8, 1e-5), "warm-up t={t}: {got} vs {w}");
    }
    assert_eq!(LrSchedule::Constant.lr_at(0.3, 1000), 0.3);
}

#[test]
fn clipping_matches_torch() {
    for &(max_norm, norm, clipped) in cases::CLIP {
        let mut g0 = vec![3.0f32, -4.0, 1.0];
        let mut g1 = vec![2.0f32, 0.5];
        let n = clip_grad_norm(&mut [&mut g0, &mut g1], max_norm).unwrap();
        assert!(close(n, norm, 1e-6, 1e-6), "{n} vs {norm}");
        let got = [g0[0], g0[1], g0[2], g1[0], g1[1]];
        for (g, w) in got.iter().zip(clipped) {
            assert!(close(*g, w, 1e-6, 1e-6), "max_norm {max_norm}: {got:?} vs {clipped:?}");
        }
        assert!(global_norm(&[&g0, &g1]) <= max_norm * (1.0 + 1e-5));
    }
    // A non-finite gradient is reported, not spread.
    let mut g = vec![1.0f32, f32::NAN];
    assert!(clip_grad_norm(&mut [&mut g], 1.0).unwrap().is_nan());
    assert_eq!(g[0], 1.0);
    // A NaN or negative max_norm is refused (naming it) and leaves the gradients alone.
    for bad in [f32::NAN, -1.0] {
        let mut g = vec![3.0f32, 4.0];
        let e = clip_grad_norm(&mut [&mut g], bad).unwrap_err();
        assert!(e.to_string().contains("max_norm"), "{e}");
        assert_eq!(g, [3.0, 4.0]);
    }
    let mut g = vec![3.0f32, 4.0];
    assert_eq!(clip_grad_norm(&mut [&mut g], f32::INFINITY), Ok(5.0));
    assert_eq!(g, [3.0, 4.0]);
}

#[test]
fn series_ema_hand_computed() {
    // β = 0.5 on [2, 4, 4]: raw 1, 2.5, 3.25; corrected 2, 3.333…, 3.714…
    let raw = ema_series(&[2.0, 4.0, 4.0], 0.5, false).unwrap();
    let cor = ema_series(&[2.0, 4.0, 4.0], 0.5, true).unwrap();
    for (g, w) in raw.iter().zip([1.0, 2.5, 3.25]) {
        assert!((g - w).abs() < 1e-6);
    }
    for (g, w) in cor.iter().zip([2.0, 2.5 / 0.75, 3.25 / 0.875]) {
        assert!((g - w).abs() < 1e-6, "{g} vs {w}");
    }
    // A constant series is recovered exactly by the corrected EMA from the first sample.
    let mut e = Ema::new(0.99).unwrap();
    for _ in 0..5 {
        assert!((e.update(7.0) - 7.0).abs() < 1e-4);
    }
    assert!(e.raw() < 0.5);
    assert!((effective_window(0.9) - 10.0).abs() < 1e-5);
    assert_eq!(effective_window(1.0), f32::INFINITY);
    assert!((effective_window(0.99) - 100.0).abs() < 1e-3);
}

#[test]
fn ema_decays_are_checked_alike() {
    // ema_series used to treat β = NaN as 0 and β > 1 as 1 while WeightEma::new refused them.
    for bad in [f32::NAN, 1.5, -0.1, f32::INFINITY] {
        let named = |r: Result<(), OptimError>, name: &str| match r {
            Err(OptimError::InvalidHyper { name: n, .. }) => {
                assert_eq!(n, name);
            }
            other => panic!("β = {bad}: {other:?}"),
        };
        named(Ema::new(bad).map(|_| ()), "beta");
        named(ema_series(&[1.0, 2.0], bad, true).map(|_| ()), "beta");
        named(WeightEma::new(bad).map(|_| ()), "decay");
        let e = ema_series(&[1.0], bad, false).unwrap_err();
        assert!(e.to_string().contains("beta"), "{e}");
    }
    for ok in [0.0, 0.5, 1.0] {
        assert!(Ema::new(ok).is_ok() && WeightEma::new(ok).is_ok());
        assert_eq!(ema_series(&[1.0, 2.0], ok, false).unwrap().len(), 2);
    }
}

#[test]
fn weight_ema_matches_averaged_model_and_swaps() {
    let mut ema = WeightEma::new(0.9).unwrap();
    for t in 0..6 {
        let w = [t as f32, (t as f64).cos() as f32, if t % 2 == 0 { 1.0 } else { -1.0 }];
        ema.update(&[&w]).unwrap();
        for k in 0..3 {
            let want = cases::WEIGHT_EMA[3 * t + k];
            assert!(close(ema.shadow()[0][k], want, 1e-6, 1e-5), "update {t} elem {k}");
        }
    }
    let mut live = vec![10.0f32, 20.0, 30.0];
    let shadow = ema.shadow()[0].clone();
    ema.swap(&mut [&mut live]).unwrap();
    assert_eq!(live, shadow);
    ema.swap(&mut [&mut live]).unwrap();
    assert_eq!(live, vec![10.0, 20.0, 30.0]);
    assert!(ema.update(&[&[1.0, 2.0]]).is_err());
    assert!(WeightEma::new(1.5).is_err());
}
