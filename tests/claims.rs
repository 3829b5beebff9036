#![cfg(not(target_arch = "wasm32"))]
//! Claim tests: each lesson's web-free model, run natively at the lesson's *default* knobs
//! (read from its URL schema, so a changed default is tested as shipped), must show what the
//! lesson's text claims, with a safe margin. Seeded and deterministic; no wall-clock time.
//!
//! One `mod` per lesson. A lesson whose text makes a claim that no test here checks is not done.

use dlviz::url_state::{self, Knobs};

/// A lesson's knobs as a learner's first screen has them: its URL schema parsed from an empty
/// query (so a changed default is tested as shipped), as the lesson's typed knobs.
fn first_screen<K: Knobs>() -> K {
    let (values, notices) = url_state::parse(K::PARAMS, "", &[]);
    assert!(notices.is_empty(), "defaults must parse: {notices:?}");
    K::from_values(&values)
}

/// "Logits, softmax and cross-entropy".
mod softmax {
    use dlviz::core::logits::{bce_with_logits, naive_bce, naive_sigmoid};
    use dlviz::lessons::softmax::{compute, logits_of, Knobs, LARGE_Z};

    fn first_screen() -> (Vec<f64>, f64, f64, usize) {
        let k: Knobs = super::first_screen();
        (logits_of(&k.z), k.scale, k.t, k.target as usize)
    }

