//! THE lesson registry: one list of every lesson. Routing, the home page's table of contents
//! and the browser sweep test (`tests/web_sweep.rs`) all read [`LESSONS`], so a lesson is
//! routed, listed and tested the moment it is added here.
//!
//! The registry is in two layers, so that the site can ship one wasm module per chapter:
//!
//! * [`LESSONS`]: every lesson's metadata (slug, chapter, title, URL schema). Small data; every
//!   module carries all of it, so any page can list, link and route every lesson.
//! * [`Part`]s: which lessons' *views* a module carries. A view pulls in its lesson's code, so
//!   each part is referenced by exactly one binary (`src/bin/`), and the linker drops the
//!   lessons of the other parts. [`HOME`] carries none (the table of contents), [`ALL`] all of
//!   them (tests, and any build that wants one module).
//!
//! A lesson's part is its chapter: chapter key `chapter.<name>` ↔ module `dlviz-<name>`. The
//! page's loader (`www/index.html`) keeps the same slug → module map, checked against this
//! registry by `tests/modules.rs`.

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

/// A lesson: where it lives, how it is titled, and its URL schema.
pub struct Lesson {
    /// URL path segment: `#/<slug>`.
    pub slug: &'static str,
    /// Catalog key of its chapter's title; also names the chapter's module (`chapter.<name>`).
    pub chapter_key: &'static str,
    /// Catalog key of its title.
    pub title_key: &'static str,
    /// Catalog key of its one-line summary (home page).
    pub summary_key: &'static str,
    /// Every knob of the lesson, the seed included: the URL schema.
    pub params: &'static [ParamSpec],
}

impl Lesson {
    /// The name of the module that carries this lesson's view: its chapter's name.
    pub fn module(&self) -> &'static str {
        self.chapter_key.strip_prefix("chapter.").unwrap_or(self.chapter_key)
    }
}

/// A lesson's view builder. It reads its knobs from the [`crate::page::LessonParams`] context
/// that the shell provides.
pub type View = fn() -> AnyView;

/// What one wasm module carries: a name (`dlviz-<name>.js`) and the views it can show.
pub struct Part {
    /// The module's name: `home`, a chapter's name, or `all`.
    pub name: &'static str,
    /// The lessons whose views are compiled into the module.
    pub views: &'static [(&'static Lesson, View)],
}

impl Part {
    /// The view of `slug`, if this part carries it.
    pub fn view(&self, slug: &str) -> Option<View> {
        self.views.iter().find(|(l, _)| l.slug == slug).map(|(_, v)| *v)
    }
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

/// The landing module: the shell and the table of contents, no lesson.
pub static HOME: Part = Part { name: "home", views: &[] };

/// Chapter 1: convolutional networks.
pub static CNN: Part = Part { name: "cnn", views: &[(&convolution::LESSON, convolution::view)] };

/// Chapter 2: training.
pub static TRAINING: Part = Part {
    name: "training",
    views: &[
        (&softmax::LESSON, softmax::view),
        (&sgd::LESSON, sgd::view),
        (&ema::LESSON, ema::view),
        (&batchnorm::LESSON, batchnorm::view),
    ],
};

/// Chapter 3: generative models.
pub static GENERATIVE: Part = Part {
    name: "generative",
    views: &[
        (&autoencoder::LESSON, autoencoder::view),
        (&vae::LESSON, vae::view),
        (&divergence::LESSON, divergence::view),
    ],
};

/// The modules the site is built as, in the order of [`LESSONS`]' chapters.
pub static MODULES: &[&Part] = &[&HOME, &CNN, &TRAINING, &GENERATIVE];

/// Every lesson in one part: what the tests mount, and a single-module build.
pub static ALL: Part = Part {
    name: "all",
    views: &[
        (&convolution::LESSON, convolution::view),
        (&softmax::LESSON, softmax::view),
        (&sgd::LESSON, sgd::view),
        (&ema::LESSON, ema::view),
        (&batchnorm::LESSON, batchnorm::view),
        (&autoencoder::LESSON, autoencoder::view),
        (&vae::LESSON, vae::view),
        (&divergence::LESSON, divergence::view),
    ],
};

/// Finds a lesson by slug.
pub fn find(slug: &str) -> Option<&'static Lesson> {
    LESSONS.iter().copied().find(|l| l.slug == slug)
}
