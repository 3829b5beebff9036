//! The reparameterisation of one validation digit: x, decode(μ), decode(z) and the table of μ, σ, ε, z.

use crate::ui::controls::KnobNumber;
use super::super::Knobs;
use super::{draw_tiles, Lab};
use crate::i18n::tr_fmt;
use crate::page::{Appearance, I18n};
use crate::ui::figure::Palette;
use crate::ui::train::fmt_num;
use crate::ui::ExportButtons;
use leptos::html::Canvas;
use leptos::prelude::*;

/// The digit picker (`vae-digit`), ε redraw, images and table (`vae-reparam-table`).
#[component]
pub fn ReparamPanel(
    /// The lesson's shared state.
    lab: Lab,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    let Lab { digit, latent, reparam, eps_draw, .. } = lab;
    let reparam_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        reparam.with(|r| {
            let imgs = r.as_ref().map(|r| {
                let mut v = r.x.clone();
                v.extend(&r.from_mu);
                v.extend(&r.from_z);
                v
            });
            draw_tiles(reparam_canvas, imgs.as_deref(), 3, pal);
        });
    });
    let reparam_rows = move || {
        reparam.with(|r| {
            r.as_ref()
                .map(|r| {
                    (0..r.mu.len())
                        .map(|j| {
                            [
                                (j + 1).to_string(),
                                fmt_num(r.mu[j] as f64),
                                fmt_num(r.sigma[j] as f64),
                                fmt_num(r.eps[j] as f64),
                                fmt_num(r.z[j] as f64),
                            ]
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let digit_label = move || {
        let d = digit.get();
        latent
            .with(|v| v.as_ref().and_then(|v| v.labels.get(d).copied()))
            .map(|l| tr_fmt(i18n.lang.get(), "vae.reparam.label", &[("label", &l.to_string())]))
    };


    view! {
        <section class="panel" aria-labelledby="vae-h-reparam">
            <h2 id="vae-h-reparam">{move || i18n.t("vae.reparam")}</h2>
            <p>{move || i18n.t("vae.reparam.text")}</p>
            <KnobNumber label=t("vae.reparam.digit") knob=k.digit
                invalid_text=t("vae.digit.invalid") testid="vae-digit" />
            <button type="button" class="button" data-testid="vae-resample"
                on:click=move |_| eps_draw.update(|n| *n += 1)>
                {move || i18n.t("vae.reparam.resample")}
            </button>
            <div class="conv-layout">
                <figure class="fig">
                    <canvas node_ref=reparam_canvas data-testid="vae-reparam-images" role="img"
                        aria-label=move || i18n.t("vae.reparam.what")
                        style="width:100%;max-width:24rem;image-rendering:pixelated"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("vae.reparam.what")}</span>
                        <span>{digit_label}</span>
                        <ExportButtons name="vae-reparam" canvas=reparam_canvas what=t("vae.reparam.what") />
                    </figcaption>
                </figure>
                <div class="table-scroll">
                    <table class="rf-table" data-testid="vae-reparam-table">
                        <thead>
                            <tr>
                                {["vae.col.dim", "vae.col.mu", "vae.col.sigma", "vae.col.eps", "vae.col.z"]
                                    .iter().map(|k| view! { <th scope="col">{move || i18n.t(k)}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody aria-live="polite">
                            {move || reparam_rows().into_iter().map(|r| view! {
                                <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
        </section>
    }
}
