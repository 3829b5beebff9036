//! The divergences in nats and bits, the asymmetry and the infinite cases.

use super::super::model::*;
use super::super::view::show;
use super::Dists;
use crate::core::divergence::{
    to_bits, Divergences,
};
use crate::i18n::{tr, tr_fmt};
use crate::page::I18n;
use leptos::prelude::*;

/// The table (`div-table`), `div-asym` and `div-inf-note`.
#[component]
pub fn ValuesPanel(
    /// The distributions and what is computed from them.
    d: Dists,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let Dists { hp, hq, shown, .. } = d;
    let div = move || shown.with(|s| s.as_ref().ok().map(|s| s.div));
    // ---- the numbers ---------------------------------------------------------------------
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

    view! {
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
    }
}
