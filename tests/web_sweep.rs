#![cfg(target_arch = "wasm32")]
//! The registry-driven URL sweep: every lesson in `lessons::LESSONS`, with no lesson-specific
//! code, so a lesson added to the registry is swept without any edit here.
//!
//! * Parser level (`url_garbage::check_schema`, no page; the same code runs natively on a
//!   schema of every kind of knob): every garbage payload — non-numbers, NaN/inf/1e309, −1,
//!   huge integers, empty values, markup meant to run script — in every key at once (raw and
//!   percent-encoded, with the shell's keys), in each key alone, unknown keys, double encoding,
//!   repeated keys; defaults, extremes, 50 rounds of random valid values.
//! * Mounted (through the real `App` and router), a sample of those URLs per lesson: (a) its
//!   defaults, implicit and explicit, (b) every knob at its minimum and at its maximum and one
//!   round of seeded random valid values, (c) every payload at least once per writer, spread
//!   over the keys, one bad key per kind of knob alone, unknown keys, a double-encoded and a
//!   repeated key. After each case the page gets a few frames to run its effects; then the
//!   sweep checks that no panic happened (a panic hook records it), that the lesson is still
//!   mounted and still reacts (the language switch flips `<html lang>`), that no injected
//!   element or script ran, and — for garbage — that the URL notice lists every rejected key
//!   (with its raw value as text), while a value the schema accepts is not listed.
//!
//! Each mounted sweep is one test iterating the registry (one page for all: the binary's
//! `WASM_BINDGEN_TEST_TIMEOUT`, set by `cargo xtask test`, bounds the page). Every sweep case
//! mounts a fresh app; `web_sweep_mounts.rs`, in the same page, checks that mounting leaves no
//! animation frame, interval, listener or WebGPU device behind.

use crate::sweep_support as sweep;
use crate::url_garbage;
use dlviz::lessons::{Lesson, ALL, LESSONS};
use wasm_bindgen_test::*;

fn log(s: &str) {
    web_sys::console::log_1(&s.into());
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Runs `f` for every lesson of the registry, logging the time each took.
async fn each_lesson<F, Fut>(what: &str, f: F)
where
    F: Fn(&'static Lesson) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    assert!(!LESSONS.is_empty());
    for lesson in LESSONS {
        let t0 = now();
        f(lesson).await;
        log(&format!("sweep {what}: {} in {:.0} ms", lesson.slug, now() - t0));
    }
}

/// The parser-level sweep over every lesson's schema (unmounted; cheap).
#[wasm_bindgen_test]
fn every_lesson_schema_through_the_parser() {
    let mut cases = 0;
    for lesson in LESSONS {
        cases += url_garbage::check_schema(lesson.slug, lesson.params, dlviz::app::SHELL_KEYS, 50);
    }
    log(&format!("sweep (parser): {cases} URLs over {} lessons", LESSONS.len()));
}

/// Every lesson of the registry can be mounted by the part the tests mount (`ALL`).
#[wasm_bindgen_test]
fn every_lesson_is_mountable() {
    for lesson in LESSONS {
        assert!(ALL.view(lesson.slug).is_some(), "{} has no view in lessons::ALL", lesson.slug);
    }
}

#[wasm_bindgen_test]
async fn every_lesson_defaults_and_valid_values() {
    each_lesson("defaults and valid values", sweep::defaults_and_valid_values).await;
}

#[wasm_bindgen_test]
async fn every_lesson_garbage_spread_over_keys() {
    each_lesson("garbage spread over keys", sweep::garbage_spread_over_keys).await;
}

#[wasm_bindgen_test]
async fn every_lesson_garbage_in_one_key() {
    each_lesson("garbage in one key", sweep::garbage_in_one_key).await;
}

#[wasm_bindgen_test]
async fn every_lesson_unknown_keys_and_double_encoding() {
    each_lesson("unknown keys and double encoding", sweep::unknown_keys_and_double_encoding).await;
}
