//! Convolution: kernels, filters and feature maps.
//!
//! A convolution layer slides each `k × k` kernel over the (zero-padded) input and, at every
//! window position, takes the sum of element-wise products plus a bias:
//! `y[f,i,j] = b + Σ_c Σ_u Σ_v w[f,c,u,v] · x[c, s·i + d·u − p, s·j + d·v − p]`, giving a
//! feature map of size `H_out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1` (and the same for the width).
//!
//! The page: an input (sample photo, upload or drawn grid), a kernel (preset or edited), the
//! hyperparameters, the live output-size formula, a grid of feature maps (one per filter),
//! a step-through of one window, and a stack of layers with its receptive field.
//! Every knob lives in the URL (see [`Knobs`]).

use super::{Lesson, Text};

pub mod strings;
#[cfg(target_arch = "wasm32")]
mod depth;
#[cfg(target_arch = "wasm32")]
mod input;
pub mod model;
#[cfg(target_arch = "wasm32")]
mod step;
#[cfg(target_arch = "wasm32")]
mod figures;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub use view::*;

/// The default drawn grid: a handwritten-style "7" (28×28 bits as hex, row-major).
const DEFAULT_GRID: &str = "00000000000000000000000000000000000000000001fffc001fffc000000c000001800000180000030000003000000600001fe000000c000000c0000018000001800000300000060000006000000c000000c0000000000000000000000000000000";
const IMG_CHOICES: &[&str] = &["camera", "astronaut", "chelsea", "coffee", "brick", "draw"];
const KERNEL_SIZES: &[&str] = &["3", "5", "7"];
const RF_KERNELS: &[&str] = &["1", "3", "5", "7"];
const WORK_SIZES: &[&str] = &["16", "32", "64", "128", "256"];

/// Preset identifiers, in the order the lesson lists them (`custom` = edited by hand).
pub const PRESETS: &[&str] = &[
    "identity",
    "box",
    "gaussian",
    "sharpen",
    "sobel_x",
    "sobel_y",
    "laplacian",
    "emboss",
    "random",
    "custom",
];

/// Padding choices of the lesson.
pub const PADDINGS: &[&str] = &["valid", "same", "0", "1", "2", "3"];

/// Side of the drawable grid.
pub const GRID: usize = 28;

crate::url_state::params! {
    /// Every knob of the lesson: the URL schema ([`Knobs::PARAMS`], the field names are the
    /// URL keys) and its typed values ([`Knobs::KEYS`] for widgets and setters).
    pub struct Knobs => KnobKeys {
        img: Choice(IMG_CHOICES) = "camera",
        color: Choice(&["gray", "rgb"]) = "gray",
        size: Number(WORK_SIZES) = "256",
        preset: Choice(PRESETS) = "sobel_x",
        k: Number(KERNEL_SIZES) = "3",
        w: Floats(49, -100.0, 100.0) = "",
        filters: Int(1, 16) = "4",
        seed: Seed = "42",
        stride: Int(1, 4) = "1",
        pad: Choice(PADDINGS) = "same",
        dil: Int(1, 3) = "1",
        relu: Bool = "0",
        scale: Choice(&["each", "shared"]) = "each",
        bias: Float(-10.0, 10.0) = "0",
        grid: Bits(GRID * GRID) = DEFAULT_GRID,
        layers: Int(2, 3) = "3",
        k1: Number(RF_KERNELS) = "3",
        s1: Int(1, 4) = "1",
        d1: Int(1, 3) = "1",
        k2: Number(RF_KERNELS) = "3",
        s2: Int(1, 4) = "2",
        d2: Int(1, 3) = "1",
        k3: Number(RF_KERNELS) = "3",
        s3: Int(1, 4) = "1",
        d3: Int(1, 3) = "1",
    }
}

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "convolution",
    title: Text { en: "Convolution: kernels and feature maps", zh: "卷积：卷积核与特征图" },
    summary: Text { en: "Slide a small kernel over an image and watch feature maps appear.", zh: "让小卷积核在图像上滑动，观察特征图如何生成。" },
    params: Knobs::PARAMS,
};
