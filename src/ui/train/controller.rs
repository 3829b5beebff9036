//! The training loop in the page: [`TrainHandle`] (the shared session and its live signals)
//! and [`TrainControls`] (Play / Pause / Step / Reset, speed, meters, divergence explanation).
//!
//! The loop runs inside `requestAnimationFrame` callbacks: each frame does as many steps as
//! fit in [`FRAME_BUDGET_MS`] (at most the chosen steps per frame, at least one), records them
//! and bumps [`TrainHandle::version`] once, so charts redraw at most once per frame. The
//! trainer lives in a `StoredValue` and is borrowed only inside one callback, never across
//! frames. The loop stops on Pause, on divergence (the explanation is shown in an
//! `aria-live` region), on an error, when the tab is hidden (`visibilitychange`) and when the
//! owning component unmounts (the pending frame is cancelled and later callbacks find their
//! signals disposed and return).

use crate::app::I18n;
use crate::core::train::{
    Divergence, DivergenceConfig, DivergenceKind, Remedy, Trainable, Trainer,
};
use crate::i18n::{tr, tr_fmt, Lang};
use crate::ui::format_value;
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Milliseconds of training per animation frame (leaves the rest of a 16.7 ms frame for
/// drawing; a single slower step still runs, once per frame).
pub const FRAME_BUDGET_MS: f64 = 8.0;

/// The steps-per-frame caps the speed control offers.
pub const SPEEDS: &[u32] = &[1, 2, 5, 10, 50, 200, 1000];

/// Builds a fresh [`Trainable`] (new weights from the lesson's seed and knobs).
pub type Factory = Rc<dyn Fn() -> Result<Box<dyn Trainable>, String>>;

/// Why the loop is not running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopState {
    /// Stepping every frame.
    Running,
    /// Stopped by the reader (or never started).
    Paused,
    /// Stopped because the tab was hidden.
    Hidden,
    /// Stopped by a divergence.
    Diverged,
    /// Stopped by an error from the trainable.
    Failed,
}

/// A live training session shared by the controls, the charts and the lesson (`Copy`).
///
/// ```ignore
/// let train = TrainHandle::new(Rc::new(move || Ok(Box::new(build_model()) as Box<dyn Trainable>)));
/// Effect::new(move |_| { let _ = params.float("lr"); train.reset(); }); // knobs → fresh run
/// view! { <TrainControls handle=train run_label=… /> <LossChart source=train.into() … /> }
/// ```
#[derive(Clone, Copy)]
pub struct TrainHandle {
    trainer: StoredValue<Option<Trainer>, LocalStorage>,
    factory: StoredValue<Factory, LocalStorage>,
    frame: StoredValue<Option<AnimationFrameRequestHandle>, LocalStorage>,
    cfg: StoredValue<DivergenceConfig, LocalStorage>,
    /// Bumped after every change of the session (a burst, a step, a reset): redraw triggers.
    pub version: RwSignal<u64>,
    /// Whether the loop runs, or why not.
    pub state: RwSignal<LoopState>,
    /// Steps done.
    pub steps: RwSignal<u64>,
    /// Steps per second over the last second.
    pub rate: RwSignal<f64>,
    /// Milliseconds spent running.
    pub elapsed_ms: RwSignal<f64>,
    /// The divergence that stopped the session.
    pub divergence: RwSignal<Option<Divergence>>,
    /// The error that stopped the session (also shown in place).
    pub error: RwSignal<Option<String>>,
    /// Index into [`SPEEDS`].
    pub speed: RwSignal<usize>,
    /// Milliseconds the last frame's burst took (for tests and the frame-time meter).
    pub last_burst_ms: RwSignal<f64>,
}

fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

fn tab_hidden() -> bool {
    document().hidden()
}

impl TrainHandle {
    /// A session over `factory()` (built at once; an error is shown and Play stays possible
    /// after a Reset). Call inside a component: the loop is cancelled when it unmounts.
    pub fn new(factory: Factory) -> Self {
        Self::with_config(factory, DivergenceConfig::default())
    }

    /// As [`TrainHandle::new`] with divergence thresholds.
    pub fn with_config(factory: Factory, cfg: DivergenceConfig) -> Self {
        let h = TrainHandle {
            trainer: StoredValue::new_local(None),
            factory: StoredValue::new_local(factory),
            frame: StoredValue::new_local(None),
            cfg: StoredValue::new_local(cfg),
            version: RwSignal::new(0),
            state: RwSignal::new(LoopState::Paused),
            steps: RwSignal::new(0),
            rate: RwSignal::new(0.0),
            elapsed_ms: RwSignal::new(0.0),
            divergence: RwSignal::new(None),
            error: RwSignal::new(None),
            speed: RwSignal::new(4),
            last_burst_ms: RwSignal::new(0.0),
        };
        h.reset();
        h.watch_visibility();
        on_cleanup(move || h.cancel_frame());
        h
    }

