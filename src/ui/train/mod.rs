//! The live-training UI kit, shared by every training lesson (BN, EMA, divergence, AE, VAE);
//! [`crate::ui::experiment`] adds what the lessons need around it (reset on knobs, backend
//! policy and read-out, publishing the model, sliced background work).
//!
//! A lesson describes *what* to train as a [`crate::core::train::Trainable`] (one or more
//! runs stepped in lockstep, each reporting its loss, gradient norm and metrics) and gets:
//!
//! * [`TrainHandle`] — the session: `TrainHandle::new(factory)` where `factory` builds a fresh
//!   `Box<dyn Trainable>` from the lesson's knobs and seed; `reset()` (lessons rebuild and reset
//!   through [`crate::ui::experiment::reset_on`] when the knobs change), `play()`, `pause()`, `step_once()`, `with_trainer(|t| …)` to read the
//!   [`crate::core::train::Trainer`] (history, step count) for the lesson's own figures, and
//!   signals `version` (bumped once per frame while training), `state`, `steps`, `rate`,
//!   `elapsed_ms`, `divergence`, `error`.
//! * Asynchronous models (a GPU step awaits its loss readback: `compute::dense::DenseRun`,
//!   `compute::vae::VaeRun`): implement [`crate::core::train::AsyncTrainable`]
//!   (`fn step(&mut self) -> StepFuture<'_>`, a boxed future of one report per run) and use
//!   `TrainHandle::new_async(factory)` where `factory: AsyncFactory` returns a boxed future of
//!   `Box<dyn AsyncTrainable>` (it may await: building a GPU trainer). Everything else —
//!   controls, charts, `with_trainer`, divergence, throughput, history — is the same. Each
//!   frame awaits one step, and more while the 8 ms frame budget lasts; steps never overlap
//!   (`busy` is set while one is in flight, `loading` while the model is built); Pause,
//!   divergence and errors take effect when the step in flight resolves; reset and unmount
//!   drop a step still in flight (a generation counter), so nothing outlives the component.
//! * [`TrainControls`] — Play/Pause (`aria-pressed`, Space), Step, Reset, speed (steps per
//!   frame within an 8 ms budget), step count, steps/s, elapsed time, and the divergence
//!   explanation with remedies (`aria-live`).
//! * [`LossChart`] — curves of any `(run, metric)` pairs ([`ChartLine`]), raw + debiased EMA,
//!   smoothing slider, log scale, crosshair read-out by pointer or arrow keys, legend, PNG/CSV.
//!   Its [`HistorySource`] is a session or a `Signal<History>` computed by the lesson.
//!
//! ```ignore
//! // Asynchronous (GPU when there is one):
//! struct Mlp { run: DenseRun, gpu: Option<Rc<Gpu>>, data: Batches }
//! impl AsyncTrainable for Mlp {
//!     fn runs(&self) -> usize { 1 }
//!     fn step(&mut self) -> StepFuture<'_> {
//!         Box::pin(async move {
//!             let (x, t) = self.data.next();
//!             let loss = self.run.step(self.gpu.as_deref(), &x, &t).await.map_err(|e| e.to_string())?;
//!             Ok(vec![StepReport::loss(f64::from(loss))])
//!         })
//!     }
//! }
//! let factory: AsyncFactory = Rc::new(move || Box::pin(async move {
//!     let (run, _) = DenseRun::start(kind, gpu.as_deref(), spec.clone(), &params).await.map_err(|e| e.to_string())?;
//!     Ok(Box::new(Mlp { run, gpu: gpu.clone(), data: Batches::new(seed) }) as Box<dyn AsyncTrainable>)
//! }));
//! let train = TrainHandle::new_async(factory);
//!
//! // Synchronous:
//! let factory: Factory = Rc::new(move || Ok(Box::new(FnTrainable::new(2, step_both_runs)) as _));
//! let train = TrainHandle::new(factory);
//! let lines = Signal::derive(move || vec![
//!     ChartLine { run: 0, metric: LOSS, label: "with BN".into(), color: 0 },
//!     ChartLine { run: 1, metric: LOSS, label: "without BN".into(), color: 1 },
//! ]);
//! view! {
//!     <TrainControls handle=train run_labels=Signal::derive(|| vec!["with BN".into(), "without BN".into()]) />
//!     <LossChart source=train.into() lines=lines name="bn-loss" y_label=… what=… />
//! }
//! ```

pub mod chart;
pub mod controller;

pub use chart::{draw_chart, ChartLine, ChartOptions, HistorySource, LossChart, XMap};
pub use controller::{
    explain, remedy_key, AsyncFactory, Factory, LoopState, ModelFuture, TrainControls, TrainHandle,
    FRAME_BUDGET_MS, SPEEDS,
};

/// A number for read-outs and axes: `NaN`, `∞`, `−∞` spelled out, 4 significant digits,
/// scientific notation outside `[1e-3, 1e5)`.
pub fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞".into() } else { "−∞".into() };
    }
    let a = v.abs();
    if a == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.3e}");
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let t = format!("{v:.decimals$}");
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}
