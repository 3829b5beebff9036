//! One backend policy for every model a lesson trains live (the dense autoencoder, the VAE, …).
//!
//! 1. **Settle.** Unless the user chose the CPU, wait a bounded time ([`SETTLE_MS`]) while
//!    WebGPU is still opening or being calibrated.
//! 2. **Choose.** The user's choice wins (CPU; WebGPU on any adapter, software included). In
//!    automatic mode a software adapter is never chosen (nor measured); on a hardware adapter
//!    **this model's** training step is measured on both backends and the GPU must be clearly
//!    faster ([`super::decide`]).
//! 3. **Remember.** A measured decision is cached in the [`Compute`] handle per [`ModelKey`]
//!    (model name + shape) for the GPU it was measured on (the cache empties when the GPU
//!    changes), so a reset or a knob set back does not measure again.
//!
//! [`plan`] is the pure rule (tested natively); [`choose`] runs it against a [`Compute`];
//! [`choose_with`] runs it for a bare GPU (no settling, no cache: the GPU tests use it).
//! [`RunBackend`] is what a run reports to the page: where it trains, why, and the GPU error
//! that moved it to the CPU (the wording is `ui::backend`'s).

use super::{
    decide, now_ms, AdapterFacts, BackendKind, Compute, Decision, GpuAvailability, GpuSlot,
    Preference, Reason, Timings,
};
use crate::gpu::Gpu;
use std::future::Future;
use std::rc::Rc;

/// Longest wait for WebGPU to open (and be calibrated) before a run is built, in ms.
pub const SETTLE_MS: f64 = 5000.0;
/// Timed steps per backend when a model is measured (after two warm-up steps).
pub const MEASURE_RUNS: usize = 5;

/// A model and its shape: the key of a measured decision (e.g. `("dense", [784, 64, 2, 64,
/// 784, 32])`: widths then batch).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ModelKey {
    /// Which model (`"dense"`, `"vae"`, …).
    pub model: &'static str,
    /// Its sizes, in the model's own order.
    pub shape: Vec<usize>,
}

/// What the policy does next, given what is known now.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// WebGPU is still opening or calibrating: wait (within [`SETTLE_MS`]).
    Wait,
    /// Decided without measuring (forced, no GPU, software adapter, or cached).
    Use(Decision),
    /// Automatic on a hardware adapter, not measured yet: measure this model's step.
    Measure,
}

/// The pure rule: `busy` = WebGPU is opening or being calibrated; `cached` = this model's
/// decision measured earlier on the same GPU.
///
/// ```
/// use dlviz::compute::policy::{plan, Plan};
/// use dlviz::compute::{GpuAvailability, Preference, Reason};
/// match plan(Preference::Cpu, GpuAvailability::Pending, true, None) {
///     Plan::Use(d) => assert_eq!(d.reason, Reason::ForcedCpu),
///     p => panic!("{p:?}"),
/// }
/// assert_eq!(plan(Preference::Auto, GpuAvailability::Pending, true, None), Plan::Wait);
/// ```
pub fn plan(
    pref: Preference,
    gpu: GpuAvailability<'_>,
    busy: bool,
    cached: Option<&Decision>,
) -> Plan {
    if pref == Preference::Cpu {
        return Plan::Use(decide(pref, gpu, None));
    }
    if busy || gpu == GpuAvailability::Pending {
        return Plan::Wait;
    }
    match (pref, gpu) {
        (Preference::Auto, GpuAvailability::Ready(facts)) if !facts.is_software() => match cached {
            Some(d) => Plan::Use(d.clone()),
            None => Plan::Measure,
        },
        _ => Plan::Use(decide(pref, gpu, None)),
    }
}

/// The outcome of [`choose`].
#[derive(Debug, Clone)]
pub struct ModelChoice {
    /// The backend and why.
    pub decision: Decision,
    /// The GPU to train on (only when the decision is WebGPU).
    pub gpu: Option<Rc<Gpu>>,
    /// The open GPU's adapter, whichever backend was chosen (for the read-out).
    pub adapter: Option<AdapterFacts>,
}

