//! Colour maps: turning a plane of numbers into RGBA pixels.
//!
//! * **Diverging** (blue–white–red) for signed values such as feature maps before ReLU:
//!   `t = ½ + ½·v/L` with `L = max(|lo|, |hi|)`, so 0 is always white, `−L` darkest blue and
//!   `+L` darkest red. The colours are ColorBrewer's *RdBu* (Brewer 2002; 11 classes designed
//!   with roughly equal perceptual steps and equal lightness at `±v`), reversed so that
//!   negative is blue, interpolated linearly in sRGB into a 257-entry table (odd, so that the
//!   centre entry is exactly white-ish `#f7f7f7` and `±v` land on mirrored entries).
//! * **Grey** (sequential) for non-negative values and images: `t = (v − lo)/(hi − lo)`,
//!   black at `lo`, white at `hi`, grey level `round(255·t)`.
//!
//! `t` is clamped to `[0, 1]`; NaN maps to `t = 0` (diverging: the centre). A degenerate range
//! (`L = 0`, or `hi ≤ lo`) maps everything to white (diverging) or black (grey).

use std::fmt;

/// ColorBrewer RdBu, 11 classes, from the most negative (blue) to the most positive (red).
const ANCHORS: [[u8; 3]; 11] = [
    [0x05, 0x30, 0x61],
    [0x21, 0x66, 0xac],
    [0x43, 0x93, 0xc3],
    [0x92, 0xc5, 0xde],
    [0xd1, 0xe5, 0xf0],
    [0xf7, 0xf7, 0xf7],
    [0xfd, 0xdb, 0xc7],
    [0xf4, 0xa5, 0x82],
    [0xd6, 0x60, 0x4d],
    [0xb2, 0x18, 0x2b],
    [0x67, 0x00, 0x1f],
];

/// Entries in the diverging table; entry `HALF` is the centre (value 0).
const LUT_LEN: usize = 257;
const HALF: usize = 128;

/// The diverging table as little-endian `u32` RGBA words (byte order R, G, B, A in memory).
static DIVERGING_LUT: [u32; LUT_LEN] = build_diverging();

const fn build_diverging() -> [u32; LUT_LEN] {
    let mut lut = [0u32; LUT_LEN];
    let mut i = 0;
    while i < LUT_LEN {
        // Position in anchor units, in 1/256 steps: i · 10 / 256.
        let pos = i * 10;
        let seg = if pos / 256 >= 10 { 9 } else { pos / 256 };
        let f = (pos - seg * 256) as u32; // 0..=256
        let a = ANCHORS[seg];
        let b = ANCHORS[seg + 1];
        let mut rgba = [0u8; 4];
        let mut ch = 0;
        while ch < 3 {
            let v = (a[ch] as u32 * (256 - f) + b[ch] as u32 * f + 128) / 256;
            rgba[ch] = v as u8;
            ch += 1;
        }
        rgba[3] = 255;
        lut[i] = u32::from_le_bytes(rgba);
        i += 1;
    }
    lut
}

/// Maps `plane` to RGBA words in blocks: `f` (plain arithmetic that the compiler vectorises)
/// turns each value into a `u32`, then `g` (a table look-up or nothing) gives the RGBA word,
/// stored little-endian (bytes R, G, B, A).
#[inline(always)]
fn map_chunks(plane: &[f32], out: &mut [u8], f: impl Fn(f32) -> u32, g: impl Fn(u32) -> u32) {
    const BLOCK: usize = 64;
    let mut words = [0u32; BLOCK];
    for (src, dst) in plane.chunks(BLOCK).zip(out.chunks_mut(BLOCK * 4)) {
        for (w, &v) in words.iter_mut().zip(src) {
            *w = f(v);
        }
        for (px, &w) in dst.chunks_exact_mut(4).zip(&words) {
            px.copy_from_slice(&g(w).to_le_bytes());
        }
    }
}

/// Largest finite `|v|` (0 if none), with 8 independent lanes so that it vectorises.
fn max_abs_finite(data: &[f32]) -> f32 {
    let mut m = [0.0f32; 8];
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        for (mj, &v) in m.iter_mut().zip(c) {
            let a = v.abs();
            // a < ∞ is false for ∞ and NaN, which are skipped.
            let a = if a < f32::INFINITY { a } else { 0.0 };
            *mj = if a > *mj { a } else { *mj };
        }
    }
    let mut best = m.iter().fold(0.0f32, |x, &y| if y > x { y } else { x });
    for &v in chunks.remainder() {
        let a = v.abs();
        if a < f32::INFINITY && a > best {
            best = a;
        }
    }
    best
}

/// A closed interval of values to map onto the colour scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueRange {
    /// Value mapped to the low end.
    pub lo: f32,
    /// Value mapped to the high end.
    pub hi: f32,
}

impl ValueRange {
    /// `−limit ..= limit`.
    pub fn symmetric(limit: f32) -> Self {
        let l = limit.abs();
        Self { lo: -l, hi: l }
    }

    /// `±max |v|` over the finite values of `data` (`±0` when there are none).
    pub fn symmetric_of(data: &[f32]) -> Self {
        Self::symmetric(max_abs_finite(data))
    }

    /// `min ..= max` over the finite values of `data` (`0 ..= 0` when there are none).
    pub fn min_max_of(data: &[f32]) -> Self {
        let mut it = data.iter().copied().filter(|v| v.is_finite());
        match it.next() {
            None => Self { lo: 0.0, hi: 0.0 },
            Some(first) => {
                let (lo, hi) = it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
                Self { lo, hi }
            }
        }
    }
}