    /// "Softmax turns them into probabilities … they add up to 1"; "the gradient … is
    /// p − onehot(t) … the entries sum to 0"; CE = lse − z_t, checked against f64.
    #[test]
    fn defaults_give_probabilities_a_zero_sum_gradient_and_the_f64_cross_entropy() {
        let (z, scale, t, target) = first_screen();
        let c = compute(&z, scale, t, target).unwrap();
        let sum: f32 = c.p.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6, "probabilities sum to {sum}");
        assert!(c.p.iter().all(|&p| p > 0.0 && p < 1.0));
        let g: f32 = c.grad.iter().sum();
        assert!(g.abs() < 1e-6, "gradient sums to {g}");
        let zt: Vec<f64> = z.iter().map(|v| v * scale / t).collect();
        let m = zt.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + zt.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        let ce = lse - zt[target];
        assert!((f64::from(c.ce) - ce).abs() <= 1e-6 + 1e-6 * ce.abs(), "{} vs {ce}", c.ce);
    }

    /// "T < 1 sharpens the distribution towards the largest logit; T > 1 flattens it towards
    /// uniform."
    #[test]
    fn temperature_sharpens_and_flattens() {
        let (z, scale, _, target) = first_screen();
        let top = |t: f64| {
            let p = compute(&z, scale, t, target).unwrap().p;
            p.iter().cloned().fold(0.0f32, f32::max)
        };
        let uniform = 1.0 / z.len() as f32;
        let (sharp, one, flat) = (top(0.25), top(1.0), top(8.0));
        assert!(sharp > one + 0.05 && one > flat + 0.05, "{sharp} {one} {flat}");
        assert!(flat - uniform < 0.5 * (one - uniform), "T = 8 is near uniform: {flat}");
        assert!(sharp > 0.9, "T = 0.25 is near argmax: {sharp}");
    }

    /// The "large logits" preset: the naive softmax overflows to NaN, the shifted one does not.
    #[test]
    fn large_logits_break_the_naive_softmax_only() {
        let c = compute(LARGE_Z, 1.0, 1.0, 0).unwrap();
        assert!(c.exp_naive.iter().all(|e| e.is_infinite()), "every e^z overflows past 88.7");
        assert!(c.p_naive.iter().all(|p| p.is_nan()));
        assert!(c.p.iter().all(|p| p.is_finite()));
        assert!((c.p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(c.exp_stable.iter().cloned().fold(0.0f32, f32::max) == 1.0);
    }

    /// "In f32, σ(x) rounds to exactly 1 once x > 16.6; then … the loss is ∞ … BCE with logits
    /// is finite everywhere."
    #[test]
    fn sigmoid_rounds_to_one_past_16_6_and_bce_with_logits_does_not_care() {
        assert!(naive_sigmoid(16.0) < 1.0);
        assert_eq!(naive_sigmoid(17.0), 1.0);
        assert!(naive_bce(17.0, 0.0).is_infinite());
        let stable = bce_with_logits(17.0, 0.0);
        assert!((stable - 17.0).abs() < 1e-6, "the true loss is about x: {stable}");
        assert!(naive_bce(17.0, 1.0).is_nan() || naive_bce(17.0, 1.0) == 0.0);
    }
}

/// "KL and JS divergences".
mod divergence {
    use super::first_screen;
    use dlviz::core::train::Trainable;
    use dlviz::lessons::divergence::{bins_of, compute_hist, fit_trainable, Knobs, FIT_M, FIT_S};
    use std::f64::consts::LN_2;

    /// "Swapping P and Q changes it"; JS "is symmetric, always finite and at most ln 2".
    #[test]
    fn default_histograms_show_kl_asymmetric_and_js_bounded() {
        let k: Knobs = first_screen();
        let (hp, hq) = (bins_of(&k.hp), bins_of(&k.hq));
        let a = compute_hist(&hp, &hq).unwrap().div;
        let b = compute_hist(&hq, &hp).unwrap().div;
        assert!(a.kl_pq >= 0.0 && a.kl_qp >= 0.0);
        // P puts no mass where Q has some (bins 7 and 8): D_KL(Q‖P) is infinite, D_KL(P‖Q) not.
        assert!(a.kl_pq.is_finite() && a.kl_qp.is_infinite(), "{a:?}");
        assert!((a.js - b.js).abs() < 1e-12, "JS is symmetric");
        assert!(a.js > 0.0 && a.js <= LN_2, "JS = {} in (0, ln 2]", a.js);
    }

    /// "Forward KL … q stretches to cover both modes … reverse KL … settles on one mode."
    #[test]
    fn forward_fit_covers_both_modes_reverse_fit_seeks_one() {
        let k: Knobs = first_screen();
        let (sep, s, w, m0) = (k.fsep, k.fs, k.fw, k.fm0);
        let mut fits = fit_trainable(sep, s, w, m0).unwrap();
        let mut last = Vec::new();
        for _ in 0..600 {
            last = fits.step().unwrap();
        }
        let metric = |r: usize, k: &str| {
            last[r].metrics.iter().find(|(n, _)| *n == k).map(|(_, v)| *v).unwrap()
        };
        let (fwd_m, fwd_s) = (metric(0, FIT_M), metric(0, FIT_S));
        let (rev_m, rev_s) = (metric(1, FIT_M), metric(1, FIT_S));
        // P = w·N(−sep/2, s²) + (1−w)·N(sep/2, s²): mean and standard deviation in closed form.
        let mean = w * (-sep / 2.0) + (1.0 - w) * (sep / 2.0);
        let var = s * s + w * (1.0 - w) * sep * sep;
        assert!((fwd_m - mean).abs() < 0.05, "forward matches P's mean: {fwd_m} vs {mean}");
        assert!((fwd_s - var.sqrt()).abs() < 0.05, "and its spread: {fwd_s} vs {}", var.sqrt());
        assert!(rev_s < 1.5 * s, "reverse hugs one mode: s = {rev_s}");
        assert!((rev_m.abs() - sep / 2.0).abs() < 0.3, "at a mode: m = {rev_m}");
        assert!(fwd_s > 2.0 * rev_s, "covering is wider than seeking: {fwd_s} vs {rev_s}");
    }
}

/// "Convolution: kernels and feature maps".
mod convolution {
    use super::first_screen;
    use dlviz::core::conv::{output_size, Conv2dParams};
    use dlviz::core::receptive::{receptive_field, Layer};
    use dlviz::lessons::convolution::Knobs;

    /// "Together they fix the size of the feature map": ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 at the
    /// defaults, and a larger stride shrinks it.
    #[test]
    fn the_output_size_follows_the_formula_at_the_defaults() {
        let knobs: Knobs = first_screen();
        let k = knobs.k as usize;
        let (s, dil) = (knobs.stride as usize, knobs.dil as usize);
        let h = 28usize;
        let conv = |stride, padding| Conv2dParams { stride, padding, dilation: dil };
        for p in [0usize, 1, 2] {
            let want = (h + 2 * p - dil * (k - 1) - 1) / s + 1;
            assert_eq!(output_size(h, k, conv(s, p)).unwrap(), want);
        }
        let wider = output_size(h, k, conv(2 * s, 0)).unwrap();
        assert!(wider < output_size(h, k, conv(s, 0)).unwrap());
    }

    /// "Strides multiply the jump between neighbouring outputs, so later layers grow their
    /// field faster."
    #[test]
    fn strides_make_the_receptive_field_grow_faster() {
        let layer = |stride| Layer { kernel: 3, stride, padding: 0, dilation: 1 };
        let field = |stride| receptive_field(64, 64, &[layer(stride); 3], 0, 0).unwrap().rf;
        assert_eq!(field(1), 7, "1 + 3·(3 − 1)");
        assert_eq!(field(2), 15, "1 + 2·(1 + 2 + 4)");
    }
}

/// The shipped digits (`assets/mnist/digits.bin.gz`), as the lessons load them.
fn digits() -> dlviz::core::mnist::Mnist {
    use std::io::Read;
    let gz = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/mnist/digits.bin.gz"))
        .expect("assets/mnist/digits.bin.gz");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut bytes).expect("gzip");
    dlviz::core::mnist::parse(&bytes).expect("a valid digit file")
}

