//! The lesson's web-free logic: kernel presets, the filter bank, colour maps, image
//! conversion and downscaling, the output-size formula, the step-through window and the
//! receptive field of a layer stack.
//!
//! PRIVATE STAND-INS: `core::filters`, `core::colormap`, `core::image` and `core::receptive`
//! are being written on the core branch; until they land, the minimal versions below keep
//! this lesson working. They are to be replaced by the core modules on merge.

use crate::core::conv::{output_size, Conv2dParams};
use crate::core::{Rng, Tensor};
use crate::ui::RgbaImage;

/// Preset identifiers, in the order the lesson lists them (`custom` = edited by hand).
pub const PRESETS: &[&str] = &[
    "identity", "box", "gaussian", "sharpen", "sobel_x", "sobel_y", "laplacian", "emboss", "random",
    "custom",
];

/// Pascal's row `n−1`: the binomial smoothing weights of length `n`.
fn binomial(n: usize) -> Vec<f32> {
    let mut row = vec![1.0f32];
    for _ in 1..n {
        let mut next = vec![1.0f32; row.len() + 1];
        for i in 1..row.len() {
            next[i] = row[i - 1] + row[i];
        }
        row = next;
    }
    row
}

/// Full 1-D convolution of two sequences.
fn conv1d_full(a: &[f32], b: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

/// Outer product `col ⊗ row`, row-major.
fn outer(col: &[f32], row: &[f32]) -> Vec<f32> {
    col.iter().flat_map(|c| row.iter().map(move |r| c * r)).collect()
}

/// Full 2-D convolution of square matrices `a: (n×n)`, `b: (m×m)` → `(n+m−1)²`.
fn conv2d_full(a: &[f32], n: usize, b: &[f32], m: usize) -> Vec<f32> {
    let o = n + m - 1;
    let mut out = vec![0.0; o * o];
    for i in 0..n {
        for j in 0..n {
            for u in 0..m {
                for v in 0..m {
                    out[(i + u) * o + j + v] += a[i * n + j] * b[u * m + v];
                }
            }
        }
    }
    out
}

/// The `k × k` kernel (row-major) of preset `id` (`k` odd ≥ 3). `random` draws normal
/// weights with standard deviation `1/k` from `seed`. Unknown ids give the identity.
///
/// Larger sizes generalise the 3×3 classics: Gaussian = binomial weights; Sobel = binomial
/// smoothing ⊗ binomial derivative, scaled so the 3×3 case is the textbook one; Laplacian =
/// binomial smoothing convolved with the 3×3 Laplacian; sharpen = 2·identity − Gaussian
/// (unsharp masking); emboss = (row + column offset)/(k/2) + identity.
pub fn preset_kernel(id: &str, k: usize, seed: u64) -> Vec<f32> {
    let c = k / 2;
    let mut delta = vec![0.0f32; k * k];
    delta[c * k + c] = 1.0;
    let gauss = || {
        let b = binomial(k);
        let s: f32 = b.iter().sum();
        outer(&b, &b).into_iter().map(|x| x / (s * s)).collect::<Vec<f32>>()
    };
    match id {
        "box" => vec![1.0 / (k * k) as f32; k * k],
        "gaussian" => gauss(),
        "sharpen" => delta.iter().zip(gauss()).map(|(d, g)| 2.0 * d - g).collect(),
        "sobel_x" | "sobel_y" => {
            let smooth: Vec<f32> = {
                let b = binomial(k);
                let s: f32 = b.iter().sum();
                b.into_iter().map(|x| 4.0 * x / s).collect()
            };
            let deriv: Vec<f32> = {
                let d = conv1d_full(&binomial(k - 2), &[-1.0, 0.0, 1.0]);
                let pos: f32 = d.iter().filter(|x| **x > 0.0).sum();
                d.into_iter().map(|x| x / pos).collect()
            };
            if id == "sobel_x" {
                outer(&smooth, &deriv)
            } else {
                outer(&deriv, &smooth)
            }
        }
        "laplacian" => {
            let lap = [0.0, 1.0, 0.0, 1.0, -4.0, 1.0, 0.0, 1.0, 0.0];
            let b = binomial(k - 2);
            let s: f32 = b.iter().sum();
            let g: Vec<f32> = outer(&b, &b).into_iter().map(|x| x / (s * s)).collect();
            conv2d_full(&g, k - 2, &lap, 3)
        }
        "emboss" => (0..k * k)
            .map(|i| {
                let (a, b) = ((i / k) as f32 - c as f32, (i % k) as f32 - c as f32);
                (a + b) / c as f32 + delta[i]
            })
            .collect(),
        "random" => {
            let mut rng = Rng::new(seed);
            (0..k * k).map(|_| rng.normal() / k as f32).collect()
        }
        _ => delta,
    }
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
    let t = Tensor::new(vec![f, channels, k, k], w).unwrap_or_else(|_| Tensor::zeros(vec![f, channels, k, k]));
    (t, kinds)
}

/// Diverging colour stops, blue (negative) – white (zero) – red (positive).
pub const DIVERGING: [[u8; 4]; 5] =
    [[5, 48, 97, 255], [67, 147, 195, 255], [247, 247, 247, 255], [214, 96, 77, 255], [103, 0, 31, 255]];

/// Colour of `t ∈ [0, 1]` along `stops` (piecewise linear).
pub fn ramp(stops: &[[u8; 4]], t: f32) -> [u8; 4] {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.5 };
    let x = t * (stops.len() - 1) as f32;
    let i = (x.floor() as usize).min(stops.len() - 2);
    let f = x - i as f32;
    let mut out = [0u8; 4];
    for c in 0..4 {
        out[c] = (stops[i][c] as f32 * (1.0 - f) + stops[i + 1][c] as f32 * f).round() as u8;
    }
    out
}

