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
    format_value, ExportButtons, Heatmap, Legend, MatrixEditor, NumberInput, RgbaImage, Select,
    Slider, Toggle,
};
use crate::ui::controls::{KnobNumber, KnobToggle};
use input::{grid_rgba, load_image, DrawGrid, MAX_DECODED_SIDE};
use leptos::html::Canvas;
use leptos::prelude::*;
use model::FilterKind;
use std::sync::Arc;

/// Built-in sample images: id and path (served from `assets/`).
pub const SAMPLES: &[(&str, &str)] = &[
    ("camera", "assets/samples/camera.png"),
    ("astronaut", "assets/samples/astronaut.jpg"),
    ("chelsea", "assets/samples/chelsea.jpg"),
    ("coffee", "assets/samples/coffee.jpg"),
    ("brick", "assets/samples/brick.png"),
];
/// Largest magnitude of a hand-edited kernel weight.
const WEIGHT_LIMIT: f32 = 100.0;



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
fn resize_kernel(old: &[f32], k: usize) -> Vec<f32> {
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
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());

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
    // The bias slider's positions are tenths over the schema's range.
    let bias_ticks =
        ((key.bias.min() * 10.0).round() as i64, (key.bias.max() * 10.0).round() as i64);

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

    // ---- views -------------------------------------------------------------------------
    let sample_options = Signal::derive(move || {
        let mut v: Vec<(String, String)> = IMG_CHOICES
            .iter()
            .map(|id| {
                (id.to_string(), tr(i18n.lang.get(), &format!("conv.sample.{id}")).to_string())
            })
            .collect();
        if uploaded.with(|u| u.is_some()) {
            v.push(("upload".into(), i18n.t("conv.sample.upload").into()));
        }
        v
    });
    let sample_value = Signal::derive(move || {
        if use_upload.get() && uploaded.with(|u| u.is_some()) {
            "upload".to_string()
        } else {
            img_choice.get().to_string()
        }
    });
    let on_sample = Callback::new(move |id: String| {
        if id == "upload" {
            use_upload.set(true);
        } else {
            use_upload.set(false);
            params.put_text(key.img, &id);
        }
    });
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let lang = i18n.lang.get_untracked();
        if !file.type_().starts_with("image/") {
            upload_notice.set(Some(tr(lang, "conv.upload.not_image").to_string()));
            return;
        }
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&file) else {
            upload_notice.set(Some(tr(lang, "conv.upload.failed").to_string()));
            return;
        };
        leptos::task::spawn_local(async move {
            let r = load_image(&url).await;
            let _ = web_sys::Url::revoke_object_url(&url);
            match r {
                Ok(d) => {
                    let (ow, oh) = d.original;
                    upload_notice.set((ow.max(oh) > MAX_DECODED_SIDE).then(|| {
                        tr(lang, "conv.upload.downscaled")
                            .replace("{from}", &format!("{ow} × {oh}"))
                            .replace("{to}", &format!("{} × {}", d.image.width(), d.image.height()))
                    }));
                    uploaded.set(Some(d.image));
                    use_upload.set(true);
                }
                Err(_) => upload_notice.set(Some(tr(lang, "conv.upload.failed").to_string())),
            }
        });
    };

    let input_canvas = NodeRef::<Canvas>::new();
    let input_rgba = Signal::derive(move || {
        working.with(|w| w.as_ref().map(model::tensor_rgba).unwrap_or_default())
    });

    let ksize_options = Signal::derive(move || {
        KERNEL_SIZES.iter().map(|s| (s.to_string(), format!("{s} × {s}"))).collect::<Vec<_>>()
    });
    let preset_options = Signal::derive(move || {
        PRESETS
            .iter()
            .map(|id| {
                (id.to_string(), tr(i18n.lang.get(), &format!("conv.preset.{id}")).to_string())
            })
            .collect::<Vec<_>>()
    });
    let pad_options = Signal::derive(move || {
        PADDINGS
            .iter()
            .map(|id| {
                let text = match *id {
                    "valid" | "same" => tr(i18n.lang.get(), &format!("conv.pad.{id}")).to_string(),
                    n => format!("p = {n}"),
                };
                (id.to_string(), text)
            })
            .collect::<Vec<_>>()
    });
    let size_options = Signal::derive(move || {
        WORK_SIZES.iter().map(|s| (s.to_string(), format!("{s} px"))).collect::<Vec<_>>()
    });
    let color_options = Signal::derive(move || {
        key.color
            .options()
            .iter()
            .map(|id| {
                (id.to_string(), tr(i18n.lang.get(), &format!("conv.color.{id}")).to_string())
            })
            .collect::<Vec<_>>()
    });

    let on_k = Callback::new(move |s: String| {
        if preset.get_untracked() == "custom" {
            if let Ok(nk) = s.parse::<usize>() {
                let v = resize_kernel(&kernel.get_untracked(), nk);
                params.put(key.w, v.iter().map(|x| *x as f64).collect());
            }
        }
        params.put_text(key.k, &s);
    });
    let on_matrix = Callback::new(move |v: Vec<f32>| {
        params.put(key.w, v.iter().map(|x| *x as f64).collect());
        params.put(key.preset, "custom");
    });

    let hover = RwSignal::new(None::<(usize, usize, usize)>);
    let shared = Shared {
        k: k.into(),
        conv: conv.into(),
        bias: bias.into(),
        relu: relu.into(),
        kernel: kernel.into(),
        small: small.into(),
    };

    let formula_view = move || {
        let lang = i18n.lang.get();
        match out_size.get() {
            None => view! { <p>{tr(lang, "conv.loading")}</p> }.into_any(),
            Some((Ok(ho), Ok(wo), h, w)) => {
                let p = conv.get();
                let k = k.get();
                view! {
                    <p class="formula-line">"H: " {model::formula_numbers(h, k, p)}</p>
                    <p class="formula-line">"W: " {model::formula_numbers(w, k, p)}</p>
                    <p class="out-size">
                        {tr(lang, "conv.output.size")} " "
                        <strong data-testid="conv-output-size">{format!("{ho} × {wo}")}</strong>
                        {format!(" × {}", n_filters.get())}
                    </p>
                }
                .into_any()
            }
            Some((rh, _, h, w)) => {
                let p = conv.get();
                let k = k.get();
                let eff = p.dilation * (k - 1) + 1;
                let (axis, n) = if rh.is_err() { ("H", h) } else { ("W", w) };
                let text = tr(lang, "conv.output.impossible")
                    .replace("{axis}", axis)
                    .replace("{eff}", &eff.to_string())
                    .replace("{d}", &p.dilation.to_string())
                    .replace("{k}", &k.to_string())
                    .replace("{n}", &n.to_string())
                    .replace("{p}", &p.padding.to_string())
                    .replace("{padded}", &(n + 2 * p.padding).to_string());
                view! {
                    <p class="formula-line">{format!("{axis}: ")} {model::formula_numbers(n, k, p)}</p>
                    <p class="impossible" role="alert" data-testid="conv-output-size">
                        {text}
                    </p>
                    <p class="hint">{tr(lang, "conv.output.kept")}</p>
                }
                .into_any()
            }
        }
    };

    let maps_count = Memo::new(move |_| result.with(|r| r.as_ref().map_or(0, |r| r.f)));
    let each = Memo::new(move |_| params.knob(key.scale) == "each");
    // Shared: the legend reads values. Each map: it reads value ÷ L, L under every map.
    let scale = Signal::derive(move || {
        if each.get() {
            1.0
        } else {
            result.with(|r| r.as_ref().map_or(1.0, |r| r.scale))
        }
    });

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
            <section class="panel conv-input" aria-labelledby="conv-h-input">
                <h2 id="conv-h-input">{move || i18n.t("conv.h.input")}</h2>
                <Select
                    label=t("conv.sample")
                    options=sample_options
                    value=sample_value
                    on_change=on_sample
                    testid="conv-sample"
                />
                <Select
                    label=t("conv.color")
                    options=color_options
                    value=Signal::derive(move || params.text(key.color))
                    on_change=Callback::new(move |v: String| params.put_text(key.color, &v))
                    testid="conv-color"
                />
                <Select
                    label=t("conv.size")
                    options=size_options
                    value=Signal::derive(move || params.text(key.size))
                    on_change=Callback::new(move |v: String| params.put_text(key.size, &v))
                    testid="conv-size"
                />
                <div class="w-field">
                    <label for="conv-upload">{move || i18n.t("conv.upload")}</label>
                    <input
                        id="conv-upload"
                        type="file"
                        accept="image/png,image/jpeg,image/webp"
                        data-testid="conv-upload"
                        on:change=on_file
                    />
                </div>
                <p class="notice-inline" role="status" data-testid="conv-upload-notice">
                    {move || upload_notice.get()}
                    {move || load_error.get().then(|| i18n.t("conv.sample.failed"))}
                </p>
                <Show when=move || img_choice.get() == "draw" && !use_upload.get()>
                    <DrawGrid
                        bits=Signal::from(grid_bits)
                        on_change=Callback::new(move |b: Vec<bool>| params.put(key.grid, b))
                    />
                </Show>
                <figure class="fig">
                    <Heatmap
                        image=input_rgba
                        aria_label=Signal::derive(move || {
                            let (h, w) = in_hw.get().unwrap_or((0, 0));
                            format!("{} ({w} × {h})", i18n.t("conv.input.aria"))
                        })
                        testid="conv-input-canvas"
                        node_ref=input_canvas
                    />
                    <figcaption>
                        {move || {
                            let (h, w) = in_hw.get().unwrap_or((0, 0));
                            format!("{} · {w} × {h} × {}", i18n.t("conv.input.caption"), channels.get())
                        }}
                        <ExportButtons name="input" canvas=input_canvas what=t("conv.input.caption") />
                    </figcaption>
                </figure>
            </section>

            <section class="panel conv-kernel" aria-labelledby="conv-h-kernel">
                <h2 id="conv-h-kernel">{move || i18n.t("conv.h.kernel")}</h2>
                <Select
                    label=t("conv.preset")
                    options=preset_options
                    value=Signal::derive(move || preset.get().to_string())
                    on_change=Callback::new(move |v: String| {
                        if v == "custom" {
                            params.put(key.w, kernel.get_untracked().iter().map(|x| *x as f64).collect());
                        }
                        params.put_text(key.preset, &v)
                    })
                    testid="conv-preset"
                />
                <Select
                    label=t("conv.ksize")
                    options=ksize_options
                    value=Signal::derive(move || k.get().to_string())
                    on_change=on_k
                    testid="conv-ksize"
                />
                <MatrixEditor
                    label=t("conv.matrix")
                    size=Signal::from(k)
                    values=Signal::from(kernel)
                    on_change=on_matrix
                    limit=WEIGHT_LIMIT
                    invalid_text=t("conv.matrix.invalid")
                    testid="conv-matrix"
                />
                <Show when=move || preset.get() == "random">
                    <NumberInput
                        label=t("conv.seed")
                        value=Signal::derive(move || seed.get() as i64)
                        min=0
                        max=999_999
                        on_change=Callback::new(move |v: i64| params.put(key.seed, v as u64))
                        invalid_text=t("conv.seed.invalid")
                        testid="conv-seed"
                    />
                </Show>
                <KnobNumber
                    label=t("conv.filters")
                    knob=key.filters
                    invalid_text=t("conv.filters.invalid")
                    testid="conv-filters"
                />
                <p class="hint">{move || i18n.t("conv.filters.which")}</p>
            </section>

            <section class="panel conv-hyper" aria-labelledby="conv-h-hyper">
                <h2 id="conv-h-hyper">{move || i18n.t("conv.h.hyper")}</h2>
                <KnobNumber
                    label=t("conv.stride")
                    knob=key.stride
                    invalid_text=t("conv.stride.invalid")
                    testid="conv-stride"
                />
                <Select
                    label=t("conv.padding")
                    options=pad_options
                    value=Signal::derive(move || pad_choice.get().to_string())
                    on_change=Callback::new(move |v: String| params.put_text(key.pad, &v))
                    testid="conv-padding"
                />
                <KnobNumber
                    label=t("conv.dilation")
                    knob=key.dil
                    invalid_text=t("conv.dilation.invalid")
                    testid="conv-dilation"
                />
                <Slider
                    label=t("conv.bias")
                    value=Signal::derive(move || (bias.get() * 10.0).round() as i64)
                    min=bias_ticks.0
                    max=bias_ticks.1
                    on_change=Callback::new(move |v: i64| params.put(key.bias, v as f64 / 10.0))
                    testid="conv-bias"
                />
                <p class="hint">{move || format!("b = {}", format_value(bias.get()))}</p>
                <KnobToggle label=t("conv.relu") knob=key.relu testid="conv-relu" />
                <div class="formula-box" aria-live="polite">
                    <p class="formula">"H"<sub>"out"</sub>" = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1"</p>
                    <p class="hint">
                        {move || {
                            let p = conv.get();
                            format!("k = {}, s = {}, p = {}, d = {}", k.get(), p.stride, p.padding, p.dilation)
                        }}
                    </p>
                    {formula_view}
                </div>
            </section>
        </div>

        <section class="panel conv-maps" aria-labelledby="conv-h-maps">
            <h2 id="conv-h-maps">{move || i18n.t("conv.h.maps")}</h2>
            <Toggle
                label=t("conv.scale.each")
                value=Signal::from(each)
                on_change=Callback::new(move |v: bool| {
                    params.put(key.scale, if v { "each" } else { "shared" })
                })
                testid="conv-scale-each"
            />
            <Legend
                label=Signal::derive(move || {
                    i18n.t(if each.get() { "conv.legend.each" } else { "conv.legend" }).to_string()
                })
                min=Signal::derive(move || -scale.get())
                max=scale
                colours=Signal::derive(model::diverging_stops)
                testid="conv-legend"
            />
            <p class="hint" aria-live="polite">
                {move || match hover.get() {
                    Some((f, x, y)) => result.with(|r| {
                        r.as_ref()
                            .and_then(|r| r.data.get((f * r.h + y) * r.w + x).map(|v| (r, *v)))
                            .map(|(_, v)| format!("#{} ({x}, {y}) = {}", f + 1, format_value(v)))
                            .unwrap_or_default()
                    }),
                    None => i18n.t("conv.maps.hover").to_string(),
                }}
            </p>
            <div class="map-grid" data-testid="conv-featuremaps">
                <For each=move || 0..maps_count.get() key=|i| *i let:i>
                    <FeatureMap i=i result=result hover=hover each=each />
                </For>
            </div>
            <p class="hint">
                {move || format!("{} {:.1} ms", i18n.t("conv.maps.time"), compute_ms.get())}
            </p>
        </section>

        <step::StepThrough shared=shared />
        <depth::ReceptiveField shared=shared />
    }
}

/// One feature map with its caption and export buttons.
#[component]
fn FeatureMap(
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
