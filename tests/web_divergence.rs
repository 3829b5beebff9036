#![cfg(target_arch = "wasm32")]
//! Browser tests of the KL & JS divergence lesson (src/lessons/divergence.rs): it mounts; the
//! numbers shown equal core::divergence's (Gaussians: closed form, Simpson integral, Monte
//! Carlo; mixtures; histograms); disjoint supports show ∞ with the explanation while JS stays
//! ln 2; an all-zero histogram is an error in place, never NaN; a bad URL falls back to the
//! defaults; histogram bars move with the keyboard; the forward and reverse fits run, converge
//! (mode-covering vs mode-seeking) and stop.
//!
//! Run (part of the `browser` binary): `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target
//! wasm32-unknown-unknown --test browser -- web_divergence::`

use dlviz::core::divergence::{bimodal, kl_gaussian, to_bits, Gaussian};
use dlviz::lessons::divergence::{compute_continuous, compute_hist, density, monte_carlo, show};
use wasm_bindgen_test::*;
#[path = "support/web.rs"]
mod web;
use web::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount_lesson(query: &str) -> Mounted {
    web::mount_lesson("divergence", query, "[data-testid=\"div-table\"]").await
}

/// Waits up to 30 s (the fits take a while on a loaded machine).
async fn until(what: &str, cond: impl Fn() -> bool) {
    web::until_secs(what, 30, cond).await
}

/// The trimmed text of a `data-testid` element.
fn text(id: &str) -> String {
    web::text(id).trim().to_string()
}

fn main_text() -> String {
    q("main").map(|m| m.text_content().unwrap_or_default()).unwrap_or_default()
}

