//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;


use crate::page::I18n;
use leptos::prelude::*;



/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <SgdLesson /> }.into_any()
}

#[component]
fn SgdLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    view! {
        <h1>{move || super::LESSON.title.get(i18n.lang.get())}</h1>
        <section class="lesson-text">
            <p>{move || i18n.t("sgd.text.p1")}</p>
            <p class="formula">"θ ← θ − η ∇L(θ)"</p>
            <p>{move || i18n.t("sgd.text.p2")}</p>
            <ul class="sgd-rules">
                <li><strong>{move || i18n.t("sgd.opt.momentum")}</strong>
                    <span class="formula">" b ← μ b + g,   θ ← θ − η b"</span></li>
                <li><strong>{move || i18n.t("sgd.opt.nesterov")}</strong>
                    <span class="formula">" b ← μ b + g,   θ ← θ − η (g + μ b)"</span></li>
                <li><strong>{move || i18n.t("sgd.opt.rmsprop")}</strong>
                    <span class="formula">" v ← α v + (1 − α) g²,   θ ← θ − η g / (√v + ε)"</span></li>
                <li><strong>{move || i18n.t("sgd.opt.adam")}</strong>
                    <span class="formula">" m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   θ ← θ − η m̂ / (√v̂ + ε)"</span></li>
            </ul>
            <p>{move || i18n.t("sgd.text.p3")}</p>
        </section>
        <race::RacePanel />
        <section class="lesson-text">
            <h2>{move || i18n.t("sgd.h.mini")}</h2>
            <p>{move || i18n.t("sgd.text.mini1")}</p>
            <p class="formula">"L"<sub>"B"</sub>"(w, b) = 1/(2|B|) · Σ"<sub>"i∈B"</sub>" (w·xᵢ + b − yᵢ)²"</p>
            <p>{move || i18n.t("sgd.text.mini2")}</p>
        </section>
        <minibatch::MinibatchPanel />
    }
}
