//! Kernel presets: the classic hand-made image filters, at sizes 3, 5 and 7 (any odd size from
//! 3 to [`MAX_SIZE`] works).
//!
//! A kernel `K` (row-major, `n × n`, centre `c = (n−1)/2`) is applied by cross-correlation
//! `y[i,j] = Σ_u Σ_v K[u,v] · x[i+u−c, j+v−c]`, as in [`crate::core::conv`].
//!
//! Larger kernels are built from **binomial** rows `B_m` (row `m−1` of Pascal's triangle:
//! `B_1 = [1]`, `B_3 = [1,2,1]`, `B_5 = [1,4,6,4,1]`), the discrete stand-in for a Gaussian:
//!
//! | preset | definition for size `n` | sum |
//! |---|---|---|
//! | identity | `δ` (1 at the centre) | 1 |
//! | box | `1/n²` everywhere | 1 |
//! | gaussian | `G[u,v] ∝ exp(−((u−c)²+(v−c)²)/(2σ²))`, `σ = 0.3·((n−1)/2 − 1) + 0.8` (0.8, 1.1, 1.4 for 3, 5, 7 — OpenCV's default), normalised | 1 |
//! | sobel_x | `B_n` (down the rows) `⊗ ([−1,0,1] ∗ B_{n−2})` (along the columns), scaled so that a unit ramp `x[i,j] = j` gives 8 at every size (the 3 × 3 Sobel's gain; n = 3 is the classic `[[−1,0,1],[−2,0,2],[−1,0,1]]`) | 0 |
//! | sobel_y | transpose of sobel_x (ramp `x[i,j] = i` gives 8) | 0 |
//! | laplacian | `∇²` of a binomial blur: `(D₂ ∗ b)ᵀ ⊗ b̂ + b̂ᵀ ⊗ (D₂ ∗ b)` with `D₂ = [1,−2,1]`, `b = B_{n−2}/Σ` and `b̂` = `b` zero-padded to length `n`; n = 3 gives `[[0,1,0],[1,−4,1],[0,1,0]]`; the paraboloid `i²+j²` gives 4 | 0 |
//! | sharpen | `δ − laplacian` (n = 3: `[[0,−1,0],[−1,5,−1],[0,−1,0]]`) | 1 |
//! | emboss | `δ + s_n·((u−c)+(v−c))` with `s_n = 72/(n²(n²−1))` (n = 3: `[[−2,−1,0],[−1,1,1],[0,1,2]]`); `s_n` keeps the relief of a diagonal ramp equal at every size | 1 |
//! | random | He-normal: i.i.d. `N(0, 2/n²)` from [`Rng`] seeded with `seed` | ≈ 0 |
//!
//! Every preset except `random` ignores the seed.

use super::rng::Rng;
use std::fmt;

/// Largest kernel side accepted by [`Preset::kernel`].
pub const MAX_SIZE: usize = 15;

/// The kernel sizes the lesson offers.
pub const SIZES: [usize; 3] = [3, 5, 7];

/// A named kernel recipe (see the module docs for the exact definitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// The centre tap only: the output equals the input.
    Identity,
    /// Mean of the window.
    Box,
    /// Sampled, normalised Gaussian.
    Gaussian,
    /// Identity minus Laplacian: boosts edges.
    Sharpen,
    /// Horizontal derivative (responds to vertical edges).
    SobelX,
    /// Vertical derivative (responds to horizontal edges).
    SobelY,
    /// Sum of second derivatives: responds to blobs and edges in every direction.
    Laplacian,
    /// Identity plus a diagonal derivative: a relief effect.
    Emboss,
    /// He-normal random weights, as a freshly initialised network layer would have.
    Random,
}

/// Why a kernel could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    /// The size is even, below 3 or above [`MAX_SIZE`].
    Size { size: usize },
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::Size { size } => {
                write!(f, "kernel size {size} is not an odd number between 3 and {MAX_SIZE}")
            }
        }
    }
}

impl std::error::Error for FilterError {}

impl Preset {
    /// Every preset, in the order the UI lists them.
    pub const ALL: [Preset; 9] = [
        Preset::Identity,
        Preset::Box,
        Preset::Gaussian,
        Preset::Sharpen,
        Preset::SobelX,
        Preset::SobelY,
        Preset::Laplacian,
        Preset::Emboss,
        Preset::Random,
    ];

