//! Colours for figures, web-free: an sRGB triple, CSS colour parsing, mixing, and the book's
//! fixed colour sets.
//!
//! * [`Rgb::parse`] reads what `getComputedStyle` gives for a custom property: `#rgb`,
//!   `#rrggbb`, `#rrggbbaa` (alpha dropped), `rgb(r, g, b)` / `rgb(r g b / a)`.
//! * [`Rgb::mix`] blends in sRGB: `c = (1 − t)·a + t·b`, rounded per channel.
//! * [`labels`]: one categorical palette for classes and digits 0–9, the whole book's.
//!   Okabe & Ito's colour-blind-safe hues (*Color Universal Design*, 2008) without their
//!   black and yellow (too faint on white, and a darkened yellow reads as the orange), Paul
//!   Tol's indigo, an ink neutral, a mid grey and a brown, so ten classes stay apart; each
//!   has a light-background shade (orange and sky blue darkened) and a dark-background one,
//!   ≥ 3:1 against `--panel` of its theme.
//!   Classes 2 and 7 (the VAE's default pair) are vermillion and the neutral ink.
//! * [`series`]: colours of data series (curves, bars of runs), Okabe–Ito, lightened on dark.

use std::fmt;

/// An sRGB colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses a CSS colour as computed for a custom property (`#hex` or `rgb()`/`rgba()`);
    /// `None` for anything else (names, `hsl()`, empty).
    ///
    /// ```
    /// use dlviz::core::color::Rgb;
    /// assert_eq!(Rgb::parse(" #1f5fd1 "), Some(Rgb(31, 95, 209)));
    /// assert_eq!(Rgb::parse("#fff"), Some(Rgb(255, 255, 255)));
    /// assert_eq!(Rgb::parse("rgb(1 2 3 / 0.5)"), Some(Rgb(1, 2, 3)));
    /// assert_eq!(Rgb::parse("tomato"), None);
    /// ```
    pub fn parse(css: &str) -> Option<Rgb> {
        let s = css.trim();
        if let Some(hex) = s.strip_prefix('#') {
            let digit = |i: usize| u8::from_str_radix(hex.get(i..i + 1)?, 16).ok();
            let pair = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
            return match hex.len() {
                3 | 4 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
                6 | 8 => Some(Rgb(pair(0)?, pair(2)?, pair(4)?)),
                _ => None,
            };
        }
        let inner = s
            .strip_prefix("rgba(")
            .or_else(|| s.strip_prefix("rgb("))?
            .strip_suffix(')')?
            .split('/')
            .next()?;
        let mut parts =
            inner.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty());
        let mut channel = || -> Option<u8> {
            let v: f64 = parts.next()?.parse().ok()?;
            v.is_finite().then(|| v.clamp(0.0, 255.0).round() as u8)
        };
        Some(Rgb(channel()?, channel()?, channel()?))
    }

    /// `(1 − t)·self + t·other` per channel (`t` clamped to `[0, 1]`).
    pub fn mix(self, other: Rgb, t: f64) -> Rgb {
        let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
        let m = |a: u8, b: u8| ((1.0 - t) * f64::from(a) + t * f64::from(b)).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }

    /// Relative luminance (WCAG 2): `0.2126·R + 0.7152·G + 0.0722·B` of the linearised
    /// channels, in `[0, 1]`.
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// WCAG contrast ratio `(L₁ + 0.05)/(L₂ + 0.05)`, lighter over darker (1 … 21).
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// The colour with an alpha, as a CSS `rgba()` string.
    pub fn alpha(self, a: f64) -> String {
        format!("rgba({},{},{},{})", self.0, self.1, self.2, a.clamp(0.0, 1.0))
    }

    /// The channels as an array.
    pub fn channels(self) -> [u8; 3] {
        [self.0, self.1, self.2]
    }
}

