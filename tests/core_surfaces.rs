#![cfg(not(target_arch = "wasm32"))]
//! `core::surfaces`: analytic gradients and Hessians against central finite differences,
//! critical points (∇f = 0, curvature of the right sign, nothing lower on a fine grid),
//! and marching-squares contours against a circle of known radius.

use dlviz::core::surfaces::{CriticalKind, Grid, Surface, ViewBox, SURFACE_IDS};
use dlviz::core::Rng;

fn surfaces() -> Vec<Surface> {
    vec![
        Surface::quadratic(20.0, 0.6),
        Surface::quadratic(1.0, 0.0),
        Surface::rosenbrock(),
        Surface::Saddle,
        Surface::wells(1, 0.0),
        Surface::wells(42, 0.15),
    ]
}

#[test]
fn gradients_and_hessians_match_finite_differences() {
    let mut rng = Rng::new(3);
    let h = 1e-5;
    for s in surfaces() {
        let v = s.view();
        for _ in 0..200 {
            let x = rng.uniform_in(v.x0 as f32, v.x1 as f32) as f64;
            let y = rng.uniform_in(v.y0 as f32, v.y1 as f32) as f64;
            let fd = (
                (s.value(x + h, y) - s.value(x - h, y)) / (2.0 * h),
                (s.value(x, y + h) - s.value(x, y - h)) / (2.0 * h),
            );
            let g = s.grad(x, y);
            for (a, b) in [(g.0, fd.0), (g.1, fd.1)] {
                assert!(
                    (a - b).abs() <= 1e-6 + 1e-6 * b.abs(),
                    "{} at ({x},{y}): {a} vs {b}",
                    s.id()
                );
            }
            let (gxp, gxm) = (s.grad(x + h, y), s.grad(x - h, y));
            let (gyp, gym) = (s.grad(x, y + h), s.grad(x, y - h));
            let fd_h = [
                [(gxp.0 - gxm.0) / (2.0 * h), (gyp.0 - gym.0) / (2.0 * h)],
                [(gxp.1 - gxm.1) / (2.0 * h), (gyp.1 - gym.1) / (2.0 * h)],
            ];
            let an = s.hessian(x, y);
            for r in 0..2 {
                for c in 0..2 {
                    let (a, b) = (an[r][c], fd_h[r][c]);
                    assert!(
                        (a - b).abs() <= 1e-5 + 1e-6 * b.abs(),
                        "{} H[{r}][{c}]: {a} vs {b}",
                        s.id()
                    );
                }
            }
        }
    }
}

#[test]
fn known_minima() {
    let q = Surface::quadratic(50.0, 1.0);
    assert_eq!(q.value(0.0, 0.0), 0.0);
    // Along the long axis (angle φ) the curvature is 1, across it κ.
    let (c, s) = (1.0f64.cos(), 1.0f64.sin());
    assert!((q.value(c, s) - 0.5).abs() < 1e-12);
    assert!((q.value(-s, c) - 25.0).abs() < 1e-12);
    let r = Surface::rosenbrock();
    let m = r.critical_points();
    assert_eq!((m.len(), m[0].x, m[0].y, m[0].value), (1, 1.0, 1.0, 0.0));
    assert_eq!(r.grad(1.0, 1.0), (0.0, 0.0));
    let sd = Surface::Saddle.critical_points();
    assert_eq!(sd[0].kind, CriticalKind::Saddle);
    let [[a, _], [_, d]] = Surface::Saddle.hessian(0.0, 0.0);
    assert!(a * d < 0.0, "indefinite Hessian at a saddle");
}

#[test]
fn wells_minima_are_real_and_the_global_one_is_lowest() {
    for (seed, ripple) in [(1, 0.0), (42, 0.15), (7, 0.3)] {
        let s = Surface::wells(seed, ripple);
        let mins = s.critical_points();
        assert!(!mins.is_empty());
        assert!(mins.len() >= 2, "seed {seed}: a multi-minimum surface has several minima");
        assert_eq!(mins.iter().filter(|p| p.kind == CriticalKind::Global).count(), 1);
        for p in &mins {
            let (gx, gy) = s.grad(p.x, p.y);
            assert!(gx.hypot(gy) < 1e-8);
            for k in 0..16 {
                let t = k as f64 * std::f64::consts::PI / 8.0;
                assert!(s.value(p.x + 1e-3 * t.cos(), p.y + 1e-3 * t.sin()) > p.value);
            }
        }
        let global = mins[0].value;
        let grid = Grid::evaluate(&s, s.view(), 301, 301);
        let (lo, _) = grid.range().unwrap();
        assert!(lo >= global - 1e-9, "seed {seed}: grid min {lo} below global {global}");
        assert!(lo - global < 1e-3);
        // Deterministic per seed.
        assert_eq!(Surface::wells(seed, ripple), s);
    }
    assert_ne!(Surface::wells(1, 0.0), Surface::wells(2, 0.0));
}

