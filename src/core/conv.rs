//! 2-D convolution (cross-correlation, as in every deep-learning library).
//!
//! For input `x: (N, C, H, W)`, weights `w: (F, C, KH, KW)` and bias `b: (F)`:
//!
//! `y[n,f,i,j] = b[f] + Σ_c Σ_u Σ_v w[f,c,u,v] · x[n, c, s·i + d·u − p, s·j + d·v − p]`
//!
//! with stride `s`, zero padding `p` (reads outside the image are 0) and dilation `d`.
//! The output size per axis is `H_out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1`.

use super::tensor::{ShapeError, Tensor};
use std::fmt;

/// Stride, zero padding and dilation of a convolution (same on both axes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv2dParams {
    /// Step between neighbouring windows, ≥ 1.
    pub stride: usize,
    /// Zeros added on each side of each spatial axis.
    pub padding: usize,
    /// Spacing between kernel taps, ≥ 1 (1 = a dense kernel).
    pub dilation: usize,
}

impl Default for Conv2dParams {
    fn default() -> Self {
        Self { stride: 1, padding: 0, dilation: 1 }
    }
}

/// Why a convolution cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvError {
    /// Stride or dilation of zero.
    ZeroStep { what: &'static str },
    /// A kernel with no taps (`k = 0` on an axis).
    EmptyKernel,
    /// The dilated kernel `d(k−1)+1` is larger than the padded input `H + 2p`.
    KernelTooLarge { input: usize, padding: usize, effective_kernel: usize },
    /// A size computed from the argument `what` (padding, dilation, the output's element count)
    /// does not fit in `usize`: the argument is absurdly large.
    Overflow { what: &'static str, value: usize },
    /// Tensor shapes are inconsistent.
    Shape(ShapeError),
}

impl fmt::Display for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvError::ZeroStep { what } => write!(f, "{what} must be at least 1"),
            ConvError::EmptyKernel => write!(f, "kernel size must be at least 1 (it is 0)"),
            ConvError::KernelTooLarge { input, padding, effective_kernel } => write!(
                f,
                "the dilated kernel spans {effective_kernel} pixel{} but the padded input is only {} wide",
                if *effective_kernel == 1 { "" } else { "s" },
                input.saturating_add(padding.saturating_mul(2))
            ),
            ConvError::Overflow { what, value } => {
                write!(f, "{what} {value} is too large: the sizes it implies overflow")
            }
            ConvError::Shape(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ConvError {}

impl From<ShapeError> for ConvError {
    fn from(e: ShapeError) -> Self {
        ConvError::Shape(e)
    }
}

/// Output length of one spatial axis: `⌊(n + 2p − d(k−1) − 1)/s⌋ + 1`.
///
/// Errors: a stride or dilation of 0, a kernel of size 0, a dilated kernel wider than the
/// padded input, and a padding or dilation so large that `n + 2p` or `d(k−1) + 1` (or the
/// signed offsets the kernels use, `isize`) overflow — each names the argument.
///
/// ```
/// use dlviz::core::conv::{output_size, Conv2dParams};
/// let p = Conv2dParams { stride: 2, padding: 1, dilation: 1 };
/// assert_eq!(output_size(28, 3, p), Ok(14));
/// assert!(output_size(2, 5, Conv2dParams::default()).is_err());
/// ```
pub fn output_size(n: usize, k: usize, p: Conv2dParams) -> Result<usize, ConvError> {
    if p.stride == 0 {
        return Err(ConvError::ZeroStep { what: "stride" });
    }
    if p.dilation == 0 {
        return Err(ConvError::ZeroStep { what: "dilation" });
    }
    if k == 0 {
        return Err(ConvError::EmptyKernel);
    }
    // Every index the kernels form (`s·i + d·u − p`) must fit in an isize.
    let fits = |v: usize| v <= isize::MAX as usize;
    let effective_kernel = p
        .dilation
        .checked_mul(k - 1)
        .and_then(|v| v.checked_add(1))
        .filter(|&v| fits(v))
        .ok_or(ConvError::Overflow { what: "dilation", value: p.dilation })?;
    let padded = p
        .padding
        .checked_mul(2)
        .and_then(|v| v.checked_add(n))
        .filter(|&v| fits(v))
        .ok_or(ConvError::Overflow { what: "padding", value: p.padding })?;
    if effective_kernel > padded {
        return Err(ConvError::KernelTooLarge { input: n, padding: p.padding, effective_kernel });
    }
    Ok((padded - effective_kernel) / p.stride + 1)
}

/// Sizes of one convolution, checked for consistency.
#[derive(Debug, Clone, Copy)]
struct Dims {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    f: usize,
    kh: usize,
    kw: usize,
    ho: usize,
    wo: usize,
}

/// The output shape `[N, F, H_out, W_out]` of a convolution, after checking that the shapes
/// agree (input vs weight channels, bias vs filters) and that the sizes are possible. Every
/// backend validates through this one function, so they all fail alike.
///
/// `input: (N, C, H, W)`, `weight: (F, C, KH, KW)`, `bias: (F)`.
pub fn output_shape(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    p: Conv2dParams,
) -> Result<[usize; 4], ConvError> {
    let d = check(input, weight, bias, p)?;
    Ok([d.n, d.f, d.ho, d.wo])
}

/// Validates shapes and parameters; both convolutions share it so they fail alike.
fn check(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    p: Conv2dParams,
) -> Result<Dims, ConvError> {
    let [n, c, h, w] = input.dims4()?;
    let [f, wc, kh, kw] = weight.dims4()?;
    if wc != c {
        return Err(ShapeError::Mismatch {
            what: "input channels vs weight channels",
            left: input.shape().to_vec(),
            right: weight.shape().to_vec(),
        }
        .into());
    }
    if let Some(b) = bias {
        if b.len() != f {
            return Err(ShapeError::Mismatch {
                what: "bias length vs filters",
                left: vec![b.len()],
                right: vec![f],
            }
            .into());
        }
    }
    let ho = output_size(h, kh, p)?;
    let wo = output_size(w, kw, p)?;
    // The output and the padded copy of the input must be countable.
    let padded = |v: usize| v + 2 * p.padding; // cannot overflow: output_size checked it
    [n, f, ho, wo]
        .iter()
        .try_fold(1usize, |a, &b| a.checked_mul(b))
        .and_then(|_| {
            [n, c, padded(h), padded(w)].iter().try_fold(1usize, |a, &b| a.checked_mul(b))
        })
        .ok_or(ConvError::Overflow { what: "padding", value: p.padding })?;
    Ok(Dims { n, c, h, w, f, kh, kw, ho, wo })
}

/// Reference convolution: a direct loop, easy to read and obviously right.
///
/// # Shapes
/// `input: (N, C, H, W)`, `weight: (F, C, KH, KW)`, `bias: (F)` → `(N, F, H_out, W_out)`.
pub fn conv2d_reference(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    p: Conv2dParams,
) -> Result<Tensor, ConvError> {
    let Dims { n, c, h, w, f, kh, kw, ho, wo } = check(input, weight, bias, p)?;
    let (x, k) = (input.data(), weight.data());
    let mut out = vec![0.0f32; n * f * ho * wo];
    for ni in 0..n {
        for fi in 0..f {
            for i in 0..ho {
                for j in 0..wo {
                    let mut acc = bias.map_or(0.0, |b| b[fi]);
                    for ci in 0..c {
                        for u in 0..kh {
                            let y = (p.stride * i + p.dilation * u) as isize - p.padding as isize;
                            if y < 0 || y >= h as isize {
                                continue;
                            }
                            for v in 0..kw {
                                let xx =
                                    (p.stride * j + p.dilation * v) as isize - p.padding as isize;
                                if xx < 0 || xx >= w as isize {
                                    continue;
                                }
                                acc += k[((fi * c + ci) * kh + u) * kw + v]
                                    * x[((ni * c + ci) * h + y as usize) * w + xx as usize];
                            }
                        }
                    }
                    out[((ni * f + fi) * ho + i) * wo + j] = acc;
                }
            }
        }
    }
    Ok(Tensor::new(vec![n, f, ho, wo], out)?)
}

/// Output columns computed together by the micro-kernel (two 4-lane vectors).
const JT: usize = 8;
/// Filters computed together by the micro-kernel (register blocking: each input vector load
/// feeds `FB` accumulators).
const FB: usize = 4;
/// Output rows computed for every filter group before moving on (cache blocking).
const ROW_BLOCK: usize = 2;

/// Convolution on the CPU: the fast path used by the app (see [`conv2d_reference`] for
/// the definition; both agree within float rounding).
///
/// # Method
/// 1. The input of each batch item is copied once into a zero-padded, *phase-split* buffer:
///    padded row `r` of channel `c` is stored as `s` rows, phase `q` holding padded columns
///    `q, q+s, q+2s, …`. Then the `JT` inputs that tap `(c, u, v)` needs for output columns
///    `j..j+JT` are **contiguous** for every stride, dilation and padding — no border cases.
/// 2. Weights are packed per group of `FB` filters as `[tap][filter]`.
/// 3. A micro-kernel keeps a `FB × JT` block of outputs in registers and runs over all
///    `C·KH·KW` taps: one input-vector load feeds `FB` multiply-adds (wasm SIMD128 when
///    compiled with it, otherwise plain arrays that LLVM vectorises).
///
/// # Shapes
/// `input: (N, C, H, W)`, `weight: (F, C, KH, KW)`, `bias: (F)` → `(N, F, H_out, W_out)`.
///
/// ```
/// use dlviz::core::{conv2d, Conv2dParams, Tensor};
/// // 1×1×3×3 input 1..9, one 2×2 kernel of ones: each output sums a 2×2 window.
/// let x = Tensor::from_fn(vec![1, 1, 3, 3], |i| (i + 1) as f32);
/// let k = Tensor::new(vec![1, 1, 2, 2], vec![1.0; 4]).unwrap();
/// let y = conv2d(&x, &k, Some(&[0.5]), Conv2dParams::default()).unwrap();
/// assert_eq!(y.shape(), &[1, 1, 2, 2]);
/// assert_eq!(y.data(), &[12.5, 16.5, 24.5, 28.5]); // 1+2+4+5 = 12, … , plus bias 0.5
/// ```
pub fn conv2d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    p: Conv2dParams,
) -> Result<Tensor, ConvError> {
    let mut out = Vec::new();
    let shape = conv2d_into(input, weight, bias, p, false, &mut out)?;
    Ok(Tensor::new(shape.to_vec(), out)?)
}

/// Scratch buffers of [`conv2d_into`], kept between calls so that a re-render allocates and
/// zeroes nothing: the phase-split padded input, the tap offsets and the packed weights.
#[derive(Default)]
struct ConvScratch {
    xp: Vec<f32>,
    offs: Vec<usize>,
    wp: Vec<f32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<ConvScratch> = std::cell::RefCell::new(ConvScratch::default());
}

/// [`conv2d`] into a caller-owned buffer, optionally with ReLU fused in: `out` becomes the
/// `(N, F, H_out, W_out)` output (row-major), `max(0, y)` when `relu` is true (NaN → 0, as
/// [`relu_inplace`](super::activation::relu_inplace)). Returns the output shape.
///
/// `out` is resized only when its length differs, and every element is overwritten, so
/// calling this again with the same shapes allocates and zeroes nothing. The padded-input
/// scratch is kept per thread between calls as well. On error `out` is left unchanged.
///
/// # Shapes
/// `input: (N, C, H, W)`, `weight: (F, C, KH, KW)`, `bias: (F)` → `(N, F, H_out, W_out)`.
///
/// ```
/// use dlviz::core::{conv::conv2d_into, Conv2dParams, Tensor};
/// let x = Tensor::from_fn(vec![1, 1, 3, 3], |i| (i + 1) as f32);
/// let k = Tensor::new(vec![1, 1, 2, 2], vec![-1.0, 1.0, -1.0, 1.0]).unwrap();
/// let mut y = Vec::new();
/// let shape = conv2d_into(&x, &k, Some(&[-2.5]), Conv2dParams::default(), true, &mut y).unwrap();
/// assert_eq!(shape, [1, 1, 2, 2]);
/// assert_eq!(y, vec![0.0; 4]); // each window gives 2 − 2.5 < 0, cut by the fused ReLU
/// ```
pub fn conv2d_into(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    p: Conv2dParams,
    relu: bool,
    out: &mut Vec<f32>,
) -> Result<[usize; 4], ConvError> {
    let d = check(input, weight, bias, p)?;
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => conv2d_core(input, weight, bias, p, relu, d, &mut scratch, out),
        // Unreachable (the kernel does not call back into itself), but never panic.
        Err(_) => conv2d_core(input, weight, bias, p, relu, d, &mut ConvScratch::default(), out),
    })
}

