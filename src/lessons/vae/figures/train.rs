//! The training panel: controls, where the run trains, the loss and KL curves.

use super::super::model::{KL, RECON, VAL_LOSS};
use super::super::view::*;
use crate::compute::BackendKind;
use crate::core::train::LOSS;
use crate::ui::train::{ChartLine, LossChart, TrainControls};
use super::Lab;
use crate::i18n::tr;
use crate::page::I18n;
use leptos::prelude::*;

/// Controls, the backend read-out (`vae-backend`) and the two charts.
#[component]
pub fn TrainPanel(
    /// The lesson's shared state.
    lab: Lab,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let Lab { train, run_backend, .. } = lab;
    // ---- charts --------------------------------------------------------------------------
    let loss_lines = Signal::derive(move || {
        vec![
            ChartLine { run: 0, metric: LOSS, label: i18n.t("vae.curve.loss").into(), color: 0 },
            ChartLine { run: 0, metric: RECON, label: i18n.t("vae.curve.recon").into(), color: 1 },
            ChartLine { run: 0, metric: VAL_LOSS, label: i18n.t("vae.curve.val").into(), color: 2 },
        ]
    });
    let kl_lines = Signal::derive(move || {
        vec![ChartLine { run: 0, metric: KL, label: i18n.t("vae.curve.kl").into(), color: 3 }]
    });
    let run_labels = Signal::derive(move || vec![i18n.t("vae.run").to_string()]);

    let backend_text = move || {
        let lang = i18n.lang.get();
        run_backend.with(|b| match b {
            None => tr(lang, "vae.backend.choosing").to_string(),
            Some(b) => backend_words(lang, b),
        })
    };
    let backend_code = move || {
        run_backend.with(|b| match b.as_ref().map(|b| b.kind) {
            Some(BackendKind::Cpu) => "cpu",
            Some(BackendKind::WebGpu) => "webgpu",
            None => "",
        })
    };


    view! {
            <section class="panel" aria-labelledby="vae-h-train">
                <h2 id="vae-h-train">{move || i18n.t("vae.train")}</h2>
                <TrainControls handle=train run_labels=run_labels />
                <p class="hint" data-testid="vae-backend" data-backend=backend_code aria-live="polite">
                    {backend_text}
                </p>
                <LossChart source=train.into() lines=loss_lines name="vae-loss" y_label=t("vae.nats")
                    what=t("vae.curve.what") />
                <h3>{move || i18n.t("vae.curve.kl")}</h3>
                <LossChart source=train.into() lines=kl_lines name="vae-kl" y_label=t("vae.nats")
                    what=t("vae.curve.kl.what") />
            </section>
    }
}
