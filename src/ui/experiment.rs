//! The live-experiment kit: what every lesson that trains a model live needs besides the loop
//! and the charts of [`crate::ui::train`].
//!
//! * **Reset when settings change** — [`reset_on`]: the knobs a run depends on (a value with
//!   `PartialEq`) → a new factory ([`Build`]) and a reset, whenever they differ from the ones
//!   the current run was built from. Knobs that act on the running training (the VAE's β,
//!   read from a `Cell` each step) stay out of it.
//! * **One backend policy** — [`choose_backend`]: [`crate::compute::policy::choose`] with the
//!   page's clock (waits while WebGPU settles, the user's choice, this model measured on a
//!   hardware adapter, the decision cached in the app's `Compute`).
//! * **Publishing the running model** — the run writes on a [`Board`] (web-free,
//!   `core::train`), the page reads it through a [`BoardSlot`]: `slot.fresh()` in the factory
//!   gives each build its own board, so a stale run is never read.
//! * **The backend read-out** — [`RunBackendView`]: where the run trains and why, and the
//!   notice when a GPU failure moved it to the CPU.
//! * **Sliced background work** — [`run_sliced`] / [`spawn_sliced`]: a step function run until
//!   done, yielding to the browser whenever a time slice is used up, ending when its owner is
//!   disposed.

use crate::compute::policy::{self, ModelChoice, ModelKey, RunBackend};
use crate::compute::{BackendKind, Compute, Gpu, Reason, Timings};
pub use crate::core::train::Board;
use crate::i18n::{tr, tr_fmt};
use crate::page::I18n;
use crate::ui::backend::{backend_label, reason_text};
use crate::ui::time::{now_ms, sleep, yield_now};
use crate::ui::train::{fmt_num, AsyncFactory, Factory, TrainHandle};
use leptos::prelude::*;
use std::future::Future;
use std::rc::Rc;

/// Milliseconds of background work between two yields to the browser.
pub const SLICE_MS: f64 = 6.0;

/// A training-kit factory, synchronous or asynchronous.
#[derive(Clone)]
pub enum Build {
    /// A model stepped synchronously ([`TrainHandle::new`]).
    Sync(Factory),
    /// A model whose steps await ([`TrainHandle::new_async`]).
    Async(AsyncFactory),
}

impl Build {
    /// Installs this factory in `train` (a [`TrainHandle::reset`] uses it).
    pub fn install(self, train: TrainHandle) {
        match self {
            Build::Sync(f) => train.set_factory(f),
            Build::Async(f) => train.set_async_factory(f),
        }
    }
}

/// Rebuilds the run whenever `knobs()` differs from the knobs it was built from: `build(k)`
/// becomes the factory and the session is reset. Call inside the component that owns `train`,
/// right after creating it from the knobs' current value (read untracked): the first
/// differing value rebuilds, an equal one does nothing.
pub fn reset_on<K, F, B>(train: TrainHandle, knobs: F, build: B)
where
    K: PartialEq + Clone + 'static,
    F: Fn() -> K + 'static,
    B: Fn(K) -> Build + 'static,
{
    let built = StoredValue::new_local(untrack(&knobs));
    Effect::new(move |_| {
        let k = knobs();
        if built.try_with_value(|b| *b == k) != Some(false) {
            return;
        }
        built.set_value(k.clone());
        build(k).install(train);
        train.reset();
    });
}

/// The page side of a [`Board`]: the board of the current build (`None` while there is none).
pub struct BoardSlot<T: 'static>(StoredValue<Option<Board<T>>, LocalStorage>);

impl<T: 'static> Clone for BoardSlot<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for BoardSlot<T> {}

impl<T: 'static> BoardSlot<T> {
    /// An empty slot, owned by the current component.
    pub fn new() -> Self {
        BoardSlot(StoredValue::new_local(None))
    }

    /// A fresh board for a new build, installed as the current one (the previous build's is
    /// dropped by the page); call it in the factory and hand the board to the run.
    pub fn fresh(&self) -> Board<T> {
        let b = Board::new();
        self.0.try_set_value(Some(b.clone()));
        b
    }

    /// Forgets the current board (no run, or one being built).
    pub fn clear(&self) {
        self.0.try_set_value(None);
    }

    /// Calls `f` with what the current run published (`None`: no run, nothing published yet,
    /// the board in use, or the owner disposed).
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.0.try_with_value(|b| b.as_ref()?.with(f)).flatten()
    }

    /// As [`BoardSlot::with`], with mutable access.
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.0.try_with_value(|b| b.as_ref()?.with_mut(f)).flatten()
    }
}

impl<T: 'static> Default for BoardSlot<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Milliseconds between two looks at WebGPU while it settles.
const SETTLE_POLL_MS: i32 = 50;

/// The backend for the model `key` by the one policy ([`crate::compute::policy`]), waiting on
/// the page's clock; `measure` times this model's step on both backends.
pub async fn choose_backend<M, MF>(
    compute: Option<&Compute>,
    key: ModelKey,
    measure: M,
) -> ModelChoice
where
    M: FnOnce(Rc<Gpu>) -> MF,
    MF: Future<Output = Option<Timings>>,
{
    policy::choose(compute, key, || sleep(SETTLE_POLL_MS), measure).await
}

