//! Canvas drawing for the VAE lesson: digit tiles, the latent scatter and the per-dimension KL
//! bars. Pure functions of their inputs and the theme.

use super::model::{LatentView, INACTIVE_KL};
use crate::core::mnist::{PIXELS, SIDE};
use crate::ui::train::fmt_num;
use crate::ui::RgbaImage;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// Ten label colours (Tableau 10), readable on light and dark backgrounds.
pub const LABEL_COLORS: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// Digits `(n, 784)` with values in `[0, 1]` (clamped) tiled `cols` wide, one pixel per pixel
/// and a 1-pixel gutter: ink dark on light (light theme) or light on dark.
pub fn tiles(images: &[f32], cols: usize, dark: bool) -> RgbaImage {
    let n = images.len() / PIXELS;
    let cols = cols.max(1);
    let rows = n.div_ceil(cols).max(1);
    let cell = SIDE + 1;
    let (width, height) = (cols * cell + 1, rows * cell + 1);
    let gutter = if dark { 60u8 } else { 200u8 };
    let mut data = vec![0u8; width * height * 4];
    for px in data.chunks_exact_mut(4) {
        px.copy_from_slice(&[gutter, gutter, gutter, 255]);
    }
    for (k, img) in images.chunks_exact(PIXELS).enumerate() {
        let (ox, oy) = (1 + (k % cols) * cell, 1 + (k / cols) * cell);
        for (p, v) in img.iter().enumerate() {
            let v = if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 };
            let g =
                if dark { (v * 255.0).round() as u8 } else { ((1.0 - v) * 255.0).round() as u8 };
            let (x, y) = (ox + p % SIDE, oy + p / SIDE);
            let at = (y * width + x) * 4;
            data[at..at + 4].copy_from_slice(&[g, g, g, 255]);
        }
    }
    RgbaImage { width, height, data }
}

/// The 2-D context with the canvas sized to its CSS box × device pixel ratio, scaled so that
/// drawing uses CSS pixels. Returns the context and the CSS size.
pub fn fit(canvas: &HtmlCanvasElement) -> Option<(CanvasRenderingContext2d, f64, f64)> {
    let dpr = web_sys::window()?.device_pixel_ratio().max(1.0);
    let (cw, ch) = (canvas.client_width().max(1) as f64, canvas.client_height().max(1) as f64);
    let (w, h) = ((cw * dpr).round() as u32, (ch * dpr).round() as u32);
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let ctx = canvas.get_context("2d").ok()??.dyn_into::<CanvasRenderingContext2d>().ok()?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok()?;
    Some((ctx, cw, ch))
}

/// The plot square of the scatter in CSS pixels: `(left, top, side)`.
pub fn plot_square(cw: f64, ch: f64) -> (f64, f64, f64) {
    let pad = 6.0;
    let side = (cw.min(ch) - 2.0 * pad).max(1.0);
    ((cw - side) / 2.0, (ch - side) / 2.0, side)
}

/// Plane coordinates → CSS pixels.
pub fn to_px(a: f32, b: f32, range: f32, sq: (f64, f64, f64)) -> (f64, f64) {
    let (l, t, s) = sq;
    let r = range.max(1e-3) as f64;
    (l + (a as f64 + r) / (2.0 * r) * s, t + (r - b as f64) / (2.0 * r) * s)
}

/// CSS pixels → plane coordinates.
pub fn from_px(x: f64, y: f64, range: f32, sq: (f64, f64, f64)) -> (f32, f32) {
    let (l, t, s) = sq;
    let r = range.max(1e-3) as f64;
    (((x - l) / s * 2.0 * r - r) as f32, (r - (y - t) / s * 2.0 * r) as f32)
}

/// The selected digit's `μ` and `z` (plane coordinates) and, for a 2-D latent, `σ` per axis.
pub type Selected = ((f32, f32), (f32, f32), Option<(f32, f32)>);

/// Extra marks on the scatter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marks {
    /// The probe (decoded point), plane coordinates.
    pub probe: Option<(f32, f32)>,
    /// The selected digit's `μ`, `z = μ + σ ⊙ ε` and, for a 2-D latent, `σ` per axis.
    pub selected: Option<Selected>,
    /// The interpolation segment between two digits' `μ`.
    pub segment: Option<((f32, f32), (f32, f32))>,
}