fn steps() -> u64 {
    text("train-steps")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

#[wasm_bindgen_test]
async fn gaussians_closed_form_integral_and_monte_carlo_match_core() {
    let _app = mount_lesson("mode=gauss&pm=0.5&ps=1.2&qm=-1&qs=0.8&mc=1000&seed=4").await;
    let p = density(false, (0.5, 1.2), (0.0, 1.0), 1.0).unwrap();
    let qd = density(false, (-1.0, 0.8), (0.0, 1.0), 1.0).unwrap();
    let s = compute_continuous(&p, &qd).unwrap();
    assert_eq!(text("div-kl-pq-nats"), show(s.div.kl_pq));
    assert_eq!(text("div-kl-qp-nats"), show(s.div.kl_qp));
    assert_eq!(text("div-kl-pq-bits"), show(to_bits(s.div.kl_pq)));
    assert_eq!(text("div-js-nats"), show(s.div.js));
    assert_eq!(text("div-js-bits"), show(to_bits(s.div.js)));
    // The asymmetry is stated, and the two directions differ.
    assert_ne!(text("div-kl-pq-nats"), text("div-kl-qp-nats"));
    assert!(text("div-asym").contains("not symmetric"), "{}", text("div-asym"));
    // Closed form beside the integral: equal to 4 significant digits.
    let closed = kl_gaussian(Gaussian::new(0.5, 1.2).unwrap(), Gaussian::new(-1.0, 0.8).unwrap());
    assert_eq!(text("div-closed"), show(closed));
    assert_eq!(text("div-numeric"), show(closed));
    assert!((s.div.kl_pq - closed).abs() < 1e-9, "{} vs {closed}", s.div.kl_pq);
    // Monte Carlo: the seeded summary of the core.
    let mc = monte_carlo(&p, &qd, 1000, 4).unwrap();
    assert_eq!(text("div-mc"), format!("{} ± {}", show(mc.mean), show(mc.std)));
    assert_eq!(q("[data-testid=\"div-mc-strip\"]").unwrap().child_element_count(), 21);
    // The sample-count slider: fewer samples, a wider spread.
    set_input("div-mc-n", "0");
    sleep(50).await;
    let small = monte_carlo(&p, &qd, 10, 4).unwrap();
    assert_eq!(text("div-mc"), format!("{} ± {}", show(small.mean), show(small.std)));
    assert!(small.std > mc.std);
    // The VAE term for P's μ, σ.
    let vae = kl_gaussian(Gaussian::new(0.5, 1.2).unwrap(), Gaussian::new(0.0, 1.0).unwrap());
    assert!(text("div-vae").contains(&format!("= {} nats", show(vae))), "{}", text("div-vae"));
    // A slider edits P: μ moves, the numbers follow.
    set_input("div-pm", "50"); // index 50 of −5…5 by 0.1 → μ = 0
    sleep(50).await;
    let p0 = density(false, (0.0, 1.2), (0.0, 1.0), 1.0).unwrap();
    let s0 = compute_continuous(&p0, &qd).unwrap();
    assert_eq!(text("div-kl-pq-nats"), show(s0.div.kl_pq));
    assert!(!main_text().contains("NaN"));
}

#[wasm_bindgen_test]
async fn mixtures_match_core() {
    let query = "mode=mix&pm=-2&ps=0.6&pm2=1.5&ps2=1&pw=0.3&qm=0&qs=1.5&qm2=2&qs2=0.5&qw=0.8";
    let _app = mount_lesson(query).await;
    let p = density(true, (-2.0, 0.6), (1.5, 1.0), 0.3).unwrap();
    let qd = density(true, (0.0, 1.5), (2.0, 0.5), 0.8).unwrap();
    let s = compute_continuous(&p, &qd).unwrap();
    assert_eq!(text("div-kl-pq-nats"), show(s.div.kl_pq));
    assert_eq!(text("div-kl-qp-nats"), show(s.div.kl_qp));
    assert_eq!(text("div-js-nats"), show(s.div.js));
    assert_eq!(text("div-closed"), "none for mixtures");
    assert!(s.div.js < std::f64::consts::LN_2);
}

#[wasm_bindgen_test]
async fn disjoint_support_shows_infinity_and_finite_js() {
    let _app = mount_lesson("mode=hist&hp=2,5,3,0,0,0,0,0&hq=0,0,0,0,1,4,4,1").await;
    assert_eq!(text("div-kl-pq-nats"), "∞");
    assert_eq!(text("div-kl-qp-nats"), "∞");
    assert_eq!(text("div-kl-pq-bits"), "∞");
    assert_eq!(text("div-js-nats"), show(std::f64::consts::LN_2));
    assert_eq!(text("div-js-bits"), "1");
    let note = text("div-inf-note");
    assert!(note.contains("D_KL(P‖Q) = ∞") && note.contains("bin 1, 2, 3"), "{note}");
    assert!(note.contains("JS stays finite"), "{note}");
    assert!(!main_text().contains("NaN"));
    // Give Q a little mass in bin 1..3 with the keyboard: KL(P‖Q) becomes finite.
    for i in 0..3 {
        key(&format!("div-bar-q-{i}"), "ArrowUp");
        sleep(20).await;
    }
    let s = compute_hist(&[2., 5., 3., 0., 0., 0., 0., 0.], &[0.5, 0.5, 0.5, 0., 1., 4., 4., 1.])
        .unwrap();
    assert!(s.div.kl_pq.is_finite());
    assert_eq!(text("div-kl-pq-nats"), show(s.div.kl_pq));
    assert_eq!(text("div-kl-qp-nats"), "∞");
    assert_eq!(text("div-js-nats"), show(s.div.js));
    // The URL keeps the edit.
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert!(hash.contains("hq=0.5,0.5,0.5,0,1,4,4,1"), "{hash}");
}

#[wasm_bindgen_test]
async fn histograms_match_core_and_zero_mass_is_an_error() {
    let _app = mount_lesson("mode=hist&hp=1,3,5,3,1&hq=2,2,2,2,2,2,2,2").await;
    let s = compute_hist(&[1., 3., 5., 3., 1., 0., 0., 0.], &[2.; 8]).unwrap();
    assert_eq!(text("div-kl-pq-nats"), show(s.div.kl_pq));
    assert_eq!(text("div-kl-qp-nats"), "∞");
    assert_eq!(text("div-js-nats"), show(s.div.js));
    drop(_app);
    let _app = mount_lesson("mode=hist&hp=0,0,0,0,0,0,0,0").await;
    let e = text("div-error");
    assert!(e.contains("all entries are zero"), "{e}");
    assert_eq!(text("div-kl-pq-nats"), "—");
    assert!(!main_text().contains("NaN"));
}

#[wasm_bindgen_test]
async fn bad_url_falls_back_to_defaults() {
    let _app = mount_lesson("mode=zzz&pm=NaN&ps=-3&qs=1e309&hp=-1,x&mc=7&seed=-2").await;
    let p = density(false, (0.0, 1.0), (0.0, 1.0), 1.0).unwrap();
    let qd = density(false, (1.5, 0.7), (0.0, 1.0), 1.0).unwrap();
    let s = compute_continuous(&p, &qd).unwrap();
    assert_eq!(text("div-kl-pq-nats"), show(s.div.kl_pq));
    assert_eq!(text("div-js-nats"), show(s.div.js));
    let mc = monte_carlo(&p, &qd, 100, 1).unwrap();
    assert_eq!(text("div-mc"), format!("{} ± {}", show(mc.mean), show(mc.std)));
}

#[wasm_bindgen_test]
async fn fits_run_converge_and_stop() {
    let _app = mount_lesson("fsep=5&fs=0.6&fw=0.5&fm0=0.5").await;
    assert_eq!(steps(), 0);
    tid("train-play").click();
    until("both fits converge", || !text("div-fit-done").is_empty()).await;
    let n = steps();
    assert!(n > 5, "converged after {n} steps");
    sleep(300).await;
    assert_eq!(steps(), n, "the loop went on after convergence");
    // Mode-covering vs mode-seeking, read from the page.
    let st = text("div-fit-state");
    let nums: Vec<f64> = st
        .split_whitespace()
        .filter_map(|t| t.trim_end_matches([',', '.']).replace('−', "-").parse().ok())
        .collect();
    // Forward: m, s, loss; reverse: m, s, loss; then P's mean and standard deviation.
    assert_eq!(nums.len(), 8, "{st}");
    let target = bimodal(5.0, 0.6, 0.5).unwrap();
    let (fm, fs, rm, rs) = (nums[0], nums[1], nums[3], nums[4]);
    assert!(fm.abs() < 0.01, "{st}");
    assert!((fs - target.variance().sqrt()).abs() < 0.01, "{st}");
    assert!((rm - 2.5).abs() < 0.05 && (rs - 0.6).abs() < 0.05, "{st}");
    // A knob change starts fresh.
    set_input("div-fm0", "0"); // −6: the reverse fit will take the left mode
    sleep(50).await;
    assert_eq!(steps(), 0);
    assert!(text("div-fit-done").is_empty());
}
