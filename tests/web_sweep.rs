#![cfg(target_arch = "wasm32")]
//! The registry-driven sweep: every lesson in `lessons::LESSONS` is mounted (through the real
//! `App` and router) with
//!   (a) its defaults,
//!   (b) seeded random valid values for every knob, plus every knob at its minimum and maximum,
//!   (c) garbage: non-numbers, NaN/inf/1e309, −1, huge integers, empty values, markup meant to
//!       run script, percent-encoded and double-encoded variants, unknown keys and bad shell
//!       keys — once with the garbage in every key at the same time, and once per key alone.
//! After each case the page gets a few frames to run its effects; then the sweep checks that no
//! panic happened (a panic hook records it), that the lesson is still mounted and still reacts
//! (the language switch flips `<html lang>`), that no injected element or script ran, and — for
//! garbage — that the URL notice is shown and lists every rejected key (with its raw value as
//! text), while a value the schema accepts is not listed. No lesson-specific code: each lesson
//! gets one test per sweep (`sweep!(…)` at the end; one page per lesson, as the time limit
//! covers the page), and a test fails
//! when a lesson of the registry is missing from that list.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver wasm-pack test --headless --chrome -- --test web_sweep`

#[path = "support/sweep.rs"]
#[macro_use]
mod sweep_support;

use dlviz::lessons::LESSONS;
use dlviz::url_state::{self, ParamSpec};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

sweep!(convolution);

/// The schema itself: every default parses, keys are unique and none collides with the
/// shell's keys. (The sweep relies on all three.)
#[wasm_bindgen_test]
fn every_lesson_schema_is_sound() {
    for lesson in LESSONS {
        let mut seen = std::collections::HashSet::new();
        for s in lesson.params {
            let s: &ParamSpec = s;
            assert!(seen.insert(s.key), "{}: duplicate key {}", lesson.slug, s.key);
            assert!(
                !dlviz::app::SHELL_KEYS.contains(&s.key),
                "{}: {} is a shell key",
                lesson.slug,
                s.key
            );
            assert!(
                url_state::parse_value(&s.kind, s.default).is_ok(),
                "{}: default of {} does not parse",
                lesson.slug,
                s.key
            );
        }
    }
}

#[wasm_bindgen_test]
fn every_lesson_is_swept() {
    let registry: Vec<&str> = LESSONS.iter().map(|l| l.slug).collect();
    let groups: Vec<&str> = sweep_support::GROUPS.concat();
    assert_eq!(
        registry, groups,
        "add every lesson of the registry to a sweep group (tests/support/sweep.rs)"
    );
    assert_eq!(SWEPT, sweep_support::GROUPS[0], "this file sweeps group 0");
}
