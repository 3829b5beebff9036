#![cfg(target_arch = "wasm32")]
//! Browser tests of the "Logits, softmax, cross-entropy" lesson (src/lessons/softmax*):
//! probabilities and cross-entropy against hand-computed f64 values; the naive softmax
//! overflowing to NaN at large logits while the stable one stays right; editing logits by
//! keyboard, typing and dragging (and the URL following); adding/removing classes; the target
//! select; the temperature; the BCE curve breaking where sigmoid-then-BCE does; a too-short
//! logit list padded with a note.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_softmax::`

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
#[path = "support/web.rs"]
mod web;
use web::*;
use web_sys::HtmlCanvasElement;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_lesson(query: &str) -> Mounted {
    web::mount_lesson("softmax", query, "[data-testid=\"sm-p-0\"]").await
}

fn num(id: &str) -> f64 {
    let t = text(id);
    t.trim().parse().unwrap_or_else(|_| panic!("{id}: not a number: {t:?}"))
}

fn hash() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
}

/// Softmax in f64, the reference.
fn softmax64(z: &[f64]) -> Vec<f64> {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}

fn count(prefix: &str) -> usize {
    (0..20).take_while(|i| q(&format!("[data-testid=\"{prefix}-{i}\"]")).is_some()).count()
}

#[wasm_bindgen_test]
async fn default_probabilities_and_cross_entropy() {
    let _app = mount_lesson("").await;
    let z = [2.0, 1.0, 0.1, -1.0];
    let p = softmax64(&z);
    assert_eq!(count("sm-p"), 4);
    for (i, pi) in p.iter().enumerate() {
        let got = num(&format!("sm-p-{i}"));
        assert!((got - pi).abs() < 5e-4, "p{i}: {got} vs {pi}");
        // Gradient p − onehot(0).
        let g = num(&format!("sm-g-{i}"));
        let want = pi - if i == 0 { 1.0 } else { 0.0 };
        assert!((g - want).abs() < 5e-4, "g{i}: {g} vs {want}");
    }
    // CE = −log p_0.
    let ce = -p[0].ln();
    let t = text("sm-ce");
    assert!(t.contains(&format!("{:.4}", ce)[..5]), "{t} (want {ce})");
    assert!(text("sm-overflow").contains("agree"), "{}", text("sm-overflow"));
    // Changing the target to class 3 changes the CE to −log p_2.
    set_select("sm-target", "2");
    sleep(30).await;
    assert!(hash().contains("target=2"), "{}", hash());
    let ce2 = -p[2].ln();
    let t = text("sm-ce");
    assert!(t.contains(&format!("{:.3}", ce2)[..4]), "{t} (want {ce2})");
    let g2 = num("sm-g-2");
    assert!((g2 - (p[2] - 1.0)).abs() < 5e-4, "{g2}");
}

#[wasm_bindgen_test]
async fn large_logits_break_the_naive_softmax_only() {
    let _app = mount_lesson("scale=100").await;
    // 2·100 = 200 > 88.7: e^200 = ∞ in f32, ∞/∞ = NaN.
    until("overflow explained", || text("sm-overflow").contains("NaN")).await;
    assert_eq!(text("sm-pn-0"), "NaN");
    let p0 = num("sm-p-0");
    assert!(p0 > 0.999 && p0 <= 1.0, "{p0}");
    let table = text("sm-table");
    assert!(table.contains('∞'), "{table}");
    // The preset does the same with ×1.
    set_select("sm-scale", "1");
    sleep(30).await;
    assert!(text("sm-overflow").contains("agree"));
    tid("sm-large").click();
    sleep(30).await;
    assert!(hash().contains("z=120,118,115,110"), "{}", hash());
    assert!(text("sm-overflow").contains("NaN"));
    let p = softmax64(&[120.0, 118.0, 115.0, 110.0]);
    assert!((num("sm-p-0") - p[0]).abs() < 5e-4);
}