/// Signed values → RGBA with the diverging map, `[−scale, scale]` mapped to the full ramp.
pub fn diverging_rgba(values: &[f32], w: usize, h: usize, scale: f32) -> RgbaImage {
    let s = if scale > 0.0 && scale.is_finite() { scale } else { 1.0 };
    let data = values.iter().take(w * h).flat_map(|v| ramp(&DIVERGING, 0.5 + v / (2.0 * s))).collect();
    RgbaImage { width: w, height: h, data }
}

/// An image tensor `(1, C, H, W)` with values in `[0, 1]` → RGBA (grey if `C = 1`).
pub fn tensor_rgba(t: &Tensor) -> RgbaImage {
    let Ok([_, c, h, w]) = t.dims4() else { return RgbaImage::default() };
    let d = t.data();
    let px = |ch: usize, i: usize| (d[ch * h * w + i].clamp(0.0, 1.0) * 255.0).round() as u8;
    let data = (0..h * w)
        .flat_map(|i| if c >= 3 { [px(0, i), px(1, i), px(2, i), 255] } else { let g = px(0, i); [g, g, g, 255] })
        .collect();
    RgbaImage { width: w, height: h, data }
}

/// Area-weighted resampling of one row of `src` to `n` values (`n ≤ src.len()`).
fn area_resample(src: &[f32], n: usize) -> Vec<f32> {
    let r = src.len() as f64 / n as f64;
    (0..n)
        .map(|i| {
            let (a, b) = (i as f64 * r, (i + 1) as f64 * r);
            let mut acc = 0.0f64;
            let mut j = a.floor() as usize;
            while (j as f64) < b && j < src.len() {
                let overlap = (b.min(j as f64 + 1.0) - a.max(j as f64)).max(0.0);
                acc += overlap * src[j] as f64;
                j += 1;
            }
            (acc / r) as f32
        })
        .collect()
}

