//! Two-dimensional loss surfaces `f(x, y)` with analytic gradients, for watching optimizers
//! move: their values on a grid for contour plots, marching-squares contour lines, and their
//! known critical points.
//!
//! ```text
//! quadratic   f = ½ (u² + κ v²),  (u, v) = the point rotated by −φ     (condition number κ)
//! Rosenbrock  f = (a − x)² + b (y − x²)²                               (minimum at (a, a²))
//! saddle      f = x² − y²                                             (saddle point at 0)
//! wells       f = 0.05 (x² + y²) − Σ_k A_k exp(−|p − μ_k|² / (2 s_k²))
//!                 + r · sin(3x) sin(3y)                               (seeded wells, ripples)
//! ```
//!
//! The wells surface has no closed-form minima: [`Surface::critical_points`] finds them with
//! Newton's method from a grid of starts (exact to ~1e−9 in the gradient).
//!
//! Contours: [`Grid`] samples `f` on a `W×H` lattice of nodes spanning a [`ViewBox`];
//! [`Grid::contour`] runs marching squares at a level, interpolating linearly along cell
//! edges and resolving the ambiguous saddle cells by the cell-centre average.

use super::rng::Rng;

/// A rectangle of the plane, `[x0, x1] × [y0, y1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewBox {
    /// Left edge.
    pub x0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y0: f64,
    /// Top edge.
    pub y1: f64,
}

impl ViewBox {
    /// True when `(x, y)` lies inside (edges included).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    /// `(x, y)` mapped to `[0, 1]²` with `(0, 0)` at the **top**-left (screen orientation).
    pub fn to_unit(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.x0) / (self.x1 - self.x0), (self.y1 - y) / (self.y1 - self.y0))
    }

    /// Inverse of [`ViewBox::to_unit`].
    pub fn from_unit(&self, u: f64, v: f64) -> (f64, f64) {
        (self.x0 + u * (self.x1 - self.x0), self.y1 - v * (self.y1 - self.y0))
    }

    /// The point clamped into the box.
    pub fn clamp(&self, x: f64, y: f64) -> (f64, f64) {
        (x.clamp(self.x0, self.x1), y.clamp(self.y0, self.y1))
    }
}

/// One Gaussian well of the wells surface.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Well {
    /// Centre `μ`.
    pub cx: f64,
    /// Centre `μ`.
    pub cy: f64,
    /// Depth `A > 0`.
    pub depth: f64,
    /// Width `s > 0`.
    pub width: f64,
}

/// What a critical point (∇f = 0) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriticalKind {
    /// A local minimum that is not the lowest.
    Local,
    /// The global minimum (lowest known).
    Global,
    /// A saddle point.
    Saddle,
}

/// A point where the gradient vanishes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CriticalPoint {
    /// Position.
    pub x: f64,
    /// Position.
    pub y: f64,
    /// `f(x, y)`.
    pub value: f64,
    /// Minimum or saddle.
    pub kind: CriticalKind,
}

/// A 2-D loss surface (see the module docs for the formulas).
#[derive(Debug, Clone, PartialEq)]
pub enum Surface {
    /// Rotated ill-conditioned quadratic bowl.
    Quadratic {
        /// Condition number κ ≥ 1 (ratio of the Hessian's eigenvalues).
        kappa: f64,
        /// Rotation φ of the long axis, radians.
        angle: f64,
    },
    /// Rosenbrock's banana valley.
    Rosenbrock {
        /// `a` (the minimum is at `(a, a²)`).
        a: f64,
        /// `b`, the valley's steepness.
        b: f64,
    },
    /// `x² − y²`.
    Saddle,
    /// Seeded Gaussian wells on a shallow bowl, with sinusoidal ripples.
    Wells {
        /// The wells.
        wells: Vec<Well>,
        /// Ripple amplitude `r`.
        ripple: f64,
    },
}

/// The surface ids used in URLs, in the order of [`Surface::id`].
pub const SURFACE_IDS: &[&str] = &["quadratic", "rosenbrock", "saddle", "wells"];

