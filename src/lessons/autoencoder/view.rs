//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;


use crate::compute::dense::{measure_dense, model_key};
use crate::compute::policy::{RunBackend, MEASURE_RUNS};
use crate::compute::{Compute, Gpu};
use crate::core::mnist::{Mnist, PIXELS};
use crate::core::pca::{mse, Pca};
use crate::core::train::{AsyncTrainable, FnTrainable, Trainable};
use crate::i18n::tr;
use crate::page::ComputeCtx;
use crate::page::{I18n, LessonParams};
use crate::ui::mnist::{MnistLoader, MnistStatusView};
use crate::ui::experiment::{
    choose_backend, reset_on, spawn_sliced, BoardSlot, Build, Slice,
};
use crate::ui::train::{
    AsyncFactory, Factory, TrainHandle,
};
use leptos::prelude::*;
pub use model::{
    advance_pca, shared_split, Eval, Experiment, PcaProgress, Published, Settings, Split,
    EVAL_EVERY, GRID, PCA_K, SPLIT_SEED, VAL_BCE, VAL_MSE,
};
use figures::codes::CodesPanel;
use figures::recon::ReconPanel;
use figures::train::TrainPanel;
use std::rc::Rc;

/// Milliseconds of PCA work per macrotask (the page stays responsive while it is fitted).
pub const PCA_SLICE_MS: f64 = 8.0;



/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <AutoencoderLesson /> }.into_any()
}

/// The session's model while the digits load: stepping it says so (nothing to train yet).
fn waiting_factory(waiting: &'static str) -> Factory {
    Rc::new(move || {
        let t = FnTrainable::new(1, move || Err(waiting.to_string()));
        Ok(Box::new(t) as Box<dyn Trainable>)
    })
}

/// Builds runs of `s` on `split` on the backend the policy chooses for this network
/// ([`choose_backend`]); each run publishes on a fresh board of `current`.
fn async_factory(
    s: Settings,
    split: Rc<Split>,
    val_input: Rc<Vec<f32>>,
    compute: Option<Compute>,
    current: BoardSlot<Published>,
    info: RwSignal<Option<RunBackend>>,
) -> AsyncFactory {
    Rc::new(move || {
        let board = current.fresh();
        let (s, split, val_input, compute) =
            (s.clone(), split.clone(), val_input.clone(), compute.clone());
        Box::pin(async move {
            let spec = model::spec(&s);
            let measure =
                |gpu: Rc<Gpu>| async move { measure_dense(&gpu, &spec, MEASURE_RUNS).await.ok() };
            let choice = choose_backend(compute.as_ref(), model_key(&model::spec(&s)), measure).await;
            let (e, fallback) =
                Experiment::start(&s, split, val_input, choice.decision.backend, choice.gpu.clone(), board)
                    .await?;
            let _ = info.try_set(Some(RunBackend::started(&choice, e.backend(), fallback)));
            Ok(Box::new(e) as Box<dyn AsyncTrainable>)
        })
    })
}

/// What the page draws after a frame of training.
#[derive(Clone, Default)]
pub(super) struct Snapshot {
    /// AE reconstructions of the first [`GRID`] validation digits.
    pub recon: Vec<f32>,
    /// Codes of every validation digit `(n, z)`.
    pub codes: Vec<f32>,
    /// Code size of the run.
    pub z: usize,
    /// Validation error of the reconstructions.
    pub mse: f64,
    /// Steps taken when it was made.
    pub steps: u64,
    /// A GPU failure that moved the run to the CPU.
    pub fallback: Option<String>,
}

