//! KL three ways: closed form (Gaussians), numerical integral, Monte Carlo with its spread.

use super::super::model::*;
use super::super::view::show;
use super::super::Knobs;
use super::Dists;
use crate::core::divergence::{
    kl_gaussian, Gaussian, McEstimate,
};
use crate::i18n::tr_fmt;
use crate::page::{I18n, LessonParams};
use leptos::prelude::*;

/// `div-closed`, `div-numeric`, `div-mc`, the sample-size slider and the estimates strip.
#[component]
pub fn EstimatesPanel(
    /// The distributions and what is computed from them.
    d: Dists,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let k = Knobs::KEYS;
    let Dists { mode, pm, ps, qm, qs, seed, mc_n, dists, shown, .. } = d;
    let is_hist = move || mode.get() == "hist";
    let div = move || shown.with(|s| s.as_ref().ok().map(|s| s.div));
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


    view! {
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
    }
}
