//! The settings panel: β (acts on the running training) and the knobs that start a new run.

use crate::ui::controls::{KnobNumber, KnobSelect};
use super::super::Knobs;
use super::Lab;
use crate::page::{I18n, LessonParams};
use crate::ui::train::fmt_num;
use leptos::prelude::*;

/// β (`vae-beta`), latent size, hidden width, likelihood, learning rate, batch and seed.
#[component]
pub fn SettingsPanel(
    /// The lesson's shared state.
    lab: Lab,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    let Lab { beta_value, .. } = lab;
    // ---- options ---------------------------------------------------------------------------
    let on_beta = move |ev: leptos::ev::Event| {
        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
            params.put(k.beta, v);
        }
    };

    view! {
            <section class="panel" aria-labelledby="vae-h-settings">
                <h2 id="vae-h-settings">{move || i18n.t("vae.settings")}</h2>
                <div class="w-field w-slider">
                    <label for="vae-beta">{move || i18n.t("vae.beta")}</label>
                    <input type="range" id="vae-beta" min=k.beta.min() max=k.beta.max() step="0.1" data-testid="vae-beta"
                        prop:value=move || beta_value.get().to_string() on:input=on_beta />
                    <output for="vae-beta">{move || fmt_num(beta_value.get() as f64)}</output>
                </div>
                <p class="hint">{move || i18n.t("vae.beta.note")}</p>
                <KnobNumber label=t("vae.latent") knob=k.z
                    invalid_text=t("vae.latent.invalid") testid="vae-z" />
                <KnobSelect label=t("vae.hidden") knob=k.hid testid="vae-hidden" />
                <KnobSelect label=t("vae.lik") knob=k.lik prefix="vae.lik" testid="vae-lik" />
                <p class="hint">{move || i18n.t("vae.lik.note")}</p>
                <KnobSelect label=t("vae.lr") knob=k.lr testid="vae-lr" />
                <KnobSelect label=t("vae.batch") knob=k.bs testid="vae-batch" />
                <KnobNumber label=t("vae.seed") knob=k.seed
                    invalid_text=t("vae.seed.invalid") testid="vae-seed" />
            </section>
    }
}
