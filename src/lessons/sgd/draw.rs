//! Canvas drawing for the lesson's plots: a loss surface as a shaded image with contour lines,
//! paths, markers and arrows in world coordinates, and a small line chart. Everything maps
//! through a [`Frame`] (world box → canvas pixels, y up) and clamps far-away points so a
//! runaway value never reaches the canvas API.

use crate::core::surfaces::{Grid, Segment, ViewBox};
use crate::ui::figure::Palette;
use wasm_bindgen::Clamped;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The colour-blind-safe Okabe–Ito colours used for the five optimizers (SGD, momentum,
/// Nesterov, RMSProp, Adam), with a distinct dash pattern and marker for each, so colour is
/// never the only cue.
pub const COLOURS: [&str; 5] = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00"];

/// Dash pattern per optimizer (canvas `setLineDash` values, px).
pub const DASHES: [&[f64]; 5] =
    [&[], &[7.0, 4.0], &[2.0, 3.0], &[9.0, 3.0, 2.0, 3.0], &[12.0, 4.0]];

/// Marker shape per optimizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Filled circle.
    Circle,
    /// Filled square.
    Square,
    /// Filled triangle.
    Triangle,
    /// Filled diamond.
    Diamond,
    /// Filled five-point star-like pentagon.
    Pentagon,
}

/// The marker of each optimizer, in [`COLOURS`] order.
pub const MARKERS: [Marker; 5] =
    [Marker::Circle, Marker::Square, Marker::Triangle, Marker::Diamond, Marker::Pentagon];

/// Colours that follow the theme, from the page's [`Palette`].
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Foreground (text, axes, markers' outlines).
    pub fg: String,
    /// Contour lines: the foreground at 30 % opacity.
    pub contour: String,
    /// Figure background.
    pub bg: String,
    /// The full-batch path (series colour 0).
    pub full: String,
    /// Surface shading: low value colour (the page background) and high value colour (45 %
    /// of the way to the accent), RGB.
    pub low: [u8; 3],
    /// See `low`.
    pub high: [u8; 3],
}

impl Theme {
    /// The theme of `pal`.
    pub fn new(pal: &Palette) -> Self {
        Theme {
            fg: pal.text.to_string(),
            contour: pal.text.alpha(0.3),
            bg: pal.bg.to_string(),
            full: pal.series(0).to_string(),
            low: pal.page.channels(),
            high: pal.page.mix(pal.accent, 0.45).channels(),
        }
    }
}

/// A world rectangle drawn into a `w × h` pixel canvas (y axis pointing up).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// The world box.
    pub view: ViewBox,
    /// Canvas width in px.
    pub w: f64,
    /// Canvas height in px.
    pub h: f64,
}

impl Frame {
    /// World → canvas pixels, clamped to three canvas sizes around the canvas (far points
    /// still draw as a line leaving the plot, never as a huge or non-finite coordinate).
    pub fn px(&self, x: f64, y: f64) -> (f64, f64) {
        let (u, v) = self.view.to_unit(x, y);
        let fix = |a: f64| if a.is_finite() { a.clamp(-3.0, 4.0) } else { 0.0 };
        (fix(u) * self.w, fix(v) * self.h)
    }
}

/// Shades a grid by the rank of each value among all values (even use of the colour ramp,
/// whatever the surface's range), bilinearly resampled to `w × h` canvas pixels.
pub fn shade(grid: &Grid, w: usize, h: usize, theme: &Theme) -> Vec<u8> {
    let mut sorted: Vec<f64> = grid.values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len().max(1) as f64;
    let rank = |v: f64| sorted.partition_point(|&s| s < v) as f64 / n;
    let ranks: Vec<f64> =
        grid.values.iter().map(|&v| if v.is_finite() { rank(v) } else { 1.0 }).collect();
    let mut out = vec![0u8; w * h * 4];
    for py in 0..h {
        // Canvas row 0 is the top (y1); grid row 0 is the bottom (y0).
        let gy = (1.0 - (py as f64 + 0.5) / h as f64) * (grid.h - 1) as f64;
        let (j0, fy) = (gy.floor() as usize, gy.fract());
        let j1 = (j0 + 1).min(grid.h - 1);
        for px in 0..w {
            let gx = (px as f64 + 0.5) / w as f64 * (grid.w - 1) as f64;
            let (i0, fx) = (gx.floor() as usize, gx.fract());
            let i1 = (i0 + 1).min(grid.w - 1);
            let r = |i: usize, j: usize| ranks[j * grid.w + i];
            let t = (r(i0, j0) * (1.0 - fx) + r(i1, j0) * fx) * (1.0 - fy)
                + (r(i0, j1) * (1.0 - fx) + r(i1, j1) * fx) * fy;
            let o = (py * w + px) * 4;
            for c in 0..3 {
                out[o + c] = (theme.low[c] as f64
                    + t * (theme.high[c] as f64 - theme.low[c] as f64))
                    .round() as u8;
            }
            out[o + 3] = 255;
        }
    }
    out
}

/// Puts an RGBA buffer of the canvas's size at the origin.
pub fn put(ctx: &CanvasRenderingContext2d, rgba: &[u8], w: u32, h: u32) {
    if rgba.len() != (w * h * 4) as usize {
        return;
    }
    if let Ok(img) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), w, h) {
        let _ = ctx.put_image_data(&img, 0.0, 0.0);
    }
}

