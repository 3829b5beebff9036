//! Step-through: one window of the convolution at a time, on the small (≤ 28×28) grey input
//! so the numbers are readable. For output pixel `(i, j)` the window taps are
//! `x_pad[s·i + d·u, s·j + d·v]`; the panel shows them, the kernel, their products and
//! `Σ x·w + b`, which is exactly the output value (highlighted in the output map).

use super::model::{self, pad_plane, window_taps};
use super::view::run_conv;
use super::Shared;
use crate::core::conv::output_size;
use crate::core::Tensor;
use crate::page::I18n;
use crate::ui::{format_value, ExportButtons, Heatmap, Highlight, RgbaImage};
use leptos::html::Canvas;
use leptos::prelude::*;

/// Colour of padding cells (outside the image, read as 0).
const PAD_RGBA: [u8; 4] = [160, 190, 230, 255];

/// Everything the panel shows for one position.
#[derive(Debug, Clone, PartialEq, Default)]
struct Step {
    ho: usize,
    wo: usize,
    /// The padded input (grey) as RGBA and its width/height.
    padded: RgbaImage,
    /// The whole small output map (after bias and ReLU).
    out: Vec<f32>,
    out_scale: f32,
    i: usize,
    j: usize,
    k: usize,
    window: Vec<f32>,
    kernel: Vec<f32>,
    taps: Vec<(usize, usize)>,
    /// `Σ x·w + b` computed here, tap by tap.
    sum: f32,
    /// The same after ReLU if it is on.
    activated: f32,
    /// `y[i, j]` as the convolution computed it.
    y: f32,
    bias: f32,
    relu: bool,
}

fn compute(shared: &Shared, pos: (usize, usize)) -> Result<Step, String> {
    let (x, w, h) = shared.small.get();
    let k = shared.k.get();
    let p = shared.conv.get();
    let kernel = shared.kernel.get();
    let bias = shared.bias.get();
    let relu = shared.relu.get();
    let ho = output_size(h, k, p).map_err(|e| e.to_string())?;
    let wo = output_size(w, k, p).map_err(|e| e.to_string())?;
    let xt = Tensor::new(vec![1, 1, h, w], x.clone()).map_err(|e| e.to_string())?;
    let wt = Tensor::new(vec![1, 1, k, k], kernel.clone()).map_err(|e| e.to_string())?;
    let y = run_conv(&xt, &wt, &[bias], p, relu).map_err(|e| e.to_string())?.into_data();
    let (i, j) = (pos.0.min(ho - 1), pos.1.min(wo - 1));
    let pw = w + 2 * p.padding;
    let xp = pad_plane(&x, w, h, p.padding);
    let taps = window_taps(i, j, k, p);
    let window: Vec<f32> = taps.iter().map(|(r, c)| xp[r * pw + c]).collect();
    // Same order of accumulation as the convolution (u, then v), starting from the bias.
    let mut sum = bias;
    for (a, b) in window.iter().zip(&kernel) {
        sum += a * b;
    }
    let activated = if relu { sum.max(0.0) } else { sum };
    let ph = h + 2 * p.padding;
    let mut data = Vec::with_capacity(pw * ph * 4);
    for r in 0..ph {
        for c in 0..pw {
            let inside = r >= p.padding && r < p.padding + h && c >= p.padding && c < p.padding + w;
            if inside {
                let g = (xp[r * pw + c].clamp(0.0, 1.0) * 255.0).round() as u8;
                data.extend([g, g, g, 255]);
            } else {
                data.extend(PAD_RGBA);
            }
        }
    }
    let out_scale = y.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
    Ok(Step {
        ho,
        wo,
        padded: RgbaImage::new(pw, ph, data).unwrap_or_default(),
        y: y[i * wo + j],
        out: y,
        out_scale,
        i,
        j,
        k,
        window,
        kernel,
        taps,
        sum,
        activated,
        bias,
        relu,
    })
}

