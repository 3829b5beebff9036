#![cfg(target_arch = "wasm32")]
//! Browser tests of the app shell (src/app.rs): routing, back/forward, language, theme, URL
//! notices and history hygiene. Each test mounts `App` into a fresh element after putting the
//! address it needs in place with `history.replaceState`, and unmounts it at the end.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_shell::`

use dlviz::app::{split_hash, App, LessonParams, Shell, SHELL_KEYS};
use dlviz::i18n::{tr, Lang};
use dlviz::lessons::{module_map, Part, ALL, CHAPTERS, HOME, LESSONS, MODULES};
use dlviz::url_state::{ParamKind, ParamSpec, Value};
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn hash() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
}

fn history_len() -> u32 {
    web_sys::window().unwrap().history().unwrap().length().unwrap()
}

/// Puts `h` in the address bar without a history entry or a `hashchange`.
fn replace_hash(h: &str) {
    let hist = web_sys::window().unwrap().history().unwrap();
    hist.replace_state_with_url(&JsValue::NULL, "", Some(h)).unwrap();
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

/// Polls `cond` every 10 ms for up to 3 s.
async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..300 {
        if cond() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for: {what}");
}

fn q(sel: &str) -> Option<Element> {
    doc().query_selector(sel).unwrap()
}

fn text(sel: &str) -> String {
    q(sel).and_then(|e| e.text_content()).unwrap_or_default()
}

fn click(sel: &str) {
    q(sel).unwrap_or_else(|| panic!("no {sel}")).dyn_into::<HtmlElement>().unwrap().click();
}

fn html_attr(name: &str) -> Option<String> {
    doc().document_element().unwrap().get_attribute(name)
}

/// The app mounted at `h`; unmounts and removes its element when dropped.
struct Mounted {
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
    root: HtmlElement,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

async fn mount_at(h: &str) -> Mounted {
    mount_part_at(h, &ALL).await
}

/// The shell with `part`'s lesson views only, mounted at `h` (as one module of the site).
async fn mount_part_at(h: &str, part: &'static Part) -> Mounted {
    replace_hash(h);
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
    let handle = if std::ptr::eq(part, &ALL) {
        mount_to(root.clone(), || App().into_any())
    } else {
        mount_to(root.clone(), move || view! { <Shell part=part /> }.into_any())
    };
    sleep(20).await;
    Mounted { _handle: handle, root }
}

/// Adds www/style.css to the test page (once).
fn load_stylesheet() {
    if q("style#shell-css").is_some() {
        return;
    }
    let style = doc().create_element("style").unwrap();
    style.set_id("shell-css");
    style.set_text_content(Some(include_str!("../www/style.css")));
    doc().head().unwrap().append_child(&style).unwrap();
}

/// The computed value of a custom property on `<html>`.
fn css_var(name: &str) -> String {
    let win: JsValue = web_sys::window().unwrap().into();
    let gcs: js_sys::Function =
        js_sys::Reflect::get(&win, &"getComputedStyle".into()).unwrap().dyn_into().unwrap();
    let decl = gcs.call1(&win, &doc().document_element().unwrap()).unwrap();
    let get: js_sys::Function =
        js_sys::Reflect::get(&decl, &"getPropertyValue".into()).unwrap().dyn_into().unwrap();
    get.call1(&decl, &name.into()).unwrap().as_string().unwrap().trim().to_string()
}

fn first_lesson() -> &'static dlviz::lessons::Lesson {
    LESSONS.first().copied().expect("the registry has at least one lesson")
}

#[wasm_bindgen_test]
async fn home_lists_every_lesson_grouped_by_chapter() {
    let _app = mount_at("#/?lang=en").await;
    assert!(q("[data-testid=home]").is_some(), "home page not shown");
    assert!(q("[data-testid=route-notice]").is_none());
    for l in LESSONS {
        let link = q(&format!("[data-testid=lesson-link-{}]", l.slug))
            .unwrap_or_else(|| panic!("no link to {}", l.slug));
        let href = link.get_attribute("href").unwrap();
        assert_eq!(split_hash(&href).0, l.slug, "{href}");
        assert_eq!(link.text_content().unwrap(), l.title.en);
    }
    let headings = doc().query_selector_all(".home .chapter h2").unwrap();
    assert_eq!(headings.length() as usize, CHAPTERS.len());
    let h0 = headings.get(0).unwrap().text_content().unwrap();
    assert!(h0.contains(CHAPTERS[0].title.en), "{h0}");
}

#[wasm_bindgen_test]
async fn routes_by_hash_and_back_forward_work() {
    let lesson = first_lesson();
    let _app = mount_at("#/?lang=en").await;
    let len0 = history_len();
    web_sys::window().unwrap().location().set_hash(&format!("/{}", lesson.slug)).unwrap();
    let sel = format!("article[data-lesson={}]", lesson.slug);
    until("the lesson page", || q(&sel).is_some()).await;
    assert!(q("[data-testid=home]").is_none(), "home still shown on the lesson page");
    assert_eq!(history_len(), len0 + 1, "a navigation adds one history entry");
    let title = lesson.title.en;
    until("the document title", || doc().title().contains(title)).await;
    // The breadcrumb names the lesson.
    assert!(text(".lesson-nav").contains(title), "{}", text(".lesson-nav"));

    web_sys::window().unwrap().history().unwrap().back().unwrap();
    until("home after back", || q("[data-testid=home]").is_some()).await;
    assert!(q(&sel).is_none());
    web_sys::window().unwrap().history().unwrap().forward().unwrap();
    until("the lesson after forward", || q(&sel).is_some()).await;
}

#[wasm_bindgen_test]
async fn renavigating_the_same_lesson_reparses_the_query() {
    let lesson = first_lesson();
    let Some(spec) = lesson.params.first() else { return };
    let _app = mount_at(&format!("#/{}", lesson.slug)).await;
    assert!(q("[data-testid=url-notice]").is_none());
    web_sys::window()
        .unwrap()
        .location()
        .set_hash(&format!("/{}?{}=not-a-value", lesson.slug, spec.key))
        .unwrap();
    until("url-notice after a hashchange on the same lesson", || {
        q("[data-testid=url-notice]").is_some()
    })
    .await;
    assert!(text("[data-testid=url-notice]").contains(spec.key));
}

#[wasm_bindgen_test]
async fn language_from_url_and_switch() {
    let _app = mount_at("#/?lang=zh").await;
    assert_eq!(text("[data-testid=home] h1"), tr(Lang::Zh, "app.home"));
    assert_eq!(html_attr("lang").as_deref(), Some("zh-CN"));
    let len0 = history_len();
    click("[data-testid=lang-switch]");
    until("English text", || text("[data-testid=home] h1") == tr(Lang::En, "app.home")).await;
    assert_eq!(html_attr("lang").as_deref(), Some("en"));
    assert!(hash().contains("lang=en"), "{}", hash());
    let sw = q("[data-testid=lang-switch]").unwrap();
    assert_eq!(sw.get_attribute("aria-label").as_deref(), Some(tr(Lang::En, "shell.lang_switch")));
    // Links carry the language so that following them keeps it.
    let l = first_lesson();
    let href = q(&format!("[data-testid=lesson-link-{}]", l.slug)).unwrap().get_attribute("href");
    assert!(href.unwrap().contains("lang=en"));
    click("[data-testid=lang-switch]");
    until("Chinese text", || text("[data-testid=home] h1") == tr(Lang::Zh, "app.home")).await;
    assert!(hash().contains("lang=zh"), "{}", hash());
    assert_eq!(history_len(), len0, "switching language must not add history entries");
}

#[wasm_bindgen_test]
async fn language_switch_on_a_lesson_keeps_its_knobs() {
    let lesson = first_lesson();
    let _app = mount_at(&format!("#/{}?lang=en", lesson.slug)).await;
    let len0 = history_len();
    click("[data-testid=lang-switch]");
    until("<html lang> = zh-CN", || html_attr("lang").as_deref() == Some("zh-CN")).await;
    let (path, query) = split_hash(&hash());
    assert_eq!(path, lesson.slug);
    assert!(query.contains("lang=zh"), "{query}");
    assert!(q(&format!("article[data-lesson={}]", lesson.slug)).is_some());
    assert_eq!(history_len(), len0);
}

#[wasm_bindgen_test]
async fn theme_switch_cycles_and_writes_the_url() {
    let _app = mount_at("#/?lang=en").await;
    assert_eq!(html_attr("data-theme"), None, "auto leaves data-theme unset");
    let len0 = history_len();
    click("[data-testid=theme-switch]");
    until("light", || html_attr("data-theme").as_deref() == Some("light")).await;
    assert!(hash().contains("theme=light"), "{}", hash());
    let label = q("[data-testid=theme-switch]").unwrap().get_attribute("aria-label").unwrap();
    assert!(label.contains(tr(Lang::En, "theme.light")), "{label}");
    click("[data-testid=theme-switch]");
    until("dark", || html_attr("data-theme").as_deref() == Some("dark")).await;
    assert!(hash().contains("theme=dark"));
    assert_eq!(
        q("[data-testid=theme-switch]").unwrap().get_attribute("data-theme-choice").as_deref(),
        Some("dark")
    );
    // With the real stylesheet loaded, the dark palette applies.
    load_stylesheet();
    assert_eq!(css_var("--bg"), "#111318", "dark palette applied");
    click("[data-testid=theme-switch]");
    until("auto", || html_attr("data-theme").is_none()).await;
    assert!(!hash().contains("theme="), "auto is the default and is left out: {}", hash());
    click("[data-testid=theme-switch]");
    until("light", || html_attr("data-theme").as_deref() == Some("light")).await;
    assert_eq!(css_var("--bg"), "#fbfbfd", "light palette applied");
    click("[data-testid=theme-switch]");
    click("[data-testid=theme-switch]");
    until("auto", || html_attr("data-theme").is_none()).await;
    assert_eq!(history_len(), len0);
}

#[wasm_bindgen_test]
async fn theme_from_url() {
    let app = mount_at("#/?theme=dark").await;
    assert_eq!(html_attr("data-theme").as_deref(), Some("dark"));
    drop(app);
    let _app = mount_at("#/?theme=pink").await;
    assert_eq!(html_attr("data-theme"), None);
    assert!(text("[data-testid=url-notice]").contains("theme"));
}

#[wasm_bindgen_test]
async fn unknown_slug_shows_home_with_a_notice() {
    let _app = mount_at("#/no-such-lesson?lang=en").await;
    assert!(q("[data-testid=home]").is_some());
    let n = q("[data-testid=route-notice]").expect("route notice");
    assert_eq!(n.get_attribute("role").as_deref(), Some("status"));
    assert!(n.text_content().unwrap().contains(tr(Lang::En, "notice.unknown_lesson")));
    assert!(n.text_content().unwrap().contains("no-such-lesson"));
}

#[wasm_bindgen_test]
async fn bad_values_are_listed_and_can_be_dismissed() {
    let lesson = first_lesson();
    let _app = mount_at(&format!("#/{}?lang=xx&zz=%3Cb%3E", lesson.slug)).await;
    let n = q("[data-testid=url-notice]").expect("url notice");
    assert_eq!(n.get_attribute("role").as_deref(), Some("alert"));
    let t = n.text_content().unwrap();
    assert!(t.contains("lang=xx") && t.contains("zz=<b>"), "{t}");
    assert!(
        doc().query_selector("[data-testid=url-notice] b").unwrap().is_none(),
        "markup injected"
    );
    click("[data-testid=url-notice] button");
    until("notice dismissed", || q("[data-testid=url-notice]").is_none()).await;
}

const SPECS: &[ParamSpec] = &[
    ParamSpec { key: "n", kind: ParamKind::Int { min: 0, max: 9 }, default: "1" },
    ParamSpec {
        key: "w",
        kind: ParamKind::Floats { max_len: 3, min: -1.0, max: 1.0 },
        default: "",
    },
];

#[wasm_bindgen_test]
async fn lesson_params_set_uses_replace_state() {
    replace_hash("#/some-lesson?n=1&junk=1&theme=dark&backend=cpu");
    let len0 = history_len();
    let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
    doc().body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), || {
        let p = LessonParams::new(SPECS, vec![Value::Int(1), Value::Floats(vec![])]);
        p.set("n", Value::Int(7));
        p.set("n", Value::Int(99)); // out of range: ignored
        p.set("w", Value::Floats(vec![0.5, -0.25]));
        p.set("nope", Value::Int(1)); // unknown key: ignored
        view! { <p id="lp-probe">{move || format!("{}|{:?}", p.int("n"), p.floats("w"))}</p> }
    });
    sleep(10).await;
    assert_eq!(text("#lp-probe"), "7|[0.5, -0.25]");
    assert_eq!(history_len(), len0, "set() must not add history entries");
    let (path, query) = split_hash(&hash());
    assert_eq!(path, "some-lesson");
    assert!(query.starts_with("n=7&w=0.5,-0.25&lang="), "{query}");
    assert!(query.ends_with("&theme=dark&backend=cpu"), "shell keys kept: {query}");
    assert!(!query.contains("junk"), "{query}");
    for k in SHELL_KEYS {
        assert_eq!(query.matches(&format!("{k}=")).count(), 1, "{k} once: {query}");
    }
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn skip_link_focuses_main_and_comes_first() {
    let _app = mount_at("#/").await;
    let skip = q(".skip-link").expect("skip link");
    let first_focusable = q("a[href], button, input, select").unwrap();
    assert!(first_focusable.is_same_node(Some(&skip)), "the skip link is first in tab order");
    let before = hash();
    click(".skip-link");
    sleep(10).await;
    let active = doc().active_element().unwrap();
    assert_eq!(active.id(), "main");
    assert_eq!(hash(), before, "the skip link must not change the route");
    // Every control in the header is a real button or link (reachable by Tab).
    for sel in ["[data-testid=lang-switch]", "[data-testid=theme-switch]"] {
        assert_eq!(q(sel).unwrap().tag_name(), "BUTTON");
    }
}

