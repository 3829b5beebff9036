//! THE lesson registry: one list of every lesson. Routing, the home page's table of contents
//! and the browser sweep test (`tests/web_sweep.rs`) all read [`LESSONS`], so a lesson is
//! routed, listed and tested the moment it is added here.

use crate::url_state::ParamSpec;
use leptos::prelude::AnyView;

pub mod autoencoder;
pub mod batchnorm;
pub mod convolution;
pub mod divergence;
pub mod ema;
pub mod sgd;
pub mod softmax;
pub mod vae;

/// A lesson: where it lives, how it is titled, its URL schema and its view.
pub struct Lesson {
    /// URL path segment: `#/<slug>`.
    pub slug: &'static str,
    /// Catalog key of its chapter's title.
    pub chapter_key: &'static str,
    /// Catalog key of its title.
    pub title_key: &'static str,
    /// Catalog key of its one-line summary (home page).
    pub summary_key: &'static str,
    /// Every knob of the lesson, the seed included: the URL schema.
    pub params: &'static [ParamSpec],
    /// Builds the lesson's view. It reads its knobs from the [`crate::app::LessonParams`]
    /// context that the shell provides.
    pub view: fn() -> AnyView,
}

/// Every lesson, in reading order.
pub static LESSONS: &[&Lesson] = &[
    &convolution::LESSON,
    &softmax::LESSON,
    &sgd::LESSON,
    &ema::LESSON,
    &batchnorm::LESSON,
    &autoencoder::LESSON,
    &vae::LESSON,
    &divergence::LESSON,
];

/// Finds a lesson by slug.
pub fn find(slug: &str) -> Option<&'static Lesson> {
    LESSONS.iter().copied().find(|l| l.slug == slug)
}
