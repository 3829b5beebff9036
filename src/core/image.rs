//! Images in and out of tensors.
//!
//! * RGBA `u8` pixels (as from a canvas `getImageData`, not premultiplied) become an NCHW
//!   tensor `(1, C, H, W)` in `[0, 1]`: `C = 3` keeps R, G, B; `C = 1` takes the luma of
//!   ITU-R BT.601, `Y = 0.299·R + 0.587·G + 0.114·B`. Transparent pixels are first composited
//!   over white: `c' = α·c + (1 − α)·255` with `α = a/255`.
//! * Resampling is by **area averaging**: output pixel `o` along an axis covers the source
//!   interval `[o·S, (o+1)·S)` with `S = n_src/n_dst`, and averages the source pixels weighted by
//!   their overlap with it (separable, in premultiplied alpha so that transparent pixels do not
//!   bleed their colour). Shrinking this way never aliases the way point sampling does;
//!   enlarging reduces to nearest-neighbour with blended seams.

use super::tensor::Tensor;
use std::fmt;

/// Longest side an uploaded image keeps (larger ones are shrunk by [`fit_within`]).
pub const UPLOAD_MAX_SIDE: usize = 1024;

/// Why an image operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// `data.len()` is not `4 · width · height`.
    Length { width: usize, height: usize, len: usize },
    /// A zero width or height.
    Empty,
    /// Only 1 (grey) or 3 (RGB) channels are supported.
    Channels(usize),
    /// The tensor is not `(N, C, H, W)` with `N ≥ 1`.
    NotAnImage(Vec<usize>),
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::Length { width, height, len } => write!(
                f,
                "a {width} × {height} RGBA image needs {} bytes, got {len}",
                4 * width * height
            ),
            ImageError::Empty => write!(f, "the image has no pixels"),
            ImageError::Channels(c) => write!(f, "{c} channels: only 1 (grey) or 3 (RGB) work"),
            ImageError::NotAnImage(shape) => {
                write!(f, "a tensor of shape {shape:?} is not an image")
            }
        }
    }
}

impl std::error::Error for ImageError {}

/// An RGBA image, 4 bytes per pixel, rows top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbaImage {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl Default for RgbaImage {
    /// One transparent pixel (an image is never empty).
    fn default() -> Self {
        Self::filled(1, 1, [0, 0, 0, 0])
    }
}

impl RgbaImage {
    /// Wraps `data` (`4 · width · height` bytes); fails on a wrong length or zero size.
    pub fn new(width: usize, height: usize, data: Vec<u8>) -> Result<Self, ImageError> {
        if width == 0 || height == 0 {
            return Err(ImageError::Empty);
        }
        if data.len() != 4 * width * height {
            return Err(ImageError::Length { width, height, len: data.len() });
        }
        Ok(Self { width, height, data })
    }

    /// A `width × height` image of one colour; a zero side becomes 1 (never fails).
    pub fn filled(width: usize, height: usize, rgba: [u8; 4]) -> Self {
        let (width, height) = (width.max(1), height.max(1));
        Self { width, height, data: rgba.repeat(width * height) }
    }

    /// The RGBA bytes, mutable (the size stays fixed).
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The RGBA bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Consumes the image, returning its bytes.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }
}

/// The image as a `(1, channels, H, W)` tensor in `[0, 1]` (`channels` = 1 for luma, 3 for RGB).
///
/// ```
/// use dlviz::core::image::{to_tensor, RgbaImage};
/// let img = RgbaImage::new(1, 1, vec![255, 0, 0, 255]).unwrap();
/// let t = to_tensor(&img, 1).unwrap();
/// assert_eq!(t.shape(), &[1, 1, 1, 1]);
/// assert!((t.data()[0] - 0.299).abs() < 1e-6);
/// ```
pub fn to_tensor(img: &RgbaImage, channels: usize) -> Result<Tensor, ImageError> {
    if channels != 1 && channels != 3 {
        return Err(ImageError::Channels(channels));
    }
    let n = img.width * img.height;
    let mut out = vec![0.0f32; channels * n];
    let inv = 1.0 / 255.0;
    for (i, px) in img.data.chunks_exact(4).enumerate() {
        let a = px[3] as f32 * inv;
        let c = |v: u8| v as f32 * inv * a + (1.0 - a);
        let (r, g, b) = (c(px[0]), c(px[1]), c(px[2]));
        if channels == 1 {
            out[i] = 0.299 * r + 0.587 * g + 0.114 * b;
        } else {
            out[i] = r;
            out[n + i] = g;
            out[2 * n + i] = b;
        }
    }
    Tensor::new(vec![1, channels, img.height, img.width], out).map_err(|_| ImageError::Length {
        width: img.width,
        height: img.height,
        len: img.data.len(),
    })
}

