#![cfg(target_arch = "wasm32")]
//! Browser tests of the VAE lesson (src/lessons/vae*): it mounts, loads the shipped digits,
//! trains a few steps (the loss, reconstruction and KL curves are drawn and the latent space is
//! refreshed at the new step), a click on the latent plane decodes a digit there (the read-out
//! shows the point, the decoded canvas has ink), redrawing ε moves z, the manifold grid is
//! decoded row by row, a 3-D latent uses the PCA plane with one slider per coordinate, and a
//! bad URL falls back to the defaults with a notice.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=180 cargo test
//! --target wasm32-unknown-unknown --test web_vae`

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

/// Polls `cond` every 20 ms for up to `secs` seconds.
async fn until(what: &str, secs: u32, cond: impl Fn() -> bool) {
    for _ in 0..secs * 50 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for: {what}");
}

fn q(sel: &str) -> Option<Element> {
    doc().query_selector(sel).unwrap()
}

fn tid(id: &str) -> HtmlElement {
    q(&format!("[data-testid=\"{id}\"]"))
        .unwrap_or_else(|| panic!("no element {id}"))
        .dyn_into()
        .unwrap()
}

fn text(id: &str) -> String {
    q(&format!("[data-testid=\"{id}\"]")).and_then(|e| e.text_content()).unwrap_or_default()
}

/// The text of every `<td>` of row `r` of a table.
fn rows(id: &str) -> Vec<Vec<String>> {
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

/// A digest of a canvas's pixels and whether it has more than one colour.
fn canvas_digest(id: &str) -> (u32, u32, u64, bool) {
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

fn steps() -> u64 {
    text("train-steps")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

fn attr(id: &str, name: &str) -> String {
    tid(id).get_attribute(name).unwrap_or_default()
}

/// A bubbling pointer event of `kind` at client coordinates `(x, y)`.
fn pointer(id: &str, kind: &str, x: f64, y: f64) {
    let win: JsValue = web_sys::window().unwrap().into();
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&win, &"PointerEvent".into()).unwrap().dyn_into().unwrap();
    let init = js_sys::Object::new();
    for (k, v) in [
        ("bubbles", JsValue::TRUE),
        ("clientX", x.into()),
        ("clientY", y.into()),
        ("pointerType", "mouse".into()),
        ("buttons", 1.into()),
    ] {
        js_sys::Reflect::set(&init, &k.into(), &v).unwrap();
    }
    let args = js_sys::Array::of2(&kind.into(), &init);
    let ev: web_sys::Event = js_sys::Reflect::construct(&ctor, &args).unwrap().dyn_into().unwrap();
    tid(id).dispatch_event(&ev).unwrap();
}

fn set_input(id: &str, value: &str) {
    let el: HtmlInputElement = tid(id).dyn_into().unwrap();
    el.set_value(value);
    let win: JsValue = web_sys::window().unwrap().into();
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&win, &"Event".into()).unwrap().dyn_into().unwrap();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"bubbles".into(), &JsValue::TRUE).unwrap();
    let args = js_sys::Array::of2(&"input".into(), &init);
    let ev: web_sys::Event = js_sys::Reflect::construct(&ctor, &args).unwrap().dyn_into().unwrap();
    el.dispatch_event(&ev).unwrap();
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

/// Mounts the app at `#/vae?<query>&lang=en` and waits for the digits and the trainer.
async fn mount_lesson(query: &str) -> Mounted {
    let h = format!("#/vae?{query}&lang=en");
    let hist = web_sys::window().unwrap().history().unwrap();
    hist.replace_state_with_url(&JsValue::NULL, "", Some(&h)).unwrap();
    let left = doc().query_selector_all(".vae-test-root").unwrap();
    for i in 0..left.length() {
        if let Some(n) = left.item(i) {
            let e: Element = n.dyn_into().unwrap();
            e.remove();
        }
    }
    let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
    root.set_class_name("vae-test-root");
    doc().body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), || App().into_any());
    until("the digits and the trainer", 90, || q("[data-testid=\"train-play\"]").is_some()).await;
    Mounted { _handle: handle, root }
}

