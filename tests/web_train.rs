#![cfg(target_arch = "wasm32")]
//! Browser tests of the live-training kit (`ui::train`) on a real problem the kit knows
//! nothing about: least-squares linear regression `y ≈ w·x + b` on seeded points, trained by
//! full-batch gradient descent with the gradient written here. Checks: Step does exactly one
//! step; Play trains over animation frames with every burst under 50 ms and the loss going
//! down; Pause stops; the chart draws pixels and its keyboard read-out shows exact values;
//! a too-large rate is caught as a divergence and explained in place; a factory error is shown;
//! a hidden tab pauses; unmounting stops the loop (no more steps, no panic).
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver wasm-pack test --headless --chrome -- --test web_train`

use dlviz::core::train::{FnTrainable, StepReport, Trainable, LOSS};
use dlviz::core::Rng;
use dlviz::ui::train::{ChartLine, Factory, LoopState, LossChart, TrainControls, TrainHandle};
use leptos::mount::mount_to;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement};

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

async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..500 {
        if cond() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for: {what}");
}

fn tid(root: &Element, id: &str) -> HtmlElement {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element {id}"))
        .dyn_into()
        .unwrap()
}

fn find(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap()
}

fn key(el: &HtmlElement, k: &str) {
    let win: JsValue = web_sys::window().unwrap().into();
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&win, &"KeyboardEvent".into()).unwrap().dyn_into().unwrap();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"bubbles".into(), &JsValue::TRUE).unwrap();
    js_sys::Reflect::set(&init, &"key".into(), &k.into()).unwrap();
    let args = js_sys::Array::of2(&"keydown".into(), &init);
    let ev: web_sys::Event = js_sys::Reflect::construct(&ctor, &args).unwrap().dyn_into().unwrap();
    el.dispatch_event(&ev).unwrap();
}

/// Seeded regression data: x ∈ [−1, 1], y = 2x + 1 + 0.1·noise.
fn data(seed: u64) -> Vec<(f64, f64)> {
    let mut rng = Rng::new(seed);
    (0..64)
        .map(|_| {
            let x = f64::from(rng.uniform_in(-1.0, 1.0));
            (x, 2.0 * x + 1.0 + 0.1 * f64::from(rng.uniform_in(-1.0, 1.0)))
        })
        .collect()
}

/// One run of gradient descent on `L = mean((w x + b − y)²)/2`:
/// `∂L/∂w = mean((w x + b − y) x)`, `∂L/∂b = mean(w x + b − y)`. `counter` counts steps.
fn regression(lr: f64, counter: Rc<Cell<u64>>) -> Box<dyn Trainable> {
    let pts = data(7);
    let (mut w, mut b) = (0.0f64, 0.0f64);
    Box::new(FnTrainable::new(1, move || {
        let n = pts.len() as f64;
        let (mut loss, mut gw, mut gb) = (0.0, 0.0, 0.0);
        for &(x, y) in &pts {
            let e = w * x + b - y;
            loss += e * e / 2.0 / n;
            gw += e * x / n;
            gb += e / n;
        }
        w -= lr * gw;
        b -= lr * gb;
        counter.set(counter.get() + 1);
        Ok(vec![StepReport::loss(loss).with_grad_norm(gw.hypot(gb)).with_metric("w", w)])
    }))
}

struct Mounted {
    root: Element,
    handle: TrainHandle,
    _unmount: Option<Box<dyn std::any::Any>>,
}

fn mount(factory: Factory) -> Mounted {
    let root = doc().create_element("div").unwrap();
    doc().body().unwrap().append_child(&root).unwrap();
    let slot: Rc<Cell<Option<TrainHandle>>> = Rc::new(Cell::new(None));
    let s2 = slot.clone();
    let unmount = mount_to(root.clone().dyn_into().unwrap(), move || {
        let handle = TrainHandle::new(factory.clone());
        s2.set(Some(handle));
        let lines = Signal::derive(|| {
            vec![ChartLine { run: 0, metric: LOSS, label: "train loss".into(), color: 0 }]
        });
        view! {
            <TrainControls handle=handle run_labels=Signal::derive(|| vec!["GD".to_string()]) />
            <LossChart
                source=handle.into()
                lines=lines
                name="t"
                y_label=Signal::derive(|| "loss".to_string())
                what=Signal::derive(|| "loss curve".to_string())
            />
        }
    });
    Mounted { root, handle: slot.get().unwrap(), _unmount: Some(Box::new(unmount)) }
}

fn last_loss(h: &TrainHandle) -> f64 {
    h.with_trainer(|t| t.history().series(0, LOSS).unwrap().last().unwrap().value).unwrap()
}

/// How many canvas pixels differ from the top-left (background) pixel.
fn ink(canvas: &HtmlCanvasElement) -> usize {
    let ctx: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let (w, h) = (canvas.width(), canvas.height());
    let d = ctx.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)).unwrap().data();
    d.chunks(4).filter(|p| p[..3] != d[..3]).count()
}

#[wasm_bindgen_test]
async fn step_play_pause_and_chart() {
    let steps = Rc::new(Cell::new(0u64));
    let s = steps.clone();
    let m = mount(Rc::new(move || Ok(regression(0.5, s.clone()))));
    let (root, h) = (&m.root, m.handle);
    // Step: exactly one.
    tid(root, "train-step").click();
    assert_eq!(steps.get(), 1);
    assert_eq!(h.steps.get_untracked(), 1);
    sleep(20).await;
    assert!(tid(root, "train-steps").text_content().unwrap().contains('1'));
    let first = last_loss(&h);
    // Play: trains across frames; aria-pressed reflects it.
    let play = tid(root, "train-play");
    play.click();
    sleep(20).await;
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("true"));
    let mut worst = 0.0f64;
    for _ in 0..300 {
        worst = worst.max(h.last_burst_ms.get_untracked());
        if steps.get() > 200 {
            break;
        }
        sleep(10).await;
    }
    assert!(steps.get() > 200, "only {} steps", steps.get());
    assert!(worst < 50.0, "a training burst took {worst} ms");
    // Pause: no more steps.
    play.click();
    sleep(20).await;
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("false"));
    assert_eq!(h.state.get_untracked(), LoopState::Paused);
    let n = steps.get();
    sleep(100).await;
    assert_eq!(steps.get(), n, "paused but still stepping");
    // Learnt: loss fell, w near 2.
    assert!(last_loss(&h) < first * 0.05, "{} vs {first}", last_loss(&h));
    let w = h.with_trainer(|t| t.history().series(0, "w").unwrap().last().unwrap().value).unwrap();
    assert!((w - 2.0).abs() < 0.1, "w = {w}");
    assert!(h.rate.get_untracked() > 0.0);
    // The chart has drawn, and the keyboard read-out shows the exact last value.
    let canvas: HtmlCanvasElement = tid(root, "chart-t").dyn_into().unwrap();
    sleep(50).await;
    assert!(ink(&canvas) > 500, "chart looks empty");
    canvas.focus().unwrap();
    key(&canvas, "End");
    sleep(20).await;
    let readout = tid(root, "chart-t-readout").text_content().unwrap();
    assert!(readout.contains(&format!("Step {}", n)), "{readout}");
    assert!(readout.contains("train loss"), "{readout}");
    key(&canvas, "Home");
    sleep(20).await;
    let readout = tid(root, "chart-t-readout").text_content().unwrap();
    assert!(readout.contains("Step 1 "), "{readout}");
    // Reset: back to step 0, empty chart message.
    tid(root, "train-reset").click();
    assert_eq!(h.steps.get_untracked(), 0);
    assert!(h.with_trainer(|t| t.history().is_empty()).unwrap());
}

#[wasm_bindgen_test]
async fn divergence_is_caught_and_explained() {
    let steps = Rc::new(Cell::new(0u64));
    let s = steps.clone();
    // Rate 5 on this problem (curvature ≈ 1.3): |1 − 5·1.3| > 1, the loss grows geometrically.
    let m = mount(Rc::new(move || Ok(regression(5.0, s.clone()))));
    let (root, h) = (&m.root, m.handle);
    tid(root, "train-play").click();
    until("divergence", || h.state.get_untracked() == LoopState::Diverged).await;
    sleep(20).await;
    let d = h.divergence.get_untracked().unwrap();
    let text = tid(root, "train-divergence").text_content().unwrap();
    assert!(text.contains(&format!("step {}", d.step)), "{text}");
    assert!(text.contains("Lower the learning rate"), "{text}");
    let n = steps.get();
    sleep(100).await;
    assert_eq!(steps.get(), n, "kept stepping after divergence");
    assert!(tid(root, "train-play").has_attribute("disabled"));
    assert_eq!(tid(root, "train-status").text_content().unwrap(), "Stopped: diverged");
    // Reset clears it.
    tid(root, "train-reset").click();
    sleep(20).await;
    assert!(find(root, "train-divergence").is_none());
    assert!(!tid(root, "train-play").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn factory_error_is_shown() {
    let m = mount(Rc::new(|| Err("no data for this seed".to_string())));
    sleep(20).await;
    let text = tid(&m.root, "train-error").text_content().unwrap();
    assert!(text.contains("no data for this seed"), "{text}");
    tid(&m.root, "train-play").click();
    assert_eq!(m.handle.state.get_untracked(), LoopState::Failed);
}

#[wasm_bindgen_test]
async fn hidden_tab_pauses() {
    let steps = Rc::new(Cell::new(0u64));
    let s = steps.clone();
    let m = mount(Rc::new(move || Ok(regression(0.1, s.clone()))));
    tid(&m.root, "train-play").click();
    until("some steps", || steps.get() > 5).await;
    // Pretend the tab went to the background.
    let d: JsValue = doc().into();
    let desc = js_sys::Object::new();
    let getter = js_sys::Function::new_no_args("return true");
    js_sys::Reflect::set(&desc, &"get".into(), &getter).unwrap();
    js_sys::Reflect::set(&desc, &"configurable".into(), &JsValue::TRUE).unwrap();
    js_sys::Object::define_property(d.unchecked_ref::<js_sys::Object>(), &"hidden".into(), &desc);
    doc().dispatch_event(&web_sys::Event::new("visibilitychange").unwrap()).unwrap();
    assert_eq!(m.handle.state.get_untracked(), LoopState::Hidden);
    let n = steps.get();
    sleep(100).await;
    assert_eq!(steps.get(), n);
    assert!(tid(&m.root, "train-status").text_content().unwrap().contains("hidden"));
    js_sys::Reflect::delete_property(d.unchecked_ref::<js_sys::Object>(), &"hidden".into())
        .unwrap();
}

#[wasm_bindgen_test]
async fn unmount_stops_the_loop() {
    let steps = Rc::new(Cell::new(0u64));
    let s = steps.clone();
    let mut m = mount(Rc::new(move || Ok(regression(0.1, s.clone()))));
    tid(&m.root, "train-play").click();
    until("some steps", || steps.get() > 5).await;
    drop(m._unmount.take());
    let n = steps.get();
    sleep(150).await;
    assert_eq!(steps.get(), n, "the loop outlived its component");
}