    /// Replaces the factory (e.g. when the lesson's knobs change); call [`TrainHandle::reset`]
    /// to use it.
    pub fn set_factory(&self, factory: Factory) {
        self.factory.set_value(factory);
    }

    /// A fresh model from the factory: step 0, empty history, divergence and error cleared.
    /// A running loop keeps running on the new model.
    pub fn reset(&self) {
        let Some(factory) = self.factory.try_get_value() else { return };
        let cfg = self.cfg.try_get_value().unwrap_or_default();
        let running = self.state.try_get_untracked() == Some(LoopState::Running);
        match factory() {
            Ok(model) => {
                let mut t = Trainer::new(model, cfg);
                if running {
                    t.throughput_mut().resume(now_ms());
                }
                self.trainer.set_value(Some(t));
                self.error.set(None);
                if !running {
                    self.state.set(LoopState::Paused);
                }
            }
            Err(e) => {
                self.trainer.set_value(None);
                self.error.set(Some(e));
                self.cancel_frame();
                self.state.set(LoopState::Failed);
            }
        }
        self.divergence.set(None);
        self.steps.set(0);
        self.rate.set(0.0);
        self.elapsed_ms.set(0.0);
        self.version.update(|v| *v += 1);
    }

    /// Reads the trainer (its history, step count…) without tracking; `None` if there is none
    /// (the factory failed) or the handle is disposed.
    pub fn with_trainer<U>(&self, f: impl FnOnce(&Trainer) -> U) -> Option<U> {
        self.trainer.try_with_value(|t| t.as_ref().map(f)).flatten()
    }

    /// Starts the loop (no-op while diverged, failed or already running).
    pub fn play(&self) {
        match self.state.get_untracked() {
            LoopState::Paused | LoopState::Hidden => {}
            _ => return,
        }
        if self.with_trainer(|_| ()).is_none() {
            return;
        }
        let now = now_ms();
        self.trainer.update_value(|t| {
            if let Some(t) = t {
                t.throughput_mut().resume(now);
            }
        });
        self.state.set(LoopState::Running);
        self.schedule();
    }

    /// Stops the loop (keeps the session).
    pub fn pause(&self) {
        self.stop(LoopState::Paused);
    }

    fn stop(&self, why: LoopState) {
        self.cancel_frame();
        let now = now_ms();
        self.trainer.try_update_value(|t| {
            if let Some(t) = t {
                t.throughput_mut().pause(now);
            }
        });
        if self.state.try_get_untracked() == Some(LoopState::Running) {
            self.state.set(why);
        }
    }

    /// Exactly one training step (pauses a running loop first).
    pub fn step_once(&self) {
        if self.state.get_untracked() == LoopState::Running {
            self.pause();
        }
        let out = self.trainer.try_update_value(|t| t.as_mut().map(|t| t.step()));
        self.after(out.flatten().map(|r| r.map(|d| (d, 0.0))));
    }

    /// Publishes a step or burst result: counters, version, divergence or error.
    fn after(&self, out: Option<Result<(Option<Divergence>, f64), String>>) {
        let Some(out) = out else { return };
        if let Some((steps, rate, elapsed)) = self.with_trainer(|t| {
            (t.step_count(), t.throughput().steps_per_sec(), t.throughput().elapsed_ms())
        }) {
            self.steps.set(steps);
            self.rate.set(rate);
            self.elapsed_ms.set(elapsed);
        }
        match out {
            Ok((d, ms)) => {
                self.last_burst_ms.set(ms);
                if let Some(d) = d {
                    self.divergence.set(Some(d));
                    self.stop(LoopState::Diverged);
                    self.state.set(LoopState::Diverged);
                }
            }
            Err(e) => {
                self.error.set(Some(e));
                self.stop(LoopState::Failed);
                self.state.set(LoopState::Failed);
            }
        }
        self.version.update(|v| *v += 1);
    }

    fn schedule(&self) {
        let h = *self;
        match request_animation_frame_with_handle(move || h.tick()) {
            Ok(handle) => {
                self.frame.set_value(Some(handle));
            }
            Err(_) => self.stop(LoopState::Paused),
        }
    }

    fn cancel_frame(&self) {
        if let Some(Some(f)) = self.frame.try_get_value() {
            f.cancel();
        }
        self.frame.try_set_value(None);
    }

