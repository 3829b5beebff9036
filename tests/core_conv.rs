#![cfg(not(target_arch = "wasm32"))]
//! Convolution against SciPy, hand-checked cases, and properties (identity, linearity, shapes,
//! fast path == reference, errors instead of panics).

use dlviz::core::conv::{conv2d, conv2d_reference, output_size, Conv2dParams, ConvError};
use dlviz::core::{Rng, Tensor};

mod reference {
    include!("reference/conv_cases.rs");
}

fn params(stride: usize, padding: usize, dilation: usize) -> Conv2dParams {
    Conv2dParams { stride, padding, dilation }
}

/// `|a − r| ≤ atol + rtol·|r|` for every element, with a helpful message otherwise.
fn assert_close(got: &[f32], want: &[f64], atol: f64, rtol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &r)) in got.iter().zip(want).enumerate() {
        let err = (g as f64 - r).abs();
        assert!(err <= atol + rtol * r.abs(), "{what}: element {i}: got {g}, want {r}");
    }
}

fn random(shape: Vec<usize>, rng: &mut Rng) -> Tensor {
    Tensor::from_fn(shape, |_| rng.uniform_in(-1.0, 1.0))
}

#[test]
fn matches_scipy() {
    for (ci, case) in reference::CASES.iter().enumerate() {
        let [n, c, h, w] = case.input;
        let [f, _, kh, kw] = case.weight;
        // The same formulas as tests/reference/conv_reference.py, in f32.
        let x = Tensor::from_fn(vec![n, c, h, w], |i| ((i * 7919) % 23) as f32 - 11.0)
            .into_data()
            .into_iter()
            .map(|v| v / 7.0)
            .collect::<Vec<f32>>();
        let x = Tensor::new(vec![n, c, h, w], x).unwrap();
        let k: Vec<f32> =
            (0..f * c * kh * kw).map(|i| (((i * 104729) % 17) as f32 - 8.0) / 5.0).collect();
        let k = Tensor::new(vec![f, c, kh, kw], k).unwrap();
        let b: Vec<f32> = (0..f).map(|i| ((i % 3) as f32 - 1.0) / 4.0).collect();
        let bias = case.bias.then_some(b.as_slice());
        let p = params(case.stride, case.padding, case.dilation);
        for (name, y) in [
            ("conv2d", conv2d(&x, &k, bias, p).unwrap()),
            ("reference", conv2d_reference(&x, &k, bias, p).unwrap()),
        ] {
            assert_eq!(y.shape(), &case.out_shape, "case {ci} {name}: shape");
            assert_close(y.data(), case.expected, 1e-4, 1e-5, &format!("case {ci} {name}"));
        }
    }
}

