//! Fitting one Gaussian to a two-peaked P by forward and by reverse KL, live.

use super::super::model::*;
use super::super::view::{show, slider_f};
use super::super::{plot, Knobs};
use crate::core::divergence::{
    bimodal, Gaussian,
};
use crate::core::train::{Trainable, LOSS};
use crate::i18n::{tr, tr_fmt};
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::experiment::{reset_on, Build};
use crate::ui::train::{
    ChartLine, Factory, LoopState, LossChart, TrainControls, TrainHandle,
};
use crate::ui::{ExportButtons, Palette};
use crate::url_state::{knob, Key};
use leptos::html::Canvas;
use leptos::prelude::*;
use plot::{Figure, Series};
use std::rc::Rc;

/// The target's knobs (`div-fsep`, `div-fs`, `div-fw`, `div-fm0`), the training controls, the fit chart and its loss curves.
#[component]
pub fn FitPanel() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let look = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    let fl = move |key: Key<knob::Float>| Memo::new(move |_| params.knob(key));
    // ---- forward vs reverse fits ------------------------------------------------------------
    let (fsep, fs, fw, fm0) = (fl(k.fsep), fl(k.fs), fl(k.fw), fl(k.fm0));
    let make = move || -> Factory {
        let (a, b, c, d) =
            (fsep.get_untracked(), fs.get_untracked(), fw.get_untracked(), fm0.get_untracked());
        Rc::new(move || Ok(Box::new(fit_trainable(a, b, c, d)?) as Box<dyn Trainable>))
    };
    let train = TrainHandle::new(make());
    // One step per frame: the fits take a few seconds, slow enough to watch.
    train.speed.set(0);
    reset_on(train, move || (fsep.get(), fs.get(), fw.get(), fm0.get()), move |_| {
        Build::Sync(make())
    });
    let converged = RwSignal::new(None::<u64>);
    let last = move |run: usize, key: &str| {
        train
            .with_trainer(|t| t.history().series(run, key).and_then(|s| s.last()).map(|p| p.value))
            .flatten()
    };
    Effect::new(move |_| {
        train.version.track();
        let steps = train.with_trainer(|t| t.step_count()).unwrap_or(0);
        let done = steps > 0 && (0..2).all(|r| last(r, FIT_MOVE).is_some_and(|m| m < FIT_TOL));
        if done {
            if converged.get_untracked().is_none() {
                converged.set(Some(steps));
            }
            if train.state.get_untracked() == LoopState::Running {
                train.pause();
            }
        } else if converged.get_untracked().is_some() {
            converged.set(None);
        }
    });
    let fit_canvas = NodeRef::<Canvas>::new();
    let fit_now = move |run: usize| -> (f64, f64) {
        (last(run, FIT_M).unwrap_or(fm0.get_untracked()), last(run, FIT_S).unwrap_or(1.0))
    };
    Effect::new(move |_| {
        train.version.track();
        let lang = i18n.lang.get();
        let pal = Palette::of(&look);
        let (a, b, c) = (fsep.get(), fs.get(), fw.get());
        let Some(canvas) = fit_canvas.get() else { return };
        let Ok(target) = bimodal(a, b, c) else { return };
        let n = 321;
        let xs: Vec<f64> =
            (0..n).map(|i| PLOT_X.0 + (PLOT_X.1 - PLOT_X.0) * i as f64 / (n - 1) as f64).collect();
        let curve = |m: f64, s: f64| -> Vec<f64> {
            let Ok(g) = Gaussian::new(m, s) else { return vec![f64::NAN; xs.len()] };
            xs.iter().map(|&x| g.pdf(x)).collect()
        };
        let (f, r) = (fit_now(0), fit_now(1));
        let series = vec![
            Series {
                label: "P".into(),
                color: 5,
                ys: xs.iter().map(|&x| target.pdf(x)).collect(),
                dashed: false,
            },
            Series {
                label: tr(lang, "kl.fit_fwd").into(),
                color: 0,
                ys: curve(f.0, f.1),
                dashed: false,
            },
            Series {
                label: tr(lang, "kl.fit_rev").into(),
                color: 1,
                ys: curve(r.0, r.1),
                dashed: true,
            },
        ];
        let fig = Figure::Curves { xs: xs.clone(), series };
        if let Err(e) = plot::draw(&canvas, &fig, &pal, "x", tr(lang, "kl.density")) {
            web_sys::console::warn_1(&e.into());
        }
    });
    let fit_text = move || {
        train.version.track();
        let lang = i18n.lang.get();
        let (f, r) = (fit_now(0), fit_now(1));
        let loss = |run| last(run, LOSS).map(show).unwrap_or_else(|| "—".into());
        let target = bimodal(fsep.get(), fs.get(), fw.get()).ok();
        tr_fmt(
            lang,
            "kl.fit_state",
            &[
                ("fm", &show(f.0)),
                ("fs", &show(f.1)),
                ("fl", &loss(0)),
                ("rm", &show(r.0)),
                ("rs", &show(r.1)),
                ("rl", &loss(1)),
                ("pm", &target.as_ref().map(|t| show(t.mean())).unwrap_or_default()),
                ("psd", &target.as_ref().map(|t| show(t.variance().sqrt())).unwrap_or_default()),
            ],
        )
    };
    let fit_lines = Signal::derive(move || {
        let lang = i18n.lang.get();
        vec![
            ChartLine { run: 0, metric: LOSS, label: tr(lang, "kl.fit_fwd_loss").into(), color: 0 },
            ChartLine { run: 1, metric: LOSS, label: tr(lang, "kl.fit_rev_loss").into(), color: 1 },
        ]
    });


    view! {
        <section class="panel" aria-labelledby="div-h-fit">
            <h2 id="div-h-fit">{move || i18n.t("kl.h.fit")}</h2>
            <p>{move || i18n.t("kl.text.fit")}</p>
            <div class="sm-knobs">
                {slider_f("fsep", t("kl.fsep"), params, k.fsep, 0.1, "div-fsep")}
                {slider_f("fs", t("kl.fs"), params, k.fs, 0.05, "div-fs")}
                {slider_f("fw", t("kl.fw"), params, k.fw, 0.05, "div-fw")}
                {slider_f("fm0", t("kl.fm0"), params, k.fm0, 0.1, "div-fm0")}
            </div>
            <TrainControls
                handle=train
                run_labels=Signal::derive(move || vec![i18n.t("kl.fit_fwd").to_string(), i18n.t("kl.fit_rev").to_string()])
            />
            <figure class="fig">
                <canvas node_ref=fit_canvas class="div-canvas" role="img" data-testid="div-fit-chart"
                    aria-label=move || i18n.t("kl.fit_aria")></canvas>
                <figcaption>
                    <ExportButtons name="divergence-fit" canvas=fit_canvas what=t("kl.fit_aria") />
                </figcaption>
            </figure>
            <p class="sm-ce" data-testid="div-fit-state" aria-live="polite">{fit_text}</p>
            <p data-testid="div-fit-done" aria-live="polite">
                {move || converged.get().map(|s| tr_fmt(i18n.lang.get(), "kl.fit_done", &[("step", &s.to_string())]))}
            </p>
            <LossChart
                source=train.into()
                lines=fit_lines
                name="divergence-fit-loss"
                y_label=t("kl.nats")
                what=t("kl.fit_loss_aria")
                smoothing=0
            />
            <p>{move || i18n.t("kl.text.fit2")}</p>
        </section>
    }
}