/// The fast path behind [`conv2d`] and [`conv2d_into`]; `d` comes from `check`.
#[allow(clippy::too_many_arguments)]
fn conv2d_core(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    p: Conv2dParams,
    relu: bool,
    d: Dims,
    scratch: &mut ConvScratch,
    out: &mut Vec<f32>,
) -> Result<[usize; 4], ConvError> {
    let Dims { n, c, h, w, f, kh, kw, ho, wo } = d;
    let shape = [n, f, ho, wo];
    let (s, dil, pad) = (p.stride, p.dilation, p.padding);
    let len = n * f * ho * wo;
    if len == 0 {
        out.clear();
        return Ok(shape);
    }

    if s > w + 2 * pad {
        // Only one output column: the phase split would be mostly empty, and the direct loop
        // costs next to nothing here.
        return reference_into(input, weight, bias, p, relu, out);
    }
    // Phase-split padded input: (C, Hp, s, L), L = row length of one phase.
    let hp = h + 2 * pad;
    let wo_pad = wo.div_ceil(JT) * JT;
    let max_m = dil * (kw - 1) / s;
    let l = wo_pad + max_m;
    let row_step = s * s * l; // distance between the rows of output rows i and i+1
                              // `fill_phase_split` writes every element, so a reused buffer needs no zeroing.
    let xp = &mut scratch.xp;
    xp.resize(c * hp * s * l, 0.0);

    // Tap offsets for output row 0, column 0, in (c, u, v) order = the weight order.
    let taps = c * kh * kw;
    let offs = &mut scratch.offs;
    offs.clear();
    for ci in 0..c {
        for u in 0..kh {
            for v in 0..kw {
                offs.push(((ci * hp + dil * u) * s + (dil * v) % s) * l + (dil * v) / s);
            }
        }
    }
    // Every read is xp[offs[t] + i·row_step + j + lane] with i < ho, j + lane < wo_pad. Check
    // the largest once so the micro-kernel may skip bounds checks.
    let max_read = offs.iter().max().copied().unwrap_or(0) + (ho - 1) * row_step + wo_pad;
    if max_read > xp.len() {
        // Unreachable by construction (rows: s(ho−1) + d(kh−1) < Hp; columns: see `l`).
        return reference_into(input, weight, bias, p, relu, out);
    }

    // Packed weights: group g (filters g·FB..) stored as [tap][filter in group]; every element
    // is written below.
    let wd = weight.data();
    let wp = &mut scratch.wp;
    wp.resize(f * taps, 0.0);
    for fi in 0..f {
        let (g, fl) = (fi / FB, fi % FB);
        let fb = FB.min(f - g * FB);
        for t in 0..taps {
            wp[g * FB * taps + t * fb + fl] = wd[fi * taps + t];
        }
    }

    // Every output element is written by `run_group` (all rows, all column tiles, all
    // filters), so only a change of length needs `resize`.
    out.resize(len, 0.0);
    let (offs, wp) = (&scratch.offs, &scratch.wp);
    let x = input.data();
    let plane_out = ho * wo;
    for ni in 0..n {
        fill_phase_split(
            &x[ni * c * h * w..(ni + 1) * c * h * w],
            &mut scratch.xp,
            c,
            h,
            w,
            pad,
            s,
            l,
        );
        let xp = &scratch.xp;
        let out_n = &mut out[ni * f * plane_out..(ni + 1) * f * plane_out];
        // Row blocks outside, filter groups inside: the input rows a block reads stay in
        // cache while every group uses them (with many channels the padded input does not fit
        // in L2, and a group-outer order would stream it once per group).
        for r0 in (0..ho).step_by(ROW_BLOCK) {
            let rows = r0..(r0 + ROW_BLOCK).min(ho);
            for g in 0..f.div_ceil(FB) {
                let fb = FB.min(f - g * FB);
                let wg = &wp[g * FB * taps..g * FB * taps + fb * taps];
                let bg = |k: usize| bias.map_or(0.0, |b| b[g * FB + k]);
                let out_g = &mut out_n[g * FB * plane_out..(g * FB + fb) * plane_out];
                let r = rows.clone();
                let b4 = || [bg(0), bg(1), bg(2), bg(3)]; // only when fb = 4
                match (fb, relu) {
                    (4, false) => run_group::<4, false>(xp, offs, wg, b4(), out_g, d, row_step, r),
                    (4, true) => run_group::<4, true>(xp, offs, wg, b4(), out_g, d, row_step, r),
                    (3, false) => run_group::<3, false>(
                        xp,
                        offs,
                        wg,
                        [bg(0), bg(1), bg(2)],
                        out_g,
                        d,
                        row_step,
                        r,
                    ),
                    (3, true) => run_group::<3, true>(
                        xp,
                        offs,
                        wg,
                        [bg(0), bg(1), bg(2)],
                        out_g,
                        d,
                        row_step,
                        r,
                    ),
                    (2, false) => {
                        run_group::<2, false>(xp, offs, wg, [bg(0), bg(1)], out_g, d, row_step, r)
                    }
                    (2, true) => {
                        run_group::<2, true>(xp, offs, wg, [bg(0), bg(1)], out_g, d, row_step, r)
                    }
                    (_, false) => {
                        run_group::<1, false>(xp, offs, wg, [bg(0)], out_g, d, row_step, r)
                    }
                    (_, true) => run_group::<1, true>(xp, offs, wg, [bg(0)], out_g, d, row_step, r),
                }
            }
        }
    }
    Ok(shape)
}

