#![cfg(target_arch = "wasm32")]
//! Browser tests of the Convolution lesson (src/lessons/convolution*): it mounts; stride,
//! padding and kernel size update the output-size text and the feature-map pixels; an
//! impossible combination is explained and the old maps stay; an invalid kernel cell is
//! flagged and ignored; the step-through sum equals the output pixel; the receptive-field
//! size of a known stack; uploads (a non-image and an undecodable file are refused with a
//! notice, a 1100-px PNG is downscaled with a notice). Inputs use the drawn 28×28 grid or
//! generated files (no network needed).
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_convolution::`

use dlviz::app::App;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "support/gemm_check.rs"]
mod gemm_check;
use gemm_check::gemm_matches_reference;

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

/// `new <ctor>(kind, {bubbles: true, ...extra})`, built through JS so no extra web-sys
/// features are needed.
fn event(ctor: &str, kind: &str, extra: &[(&str, &str)]) -> web_sys::Event {
    let win: JsValue = web_sys::window().unwrap().into();
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&win, &ctor.into()).unwrap().dyn_into().unwrap();
    let init = js_sys::Object::new();
    js_sys::Reflect::set(&init, &"bubbles".into(), &JsValue::TRUE).unwrap();
    for (k, v) in extra {
        js_sys::Reflect::set(&init, &(*k).into(), &(*v).into()).unwrap();
    }
    let args = js_sys::Array::of2(&kind.into(), &init);
    js_sys::Reflect::construct(&ctor, &args).unwrap().dyn_into().unwrap()
}

/// Types `value` into an input (fires `input`).
fn set_input(id: &str, value: &str) {
    let el: HtmlInputElement = tid(id).dyn_into().unwrap();
    el.set_value(value);
    el.dispatch_event(&event("Event", "input", &[])).unwrap();
}

/// Chooses `value` in a select (fires `change`).
fn set_select(id: &str, value: &str) {
    let el: HtmlSelectElement = tid(id).dyn_into().unwrap();
    el.set_value(value);
    assert_eq!(el.value(), value, "{id} has no option {value}");
    el.dispatch_event(&event("Event", "change", &[])).unwrap();
}

/// Width, height and RGBA pixels of a canvas.
fn pixels(id: &str) -> (u32, u32, Vec<u8>) {
    let c: HtmlCanvasElement = tid(id).dyn_into().unwrap();
    let ctx: web_sys::CanvasRenderingContext2d =
        c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    let (w, h) = (c.width(), c.height());
    let data = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).unwrap().data().0;
    (w, h, data)
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

/// Mounts the app at `#/convolution?<query>&lang=en` and waits for the first feature map.
async fn mount_lesson(query: &str) -> Mounted {
    let h = format!("#/convolution?{query}&lang=en");
    let hist = web_sys::window().unwrap().history().unwrap();
    hist.replace_state_with_url(&JsValue::NULL, "", Some(&h)).unwrap();
    let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
    doc().body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), || App().into_any());
    until("first feature map", || {
        q("[data-testid=\"featuremap-0\"]")
            .is_some_and(|c| c.dyn_into::<HtmlCanvasElement>().unwrap().width() > 1)
    })
    .await
    .unwrap();
    Mounted { _handle: handle, root }
}

