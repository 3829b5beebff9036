#![cfg(target_arch = "wasm32")]
//! Mounting and unmounting the training lessons many times in one page must not leak.
//!
//! The URL sweeps mount the whole app once per case (dozens of times per lesson); several
//! lessons' sweeps in one page slowed it until a test timed out. This test repeats that
//! pattern with training running and watches what survives each unmount, through a probe
//! installed in the page before the first mount: animation-frame callbacks still pending,
//! intervals still live, event listeners added and never removed (per event type), WebGPU
//! devices requested and never destroyed, and the JS heap. Two ways of leaving a lesson:
//!
//! * `remount_<slug>` — the sweeps' way: a fresh `App` per case at `#/<slug>`, training
//!   started (Play in the kit's controls; the SGD lesson's race players start on their own),
//!   a few frames, then the app unmounted. 30 cycles of `sgd`, `ema` and `batchnorm`.
//! * `navigation_cycles` — the reader's way: one app, hash navigation between the lessons.
//!
//! Asserted: after each unmount (and after navigating away) no animation frame is pending and
//! no interval lives once the page had a few frames to settle; listeners, WebGPU devices and
//! wasm memory do not grow with the number of cycles. The time per cycle (first cycles against
//! last ones, medians of five after one warm-up cycle) is printed as a figure, not asserted:
//! on a shared machine wall-clock time says more about the neighbours than about a leak, and
//! what a leak leaves behind is counted above.
//!
//! Part of the `browser_sweep` binary. Run: `CHROMEDRIVER=/usr/bin/chromedriver
//! WASM_BINDGEN_TEST_TIMEOUT=900 cargo test --target wasm32-unknown-unknown --test
//! browser_sweep -- web_sweep_mounts:: --nocapture`

use dlviz::app::App;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// Lessons that train or animate.
const LESSONS: &[&str] = &["sgd", "ema", "batchnorm"];
/// Mount/unmount cycles of each lesson. (A debug build on the shared 2-core machine takes 2–7 s
/// per cycle with training running; `WASM_BINDGEN_TEST_TIMEOUT` covers the whole page, not
/// each test. 30 cycles each were run once with a 400 s budget: no growth, see
/// ARCHITECTURE.md.)
const CYCLES: usize = 12;
/// Navigation rounds through all of [`LESSONS`].
const ROUNDS: usize = 4;

/// The page probe: wraps the browser APIs through which a lesson can outlive its unmount.
const PROBE: &str = r#"
if (window.__leak) return;
const p = window.__leak = { raf: new Map(), intervals: new Set(), listeners: {}, devices: 0,
  opened: 0, settled: 0, destroyed: 0 };
const raf = window.requestAnimationFrame.bind(window);
const caf = window.cancelAnimationFrame.bind(window);
window.requestAnimationFrame = function (cb) {
  const id = raf(function (t) { p.raf.delete(id); cb(t); });
  p.raf.set(id, 1);
  return id;
};
window.cancelAnimationFrame = function (id) { p.raf.delete(id); caf(id); };
const si = window.setInterval.bind(window), ci = window.clearInterval.bind(window);
window.setInterval = function (...a) { const id = si(...a); p.intervals.add(id); return id; };
window.clearInterval = function (id) { p.intervals.delete(id); ci(id); };
const add = EventTarget.prototype.addEventListener;
const rem = EventTarget.prototype.removeEventListener;
const keyOf = (target, type) => (target === window ? 'window:' : target === document ? 'document:'
  : (target && target.constructor ? target.constructor.name + ':' : '?:')) + type;
const seen = new WeakMap();
EventTarget.prototype.addEventListener = function (type, cb, opts) {
  if (cb) {
    let set = seen.get(this);
    if (!set) { set = new Set(); seen.set(this, set); }
    const k = type + '|' + (typeof opts === 'object' && opts ? !!opts.capture : !!opts);
    const token = cb;
    if (!set.has(token)) { set.add(token); const key = keyOf(this, type);
      p.listeners[key] = (p.listeners[key] || 0) + 1; }
  }
  return add.call(this, type, cb, opts);
};
EventTarget.prototype.removeEventListener = function (type, cb, opts) {
  const set = seen.get(this);
  if (cb && set && set.has(cb)) { set.delete(cb); const key = keyOf(this, type);
    p.listeners[key] = (p.listeners[key] || 0) - 1; }
  return rem.call(this, type, cb, opts);
};
if (typeof GPUAdapter !== 'undefined') {
  const rd = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = function (...a) {
    p.devices++;
    return rd.apply(this, a).then(
      (d) => { p.settled++; p.opened++; return d; },
      (e) => { p.settled++; throw e; });
  };
  const de = GPUDevice.prototype.destroy;
  GPUDevice.prototype.destroy = function (...a) { p.destroyed++; return de.apply(this, a); };
}
"#;

