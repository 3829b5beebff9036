#![cfg(not(target_arch = "wasm32"))]
//! The URL sweep's parser-level half, natively (`tests/support/url_garbage.rs`): every garbage
//! payload through `url_state::parse` against a schema with every kind of knob, in every key at
//! once, in each key alone, as unknown, double-encoded and repeated keys, plus defaults,
//! extremes and random valid values — and the same over every lesson's own schema
//! (`lessons::LESSONS`, native since each lesson's entry is web-free). The browser binary
//! `browser_sweep` mounts the app on a sample of these URLs.

#[path = "support/url_garbage.rs"]
mod url_garbage;

use dlviz::url_state::{ParamKind, ParamSpec};

/// The shell's keys (`page::SHELL_KEYS`, wasm only): never parsed by a lesson's schema.
const SHELL: &[&str] = &["lang", "theme", "backend"];

#[test]
fn garbage_urls_through_the_parser_for_every_lesson() {
    let mut total = 0;
    for l in dlviz::lessons::LESSONS {
        total += url_garbage::check_schema(l.slug, l.params, SHELL, 50);
    }
    println!(
        "url sweep (parser): {total} URLs over {} lessons' schemas",
        dlviz::lessons::LESSONS.len()
    );
    assert!(total > 100 * dlviz::lessons::LESSONS.len(), "{total}");
}

/// Every kind of knob, with the edge cases the lessons have: negative and huge ranges, a choice
/// list of digits, bit strings whose length is not a multiple of 4, an empty default list.
const EVERY_KIND: &[ParamSpec] = &[
    ParamSpec { key: "i", kind: ParamKind::Int { min: -3, max: 12 }, default: "1" },
    ParamSpec { key: "big", kind: ParamKind::Int { min: i64::MIN, max: i64::MAX }, default: "0" },
    ParamSpec { key: "f", kind: ParamKind::Float { min: 1e-5, max: 10.0 }, default: "0.1" },
    ParamSpec { key: "neg", kind: ParamKind::Float { min: -50.0, max: 50.0 }, default: "-2" },
    ParamSpec { key: "c", kind: ParamKind::Choice(&["valid", "same"]), default: "same" },
    ParamSpec { key: "d", kind: ParamKind::Choice(&["0", "1", "inf"]), default: "0" },
    ParamSpec { key: "b", kind: ParamKind::Bool, default: "0" },
    ParamSpec { key: "seed", kind: ParamKind::Seed, default: "42" },
    ParamSpec {
        key: "w",
        kind: ParamKind::Floats { max_len: 9, min: -100.0, max: 100.0 },
        default: "",
    },
    ParamSpec {
        key: "h",
        kind: ParamKind::Floats { max_len: 3, min: 0.0, max: 1.0 },
        default: "0.5,1,0",
    },
    ParamSpec { key: "g", kind: ParamKind::Bits { len: 6 }, default: "00" },
    ParamSpec { key: "grid", kind: ParamKind::Bits { len: 784 }, default: "" },
];

#[test]
fn garbage_urls_through_the_parser_for_every_kind_of_knob() {
    // `grid`'s empty default does not parse (784 bits are 196 digits): the sweep must say so.
    let r = std::panic::catch_unwind(|| url_garbage::check_schema("bad", EVERY_KIND, SHELL, 1));
    assert!(r.is_err(), "a default that does not parse is caught");
    let mut specs = EVERY_KIND.to_vec();
    let grid = "0".repeat(196);
    let grid: &'static str = Box::leak(grid.into_boxed_str());
    specs.last_mut().unwrap().default = grid;
    let cases = url_garbage::check_schema("every-kind", &specs, SHELL, 200);
    println!("url sweep (parser): {cases} URLs against a schema of every kind of knob");
    assert!(cases > 500, "{cases}");
}

#[test]
fn a_schema_with_a_shell_key_or_a_duplicate_is_refused() {
    let dup = [EVERY_KIND[0], EVERY_KIND[0]];
    assert!(std::panic::catch_unwind(|| url_garbage::check_schema("dup", &dup, SHELL, 1)).is_err());
    let shell = [ParamSpec { key: "lang", kind: ParamKind::Bool, default: "0" }];
    assert!(std::panic::catch_unwind(|| url_garbage::check_schema("sh", &shell, SHELL, 1)).is_err());
}
