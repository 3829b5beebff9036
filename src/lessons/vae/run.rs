//! The lesson's training run on the backend chosen for this model: a
//! [`crate::compute::vae::VaeRun`] (the CPU engine or WebGPU, by the rule of
//! [`crate::compute::vae::choose_vae`]: forced by the user, or measured on this model's own
//! training step; a software adapter is never chosen for speed) driven by the live-training kit
//! as an [`AsyncTrainable`].
//!
//! The figures (latent codes, manifold, reparameterisation, interpolation, prior samples) need
//! the current weights synchronously. A CPU run is read in place ([`Live::with_vae`]); a GPU
//! run keeps a CPU copy of its weights (the *mirror*) read back from the device between steps —
//! every [`SYNC_MS`] while the loop runs, after every step taken while it does not (Step, or the
//! step in flight when Pause was pressed), and at each validation step (the validation loss
//! `−ELBO` is computed on that copy, as on the CPU). A GPU failure moves the run to the CPU from
//! the weights last read back (see [`VaeRun::step`]); the step is retried there and the page is
//! told why.

use super::model::{Experiment, ValSet, VAL_EVERY, VAL_LOSS};
use crate::compute::vae::{choose_vae, VaeRun, VaeRunError};
use crate::compute::{AdapterFacts, Gpu};
use crate::compute::{BackendKind, Compute, Decision, Preference, Timings};
use crate::core::train::{AsyncTrainable, StepFuture, StepReport};
use crate::core::vae::Vae;
use crate::ui::time::{now_ms, sleep};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Milliseconds between two read-backs of a running GPU model's weights.
pub const SYNC_MS: f64 = 400.0;
/// Longest wait for WebGPU to start (and be calibrated) before the run is built, in ms.
const GPU_WAIT_MS: f64 = 5000.0;

/// Where a run trains and why (for the page's read-out).
#[derive(Debug, Clone, PartialEq)]
pub struct RunBackend {
    /// The backend the run trains on now.
    pub kind: BackendKind,
    /// The decision it was started with.
    pub decision: Decision,
    /// This model's measured step times, when measured.
    pub timings: Option<Timings>,
    /// The GPU adapter, when one was open.
    pub adapter: Option<AdapterFacts>,
    /// The GPU error that moved the run to the CPU (at start or during training).
    pub fallback: Option<String>,
}

/// The state shared by the training run and the page.
pub struct Live {
    /// The run; taken out while one of its asynchronous operations is in flight.
    run: RefCell<Option<VaeRun>>,
    /// A GPU run's weights on the CPU, at [`Live::mirror_step`].
    mirror: RefCell<Option<Vae>>,
    mirror_step: Cell<u64>,
    /// Training steps taken (across a move from the GPU to the CPU).
    steps: Cell<u64>,
    /// The validation digits.
    pub val: Rc<ValSet>,
}

impl Live {
    /// Calls `f` with the current weights as a CPU model and the step they are at: the run
    /// itself when it trains on the CPU, else the last copy read back from the GPU. `None`
    /// when neither is available (a GPU run before its first read-back cannot happen: the
    /// mirror starts at the initial weights).
    pub fn with_vae<R>(&self, f: impl FnOnce(&Vae, u64) -> R) -> Option<R> {
        if let Ok(run) = self.run.try_borrow() {
            if let Some(VaeRun::Cpu(v)) = run.as_ref() {
                return Some(f(v, self.steps.get()));
            }
        }
        let m = self.mirror.try_borrow().ok()?;
        m.as_ref().map(|v| f(v, self.mirror_step.get()))
    }

    /// Steps taken.
    pub fn steps(&self) -> u64 {
        self.steps.get()
    }
}

/// What a run needs from the page.
#[derive(Clone)]
pub struct Hooks {
    /// The current KL weight β (acts on the running training).
    pub beta: Rc<Cell<f32>>,
    /// Whether the training loop is running (a step taken otherwise is read back at once).
    pub running: Rc<dyn Fn() -> bool>,
    /// Called with the run's backend when it is built and when it changes.
    pub backend: Rc<dyn Fn(RunBackend)>,
}

/// The lesson's [`AsyncTrainable`]: one run, one report per step.
pub struct LessonRun {
    exp: Experiment,
    live: Rc<Live>,
    hooks: Hooks,
    info: RunBackend,
    last_sync_ms: f64,
}

/// Waits (a bounded time) while WebGPU is starting or being calibrated, unless the user chose
/// the CPU; then returns the choice and the open GPU.
async fn settled(compute: Option<&Compute>) -> (Preference, Option<Rc<Gpu>>) {
    let Some(c) = compute else { return (Preference::Cpu, None) };
    let t0 = now_ms();
    while c.preference() != Preference::Cpu && c.status().busy && now_ms() - t0 < GPU_WAIT_MS {
        sleep(50).await;
    }
    (c.preference(), c.gpu())
}

