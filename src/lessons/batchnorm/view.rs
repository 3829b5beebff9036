//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;


use crate::core::train::{FnTrainable, Trainable, LOSS};
use crate::i18n::{tr, tr_fmt};
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::controls::{KnobNumber, KnobSelect, KnobSlider};
use crate::ui::time::now_ms;
use crate::ui::train::{
    fmt_num, ChartLine, Factory, LossChart, TrainControls, TrainHandle,
};
use crate::ui::figure::{fit_2d, Fitted, Palette};
use crate::ui::ExportButtons;
use leptos::html::Canvas;
use crate::ui::experiment::{reset_on, BoardSlot, Build};
use leptos::prelude::*;
use model::{Experiment, LayerView, Settings, VAL_ACC};
use super::figures::sweep::SweepPanel;
use std::rc::Rc;

/// Features shown in the statistics table.
const TABLE_FEATURES: usize = 8;



/// Histogram bins.
const BINS: usize = 30;

/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <BatchNormLesson /> }.into_any()
}

/// A training-kit factory for `s`; each build publishes its experiment on a fresh board of
/// `current`. The experiment is built on the first step, so that mounting the lesson (or
/// changing a knob) generates no data until training starts.
fn factory(s: Settings, current: BoardSlot<Experiment>) -> Factory {
    Rc::new(move || {
        let board = current.fresh();
        let t = FnTrainable::new(2, move || {
            let stepped = board.with_slot(|slot| {
                if slot.is_none() {
                    *slot = Some(Experiment::new(&s)?);
                }
                match slot.as_mut() {
                    Some(e) => e.step(),
                    None => Err("the experiment could not be built".into()),
                }
            });
            stepped.unwrap_or_else(|| Err("the experiment is busy".into()))
        });
        Ok(Box::new(t) as Box<dyn Trainable>)
    })
}

/// Mean and standard deviation (population).
fn mean_std(v: &[f32]) -> (f32, f32) {
    let n = v.len().max(1) as f64;
    let m = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    let var = v.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / n;
    (m as f32, var.sqrt() as f32)
}