fn win() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn doc() -> web_sys::Document {
    win().document().unwrap()
}

fn now() -> f64 {
    win().performance().map(|p| p.now()).unwrap_or(0.0)
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        win().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

async fn frames(n: usize) {
    for _ in 0..n {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            win().request_animation_frame(&resolve).unwrap();
        });
        JsFuture::from(p).await.unwrap();
    }
}

fn install_probe() {
    js_sys::Function::new_no_args(PROBE).call0(&JsValue::NULL).unwrap();
}

fn probe_get(path: &str) -> JsValue {
    js_sys::Function::new_no_args(&format!("return window.__leak.{path};"))
        .call0(&JsValue::NULL)
        .unwrap()
}

/// What the probe sees now.
#[derive(Debug, Clone, PartialEq)]
struct Census {
    raf: u32,
    intervals: u32,
    /// Listeners added and not removed, total, and as text per target:type.
    listeners: i32,
    listener_detail: String,
    /// Devices opened and not destroyed.
    devices_alive: i32,
    /// Devices requested whose opening has not finished (on SwiftShader under load, opening
    /// can take longer than a cycle; each is destroyed as soon as it opens).
    devices_opening: i32,
    heap_mb: f64,
    /// The wasm instance's linear memory (it only grows; a Rust-side leak shows here).
    wasm_mb: f64,
}

