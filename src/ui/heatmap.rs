//! A heatmap canvas: an RGBA image drawn at its native resolution and scaled by CSS with
//! nearest-neighbour sampling (`image-rendering: pixelated`), so each value stays one crisp
//! square. Pointer hover reports the cell under the pointer; highlight rectangles are drawn
//! as overlays in percentages of the image, so they stay aligned at any display size.

use super::figure::{draw_rgba, RgbaImage};
use leptos::html::Canvas;
use leptos::prelude::*;

/// A rectangle of cells `[x0, x1) × [y0, y1)` to outline over a heatmap, with a CSS class.
#[derive(Debug, Clone, PartialEq)]
pub struct Highlight {
    /// First column.
    pub x0: usize,
    /// First row.
    pub y0: usize,
    /// One past the last column.
    pub x1: usize,
    /// One past the last row.
    pub y1: usize,
    /// Extra CSS class (`hl-window`, `hl-pixel`…).
    pub class: &'static str,
}

/// A heatmap canvas with optional hover/click reporting and highlight overlays.
#[component]
pub fn Heatmap(
    /// The image to show (redrawn whenever it changes).
    #[prop(into)]
    image: Signal<RgbaImage>,
    /// Translated text alternative.
    #[prop(into)]
    aria_label: Signal<String>,
    /// `data-testid` of the canvas.
    #[prop(into, optional)]
    testid: String,
    /// Gives the caller the canvas (e.g. for PNG export).
    #[prop(optional)]
    node_ref: Option<NodeRef<Canvas>>,
    /// Called with the cell under the pointer (`None` when it leaves).
    #[prop(optional, into)]
    on_hover: Option<Callback<Option<(usize, usize)>>>,
    /// Called with the clicked cell `(x, y)`.
    #[prop(optional, into)]
    on_pick: Option<Callback<(usize, usize)>>,
    /// Overlays to outline.
    #[prop(optional, into)]
    highlights: Option<Signal<Vec<Highlight>>>,
) -> impl IntoView {
    let canvas = node_ref.unwrap_or_default();
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            image.with(|img| {
                if let Err(e) = draw_rgba(&c, img) {
                    web_sys::console::warn_1(&e.into());
                }
            });
        }
    });
    let cell = move |ev: &web_sys::MouseEvent| -> Option<(usize, usize)> {
        let c = canvas.get_untracked()?;
        let (w, h) = image.with_untracked(|i| (i.width(), i.height()));
        let (cw, ch) = (c.client_width().max(1) as f64, c.client_height().max(1) as f64);
        let x = (ev.offset_x() as f64 / cw * w as f64).floor();
        let y = (ev.offset_y() as f64 / ch * h as f64).floor();
        (x >= 0.0 && y >= 0.0 && (x as usize) < w && (y as usize) < h)
            .then_some((x as usize, y as usize))
    };
    let overlays = move || {
        let (w, h) = image.with(|i| (i.width() as f64, i.height() as f64));
        highlights
            .map(|hs| hs.get())
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let style = format!(
                    "left:{:.4}%;top:{:.4}%;width:{:.4}%;height:{:.4}%",
                    r.x0 as f64 / w * 100.0,
                    r.y0 as f64 / h * 100.0,
                    (r.x1.saturating_sub(r.x0)) as f64 / w * 100.0,
                    (r.y1.saturating_sub(r.y0)) as f64 / h * 100.0
                );
                view! { <div class=format!("w-hl {}", r.class) style=style aria-hidden="true"></div> }
            })
            .collect_view()
    };
    view! {
        <div class="w-heatmap">
            <canvas
                node_ref=canvas
                role="img"
                aria-label=move || aria_label.get()
                data-testid=testid
                on:pointermove=move |ev| {
                    if let Some(cb) = on_hover {
                        cb.run(cell(&ev));
                    }
                }
                on:pointerleave=move |_| {
                    if let Some(cb) = on_hover {
                        cb.run(None);
                    }
                }
                on:click=move |ev| {
                    if let (Some(cb), Some(c)) = (on_pick, cell(&ev)) {
                        cb.run(c);
                    }
                }
            ></canvas>
            {overlays}
        </div>
    }
}