fn matrix_table(caption: String, k: usize, values: Vec<f32>, class: &'static str) -> impl IntoView {
    view! {
        <table class=format!("step-matrix {class}")>
            <caption>{caption}</caption>
            <tbody>
                {(0..k)
                    .map(|r| {
                        view! {
                            <tr>
                                {(0..k)
                                    .map(|c| {
                                        let v = values.get(r * k + c).copied().unwrap_or(0.0);
                                        view! { <td class:neg=v < 0.0>{format_value(v)}</td> }
                                    })
                                    .collect_view()}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The step-through panel (test id `conv-step-window`).
#[component]
pub fn StepThrough(shared: Shared) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let pos = RwSignal::new((0usize, 0usize));
    let step = Memo::new(move |_| compute(&shared, pos.get()));
    let playing = RwSignal::new(false);
    let timer = StoredValue::new(None::<IntervalHandle>);
    let advance = move |di: isize, dj: isize| {
        let Ok((ho, wo, i, j)) =
            step.with_untracked(|s| s.as_ref().map(|s| (s.ho, s.wo, s.i, s.j)).map_err(|_| ()))
        else {
            return;
        };
        let ni = (i as isize + di).clamp(0, ho as isize - 1) as usize;
        let nj = (j as isize + dj).clamp(0, wo as isize - 1) as usize;
        pos.set((ni, nj));
    };
    let next_in_scan = move || {
        if let Ok((ho, wo, i, j)) =
            step.with_untracked(|s| s.as_ref().map(|s| (s.ho, s.wo, s.i, s.j)).map_err(|_| ()))
        {
            let n = (i * wo + j + 1) % (ho * wo);
            pos.set((n / wo, n % wo));
        }
    };
    let stop = move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        timer.set_value(None);
        playing.set(false);
    };
    on_cleanup(stop);
    let toggle_play = move |_| {
        if playing.get_untracked() {
            stop();
            return;
        }
        // Reduced motion: slower discrete steps (there is no smooth movement either way).
        let reduced = window()
            .match_media("(prefers-reduced-motion: reduce)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        let ms = if reduced { 1200 } else { 350 };
        if let Ok(h) = set_interval_with_handle(next_in_scan, std::time::Duration::from_millis(ms))
        {
            timer.set_value(Some(h));
            playing.set(true);
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let (di, dj) = match ev.key().as_str() {
            "ArrowLeft" => (0, -1),
            "ArrowRight" => (0, 1),
            "ArrowUp" => (-1, 0),
            "ArrowDown" => (1, 0),
            _ => return,
        };
        ev.prevent_default();
        advance(di, dj);
    };
    let in_canvas = NodeRef::<Canvas>::new();
    let out_canvas = NodeRef::<Canvas>::new();
    let padded = Signal::derive(move || {
        step.with(|s| s.as_ref().map(|s| s.padded.clone()).unwrap_or_default())
    });
    let out_img = Signal::derive(move || {
        step.with(|s| {
            s.as_ref()
                .map(|s| model::diverging_rgba(&s.out, s.wo, s.ho, s.out_scale))
                .unwrap_or_default()
        })
    });
    let in_hl = Signal::derive(move || {
        step.with(|s| {
            let Ok(s) = s else { return Vec::new() };
            let mut v: Vec<Highlight> = s
                .taps
                .iter()
                .map(|&(r, c)| Highlight { x0: c, y0: r, x1: c + 1, y1: r + 1, class: "hl-tap" })
                .collect();
            if let (Some(a), Some(b)) = (s.taps.first(), s.taps.last()) {
                v.push(Highlight {
                    x0: a.1,
                    y0: a.0,
                    x1: b.1 + 1,
                    y1: b.0 + 1,
                    class: "hl-window",
                });
            }
            v
        })
    });
    let out_hl = Signal::derive(move || {
        step.with(|s| match s {
            Ok(s) => {
                vec![Highlight { x0: s.j, y0: s.i, x1: s.j + 1, y1: s.i + 1, class: "hl-pixel" }]
            }
            Err(_) => Vec::new(),
        })
    });
    let details = move || {
        let lang = i18n.lang.get();
        let tr = |k: &str| crate::i18n::tr(lang, k).to_string();
        match step.get() {
            Err(e) => view! { <p class="impossible" role="alert">{tr("conv.step.impossible")} " (" {e} ")"</p> }.into_any(),
            Ok(s) => {
                let products: Vec<f32> = s.window.iter().zip(&s.kernel).map(|(a, b)| a * b).collect();
                let sum_text = if s.relu {
                    format!(
                        "Σ x·w + b = {} + ({}) = {} → ReLU = {}",
                        format_value(s.sum - s.bias),
                        format_value(s.bias),
                        format_value(s.sum),
                        format_value(s.activated)
                    )
                } else {
                    format!(
                        "Σ x·w + b = {} + ({}) = {}",
                        format_value(s.sum - s.bias),
                        format_value(s.bias),
                        format_value(s.sum)
                    )
                };
                view! {
                    <div class="step-matrices">
                        {matrix_table(tr("conv.step.window"), s.k, s.window.clone(), "m-window")}
                        <span class="op" aria-hidden="true">"⊙"</span>
                        {matrix_table(tr("conv.step.kernel"), s.k, s.kernel.clone(), "m-kernel")}
                        <span class="op" aria-hidden="true">"="</span>
                        {matrix_table(tr("conv.step.products"), s.k, products, "m-products")}
                    </div>
                    <p class="step-sum" data-testid="conv-step-sum" data-value=s.activated.to_string()>
                        {sum_text}
                    </p>
                    <p class="step-out" data-testid="conv-step-output" data-value=s.y.to_string()>
                        {format!("y[{}, {}] = {}", s.i, s.j, format_value(s.y))}
                    </p>
                }
                .into_any()
            }
        }
    };
    view! {
        <section
            class="panel conv-step"
            aria-labelledby="conv-h-step"
            data-testid="conv-step-window"
            tabindex="0"
            on:keydown=on_key
        >
            <h2 id="conv-h-step">{move || i18n.t("conv.h.step")}</h2>
            <p class="hint">{move || i18n.t("conv.step.hint")}</p>
            <div class="step-controls">
                <button type="button" data-testid="conv-step-prev" on:click=move |_| advance(0, -1)>
                    {move || i18n.t("conv.step.prev")}
                </button>
                <button type="button" data-testid="conv-step-play" aria-pressed=move || playing.get().to_string() on:click=toggle_play>
                    {move || if playing.get() { i18n.t("conv.step.pause") } else { i18n.t("conv.step.play") }}
                </button>
                <button type="button" data-testid="conv-step-next" on:click=move |_| advance(0, 1)>
                    {move || i18n.t("conv.step.next")}
                </button>
                <span class="step-pos" aria-live="polite">
                    {move || step.with(|s| s.as_ref().map(|s| format!("(i, j) = ({}, {}) / {} × {}", s.i, s.j, s.ho, s.wo)).unwrap_or_default())}
                </span>
            </div>
            <div class="step-figs">
                <figure class="fig">
                    <Heatmap
                        image=padded
                        aria_label=Signal::derive(move || i18n.t("conv.step.input_aria").to_string())
                        testid="conv-step-input"
                        node_ref=in_canvas
                        highlights=in_hl
                        on_hover=Callback::new(move |c: Option<(usize, usize)>| {
                            if let Some((x, y)) = c {
                                let p = shared.conv.get_untracked();
                                if let Ok((ho, wo)) = step.with_untracked(|s| s.as_ref().map(|s| (s.ho, s.wo)).map_err(|_| ())) {
                                    pos.set(((y / p.stride).min(ho - 1), (x / p.stride).min(wo - 1)));
                                }
                            }
                        })
                    />
                    <figcaption>
                        {move || i18n.t("conv.step.input_caption")}
                        <ExportButtons name="step-input" canvas=in_canvas what=Signal::derive(move || i18n.t("conv.step.input_caption").to_string()) />
                    </figcaption>
                </figure>
                <figure class="fig">
                    <Heatmap
                        image=out_img
                        aria_label=Signal::derive(move || i18n.t("conv.step.output_aria").to_string())
                        testid="conv-step-output-map"
                        node_ref=out_canvas
                        highlights=out_hl
                        on_hover=Callback::new(move |c: Option<(usize, usize)>| {
                            if let Some((x, y)) = c {
                                pos.set((y, x));
                            }
                        })
                    />
                    <figcaption>
                        {move || i18n.t("conv.step.output_caption")}
                        <ExportButtons name="step-output" canvas=out_canvas what=Signal::derive(move || i18n.t("conv.step.output_caption").to_string()) />
                    </figcaption>
                </figure>
            </div>
            {details}
        </section>
    }
}
