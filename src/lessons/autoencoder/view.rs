//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;


use crate::compute::dense::{measure_dense, model_key, Act};
use crate::compute::policy::{RunBackend, MEASURE_RUNS};
use crate::compute::{Compute, Gpu};
use crate::core::mnist::{Mnist, PIXELS};
use crate::core::pca::{mse, Pca};
use crate::core::train::{AsyncTrainable, FnTrainable, Trainable, LOSS};
use crate::i18n::{tr, tr_fmt};
use crate::page::ComputeCtx;
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::mnist::{MnistLoader, MnistStatusView};
use crate::ui::experiment::{
    choose_backend, reset_on, spawn_sliced, BoardSlot, Build, RunBackendView, Slice,
};
use crate::ui::train::{
    fmt_num, AsyncFactory, ChartLine, Factory, LossChart, TrainControls, TrainHandle,
};
use crate::ui::figure::{digit_tiles, fit_2d, Fitted, Palette, TileLayout};
use crate::ui::{draw_rgba, ExportButtons, Select};
use crate::ui::controls::{KnobSlider, KnobToggle, UrlChoices};
use leptos::html::Canvas;
use leptos::prelude::*;
pub use model::{
    advance_pca, shared_split, Eval, Experiment, PcaProgress, Published, Settings, Split,
    EVAL_EVERY, GRID, PCA_K, SPLIT_SEED, VAL_BCE, VAL_MSE,
};
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
struct Snapshot {
    /// AE reconstructions of the first [`GRID`] validation digits.
    recon: Vec<f32>,
    /// Codes of every validation digit `(n, z)`.
    codes: Vec<f32>,
    z: usize,
    mse: f64,
    steps: u64,
    /// A GPU failure that moved the run to the CPU.
    fallback: Option<String>,
}

