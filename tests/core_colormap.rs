#![cfg(not(target_arch = "wasm32"))]
//! Colour maps: end points, symmetry, clamping, degenerate ranges, legends, buffers.

use dlviz::core::colormap::{Colormap, ColormapError, ValueRange};
use dlviz::core::Rng;

/// Relative luminance (WCAG / sRGB) of an RGBA colour.
fn luminance(c: [u8; 4]) -> f64 {
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

#[test]
fn diverging_end_points_and_centre() {
    let d = Colormap::Diverging;
    let r = ValueRange::symmetric(4.0);
    assert_eq!(d.rgba(0.0, r), [0xf7, 0xf7, 0xf7, 255]);
    assert_eq!(d.rgba(-4.0, r), [0x05, 0x30, 0x61, 255]);
    assert_eq!(d.rgba(4.0, r), [0x67, 0x00, 0x1f, 255]);
    // Beyond the limit: clamped to the ends. NaN: centre.
    assert_eq!(d.rgba(-100.0, r), d.rgba(-4.0, r));
    assert_eq!(d.rgba(f32::INFINITY, r), d.rgba(4.0, r));
    assert_eq!(d.rgba(f32::NAN, r), d.rgba(0.0, r));
    // −2 = −L/2 → table entry 64, i.e. anchor position 64·10/256 = 2.5: the mean of anchors
    // 2 and 3, (#4393c3 + #92c5de)/2 = (106.5, 172, 208.5), rounded half up.
    let c = d.rgba(-2.0, r);
    assert!((c[0] as i32 - 107).abs() <= 1 && c[1] == 172 && (c[2] as i32 - 209).abs() <= 1);
    // Blue for negatives, red for positives.
    let (neg, pos) = (d.rgba(-1.0, r), d.rgba(1.0, r));
    assert!(neg[2] > neg[0] && pos[0] > pos[2]);
}

#[test]
fn diverging_lightness_is_monotone_and_roughly_symmetric() {
    let d = Colormap::Diverging;
    let r = ValueRange::symmetric(1.0);
    let mut prev_pos = luminance(d.rgba(0.0, r));
    let mut prev_neg = prev_pos;
    for i in 1..=128 {
        let v = i as f32 / 128.0;
        let (lp, ln) = (luminance(d.rgba(v, r)), luminance(d.rgba(-v, r)));
        assert!(lp <= prev_pos + 1e-9 && ln <= prev_neg + 1e-9, "not monotone at {v}");
        // RdBu gives ±v similar lightness: within 0.1 in relative luminance.
        assert!((lp - ln).abs() < 0.1, "asymmetric at {v}: {lp} vs {ln}");
        (prev_pos, prev_neg) = (lp, ln);
    }
}

#[test]
fn grey_is_linear_in_value() {
    let g = Colormap::Grey;
    let r = ValueRange { lo: -1.0, hi: 3.0 };
    assert_eq!(g.rgba(-1.0, r), [0, 0, 0, 255]);
    assert_eq!(g.rgba(3.0, r), [255, 255, 255, 255]);
    assert_eq!(g.rgba(1.0, r), [128, 128, 128, 255]); // 127.5 rounds up
    assert_eq!(g.rgba(0.0, r), [64, 64, 64, 255]); // 63.75 → 64
    assert_eq!(g.rgba(-7.0, r), [0, 0, 0, 255]);
    assert_eq!(g.rgba(f32::NAN, r), [0, 0, 0, 255]);
}

#[test]
fn degenerate_ranges() {
    let zeros = [0.0f32; 6];
    let r = Colormap::Diverging.auto_range(&zeros);
    assert_eq!(r, ValueRange { lo: -0.0, hi: 0.0 });
    assert_eq!(Colormap::Diverging.rgba(0.0, r), [0xf7, 0xf7, 0xf7, 255]);
    assert_eq!(Colormap::Diverging.rgba(5.0, r), [0xf7, 0xf7, 0xf7, 255]);
    let r = Colormap::Grey.auto_range(&[2.0; 3]);
    assert_eq!(Colormap::Grey.rgba(2.0, r), [0, 0, 0, 255]);
    assert_eq!(ValueRange::min_max_of(&[]), ValueRange { lo: 0.0, hi: 0.0 });
    // Non-finite values are ignored by the automatic ranges.
    let data = [f32::NAN, -3.0, f32::INFINITY, 2.0];
    assert_eq!(ValueRange::symmetric_of(&data), ValueRange::symmetric(3.0));
    assert_eq!(ValueRange::min_max_of(&data), ValueRange { lo: -3.0, hi: 2.0 });
}

#[test]
fn plane_mapping_matches_single_values() {
    let mut rng = Rng::new(3);
    let plane: Vec<f32> = (0..1001).map(|_| rng.uniform_in(-2.0, 2.0)).collect();
    for cmap in [Colormap::Diverging, Colormap::Grey] {
        let range = cmap.auto_range(&plane);
        let out = cmap.to_rgba_vec(&plane, range);
        for (px, &v) in out.chunks_exact(4).zip(&plane) {
            assert_eq!(px, cmap.rgba(v, range));
        }
        let mut buf = vec![0u8; 8];
        assert_eq!(
            cmap.to_rgba(&plane[..3], range, &mut buf),
            Err(ColormapError::OutputLength { values: 3, bytes: 8 })
        );
    }
}

#[test]
fn legend_stops() {
    let r = ValueRange { lo: -0.5, hi: 2.0 };
    // Diverging legends are symmetric about 0 with L = max(|lo|, |hi|).
    let s = Colormap::Diverging.legend(r, 5);
    let v: Vec<f32> = s.iter().map(|s| s.value).collect();
    assert_eq!(v, [-2.0, -1.0, 0.0, 1.0, 2.0]);
    for stop in &s {
        assert_eq!(stop.rgba, Colormap::Diverging.rgba(stop.value, r));
    }
    let s = Colormap::Grey.legend(ValueRange { lo: 0.0, hi: 3.0 }, 4);
    let v: Vec<f32> = s.iter().map(|s| s.value).collect();
    assert_eq!(v, [0.0, 1.0, 2.0, 3.0]);
    assert_eq!(s[0].rgba, [0, 0, 0, 255]);
    assert_eq!(s[3].rgba, [255, 255, 255, 255]);
    // At least two stops.
    assert_eq!(Colormap::Grey.legend(r, 0).len(), 2);
}
