//! A canvas fitted to the screen: its backing store is its CSS box × `devicePixelRatio`
//! (`w_px = round(w_css · dpr)`, `dpr ≥ 1`), so lines and text stay sharp on high-density
//! screens, and the 2-D context is scaled by `dpr` so drawing code works in CSS pixels.
//! The backing store is only reassigned when its size changes (reassigning clears it).

use super::RgbaImage;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The window's device pixel ratio, at least 1 (1 outside a window).
pub fn device_pixel_ratio() -> f64 {
    web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0)
}

/// A canvas's CSS size and the ratio its backing store was sized with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backing {
    /// CSS width (px, ≥ 1).
    pub css_w: f64,
    /// CSS height (px, ≥ 1).
    pub css_h: f64,
    /// Device pixels per CSS pixel (≥ 1).
    pub dpr: f64,
}

/// Sizes `canvas`'s backing store to its CSS box × device pixel ratio; no context is touched
/// (for plotters, which draws in backing pixels: scale its sizes by [`Backing::dpr`]).
/// A canvas with no box (hidden, not laid out) keeps its backing store, taken as
/// `backing / dpr` CSS pixels: shrinking it would also shrink a canvas sized by its
/// attributes once it is shown.
pub fn fit_backing(canvas: &HtmlCanvasElement) -> Backing {
    let dpr = device_pixel_ratio();
    let (client_w, client_h) = (canvas.client_width(), canvas.client_height());
    if client_w <= 0 || client_h <= 0 {
        let css = |px: u32| (f64::from(px) / dpr).max(1.0);
        return Backing { css_w: css(canvas.width()), css_h: css(canvas.height()), dpr };
    }
    let (css_w, css_h) = (f64::from(client_w), f64::from(client_h));
    let (w, h) = ((css_w * dpr).round() as u32, (css_h * dpr).round() as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    Backing { css_w, css_h, dpr }
}

/// A fitted canvas's context, drawing in CSS pixels, and its size.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The 2-D context, transform `scale(dpr)`.
    pub ctx: CanvasRenderingContext2d,
    /// CSS width (px).
    pub w: f64,
    /// CSS height (px).
    pub h: f64,
    /// Device pixels per CSS pixel.
    pub dpr: f64,
}

/// Fits `canvas` ([`fit_backing`]) and returns its 2-D context scaled by the ratio, so that
/// `(0, 0)–(w, h)` in CSS pixels covers the canvas.
pub fn fit_2d(canvas: &HtmlCanvasElement) -> Result<Fitted, String> {
    let b = fit_backing(canvas);
    let ctx = context_2d(canvas)?;
    ctx.set_transform(b.dpr, 0.0, 0.0, b.dpr, 0.0, 0.0).map_err(|e| format!("{e:?}"))?;
    Ok(Fitted { ctx, w: b.css_w, h: b.css_h, dpr: b.dpr })
}

/// The 2-D context of a canvas.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .map_err(|e| format!("{e:?}"))?
        .ok_or_else(|| "no 2d context".to_string())?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| "not a 2d context".to_string())
}

/// Draws `img` into `canvas` one pixel per pixel, resizing the canvas to the image's size
/// (CSS scales it, `image-rendering: pixelated` where the widget asks for it).
pub fn draw_rgba(canvas: &HtmlCanvasElement, img: &RgbaImage) -> Result<(), String> {
    let (w, h) = (img.width() as u32, img.height() as u32);
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = context_2d(canvas)?;
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(img.data()), w, h)
        .map_err(|e| format!("{e:?}"))?;
    ctx.put_image_data(&data, 0.0, 0.0).map_err(|e| format!("{e:?}"))
}
