//! Shared by `tests/gpu_dense.rs` (native) and `tests/web_gpu_dense.rs` (browser): the CPU
//! training engine's run of a dense network, and the GPU-vs-CPU parity check of
//! `gpu::dense::DenseTrainer`.

use dlviz::core::autograd::{ParamStore, Tape};
use dlviz::core::nn::{Activation, Init, Linear, Sequential};
use dlviz::core::optim::{Adam, AdamConfig, Optimizer};
use dlviz::core::Rng;
use dlviz::gpu::dense::{Act, DenseLoss, DenseSpec, DenseTrainer};
use dlviz::gpu::Gpu;

/// `|got − want| ≤ atol + rtol·|want|`.
pub fn close(got: f32, want: f32, atol: f32, rtol: f32) -> bool {
    (got - want).abs() <= atol + rtol * want.abs()
}

/// The CPU run: the engine's Linear layers, the hidden activation between them, the loss, Adam.
pub struct CpuRun {
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
    pub fn new(spec: &DenseSpec, seed: u64) -> Self {
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
    pub fn params(&self) -> Vec<(Vec<f32>, Vec<f32>)> {
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

    pub fn step(&mut self, spec: &DenseSpec, x: &[f32], t: &[f32]) -> f32 {
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

/// Trains the same network on the GPU and on the CPU engine for six steps and compares the
/// losses step by step and the weights at the end.
pub async fn parity(gpu: &Gpu, loss: DenseLoss, hidden: Act, adam: AdamConfig) {
    let test = format!("dense parity {loss:?} {hidden:?}");
    let spec =
        DenseSpec { dims: vec![12, 16, 9, 5], hidden, output: Act::Identity, loss, batch: 8, adam };
    let mut cpu = CpuRun::new(&spec, 42);
    let mut trainer = DenseTrainer::new(gpu, spec.clone(), &cpu.params()).await.unwrap();
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
        let got = trainer.step(gpu, &x, &t).await.unwrap();
        assert!(close(got, want, 1e-5, 1e-4), "{test}: step {step} loss gpu {got} vs cpu {want}");
    }
    let gpu_params = trainer.params().await.unwrap();
    for (l, ((gw, gb), (cw, cb))) in gpu_params.iter().zip(cpu.params()).enumerate() {
        for (i, (g, c)) in gw.iter().chain(gb).zip(cw.iter().chain(&cb)).enumerate() {
            assert!(close(*g, *c, 2e-5, 1e-3), "{test}: layer {l} param {i}: gpu {g} vs cpu {c}");
        }
    }
    assert_eq!(trainer.steps(), 6);
}
