//! The page of the lesson (wasm only); its registration and schema are in `mod.rs`.

use super::*;


use crate::core::activation::relu_inplace;
use crate::core::conv::{conv2d, output_size, Conv2dParams, ConvError};
use crate::core::Tensor;
use crate::i18n::tr;
use crate::page::ComputeCtx;
use crate::page::{I18n, LessonParams};
use crate::ui::time::now_ms;
use crate::ui::{
    format_value, ExportButtons, Heatmap, RgbaImage,
};
use input::{grid_rgba, load_image};
use leptos::html::Canvas;
use leptos::prelude::*;
use model::FilterKind;
use std::sync::Arc;
use super::figures::{HyperPanel, InputPanel, KernelPanel, MapsPanel, Conv};

/// Built-in sample images: id and path (served from `assets/`).
pub const SAMPLES: &[(&str, &str)] = &[
    ("camera", "assets/samples/camera.png"),
    ("astronaut", "assets/samples/astronaut.jpg"),
    ("chelsea", "assets/samples/chelsea.jpg"),
    ("coffee", "assets/samples/coffee.jpg"),
    ("brick", "assets/samples/brick.png"),
];
/// Largest magnitude of a hand-edited kernel weight.
pub(super) const WEIGHT_LIMIT: f32 = 100.0;



/// The lesson's page, for the chapter module that carries it ([`super::Part`]).
pub fn view() -> AnyView {
    view! { <ConvolutionLesson /> }.into_any()
}

/// The exact CPU path, for the step-through panel (tiny, and its numbers must match the core):
/// `x: (1, C, H, W)`, `w: (F, C, k, k)`, `b: (F)` → `y: (1, F, H', W')`, then ReLU if asked.
pub(super) fn run_conv(
    x: &Tensor,
    w: &Tensor,
    bias: &[f32],
    p: Conv2dParams,
    relu: bool,
) -> Result<Tensor, ConvError> {
    let mut y = conv2d(x, w, Some(bias), p)?;
    if relu {
        relu_inplace(y.data_mut());
    }
    Ok(y)
}

/// One feature-map computation: input, filter bank and hyperparameters.
struct Job {
    x: Tensor,
    w: Tensor,
    kinds: Vec<FilterKind>,
    p: Conv2dParams,
    bias: f32,
    relu: bool,
}

/// Runs the feature maps on the app's compute backend (CPU or WebGPU, see
/// [`crate::compute`]): at most one job in flight, started on an animation frame, and only the
/// newest pending job runs next — rapid slider changes coalesce, and an older result can never
/// overwrite a newer one.
#[derive(Clone, Copy)]
struct Pump {
    latest: StoredValue<Option<Job>>,
    busy: StoredValue<bool>,
    result: RwSignal<Option<Arc<ConvOut>>>,
    compute_ms: RwSignal<f64>,
    backend: Option<ComputeCtx>,
}

impl Pump {
    fn submit(self, job: Job) {
        self.latest.set_value(Some(job));
        if !self.busy.get_value() {
            self.busy.set_value(true);
            self.next();
        }
    }

    fn next(self) {
        request_animation_frame(move || {
            let Some(job) = self.latest.try_update_value(|j| j.take()).flatten() else {
                self.busy.set_value(false);
                return;
            };
            leptos::task::spawn_local(async move {
                self.run(job).await;
                self.next();
            });
        });
    }

    async fn run(self, job: Job) {
        let Job { x, w, kinds, p, bias, relu } = job;
        let t0 = now_ms();
        let b = vec![bias; kinds.len()];
        let y = match self.backend {
            Some(ctx) => ctx.compute().conv2d(&x, &w, Some(&b), p, relu).await.map(|(y, _)| y).ok(),
            None => run_conv(&x, &w, &b, p, relu).ok(),
        };
        // An impossible size is explained by the formula panel; the previous maps stay.
        let Some(y) = y else { return };
        let [_, f, h, w] = y.dims4().unwrap_or([1, 0, 0, 0]);
        let data = y.into_data();
        let max_abs = |d: &[f32]| d.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
        let scales: Vec<f32> = data.chunks((h * w).max(1)).map(max_abs).collect();
        let scale = scales.iter().fold(1e-6f32, |m, v| m.max(*v));
        let _ =
            self.result.try_set(Some(Arc::new(ConvOut { f, h, w, data, kinds, scale, scales })));
        let _ = self.compute_ms.try_set(now_ms() - t0);
    }
}