#[wasm_bindgen_test]
async fn mounts_with_maps_formula_and_panels() {
    let _app = mount_lesson("img=draw&filters=4").await;
    assert!(text("conv-output-size").contains("28 × 28"), "{}", text("conv-output-size"));
    for i in 0..4 {
        let (w, h, _) = pixels(&format!("featuremap-{i}"));
        assert_eq!((w, h), (28, 28), "featuremap-{i}");
    }
    assert!(q("[data-testid=\"featuremap-4\"]").is_none());
    for id in [
        "conv-sample",
        "conv-preset",
        "conv-ksize",
        "conv-stride",
        "conv-padding",
        "conv-dilation",
        "conv-filters",
        "conv-featuremaps",
        "conv-upload",
        "conv-upload-notice",
        "conv-input-canvas",
        "conv-step-window",
        "conv-rf-size",
        "export-png-featuremap-0",
        "export-csv-featuremap-0",
        "export-png-input",
    ] {
        tid(id);
    }
    // The Sobel-x map of the drawn "7" has both signs: blue and red pixels.
    let (_, _, px) = pixels("featuremap-0");
    let reds = px.chunks(4).filter(|p| p[0] as i32 > p[2] as i32 + 40).count();
    let blues = px.chunks(4).filter(|p| p[2] as i32 > p[0] as i32 + 40).count();
    assert!(reds > 5 && blues > 5, "reds {reds} blues {blues}");
    // Changing the number of filters adds maps.
    set_input("conv-filters", "9");
    until("9 maps", || q("[data-testid=\"featuremap-8\"]").is_some()).await.unwrap();
}

#[wasm_bindgen_test]
async fn stride_padding_and_kernel_size_update_text_and_pixels() {
    let _app = mount_lesson("img=draw&filters=2").await;
    let (_, _, before) = pixels("featuremap-0");
    // s = 2, same (p = 1): ⌊(28 + 2 − 2 − 1)/2⌋ + 1 = 14
    set_input("conv-stride", "2");
    until("14 × 14", || text("conv-output-size").contains("14 × 14")).await.unwrap();
    until("14-px map", || pixels("featuremap-0").0 == 14).await.unwrap();
    // valid (p = 0): ⌊(28 − 2 − 1)/2⌋ + 1 = 13
    set_select("conv-padding", "valid");
    until("13 × 13", || text("conv-output-size").contains("13 × 13")).await.unwrap();
    until("13-px map", || pixels("featuremap-0").0 == 13).await.unwrap();
    // k = 5: ⌊(28 − 4 − 1)/2⌋ + 1 = 12
    set_select("conv-ksize", "5");
    until("12 × 12", || text("conv-output-size").contains("12 × 12")).await.unwrap();
    until("12-px map", || pixels("featuremap-0").0 == 12).await.unwrap();
    // Back to stride 1, same: the map is 28 wide again, with pixels unlike the k = 3 map.
    set_input("conv-stride", "1");
    set_select("conv-padding", "same");
    until("28 × 28", || text("conv-output-size").contains("28 × 28")).await.unwrap();
    until("28-px map", || pixels("featuremap-0").0 == 28).await.unwrap();
    let (_, _, after) = pixels("featuremap-0");
    assert_ne!(before, after, "a 5×5 Sobel must draw a different map than the 3×3");
    // The formula shows the numbers: ⌊(28 + 2·2 − 1·(5−1) − 1)/1⌋ + 1 = 28
    let all = doc().body().unwrap().text_content().unwrap();
    assert!(all.contains("⌊(28 + 2·2 − 1·(5−1) − 1)/1⌋ + 1 = 28"), "formula with numbers missing");
}

#[wasm_bindgen_test]
async fn impossible_combination_is_explained_and_old_maps_stay() {
    // A 16-px working image: k = 7, d = 3 spans 19 px > 16.
    let _app = mount_lesson("img=draw&size=16&filters=2&pad=valid&k=7").await;
    until("10 × 10", || text("conv-output-size").contains("10 × 10"))
        .await
        .unwrap_or_else(|_| panic!("{}", text("conv-output-size")));
    let before = pixels("featuremap-0");
    set_input("conv-dilation", "3");
    until("explanation", || text("conv-output-size").contains("19")).await.unwrap();
    let msg = text("conv-output-size");
    assert!(msg.contains("Impossible") && msg.contains("16 + 2·0 = 16"), "{msg}");
    sleep(100).await;
    assert_eq!(pixels("featuremap-0"), before, "the previous maps must stay");
    assert!(q("[data-testid=\"featuremap-1\"]").is_some());
    // Padding 2 makes it fit again: ⌊(16 + 4 − 18 − 1)/1⌋ + 1 = 2
    set_select("conv-padding", "2");
    until("2 × 2", || text("conv-output-size").contains("2 × 2")).await.unwrap();
    until("2-px map", || pixels("featuremap-0").0 == 2).await.unwrap();
}

