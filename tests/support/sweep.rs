//! The browser half of the registry's URL sweep (`tests/web_sweep.rs`): mounting the app at a
//! lesson's URL and checking the page copes. The payloads and the parser-level half are in
//! `url_garbage.rs` (also run natively); this file needs the crate root to declare
//! `mod url_garbage`.
#![allow(dead_code)]

use crate::url_garbage::{enc, extremes, random_valid, raw, FLAG, GARBAGE, UNKNOWN_KEYS};
use dlviz::app::{App, Theme};
use dlviz::compute::Preference;
use dlviz::core::rng::Rng;
use dlviz::i18n::Lang;
use dlviz::lessons::Lesson;
use dlviz::url_state::{self, ParamKind};
use leptos::mount::mount_to;
use leptos::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

static PANICKED: AtomicBool = AtomicBool::new(false);

/// Installs the recording hook and clears the flag (a failed assertion of an earlier test
/// also goes through the hook).
fn install_panic_hook() {
    PANICKED.store(false, Ordering::SeqCst);
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            PANICKED.store(true, Ordering::SeqCst);
            console_error_panic_hook::hook(info);
        }))
    });
}

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().map(|p| p.now()).unwrap_or(0.0)
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

async fn next_frame() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().request_animation_frame(&resolve).unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Lets the page run: microtasks, timers and a few animation frames.
async fn tick() {
    sleep(0).await;
    for _ in 0..3 {
        next_frame().await;
    }
    sleep(0).await;
}

fn q(sel: &str) -> Option<Element> {
    doc().query_selector(sel).unwrap()
}

fn html_lang() -> String {
    doc().document_element().unwrap().get_attribute("lang").unwrap_or_default()
}

/// One mounted case.
struct Case {
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
    root: HtmlElement,
}

impl Drop for Case {
    fn drop(&mut self) {
        self.root.remove();
    }
}

/// Mounts the app at `#/<slug>?<query>` and lets it settle.
async fn open(lesson: &Lesson, query: &str) -> Case {
    let h = format!("#/{}?{}", lesson.slug, query);
    let hist = web_sys::window().unwrap().history().unwrap();
    hist.replace_state_with_url(&JsValue::NULL, "", Some(&h)).unwrap();
    // A case that failed (a panic aborts, so no Drop ran) may have left its root behind.
    let old = doc().query_selector_all("[data-test-root]").unwrap();
    for i in 0..old.length() {
        if let Some(e) = old.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            e.remove();
        }
    }
    let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
    root.set_attribute("data-test-root", "").unwrap();
    doc().body().unwrap().append_child(&root).unwrap();
    let t0 = now();
    let handle = mount_to(root.clone(), || App().into_any());
    tick().await;
    web_sys::console::log_1(
        &format!("sweep: {:.0} ms  #/{}?{query}", now() - t0, lesson.slug).into(),
    );
    Case { _handle: handle, root }
}

