//! The lesson's panels, one component each (wasm only): input, kernel, hyperparameters and
//! feature maps, over the shared [`Conv`].

use super::input::{load_image, DrawGrid, MAX_DECODED_SIDE};
use super::model;
use super::view::*;
use super::*;
use crate::core::conv::Conv2dParams;
use crate::i18n::tr;
use crate::page::{I18n, LessonParams};
use crate::ui::controls::{KnobNumber, KnobToggle};
use crate::ui::{format_value, ExportButtons, Heatmap, Legend, MatrixEditor, NumberInput, RgbaImage, Select, Slider, Toggle};
use leptos::html::Canvas;
use leptos::prelude::*;
use std::sync::Arc;

/// Output height and width (or why none), input height and width.
pub type OutSize =
    (Result<usize, crate::core::ConvError>, Result<usize, crate::core::ConvError>, usize, usize);

/// The page's state the panels share (all handles: `Copy`).
#[derive(Clone, Copy)]
pub struct Conv {
    /// The chosen sample (or `draw`).
    pub img_choice: Memo<&'static str>,
    /// 1 (grey) or 3 (RGB).
    pub channels: Memo<usize>,
    /// The kernel preset.
    pub preset: Memo<&'static str>,
    /// The kernel's side.
    pub k: Memo<usize>,
    /// The random kernel's seed.
    pub seed: Memo<u64>,
    /// The padding choice.
    pub pad_choice: Memo<&'static str>,
    /// Stride, padding (resolved) and dilation.
    pub conv: Memo<Conv2dParams>,
    /// The bias.
    pub bias: Memo<f32>,
    /// The drawing's pixels.
    pub grid_bits: Memo<Vec<bool>>,
    /// An uploaded image.
    pub uploaded: RwSignal<Option<RgbaImage>>,
    /// Whether the upload is the input.
    pub use_upload: RwSignal<bool>,
    /// The sample failed to load.
    pub load_error: RwSignal<bool>,
    /// What happened to the upload.
    pub upload_notice: RwSignal<Option<String>>,
    /// The input tensor at the working size.
    pub working: Memo<Option<crate::core::tensor::Tensor>>,
    /// Its height and width.
    pub in_hw: Memo<Option<(usize, usize)>>,
    /// Filter 1's kernel.
    pub kernel: Memo<Vec<f32>>,
    /// How many filters.
    pub n_filters: Memo<usize>,
    /// The output size per axis (or why none), and the input's.
    pub out_size: Memo<Option<OutSize>>,
    /// The feature maps.
    pub result: RwSignal<Option<Arc<ConvOut>>>,
    /// How long the last convolution took.
    pub compute_ms: RwSignal<f64>,
    /// The hovered map pixel: (map, x, y).
    pub hover: RwSignal<Option<(usize, usize, usize)>>,
}

/// The input: a sample, a drawing or an upload, in grey or colour, resized (`conv-input-canvas`).
#[component]
pub fn InputPanel(
    /// The page's shared state.
    c: Conv,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let key = Knobs::KEYS;
    let Conv { img_choice, channels, grid_bits, uploaded, use_upload, load_error, upload_notice, working, in_hw, .. } = c;
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


    view! {
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
    }
}

/// The kernel: preset, size, the matrix editor and the number of filters.
#[component]
pub fn KernelPanel(
    /// The page's shared state.
    c: Conv,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let key = Knobs::KEYS;
    let Conv { preset, k, seed, kernel, .. } = c;
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


    view! {
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
    }
}

/// Stride, padding, dilation, bias, ReLU and the output-size formula (`conv-output-size`).
#[component]
pub fn HyperPanel(
    /// The page's shared state.
    c: Conv,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let key = Knobs::KEYS;
    let Conv { k, pad_choice, conv, bias, n_filters, out_size, .. } = c;
    // The bias slider's positions are tenths over the schema's range.
    let bias_ticks =
        ((key.bias.min() * 10.0).round() as i64, (key.bias.max() * 10.0).round() as i64);
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


    view! {
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
    }
}

/// The feature maps with a shared or per-map colour scale (`conv-featuremaps`).
#[component]
pub fn MapsPanel(
    /// The page's shared state.
    c: Conv,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let key = Knobs::KEYS;
    let Conv { result, compute_ms, hover, .. } = c;
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
    }
}