#[wasm_bindgen_test]
async fn invalid_matrix_cell_is_flagged_and_ignored() {
    let _app = mount_lesson("img=draw&filters=1&preset=identity").await;
    let before = pixels("featuremap-0");
    set_input("conv-matrix-1-1", "abc");
    until("flag", || {
        tid("conv-matrix-1-1").get_attribute("aria-invalid").as_deref() == Some("true")
    })
    .await
    .unwrap();
    assert!(tid("conv-matrix-1-1").class_list().contains("invalid"));
    assert!(text("conv-matrix-error").contains("Row 2, column 2"), "{}", text("conv-matrix-error"));
    sleep(100).await;
    assert_eq!(pixels("featuremap-0"), before, "an invalid cell must be ignored");
    // A valid edit elsewhere applies (the bad cell keeps its old value, 1): the kernel becomes
    // [0 0 0; 0 1 0.5; 0 0 0] — a shifted-sum, so the map changes and the preset is custom.
    set_input("conv-matrix-1-2", "1/2");
    until("map changed", || pixels("featuremap-0") != before).await.unwrap();
    let preset: HtmlSelectElement = tid("conv-preset").dyn_into().unwrap();
    until("custom preset", || preset.value() == "custom").await.unwrap();
    let h = web_sys::window().unwrap().location().hash().unwrap();
    assert!(h.contains("w=0,0,0,0,1,0.5,0,0,0"), "{h}");
    // Fixing the cell clears the flag.
    set_input("conv-matrix-1-1", "-1");
    until("unflagged", || {
        tid("conv-matrix-1-1").get_attribute("aria-invalid").as_deref() == Some("false")
    })
    .await
    .unwrap();
    assert!(text("conv-matrix-error").is_empty());
}

fn value_of(id: &str) -> f32 {
    tid(id).get_attribute("data-value").unwrap().parse().unwrap()
}

#[wasm_bindgen_test]
async fn step_through_sum_equals_output_pixel() {
    let _app = mount_lesson("img=draw&filters=1&preset=sobel_y&stride=2&bias=0.3&dil=2").await;
    let panel: HtmlElement = tid("conv-step-window").dyn_into().unwrap();
    panel.focus().unwrap();
    let key = |k: &str| {
        panel.dispatch_event(&event("KeyboardEvent", "keydown", &[("key", k)])).unwrap();
    };
    // Move to a window over the drawn stroke: (i, j) = (4, 5), then check every step.
    for _ in 0..4 {
        key("ArrowDown");
    }
    let mut nonzero = 0;
    for step in 0..8 {
        key("ArrowRight");
        sleep(20).await;
        let (s, y) = (value_of("conv-step-sum"), value_of("conv-step-output"));
        assert!((s - y).abs() <= 1e-5 + 1e-5 * y.abs(), "step {step}: sum {s} vs y {y}");
        if (y - 0.3).abs() > 1e-3 {
            nonzero += 1;
        }
    }
    assert!(nonzero > 0, "the path crossed no stroke");
    assert!(text("conv-step-window").contains("(i, j) = (4, 8)"), "{}", text("conv-step-window"));
    // Three k×k tables (window, kernel, products) are shown.
    assert_eq!(doc().query_selector_all(".step-matrix").unwrap().length(), 3);
    assert_eq!(doc().query_selector_all(".m-products td").unwrap().length(), 9);
}

#[wasm_bindgen_test]
async fn receptive_field_of_known_stacks() {
    // (k, s, d) = (3,1,1), (3,2,1), (3,1,1): r = 1 + 2 + 2 + 2·2 = 9.
    let _app = mount_lesson("img=draw&filters=1").await;
    assert!(text("conv-rf-size").contains("9 × 9"), "{}", text("conv-rf-size"));
    // Layer 3 with k = 5, d = 2: r = 5 + 2·4·2 = 21.
    set_select("conv-rf-k3", "5");
    set_input("conv-rf-d3", "2");
    until("21 × 21", || text("conv-rf-size").contains("21 × 21")).await.unwrap();
    // Two layers only: r = 5.
    set_input("conv-rf-layers", "2");
    until("5 × 5", || text("conv-rf-size").contains("5 × 5")).await.unwrap();
    // 28 → 26 → 12; the centre output (6, 6) sees input rows 12–16.
    assert!(text("conv-rf-size").contains("rows 12–16"), "{}", text("conv-rf-size"));
}

