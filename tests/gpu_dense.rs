#![cfg(not(target_arch = "wasm32"))]
//! GPU matrix product and the GPU-resident dense trainer against the CPU path, natively on
//! whatever Vulkan adapter is present (lavapipe on CI).
//!
//! * `gpu::matmul` vs `core::matmul::gemm_reference` on random shapes that cross the 64×64
//!   tiles, with every transpose/accumulate combination.
//! * `gpu::dense::DenseTrainer` vs the CPU training engine (`core::nn` layers on the autograd
//!   tape + `core::optim::Adam`): the same initial weights and batches give the same losses
//!   step by step and the same weights afterwards, for softmax-CE, BCE-with-logits and MSE.
//!
//! Without an adapter the tests print `SKIP` and pass, unless `DLVIZ_REQUIRE_GPU=1`.

use dlviz::core::autograd::{ParamStore, Tape};
use dlviz::core::matmul::{gemm_reference, Gemm};
use dlviz::core::nn::{Activation, Init, Linear, Sequential};
use dlviz::core::optim::{Adam, AdamConfig, Optimizer};
use dlviz::core::Rng;
use dlviz::gpu::dense::{Act, DenseLoss, DenseSpec, DenseTrainer};
use dlviz::gpu::{Gpu, GpuError};

fn open(test: &str) -> Option<Gpu> {
    match pollster::block_on(Gpu::open()) {
        Ok(g) => Some(g),
        Err(e) => {
            if std::env::var("DLVIZ_REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("{test}: DLVIZ_REQUIRE_GPU=1 but no GPU adapter could be opened: {e}");
            }
            eprintln!("SKIP {test}: no GPU adapter ({e})");
            None
        }
    }
}

fn close(got: f32, want: f32, atol: f32, rtol: f32) -> bool {
    (got - want).abs() <= atol + rtol * want.abs()
}

#[test]
fn matmul_matches_reference_across_tiles_and_layouts() {
    let Some(gpu) = open("matmul_matches_reference_across_tiles_and_layouts") else { return };
    let mut rng = Rng::new(5);
    let mut shapes = vec![(1, 1, 1), (64, 64, 64), (65, 17, 130), (128, 784, 10), (3, 200, 70)];
    for _ in 0..16 {
        shapes.push((
            1 + rng.below(150) as usize,
            1 + rng.below(150) as usize,
            1 + rng.below(150) as usize,
        ));
    }
    for (case, &(m, k, n)) in shapes.iter().enumerate() {
        let mut g = Gemm::new(m, k, n);
        g.a_trans = case % 2 == 1;
        g.b_trans = case % 4 >= 2;
        g.accumulate = case % 3 == 2;
        let a: Vec<f32> = (0..m * k).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let b: Vec<f32> = (0..k * n).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let c0: Vec<f32> = (0..m * n).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
        let mut want = c0.clone();
        gemm_reference(g, &a, &b, &mut want).unwrap();
        let got = pollster::block_on(gpu.matmul(g, &a, &b, Some(&c0))).unwrap();
        for (i, (x, y)) in got.iter().zip(&want).enumerate() {
            // Sums of k products of values in [−1, 1]: allow f32 rounding growing with k.
            assert!(close(*x, *y, 1e-5 * k as f32, 1e-4), "{g:?} element {i}: gpu {x} vs cpu {y}");
        }
    }
}

#[test]
fn matmul_rejects_wrong_lengths() {
    let Some(gpu) = open("matmul_rejects_wrong_lengths") else { return };
    let r = pollster::block_on(gpu.matmul(Gemm::new(2, 3, 2), &[0.0; 5], &[0.0; 6], None));
    assert!(matches!(r, Err(GpuError::Shape(_))), "{r:?}");
}

/// The CPU run: the engine's Linear layers, the hidden activation between them, the loss, Adam.
struct CpuRun {
    store: ParamStore,
    net: Sequential,
    tape: Tape,
    adam: Adam,
}

fn hidden_layer(act: Act) -> Activation {
    match act {
        Act::Relu => Activation::Relu,
        Act::Sigmoid => Activation::Sigmoid,
        Act::Tanh => Activation::Tanh,
        Act::Identity => unreachable!("identity has no layer"),
    }
}

impl CpuRun {
    fn new(spec: &DenseSpec, seed: u64) -> Self {
        let mut store = ParamStore::new();
        let mut rng = Rng::new(seed);
        let mut net = Sequential::new();
        let layers = spec.dims.len() - 1;
        for l in 0..layers {
            // Non-zero biases so the bias path is exercised from step one.
            let lin = Linear::new(
                &mut store,
                &format!("fc{l}"),
                spec.dims[l],
                spec.dims[l + 1],
                Init::XavierUniform,
                &mut rng,
            );
            if let Some(b) = lin.bias {
                for v in store.value_mut(b).unwrap().data_mut() {
                    *v = rng.uniform_in(-0.1, 0.1);
                }
            }
            net.push(lin);
            if l + 1 < layers {
                net.push(hidden_layer(spec.hidden));
            }
        }
        Self { store, net, tape: Tape::new(), adam: Adam::new(spec.adam).unwrap() }
    }

    /// `(W, b)` per layer, in the trainer's layout (`W: in × out`, the engine's too).
    fn params(&self) -> Vec<(Vec<f32>, Vec<f32>)> {
        let ids: Vec<_> = self.store.trainable_ids().collect();
        ids.chunks(2)
            .map(|p| {
                (
                    self.store.value(p[0]).unwrap().data().to_vec(),
                    self.store.value(p[1]).unwrap().data().to_vec(),
                )
            })
            .collect()
    }

