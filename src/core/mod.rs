//! The web-free numeric core of dlviz: tensors, kernels and their maths.
//!
//! Nothing in this module knows about Leptos, the DOM or wasm-bindgen (a test in
//! `tests/core_is_web_free.rs` enforces it), so every formula here is tested natively and
//! usable by any crate that depends on `dlviz`.
//!
//! * [`conv`] — 2-D convolution (fast CPU path and the reference loop), output sizes.
//! * [`data`] — seeded toy datasets (moons, spirals, circles, blobs, regression, shape images), splits, mini-batches.
//! * [`fastexp`] — a vectorised `exp` (range reduction + polynomial) for softmax rows.
//! * [`activation`] — ReLU.
//! * [`filters`] — kernel presets (identity, blur, Sobel, …).
//! * [`receptive`] — receptive fields of layer stacks.
//! * [`surfaces`] — 2-D loss surfaces with gradients, grid sampling, marching-squares contours.
//! * [`colormap`] — values → RGBA (diverging and grey), legend stops.
//! * [`color`] — sRGB colours: CSS parsing, mixing, the book's class (0–9) and series colours.
//! * [`image`] — RGBA ↔ NCHW tensors, area-average resizing.
//! * [`mnist`] — the shipped MNIST digits file: parse, validate (checksum), to a dataset.
//! * [`matmul`] — `C = op(A)·op(B)` with optional transposes (dense layers and their gradients).
//! * [`pca`] — principal component analysis (subspace iteration + Rayleigh–Ritz), reconstructions.
//! * [`optim`] — optimizers (SGD … AdamW), LR schedules, gradient clipping, EMA.
//! * [`divergence`] — KL and JS divergences: discrete, on a grid, Gaussian closed form, Monte Carlo, KL fits.
//! * [`logits`] — log-sum-exp, softmax (temperature), sigmoid, cross-entropy, BCE (stable and naive).
//! * [`train`] — a training session: lockstep runs, history, EMA view, divergence, throughput.
//! * [`autograd`] — reverse-mode autodiff on a tape (the training engine); [`nn`] — layers on it.
//! * [`vae`] — the variational autoencoder (encoder, reparameterisation, decoder, β-ELBO) on the engine.

pub mod activation;
pub mod autograd;
pub mod color;
pub mod colormap;
pub mod conv;
pub mod data;
pub mod dense;
pub mod divergence;
pub mod fastexp;
pub mod filters;
pub mod image;
pub mod logits;
pub mod matmul;
pub mod mnist;
pub mod nn;
pub mod optim;
pub mod pca;
pub mod receptive;
pub mod rng;
pub mod surfaces;
pub mod tensor;
pub mod train;
pub mod vae;

pub use conv::{conv2d, Conv2dParams, ConvError};
pub use rng::Rng;
pub use tensor::{ShapeError, Tensor};