/// `new File(parts, name, {type})`.
fn file(parts: &js_sys::Array, name: &str, mime: &str) -> web_sys::File {
    let win: JsValue = web_sys::window().unwrap().into();
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&win, &"File".into()).unwrap().dyn_into().unwrap();
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"type".into(), &mime.into()).unwrap();
    let args = js_sys::Array::of3(parts, &name.into(), &opts);
    js_sys::Reflect::construct(&ctor, &args).unwrap().dyn_into().unwrap()
}

/// Puts `f` in the upload input (through a `DataTransfer`) and fires `change`.
fn upload(f: &web_sys::File) {
    let win: JsValue = web_sys::window().unwrap().into();
    let ctor: js_sys::Function =
        js_sys::Reflect::get(&win, &"DataTransfer".into()).unwrap().dyn_into().unwrap();
    let dt = js_sys::Reflect::construct(&ctor, &js_sys::Array::new()).unwrap();
    let items = js_sys::Reflect::get(&dt, &"items".into()).unwrap();
    let add: js_sys::Function =
        js_sys::Reflect::get(&items, &"add".into()).unwrap().dyn_into().unwrap();
    add.call1(&items, f).unwrap();
    let files: web_sys::FileList =
        js_sys::Reflect::get(&dt, &"files".into()).unwrap().dyn_into().unwrap();
    let input: HtmlInputElement = tid("conv-upload").dyn_into().unwrap();
    input.set_files(Some(&files));
    input.dispatch_event(&event("Event", "change", &[])).unwrap();
}

#[wasm_bindgen_test]
async fn uploads_non_image_refused_large_image_downscaled() {
    let _app = mount_lesson("img=draw&filters=1").await;
    let before = pixels("featuremap-0");
    // Not an image type: refused at once, the drawn input stays.
    upload(&file(&js_sys::Array::of1(&"just text".into()), "notes.txt", "text/plain"));
    until("not-image notice", || text("conv-upload-notice").contains("not an image"))
        .await
        .unwrap();
    // An image type whose bytes do not decode: refused after the decode fails.
    upload(&file(&js_sys::Array::of1(&"garbage".into()), "broken.png", "image/png"));
    until("decode notice", || text("conv-upload-notice").contains("could not be decoded"))
        .await
        .unwrap();
    sleep(50).await;
    assert_eq!(pixels("featuremap-0"), before, "a refused upload must keep the previous image");
    // A real 1100 × 20 PNG: accepted, shrunk to 1024 × 19 with a notice, then computed at the
    // working size (256 px on the longest side: 256 × 5).
    let canvas: HtmlCanvasElement = doc().create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_width(1100);
    canvas.set_height(20);
    let ctx: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, 550.0, 20.0);
    let blob = JsFuture::from(js_sys::Promise::new(&mut |res, _| {
        canvas.to_blob(&res).unwrap();
    }))
    .await
    .unwrap();
    upload(&file(&js_sys::Array::of1(&blob), "wide.png", "image/png"));
    until("downscale notice", || text("conv-upload-notice").contains("1100 × 20")).await.unwrap();
    assert!(text("conv-upload-notice").contains("1024 × 19"), "{}", text("conv-upload-notice"));
    until("256-px map", || pixels("featuremap-0").0 == 256).await.unwrap();
    assert_eq!(pixels("featuremap-0").1, 5);
    let sel: HtmlSelectElement = tid("conv-sample").dyn_into().unwrap();
    assert_eq!(sel.value(), "upload");
}