    /// One animation frame: a burst of steps within the budget, then the next frame.
    fn tick(&self) {
        // Disposed (the lesson unmounted) or stopped meanwhile: do nothing, schedule nothing.
        if self.state.try_get_untracked() != Some(LoopState::Running) {
            return;
        }
        if tab_hidden() {
            self.stop(LoopState::Hidden);
            return;
        }
        let max = SPEEDS.get(self.speed.get_untracked()).copied().unwrap_or(10);
        let out = self.trainer.try_update_value(|t| {
            t.as_mut().map(|t| {
                t.run_budget(FRAME_BUDGET_MS, max, &mut now_ms).map(|b| (b.diverged, b.ms))
            })
        });
        self.after(out.flatten());
        if self.state.try_get_untracked() == Some(LoopState::Running) {
            self.schedule();
        }
    }

    /// Pauses on `visibilitychange` to hidden (training in a background tab would only burn
    /// battery: browsers throttle its frames anyway). Resuming is the reader's choice.
    fn watch_visibility(&self) {
        let h = *self;
        let cb = Closure::<dyn Fn()>::new(move || {
            if tab_hidden() && h.state.try_get_untracked() == Some(LoopState::Running) {
                h.stop(LoopState::Hidden);
            }
        });
        let doc = document();
        if doc
            .add_event_listener_with_callback("visibilitychange", cb.as_ref().unchecked_ref())
            .is_ok()
        {
            let listener = StoredValue::new_local(Some(cb));
            on_cleanup(move || {
                if let Some(Some(cb)) = listener.try_update_value(|c| c.take()) {
                    let _ = document().remove_event_listener_with_callback(
                        "visibilitychange",
                        cb.as_ref().unchecked_ref(),
                    );
                }
            });
        }
    }
}

/// The catalog key of a remedy.
pub fn remedy_key(r: Remedy) -> &'static str {
    match r {
        Remedy::LowerLearningRate => "remedy.lr",
        Remedy::ClipGradients => "remedy.clip",
        Remedy::AddBatchNorm => "remedy.bn",
        Remedy::StableLoss => "remedy.stable",
    }
}

/// The explanation of a divergence in `lang` (one sentence; `run` is the run's label).
pub fn explain(lang: Lang, d: &Divergence, run: &str) -> (String, String) {
    let value = format_value(d.value as f32);
    let title = tr_fmt(lang, "div.title", &[("run", run), ("step", &d.step.to_string())]);
    let body = match d.kind {
        DivergenceKind::NonFiniteLoss => tr_fmt(lang, "div.nonfinite_loss", &[("value", &value)]),
        DivergenceKind::NonFiniteGrad => tr_fmt(lang, "div.nonfinite_grad", &[("value", &value)]),
        DivergenceKind::GradAboveLimit { limit } => tr_fmt(
            lang,
            "div.grad_limit",
            &[("value", &value), ("limit", &format_value(limit as f32))],
        ),
        DivergenceKind::GradSpike { median, factor } => tr_fmt(
            lang,
            "div.grad_spike",
            &[
                ("value", &value),
                ("median", &format_value(median as f32)),
                ("factor", &format!("{factor}")),
            ],
        ),
        DivergenceKind::LossBlowUp { first, factor } => tr_fmt(
            lang,
            "div.loss_blowup",
            &[
                ("value", &value),
                ("first", &format_value(first as f32)),
                ("factor", &format!("{factor}")),
            ],
        ),
    };
    (title, body)
}

