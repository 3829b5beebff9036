//! Depth and receptive field: a stack of 2–3 convolution layers (no padding), each with its
//! own kernel size `k`, stride `s` and dilation `d`. An output pixel of the last layer sees a
//! square of the input of side `r_L`, where `r_0 = 1`, `j_0 = 1` and per layer
//! `r_l = r_{l−1} + d_l(k_l − 1)·j_{l−1}`, `j_l = j_{l−1}·s_l` (the jump: input pixels between
//! neighbouring outputs of layer `l`). Picking a pixel highlights what it sees at every level.

use super::{Knobs, Shared};
use crate::core::receptive::{layer_geometry, receptive_field, Layer};
use crate::page::{I18n, LessonParams};
use crate::ui::controls::KnobNumber;
use crate::ui::{ExportButtons, Heatmap, Highlight, RgbaImage, Select};
use leptos::html::Canvas;
use leptos::prelude::*;

/// A schematic `w × h` grid (light checkerboard) for a layer's output.
fn schematic(w: usize, h: usize) -> RgbaImage {
    let data = (0..w * h)
        .flat_map(|i| {
            if (i / w + i % w).is_multiple_of(2) {
                [236, 239, 244, 255]
            } else {
                [214, 220, 230, 255]
            }
        })
        .collect();
    RgbaImage::new(w, h, data).unwrap_or_default()
}

/// Sizes of every level (input first), or the index of the first layer that does not fit.
fn level_sizes(layers: &[Layer], h: usize, w: usize) -> Result<Vec<(usize, usize)>, usize> {
    match layer_geometry(h, w, layers) {
        Ok(g) => Ok(std::iter::once((h, w)).chain(g.iter().map(|g| (g.out_h, g.out_w))).collect()),
        Err(crate::core::receptive::RfError::Layer { index, .. }) => Err(index),
        Err(_) => Err(0),
    }
}