/// Draws the 2-D codes, coloured by label, with axes' ranges, into `canvas`.
fn draw_scatter(canvas: &web_sys::HtmlCanvasElement, codes: &[f32], labels: &[f32], pal: &Palette) {
    let Ok(Fitted { ctx, w, h, .. }) = fit_2d(canvas) else { return };
    let s = w.min(h);
    ctx.set_fill_style_str(&pal.bg.to_string());
    ctx.fill_rect(0.0, 0.0, s, s);
    let n = labels.len().min(codes.len() / 2);
    if n == 0 {
        return;
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for i in 0..n {
        let (x, y) = (codes[2 * i], codes[2 * i + 1]);
        if x.is_finite() && y.is_finite() {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    if x0 > x1 {
        return;
    }
    let pad = 12.0;
    let sx = (s - 2.0 * pad) / ((x1 - x0).max(1e-6) as f64);
    let sy = (s - 2.0 * pad) / ((y1 - y0).max(1e-6) as f64);
    ctx.set_stroke_style_str(&pal.axis.to_string());
    ctx.stroke_rect(0.5, 0.5, s - 1.0, s - 1.0);
    let r = 2.2;
    for i in 0..n {
        let (x, y) = (codes[2 * i], codes[2 * i + 1]);
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let label = (labels[i] as usize).min(9);
        ctx.set_fill_style_str(&pal.label(label).to_string());
        let px = pad + (x - x0) as f64 * sx;
        let py = s - pad - (y - y0) as f64 * sy;
        ctx.begin_path();
        let _ = ctx.arc(px, py, r, 0.0, std::f64::consts::TAU);
        ctx.fill();
    }
}

/// The lesson page.
#[component]
pub fn AutoencoderLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());

    // ---- knobs ---------------------------------------------------------------------------
    let k = Knobs::KEYS;
    let settings = Memo::new(move |_| {
        let p = params.read::<Knobs>();
        Settings {
            hidden: p.h as usize,
            z: p.z as usize,
            act: if p.act == "tanh" { Act::Tanh } else { Act::Relu },
            lr: p.lr as f32,
            batch: p.bs as usize,
            noise: p.dn.then_some(p.noise as f32),
            seed: p.seed,
        }
    });
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

    // ---- the reconstruction grid -----------------------------------------------------------
    let grid_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(c) = grid_canvas.get() else { return };
        let clean = split.with(|sp| {
            sp.as_ref().map(|sp| sp.val.x.data()[..GRID * PIXELS].to_vec()).unwrap_or_default()
        });
        let input =
            val_input.with(|v| v.as_ref().map(|v| v[..GRID * PIXELS].to_vec()).unwrap_or_default());
        let ae = snapshot.with(|s| s.as_ref().map(|s| s.recon.clone()).unwrap_or_default());
        let pc = pca_view.with(|p| p.as_ref().map(|p| p.0.clone()).unwrap_or_default());
        let mut rows: Vec<&[f32]> = Vec::new();
        if noise.get().is_some() {
            rows.push(&input);
        }
        rows.extend([&clean[..], &ae[..], &pc[..]]);
        let pal = Palette::of(&appearance);
        let layout = TileLayout { cols: GRID, gap: 2, margin: 0 };
        let _ = draw_rgba(&c, &digit_tiles(&rows, layout, &pal));
    });
    let grid_rows = move || {
        let lang = i18n.lang.get();
        let mut keys = vec![];
        if noise.get().is_some() {
            keys.push("ae.row.noisy");
        }
        keys.extend(["ae.row.original", "ae.row.ae", "ae.row.pca"]);
        keys.into_iter().map(|k| view! { <li>{tr(lang, k)}</li> }).collect_view()
    };

    // ---- numbers --------------------------------------------------------------------------
    let ae_text = move || {
        let lang = i18n.lang.get();
        snapshot.with(|s| match s {
            Some(s) => tr_fmt(
                lang,
                "ae.ae_error",
                &[("mse", &fmt_num(s.mse)), ("steps", &s.steps.to_string())],
            ),
            None => tr(lang, "ae.ae_error_none").to_string(),
        })
    };
    let pca_text = move || {
        let lang = i18n.lang.get();
        if let Some(p) = pca_progress.get() {
            return tr_fmt(lang, "ae.pca_busy", &[("pct", &format!("{:.0}", p * 100.0))]);
        }
        if let Some(e) = pca_error.get() {
            return tr_fmt(lang, "ae.pca_failed", &[("error", &e)]);
        }
        pca_view.with(|p| match p {
            Some((_, err, evr)) => tr_fmt(
                lang,
                "ae.pca_error",
                &[
                    ("k", &z.get().to_string()),
                    ("mse", &fmt_num(*err)),
                    ("evr", &format!("{:.1}", evr * 100.0)),
                ],
            ),
            None => tr(lang, "ae.pca_none").to_string(),
        })
    };

    // Where the run trains and why; a GPU failure (at the start or while training) that moved
    // it to the CPU.
    let backend_info = Signal::derive(move || {
        let mut r = run_info.get()?;
        if let Some(e) = snapshot.with(|s| s.as_ref().and_then(|s| s.fallback.clone())) {
            r.fell_back(e);
        }
        Some(r)
    });

    // ---- curves ---------------------------------------------------------------------------
    let loss_lines = Signal::derive(move || {
        vec![
            ChartLine { run: 0, metric: LOSS, label: i18n.t("ae.curve.train").into(), color: 0 },
            ChartLine { run: 0, metric: VAL_BCE, label: i18n.t("ae.curve.val").into(), color: 1 },
        ]
    });

    // ---- code scatter ---------------------------------------------------------------------
    let scatter_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        let Some(c) = scatter_canvas.get() else { return };
        snapshot.with(|s| {
            let labels =
                split.with(|sp| sp.as_ref().map(|sp| sp.val.y.data().to_vec()).unwrap_or_default());
            match s {
                Some(s) if s.z == 2 => draw_scatter(&c, &s.codes, &labels, &pal),
                _ => draw_scatter(&c, &[], &[], &pal),
            }
        });
    });
    let codes_csv = Callback::new(move |_: ()| {
        let labels = split.with_untracked(|sp| sp.as_ref().map(|sp| sp.val.y.data().to_vec()));
        snapshot.with_untracked(|s| {
            let (Some(s), Some(labels)) = (s, labels) else { return vec![] };
            let mut rows = vec![{
                let mut h: Vec<String> = (1..=s.z).map(|i| format!("z{i}")).collect();
                h.push("label".into());
                h
            }];
            for (i, l) in labels.iter().enumerate() {
                let Some(code) = s.codes.get(i * s.z..(i + 1) * s.z) else { break };
                let mut r: Vec<String> = code.iter().map(|v| v.to_string()).collect();
                r.push((*l as u8).to_string());
                rows.push(r);
            }
            rows
        })
    });
    let legend = move || {
        let pal = Palette::of(&appearance);
        (0..10)
            .map(|d| {
                view! {
                    <li>
                        <span class="ae-swatch" style=format!("background:{}", pal.label(d))></span>
                        {d.to_string()}
                    </li>
                }
            })
            .collect_view()
    };

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

        <section class="panel" aria-labelledby="ae-h-train">
            <h2 id="ae-h-train">{move || i18n.t("ae.h.train")}</h2>
            <div class="sm-knobs">
                <Select
                    label=t("ae.hidden")
                    options=ch.options(k.h, None)
                    value=ch.value(k.h)
                    on_change=ch.on_change(k.h)
                    testid="ae-hidden"
                />
                <KnobSlider label=t("ae.z") knob=k.z testid="ae-z" />
                <Select
                    label=t("ae.act")
                    options=act_options
                    value=ch.value(k.act)
                    on_change=ch.on_change(k.act)
                    testid="ae-act"
                />
                <Select
                    label=t("ae.lr")
                    options=ch.options(k.lr, None)
                    value=ch.value(k.lr)
                    on_change=ch.on_change(k.lr)
                    testid="ae-lr"
                />
                <Select
                    label=t("ae.batch")
                    options=ch.options(k.bs, None)
                    value=ch.value(k.bs)
                    on_change=ch.on_change(k.bs)
                    testid="ae-batch"
                />
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

        <section class="panel" aria-labelledby="ae-h-recon">
            <h2 id="ae-h-recon">{move || i18n.t("ae.h.recon")}</h2>
            <p>{move || i18n.t("ae.text.recon")}</p>
            <div class="ae-grid-wrap">
                <ol class="ae-grid-rows" aria-label=move || i18n.t("ae.rows_aria")>{grid_rows}</ol>
                <canvas
                    class="ae-grid"
                    node_ref=grid_canvas
                    data-testid="ae-grid"
                    role="img"
                    aria-label=move || i18n.t("ae.grid_aria")
                ></canvas>
            </div>
            <ExportButtons name="ae-grid" canvas=grid_canvas what=t("ae.grid_aria") />
            <p class="sm-ce" data-testid="ae-ae-error" aria-live="polite">{ae_text}</p>
            <p class="sm-ce" data-testid="ae-pca-error" aria-live="polite">{pca_text}</p>
            <p>{move || i18n.t("ae.text.pca")}</p>
        </section>

        <section class="panel" aria-labelledby="ae-h-codes">
            <h2 id="ae-h-codes">{move || i18n.t("ae.h.codes")}</h2>
            <p>{move || i18n.t("ae.text.codes")}</p>
            <p class="hint" data-testid="ae-codes-hint" hidden=move || z.get() == 2>
                {move || i18n.t("ae.codes_need_2")}
                " "
                <button
                    type="button"
                    data-testid="ae-z2"
                    on:click=move |_| params.put(k.z, 2)
                >
                    {move || i18n.t("ae.set_z2")}
                </button>
            </p>
            <div class="ae-scatter-wrap" hidden=move || z.get() != 2>
                <canvas
                    class="ae-scatter"
                    node_ref=scatter_canvas
                    data-testid="ae-scatter"
                    role="img"
                    aria-label=move || i18n.t("ae.scatter_aria")
                ></canvas>
                <ul class="ae-legend" aria-label=move || i18n.t("ae.legend_aria")>{legend}</ul>
            </div>
            <ExportButtons
                name="ae-codes"
                canvas=scatter_canvas
                csv=codes_csv
                what=t("ae.scatter_aria")
            />
        </section>
    }
}