/// Draws the validation codes coloured by label, the axes through 0 and the marks.
pub fn scatter(canvas: &HtmlCanvasElement, view: Option<&LatentView>, marks: &Marks, dark: bool) {
    let Some((ctx, cw, ch)) = fit(canvas) else { return };
    let (bg, fg, grid) =
        if dark { ("#1c1f24", "#e6e6e6", "#444") } else { ("#fff", "#222", "#ddd") };
    ctx.set_fill_style_str(bg);
    ctx.fill_rect(0.0, 0.0, cw, ch);
    let Some(v) = view else { return };
    let sq = plot_square(cw, ch);
    let (l, t, s) = sq;
    ctx.set_stroke_style_str(grid);
    ctx.set_line_width(1.0);
    ctx.stroke_rect(l, t, s, s);
    let (ox, oy) = to_px(0.0, 0.0, v.range, sq);
    ctx.begin_path();
    ctx.move_to(l, oy);
    ctx.line_to(l + s, oy);
    ctx.move_to(ox, t);
    ctx.line_to(ox, t + s);
    ctx.stroke();
    let dot = if s > 300.0 { 3.0 } else { 2.4 };
    ctx.set_global_alpha(0.8);
    for (&(a, b), &label) in v.points.iter().zip(&v.labels) {
        if !(a.is_finite() && b.is_finite()) {
            continue;
        }
        let (x, y) = to_px(a, b, v.range, sq);
        ctx.set_fill_style_str(LABEL_COLORS[label as usize % 10]);
        ctx.fill_rect(x - dot / 2.0, y - dot / 2.0, dot, dot);
    }
    ctx.set_global_alpha(1.0);
    ctx.set_stroke_style_str(fg);
    ctx.set_fill_style_str(fg);
    ctx.set_line_width(2.0);
    if let Some(((a0, b0), (a1, b1))) = marks.segment {
        let (x0, y0) = to_px(a0, b0, v.range, sq);
        let (x1, y1) = to_px(a1, b1, v.range, sq);
        ctx.begin_path();
        ctx.move_to(x0, y0);
        ctx.line_to(x1, y1);
        ctx.stroke();
        for (x, y, tag) in [(x0, y0, "A"), (x1, y1, "B")] {
            ctx.fill_rect(x - 3.0, y - 3.0, 6.0, 6.0);
            ctx.set_font("bold 12px sans-serif");
            let _ = ctx.fill_text(tag, x + 5.0, y - 5.0);
        }
    }
    if let Some(((ma, mb), (za, zb), sigma)) = marks.selected {
        let (mx, my) = to_px(ma, mb, v.range, sq);
        if let Some((sa, sb)) = sigma {
            let px = s / (2.0 * v.range.max(1e-3) as f64);
            ctx.begin_path();
            let _ = ctx.ellipse(
                mx,
                my,
                (sa as f64 * px).max(0.5),
                (sb as f64 * px).max(0.5),
                0.0,
                0.0,
                std::f64::consts::TAU,
            );
            ctx.set_line_width(1.0);
            ctx.stroke();
        }
        ctx.set_line_width(2.0);
        ctx.begin_path();
        let _ = ctx.arc(mx, my, 5.0, 0.0, std::f64::consts::TAU);
        ctx.stroke();
        let (zx, zy) = to_px(za, zb, v.range, sq);
        ctx.begin_path();
        ctx.move_to(zx - 5.0, zy - 5.0);
        ctx.line_to(zx + 5.0, zy + 5.0);
        ctx.move_to(zx + 5.0, zy - 5.0);
        ctx.line_to(zx - 5.0, zy + 5.0);
        ctx.stroke();
    }
    if let Some((a, b)) = marks.probe {
        let (x, y) = to_px(a, b, v.range, sq);
        ctx.set_stroke_style_str(if dark { "#ffd34d" } else { "#c00" });
        ctx.set_line_width(2.0);
        ctx.begin_path();
        ctx.move_to(x - 9.0, y);
        ctx.line_to(x + 9.0, y);
        ctx.move_to(x, y - 9.0);
        ctx.line_to(x, y + 9.0);
        ctx.stroke();
    }
    ctx.set_fill_style_str(fg);
    ctx.set_font("11px sans-serif");
    ctx.set_text_baseline("top");
    let _ = ctx.fill_text(&format!("±{}", fmt_num(v.range as f64)), l + 4.0, t + 3.0);
}

/// Bars of the per-dimension KL with the inactivity threshold; inactive bars are hatched grey.
pub fn kl_bars(canvas: &HtmlCanvasElement, kl: &[f32], dark: bool) {
    let Some((ctx, cw, ch)) = fit(canvas) else { return };
    let (bg, fg, off) =
        if dark { ("#1c1f24", "#e6e6e6", "#666") } else { ("#fff", "#222", "#aaa") };
    ctx.set_fill_style_str(bg);
    ctx.fill_rect(0.0, 0.0, cw, ch);
    if kl.is_empty() {
        return;
    }
    let top = kl.iter().copied().filter(|v| v.is_finite()).fold(0.5f32, f32::max) as f64;
    let (left, bottom, pad) = (4.0, 16.0, 14.0);
    let (pw, ph) = ((cw - 2.0 * left).max(1.0), (ch - bottom - pad).max(1.0));
    let bw = pw / kl.len() as f64;
    for (j, &v) in kl.iter().enumerate() {
        let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
        let h = ph * v as f64 / top;
        ctx.set_fill_style_str(if v < INACTIVE_KL { off } else { LABEL_COLORS[0] });
        ctx.fill_rect(left + j as f64 * bw + 1.0, pad + ph - h, (bw - 2.0).max(1.0), h.max(1.0));
        ctx.set_fill_style_str(fg);
        ctx.set_font("10px sans-serif");
        ctx.set_text_align("center");
        ctx.set_text_baseline("top");
        let _ =
            ctx.fill_text(&format!("{}", j + 1), left + (j as f64 + 0.5) * bw, ch - bottom + 3.0);
        if bw > 28.0 {
            ctx.set_text_baseline("bottom");
            let _ = ctx.fill_text(&fmt_num(v as f64), left + (j as f64 + 0.5) * bw, pad + ph - h);
        }
    }
    ctx.set_text_align("left");
    ctx.set_text_baseline("top");
    ctx.set_fill_style_str(fg);
    ctx.set_font("10px sans-serif");
    let _ = ctx.fill_text(&format!("max {}", fmt_num(top)), left, 1.0);
}