impl fmt::Display for Rgb {
    /// `#rrggbb`, usable as a canvas fill or stroke style.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// The class colours 0–9 on a light background.
pub const LABELS_LIGHT: [Rgb; 10] = [
    Rgb(0x00, 0x72, 0xb2), // 0 blue
    Rgb(0xc9, 0x7f, 0x00), // 1 orange, darkened
    Rgb(0xd5, 0x5e, 0x00), // 2 vermillion
    Rgb(0x00, 0x9e, 0x73), // 3 bluish green
    Rgb(0xcc, 0x79, 0xa7), // 4 reddish purple
    Rgb(0x33, 0x99, 0xd6), // 5 sky blue, darkened
    Rgb(0x33, 0x22, 0x88), // 6 indigo (Tol)
    Rgb(0x33, 0x33, 0x33), // 7 ink
    Rgb(0x8c, 0x8c, 0x8c), // 8 grey
    Rgb(0x8b, 0x5a, 0x2b), // 9 brown
];

/// The class colours 0–9 on a dark background (same hues, lighter).
pub const LABELS_DARK: [Rgb; 10] = [
    Rgb(0x3d, 0x9b, 0xe0),
    Rgb(0xe6, 0x9f, 0x00),
    Rgb(0xf0, 0x7a, 0x2a),
    Rgb(0x2b, 0xc4, 0x8f),
    Rgb(0xdd, 0x8f, 0xbb),
    Rgb(0x7c, 0xca, 0xf5),
    Rgb(0x99, 0x88, 0xee),
    Rgb(0xee, 0xee, 0xee),
    Rgb(0x9a, 0x9a, 0x9a),
    Rgb(0xc0, 0x8a, 0x5a),
];

/// Colour of class `label` (wrapping past 9) for a light or `dark` background.
pub fn labels(label: usize, dark: bool) -> Rgb {
    pick(&LABELS_LIGHT, &LABELS_DARK, label, dark)
}

/// Entry `i` (wrapping) of the light or the dark set.
fn pick(light: &[Rgb], dark_set: &[Rgb], i: usize, dark: bool) -> Rgb {
    let set = if dark { dark_set } else { light };
    set.get(i % set.len().max(1)).copied().unwrap_or_default()
}

/// Series colours on a light background (Okabe–Ito).
pub const SERIES_LIGHT: [Rgb; 6] = [
    Rgb(0, 114, 178),
    Rgb(213, 94, 0),
    Rgb(0, 158, 115),
    Rgb(204, 121, 167),
    Rgb(86, 180, 233),
    Rgb(230, 159, 0),
];

/// The same hues lightened for a dark background.
pub const SERIES_DARK: [Rgb; 6] = [
    Rgb(86, 180, 233),
    Rgb(240, 150, 80),
    Rgb(60, 210, 160),
    Rgb(230, 160, 200),
    Rgb(150, 210, 250),
    Rgb(240, 200, 70),
];

/// Colour of series `i` (wrapping) for a light or `dark` background.
pub fn series(i: usize, dark: bool) -> Rgb {
    pick(&SERIES_LIGHT, &SERIES_DARK, i, dark)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hex_and_rgb() {
        assert_eq!(Rgb::parse("#111318"), Some(Rgb(0x11, 0x13, 0x18)));
        assert_eq!(Rgb::parse("#11131880"), Some(Rgb(0x11, 0x13, 0x18)));
        assert_eq!(Rgb::parse("rgb(10, 20, 30)"), Some(Rgb(10, 20, 30)));
        assert_eq!(Rgb::parse("rgba(10,20,30,0.5)"), Some(Rgb(10, 20, 30)));
        assert_eq!(Rgb::parse(""), None);
        assert_eq!(Rgb::parse("#12"), None);
        assert_eq!(Rgb::parse("rgb(1, 2)"), None);
        assert_eq!(Rgb::parse("#é12"), None);
        assert_eq!(Rgb(1, 2, 255).to_string(), "#0102ff");
    }

    #[test]
    fn mixes_and_measures() {
        assert_eq!(Rgb(0, 0, 0).mix(Rgb(255, 255, 255), 0.5), Rgb(128, 128, 128));
        assert_eq!(Rgb(0, 0, 0).mix(Rgb(255, 255, 255), f64::NAN), Rgb(0, 0, 0));
        assert!((Rgb(0, 0, 0).contrast(Rgb(255, 255, 255)) - 21.0).abs() < 1e-9);
    }

    /// Every class colour stands out from its theme's panel (`--panel`: #ffffff, #191c23) by
    /// ≥ 3:1 (WCAG's bar for graphics), and the ten are pairwise distinct.
    #[test]
    fn label_colours_read_on_their_background() {
        for (set, panel) in [(&LABELS_LIGHT, Rgb(255, 255, 255)), (&LABELS_DARK, Rgb(25, 28, 35))] {
            for (i, c) in set.iter().enumerate() {
                assert!(c.contrast(panel) >= 3.0, "label {i} {c}: {:.2}", c.contrast(panel));
                for d in &set[i + 1..] {
                    assert_ne!(c, d);
                }
            }
        }
        assert_eq!(labels(12, false), LABELS_LIGHT[2]);
    }
}