impl Surface {
    /// The quadratic with condition number `kappa` (clamped to `[1, 1e4]`) rotated by `angle`.
    pub fn quadratic(kappa: f64, angle: f64) -> Self {
        let kappa = if kappa.is_finite() { kappa.clamp(1.0, 1e4) } else { 1.0 };
        let angle = if angle.is_finite() { angle } else { 0.0 };
        Surface::Quadratic { kappa, angle }
    }

    /// The classic Rosenbrock function, `a = 1`, `b = 100`.
    pub fn rosenbrock() -> Self {
        Surface::Rosenbrock { a: 1.0, b: 100.0 }
    }

    /// Five seeded wells (centres in `[−2.4, 2.4]²` at least 1.3 apart, depths 0.6–1.4,
    /// widths 0.3–0.55) with ripple amplitude `ripple` (clamped to `[0, 0.5]`).
    pub fn wells(seed: u64, ripple: f64) -> Self {
        let mut rng = Rng::new(seed);
        let mut wells: Vec<Well> = Vec::with_capacity(5);
        // Rejection sampling for separated centres; bounded, so it always ends.
        for _ in 0..1000 {
            if wells.len() == 5 {
                break;
            }
            let (cx, cy) = (rng.uniform_in(-2.4, 2.4) as f64, rng.uniform_in(-2.4, 2.4) as f64);
            let depth = rng.uniform_in(0.6, 1.4) as f64;
            let width = rng.uniform_in(0.3, 0.55) as f64;
            if wells.iter().all(|w| (w.cx - cx).hypot(w.cy - cy) >= 1.3) {
                wells.push(Well { cx, cy, depth, width });
            }
        }
        let ripple = if ripple.is_finite() { ripple.clamp(0.0, 0.5) } else { 0.0 };
        Surface::Wells { wells, ripple }
    }