/// Area downscale of a `w × h` plane to `tw × th` (each ≤ the source size).
pub fn downscale_plane(p: &[f32], w: usize, h: usize, tw: usize, th: usize) -> Vec<f32> {
    let rows: Vec<f32> = (0..h).flat_map(|y| area_resample(&p[y * w..(y + 1) * w], tw)).collect();
    let mut out = vec![0.0; tw * th];
    for x in 0..tw {
        let col: Vec<f32> = (0..h).map(|y| rows[y * tw + x]).collect();
        for (y, v) in area_resample(&col, th).into_iter().enumerate() {
            out[y * tw + x] = v;
        }
    }
    out
}

/// The size after fitting `w × h` into `max_side` (never upscaled, at least 1 pixel).
pub fn fit(w: usize, h: usize, max_side: usize) -> (usize, usize) {
    let m = w.max(h);
    if m <= max_side || m == 0 {
        return (w.max(1), h.max(1));
    }
    let f = max_side as f64 / m as f64;
    (((w as f64 * f).round() as usize).max(1), ((h as f64 * f).round() as usize).max(1))
}

/// RGBA → `(1, C, H', W')` in `[0, 1]`, area-downscaled to at most `max_side`; `C = 1` uses
/// luma `0.299 R + 0.587 G + 0.114 B`, `C = 3` keeps the colour channels.
pub fn rgba_to_tensor(img: &RgbaImage, channels: usize, max_side: usize) -> Tensor {
    let (w, h) = (img.width, img.height);
    if w == 0 || h == 0 || img.data.len() != w * h * 4 {
        return Tensor::zeros(vec![1, channels, 1, 1]);
    }
    let plane = |f: &dyn Fn(&[u8]) -> f32| -> Vec<f32> { img.data.chunks_exact(4).map(f).collect() };
    let planes: Vec<Vec<f32>> = if channels == 3 {
        (0..3).map(|c| plane(&|p: &[u8]| p[c] as f32 / 255.0)).collect()
    } else {
        vec![plane(&|p: &[u8]| (0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32) / 255.0)]
    };
    let (tw, th) = fit(w, h, max_side);
    let mut data = Vec::with_capacity(channels * tw * th);
    for p in planes {
        if (tw, th) == (w, h) {
            data.extend(p);
        } else {
            data.extend(downscale_plane(&p, w, h, tw, th));
        }
    }
    Tensor::new(vec![1, channels, th, tw], data).unwrap_or_else(|_| Tensor::zeros(vec![1, channels, 1, 1]))
}

/// Padding choices of the lesson.
pub const PADDINGS: &[&str] = &["valid", "same", "0", "1", "2", "3"];

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
    (0..k * k).map(|t| (p.stride * i + p.dilation * (t / k), p.stride * j + p.dilation * (t % k))).collect()
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

/// One layer of a stack for the receptive-field view (no padding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    /// Kernel size.
    pub k: usize,
    /// Stride.
    pub s: usize,
    /// Dilation.
    pub d: usize,
}

/// Per layer: receptive field `r_l = r_{l−1} + d_l(k_l − 1)·j_{l−1}` and jump
/// `j_l = j_{l−1}·s_l` (distance in input pixels between neighbouring outputs), with
/// `r_0 = j_0 = 1`.
pub fn receptive_fields(layers: &[Layer]) -> Vec<(usize, usize)> {
    let (mut r, mut j) = (1usize, 1usize);
    layers
        .iter()
        .map(|l| {
            r += l.d * (l.k - 1) * j;
            j *= l.s;
            (r, j)
        })
        .collect()
}

/// The region `[start, end]` (inclusive, per axis) that output index `o` of the last layer
/// depends on, at every level from the input (index 0) to the last layer.
pub fn regions(layers: &[Layer], o: usize) -> Vec<(usize, usize)> {
    let mut out = vec![(o, o)];
    for l in layers.iter().rev() {
        let (a, b) = out[out.len() - 1];
        out.push((a * l.s, b * l.s + l.d * (l.k - 1)));
    }
    out.reverse();
    out
}