/// [`conv2d_reference`] (then ReLU when asked) into `out`, for the cases the fast path skips.
fn reference_into(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    p: Conv2dParams,
    relu: bool,
    out: &mut Vec<f32>,
) -> Result<[usize; 4], ConvError> {
    let y = conv2d_reference(input, weight, bias, p)?;
    let [n, f, ho, wo] = y.dims4()?;
    out.clear();
    out.extend_from_slice(y.data());
    if relu {
        super::activation::relu_inplace(out);
    }
    Ok([n, f, ho, wo])
}

/// Copies one batch item `x: (C, H, W)` into the phase-split padded buffer
/// `xp: (C, H+2p, s, L)`: `xp[c][r][q][m] = x[c][r−p][q + m·s − p]`, 0 outside the image.
#[allow(clippy::too_many_arguments)]
fn fill_phase_split(
    x: &[f32],
    xp: &mut [f32],
    c: usize,
    h: usize,
    w: usize,
    pad: usize,
    s: usize,
    l: usize,
) {
    let hp = h + 2 * pad;
    for ci in 0..c {
        for r in 0..hp {
            let dst_rows = &mut xp[(ci * hp + r) * s * l..(ci * hp + r + 1) * s * l];
            if r < pad || r >= pad + h {
                dst_rows.fill(0.0);
                continue;
            }
            let src = &x[(ci * h + r - pad) * w..(ci * h + r - pad + 1) * w];
            if s == 1 {
                // Row = [0; pad] ++ src ++ [0; rest].
                let (left, rest) = dst_rows.split_at_mut(pad.min(l));
                left.fill(0.0);
                let k = w.min(rest.len());
                rest[..k].copy_from_slice(&src[..k]);
                rest[k..].fill(0.0);
                continue;
            }
            for (q, dst) in dst_rows.chunks_exact_mut(l).enumerate() {
                for (m, d) in dst.iter_mut().enumerate() {
                    let col = q + m * s;
                    *d = if col >= pad && col < pad + w { src[col - pad] } else { 0.0 };
                }
            }
        }
    }
}