#[wasm_bindgen_test]
async fn edit_by_keys_typing_drag_and_classes() {
    let _app = mount_lesson("").await;
    // Keyboard: ↑ three times on class 2: 1 → 1.3.
    tid("logit-bar-1").focus().unwrap();
    for _ in 0..3 {
        key("logit-bar-1", "ArrowUp");
        sleep(10).await;
    }
    until("z follows keys", || hash().contains("z=2,1.3,0.1,-1")).await;
    sleep(30).await;
    // The bar is updated in place: it still has the focus.
    let active = doc().active_element().and_then(|e| e.get_attribute("data-testid"));
    assert_eq!(active.as_deref(), Some("logit-bar-1"));
    // Typing.
    set_input("logit-input-2", "5");
    until("z follows typing", || hash().contains("z=2,1.3,5,-1")).await;
    sleep(30).await;
    let p = softmax64(&[2.0, 1.3, 5.0, -1.0]);
    assert!((num("sm-p-2") - p[2]).abs() < 5e-4);
    // Invalid text is flagged, not applied.
    set_input("logit-input-0", "abc");
    sleep(20).await;
    assert_eq!(tid("logit-input-0").get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(hash().contains("z=2,1.3,5,-1"));
    // Drag: a pointer press at the top of bar 4 sets it to the top of the range (5).
    let bar = tid("logit-bar-3");
    // The test page has no stylesheet: give the bar the height www/train.css gives it.
    bar.style().set_property("height", "160px").unwrap();
    bar.style().set_property("display", "block").unwrap();
    let r = bar.get_bounding_client_rect();
    assert!(r.height() > 100.0, "{}", r.height());
    let down = event(
        "PointerEvent",
        "pointerdown",
        &[("clientX", (r.left() + 5.0).into()), ("clientY", (r.top() + 0.5).into())],
    );
    bar.dispatch_event(&down).unwrap();
    bar.dispatch_event(&event("PointerEvent", "pointerup", &[])).unwrap();
    sleep(30).await;
    let h = hash();
    let z3: f64 = h
        .split("z=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .split(',')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    assert!(z3 > 4.8, "dragged to the top: {z3} ({h})");
    // Classes.
    tid("sm-add").click();
    sleep(20).await;
    assert_eq!(count("sm-p"), 5);
    tid("sm-remove").click();
    tid("sm-remove").click();
    tid("sm-remove").click();
    sleep(20).await;
    assert_eq!(count("sm-p"), 2);
    assert!(tid("sm-remove").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn temperature_flattens() {
    let _app = mount_lesson("t=10").await;
    let z: Vec<f64> = [2.0, 1.0, 0.1, -1.0].iter().map(|v| v / 10.0).collect();
    let p = softmax64(&z);
    assert!((num("sm-p-0") - p[0]).abs() < 5e-4, "{} vs {}", num("sm-p-0"), p[0]);
    assert!(num("sm-p-0") < 0.35);
    // The slider: position −20 is T = 0.1, very sharp.
    set_input("sm-temp", "-20");
    sleep(30).await;
    assert!(hash().contains("t=0.1"), "{}", hash());
    assert!(num("sm-p-0") > 0.9999);
}

#[wasm_bindgen_test]
async fn bce_naive_breaks_where_sigma_rounds_to_one() {
    let _app = mount_lesson("y=0").await;
    let t = text("sm-bce-break");
    // σ(x) = 1 in f32 from x ≈ 16.6: the first sampled x (step 0.25) is 16.75.
    assert!(t.contains("16.75"), "{t}");
    let table = text("sm-bce-table");
    assert!(table.contains('∞'), "{table}");
    let c: HtmlCanvasElement = tid("sm-bce-chart").dyn_into().unwrap();
    assert!(c.width() > 10);
    set_select("sm-y", "1");
    sleep(30).await;
    assert!(text("sm-bce-table").contains("NaN"), "{}", text("sm-bce-table"));
    // The sigmoid read-out at x = 40: the stable BCE for y = 1 is tiny but finite.
    set_input("sm-x", "40");
    sleep(30).await;
    let s = text("sm-sigmoid");
    assert!(s.contains("σ(x) = 1"), "{s}");
    assert!(s.contains("4.248e-18"), "{s}");
}

#[wasm_bindgen_test]
async fn short_logit_list_is_padded_with_a_note() {
    let _app = mount_lesson("z=3").await;
    assert_eq!(count("sm-p"), 2);
    assert!(text("sm-padded").contains("fewer than 2"));
    let p = softmax64(&[3.0, 0.0]);
    assert!((num("sm-p-0") - p[0]).abs() < 5e-4);
}

/// The softmax hot path's vectorised exp (wasm SIMD128, `core::fastexp`) gives the same bits
/// as its scalar twin and stays within 2·10⁻⁷ of `f64::exp` — checked here because the SIMD
/// path only exists in the wasm build.
#[wasm_bindgen_test]
fn simd_exp_matches_scalar_and_f64() {
    use dlviz::core::fastexp;
    let z: Vec<f32> = (0..4099).map(|i| -100.0 + i as f32 * 0.0457).collect();
    let mut out = vec![0.0; z.len()];
    let s = fastexp::exp_shift_sum(&z, 87.5, 1.0, &mut out);
    let mut want_sum = 0.0f64;
    for (&v, &o) in z.iter().zip(&out) {
        assert_eq!(
            o.to_bits(),
            fastexp::exp_nonpositive(v - 87.5).to_bits(),
            "lane differs at {v}"
        );
        let exact = ((v - 87.5) as f64).exp();
        if v - 87.5 >= -87.3 {
            assert!(((o as f64 - exact) / exact).abs() < 2e-7, "exp({}) = {o}", v - 87.5);
        } else {
            assert_eq!(o, 0.0);
        }
        want_sum += exact;
    }
    // The sum is accumulated in sixteen f32 lanes (four vectors) of ~256 positive terms each:
    // its rounding error is at most ~256·2⁻²⁴ ≈ 1.5·10⁻⁵ relative to the exact sum of the values.
    let lanes_sum: f64 = out.iter().map(|&o| o as f64).sum();
    assert!(((s as f64 - lanes_sum) / lanes_sum).abs() < 1e-4, "sum {s} vs {lanes_sum}");
    assert!(((lanes_sum - want_sum) / want_sum).abs() < 2e-7);
    // Outside the kernel's range, lane by lane as in the scalar twin: exponents above 0 count
    // as 0, −∞ (and anything below −87.3) gives 0, NaN stays NaN.
    let mut o = [0.0f32; 5];
    fastexp::exp_shift_sum(&[1.0, 2.5, f32::NAN, f32::NEG_INFINITY, 0.5], 0.0, 1.0, &mut o);
    assert_eq!([o[0], o[1], o[3], o[4]], [1.0, 1.0, 0.0, 1.0]);
    assert!(o[2].is_nan());
    // The vector scale, with a tail after the last full vector.
    let mut v: Vec<f32> = (0..11).map(|i| i as f32).collect();
    fastexp::scale_inplace(&mut v, 0.5);
    assert_eq!(v, (0..11).map(|i| i as f32 * 0.5).collect::<Vec<_>>());
    // The vector max equals the scalar one on every length around the 8-wide step, wherever
    // the largest value sits, and skips NaNs.
    for n in 0..20usize {
        for at in 0..n {
            let mut v: Vec<f32> = (0..n).map(|i| -(i as f32) * 0.5).collect();
            v[at] = 3.25;
            assert_eq!(fastexp::max(&v), 3.25, "n {n}, max at {at}");
            if n > 1 {
                v[(at + 1) % n] = f32::NAN;
                assert_eq!(fastexp::max(&v), 3.25, "n {n}, a NaN beside the max at {at}");
            }
        }
    }
    assert_eq!(fastexp::max(&[]), f32::NEG_INFINITY);
}
