#![cfg(all(target_os = "linux", target_arch = "x86_64"))]
//! Native timings for iterating on the CPU kernels (ignored by default; the figures that count
//! come from the browser benchmark, tests/web_bench.rs). Run with
//! `cargo test --release --test core_perf -- --ignored --nocapture`.

use dlviz::core::activation::relu_inplace;
use dlviz::core::colormap::{Colormap, ValueRange};
use dlviz::core::conv::{conv2d, Conv2dParams};
use dlviz::core::{Rng, Tensor};
use std::time::Instant;

fn random(shape: Vec<usize>, seed: u64) -> Tensor {
    let mut r = Rng::new(seed);
    Tensor::from_fn(shape, |_| r.uniform_in(-1.0, 1.0))
}

#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
}

/// CPU time of this thread in ms (Linux `CLOCK_THREAD_CPUTIME_ID`), so that the figures
/// survive a machine shared with other builds; wall time if the call fails.
fn cpu_ms(start: Instant) -> f64 {
    let mut ts = Timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; clock id 3 = CLOCK_THREAD_CPUTIME_ID on Linux.
    if unsafe { clock_gettime(3, &mut ts) } == 0 {
        ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
    } else {
        start.elapsed().as_secs_f64() * 1e3
    }
}

/// Median and 10th percentile of `reps` runs of `f`, in milliseconds of CPU time.
fn time(reps: usize, mut f: impl FnMut()) -> (f64, f64) {
    f();
    let mut t: Vec<f64> = (0..reps)
        .map(|_| {
            let origin = Instant::now();
            let s = cpu_ms(origin);
            f();
            cpu_ms(origin) - s
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[reps / 2], t[reps / 10])
}

#[test]
#[ignore]
fn conv_timings() {
    let same = Conv2dParams { stride: 1, padding: 1, dilation: 1 };
    let cases: [(&str, [usize; 4], usize); 5] = [
        ("1x3x512x512 -> 8 (re-render conv)", [1, 3, 512, 512], 8),
        ("1x16x256x256 -> 16", [1, 16, 256, 256], 16),
        ("1x64x64x64 -> 64", [1, 64, 64, 64], 64),
        ("1x1x256x256 -> 64", [1, 1, 256, 256], 64),
        ("32x1x28x28 -> 32", [32, 1, 28, 28], 32),
    ];
    for (name, s, f) in cases {
        let x = random(s.to_vec(), 1);
        let w = random(vec![f, s[1], 3, 3], 2);
        let b = vec![0.1; f];
        let (med, p10) = time(15, || {
            std::hint::black_box(conv2d(&x, &w, Some(&b), same).ok());
        });
        let flops = 2.0 * (s[0] * f * s[2] * s[3] * s[1] * 9) as f64;
        println!("{name}: median {med:.2} ms, p10 {p10:.2} ms, {:.1} GFLOP/s", flops / med / 1e6);
    }
    let x = random(vec![1, 3, 512, 512], 1);
    let w = random(vec![8, 3, 3, 3], 2);
    let mut rgba = vec![0u8; 8 * 512 * 512 * 4];
    let (med, p10) = time(15, || {
        if let Ok(mut y) = conv2d(&x, &w, None, same) {
            relu_inplace(y.data_mut());
            for (plane, out) in y.data().chunks(512 * 512).zip(rgba.chunks_mut(512 * 512 * 4)) {
                let r = ValueRange::symmetric_of(plane);
                Colormap::Diverging.to_rgba(plane, r, out).ok();
            }
        }
    });
    println!("re-render (conv + relu + colormap): median {med:.2} ms, p10 {p10:.2} ms");
    let y = conv2d(&x, &w, None, same).unwrap();
    let (med, p10) = time(15, || {
        for (plane, out) in y.data().chunks(512 * 512).zip(rgba.chunks_mut(512 * 512 * 4)) {
            let r = ValueRange::symmetric_of(plane);
            Colormap::Diverging.to_rgba(plane, r, out).ok();
        }
    });
    println!("colormap of 8 planes: median {med:.2} ms, p10 {p10:.2} ms");
}

#[test]
#[ignore]
fn gemm_timings() {
    use dlviz::core::matmul::{gemm, Gemm};
    // The benchmark's matmul cases plus the transposed products of a dense layer's backward pass.
    let cases: [(usize, usize, usize, bool, bool); 7] = [
        (64, 64, 64, false, false),
        (256, 256, 256, false, false),
        (512, 512, 512, false, false),
        (1024, 1024, 1024, false, false),
        (128, 784, 256, false, false),
        (128, 256, 784, false, true), // ∂X = ∂Y·Wᵀ
        (784, 128, 256, true, false), // ∂W = Xᵀ·∂Y
    ];
    for (m, k, n, at, bt) in cases {
        let mut r = Rng::new(3);
        let a: Vec<f32> = (0..m * k).map(|_| r.uniform_in(-1.0, 1.0)).collect();
        let b: Vec<f32> = (0..k * n).map(|_| r.uniform_in(-1.0, 1.0)).collect();
        let mut c = vec![0.0f32; m * n];
        let mut g = Gemm::new(m, k, n);
        g.a_trans = at;
        g.b_trans = bt;
        let reps = if m * n * k > 100_000_000 { 5 } else { 25 };
        let (med, p10) = time(reps, || {
            gemm(g, &a, &b, &mut c).ok();
            std::hint::black_box(&c);
        });
        let flops = 2.0 * (m * n * k) as f64;
        println!(
            "gemm {m}x{k}x{n} (aT {at}, bT {bt}): median {med:.3} ms, p10 {p10:.3} ms, {:.1} GFLOP/s",
            flops / med / 1e6
        );
    }
}
