//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;
use model::*;


use crate::core::divergence::{
    kl_vae, Mixture,
};
use crate::i18n::{tr, tr_fmt};
use crate::page::{I18n, LessonParams};
use crate::ui::train::fmt_num;
use crate::url_state::{knob, Key};
use hist::HistEditor;
use leptos::prelude::*;
use super::figures::estimates::EstimatesPanel;
use super::figures::fit::FitPanel;
use super::figures::plots::PlotsPanel;
use super::figures::values::ValuesPanel;
use super::figures::Dists;

/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <DivergenceLesson /> }.into_any()
}

/// A divergence for display: 4 significant digits, `∞` for infinity.
pub fn show(v: f64) -> String {
    fmt_num(v)
}

/// A slider over a float knob: positions `0..=steps` are `min + i·step` over the schema's range.
pub(super) fn slider_f(
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

    let shown_error = move || shown.with(|s| s.as_ref().err().cloned());

    // ---- VAE link -------------------------------------------------------------------------
    let vae = move || kl_vae(&[pm.get()], &[(ps.get() * ps.get()).ln()]).unwrap_or(f64::NAN);

    let d = Dists { mode, pm, ps, qm, qs, hp, hq, seed, mc_n, dists, shown };
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

        <ValuesPanel d=d />

        <PlotsPanel d=d />

        <EstimatesPanel d=d />

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

        <FitPanel />
    }
}