/// The loader's slug → module map is written at build time from the registry
/// (`lessons::module_map`'s format; `cargo xtask stamp`, checked by xtask's tests and by
/// `tests/e2e/modules.e2e.mjs` on the built site); here: every lesson is carried by exactly the
/// module that map names.
#[wasm_bindgen_test]
fn every_lesson_is_in_one_module_and_the_loader_agrees() {
    let html = include_str!("../www/index.html");
    assert!(html.contains("var MODULE_OF = {};"), "index.html keeps the map's placeholder");
    for l in LESSONS {
        let carriers: Vec<&str> =
            MODULES.iter().filter(|p| p.view(l.slug).is_some()).map(|p| p.name).collect();
        assert_eq!(carriers, [l.module()], "{}: carried by {carriers:?}", l.slug);
        let pair = format!("\"{}\":\"{}\"", l.slug, l.module());
        assert!(module_map().contains(&pair), "{}: the loader's map lacks {pair}", l.slug);
        assert!(ALL.view(l.slug).is_some(), "{} missing from ALL", l.slug);
    }
    assert_eq!(ALL.lessons.len(), LESSONS.len());
    assert!(HOME.lessons.is_empty(), "the landing module carries no lesson");
    for p in MODULES {
        let link = format!("data-bin=\"dlviz-{}\"", p.name);
        assert!(html.contains(&link), "index.html does not build module {}", p.name);
    }
}

