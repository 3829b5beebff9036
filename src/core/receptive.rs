//! Receptive fields of a stack of convolution layers.
//!
//! Layer `l` (1-based) has kernel `k_l`, stride `s_l`, zero padding `p_l` and dilation `d_l`.
//! Output index `i` of layer `l` reads positions `s_l·i − p_l + d_l·u` (`u = 0..k_l`) of layer
//! `l−1`. Measured in input pixels, along one axis:
//!
//! * jump (distance between neighbouring outputs): `j_0 = 1`, `j_l = j_{l−1} · s_l`
//! * receptive-field size: `r_0 = 1`, `r_l = r_{l−1} + d_l(k_l − 1) · j_{l−1}`
//! * first input pixel seen by output 0: `a_0 = 0`, `a_l = a_{l−1} − p_l · j_{l−1}`
//!
//! so output `i` of the last layer `L` sees input pixels `a_L + i·j_L ..= a_L + i·j_L + r_L − 1`.
//! That raw span may stick out of the image (into the zero padding); [`Field`] reports both the
//! raw span and the part inside the image, plus the exact set of input rows and columns that
//! reach the output (dilation leaves gaps; padding of inner layers may trim the edges).

use super::conv::{output_size, Conv2dParams, ConvError};
use std::fmt;
use std::ops::Range;

/// One convolution layer of the stack (square kernel; same settings on both axes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    /// Kernel side `k`.
    pub kernel: usize,
    /// Stride `s ≥ 1`.
    pub stride: usize,
    /// Zero padding `p` on each side.
    pub padding: usize,
    /// Dilation `d ≥ 1`.
    pub dilation: usize,
}

impl Layer {
    /// The stride / padding / dilation of this layer as [`Conv2dParams`].
    pub fn params(&self) -> Conv2dParams {
        Conv2dParams { stride: self.stride, padding: self.padding, dilation: self.dilation }
    }
}

/// Sizes after one layer of the stack, in input pixels where it says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerGeometry {
    /// Output height of this layer.
    pub out_h: usize,
    /// Output width of this layer.
    pub out_w: usize,
    /// Receptive-field side `r_l` in input pixels.
    pub rf: usize,
    /// Jump `j_l`: input pixels between neighbouring outputs of this layer.
    pub jump: usize,
    /// `a_l`: first input coordinate seen by output 0 (negative = in the padding).
    pub start: isize,
}

/// A half-open interval `start..end` of input coordinates that may lie outside the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First coordinate (may be negative).
    pub start: isize,
    /// One past the last coordinate.
    pub end: isize,
}

impl Span {
    /// Number of coordinates in the span.
    pub fn len(&self) -> usize {
        (self.end - self.start).max(0) as usize
    }

    /// True when the span is empty.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The part of the span inside `0..n`, or `None` when it lies entirely outside.
    pub fn clip(&self, n: usize) -> Option<Range<usize>> {
        let a = self.start.max(0);
        let b = self.end.min(n as isize);
        (a < b).then_some(a as usize..b as usize)
    }
}

/// What one output pixel of the last layer sees in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Receptive-field side `r_L` (the raw spans have this length).
    pub rf: usize,
    /// Raw row span, possibly reaching into the padding.
    pub raw_rows: Span,
    /// Raw column span, possibly reaching into the padding.
    pub raw_cols: Span,
    /// Rows of the raw span inside the image (`None`: the field lies wholly in the padding).
    pub rows: Option<Range<usize>>,
    /// Columns of the raw span inside the image.
    pub cols: Option<Range<usize>>,
    /// `seen_rows[y]`: input row `y` influences the output (length = input height).
    pub seen_rows: Vec<bool>,
    /// `seen_cols[x]`: input column `x` influences the output (length = input width).
    pub seen_cols: Vec<bool>,
}

/// Why a receptive field cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RfError {
    /// Layer `index` (0-based) cannot be applied to its input.
    Layer { index: usize, error: ConvError },
    /// The requested output pixel is outside the last layer's output.
    OutOfRange { row: usize, col: usize, height: usize, width: usize },
}

impl fmt::Display for RfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RfError::Layer { index, error } => write!(f, "layer {}: {error}", index + 1),
            RfError::OutOfRange { row, col, height, width } => {
                write!(f, "output pixel ({row}, {col}) is outside the {height} × {width} output")
            }
        }
    }
}