    /// The URL id (one of [`SURFACE_IDS`]).
    pub fn id(&self) -> &'static str {
        match self {
            Surface::Quadratic { .. } => SURFACE_IDS[0],
            Surface::Rosenbrock { .. } => SURFACE_IDS[1],
            Surface::Saddle => SURFACE_IDS[2],
            Surface::Wells { .. } => SURFACE_IDS[3],
        }
    }

    /// `f(x, y)`.
    pub fn value(&self, x: f64, y: f64) -> f64 {
        match self {
            Surface::Quadratic { kappa, angle } => {
                let (u, v) = rotate(x, y, *angle);
                0.5 * (u * u + kappa * v * v)
            }
            Surface::Rosenbrock { a, b } => (a - x).powi(2) + b * (y - x * x).powi(2),
            Surface::Saddle => x * x - y * y,
            Surface::Wells { wells, ripple } => {
                let mut f = 0.05 * (x * x + y * y) + ripple * (3.0 * x).sin() * (3.0 * y).sin();
                for w in wells {
                    let (dx, dy) = (x - w.cx, y - w.cy);
                    f -= w.depth * (-(dx * dx + dy * dy) / (2.0 * w.width * w.width)).exp();
                }
                f
            }
        }
    }

    /// `∇f(x, y) = (∂f/∂x, ∂f/∂y)`.
    pub fn grad(&self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Surface::Quadratic { kappa, angle } => {
                // ∇ in (u, v) is (u, κ v); rotate back by +φ.
                let (u, v) = rotate(x, y, *angle);
                rotate(u, kappa * v, -angle)
            }
            Surface::Rosenbrock { a, b } => {
                let r = y - x * x;
                (-2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r)
            }
            Surface::Saddle => (2.0 * x, -2.0 * y),
            Surface::Wells { wells, ripple } => {
                let (s3x, c3x) = (3.0 * x).sin_cos();
                let (s3y, c3y) = (3.0 * y).sin_cos();
                let mut gx = 0.1 * x + 3.0 * ripple * c3x * s3y;
                let mut gy = 0.1 * y + 3.0 * ripple * s3x * c3y;
                for w in wells {
                    let (dx, dy) = (x - w.cx, y - w.cy);
                    let s2 = w.width * w.width;
                    let e = w.depth * (-(dx * dx + dy * dy) / (2.0 * s2)).exp();
                    gx += e * dx / s2;
                    gy += e * dy / s2;
                }
                (gx, gy)
            }
        }
    }

    /// The Hessian `[[f_xx, f_xy], [f_xy, f_yy]]` (analytic).
    pub fn hessian(&self, x: f64, y: f64) -> [[f64; 2]; 2] {
        match self {
            Surface::Quadratic { kappa, angle } => {
                // R(φ)ᵀ diag(1, κ) R(φ) with R rotating by −φ.
                let (c, s) = (angle.cos(), angle.sin());
                let xx = c * c + kappa * s * s;
                let yy = s * s + kappa * c * c;
                let xy = (1.0 - kappa) * c * s;
                [[xx, xy], [xy, yy]]
            }
            Surface::Rosenbrock { a: _, b } => {
                let xx = 2.0 - 4.0 * b * (y - x * x) + 8.0 * b * x * x;
                let xy = -4.0 * b * x;
                [[xx, xy], [xy, 2.0 * b]]
            }
            Surface::Saddle => [[2.0, 0.0], [0.0, -2.0]],
            Surface::Wells { wells, ripple } => {
                let (s3x, c3x) = (3.0 * x).sin_cos();
                let (s3y, c3y) = (3.0 * y).sin_cos();
                let mut xx = 0.1 - 9.0 * ripple * s3x * s3y;
                let mut yy = 0.1 - 9.0 * ripple * s3x * s3y;
                let mut xy = 9.0 * ripple * c3x * c3y;
                for w in wells {
                    let (dx, dy) = (x - w.cx, y - w.cy);
                    let s2 = w.width * w.width;
                    let e = w.depth * (-(dx * dx + dy * dy) / (2.0 * s2)).exp();
                    xx += e * (1.0 - dx * dx / s2) / s2;
                    yy += e * (1.0 - dy * dy / s2) / s2;
                    xy -= e * dx * dy / (s2 * s2);
                }
                [[xx, xy], [xy, yy]]
            }
        }
    }

    /// The region worth looking at.
    pub fn view(&self) -> ViewBox {
        match self {
            Surface::Quadratic { .. } => ViewBox { x0: -3.0, x1: 3.0, y0: -3.0, y1: 3.0 },
            Surface::Rosenbrock { a, .. } => ViewBox {
                x0: -2.0 * a.abs().max(1.0),
                x1: 2.0 * a.abs().max(1.0),
                y0: -1.0,
                y1: 3.0,
            },
            Surface::Saddle => ViewBox { x0: -2.0, x1: 2.0, y0: -2.0, y1: 2.0 },
            Surface::Wells { .. } => ViewBox { x0: -3.0, x1: 3.0, y0: -3.0, y1: 3.0 },
        }
    }

    /// A start point that shows the surface's character (outside the minimum's basin floor).
    pub fn default_start(&self) -> (f64, f64) {
        match self {
            Surface::Quadratic { .. } => (-2.5, 0.2),
            Surface::Rosenbrock { .. } => (-1.5, 2.0),
            Surface::Saddle => (-1.5, 0.01),
            Surface::Wells { .. } => (2.5, 2.5),
        }
    }

    /// Suggested learning rates `(SGD family, adaptive methods)` on this surface: stable for
    /// plain SGD from the default start, and large enough for RMSProp/Adam to travel.
    pub fn suggested_lr(&self) -> (f64, f64) {
        match self {
            Surface::Quadratic { kappa, .. } => (1.2 / kappa.max(1.0), 0.1),
            Surface::Rosenbrock { .. } => (0.0005, 0.1),
            Surface::Saddle => (0.05, 0.05),
            Surface::Wells { .. } => (0.1, 0.05),
        }
    }

    /// Known critical points within the view box: minima (the lowest marked
    /// [`CriticalKind::Global`]) and, for the saddle surface, its saddle.
    pub fn critical_points(&self) -> Vec<CriticalPoint> {
        let pt = |x: f64, y: f64, kind| CriticalPoint { x, y, value: self.value(x, y), kind };
        match self {
            Surface::Quadratic { .. } => vec![pt(0.0, 0.0, CriticalKind::Global)],
            Surface::Rosenbrock { a, .. } => vec![pt(*a, a * a, CriticalKind::Global)],
            Surface::Saddle => vec![pt(0.0, 0.0, CriticalKind::Saddle)],
            Surface::Wells { .. } => self.numeric_minima(),
        }
    }

    /// Gradient descent then Newton's method from a 20×20 grid of starts; keeps
    /// converged points with a positive-definite Hessian, deduplicated.
    fn numeric_minima(&self) -> Vec<CriticalPoint> {
        let view = self.view();
        let mut found: Vec<CriticalPoint> = Vec::new();
        const N: usize = 20;
        for j in 0..N {
            for i in 0..N {
                let mut x = view.x0 + (i as f64 + 0.5) * (view.x1 - view.x0) / N as f64;
                let mut y = view.y0 + (j as f64 + 0.5) * (view.y1 - view.y0) / N as f64;
                // Gradient descent into a basin, then Newton to polish.
                // Step 0.05 is stable for curvatures below 40 (the steepest well has ≈ 16).
                for _ in 0..400 {
                    let (gx, gy) = self.grad(x, y);
                    x -= 0.05 * gx;
                    y -= 0.05 * gy;
                }
                for _ in 0..20 {
                    let (gx, gy) = self.grad(x, y);
                    let [[a, b], [_, d]] = self.hessian(x, y);
                    let det = a * d - b * b;
                    if det.abs() < 1e-12 {
                        break;
                    }
                    x -= (d * gx - b * gy) / det;
                    y -= (a * gy - b * gx) / det;
                }
                let (gx, gy) = self.grad(x, y);
                let [[a, b], [_, d]] = self.hessian(x, y);
                let converged = (gx * gx + gy * gy).sqrt() < 1e-9;
                let is_min = a > 0.0 && a * d - b * b > 0.0;
                let new = !found.iter().any(|p| (p.x - x).hypot(p.y - y) < 1e-4);
                if converged && is_min && view.contains(x, y) && new {
                    let value = self.value(x, y);
                    found.push(CriticalPoint { x, y, value, kind: CriticalKind::Local });
                }
            }
        }
        found.sort_by(|p, q| p.value.total_cmp(&q.value));
        if let Some(first) = found.first_mut() {
            first.kind = CriticalKind::Global;
        }
        found
    }
}

