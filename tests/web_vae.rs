#![cfg(target_arch = "wasm32")]
//! Browser tests of the VAE lesson (src/lessons/vae*): it mounts, loads the shipped digits,
//! trains a few steps (the loss, reconstruction and KL curves are drawn and the latent space is
//! refreshed at the new step), a click on the latent plane decodes a digit there (the read-out
//! shows the point, the decoded canvas has ink), redrawing ε moves z, the manifold grid is
//! decoded row by row, a drag from one digit's code to another's sets the interpolation's ends,
//! a 3-D latent uses the PCA plane with one slider per coordinate, the run says which backend it
//! trains on (the CPU in a browser without a hardware GPU; WebGPU when forced and available),
//! and a bad URL falls back to the defaults with a notice.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_vae::`

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
#[path = "support/web.rs"]
mod web;
use web::until_secs as until;
use web::*;
use web_sys::HtmlInputElement;

wasm_bindgen_test_configure!(run_in_browser);

fn text(id: &str) -> String {
    q(&format!("[data-testid=\"{id}\"]")).and_then(|e| e.text_content()).unwrap_or_default()
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

/// Mounts the app at `#/vae?<query>&lang=en` and waits for the digits and the trainer.
async fn mount_lesson(query: &str) -> Mounted {
    web::mount_lesson_within("vae", query, "[data-testid=\"train-play\"]", 90).await
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
    // The run is asynchronous: a Step pressed while one is in flight is ignored, so one at a time.
    for k in 1..=5 {
        tid("train-step").click();
        until("a step", 30, || steps() == k).await;
    }
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
    pointer("vae-latent", "pointerup", x, y);

    // Drag from digit 10's code to digit 20's: they become the interpolation's ends A and B.
    let value = |id: &str| tid(id).dyn_into::<HtmlInputElement>().unwrap().value();
    assert_eq!((value("vae-ia"), value("vae-ib")), ("1".to_string(), "2".to_string()));
    let strip = canvas_digest("vae-interp");
    let p10 = code_px(10).await;
    let p20 = code_px(20).await;
    pointer("vae-latent", "pointerdown", p10.0, p10.1);
    pointer("vae-latent", "pointermove", (p10.0 + p20.0) / 2.0, (p10.1 + p20.1) / 2.0);
    pointer("vae-latent", "pointermove", p20.0, p20.1);
    pointer("vae-latent", "pointerup", p20.0, p20.1);
    until("A = 10, B = 20", 10, || value("vae-ia") == "10" && value("vae-ib") == "20").await;
    until("a new strip", 10, || canvas_digest("vae-interp").2 != strip.2).await;
    assert!(web_sys::window().unwrap().location().hash().unwrap().contains("ia=10"));
    // A drag that ends away from every code changes nothing; so does a plain click on a code.
    let (fx, fy) = plane_px(3.0, 3.0);
    pointer("vae-latent", "pointerdown", p20.0, p20.1);
    pointer("vae-latent", "pointerup", fx, fy);
    pointer("vae-latent", "pointerdown", p10.0, p10.1);
    pointer("vae-latent", "pointerup", p10.0, p10.1);
    sleep(100).await;
    assert_eq!((value("vae-ia"), value("vae-ib")), ("10".to_string(), "20".to_string()));
    // The keyboard way stays: the number pickers.
    set_input("vae-ia", "3");
    until("A = 3", 10, || web_sys::window().unwrap().location().hash().unwrap().contains("ia=3"))
        .await;
}

/// Client pixel of plane point `(a, b)` on the latent scatter (the drawing's own mapping:
/// a square inset by 6 px, ±`data-range` on both axes).
fn plane_px(a: f64, b: f64) -> (f64, f64) {
    let c = tid("vae-latent");
    let rect = c.get_bounding_client_rect();
    let r: f64 = attr("vae-latent", "data-range").parse().unwrap();
    let (cw, ch) = (c.client_width() as f64, c.client_height() as f64);
    let side = cw.min(ch) - 12.0;
    let (l, t) = ((cw - side) / 2.0, (ch - side) / 2.0);
    (rect.left() + l + (a + r) / (2.0 * r) * side, rect.top() + t + (r - b) / (2.0 * r) * side)
}

/// Client pixel of validation digit `i`'s code μ (2-D latent), read from the
/// reparameterisation table after selecting the digit there.
async fn code_px(i: usize) -> (f64, f64) {
    set_input("vae-digit", &i.to_string());
    until("the digit's row", 10, || {
        web_sys::window().unwrap().location().hash().unwrap().contains(&format!("digit={i}"))
            && rows("vae-reparam-table").len() == 2
    })
    .await;
    sleep(150).await;
    for _ in 0..100 {
        if rows("vae-reparam-table").len() == 2 {
            break;
        }
        sleep(50).await;
    }
    let r = rows("vae-reparam-table");
    assert_eq!(
        r.len(),
        2,
        "digit {i}: no μ; status {:?}, steps {}, error {:?}, hash {:?}, backend {:?}",
        text("vae-latent-status"),
        steps(),
        text("train-error"),
        web_sys::window().unwrap().location().hash(),
        text("vae-backend")
    );
    let mu = |j: usize| r[j][1].parse::<f64>().unwrap();
    plane_px(mu(0), mu(1))
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
    // Step is ignored while the (asynchronous) model is being built.
    until("the model", 30, || !attr("vae-backend", "data-backend").is_empty()).await;
    tid("train-step").click();
    until("1 step", 30, || steps() == 1).await;
    assert!(
        text("vae-kl-summary").contains("of 2 dimensions")
            || text("vae-kl-summary").contains("No codes")
    );
}

#[wasm_bindgen_test]
async fn the_run_says_which_backend_it_trains_on() {
    // Automatic choice: a software adapter (or none) is never chosen for speed.
    let _app = mount_lesson("hid=64&bs=32&seed=4").await;
    until("the backend is chosen", 30, || !attr("vae-backend", "data-backend").is_empty()).await;
    let auto = attr("vae-backend", "data-backend");
    web_sys::console::log_1(&format!("vae backend (auto): {auto}: {}", text("vae-backend")).into());
    if option_env!("DLVIZ_REQUIRE_GPU") != Some("1") {
        assert_eq!(auto, "cpu", "{}", text("vae-backend"));
        assert!(text("vae-backend").contains("CPU"), "{}", text("vae-backend"));
    }
    drop(_app);
    // Forced CPU: says so.
    let _app = mount_lesson("hid=64&bs=32&seed=4&backend=cpu").await;
    until("the backend is chosen", 30, || !attr("vae-backend", "data-backend").is_empty()).await;
    assert_eq!(attr("vae-backend", "data-backend"), "cpu");
    assert!(text("vae-backend").contains("You chose the CPU"), "{}", text("vae-backend"));
    tid("train-step").click();
    until("1 step", 30, || steps() == 1).await;
    drop(_app);
    // Forced WebGPU: trains there when it opens (the figures follow the read-back weights),
    // else the CPU says why.
    let _app = mount_lesson("hid=64&bs=32&seed=4&backend=gpu").await;
    until("the backend is chosen", 60, || !attr("vae-backend", "data-backend").is_empty()).await;
    let forced = attr("vae-backend", "data-backend");
    web_sys::console::log_1(
        &format!("vae backend (gpu): {forced}: {}", text("vae-backend")).into(),
    );
    if forced == "webgpu" {
        assert!(text("vae-backend").contains("WebGPU"), "{}", text("vae-backend"));
        for k in 1..=3 {
            tid("train-step").click();
            until("a GPU step", 60, || steps() == k).await;
        }
        until("codes at step 3", 60, || text("vae-latent-status").contains("step 3")).await;
        assert!(text("vae-kl-summary").contains("of 2 dimensions"));
    } else {
        assert_eq!(forced, "cpu");
        assert!(
            option_env!("DLVIZ_REQUIRE_GPU") != Some("1"),
            "DLVIZ_REQUIRE_GPU=1 but the run is on the CPU: {}",
            text("vae-backend")
        );
        assert!(text("vae-backend").contains("CPU"), "{}", text("vae-backend"));
    }
}

/// The digit under the pointer: the nearest code within reach, none beyond it.
#[wasm_bindgen_test]
fn nearest_code_within_reach() {
    use dlviz::lessons::vae::model::LatentView;
    // Three codes in a 2-D latent (the plane is the latent plane itself).
    let mu = vec![0.0, 0.0, 1.0, 0.0, 1.05, 0.1];
    let v = LatentView::new(0, 2, mu, vec![0.0; 6], vec![3, 5, 7]);
    assert_eq!(v.points, vec![(0.0, 0.0), (1.0, 0.0), (1.05, 0.1)]);
    assert_eq!(v.nearest(0.1, 0.1, 0.5), Some(0));
    assert_eq!(v.nearest(1.0, 0.04, 0.5), Some(1));
    assert_eq!(v.nearest(1.04, 0.08, 0.5), Some(2));
    assert_eq!(v.nearest(2.0, 2.0, 0.5), None);
    // (0.3, 0.4) is 0.5 from the origin.
    assert_eq!(v.nearest(0.3, 0.4, 0.49), None);
    assert_eq!(v.nearest(0.3, 0.4, 0.51), Some(0));
}
