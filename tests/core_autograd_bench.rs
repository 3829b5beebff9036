#![cfg(feature = "bench")]
//! Training-step throughput of the autograd engine (issue 3 §4). Not a timed test: it asserts
//! that training makes progress and prints medians and 10th percentiles of ms per step.
//!
//! * MLP 784-256-10 (Linear, ReLU, Linear), batch 128, cross-entropy, Adam (written inline
//!   here; `core::optim` has the project's optimizers): the target is ≤ 22.4 ms/step in the
//!   browser, tfjs-wasm's figure.
//! * A small conv net on 1×28×28 inputs, batch 32: Conv(1→8, 3×3, pad 1) → BN2d → ReLU →
//!   Conv(8→16, 3×3, stride 2, pad 1) → ReLU → flatten → Linear(3136→10).
//!
//! Native: `cargo test --release --features bench --test core_autograd_bench -- --nocapture`.
//! Browser: `CHROMEDRIVER=/usr/bin/chromedriver wasm-pack test --release --headless --chrome
//! --features bench -- --test core_autograd_bench`.

use dlviz::core::autograd::{ParamStore, Tape};
use dlviz::core::conv::Conv2dParams;
use dlviz::core::nn::{Activation, BatchNorm, Conv2d, Init, Layer, Linear, Sequential};
use dlviz::core::Rng;

/// Adam (Kingma & Ba) over the store's flat parameter lists, bias-corrected.
struct Adam {
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
    t: i32,
}

impl Adam {
    fn new(store: &ParamStore) -> Self {
        let sizes: Vec<usize> =
            store.trainable_ids().map(|id| store.value(id).map_or(0, |t| t.len())).collect();
        Self {
            m: sizes.iter().map(|&n| vec![0.0; n]).collect(),
            v: sizes.iter().map(|&n| vec![0.0; n]).collect(),
            t: 0,
        }
    }

    fn step(&mut self, store: &mut ParamStore, lr: f32) {
        let (b1, b2, eps) = (0.9f32, 0.999f32, 1e-8f32);
        self.t += 1;
        let (c1, c2) = (1.0 - b1.powi(self.t), 1.0 - b2.powi(self.t));
        let (mut ps, gs) = store.params_and_grads();
        for (((p, g), m), v) in ps.iter_mut().zip(&gs).zip(&mut self.m).zip(&mut self.v) {
            for (((w, d), m), v) in p.iter_mut().zip(g.iter()).zip(m.iter_mut()).zip(v.iter_mut()) {
                *m = b1 * *m + (1.0 - b1) * d;
                *v = b2 * *v + (1.0 - b2) * d * d;
                *w -= lr * (*m / c1) / ((*v / c2).sqrt() + eps);
            }
        }
    }
}

/// A network, its parameters, a tape, a fixed batch and Adam: one `step()` = one training step.
struct Bench {
    net: Sequential,
    store: ParamStore,
    tape: Tape,
    adam: Adam,
    x: Vec<f32>,
    shape: Vec<usize>,
    y: Vec<usize>,
}

impl Bench {
    fn new(net: Sequential, store: ParamStore, shape: Vec<usize>, classes: usize) -> Self {
        let mut r = Rng::new(42);
        let n: usize = shape.iter().product();
        let x = (0..n).map(|_| r.uniform()).collect();
        let y = (0..shape[0]).map(|_| r.below(classes as u32) as usize).collect();
        let adam = Adam::new(&store);
        Self { net, store, tape: Tape::new(), adam, x, shape, y }
    }

    fn step(&mut self) -> f32 {
        self.tape.reset();
        self.store.zero_grads();
        let x = self.tape.input(&self.shape, &self.x).expect("input");
        let logits = self.net.forward(&mut self.tape, &mut self.store, x).expect("forward");
        let loss = self.tape.cross_entropy(logits, &self.y).expect("loss");
        self.tape.backward(loss).expect("backward");
        self.tape.accumulate_param_grads(&mut self.store).expect("grads");
        self.adam.step(&mut self.store, 1e-3);
        self.tape.value(loss).map_or(f32::NAN, |t| t.data()[0])
    }
}

fn mlp() -> Bench {
    let mut store = ParamStore::new();
    let mut rng = Rng::new(1);
    let net = Sequential::new()
        .with(Linear::new(&mut store, "fc1", 784, 256, Init::HeUniform, &mut rng))
        .with(Activation::Relu)
        .with(Linear::new(&mut store, "fc2", 256, 10, Init::XavierUniform, &mut rng));
    Bench::new(net, store, vec![128, 784], 10)
}

fn convnet() -> Bench {
    let mut store = ParamStore::new();
    let mut rng = Rng::new(2);
    let same = Conv2dParams { stride: 1, padding: 1, dilation: 1 };
    let down = Conv2dParams { stride: 2, padding: 1, dilation: 1 };
    let net = Sequential::new()
        .with(Conv2d::new(&mut store, "c1", 1, 8, 3, same, Init::HeNormal, &mut rng))
        .with(BatchNorm::new_2d(&mut store, "bn1", 8))
        .with(Activation::Relu)
        .with(Conv2d::new(&mut store, "c2", 8, 16, 3, down, Init::HeNormal, &mut rng))
        .with(Activation::Relu)
        .with(Layer::Flatten)
        .with(Linear::new(&mut store, "fc", 16 * 14 * 14, 10, Init::XavierUniform, &mut rng));
    Bench::new(net, store, vec![32, 1, 28, 28], 10)
}

fn summary(mut t: Vec<f64>) -> (f64, f64) {
    t.sort_by(f64::total_cmp);
    (t[t.len() / 2], t[t.len() / 10])
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn bench_training_steps_native() {
    for (name, mut b, reps) in
        [("mlp 784-256-10 b128 adam", mlp(), 40), ("convnet b32", convnet(), 20)]
    {
        let first = b.step();
        b.step();
        let mut times = Vec::new();
        let mut last = first;
        for _ in 0..reps {
            let s = std::time::Instant::now();
            last = b.step();
            times.push(s.elapsed().as_secs_f64() * 1e3);
        }
        let (med, p10) = summary(times);
        println!("{name}: median {med:.2} ms/step, p10 {p10:.2} ms ({:.1} steps/s)", 1e3 / med);
        assert!(last < first, "{name}: loss {first} → {last}");
    }
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use super::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn now_ms() -> f64 {
        web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
    }

    #[wasm_bindgen_test]
    fn bench_training_steps_browser() {
        for (name, mut b, reps) in
            [("mlp 784-256-10 b128 adam", mlp(), 40), ("convnet b32", convnet(), 20)]
        {
            let first = b.step();
            b.step();
            let mut times = Vec::new();
            let mut last = first;
            for _ in 0..reps {
                let s = now_ms();
                last = b.step();
                times.push(now_ms() - s);
            }
            let (med, p10) = summary(times);
            web_sys::console::log_1(
                &format!(
                    "{name}: median {med:.2} ms/step, p10 {p10:.2} ms ({:.1} steps/s)",
                    1e3 / med
                )
                .into(),
            );
            assert!(last < first, "{name}: loss {first} → {last}");
        }
    }
}