/// The lesson page.
#[component]
pub fn AutoencoderLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();

    // ---- knobs ---------------------------------------------------------------------------
    let settings = Memo::new(move |_| Settings::of(&params.read::<Knobs>()));
    let z = Memo::new(move |_| settings.with(|s| s.z));
    let seed = Memo::new(move |_| settings.with(|s| s.seed));
    let noise = Memo::new(move |_| settings.with(|s| s.noise));

    // ---- data: the shared MNIST download, the page's split ---------------------------------
    let digits = MnistLoader::new();
    let split = RwSignal::new_local(None::<Rc<Split>>);
    let split_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let data: Option<Rc<Mnist>> = digits.data();
        match data.map(|m| shared_split(&m)) {
            Some(Ok(sp)) => {
                split.set(Some(sp));
                split_error.set(None);
            }
            Some(Err(e)) => split_error.set(Some(e)),
            None => split.set(None),
        }
    });
    // Validation inputs as the models see them (noisy when denoising; the same draw as the
    // experiment's, so PCA and the autoencoder get identical inputs).
    let val_input = RwSignal::new_local(None::<Rc<Vec<f32>>>);
    Effect::new(move |_| {
        let (nz, s) = (noise.get(), seed.get());
        let v = split.with(|sp| sp.as_ref().map(|sp| Rc::new(model::val_input(sp, nz, s))));
        val_input.set(v);
    });

    // ---- training: an asynchronous session over DenseRun (CPU or WebGPU) ---------------------
    let compute_ctx = use_context::<ComputeCtx>();
    let current = BoardSlot::<Published>::new();
    let run_info = RwSignal::new(None::<RunBackend>);
    let waiting = move || tr(i18n.lang.get_untracked(), "ae.wait_digits");
    let train = TrainHandle::new(waiting_factory(waiting()));
    let snapshot = RwSignal::new_local(None::<Snapshot>);
    // The app's backend choice and whether its GPU is open: a new run when the reader changes
    // the choice, or when the GPU becomes ready before training started (while a run is under
    // way it keeps its backend; Reset picks the GPU up).
    let backend_key = Memo::new(move |_| {
        compute_ctx.map(|c| {
            let st = c.status();
            (st.preference, st.adapter.is_some())
        })
    });
    reset_on(
        train,
        move || {
            let key = backend_key.get();
            let key = key.map(|(p, ready)| (p, ready && train.steps.get_untracked() == 0));
            let sp = split.with(|sp| sp.as_ref().map(|r| Rc::as_ptr(r) as usize));
            let vi = val_input.with(|v| v.as_ref().map(|r| Rc::as_ptr(r) as usize));
            (key, settings.get(), sp, vi)
        },
        move |(_, s, _, _)| {
            snapshot.set(None);
            match (split.get_untracked(), val_input.get_untracked()) {
                (Some(sp), Some(vi)) => {
                    let compute = compute_ctx.map(|c| c.compute());
                    Build::Async(async_factory(s, sp, vi, compute, current, run_info))
                }
                _ => {
                    current.clear();
                    Build::Sync(waiting_factory(waiting()))
                }
            }
        },
    );
    Effect::new(move |_| {
        train.version.track();
        let snap = current.with(|p| Snapshot {
            recon: p.eval.recon[..(GRID * PIXELS).min(p.eval.recon.len())].to_vec(),
            codes: p.eval.codes.clone(),
            z: p.z,
            mse: p.eval.mse,
            steps: p.steps,
            fallback: p.fallback.clone(),
        });
        if snap.is_some() {
            snapshot.set(snap);
        }
    });

    // ---- PCA baseline: the page's fit, advanced in slices after the digits arrive ----------
    let pca = RwSignal::new_local(None::<Rc<Pca>>);
    let pca_progress = RwSignal::new(None::<f64>);
    let pca_error = RwSignal::new(None::<String>);
    let pca_gen = StoredValue::new(0u32);
    Effect::new(move |_| {
        let sp = split.get();
        pca_gen.update_value(|g| *g = g.wrapping_add(1));
        let gen = pca_gen.get_value();
        let Some(sp) = sp else {
            pca.set(None);
            pca_progress.set(None);
            return;
        };
        // Already fitted on this page: no slice needed.
        let mut first = true;
        match advance_pca(&sp, || std::mem::take(&mut first)) {
            PcaProgress::Done(p) => {
                pca.set(Some(p));
                pca_progress.set(None);
                return;
            }
            PcaProgress::Failed(e) => {
                pca_error.set(Some(e));
                pca_progress.set(None);
                return;
            }
            PcaProgress::Busy(f) => pca_progress.set(Some(f)),
        }
        // One unit of work per step (a covariance block or one iteration), in time slices; a
        // new split (another generation) ends this fit.
        let step = move || {
            if pca_gen.try_get_value() != Some(gen) {
                return Slice::Done(None);
            }
            let mut first = true;
            match advance_pca(&sp, || std::mem::take(&mut first)) {
                PcaProgress::Busy(f) => {
                    let _ = pca_progress.try_set(Some(f));
                    Slice::More
                }
                done => Slice::Done(Some(done)),
            }
        };
        spawn_sliced(PCA_SLICE_MS, step, move |done| match done {
            Some(PcaProgress::Done(p)) => {
                let _ = pca.try_set(Some(p));
                let _ = pca_progress.try_set(None);
            }
            Some(PcaProgress::Failed(e)) => {
                let _ = pca_error.try_set(Some(e));
                let _ = pca_progress.try_set(None);
            }
            _ => {}
        });
    });
    // PCA at k = z on the validation inputs: reconstructions of the grid and the error.
    let pca_view = RwSignal::new_local(None::<(Vec<f32>, f64, f64)>);
    Effect::new(move |_| {
        let k = z.get();
        let out = pca.with(|p| {
            let p = p.as_ref()?;
            let input = val_input.get()?;
            split.with(|sp| {
                let clean = sp.as_ref()?.val.x.data();
                let n = clean.len() / PIXELS;
                let r = p.roundtrip(&input, n, k).ok()?;
                let err = mse(&r, clean);
                Some((r[..GRID * PIXELS].to_vec(), err, p.explained_variance_ratio(k)))
            })
        });
        pca_view.set(out);
    });

    // Where the run trains and why; a GPU failure (at the start or while training) that moved
    // it to the CPU.
    let backend_info = Signal::derive(move || {
        let mut r = run_info.get()?;
        if let Some(e) = snapshot.with(|s| s.as_ref().and_then(|s| s.fallback.clone())) {
            r.fell_back(e);
        }
        Some(r)
    });

    view! {
        <h1>{move || super::LESSON.title.get(i18n.lang.get())}</h1>
        <section class="lesson-text">
            <p>{move || i18n.t("ae.text.p1")}</p>
            <p class="formula">"z = f(x) ∈ ℝᶻ     x̂ = g(z) = σ(ℓ)     L = −Σ [x log x̂ + (1 − x) log(1 − x̂)]"</p>
            <p>{move || i18n.t("ae.text.p2")}</p>
        </section>
        <div data-testid="ae-mnist">
            <MnistStatusView loader=digits />
        </div>
        {move || split_error.get().map(|e| view! { <p class="w-error" role="alert">{e}</p> })}

        <TrainPanel train=train backend_info=backend_info seed=seed />
        <ReconPanel split=split val_input=val_input snapshot=snapshot pca_view=pca_view
            pca_progress=pca_progress pca_error=pca_error noise=noise z=z />
        <CodesPanel split=split snapshot=snapshot z=z />
    }
}
