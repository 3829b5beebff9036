#![cfg(not(target_arch = "wasm32"))]
//! Native GPU tests on whatever Vulkan adapter is present (lavapipe on CI: a software
//! adapter, which proves correctness, not speed).
//!
//! Without any adapter every test prints a `SKIP` line and passes, unless the environment
//! sets `DLVIZ_REQUIRE_GPU=1` (CI does), in which case the missing GPU is a failure.
//!
//! Run: `cargo test --test native_gpu gpu_native::` (add `-- --ignored --nocapture` for the timings).

use dlviz::compute::{self, BackendKind, Compute, Preference, Reason, Workload};
use dlviz::core::{Conv2dParams, ConvError, Rng, Tensor};
use dlviz::gpu::{Caps, DeviceKind, Gpu, GpuError};

const ATOL: f32 = 1e-5;
const RTOL: f32 = 1e-4;

/// Opens the GPU, or explains the skip (or fails when `DLVIZ_REQUIRE_GPU=1`).
fn open(test: &str) -> Option<Gpu> {
    match pollster::block_on(Gpu::open()) {
        Ok(g) => Some(g),
        Err(e) => {
            if std::env::var("DLVIZ_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("{test}: DLVIZ_REQUIRE_GPU=1 but no GPU adapter could be opened: {e}");
            }
            eprintln!("SKIP {test}: no GPU adapter could be opened ({e}); set DLVIZ_REQUIRE_GPU=1 to fail instead");
            None
        }
    }
}

fn random(rng: &mut Rng, shape: Vec<usize>, lo: f32, hi: f32) -> Tensor {
    Tensor::from_fn(shape, |_| rng.uniform_in(lo, hi))
}

fn assert_close(gpu: &Tensor, cpu: &Tensor, what: &str) {
    assert_eq!(gpu.shape(), cpu.shape(), "{what}: shapes");
    for (k, (g, c)) in gpu.data().iter().zip(cpu.data()).enumerate() {
        assert!((g - c).abs() <= ATOL + RTOL * c.abs(), "{what}: element {k}: gpu {g} vs cpu {c}");
    }
}

#[test]
fn conv2d_matches_hand_computed_values() {
    let Some(gpu) = open("conv2d_matches_hand_computed_values") else { return };
    // x = 1..9 as a 3×3 image, 2×2 kernel of ones, bias 0.5:
    // windows sum to 1+2+4+5=12, 2+3+5+6=16, 4+5+7+8=24, 5+6+8+9=28.
    let x = Tensor::new(vec![1, 1, 3, 3], (1..=9).map(|v| v as f32).collect()).unwrap();
    let w = Tensor::new(vec![1, 1, 2, 2], vec![1.0; 4]).unwrap();
    let y = pollster::block_on(gpu.conv2d(&x, &w, Some(&[0.5]), Conv2dParams::default(), false))
        .unwrap();
    assert_eq!(y.shape(), &[1, 1, 2, 2]);
    assert_eq!(y.data(), &[12.5, 16.5, 24.5, 28.5]);

    // Stride 2, padding 1, dilation 2 on the same image, kernel [[1, -1], [0, 2]]:
    // output 2×2 (⌊(3+2−2−1)/2⌋+1 = 2). Window (i, j) reads x at rows 2i−1, 2i+1 and
    // columns 2j−1, 2j+1 (outside → 0):
    //   (0,0): 1·0 − 1·0 + 0·0 + 2·x[1][1]=2·5  = 10
    //   (0,1): 1·0 − 1·0 + 0·x[1][1] + 2·x[1][3]→0 = 0
    //   (1,0): 1·0 − 1·x[1][1]=−5 + 0 + 2·0 = −5
    //   (1,1): 1·x[1][1]=5 − 1·0 + 0 + 0 = 5
    let w2 = Tensor::new(vec![1, 1, 2, 2], vec![1.0, -1.0, 0.0, 2.0]).unwrap();
    let p = Conv2dParams { stride: 2, padding: 1, dilation: 2 };
    let y2 = pollster::block_on(gpu.conv2d(&x, &w2, None, p, false)).unwrap();
    assert_eq!(y2.data(), &[10.0, 0.0, -5.0, 5.0]);
    let y3 = pollster::block_on(gpu.conv2d(&x, &w2, None, p, true)).unwrap();
    assert_eq!(y3.data(), &[10.0, 0.0, 0.0, 5.0], "fused ReLU");
}