/// Feature maps of one computation.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvOut {
    /// Number of maps.
    pub f: usize,
    /// Map height.
    pub h: usize,
    /// Map width.
    pub w: usize,
    /// `f · h · w` values, map after map.
    pub data: Vec<f32>,
    /// What each filter is.
    pub kinds: Vec<FilterKind>,
    /// Largest |value| over all maps (the shared colour scale).
    pub scale: f32,
    /// Largest |value| of each map (the per-map colour scales).
    pub scales: Vec<f32>,
}

/// A kernel resized to `k × k`, centred (cropped or zero-padded around the centre).
pub(super) fn resize_kernel(old: &[f32], k: usize) -> Vec<f32> {
    let ok = (old.len() as f64).sqrt().round() as usize;
    if ok * ok != old.len() || ok == 0 {
        let mut v = vec![0.0; k * k];
        for (i, x) in old.iter().enumerate().take(k * k) {
            v[i] = *x;
        }
        return v;
    }
    let mut v = vec![0.0; k * k];
    let (co, cn) = (ok as isize / 2, k as isize / 2);
    for r in 0..ok as isize {
        for c in 0..ok as isize {
            let (nr, nc) = (r - co + cn, c - co + cn);
            if (0..k as isize).contains(&nr) && (0..k as isize).contains(&nc) {
                v[(nr * k as isize + nc) as usize] = old[(r * ok as isize + c) as usize];
            }
        }
    }
    v
}

/// Catalog key of a filter's name.
fn kind_key(kind: &FilterKind) -> String {
    match kind {
        FilterKind::Preset(id) => format!("conv.preset.{id}"),
        FilterKind::Custom => "conv.preset.custom".into(),
        FilterKind::Random(_) => "conv.preset.random".into(),
    }
}

/// The conv hyperparameters that every part of the page shares (all reactive).
#[derive(Clone, Copy)]
pub struct Shared {
    /// Side of the kernel.
    pub k: Signal<usize>,
    /// Stride, padding (resolved) and dilation.
    pub conv: Signal<Conv2dParams>,
    /// The bias added to each output.
    pub bias: Signal<f32>,
    /// ReLU after the convolution.
    pub relu: Signal<bool>,
    /// Filter 1's kernel, `k × k` row-major.
    pub kernel: Signal<Vec<f32>>,
    /// The small (≤ 28×28) grey input of the step-through and receptive-field views:
    /// `(values in [0,1], width, height)`.
    pub small: Signal<(Vec<f32>, usize, usize)>,
}

