//! Autoencoders: learning a small code from which the input can be rebuilt.
//!
//! An encoder `z = f(x)` squeezes a 784-pixel digit through a bottleneck of `z` numbers and a
//! decoder `x̂ = g(z)` rebuilds it; both are trained together to make `x̂ ≈ x` (here binary
//! cross-entropy per pixel, `x̂ = σ(ℓ)`). With linear layers and squared error the best
//! autoencoder spans the same subspace as PCA with `k = z` axes, so PCA is the baseline: the
//! nonlinear network should rebuild digits better at the same code size. A denoising
//! autoencoder gets `clip(x + σ·ε, 0, 1)` as input and the clean `x` as target. With `z = 2`,
//! the codes of the validation digits can be drawn on a plane, coloured by label.
//!
//! The page: the MNIST loader (the lesson stays usable while it loads), knobs (hidden width,
//! code size, activation, learning rate, batch, denoising and its noise, seed — all in the
//! URL), live training (`ui::train`, an asynchronous session over `compute::dense::DenseRun`:
//! WebGPU when the app's measured choice says it is faster for this network, else the CPU),
//! originals beside reconstructions of 8 validation digits (and the PCA's), the error curves,
//! PCA's error beside the autoencoder's, the code scatter.

use super::{Lesson, Text};

pub mod strings;
pub mod model;
#[cfg(target_arch = "wasm32")]
mod figures;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;

const ACTS: &[&str] = &["tanh", "relu"];
const BATCHES: &[&str] = &["32", "64", "128"];
const HIDDEN: &[&str] = &["32", "64", "128", "256"];
const RATES: &[&str] = &["0.0003", "0.001", "0.003", "0.01"];

crate::url_state::params! {
    /// Every knob of the lesson: the URL schema ([`Knobs::PARAMS`], the field names are the
    /// URL keys) and its typed values ([`Knobs::KEYS`] for widgets and setters).
    pub struct Knobs => KnobKeys {
        h: Number(HIDDEN) = "64",
        z: Int(2, 32) = "16",
        act: Choice(ACTS) = "relu",
        lr: Number(RATES) = "0.003",
        bs: Number(BATCHES) = "32",
        dn: Bool = "0",
        noise: Float(0.0, 0.8) = "0.3",
        seed: Seed = "1",
    }
}

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "autoencoder",
    title: Text { en: "Autoencoders", zh: "自编码器" },
    summary: Text { en: "Squeeze a digit through a small code and rebuild it; compare with PCA, remove noise, \
         see the code space.", zh: "把手写数字压缩成很小的编码再还原；与 PCA 对比、去除噪声、观察编码空间。" },
    params: Knobs::PARAMS,
};