/// One entry of a legend: a value and its colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegendStop {
    /// The value.
    pub value: f32,
    /// Its colour, `[r, g, b, a]`.
    pub rgba: [u8; 4],
}

/// Why a plane could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColormapError {
    /// The output buffer does not hold exactly 4 bytes per value.
    OutputLength { values: usize, bytes: usize },
}

impl fmt::Display for ColormapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColormapError::OutputLength { values, bytes } => {
                write!(f, "{values} values need {} RGBA bytes, got {bytes}", values * 4)
            }
        }
    }
}

impl std::error::Error for ColormapError {}

/// A colour map (see the module docs for the formulas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Colormap {
    /// Blue (negative) – white (0) – red (positive).
    Diverging,
    /// Black (low) – white (high).
    Grey,
}

impl Colormap {
    /// The range this map uses by default for `data`: `±max|v|` (diverging) or `min..=max`
    /// (grey).
    pub fn auto_range(self, data: &[f32]) -> ValueRange {
        match self {
            Colormap::Diverging => ValueRange::symmetric_of(data),
            Colormap::Grey => ValueRange::min_max_of(data),
        }
    }

    /// The colour of one value.
    ///
    /// ```
    /// use dlviz::core::colormap::{Colormap, ValueRange};
    /// let r = ValueRange::symmetric(2.0);
    /// assert_eq!(Colormap::Diverging.rgba(0.0, r), [0xf7, 0xf7, 0xf7, 255]);
    /// assert_eq!(Colormap::Diverging.rgba(-2.0, r), [0x05, 0x30, 0x61, 255]);
    /// assert_eq!(Colormap::Grey.rgba(0.5, ValueRange { lo: 0.0, hi: 1.0 }), [128, 128, 128, 255]);
    /// ```
    pub fn rgba(self, value: f32, range: ValueRange) -> [u8; 4] {
        let mut out = [0u8; 4];
        // Cannot fail: one value, four bytes.
        let _ = self.to_rgba(&[value], range, &mut out);
        out
    }

    /// Maps `plane` into `out` (4 bytes per value, R G B A, alpha 255), e.g. the buffer of a
    /// canvas `ImageData`.
    pub fn to_rgba(
        self,
        plane: &[f32],
        range: ValueRange,
        out: &mut [u8],
    ) -> Result<(), ColormapError> {
        if out.len() != plane.len() * 4 {
            return Err(ColormapError::OutputLength { values: plane.len(), bytes: out.len() });
        }
        match self {
            Colormap::Diverging => {
                let l = range.lo.abs().max(range.hi.abs());
                // Half-table steps per unit value; 0 when the range is degenerate.
                let k = if l > 0.0 && l.is_finite() { HALF as f32 / l } else { 0.0 };
                map_chunks(
                    plane,
                    out,
                    |v| {
                        let a = v.abs() * k;
                        // Clamp to the table end; NaN stays NaN here (the comparison is false).
                        let a = if a > HALF as f32 { HALF as f32 } else { a };
                        // Round half away from zero so that v and −v get mirrored entries;
                        // the saturating cast sends NaN to 0 (the centre).
                        let step = (a + 0.5) as i32;
                        let step = if v < 0.0 { -step } else { step };
                        (HALF as i32 + step) as u32
                    },
                    |i| DIVERGING_LUT[(i as usize).min(LUT_LEN - 1)],
                );
            }
            Colormap::Grey => {
                let span = range.hi - range.lo;
                let k = if span > 0.0 && span.is_finite() { 255.0 / span } else { 0.0 };
                let lo = range.lo;
                map_chunks(
                    plane,
                    out,
                    |v| {
                        let g = (v - lo) * k;
                        // NaN fails both comparisons and is sent to 0 by the saturating cast.
                        let g = if g > 255.0 { 255.0 } else { g };
                        let g = if g < 0.0 { 0.0 } else { g };
                        let g = (g + 0.5) as u32;
                        // Grey word: R = G = B = g, A = 255 (little-endian bytes).
                        (g * 0x0001_0101) | 0xff00_0000
                    },
                    |word| word,
                );
            }
        }
        Ok(())
    }

    /// Maps `plane` into a new RGBA buffer.
    pub fn to_rgba_vec(self, plane: &[f32], range: ValueRange) -> Vec<u8> {
        let mut out = vec![0u8; plane.len() * 4];
        // Cannot fail: the buffer was sized for the plane.
        let _ = self.to_rgba(plane, range, &mut out);
        out
    }

    /// `count` (at least 2) evenly spaced legend stops from the low to the high end of the
    /// scale (diverging: `−L..=L`; grey: `lo..=hi`).
    ///
    /// ```
    /// use dlviz::core::colormap::{Colormap, ValueRange};
    /// let s = Colormap::Diverging.legend(ValueRange::symmetric(1.0), 5);
    /// let values: Vec<f32> = s.iter().map(|s| s.value).collect();
    /// assert_eq!(values, vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
    /// ```
    pub fn legend(self, range: ValueRange, count: usize) -> Vec<LegendStop> {
        let count = count.max(2);
        let (lo, hi) = match self {
            Colormap::Diverging => {
                let l = range.lo.abs().max(range.hi.abs());
                (-l, l)
            }
            Colormap::Grey => (range.lo, range.hi),
        };
        (0..count)
            .map(|i| {
                let t = i as f32 / (count - 1) as f32;
                let value = if i == count - 1 { hi } else { lo + (hi - lo) * t };
                LegendStop { value, rgba: self.rgba(value, range) }
            })
            .collect()
    }
}
