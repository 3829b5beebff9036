//! Canvas figures of the divergence lesson (plotters): densities or histograms of P, Q and
//! M = (P+Q)/2, and the integrands `p ln(p/q)` whose area (or sum) is the divergence.
//! Infinite histogram terms are drawn as full-height hatched bars marked "∞".

use crate::ui::figure::{fit_backing, plot_rgb, Palette};
use plotters::chart::{ChartBuilder, SeriesLabelPosition};
use plotters::drawing::IntoDrawingArea;
use plotters::element::{PathElement, Rectangle, Text};
use plotters::series::{DashedLineSeries, LineSeries};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, ShapeStyle};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// One curve or bar series: translated label, palette colour, values.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Palette index (see [`crate::ui::train::palette`]).
    pub color: usize,
    /// y values at the shared x positions (curves) or per bin (bars); may hold `+∞` (bars).
    pub ys: Vec<f64>,
    /// Draw dashed (M) instead of solid.
    pub dashed: bool,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// Curves over `xs`.
    Curves {
        /// The shared x positions.
        xs: Vec<f64>,
        /// The curves.
        series: Vec<Series>,
    },
    /// Grouped bars, one group per bin (bins numbered from 1).
    Bars {
        /// One series per bar of a group.
        series: Vec<Series>,
    },
}

/// The y range of finite values, always including 0, padded by 8 %.
fn y_range(series: &[Series]) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for s in series {
        for &y in &s.ys {
            if y.is_finite() {
                lo = lo.min(y);
                hi = hi.max(y);
            }
        }
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let pad = 0.08 * (hi - lo);
    (if lo < 0.0 { lo - pad } else { 0.0 }, hi + pad)
}

/// Draws `fig` with axis captions `x_label`, `y_label`.
pub fn draw(
    canvas: &HtmlCanvasElement,
    fig: &Figure,
    pal: &Palette,
    x_label: &str,
    y_label: &str,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Debug| format!("divergence chart: {e:?}");
    let dpr = fit_backing(canvas).dpr;
    let (bg, fg, grid) = (plot_rgb(pal.bg), plot_rgb(pal.text), plot_rgb(pal.grid));
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&bg).map_err(|e| err(&e))?;
    let font = |px: f64| ("sans-serif", px * dpr).into_font().color(&fg);
    let series = match fig {
        Figure::Curves { series, .. } | Figure::Bars { series } => series,
    };
    let (y0, y_top) = y_range(series);
    // Bars: headroom above the tallest bar for the legend and the "∞" marks.
    let is_bars = matches!(fig, Figure::Bars { .. });
    let y1 = if is_bars { y0 + (y_top - y0) * 1.35 } else { y_top };
    let (x0, x1) = match fig {
        Figure::Curves { xs, .. } => {
            (xs.first().copied().unwrap_or(0.0), xs.last().copied().unwrap_or(1.0))
        }
        Figure::Bars { series } => {
            let n = series.iter().map(|s| s.ys.len()).max().unwrap_or(1);
            (0.5, n as f64 + 0.5)
        }
    };
    let mut chart = ChartBuilder::on(&root)
        .margin((8.0 * dpr) as u32)
        .x_label_area_size((30.0 * dpr) as u32)
        .y_label_area_size((48.0 * dpr) as u32)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| err(&e))?;
    let x_fmt = move |v: &f64| {
        if is_bars {
            if (v - v.round()).abs() < 1e-9 {
                format!("{}", v.round() as i64)
            } else {
                String::new()
            }
        } else {
            crate::ui::train::fmt_num(*v)
        }
    };
    let y_fmt = |v: &f64| crate::ui::train::fmt_num(*v);
    chart
        .configure_mesh()
        .light_line_style(grid.mix(0.5))
        .bold_line_style(grid)
        .axis_style(fg.mix(0.8))
        .label_style(font(11.0))
        .axis_desc_style(font(12.0))
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_labels(if is_bars { series.first().map_or(8, |s| s.ys.len()) } else { 9 })
        .draw()
        .map_err(|e| err(&e))?;
    if y0 < 0.0 {
        chart
            .draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], fg.mix(0.6).stroke_width(1)))
            .map_err(|e| err(&e))?;
    }
    let lw = (2.0 * dpr).max(1.0) as u32;
    match fig {
        Figure::Curves { xs, series } => {
            for s in series {
                let c = plot_rgb(pal.series(s.color));
                let pts: Vec<(f64, f64)> = xs
                    .iter()
                    .zip(&s.ys)
                    .filter(|(_, y)| y.is_finite())
                    .map(|(&x, &y)| (x, y))
                    .collect();
                let style = ShapeStyle::from(c).stroke_width(lw);
                let drawn = if s.dashed {
                    let (dash, gap) = ((8.0 * dpr) as u32, (5.0 * dpr) as u32);
                    chart
                        .draw_series(DashedLineSeries::new(pts, dash, gap, style))
                        .map_err(|e| err(&e))?
                } else {
                    chart.draw_series(LineSeries::new(pts, style)).map_err(|e| err(&e))?
                };
                drawn.label(s.label.clone()).legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], c.stroke_width(3))
                });
            }
        }
        Figure::Bars { series } => {
            let k = series.len().max(1) as f64;
            let width = 0.8 / k;
            for (j, s) in series.iter().enumerate() {
                let c = plot_rgb(pal.series(s.color));
                let fill = if s.dashed { c.mix(0.35).filled() } else { c.filled() };
                let bars = s.ys.iter().enumerate().map(|(i, &y)| {
                    let left = i as f64 + 1.0 - 0.4 + j as f64 * width;
                    let top = if y.is_finite() { y } else { y_top };
                    Rectangle::new([(left, 0.0), (left + width * 0.92, top)], fill)
                });
                chart.draw_series(bars).map_err(|e| err(&e))?.label(s.label.clone()).legend(
                    move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()),
                );
                // Infinite terms: "∞" over a full-height bar.
                let marks =
                    s.ys.iter().enumerate().filter(|(_, y)| y.is_infinite()).map(|(i, _)| {
                        let mid = i as f64 + 1.0 - 0.4 + (j as f64 + 0.5) * width;
                        let style = font(20.0).pos(Pos::new(HPos::Center, VPos::Bottom));
                        Text::new("∞", (mid, y_top), style)
                    });
                chart.draw_series(marks).map_err(|e| err(&e))?;
            }
        }
    }
    chart
        .configure_series_labels()
        .background_style(bg.mix(0.85))
        .border_style(grid)
        .label_font(font(12.0))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))
}
