#![cfg(not(target_arch = "wasm32"))]
//! GPU matrix product and the GPU-resident dense trainer against the CPU path, natively on
//! whatever Vulkan adapter is present (lavapipe on CI).
//!
//! * `gpu::matmul` vs `core::matmul::gemm_reference` on random shapes that cross the 64×64
//!   tiles, with every transpose/accumulate combination.
//! * `gpu::dense::DenseTrainer` vs the CPU training engine (`core::nn` layers on the autograd
//!   tape + `core::optim::Adam`): the same initial weights and batches give the same losses
//!   step by step and the same weights afterwards, for softmax-CE, BCE-with-logits and MSE.
//! * The loss kernel at logits up to ±1e4 against exact values (`tests/reference/logits_large.py`).
//!
//! Without an adapter the tests print `SKIP` and pass, unless `DLVIZ_REQUIRE_GPU=1`.

#[path = "support/dense_parity.rs"]
mod dense_parity;

use dense_parity::close;
use dlviz::core::matmul::{gemm_reference, Gemm};
use dlviz::core::optim::AdamConfig;
use dlviz::core::Rng;
use dlviz::gpu::dense::{Act, DenseLoss, DenseSpec, DenseTrainer};
use dlviz::gpu::{Gpu, GpuError};

fn open(test: &str) -> Option<Gpu> {
    match pollster::block_on(Gpu::open()) {
        Ok(g) => Some(g),
        Err(e) => {
            if std::env::var("DLVIZ_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("{test}: DLVIZ_REQUIRE_GPU=1 but no GPU adapter could be opened: {e}");
            }
            eprintln!("SKIP {test}: no GPU adapter ({e})");
            None
        }
    }
}

#[test]
fn matmul_matches_reference_across_tiles_and_layouts() {
    let Some(gpu) = open("matmul_matches_reference_across_tiles_and_layouts") else { return };
    let mut rng = Rng::new(5);
    let mut shapes = vec![(1, 1, 1), (64, 64, 64), (65, 17, 130), (128, 784, 10), (3, 200, 70)];
    for _ in 0..16 {
        shapes.push((
            1 + rng.below(150) as usize,
            1 + rng.below(150) as usize,
            1 + rng.below(150) as usize,
        ));
    }
    for (case, &(m, k, n)) in shapes.iter().enumerate() {
        let mut g = Gemm::new(m, k, n);
        g.a_trans = case % 2 == 1;
        g.b_trans = case % 4 >= 2;
        g.accumulate = case % 3 == 2;
        let a: Vec<f32> = (0..m * k).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let b: Vec<f32> = (0..k * n).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let c0: Vec<f32> = (0..m * n).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let mut want = c0.clone();
        gemm_reference(g, &a, &b, &mut want).unwrap();
        let got = pollster::block_on(gpu.matmul(g, &a, &b, Some(&c0))).unwrap();
        for (i, (x, y)) in got.iter().zip(&want).enumerate() {
            // Sums of k products of values in [−1, 1]: allow f32 rounding growing with k.
            assert!(close(*x, *y, 1e-5 * k as f32, 1e-4), "{g:?} element {i}: gpu {x} vs cpu {y}");
        }
    }
}

#[test]
fn matmul_rejects_wrong_lengths() {
    let Some(gpu) = open("matmul_rejects_wrong_lengths") else { return };
    let r = pollster::block_on(gpu.matmul(Gemm::new(2, 3, 2), &[0.0; 5], &[0.0; 6], None));
    assert!(matches!(r, Err(GpuError::Shape(_))), "{r:?}");
}

/// The three loss/activation/optimizer combinations the parity covers.
fn parity_cases() -> [(DenseLoss, Act, AdamConfig); 3] {
    [
        (
            DenseLoss::SoftmaxCrossEntropy,
            Act::Relu,
            AdamConfig { lr: 1e-2, ..AdamConfig::default() },
        ),
        (DenseLoss::BceWithLogits, Act::Sigmoid, AdamConfig { lr: 5e-3, ..AdamConfig::adamw() }),
        (
            DenseLoss::Mse,
            Act::Tanh,
            AdamConfig { lr: 1e-2, weight_decay: 1e-3, ..AdamConfig::default() },
        ),
    ]
}

#[test]
fn dense_trainer_matches_engine_step_by_step() {
    let Some(gpu) = open("dense_trainer_matches_engine_step_by_step") else { return };
    for (loss, act, adam) in parity_cases() {
        pollster::block_on(dense_parity::parity(&gpu, loss, act, adam));
    }
}

