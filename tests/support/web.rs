//! What the lesson browser tests share: reaching elements by `data-testid`, waiting, firing
//! DOM events, and mounting the whole app at a lesson's URL (unmounted when dropped).
//! Include with `#[path = "support/web.rs"] mod web;`.
#![allow(dead_code)]

use dlviz::app::App;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

pub fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Resolves after `ms` milliseconds (a macrotask: frames and timers run meanwhile).
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Polls `cond` every 10 ms for up to `secs` seconds; panics naming `what` if it never holds.
pub async fn until_secs(what: &str, secs: u32, cond: impl Fn() -> bool) {
    for _ in 0..secs * 100 {
        if cond() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for: {what}");
}

/// [`until_secs`] with 15 s.
pub async fn until(what: &str, cond: impl Fn() -> bool) {
    until_secs(what, 15, cond).await
}

pub fn q(sel: &str) -> Option<Element> {
    doc().query_selector(sel).unwrap()
}

/// The element with `data-testid="id"`; panics if there is none.
pub fn tid(id: &str) -> HtmlElement {
    q(&format!("[data-testid=\"{id}\"]"))
        .unwrap_or_else(|| panic!("no element {id}"))
        .dyn_into()
        .unwrap()
}

/// The text content of [`tid`]`(id)`.
pub fn text(id: &str) -> String {
    tid(id).text_content().unwrap_or_default()
}

/// A bubbling DOM event built by the constructor named `ctor` (`"KeyboardEvent"`, …) with
/// extra init fields.
pub fn event(ctor: &str, kind: &str, extra: &[(&str, JsValue)]) -> web_sys::Event {
    let win: JsValue = web_sys::window().unwrap().into();
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&win, &ctor.into()).unwrap().dyn_into().unwrap();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"bubbles".into(), &JsValue::TRUE).unwrap();
    for (k, v) in extra {
        js_sys::Reflect::set(&init, &(*k).into(), v).unwrap();
    }
    let args = js_sys::Array::of2(&kind.into(), &init);
    js_sys::Reflect::construct(&ctor, &args).unwrap().dyn_into().unwrap()
}

/// A `keydown` of key `k` on [`tid`]`(id)`.
pub fn key(id: &str, k: &str) {
    tid(id).dispatch_event(&event("KeyboardEvent", "keydown", &[("key", k.into())])).unwrap();
}

/// Types `value` into the input [`tid`]`(id)` (an `input` event).
pub fn set_input(id: &str, value: &str) {
    let el: HtmlInputElement = tid(id).dyn_into().unwrap();
    el.set_value(value);
    el.dispatch_event(&event("Event", "input", &[])).unwrap();
}

/// Chooses option `value` of the select [`tid`]`(id)` (a `change` event); panics if the select
/// has no such option.
pub fn set_select(id: &str, value: &str) {
    let el: HtmlSelectElement = tid(id).dyn_into().unwrap();
    el.set_value(value);
    assert_eq!(el.value(), value, "{id} has no option {value}");
    el.dispatch_event(&event("Event", "change", &[])).unwrap();
}

/// The app mounted in a fresh `<div>`; dropping it unmounts the app and removes the div.
pub struct Mounted {
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
    root: HtmlElement,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

/// Mounts the app at `#/<slug>?<query>&lang=en` and waits until `ready` (a CSS selector)
/// matches.
pub async fn mount_lesson(slug: &str, query: &str, ready: &str) -> Mounted {
    mount_lesson_within(slug, query, ready, 15).await
}

/// [`mount_lesson`], waiting up to `secs` seconds for `ready` (a lesson that loads its data).
pub async fn mount_lesson_within(slug: &str, query: &str, ready: &str, secs: u32) -> Mounted {
    let h = format!("#/{slug}?{query}&lang=en");
    let hist = web_sys::window().unwrap().history().unwrap();
    hist.replace_state_with_url(&JsValue::NULL, "", Some(&h)).unwrap();
    // A failed test aborts without dropping its `Mounted`: remove any app left behind.
    let left = doc().query_selector_all(".test-app-root").unwrap();
    for i in 0..left.length() {
        if let Some(e) = left.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            e.remove();
        }
    }
    let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
    root.set_class_name("test-app-root");
    doc().body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), || App().into_any());
    until_secs("the lesson", secs, || q(ready).is_some()).await;
    Mounted { _handle: handle, root }
}

/// The text of every `<td>` of each body row of the table [`tid`]`(id)`.
pub fn rows(id: &str) -> Vec<Vec<String>> {
    let table = tid(id);
    let trs = table.query_selector_all("tbody tr").unwrap();
    (0..trs.length())
        .map(|i| {
            let tr: Element = trs.item(i).unwrap().dyn_into().unwrap();
            let tds = tr.query_selector_all("td").unwrap();
            (0..tds.length()).map(|j| tds.item(j).unwrap().text_content().unwrap()).collect()
        })
        .collect()
}

/// A canvas's size, an FNV-1a digest of its pixels (to tell that a figure was redrawn
/// differently) and whether it has more than one colour.
pub fn canvas_digest(id: &str) -> (u32, u32, u64, bool) {
    let c: HtmlCanvasElement = tid(id).dyn_into().unwrap();
    let ctx: web_sys::CanvasRenderingContext2d =
        c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let (w, h) = (c.width(), c.height());
    let data = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).unwrap().data().0;
    let mut s = 0xcbf29ce484222325u64;
    for b in &data {
        s = (s ^ *b as u64).wrapping_mul(0x100000001b3);
    }
    let varied = data.chunks_exact(4).any(|p| p[..3] != data[..3]);
    (w, h, s, varied)
}

/// The training kit's step counter (the digits of `train-steps`).
pub fn steps() -> u64 {
    text("train-steps")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}
