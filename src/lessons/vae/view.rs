//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;


use crate::compute::{BackendKind, Compute, Reason};
use crate::core::mnist::{Mnist, PIXELS};
use crate::core::train::AsyncTrainable;
use crate::core::vae::Vae;
use crate::i18n::{tr, tr_fmt, Lang};
use crate::page::ComputeCtx;
use crate::page::{I18n, LessonParams};
use crate::ui::backend::reason_text;
use crate::ui::mnist::{MnistLoader, MnistStatusView};
use crate::ui::time::{now_ms, sleep};
use crate::ui::train::{
    fmt_num, AsyncFactory, LoopState, TrainHandle,
};

use leptos::prelude::*;
use model::{
    prior_samples, Experiment, LatentView, Settings, VAL_COUNT,
};
use run::{Hooks, Live, RunBackend};
use std::cell::Cell;
use std::rc::Rc;
use super::figures::kl::KlPanel;
use super::figures::latent::LatentPanel;
use super::figures::reparam::ReparamPanel;
use super::figures::samples::{InterpPanel, PriorPanel};
use super::figures::settings::SettingsPanel;
use super::figures::train::TrainPanel;
use super::figures::Lab;

// The digit knobs index the validation set: the schema's range must be exactly its indices.
const _: () = {
    let k = Knobs::KEYS;
    assert!(k.digit.min() == 0 && k.digit.max() == VAL_COUNT as i64 - 1);
    assert!(k.ia.max() == VAL_COUNT as i64 - 1 && k.ib.max() == VAL_COUNT as i64 - 1);
};

/// The manifold grid is `GRID × GRID` decoded points.
pub const GRID: usize = 15;
/// Points on the interpolation strip (both ends included).
pub(super) const INTERP: usize = 10;
/// How near (CSS pixels) a mouse press must be to a digit's code to drag from it.
pub(super) const HIT_PX: f32 = 10.0;
/// The same for a finger or a pen.
pub(super) const TOUCH_HIT_PX: f32 = 22.0;
/// Samples from the prior shown at once.
pub(super) const PRIOR: usize = 10;
/// Milliseconds between latent-space refreshes while training.
const REFRESH_MS: i32 = 500;
/// Validation digits encoded per piece of the refresh.
const ENCODE_CHUNK: usize = 10;
/// Milliseconds of refresh work between two yields to the browser (whole pieces: at least one).
const SLICE_MS: f64 = 6.0;



/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <VaeLesson /> }.into_any()
}

/// The run shared by the training loop and the page (`None` while it is being built).
pub(super) type Current = StoredValue<Option<Rc<Live>>, LocalStorage>;

/// A training-kit factory: a fresh [`Experiment`] for `s` and its run on the backend chosen
/// for this model ([`run::start`]), published in `current`; each step reads β from the hooks so
/// the slider acts on the running training.
fn factory(
    data: Rc<Mnist>,
    s: Settings,
    compute: Option<Compute>,
    hooks: Hooks,
    current: Current,
) -> AsyncFactory {
    Rc::new(move || {
        let (data, compute, hooks) = (data.clone(), compute.clone(), hooks.clone());
        Box::pin(async move {
            let exp = Experiment::new(data, s)?;
            let (run, live) = run::start(exp, compute, hooks).await?;
            current.try_set_value(Some(live));
            Ok(Box::new(run) as Box<dyn AsyncTrainable>)
        })
    })
}

/// A copy of the current model with its step count (figures are computed from one consistent
/// set of weights while training continues), and the validation set.
fn snapshot(current: Current) -> Option<(Vae, u64, Rc<model::ValSet>)> {
    current
        .try_with_value(|c| {
            let live = c.as_ref()?;
            let (vae, step) =
                live.with_vae(|v, step| Some((Vae::new(*v.spec(), &v.params()).ok()?, step)))??;
            Some((vae, step, live.val.clone()))
        })
        .flatten()
}

/// Where the run trains and why, in words.
pub(super) fn backend_words(lang: Lang, b: &RunBackend) -> String {
    let head = match b.kind {
        BackendKind::Cpu => tr(lang, "vae.backend.cpu").to_string(),
        BackendKind::WebGpu => {
            let adapter = b.adapter.as_ref().map(|a| a.label()).unwrap_or_default();
            tr_fmt(lang, "vae.backend.gpu", &[("adapter", &adapter)])
        }
    };
    let why = if let Some(e) = &b.fallback {
        tr_fmt(lang, "vae.backend.fallback", &[("error", e)])
    } else {
        match &b.decision.reason {
            Reason::SlowerThanCpu(t) | Reason::FasterThanCpu(t) => tr_fmt(
                lang,
                "vae.backend.measured",
                &[("cpu", &fmt_num(t.cpu_ms)), ("gpu", &fmt_num(t.gpu_ms))],
            ),
            reason => reason_text(reason, b.adapter.as_ref(), None, lang),
        }
    };
    format!("{head} {why}")
}

