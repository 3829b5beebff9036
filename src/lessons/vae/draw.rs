//! Canvas drawing for the VAE lesson: digit tiles, the latent scatter and the per-dimension KL
//! bars. Pure functions of their inputs and the theme.

use super::model::{LatentView, INACTIVE_KL};
use crate::core::mnist::PIXELS;
use crate::ui::figure::{digit_tiles, fit_2d, Fitted, Palette, RgbaImage, TileLayout};
use crate::ui::train::fmt_num;
use web_sys::HtmlCanvasElement;

/// Digits `(n, 784)` with values in `[0, 1]` (clamped) tiled `cols` wide, one pixel per pixel
/// and a 1-pixel gutter ([`digit_tiles`]).
pub fn tiles(images: &[f32], cols: usize, pal: &Palette) -> RgbaImage {
    let cols = cols.max(1);
    let rows: Vec<&[f32]> = images.chunks(cols * PIXELS).collect();
    digit_tiles(&rows, TileLayout::gutter(cols), pal)
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
pub fn scatter(canvas: &HtmlCanvasElement, view: Option<&LatentView>, marks: &Marks, pal: &Palette) {
    let Ok(Fitted { ctx, w: cw, h: ch, .. }) = fit_2d(canvas) else { return };
    let (bg, fg, grid) = (pal.bg.to_string(), pal.text.to_string(), pal.grid.to_string());
    ctx.set_fill_style_str(&bg);
    ctx.fill_rect(0.0, 0.0, cw, ch);
    let Some(v) = view else { return };
    let sq = plot_square(cw, ch);
    let (l, t, s) = sq;
    ctx.set_stroke_style_str(&grid);
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
        ctx.set_fill_style_str(&pal.label(label as usize).to_string());
        ctx.fill_rect(x - dot / 2.0, y - dot / 2.0, dot, dot);
    }
    ctx.set_global_alpha(1.0);
    ctx.set_stroke_style_str(&fg);
    ctx.set_fill_style_str(&fg);
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
        ctx.set_stroke_style_str(&pal.highlight.to_string());
        ctx.set_line_width(2.0);
        ctx.begin_path();
        ctx.move_to(x - 9.0, y);
        ctx.line_to(x + 9.0, y);
        ctx.move_to(x, y - 9.0);
        ctx.line_to(x, y + 9.0);
        ctx.stroke();
    }
    ctx.set_fill_style_str(&fg);
    ctx.set_font("11px sans-serif");
    ctx.set_text_baseline("top");
    let _ = ctx.fill_text(&format!("±{}", fmt_num(v.range as f64)), l + 4.0, t + 3.0);
}

/// Bars of the per-dimension KL with the inactivity threshold; inactive bars are hatched grey.
pub fn kl_bars(canvas: &HtmlCanvasElement, kl: &[f32], pal: &Palette) {
    let Ok(Fitted { ctx, w: cw, h: ch, .. }) = fit_2d(canvas) else { return };
    let (bg, fg, off) = (pal.bg.to_string(), pal.text.to_string(), pal.axis.to_string());
    let on = pal.series(0).to_string();
    ctx.set_fill_style_str(&bg);
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
        ctx.set_fill_style_str(if v < INACTIVE_KL { &off } else { &on });
        ctx.fill_rect(left + j as f64 * bw + 1.0, pad + ph - h, (bw - 2.0).max(1.0), h.max(1.0));
        ctx.set_fill_style_str(&fg);
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
    ctx.set_fill_style_str(&fg);
    ctx.set_font("10px sans-serif");
    let _ = ctx.fill_text(&format!("max {}", fmt_num(top)), left, 1.0);
}
