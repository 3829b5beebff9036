#![cfg(target_arch = "wasm32")]
//! Browser tests of the "SGD and its improvements" lesson (src/lessons/sgd*): it mounts with
//! its race canvas, legend and mini-batch figures; changing the learning rate changes the
//! trajectory; a huge rate reports "diverged at step t" and no NaN reaches the page; the arrow
//! keys and a pointer press move the start point (and the URL); the player steps; the
//! mini-batch view reacts to the batch size and reports its own divergence.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_sgd::`

use dlviz::app::App;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
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

/// Polls `cond` every 10 ms for up to 5 s.
async fn until(what: &str, cond: impl Fn() -> bool) -> Result<(), String> {
    for _ in 0..500 {
        if cond() {
            return Ok(());
        }
        sleep(10).await;
    }
    Err(format!("timed out waiting for: {what}"))
}

fn q(sel: &str) -> Option<Element> {
    doc().query_selector(sel).unwrap()
}

fn tid(id: &str) -> Element {
    q(&format!("[data-testid=\"{id}\"]")).unwrap_or_else(|| panic!("no element {id}"))
}

fn text(id: &str) -> String {
    q(&format!("[data-testid=\"{id}\"]")).and_then(|e| e.text_content()).unwrap_or_default()
}

fn hash() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
}

/// A number knob read back from the URL.
fn knob(key: &str) -> Option<f64> {
    let h = hash();
    let q = h.split_once('?')?.1.to_string();
    q.split('&').find_map(|kv| kv.strip_prefix(&format!("{key}=")).and_then(|v| v.parse().ok()))
}

/// `new <ctor>(kind, {bubbles: true, ...extra})`; numeric values are passed as numbers.
fn event(ctor: &str, kind: &str, extra: &[(&str, JsValue)]) -> web_sys::Event {
    let win: JsValue = web_sys::window().unwrap().into();
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&win, &ctor.into()).unwrap().dyn_into().unwrap();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"bubbles".into(), &JsValue::TRUE).unwrap();
    js_sys::Reflect::set(&init, &"cancelable".into(), &JsValue::TRUE).unwrap();
    for (k, v) in extra {
        js_sys::Reflect::set(&init, &(*k).into(), v).unwrap();
    }
    let args = js_sys::Array::of2(&kind.into(), &init);
    js_sys::Reflect::construct(&ctor, &args).unwrap().dyn_into().unwrap()
}

/// Moves a range input to `value` (fires `input`).
fn set_input(id: &str, value: &str) {
    let el: HtmlInputElement = tid(id).dyn_into().unwrap();
    el.set_value(value);
    el.dispatch_event(&event("Event", "input", &[])).unwrap();
}

fn click(id: &str) {
    tid(id).dyn_into::<HtmlElement>().unwrap().click();
}

struct Mounted {
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
    root: HtmlElement,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

/// Mounts the app at `#/sgd?<query>&lang=en`, waits for the legend, and jumps both players
/// to their last step (so results do not depend on animation timing).
async fn mount_lesson(query: &str) -> Mounted {
    let h = format!("#/sgd?{query}&lang=en");
    let hist = web_sys::window().unwrap().history().unwrap();
    hist.replace_state_with_url(&JsValue::NULL, "", Some(&h)).unwrap();
    let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
    doc().body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), || App().into_any());
    until("legend rows", || q("[data-testid=\"sgd-row-adam\"]").is_some()).await.unwrap();
    click("sgd-race-end");
    click("sgd-mini-end");
    sleep(30).await;
    Mounted { _handle: handle, root }
}

