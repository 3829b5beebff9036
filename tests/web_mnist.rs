#![cfg(target_arch = "wasm32")]
//! Browser tests of the MNIST lazy loader (src/ui/mnist.rs): the shipped digits download with
//! progress, inflate, validate (10,000 digits) and are cached for the page (a second loader
//! gets the very same `Rc`); a missing URL shows the HTTP error and a Retry button that starts
//! again; a file that is not a digits file shows the validation error.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_mnist::`

use dlviz::ui::mnist::{cached, MnistLoader, MnistStatus, MnistStatusView, MNIST_URL};
use leptos::mount::mount_to;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

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
    for _ in 0..3000 {
        if cond() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for: {what}");
}

/// A mounted loader view in its own root, plus the loader handle.
struct Mounted {
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
    root: HtmlElement,
    loader: MnistLoader,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

impl Mounted {
    fn find(&self, id: &str) -> Option<Element> {
        self.root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap()
    }

    fn state(&self) -> String {
        self.find("mnist-status").and_then(|e| e.get_attribute("data-state")).unwrap_or_default()
    }

    fn text(&self, id: &str) -> String {
        self.find(id).and_then(|e| e.text_content()).unwrap_or_default()
    }
}

fn mount(url: &'static str) -> Mounted {
    let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
    doc().body().unwrap().append_child(&root).unwrap();
    let slot: Rc<RefCell<Option<MnistLoader>>> = Rc::new(RefCell::new(None));
    let s = slot.clone();
    let handle = mount_to(root.clone(), move || {
        let loader = MnistLoader::with_url(url);
        *s.borrow_mut() = Some(loader);
        view! { <MnistStatusView loader=loader/> }.into_any()
    });
    let loader = slot.borrow().expect("loader created on mount");
    Mounted { _handle: handle, root, loader }
}

#[wasm_bindgen_test]
async fn loads_ten_thousand_digits_once_per_page() {
    let a = mount(MNIST_URL);
    // The status is shown at once (loading, or ready if another test loaded it first).
    let s = a.state();
    assert!(["loading", "unpacking", "ready"].contains(&s.as_str()), "state {s}");
    until("digits ready", || a.state() == "ready").await;
    let m = a.loader.data_untracked().expect("ready loader has data");
    assert_eq!(m.len(), 10_000);
    assert!(m.label(9_999).is_some_and(|l| l < 10));
    let t = a.root.text_content().unwrap_or_default();
    assert!(t.contains("10,000 MNIST digits loaded"), "{t}");
    // A second loader on the same page reuses the parsed digits (no second download).
    let b = mount(MNIST_URL);
    assert_eq!(b.state(), "ready");
    let m2 = b.loader.data_untracked().unwrap();
    assert!(Rc::ptr_eq(&m, &m2));
    assert!(Rc::ptr_eq(&m, &cached(MNIST_URL).unwrap()));
}

#[wasm_bindgen_test]
async fn missing_file_shows_http_error_and_retry() {
    let a = mount("assets/mnist/no-such-file.bin.gz");
    until("failure shown", || a.state() == "failed").await;
    let e = a.text("mnist-error");
    assert!(e.contains("HTTP 404"), "{e}");
    assert!(a.loader.data_untracked().is_none());
    let retry: HtmlElement = a.find("mnist-retry").expect("retry button").dyn_into().unwrap();
    assert_eq!(retry.text_content().unwrap(), "Retry");
    retry.click();
    // Retry starts a new download at once (the status leaves "failed"), which fails again.
    assert!(matches!(a.loader.status_untracked(), MnistStatus::Loading { .. }));
    let old = a.find("mnist-error").unwrap();
    // The error is rendered anew (a new node) once the second attempt has failed.
    until("failure shown again", || {
        a.state() == "failed" && a.find("mnist-error").is_some_and(|e| !e.is_same_node(Some(&old)))
    })
    .await;
    assert!(a.text("mnist-error").contains("HTTP 404"));
}

#[wasm_bindgen_test]
async fn a_file_that_is_not_digits_is_reported_corrupt() {
    // A PNG: not gzip, so it is parsed as is and fails the magic-bytes check.
    let a = mount("assets/samples/camera.png");
    until("failure shown", || a.state() == "failed").await;
    let e = a.text("mnist-error");
    assert!(e.contains("not a valid digits file") && e.contains("bad magic"), "{e}");
    assert!(a.find("mnist-retry").is_some());
}

#[wasm_bindgen_test]
async fn a_truncated_gzip_is_reported() {
    // The first 2,000 bytes of the real file (served from the crate root by the test server).
    let a = mount("tests/fixtures/mnist-truncated.bin.gz");
    until("failure shown", || a.state() == "failed").await;
    let e = a.text("mnist-error");
    assert!(e.contains("could not be unpacked"), "{e}");
}