/// `(x, y)` rotated by `−angle`: coordinates in the frame whose first axis points at `angle`.
fn rotate(x: f64, y: f64, angle: f64) -> (f64, f64) {
    let (s, c) = angle.sin_cos();
    (c * x + s * y, -s * x + c * y)
}

/// A segment of a contour line, endpoints in world coordinates.
pub type Segment = [(f64, f64); 2];

/// `f` sampled on a lattice: node `(i, j)` sits at
/// `(x0 + i·(x1 − x0)/(W − 1), y0 + j·(y1 − y0)/(H − 1))`, stored at `values[j·W + i]`
/// (row 0 is the **bottom** edge `y0`).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Nodes per row (≥ 2).
    pub w: usize,
    /// Rows (≥ 2).
    pub h: usize,
    /// The sampled rectangle.
    pub view: ViewBox,
    /// Row-major values, bottom row first.
    pub values: Vec<f64>,
}

impl Grid {
    /// Samples `surface` on a `w×h` lattice over `view` (`w`, `h` clamped to at least 2).
    pub fn evaluate(surface: &Surface, view: ViewBox, w: usize, h: usize) -> Grid {
        Self::evaluate_fn(view, w, h, |x, y| surface.value(x, y))
    }

    /// Samples any function `f(x, y)` the same way (e.g. a model's loss over two weights).
    pub fn evaluate_fn(view: ViewBox, w: usize, h: usize, f: impl Fn(f64, f64) -> f64) -> Grid {
        let (w, h) = (w.max(2), h.max(2));
        let mut values = Vec::with_capacity(w * h);
        for j in 0..h {
            let y = view.y0 + j as f64 * (view.y1 - view.y0) / (h - 1) as f64;
            for i in 0..w {
                let x = view.x0 + i as f64 * (view.x1 - view.x0) / (w - 1) as f64;
                values.push(f(x, y));
            }
        }
        Grid { w, h, view, values }
    }

