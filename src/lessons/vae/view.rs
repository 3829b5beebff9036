//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;


use crate::compute::{BackendKind, Compute, Reason};
use crate::core::mnist::{Mnist, PIXELS};
use crate::core::train::{AsyncTrainable, LOSS};
use crate::core::vae::Vae;
use crate::i18n::{tr, tr_fmt, Lang};
use crate::page::ComputeCtx;
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::backend::reason_text;
use crate::ui::controls::{KnobNumber, UrlChoices};
use crate::ui::mnist::{MnistLoader, MnistStatusView};
use crate::ui::time::{now_ms, sleep};
use crate::ui::train::{
    fmt_num, AsyncFactory, ChartLine, LoopState, LossChart, TrainControls, TrainHandle,
};
use crate::ui::{draw_rgba, ExportButtons, Select};
use crate::ui::figure::Palette;
use draw::{from_px, plot_square, Marks};

use leptos::html::Canvas;
use leptos::prelude::*;
use model::{
    prior_samples, Experiment, LatentView, Settings, INACTIVE_KL, KL, RECON, VAL_COUNT, VAL_LOSS,
};
use run::{Hooks, Live, RunBackend};
use std::cell::Cell;
use std::rc::Rc;

// The digit knobs index the validation set: the schema's range must be exactly its indices.
const _: () = {
    let k = Knobs::KEYS;
    assert!(k.digit.min() == 0 && k.digit.max() == VAL_COUNT as i64 - 1);
    assert!(k.ia.max() == VAL_COUNT as i64 - 1 && k.ib.max() == VAL_COUNT as i64 - 1);
};

