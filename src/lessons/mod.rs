//! THE lesson registry: one list, [`registry!`] below, of every chapter and its lessons.
//! Everything else is derived from it: the lesson modules, [`LESSONS`] (routing, the table of
//! contents, the browser sweeps), [`CHAPTERS`], the [`Part`] each wasm module carries, [`ALL`],
//! and the page loader's slug → module map (`cargo xtask stamp` writes it into the built
//! `index.html` from [`module_map`]'s format; `tests/web_shell.rs` checks it). Adding a lesson is
//! one folder, `src/lessons/<slug>/`, and one word in that list.
//!
//! A lesson folder holds:
//! * `mod.rs`: its [`Lesson`] entry (`pub static LESSON`: slug, title, summary, the URL schema)
//!   and `view()`, the page (wasm only);
//! * `strings.rs`: its zh/en table (`pub static STRINGS`), linked only into its chapter's
//!   module: the [`Part`] registers it with the catalog when the module starts;
//! * `style.css`: its own style rules (may be a comment only), likewise carried by its chapter's
//!   module and put in the page's `<head>` while the module is mounted;
//! * its web-free model and one file per figure or panel.
//!
//! The metadata is compiled natively too (the URL schemas are fuzzed and the catalog is checked
//! by native tests); views and figures are wasm only.
//!
//! Two layers, so that the site can ship one wasm module per chapter:
//! * [`LESSONS`]: every lesson's metadata. Small data; every module carries all of it, so any
//!   page can list, link and route every lesson.
//! * [`Part`]s: which lessons' *views* (and strings) a module carries. A view pulls in its
//!   lesson's code, so each part is referenced by exactly one binary (`src/bin/`), and the linker
//!   drops the lessons of the other parts. [`HOME`] carries none (the table of contents), [`ALL`]
//!   all of them (tests, and any build that wants one module).

use crate::i18n::{Entry, Lang};
use crate::url_state::ParamSpec;

/// A text in both languages (for what every module shows of every lesson: titles, summaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    /// English.
    pub en: &'static str,
    /// Simplified Chinese.
    pub zh: &'static str,
}

impl Text {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// A lesson: where it lives, how it is titled, and its URL schema.
#[derive(Debug)]
pub struct Lesson {
    /// URL path segment: `#/<slug>`; also the lesson's folder, `src/lessons/<slug>/`.
    pub slug: &'static str,
    /// Its title.
    pub title: Text,
    /// Its one-line summary (home page).
    pub summary: Text,
    /// Every knob of the lesson, the seed included: the URL schema.
    pub params: &'static [ParamSpec],
}

impl Lesson {
    /// The chapter the registry puts this lesson in.
    pub fn chapter(&self) -> &'static Chapter {
        CHAPTERS
            .iter()
            .find(|c| c.lessons.iter().any(|l| l.slug == self.slug))
            .unwrap_or(&CHAPTERS[0])
    }

    /// The name of the module that carries this lesson's view: its chapter's name.
    pub fn module(&self) -> &'static str {
        self.chapter().name
    }
}

/// A chapter: a module of the site (`dlviz-<name>`) and its lessons in reading order.
#[derive(Debug)]
pub struct Chapter {
    /// The module's name (`src/bin/dlviz-<name>.rs`).
    pub name: &'static str,
    /// Its title.
    pub title: Text,
    /// Its lessons, in reading order.
    pub lessons: &'static [&'static Lesson],
}

/// A lesson's view builder. It reads its knobs from the [`crate::page::LessonParams`] context
/// that the shell provides.
#[cfg(target_arch = "wasm32")]
pub type View = fn() -> leptos::prelude::AnyView;

/// One lesson as a module carries it: metadata, view and strings.
#[cfg(target_arch = "wasm32")]
pub struct Carried {
    /// The lesson's entry.
    pub lesson: &'static Lesson,
    /// Its page.
    pub view: View,
    /// Its zh/en table.
    pub strings: &'static [Entry],
    /// Its own style sheet (`src/lessons/<slug>/style.css`).
    pub style: &'static str,
}

/// What one wasm module carries: a name (`dlviz-<name>.js`) and the lessons it can show.
#[cfg(target_arch = "wasm32")]
pub struct Part {
    /// The module's name: `home`, a chapter's name, or `all`.
    pub name: &'static str,
    /// The lessons whose views are compiled into the module.
    pub lessons: &'static [Carried],
}

#[cfg(target_arch = "wasm32")]
impl Part {
    /// The view of `slug`, if this part carries it.
    pub fn view(&self, slug: &str) -> Option<View> {
        self.lessons.iter().find(|c| c.lesson.slug == slug).map(|c| c.view)
    }

    /// Adds the strings of every lesson the part carries to the catalog (idempotent).
    pub fn register_strings(&self) {
        for c in self.lessons {
            crate::i18n::register(c.strings);
        }
    }

    /// The style sheets of the lessons the part carries, in order, as one text.
    pub fn style(&self) -> String {
        self.lessons.iter().map(|c| c.style).collect::<Vec<_>>().join("\n")
    }
}

