#![cfg(not(target_arch = "wasm32"))]
//! Receptive fields: hand-computed stacks and a brute-force check (perturb one input pixel,
//! see which outputs move).

use dlviz::core::conv::{conv2d, Conv2dParams, ConvError};
use dlviz::core::receptive::{layer_geometry, receptive_field, Layer, RfError, Span};
use dlviz::core::{Rng, Tensor};

fn layer(kernel: usize, stride: usize, padding: usize, dilation: usize) -> Layer {
    Layer { kernel, stride, padding, dilation }
}

#[test]
fn hand_computed_stacks() {
    // Two 3×3 stride-1 convs: r = 1 + 2 + 2 = 5 (the VGG argument).
    let g = layer_geometry(32, 32, &[layer(3, 1, 1, 1); 2]).unwrap();
    assert_eq!((g[1].rf, g[1].jump, g[1].out_h), (5, 1, 32));
    // Three: 7.
    assert_eq!(layer_geometry(32, 32, &[layer(3, 1, 1, 1); 3]).unwrap()[2].rf, 7);
    // AlexNet conv1 (11, s4, p0) on 227: out 55, r 11, j 4; then 3×3 s2 pool-like layer:
    // r = 11 + 2·4 = 19, j = 8, out ⌊(55−3)/2⌋+1 = 27.
    let g = layer_geometry(227, 227, &[layer(11, 4, 0, 1), layer(3, 2, 0, 1)]).unwrap();
    assert_eq!((g[0].out_h, g[0].rf, g[0].jump), (55, 11, 4));
    assert_eq!((g[1].out_h, g[1].rf, g[1].jump), (27, 19, 8));
    // Dilations 1, 2, 4 with k = 3: r = 1 + 2 + 4 + 8 = 15 (WaveNet-style doubling).
    let g =
        layer_geometry(64, 64, &[layer(3, 1, 1, 1), layer(3, 1, 2, 2), layer(3, 1, 4, 4)]).unwrap();
    assert_eq!(g[2].rf, 15);
    assert_eq!(g[2].start, -7);
    // Stride 2 then 3×3: r = 3 + 2·2 = 7, jump 2·1 = 2, start = −1 − 1·2 = −3;
    // output row 4 sees −3 + 4·2 = 5 ..= 11.
    let f = receptive_field(32, 32, &[layer(3, 2, 1, 1), layer(3, 1, 1, 1)], 4, 0).unwrap();
    assert_eq!(f.rf, 7);
    assert_eq!(f.raw_rows, Span { start: 5, end: 12 });
    assert_eq!(f.rows, Some(5..12));
    assert_eq!(f.raw_cols, Span { start: -3, end: 4 });
    assert_eq!(f.cols, Some(0..4));
    // No layers: a pixel sees itself.
    let f = receptive_field(5, 6, &[], 2, 3).unwrap();
    assert_eq!((f.rf, f.rows, f.cols), (1, Some(2..3), Some(3..4)));
}

#[test]
fn field_wholly_in_padding() {
    // A 1×1 kernel with padding 2: output 0 reads input −2, pure padding.
    let f = receptive_field(4, 4, &[layer(1, 1, 2, 1)], 0, 3).unwrap();
    assert_eq!(f.raw_rows, Span { start: -2, end: -1 });
    assert_eq!(f.rows, None);
    assert_eq!(f.cols, Some(1..2));
    assert!(f.seen_rows.iter().all(|&s| !s));
}

#[test]
fn errors_not_panics() {
    let too_big = [layer(3, 1, 0, 1), layer(9, 1, 0, 1)];
    assert!(matches!(
        layer_geometry(8, 8, &too_big),
        Err(RfError::Layer { index: 1, error: ConvError::KernelTooLarge { .. } })
    ));
    assert!(matches!(
        layer_geometry(8, 8, &[layer(3, 0, 0, 1)]),
        Err(RfError::Layer { index: 0, error: ConvError::ZeroStep { .. } })
    ));
    assert_eq!(
        receptive_field(8, 8, &[layer(3, 2, 1, 1)], 4, 0),
        Err(RfError::OutOfRange { row: 4, col: 0, height: 4, width: 4 })
    );
}

/// Which input pixels change output (row, col) of the stack: all weights 1 and no bias, so a
/// unit impulse at (y, x) makes the output positive iff some path connects them.
fn brute_force(h: usize, w: usize, layers: &[Layer], row: usize, col: usize) -> Vec<bool> {
    let mut seen = vec![false; h * w];
    for (idx, s) in seen.iter_mut().enumerate() {
        let mut t = Tensor::zeros(vec![1, 1, h, w]);
        t.data_mut()[idx] = 1.0;
        for l in layers {
            let k = Tensor::new(vec![1, 1, l.kernel, l.kernel], vec![1.0; l.kernel * l.kernel]);
            let p = Conv2dParams { stride: l.stride, padding: l.padding, dilation: l.dilation };
            t = conv2d(&t, &k.unwrap(), None, p).unwrap();
        }
        let ow = t.shape()[3];
        *s = t.data()[row * ow + col] > 0.0;
    }
    seen
}

#[test]
fn brute_force_agrees() {
    let mut rng = Rng::new(99);
    let mut checked = 0;
    while checked < 60 {
        let (h, w) = (6 + rng.below(10) as usize, 6 + rng.below(10) as usize);
        let depth = 1 + rng.below(3) as usize;
        let layers: Vec<Layer> = (0..depth)
            .map(|_| {
                layer(
                    1 + rng.below(4) as usize,
                    1 + rng.below(2) as usize,
                    rng.below(3) as usize,
                    1 + rng.below(2) as usize,
                )
            })
            .collect();
        let Ok(g) = layer_geometry(h, w, &layers) else { continue };
        let last = g[depth - 1];
        let (row, col) =
            (rng.below(last.out_h as u32) as usize, rng.below(last.out_w as u32) as usize);
        let f = receptive_field(h, w, &layers, row, col).unwrap();
        let truth = brute_force(h, w, &layers, row, col);
        let no_padding = layers.iter().all(|l| l.padding == 0);
        for y in 0..h {
            for x in 0..w {
                let seen = truth[y * w + x];
                assert_eq!(
                    seen,
                    f.seen_rows[y] && f.seen_cols[x],
                    "{layers:?} ({row},{col}) at ({y},{x})"
                );
                if seen {
                    // Everything seen lies inside the clipped rectangle.
                    assert!(f.rows.as_ref().is_some_and(|r| r.contains(&y)));
                    assert!(f.cols.as_ref().is_some_and(|c| c.contains(&x)));
                }
            }
        }
        assert_eq!(f.raw_rows.len(), f.rf);
        if no_padding {
            // Without padding the raw span lies in the image and its ends are seen.
            let first = |v: &[bool]| v.iter().position(|&s| s);
            let last = |v: &[bool]| v.iter().rposition(|&s| s);
            assert_eq!(first(&f.seen_rows), Some(f.raw_rows.start as usize));
            assert_eq!(last(&f.seen_rows), Some(f.raw_rows.end as usize - 1));
            assert_eq!(first(&f.seen_cols), Some(f.raw_cols.start as usize));
            assert_eq!(last(&f.seen_cols), Some(f.raw_cols.end as usize - 1));
        }
        checked += 1;
    }
}
