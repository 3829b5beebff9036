//! Mini-batch SGD vs full-batch gradient descent on a seeded line-fitting problem
//! (`core::data::linear_regression`, `core::optim::minibatch`): the two paths in the
//! `(w, b)` plane over the full loss's contours, the current step's full gradient and batch
//! gradient as arrows (plus the steps other random batches would have taken), the data with
//! both fitted lines, and the full-data loss of both runs.

use super::controls::{RealSlider, Scale};
use super::Knobs;
use super::draw::{self, Frame, Theme, COLOURS};
use crate::ui::figure::Palette;
use super::player::{Playback, Player};
use crate::core::data::{linear_regression, permutation};
use crate::core::optim::minibatch::{run, LineFit, MinibatchRun};
use crate::core::surfaces::{Grid, Segment, ViewBox};
use crate::core::train::{History, LOSS};
use crate::core::Rng;
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::train::{ChartLine, HistorySource, LossChart};
use crate::ui::{context_2d, format_value, ExportButtons, Slider};
use crate::ui::controls::KnobSlider;
use leptos::html::Canvas;
use leptos::prelude::*;
use std::sync::Arc;

const PLANE: u32 = 360;
const DATA_W: u32 = 360;
const DATA_H: u32 = 260;
/// Other random batches drawn as grey arrows at the current step.
const GHOSTS: usize = 16;
/// Colour of the mini-batch run (SGD's orange) and of the full-batch run (blue).
const MINI: &str = COLOURS[0];

#[derive(PartialEq)]
struct Problem {
    fit: LineFit,
    optimum: (f64, f64),
    view: ViewBox,
    start: (f64, f64),
}

