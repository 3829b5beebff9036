//! SGD and its improvements: gradient descent `θ ← θ − η∇L(θ)` and the optimizers built on
//! it — momentum (`b ← μb + g`, `θ ← θ − ηb`), Nesterov (the gradient step taken from the
//! look-ahead), RMSProp (`θ ← θ − η g/(√v + ε)`, `v` a running mean of `g²`) and Adam
//! (momentum plus RMSProp scaling, bias-corrected).
//!
//! The page: five optimizers race on 2-D loss surfaces drawn as contour plots, from a
//! draggable start, step by step; then mini-batch SGD on a seeded regression problem next to
//! full-batch gradient descent, with the noise of batch gradients shown as arrows. The
//! numerics are `core::optim` (torch.optim's update rules), `core::surfaces` and
//! `core::data`; every knob is in the URL (see [`PARAMS`]).

mod controls;
mod draw;
mod minibatch;
mod player;
mod race;

use super::Lesson;
use crate::core::surfaces::SURFACE_IDS;
use crate::page::I18n;
use crate::url_state::{ParamKind, ParamSpec};
use leptos::prelude::*;

/// Every knob of the lesson, the seed included: the URL schema.
pub const PARAMS: &[ParamSpec] = &[
    // The race on a 2-D surface.
    ParamSpec { key: "surf", kind: ParamKind::Choice(SURFACE_IDS), default: "quadratic" },
    ParamSpec { key: "kappa", kind: ParamKind::Float { min: 1.0, max: 100.0 }, default: "10" },
    ParamSpec { key: "angle", kind: ParamKind::Float { min: -90.0, max: 90.0 }, default: "20" },
    ParamSpec { key: "ripple", kind: ParamKind::Float { min: 0.0, max: 0.5 }, default: "0.15" },
    ParamSpec { key: "seed", kind: ParamKind::Seed, default: "7" },
    ParamSpec { key: "x0", kind: ParamKind::Float { min: -10.0, max: 10.0 }, default: "-2.5" },
    ParamSpec { key: "y0", kind: ParamKind::Float { min: -10.0, max: 10.0 }, default: "0.2" },
    ParamSpec { key: "lr", kind: ParamKind::Float { min: 1e-5, max: 10.0 }, default: "0.12" },
    ParamSpec { key: "alr", kind: ParamKind::Float { min: 1e-5, max: 10.0 }, default: "0.1" },
    ParamSpec { key: "mom", kind: ParamKind::Float { min: 0.0, max: 0.999 }, default: "0.9" },
    ParamSpec { key: "alpha", kind: ParamKind::Float { min: 0.0, max: 0.9999 }, default: "0.99" },
    ParamSpec { key: "b1", kind: ParamKind::Float { min: 0.0, max: 0.999 }, default: "0.9" },
    ParamSpec { key: "b2", kind: ParamKind::Float { min: 0.0, max: 0.9999 }, default: "0.999" },
    ParamSpec { key: "show", kind: ParamKind::Bits { len: 5 }, default: "f8" },
    ParamSpec { key: "steps", kind: ParamKind::Int { min: 10, max: 1000 }, default: "150" },
    // The mini-batch view.
    ParamSpec { key: "n", kind: ParamKind::Int { min: 20, max: 400 }, default: "100" },
    ParamSpec { key: "noise", kind: ParamKind::Float { min: 0.0, max: 2.0 }, default: "0.8" },
    ParamSpec { key: "bs", kind: ParamKind::Int { min: 1, max: 400 }, default: "8" },
    ParamSpec { key: "mlr", kind: ParamKind::Float { min: 0.001, max: 3.0 }, default: "0.1" },
    ParamSpec { key: "msteps", kind: ParamKind::Int { min: 10, max: 500 }, default: "100" },
];

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "sgd",
    chapter_key: "chapter.training",
    title_key: "sgd.title",
    summary_key: "sgd.summary",
    params: PARAMS,
};

/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <SgdLesson /> }.into_any()
}

#[component]
fn SgdLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    view! {
        <h1>{move || i18n.t("sgd.title")}</h1>
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