#[test]
fn contour_of_a_circle() {
    // κ = 1: f = ½ r², so the level 0.5 is the unit circle.
    let s = Surface::quadratic(1.0, 0.0);
    let view = ViewBox { x0: -2.0, x1: 2.0, y0: -2.0, y1: 2.0 };
    let g = Grid::evaluate(&s, view, 81, 81);
    assert_eq!(g.values.len(), 81 * 81);
    // Row 0 is the bottom edge.
    assert_eq!(g.values[0], s.value(-2.0, -2.0));
    assert_eq!(g.values[80 * 81 + 80], s.value(2.0, 2.0));
    let segs = g.contour(0.5);
    let mut length = 0.0;
    for [a, b] in &segs {
        for p in [a, b] {
            assert!((p.0.hypot(p.1) - 1.0).abs() < 2e-3, "endpoint at radius {}", p.0.hypot(p.1));
        }
        length += (a.0 - b.0).hypot(a.1 - b.1);
    }
    assert!((length - 2.0 * std::f64::consts::PI).abs() < 0.01, "length {length}");
    assert!(g.contour(100.0).is_empty());
}

#[test]
fn saddle_cells_and_levels() {
    // An ambiguous cell: corners (0,0) and (1,1) at +1, the other two at −1; the level 0
    // crosses every edge at its midpoint. The centre average (0) decides the pairing.
    let view = ViewBox { x0: 0.0, x1: 1.0, y0: 0.0, y1: 1.0 };
    let g = Grid { w: 2, h: 2, view, values: vec![1.0, -1.0, -1.0, 1.0] };
    let norm = |mut s: Vec<[(f64, f64); 2]>| {
        for seg in s.iter_mut() {
            seg.sort_by(|a, b| a.partial_cmp(b).unwrap());
        }
        s.sort_by(|a, b| a.partial_cmp(b).unwrap());
        s
    };
    // Level 0.1: the centre (0) is below, so the two high corners are cut off on their own.
    let low_centre = norm(g.contour(0.1));
    assert_eq!(low_centre.len(), 2);
    assert!(
        (low_centre[0][0].0 - 0.0).abs() < 1e-12 && low_centre[0][1].1 == 0.0,
        "{low_centre:?}"
    );
    assert!(low_centre[1][0].1 == 1.0 || low_centre[1][1].0 == 1.0, "{low_centre:?}");
    // Level −0.1: the centre is above, so the two low corners are cut off instead.
    let high_centre = norm(g.contour(-0.1));
    assert_eq!(high_centre.len(), 2);
    for seg in &high_centre {
        // Each segment joins an edge through corner (1,0) or corner (0,1) only.
        let near_10 = seg.iter().all(|p| p.0 > 0.5 || p.1 < 0.5);
        let near_01 = seg.iter().all(|p| p.0 < 0.5 || p.1 > 0.5);
        assert!(near_10 != near_01, "{high_centre:?}");
    }
    let levels = Grid::evaluate(&Surface::rosenbrock(), Surface::rosenbrock().view(), 60, 60)
        .quantile_levels(12);
    assert_eq!(levels.len(), 12);
    assert!(levels.windows(2).all(|w| w[0] < w[1]));
    // Half the levels lie below the median: Rosenbrock's valley gets dense contours.
    let (lo, hi) = Grid::evaluate(&Surface::rosenbrock(), Surface::rosenbrock().view(), 60, 60)
        .range()
        .unwrap();
    assert!(levels[5] < lo + 0.1 * (hi - lo));
}

#[test]
fn ids_views_and_helpers() {
    for (s, id) in
        surfaces().iter().zip(["quadratic", "quadratic", "rosenbrock", "saddle", "wells"])
    {
        assert_eq!(s.id(), id);
        assert!(SURFACE_IDS.contains(&s.id()));
        let v = s.view();
        let (x, y) = s.default_start();
        assert!(v.contains(x, y));
        let (u, w) = v.to_unit(x, y);
        let back = v.from_unit(u, w);
        assert!((back.0 - x).abs() < 1e-12 && (back.1 - y).abs() < 1e-12);
        for p in s.critical_points() {
            assert!(v.contains(p.x, p.y));
        }
    }
    assert_eq!(ViewBox { x0: 0.0, x1: 1.0, y0: 0.0, y1: 1.0 }.to_unit(0.0, 1.0), (0.0, 0.0));
    assert_eq!(Surface::quadratic(f64::NAN, f64::INFINITY), Surface::quadratic(1.0, 0.0));
}
