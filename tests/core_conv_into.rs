#![cfg(not(target_arch = "wasm32"))]
//! `conv2d_into` (caller-owned output, optional fused ReLU, scratch reused between calls)
//! against `relu(conv2d_reference)`, over random shapes that change from call to call so that
//! every reuse of the output and scratch buffers (growing and shrinking) is exercised.

use dlviz::core::activation::relu_inplace;
use dlviz::core::conv::{conv2d, conv2d_into, conv2d_reference, Conv2dParams};
use dlviz::core::{Rng, Tensor};

/// `|a − r| ≤ atol + rtol·|r|` for every element.
fn assert_close(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (&g, &r)) in got.iter().zip(want).enumerate() {
        let err = (g - r).abs();
        assert!(err <= 1e-5 + 1e-5 * r.abs(), "{what}: element {i}: got {g}, want {r}");
    }
}

fn random(shape: Vec<usize>, rng: &mut Rng) -> Tensor {
    Tensor::from_fn(shape, |_| rng.uniform_in(-1.0, 1.0))
}

#[test]
fn into_with_and_without_relu_matches_reference_while_buffers_are_reused() {
    let mut rng = Rng::new(77);
    // One output buffer for every call, pre-filled with garbage that must all be overwritten.
    let mut out = vec![f32::NAN; 5000];
    let mut compared = 0;
    for _ in 0..300 {
        let n = 1 + rng.below(3) as usize;
        let c = 1 + rng.below(5) as usize;
        let h = 1 + rng.below(30) as usize;
        let w = 1 + rng.below(30) as usize;
        let f = 1 + rng.below(10) as usize;
        let kh = 1 + rng.below(6) as usize;
        let kw = 1 + rng.below(6) as usize;
        let p = Conv2dParams {
            stride: 1 + rng.below(4) as usize,
            padding: rng.below(4) as usize,
            dilation: 1 + rng.below(3) as usize,
        };
        let x = random(vec![n, c, h, w], &mut rng);
        let k = random(vec![f, c, kh, kw], &mut rng);
        let b: Vec<f32> = (0..f).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let bias = (rng.below(2) == 0).then_some(b.as_slice());
        let relu = rng.below(2) == 0;
        let before = out.clone();
        match (conv2d_into(&x, &k, bias, p, relu, &mut out), conv2d_reference(&x, &k, bias, p)) {
            (Ok(shape), Ok(slow)) => {
                assert_eq!(&shape[..], slow.shape());
                let mut want = slow.into_data();
                if relu {
                    relu_inplace(&mut want);
                    assert!(out.iter().all(|&v| v >= 0.0), "fused ReLU left a negative");
                }
                let what = format!("x {:?} w {:?} {p:?} relu {relu}", x.shape(), k.shape());
                assert_close(&out, &want, &what);
                compared += 1;
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b);
                // On error the caller's buffer is left as it was (NaN garbage compares by bits).
                let same = before.iter().zip(&out).all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same && before.len() == out.len(), "buffer changed on error");
            }
            (a, b) => panic!("into {a:?} vs reference {:?}", b.map(|t| t.shape().to_vec())),
        }
    }
    assert!(compared > 150, "only {compared} valid combinations");
}

#[test]
fn fused_relu_equals_relu_of_conv2d_on_the_lesson_shape() {
    // The lesson's re-render shape (smaller image): 3 channels, 8 filters 3×3, same padding.
    let mut rng = Rng::new(5);
    let x = random(vec![1, 3, 64, 48], &mut rng);
    let k = random(vec![8, 3, 3, 3], &mut rng);
    let b = vec![0.05f32; 8];
    let same = Conv2dParams { stride: 1, padding: 1, dilation: 1 };
    let mut out = Vec::new();
    for _ in 0..2 {
        // Twice: the second call reuses the output and scratch buffers as they are.
        let shape = conv2d_into(&x, &k, Some(&b), same, true, &mut out).unwrap();
        assert_eq!(shape, [1, 8, 64, 48]);
        let mut want = conv2d_reference(&x, &k, Some(&b), same).unwrap().into_data();
        relu_inplace(&mut want);
        assert_close(&out, &want, "fused relu");
        assert!(out.contains(&0.0) && out.iter().any(|&v| v > 0.0));
    }
    // Without ReLU it is exactly conv2d.
    conv2d_into(&x, &k, Some(&b), same, false, &mut out).unwrap();
    assert_eq!(out, conv2d(&x, &k, Some(&b), same).unwrap().into_data());
}