#[component]
fn ConvolutionLesson() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let _t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());

    // ---- knobs -------------------------------------------------------------------------
    let key = Knobs::KEYS;
    let img_choice = Memo::new(move |_| params.knob(key.img));
    let channels = Memo::new(move |_| if params.knob(key.color) == "rgb" { 3usize } else { 1 });
    let work_size = Memo::new(move |_| params.knob(key.size) as usize);
    let preset = Memo::new(move |_| params.knob(key.preset));
    let k = Memo::new(move |_| params.knob(key.k) as usize);
    let custom =
        Memo::new(move |_| params.knob(key.w).into_iter().map(|x| x as f32).collect::<Vec<f32>>());
    let n_filters = Memo::new(move |_| params.knob(key.filters) as usize);
    let seed = Memo::new(move |_| params.knob(key.seed));
    let dil = Memo::new(move |_| params.knob(key.dil) as usize);
    let pad_choice = Memo::new(move |_| params.knob(key.pad));
    let conv = Memo::new(move |_| Conv2dParams {
        stride: params.knob(key.stride) as usize,
        padding: model::padding_of(pad_choice.get(), k.get(), dil.get()),
        dilation: dil.get(),
    });
    let relu = Memo::new(move |_| params.knob(key.relu));
    let bias = Memo::new(move |_| params.knob(key.bias) as f32);
    let grid_bits = Memo::new(move |_| params.knob(key.grid));

    // ---- input image -------------------------------------------------------------------
    let decoded = RwSignal::new(None::<RgbaImage>);
    let uploaded = RwSignal::new(None::<RgbaImage>);
    let use_upload = RwSignal::new(false);
    let load_error = RwSignal::new(false);
    let upload_notice = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u32);
    Effect::new(move |_| {
        let id = img_choice.get();
        let Some((_, path)) = SAMPLES.iter().find(|(s, _)| *s == id) else { return };
        let gen = generation.get_value().wrapping_add(1);
        generation.set_value(gen);
        let path = *path;
        leptos::task::spawn_local(async move {
            let r = load_image(path).await;
            // A newer choice superseded this load, or the lesson unmounted while it ran
            // (its stored values are gone then: reading them would panic).
            if generation.try_get_value() != Some(gen) {
                return;
            }
            match r {
                Ok(d) => {
                    load_error.set(false);
                    decoded.set(Some(d.image));
                }
                Err(_) => load_error.set(true),
            }
        });
    });
    let source = Memo::new(move |_| {
        if use_upload.get() {
            if let Some(u) = uploaded.get() {
                return Some(u);
            }
        }
        if img_choice.get() == "draw" {
            Some(grid_bits.with(|b| grid_rgba(b)))
        } else {
            decoded.get()
        }
    });
    let working = Memo::new(move |_| {
        let c = channels.get();
        let s = work_size.get();
        source.with(|img| img.as_ref().map(|img| model::rgba_to_tensor(img, c, s)))
    });
    let in_hw = Memo::new(move |_| {
        working.with(|w| w.as_ref().and_then(|t| t.dims4().ok()).map(|[_, _, h, w]| (h, w)))
    });
    let small = Memo::new(move |_| {
        source.with(|img| {
            let t = match img {
                Some(img) => model::rgba_to_tensor(img, 1, GRID),
                None => crate::core::tensor::Tensor::zeros(vec![1, 1, 1, 1]),
            };
            let [_, _, h, w] = t.dims4().unwrap_or([1, 1, 1, 1]);
            (t.into_data(), w, h)
        })
    });

    // ---- kernels -----------------------------------------------------------------------
    let kernel = Memo::new(move |_| {
        let k = k.get();
        match preset.get() {
            "custom" => resize_kernel(&custom.get(), k),
            p => model::preset_kernel(p, k, seed.get()),
        }
    });
    let bank = Memo::new(move |_| {
        model::filter_bank(
            preset.get(),
            &kernel.get(),
            k.get(),
            n_filters.get(),
            seed.get(),
            channels.get(),
        )
    });

    // ---- compute: coalesced to at most one run per animation frame ----------------------
    let result = RwSignal::new(None::<Arc<ConvOut>>);
    let compute_ms = RwSignal::new(0.0f64);
    let pump = Pump {
        latest: StoredValue::new(None),
        busy: StoredValue::new(false),
        result,
        compute_ms,
        backend: use_context::<ComputeCtx>(),
    };
    Effect::new(move |_| {
        let Some(x) = working.get() else { return };
        let (w, kinds) = bank.get();
        // Recompute when the backend changes (the user forced one, or the GPU was lost).
        if let Some(ctx) = pump.backend {
            ctx.active();
        }
        pump.submit(Job { x, w, kinds, p: conv.get(), bias: bias.get(), relu: relu.get() });
    });

    // ---- output size ------------------------------------------------------------------
    let out_size = Memo::new(move |_| {
        let (h, w) = in_hw.get()?;
        let p = conv.get();
        let k = k.get();
        Some((output_size(h, k, p), output_size(w, k, p), h, w))
    });

    let hover = RwSignal::new(None::<(usize, usize, usize)>);
    let c = Conv {
        img_choice, channels, preset, k, seed, pad_choice, conv, bias, grid_bits, uploaded,
        use_upload, load_error, upload_notice, working, in_hw, kernel, n_filters, out_size, result,
        compute_ms, hover,
    };
    let shared = Shared {
        k: k.into(),
        conv: conv.into(),
        bias: bias.into(),
        relu: relu.into(),
        kernel: kernel.into(),
        small: small.into(),
    };

    view! {
        <h1>{move || super::LESSON.title.get(i18n.lang.get())}</h1>
        <section class="lesson-text">
            <p>{move || i18n.t("conv.text.p1")}</p>
            <p class="formula" aria-label=move || i18n.t("conv.text.formula_aria")>
                "y[i, j] = b + Σ"<sub>"u,v"</sub>" w[u, v] · x[s·i + d·u − p, s·j + d·v − p]"
            </p>
            <p>{move || i18n.t("conv.text.p2")}</p>
            <p class="formula">"H"<sub>"out"</sub>" = ⌊(H + 2p − d(k−1) − 1) / s⌋ + 1"</p>
            <p>{move || i18n.t("conv.text.p3")}</p>
        </section>

        <div class="conv-layout">
            <InputPanel c=c />

            <KernelPanel c=c />

            <HyperPanel c=c />
        </div>

        <MapsPanel c=c />

        <step::StepThrough shared=shared />
        <depth::ReceptiveField shared=shared />
    }
}