    fn node(&self, i: usize, j: usize) -> (f64, f64) {
        let v = &self.view;
        (
            v.x0 + i as f64 * (v.x1 - v.x0) / (self.w - 1) as f64,
            v.y0 + j as f64 * (v.y1 - v.y0) / (self.h - 1) as f64,
        )
    }

    /// Smallest and largest finite value (`None` if there is none).
    pub fn range(&self) -> Option<(f64, f64)> {
        let finite = self.values.iter().copied().filter(|v| v.is_finite());
        finite.fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
    }

    /// `n` contour levels at the grid values' quantiles `(k + ½)/n`: dense where the surface
    /// is flat-bottomed (Rosenbrock's valley), even in area everywhere. Strictly increasing
    /// (repeated quantiles are dropped).
    pub fn quantile_levels(&self, n: usize) -> Vec<f64> {
        let mut v: Vec<f64> = self.values.iter().copied().filter(|v| v.is_finite()).collect();
        if v.is_empty() || n == 0 {
            return Vec::new();
        }
        v.sort_by(f64::total_cmp);
        let mut out: Vec<f64> = Vec::with_capacity(n);
        for k in 0..n {
            let q = (k as f64 + 0.5) / n as f64;
            let idx = ((q * v.len() as f64) as usize).min(v.len() - 1);
            if out.last().is_none_or(|&l| v[idx] > l) {
                out.push(v[idx]);
            }
        }
        out
    }

    /// Marching squares at `level`: the contour's segments in world coordinates. Cells with
    /// a non-finite corner are skipped.
    pub fn contour(&self, level: f64) -> Vec<Segment> {
        let mut segs = Vec::new();
        for j in 0..self.h - 1 {
            for i in 0..self.w - 1 {
                // Corners: 0 = (i, j), 1 = (i+1, j), 2 = (i+1, j+1), 3 = (i, j+1).
                let idx = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
                let v = idx.map(|(a, b)| self.values[b * self.w + a]);
                if v.iter().any(|x| !x.is_finite()) {
                    continue;
                }
                let above = v.map(|x| x > level);
                // Most cells lie wholly on one side: skip them before any interpolation.
                if above.iter().all(|&a| a == above[0]) {
                    continue;
                }
                // Edges: 0 = corners 0–1 (bottom), 1 = 1–2 (right), 2 = 3–2 (top), 3 = 0–3 (left).
                const EDGES: [(usize, usize); 4] = [(0, 1), (1, 2), (3, 2), (0, 3)];
                let cross = |e: usize| -> Option<(f64, f64)> {
                    let (a, b) = EDGES[e];
                    if above[a] == above[b] {
                        return None;
                    }
                    let t = (level - v[a]) / (v[b] - v[a]);
                    let (pa, pb) = (self.node(idx[a].0, idx[a].1), self.node(idx[b].0, idx[b].1));
                    Some((pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1)))
                };
                let pts: Vec<(usize, (f64, f64))> =
                    (0..4).filter_map(|e| cross(e).map(|p| (e, p))).collect();
                match pts.len() {
                    2 => segs.push([pts[0].1, pts[1].1]),
                    4 => {
                        let p = |e: usize| pts[e].1;
                        let centre_above = v.iter().sum::<f64>() / 4.0 > level;
                        // Corners on the other side of the centre are cut off on their own.
                        if above[1] != centre_above {
                            // Corners 1 and 3 isolated: bottom–right and top–left pairs.
                            segs.push([p(0), p(1)]);
                            segs.push([p(2), p(3)]);
                        } else {
                            // Corners 0 and 2 isolated: bottom–left and right–top pairs.
                            segs.push([p(0), p(3)]);
                            segs.push([p(1), p(2)]);
                        }
                    }
                    _ => {}
                }
            }
        }
        segs
    }
}
