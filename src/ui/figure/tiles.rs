//! Grids of MNIST-sized digits (`28 × 28` values in `[0, 1]`, row-major) as one image, one
//! pixel per pixel: row `r`, column `c` starts at `margin + c·(28 + gap)`,
//! `margin + r·(28 + gap)`; the image is `2·margin + cols·(28 + gap) − gap` wide. Ink is grey,
//! dark on light or light on dark ([`Palette::ink`]); gaps, margins and missing digits are
//! the gutter grey (200 light, 60 dark).

use super::{Palette, RgbaImage};
use crate::core::mnist::{PIXELS, SIDE};

/// How the digits are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileLayout {
    /// Digits per row (at least 1).
    pub cols: usize,
    /// Pixels between neighbouring digits.
    pub gap: usize,
    /// Pixels around the whole grid.
    pub margin: usize,
}

impl TileLayout {
    /// `cols` digits per row, a 1-pixel gutter between and around them.
    pub fn gutter(cols: usize) -> Self {
        TileLayout { cols, gap: 1, margin: 1 }
    }
}

/// The gutter grey of a theme.
fn gutter(palette: &Palette) -> u8 {
    if palette.dark {
        60
    } else {
        200
    }
}

/// Tiles `rows` (each up to `layout.cols` digits of [`PIXELS`] values; extra values are
/// ignored) into one image; at least one row is drawn. Non-finite values draw as 0.
pub fn digit_tiles(rows: &[&[f32]], layout: TileLayout, palette: &Palette) -> RgbaImage {
    let cols = layout.cols.max(1);
    let n_rows = rows.len().max(1);
    let cell = SIDE + layout.gap;
    let width = 2 * layout.margin + cols * cell - layout.gap;
    let height = 2 * layout.margin + n_rows * cell - layout.gap;
    let g = gutter(palette);
    let mut img = RgbaImage::filled(width, height, [g, g, g, 255]);
    let data = img.data_mut();
    for (r, row) in rows.iter().enumerate() {
        for (c, digit) in row.chunks_exact(PIXELS).take(cols).enumerate() {
            let (ox, oy) = (layout.margin + c * cell, layout.margin + r * cell);
            for (p, &v) in digit.iter().enumerate() {
                let ink = palette.ink(v);
                let at = ((oy + p / SIDE) * width + ox + p % SIDE) * 4;
                data[at..at + 4].copy_from_slice(&[ink, ink, ink, 255]);
            }
        }
    }
    img
}
