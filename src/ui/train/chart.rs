//! A live line chart of training curves, drawn with plotters on a canvas.
//!
//! Each [`ChartLine`] (one metric of one run) is drawn raw (thin, faint) and, when the
//! smoothing `β > 0`, as its debiased EMA (bold) — `ŝ_t = s_t/(1 − β^t)`,
//! `s_t = β s_{t−1} + (1−β) x_t` ([`crate::core::train::ema_debiased`]). A log-scale toggle
//! plots `log10(y)` (non-positive values are left out), non-finite values break the line. The
//! pointer or the arrow keys (on the focused canvas) move a crosshair whose exact values are
//! written below in an `aria-live` read-out. Redraws follow [`HistorySource`]'s version, which
//! the training loop bumps once per animation frame. PNG and CSV export.

use super::controller::TrainHandle;
use super::fmt_num;
use crate::core::train::{History, Point, Series};
use crate::i18n::tr_fmt;
use crate::page::{Appearance, I18n};
use crate::ui::figure::{fit_backing, plot_rgb, Palette};
use crate::ui::ExportButtons;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::chart::ChartBuilder;
use plotters::drawing::IntoDrawingArea;
use plotters::series::LineSeries;
use plotters::style::{Color, IntoFont, ShapeStyle, TextStyle};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// One curve: a metric of a run, its translated label and its palette colour.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartLine {
    /// The run index.
    pub run: usize,
    /// The metric key (`core::train::LOSS`, `"val_loss"`…).
    pub metric: &'static str,
    /// Translated legend label.
    pub label: String,
    /// Index into the series colours ([`Palette::series`]; wraps around).
    pub color: usize,
}

/// Where a chart reads its series: a live session, or a fixed history computed by a lesson.
#[derive(Clone, Copy)]
// `TrainHandle` is a `Copy` bag of arena ids (~230 bytes); boxing it would lose `Copy`.
#[allow(clippy::large_enum_variant)]
pub enum HistorySource {
    /// The history of a training session (redrawn when its version changes).
    Train(TrainHandle),
    /// A history held in a signal (redrawn when it changes).
    Static(Signal<History>),
}

impl From<TrainHandle> for HistorySource {
    fn from(h: TrainHandle) -> Self {
        HistorySource::Train(h)
    }
}

impl HistorySource {
    /// Subscribes the current reactive computation to changes.
    pub fn track(&self) {
        match self {
            HistorySource::Train(h) => h.version.track(),
            HistorySource::Static(s) => s.track(),
        }
    }

    /// Reads the history without tracking (`None` if there is none).
    pub fn with<U>(&self, f: impl FnOnce(&History) -> U) -> Option<U> {
        match self {
            HistorySource::Train(h) => h.with_trainer(|t| f(t.history())),
            HistorySource::Static(s) => s.try_with_untracked(f),
        }
    }
}

/// Drawing options.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    /// EMA smoothing `β ∈ [0, 1)`; 0 draws the raw lines only.
    pub beta: f64,
    /// Plot `log10(y)`.
    pub log: bool,
    /// The theme's colours.
    pub palette: Palette,
    /// The step under the crosshair.
    pub cursor: Option<u64>,
    /// Translated y-axis caption.
    pub y_label: String,
    /// Translated x-axis caption.
    pub x_label: String,
    /// Device pixels per CSS pixel.
    pub dpr: f64,
}

/// The x mapping of the last drawing, to turn a pointer position into a step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XMap {
    /// First and last step shown.
    pub steps: (f64, f64),
    /// Their x positions in CSS pixels from the canvas's left edge.
    pub px: (f64, f64),
}

impl XMap {
    /// The step at CSS x position `x` (rounded, clamped to the shown range).
    pub fn step_at(&self, x: f64) -> u64 {
        let (s0, s1) = self.steps;
        let (p0, p1) = self.px;
        let t = if p1 > p0 { ((x - p0) / (p1 - p0)).clamp(0.0, 1.0) } else { 0.0 };
        (s0 + t * (s1 - s0)).round().max(0.0) as u64
    }
}

