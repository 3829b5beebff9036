//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;

use crate::core::autograd::{ParamStore, Tape};
use crate::core::data::{two_moons, BatchSampler, Dataset};
use crate::core::nn::{classifier_eval, classifier_step, Activation, Init, Linear, Sequential};
use crate::core::optim::ema::{effective_window, ema_series, WeightEma};
use crate::core::optim::sgd::{Sgd, SgdConfig};
use crate::core::train::{History, StepReport};
use crate::core::Rng;
use crate::i18n::tr_fmt;
use crate::page::{I18n, LessonParams};
use crate::ui::train::{
    fmt_num, ChartLine, HistorySource, LossChart,
};
use crate::ui::controls::UrlChoices;
use crate::ui::Select;
use leptos::prelude::*;
use super::figures::weights::WeightsPanel;

/// Length of the smoothed series.
pub const SERIES_LEN: usize = 300;
/// The live run evaluates both weight sets on the validation set every this many steps.
pub const EVAL_EVERY: u64 = 5;
/// Metric keys of the live run.
pub const VAL_RAW: &str = "val_raw";
/// Validation loss of the EMA weights.
pub const VAL_EMA: &str = "val_ema";



/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <EmaLesson /> }.into_any()
}

/// A seeded random walk: `x_0 = 0`, `x_t = x_{t−1} + noise · N(0, 1)`.
pub fn random_walk(n: usize, noise: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut x = 0.0f32;
    (0..n)
        .map(|_| {
            x += noise as f32 * rng.normal();
            x
        })
        .collect()
}

/// An MLP 2-16-16-2 trained on two moons with plain SGD on small batches, with an EMA of its
/// weights.
pub struct EmaRun {
    net: Sequential,
    store: ParamStore,
    opt: Sgd,
    ema: WeightEma,
    train: Dataset,
    val: Dataset,
    sampler: BatchSampler,
    tape: Tape,
    step: u64,
}

fn labels(d: &Dataset) -> Vec<usize> {
    d.y.data().iter().map(|&v| v.max(0.0) as usize).collect()
}

impl EmaRun {
    /// A fresh run: data, initial weights and batch order all from `seed`.
    pub fn new(seed: u64, lr: f32, batch: usize, decay: f32) -> Result<Self, String> {
        let data = two_moons(400, 0.3, seed).map_err(|e| e.to_string())?;
        let (train, val) = data.split(0.5, seed ^ 0x5eed).map_err(|e| e.to_string())?;
        let mut store = ParamStore::new();
        let mut rng = Rng::new(seed.wrapping_add(1));
        let net = Sequential::new()
            .with(Linear::new(&mut store, "fc1", 2, 16, Init::HeUniform, &mut rng))
            .with(Activation::Relu)
            .with(Linear::new(&mut store, "fc2", 16, 16, Init::HeUniform, &mut rng))
            .with(Activation::Relu)
            .with(Linear::new(&mut store, "fc3", 16, 2, Init::XavierUniform, &mut rng));
        let opt = Sgd::new(SgdConfig { lr, ..SgdConfig::default() }).map_err(|e| e.to_string())?;
        let ema = WeightEma::new(decay).map_err(|e| e.to_string())?;
        let sampler = BatchSampler::new(train.len(), batch.max(1), false, seed.wrapping_add(2))
            .map_err(|e| e.to_string())?;
        Ok(EmaRun { net, store, opt, ema, train, val, sampler, tape: Tape::new(), step: 0 })
    }

    /// Cross-entropy of the current weights on `data` (no gradient).
    fn loss_on(&mut self, data: &Dataset) -> Result<f32, String> {
        let (x, y) = (data.x.data(), labels(data));
        classifier_eval(&mut self.tape, &mut self.net, &mut self.store, data.x.shape(), x, &y)
            .map(|(loss, _)| loss)
    }

    /// Validation loss of the raw weights and of the EMA weights (swapped in and back).
    fn validate(&mut self) -> Result<(f32, f32), String> {
        let val = self.val.clone();
        let raw = self.loss_on(&val)?;
        self.swap()?;
        let avg = self.loss_on(&val);
        self.swap()?;
        Ok((raw, avg?))
    }

