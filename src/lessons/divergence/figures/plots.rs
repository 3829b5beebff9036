//! P, Q, M and the three integrands, drawn (curves, or bars for histograms).

use super::super::plot;
use super::Dists;
use crate::i18n::tr;
use crate::page::{Appearance, I18n};
use crate::ui::{ExportButtons, Palette};
use leptos::html::Canvas;
use leptos::prelude::*;
use plot::{Figure, Series};

/// The density chart (`div-dens-chart`) and the integrand chart (`div-integ-chart`).
#[component]
pub fn PlotsPanel(
    /// The distributions and what is computed from them.
    d: Dists,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let look = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let Dists { mode, shown, .. } = d;
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


    view! {
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
    }
}
