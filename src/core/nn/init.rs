//! Weight initialisers, seeded by [`Rng`].
//!
//! With `fan_in` inputs and `fan_out` outputs per unit (a dense `(in, out)` weight: `in` and
//! `out`; a conv weight `(F, C, KH, KW)`: `C·KH·KW` and `F·KH·KW`):
//!
//! | initialiser | distribution |
//! |-------------|--------------|
//! | Xavier/Glorot uniform | `U(−a, a)`, `a = √(6 / (fan_in + fan_out))` |
//! | Xavier/Glorot normal | `N(0, σ²)`, `σ = √(2 / (fan_in + fan_out))` |
//! | He/Kaiming uniform (ReLU) | `U(−a, a)`, `a = √(6 / fan_in)` |
//! | He/Kaiming normal (ReLU) | `N(0, σ²)`, `σ = √(2 / fan_in)` |
//!
//! Xavier keeps the variance of activations and gradients constant through linear/tanh
//! layers; He doubles it to compensate for ReLU zeroing half of the inputs.

use crate::core::{Rng, Tensor};

/// How to fill a new parameter tensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// All zeros (biases).
    Zeros,
    /// Every element equal to the value (e.g. BatchNorm's γ = 1).
    Constant(f32),
    /// `U(−a, a)` with the given `a`.
    Uniform(f32),
    /// `N(0, σ²)` with the given `σ`.
    Normal(f32),
    /// Xavier/Glorot uniform.
    XavierUniform,
    /// Xavier/Glorot normal.
    XavierNormal,
    /// He/Kaiming uniform (for ReLU).
    HeUniform,
    /// He/Kaiming normal (for ReLU).
    HeNormal,
}

impl Init {
    /// Fills `out` for a parameter with the given fans, drawing from `rng`.
    pub fn fill(self, out: &mut [f32], fan_in: usize, fan_out: usize, rng: &mut Rng) {
        let (fi, fo) = (fan_in.max(1) as f32, fan_out.max(1) as f32);
        match self {
            Init::Zeros => out.fill(0.0),
            Init::Constant(c) => out.fill(c),
            Init::Uniform(a) => uniform(out, a, rng),
            Init::Normal(s) => normal(out, s, rng),
            Init::XavierUniform => uniform(out, (6.0 / (fi + fo)).sqrt(), rng),
            Init::XavierNormal => normal(out, (2.0 / (fi + fo)).sqrt(), rng),
            Init::HeUniform => uniform(out, (6.0 / fi).sqrt(), rng),
            Init::HeNormal => normal(out, (2.0 / fi).sqrt(), rng),
        }
    }

    /// A new tensor of `shape` filled by [`Init::fill`] with fans from [`fans`].
    pub fn tensor(self, shape: Vec<usize>, rng: &mut Rng) -> Tensor {
        let (fi, fo) = fans(&shape);
        let mut t = Tensor::zeros(shape);
        self.fill(t.data_mut(), fi, fo, rng);
        t
    }
}

/// `(fan_in, fan_out)` of a weight: `(in, out)` for a dense weight `[in, out]`,
/// `(C·KH·KW, F·KH·KW)` for a conv weight `[F, C, KH, KW]`, `(n, n)` for a vector `[n]`.
pub fn fans(shape: &[usize]) -> (usize, usize) {
    match *shape {
        [n] => (n, n),
        [i, o] => (i, o),
        [f, c, ref rest @ ..] => {
            let field: usize = rest.iter().product();
            (c * field, f * field)
        }
        [] => (1, 1),
    }
}

fn uniform(out: &mut [f32], a: f32, rng: &mut Rng) {
    for v in out {
        *v = rng.uniform_in(-a, a);
    }
}

fn normal(out: &mut [f32], s: f32, rng: &mut Rng) {
    for v in out {
        *v = s * rng.normal();
    }
}
