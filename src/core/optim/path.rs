//! Optimizer trajectories on a 2-D [`Surface`]: the point `θ = (x, y)` updated by an
//! [`Optimizer`] with the surface's exact gradient, `θ_{t+1} = update(θ_t, ∇f(θ_t))`.
//!
//! A run stops early when it **diverges**: a non-finite coordinate, loss or gradient, or a
//! coordinate beyond [`DIVERGENCE_LIMIT`] in magnitude. The step at which that happened is
//! reported instead of the runaway numbers, and every recorded point is finite, so a
//! drawing never sees a NaN. Leaving the surface's view box is noted separately (a saddle's
//! escape is not a divergence).

use super::{OptimError, OptimizerSpec};
use crate::core::surfaces::Surface;

/// A coordinate beyond this magnitude counts as divergence.
pub const DIVERGENCE_LIMIT: f64 = 1e6;

/// One optimizer's run from a start point.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// `θ_0 … θ_T` (all finite); `T` = the steps taken before the end or divergence.
    pub points: Vec<(f64, f64)>,
    /// `f(θ_t)` for each point.
    pub losses: Vec<f64>,
    /// The step `t ≥ 1` whose update diverged (its point is not recorded).
    pub diverged_at: Option<usize>,
    /// The first step whose point lies outside the view box.
    pub left_view_at: Option<usize>,
}

impl Trajectory {
    /// The last recorded point at or before step `t`.
    pub fn point_at(&self, t: usize) -> (f64, f64) {
        let i = t.min(self.points.len().saturating_sub(1));
        self.points.get(i).copied().unwrap_or((0.0, 0.0))
    }

    /// The loss at the last recorded point at or before step `t`.
    pub fn loss_at(&self, t: usize) -> f64 {
        let i = t.min(self.losses.len().saturating_sub(1));
        self.losses.get(i).copied().unwrap_or(0.0)
    }
}

/// Runs `steps` updates of the optimizer `spec` on `surface` from `start`.
pub fn descend(
    surface: &Surface,
    start: (f64, f64),
    spec: &OptimizerSpec,
    steps: usize,
) -> Result<Trajectory, OptimError> {
    let mut opt = spec.build()?;
    let view = surface.view();
    let mut p = [start.0 as f32, start.1 as f32];
    let first = (p[0] as f64, p[1] as f64);
    let mut tr = Trajectory {
        points: vec![first],
        losses: vec![surface.value(first.0, first.1)],
        diverged_at: None,
        left_view_at: (!view.contains(first.0, first.1)).then_some(0),
    };
    for t in 1..=steps {
        let (x, y) = (p[0] as f64, p[1] as f64);
        let (gx, gy) = surface.grad(x, y);
        let g = [gx as f32, gy as f32];
        opt.step(&mut [&mut p], &[&g])?;
        let (nx, ny) = (p[0] as f64, p[1] as f64);
        let loss = surface.value(nx, ny);
        let bad = |v: f64| !v.is_finite() || v.abs() > DIVERGENCE_LIMIT;
        if bad(nx) || bad(ny) || !loss.is_finite() || !g.iter().all(|v| v.is_finite()) {
            tr.diverged_at = Some(t);
            break;
        }
        tr.points.push((nx, ny));
        tr.losses.push(loss);
        if tr.left_view_at.is_none() && !view.contains(nx, ny) {
            tr.left_view_at = Some(t);
        }
    }
    Ok(tr)
}