fn page_text() -> String {
    doc().body().unwrap().text_content().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn mounts_with_race_legend_and_minibatch_figures() {
    let _app = mount_lesson("").await;
    let c: HtmlCanvasElement = tid("sgd-race-canvas").dyn_into().unwrap();
    assert_eq!((c.width(), c.height()), (480, 480));
    for id in ["sgd", "momentum", "nesterov", "rmsprop", "adam"] {
        tid(&format!("sgd-row-{id}"));
        let s = text(&format!("sgd-status-{id}"));
        assert!(s.starts_with("loss "), "{id}: {s} (hash {})", hash());
    }
    for id in [
        "sgd-surface",
        "sgd-lr",
        "sgd-alr",
        "sgd-mom",
        "sgd-b1",
        "sgd-b2",
        "sgd-mini-plane",
        "sgd-mini-data",
        "sgd-mini-chart",
        "sgd-mini-bs",
        "sgd-mini-lr",
        "export-png-sgd-race",
        "export-csv-sgd-race",
        "export-csv-sgd-mini-plane",
    ] {
        tid(id);
    }
    assert!(text("sgd-race-pos").contains("150 / 150"), "{}", text("sgd-race-pos"));
    assert!(text("sgd-mini-readout").contains("Full-data loss"));
    // Something was drawn on the race canvas: more than a handful of distinct colours.
    let ctx: web_sys::CanvasRenderingContext2d =
        c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let px = ctx.get_image_data(0.0, 0.0, 480.0, 480.0).unwrap().data().0;
    let orange =
        px.chunks(4).filter(|p| p[0] > 200 && p[1] > 130 && p[1] < 180 && p[2] < 60).count();
    assert!(orange > 50, "the SGD path (orange) is drawn: {orange} px");
}

#[wasm_bindgen_test]
async fn changing_the_rate_changes_the_trajectory() {
    let _app = mount_lesson("").await;
    let before = text("sgd-pos-sgd");
    let adam_before = text("sgd-pos-adam");
    // Position 300 of 1000 on the log scale 1e-5…10 is η ≈ 6.3e-4.
    set_input("sgd-lr", "300");
    until("new SGD end point", || text("sgd-pos-sgd") != before).await.unwrap();
    assert!(hash().contains("lr=0.000631"), "{}", hash());
    // The adaptive optimizers have their own rate: Adam did not move.
    assert_eq!(text("sgd-pos-adam"), adam_before);
    set_input("sgd-alr", "200");
    until("new Adam end point", || text("sgd-pos-adam") != adam_before).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_huge_rate_reports_divergence_without_nan() {
    let _app = mount_lesson("surf=rosenbrock&x0=-1.5&y0=2&lr=10&alr=10").await;
    for id in ["sgd", "momentum", "nesterov"] {
        let s = text(&format!("sgd-status-{id}"));
        assert!(
            s.starts_with("diverged at step "),
            "{id}: {s} (hash {}, legend {}, player {})",
            hash(),
            text("sgd-legend"),
            text("sgd-race-pos")
        );
    }
    let all = page_text();
    assert!(!all.contains("NaN"), "a non-finite number reached the page");
    // Stepping back before the divergence shows a loss again.
    click("sgd-race-reset");
    until("step 0", || text("sgd-race-pos").starts_with("Step 0 /")).await.unwrap();
    assert!(text("sgd-status-sgd").starts_with("loss "), "{}", text("sgd-status-sgd"));
    click("sgd-race-step");
    until("step 1", || text("sgd-race-pos").starts_with("Step 1 /")).await.unwrap();
    // The mini-batch view diverges at η = 3 (the loss curvature is ≈ E[x²] ≈ 1, so η > 2).
    set_input("sgd-mini-lr", "1000");
    until("mini-batch divergence", || text("sgd-mini-diverged").contains("Diverged at step"))
        .await
        .unwrap();
    assert!(!page_text().contains("NaN"));
}

#[wasm_bindgen_test]
async fn arrow_keys_move_the_start() {
    let _app = mount_lesson("").await;
    let canvas: HtmlElement = tid("sgd-race-canvas").dyn_into().unwrap();
    canvas.focus().unwrap();
    let before = text("sgd-pos-sgd");
    let key = event("KeyboardEvent", "keydown", &[("key", "ArrowRight".into())]);
    canvas.dispatch_event(&key).unwrap();
    // 2 % of the 6-wide view: x0 moves from −2.5 to −2.38.
    until("x0 moved right", || hash().contains("x0=-2.38")).await.unwrap();
    assert!(key.default_prevented(), "the page must not scroll");
    let key = event(
        "KeyboardEvent",
        "keydown",
        &[("key", "ArrowUp".into()), ("shiftKey", JsValue::TRUE)],
    );
    canvas.dispatch_event(&key).unwrap();
    until("y0 moved up", || hash().contains("y0=0.8")).await.unwrap();
    until("trajectory follows", || text("sgd-pos-sgd") != before).await.unwrap();
    let label = canvas.get_attribute("aria-label").unwrap();
    assert!(label.contains("(−2.38, 0.8)"), "{label}");
}

#[wasm_bindgen_test]
async fn pointer_press_and_drag_move_the_start() {
    let _app = mount_lesson("").await;
    let canvas: HtmlElement = tid("sgd-race-canvas").dyn_into().unwrap();
    // A press at the canvas centre puts the start at the view's centre (0, 0).
    let r = canvas.get_bounding_client_rect();
    let (cx, cy) = (r.left() + r.width() / 2.0, r.top() + r.height() / 2.0);
    let down = event(
        "PointerEvent",
        "pointerdown",
        &[("clientX", cx.into()), ("clientY", cy.into()), ("pointerId", 1.into())],
    );
    canvas.dispatch_event(&down).unwrap();
    let near = |x: f64, y: f64| {
        let (Some(hx), Some(hy)) = (knob("x0"), knob("y0")) else { return false };
        (hx - x).abs() < 0.05 && (hy - y).abs() < 0.05
    };
    until("start at the centre", || near(0.0, 0.0))
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", hash()));
    // Dragging moves it further: a quarter width to the right is x = 1.5.
    let mv = event(
        "PointerEvent",
        "pointermove",
        &[
            ("clientX", (cx + r.width() / 4.0).into()),
            ("clientY", cy.into()),
            ("pointerId", 1.into()),
        ],
    );
    canvas.dispatch_event(&mv).unwrap();
    until("dragged", || hash().contains("x0=1.5&"))
        .await
        .unwrap_or_else(|e| panic!("{e}: {}", hash()));
    canvas.dispatch_event(&event("PointerEvent", "pointerup", &[("pointerId", 1.into())])).unwrap();
}

#[wasm_bindgen_test]
async fn batch_size_changes_the_minibatch_run() {
    let _app = mount_lesson("bs=4").await;
    let before = text("sgd-mini-readout");
    assert!(before.contains("of size 4"), "{before} (hash {})", hash());
    set_input("sgd-mini-bs", "100");
    until("batch = N", || text("sgd-mini-readout").contains("of size 100")).await.unwrap();
    // With the full batch the two runs coincide: the same loss is reported for both.
    let r = text("sgd-mini-readout");
    let full = r.split("full batch ").nth(1).unwrap().split(',').next().unwrap().to_string();
    let mini = r.split("mini-batch ").nth(1).unwrap().split(". Batch").next().unwrap().to_string();
    assert_eq!(full, mini, "{r}");
    assert!(r.contains("by 0%"), "{r}");
}