#[component]
pub fn MinibatchPanel() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());

    let k = Knobs::KEYS;
    let n = Memo::new(move |_| params.knob(k.n) as usize);
    // A batch larger than the data set is the whole set.
    let batch = Memo::new(move |_| (params.knob(k.bs) as usize).min(n.get()));
    let lr = Memo::new(move |_| params.knob(k.mlr) as f32);
    let steps = Memo::new(move |_| params.knob(k.msteps) as usize);
    let seed = Memo::new(move |_| params.knob(k.seed));
    let problem = Memo::new(move |_| {
        let ds = linear_regression(n.get(), 1, params.knob(k.noise) as f32, seed.get()).ok()?;
        let fit = LineFit::from_dataset(&ds.0).ok()?;
        let optimum = fit.optimum();
        let (w, b) = optimum;
        let view = ViewBox { x0: w - 3.5, x1: w + 3.5, y0: b - 3.5, y1: b + 3.5 };
        Some(Arc::new(Problem { fit, optimum, view, start: (w - 2.8, b + 2.8) }))
    });
    let result = Memo::new(move |_| {
        let p = problem.get()?;
        run(&p.fit, p.start, lr.get(), batch.get(), steps.get(), seed.get()).ok().map(Arc::new)
    });
    let max = Signal::derive(move || result.with(|r| r.as_ref().map_or(0, |r| r.batches.len())));
    let pb = Playback::new(max);
    let theme_of = Memo::new(move |_| Theme::new(&Palette::of(&appearance)));
    let full_colour = move || theme_of.with(|t| t.full.clone());

    let backdrop = Memo::new(move |_| {
        let p = problem.get()?;
        let theme = theme_of.get();
        let grid = Grid::evaluate_fn(p.view, 81, 81, |w, b| p.fit.loss(w, b, None));
        let segs: Vec<Segment> =
            grid.quantile_levels(14).iter().flat_map(|&l| grid.contour(l)).collect();
        let rgba = draw::shade(&grid, PLANE as usize, PLANE as usize, &theme);
        Some(Arc::new((rgba, segs)))
    });

    // The batch-gradient steps at the current point: this step's batch, and GHOSTS other
    // random batches of the same size (seeded by the step, so a replay draws the same).
    let arrows = Memo::new(move |_| {
        let p = problem.get()?;
        let r = result.get()?;
        let tt = pb.at(r.batches.len());
        let at = *r.mini.get(tt)?;
        let eta = lr.get() as f64;
        let full = p.fit.grad(at.0, at.1, None);
        let step_of = |g: (f64, f64)| (at.0 - eta * g.0, at.1 - eta * g.1);
        let this = r.batches.get(tt).map(|b| step_of(p.fit.grad(at.0, at.1, Some(b))));
        let mut rng = Rng::new(seed.get() ^ (tt as u64).wrapping_mul(0x9E37_79B9));
        let bs = batch.get();
        let ghosts: Vec<(f64, f64)> = (0..GHOSTS)
            .map(|_| {
                let perm = permutation(p.fit.len(), &mut rng);
                step_of(p.fit.grad(at.0, at.1, Some(&perm[..bs])))
            })
            .collect();
        // Relative spread of batch gradients around the full one.
        let gn = full.0.hypot(full.1).max(1e-12);
        let spread = ghosts
            .iter()
            .map(|g| ((g.0 - step_of(full).0).hypot(g.1 - step_of(full).1) / eta.max(1e-12)) / gn)
            .sum::<f64>()
            / GHOSTS as f64;
        Some((at, step_of(full), this, ghosts, spread))
    });

    let plane = NodeRef::<Canvas>::new();
    // The plane's static layer (shading, contours, optimum), keyed by its backdrop.
    let layer = StoredValue::new_local(None::<(usize, web_sys::HtmlCanvasElement)>);
    let data = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let (Some(c), Some(p), Some(r), Some(bd)) =
            (plane.get(), problem.get(), result.get(), backdrop.get())
        else {
            return;
        };
        let Ok(ctx) = context_2d(&c) else { return };
        let theme = theme_of.get();
        let f = Frame { view: p.view, w: PLANE as f64, h: PLANE as f64 };
        let tt = pb.at(r.batches.len());
        c.set_width(PLANE);
        c.set_height(PLANE);
        let key = Arc::as_ptr(&bd) as usize;
        if layer.with_value(|l| l.as_ref().map(|l| l.0)) != Some(key) {
            let built = draw::layer(PLANE, PLANE, |ctx| {
                draw::put(ctx, &bd.0, PLANE, PLANE);
                draw::contours(ctx, &f, &bd.1, &theme.contour);
                let o = f.px(p.optimum.0, p.optimum.1);
                draw::label(ctx, "★", (o.0 - 6.0, o.1 + 5.0), &theme.fg);
            });
            layer.set_value(built.map(|c| (key, c)));
        }
        layer.with_value(|l| {
            if let Some((_, l)) = l.as_ref() {
                draw::blit(&ctx, l);
            }
        });
        let upto = (tt + 1).min(r.full.len());
        draw::path(&ctx, &f, &r.full[..upto], &full_colour(), 2.5, &[7.0, 4.0]);
        draw::path(&ctx, &f, &r.mini[..upto.min(r.mini.len())], MINI, 2.0, &[]);
        if let Some((at, full_to, this, ghosts, _)) = arrows.get() {
            let a = f.px(at.0, at.1);
            for g in &ghosts {
                draw::arrow(&ctx, a, f.px(g.0, g.1), &theme.contour, 1.5);
            }
            draw::arrow(&ctx, a, f.px(full_to.0, full_to.1), &full_colour(), 3.0);
            if let Some(b) = this {
                draw::arrow(&ctx, a, f.px(b.0, b.1), MINI, 3.0);
            }
        }
        if let Some(fp) = r.full.get(tt.min(r.full.len() - 1)) {
            draw::marker(
                &ctx,
                f.px(fp.0, fp.1),
                draw::Marker::Square,
                5.5,
                &full_colour(),
                &theme.fg,
            );
        }
        if let Some(mp) = r.mini.get(tt.min(r.mini.len() - 1)) {
            draw::marker(&ctx, f.px(mp.0, mp.1), draw::Marker::Circle, 5.5, MINI, &theme.fg);
        }
    });
    Effect::new(move |_| {
        let (Some(c), Some(p), Some(r)) = (data.get(), problem.get(), result.get()) else {
            return;
        };
        let tt = pb.at(r.batches.len());
        paint_data(&c, &p, &r, tt, &theme_of.get());
    });
    // The full-data loss of both runs up to the shown step, for the training kit's chart.
    let history = Signal::derive(move || {
        let mut h = History::new();
        if let Some(r) = result.get() {
            let tt = pb.at(r.batches.len());
            for (s, (lf, lm)) in r.full_loss.iter().zip(&r.mini_loss).enumerate().take(tt + 1) {
                h.push(0, LOSS, s as u64, *lf);
                h.push(1, LOSS, s as u64, *lm);
            }
        }
        h
    });
    let chart_lines = Signal::derive(move || {
        vec![
            ChartLine { run: 0, metric: LOSS, label: i18n.t("sgd.mini.run.full").into(), color: 0 },
            ChartLine { run: 1, metric: LOSS, label: i18n.t("sgd.mini.run.mini").into(), color: 5 },
        ]
    });

    let readout = move || {
        let lang = i18n.lang.get();
        let Some(r) = result.get() else {
            return crate::i18n::tr(lang, "sgd.mini.error").to_string();
        };
        let tt = pb.at(r.batches.len());
        let lf = r.full_loss.get(tt).copied().unwrap_or(f64::NAN);
        let lm = r.mini_loss.get(tt).copied().unwrap_or(f64::NAN);
        let spread = arrows.get().map_or(0.0, |a| a.4);
        crate::i18n::tr(lang, "sgd.mini.readout")
            .replace("{full}", &format_value(lf as f32))
            .replace("{mini}", &format_value(lm as f32))
            .replace("{spread}", &format!("{:.0}", spread * 100.0))
            .replace("{b}", &batch.get().to_string())
    };
    let divergence = move || {
        let r = result.get()?;
        let d = r.diverged_at?;
        Some(i18n.t("sgd.mini.diverged").replace("{t}", &d.to_string()))
    };
    let csv = Callback::new(move |_: ()| {
        let mut rows =
            vec![["step", "w_full", "b_full", "loss_full", "w_mini", "b_mini", "loss_mini"]
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()];
        if let Some(r) = result.get_untracked() {
            let r: Arc<MinibatchRun> = r;
            for s in 0..r.full.len().min(r.mini.len()) {
                rows.push(vec![
                    s.to_string(),
                    r.full[s].0.to_string(),
                    r.full[s].1.to_string(),
                    r.full_loss[s].to_string(),
                    r.mini[s].0.to_string(),
                    r.mini[s].1.to_string(),
                    r.mini_loss[s].to_string(),
                ]);
            }
        }
        rows
    });

    view! {
        <section class="panel sgd-mini" aria-labelledby="sgd-h-mini-panel">
            <h2 id="sgd-h-mini-panel">{move || i18n.t("sgd.h.mini.panel")}</h2>
            <div class="sgd-controls">
                <Slider label=Signal::derive(move || format!("{} (N = {})", i18n.t("sgd.mini.bs"), n.get()))
                    value=Signal::derive(move || batch.get() as i64)
                    min=k.bs.min() max=k.bs.max()
                    on_change=Callback::new(move |v: i64| params.put(k.bs, v)) testid="sgd-mini-bs" />
                <RealSlider label=t("sgd.mini.lr") value=Signal::derive(move || params.knob(k.mlr))
                    scale=Scale::log(k.mlr)
                    on_change=Callback::new(move |v: f64| params.put(k.mlr, v))
                    testid="sgd-mini-lr" />
                <KnobSlider label=t("sgd.mini.n") knob=k.n testid="sgd-mini-n" />
                <RealSlider label=t("sgd.mini.noise") value=Signal::derive(move || params.knob(k.noise))
                    scale=Scale::linear(k.noise)
                    on_change=Callback::new(move |v: f64| params.put(k.noise, v))
                    testid="sgd-mini-noise" />
                <KnobSlider label=t("sgd.mini.steps") knob=k.msteps testid="sgd-mini-steps" />
            </div>
            <Player pb=pb max=max prefix="sgd-mini" />
            <p class="sgd-readout" aria-live="polite" data-testid="sgd-mini-readout">{readout}</p>
            <p class="impossible" role="alert" data-testid="sgd-mini-diverged">{divergence}</p>
            <div class="sgd-mini-figs">
                <figure class="fig">
                    <canvas node_ref=plane class="sgd-canvas" width=PLANE height=PLANE role="img"
                        aria-label=move || i18n.t("sgd.mini.plane.aria") data-testid="sgd-mini-plane"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("sgd.mini.plane")}</span>
                        <ExportButtons name="sgd-mini-plane" canvas=plane csv=csv what=t("sgd.mini.plane") />
                    </figcaption>
                </figure>
                <figure class="fig">
                    <canvas node_ref=data class="sgd-canvas sgd-wide" width=DATA_W height=DATA_H role="img"
                        aria-label=move || i18n.t("sgd.mini.data.aria") data-testid="sgd-mini-data"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("sgd.mini.data")}</span>
                        <ExportButtons name="sgd-mini-data" canvas=data what=t("sgd.mini.data") />
                    </figcaption>
                </figure>
                <div class="sgd-chart" data-testid="sgd-mini-chart">
                    <LossChart
                        source=HistorySource::Static(history)
                        lines=chart_lines
                        name="sgd-mini-loss"
                        y_label=t("sgd.mini.chart.y")
                        what=t("sgd.mini.chart")
                        log=true
                        raw_only=true
                    />
                </div>
            </div>
            <ul class="sgd-key">
                <li><span class="sgd-key-line" style=move || format!("border-color:{}", full_colour())></span>
                    {move || i18n.t("sgd.mini.key.full")}</li>
                <li><span class="sgd-key-line sgd-key-mini"></span>{move || i18n.t("sgd.mini.key.mini")}</li>
                <li><span class="sgd-key-line sgd-key-ghost"></span>{move || i18n.t("sgd.mini.key.ghost")}</li>
            </ul>
        </section>
    }
}