/// One digit's reparameterisation: its image, μ, σ, ε, z and the decodings of z and μ.
pub(super) struct Reparam {
    pub x: Vec<f32>,
    pub mu: Vec<f32>,
    pub sigma: Vec<f32>,
    pub eps: Vec<f32>,
    pub z: Vec<f32>,
    pub from_z: Vec<f32>,
    pub from_mu: Vec<f32>,
}

#[component]
fn VaeLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let digits = MnistLoader::new();
    view! {
        <h1>{move || super::LESSON.title.get(i18n.lang.get())}</h1>
        <section class="lesson-text">
            <p>{move || i18n.t("vae.intro")}</p>
            <p class="formula">"z = μ + σ ⊙ ε,   ε ~ N(0, I)"</p>
            <p class="formula">
                "L = recon(x, x̂) + β · Σ"<sub>"j"</sub>" ½(μ"<sub>"j"</sub><sup>"2"</sup>
                " + σ"<sub>"j"</sub><sup>"2"</sup>" − 1 − log σ"<sub>"j"</sub><sup>"2"</sup>")"
            </p>
            <p>{move || i18n.t("vae.intro2")}</p>
        </section>
        <MnistStatusView loader=digits />
        {move || digits.data().map(|d| view! { <VaeLab data=d /> })}
    }
}