    fn swap(&mut self) -> Result<(), String> {
        let (mut ps, _) = self.store.params_and_grads();
        self.ema.swap(&mut ps).map_err(|e| e.to_string())
    }

    /// One SGD step on the next batch, then the EMA update; every [`EVAL_EVERY`] steps (and
    /// at step 1) both weight sets are evaluated on the validation set.
    // x: (B, 2) -> logits: (B, 2)
    pub fn step(&mut self) -> Result<StepReport, String> {
        let idx = self.sampler.next_batch();
        let b = self.train.gather(&idx).map_err(|e| e.to_string())?;
        let (x, y) = (b.x.data(), labels(&b));
        let (net, store) = (&mut self.net, &mut self.store);
        let r = classifier_step(&mut self.tape, net, store, &mut self.opt, b.x.shape(), x, &y)?;
        {
            let (ps, _) = self.store.params_and_grads();
            let vals: Vec<&[f32]> = ps.into_iter().map(|p| &*p).collect();
            self.ema.update(&vals).map_err(|e| e.to_string())?;
        }
        self.step += 1;
        let mut r = StepReport::loss(f64::from(r.loss)).with_grad_norm(f64::from(r.grad_norm));
        if self.step == 1 || self.step.is_multiple_of(EVAL_EVERY) {
            let (raw, avg) = self.validate()?;
            r = r.with_metric(VAL_RAW, f64::from(raw)).with_metric(VAL_EMA, f64::from(avg));
        }
        Ok(r)
    }
}

/// The training-loss curve of [`EmaRun`] over `n` steps (a real, noisy loss series).
pub fn loss_series(n: usize, seed: u64) -> Result<Vec<f32>, String> {
    let mut run = EmaRun::new(seed, 1.0, 4, 0.99)?;
    (0..n).map(|_| run.step().map(|r| r.loss as f32)).collect()
}