/// The receptive-field panel.
#[component]
pub fn ReceptiveField(shared: Shared) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let key = Knobs::KEYS;
    // Each layer's knobs: kernel size, stride, dilation (the schema has `layers.max()` of them).
    let per_layer = [(key.k1, key.s1, key.d1), (key.k2, key.s2, key.d2), (key.k3, key.s3, key.d3)];
    let n_layers = Memo::new(move |_| params.knob(key.layers) as usize);
    let layers = Memo::new(move |_| {
        per_layer[..n_layers.get()]
            .iter()
            .map(|&(k, s, d)| Layer {
                kernel: params.knob(k) as usize,
                stride: params.knob(s) as usize,
                padding: 0,
                dilation: params.knob(d) as usize,
            })
            .collect::<Vec<_>>()
    });
    let sizes = Memo::new(move |_| {
        let (_, w, h) = shared.small.get();
        level_sizes(&layers.get(), h, w)
    });
    let picked = RwSignal::new(None::<(usize, usize)>);
    // The chosen output pixel, clamped to the last layer (its centre until one is picked).
    let target = Memo::new(move |_| {
        let Ok(s) = sizes.get() else { return None };
        let (h, w) = *s.last()?;
        let (y, x) = picked.get().unwrap_or((h / 2, w / 2));
        Some((y.min(h - 1), x.min(w - 1)))
    });
    // Per layer: (receptive field r_l, jump j_l).
    let rf = Memo::new(move |_| {
        let (_, w, h) = shared.small.get();
        layer_geometry(h, w, &layers.get())
            .map(|g| g.iter().map(|g| (g.rf, g.jump)).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    // What the chosen pixel sees at `level` (0 = input): the receptive field of the layers
    // after that level, applied to that level's map.
    let region_at = move |level: usize| -> Option<Highlight> {
        let (y, x) = target.get()?;
        let ls = layers.get();
        let sizes = sizes.get().ok()?;
        let (h, w) = *sizes.get(level)?;
        let tail = ls.get(level..)?;
        let f = receptive_field(h, w, tail, y, x).ok()?;
        let (rows, cols) = (f.rows?, f.cols?);
        let class = if level == 0 { "hl-window" } else { "hl-region" };
        Some(Highlight { x0: cols.start, y0: rows.start, x1: cols.end, y1: rows.end, class })
    };
    let input_img = Signal::derive(move || {
        shared.small.with(|(x, w, h)| {
            let data = x.iter().flat_map(|v| {
                let g = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                [g, g, g, 255]
            });
            RgbaImage::new(*w, *h, data.collect()).unwrap_or_default()
        })
    });
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some((y, x)) = target.get_untracked() else { return };
        let (dy, dx) = match ev.key().as_str() {
            "ArrowLeft" => (0, -1),
            "ArrowRight" => (0, 1),
            "ArrowUp" => (-1, 0),
            "ArrowDown" => (1, 0),
            _ => return,
        };
        ev.prevent_default();
        picked.set(Some(((y as isize + dy).max(0) as usize, (x as isize + dx).max(0) as usize)));
    };
    let in_canvas = NodeRef::<Canvas>::new();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let layer_controls = move || {
        (1..=n_layers.get())
            .map(|l| {
                let (kk, sk, dk) = per_layer[l - 1];
                let title = move || crate::i18n::tr(i18n.lang.get(), "conv.rf.layer").replace("{n}", &l.to_string());
                view! {
                    <fieldset class="rf-layer">
                        <legend>{title}</legend>
                        <Select
                            label=t("conv.ksize")
                            options=Signal::derive(move || kk.options().iter().map(|s| (s.to_string(), format!("{s} × {s}"))).collect::<Vec<_>>())
                            value=Signal::derive(move || params.text(kk))
                            on_change=Callback::new(move |v: String| params.put_text(kk, &v))
                            testid=leak_testid(&format!("conv-rf-{}", kk.name()))
                        />
                        <KnobNumber
                            label=t("conv.stride")
                            knob=sk
                            invalid_text=t("conv.stride.invalid")
                            testid=leak_testid(&format!("conv-rf-{}", sk.name()))
                        />
                        <KnobNumber
                            label=t("conv.dilation")
                            knob=dk
                            invalid_text=t("conv.dilation.invalid")
                            testid=leak_testid(&format!("conv-rf-{}", dk.name()))
                        />
                    </fieldset>
                }
            })
            .collect_view()
    };
    let levels_view = move || {
        let lang = i18n.lang.get();
        let sizes = match sizes.get() {
            Ok(s) => s,
            Err(li) => {
                let text = crate::i18n::tr(lang, "conv.rf.impossible")
                    .replace("{n}", &(li + 1).to_string());
                return view! { <p class="impossible" role="alert">{text}</p> }.into_any();
            }
        };
        let last = sizes.len() - 1;
        sizes
            .into_iter()
            .enumerate()
            .skip(1)
            .map(|(level, (h, w))| {
                let canvas = NodeRef::<Canvas>::new();
                let label =
                    crate::i18n::tr(lang, "conv.rf.level").replace("{n}", &level.to_string());
                let label2 = label.clone();
                let hl = Signal::derive(move || region_at(level).into_iter().collect::<Vec<_>>());
                let is_last = level == last;
                let pick = Callback::new(move |(x, y): (usize, usize)| {
                    if is_last {
                        picked.set(Some((y, x)));
                    }
                });
                view! {
                    <figure class="fig rf-level">
                        <Heatmap
                            image=Signal::derive(move || schematic(w, h))
                            aria_label=Signal::derive(move || format!("{label2}: {w} × {h}"))
                            testid=format!("conv-rf-level-{level}")
                            node_ref=canvas
                            highlights=hl
                            on_pick=pick
                        />
                        <figcaption>{format!("{label} · {w} × {h}")}</figcaption>
                    </figure>
                }
            })
            .collect_view()
            .into_any()
    };
    let rf_text = move || {
        let lang = i18n.lang.get();
        let r = rf.get().last().map_or(1, |x| x.0);
        let mut s = crate::i18n::tr(lang, "conv.rf.size").replace("{r}", &r.to_string());
        if let (Some(a), Some((y, x))) = (region_at(0), target.get()) {
            s.push_str(
                &crate::i18n::tr(lang, "conv.rf.where")
                    .replace("{y}", &y.to_string())
                    .replace("{x}", &x.to_string())
                    .replace("{r0}", &a.y0.to_string())
                    .replace("{r1}", &(a.y1 - 1).to_string())
                    .replace("{c0}", &a.x0.to_string())
                    .replace("{c1}", &(a.x1 - 1).to_string()),
            );
        }
        s
    };
    let table = move || {
        let ls = layers.get();
        let rfs = rf.get();
        let lang = i18n.lang.get();
        view! {
            <table class="rf-table">
                <thead>
                    <tr>
                        <th scope="col">{crate::i18n::tr(lang, "conv.rf.col.layer")}</th>
                        <th scope="col">"k"</th>
                        <th scope="col">"s"</th>
                        <th scope="col">"d"</th>
                        <th scope="col">{crate::i18n::tr(lang, "conv.rf.col.jump")}</th>
                        <th scope="col">{crate::i18n::tr(lang, "conv.rf.col.rf")}</th>
                    </tr>
                </thead>
                <tbody>
                    {ls.iter().zip(rfs).enumerate().map(|(i, (l, (r, j)))| view! {
                        <tr>
                            <td>{i + 1}</td><td>{l.kernel}</td><td>{l.stride}</td><td>{l.dilation}</td><td>{j}</td><td>{format!("{r} × {r}")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    view! {
        <section class="panel conv-rf" aria-labelledby="conv-h-rf">
            <h2 id="conv-h-rf">{move || i18n.t("conv.h.rf")}</h2>
            <p>{move || i18n.t("conv.rf.text")}</p>
            <p class="formula">"r"<sub>"l"</sub>" = r"<sub>"l−1"</sub>" + d"<sub>"l"</sub>"(k"<sub>"l"</sub>" − 1)·j"<sub>"l−1"</sub>",  j"<sub>"l"</sub>" = j"<sub>"l−1"</sub>"·s"<sub>"l"</sub></p>
            <KnobNumber
                label=t("conv.rf.layers")
                knob=key.layers
                invalid_text=t("conv.rf.layers.invalid")
                testid="conv-rf-layers"
            />
            <div class="rf-layers">{layer_controls}</div>
            <p class="rf-size" data-testid="conv-rf-size" aria-live="polite">{rf_text}</p>
            {table}
            <div class="rf-levels" tabindex="0" on:keydown=on_key aria-label=move || i18n.t("conv.rf.keys")>
                <figure class="fig rf-level">
                    <Heatmap
                        image=input_img
                        aria_label=Signal::derive(move || format!("{} — {}", i18n.t("conv.rf.input"), rf_text()))
                        testid="conv-rf-input"
                        node_ref=in_canvas
                        highlights=Signal::derive(move || region_at(0).into_iter().collect::<Vec<_>>())
                    />
                    <figcaption>
                        {move || i18n.t("conv.rf.input")}
                        <ExportButtons name="rf-input" canvas=in_canvas what=t("conv.rf.input") />
                    </figcaption>
                </figure>
                {levels_view}
            </div>
            <p class="hint">{move || i18n.t("conv.rf.hint")}</p>
        </section>
    }
}

/// Test ids must be `&'static str` for the widgets; the handful built here (one per layer
/// knob, at most 9 distinct) are interned once.
fn leak_testid(s: &str) -> &'static str {
    thread_local! {
        static IDS: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    IDS.with(|ids| {
        if let Some(x) = ids.borrow().iter().find(|x| **x == s) {
            return *x;
        }
        let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
        ids.borrow_mut().push(leaked);
        leaked
    })
}
