//! The variational autoencoder (VAE) on MNIST, trained live, with its latent space.
//!
//! Encoder `x ↦ (μ, log σ²)`, the reparameterised sample `z = μ + σ ⊙ ε` with `ε ~ N(0, I)`,
//! decoder `z ↦ x̂`; the loss is the β-weighted negative ELBO
//! `recon(x, x̂) + β · KL(N(μ, σ²) ‖ N(0, I))`, with
//! `KL = Σ_j ½(μ_j² + σ_j² − 1 − log σ_j²)` (see [`crate::core::vae`]).
//!
//! The page loads the shipped digits ([`crate::ui::mnist`]), trains through the live-training
//! kit ([`crate::ui::train`], asynchronously) on the backend chosen for this model — the CPU
//! engine or WebGPU, forced by the reader or measured ([`run`], over
//! [`crate::compute::vae::VaeRun`]) — and says which; plots the two loss terms separately,
//! shows the reparameterisation of one selected digit (μ, σ, ε, z and the decoded images; ε can
//! be redrawn), the validation codes coloured by label (the latent plane itself for a 2-D
//! latent, the PCA plane of the codes otherwise) on which a click, a hover or the arrow keys
//! decode a point and a drag from one digit's code to another's picks the interpolation's ends,
//! a decoded 15×15 manifold grid (decoded in ≤ 6 ms pieces between frames), the interpolation
//! between two digits, samples from the prior, a slider per latent coordinate, and the
//! per-dimension KL (inactive dimensions greyed). The figures read the weights on the CPU: the
//! run itself, or a GPU run's weights read back between steps. β acts live; every other knob
//! and the seed are in the URL ([`Knobs`]) and restart the run, as does a new backend choice.

use super::{Lesson, Text};

pub mod strings;
#[cfg(target_arch = "wasm32")]
mod draw;
#[cfg(target_arch = "wasm32")]
mod figures;
pub mod model;
#[cfg(target_arch = "wasm32")]
pub mod run;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;

const BATCHES: &[&str] = &["32", "64", "128"];
const HIDDEN: &[&str] = &["64", "128", "256"];
const LIKELIHOODS: &[&str] = &["bern", "gauss"];
const LRS: &[&str] = &["0.0005", "0.001", "0.002", "0.005"];
/// Largest latent size offered.
const MAX_LATENT: i64 = 16;

crate::url_state::params! {
    /// Every knob of the lesson: the URL schema ([`Knobs::PARAMS`], the field names are the
    /// URL keys) and its typed values ([`Knobs::KEYS`] for widgets and setters).
    pub struct Knobs => KnobKeys {
        z: Int(2, MAX_LATENT) = "2",
        hid: Number(HIDDEN) = "128",
        lik: Choice(LIKELIHOODS) = "bern",
        beta: Float(0.0, 10.0) = "1",
        lr: Number(LRS) = "0.002",
        bs: Number(BATCHES) = "64",
        digit: Int(0, 999) = "0",
        ia: Int(0, 999) = "1",
        ib: Int(0, 999) = "2",
        seed: Seed = "1",
    }
}

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "vae",
    title: Text { en: "Variational autoencoder (VAE)", zh: "变分自编码器（VAE）" },
    summary: Text { en: "Train a VAE on handwritten digits and explore its latent space: the reparameterisation trick, β and the KL term.", zh: "在手写数字上训练 VAE 并探索它的潜空间：重参数化技巧、β 与 KL 项。" },
    params: Knobs::PARAMS,
};