/// Splits points into drawable runs: non-finite values (and non-positive ones on a log
/// scale) break the line; `y` is mapped to `log10(y)` on a log scale. Keeps at most about
/// `max_points` per line by taking every k-th point (the last one always kept).
fn segments(points: &[Point], log: bool, max_points: usize) -> Vec<Vec<(f64, f64)>> {
    let k = points.len().div_ceil(max_points.max(1)).max(1);
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur = Vec::new();
    for (i, p) in points.iter().enumerate() {
        if i % k != 0 && i + 1 != points.len() {
            continue;
        }
        let ok = p.value.is_finite() && (!log || p.value > 0.0);
        if ok {
            let y = if log { p.value.log10() } else { p.value };
            cur.push((p.step as f64, y));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Draws the chart; returns the x mapping, or `None` when there is nothing to draw.
pub fn draw_chart(
    canvas: &HtmlCanvasElement,
    history: &History,
    lines: &[ChartLine],
    o: &ChartOptions,
) -> Result<Option<XMap>, String> {
    let err = |e: &dyn std::fmt::Debug| format!("chart: {e:?}");
    let pal = &o.palette;
    let (bg, fg, grid) = (plot_rgb(pal.bg), plot_rgb(pal.text), plot_rgb(pal.grid));
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&bg).map_err(|e| err(&e))?;
    let series: Vec<(&ChartLine, &Series)> = lines
        .iter()
        .filter_map(|l| history.series(l.run, l.metric).map(|s| (l, s)))
        .filter(|(_, s)| !s.points.is_empty())
        .collect();
    let range = history
        .range(|s| series.iter().any(|(_, t)| t.run == s.run && t.metric == s.metric), o.log);
    let Some((lo, hi)) = range else {
        return Ok(None);
    };
    let (mut y0, mut y1) = if o.log { (lo.log10(), hi.log10()) } else { (lo, hi) };
    if y1 - y0 < 1e-12 {
        let pad = if o.log { 0.5 } else { y0.abs().max(1.0) * 0.1 };
        y0 -= pad;
        y1 += pad;
    } else {
        let pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;
    }
    let first = series.iter().filter_map(|(_, s)| s.points.first()).map(|p| p.step).min();
    let last = series.iter().filter_map(|(_, s)| s.last()).map(|p| p.step).max();
    let x0 = first.unwrap_or(0) as f64;
    let x1 = (last.unwrap_or(1) as f64).max(x0 + 1.0);
    let s = o.dpr.max(1.0);
    let font = |px: f64| -> TextStyle { ("sans-serif", px * s).into_font().color(&fg) };
    let mut chart = ChartBuilder::on(&root)
        .margin((8.0 * s) as u32)
        .x_label_area_size((34.0 * s) as u32)
        .y_label_area_size((56.0 * s) as u32)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| err(&e))?;
    let log = o.log;
    let y_fmt = move |v: &f64| {
        if log {
            fmt_num(10f64.powf(*v))
        } else {
            fmt_num(*v)
        }
    };
    let x_fmt = |v: &f64| format!("{}", v.round() as i64);
    chart
        .configure_mesh()
        .light_line_style(grid.mix(0.5))
        .bold_line_style(grid)
        .axis_style(fg.mix(0.8))
        .label_style(font(11.0))
        .axis_desc_style(font(12.0))
        .x_desc(o.x_label.as_str())
        .y_desc(o.y_label.as_str())
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(|e| err(&e))?;
    let width_px = canvas.width() as usize;
    let beta = o.beta.clamp(0.0, 0.999);
    for (line, s) in &series {
        let c = plot_rgb(pal.series(line.color));
        let raw_style = if beta > 0.0 {
            ShapeStyle::from(c.mix(0.35)).stroke_width((1.0 * s_px(o)) as u32)
        } else {
            ShapeStyle::from(c).stroke_width((2.0 * s_px(o)) as u32)
        };
        for seg in segments(&s.points, o.log, width_px * 2) {
            chart.draw_series(LineSeries::new(seg, raw_style)).map_err(|e| err(&e))?;
        }
        if beta > 0.0 {
            let sm = s.smoothed(beta);
            let style = ShapeStyle::from(c).stroke_width((2.0 * s_px(o)) as u32);
            for seg in segments(&sm, o.log, width_px * 2) {
                chart.draw_series(LineSeries::new(seg, style)).map_err(|e| err(&e))?;
            }
        }
    }
    let (px_range, _) = chart.plotting_area().get_pixel_range();
    if let Some(step) = o.cursor {
        let x = (step as f64).clamp(x0, x1);
        let style = ShapeStyle::from(fg.mix(0.6)).stroke_width(s.max(1.0) as u32);
        chart.draw_series(LineSeries::new([(x, y0), (x, y1)], style)).map_err(|e| err(&e))?;
        for (line, s) in &series {
            let pts = if beta > 0.0 { s.smoothed(beta) } else { s.points.clone() };
            let tmp = Series { run: s.run, metric: s.metric, points: pts };
            if let Some(p) = tmp.nearest(step) {
                if p.value.is_finite() && (!o.log || p.value > 0.0) {
                    let y = if o.log { p.value.log10() } else { p.value };
                    let c = plot_rgb(pal.series(line.color));
                    chart
                        .draw_series(std::iter::once(plotters::element::Circle::new(
                            (p.step as f64, y),
                            (3.5 * s_px(o)) as u32,
                            c.filled(),
                        )))
                        .map_err(|e| err(&e))?;
                }
            }
        }
    }
    root.present().map_err(|e| err(&e))?;
    Ok(Some(XMap {
        steps: (x0, x1),
        px: (f64::from(px_range.start) / s, f64::from(px_range.end) / s),
    }))
}

fn s_px(o: &ChartOptions) -> f64 {
    o.dpr.max(1.0)
}

/// The read-out text at `step`: per line, the raw value and (with `β > 0`) the smoothed one.
pub fn readout(
    history: &History,
    lines: &[ChartLine],
    step: u64,
    beta: f64,
    smoothed: &str,
) -> String {
    let mut parts = Vec::new();
    for l in lines {
        let Some(s) = history.series(l.run, l.metric) else { continue };
        let Some(p) = s.nearest(step) else { continue };
        let mut text = format!("{}: {}", l.label, fmt_num(p.value));
        if beta > 0.0 {
            let sm = s.smoothed(beta);
            if let Some(q) = sm.iter().find(|q| q.step == p.step) {
                text.push_str(&format!(" ({smoothed} {})", fmt_num(q.value)));
            }
        }
        parts.push(text);
    }
    parts.join(" · ")
}

/// A training-curve chart with its legend, smoothing slider, log toggle, read-out and
/// PNG/CSV export. Test ids: `chart-<name>` (canvas), `chart-<name>-smoothing`,
/// `chart-<name>-log`, `chart-<name>-readout`, `export-png-<name>`, `export-csv-<name>`.
#[component]
pub fn LossChart(
    /// The data.
    source: HistorySource,
    /// The curves to draw.
    #[prop(into)]
    lines: Signal<Vec<ChartLine>>,
    /// Short figure name (test ids, file names).
    #[prop(into)]
    name: String,
    /// Translated y-axis caption (e.g. "loss").
    #[prop(into)]
    y_label: Signal<String>,
    /// Translated description of the figure (canvas `aria-label`, export buttons).
    #[prop(into)]
    what: Signal<String>,
    /// Initial smoothing in hundredths (β = value/100); default 60.
    #[prop(optional)]
    smoothing: Option<u32>,
    /// Start on a log scale.
    #[prop(optional)]
    log: bool,
    /// Draw the series as they are: no EMA line and no smoothing slider (for series that
    /// are already smoothed by the lesson).
    #[prop(optional)]
    raw_only: bool,
) -> impl IntoView {
    let i18n = I18n::current();
    let appearance = Appearance::current();
    let canvas = NodeRef::<Canvas>::new();
    let smooth = RwSignal::new(if raw_only { 0 } else { smoothing.unwrap_or(60).min(99) });
    let log_scale = RwSignal::new(log);
    let cursor = RwSignal::new(None::<u64>);
    let xmap = StoredValue::new(None::<XMap>);
    let warmed = StoredValue::new(false);
    let beta = move || f64::from(smooth.get()) / 100.0;

    Effect::new(move |_| {
        source.track();
        let Some(c) = canvas.get() else { return };
        let t0 = now_ms();
        let dpr = fit_backing(&c).dpr;
        let opts = ChartOptions {
            beta: beta(),
            log: log_scale.get(),
            palette: Palette::of(&appearance),
            cursor: cursor.get(),
            y_label: y_label.get(),
            x_label: i18n.t("chart.step").to_string(),
            dpr,
        };
        let ls = lines.get();
        // The first chart with data runs plotters' text and path code for the first time
        // (compiled on first call, fonts resolved): do that now, on a one-point stand-in,
        // rather than in the first training frame; the real state is drawn over it below.
        if !warmed.get_value() && !ls.is_empty() && source.with(|_| ()).is_some() {
            warmed.set_value(true);
            let mut stand_in = History::new();
            for l in &ls {
                stand_in.push(l.run, l.metric, 1, 1.0);
                stand_in.push(l.run, l.metric, 2, 0.5);
            }
            let _ = draw_chart(&c, &stand_in, &ls, &opts);
        }
        let drawn = source.with(|h| draw_chart(&c, h, &ls, &opts));
        match drawn {
            Some(Ok(m)) => xmap.set_value(m),
            Some(Err(e)) => web_sys::console::warn_1(&e.into()),
            None => {}
        }
        // A session's redraw is part of its frame's training work.
        if let HistorySource::Train(h) = &source {
            h.add_paint_ms(now_ms() - t0);
        }
    });

    let empty = move || {
        source.track();
        source.with(|h| h.is_empty()).unwrap_or(true)
    };
    let readout_text = move || {
        source.track();
        let step = cursor.get()?;
        let ls = lines.get();
        let smoothed = i18n.t("chart.smoothed");
        let b = beta();
        let text = source.with(|h| readout(h, &ls, step, b, smoothed))?;
        Some(format!(
            "{} — {}",
            tr_fmt(i18n.lang.get(), "chart.readout", &[("step", &step.to_string())]),
            text
        ))
    };
    let last_step = move || source.with(|h| h.last_step()).unwrap_or(0);
    let first_step = move || {
        source
            .with(|h| h.all().iter().filter_map(|s| s.points.first()).map(|p| p.step).min())
            .flatten()
            .unwrap_or(0)
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let (first, last) = (first_step(), last_step());
        if last == 0 {
            return;
        }
        let stride = ((last - first) / 100).max(1) * if ev.shift_key() { 10 } else { 1 };
        let cur = cursor.get_untracked().unwrap_or(last);
        let next = match ev.key().as_str() {
            "ArrowLeft" => cur.saturating_sub(stride).max(first),
            "ArrowRight" => (cur + stride).min(last),
            "Home" => first,
            "End" => last,
            "Escape" => {
                cursor.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        cursor.set(Some(next));
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if let Some(m) = xmap.get_value() {
            cursor.set(Some(m.step_at(f64::from(ev.offset_x()))));
        }
    };
    let legend = move || {
        let pal = Palette::of(&appearance);
        lines
            .get()
            .into_iter()
            .map(|l| {
                let style = format!("background: {}", pal.series(l.color));
                view! {
                    <li>
                        <span class="tr-swatch" style=style aria-hidden="true"></span>
                        {l.label}
                    </li>
                }
            })
            .collect_view()
    };
    let csv = Callback::new(move |()| {
        let ls = lines.get_untracked();
        source
            .with(|h| {
                h.csv_rows(|s| {
                    ls.iter()
                        .find(|l| l.run == s.run && l.metric == s.metric)
                        .map(|l| l.label.clone())
                        .unwrap_or_else(|| format!("run{}:{}", s.run, s.metric))
                })
            })
            .unwrap_or_default()
    });
    let smooth_id = crate::ui::controls::next_id("smooth");
    let log_id = crate::ui::controls::next_id("log");
    let testid = format!("chart-{name}");
    view! {
        <figure class="tr-chart">
            <ul class="tr-legend">{legend}</ul>
            <div class="tr-canvas-wrap">
                <canvas
                    node_ref=canvas
                    tabindex="0"
                    role="img"
                    data-testid=testid.clone()
                    aria-label=move || what.get()
                    on:pointermove=on_move
                    on:pointerleave=move |_| cursor.set(None)
                    on:keydown=on_key
                ></canvas>
                <Show when=empty>
                    <p class="tr-empty">{move || i18n.t("chart.empty")}</p>
                </Show>
            </div>
            <p class="tr-readout" aria-live="polite" data-testid=format!("{testid}-readout")>
                {move || readout_text().unwrap_or_else(|| i18n.t("chart.hint").to_string())}
            </p>
            <div class="tr-chart-tools">
                <div class="w-field w-slider" hidden=raw_only>
                    <label for=smooth_id.clone()>{move || i18n.t("chart.smoothing")}</label>
                    <input
                        type="range"
                        id=smooth_id
                        min=0
                        max=99
                        step=1
                        data-testid=format!("{testid}-smoothing")
                        prop:value=move || smooth.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u32>() {
                                smooth.set(v.min(99));
                            }
                        }
                    />
                    <output>{move || format!("{:.2}", beta())}</output>
                </div>
                <div class="w-field w-toggle">
                    <input
                        type="checkbox"
                        id=log_id.clone()
                        data-testid=format!("{testid}-log")
                        prop:checked=move || log_scale.get()
                        on:change=move |ev| log_scale.set(event_target_checked(&ev))
                    />
                    <label for=log_id>{move || i18n.t("chart.log")}</label>
                </div>
                <ExportButtons name=name.clone() canvas=canvas csv=csv what=what />
            </div>
        </figure>
    }
}
