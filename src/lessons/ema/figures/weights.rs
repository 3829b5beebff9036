//! The EMA of the weights during a noisy SGD run: validation loss of the raw and the averaged
//! weights, live.

use super::super::view::*;
use super::super::Knobs;
use crate::core::train::{FnTrainable, Trainable, LOSS};
use crate::i18n::tr_fmt;
use crate::page::{I18n, LessonParams};
use crate::ui::controls::KnobSelect;
use crate::ui::experiment::{reset_on, Build};
use crate::ui::train::{fmt_num, ChartLine, Factory, LossChart, TrainControls, TrainHandle};
use leptos::prelude::*;
use std::rc::Rc;

/// The run's knobs (`ema-decay`, `ema-lr`, `ema-batch`), controls, curves and `ema-compare`.
#[component]
pub fn WeightsPanel(
    /// The page's seed (shared with the series above).
    seed: Memo<u64>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    // ---- 2. EMA of the weights during a noisy run -------------------------------------
    let decay = Memo::new(move |_| params.knob(k.decay) as f32);
    let lr = Memo::new(move |_| params.knob(k.lr) as f32);
    let batch = Memo::new(move |_| params.knob(k.batch) as usize);
    let make = move || -> Factory {
        let (s, l, b, d) = (
            seed.get_untracked(),
            lr.get_untracked(),
            batch.get_untracked(),
            decay.get_untracked(),
        );
        Rc::new(move || {
            let mut run = EmaRun::new(s, l, b, d)?;
            Ok(Box::new(FnTrainable::new(1, move || Ok(vec![run.step()?]))) as Box<dyn Trainable>)
        })
    };
    let train = TrainHandle::new(make());
    // Any knob of the run → a fresh run with the new settings.
    reset_on(train, move || (seed.get(), lr.get(), batch.get(), decay.get()), move |_| {
        Build::Sync(make())
    });
    let run_lines = Signal::derive(move || {
        let lang = i18n.lang.get();
        vec![
            ChartLine {
                run: 0,
                metric: LOSS,
                label: crate::i18n::tr(lang, "ema.train_loss").into(),
                color: 5,
            },
            ChartLine {
                run: 0,
                metric: VAL_RAW,
                label: crate::i18n::tr(lang, "ema.val_raw").into(),
                color: 1,
            },
            ChartLine {
                run: 0,
                metric: VAL_EMA,
                label: crate::i18n::tr(lang, "ema.val_ema").into(),
                color: 0,
            },
        ]
    });
    let compare = move || {
        train.version.track();
        let lang = i18n.lang.get();
        train
            .with_trainer(|t| {
                let h = t.history();
                let last = |m: &str| h.series(0, m).and_then(|s| s.last());
                match (last(VAL_RAW), last(VAL_EMA)) {
                    (Some(r), Some(a)) => tr_fmt(
                        lang,
                        "ema.compare",
                        &[
                            ("step", &r.step.to_string()),
                            ("raw", &fmt_num(r.value)),
                            ("ema", &fmt_num(a.value)),
                        ],
                    ),
                    _ => crate::i18n::tr(lang, "ema.compare_none").to_string(),
                }
            })
            .unwrap_or_default()
    };

    let batch_id = crate::ui::controls::next_id("batch");
    let batch_range = (k.batch.min(), k.batch.max());


    view! {
        <section class="panel" aria-labelledby="ema-h-weights">
            <h2 id="ema-h-weights">{move || i18n.t("ema.h.weights")}</h2>
            <p>{move || i18n.t("ema.text.weights")}</p>
            <p class="formula">"θ̄ ← θ̄ + (1 − decay)(θ − θ̄)"</p>
            <div class="sm-knobs">
                <KnobSelect label=t("ema.decay") knob=k.decay testid="ema-decay" />
                <KnobSelect label=t("ema.lr") knob=k.lr testid="ema-lr" />
                <div class="w-field w-slider">
                    <label for=batch_id.clone()>{move || i18n.t("ema.batch")}</label>
                    <input
                        type="range"
                        id=batch_id
                        min=batch_range.0
                        max=batch_range.1
                        step=1
                        data-testid="ema-batch"
                        prop:value=move || batch.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                                if (batch_range.0..=batch_range.1).contains(&v) {
                                    params.put(k.batch, v);
                                }
                            }
                        }
                    />
                    <output>{move || batch.get()}</output>
                </div>
            </div>
            <TrainControls
                handle=train
                run_labels=Signal::derive(move || vec![i18n.t("ema.run").to_string()])
            />
            <LossChart
                source=train.into()
                lines=run_lines
                name="ema-weights"
                y_label=t("ema.loss")
                what=t("ema.weights_aria")
                smoothing=0
            />
            <p class="sm-ce" data-testid="ema-compare" aria-live="polite">{compare}</p>
        </section>
    }
}
