//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;
use model::*;


use crate::core::divergence::{
    bimodal, kl_gaussian, kl_vae, to_bits, Divergences, Gaussian, McEstimate, Mixture,
};
use crate::core::train::{Trainable, LOSS};
use crate::i18n::{tr, tr_fmt};
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::train::{
    fmt_num, ChartLine, Factory, LoopState, LossChart, TrainControls, TrainHandle,
};
use crate::ui::{ExportButtons, Palette};
use crate::url_state::{knob, Key};
use hist::HistEditor;
use leptos::html::Canvas;
use crate::ui::experiment::{reset_on, Build};
use leptos::prelude::*;
use plot::{Figure, Series};
use std::rc::Rc;

/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <DivergenceLesson /> }.into_any()
}

/// A divergence for display: 4 significant digits, `∞` for infinity.
pub fn show(v: f64) -> String {
    fmt_num(v)
}

/// A slider over a float knob: positions `0..=steps` are `min + i·step` over the schema's range.
fn slider_f(
    id_prefix: &'static str,
    label: Signal<String>,
    params: LessonParams,
    knob: Key<knob::Float>,
    step: f64,
    testid: &'static str,
) -> impl IntoView {
    let (min, max) = (knob.min(), knob.max());
    let value = Memo::new(move |_| params.knob(knob));
    let set = move |v: f64| params.put(knob, v);
    let id = crate::ui::controls::next_id(id_prefix);
    let steps = ((max - min) / step).round() as i64;
    view! {
        <div class="w-field w-slider">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                type="range"
                id=id
                min=0
                max=steps
                step=1
                data-testid=testid
                aria-valuetext=move || fmt_num(value.get())
                prop:value=move || (((value.get() - min) / step).round() as i64).to_string()
                on:input=move |ev| {
                    if let Ok(k) = event_target_value(&ev).parse::<i64>() {
                        let v = min + k.clamp(0, steps) as f64 * step;
                        set((v * 1e6).round() / 1e6);
                    }
                }
            />
            <output>{move || fmt_num(value.get())}</output>
        </div>
    }
}

