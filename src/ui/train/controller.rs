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

use crate::core::train::{
    AsyncTrainable, Divergence, DivergenceConfig, DivergenceKind, Remedy, StepFuture, Trainable,
    Trainer,
};
use crate::i18n::{tr, tr_fmt, Lang};
use crate::page::I18n;
use crate::ui::format_value;
use crate::ui::time::now_ms;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Milliseconds of training per animation frame (leaves the rest of a 16.7 ms frame for
/// drawing; a single slower step still runs, once per frame).
pub const FRAME_BUDGET_MS: f64 = 8.0;

/// The steps-per-frame caps the speed control offers.
pub const SPEEDS: &[u32] = &[1, 2, 5, 10, 50, 200, 1000];

/// Builds a fresh [`Trainable`] (new weights from the lesson's seed and knobs).
pub type Factory = Rc<dyn Fn() -> Result<Box<dyn Trainable>, String>>;

/// The future of an [`AsyncFactory`]: a fresh asynchronous model, or why not.
pub type ModelFuture = Pin<Box<dyn Future<Output = Result<Box<dyn AsyncTrainable>, String>>>>;

/// Builds a fresh [`AsyncTrainable`], possibly awaiting (a GPU trainer's buffers and first
/// upload): `Rc::new(move || Box::pin(async move { … Ok(Box::new(model) as _) }))`.
pub type AsyncFactory = Rc<dyn Fn() -> ModelFuture>;

/// The training work of animation frames: the steps of the frame and the repaints they caused.
#[derive(Debug, Clone, Copy, Default)]
struct FrameWork {
    /// The frame being accumulated: milliseconds in steps, in repaints.
    steps_ms: f64,
    paint_ms: f64,
    /// Frames closed since Play or Reset.
    frames: u64,
    /// The heaviest frame's (steps, repaint) milliseconds.
    worst: (f64, f64),
}

/// What a session trains: a synchronous or an asynchronous model's factory.
#[derive(Clone)]
enum Source {
    Sync(Factory),
    Async(AsyncFactory),
}

/// A step future that also measures the main-thread time spent polling it (the work the
/// step does on this thread, without the time it waits for the GPU).
struct Timed<'a> {
    fut: StepFuture<'a>,
    ms: f64,
}