/// Draws a histogram of `values` (finite ones) into `canvas`: `BINS` bars over [min, max],
/// the range and zero marked. Colours follow the theme.
fn draw_histogram(canvas: &web_sys::HtmlCanvasElement, values: &[f32], color: usize, pal: &Palette) {
    let Ok(Fitted { ctx, w: cw, h: ch, .. }) = fit_2d(canvas) else { return };
    let (fg, grid) = (pal.text.to_string(), pal.axis.to_string());
    ctx.set_fill_style_str(&pal.bg.to_string());
    ctx.fill_rect(0.0, 0.0, cw, ch);
    let finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return;
    }
    let lo = finite.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = finite.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    // A degenerate range (e.g. every output equal to β at batch size 1) gets a unit window.
    let (lo, hi) = if hi - lo < 1e-6 { (lo - 0.5, hi + 0.5) } else { (lo, hi) };
    let mut counts = [0usize; BINS];
    for v in &finite {
        let b = (((v - lo) / (hi - lo)) * BINS as f32) as usize;
        counts[b.min(BINS - 1)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (left, right, bottom, top_pad) = (4.0, 4.0, 18.0, 4.0);
    let pw = (cw - left - right).max(1.0);
    let ph = (ch - bottom - top_pad).max(1.0);
    let bw = pw / BINS as f64;
    ctx.set_fill_style_str(&pal.series(color).to_string());
    for (i, c) in counts.iter().enumerate() {
        let bh = ph * (*c as f64) / top;
        ctx.fill_rect(left + i as f64 * bw + 0.5, top_pad + ph - bh, (bw - 1.0).max(0.5), bh);
    }
    ctx.set_stroke_style_str(&grid);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.move_to(left, top_pad + ph + 0.5);
    ctx.line_to(left + pw, top_pad + ph + 0.5);
    if lo < 0.0 && hi > 0.0 {
        let x0 = left + pw * f64::from(-lo / (hi - lo));
        ctx.move_to(x0, top_pad);
        ctx.line_to(x0, top_pad + ph);
    }
    ctx.stroke();
    ctx.set_fill_style_str(&fg);
    ctx.set_font("11px sans-serif");
    ctx.set_text_baseline("bottom");
    ctx.set_text_align("left");
    let _ = ctx.fill_text(&fmt_num(lo as f64), left, ch - 2.0);
    ctx.set_text_align("right");
    let _ = ctx.fill_text(&fmt_num(hi as f64), left + pw, ch - 2.0);
}

#[component]
fn BatchNormLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());

    // ---- knobs ---------------------------------------------------------------------------
    let k = Knobs::KEYS;
    let settings = Memo::new(move |_| {
        let p = params.read::<Knobs>();
        Settings {
            data: p.data,
            batch: p.bs as usize,
            lr: p.lr as f32,
            eps: p.eps as f32,
            momentum: p.mom as f32,
            seed: p.seed,
        }
    });
    // The schema's layers are 1..=DEPTH; the figures index from 0.
    let layer = Memo::new(move |_| (params.knob(k.layer) - 1) as usize);
    let eval_mode = Memo::new(move |_| params.knob(k.mode) == "eval");

    // ---- training session: both runs in lockstep ------------------------------------------
    let current = BoardSlot::<Experiment>::new();
    let train = TrainHandle::new(factory(settings.get_untracked(), current));
    // The first step's code runs before Play, not in the first training frame.
    train.warm_up_soon();
    reset_on(train, move || settings.get(), move |s| Build::Sync(factory(s, current)));

    // ---- the inspected BN layer on the current batch --------------------------------------
    let layer_view = RwSignal::new(None::<LayerView>);
    Effect::new(move |_| {
        train.version.track();
        let t0 = now_ms();
        let (l, eval) = (layer.get(), eval_mode.get());
        let v = current.with_mut(|e| e.layer_view(l, eval).ok().flatten()).flatten();
        layer_view.set(v);
        // Reading the layer and drawing its histograms (the effect below, run by this `set`)
        // are part of the training frame's work.
        train.add_paint_ms(now_ms() - t0);
    });

    let pre_canvas = NodeRef::<Canvas>::new();
    let post_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        layer_view.with(|v| {
            let empty = Vec::new();
            let (pre, post) = v.as_ref().map_or((&empty, &empty), |v| (&v.pre, &v.post));
            if let Some(c) = pre_canvas.get() {
                draw_histogram(&c, pre, 1, &pal);
            }
            if let Some(c) = post_canvas.get() {
                draw_histogram(&c, post, 0, &pal);
            }
        });
    });
    let summary = move |post: bool| {
        let lang = i18n.lang.get();
        layer_view.with(|v| match v {
            None => tr(lang, "bn.hist.empty").to_string(),
            Some(v) => {
                let vals = if post { &v.post } else { &v.pre };
                let (m, s) = mean_std(vals);
                tr_fmt(
                    lang,
                    "bn.hist.summary",
                    &[
                        ("n", &vals.len().to_string()),
                        ("mean", &fmt_num(m as f64)),
                        ("std", &fmt_num(s as f64)),
                    ],
                )
            }
        })
    };
    let table_rows = move || -> Vec<[String; 7]> {
        layer_view.with(|v| {
            let Some(v) = v else { return Vec::new() };
            let at = |x: &[f32], i: usize| x.get(i).map_or("–".into(), |x| fmt_num(*x as f64));
            let (mean, var) = v
                .stats
                .as_ref()
                .map_or((Vec::new(), Vec::new()), |s| (s.mean.clone(), s.var.clone()));
            (0..TABLE_FEATURES.min(v.gamma.len()))
                .map(|i| {
                    [
                        (i + 1).to_string(),
                        at(&mean, i),
                        at(&var, i),
                        at(&v.gamma, i),
                        at(&v.beta, i),
                        at(&v.running_mean, i),
                        at(&v.running_var, i),
                    ]
                })
                .collect()
        })
    };
    const HEAD_KEYS: [&str; 7] = [
        "bn.stats.feature",
        "bn.stats.mean",
        "bn.stats.var",
        "bn.stats.gamma",
        "bn.stats.beta",
        "bn.stats.rmean",
        "bn.stats.rvar",
    ];
    let stats_csv = Callback::new(move |_: ()| {
        let lang = i18n.lang.get_untracked();
        let mut rows = vec![HEAD_KEYS.iter().map(|k| tr(lang, k).to_string()).collect::<Vec<_>>()];
        rows.extend(table_rows().into_iter().map(|r| r.to_vec()));
        rows
    });

    // ---- curves --------------------------------------------------------------------------
    let run_labels = Signal::derive(move || {
        vec![i18n.t("bn.run.bn").to_string(), i18n.t("bn.run.plain").to_string()]
    });
    let loss_lines = Signal::derive(move || {
        vec![
            ChartLine { run: 0, metric: LOSS, label: i18n.t("bn.run.bn").into(), color: 0 },
            ChartLine { run: 1, metric: LOSS, label: i18n.t("bn.run.plain").into(), color: 1 },
        ]
    });
    let acc_lines = Signal::derive(move || {
        vec![
            ChartLine { run: 0, metric: VAL_ACC, label: i18n.t("bn.run.bn").into(), color: 0 },
            ChartLine { run: 1, metric: VAL_ACC, label: i18n.t("bn.run.plain").into(), color: 1 },
        ]
    });

    // ---- options -------------------------------------------------------------------------

    view! {
        <h1>{move || super::LESSON.title.get(i18n.lang.get())}</h1>
        <section class="lesson-text">
            <p>{move || i18n.t("bn.intro")}</p>
            <p class="formula">
                "x̂ = (x − μ"<sub>"B"</sub>") / √(σ"<sup>"2"</sup><sub>"B"</sub>" + ε),   y = γ · x̂ + β"
            </p>
            <p>{move || i18n.t("bn.formula_note")}</p>
            <p>{move || i18n.t("bn.setup")}</p>
        </section>

        <div class="conv-layout">
            <section class="panel" aria-labelledby="bn-h-settings">
                <h2 id="bn-h-settings">{move || i18n.t("bn.settings")}</h2>
                <KnobSelect label=t("bn.data") knob=k.data prefix="bn.data" testid="bn-data" />
                <KnobSlider label=t("bn.batch") knob=k.bs testid="bn-batch" />
                <KnobSelect label=t("bn.lr") knob=k.lr testid="bn-lr" />
                <KnobSelect label=t("bn.eps") knob=k.eps testid="bn-eps" />
                <p class="hint">{move || i18n.t("bn.eps.note")}</p>
                <KnobSelect label=t("bn.momentum") knob=k.mom testid="bn-momentum" />
                <KnobNumber label=t("bn.seed") knob=k.seed
                    invalid_text=t("bn.seed.invalid") testid="bn-seed" />
            </section>
            <section class="panel" aria-labelledby="bn-h-curves">
                <h2 id="bn-h-curves">{move || i18n.t("bn.curves")}</h2>
                <TrainControls handle=train run_labels=run_labels />
                <Show when=move || settings.get().batch == 1>
                    <div class="notice" role="note" data-testid="bn-b1-notice">
                        <p><strong>{move || i18n.t("bn.b1.title")}</strong></p>
                        <p>{move || i18n.t("bn.b1.body")}</p>
                    </div>
                </Show>
                <LossChart source=train.into() lines=loss_lines name="bn-loss" y_label=t("bn.loss")
                    what=t("bn.curves.what") log=true />
                <h3>{move || i18n.t("bn.val")}</h3>
                <LossChart source=train.into() lines=acc_lines name="bn-val" y_label=t("bn.accuracy")
                    what=t("bn.val.what") smoothing=0 />
            </section>
        </div>

        <section class="panel" aria-labelledby="bn-h-inspect">
            <h2 id="bn-h-inspect">{move || i18n.t("bn.inspect")}</h2>
            <KnobSlider label=t("bn.layer") knob=k.layer testid="bn-layer" />
            <KnobSelect label=t("bn.mode") knob=k.mode prefix="bn.mode" testid="bn-mode" />
            <p class="hint">{move || i18n.t("bn.mode.note")}</p>
            <div class="conv-layout">
                <figure class="fig">
                    <canvas node_ref=pre_canvas data-testid="bn-hist-pre" role="img"
                        aria-label=move || i18n.t("bn.hist.what.pre") style="width:100%;height:150px"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("bn.hist.pre")}</span>
                        <ExportButtons name="bn-hist-pre" canvas=pre_canvas what=t("bn.hist.what.pre") />
                    </figcaption>
                    <p class="hint" data-testid="bn-pre-summary">{move || summary(false)}</p>
                </figure>
                <figure class="fig">
                    <canvas node_ref=post_canvas data-testid="bn-hist-post" role="img"
                        aria-label=move || i18n.t("bn.hist.what.post") style="width:100%;height:150px"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("bn.hist.post")}</span>
                        <ExportButtons name="bn-hist-post" canvas=post_canvas csv=stats_csv what=t("bn.hist.what.post") />
                    </figcaption>
                    <p class="hint" data-testid="bn-post-summary">{move || summary(true)}</p>
                </figure>
            </div>
            <div class="table-scroll">
                <table class="rf-table" data-testid="bn-stats">
                    <caption>{move || i18n.t("bn.stats")}</caption>
                    <thead>
                        <tr>
                            {HEAD_KEYS.iter().map(|k| view! { <th scope="col">{move || i18n.t(k)}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || table_rows().into_iter().map(|r| view! {
                            <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>

        <SweepPanel settings=settings />
    }
}