/// Sets (or with `None` removes) a stand-in for the page's loader that records `load` calls.
fn fake_loader(on: bool) -> js_sys::Array {
    let win = web_sys::window().unwrap();
    let calls = js_sys::Array::new();
    if on {
        let loader = js_sys::Object::new();
        let rec = calls.clone();
        let load = wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |name: JsValue| {
            rec.push(&name);
        });
        js_sys::Reflect::set(&loader, &"load".into(), load.as_ref()).unwrap();
        load.forget();
        js_sys::Reflect::set(&win, &"dlvizLoader".into(), &loader).unwrap();
    } else {
        js_sys::Reflect::delete_property(&win.into(), &"dlvizLoader".into()).unwrap();
    }
    calls
}

#[wasm_bindgen_test]
async fn a_lesson_of_another_module_is_handed_to_the_loader() {
    let calls = fake_loader(true);
    let app = mount_part_at("#/convolution?lang=en", &HOME).await;
    until("the loading notice", || q("[data-testid=module-loading]").is_some()).await;
    assert!(q("article[data-lesson]").is_none(), "HOME has no lesson view to show");
    assert_eq!(calls.to_vec(), vec![JsValue::from_str("cnn")], "load(cnn) once");
    let notice = text("[data-testid=module-loading]");
    assert!(notice.contains(tr(Lang::En, "module.loading")), "{notice}");
    let title = dlviz::lessons::find("convolution").unwrap().title.en;
    assert!(notice.contains(title), "{notice}");
    // The loader reports another module's failure: ignored; this one's: shown.
    let fire = |name: &str| {
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&name.into());
        let ev =
            web_sys::CustomEvent::new_with_event_init_dict("dlviz-module-failed", &init).unwrap();
        web_sys::window().unwrap().dispatch_event(&ev).unwrap();
    };
    fire("generative");
    sleep(20).await;
    assert!(text("[data-testid=module-loading]").contains(tr(Lang::En, "module.loading")));
    fire("cnn");
    until("the failure notice", || {
        text("[data-testid=module-loading]").contains(tr(Lang::En, "module.failed"))
    })
    .await;
    // The home page is this module's own: shown at once, no loader call.
    web_sys::window().unwrap().location().set_hash("/?lang=en").unwrap();
    until("home", || q("[data-testid=home]").is_some()).await;
    assert_eq!(calls.length(), 1);
    drop(app);
    fake_loader(false);
}