#[wasm_bindgen_test]
async fn drawing_grid_works_from_the_keyboard() {
    let _app = mount_lesson("img=draw&filters=1&preset=identity").await;
    let grid: HtmlElement = tid("conv-draw-grid").dyn_into().unwrap();
    grid.focus().unwrap();
    let key = |k: &str| {
        grid.dispatch_event(&event("KeyboardEvent", "keydown", &[("key", k)])).unwrap();
    };
    // Clear: the identity map of an empty grid is all zeros (white).
    let clear: HtmlElement = tid("conv-draw-clear").dyn_into().unwrap();
    clear.click();
    let white = |px: &[u8]| px.chunks(4).all(|p| p[0] == p[1] && p[1] == p[2] && p[0] > 240);
    until("cleared map", || white(&pixels("featuremap-0").2)).await.unwrap();
    // The cursor starts at (14, 14): Enter inks it; two steps right and Space inks (16, 14).
    key("Enter");
    key("ArrowRight");
    key("ArrowRight");
    key(" ");
    until("two inked pixels", || {
        let (w, _, px) = pixels("featuremap-0");
        let red = |x: usize, y: usize| {
            let p = &px[(y * w as usize + x) * 4..][..4];
            p[0] as i32 > p[2] as i32 + 40
        };
        red(14, 14) && red(16, 14) && !red(15, 14)
    })
    .await
    .unwrap();
    // The drawing is in the link: row 14 has bits 14 and 16 set → hex digits 3 and 4 of that row.
    let h = web_sys::window().unwrap().location().hash().unwrap();
    let grid_hex = h.split("grid=").nth(1).unwrap().split('&').next().unwrap();
    let bit = |i: usize| {
        let d = grid_hex.as_bytes()[i / 4] as char;
        d.to_digit(16).unwrap() >> (3 - i % 4) & 1 == 1
    };
    let ones: Vec<usize> = (0..28 * 28).filter(|i| bit(*i)).collect();
    assert_eq!(ones, vec![14 * 28 + 14, 14 * 28 + 16]);
}

/// The wasm SIMD128 micro-kernels (they exist only in the wasm build) against the plain
/// loops: `gemm` across depth blocks (k > 1024), partial tiles and accumulate, and the
/// convolution kernel on every filter-group width (F mod 4 = 1, 2, 3, 0), with ReLU.
#[wasm_bindgen_test]
fn simd_gemm_and_conv_kernels_match_the_reference_loops() {
    use dlviz::core::conv::{conv2d, conv2d_into, conv2d_reference, Conv2dParams};
    use dlviz::core::{Rng, Tensor};
    let mut rng = Rng::new(9);
    for &(m, k, n, acc) in &[(7, 1100, 13, false), (9, 2100, 10, true), (33, 64, 17, false)] {
        gemm_matches_reference(&mut rng, m, k, n, acc);
    }
    for f in [5, 6, 7, 8] {
        let x = Tensor::from_fn(vec![2, 3, 11, 13], |_| rng.uniform_in(-1.0, 1.0));
        let w = Tensor::from_fn(vec![f, 3, 3, 3], |_| rng.uniform_in(-1.0, 1.0));
        let bias: Vec<f32> = (0..f).map(|_| rng.uniform_in(-0.5, 0.5)).collect();
        let p = Conv2dParams { stride: 1, padding: 1, dilation: 1 };
        let fast = conv2d(&x, &w, Some(&bias), p).unwrap();
        let slow = conv2d_reference(&x, &w, Some(&bias), p).unwrap();
        assert_eq!(fast.shape(), slow.shape());
        for (a, b) in fast.data().iter().zip(slow.data()) {
            assert!((a - b).abs() <= 1e-4 + 1e-4 * b.abs(), "f = {f}: {a} vs {b}");
        }
        let mut fused = Vec::new();
        conv2d_into(&x, &w, Some(&bias), p, true, &mut fused).unwrap();
        for (a, b) in fused.iter().zip(slow.data()) {
            let b = b.max(0.0);
            assert!((a - b).abs() <= 1e-4 + 1e-4 * b, "f = {f}, ReLU: {a} vs {b}");
        }
    }
}