/// Output rows `rows` (all column tiles) of one group of `B` filters (`out: (B, H_out, W_out)`),
/// with ReLU applied in registers before the store when `RELU`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn run_group<const B: usize, const RELU: bool>(
    xp: &[f32],
    offs: &[usize],
    w: &[f32],
    bias: [f32; B],
    out: &mut [f32],
    d: Dims,
    row_step: usize,
    rows: std::ops::Range<usize>,
) {
    let (ho, wo) = (d.ho, d.wo);
    let plane = ho * wo;
    let mut tile = [[0.0f32; JT]; B];
    for i in rows {
        let base_row = i * row_step;
        let mut j = 0;
        while j < wo {
            // SAFETY: `conv2d` checked that offs[t] + (ho−1)·row_step + wo_pad ≤ xp.len(),
            // and base_row + j + JT ≤ (ho−1)·row_step + wo_pad; `w` holds B·taps values.
            unsafe { micro_kernel::<B, RELU>(xp, offs, base_row + j, w, &bias, &mut tile) };
            let row0 = i * wo + j;
            if j + JT <= wo {
                // Full tile: a constant-length copy (two vector stores, no memcpy call).
                for (k, t) in tile.iter().enumerate() {
                    let o = k * plane + row0;
                    if let Some(dst) = out.get_mut(o..o + JT) {
                        dst.copy_from_slice(t);
                    }
                }
            } else {
                let lanes = wo - j;
                for (k, t) in tile.iter().enumerate() {
                    let o = k * plane + row0;
                    if let Some(dst) = out.get_mut(o..o + lanes) {
                        for (d, s) in dst.iter_mut().zip(t) {
                            *d = *s;
                        }
                    }
                }
            }
            j += JT;
        }
    }
}