/// Strokes contour segments.
pub fn contours(ctx: &CanvasRenderingContext2d, f: &Frame, segs: &[Segment], colour: &str) {
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(1.0);
    let _ = ctx.set_line_dash(&js_sys::Array::new());
    ctx.begin_path();
    for [a, b] in segs {
        let (ax, ay) = f.px(a.0, a.1);
        let (bx, by) = f.px(b.0, b.1);
        ctx.move_to(ax, ay);
        ctx.line_to(bx, by);
    }
    ctx.stroke();
}

fn dash(ctx: &CanvasRenderingContext2d, pattern: &[f64]) {
    let arr = js_sys::Array::new();
    for v in pattern {
        arr.push(&(*v).into());
    }
    let _ = ctx.set_line_dash(&arr);
}

/// A polyline through world points.
pub fn path(
    ctx: &CanvasRenderingContext2d,
    f: &Frame,
    pts: &[(f64, f64)],
    colour: &str,
    width: f64,
    pattern: &[f64],
) {
    if pts.len() < 2 {
        return;
    }
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(width);
    ctx.set_line_join("round");
    dash(ctx, pattern);
    ctx.begin_path();
    let (x, y) = f.px(pts[0].0, pts[0].1);
    ctx.move_to(x, y);
    for p in &pts[1..] {
        let (x, y) = f.px(p.0, p.1);
        ctx.line_to(x, y);
    }
    ctx.stroke();
    dash(ctx, &[]);
}

/// A filled marker of radius `r` px at a canvas position, outlined in `outline`.
pub fn marker(
    ctx: &CanvasRenderingContext2d,
    (x, y): (f64, f64),
    m: Marker,
    r: f64,
    fill: &str,
    outline: &str,
) {
    ctx.begin_path();
    let poly = |k: usize, rot: f64| {
        for i in 0..k {
            let a = rot + i as f64 * std::f64::consts::TAU / k as f64;
            let (px, py) = (x + r * a.cos(), y + r * a.sin());
            if i == 0 {
                ctx.move_to(px, py);
            } else {
                ctx.line_to(px, py);
            }
        }
        ctx.close_path();
    };
    let quarter = std::f64::consts::FRAC_PI_4;
    match m {
        Marker::Circle => {
            let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
        }
        Marker::Square => poly(4, quarter),
        Marker::Triangle => poly(3, -std::f64::consts::FRAC_PI_2),
        Marker::Diamond => poly(4, 0.0),
        Marker::Pentagon => poly(5, -std::f64::consts::FRAC_PI_2),
    }
    ctx.set_fill_style_str(fill);
    ctx.fill();
    ctx.set_stroke_style_str(outline);
    ctx.set_line_width(1.5);
    dash(ctx, &[]);
    ctx.stroke();
}

/// An ✕ of half-size `r` px (a divergence or a saddle point).
pub fn cross(ctx: &CanvasRenderingContext2d, (x, y): (f64, f64), r: f64, colour: &str, width: f64) {
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(width);
    dash(ctx, &[]);
    ctx.begin_path();
    ctx.move_to(x - r, y - r);
    ctx.line_to(x + r, y + r);
    ctx.move_to(x + r, y - r);
    ctx.line_to(x - r, y + r);
    ctx.stroke();
}

/// An arrow between canvas positions.
pub fn arrow(
    ctx: &CanvasRenderingContext2d,
    from: (f64, f64),
    to: (f64, f64),
    colour: &str,
    width: f64,
) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let len = dx.hypot(dy);
    if len < 1e-6 {
        return;
    }
    ctx.set_stroke_style_str(colour);
    ctx.set_fill_style_str(colour);
    ctx.set_line_width(width);
    dash(ctx, &[]);
    ctx.begin_path();
    ctx.move_to(from.0, from.1);
    ctx.line_to(to.0, to.1);
    ctx.stroke();
    let head = (3.0 * width + 4.0).min(len * 0.6);
    let (ux, uy) = (dx / len, dy / len);
    ctx.begin_path();
    ctx.move_to(to.0, to.1);
    ctx.line_to(to.0 - head * ux + head * 0.5 * uy, to.1 - head * uy - head * 0.5 * ux);
    ctx.line_to(to.0 - head * ux - head * 0.5 * uy, to.1 - head * uy + head * 0.5 * ux);
    ctx.close_path();
    ctx.fill();
}

/// Text at a canvas position.
pub fn label(ctx: &CanvasRenderingContext2d, text: &str, (x, y): (f64, f64), colour: &str) {
    ctx.set_fill_style_str(colour);
    ctx.set_font("13px system-ui, sans-serif");
    let _ = ctx.fill_text(text, x, y);
}

/// Paints a static layer (surface shading, contours, landmarks) once into an off-screen canvas
/// of `w × h` px, so each animation frame copies it with one `drawImage` instead of
/// re-stroking thousands of contour segments.
pub fn layer(
    w: u32,
    h: u32,
    paint: impl FnOnce(&CanvasRenderingContext2d),
) -> Option<HtmlCanvasElement> {
    let doc = web_sys::window()?.document()?;
    let c: HtmlCanvasElement = doc.create_element("canvas").ok()?.dyn_into().ok()?;
    c.set_width(w);
    c.set_height(h);
    let ctx = crate::ui::context_2d(&c).ok()?;
    paint(&ctx);
    Some(c)
}

/// Copies a layer onto a canvas at the origin.
pub fn blit(ctx: &CanvasRenderingContext2d, layer: &HtmlCanvasElement) {
    let _ = ctx.draw_image_with_html_canvas_element(layer, 0.0, 0.0);
}
