//! Convolution: kernels, filters and feature maps.

use super::Lesson;
use crate::url_state::{ParamKind, ParamSpec};
use leptos::prelude::*;

const PARAMS: &[ParamSpec] = &[
    ParamSpec { key: "stride", kind: ParamKind::Int { min: 1, max: 4 }, default: "1" },
];

/// The lesson's registry entry.
pub static LESSON: Lesson = Lesson {
    slug: "convolution",
    chapter_key: "chapter.cnn",
    title_key: "conv.title",
    summary_key: "conv.summary",
    params: PARAMS,
    view: || view! { <p>"convolution"</p> }.into_any(),
};