/// One piece of background work: more to do, or the result.
pub enum Slice<T> {
    /// Call the step function again.
    More,
    /// Finished with this value.
    Done(T),
}

/// Whether a background task's owner still lives: a token stored in the owner that created it.
#[derive(Clone, Copy)]
pub struct Alive(StoredValue<()>);

impl Alive {
    /// A token owned by the current reactive owner (the component).
    pub fn here() -> Self {
        Alive(StoredValue::new(()))
    }

    /// `false` once the owner was disposed (the lesson unmounted).
    pub fn get(&self) -> bool {
        !self.0.is_disposed()
    }
}

/// Calls `step` until it is done, yielding to the browser (one macrotask) whenever `slice_ms`
/// of work have been used since the last yield (whole steps: at least one per slice). `None`
/// when `alive` says the owner went away (checked after every yield).
pub async fn run_sliced<T>(
    slice_ms: f64,
    alive: Alive,
    mut step: impl FnMut() -> Slice<T>,
) -> Option<T> {
    let mut t0 = now_ms();
    loop {
        if let Slice::Done(v) = step() {
            return Some(v);
        }
        if now_ms() - t0 > slice_ms {
            yield_now().await;
            if !alive.get() {
                return None;
            }
            t0 = now_ms();
        }
    }
}

/// Spawns [`run_sliced`] for the current owner, starting after one yield (the page paints
/// first), and hands the result to `done`; nothing happens once the owner is disposed.
pub fn spawn_sliced<T: 'static>(
    slice_ms: f64,
    step: impl FnMut() -> Slice<T> + 'static,
    done: impl FnOnce(T) + 'static,
) {
    let alive = Alive::here();
    leptos::task::spawn_local(async move {
        yield_now().await;
        if !alive.get() {
            return;
        }
        if let Some(v) = run_sliced(slice_ms, alive, step).await {
            done(v);
        }
    });
}

/// How [`RunBackendView`] words where the run trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phrasing {
    /// "Training on CPU (wasm SIMD). {why}" (the autoencoder).
    #[default]
    TrainingOn,
    /// "This run trains on the CPU (wasm SIMD). {why}" (the VAE).
    ThisRun,
}

/// Why the run trains where it does: this model's own measurement, or the app's reason.
fn why(r: &RunBackend, lang: crate::i18n::Lang) -> String {
    match &r.reason {
        Reason::SlowerThanCpu(t) | Reason::FasterThanCpu(t) => tr_fmt(
            lang,
            "backend.run_measured",
            &[("cpu", &fmt_num(t.cpu_ms)), ("gpu", &fmt_num(t.gpu_ms))],
        ),
        reason => reason_text(reason, r.adapter.as_ref(), None, lang),
    }
}

/// The read-out's sentence: where the run trains and why ("choosing…" while it is built).
pub fn run_backend_text(
    lang: crate::i18n::Lang,
    r: Option<&RunBackend>,
    phrasing: Phrasing,
) -> String {
    let Some(r) = r else { return tr(lang, "backend.run_choosing").to_string() };
    match phrasing {
        Phrasing::TrainingOn => tr_fmt(
            lang,
            "backend.run",
            &[("where", &backend_label(r.kind, r.adapter.as_ref(), lang)), ("why", &why(r, lang))],
        ),
        Phrasing::ThisRun => {
            let head = match (r.kind, r.adapter.as_ref()) {
                (BackendKind::WebGpu, a) => {
                    let adapter = a.map(|a| a.label()).unwrap_or_default();
                    tr_fmt(lang, "backend.run_gpu", &[("adapter", &adapter)])
                }
                (BackendKind::Cpu, _) => tr(lang, "backend.run_cpu").to_string(),
            };
            format!("{head} {}", why(r, lang))
        }
    }
}

/// Where the run trains and why (`data-testid=testid`, `data-backend="cpu"|"webgpu"|""`), and
/// the notice when a GPU failure moved it to the CPU (`role="alert"`,
/// `data-testid=fallback_testid`). Shows "choosing…" until the run is built.
#[component]
pub fn RunBackendView(
    /// The run's backend, `None` while it is being built.
    #[prop(into)]
    info: Signal<Option<RunBackend>>,
    /// The read-out's test id.
    testid: &'static str,
    /// The fallback notice's test id.
    fallback_testid: &'static str,
    /// How the sentence starts ("Training on …" unless given).
    #[prop(optional)]
    phrasing: Phrasing,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let text = move || {
        let lang = i18n.lang.get();
        info.with(|r| run_backend_text(lang, r.as_ref(), phrasing))
    };
    let code = move || {
        info.with(|r| match r.as_ref().map(|r| r.kind) {
            Some(BackendKind::Cpu) => "cpu",
            Some(BackendKind::WebGpu) => "webgpu",
            None => "",
        })
    };
    let fallback = move || {
        let lang = i18n.lang.get();
        info.with(|r| r.as_ref().and_then(|r| r.fallback.clone())).map(|e| {
            let msg = tr_fmt(lang, "backend.run_fallback", &[("error", &e)]);
            view! { <p class="w-error" role="alert" data-testid=fallback_testid>{msg}</p> }
        })
    };
    view! {
        <p class="hint" data-testid=testid data-backend=code aria-live="polite">{text}</p>
        {fallback}
    }
}