#[test]
fn dense_trainer_refuses_bad_input_without_panicking() {
    let Some(gpu) = open("dense_trainer_refuses_bad_input_without_panicking") else { return };
    let spec = DenseSpec {
        dims: vec![4, 3],
        hidden: Act::Relu,
        output: Act::Identity,
        loss: DenseLoss::SoftmaxCrossEntropy,
        batch: 2,
        adam: AdamConfig::default(),
    };
    let params = vec![(vec![0.1; 12], vec![0.0; 3])];
    assert!(pollster::block_on(DenseTrainer::new(&gpu, spec.clone(), &[])).is_err());
    let bad_dims = DenseSpec { dims: vec![4], ..spec.clone() };
    assert!(pollster::block_on(DenseTrainer::new(&gpu, bad_dims, &params)).is_err());
    let mut t = pollster::block_on(DenseTrainer::new(&gpu, spec, &params)).unwrap();
    assert!(pollster::block_on(t.step(&gpu, &[0.0; 7], &[0.0, 1.0])).is_err(), "short batch");
    assert!(
        pollster::block_on(t.step(&gpu, &[0.0; 8], &[0.0, 3.0])).is_err(),
        "class out of range"
    );
    assert!(pollster::block_on(t.step(&gpu, &[0.0; 8], &[0.0, f32::NAN])).is_err(), "NaN class");
    assert_eq!(t.steps(), 0);
    // A valid step still works afterwards: loss of uniform logits over 3 classes is ln 3.
    let loss = pollster::block_on(t.step(&gpu, &[0.0; 8], &[0.0, 2.0])).unwrap();
    assert!(close(loss, 3f32.ln(), 1e-6, 1e-6), "{loss}");
}

#[test]
fn compute_matmul_runs_where_the_decision_says_and_agrees() {
    use dlviz::compute::{BackendKind, Compute, Preference};
    let Some(gpu) = open("compute_matmul_runs_where_the_decision_says_and_agrees") else { return };
    let software = gpu.info().is_software();
    let g = Gemm::new(70, 90, 33).b_t();
    let mut rng = Rng::new(9);
    let a: Vec<f32> = (0..70 * 90).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
    let b: Vec<f32> = (0..90 * 33).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
    let mut want = vec![0.0; 70 * 33];
    gemm_reference(g, &a, &b, &mut want).unwrap();

    let forced = Compute::new(Preference::WebGpu);
    forced.set_gpu(Ok(gpu));
    let (got, kind) = pollster::block_on(forced.matmul(g, &a, &b, None)).unwrap();
    assert_eq!(kind, BackendKind::WebGpu);
    for (x, y) in got.iter().zip(&want) {
        assert!(close(*x, *y, 1e-4, 1e-4), "gpu {x} vs {y}");
    }
    // Wrong lengths are an error on every backend, not a panic.
    assert!(pollster::block_on(forced.matmul(g, &a[1..], &b, None)).is_err());

    let Some(gpu2) = open("compute_matmul (auto)") else { return };
    let auto = Compute::new(Preference::Auto);
    auto.set_gpu(Ok(gpu2));
    let (got, kind) = pollster::block_on(auto.matmul(g, &a, &b, None)).unwrap();
    if software {
        assert_eq!(kind, BackendKind::Cpu, "a software adapter is never chosen automatically");
    }
    for (x, y) in got.iter().zip(&want) {
        assert!(close(*x, *y, 1e-4, 1e-4), "{kind:?} {x} vs {y}");
    }
}