/// `tile[k][lane] = bias[k] + Σ_t w[t·B + k] · xp[offs[t] + base + lane]`, then `max(0, ·)`
/// when `RELU`.
///
/// # Safety
/// `offs[t] + base + JT ≤ xp.len()` for every `t`, and `w.len() ≥ offs.len() · B`.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
unsafe fn micro_kernel<const B: usize, const RELU: bool>(
    xp: &[f32],
    offs: &[usize],
    base: usize,
    w: &[f32],
    bias: &[f32; B],
    tile: &mut [[f32; JT]; B],
) {
    let mut acc = bias.map(|b| [b; JT]);
    let xptr = xp.as_ptr().add(base);
    let mut wptr = w.as_ptr();
    for &o in offs {
        let xv: [f32; JT] = std::ptr::read_unaligned(xptr.add(o) as *const [f32; JT]);
        for (k, acc_k) in acc.iter_mut().enumerate() {
            let wk = *wptr.add(k);
            for (a, x) in acc_k.iter_mut().zip(&xv) {
                *a += wk * x;
            }
        }
        wptr = wptr.add(B);
    }
    if RELU {
        // A select, not f32::max, so that it vectorises (NaN becomes 0, as relu_inplace).
        for v in acc.iter_mut().flatten() {
            *v = if *v > 0.0 { *v } else { 0.0 };
        }
    }
    *tile = acc;
}

