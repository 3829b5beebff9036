//! Interpolation between two digits' codes, and samples from the prior.

use super::super::view::*;
use crate::ui::controls::KnobNumber;
use super::super::Knobs;
use super::{draw_tiles, Lab};
use crate::page::{Appearance, I18n};
use crate::ui::figure::Palette;
use crate::ui::ExportButtons;
use leptos::html::Canvas;
use leptos::prelude::*;

/// The interpolation ends (`vae-ia`, `vae-ib`) and strip (`vae-interp`).
#[component]
pub fn InterpPanel(
    /// The lesson's shared state.
    lab: Lab,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    let Lab { interp, .. } = lab;
    let interp_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        interp.with(|i| draw_tiles(interp_canvas, i.as_deref(), INTERP, pal));
    });

    view! {
            <section class="panel" aria-labelledby="vae-h-interp">
                <h2 id="vae-h-interp">{move || i18n.t("vae.interp")}</h2>
                <p class="hint">{move || i18n.t("vae.interp.text")}</p>
                <KnobNumber label=t("vae.interp.a") knob=k.ia
                    invalid_text=t("vae.digit.invalid") testid="vae-ia" />
                <KnobNumber label=t("vae.interp.b") knob=k.ib
                    invalid_text=t("vae.digit.invalid") testid="vae-ib" />
                <figure class="fig">
                    <canvas node_ref=interp_canvas data-testid="vae-interp" role="img"
                        aria-label=move || i18n.t("vae.interp.what")
                        style="width:100%;image-rendering:pixelated"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("vae.interp.what")}</span>
                        <ExportButtons name="vae-interp" canvas=interp_canvas what=t("vae.interp.what") />
                    </figcaption>
                </figure>
            </section>
    }
}

/// Samples decoded from the prior (`vae-prior`, redrawn by `vae-prior-draw`).
#[component]
pub fn PriorPanel(
    /// The lesson's shared state.
    lab: Lab,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let Lab { prior, prior_draw, .. } = lab;
    let prior_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        prior.with(|i| draw_tiles(prior_canvas, i.as_deref(), PRIOR, pal));
    });

    view! {
            <section class="panel" aria-labelledby="vae-h-prior">
                <h2 id="vae-h-prior">{move || i18n.t("vae.prior")}</h2>
                <p class="hint">{move || i18n.t("vae.prior.text")}</p>
                <button type="button" class="button" data-testid="vae-prior-draw"
                    on:click=move |_| prior_draw.update(|n| *n += 1)>
                    {move || i18n.t("vae.prior.draw")}
                </button>
                <figure class="fig">
                    <canvas node_ref=prior_canvas data-testid="vae-prior" role="img"
                        aria-label=move || i18n.t("vae.prior.what")
                        style="width:100%;image-rendering:pixelated"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("vae.prior.what")}</span>
                        <ExportButtons name="vae-prior" canvas=prior_canvas what=t("vae.prior.what") />
                    </figcaption>
                </figure>
            </section>
    }
}