    /// Stable identifier used in URLs and i18n keys.
    pub fn id(self) -> &'static str {
        match self {
            Preset::Identity => "identity",
            Preset::Box => "box",
            Preset::Gaussian => "gaussian",
            Preset::Sharpen => "sharpen",
            Preset::SobelX => "sobel_x",
            Preset::SobelY => "sobel_y",
            Preset::Laplacian => "laplacian",
            Preset::Emboss => "emboss",
            Preset::Random => "random",
        }
    }

    /// The preset with identifier `id` (the inverse of [`Preset::id`]).
    pub fn from_id(id: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The `size × size` kernel, row-major. `seed` only matters for [`Preset::Random`].
    ///
    /// ```
    /// use dlviz::core::filters::Preset;
    /// let k = Preset::SobelX.kernel(3, 0).unwrap();
    /// assert_eq!(k, vec![-1.0, 0.0, 1.0, -2.0, 0.0, 2.0, -1.0, 0.0, 1.0]);
    /// assert!(Preset::Box.kernel(4, 0).is_err());
    /// ```
    pub fn kernel(self, size: usize, seed: u64) -> Result<Vec<f32>, FilterError> {
        if size < 3 || size.is_multiple_of(2) || size > MAX_SIZE {
            return Err(FilterError::Size { size });
        }
        let n = size;
        let k64: Vec<f64> = match self {
            Preset::Identity => delta(n),
            Preset::Box => vec![1.0 / (n * n) as f64; n * n],
            Preset::Gaussian => gaussian(n),
            Preset::SobelX => sobel_x(n),
            Preset::SobelY => transpose(&sobel_x(n), n),
            Preset::Laplacian => laplacian(n),
            Preset::Sharpen => delta(n).iter().zip(laplacian(n)).map(|(d, l)| d - l).collect(),
            Preset::Emboss => emboss(n),
            Preset::Random => {
                let mut rng = Rng::new(seed);
                let std = (2.0 / (n * n) as f64).sqrt();
                (0..n * n).map(|_| rng.normal() as f64 * std).collect()
            }
        };
        Ok(k64.into_iter().map(|v| v as f32).collect())
    }
}

/// Standard deviation of the Gaussian preset of side `n` (OpenCV's rule).
pub fn gaussian_sigma(n: usize) -> f64 {
    0.3 * ((n as f64 - 1.0) * 0.5 - 1.0) + 0.8
}

/// Binomial row `B_m` (length `m ≥ 1`).
fn binomial(m: usize) -> Vec<f64> {
    let mut row = vec![1.0f64];
    for _ in 1..m {
        let mut next = vec![1.0; row.len() + 1];
        for i in 1..row.len() {
            next[i] = row[i - 1] + row[i];
        }
        row = next;
    }
    row
}

/// Full 1-D convolution `a ∗ b` (length `|a| + |b| − 1`).
fn convolve1d(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            out[i + j] += x * y;
        }
    }
    out
}

/// Outer product: `rows[u] · cols[v]`, row-major.
fn outer(rows: &[f64], cols: &[f64]) -> Vec<f64> {
    rows.iter().flat_map(|r| cols.iter().map(move |c| r * c)).collect()
}

fn transpose(k: &[f64], n: usize) -> Vec<f64> {
    (0..n * n).map(|i| k[(i % n) * n + i / n]).collect()
}

fn delta(n: usize) -> Vec<f64> {
    let mut k = vec![0.0; n * n];
    k[(n / 2) * n + n / 2] = 1.0;
    k
}

fn gaussian(n: usize) -> Vec<f64> {
    let s = gaussian_sigma(n);
    let c = (n / 2) as f64;
    let g: Vec<f64> = (0..n).map(|i| (-((i as f64 - c).powi(2)) / (2.0 * s * s)).exp()).collect();
    let k = outer(&g, &g);
    let sum: f64 = k.iter().sum();
    k.into_iter().map(|v| v / sum).collect()
}

fn sobel_x(n: usize) -> Vec<f64> {
    // Smoothing down the rows, central difference smoothed along the columns.
    let smooth = binomial(n);
    let deriv = convolve1d(&[-1.0, 0.0, 1.0], &binomial(n - 2));
    // Unit-ramp gain of the raw product: Σ smooth · Σ_v deriv[v]·v = 2^{n−1} · 2·2^{n−3}.
    // Scale to the 3 × 3 gain of 4 · 2 = 8.
    let gain = 2f64.powi(n as i32 - 1) * 2.0 * 2f64.powi(n as i32 - 3);
    outer(&smooth, &deriv).into_iter().map(|v| v * 8.0 / gain).collect()
}

fn laplacian(n: usize) -> Vec<f64> {
    let b = binomial(n - 2);
    let sum: f64 = b.iter().sum();
    let b: Vec<f64> = b.into_iter().map(|v| v / sum).collect();
    let d2 = convolve1d(&[1.0, -2.0, 1.0], &b); // length n
    let mut b_pad = vec![0.0; n];
    b_pad[1..n - 1].copy_from_slice(&b);
    let along_cols = outer(&b_pad, &d2); // second derivative along x (columns)
    let along_rows = outer(&d2, &b_pad); // second derivative along y (rows)
    along_cols.iter().zip(along_rows).map(|(a, b)| a + b).collect()
}

fn emboss(n: usize) -> Vec<f64> {
    let c = (n / 2) as f64;
    let s = 72.0 / ((n * n) as f64 * ((n * n) as f64 - 1.0));
    let mut k: Vec<f64> =
        (0..n * n).map(|i| s * (((i / n) as f64 - c) + ((i % n) as f64 - c))).collect();
    k[(n / 2) * n + n / 2] += 1.0;
    k
}