#[wasm_bindgen_test]
async fn without_a_loader_the_missing_module_is_reported() {
    fake_loader(false);
    let _app = mount_part_at("#/vae?lang=zh", &HOME).await;
    until("the failure notice", || {
        text("[data-testid=module-loading]").contains(tr(Lang::Zh, "module.failed"))
    })
    .await;
}

/// A lesson's own style sheet (`src/lessons/<slug>/style.css`) travels with its module: the
/// shell puts its part's sheets in `<head>` while mounted and takes them away with it.
#[wasm_bindgen_test]
async fn lesson_style_sheets_come_and_go_with_their_module() {
    let sheets = || doc().query_selector_all("style[data-lessons]").unwrap().length();
    let before = sheets();
    {
        let _app = mount_part_at("#/sgd?lang=en", &dlviz::lessons::TRAINING).await;
        until("the lesson", || q("article[data-lesson=sgd]").is_some()).await;
        assert_eq!(sheets(), before + 1);
        let css = doc().query_selector("style[data-lessons]").unwrap().unwrap().text_content();
        assert!(css.unwrap_or_default().contains(".sgd-layout"), "the SGD lesson's rules");
    }
    assert_eq!(sheets(), before, "unmounting removes the sheet");
    let home = mount_part_at("#/?lang=en", &HOME).await;
    assert_eq!(sheets(), before, "a module without lesson rules adds none");
    drop(home);
}