/// An image for a `(N, C, H, W)` tensor's first item: `C = 1` → grey, `C = 3` → RGB; values
/// are clamped to `[0, 1]` and rounded to bytes; alpha is 255.
pub fn from_tensor(t: &Tensor) -> Result<RgbaImage, ImageError> {
    let [n, c, h, w] = t.dims4().map_err(|_| ImageError::NotAnImage(t.shape().to_vec()))?;
    if c != 1 && c != 3 {
        return Err(ImageError::Channels(c));
    }
    if n == 0 {
        return Err(ImageError::NotAnImage(t.shape().to_vec()));
    }
    if h == 0 || w == 0 {
        return Err(ImageError::Empty);
    }
    let plane = h * w;
    let d = &t.data()[..c * plane];
    let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
    let mut data = vec![255u8; 4 * plane];
    for (i, px) in data.chunks_exact_mut(4).enumerate() {
        if c == 1 {
            let g = byte(d[i]);
            px[..3].copy_from_slice(&[g, g, g]);
        } else {
            px[..3].copy_from_slice(&[byte(d[i]), byte(d[plane + i]), byte(d[2 * plane + i])]);
        }
    }
    RgbaImage::new(w, h, data)
}

/// Shrinks `img` by area averaging so that its longer side is at most `max_side` (aspect
/// ratio kept, each side rounded, at least 1). Returns the image and whether it was scaled.
///
/// ```
/// use dlviz::core::image::{fit_within, RgbaImage};
/// let img = RgbaImage::new(4, 2, vec![200; 32]).unwrap();
/// let (small, scaled) = fit_within(&img, 2);
/// assert!(scaled);
/// assert_eq!((small.width(), small.height()), (2, 1));
/// ```
pub fn fit_within(img: &RgbaImage, max_side: usize) -> (RgbaImage, bool) {
    let longest = img.width.max(img.height);
    let max_side = max_side.max(1);
    if longest <= max_side {
        return (img.clone(), false);
    }
    let scale = max_side as f64 / longest as f64;
    let w = ((img.width as f64 * scale).round() as usize).clamp(1, max_side);
    let h = ((img.height as f64 * scale).round() as usize).clamp(1, max_side);
    (resample(img, w, h), true)
}

/// Resizes `img` to exactly `width × height` by area averaging.
pub fn resize(img: &RgbaImage, width: usize, height: usize) -> Result<RgbaImage, ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Empty);
    }
    Ok(resample(img, width, height))
}

/// For each source index, the output indices it overlaps and the weights (overlap / S).
fn area_weights(n_src: usize, n_dst: usize) -> Vec<Vec<(usize, f32)>> {
    let s = n_src as f64 / n_dst as f64;
    let mut w = vec![Vec::new(); n_src];
    for o in 0..n_dst {
        let (a, b) = (o as f64 * s, (o + 1) as f64 * s);
        let first = a.floor() as usize;
        let last = (b.ceil() as usize).min(n_src);
        for (src, ws) in w.iter_mut().enumerate().take(last).skip(first) {
            let overlap = (b.min(src as f64 + 1.0) - a.max(src as f64)).max(0.0);
            if overlap > 0.0 {
                ws.push((o, (overlap / s) as f32));
            }
        }
    }
    w
}

/// Separable area resampling in premultiplied alpha.
fn resample(img: &RgbaImage, w: usize, h: usize) -> RgbaImage {
    let wx = area_weights(img.width, w);
    let wy = area_weights(img.height, h);
    // acc: (h, w, 4) premultiplied, alpha in [0, 1], colours in [0, 255]·α.
    let mut acc = vec![0.0f32; h * w * 4];
    let mut row = vec![0.0f32; w * 4];
    for (y, src_row) in img.data.chunks_exact(4 * img.width).enumerate() {
        row.iter_mut().for_each(|v| *v = 0.0);
        for (x, px) in src_row.chunks_exact(4).enumerate() {
            let a = px[3] as f32 * (1.0 / 255.0);
            let pm = [px[0] as f32 * a, px[1] as f32 * a, px[2] as f32 * a, a];
            for &(o, wt) in &wx[x] {
                for ch in 0..4 {
                    row[o * 4 + ch] += wt * pm[ch];
                }
            }
        }
        for &(o, wt) in &wy[y] {
            for (d, s) in acc[o * w * 4..(o + 1) * w * 4].iter_mut().zip(&row) {
                *d += wt * s;
            }
        }
    }
    let mut data = vec![0u8; h * w * 4];
    for (px, a) in data.chunks_exact_mut(4).zip(acc.chunks_exact(4)) {
        let alpha = a[3];
        if alpha > 0.0 {
            for ch in 0..3 {
                px[ch] = (a[ch] / alpha + 0.5).clamp(0.0, 255.0) as u8;
            }
        }
        px[3] = (alpha * 255.0 + 0.5).clamp(0.0, 255.0) as u8;
    }
    RgbaImage { width: w, height: h, data }
}