impl std::error::Error for RfError {}

/// Per-layer geometry of the stack applied to an `input_h × input_w` image.
///
/// ```
/// use dlviz::core::receptive::{layer_geometry, Layer};
/// let l = Layer { kernel: 3, stride: 2, padding: 1, dilation: 1 };
/// let g = layer_geometry(32, 32, &[l, l]).unwrap();
/// assert_eq!((g[1].out_h, g[1].rf, g[1].jump, g[1].start), (8, 7, 4, -3));
/// ```
pub fn layer_geometry(
    input_h: usize,
    input_w: usize,
    layers: &[Layer],
) -> Result<Vec<LayerGeometry>, RfError> {
    let (mut h, mut w, mut rf, mut jump, mut start) = (input_h, input_w, 1usize, 1usize, 0isize);
    let mut out = Vec::with_capacity(layers.len());
    for (index, l) in layers.iter().enumerate() {
        let err = |error| RfError::Layer { index, error };
        h = output_size(h, l.kernel, l.params()).map_err(err)?;
        w = output_size(w, l.kernel, l.params()).map_err(err)?;
        rf += l.dilation * (l.kernel - 1) * jump;
        start -= (l.padding * jump) as isize;
        jump *= l.stride;
        out.push(LayerGeometry { out_h: h, out_w: w, rf, jump, start });
    }
    Ok(out)
}

/// The input region seen by output pixel `(row, col)` of the last layer.
///
/// ```
/// use dlviz::core::receptive::{receptive_field, Layer, Span};
/// let l = Layer { kernel: 3, stride: 1, padding: 1, dilation: 1 };
/// let f = receptive_field(10, 10, &[l, l], 0, 5).unwrap();
/// assert_eq!(f.rf, 5);
/// assert_eq!(f.raw_rows, Span { start: -2, end: 3 });
/// assert_eq!(f.rows, Some(0..3));
/// assert_eq!(f.cols, Some(3..8));
/// ```
pub fn receptive_field(
    input_h: usize,
    input_w: usize,
    layers: &[Layer],
    row: usize,
    col: usize,
) -> Result<Field, RfError> {
    let geo = layer_geometry(input_h, input_w, layers)?;
    let (out_h, out_w, rf, jump, start) = match geo.last() {
        Some(g) => (g.out_h, g.out_w, g.rf, g.jump, g.start),
        None => (input_h, input_w, 1, 1, 0),
    };
    if row >= out_h || col >= out_w {
        return Err(RfError::OutOfRange { row, col, height: out_h, width: out_w });
    }
    let span = |i: usize| {
        let a = start + (i * jump) as isize;
        Span { start: a, end: a + rf as isize }
    };
    let (raw_rows, raw_cols) = (span(row), span(col));
    let sizes_h: Vec<usize> = std::iter::once(input_h).chain(geo.iter().map(|g| g.out_h)).collect();
    let sizes_w: Vec<usize> = std::iter::once(input_w).chain(geo.iter().map(|g| g.out_w)).collect();
    Ok(Field {
        rf,
        rows: raw_rows.clip(input_h),
        cols: raw_cols.clip(input_w),
        raw_rows,
        raw_cols,
        seen_rows: seen_axis(layers, &sizes_h, row),
        seen_cols: seen_axis(layers, &sizes_w, col),
    })
}

/// Walks back from output index `i` through the layers, keeping only real (non-padding)
/// positions, and returns which input coordinates are reached. `sizes[l]` is the length of
/// layer `l`'s output along this axis (`sizes[0]` = input).
fn seen_axis(layers: &[Layer], sizes: &[usize], i: usize) -> Vec<bool> {
    let mut cur = vec![false; sizes[layers.len()]];
    cur[i] = true;
    for (l, layer) in layers.iter().enumerate().rev() {
        let n_in = sizes[l];
        let mut prev = vec![false; n_in];
        for (o, _) in cur.iter().enumerate().filter(|(_, on)| **on) {
            for u in 0..layer.kernel {
                let pos = (layer.stride * o + layer.dilation * u) as isize - layer.padding as isize;
                if pos >= 0 && (pos as usize) < n_in {
                    prev[pos as usize] = true;
                }
            }
        }
        cur = prev;
    }
    cur
}
