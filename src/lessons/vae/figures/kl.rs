//! The KL divergence per latent dimension (inactive dimensions stand out).

use super::super::draw;
use super::super::model::INACTIVE_KL;
use super::Lab;
use crate::i18n::{tr, tr_fmt};
use crate::page::{Appearance, I18n};
use crate::ui::figure::Palette;
use crate::ui::train::fmt_num;
use crate::ui::ExportButtons;
use leptos::html::Canvas;
use leptos::prelude::*;

/// The bars (`vae-kl-bars`) and the summary (`vae-kl-summary`).
#[component]
pub fn KlPanel(
    /// The lesson's shared state.
    lab: Lab,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let Lab { latent, .. } = lab;
    let kl_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        latent.with(|v| {
            if let Some(c) = kl_canvas.get() {
                draw::kl_bars(&c, v.as_ref().map_or(&[][..], |v| &v.kl_per_dim), &pal);
            }
        });
    });

    let kl_text = move || {
        let lang = i18n.lang.get();
        latent.with(|v| match v {
            None => tr(lang, "vae.kl.empty").to_string(),
            Some(v) => {
                let inactive = v.kl_per_dim.iter().filter(|k| **k < INACTIVE_KL).count();
                let total: f32 = v.kl_per_dim.iter().sum();
                tr_fmt(
                    lang,
                    "vae.kl.summary",
                    &[
                        ("total", &fmt_num(total as f64)),
                        ("inactive", &inactive.to_string()),
                        ("z", &v.kl_per_dim.len().to_string()),
                        ("threshold", &fmt_num(INACTIVE_KL as f64)),
                    ],
                )
            }
        })
    };
    let kl_csv = Callback::new(move |_: ()| {
        let mut rows = vec![vec!["dimension".to_string(), "kl_nats".to_string()]];
        latent.with_untracked(|v| {
            if let Some(v) = v {
                for (j, k) in v.kl_per_dim.iter().enumerate() {
                    rows.push(vec![(j + 1).to_string(), k.to_string()]);
                }
            }
        });
        rows
    });


    view! {
        <section class="panel" aria-labelledby="vae-h-kl">
            <h2 id="vae-h-kl">{move || i18n.t("vae.kl")}</h2>
            <p>{move || i18n.t("vae.kl.text")}</p>
            <figure class="fig">
                <canvas node_ref=kl_canvas data-testid="vae-kl-bars" role="img"
                    aria-label=move || i18n.t("vae.kl.what") style="width:100%;height:140px"></canvas>
                <figcaption>
                    <span data-testid="vae-kl-summary" aria-live="polite">{kl_text}</span>
                    <ExportButtons name="vae-kl-dims" canvas=kl_canvas csv=kl_csv what=t("vae.kl.what") />
                </figcaption>
            </figure>
        </section>
    }
}