/// Chooses the backend for the model `key` under `compute` (see the module docs). `wait`
/// pauses between two looks while WebGPU settles (`ui::time::sleep` in the page); `measure`
/// times this model's step on both backends (`None` if the measurement failed: the run then
/// trains on the CPU, "calibrating", and nothing is cached). Without a compute handle the run
/// trains on the CPU.
pub async fn choose<W, WF, M, MF>(
    compute: Option<&Compute>,
    key: ModelKey,
    wait: W,
    measure: M,
) -> ModelChoice
where
    W: Fn() -> WF,
    WF: Future<Output = ()>,
    M: FnOnce(Rc<Gpu>) -> MF,
    MF: Future<Output = Option<Timings>>,
{
    let Some(c) = compute else {
        let decision = Decision {
            backend: BackendKind::Cpu,
            reason: Reason::Unavailable("no compute context".into()),
        };
        return ModelChoice { decision, gpu: None, adapter: None };
    };
    let t0 = now_ms();
    let decision = loop {
        let settled = now_ms() - t0 >= SETTLE_MS;
        let step = c.with_state(|pref, avail, busy, cache| {
            let p = plan(pref, avail, busy && !settled, cache.get(&key));
            // Out of time while WebGPU still opens: what the app decides now (the CPU).
            if settled && p == Plan::Wait {
                return Plan::Use(decide(pref, avail, None));
            }
            p
        });
        match step {
            Plan::Wait => wait().await,
            Plan::Use(d) => break d,
            Plan::Measure => {
                let Some(gpu) = c.gpu() else { continue };
                let timings = measure(gpu.clone()).await;
                let d = c.with_state(|pref, avail, _, _| decide(pref, avail, timings));
                if timings.is_some() && c.gpu().is_some_and(|g| Rc::ptr_eq(&g, &gpu)) {
                    c.remember(key, d.clone());
                }
                break d;
            }
        }
    };
    let open = c.gpu();
    let adapter = open.as_ref().map(|g| g.info().clone());
    let gpu = open.filter(|_| decision.backend == BackendKind::WebGpu);
    ModelChoice { decision, gpu, adapter }
}

/// The same rule for a bare GPU (no settling, no cache): `measure` runs only in automatic
/// mode on a hardware adapter. Returns the decision and the timings when measured.
pub async fn choose_with<M, MF>(
    pref: Preference,
    gpu: Option<&Gpu>,
    measure: M,
) -> (Decision, Option<Timings>)
where
    M: FnOnce() -> MF,
    MF: Future<Output = Option<Timings>>,
{
    let avail = match gpu {
        Some(g) => GpuAvailability::Ready(g.info()),
        None => GpuAvailability::Unavailable("no GPU"),
    };
    match plan(pref, avail, false, None) {
        Plan::Measure => {
            let timings = measure().await;
            (decide(pref, avail, timings), timings)
        }
        Plan::Use(d) => (d, None),
        Plan::Wait => (decide(pref, avail, None), None),
    }
}

/// Where a run trains and why, as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunBackend {
    /// The backend the run trains on now.
    pub kind: BackendKind,
    /// Why it was chosen.
    pub reason: Reason,
    /// The GPU adapter, when one is open.
    pub adapter: Option<AdapterFacts>,
    /// The GPU error that moved the run to the CPU (when it started or while it trained).
    pub fallback: Option<String>,
}

impl RunBackend {
    /// A run started after `choice` on `kind` (a GPU run that could not be built starts on the
    /// CPU: `fallback` says why).
    pub fn started(choice: &ModelChoice, kind: BackendKind, fallback: Option<String>) -> Self {
        RunBackend {
            kind,
            reason: choice.decision.reason.clone(),
            adapter: choice.adapter.clone(),
            fallback,
        }
    }

    /// The run moved to the CPU after the GPU error `e`.
    pub fn fell_back(&mut self, e: impl ToString) {
        self.kind = BackendKind::Cpu;
        self.fallback = Some(e.to_string());
    }
}

impl Compute {
    /// Calls `f` with the user's choice, the GPU's availability, whether WebGPU is opening or
    /// calibrating, and the cache of measured model decisions.
    fn with_state<R>(
        &self,
        f: impl FnOnce(
            Preference,
            GpuAvailability<'_>,
            bool,
            &std::collections::HashMap<ModelKey, Decision>,
        ) -> R,
    ) -> R {
        let inner = self.inner.borrow();
        let avail = match &inner.gpu {
            GpuSlot::NotStarted | GpuSlot::Initializing => GpuAvailability::Pending,
            GpuSlot::Unavailable(m) => GpuAvailability::Unavailable(m),
            GpuSlot::Ready(g) => GpuAvailability::Ready(g.info()),
        };
        let busy = matches!(inner.gpu, GpuSlot::Initializing) || inner.calibrating;
        f(inner.pref, avail, busy, &inner.models)
    }

    /// The decision measured for `key` on the open GPU, if any.
    pub fn model_decision(&self, key: &ModelKey) -> Option<Decision> {
        self.inner.borrow().models.get(key).cloned()
    }