#[component]
fn VaeLab(data: Rc<Mnist>) -> impl IntoView {
    let params = expect_context::<LessonParams>();

    // ---- knobs ---------------------------------------------------------------------------
    let k = Knobs::KEYS;
    let settings = Memo::new(move |_| Settings::of(&params.read::<Knobs>()));
    let beta_value = Memo::new(move |_| params.knob(k.beta) as f32);
    let beta = Rc::new(Cell::new(beta_value.get_untracked()));
    {
        let beta = beta.clone();
        Effect::new(move |_| beta.set(beta_value.get()));
    }
    let digit = Memo::new(move |_| params.knob(k.digit) as usize);
    let pair = Memo::new(move |_| (params.knob(k.ia) as usize, params.knob(k.ib) as usize));

    // ---- training session: on the backend chosen for this model ----------------------------
    let current: Current = StoredValue::new_local(None);
    let compute_ctx = use_context::<ComputeCtx>();
    let compute = compute_ctx.map(|c| c.compute());
    let run_backend = RwSignal::new(None::<RunBackend>);
    let handle = StoredValue::new_local(None::<TrainHandle>);
    let hooks = Hooks {
        beta: beta.clone(),
        running: Rc::new(move || {
            handle.try_get_value().flatten().and_then(|h| h.state.try_get_untracked())
                == Some(LoopState::Running)
        }),
        backend: Rc::new(move |b| {
            run_backend.try_set(Some(b));
        }),
    };
    let train = {
        let (data, compute, hooks) = (data.clone(), compute.clone(), hooks.clone());
        TrainHandle::new_async(factory(data, settings.get_untracked(), compute, hooks, current))
    };
    handle.set_value(Some(train));
    {
        // A new setting, or a new backend choice of the reader: a fresh run.
        let data = data.clone();
        let pref = Memo::new(move |_| compute_ctx.map(|c| c.preference()));
        Effect::new(move |prev: Option<()>| {
            let s = settings.get();
            pref.track();
            if prev.is_some() {
                current.set_value(None);
                run_backend.set(None);
                train.set_async_factory(factory(
                    data.clone(),
                    s,
                    compute.clone(),
                    hooks.clone(),
                    current,
                ));
                train.reset();
            }
        });
    }

    // ---- latent space: refreshed between frames --------------------------------------------
    let latent = RwSignal::new_local(None::<Rc<LatentView>>);
    let grid = RwSignal::new_local(None::<Rc<Vec<f32>>>);
    let grid_rows = RwSignal::new(0usize);
    let tick = RwSignal::new(0u64);
    leptos::task::spawn_local(async move {
        // Let the page settle first (and a lesson mounted only briefly costs nothing).
        sleep(REFRESH_MS).await;
        let mut done = u64::MAX;
        loop {
            let Some(version) = train.version.try_get_untracked() else { return };
            if version == done {
                sleep(REFRESH_MS / 5).await;
                continue;
            }
            done = version;
            let Some((vae, step, val)) = snapshot(current) else {
                // No model yet (being built): look again soon.
                done = u64::MAX;
                sleep(REFRESH_MS).await;
                continue;
            };
            let z = vae.spec().latent;
            let (mut mu, mut lv) = (Vec::new(), Vec::new());
            let mut failed = false;
            let mut t0 = now_ms();
            for chunk in val.x.chunks(ENCODE_CHUNK * PIXELS) {
                match vae.encode(chunk) {
                    Ok((m, l)) => {
                        mu.extend(m);
                        lv.extend(l);
                    }
                    Err(_) => failed = true,
                }
                if now_ms() - t0 > SLICE_MS {
                    sleep(0).await;
                    if tick.is_disposed() {
                        return;
                    }
                    t0 = now_ms();
                }
            }
            if failed {
                continue;
            }
            let view = Rc::new(LatentView::new(step, z, mu, lv, val.labels.clone()));
            if latent.try_set(Some(view.clone())).is_some() {
                return;
            }
            tick.update(|t| *t += 1);
            // The manifold grid, one row per slice: top row = largest b.
            let mut out = Vec::with_capacity(GRID * GRID * PIXELS);
            let mut t0 = now_ms();
            'grid: for row in 0..GRID {
                let b = view.range * (1.0 - 2.0 * (row as f32 + 0.5) / GRID as f32);
                for col in 0..GRID {
                    let a = view.range * (2.0 * (col as f32 + 0.5) / GRID as f32 - 1.0);
                    match vae.decode(&view.lift(a, b)) {
                        Ok(img) => out.extend(img),
                        Err(_) => break 'grid,
                    }
                    if now_ms() - t0 > SLICE_MS {
                        sleep(0).await;
                        if tick.is_disposed() {
                            return;
                        }
                        t0 = now_ms();
                    }
                }
                let _ = grid_rows.try_set(row + 1);
            }
            if out.len() == GRID * GRID * PIXELS && grid.try_set(Some(Rc::new(out))).is_some() {
                return;
            }
            sleep(REFRESH_MS).await;
        }
    });
    let decode = move |zs: &[f32]| -> Option<Vec<f32>> {
        current
            .try_with_value(|c| c.as_ref()?.with_vae(|v, _| v.decode(zs).ok()).flatten())
            .flatten()
    };
    let encode_digit = move |i: usize| -> Option<(Vec<f32>, Vec<f32>, Vec<f32>)> {
        current
            .try_with_value(|c| {
                let live = c.as_ref()?;
                let x = live.val.image(i)?.to_vec();
                let (m, l) = live.with_vae(|v, _| v.encode(&x).ok()).flatten()?;
                Some((x, m, l))
            })
            .flatten()
    };

    // ---- the probe: a latent point to decode (click, hover, keys, sliders) -------------------
    let probe = RwSignal::new(vec![0.0f32; settings.get_untracked().latent]);
    Effect::new(move |_| {
        let z = settings.get().latent;
        if probe.with_untracked(|p| p.len()) != z {
            probe.set(vec![0.0; z]);
        }
    });
    let probe_img = RwSignal::new(None::<Vec<f32>>);
    // A drag from one digit's code: (that digit, the pointer's plane point).
    let drag = RwSignal::new(None::<(usize, (f32, f32))>);
    let decodes = RwSignal::new(0u64);
    Effect::new(move |_| {
        tick.track();
        let z = probe.get();
        let img = decode(&z);
        if img.is_some() {
            decodes.update(|d| *d += 1);
        }
        probe_img.set(img);
    });

    // ---- the reparameterisation of one digit -------------------------------------------------
    let eps_draw = RwSignal::new(0u64);
    let reparam = RwSignal::new_local(None::<Rc<Reparam>>);
    Effect::new(move |_| {
        tick.track();
        let (d, n, s) = (digit.get(), eps_draw.get(), settings.get());
        let r = encode_digit(d).and_then(|(x, mu, lv)| {
            let sigma: Vec<f32> = lv.iter().map(|l| (0.5 * l).exp()).collect();
            let eps = prior_samples(s.seed ^ (n << 20) ^ (d as u64) << 8 ^ 0xE95, 1, s.latent);
            let z: Vec<f32> =
                mu.iter().zip(&sigma).zip(&eps).map(|((m, s), e)| m + s * e).collect();
            let from_z = decode(&z)?;
            let from_mu = decode(&mu)?;
            Some(Rc::new(Reparam { x, mu, sigma, eps, z, from_z, from_mu }))
        });
        reparam.set(r);
    });

    // ---- interpolation and prior samples ----------------------------------------------------
    let interp = RwSignal::new(None::<Vec<f32>>);
    Effect::new(move |_| {
        tick.track();
        let (a, b) = pair.get();
        let strip = (|| {
            let (_, ma, _) = encode_digit(a)?;
            let (_, mb, _) = encode_digit(b)?;
            let mut zs = Vec::with_capacity(INTERP * ma.len());
            for k in 0..INTERP {
                let t = k as f32 / (INTERP - 1) as f32;
                zs.extend(ma.iter().zip(&mb).map(|(x, y)| (1.0 - t) * x + t * y));
            }
            decode(&zs)
        })();
        interp.set(strip);
    });
    let prior_draw = RwSignal::new(0u64);
    let prior = RwSignal::new(None::<Vec<f32>>);
    Effect::new(move |_| {
        tick.track();
        let (n, s) = (prior_draw.get(), settings.get());
        let zs = prior_samples(s.seed ^ 0x9e37_79b9 ^ (n << 24), PRIOR, s.latent);
        prior.set(decode(&zs));
    });

    let lab = Lab {
        settings, beta_value, digit, pair, train, run_backend, latent, grid, grid_rows, probe,
        probe_img, drag, decodes, reparam, eps_draw, interp, prior, prior_draw,
    };
    view! {
        <div class="conv-layout">
            <SettingsPanel lab=lab />
            <TrainPanel lab=lab />
        </div>

        <ReparamPanel lab=lab />

        <LatentPanel lab=lab />

        <div class="conv-layout">
            <InterpPanel lab=lab />
            <PriorPanel lab=lab />
        </div>

        <KlPanel lab=lab />
    }
}
