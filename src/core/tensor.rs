//! A dense `f32` tensor.
//!
//! # Memory layout
//! Row-major (C-contiguous): the last axis varies fastest. Images and feature maps use
//! **NCHW** — batch, channel, height, width — so element `(n, c, y, x)` of a tensor with
//! shape `[N, C, H, W]` lives at `((n·C + c)·H + y)·W + x`. Convolution weights use
//! `[F, C, KH, KW]` (filters, input channels, kernel rows, kernel columns).

use std::fmt;

/// Why a tensor could not be built or used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeError {
    /// `data.len()` does not equal the product of the shape.
    LengthMismatch { shape: Vec<usize>, len: usize },
    /// The operation needs a tensor of `expected` rank.
    Rank { expected: usize, got: usize },
    /// Two shapes that must agree do not.
    Mismatch { what: &'static str, left: Vec<usize>, right: Vec<usize> },
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeError::LengthMismatch { shape, len } => {
                write!(
                    f,
                    "shape {shape:?} needs {} values, got {len}",
                    shape.iter().product::<usize>()
                )
            }
            ShapeError::Rank { expected, got } => {
                write!(f, "expected a rank-{expected} tensor, got rank {got}")
            }
            ShapeError::Mismatch { what, left, right } => {
                write!(f, "{what}: {left:?} does not match {right:?}")
            }
        }
    }
}

impl std::error::Error for ShapeError {}

/// A dense, row-major `f32` tensor (see the module docs for the layout).
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    shape: Vec<usize>,
    data: Vec<f32>,
}

impl Tensor {
    /// Wraps `data` with `shape`; fails if the lengths disagree.
    ///
    /// ```
    /// use dlviz::core::Tensor;
    /// let t = Tensor::new(vec![2, 3], vec![0.0; 6]).unwrap();
    /// assert_eq!(t.shape(), &[2, 3]);
    /// assert!(Tensor::new(vec![2, 3], vec![0.0; 5]).is_err());
    /// ```
    pub fn new(shape: Vec<usize>, data: Vec<f32>) -> Result<Self, ShapeError> {
        let n: usize = shape.iter().product();
        if n != data.len() {
            return Err(ShapeError::LengthMismatch { shape, len: data.len() });
        }
        Ok(Self { shape, data })
    }

    /// A tensor of zeros.
    pub fn zeros(shape: Vec<usize>) -> Self {
        let n = shape.iter().product();
        Self { shape, data: vec![0.0; n] }
    }

    /// A tensor whose element at flat index `i` is `f(i)`.
    pub fn from_fn(shape: Vec<usize>, f: impl FnMut(usize) -> f32) -> Self {
        let n = shape.iter().product();
        Self { shape, data: (0..n).map(f).collect() }
    }

    /// The shape, outermost axis first.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of axes.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the tensor holds no element.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements in row-major order.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// The elements in row-major order, mutably.
    pub fn data_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// Consumes the tensor, returning its elements.
    pub fn into_data(self) -> Vec<f32> {
        self.data
    }

    /// The same elements under a new shape with the same element count.
    pub fn reshape(self, shape: Vec<usize>) -> Result<Self, ShapeError> {
        Self::new(shape, self.data)
    }

    /// The shape as `[N, C, H, W]`, or an error if the rank is not 4.
    pub fn dims4(&self) -> Result<[usize; 4], ShapeError> {
        match *self.shape.as_slice() {
            [n, c, h, w] => Ok([n, c, h, w]),
            _ => Err(ShapeError::Rank { expected: 4, got: self.rank() }),
        }
    }

    /// Element-wise maximum absolute difference to `other` (shapes must match).
    pub fn max_abs_diff(&self, other: &Tensor) -> Result<f32, ShapeError> {
        if self.shape != other.shape {
            return Err(ShapeError::Mismatch {
                what: "max_abs_diff",
                left: self.shape.clone(),
                right: other.shape.clone(),
            });
        }
        Ok(self.data.iter().zip(&other.data).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max))
    }
}