    /// Remembers the decision measured for `key` on the open GPU.
    fn remember(&self, key: ModelKey, d: Decision) {
        self.inner.borrow_mut().models.insert(key, d);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::gpu::{AdapterFacts, DeviceKind, GpuError};
    use std::cell::Cell;

    fn hw() -> AdapterFacts {
        AdapterFacts {
            name: "NVIDIA RTX".into(),
            kind: DeviceKind::Discrete,
            ..AdapterFacts::unknown()
        }
    }

    fn sw() -> AdapterFacts {
        AdapterFacts {
            name: "SwiftShader".into(),
            kind: DeviceKind::Cpu,
            ..AdapterFacts::unknown()
        }
    }

    fn used(p: Plan) -> Decision {
        match p {
            Plan::Use(d) => d,
            p => panic!("expected a decision, got {p:?}"),
        }
    }

    #[test]
    fn the_users_choice_wins() {
        let (h, s) = (hw(), sw());
        for avail in [GpuAvailability::Pending, GpuAvailability::Ready(&h)] {
            let d = used(plan(Preference::Cpu, avail, true, None));
            assert_eq!((d.backend, d.reason), (BackendKind::Cpu, Reason::ForcedCpu));
        }
        // WebGPU on a software adapter too, and never measured.
        let d = used(plan(Preference::WebGpu, GpuAvailability::Ready(&s), false, None));
        assert_eq!((d.backend, d.reason), (BackendKind::WebGpu, Reason::ForcedGpu));
    }

    #[test]
    fn waits_while_webgpu_settles_unless_the_cpu_was_chosen() {
        let h = hw();
        assert_eq!(plan(Preference::Auto, GpuAvailability::Pending, false, None), Plan::Wait);
        assert_eq!(plan(Preference::WebGpu, GpuAvailability::Pending, true, None), Plan::Wait);
        // Calibrating the app's workload: wait too.
        assert_eq!(plan(Preference::Auto, GpuAvailability::Ready(&h), true, None), Plan::Wait);
    }

    #[test]
    fn auto_measures_hardware_never_software_and_uses_the_cache() {
        let (h, s) = (hw(), sw());
        assert_eq!(plan(Preference::Auto, GpuAvailability::Ready(&h), false, None), Plan::Measure);
        let d = used(plan(Preference::Auto, GpuAvailability::Ready(&s), false, None));
        assert_eq!((d.backend, d.reason), (BackendKind::Cpu, Reason::SoftwareAdapter));
        let fast = Timings { cpu_ms: 10.0, gpu_ms: 1.0 };
        let cached = Decision { backend: BackendKind::WebGpu, reason: Reason::FasterThanCpu(fast) };
        let d = used(plan(Preference::Auto, GpuAvailability::Ready(&h), false, Some(&cached)));
        assert_eq!(d, cached);
        let d = used(plan(Preference::Auto, GpuAvailability::Unavailable("lost"), false, None));
        assert_eq!(d.reason, Reason::Unavailable("lost".into()));
    }

    #[test]
    fn choose_with_measures_only_in_auto_on_hardware() {
        let measured = Cell::new(0);
        let m = || async {
            measured.set(measured.get() + 1);
            Some(Timings { cpu_ms: 10.0, gpu_ms: 1.0 })
        };
        let (d, t) = pollster::block_on(choose_with(Preference::Auto, None, m));
        assert_eq!((d.backend, t, measured.get()), (BackendKind::Cpu, None, 0));
    }

    #[test]
    fn choose_waits_a_bounded_time_then_decides() {
        // The CPU chosen: no wait at all.
        let c = Compute::new(Preference::Cpu);
        let waits = Cell::new(0);
        let wait = || async { waits.set(waits.get() + 1) };
        let never = |_: Rc<Gpu>| async { panic!("nothing to measure") };
        let key = ModelKey { model: "dense", shape: vec![784, 2, 784, 32] };
        let ch = pollster::block_on(choose(Some(&c), key.clone(), wait, never));
        assert_eq!((ch.decision.reason, waits.get()), (Reason::ForcedCpu, 0));

        // Automatic, WebGPU not started yet: wait until it settles (here: fails on the third
        // look), then decide on what is known.
        let c = Compute::new(Preference::Auto);
        let waits = Cell::new(0);
        let wait = || {
            waits.set(waits.get() + 1);
            if waits.get() == 3 {
                c.set_gpu(Err(GpuError::NoAdapter("no WebGPU here".into())));
            }
            async {}
        };
        let ch = pollster::block_on(choose(Some(&c), key.clone(), wait, never));
        assert_eq!(waits.get(), 3);
        assert_eq!(ch.decision.backend, BackendKind::Cpu);
        assert!(matches!(ch.decision.reason, Reason::Unavailable(_)), "{:?}", ch.decision);
        assert!(ch.gpu.is_none());

        // No compute context: the CPU.
        let ch = pollster::block_on(choose(None, key, || async {}, never));
        assert_eq!(ch.decision.backend, BackendKind::Cpu);
    }

    #[test]
    fn the_cache_lives_in_the_compute_handle_and_empties_with_a_new_gpu() {
        let c = Compute::new(Preference::Auto);
        let key = ModelKey { model: "vae", shape: vec![784, 128, 2, 64] };
        let d = Decision { backend: BackendKind::Cpu, reason: Reason::Calibrating };
        c.remember(key.clone(), d.clone());
        assert_eq!(c.model_decision(&key), Some(d));
        c.set_gpu(Err(GpuError::NoAdapter("gone".into())));
        assert_eq!(c.model_decision(&key), None);
    }

    #[test]
    fn run_backend_records_a_fallback() {
        let ch = ModelChoice {
            decision: Decision { backend: BackendKind::WebGpu, reason: Reason::ForcedGpu },
            gpu: None,
            adapter: Some(hw()),
        };
        let mut r = RunBackend::started(&ch, BackendKind::WebGpu, None);
        r.fell_back("device lost");
        assert_eq!(r.kind, BackendKind::Cpu);
        assert_eq!(r.fallback.as_deref(), Some("device lost"));
        assert_eq!(r.reason, Reason::ForcedGpu);
    }
}
