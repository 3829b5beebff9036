//! The theme's colours for canvas drawing, read from the CSS variables the stylesheet defines
//! on `:root` for light and dark (`www/style.css`), so a figure and the page around it agree.
//!
//! [`Palette::of`] reads [`Appearance::is_dark`] (so an effect that calls it redraws when the
//! theme or the system scheme changes), then `getComputedStyle(document.documentElement)`.
//! A variable that is missing or unparseable takes the stylesheet's own value for that theme
//! ([`Palette::fallback`]); so does every variable while the stylesheet has not yet switched
//! theme (its `--panel` is light when a dark palette is asked for, or the reverse); those
//! fallback reads are not cached, a palette read from the stylesheet is (one per theme).

use super::Rgb;
use crate::core::color;
use crate::page::Appearance;
use std::cell::Cell;
use wasm_bindgen::{JsCast, JsValue};

/// Colours of one theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Whether this is the dark theme's palette.
    pub dark: bool,
    /// Figure background (`--panel`).
    pub bg: Rgb,
    /// Page background (`--bg`), for shading that fades into the page.
    pub page: Rgb,
    /// Text, marks and the foreground (`--fg`).
    pub text: Rgb,
    /// Secondary text and captions (`--muted`).
    pub muted: Rgb,
    /// Grid lines and hairlines (`--line`).
    pub grid: Rgb,
    /// Axes, frames and inactive bars (`--border`).
    pub axis: Rgb,
    /// The accent (`--accent`).
    pub accent: Rgb,
    /// Positive numbers (`--pos`).
    pub pos: Rgb,
    /// Negative numbers (`--neg`).
    pub neg: Rgb,
    /// Errors and invalid regions (`--danger`).
    pub danger: Rgb,
    /// Background of error regions (`--danger-soft`).
    pub danger_soft: Rgb,
    /// A mark that must stand out, e.g. a probe (`--focus`).
    pub highlight: Rgb,
}

thread_local! {
    /// Palettes read from the stylesheet: `[light, dark]`.
    static CACHE: Cell<[Option<Palette>; 2]> = const { Cell::new([None, None]) };
}

const LIGHT: Palette = Palette {
    dark: false,
    bg: Rgb(0xff, 0xff, 0xff),
    page: Rgb(0xfb, 0xfb, 0xfd),
    text: Rgb(0x1b, 0x1d, 0x23),
    muted: Rgb(0x59, 0x60, 0x70),
    grid: Rgb(0xdd, 0xe1, 0xe9),
    axis: Rgb(0x8a, 0x93, 0xa6),
    accent: Rgb(0x1f, 0x5f, 0xd1),
    pos: Rgb(0xc2, 0x41, 0x0c),
    neg: Rgb(0x1d, 0x4e, 0xd8),
    danger: Rgb(0xb4, 0x23, 0x18),
    danger_soft: Rgb(0xfd, 0xec, 0xea),
    highlight: Rgb(0xd9, 0x48, 0x0f),
};

const DARK: Palette = Palette {
    dark: true,
    bg: Rgb(0x19, 0x1c, 0x23),
    page: Rgb(0x11, 0x13, 0x18),
    text: Rgb(0xe6, 0xe8, 0xee),
    muted: Rgb(0xa3, 0xaa, 0xbb),
    grid: Rgb(0x2c, 0x31, 0x3c),
    axis: Rgb(0x6b, 0x73, 0x85),
    accent: Rgb(0x7a, 0xa7, 0xff),
    pos: Rgb(0xfb, 0x92, 0x3c),
    neg: Rgb(0x60, 0xa5, 0xfa),
    danger: Rgb(0xff, 0x8a, 0x80),
    danger_soft: Rgb(0x3a, 0x1d, 0x1d),
    highlight: Rgb(0xff, 0xb4, 0x54),
};

impl Palette {
    /// The stylesheet's values for the light or `dark` theme (no DOM read).
    pub fn fallback(dark: bool) -> Palette {
        if dark {
            DARK
        } else {
            LIGHT
        }
    }

    /// The palette of `appearance`'s theme (reactive: tracks the theme and system scheme).
    pub fn of(appearance: &Appearance) -> Palette {
        Palette::read(appearance.is_dark())
    }

    /// The current appearance's palette ([`Appearance::current`], then [`Palette::of`]).
    pub fn current() -> Palette {
        Palette::of(&Appearance::current())
    }

    /// The CSS variables of the document element, for the light or `dark` theme. A palette
    /// read from the stylesheet is kept per theme (figures redraw every training frame, and
    /// `getComputedStyle` would force a style recalculation each time).
    pub fn read(dark: bool) -> Palette {
        if let Some(p) = CACHE.with(|c| c.get()[usize::from(dark)]) {
            return p;
        }
        let base = Palette::fallback(dark);
        let Some(var) = css_reader() else { return base };
        let get =
            |name: &str, default: Rgb| var(name).and_then(|v| Rgb::parse(&v)).unwrap_or(default);
        let Some(bg) = var("--panel").and_then(|v| Rgb::parse(&v)) else { return base };
        // The stylesheet has not switched yet: its values belong to the other theme.
        if (bg.luminance() < 0.2) != dark {
            return base;
        }
        let p = Palette {
            dark,
            bg,
            page: get("--bg", base.page),
            text: get("--fg", base.text),
            muted: get("--muted", base.muted),
            grid: get("--line", base.grid),
            axis: get("--border", base.axis),
            accent: get("--accent", base.accent),
            pos: get("--pos", base.pos),
            neg: get("--neg", base.neg),
            danger: get("--danger", base.danger),
            danger_soft: get("--danger-soft", base.danger_soft),
            highlight: get("--focus", base.highlight),
        };
        CACHE.with(|c| {
            let mut both = c.get();
            both[usize::from(dark)] = Some(p);
            c.set(both);
        });
        p
    }

    /// The book's colour of class (digit) `label`, 0–9, for this theme ([`color::labels`]).
    pub fn label(&self, label: usize) -> Rgb {
        color::labels(label, self.dark)
    }

    /// Colour of data series `i` (wrapping) for this theme ([`color::series`]).
    pub fn series(&self, i: usize) -> Rgb {
        color::series(i, self.dark)
    }

    /// Ink of a digit pixel of value `v ∈ [0, 1]` (dark ink on light, light ink on dark):
    /// grey level `255·(1 − v)` in the light theme, `255·v` in the dark one.
    pub fn ink(&self, v: f32) -> u8 {
        let v = if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 };
        let g = if self.dark { v } else { 1.0 - v };
        (g * 255.0).round() as u8
    }
}

/// A reader of the document element's computed custom properties (`None` outside a page).
fn css_reader() -> Option<impl Fn(&str) -> Option<String>> {
    let win = web_sys::window()?;
    let root = win.document()?.document_element()?;
    let gcs: js_sys::Function =
        js_sys::Reflect::get(&win, &JsValue::from_str("getComputedStyle")).ok()?.dyn_into().ok()?;
    let decl = gcs.call1(&win, &root).ok()?;
    let get: js_sys::Function = js_sys::Reflect::get(&decl, &JsValue::from_str("getPropertyValue"))
        .ok()?
        .dyn_into()
        .ok()?;
    Some(move |name: &str| {
        let v = get.call1(&decl, &JsValue::from_str(name)).ok()?.as_string()?;
        let v = v.trim().to_string();
        (!v.is_empty()).then_some(v)
    })
}

/// The colour as plotters' `RGBColor`.
pub fn plot_rgb(c: Rgb) -> plotters::style::RGBColor {
    plotters::style::RGBColor(c.0, c.1, c.2)
}