fn census() -> Census {
    let n = |p: &str| probe_get(p).as_f64().unwrap_or(-1.0);
    let detail = js_sys::Function::new_no_args(
        "return JSON.stringify(Object.entries(window.__leak.listeners).filter(e => e[1] != 0));",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .as_string()
    .unwrap_or_default();
    let listeners = js_sys::Function::new_no_args(
        "return Object.values(window.__leak.listeners).reduce((a, b) => a + b, 0);",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .as_f64()
    .unwrap_or(-1.0) as i32;
    let heap = js_sys::Function::new_no_args(
        "return performance.memory ? performance.memory.usedJSHeapSize / 1048576 : -1;",
    )
    .call0(&JsValue::NULL)
    .unwrap()
    .as_f64()
    .unwrap_or(-1.0);
    Census {
        raf: n("raf.size") as u32,
        intervals: n("intervals.size") as u32,
        listeners,
        listener_detail: detail,
        devices_alive: (n("opened") - n("destroyed")) as i32,
        devices_opening: (n("devices") - n("settled")) as i32,
        heap_mb: heap,
        wasm_mb: js_sys::Reflect::get(&wasm_bindgen::memory(), &"buffer".into())
            .and_then(|b| js_sys::Reflect::get(&b, &"byteLength".into()))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(-1.0)
            / 1_048_576.0,
    }
}

fn click_all(sel: &str) -> usize {
    let list = doc().query_selector_all(sel).unwrap();
    let mut n = 0;
    for i in 0..list.length() {
        if let Some(el) = list.get(i).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            if el.get_attribute("aria-pressed").as_deref() != Some("true") {
                el.click();
                n += 1;
            }
        }
    }
    n
}

/// Starts whatever trains on the page: the kit's Play buttons (the SGD players start on
/// their own at mount unless reduced motion is on; their Play buttons are pressed then).
fn start_training() -> usize {
    click_all("[data-testid=train-play]") + click_all(".sgd-play")
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Settles the page after an unmount or navigation: timers and frames run out.
async fn settle() {
    sleep(0).await;
    frames(2).await;
    sleep(0).await;
}

/// Prints the time per cycle, first cycles against last ones: medians of up to five cycles
/// from each end, after one warm-up cycle. A figure, not a check (see the file's comment): a
/// leak shows in the counts this test asserts on.
fn report_growth(what: &str, times: &[f64]) {
    let k = ((times.len() - 1) / 2).min(5);
    let mut first: Vec<f64> = times[1..1 + k].to_vec();
    let mut last: Vec<f64> = times[times.len() - k..].to_vec();
    let (f, l) = (median(&mut first), median(&mut last));
    web_sys::console::log_1(
        &format!("{what}: first {f:.1} ms, last {l:.1} ms per cycle (×{:.2})", l / f).into(),
    );
}

/// `CYCLES` fresh apps at `#/<slug>` with training started, each unmounted.
async fn remount_cycles(slug: &str) {
    install_probe();
    let base = census();
    let mut after_first: Option<Census> = None;
    let mut times = Vec::with_capacity(CYCLES);
    let mut mount_ms = Vec::with_capacity(CYCLES);
    for cycle in 0..CYCLES {
        let t0 = now();
        win()
            .history()
            .unwrap()
            .replace_state_with_url(&JsValue::NULL, "", Some(&format!("#/{slug}")))
            .unwrap();
        let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
        doc().body().unwrap().append_child(&root).unwrap();
        let handle = mount_to(root.clone(), || App().into_any());
        mount_ms.push(now() - t0);
        frames(1).await;
        let started = start_training();
        assert!(started > 0 || slug == "sgd", "{slug}: nothing to start");
        frames(2).await;
        drop(handle);
        root.remove();
        settle().await;
        times.push(now() - t0);
        let c = census();
        assert_eq!(c.raf, 0, "{slug} cycle {cycle}: animation frames still pending: {c:?}");
        assert_eq!(c.intervals, 0, "{slug} cycle {cycle}: intervals still live: {c:?}");
        if cycle == 0 || cycle + 1 == CYCLES || cycle % 4 == 0 {
            web_sys::console::log_1(
                &format!(
                    "remount {slug} #{cycle}: {:.1} ms (mount {:.1} ms), {c:?}",
                    times[cycle], mount_ms[cycle]
                )
                .into(),
            );
        }
        match &after_first {
            None => after_first = Some(c),
            Some(f) => {
                // One app's listeners and devices may stay registered (lazily created
                // globals); they must not grow per mount.
                assert!(
                    c.listeners <= f.listeners + 2,
                    "{slug} cycle {cycle}: listeners grow: {} -> {} ({} / {})",
                    f.listeners,
                    c.listeners,
                    f.listener_detail,
                    c.listener_detail
                );
                assert!(
                    c.wasm_mb <= f.wasm_mb + 16.0,
                    "{slug} cycle {cycle}: wasm memory grows: {} -> {} MB",
                    f.wasm_mb,
                    c.wasm_mb
                );
            }
        }
    }
    // A device is destroyed as soon as its opening (the request, then the app's setup of its
    // kernels) finishes after the unmount, so during the cycles some are legitimately alive or
    // still opening. Once the last cycle has had time to finish its openings, at most the ones
    // the first cycle left (lazily created globals) may stay: a leaked device never goes.
    let first_alive = after_first.as_ref().map_or(0, |f| f.devices_alive);
    let t_drain = now();
    let settled = |c: &Census| c.devices_opening == 0 && c.devices_alive <= first_alive + 1;
    while !settled(&census()) && now() - t_drain < 30_000.0 {
        sleep(50).await;
    }
    let drained = census();
    assert!(
        settled(&drained),
        "{slug}: WebGPU devices pile up: {} alive and {} opening 30 s after {CYCLES} cycles \
         (the first cycle left {first_alive})",
        drained.devices_alive,
        drained.devices_opening
    );
    report_growth(&format!("remount {slug}"), &times);
    // The synchronous mount alone, logged (too short to judge on a loaded machine).
    let (mut a, mut b) = (mount_ms[1..6].to_vec(), mount_ms[CYCLES - 5..].to_vec());
    web_sys::console::log_1(
        &format!("remount {slug}: mount call {:.1} -> {:.1} ms", median(&mut a), median(&mut b))
            .into(),
    );
    web_sys::console::log_1(
        &format!("remount {slug}: before {base:?}, after {:?}", census()).into(),
    );
}

#[wasm_bindgen_test]
async fn remount_sgd() {
    remount_cycles(LESSONS[0]).await;
}

#[wasm_bindgen_test]
async fn remount_ema() {
    remount_cycles(LESSONS[1]).await;
}

#[wasm_bindgen_test]
async fn remount_batchnorm() {
    remount_cycles(LESSONS[2]).await;
}

#[wasm_bindgen_test]
async fn navigation_cycles() {
    install_probe();
    win().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("#/softmax")).unwrap();
    let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
    doc().body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), || App().into_any());
    settle().await;
    let base = census();
    let mut times: Vec<f64> = Vec::new();
    for cycle in 0..ROUNDS {
        let t0 = now();
        for slug in LESSONS {
            win().location().set_hash(&format!("#/{slug}")).unwrap();
            frames(1).await;
            start_training();
            frames(2).await;
        }
        // A lesson without animation: nothing may keep running behind it.
        win().location().set_hash("#/softmax").unwrap();
        settle().await;
        times.push(now() - t0);
        let c = census();
        assert_eq!(c.raf, 0, "navigation cycle {cycle}: animation frames still pending: {c:?}");
        assert_eq!(c.intervals, 0, "navigation cycle {cycle}: intervals still live: {c:?}");
        assert!(
            c.listeners <= base.listeners + 2,
            "navigation cycle {cycle}: listeners grow: {} -> {} ({} / {})",
            base.listeners,
            c.listeners,
            base.listener_detail,
            c.listener_detail
        );
        if cycle == 0 || cycle + 1 == ROUNDS {
            web_sys::console::log_1(
                &format!("navigate #{cycle}: {:.1} ms, {c:?}", times[cycle]).into(),
            );
        }
    }
    report_growth("navigation", &times);
    drop(handle);
    root.remove();
}
