//! The training panel: the knobs, where the run trains, the controls and the loss curves.

use super::super::{Knobs, VAL_BCE};
use crate::compute::policy::RunBackend;
use crate::core::train::LOSS;
use crate::i18n::{tr, tr_fmt};
use crate::page::{I18n, LessonParams};
use crate::ui::controls::{KnobSelect, KnobSlider, KnobToggle, UrlChoices};
use crate::ui::experiment::RunBackendView;
use crate::ui::train::{fmt_num, ChartLine, LossChart, TrainControls, TrainHandle};
use crate::ui::Select;
use leptos::prelude::*;

/// The knobs (`ae-hidden`, `ae-z`, `ae-act`, `ae-lr`, `ae-batch`, `ae-denoise`, `ae-noise`,
/// `ae-reseed`), the backend read-out, the training controls and the loss chart.
#[component]
pub fn TrainPanel(
    /// The session.
    train: TrainHandle,
    /// Where the run trains and why.
    backend_info: Signal<Option<RunBackend>>,
    /// The run's seed.
    seed: Memo<u64>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    // ---- curves ---------------------------------------------------------------------------
    let loss_lines = Signal::derive(move || {
        vec![
            ChartLine { run: 0, metric: LOSS, label: i18n.t("ae.curve.train").into(), color: 0 },
            ChartLine { run: 0, metric: VAL_BCE, label: i18n.t("ae.curve.val").into(), color: 1 },
        ]
    });

    // ---- knob widgets ---------------------------------------------------------------------
    let ch = UrlChoices::new(i18n, params);
    let act_options = Signal::derive(move || {
        let lang = i18n.lang.get();
        let label = |id: &str| tr(lang, &format!("ae.act_{id}")).to_string();
        k.act.options().iter().map(|id| (id.to_string(), label(id))).collect::<Vec<_>>()
    });
    let noise_id = crate::ui::controls::next_id("noise");
    let noise_value = Memo::new(move |_| params.knob(k.noise));
    // The noise slider's positions are hundredths over the schema's range.
    let noise_ticks =
        ((k.noise.min() * 100.0).round() as i64, (k.noise.max() * 100.0).round() as i64);


    view! {
        <section class="panel" aria-labelledby="ae-h-train">
            <h2 id="ae-h-train">{move || i18n.t("ae.h.train")}</h2>
            <div class="sm-knobs">
                <KnobSelect label=t("ae.hidden") knob=k.h testid="ae-hidden" />
                <KnobSlider label=t("ae.z") knob=k.z testid="ae-z" />
                <Select
                    label=t("ae.act")
                    options=act_options
                    value=ch.value(k.act)
                    on_change=ch.on_change(k.act)
                    testid="ae-act"
                />
                <KnobSelect label=t("ae.lr") knob=k.lr testid="ae-lr" />
                <KnobSelect label=t("ae.batch") knob=k.bs testid="ae-batch" />
                <KnobToggle label=t("ae.denoise") knob=k.dn testid="ae-denoise" />
                <div class="w-field w-slider" hidden=move || !params.knob(k.dn)>
                    <label for=noise_id.clone()>{move || i18n.t("ae.noise")}</label>
                    <input
                        type="range"
                        id=noise_id
                        min=noise_ticks.0
                        max=noise_ticks.1
                        step=5
                        value=((noise_value.get_untracked() * 100.0).round() as i64).to_string()
                        data-testid="ae-noise"
                        aria-valuetext=move || format!("σ = {}", fmt_num(noise_value.get()))
                        prop:value=move || ((noise_value.get() * 100.0).round() as i64).to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                                if (noise_ticks.0..=noise_ticks.1).contains(&v) {
                                    params.put(k.noise, v as f64 / 100.0);
                                }
                            }
                        }
                    />
                    <output>{move || format!("σ = {}", fmt_num(noise_value.get()))}</output>
                </div>
                <div class="w-field">
                    <button
                        type="button"
                        data-testid="ae-reseed"
                        on:click=move |_| {
                            let next = (seed.get_untracked() + 1) % (1 << 53);
                            params.put(k.seed, next);
                        }
                    >
                        {move || i18n.t("ae.reseed")}
                    </button>
                    <span class="hint">
                        {move || {
                            let s = seed.get().to_string();
                            tr_fmt(i18n.lang.get(), "ae.seed_is", &[("seed", &s)])
                        }}
                    </span>
                </div>
            </div>
            <RunBackendView info=backend_info testid="ae-backend" fallback_testid="ae-fallback" />
            <TrainControls
                handle=train
                run_labels=Signal::derive(move || vec![i18n.t("ae.run").to_string()])
            />
            <LossChart
                source=train.into()
                lines=loss_lines
                name="ae-loss"
                y_label=t("ae.bce")
                what=t("ae.loss_aria")
                smoothing=30
            />
        </section>

    }
}