#[component]
fn DivergenceLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let look = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    let fl = move |key: Key<knob::Float>| Memo::new(move |_| params.knob(key));

    let mode = Memo::new(move |_| params.knob(k.mode));
    let (pm, ps, qm, qs) = (fl(k.pm), fl(k.ps), fl(k.qm), fl(k.qs));
    let (pm2, ps2, pw, qm2, qs2, qw) = (fl(k.pm2), fl(k.ps2), fl(k.pw), fl(k.qm2), fl(k.qs2), fl(k.qw));
    let hp = Memo::new(move |_| bins_of(&params.knob(k.hp)));
    let hq = Memo::new(move |_| bins_of(&params.knob(k.hq)));
    let seed = Memo::new(move |_| params.knob(k.seed));
    let mc_n = Memo::new(move |_| params.knob(k.mc) as usize);

    let dists = Memo::new(move |_| -> Result<(Mixture, Mixture), String> {
        let mix = mode.get() == "mix";
        let p = density(mix, (pm.get(), ps.get()), (pm2.get(), ps2.get()), pw.get());
        let q = density(mix, (qm.get(), qs.get()), (qm2.get(), qs2.get()), qw.get());
        Ok((p.map_err(|e| e.to_string())?, q.map_err(|e| e.to_string())?))
    });
    let shown = Memo::new(move |_| -> Result<Shown, String> {
        if mode.get() == "hist" {
            compute_hist(&hp.get(), &hq.get()).map_err(|e| e.to_string())
        } else {
            dists.with(|d| match d {
                Ok((p, q)) => compute_continuous(p, q).map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            })
        }
    });
    let is_hist = move || mode.get() == "hist";

    // ---- figures ------------------------------------------------------------------------
    let dens_canvas = NodeRef::<Canvas>::new();
    let integ_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let lang = i18n.lang.get();
        let pal = Palette::of(&look);
        let hist = is_hist();
        shown.with(|s| {
            let Ok(s) = s else { return };
            let mk = |label: &str, color, ys: &Vec<f64>, dashed| Series {
                label: label.to_string(),
                color,
                ys: ys.clone(),
                dashed,
            };
            let dens = vec![
                mk("P", 0, &s.p, false),
                mk("Q", 1, &s.q, false),
                mk(tr(lang, "kl.m_label"), 2, &s.m, true),
            ];
            let integ = vec![
                mk("p ln(p/q)", 0, &s.i_pq, false),
                mk("q ln(q/p)", 1, &s.i_qp, false),
                mk(tr(lang, "kl.js_integrand"), 2, &s.i_js, true),
            ];
            let fig = |series| {
                if hist {
                    Figure::Bars { series }
                } else {
                    Figure::Curves { xs: s.xs.clone(), series }
                }
            };
            let x_label = if hist { tr(lang, "kl.bin") } else { "x" };
            let y_dens = if hist { tr(lang, "kl.prob") } else { tr(lang, "kl.density") };
            if let Some(c) = dens_canvas.get() {
                if let Err(e) = plot::draw(&c, &fig(dens), &pal, x_label, y_dens) {
                    web_sys::console::warn_1(&e.into());
                }
            }
            if let Some(c) = integ_canvas.get() {
                if let Err(e) = plot::draw(&c, &fig(integ), &pal, x_label, tr(lang, "kl.integrand"))
                {
                    web_sys::console::warn_1(&e.into());
                }
            }
        });
    });
    let csv_of = move |integrand: bool| {
        Callback::new(move |()| {
            let hist = mode.get_untracked() == "hist";
            let head = if integrand {
                vec!["x", "p_ln_p_over_q", "q_ln_q_over_p", "js_integrand"]
            } else {
                vec!["x", "p", "q", "m"]
            };
            let mut rows = vec![head
                .into_iter()
                .map(|h| if hist && h == "x" { "bin".to_string() } else { h.to_string() })
                .collect::<Vec<_>>()];
            shown.with_untracked(|s| {
                if let Ok(s) = s {
                    let cols =
                        if integrand { [&s.i_pq, &s.i_qp, &s.i_js] } else { [&s.p, &s.q, &s.m] };
                    for i in 0..cols[0].len() {
                        let x = if hist {
                            (i + 1).to_string()
                        } else {
                            format!("{}", s.xs.get(i).copied().unwrap_or(0.0))
                        };
                        let mut r = vec![x];
                        r.extend(
                            cols.iter()
                                .map(|c| format!("{}", c.get(i).copied().unwrap_or(f64::NAN))),
                        );
                        rows.push(r);
                    }
                }
            });
            rows
        })
    };

    // ---- the numbers ---------------------------------------------------------------------
    let div = move || shown.with(|s| s.as_ref().ok().map(|s| s.div));
    let value_cells = move |pick: fn(&Divergences) -> f64, id: &'static str| {
        view! {
            <td class="num" data-testid=format!("{id}-nats") class:div-inf=move || div().is_some_and(|d| pick(&d).is_infinite())>
                {move || div().map(|d| show(pick(&d))).unwrap_or_else(|| "—".into())}
            </td>
            <td
                class="num"
                data-testid=format!("{id}-bits")
                class:div-inf=move || div().is_some_and(|d| pick(&d).is_infinite())
            >
                {move || div().map(|d| show(to_bits(pick(&d)))).unwrap_or_else(|| "—".into())}
            </td>
            <td class="div-meter" aria-hidden="true">
                <span
                    class="div-meter-bar"
                    class:div-inf=move || div().is_some_and(|d| pick(&d).is_infinite())
                    style=move || {
                        let v = div().map(|d| pick(&d)).unwrap_or(0.0);
                        let w = if v.is_infinite() { 100.0 } else { (v / 2.0).clamp(0.0, 1.0) * 100.0 };
                        format!("width:{w:.2}%")
                    }
                ></span>
            </td>
        }
    };
    let asym_text = move || {
        let lang = i18n.lang.get();
        div().map(|d| {
            if d.kl_pq.is_infinite() || d.kl_qp.is_infinite() {
                tr(lang, "kl.asym_inf").to_string()
            } else {
                tr_fmt(lang, "kl.asym", &[("diff", &show((d.kl_pq - d.kl_qp).abs()))])
            }
        })
    };
    let inf_note = move || {
        let lang = i18n.lang.get();
        let d = div()?;
        if !(d.kl_pq.is_infinite() || d.kl_qp.is_infinite()) {
            return None;
        }
        let bins = |a: &[f64], b: &[f64]| {
            infinite_bins(a, b).iter().map(|b| b.to_string()).collect::<Vec<_>>().join(", ")
        };
        let (a, b) = (hp.get(), hq.get());
        let mut parts = Vec::new();
        if d.kl_pq.is_infinite() {
            parts.push(tr_fmt(lang, "kl.inf_pq", &[("bins", &bins(&a, &b))]));
        }
        if d.kl_qp.is_infinite() {
            parts.push(tr_fmt(lang, "kl.inf_qp", &[("bins", &bins(&b, &a))]));
        }
        parts.push(tr_fmt(
            lang,
            "kl.inf_js",
            &[("js", &show(d.js)), ("bits", &show(to_bits(d.js)))],
        ));
        Some(parts.join(" "))
    };
    let shown_error = move || shown.with(|s| s.as_ref().err().cloned());

    // ---- closed form, integral, Monte Carlo -----------------------------------------------
    let closed = move || {
        if mode.get() != "gauss" {
            return None;
        }
        let (p, q) =
            (Gaussian::new(pm.get(), ps.get()).ok()?, Gaussian::new(qm.get(), qs.get()).ok()?);
        Some(kl_gaussian(p, q))
    };
    let mc = Memo::new(move |_| -> Option<McEstimate> {
        if mode.get() == "hist" {
            return None;
        }
        let n = mc_n.get();
        let s = seed.get();
        dists.with(|d| d.as_ref().ok().and_then(|(p, q)| monte_carlo(p, q, n, s).ok()))
    });
    let mc_strip = move || {
        let Some(m) = mc.get() else { return Vec::new() };
        let exact = closed().or_else(|| div().map(|d| d.kl_pq)).unwrap_or(m.mean);
        let span = (m.std * 4.0).max(exact.abs() * 0.2).max(0.05);
        let pos = |v: f64| ((v - exact) / span + 0.5).clamp(0.0, 1.0) * 100.0;
        let mut dots: Vec<AnyView> = m
            .estimates
            .iter()
            .map(|&e| {
                view! { <span class="div-dot" style=format!("left:{:.2}%", pos(e))></span> }
                    .into_any()
            })
            .collect();
        dots.push(
            view! { <span class="div-exact" style=format!("left:{:.2}%", pos(exact))></span> }
                .into_any(),
        );
        dots
    };
    // The sample-size slider's positions are the indices of the schema's options.
    let mc_options = k.mc.options();
    let mc_idx = Memo::new(move |_| {
        let current = params.text(k.mc);
        mc_options.iter().position(|c| *c == current).unwrap_or_default()
    });
    let mc_id = crate::ui::controls::next_id("mc");

    // ---- VAE link -------------------------------------------------------------------------
    let vae = move || kl_vae(&[pm.get()], &[(ps.get() * ps.get()).ln()]).unwrap_or(f64::NAN);

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

    let mode_options = Signal::derive(move || {
        let lang = i18n.lang.get();
        let label = |id: &str| tr(lang, &format!("kl.mode_{id}")).to_string();
        k.mode.options().iter().map(|id| (id.to_string(), label(id))).collect::<Vec<_>>()
    });
    let edit_hist = move |key: Key<knob::Floats>, cur: Memo<Vec<f64>>| {
        Callback::new(move |(i, v): (usize, f64)| {
            let mut h = cur.get_untracked();
            if let Some(slot) = h.get_mut(i) {
                *slot = v;
                params.put(key, h);
            }
        })
    };
    let lbl = |s: &'static str| Signal::derive(move || s.to_string());
    // Slider steps of the means, the standard deviations and the weights.
    let (rng, srng, wrng) = (0.1, 0.05, 0.05);

    view! {
        <h1>{move || super::LESSON.title.get(i18n.lang.get())}</h1>
        <section class="lesson-text">
            <p>{move || i18n.t("kl.text.p1")}</p>
            <p class="formula">
                "D"<sub>"KL"</sub>"(P‖Q) = Σ p ln(p/q)"
                <br />
                "D"<sub>"JS"</sub>"(P, Q) = ½ D"<sub>"KL"</sub>"(P‖M) + ½ D"<sub>"KL"</sub>"(Q‖M),  M = (P + Q)/2"
            </p>
            <p>{move || i18n.t("kl.text.p2")}</p>
        </section>

        <section class="panel" aria-labelledby="div-h-edit">
            <h2 id="div-h-edit">{move || i18n.t("kl.h.edit")}</h2>
            <div class="sm-knobs">
                <crate::ui::Select
                    label=t("kl.mode")
                    options=mode_options
                    value=Signal::derive(move || mode.get().to_string())
                    on_change=Callback::new(move |v: String| params.put_text(k.mode, &v))
                    testid="div-mode"
                />
            </div>
            <Show when=move || !is_hist()>
                <div class="div-pq">
                    <fieldset class="div-dist div-p">
                        <legend>"P"</legend>
                        {slider_f("pm", lbl("μ"), params, k.pm, rng, "div-pm")}
                        {slider_f("ps", lbl("σ"), params, k.ps, srng, "div-ps")}
                        <Show when=move || mode.get() == "mix">
                            {slider_f("pw", t("kl.weight1"), params, k.pw, wrng, "div-pw")}
                            {slider_f("pm2", lbl("μ₂"), params, k.pm2, rng, "div-pm2")}
                            {slider_f("ps2", lbl("σ₂"), params, k.ps2, srng, "div-ps2")}
                        </Show>
                    </fieldset>
                    <fieldset class="div-dist div-q">
                        <legend>"Q"</legend>
                        {slider_f("qm", lbl("μ"), params, k.qm, rng, "div-qm")}
                        {slider_f("qs", lbl("σ"), params, k.qs, srng, "div-qs")}
                        <Show when=move || mode.get() == "mix">
                            {slider_f("qw", t("kl.weight1"), params, k.qw, wrng, "div-qw")}
                            {slider_f("qm2", lbl("μ₂"), params, k.qm2, rng, "div-qm2")}
                            {slider_f("qs2", lbl("σ₂"), params, k.qs2, srng, "div-qs2")}
                        </Show>
                    </fieldset>
                </div>
            </Show>
            <Show when=is_hist>
                <p class="hint">{move || i18n.t("kl.hist_hint")}</p>
                <p class="sm-row-label">"P"</p>
                <HistEditor values=hp name="p" aria_key="kl.bar_p" on_change=edit_hist(k.hp, hp) />
                <p class="sm-row-label">"Q"</p>
                <HistEditor values=hq name="q" aria_key="kl.bar_q" on_change=edit_hist(k.hq, hq) />
                <div class="sm-tools">
                    <button
                        type="button"
                        data-testid="div-disjoint"
                        on:click=move |_| {
                            params.put(k.hp, vec![2.0, 5.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
                            params.put(k.hq, vec![0.0, 0.0, 0.0, 0.0, 1.0, 4.0, 4.0, 1.0]);
                        }
                    >
                        {move || i18n.t("kl.preset_disjoint")}
                    </button>
                    <button
                        type="button"
                        data-testid="div-swap"
                        on:click=move |_| {
                            let (a, b) = (hp.get_untracked(), hq.get_untracked());
                            params.put(k.hp, b);
                            params.put(k.hq, a);
                        }
                    >
                        {move || i18n.t("kl.swap")}
                    </button>
                </div>
            </Show>
            {move || shown_error().map(|e| view! {
                <p class="w-error" role="alert" data-testid="div-error">
                    {tr_fmt(i18n.lang.get(), "kl.error", &[("e", &e)])}
                </p>
            })}
        </section>

        <section class="panel" aria-labelledby="div-h-values">
            <h2 id="div-h-values">{move || i18n.t("kl.h.values")}</h2>
            <div class="sm-table-wrap">
                <table class="sm-table div-table" data-testid="div-table">
                    <thead>
                        <tr>
                            <th scope="col"></th>
                            <th scope="col">{move || i18n.t("kl.nats")}</th>
                            <th scope="col">{move || i18n.t("kl.bits")}</th>
                            <th scope="col" class="div-meter-h">{move || i18n.t("kl.meter")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <tr><th scope="row">"D"<sub>"KL"</sub>"(P‖Q)"</th>{value_cells(|d| d.kl_pq, "div-kl-pq")}</tr>
                        <tr><th scope="row">"D"<sub>"KL"</sub>"(Q‖P)"</th>{value_cells(|d| d.kl_qp, "div-kl-qp")}</tr>
                        <tr><th scope="row">"D"<sub>"JS"</sub>"(P, Q)"</th>{value_cells(|d| d.js, "div-js")}</tr>
                    </tbody>
                </table>
            </div>
            <p class="sm-ce" data-testid="div-asym" aria-live="polite">{asym_text}</p>
            <div aria-live="polite" data-testid="div-inf-note">
                {move || inf_note().map(|n| view! { <p class="sm-alert">{n}</p> })}
            </div>
            <p>{move || i18n.t("kl.text.js")}</p>
        </section>

        <section class="panel" aria-labelledby="div-h-plots">
            <h2 id="div-h-plots">{move || i18n.t("kl.h.plots")}</h2>
            <figure class="fig">
                <canvas node_ref=dens_canvas class="div-canvas" role="img" data-testid="div-dens-chart"
                    aria-label=move || i18n.t("kl.dens_aria")></canvas>
                <figcaption>
                    {move || i18n.t("kl.dens_caption")}
                    <ExportButtons name="divergence-pqm" canvas=dens_canvas csv=csv_of(false) what=t("kl.dens_aria") />
                </figcaption>
            </figure>
            <figure class="fig">
                <canvas node_ref=integ_canvas class="div-canvas" role="img" data-testid="div-integ-chart"
                    aria-label=move || i18n.t("kl.integ_aria")></canvas>
                <figcaption>
                    {move || i18n.t("kl.integ_caption")}
                    <ExportButtons name="divergence-integrands" canvas=integ_canvas csv=csv_of(true) what=t("kl.integ_aria") />
                </figcaption>
            </figure>
        </section>

        <section class="panel" aria-labelledby="div-h-estimates">
            <h2 id="div-h-estimates">{move || i18n.t("kl.h.estimates")}</h2>
            <p>{move || i18n.t("kl.text.estimates")}</p>
            <p class="formula">
                "D"<sub>"KL"</sub>"(N(μ₁, σ₁²)‖N(μ₂, σ₂²)) = ln(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½"
            </p>
            <Show when=is_hist fallback=move || view! {
                <div class="sm-knobs">
                    <div class="w-field w-slider">
                        <label for=mc_id.clone()>{move || i18n.t("kl.mc_n")}</label>
                        <input
                            type="range"
                            id=mc_id.clone()
                            min=0
                            max=mc_options.len() as i64 - 1
                            step=1
                            data-testid="div-mc-n"
                            aria-valuetext=move || format!("n = {}", mc_n.get())
                            prop:value=move || mc_idx.get().to_string()
                            on:input=move |ev| {
                                if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                    if let Some(c) = mc_options.get(i) {
                                        params.put_text(k.mc, c);
                                    }
                                }
                            }
                        />
                        <output>{move || format!("n = {}", mc_n.get())}</output>
                    </div>
                    <div class="w-field">
                        <button
                            type="button"
                            data-testid="div-reseed"
                            on:click=move |_| params.put(k.seed, (seed.get_untracked() + 1) % (1 << 53))
                        >
                            {move || i18n.t("kl.reseed")}
                        </button>
                        <span class="hint">{move || format!("seed {}", seed.get())}</span>
                    </div>
                </div>
                <div class="sm-table-wrap">
                <table class="sm-table div-table div-estimates">
                    <tbody>
                        <tr>
                            <th scope="row">{move || i18n.t("kl.closed")}</th>
                            <td class="num" data-testid="div-closed">
                                {move || closed().map(show).unwrap_or_else(|| i18n.t("kl.no_closed").to_string())}
                            </td>
                        </tr>
                        <tr>
                            <th scope="row">{move || i18n.t("kl.numeric")}</th>
                            <td class="num" data-testid="div-numeric">
                                {move || div().map(|d| show(d.kl_pq)).unwrap_or_default()}
                            </td>
                        </tr>
                        <tr>
                            <th scope="row">{move || tr_fmt(i18n.lang.get(), "kl.mc", &[("r", &MC_REPEATS.to_string())])}</th>
                            <td class="num" data-testid="div-mc">
                                {move || mc.get().map(|m| format!("{} ± {}", show(m.mean), show(m.std))).unwrap_or_default()}
                            </td>
                        </tr>
                    </tbody>
                </table>
                </div>
                <div class="div-strip" role="img" data-testid="div-mc-strip"
                    aria-label=move || i18n.t("kl.strip_aria")>{mc_strip}</div>
                <p class="hint">{move || i18n.t("kl.strip_hint")}</p>
            }>
                <p class="hint">{move || i18n.t("kl.estimates_hist")}</p>
            </Show>
        </section>

        <section class="panel" aria-labelledby="div-h-vae">
            <h2 id="div-h-vae">{move || i18n.t("kl.h.vae")}</h2>
            <p>{move || i18n.t("kl.text.vae")}</p>
            <p class="formula">
                "D"<sub>"KL"</sub>"(N(μ, σ²)‖N(0, 1)) = −½ (1 + ln σ² − μ² − σ²)"
            </p>
            <p class="sm-ce" data-testid="div-vae">
                {move || tr_fmt(i18n.lang.get(), "kl.vae_value", &[
                    ("mu", &fmt_num(pm.get())),
                    ("sigma", &fmt_num(ps.get())),
                    ("kl", &show(vae())),
                ])}
            </p>
        </section>

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
