//! Input images: decoding (built-in samples and user uploads, both through an `<img>`
//! element and an offscreen canvas) and the drawable 28×28 grid.

use super::model::fit_rgba;
use crate::page::I18n;
use crate::ui::{draw_rgba, RgbaImage};
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlCanvasElement, HtmlImageElement};
use super::GRID;

/// Largest side kept from a decoded image; larger ones are area-downscaled.
pub const MAX_DECODED_SIDE: usize = crate::core::image::UPLOAD_MAX_SIDE;

/// A decoded image and the size it had before any downscale.
pub struct Decoded {
    /// The pixels (at most [`MAX_DECODED_SIDE`] on a side).
    pub image: RgbaImage,
    /// Width and height as decoded.
    pub original: (usize, usize),
}

/// Loads and decodes the image at `url` (a sample path or an object URL).
pub async fn load_image(url: &str) -> Result<Decoded, String> {
    let img = HtmlImageElement::new().map_err(|e| format!("{e:?}"))?;
    let img2 = img.clone();
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        img2.set_onload(Some(&resolve));
        img2.set_onerror(Some(&reject));
    });
    img.set_src(url);
    JsFuture::from(loaded).await.map_err(|_| "decode".to_string())?;
    img.set_onload(None);
    img.set_onerror(None);
    let (w, h) = (img.natural_width() as usize, img.natural_height() as usize);
    if w == 0 || h == 0 {
        return Err("decode".into());
    }
    let doc = window().document().ok_or("no document")?;
    let canvas: HtmlCanvasElement =
        doc.create_element("canvas").map_err(|e| format!("{e:?}"))?.unchecked_into();
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let ctx = crate::ui::context_2d(&canvas)?;
    ctx.draw_image_with_html_image_element(&img, 0.0, 0.0).map_err(|e| format!("{e:?}"))?;
    let data = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).map_err(|e| format!("{e:?}"))?;
    let full = RgbaImage::new(w, h, data.data().0).map_err(|e| e.to_string())?;
    Ok(Decoded { image: fit_rgba(&full, MAX_DECODED_SIDE).0, original: (w, h) })
}

/// The grid's bits as an RGBA image: ink (1) white on black, like handwritten-digit data.
pub fn grid_rgba(bits: &[bool]) -> RgbaImage {
    let data = (0..GRID * GRID)
        .flat_map(|i| {
            let v = if bits.get(i).copied().unwrap_or(false) { 255 } else { 0 };
            [v, v, v, 255]
        })
        .collect();
    RgbaImage::new(GRID, GRID, data).unwrap_or_default()
}

/// A 28×28 drawable grid. Pointer (mouse, touch, pen): press on a cell to toggle it and
/// drag to paint the same value. Keyboard: arrows move the cursor, Space/Enter toggles.
#[component]
pub fn DrawGrid(
    /// The cells, row-major.
    #[prop(into)]
    bits: Signal<Vec<bool>>,
    /// Called with the new cells after each change.
    #[prop(into)]
    on_change: Callback<Vec<bool>>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let canvas = NodeRef::<Canvas>::new();
    let painting = StoredValue::new(None::<bool>);
    let cursor = RwSignal::new((GRID / 2, GRID / 2));
    let focused = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            bits.with(|b| drop(draw_rgba(&c, &grid_rgba(b))));
        }
    });
    let set_cell = move |i: usize, v: bool| {
        let mut b = bits.get_untracked();
        b.resize(GRID * GRID, false);
        if b[i] != v {
            b[i] = v;
            on_change.run(b);
        }
    };
    let cell_of = move |ev: &web_sys::PointerEvent| -> Option<usize> {
        let c = canvas.get_untracked()?;
        let (cw, ch) = (c.client_width().max(1) as f64, c.client_height().max(1) as f64);
        let x = (ev.offset_x() as f64 / cw * GRID as f64).floor();
        let y = (ev.offset_y() as f64 / ch * GRID as f64).floor();
        (x >= 0.0 && y >= 0.0 && x < GRID as f64 && y < GRID as f64)
            .then(|| y as usize * GRID + x as usize)
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let (x, y) = cursor.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowLeft" => (x.saturating_sub(1), y),
            "ArrowRight" => ((x + 1).min(GRID - 1), y),
            "ArrowUp" => (x, y.saturating_sub(1)),
            "ArrowDown" => (x, (y + 1).min(GRID - 1)),
            " " | "Enter" => {
                let i = y * GRID + x;
                let on = bits.with_untracked(|b| b.get(i).copied().unwrap_or(false));
                set_cell(i, !on);
                ev.prevent_default();
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        cursor.set(next);
    };
    let cursor_style = move || {
        let (x, y) = cursor.get();
        let s = 100.0 / GRID as f64;
        format!("left:{:.4}%;top:{:.4}%;width:{s:.4}%;height:{s:.4}%", x as f64 * s, y as f64 * s)
    };
    view! {
        <div class="draw-grid">
            <div class="w-heatmap">
                <canvas
                    node_ref=canvas
                    class="draw-canvas"
                    tabindex="0"
                    role="application"
                    data-testid="conv-draw-grid"
                    aria-label=move || i18n.t("conv.draw.aria")
                    aria-roledescription=move || i18n.t("conv.draw.role")
                    on:focus=move |_| focused.set(true)
                    on:blur=move |_| focused.set(false)
                    on:keydown=on_key
                    on:pointerdown=move |ev| {
                        if let Some(i) = cell_of(&ev) {
                            let on = bits.with_untracked(|b| b.get(i).copied().unwrap_or(false));
                            painting.set_value(Some(!on));
                            if let Some(c) = canvas.get_untracked() {
                                let _ = c.set_pointer_capture(ev.pointer_id());
                            }
                            set_cell(i, !on);
                            cursor.set((i % GRID, i / GRID));
                        }
                    }
                    on:pointermove=move |ev| {
                        if let (Some(v), Some(i)) = (painting.get_value(), cell_of(&ev)) {
                            set_cell(i, v);
                        }
                    }
                    on:pointerup=move |_| painting.set_value(None)
                    on:pointercancel=move |_| painting.set_value(None)
                ></canvas>
                <Show when=move || focused.get()>
                    <div class="w-hl hl-cursor" style=cursor_style aria-hidden="true"></div>
                </Show>
            </div>
            <p class="hint">{move || i18n.t("conv.draw.hint")}</p>
            <button type="button" data-testid="conv-draw-clear" on:click=move |_| on_change.run(vec![false; GRID * GRID])>
                {move || i18n.t("conv.draw.clear")}
            </button>
        </div>
    }
}
