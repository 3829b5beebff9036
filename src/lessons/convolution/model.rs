//! The lesson's web-free glue over `crate::core`: the filter bank (which kernel each filter
//! is), colour-mapped RGBA for the canvases, image conversion at the working size, the
//! output-size formula with numbers, and the step-through window `x_pad[s·i + d·u, s·j + d·v]`.

use crate::core::colormap::{Colormap, ValueRange};
use crate::core::conv::{output_size, Conv2dParams};
use crate::core::filters::Preset;
use crate::core::image;
use crate::core::Tensor;
use crate::core::image::RgbaImage;
use super::PRESETS;


/// The `k × k` kernel (row-major) of preset `id` from [`crate::core::filters`]; `random`
/// draws He-normal weights from `seed`. Unknown ids (and impossible sizes) give the identity.
pub fn preset_kernel(id: &str, k: usize, seed: u64) -> Vec<f32> {
    Preset::from_id(id).and_then(|p| p.kernel(k, seed).ok()).unwrap_or_else(|| {
        let mut d = vec![0.0; k * k];
        if let Some(c) = d.get_mut(k * k / 2) {
            *c = 1.0;
        }
        d
    })
}

/// Which kernel a filter of the bank uses.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterKind {
    /// A named preset (catalog key `conv.preset.<id>`).
    Preset(&'static str),
    /// The hand-edited kernel.
    Custom,
    /// Seeded random weights.
    Random(u64),
}

/// The filter bank: filter 1 is the chosen kernel (`chosen`, or `custom` when the preset
/// is `custom`); the next ones are the other presets in list order, then seeded random
/// kernels (seeds `seed+1`, `seed+2`, …). With `channels = 3`, a preset kernel is applied to
/// each colour channel with weight `1/3` (it sees the channel mean) while a random filter
/// gets independent weights per channel (it can respond to colour).
///
/// Returns the weights `(F, C, k, k)` and what each filter is.
pub fn filter_bank(
    chosen: &str,
    custom: &[f32],
    k: usize,
    n: usize,
    seed: u64,
    channels: usize,
) -> (Tensor, Vec<FilterKind>) {
    let mut kinds = Vec::with_capacity(n);
    kinds.push(match chosen {
        "custom" => FilterKind::Custom,
        "random" => FilterKind::Random(seed),
        id => FilterKind::Preset(PRESETS.iter().copied().find(|p| *p == id).unwrap_or("identity")),
    });
    for id in PRESETS.iter().copied().filter(|p| !matches!(*p, "random" | "custom")) {
        if kinds.len() >= n {
            break;
        }
        if id != chosen {
            kinds.push(FilterKind::Preset(id));
        }
    }
    let mut next = seed;
    while kinds.len() < n {
        next = next.wrapping_add(1);
        kinds.push(FilterKind::Random(next));
    }
    kinds.truncate(n.max(1));
    let mut w = Vec::with_capacity(kinds.len() * channels * k * k);
    for kind in &kinds {
        match kind {
            FilterKind::Preset(id) => {
                let kern = preset_kernel(id, k, seed);
                for _ in 0..channels {
                    w.extend(kern.iter().map(|x| x / channels as f32));
                }
            }
            FilterKind::Custom => {
                let mut kern = custom.to_vec();
                kern.resize(k * k, 0.0);
                for _ in 0..channels {
                    w.extend(kern.iter().map(|x| x / channels as f32));
                }
            }
            FilterKind::Random(s) => {
                for ch in 0..channels {
                    let s = if ch == 0 { *s } else { s.wrapping_mul(31).wrapping_add(ch as u64) };
                    let scale = 1.0 / (channels as f32).sqrt();
                    w.extend(preset_kernel("random", k, s).iter().map(|x| x * scale));
                }
            }
        }
    }
    let f = kinds.len();
    let t = Tensor::new(vec![f, channels, k, k], w)
        .unwrap_or_else(|_| Tensor::zeros(vec![f, channels, k, k]));
    (t, kinds)
}

/// Legend colours of the diverging map (evenly spaced from `−L` to `L`).
pub fn diverging_stops() -> Vec<[u8; 4]> {
    Colormap::Diverging.legend(ValueRange::symmetric(1.0), 11).into_iter().map(|s| s.rgba).collect()
}

/// Signed values → RGBA with the diverging map, `[−scale, scale]` mapped to the full ramp.
pub fn diverging_rgba(values: &[f32], w: usize, h: usize, scale: f32) -> RgbaImage {
    let s = if scale > 0.0 && scale.is_finite() { scale } else { 1.0 };
    let plane = &values[..values.len().min(w * h)];
    let data = Colormap::Diverging.to_rgba_vec(plane, ValueRange::symmetric(s));
    RgbaImage::new(w, h, data).unwrap_or_default()
}

/// An image tensor `(1, C, H, W)` with values in `[0, 1]` → RGBA (grey if `C = 1`).
pub fn tensor_rgba(t: &Tensor) -> RgbaImage {
    image::from_tensor(t).unwrap_or_default()
}

/// Area downscale of RGBA to at most `max_side` on the longest side; also says whether it
/// was scaled.
pub fn fit_rgba(img: &RgbaImage, max_side: usize) -> (RgbaImage, bool) {
    image::fit_within(img, max_side)
}

/// RGBA → `(1, C, H', W')` in `[0, 1]`, area-downscaled to at most `max_side`; `C = 1` is
/// the BT.601 luma, `C = 3` keeps R, G, B (see [`crate::core::image`]).
pub fn rgba_to_tensor(img: &RgbaImage, channels: usize, max_side: usize) -> Tensor {
    let fallback = || Tensor::zeros(vec![1, channels, 1, 1]);
    let (small, _) = image::fit_within(img, max_side);
    image::to_tensor(&small, channels).unwrap_or_else(|_| fallback())
}


/// Resolves a padding choice for kernel `k` and dilation `d`: `valid` = 0, `same` =
/// `d(k−1)/2` (the output keeps the input size at stride 1), else the number.
pub fn padding_of(choice: &str, k: usize, d: usize) -> usize {
    match choice {
        "valid" => 0,
        "same" => d * (k - 1) / 2,
        n => n.parse().unwrap_or(0),
    }
}

/// `⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 = out` with the numbers filled in (the `= out` part only
/// when it exists).
pub fn formula_numbers(n: usize, k: usize, p: Conv2dParams) -> String {
    let body = format!("⌊({n} + 2·{} − {}·({k}−1) − 1)/{}⌋ + 1", p.padding, p.dilation, p.stride);
    match output_size(n, k, p) {
        Ok(o) => format!("{body} = {o}"),
        Err(_) => body,
    }
}

/// The taps of the window for output pixel `(i, j)` in the **padded** input:
/// `(row, col) = (s·i + d·u, s·j + d·v)` for `u, v < k`, row-major.
pub fn window_taps(i: usize, j: usize, k: usize, p: Conv2dParams) -> Vec<(usize, usize)> {
    (0..k * k)
        .map(|t| (p.stride * i + p.dilation * (t / k), p.stride * j + p.dilation * (t % k)))
        .collect()
}

/// A plane zero-padded by `pad` on every side: `(h + 2p) × (w + 2p)`.
pub fn pad_plane(x: &[f32], w: usize, h: usize, pad: usize) -> Vec<f32> {
    let (pw, ph) = (w + 2 * pad, h + 2 * pad);
    let mut out = vec![0.0; pw * ph];
    for y in 0..h {
        out[(y + pad) * pw + pad..(y + pad) * pw + pad + w].copy_from_slice(&x[y * w..(y + 1) * w]);
    }
    out
}