#[test]
fn conv2d_parity_on_random_shapes() {
    let Some(gpu) = open("conv2d_parity_on_random_shapes") else { return };
    let mut rng = Rng::new(20_26_11_30);
    let mut checked = 0;
    let mut attempts = 0;
    while checked < 60 {
        attempts += 1;
        assert!(attempts < 10_000, "could not draw enough valid shapes");
        let n = 1 + rng.below(3) as usize;
        let c = 1 + rng.below(4) as usize;
        let f = 1 + rng.below(5) as usize;
        let h = 1 + rng.below(20) as usize;
        let w = 1 + rng.below(20) as usize;
        let kh = 1 + rng.below(5) as usize;
        let kw = 1 + rng.below(5) as usize;
        let p = Conv2dParams {
            stride: 1 + rng.below(3) as usize,
            padding: rng.below(3) as usize,
            dilation: 1 + rng.below(3) as usize,
        };
        let relu = rng.below(2) == 1;
        let x = random(&mut rng, vec![n, c, h, w], -1.0, 1.0);
        let k = random(&mut rng, vec![f, c, kh, kw], -1.0, 1.0);
        let bias: Option<Vec<f32>> =
            (rng.below(2) == 1).then(|| (0..f).map(|_| rng.uniform_in(-1.0, 1.0)).collect());
        let cpu = compute::cpu_conv2d(&x, &k, bias.as_deref(), p, relu);
        let g = pollster::block_on(gpu.conv2d(&x, &k, bias.as_deref(), p, relu));
        match cpu {
            Err(e) => {
                // Invalid geometry: the GPU path reports the same error, without touching the GPU.
                assert_eq!(g, Err(GpuError::Shape(e)));
            }
            Ok(cpu) => {
                let what = format!(
                    "x{:?} w{:?} {p:?} relu={relu} bias={}",
                    x.shape(),
                    k.shape(),
                    bias.is_some()
                );
                assert_close(&g.unwrap(), &cpu, &what);
                checked += 1;
            }
        }
    }
}

#[test]
fn conv2d_splits_dispatches_and_batch_chunks() {
    let Some(mut gpu) = open("conv2d_splits_dispatches_and_batch_chunks") else { return };
    let mut rng = Rng::new(7);
    // 5 images of 2×9×9, 3 filters 3×3 → output maps of 3·7·7 = 147 floats (588 bytes).
    let x = random(&mut rng, vec![5, 2, 9, 9], -1.0, 1.0);
    let k = random(&mut rng, vec![3, 2, 3, 3], -1.0, 1.0);
    let b = vec![0.1, -0.2, 0.3];
    let p = Conv2dParams::default();
    let cpu = compute::cpu_conv2d(&x, &k, Some(&b), p, true).unwrap();
    // 1 workgroup (64 outputs) per dispatch and 2 images per chunk (input 648 bytes/image).
    gpu.set_caps(Caps { max_groups_per_dispatch: Some(1), max_binding_bytes: Some(1400) });
    let y = pollster::block_on(gpu.conv2d(&x, &k, Some(&b), p, true)).unwrap();
    assert_close(&y, &cpu, "split conv2d");
    // One image larger than a binding: a clear error, not a panic.
    gpu.set_caps(Caps { max_groups_per_dispatch: None, max_binding_bytes: Some(256) });
    match pollster::block_on(gpu.conv2d(&x, &k, Some(&b), p, true)) {
        Err(GpuError::TooLarge { limit: 256, .. }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn relu_matches_cpu() {
    let Some(mut gpu) = open("relu_matches_cpu") else { return };
    let mut rng = Rng::new(3);
    let x = random(&mut rng, vec![3, 5, 7, 11], -2.0, 2.0);
    let mut want = x.clone();
    dlviz::core::activation::relu_inplace(want.data_mut());
    let y = pollster::block_on(gpu.relu(&x)).unwrap();
    assert_eq!(y, want);
    gpu.set_caps(Caps { max_groups_per_dispatch: Some(2), max_binding_bytes: Some(1000) });
    let y = pollster::block_on(gpu.relu(&x)).unwrap();
    assert_eq!(y, want, "split relu");
    let empty = Tensor::zeros(vec![0, 3]);
    assert_eq!(pollster::block_on(gpu.relu(&empty)).unwrap(), empty);
}

#[test]
fn lavapipe_is_classified_as_software_and_never_auto_selected() {
    let Some(gpu) = open("lavapipe_is_classified_as_software_and_never_auto_selected") else {
        return;
    };
    let info = gpu.info().clone();
    eprintln!("adapter: {info:?}");
    let name = info.name.to_ascii_lowercase();
    if name.contains("llvmpipe") || name.contains("lavapipe") {
        assert!(info.is_software(), "llvmpipe must be classified as software: {info:?}");
        assert_eq!(info.kind, DeviceKind::Cpu);
    }
    let compute = Compute::new(Preference::Auto);
    compute.set_gpu(Ok(gpu));
    pollster::block_on(compute.calibrate());
    let status = compute.status();
    if info.is_software() {
        assert_eq!(status.active, BackendKind::Cpu);
        assert_eq!(status.reason, Reason::SoftwareAdapter);
        assert_eq!(status.timings, None, "software adapters are not even calibrated");
    } else {
        assert!(status.timings.is_some(), "hardware adapters are calibrated: {status:?}");
    }
    let w = Workload::standard();
    let (_, ran) =
        pollster::block_on(compute.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true))
            .unwrap();
    assert_eq!(ran, status.active);
}

#[test]
fn forced_webgpu_runs_on_the_gpu() {
    let Some(gpu) = open("forced_webgpu_runs_on_the_gpu") else { return };
    let compute = Compute::new(Preference::WebGpu);
    compute.set_gpu(Ok(gpu));
    assert_eq!(compute.status().reason, Reason::ForcedGpu);
    let w = Workload::sized(2, 3, 16, 4, 3);
    let (y, ran) =
        pollster::block_on(compute.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, false))
            .unwrap();
    assert_eq!(ran, BackendKind::WebGpu);
    let cpu = compute::cpu_conv2d(&w.input, &w.weight, Some(&w.bias), w.params, false).unwrap();
    assert_close(&y, &cpu, "forced GPU");
    let (r, ran) = pollster::block_on(compute.relu(&cpu));
    assert_eq!(ran, BackendKind::WebGpu);
    assert!(r.data().iter().all(|v| *v >= 0.0));
    // Bad shapes are reported, not computed.
    let bad = Tensor::zeros(vec![4, 2, 3, 3]);
    let err =
        pollster::block_on(compute.conv2d(&w.input, &bad, None, w.params, false)).unwrap_err();
    assert!(matches!(err, compute::ComputeError::Conv(ConvError::Shape(_))), "{err:?}");
}

#[test]
fn device_loss_falls_back_to_cpu_with_a_notice() {
    let Some(gpu) = open("device_loss_falls_back_to_cpu_with_a_notice") else { return };
    let compute = Compute::new(Preference::WebGpu);
    compute.set_gpu(Ok(gpu));
    let w = Workload::sized(1, 2, 12, 3, 3);
    let cpu = compute::cpu_conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true).unwrap();
    let (_, ran) =
        pollster::block_on(compute.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true))
            .unwrap();
    assert_eq!(ran, BackendKind::WebGpu);
    compute.gpu().unwrap().ctx.destroy();
    let (y, ran) =
        pollster::block_on(compute.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true))
            .unwrap();
    assert_eq!(ran, BackendKind::Cpu, "after the loss the CPU computes");
    assert_eq!(y, cpu);
    let s = compute.status();
    assert!(s.notice.is_some(), "a fallback notice is recorded: {s:?}");
    assert!(matches!(s.reason, Reason::Unavailable(_)), "the lost GPU is retired: {s:?}");
    assert_eq!(s.active, BackendKind::Cpu);
}