/// One feature map with its caption and export buttons.
#[component]
pub(super) fn FeatureMap(
    i: usize,
    result: RwSignal<Option<Arc<ConvOut>>>,
    hover: RwSignal<Option<(usize, usize, usize)>>,
    each: Memo<bool>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let canvas = NodeRef::<Canvas>::new();
    let image = Signal::derive(move || {
        result.with(|r| match r {
            Some(r) if i < r.f => {
                let n = r.h * r.w;
                let scale =
                    if each.get() { r.scales.get(i).copied().unwrap_or(r.scale) } else { r.scale };
                model::diverging_rgba(&r.data[i * n..(i + 1) * n], r.w, r.h, scale)
            }
            _ => RgbaImage::default(),
        })
    });
    let name = Signal::derive(move || {
        let lang = i18n.lang.get();
        result.with(|r| {
            let Some(kind) = r.as_ref().and_then(|r| r.kinds.get(i)) else { return String::new() };
            let mut s = format!("{} · {}", i + 1, tr(lang, &kind_key(kind)));
            if let FilterKind::Random(seed) = kind {
                s.push_str(&format!(" (seed {seed})"));
            }
            if i == 0 {
                s.push_str(&format!(" — {}", tr(lang, "conv.maps.chosen")));
            }
            if let (true, Some(l)) = (each.get(), r.as_ref().and_then(|r| r.scales.get(i))) {
                s.push_str(&format!(" · L = {}", format_value(*l)));
            }
            s
        })
    });
    let csv = Callback::new(move |_: ()| {
        result.with_untracked(|r| match r {
            Some(r) if i < r.f => {
                let n = r.h * r.w;
                r.data[i * n..(i + 1) * n]
                    .chunks(r.w)
                    .map(|row| row.iter().map(|v| v.to_string()).collect())
                    .collect()
            }
            _ => Vec::new(),
        })
    });
    view! {
        <figure class="fig map">
            <Heatmap
                image=image
                aria_label=Signal::derive(move || format!("{}: {}", i18n.t("conv.maps.aria"), name.get()))
                testid=format!("featuremap-{i}")
                node_ref=canvas
                on_hover=Callback::new(move |c: Option<(usize, usize)>| hover.set(c.map(|(x, y)| (i, x, y))))
            />
            <figcaption>
                <span>{move || name.get()}</span>
                <ExportButtons name=format!("featuremap-{i}") canvas=canvas csv=csv what=name />
            </figcaption>
        </figure>
    }
}