#[wasm_bindgen_test]
async fn trains_and_a_click_on_the_latent_plane_decodes_a_digit() {
    let _app = mount_lesson("hid=64&bs=32&seed=5").await;
    for id in [
        "vae-beta",
        "vae-z",
        "vae-hidden",
        "vae-lik",
        "vae-lr",
        "vae-batch",
        "vae-seed",
        "chart-vae-loss",
        "chart-vae-kl",
        "vae-latent",
        "vae-probe",
        "vae-grid",
        "vae-interp",
        "vae-prior",
        "vae-kl-bars",
        "vae-reparam-table",
        "export-png-vae-latent",
        "export-csv-vae-latent",
        "export-png-vae-grid",
        "export-csv-vae-kl-dims",
    ] {
        tid(id);
    }
    // The untrained model's codes are drawn at step 0 and the grid is decoded row by row.
    until("codes at step 0", 30, || text("vae-latent-status").contains("step 0")).await;
    until("the whole grid", 30, || attr("vae-grid", "data-rows") == "15").await;
    let kl_before = canvas_digest("chart-vae-kl");
    for _ in 0..5 {
        tid("train-step").click();
    }
    until("5 steps", 30, || steps() == 5).await;
    until("codes at step 5", 30, || text("vae-latent-status").contains("step 5")).await;
    let kl_after = canvas_digest("chart-vae-kl");
    assert_ne!(kl_before.2, kl_after.2, "the KL curve was drawn");
    assert!(canvas_digest("chart-vae-loss").3, "the loss chart has content");
    // Two latent dimensions: two coordinate sliders, the per-dimension KL summary.
    assert!(q("[data-testid=\"vae-zc-1\"]").is_some() && q("[data-testid=\"vae-zc-2\"]").is_none());
    assert!(text("vae-kl-summary").contains("of 2 dimensions"), "{}", text("vae-kl-summary"));

    // Click the plane a quarter from the left, a quarter from the top: a point with a < 0,
    // b > 0 is decoded.
    let decodes: u64 = attr("vae-probe-fig", "data-decodes").parse().unwrap();
    let before = text("vae-probe-readout");
    let rect = tid("vae-latent").get_bounding_client_rect();
    let (x, y) = (rect.left() + rect.width() * 0.25, rect.top() + rect.height() * 0.25);
    pointer("vae-latent", "pointerdown", x, y);
    until("a decode", 10, || {
        attr("vae-probe-fig", "data-decodes").parse::<u64>().unwrap_or(0) > decodes
    })
    .await;
    let after = text("vae-probe-readout");
    assert_ne!(before, after);
    let coords: Vec<f32> = after
        .split(['(', ')'])
        .nth(1)
        .unwrap()
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect();
    assert!(coords[0] < -0.5 && coords[1] > 0.5, "{after}");
    let (w, h, _, varied) = canvas_digest("vae-probe");
    assert!(w >= 28 && h >= 28 && varied, "a decoded digit is drawn");
}

#[wasm_bindgen_test]
async fn redrawing_eps_moves_z_and_a_3d_latent_uses_the_pca_plane() {
    let _app = mount_lesson("z=3&hid=64&bs=32&seed=2&digit=7").await;
    until("the reparameterisation table", 30, || rows("vae-reparam-table").len() == 3).await;
    let first = rows("vae-reparam-table");
    tid("vae-resample").click();
    until("a new ε", 10, || rows("vae-reparam-table") != first).await;
    let second = rows("vae-reparam-table");
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a[1], b[1], "μ does not depend on ε");
        assert_eq!(a[2], b[2], "σ does not depend on ε");
        assert_ne!(a[3], b[3], "ε was redrawn");
        // z = μ + σ·ε, to display precision.
        let p = |s: &str| s.parse::<f32>().unwrap();
        let z = p(&b[1]) + p(&b[2]) * p(&b[3]);
        assert!((z - p(&b[4])).abs() < 1e-2 * (1.0 + z.abs()), "{b:?}");
    }
    until("the PCA plane", 30, || text("vae-latent-status").contains("principal axes")).await;
    assert!(q("[data-testid=\"vae-zc-2\"]").is_some(), "one slider per coordinate");
    // A coordinate slider decodes its point.
    let decodes: u64 = attr("vae-probe-fig", "data-decodes").parse().unwrap();
    set_input("vae-zc-2", "1.5");
    until("a decode", 10, || {
        attr("vae-probe-fig", "data-decodes").parse::<u64>().unwrap_or(0) > decodes
    })
    .await;
    assert!(text("vae-probe-readout").contains("1.5"), "{}", text("vae-probe-readout"));
}

#[wasm_bindgen_test]
async fn a_bad_url_falls_back_to_the_defaults() {
    let _app = mount_lesson("z=99&beta=NaN&hid=7&lik=%3Cb%3E&digit=-3&seed=x").await;
    assert!(q("[data-testid=url-notice]").is_some(), "the ignored settings are reported");
    let value = |id: &str| tid(id).dyn_into::<HtmlInputElement>().unwrap().value();
    until("the default latent size", 10, || value("vae-z") == "2").await;
    until("the default β", 10, || value("vae-beta") == "1").await;
    assert!(!text("vae-kl-summary").is_empty());
    tid("train-step").click();
    until("1 step", 30, || steps() == 1).await;
    assert!(
        text("vae-kl-summary").contains("of 2 dimensions")
            || text("vae-kl-summary").contains("No codes")
    );
}