/// Builds a run for `exp`: chooses the backend (waiting for WebGPU to settle, measuring this
/// model when the choice is automatic and the adapter is hardware), starts the run from the
/// experiment's initial weights, and publishes it in the returned [`Live`].
pub async fn start(
    exp: Experiment,
    compute: Option<Compute>,
    hooks: Hooks,
) -> Result<(LessonRun, Rc<Live>), String> {
    let spec = exp.settings.spec();
    let (pref, gpu) = settled(compute.as_ref()).await;
    let (decision, timings) = choose_vae(pref, gpu.as_deref(), &spec).await;
    let (run, err) = VaeRun::start(decision.backend, gpu.as_deref(), spec, &exp.init)
        .await
        .map_err(|e| e.to_string())?;
    let mirror = match run {
        VaeRun::Gpu(_) => Some(Vae::new(spec, &exp.init).map_err(|e| e.to_string())?),
        VaeRun::Cpu(_) => None,
    };
    let info = RunBackend {
        kind: run.backend(),
        decision,
        timings,
        adapter: gpu.as_ref().map(|g| g.info().clone()),
        fallback: err.map(|e| e.to_string()),
    };
    (hooks.backend)(info.clone());
    let live = Rc::new(Live {
        run: RefCell::new(Some(run)),
        mirror: RefCell::new(mirror),
        mirror_step: Cell::new(0),
        steps: Cell::new(0),
        val: exp.val.clone(),
    });
    let run = LessonRun { exp, live: live.clone(), hooks, info, last_sync_ms: now_ms() };
    Ok((run, live))
}

impl LessonRun {
    fn take(&self) -> Result<VaeRun, String> {
        self.live
            .run
            .try_borrow_mut()
            .ok()
            .and_then(|mut r| r.take())
            .ok_or_else(|| "the model is busy".to_string())
    }

    fn put(&self, run: VaeRun) {
        if let Ok(mut r) = self.live.run.try_borrow_mut() {
            *r = Some(run);
        }
    }

    /// Reads a GPU run's weights back into the mirror (no-op for a CPU run).
    async fn sync(&mut self, run: &VaeRun) -> Result<(), String> {
        if run.backend() != BackendKind::WebGpu {
            return Ok(());
        }
        let params = run.params().await.map_err(|e| e.to_string())?;
        let vae = Vae::new(*run.spec(), &params).map_err(|e| e.to_string())?;
        if let Ok(mut m) = self.live.mirror.try_borrow_mut() {
            *m = Some(vae);
            self.live.mirror_step.set(self.live.steps.get());
        }
        self.last_sync_ms = now_ms();
        Ok(())
    }

    /// One step of `run` (taken out of [`Live`] meanwhile), the read-back when due and, every
    /// [`VAL_EVERY`] steps, the validation loss.
    async fn step_inner(&mut self, run: &mut VaeRun) -> Result<Vec<StepReport>, String> {
        let beta = self.hooks.beta.get();
        let (x, eps) = self.exp.next_batch()?;
        let r = match run.step(x, &eps, beta).await {
            Err(VaeRunError::Gpu(e)) if run.backend() == BackendKind::Cpu => {
                // The run moved to the CPU from the GPU's weights: say so, retry there.
                self.info.kind = BackendKind::Cpu;
                self.info.fallback = Some(e.to_string());
                if let Ok(mut m) = self.live.mirror.try_borrow_mut() {
                    *m = None;
                }
                (self.hooks.backend)(self.info.clone());
                run.step(x, &eps, beta).await
            }
            other => other,
        }
        .map_err(|e| e.to_string())?;
        let n = self.live.steps.get() + 1;
        self.live.steps.set(n);
        let mut report = Experiment::report(&r);
        let val_due = n.is_multiple_of(VAL_EVERY);
        let gpu = run.backend() == BackendKind::WebGpu;
        if gpu && (val_due || !(self.hooks.running)() || now_ms() - self.last_sync_ms >= SYNC_MS) {
            self.sync(run).await?;
        }
        if val_due {
            let v = match run {
                VaeRun::Cpu(v) => self.exp.val_loss(v, beta),
                VaeRun::Gpu(_) => match self.live.mirror.try_borrow_mut().ok() {
                    Some(mut m) => match m.as_mut() {
                        Some(v) => self.exp.val_loss(v, beta),
                        None => Err("the weights were not read back".into()),
                    },
                    None => Err("the weights are in use".into()),
                },
            }?;
            report = report.with_metric(VAL_LOSS, v);
        }
        Ok(vec![report])
    }
}

impl AsyncTrainable for LessonRun {
    fn runs(&self) -> usize {
        1
    }

    fn step(&mut self) -> StepFuture<'_> {
        Box::pin(async move {
            let mut run = self.take()?;
            let out = self.step_inner(&mut run).await;
            self.put(run);
            out
        })
    }
}