/// The keys listed by the URL notice, with each item's text.
fn notice_items() -> Vec<(String, String)> {
    let Some(notice) = q("[data-testid=url-notice]") else { return Vec::new() };
    let items = notice.query_selector_all("li[data-key]").unwrap();
    (0..items.length())
        .filter_map(|i| items.get(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .map(|e| {
            (e.get_attribute("data-key").unwrap_or_default(), e.text_content().unwrap_or_default())
        })
        .collect()
}

/// The checks every case must pass: no panic, no injection, still mounted, still reactive.
async fn assert_healthy(lesson: &Lesson, what: &str) {
    assert!(!PANICKED.load(Ordering::SeqCst), "{}: panicked ({what})", lesson.slug);
    let injected = doc()
        .query_selector("script[data-injected], img[onerror], svg[onload], [onerror], [onload]")
        .unwrap();
    assert!(injected.is_none(), "{}: injected element ({what})", lesson.slug);
    let win: JsValue = web_sys::window().unwrap().into();
    let flag = js_sys::Reflect::get(&win, &FLAG.into()).unwrap();
    assert!(flag.is_undefined(), "{}: injected script ran ({what})", lesson.slug);
    let article = q(&format!("article[data-lesson={}]", lesson.slug));
    let article = article.unwrap_or_else(|| panic!("{}: lesson not mounted ({what})", lesson.slug));
    assert!(article.child_element_count() > 0, "{}: lesson view is empty ({what})", lesson.slug);
    // Responsive: the language switch still works.
    let before = html_lang();
    q("[data-testid=lang-switch]")
        .unwrap_or_else(|| panic!("{}: no language switch ({what})", lesson.slug))
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
    tick().await;
    assert_ne!(html_lang(), before, "{}: page stopped reacting ({what})", lesson.slug);
    assert!(!PANICKED.load(Ordering::SeqCst), "{}: panicked after a click ({what})", lesson.slug);
}

/// Checks the notice lists exactly the rejected keys of `pairs` (decoded key, decoded value).
fn assert_notice_for(lesson: &Lesson, pairs: &[(String, String)], what: &str) {
    let items = notice_items();
    for (i, (k, v)) in pairs.iter().enumerate() {
        // The URL parser strips C0 controls and spaces at the very end of the address, so the
        // last value may arrive trimmed; judge and look for the value as delivered.
        let v = &if i + 1 == pairs.len() { v.trim_end_matches(|c: char| c <= ' ') } else { v }
            .to_string();
        let spec = lesson.params.iter().find(|s| s.key == k);
        let expected_bad = match (spec, k.as_str()) {
            (Some(s), _) => url_state::parse_value(&s.kind, v).is_err(),
            (None, "lang") => Lang::from_tag(v).is_none(),
            (None, "theme") => Theme::from_code(v).is_none(),
            (None, "backend") => Preference::from_code(v).is_none(),
            (None, _) => true,
        };
        let shown: Vec<&(String, String)> = items
            .iter()
            .filter(|(ik, _)| {
                let key40: String = k.chars().take(40).collect();
                *ik == key40
            })
            .collect();
        if expected_bad {
            assert!(
                !shown.is_empty(),
                "{}: {k}={v:?} not listed in the notice ({what}): {items:?}",
                lesson.slug
            );
            // The raw value is shown as text, as typed.
            let v40: String = v.chars().take(12).collect();
            assert!(
                shown.iter().any(|(_, t)| t.contains(&v40)),
                "{}: raw value of {k} not shown as text ({what}): {shown:?}",
                lesson.slug
            );
        } else {
            assert!(shown.is_empty(), "{}: valid {k}={v:?} reported ({what})", lesson.slug);
        }
    }
}

/// Seeded random rounds of valid values mounted per lesson (the parser-level sweep checks many
/// more, unmounted: `url_garbage::check_schema`).
pub const RANDOM_ROUNDS: usize = 1;

/// Defaults, explicit defaults, all knobs at their extremes, seeded random valid values.
pub async fn defaults_and_valid_values(lesson: &Lesson) {
    install_panic_hook();
    let mut rng = Rng::new(20_261_130);
    {
        let c = open(lesson, "").await;
        assert!(q("[data-testid=url-notice]").is_none(), "{}: notice on defaults", lesson.slug);
        assert_healthy(lesson, "defaults").await;
        drop(c);

        // Every default written out explicitly is accepted.
        let q0 = lesson.params.iter().map(|s| format!("{}={}", s.key, enc(s.default)));
        let c = open(lesson, &q0.collect::<Vec<_>>().join("&")).await;
        assert!(q("[data-testid=url-notice]").is_none(), "{}: explicit defaults", lesson.slug);
        drop(c);

        // All knobs at their minimum, then all at their maximum.
        for end in 0..2 {
            let query: Vec<String> = lesson
                .params
                .iter()
                .filter_map(|s| {
                    extremes(&s.kind).map(|(lo, hi)| {
                        format!("{}={}", s.key, enc(if end == 0 { &lo } else { &hi }))
                    })
                })
                .collect();
            let query = query.join("&");
            let c = open(lesson, &query).await;
            assert!(
                notice_items().is_empty(),
                "{}: extremes {query}: {:?}",
                lesson.slug,
                notice_items()
            );
            assert_healthy(lesson, &query).await;
            drop(c);
        }

        // Seeded random valid values for every knob at once.
        for round in 0..RANDOM_ROUNDS {
            let query: Vec<String> = lesson
                .params
                .iter()
                .map(|s| format!("{}={}", s.key, enc(&random_valid(&s.kind, &mut rng))))
                .filter(|kv| !kv.ends_with('='))
                .collect();
            let query = query.join("&");
            let c = open(lesson, &query).await;
            assert!(
                notice_items().is_empty(),
                "{}: random round {round}: {query}: {:?}",
                lesson.slug,
                notice_items()
            );
            assert_healthy(lesson, &query).await;
            drop(c);
        }
    }
}

/// Every garbage payload reaches the mounted page at least once per writer (raw and
/// percent-encoded), spread over the lesson's keys and the shell's (`lang`, `theme`,
/// `backend`): key `i` of round `r` carries payload `r·n + i`, so each page has a different
/// payload in every key. (Every payload in every key, one at a time and all at once, is the
/// parser-level sweep's: `url_garbage::check_schema`.)
pub async fn garbage_spread_over_keys(lesson: &Lesson) {
    install_panic_hook();
    let mut keys: Vec<String> = lesson.params.iter().map(|s| s.key.to_string()).collect();
    keys.extend(dlviz::app::SHELL_KEYS.iter().map(|k| k.to_string()));
    let n = keys.len();
    for w in [raw as fn(&str) -> String, enc] {
        for round in 0..GARBAGE.len().div_ceil(n) {
            let pairs: Vec<(String, String)> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| (k.clone(), GARBAGE[(round * n + i) % GARBAGE.len()].to_string()))
                .collect();
            let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", w(v))).collect();
            let query = query.join("&");
            let c = open(lesson, &query).await;
            let what = format!("garbage round {round} as {query}");
            assert_notice_for(lesson, &pairs, &what);
            assert_healthy(lesson, &what).await;
            drop(c);
        }
    }
}

/// One bad key at a time, one per kind of knob.
pub async fn garbage_in_one_key(lesson: &Lesson) {
    install_panic_hook();
    {
        // One isolated case per kind of knob (the first knob of each kind), each with a
        // different payload: the bad key alone is listed, and the lesson copes. (Every key
        // gets every payload in the parser-level sweep, `url_garbage::check_schema`.)
        let mut kinds_seen: Vec<std::mem::Discriminant<ParamKind>> = Vec::new();
        for (si, spec) in lesson.params.iter().enumerate() {
            let d = std::mem::discriminant(&spec.kind);
            if kinds_seen.contains(&d) {
                continue;
            }
            kinds_seen.push(d);
            let g = GARBAGE[(si * 5 + 3) % GARBAGE.len()];
            let pairs = vec![(spec.key.to_string(), g.to_string())];
            let query = format!("{}={}", spec.key, enc(g));
            let c = open(lesson, &query).await;
            let what = format!("{} alone: {query}", spec.key);
            assert_notice_for(lesson, &pairs, &what);
            let items = notice_items();
            let bad = url_state::parse_value(&spec.kind, g).is_err();
            assert_eq!(
                items.len(),
                usize::from(bad),
                "{}: only {} listed: {items:?}",
                lesson.slug,
                spec.key
            );
            assert_healthy(lesson, &what).await;
            drop(c);
        }
    }
}

/// Unknown keys, double encoding, repeated keys.
pub async fn unknown_keys_and_double_encoding(lesson: &Lesson) {
    install_panic_hook();
    {
        let pairs: Vec<(String, String)> =
            UNKNOWN_KEYS.iter().map(|k| (k.to_string(), "1".to_string())).collect();
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={v}", enc(k))).collect();
        let c = open(lesson, &query.join("&")).await;
        assert_notice_for(lesson, &pairs, "unknown keys");
        assert_healthy(lesson, "unknown keys").await;
        drop(c);

        // Double encoding decodes once: the knob sees `%3C…`, which no schema accepts.
        let Some(spec) = lesson.params.first() else { return };
        let payload = "<img src=x onerror=window.__dlviz_injected=1>";
        let twice = enc(&enc(payload));
        let c = open(lesson, &format!("{}={twice}", spec.key)).await;
        let once = enc(payload);
        assert_notice_for(lesson, &[(spec.key.to_string(), once)], "double-encoded");
        assert_healthy(lesson, "double-encoded").await;
        drop(c);

        // Repeated keys: the last one wins, and a bad last one is reported.
        let Some((lo, _)) = extremes(&spec.kind) else { return };
        let query = format!("{k}={lo}&{k}=%3Cb%3E", k = spec.key, lo = enc(&lo));
        let c = open(lesson, &query).await;
        assert_notice_for(lesson, &[(spec.key.to_string(), "<b>".to_string())], "repeated key");
        drop(c);
    }
}