#[test]
fn hand_checked_cases() {
    // x = [[1,2,3],[4,5,6],[7,8,9]]
    let x = Tensor::from_fn(vec![1, 1, 3, 3], |i| (i + 1) as f32);
    // k = [[1,0],[0,−1]]: y[i,j] = x[i,j] − x[i+1,j+1] = −4 everywhere (1−5, 2−6, 4−8, 5−9).
    let k = Tensor::new(vec![1, 1, 2, 2], vec![1.0, 0.0, 0.0, -1.0]).unwrap();
    let y = conv2d(&x, &k, None, params(1, 0, 1)).unwrap();
    assert_eq!(y.data(), &[-4.0; 4]);

    // 3×3 ones, padding 1: corner 1+2+4+5 = 12, top edge 1+2+3+4+5+6 = 21, centre 45.
    let ones = Tensor::new(vec![1, 1, 3, 3], vec![1.0; 9]).unwrap();
    let y = conv2d(&x, &ones, None, params(1, 1, 1)).unwrap();
    assert_eq!(y.data(), &[12.0, 21.0, 16.0, 27.0, 45.0, 33.0, 24.0, 39.0, 28.0]);

    // Stride 2, padding 1: size ⌊(3+2−3)/2⌋+1 = 2; the four corners of the previous result:
    // 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28.
    let y = conv2d(&x, &ones, None, params(2, 1, 1)).unwrap();
    assert_eq!(y.data(), &[12.0, 16.0, 24.0, 28.0]);

    // Dilation 2, padding 2: size 3+4−5+1 = 3. y[0,0] reads rows/cols −2, 0, 2 → 1+3+7+9 = 20;
    // y[1,1] reads rows/cols −1, 1, 3 → only x[1,1] = 5; y[0,1] reads rows {0,2} × col {1}
    // → 2+8 = 10.
    let y = conv2d(&x, &ones, None, params(1, 2, 2)).unwrap();
    assert_eq!(y.data(), &[20.0, 10.0, 20.0, 10.0, 5.0, 10.0, 20.0, 10.0, 20.0]);

    // Two channels, 1×1 kernel [10, 100], bias 0.5: [1·10+3·100+0.5, 2·10+4·100+0.5].
    let x2 = Tensor::new(vec![1, 2, 1, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    let k2 = Tensor::new(vec![1, 2, 1, 1], vec![10.0, 100.0]).unwrap();
    let y = conv2d(&x2, &k2, Some(&[0.5]), Conv2dParams::default()).unwrap();
    assert_eq!(y.data(), &[310.5, 420.5]);
}

#[test]
fn identity_kernel_returns_input() {
    let mut rng = Rng::new(11);
    for (c, k) in [(1, 3), (3, 3), (2, 5), (4, 7)] {
        let x = random(vec![2, c, 13, 17], &mut rng);
        // Filter o copies channel o: w[o, i, centre] = δ_{oi}.
        let mut w = Tensor::zeros(vec![c, c, k, k]);
        for o in 0..c {
            w.data_mut()[((o * c + o) * k + k / 2) * k + k / 2] = 1.0;
        }
        let y = conv2d(&x, &w, None, params(1, k / 2, 1)).unwrap();
        assert_eq!(y, x, "c={c} k={k}");
    }
}

#[test]
fn linearity() {
    let mut rng = Rng::new(5);
    let (a, b) = (1.75f32, -0.5f32);
    for p in [params(1, 1, 1), params(2, 0, 1), params(1, 2, 2), params(3, 1, 1)] {
        let x = random(vec![1, 3, 16, 15], &mut rng);
        let z = random(vec![1, 3, 16, 15], &mut rng);
        let w = random(vec![5, 3, 3, 3], &mut rng);
        let mix = Tensor::from_fn(vec![1, 3, 16, 15], |i| a * x.data()[i] + b * z.data()[i]);
        let lhs = conv2d(&mix, &w, None, p).unwrap();
        let (cx, cz) = (conv2d(&x, &w, None, p).unwrap(), conv2d(&z, &w, None, p).unwrap());
        let rhs: Vec<f64> =
            cx.data().iter().zip(cz.data()).map(|(u, v)| (a * u + b * v) as f64).collect();
        assert_close(lhs.data(), &rhs, 1e-5, 1e-5, &format!("{p:?}"));
    }
}

#[test]
fn output_shape_follows_formula() {
    for h in 1..12 {
        for k in 1..6 {
            for s in 1..4 {
                for pad in 0..3 {
                    for d in 1..3 {
                        let p = params(s, pad, d);
                        let x = Tensor::zeros(vec![1, 1, h, h + 1]);
                        let w = Tensor::zeros(vec![2, 1, k, k]);
                        let eff = d * (k - 1) + 1;
                        match conv2d(&x, &w, None, p) {
                            Ok(y) => {
                                // H_out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1
                                let ho = (h + 2 * pad - eff) / s + 1;
                                let wo = (h + 1 + 2 * pad - eff) / s + 1;
                                assert_eq!(y.shape(), &[1, 2, ho, wo]);
                                assert_eq!(output_size(h, k, p), Ok(ho));
                            }
                            Err(e) => {
                                assert!(eff > h + 2 * pad, "unexpected error {e} for {p:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn fast_path_matches_reference_on_random_shapes() {
    let mut rng = Rng::new(2024);
    let mut compared = 0;
    for _ in 0..300 {
        let n = 1 + rng.below(3) as usize;
        let c = 1 + rng.below(5) as usize;
        let h = 1 + rng.below(24) as usize;
        let w = 1 + rng.below(24) as usize;
        let f = 1 + rng.below(10) as usize;
        let kh = 1 + rng.below(6) as usize;
        let kw = 1 + rng.below(6) as usize;
        let p = params(1 + rng.below(4) as usize, rng.below(4) as usize, 1 + rng.below(3) as usize);
        let x = random(vec![n, c, h, w], &mut rng);
        let k = random(vec![f, c, kh, kw], &mut rng);
        let b: Vec<f32> = (0..f).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let bias = (rng.below(2) == 0).then_some(b.as_slice());
        match (conv2d(&x, &k, bias, p), conv2d_reference(&x, &k, bias, p)) {
            (Ok(fast), Ok(slow)) => {
                assert_eq!(fast.shape(), slow.shape());
                let want: Vec<f64> = slow.data().iter().map(|&v| v as f64).collect();
                let what = format!("x {:?} w {:?} {p:?}", x.shape(), k.shape());
                assert_close(fast.data(), &want, 1e-5, 1e-5, &what);
                compared += 1;
            }
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("fast {:?} vs reference {:?}", a.map(|t| t.shape().to_vec()), b),
        }
    }
    assert!(compared > 150, "only {compared} valid combinations");
}

#[test]
fn impossible_combinations_are_errors() {
    let x = Tensor::zeros(vec![1, 2, 4, 4]);
    let w = Tensor::zeros(vec![3, 2, 3, 3]);
    assert_eq!(conv2d(&x, &w, None, params(0, 0, 1)), Err(ConvError::ZeroStep { what: "stride" }));
    assert_eq!(
        conv2d(&x, &w, None, params(1, 0, 0)),
        Err(ConvError::ZeroStep { what: "dilation" })
    );
    // Dilated kernel 2·(3−1)+1 = 5 > 4.
    assert!(matches!(
        conv2d(&x, &w, None, params(1, 0, 2)),
        Err(ConvError::KernelTooLarge { effective_kernel: 5, .. })
    ));
    // Channel mismatch, bias length, wrong rank, zero-size kernel.
    assert!(matches!(
        conv2d(&x, &Tensor::zeros(vec![3, 1, 3, 3]), None, params(1, 1, 1)),
        Err(ConvError::Shape(_))
    ));
    assert!(matches!(conv2d(&x, &w, Some(&[1.0]), params(1, 1, 1)), Err(ConvError::Shape(_))));
    assert!(matches!(
        conv2d(&Tensor::zeros(vec![2, 4, 4]), &w, None, params(1, 1, 1)),
        Err(ConvError::Shape(_))
    ));
    assert_eq!(
        conv2d(&x, &Tensor::zeros(vec![3, 2, 0, 3]), None, params(1, 1, 1)),
        Err(ConvError::EmptyKernel)
    );
    // Empty batch / no filters are valid and give empty outputs.
    let y = conv2d(&Tensor::zeros(vec![0, 2, 4, 4]), &w, None, params(1, 1, 1)).unwrap();
    assert_eq!(y.shape(), &[0, 3, 4, 4]);
    let y = conv2d(&x, &Tensor::zeros(vec![0, 2, 3, 3]), None, params(1, 1, 1)).unwrap();
    assert_eq!(y.shape(), &[1, 0, 4, 4]);
}

#[test]
fn absurd_arguments_are_errors_that_name_them() {
    // A padding near usize::MAX used to wrap `n + 2p` into a 1×1 output of 0 (a panic in debug).
    for pad in [usize::MAX, usize::MAX / 2, isize::MAX as usize / 2 + 1] {
        let e = output_size(5, 3, params(1, pad, 1)).unwrap_err();
        assert_eq!(e, ConvError::Overflow { what: "padding", value: pad });
        assert!(e.to_string().contains("padding"), "{e}");
        let x = Tensor::zeros(vec![1, 1, 4, 4]);
        let w = Tensor::zeros(vec![1, 1, 3, 3]);
        assert!(matches!(conv2d(&x, &w, None, params(1, pad, 1)), Err(ConvError::Overflow { .. })));
        assert!(matches!(
            conv2d_reference(&x, &w, None, params(1, pad, 1)),
            Err(ConvError::Overflow { .. })
        ));
    }
    // A padding whose padded size fits but whose output cannot be counted.
    let x = Tensor::zeros(vec![1, 1, 4, 4]);
    let w = Tensor::zeros(vec![1, 1, 3, 3]);
    let pad = 1usize << 40;
    assert_eq!(
        conv2d(&x, &w, None, params(1, pad, 1)),
        Err(ConvError::Overflow { what: "padding", value: pad })
    );
    let e = output_size(5, 3, params(1, 0, usize::MAX)).unwrap_err();
    assert_eq!(e, ConvError::Overflow { what: "dilation", value: usize::MAX });
    assert!(e.to_string().contains("dilation"), "{e}");
    // A 0×0 kernel: named as such, not "spans 1 pixels".
    let e = output_size(5, 0, params(1, 0, 1)).unwrap_err();
    assert_eq!(e, ConvError::EmptyKernel);
    assert!(e.to_string().contains("kernel size"), "{e}");
    assert!(!e.to_string().contains("1 pixels"), "{e}");
    // Singular "pixel" where the dilated kernel spans one.
    let e = output_size(0, 1, params(1, 0, 1)).unwrap_err();
    assert!(e.to_string().contains("spans 1 pixel but"), "{e}");
}
