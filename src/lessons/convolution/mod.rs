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
//! Every knob lives in the URL (see [`PARAMS`]).

use super::{Lesson, Text};
use crate::url_state::{ParamKind, ParamSpec};

pub mod strings;
#[cfg(target_arch = "wasm32")]
mod depth;
#[cfg(target_arch = "wasm32")]
mod input;
#[cfg(target_arch = "wasm32")]
mod model;
#[cfg(target_arch = "wasm32")]
mod step;
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

/// Every knob of the lesson, the seed included: the URL schema.
pub const PARAMS: &[ParamSpec] = &[
    ParamSpec { key: "img", kind: ParamKind::Choice(IMG_CHOICES), default: "camera" },
    ParamSpec { key: "color", kind: ParamKind::Choice(&["gray", "rgb"]), default: "gray" },
    ParamSpec { key: "size", kind: ParamKind::Choice(WORK_SIZES), default: "256" },
    ParamSpec { key: "preset", kind: ParamKind::Choice(PRESETS), default: "sobel_x" },
    ParamSpec { key: "k", kind: ParamKind::Choice(KERNEL_SIZES), default: "3" },
    ParamSpec {
        key: "w",
        kind: ParamKind::Floats { max_len: 49, min: -100.0, max: 100.0 },
        default: "",
    },
    ParamSpec { key: "filters", kind: ParamKind::Int { min: 1, max: 16 }, default: "4" },
    ParamSpec { key: "seed", kind: ParamKind::Seed, default: "42" },
    ParamSpec { key: "stride", kind: ParamKind::Int { min: 1, max: 4 }, default: "1" },
    ParamSpec { key: "pad", kind: ParamKind::Choice(PADDINGS), default: "same" },
    ParamSpec { key: "dil", kind: ParamKind::Int { min: 1, max: 3 }, default: "1" },
    ParamSpec { key: "relu", kind: ParamKind::Bool, default: "0" },
    ParamSpec { key: "scale", kind: ParamKind::Choice(&["each", "shared"]), default: "each" },
    ParamSpec { key: "bias", kind: ParamKind::Float { min: -10.0, max: 10.0 }, default: "0" },
    ParamSpec { key: "grid", kind: ParamKind::Bits { len: GRID * GRID }, default: DEFAULT_GRID },
    ParamSpec { key: "layers", kind: ParamKind::Int { min: 2, max: 3 }, default: "3" },
    ParamSpec { key: "k1", kind: ParamKind::Choice(RF_KERNELS), default: "3" },
    ParamSpec { key: "s1", kind: ParamKind::Int { min: 1, max: 4 }, default: "1" },
    ParamSpec { key: "d1", kind: ParamKind::Int { min: 1, max: 3 }, default: "1" },
    ParamSpec { key: "k2", kind: ParamKind::Choice(RF_KERNELS), default: "3" },
    ParamSpec { key: "s2", kind: ParamKind::Int { min: 1, max: 4 }, default: "2" },
    ParamSpec { key: "d2", kind: ParamKind::Int { min: 1, max: 3 }, default: "1" },
    ParamSpec { key: "k3", kind: ParamKind::Choice(RF_KERNELS), default: "3" },
    ParamSpec { key: "s3", kind: ParamKind::Int { min: 1, max: 4 }, default: "1" },
    ParamSpec { key: "d3", kind: ParamKind::Int { min: 1, max: 3 }, default: "1" },
];

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "convolution",
    title: Text { en: "Convolution: kernels and feature maps", zh: "卷积：卷积核与特征图" },
    summary: Text { en: "Slide a small kernel over an image and watch feature maps appear.", zh: "让小卷积核在图像上滑动，观察特征图如何生成。" },
    params: PARAMS,
};