#[component]
fn EmaLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());

    let k = Knobs::KEYS;
    let beta = Memo::new(move |_| params.knob(k.beta));
    let src = Memo::new(move |_| params.knob(k.src));
    let noise = Memo::new(move |_| params.knob(k.noise));
    let seed = Memo::new(move |_| params.knob(k.seed));

    // ---- 1. smoothing a series ---------------------------------------------------------
    let series = Memo::new(move |_| -> Result<Vec<f32>, String> {
        if src.get() == "loss" {
            loss_series(SERIES_LEN, seed.get())
        } else {
            Ok(random_walk(SERIES_LEN, noise.get(), seed.get()))
        }
    });
    let smoothed = Signal::derive(move || {
        let b = beta.get() as f32;
        let mut h = History::new();
        series.with(|s| {
            if let Ok(xs) = s {
                // β is in the schema's [0, 0.999], so the series cannot be refused.
                let (Ok(biased), Ok(corrected)) =
                    (ema_series(xs, b, false), ema_series(xs, b, true))
                else {
                    return;
                };
                for (i, ((x, v), c)) in xs.iter().zip(&biased).zip(&corrected).enumerate() {
                    let step = i as u64 + 1;
                    h.push(0, "x", step, f64::from(*x));
                    h.push(0, "ema", step, f64::from(*v));
                    h.push(0, "ema_bc", step, f64::from(*c));
                }
            }
        });
        h
    });
    let series_lines = Signal::derive(move || {
        let lang = i18n.lang.get();
        vec![
            ChartLine {
                run: 0,
                metric: "x",
                label: crate::i18n::tr(lang, "ema.raw").into(),
                color: 5,
            },
            ChartLine {
                run: 0,
                metric: "ema",
                label: crate::i18n::tr(lang, "ema.biased").into(),
                color: 1,
            },
            ChartLine {
                run: 0,
                metric: "ema_bc",
                label: crate::i18n::tr(lang, "ema.corrected").into(),
                color: 0,
            },
        ]
    });
    let window_text = move || {
        let b = beta.get() as f32;
        let first =
            series.with(|s| s.as_ref().ok().and_then(|x| x.first().copied())).unwrap_or(0.0);
        tr_fmt(
            i18n.lang.get(),
            "ema.window",
            &[
                ("beta", &fmt_num(f64::from(b))),
                ("n", &fmt_num(f64::from(effective_window(b)))),
                ("x1", &fmt_num(f64::from(first))),
                ("v1", &fmt_num(f64::from((1.0 - b) * first))),
            ],
        )
    };
    let series_error = move || series.with(|s| s.as_ref().err().cloned());

    let beta_id = crate::ui::controls::next_id("beta");
    let noise_id = crate::ui::controls::next_id("noise");
    let src_options = Signal::derive(move || {
        let lang = i18n.lang.get();
        let label = |id: &str| crate::i18n::tr(lang, &format!("ema.src_{id}")).to_string();
        k.src.options().iter().map(|id| (id.to_string(), label(id))).collect::<Vec<_>>()
    });
    let ch = UrlChoices::new(i18n, params);
    // The sliders' integer positions: β in thousandths, the noise in tenths, over the
    // schema's ranges.
    let beta_ticks = ((k.beta.min() * 1000.0).round() as i64, (k.beta.max() * 1000.0).round() as i64);
    let noise_ticks = ((k.noise.min() * 10.0).round() as i64, (k.noise.max() * 10.0).round() as i64);
    view! {
        <h1>{move || super::LESSON.title.get(i18n.lang.get())}</h1>
        <section class="lesson-text">
            <p>{move || i18n.t("ema.text.p1")}</p>
            <p class="formula">
                "v"<sub>"t"</sub>" = β v"<sub>"t−1"</sub>" + (1 − β) x"<sub>"t"</sub>
                "     v̂"<sub>"t"</sub>" = v"<sub>"t"</sub>" / (1 − β"<sup>"t"</sup>")"
                "     N ≈ 1 / (1 − β)"
            </p>
            <p>{move || i18n.t("ema.text.p2")}</p>
        </section>

        <section class="panel" aria-labelledby="ema-h-series">
            <h2 id="ema-h-series">{move || i18n.t("ema.h.series")}</h2>
            <div class="sm-knobs">
                <div class="w-field w-slider">
                    <label for=beta_id.clone()>"β"</label>
                    <input
                        type="range"
                        id=beta_id
                        min=beta_ticks.0
                        max=beta_ticks.1
                        step=1
                        data-testid="ema-beta"
                        aria-valuetext=move || format!("β = {}", fmt_num(beta.get()))
                        prop:value=move || ((beta.get() * 1000.0).round() as i64).to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                                if (beta_ticks.0..=beta_ticks.1).contains(&v) {
                                    params.put(k.beta, v as f64 / 1000.0);
                                }
                            }
                        }
                    />
                    <output>{move || fmt_num(beta.get())}</output>
                </div>
                <Select
                    label=t("ema.source")
                    options=src_options
                    value=Signal::derive(move || src.get().to_string())
                    on_change=ch.on_change(k.src)
                    testid="ema-src"
                />
                <div class="w-field w-slider" hidden=move || src.get() != "walk">
                    <label for=noise_id.clone()>{move || i18n.t("ema.noise")}</label>
                    <input
                        type="range"
                        id=noise_id
                        min=noise_ticks.0
                        max=noise_ticks.1
                        step=1
                        data-testid="ema-noise"
                        prop:value=move || ((noise.get() * 10.0).round() as i64).to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                                if (noise_ticks.0..=noise_ticks.1).contains(&v) {
                                    params.put(k.noise, v as f64 / 10.0);
                                }
                            }
                        }
                    />
                    <output>{move || fmt_num(noise.get())}</output>
                </div>
                <div class="w-field">
                    <button
                        type="button"
                        data-testid="ema-reseed"
                        on:click=move |_| {
                            let next = (seed.get_untracked() + 1) % (1 << 53);
                            params.put(k.seed, next);
                        }
                    >
                        {move || i18n.t("ema.reseed")}
                    </button>
                    <span class="hint">{move || format!("seed {}", seed.get())}</span>
                </div>
            </div>
            <p class="sm-ce" data-testid="ema-window">{window_text}</p>
            {move || series_error().map(|e| view! { <p class="w-error">{e}</p> })}
            <LossChart
                source=HistorySource::Static(smoothed)
                lines=series_lines
                name="ema-series"
                y_label=t("ema.value")
                what=t("ema.series_aria")
                raw_only=true
            />
            <p>{move || i18n.t("ema.text.bias")}</p>
        </section>

        <WeightsPanel seed=seed />
    }
}