/// Play/Pause, Step and Reset buttons, the speed control, the step / steps-per-second /
/// elapsed meters, and the divergence or error explanation in an `aria-live` region.
/// Space toggles Play/Pause while focus is inside the controls.
///
/// Test ids: `train-play`, `train-step`, `train-reset`, `train-speed`, `train-steps`,
/// `train-rate`, `train-status`, `train-divergence`, `train-error`.
#[component]
pub fn TrainControls(
    /// The session.
    handle: TrainHandle,
    /// Labels of the runs (translated), for the divergence explanation.
    #[prop(into)]
    run_labels: Signal<Vec<String>>,
) -> impl IntoView {
    let i18n = I18n::current();
    let t = move |k: &str| i18n.t(k);
    let h = handle;
    let running = move || h.state.get() == LoopState::Running;
    let toggle = move || {
        if h.state.get_untracked() == LoopState::Running {
            h.pause();
        } else {
            h.play();
        }
    };
    let speed_id = crate::ui::controls::next_id("speed");
    let status = move || {
        let key = match h.state.get() {
            LoopState::Running => "train.status_running",
            LoopState::Paused => "train.status_paused",
            LoopState::Hidden => "train.status_hidden",
            LoopState::Diverged => "train.status_diverged",
            LoopState::Failed => "train.status_paused",
        };
        t(key)
    };
    let divergence = move || {
        h.divergence.get().map(|d| {
            let lang = i18n.lang.get();
            let run =
                run_labels.with(|l| l.get(d.run).cloned()).unwrap_or_else(|| format!("#{}", d.run));
            let (title, body) = explain(lang, &d, &run);
            let remedies = d
                .remedies()
                .iter()
                .map(|r| view! { <li>{tr(lang, remedy_key(*r))}</li> })
                .collect_view();
            view! {
                <div class="tr-diverged" data-testid="train-divergence">
                    <p class="tr-div-title">{title}</p>
                    <p>{body}</p>
                    <p>{tr(lang, "div.try")}</p>
                    <ul>{remedies}</ul>
                    <p class="tr-hint">{tr(lang, "div.reset_hint")}</p>
                </div>
            }
        })
    };
    let error = move || {
        h.error.get().map(|e| {
            let msg = tr_fmt(i18n.lang.get(), "train.error", &[("error", &e)]);
            view! { <p class="w-error" data-testid="train-error">{msg}</p> }
        })
    };
    view! {
        <div
            class="tr-controls"
            role="group"
            aria-label=move || t("train.controls")
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                let tag = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .map(|e| e.tag_name())
                    .unwrap_or_default();
                if ev.key() == " " && tag != "BUTTON" && tag != "INPUT" {
                    ev.prevent_default();
                    toggle();
                }
            }
        >
            <div class="tr-buttons">
                <button
                    type="button"
                    class="tr-play"
                    data-testid="train-play"
                    aria-pressed=move || running().to_string()
                    title=move || t("train.play_hint")
                    disabled=move || {
                        matches!(h.state.get(), LoopState::Diverged | LoopState::Failed)
                    }
                    on:click=move |_| toggle()
                >
                    <span aria-hidden="true">{move || if running() { "❚❚ " } else { "▶ " }}</span>
                    {move || if running() { t("train.pause") } else { t("train.play") }}
                </button>
                <button
                    type="button"
                    data-testid="train-step"
                    title=move || t("train.step_hint")
                    disabled=move || {
                        matches!(h.state.get(), LoopState::Diverged | LoopState::Failed)
                    }
                    on:click=move |_| h.step_once()
                >
                    <span aria-hidden="true">"⏭ "</span>
                    {move || t("train.step")}
                </button>
                <button
                    type="button"
                    data-testid="train-reset"
                    title=move || t("train.reset_hint")
                    on:click=move |_| h.reset()
                >
                    <span aria-hidden="true">"↺ "</span>
                    {move || t("train.reset")}
                </button>
            </div>
            <div class="w-field w-slider tr-speed">
                <label for=speed_id.clone()>{move || t("train.speed")}</label>
                <input
                    type="range"
                    id=speed_id
                    min=0
                    max=SPEEDS.len() - 1
                    step=1
                    data-testid="train-speed"
                    aria-valuetext=move || {
                        let n = SPEEDS.get(h.speed.get()).copied().unwrap_or(1);
                        tr_fmt(i18n.lang.get(), "train.speed_value", &[("n", &n.to_string())])
                    }
                    prop:value=move || h.speed.get().to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                            if v < SPEEDS.len() {
                                h.speed.set(v);
                            }
                        }
                    }
                />
                <output>
                    {move || {
                        let n = SPEEDS.get(h.speed.get()).copied().unwrap_or(1);
                        tr_fmt(i18n.lang.get(), "train.speed_value", &[("n", &n.to_string())])
                    }}
                </output>
            </div>
            <p class="tr-meters">
                <span data-testid="train-status" class="tr-status">{status}</span>
                " · "
                <span data-testid="train-steps">
                    {move || {
                        tr_fmt(i18n.lang.get(), "train.step_count", &[("n", &h.steps.get().to_string())])
                    }}
                </span>
                " · "
                <span data-testid="train-rate">
                    {move || {
                        tr_fmt(i18n.lang.get(), "train.rate", &[("r", &format!("{:.0}", h.rate.get()))])
                    }}
                </span>
                " · "
                <span>
                    {move || {
                        let s = format!("{:.1}", h.elapsed_ms.get() / 1000.0);
                        tr_fmt(i18n.lang.get(), "train.elapsed", &[("t", &s)])
                    }}
                </span>
            </p>
            <div aria-live="polite" class="tr-live">
                {divergence}
                {error}
            </div>
        </div>
    }
}
