#![cfg(target_arch = "wasm32")]
//! Browser tests of the WebGPU backend (headless Chromium; WebGPU runs on SwiftShader there,
//! a software adapter: these tests prove correctness and selection, not speed).
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_gpu::`
//! (.cargo/webdriver.json, named by .cargo/config.toml, enables WebGPU on SwiftShader). Without WebGPU each
//! GPU test logs a SKIP line, unless the crate was built with `DLVIZ_REQUIRE_GPU=1`.

use dlviz::compute::{self, BackendKind, Compute, Preference, Reason, Workload};
use dlviz::core::{Conv2dParams, Rng, Tensor};
use dlviz::gpu::{Gpu, GpuError};
use dlviz::i18n::Lang;
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const ATOL: f32 = 1e-5;
const RTOL: f32 = 1e-4;

fn log(msg: &str) {
    web_sys::console::log_1(&msg.into());
}

async fn open(test: &str) -> Option<Gpu> {
    match compute::open_gpu().await {
        Ok(g) => Some(g),
        Err(e) => {
            assert!(
                option_env!("DLVIZ_REQUIRE_GPU") != Some("1"),
                "{test}: DLVIZ_REQUIRE_GPU=1 but WebGPU could not be opened: {e}"
            );
            log(&format!("SKIP {test}: WebGPU unavailable ({e})"));
            None
        }
    }
}

fn assert_close(gpu: &Tensor, cpu: &Tensor, what: &str) {
    assert_eq!(gpu.shape(), cpu.shape(), "{what}: shapes");
    for (k, (g, c)) in gpu.data().iter().zip(cpu.data()).enumerate() {
        assert!((g - c).abs() <= ATOL + RTOL * c.abs(), "{what}: element {k}: gpu {g} vs cpu {c}");
    }
}

#[wasm_bindgen_test]
async fn webgpu_matches_cpu_on_random_shapes() {
    let Some(gpu) = open("webgpu_matches_cpu_on_random_shapes").await else { return };
    log(&format!("adapter: {:?}", gpu.info()));
    let mut rng = Rng::new(42);
    let mut checked = 0;
    while checked < 24 {
        let (n, c, f) =
            (1 + rng.below(2) as usize, 1 + rng.below(3) as usize, 1 + rng.below(4) as usize);
        let (h, w) = (1 + rng.below(16) as usize, 1 + rng.below(16) as usize);
        let (kh, kw) = (1 + rng.below(4) as usize, 1 + rng.below(4) as usize);
        let p = Conv2dParams {
            stride: 1 + rng.below(3) as usize,
            padding: rng.below(3) as usize,
            dilation: 1 + rng.below(2) as usize,
        };
        let relu = rng.below(2) == 1;
        let x = Tensor::from_fn(vec![n, c, h, w], |_| rng.uniform_in(-1.0, 1.0));
        let k = Tensor::from_fn(vec![f, c, kh, kw], |_| rng.uniform_in(-1.0, 1.0));
        let b: Vec<f32> = (0..f).map(|_| rng.uniform_in(-0.5, 0.5)).collect();
        let Ok(cpu) = compute::cpu_conv2d(&x, &k, Some(&b), p, relu) else { continue };
        let y = gpu.conv2d(&x, &k, Some(&b), p, relu).await.unwrap();
        assert_close(&y, &cpu, &format!("x{:?} w{:?} {p:?} relu={relu}", x.shape(), k.shape()));
        checked += 1;
    }
    let x = Tensor::from_fn(vec![2, 3, 5, 7], |_| rng.uniform_in(-1.0, 1.0));
    let mut want = x.clone();
    dlviz::core::activation::relu_inplace(want.data_mut());
    assert_eq!(gpu.relu(&x).await.unwrap(), want);
}

#[wasm_bindgen_test]
async fn auto_never_selects_swiftshader() {
    let compute = Compute::new(Preference::Auto);
    compute.start().await;
    let s = compute.status();
    log(&format!("auto status: {s:?}"));
    let Some(adapter) = s.adapter.clone() else {
        assert!(option_env!("DLVIZ_REQUIRE_GPU") != Some("1"), "no WebGPU adapter: {s:?}");
        log("SKIP auto_never_selects_swiftshader: WebGPU unavailable");
        assert_eq!(s.active, BackendKind::Cpu);
        return;
    };
    let swiftshader = adapter.architecture.eq_ignore_ascii_case("swiftshader")
        || adapter.software_marker() == Some("swiftshader");
    if swiftshader || adapter.is_software() {
        assert_eq!(s.active, BackendKind::Cpu, "a software adapter is never auto-selected");
        assert_eq!(s.reason, Reason::SoftwareAdapter);
    } else {
        // A real GPU in this browser: the decision must follow the measurement.
        let t = s.timings.expect("hardware adapters are calibrated");
        let faster = t.gpu_ms < compute::SPEEDUP_MARGIN * t.cpu_ms;
        assert_eq!(s.active == BackendKind::WebGpu, faster, "{s:?}");
    }
    let w = Workload::standard();
    let (_, ran) =
        compute.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true).await.unwrap();
    assert_eq!(ran, s.active);
}

#[wasm_bindgen_test]
async fn forcing_webgpu_computes_on_the_gpu() {
    let compute = Compute::new(Preference::WebGpu);
    compute.start().await;
    if compute.gpu().is_none() {
        assert!(option_env!("DLVIZ_REQUIRE_GPU") != Some("1"), "{:?}", compute.status());
        log("SKIP forcing_webgpu_computes_on_the_gpu: WebGPU unavailable");
        return;
    }
    assert_eq!(compute.status().reason, Reason::ForcedGpu);
    let s = compute.status();
    let label =
        dlviz::ui::backend::backend_label(s.active, s.adapter.as_ref(), dlviz::i18n::Lang::En);
    assert!(label.starts_with("WebGPU: "), "{label}");
    let w = Workload::sized(2, 3, 12, 4, 3);
    let (y, ran) =
        compute.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true).await.unwrap();
    assert_eq!(ran, BackendKind::WebGpu);
    let cpu = compute::cpu_conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true).unwrap();
    assert_close(&y, &cpu, "forced WebGPU");
}

#[wasm_bindgen_test]
async fn failed_init_and_device_loss_fall_back_to_cpu() {
    let w = Workload::sized(1, 2, 10, 3, 3);
    let cpu = compute::cpu_conv2d(&w.input, &w.weight, Some(&w.bias), w.params, false).unwrap();

    // Initialisation failure (injected): the CPU computes, the reason says why.
    let compute = Compute::new(Preference::WebGpu);
    compute.set_gpu(Err(GpuError::NoWebGpu));
    let (y, ran) =
        compute.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, false).await.unwrap();
    assert_eq!((ran, &y), (BackendKind::Cpu, &cpu));
    assert!(matches!(compute.status().reason, Reason::Unavailable(_)));

    // Device loss (real): destroy the device, the next call falls back with a notice.
    let Some(gpu) = open("failed_init_and_device_loss_fall_back_to_cpu").await else { return };
    let compute = Compute::new(Preference::WebGpu);
    compute.set_gpu(Ok(gpu));
    let (_, ran) =
        compute.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, false).await.unwrap();
    assert_eq!(ran, BackendKind::WebGpu);
    compute.gpu().unwrap().ctx.destroy();
    let (y, ran) =
        compute.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, false).await.unwrap();
    assert_eq!(ran, BackendKind::Cpu);
    assert_eq!(y, cpu);
    let s = compute.status();
    log(&format!("after loss: {s:?}"));
    assert!(s.notice.is_some(), "{s:?}");
    assert!(matches!(s.reason, Reason::Unavailable(_)), "{s:?}");
}

/// Timings in the browser (SwiftShader here: correctness, not speed). Printed to the console.
#[wasm_bindgen_test]
async fn measure_round_trip_and_conv() {
    let Some(gpu) = open("measure_round_trip_and_conv").await else { return };
    let tiny = Workload::sized(1, 1, 4, 1, 3);
    let t = compute::measure(&gpu, &tiny, 9).await.unwrap();
    log(&format!(
        "BENCH round trip 1x1x4x4 conv3x3: cpu {:.3} ms, webgpu {:.3} ms",
        t.cpu_ms, t.gpu_ms
    ));
    let std = Workload::standard();
    let t = compute::measure(&gpu, &std, 5).await.unwrap();
    log(&format!(
        "BENCH conv (1,4,64,64)*(8,4,3,3): cpu {:.3} ms, webgpu {:.3} ms",
        t.cpu_ms, t.gpu_ms
    ));
    assert!(t.cpu_ms.is_finite() && t.gpu_ms.is_finite());
}

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn hash() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
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

/// Polls `cond` every 20 ms for up to 20 s (WebGPU start-up on SwiftShader is slow).
async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..1000 {
        if cond() {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for: {what}");
}

fn text(root: &HtmlElement, sel: &str) -> String {
    root.query_selector(sel).unwrap().and_then(|e| e.text_content()).unwrap_or_default()
}

fn radio(root: &HtmlElement, value: &str) -> HtmlInputElement {
    root.query_selector(&format!("input[type=radio][value={value}]"))
        .unwrap()
        .expect("radio present")
        .dyn_into()
        .unwrap()
}

/// The indicator: the URL's choice is applied, the radios switch backends and rewrite the
/// URL, auto never settles on SwiftShader, and the texts follow the language.
#[wasm_bindgen_test]
async fn indicator_follows_url_switch_and_language() {
    use dlviz::app::I18n;
    use dlviz::page::provide_compute;
    use dlviz::ui::backend::BackendIndicator;
    let hist = web_sys::window().unwrap().history().unwrap();
    hist.replace_state_with_url(&JsValue::NULL, "", Some("#/convolution?lang=en&backend=cpu"))
        .unwrap();
    let root: HtmlElement = doc().create_element("div").unwrap().dyn_into().unwrap();
    doc().body().unwrap().append_child(&root).unwrap();
    let lang = RwSignal::new(Lang::En);
    let handle = mount_to(root.clone(), move || {
        provide_context(I18n { lang });
        provide_compute();
        view! { <BackendIndicator/> }
    });
    sleep(20).await;
    assert_eq!(text(&root, "[data-testid=backend-label]").trim(), "CPU (wasm SIMD)");
    assert_eq!(text(&root, "[data-testid=backend-reason]"), "You chose the CPU.");
    assert!(radio(&root, "cpu").checked());
    assert!(!radio(&root, "auto").checked());
    assert!(radio(&root, "gpu").tab_index() >= 0, "the switch is reachable by keyboard");

    // Force WebGPU: it opens in the background, then the label names the adapter.
    radio(&root, "gpu").click();
    assert!(hash().contains("backend=gpu"), "URL records the choice: {}", hash());
    assert!(hash().contains("lang=en"), "other keys are kept: {}", hash());
    let webgpu = dlviz::gpu::browser::has_webgpu();
    if webgpu {
        until("WebGPU label", || text(&root, "[data-testid=backend-label]").contains("WebGPU: "))
            .await;
        assert_eq!(text(&root, "[data-testid=backend-reason]"), "You chose WebGPU.");
    } else {
        until("unavailable reason", || {
            text(&root, "[data-testid=backend-reason]").contains("unavailable")
        })
        .await;
    }

    // Auto: SwiftShader (software) is never chosen; the reason says so.
    radio(&root, "auto").click();
    assert!(!hash().contains("backend="), "auto is the default, not written: {}", hash());
    // The DOM updates asynchronously: wait for the reason to leave "You chose WebGPU.".
    until("auto applied", || {
        let r = text(&root, "[data-testid=backend-reason]");
        !r.is_empty() && r != "You chose WebGPU." && !r.starts_with("Starting")
    })
    .await;
    let reason = text(&root, "[data-testid=backend-reason]");
    if webgpu {
        assert_eq!(
            text(&root, "[data-testid=backend-label]").trim(),
            "CPU (wasm SIMD)",
            "{reason}"
        );
        assert!(reason.contains("software renderer"), "{reason}");
    }

    // Chinese.
    lang.set(Lang::Zh);
    until("Chinese label", || {
        text(&root, "[data-testid=backend-label]").trim() == "CPU（wasm SIMD）"
    })
    .await;
    assert!(text(&root, "legend").contains("计算后端"));
    drop(handle);
    root.remove();
}

/// The backend's wording (`ui::backend`): the measured times and the round trip when known,
/// in both languages; an error's own text is kept.
#[wasm_bindgen_test]
fn backend_reasons_are_worded_in_both_languages() {
    use dlviz::compute::{Reason, Timings};
    use dlviz::i18n::Lang;
    use dlviz::ui::backend::reason_text;
    let t = Timings { cpu_ms: 10.0, gpu_ms: 1.0 };
    for lang in [Lang::En, Lang::Zh] {
        let with = reason_text(&Reason::FasterThanCpu(t), None, Some(0.25), lang);
        assert!(with.contains("0.25") && with.contains("10"), "{with}");
        let gone = reason_text(&Reason::Unavailable("No WebGPU here".into()), None, None, lang);
        assert!(gone.contains("No WebGPU here"), "{gone}");
    }
    let without = reason_text(&Reason::FasterThanCpu(t), None, None, Lang::En);
    assert!(!without.contains("round trip"), "{without}");
}
