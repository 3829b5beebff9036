//! The code panel: the validation digits' 2-D codes coloured by label (z = 2 only).

use super::super::{Knobs, Split};
use super::super::view::Snapshot;
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::figure::{fit_2d, Fitted, Palette};
use crate::ui::ExportButtons;
use leptos::html::Canvas;
use leptos::prelude::*;
use std::rc::Rc;

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

/// The scatter (`ae-scatter`), its legend, and the hint with `ae-z2` when z ≠ 2.
#[component]
pub fn CodesPanel(
    /// The page's train/validation split (labels).
    split: RwSignal<Option<Rc<Split>>, LocalStorage>,
    /// What the run last published.
    snapshot: RwSignal<Option<Snapshot>, LocalStorage>,
    /// The code size.
    z: Memo<usize>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
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


    view! {
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