impl Future for Timed<'_> {
    type Output = (Result<Vec<crate::core::train::StepReport>, String>, f64);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let t0 = now_ms();
        let out = self.fut.as_mut().poll(cx);
        self.ms += now_ms() - t0;
        let ms = self.ms;
        out.map(|r| (r, ms))
    }
}

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
/// reset_on(train, move || params.float("lr"), move |lr| Build::Sync(factory(lr))); // knobs → fresh run
/// view! { <TrainControls handle=train run_label=… /> <LossChart source=train.into() … /> }
/// ```
#[derive(Clone, Copy)]
pub struct TrainHandle {
    trainer: StoredValue<Option<Trainer>, LocalStorage>,
    source: StoredValue<Source, LocalStorage>,
    /// The asynchronous model, when the source is async; taken out while a step is in flight.
    model: StoredValue<Option<Box<dyn AsyncTrainable>>, LocalStorage>,
    /// Bumped by every reset: a model or step result from an older generation is dropped.
    generation: StoredValue<u64, LocalStorage>,
    frame: StoredValue<Option<AnimationFrameRequestHandle>, LocalStorage>,
    cfg: StoredValue<DivergenceConfig, LocalStorage>,
    work: StoredValue<FrameWork, LocalStorage>,
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
    /// Milliseconds the last frame's burst took (for tests and the frame-time meter); for an
    /// asynchronous model, the main-thread time spent in its step futures (GPU waits excluded).
    pub last_burst_ms: RwSignal<f64>,
    /// The most training work one animation frame carried since Play or Reset, in ms: its
    /// steps plus the repaints they caused (charts report theirs through
    /// [`TrainHandle::add_paint_ms`]). Shown to tests as `data-max-frame-ms` on the controls.
    pub max_frame_ms: RwSignal<f64>,
    /// An asynchronous model is being built (after a reset); Play and Step wait for it.
    pub loading: RwSignal<bool>,
    /// An asynchronous step or model build is in flight (never more than one: a reset waits
    /// for the step in flight before building the next model).
    pub busy: RwSignal<bool>,
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
        Self::build(Source::Sync(factory), cfg)
    }

    /// A session over an asynchronous model (a GPU trainer, `compute::dense::DenseRun`): the
    /// same controls, charts, history, divergence watch and meters. Each frame awaits one step
    /// of the model, and more while the frame's budget lasts (a step that resolves at once —
    /// a CPU run — is as fast as the synchronous path); never two steps at once. Pause,
    /// divergence and errors take effect when the step in flight resolves (its reports are
    /// recorded: the model did take it); a reset or unmount drops the result of a step still
    /// in flight. The model is built by `factory` when the handle is created and on each
    /// [`TrainHandle::reset`] ([`TrainHandle::loading`] meanwhile). Call inside a component.
    pub fn new_async(factory: AsyncFactory) -> Self {
        Self::async_with_config(factory, DivergenceConfig::default())
    }

    /// As [`TrainHandle::new_async`] with divergence thresholds.
    pub fn async_with_config(factory: AsyncFactory, cfg: DivergenceConfig) -> Self {
        Self::build(Source::Async(factory), cfg)
    }

    fn build(source: Source, cfg: DivergenceConfig) -> Self {
        let h = TrainHandle {
            trainer: StoredValue::new_local(None),
            source: StoredValue::new_local(source),
            model: StoredValue::new_local(None),
            generation: StoredValue::new_local(0),
            frame: StoredValue::new_local(None),
            cfg: StoredValue::new_local(cfg),
            work: StoredValue::new_local(FrameWork::default()),
            version: RwSignal::new(0),
            state: RwSignal::new(LoopState::Paused),
            steps: RwSignal::new(0),
            rate: RwSignal::new(0.0),
            elapsed_ms: RwSignal::new(0.0),
            divergence: RwSignal::new(None),
            error: RwSignal::new(None),
            speed: RwSignal::new(4),
            last_burst_ms: RwSignal::new(0.0),
            max_frame_ms: RwSignal::new(0.0),
            loading: RwSignal::new(false),
            busy: RwSignal::new(false),
        };
        h.reset();
        h.watch_visibility();
        on_cleanup(move || h.cancel_frame());
        h
    }

    /// Replaces the factory (e.g. when the lesson's knobs change); call [`TrainHandle::reset`]
    /// to use it.
    pub fn set_factory(&self, factory: Factory) {
        self.source.set_value(Source::Sync(factory));
    }

    /// Replaces the factory by an asynchronous one; call [`TrainHandle::reset`] to use it.
    pub fn set_async_factory(&self, factory: AsyncFactory) {
        self.source.set_value(Source::Async(factory));
    }

    /// A fresh model from the factory: step 0, empty history, divergence and error cleared.
    /// A running loop keeps running on the new model (an asynchronous one once it is built).
    pub fn reset(&self) {
        let Some(source) = self.source.try_get_value() else { return };
        let cfg = self.cfg.try_get_value().unwrap_or_default();
        let running = self.state.try_get_untracked() == Some(LoopState::Running);
        let generation = self.generation.try_get_value().unwrap_or(0).wrapping_add(1);
        self.generation.set_value(generation);
        self.model.set_value(None);
        match source {
            Source::Sync(factory) => {
                self.loading.set(false);
                self.busy.set(false);
                match factory() {
                    Ok(model) => self.install(Trainer::new(model, cfg), running),
                    Err(e) => self.fail_build(e),
                }
            }
            Source::Async(_) => {
                self.trainer.set_value(None);
                self.error.set(None);
                self.loading.set(true);
                if !running {
                    self.state.set(LoopState::Paused);
                }
                // A step (or build) of the previous model still in flight finishes first: it
                // then sees the new generation, drops its result and starts this build, so two
                // steps never overlap, even across a reset.
                if !self.busy.get_untracked() {
                    self.start_build();
                }
            }
        }
        self.divergence.set(None);
        self.steps.set(0);
        self.rate.set(0.0);
        self.elapsed_ms.set(0.0);
        self.clear_work();
        self.version.update(|v| *v += 1);
    }

    /// Runs one step of a throwaway model from the (synchronous) factory shortly after mount,
    /// before the reader presses Play, then resets to a fresh model: the first training frame
    /// otherwise pays for the first run of every code path of a step (the browser compiles
    /// wasm functions on first call and optimises them later) — measured at ~100 ms of step
    /// plus a long browser pause on the batch-norm lesson. Does nothing once training started.
    pub fn warm_up_soon(&self) {
        let h = *self;
        set_timeout(
            move || {
                let idle = h.steps.try_get_untracked() == Some(0)
                    && h.state.try_get_untracked() == Some(LoopState::Paused)
                    && !h.loading.get_untracked();
                let Some(Source::Sync(factory)) = h.source.try_get_value() else { return };
                if !idle {
                    return;
                }
                if let Ok(mut model) = factory() {
                    let _ = model.step();
                }
                // The factory may have published state of the throwaway model: start afresh.
                h.reset();
            },
            std::time::Duration::from_millis(50),
        );
    }

    /// Adds `ms` of repaint caused by the current frame's steps (a chart or figure that
    /// redraws on [`TrainHandle::version`] calls it with the time its redraw took).
    pub fn add_paint_ms(&self, ms: f64) {
        self.work.try_update_value(|w| w.paint_ms += ms.max(0.0));
    }

    /// Frames of training measured since Play or Reset (for tests: `data-frames`).
    pub fn frames_measured(&self) -> u64 {
        self.work.try_get_value().map_or(0, |w| w.frames)
    }

    /// The heaviest frame's milliseconds in steps and in repaints (for tests:
    /// `data-worst-frame="steps/paint"`).
    pub fn worst_frame(&self) -> (f64, f64) {
        self.work.try_get_value().map_or((0.0, 0.0), |w| w.worst)
    }

    fn clear_work(&self) {
        self.work.try_set_value(FrameWork::default());
        if self.max_frame_ms.try_get_untracked().is_some_and(|m| m != 0.0) {
            self.max_frame_ms.set(0.0);
        }
    }

    fn add_steps_ms(&self, ms: f64) {
        self.work.try_update_value(|w| w.steps_ms += ms.max(0.0));
    }

    /// Closes the frame being accumulated (its steps and the repaints they caused have run)
    /// and raises [`TrainHandle::max_frame_ms`] if it was the heaviest.
    fn close_frame(&self) {
        let Some(total) = self.work.try_update_value(|w| {
            let total = w.steps_ms + w.paint_ms;
            if total > 0.0 {
                w.frames += 1;
            }
            if total > w.worst.0 + w.worst.1 {
                w.worst = (w.steps_ms, w.paint_ms);
            }
            w.steps_ms = 0.0;
            w.paint_ms = 0.0;
            total
        }) else {
            return;
        };
        if total > self.max_frame_ms.get_untracked() {
            self.max_frame_ms.set(total);
        }
    }

    /// Builds the asynchronous model of the current generation (the lane must be free).
    fn start_build(&self) {
        let Some(Source::Async(factory)) = self.source.try_get_value() else { return };
        let Some(generation) = self.generation.try_get_value() else { return };
        let cfg = self.cfg.try_get_value().unwrap_or_default();
        self.busy.set(true);
        let fut = factory();
        let h = *self;
        wasm_bindgen_futures::spawn_local(async move {
            let built = fut.await;
            // Unmounted: drop the model.
            let Some(current) = h.generation.try_get_value() else { return };
            h.busy.set(false);
            if current != generation {
                // Reset again while building: build for the newer generation.
                h.resume_lane();
                return;
            }
            h.loading.set(false);
            match built {
                Ok(model) => {
                    let t = Trainer::recorder(model.runs(), cfg);
                    h.model.set_value(Some(model));
                    let running = h.state.get_untracked() == LoopState::Running;
                    h.install(t, running);
                    if running {
                        h.schedule();
                    }
                }
                Err(e) => h.fail_build(e),
            }
            h.version.update(|v| *v += 1);
        });
    }

    /// After a stale step or build resolved: start the build a reset asked for meanwhile (or,
    /// if the source became synchronous, keep a running loop going).
    fn resume_lane(&self) {
        if self.loading.get_untracked() && self.is_async() {
            self.start_build();
        } else if self.state.get_untracked() == LoopState::Running {
            self.schedule();
        }
    }

    fn install(&self, mut t: Trainer, running: bool) {
        if running {
            t.throughput_mut().resume(now_ms());
        }
        self.trainer.set_value(Some(t));
        self.error.set(None);
        if !running {
            self.state.set(LoopState::Paused);
        }
    }

    fn fail_build(&self, e: String) {
        self.trainer.set_value(None);
        self.model.set_value(None);
        self.error.set(Some(e));
        self.cancel_frame();
        self.state.set(LoopState::Failed);
    }

    fn is_async(&self) -> bool {
        matches!(self.source.try_with_value(|s| matches!(s, Source::Async(_))), Some(true))
    }

    /// Reads the trainer (its history, step count…) without tracking; `None` if there is none
    /// (the factory failed) or the handle is disposed.
    pub fn with_trainer<U>(&self, f: impl FnOnce(&Trainer) -> U) -> Option<U> {
        self.trainer.try_with_value(|t| t.as_ref().map(f)).flatten()
    }

    /// Starts the loop (no-op while diverged, failed, already running, or while an
    /// asynchronous model is still being built).
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
        self.clear_work();
        self.state.set(LoopState::Running);
        // A step still in flight (paused mid-step, then played again) schedules the next frame
        // itself when it resolves.
        if !self.busy.get_untracked() {
            self.schedule();
        }
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

    /// Exactly one training step (pauses a running loop first). For an asynchronous model the
    /// step is awaited (the result lands a little later); ignored while a step is in flight or
    /// the model is being built.
    pub fn step_once(&self) {
        if self.state.get_untracked() == LoopState::Running {
            self.pause();
        }
        if self.is_async() {
            if !self.busy.get_untracked() {
                self.start_async_burst(1);
            }
            return;
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
                self.add_steps_ms(ms);
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
        // At most one pending frame per session.
        self.cancel_frame();
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
        self.frame.set_value(None);
        // The previous frame's steps and the repaints they triggered are done by now.
        self.close_frame();
        if tab_hidden() {
            self.stop(LoopState::Hidden);
            return;
        }
        let max = SPEEDS.get(self.speed.get_untracked()).copied().unwrap_or(10);
        if self.is_async() {
            // In flight: the step's own continuation schedules the next frame.
            if self.busy.get_untracked() {
                return;
            }
            // No model and nothing in flight: the build failed (state Failed); nothing to do.
            self.start_async_burst(max);
            return;
        }
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

    /// Takes the asynchronous model out and spawns a burst of up to `max` awaited steps; does
    /// nothing when there is no model (being built, or failed).
    fn start_async_burst(&self, max: u32) {
        let Some(model) = self.model.try_update_value(|m| m.take()).flatten() else { return };
        let Some(generation) = self.generation.try_get_value() else { return };
        self.busy.set(true);
        let h = *self;
        wasm_bindgen_futures::spawn_local(h.async_burst(model, generation, max));
    }

    /// Awaits steps one after another — while the loop runs, the frame budget (wall time, GPU
    /// waits included) lasts and fewer than `max` are done — recording each; then puts the
    /// model back, publishes, and schedules the next frame if still running.
    async fn async_burst(self, mut model: Box<dyn AsyncTrainable>, generation: u64, max: u32) {
        let h = self;
        let t0 = now_ms();
        let mut work_ms = 0.0;
        let mut done = 0u32;
        let outcome = loop {
            let (reports, ms) = Timed { fut: model.step(), ms: 0.0 }.await;
            work_ms += ms;
            // Unmounted: drop the model and its result.
            let Some(current) = h.generation.try_get_value() else { return };
            if current != generation {
                // Reset meanwhile: drop the stale model and result, build the new one.
                h.busy.set(false);
                h.resume_lane();
                return;
            }
            done += 1;
            let outcome: Result<Option<Divergence>, String> = match reports {
                Ok(r) => h
                    .trainer
                    .try_update_value(|t| t.as_mut().map(|t| t.record(r)))
                    .flatten()
                    .unwrap_or_else(|| Err("the training session is gone".into())),
                Err(e) => Err(e),
            };
            let go_on = matches!(outcome, Ok(None))
                && done < max
                && h.state.get_untracked() == LoopState::Running
                && now_ms() - t0 < FRAME_BUDGET_MS;
            if !go_on {
                break outcome;
            }
        };
        let now = now_ms();
        h.trainer.update_value(|t| {
            if let Some(t) = t {
                t.throughput_mut().record(now, u64::from(done));
            }
        });
        h.model.set_value(Some(model));
        h.busy.set(false);
        h.after(Some(outcome.map(|d| (d, work_ms))));
        if h.state.get_untracked() == LoopState::Running {
            h.schedule();
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
        if h.loading.get() {
            return t("train.status_loading");
        }
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
            data-max-frame-ms=move || format!("{:.2}", h.max_frame_ms.get())
            data-frames=move || {
                h.max_frame_ms.track();
                h.steps.track();
                h.frames_measured().to_string()
            }
            data-worst-frame=move || {
                h.max_frame_ms.track();
                let (s, p) = h.worst_frame();
                format!("{s:.2}/{p:.2}")
            }
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
                        h.loading.get()
                            || matches!(h.state.get(), LoopState::Diverged | LoopState::Failed)
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
                        h.loading.get()
                            || matches!(h.state.get(), LoopState::Diverged | LoopState::Failed)
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
