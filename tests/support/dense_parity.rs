//! Shared by `tests/gpu_dense.rs` (native) and `tests/web_gpu_dense.rs` (browser): the parity
//! check of `gpu::dense::DenseTrainer` against the CPU training engine
//! (`compute::dense::DenseCpu`: `core::nn` layers on the autograd tape + `core::optim::Adam`).

use dlviz::compute::dense::{init_params, DenseCpu};
use dlviz::core::optim::AdamConfig;
use dlviz::core::Rng;
use dlviz::gpu::dense::{Act, DenseLoss, DenseSpec, DenseTrainer};
use dlviz::gpu::Gpu;

/// `|got − want| ≤ atol + rtol·|want|`.
pub fn close(got: f32, want: f32, atol: f32, rtol: f32) -> bool {
    (got - want).abs() <= atol + rtol * want.abs()
}

/// Trains the same network on the GPU and on the CPU engine for six steps and compares the
/// losses step by step and the weights at the end.
pub async fn parity(gpu: &Gpu, loss: DenseLoss, hidden: Act, adam: AdamConfig) {
    let test = format!("dense parity {loss:?} {hidden:?}");
    let spec =
        DenseSpec { dims: vec![12, 16, 9, 5], hidden, output: Act::Identity, loss, batch: 8, adam };
    let mut params = init_params(&spec, 42);
    // Non-zero biases, so the bias path matters from the first step.
    let mut rng = Rng::new(43);
    for (_, b) in &mut params {
        b.iter_mut().for_each(|v| *v = rng.uniform_in(-0.1, 0.1));
    }
    let mut cpu = DenseCpu::new(spec.clone(), &params).unwrap();
    let mut trainer = DenseTrainer::new(gpu, spec.clone(), &params).await.unwrap();
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
        let want = cpu.step(&x, &t).unwrap();
        let got = trainer.step(gpu, &x, &t).await.unwrap();
        assert!(close(got, want, 1e-5, 1e-4), "{test}: step {step} loss gpu {got} vs cpu {want}");
    }
    let gpu_params = trainer.params().await.unwrap();
    for (l, ((gw, gb), (cw, cb))) in gpu_params.iter().zip(cpu.params()).enumerate() {
        for (i, (g, c)) in gw.iter().chain(gb).zip(cw.iter().chain(&cb)).enumerate() {
            assert!(close(*g, *c, 2e-5, 1e-3), "{test}: layer {l} param {i}: gpu {g} vs cpu {c}");
        }
    }
    assert_eq!((trainer.steps(), cpu.steps()), (6, 6));
}
