//! Logits, softmax and cross-entropy.
//!
//! A classifier's last layer outputs logits `z ∈ ℝ^K`; softmax with temperature `T` turns them
//! into probabilities `p_i = e^{z_i/T} / Σ_j e^{z_j/T}`; the cross-entropy against the target
//! class `t` is `CE = −log p_t = logsumexp(z) − z_t`, with gradient `∂CE/∂z = p − onehot(t)`.
//! Because `softmax(z) = softmax(z − c)` for every constant `c`, the stable form subtracts
//! `m = max z` before exponentiating; the naive form overflows (`e^{89} = ∞` in `f32`) and
//! returns NaN. For two classes, softmax of `(x, 0)` is the sigmoid `σ(x)`, and the binary
//! cross-entropy is computed stably from the logit as `softplus(x) − y·x`.
//!
//! The page: an editable logit vector (drag, arrow keys, typing; 2–10 classes), temperature,
//! scale (×1, ×10, ×100) and a "large logits" preset; stable vs naive probabilities and the
//! intermediate exponentials; the cross-entropy and its gradient for a chosen target; the
//! sigmoid; BCE with logits vs sigmoid-then-BCE over `x ∈ [−50, 50]`. Every knob is in the URL.

use super::{Lesson, Text};

pub mod model;
pub mod strings;
#[cfg(target_arch = "wasm32")]
mod bce;
#[cfg(target_arch = "wasm32")]
mod editor;
#[cfg(target_arch = "wasm32")]
mod figures;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;
pub use model::*;

const DEFAULT_Z: &str = "2,1,0.1,-1";
/// Most classes.
pub const MAX_CLASSES: usize = 10;
const SCALES: &[&str] = &["1", "10", "100"];

/// Largest magnitude of a logit (the URL schema's bound).
pub const LOGIT_LIMIT: f64 = 1000.0;

crate::url_state::params! {
    /// Every knob of the lesson: the URL schema ([`Knobs::PARAMS`], the field names are the
    /// URL keys) and its typed values ([`Knobs::KEYS`] for widgets and setters).
    pub struct Knobs => KnobKeys {
        z: Floats(MAX_CLASSES, -LOGIT_LIMIT, LOGIT_LIMIT) = DEFAULT_Z,
        t: Float(0.05, 20.0) = "1",
        target: Int(0, 9) = "0",
        scale: Number(SCALES) = "1",
        naive: Bool = "1",
        x: Float(-50.0, 50.0) = "2",
        y: Number(&["0", "1"]) = "0",
    }
}

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "softmax",
    title: Text { en: "Logits, softmax and cross-entropy", zh: "Logits、softmax 与交叉熵" },
    summary: Text { en: "From raw scores to probabilities and a loss — and why the naive formulas overflow.", zh: "从原始分数到概率和损失——以及朴素公式为什么会溢出。" },
    params: Knobs::PARAMS,
};