#[test]
fn failed_init_falls_back_to_cpu() {
    // No device needed: inject the failure.
    let compute = Compute::new(Preference::WebGpu);
    compute.set_gpu(Err(GpuError::NoAdapter("injected by the test".into())));
    let w = Workload::sized(1, 1, 8, 2, 3);
    let (y, ran) =
        pollster::block_on(compute.conv2d(&w.input, &w.weight, None, w.params, false)).unwrap();
    assert_eq!(ran, BackendKind::Cpu);
    assert_eq!(y, compute::cpu_conv2d(&w.input, &w.weight, None, w.params, false).unwrap());
    assert!(
        matches!(compute.status().reason, Reason::Unavailable(ref m) if m.contains("injected"))
    );
}

/// `compute::measure_round_trip`: a 1×1×1 product, checked, then timed — the fixed cost
/// `compute::worth_gpu` weighs every product against.
#[test]
fn round_trip_is_measured() {
    let Some(gpu) = open("round_trip_is_measured") else { return };
    let rt = pollster::block_on(compute::measure_round_trip(&gpu, 5)).unwrap();
    eprintln!("round trip on {}: {rt:.3} ms", gpu.info().label());
    assert!(rt.is_finite() && rt > 0.0, "{rt}");
}

/// Timings CPU vs GPU (medians, GPU including upload and readback) and the round trip of a
/// tiny dispatch. `cargo test --release --test gpu_native -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_cpu_vs_gpu() {
    let Some(gpu) = open("bench_cpu_vs_gpu") else { return };
    eprintln!("adapter: {} ({:?})", gpu.info().label(), gpu.info().kind);
    let tiny = Workload::sized(1, 1, 4, 1, 3);
    let t = pollster::block_on(compute::measure(&gpu, &tiny, 21)).unwrap();
    eprintln!(
        "round trip, 1x1x4x4 conv 3x3: cpu {:.3} ms, gpu {:.3} ms (upload+dispatch+readback)",
        t.cpu_ms, t.gpu_ms
    );
    for (n, c, hw, f, k) in [(1, 4, 64, 8, 3), (1, 16, 128, 32, 3), (4, 32, 64, 64, 3)] {
        let w = Workload::sized(n, c, hw, f, k);
        let t = pollster::block_on(compute::measure(&gpu, &w, 5)).unwrap();
        eprintln!(
            "conv ({n},{c},{hw},{hw}) * ({f},{c},{k},{k}): cpu {:.2} ms, gpu {:.2} ms, ratio cpu/gpu {:.2}",
            t.cpu_ms,
            t.gpu_ms,
            t.cpu_ms / t.gpu_ms
        );
    }
}