#[test]
fn dense_backend_choice_and_fallback() {
    use dlviz::compute::dense::{choose_dense, init_params, measure_dense, DenseCpu, DenseRun};
    use dlviz::compute::{BackendKind, Preference, Reason};
    let Some(gpu) = open("dense_backend_choice_and_fallback") else { return };
    let spec = DenseSpec {
        dims: vec![10, 8, 3],
        hidden: Act::Relu,
        output: Act::Identity,
        loss: DenseLoss::SoftmaxCrossEntropy,
        batch: 4,
        adam: AdamConfig::default(),
    };
    // The CPU twin refuses inconsistent specs and batches with errors, not panics.
    let params = init_params(&spec, 1);
    assert!(DenseCpu::new(spec.clone(), &params[..1]).is_err());
    let mut cpu = DenseCpu::new(spec.clone(), &params).unwrap();
    assert!(cpu.step(&[0.0; 39], &[0.0; 4]).is_err());
    assert!(cpu.step(&[0.0; 40], &[0.0, 1.0, 2.0, 3.0]).is_err(), "class 3 of 3");
    assert_eq!(cpu.steps(), 0);

    // Measured timings are real numbers on both sides.
    let t = pollster::block_on(measure_dense(&gpu, &spec, 3)).unwrap();
    assert!(t.cpu_ms.is_finite() && t.gpu_ms.is_finite() && t.cpu_ms >= 0.0, "{t:?}");

    // The rule: forced choices are obeyed, software adapters are never picked automatically.
    let (d, _) = pollster::block_on(choose_dense(Preference::Cpu, Some(&gpu), &spec));
    assert_eq!(d.backend, BackendKind::Cpu);
    let (d, _) = pollster::block_on(choose_dense(Preference::WebGpu, Some(&gpu), &spec));
    assert_eq!((d.backend, d.reason), (BackendKind::WebGpu, Reason::ForcedGpu));
    let (d, timings) = pollster::block_on(choose_dense(Preference::Auto, Some(&gpu), &spec));
    if gpu.info().is_software() {
        assert_eq!(
            (d.backend, d.reason, timings),
            (BackendKind::Cpu, Reason::SoftwareAdapter, None)
        );
    }
    let (d, _) = pollster::block_on(choose_dense(Preference::Auto, None, &spec));
    assert_eq!(d.backend, BackendKind::Cpu);

    // A GPU run that loses its GPU continues on the CPU from the GPU's weights.
    let (mut run, err) =
        pollster::block_on(DenseRun::start(BackendKind::WebGpu, Some(&gpu), spec.clone(), &params))
            .unwrap();
    assert!(err.is_none());
    assert_eq!(run.backend(), BackendKind::WebGpu);
    let mut rng = Rng::new(4);
    let x: Vec<f32> = (0..40).map(|_| rng.normal()).collect();
    let t = [0.0, 1.0, 2.0, 1.0];
    let mut twin = DenseCpu::new(spec.clone(), &params).unwrap();
    for _ in 0..3 {
        let g = pollster::block_on(run.step(Some(&gpu), &x, &t)).unwrap();
        let c = twin.step(&x, &t).unwrap();
        assert!(close(g, c, 1e-5, 1e-4), "gpu {g} vs cpu {c}");
    }
    assert!(pollster::block_on(run.step(Some(&gpu), &x[1..], &t)).is_err(), "bad batch");
    assert_eq!(run.backend(), BackendKind::WebGpu, "a bad batch is not a GPU failure");
    let lost = pollster::block_on(run.step(None, &x, &t));
    assert!(lost.is_err());
    assert_eq!(run.backend(), BackendKind::Cpu);
    let after = pollster::block_on(run.step(None, &x, &t)).unwrap();
    let c = twin.step(&x, &t).unwrap();
    // Same weights (Adam's moments restart, so only the loss before this update must agree).
    assert!(close(after, c, 1e-5, 1e-4), "continued on the CPU: {after} vs {c}");
}

#[allow(dead_code)]
mod large {
    include!("reference/logits_large_cases.rs");
}

#[test]
fn losses_at_large_logits_match_exact_values() {
    // One identity layer d₀ = 1 → K with x = 1 and b = 0, so the logits are the weights: a batch
    // of K rows (one per target class) at |z| up to 1e4. Exact values: tests/reference/logits_large.py.
    let Some(gpu) = open("losses_at_large_logits_match_exact_values") else { return };
    let spec = |k: usize, loss, batch| DenseSpec {
        dims: vec![1, k],
        hidden: Act::Identity,
        output: Act::Identity,
        loss,
        batch,
        adam: AdamConfig::default(),
    };
    for case in large::LARGE.iter().filter(|c| c.t == 1.0 && c.z.len() <= 10) {
        let k = case.z.len();
        let params = vec![(case.z.to_vec(), vec![0.0; k])];
        let s = spec(k, DenseLoss::SoftmaxCrossEntropy, k);
        let mut t = pollster::block_on(DenseTrainer::new(&gpu, s, &params)).unwrap();
        let targets: Vec<f32> = (0..k).map(|c| c as f32).collect();
        let loss = pollster::block_on(t.step(&gpu, &vec![1.0; k], &targets)).unwrap();
        let want = case.ce.iter().sum::<f64>() / k as f64;
        // The GPU's exp and log are less exact than libm's: 1e-6 absolute besides 1e-5 relative.
        assert!(close(loss, want as f32, 1e-6, 1e-5), "CE {:?}: {loss} vs {want}", case.z);
    }
    let xs: Vec<f32> = large::BCE_LARGE.iter().map(|c| c.0).collect();
    let ys: Vec<f32> = large::BCE_LARGE.iter().map(|c| c.1).collect();
    let n = xs.len();
    let params = vec![(xs, vec![0.0; n])];
    let mut t =
        pollster::block_on(DenseTrainer::new(&gpu, spec(n, DenseLoss::BceWithLogits, 1), &params))
            .unwrap();
    let loss = pollster::block_on(t.step(&gpu, &[1.0], &ys)).unwrap();
    let want = large::BCE_LARGE.iter().map(|c| c.2).sum::<f64>() / n as f64;
    assert!(close(loss, want as f32, 1e-6, 1e-5), "BCE: {loss} vs {want}");
}
