//! BCE with logits vs sigmoid-then-BCE over `x ∈ [−50, 50]`: the curve (log scale), where the
//! naive form breaks, and a table at chosen points. Everything is computed in `f32`, like the
//! engine, by [`crate::core::logits`].

use crate::core::logits::{bce_with_logits, naive_bce, naive_sigmoid};
use plotters::chart::ChartBuilder;
use plotters::drawing::IntoDrawingArea;
use plotters::element::Rectangle;
use plotters::series::LineSeries;
use crate::ui::figure::{fit_backing, plot_rgb, Palette};
use plotters::style::{Color, IntoFont, ShapeStyle};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// The x range of the curve.
pub const X_RANGE: (f32, f32) = (-50.0, 50.0);
/// The sampling step of the curve.
pub const X_STEP: f32 = 0.25;
/// The points of the table.
pub const TABLE_X: &[f32] = &[-50.0, -20.0, -10.0, 0.0, 10.0, 15.0, 16.0, 17.0, 20.0, 50.0];

/// One sample: `x`, naive `σ(x)`, stable BCE, naive BCE (target `y`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// The logit.
    pub x: f32,
    /// `1/(1+e^{−x})` in `f32`.
    pub sigma: f32,
    /// `softplus(x) − y·x`.
    pub stable: f32,
    /// `−[y log σ + (1−y) log(1−σ)]`.
    pub naive: f32,
}

/// The sample at `x` for target `y`.
pub fn sample(x: f32, y: f32) -> Sample {
    Sample { x, sigma: naive_sigmoid(x), stable: bce_with_logits(x, y), naive: naive_bce(x, y) }
}

/// The curve's samples over [`X_RANGE`].
pub fn curve(y: f32) -> Vec<Sample> {
    let n = ((X_RANGE.1 - X_RANGE.0) / X_STEP).round() as usize;
    (0..=n).map(|i| sample(X_RANGE.0 + i as f32 * X_STEP, y)).collect()
}

/// The first sampled `x` where the naive BCE is not finite (`None` if it never breaks).
pub fn first_break(samples: &[Sample]) -> Option<f32> {
    samples.iter().find(|s| !s.naive.is_finite()).map(|s| s.x)
}

/// Draws both curves on a `log10` loss axis; the x intervals where the naive loss is ∞ or NaN
/// are shaded. Values below 1e-30 (and exact zeros) are clipped to the axis floor.
pub fn draw(
    canvas: &HtmlCanvasElement,
    samples: &[Sample],
    pal: &Palette,
    labels: (&str, &str),
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Debug| format!("bce chart: {e:?}");
    let dpr = fit_backing(canvas).dpr;
    let (bg, fg, grid) = (plot_rgb(pal.bg), plot_rgb(pal.text), plot_rgb(pal.grid));
    let (stable_c, naive_c) = (plot_rgb(pal.series(0)), plot_rgb(pal.series(1)));
    let bad_c = plot_rgb(pal.danger.mix(pal.bg, 0.75));
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&bg).map_err(|e| err(&e))?;
    let floor = -30.0f64;
    let ly = |v: f32| -> f64 {
        if v > 0.0 {
            f64::from(v).log10().max(floor)
        } else {
            floor
        }
    };
    let y1 = samples.iter().map(|s| ly(s.stable)).fold(1.0f64, f64::max) + 0.5;
    let font = |px: f64| ("sans-serif", px * dpr).into_font().color(&fg);
    let mut chart = ChartBuilder::on(&root)
        .margin((8.0 * dpr) as u32)
        .x_label_area_size((34.0 * dpr) as u32)
        .y_label_area_size((56.0 * dpr) as u32)
        .build_cartesian_2d(f64::from(X_RANGE.0)..f64::from(X_RANGE.1), floor..y1)
        .map_err(|e| err(&e))?;
    let y_fmt = |v: &f64| format!("1e{}", v.round() as i64);
    chart
        .configure_mesh()
        .light_line_style(grid.mix(0.5))
        .bold_line_style(grid)
        .axis_style(fg.mix(0.8))
        .label_style(font(11.0))
        .axis_desc_style(font(12.0))
        .x_desc("x")
        .y_desc("BCE")
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(|e| err(&e))?;
    // Shade where the naive loss is not finite.
    let half = f64::from(X_STEP) / 2.0;
    let bad = samples.iter().filter(|s| !s.naive.is_finite()).map(|s| {
        Rectangle::new(
            [(f64::from(s.x) - half, floor), (f64::from(s.x) + half, y1)],
            bad_c.filled(),
        )
    });
    chart.draw_series(bad).map_err(|e| err(&e))?;
    let stable: Vec<(f64, f64)> = samples.iter().map(|s| (f64::from(s.x), ly(s.stable))).collect();
    let style = ShapeStyle::from(stable_c).stroke_width((3.0 * dpr) as u32);
    chart.draw_series(LineSeries::new(stable, style)).map_err(|e| err(&e))?.label(labels.0).legend(
        move |(x, y)| {
            plotters::element::PathElement::new([(x, y), (x + 16, y)], stable_c.stroke_width(3))
        },
    );
    // The naive curve, broken where it is not finite.
    let style = ShapeStyle::from(naive_c).stroke_width((1.5 * dpr).max(1.0) as u32);
    let mut seg: Vec<(f64, f64)> = Vec::new();
    let mut segs = Vec::new();
    for s in samples {
        if s.naive.is_finite() {
            seg.push((f64::from(s.x), ly(s.naive)));
        } else if !seg.is_empty() {
            segs.push(std::mem::take(&mut seg));
        }
    }
    if !seg.is_empty() {
        segs.push(seg);
    }
    for (k, seg) in segs.into_iter().enumerate() {
        let drawn = chart.draw_series(LineSeries::new(seg, style)).map_err(|e| err(&e))?;
        if k == 0 {
            drawn.label(labels.1).legend(move |(x, y)| {
                plotters::element::PathElement::new([(x, y), (x + 16, y)], naive_c.stroke_width(2))
            });
        }
    }
    chart
        .configure_series_labels()
        .background_style(bg.mix(0.85))
        .border_style(grid)
        .label_font(font(12.0))
        .position(plotters::chart::SeriesLabelPosition::UpperMiddle)
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))
}