/// The manifold grid is `GRID × GRID` decoded points.
pub const GRID: usize = 15;
/// Points on the interpolation strip (both ends included).
const INTERP: usize = 10;
/// How near (CSS pixels) a mouse press must be to a digit's code to drag from it.
const HIT_PX: f32 = 10.0;
/// The same for a finger or a pen.
const TOUCH_HIT_PX: f32 = 22.0;
/// Samples from the prior shown at once.
const PRIOR: usize = 10;
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
type Current = StoredValue<Option<Rc<Live>>, LocalStorage>;

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
fn backend_words(lang: Lang, b: &RunBackend) -> String {
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
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());

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
    let probe_plane = move || {
        let z = probe.get();
        latent.with(|v| v.as_ref().map(|v| v.plane.project(&z)))
    };

    // ---- the reparameterisation of one digit -------------------------------------------------
    let eps_draw = RwSignal::new(0u64);
    struct Reparam {
        x: Vec<f32>,
        mu: Vec<f32>,
        sigma: Vec<f32>,
        eps: Vec<f32>,
        z: Vec<f32>,
        from_z: Vec<f32>,
        from_mu: Vec<f32>,
    }
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

    // ---- drawing ---------------------------------------------------------------------------
    let scatter_canvas = NodeRef::<Canvas>::new();
    let probe_canvas = NodeRef::<Canvas>::new();
    let grid_canvas = NodeRef::<Canvas>::new();
    let kl_canvas = NodeRef::<Canvas>::new();
    let interp_canvas = NodeRef::<Canvas>::new();
    let prior_canvas = NodeRef::<Canvas>::new();
    let reparam_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        let p = probe_plane();
        let marks = latent.with(|v| {
            let v = v.as_ref()?;
            let two = v.plane.u.len() == 2;
            let selected = reparam.with(|r| {
                r.as_ref().map(|r| {
                    let sig = two.then(|| (r.sigma[0], r.sigma[1]));
                    (v.plane.project(&r.mu), v.plane.project(&r.z), sig)
                })
            });
            let pt = |i: usize| v.points.get(i).copied();
            let segment = match drag.get() {
                Some((i, end)) => pt(i).map(|p| (p, end)),
                None => {
                    let (a, b) = pair.get();
                    pt(a).zip(pt(b))
                }
            };
            Some(Marks { probe: p, selected, segment })
        });
        if let Some(c) = scatter_canvas.get() {
            latent.with(|v| draw::scatter(&c, v.as_deref(), &marks.unwrap_or_default(), &pal));
        }
    });
    let draw_tiles =
        move |canvas: NodeRef<Canvas>, imgs: Option<&[f32]>, cols: usize, pal: Palette| {
            if let (Some(c), Some(imgs)) = (canvas.get(), imgs) {
                if let Err(e) = draw_rgba(&c, &draw::tiles(imgs, cols, &pal)) {
                    web_sys::console::warn_1(&e.into());
                }
            }
        };
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        probe_img.with(|i| draw_tiles(probe_canvas, i.as_deref(), 1, pal));
    });
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        grid.with(|g| draw_tiles(grid_canvas, g.as_ref().map(|g| g.as_slice()), GRID, pal));
    });
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        interp.with(|i| draw_tiles(interp_canvas, i.as_deref(), INTERP, pal));
    });
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        prior.with(|i| draw_tiles(prior_canvas, i.as_deref(), PRIOR, pal));
    });
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        reparam.with(|r| {
            let imgs = r.as_ref().map(|r| {
                let mut v = r.x.clone();
                v.extend(&r.from_mu);
                v.extend(&r.from_z);
                v
            });
            draw_tiles(reparam_canvas, imgs.as_deref(), 3, pal);
        });
    });
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        latent.with(|v| {
            if let Some(c) = kl_canvas.get() {
                draw::kl_bars(&c, v.as_ref().map_or(&[][..], |v| &v.kl_per_dim), &pal);
            }
        });
    });

    // ---- pointer and keys on the latent plane ------------------------------------------------
    // The plane point under CSS pixel (x, y), clamped to the square, and plane units per pixel.
    let plane_at = move |x: f64, y: f64| -> Option<((f32, f32), f32)> {
        let c = scatter_canvas.get_untracked()?;
        let sq = plot_square(c.client_width() as f64, c.client_height() as f64);
        latent.with_untracked(|v| {
            let v = v.as_ref()?;
            let (a, b) = from_px(x, y, v.range, sq);
            let r = v.range;
            Some(((a.clamp(-r, r), b.clamp(-r, r)), 2.0 * r / sq.2.max(1.0) as f32))
        })
    };
    let set_probe_px = move |x: f64, y: f64| {
        let z = plane_at(x, y)
            .and_then(|((a, b), _)| latent.with_untracked(|v| v.as_ref().map(|v| v.lift(a, b))));
        if let Some(z) = z {
            probe.set(z);
        }
    };
    // The digit whose code is drawn under the pointer (a wider reach for a finger).
    let digit_at = move |ev: &web_sys::PointerEvent| -> Option<(usize, (f32, f32))> {
        let (p, per_px) = plane_at(ev.offset_x() as f64, ev.offset_y() as f64)?;
        let reach = if ev.pointer_type() == "mouse" { HIT_PX } else { TOUCH_HIT_PX };
        let i = latent.with_untracked(|v| v.as_ref()?.nearest(p.0, p.1, reach * per_px))?;
        Some((i, p))
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        set_probe_px(ev.offset_x() as f64, ev.offset_y() as f64);
        // Pressed on a digit: drag from it to another to interpolate between the two.
        if let Some((i, p)) = digit_at(&ev) {
            drag.set(Some((i, p)));
            if let Some(c) = scatter_canvas.get_untracked() {
                let _ = c.set_pointer_capture(ev.pointer_id());
            }
        }
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if ev.pointer_type() == "mouse" || ev.buttons() != 0 {
            set_probe_px(ev.offset_x() as f64, ev.offset_y() as f64);
        }
        if let Some((i, _)) = drag.get_untracked() {
            if let Some((p, _)) = plane_at(ev.offset_x() as f64, ev.offset_y() as f64) {
                drag.set(Some((i, p)));
            }
        }
    };
    let on_up = move |ev: web_sys::PointerEvent| {
        let Some((a, _)) = drag.get_untracked() else { return };
        drag.set(None);
        if let Some((b, _)) = digit_at(&ev).filter(|(b, _)| *b != a) {
            params.put(k.ia, a as i64);
            params.put(k.ib, b as i64);
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some((range, plane)) =
            latent.with_untracked(|v| v.as_ref().map(|v| (v.range, v.plane.clone())))
        else {
            return;
        };
        let (a, b) = probe.with_untracked(|p| plane.project(p));
        let d = range / if ev.shift_key() { 4.0 } else { 20.0 };
        let (a, b) = match ev.key().as_str() {
            "ArrowLeft" => (a - d, b),
            "ArrowRight" => (a + d, b),
            "ArrowUp" => (a, b + d),
            "ArrowDown" => (a, b - d),
            "Home" => (0.0, 0.0),
            _ => return,
        };
        ev.prevent_default();
        probe.set(plane.lift(a.clamp(-range, range), b.clamp(-range, range)));
    };

    // ---- read-outs ---------------------------------------------------------------------------
    let probe_text = move || {
        let lang = i18n.lang.get();
        let z = probe.get();
        let coords = z.iter().map(|v| fmt_num(*v as f64)).collect::<Vec<_>>().join(", ");
        tr_fmt(lang, "vae.probe.at", &[("z", &coords)])
    };
    let kl_text = move || {
        let lang = i18n.lang.get();
        latent.with(|v| match v {
            None => tr(lang, "vae.kl.empty").to_string(),
            Some(v) => {
                let inactive = v.kl_per_dim.iter().filter(|k| **k < INACTIVE_KL).count();
                let total: f32 = v.kl_per_dim.iter().sum();
                tr_fmt(
                    lang,
                    "vae.kl.summary",
                    &[
                        ("total", &fmt_num(total as f64)),
                        ("inactive", &inactive.to_string()),
                        ("z", &v.kl_per_dim.len().to_string()),
                        ("threshold", &fmt_num(INACTIVE_KL as f64)),
                    ],
                )
            }
        })
    };
    let plane_text = move || {
        let lang = i18n.lang.get();
        latent.with(|v| match v {
            None => tr(lang, "vae.latent.wait").to_string(),
            Some(v) => {
                let key = if v.plane.u.len() == 2 { "vae.latent.plane2" } else { "vae.latent.pca" };
                tr_fmt(
                    lang,
                    key,
                    &[("n", &v.points.len().to_string()), ("step", &v.step.to_string())],
                )
            }
        })
    };
    let codes_csv = Callback::new(move |_: ()| {
        let z = settings.get_untracked().latent;
        latent.with_untracked(|v| v.as_ref().map(|v| v.csv(z)).unwrap_or_default())
    });
    let kl_csv = Callback::new(move |_: ()| {
        let mut rows = vec![vec!["dimension".to_string(), "kl_nats".to_string()]];
        latent.with_untracked(|v| {
            if let Some(v) = v {
                for (j, k) in v.kl_per_dim.iter().enumerate() {
                    rows.push(vec![(j + 1).to_string(), k.to_string()]);
                }
            }
        });
        rows
    });

    let backend_text = move || {
        let lang = i18n.lang.get();
        run_backend.with(|b| match b {
            None => tr(lang, "vae.backend.choosing").to_string(),
            Some(b) => backend_words(lang, b),
        })
    };
    let backend_code = move || {
        run_backend.with(|b| match b.as_ref().map(|b| b.kind) {
            Some(BackendKind::Cpu) => "cpu",
            Some(BackendKind::WebGpu) => "webgpu",
            None => "",
        })
    };

    // ---- charts --------------------------------------------------------------------------
    let loss_lines = Signal::derive(move || {
        vec![
            ChartLine { run: 0, metric: LOSS, label: i18n.t("vae.curve.loss").into(), color: 0 },
            ChartLine { run: 0, metric: RECON, label: i18n.t("vae.curve.recon").into(), color: 1 },
            ChartLine { run: 0, metric: VAL_LOSS, label: i18n.t("vae.curve.val").into(), color: 2 },
        ]
    });
    let kl_lines = Signal::derive(move || {
        vec![ChartLine { run: 0, metric: KL, label: i18n.t("vae.curve.kl").into(), color: 3 }]
    });
    let run_labels = Signal::derive(move || vec![i18n.t("vae.run").to_string()]);

    // ---- options ---------------------------------------------------------------------------
    let ch = UrlChoices::new(i18n, params);
    let on_beta = move |ev: leptos::ev::Event| {
        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
            params.put(k.beta, v);
        }
    };
    let latent_dims = move || (0..settings.get().latent).collect::<Vec<_>>();
    let reparam_rows = move || {
        reparam.with(|r| {
            r.as_ref()
                .map(|r| {
                    (0..r.mu.len())
                        .map(|j| {
                            [
                                (j + 1).to_string(),
                                fmt_num(r.mu[j] as f64),
                                fmt_num(r.sigma[j] as f64),
                                fmt_num(r.eps[j] as f64),
                                fmt_num(r.z[j] as f64),
                            ]
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let digit_label = move || {
        let d = digit.get();
        latent
            .with(|v| v.as_ref().and_then(|v| v.labels.get(d).copied()))
            .map(|l| tr_fmt(i18n.lang.get(), "vae.reparam.label", &[("label", &l.to_string())]))
    };

    view! {
        <div class="conv-layout">
            <section class="panel" aria-labelledby="vae-h-settings">
                <h2 id="vae-h-settings">{move || i18n.t("vae.settings")}</h2>
                <div class="w-field w-slider">
                    <label for="vae-beta">{move || i18n.t("vae.beta")}</label>
                    <input type="range" id="vae-beta" min=k.beta.min() max=k.beta.max() step="0.1" data-testid="vae-beta"
                        prop:value=move || beta_value.get().to_string() on:input=on_beta />
                    <output for="vae-beta">{move || fmt_num(beta_value.get() as f64)}</output>
                </div>
                <p class="hint">{move || i18n.t("vae.beta.note")}</p>
                <KnobNumber label=t("vae.latent") knob=k.z
                    invalid_text=t("vae.latent.invalid") testid="vae-z" />
                <Select label=t("vae.hidden") options=ch.options(k.hid, None) value=ch.value(k.hid)
                    on_change=ch.on_change(k.hid) testid="vae-hidden" />
                <Select label=t("vae.lik") options=ch.options(k.lik, Some("vae.lik")) value=ch.value(k.lik)
                    on_change=ch.on_change(k.lik) testid="vae-lik" />
                <p class="hint">{move || i18n.t("vae.lik.note")}</p>
                <Select label=t("vae.lr") options=ch.options(k.lr, None) value=ch.value(k.lr)
                    on_change=ch.on_change(k.lr) testid="vae-lr" />
                <Select label=t("vae.batch") options=ch.options(k.bs, None) value=ch.value(k.bs)
                    on_change=ch.on_change(k.bs) testid="vae-batch" />
                <KnobNumber label=t("vae.seed") knob=k.seed
                    invalid_text=t("vae.seed.invalid") testid="vae-seed" />
            </section>
            <section class="panel" aria-labelledby="vae-h-train">
                <h2 id="vae-h-train">{move || i18n.t("vae.train")}</h2>
                <TrainControls handle=train run_labels=run_labels />
                <p class="hint" data-testid="vae-backend" data-backend=backend_code aria-live="polite">
                    {backend_text}
                </p>
                <LossChart source=train.into() lines=loss_lines name="vae-loss" y_label=t("vae.nats")
                    what=t("vae.curve.what") />
                <h3>{move || i18n.t("vae.curve.kl")}</h3>
                <LossChart source=train.into() lines=kl_lines name="vae-kl" y_label=t("vae.nats")
                    what=t("vae.curve.kl.what") />
            </section>
        </div>

        <section class="panel" aria-labelledby="vae-h-reparam">
            <h2 id="vae-h-reparam">{move || i18n.t("vae.reparam")}</h2>
            <p>{move || i18n.t("vae.reparam.text")}</p>
            <KnobNumber label=t("vae.reparam.digit") knob=k.digit
                invalid_text=t("vae.digit.invalid") testid="vae-digit" />
            <button type="button" class="button" data-testid="vae-resample"
                on:click=move |_| eps_draw.update(|n| *n += 1)>
                {move || i18n.t("vae.reparam.resample")}
            </button>
            <div class="conv-layout">
                <figure class="fig">
                    <canvas node_ref=reparam_canvas data-testid="vae-reparam-images" role="img"
                        aria-label=move || i18n.t("vae.reparam.what")
                        style="width:100%;max-width:24rem;image-rendering:pixelated"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("vae.reparam.what")}</span>
                        <span>{digit_label}</span>
                        <ExportButtons name="vae-reparam" canvas=reparam_canvas what=t("vae.reparam.what") />
                    </figcaption>
                </figure>
                <div class="table-scroll">
                    <table class="rf-table" data-testid="vae-reparam-table">
                        <thead>
                            <tr>
                                {["vae.col.dim", "vae.col.mu", "vae.col.sigma", "vae.col.eps", "vae.col.z"]
                                    .iter().map(|k| view! { <th scope="col">{move || i18n.t(k)}</th> }).collect_view()}
                            </tr>
                        </thead>
                        <tbody aria-live="polite">
                            {move || reparam_rows().into_iter().map(|r| view! {
                                <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
        </section>

        <section class="panel" aria-labelledby="vae-h-latent">
            <h2 id="vae-h-latent">{move || i18n.t("vae.latent.h")}</h2>
            <p class="hint" data-testid="vae-latent-status">{plane_text}</p>
            <div class="conv-layout">
                <figure class="fig">
                    <canvas node_ref=scatter_canvas data-testid="vae-latent" role="img" tabindex="0"
                        aria-label=move || i18n.t("vae.latent.what")
                        style="width:100%;aspect-ratio:1;touch-action:none;cursor:crosshair"
                        on:keydown=on_key
                        data-range=move || latent.with(|v| v.as_ref().map(|v| v.range.to_string()))
                        on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up
                        on:pointercancel=move |_| drag.set(None)></canvas>
                    <figcaption>
                        <span>{move || i18n.t("vae.latent.keys")}</span>
                        <ExportButtons name="vae-latent" canvas=scatter_canvas csv=codes_csv what=t("vae.latent.what") />
                    </figcaption>
                    <p class="legend-row" aria-hidden="true">
                        {(0..10usize).map(|l| view! {
                            <span style:color=move || Palette::of(&appearance).label(l).to_string()>"■ "{l.to_string()}" "</span>
                        }).collect_view()}
                    </p>
                </figure>
                <figure class="fig" data-testid="vae-probe-fig" data-decodes=move || decodes.get().to_string()>
                    <canvas node_ref=probe_canvas data-testid="vae-probe" role="img"
                        aria-label=move || i18n.t("vae.probe.what")
                        style="width:100%;max-width:12rem;image-rendering:pixelated"></canvas>
                    <figcaption>
                        <span data-testid="vae-probe-readout" aria-live="polite">{probe_text}</span>
                        <ExportButtons name="vae-probe" canvas=probe_canvas what=t("vae.probe.what") />
                    </figcaption>
                    <div data-testid="vae-coords">
                        <For each=latent_dims key=|j| *j let:j>
                            <div class="w-field w-slider">
                                <label for=format!("vae-zc-{j}")>{move || tr_fmt(i18n.lang.get(), "vae.coord", &[("j", &(j + 1).to_string())])}</label>
                                <input type="range" id=format!("vae-zc-{j}") min="-4" max="4" step="0.05"
                                    data-testid=format!("vae-zc-{j}")
                                    prop:value=move || probe.with(|p| p.get(j).copied().unwrap_or(0.0)).to_string()
                                    on:input=move |ev| {
                                        if let Ok(v) = event_target_value(&ev).parse::<f32>() {
                                            if v.is_finite() {
                                                probe.update(|p| if let Some(x) = p.get_mut(j) { *x = v.clamp(-4.0, 4.0) });
                                            }
                                        }
                                    } />
                                <output>{move || fmt_num(probe.with(|p| p.get(j).copied().unwrap_or(0.0)) as f64)}</output>
                            </div>
                        </For>
                    </div>
                </figure>
            </div>
            <h3>{move || i18n.t("vae.grid")}</h3>
            <p class="hint">{move || i18n.t("vae.grid.text")}</p>
            <figure class="fig">
                <canvas node_ref=grid_canvas data-testid="vae-grid" role="img"
                    data-rows=move || grid_rows.get().to_string()
                    aria-label=move || i18n.t("vae.grid.what")
                    style="width:100%;max-width:32rem;image-rendering:pixelated"></canvas>
                <figcaption>
                    <span>{move || i18n.t("vae.grid.what")}</span>
                    <ExportButtons name="vae-grid" canvas=grid_canvas what=t("vae.grid.what") />
                </figcaption>
            </figure>
        </section>

        <div class="conv-layout">
            <section class="panel" aria-labelledby="vae-h-interp">
                <h2 id="vae-h-interp">{move || i18n.t("vae.interp")}</h2>
                <p class="hint">{move || i18n.t("vae.interp.text")}</p>
                <KnobNumber label=t("vae.interp.a") knob=k.ia
                    invalid_text=t("vae.digit.invalid") testid="vae-ia" />
                <KnobNumber label=t("vae.interp.b") knob=k.ib
                    invalid_text=t("vae.digit.invalid") testid="vae-ib" />
                <figure class="fig">
                    <canvas node_ref=interp_canvas data-testid="vae-interp" role="img"
                        aria-label=move || i18n.t("vae.interp.what")
                        style="width:100%;image-rendering:pixelated"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("vae.interp.what")}</span>
                        <ExportButtons name="vae-interp" canvas=interp_canvas what=t("vae.interp.what") />
                    </figcaption>
                </figure>
            </section>
            <section class="panel" aria-labelledby="vae-h-prior">
                <h2 id="vae-h-prior">{move || i18n.t("vae.prior")}</h2>
                <p class="hint">{move || i18n.t("vae.prior.text")}</p>
                <button type="button" class="button" data-testid="vae-prior-draw"
                    on:click=move |_| prior_draw.update(|n| *n += 1)>
                    {move || i18n.t("vae.prior.draw")}
                </button>
                <figure class="fig">
                    <canvas node_ref=prior_canvas data-testid="vae-prior" role="img"
                        aria-label=move || i18n.t("vae.prior.what")
                        style="width:100%;image-rendering:pixelated"></canvas>
                    <figcaption>
                        <span>{move || i18n.t("vae.prior.what")}</span>
                        <ExportButtons name="vae-prior" canvas=prior_canvas what=t("vae.prior.what") />
                    </figcaption>
                </figure>
            </section>
        </div>

        <section class="panel" aria-labelledby="vae-h-kl">
            <h2 id="vae-h-kl">{move || i18n.t("vae.kl")}</h2>
            <p>{move || i18n.t("vae.kl.text")}</p>
            <figure class="fig">
                <canvas node_ref=kl_canvas data-testid="vae-kl-bars" role="img"
                    aria-label=move || i18n.t("vae.kl.what") style="width:100%;height:140px"></canvas>
                <figcaption>
                    <span data-testid="vae-kl-summary" aria-live="polite">{kl_text}</span>
                    <ExportButtons name="vae-kl-dims" canvas=kl_canvas csv=kl_csv what=t("vae.kl.what") />
                </figcaption>
            </figure>
        </section>
    }
}