/// wasm SIMD128 version of the micro-kernel (same contract as the portable one).
///
/// # Safety
/// `offs[t] + base + JT ≤ xp.len()` for every `t`, and `w.len() ≥ offs.len() · B`.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
unsafe fn micro_kernel<const B: usize, const RELU: bool>(
    xp: &[f32],
    offs: &[usize],
    base: usize,
    w: &[f32],
    bias: &[f32; B],
    tile: &mut [[f32; JT]; B],
) {
    use core::arch::wasm32::*;
    // `each_k!` writes the per-filter statements out for k = 0..B with literal indices, so the
    // accumulator arrays become registers. A `for k in 0..B` loop is not unrolled at the
    // release profile's opt-level "s", and the accumulators then live in memory (the same
    // fix made the matmul micro-kernel 1.5× faster).
    const { assert!(B <= 4, "each_k! is written out for at most four filters") };
    macro_rules! each_k {
        ($k:ident => $body:block) => {{
            if B > 0 {
                let $k = 0;
                $body
            }
            if B > 1 {
                let $k = 1;
                $body
            }
            if B > 2 {
                let $k = 2;
                $body
            }
            if B > 3 {
                let $k = 3;
                $body
            }
        }};
    }
    let mut lo = [f32x4_splat(0.0); B];
    let mut hi = [f32x4_splat(0.0); B];
    each_k!(k => {
        lo[k] = f32x4_splat(bias[k]);
        hi[k] = lo[k];
    });
    let xptr = xp.as_ptr().add(base);
    let mut wptr = w.as_ptr();
    for &o in offs {
        let p = xptr.add(o);
        let x0 = v128_load(p as *const v128);
        let x1 = v128_load(p.add(4) as *const v128);
        each_k!(k => {
            let wk = v128_load32_splat(wptr.add(k) as *const u32);
            lo[k] = f32x4_add(lo[k], f32x4_mul(wk, x0));
            hi[k] = f32x4_add(hi[k], f32x4_mul(wk, x1));
        });
        wptr = wptr.add(B);
    }
    if RELU {
        // pmax(0, v) = if 0 < v { v } else { 0 }: negatives and NaN become 0.
        let zero = f32x4_splat(0.0);
        each_k!(k => {
            lo[k] = f32x4_pmax(zero, lo[k]);
            hi[k] = f32x4_pmax(zero, hi[k]);
        });
    }
    each_k!(k => {
        v128_store(tile[k].as_mut_ptr() as *mut v128, lo[k]);
        v128_store(tile[k].as_mut_ptr().add(4) as *mut v128, hi[k]);
    });
}