    fn step(&mut self, spec: &DenseSpec, x: &[f32], t: &[f32]) -> f32 {
        self.tape.reset();
        self.store.zero_grads();
        let xv = self.tape.input(&[spec.batch, spec.dims[0]], x).unwrap();
        let out = self.net.forward(&mut self.tape, &mut self.store, xv).unwrap();
        let loss = match spec.loss {
            DenseLoss::SoftmaxCrossEntropy => {
                let cls: Vec<usize> = t.iter().map(|&v| v as usize).collect();
                self.tape.cross_entropy(out, &cls).unwrap()
            }
            DenseLoss::BceWithLogits => {
                let tv = self.tape.input(&[spec.batch, *spec.dims.last().unwrap()], t).unwrap();
                self.tape.bce_with_logits(out, tv).unwrap()
            }
            DenseLoss::Mse => {
                let tv = self.tape.input(&[spec.batch, *spec.dims.last().unwrap()], t).unwrap();
                self.tape.mse(out, tv).unwrap()
            }
        };
        let value = self.tape.value(loss).unwrap().data()[0];
        self.tape.backward(loss).unwrap();
        self.tape.accumulate_param_grads(&mut self.store).unwrap();
        let (mut p, g) = self.store.params_and_grads();
        self.adam.step(&mut p, &g).unwrap();
        value
    }
}

fn parity(loss: DenseLoss, hidden: Act, adam: AdamConfig) {
    let test = format!("dense parity {loss:?} {hidden:?}");
    let Some(gpu) = open(&test) else { return };
    let spec =
        DenseSpec { dims: vec![12, 16, 9, 5], hidden, output: Act::Identity, loss, batch: 8, adam };
    let mut cpu = CpuRun::new(&spec, 42);
    let mut trainer =
        pollster::block_on(DenseTrainer::new(&gpu, spec.clone(), &cpu.params())).unwrap();
    let mut rng = Rng::new(7);
    let outputs = 5;
    for step in 0..6 {
        let x: Vec<f32> = (0..spec.batch * 12).map(|_| rng.normal()).collect();
        let t: Vec<f32> = match loss {
            DenseLoss::SoftmaxCrossEntropy => {
                (0..spec.batch).map(|_| rng.below(outputs as u32) as f32).collect()
            }
            DenseLoss::BceWithLogits => (0..spec.batch * outputs).map(|_| rng.uniform()).collect(),
            DenseLoss::Mse => (0..spec.batch * outputs).map(|_| rng.normal()).collect(),
        };
        let want = cpu.step(&spec, &x, &t);
        let got = pollster::block_on(trainer.step(&gpu, &x, &t)).unwrap();
        assert!(close(got, want, 1e-5, 1e-4), "{test}: step {step} loss gpu {got} vs cpu {want}");
    }
    let gpu_params = pollster::block_on(trainer.params()).unwrap();
    for (l, ((gw, gb), (cw, cb))) in gpu_params.iter().zip(cpu.params()).enumerate() {
        for (i, (g, c)) in gw.iter().chain(gb).zip(cw.iter().chain(&cb)).enumerate() {
            assert!(close(*g, *c, 2e-5, 1e-3), "{test}: layer {l} param {i}: gpu {g} vs cpu {c}");
        }
    }
    assert_eq!(trainer.steps(), 6);
}

#[test]
fn dense_trainer_matches_engine_softmax_ce_relu_adam() {
    parity(
        DenseLoss::SoftmaxCrossEntropy,
        Act::Relu,
        AdamConfig { lr: 1e-2, ..AdamConfig::default() },
    );
}

#[test]
fn dense_trainer_matches_engine_bce_sigmoid_adamw() {
    parity(DenseLoss::BceWithLogits, Act::Sigmoid, AdamConfig { lr: 5e-3, ..AdamConfig::adamw() });
}

#[test]
fn dense_trainer_matches_engine_mse_tanh_l2() {
    parity(
        DenseLoss::Mse,
        Act::Tanh,
        AdamConfig { lr: 1e-2, weight_decay: 1e-3, ..AdamConfig::default() },
    );
}

#[test]
fn dense_trainer_refuses_bad_input_without_panicking() {
    let Some(gpu) = open("dense_trainer_refuses_bad_input_without_panicking") else { return };
    let spec = DenseSpec {
        dims: vec![4, 3],
        hidden: Act::Relu,
        output: Act::Identity,
        loss: DenseLoss::SoftmaxCrossEntropy,
        batch: 2,
        adam: AdamConfig::default(),
    };
    let params = vec![(vec![0.1; 12], vec![0.0; 3])];
    assert!(pollster::block_on(DenseTrainer::new(&gpu, spec.clone(), &[])).is_err());
    let bad_dims = DenseSpec { dims: vec![4], ..spec.clone() };
    assert!(pollster::block_on(DenseTrainer::new(&gpu, bad_dims, &params)).is_err());
    let mut t = pollster::block_on(DenseTrainer::new(&gpu, spec, &params)).unwrap();
    assert!(pollster::block_on(t.step(&gpu, &[0.0; 7], &[0.0, 1.0])).is_err(), "short batch");
    assert!(
        pollster::block_on(t.step(&gpu, &[0.0; 8], &[0.0, 3.0])).is_err(),
        "class out of range"
    );
    assert!(pollster::block_on(t.step(&gpu, &[0.0; 8], &[0.0, f32::NAN])).is_err(), "NaN class");
    assert_eq!(t.steps(), 0);
    // A valid step still works afterwards: loss of uniform logits over 3 classes is ln 3.
    let loss = pollster::block_on(t.step(&gpu, &[0.0; 8], &[0.0, 2.0])).unwrap();
    assert!(close(loss, 3f32.ln(), 1e-6, 1e-6), "{loss}");
}