/// The data figure: the points (this step's batch larger, outlined), the optimum's line
/// (dotted) and both runs' lines at step `tt`.
fn paint_data(c: &web_sys::HtmlCanvasElement, p: &Problem, r: &MinibatchRun, tt: usize, theme: &Theme) {
    let Ok(ctx) = context_2d(c) else { return };
    c.set_width(DATA_W);
    c.set_height(DATA_H);
    let (w, h) = (DATA_W as f64, DATA_H as f64);
    let xs = &p.fit.xs;
    let ys = &p.fit.ys;
    let lo = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = |a: f64, b: f64| ((b - a) * 0.08).max(0.1);
    let (x0, x1) = (lo(xs), hi(xs));
    let (y0, y1) = (lo(ys), hi(ys));
    let view = ViewBox {
        x0: x0 - pad(x0, x1),
        x1: x1 + pad(x0, x1),
        y0: y0 - pad(y0, y1),
        y1: y1 + pad(y0, y1),
    };
    let f = Frame { view, w, h };
    ctx.set_fill_style_str(&theme.bg);
    ctx.fill_rect(0.0, 0.0, w, h);
    let in_batch: Vec<bool> = {
        let mut v = vec![false; xs.len()];
        for &i in r.batches.get(tt).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(x) = v.get_mut(i) {
                *x = true;
            }
        }
        v
    };
    for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
        let q = f.px(*x, *y);
        ctx.begin_path();
        let _ =
            ctx.arc(q.0, q.1, if in_batch[i] { 5.0 } else { 2.5 }, 0.0, std::f64::consts::TAU);
        ctx.set_fill_style_str(if in_batch[i] { MINI } else { &theme.contour });
        ctx.fill();
        if in_batch[i] {
            ctx.set_stroke_style_str(&theme.fg);
            ctx.set_line_width(1.0);
            ctx.stroke();
        }
    }
    let line =
        |(wv, bv): (f64, f64)| [(view.x0, wv * view.x0 + bv), (view.x1, wv * view.x1 + bv)];
    draw::path(&ctx, &f, &line(p.optimum), &theme.fg, 1.0, &[3.0, 3.0]);
    if let Some(fp) = r.full.get(tt.min(r.full.len() - 1)) {
        draw::path(&ctx, &f, &line(*fp), &theme.full, 2.5, &[7.0, 4.0]);
    }
    if let Some(mp) = r.mini.get(tt.min(r.mini.len() - 1)) {
        draw::path(&ctx, &f, &line(*mp), MINI, 2.5, &[]);
    }
}