/// Leave-one-out k-nearest-neighbour accuracy of `codes: (n, d)` against `labels`.
fn knn_accuracy(codes: &[f32], d: usize, labels: &[u8], k: usize) -> f64 {
    let n = labels.len();
    let mut right = 0;
    for i in 0..n {
        let a = &codes[i * d..(i + 1) * d];
        let mut dist: Vec<(f32, u8)> = (0..n)
            .filter(|&j| j != i)
            .map(|j| {
                let b = &codes[j * d..(j + 1) * d];
                (a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum(), labels[j])
            })
            .collect();
        dist.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut votes = [0usize; 256];
        for (_, l) in dist.iter().take(k) {
            votes[*l as usize] += 1;
        }
        let best = (0..256).max_by_key(|&c| votes[c]).unwrap_or(0);
        if best == labels[i] as usize {
            right += 1;
        }
    }
    right as f64 / n as f64
}

/// "Variational autoencoder (VAE)".
mod vae {
    use super::{digits, first_screen, knn_accuracy};
    use dlviz::core::vae::Vae;
    use dlviz::lessons::vae::model::{Experiment, Settings};
    use dlviz::lessons::vae::Knobs;
    use std::rc::Rc;

    /// Steps of the claim: about 15 s of Play in the page (~80 steps/s on the CPU).
    const STEPS: usize = 1200;

    /// The latent plane: "digits of the same kind end up near each other" — a 5-nearest-
    /// neighbour vote on the validation digits' μ (labels the model never saw) is right far
    /// more often than chance (10 %), and the KL term keeps the codes near the prior.
    #[test]
    fn the_codes_of_a_trained_vae_separate_the_digits() {
        let k: Knobs = first_screen();
        let s = Settings::of(&k);
        let beta = k.beta as f32;
        let mut exp = Experiment::new(Rc::new(digits()), s).unwrap();
        let mut vae = Vae::new(s.spec(), &exp.init).unwrap();
        let before = exp.val_loss(&mut vae, beta).unwrap();
        for _ in 0..STEPS {
            let (x, eps) = exp.next_batch().unwrap();
            let x = x.to_vec();
            vae.step(&x, &eps, beta).unwrap();
        }
        let after = exp.val_loss(&mut vae, beta).unwrap();
        assert!(after < 0.6 * before, "the ELBO improves: {before} → {after}");
        let (mu, _) = vae.encode(&exp.val.x).unwrap();
        let acc = knn_accuracy(&mu, s.latent, &exp.val.labels, 5);
        assert!(acc > 0.5, "5-NN on μ: {acc:.3} (chance 0.1)");
        let spread = mu.iter().map(|m| m * m).sum::<f32>() / mu.len() as f32;
        assert!(spread < 4.0, "codes stay near N(0, I): mean μ² = {spread}");
    }
}

/// "Autoencoders".
mod autoencoder {
    use super::{digits, first_screen};
    use dlviz::compute::BackendKind;
    use dlviz::core::mnist::PIXELS;
    use dlviz::core::pca::{fit, mse};
    use dlviz::lessons::autoencoder::model::{val_input, Experiment, Settings, Split, PCA_K};
    use dlviz::lessons::autoencoder::Knobs;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Steps of the claim: about 20 s of Play in the page.
    const STEPS: usize = 2000;

    /// Validation MSE per pixel of the autoencoder after [`STEPS`] and of PCA with k = z.
    fn ae_and_pca(s: &Settings) -> (f64, f64) {
        let split = Rc::new(Split::new(&digits()).unwrap());
        let input = Rc::new(val_input(&split, s.noise, s.seed));
        let board = Rc::new(RefCell::new(None));
        let start =
            Experiment::start(s, split.clone(), input.clone(), BackendKind::Cpu, None, board);
        let (mut e, _) = pollster::block_on(start).unwrap();
        for _ in 0..STEPS {
            pollster::block_on(e.step()).unwrap();
        }
        let ae = pollster::block_on(e.evaluate()).unwrap().mse;
        let x = split.train.x.data();
        let pca = fit(x, split.train.len(), PIXELS, PCA_K.max(s.z), 7).unwrap();
        let clean = split.val.x.data();
        let r = pca.roundtrip(&input, split.val.len(), s.z).unwrap();
        (ae, mse(&r, clean))
    }

    /// "With enough training it rebuilds them with a smaller error at the same size": at the
    /// lesson's defaults (z = 16), after about 20 s of Play, by more than 5 %.
    ///
    /// The text adds "most clearly for small z"; that is not what the lesson shows: at z = 2
    /// with its ReLU code layer the network collapses to the mean digit (MSE 0.0675 against
    /// PCA's 0.0565, the same after 6,000 steps, at h = 64 or 256, lr 0.003 or 0.01), because
    /// both code units die. Left for the teaching pass (a linear code layer, or the claim).
    #[test]
    fn the_autoencoder_beats_pca_at_the_same_code_size() {
        let k: Knobs = first_screen();
        let s = Settings::of(&k);
        let (ae, pca) = ae_and_pca(&s);
        eprintln!("z = {}: autoencoder {ae:.5}, PCA {pca:.5} (validation MSE per pixel)", s.z);
        assert!(ae < 0.95 * pca, "z = {}: autoencoder {ae} vs PCA {pca}", s.z);
    }
}