/// Declares the chapters and their lessons: each lesson name is a folder of `src/lessons/`.
macro_rules! registry {
    ($($part:ident $name:literal ($en:literal, $zh:literal) { $($slug:ident),+ $(,)? })+) => {
        $($(pub mod $slug;)+)+

        /// Every chapter, in reading order.
        pub static CHAPTERS: &[Chapter] = &[$(Chapter {
            name: $name,
            title: Text { en: $en, zh: $zh },
            lessons: &[$(&$slug::LESSON),+],
        }),+];

        /// Every lesson, in reading order.
        pub static LESSONS: &[&Lesson] = &[$($(&$slug::LESSON,)+)+];

        /// Every lesson's check of its knobs (`<slug>::Knobs`, declared with
        /// [`crate::url_state::params!`]): defaults parse, number choices are numbers.
        pub static KNOB_CHECKS: &[(&str, fn() -> Result<(), String>)] = &[$($(
            (stringify!($slug), <$slug::Knobs as crate::url_state::Knobs>::check),
        )+)+];

        /// Every lesson's zh/en table, by slug (for the catalog's tests; a module links only
        /// its own part's tables).
        pub static LESSON_STRINGS: &[(&str, &[Entry])] =
            &[$($((stringify!($slug), $slug::strings::STRINGS),)+)+];

        $(
            #[doc = concat!("The `dlviz-", $name, "` module's lessons.")]
            #[cfg(target_arch = "wasm32")]
            pub static $part: Part = Part {
                name: $name,
                lessons: &[$(Carried {
                    lesson: &$slug::LESSON,
                    view: $slug::view,
                    strings: $slug::strings::STRINGS,
                    style: include_str!(concat!(stringify!($slug), "/style.css")),
                }),+],
            };
        )+

        /// The modules the site is built as: the landing module, then one per chapter.
        #[cfg(target_arch = "wasm32")]
        pub static MODULES: &[&Part] = &[&HOME, $(&$part),+];

        /// Every lesson in one part: what the tests mount, and a single-module build.
        #[cfg(target_arch = "wasm32")]
        pub static ALL: Part = Part {
            name: "all",
            lessons: &[$($(Carried {
                lesson: &$slug::LESSON,
                view: $slug::view,
                strings: $slug::strings::STRINGS,
                style: include_str!(concat!(stringify!($slug), "/style.css")),
            },)+)+],
        };
    };
}

registry! {
    CNN "cnn" ("Convolutional networks", "卷积神经网络") {
        convolution,
    }
    TRAINING "training" ("Training", "训练") {
        softmax, sgd, ema, batchnorm,
    }
    GENERATIVE "generative" ("Generative models", "生成模型") {
        autoencoder, vae, divergence,
    }
}

/// The landing module: the shell and the table of contents, no lesson.
#[cfg(target_arch = "wasm32")]
pub static HOME: Part = Part { name: "home", lessons: &[] };

/// Finds a lesson by slug.
pub fn find(slug: &str) -> Option<&'static Lesson> {
    LESSONS.iter().copied().find(|l| l.slug == slug)
}

/// The page loader's slug → module map, as the JavaScript object literal `cargo xtask stamp`
/// writes into the built `index.html` (`{"convolution":"cnn",…}`).
pub fn module_map() -> String {
    let pairs: Vec<String> =
        LESSONS.iter().map(|l| format!("\"{}\":\"{}\"", l.slug, l.module())).collect();
    format!("{{{}}}", pairs.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_lesson_is_in_one_chapter_and_slugs_are_unique() {
        let mut seen = HashSet::new();
        for c in CHAPTERS {
            assert!(!c.lessons.is_empty(), "chapter {} has no lesson", c.name);
            for l in c.lessons {
                assert!(seen.insert(l.slug), "lesson {} registered twice", l.slug);
                assert_eq!(l.chapter().name, c.name);
            }
        }
        assert_eq!(seen.len(), LESSONS.len());
        let order: Vec<&str> =
            CHAPTERS.iter().flat_map(|c| c.lessons.iter().map(|l| l.slug)).collect();
        let listed: Vec<&str> = LESSONS.iter().map(|l| l.slug).collect();
        assert_eq!(order, listed, "LESSONS follows the chapters' reading order");
    }

    #[test]
    fn titles_are_translated_and_slugs_are_url_safe() {
        for l in LESSONS {
            for t in [l.title, l.summary] {
                assert!(!t.en.trim().is_empty() && !t.zh.trim().is_empty(), "{}", l.slug);
            }
            assert!(l
                .slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()));
        }
        for c in CHAPTERS {
            assert!(!c.title.en.is_empty() && !c.title.zh.is_empty(), "{}", c.name);
        }
    }

    /// The whole catalog — the shared tables and every lesson's — has unique keys, each
    /// translated.
    #[test]
    fn the_catalog_with_every_lesson_is_unique_and_translated() {
        let lesson_tables = LESSON_STRINGS.iter().map(|(_, t)| *t);
        assert_eq!(LESSON_STRINGS.len(), LESSONS.len());
        let mut seen = HashSet::new();
        for table in crate::i18n::tables().iter().copied().chain(lesson_tables) {
            for (k, en, zh) in table {
                assert!(seen.insert(*k), "duplicate key {k}");
                assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "untranslated {k}");
            }
        }
    }

    #[test]
    fn every_lessons_knobs_are_sound() {
        assert_eq!(KNOB_CHECKS.len(), LESSONS.len());
        for (slug, check) in KNOB_CHECKS {
            check().unwrap_or_else(|e| panic!("{slug}: {e}"));
        }
    }

    #[test]
    fn the_module_map_lists_every_lesson() {
        let m = module_map();
        for l in LESSONS {
            assert!(m.contains(&format!("\"{}\":\"{}\"", l.slug, l.module())), "{m}");
        }
        assert!(m.starts_with('{') && m.ends_with('}'));
    }
}
