#![cfg(not(target_arch = "wasm32"))]
//! Layers and small networks against PyTorch, batch-norm running statistics, stable losses at
//! extreme logits, initialisers, and a training smoke test.
//!
//! Reference values: `tests/reference/nn_torch_reference.py` (PyTorch, float64) prints
//! `tests/reference/nn_torch_cases.rs`, included below. Inputs and parameters on both sides
//! come from the same formula (`det`), so both compute from identical float32 numbers. Our
//! float32 results must match within `atol 2·10⁻⁵ + rtol 2·10⁻⁴·|ref|`.

use dlviz::core::autograd::{BatchNormMode, ParamId, ParamStore, Tape};
use dlviz::core::conv::Conv2dParams;
use dlviz::core::nn::{fans, Activation, BatchNorm, Conv2d, Init, Layer, Linear, Sequential};
use dlviz::core::{Rng, Tensor};

mod cases {
    #![allow(clippy::all)]
    include!("reference/nn_torch_cases.rs");
}
use cases::*;

const ATOL: f64 = 2e-5;
const RTOL: f64 = 2e-4;

/// The shared input formula (see the reference script).
fn det(shape: &[usize], seed: u32, scale: f64) -> Tensor {
    Tensor::from_fn(shape.to_vec(), |i| {
        let (i, s) = (i as f64, seed as f64);
        ((0.37 * i + 1.3 * s).sin() * (0.11 * i + 0.7 * s).cos() * scale) as f32
    })
}

fn one_plus(t: Tensor) -> Tensor {
    let shape = t.shape().to_vec();
    Tensor::new(shape, t.data().iter().map(|v| 1.0 + v).collect()).unwrap()
}

fn close(name: &str, got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{name}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let err = (*g as f64 - w).abs();
        assert!(err <= ATOL + RTOL * w.abs(), "{name}[{i}]: got {g}, PyTorch {w} (err {err:e})");
    }
}

fn set(store: &mut ParamStore, id: ParamId, t: Tensor) {
    let v = store.value_mut(id).unwrap();
    assert_eq!(v.shape(), t.shape());
    *v = t;
}

fn grad(store: &ParamStore, id: ParamId) -> &[f32] {
    store.grad(id).unwrap().data()
}

#[test]
fn mlp_with_batchnorm_and_cross_entropy_matches_pytorch() {
    let mut store = ParamStore::new();
    let mut rng = Rng::new(0);
    let l1 = Linear::new(&mut store, "fc1", 4, 6, Init::Zeros, &mut rng);
    let bn = BatchNorm::new_1d(&mut store, "bn1", 6);
    let l2 = Linear::new(&mut store, "fc2", 6, 3, Init::Zeros, &mut rng);
    let (w1, b1, w2, b2) = (l1.weight, l1.bias.unwrap(), l2.weight, l2.bias.unwrap());
    let (g1, be1, rm, rv) = (bn.gamma, bn.beta, bn.running_mean, bn.running_var);
    set(&mut store, w1, det(&[4, 6], 2, 0.8));
    set(&mut store, b1, det(&[6], 3, 0.2));
    set(&mut store, g1, one_plus(det(&[6], 4, 0.3)));
    set(&mut store, be1, det(&[6], 5, 0.3));
    set(&mut store, w2, det(&[6, 3], 6, 0.8));
    set(&mut store, b2, det(&[3], 7, 0.2));
    let mut net = Sequential::new().with(l1).with(bn).with(Activation::Relu).with(l2);

    let mut tape = Tape::new();
    let x = tape.leaf(det(&[8, 4], 1, 1.0));
    let logits = net.forward(&mut tape, &mut store, x).unwrap();
    let loss = tape.cross_entropy(logits, &[0, 1, 2, 0, 1, 2, 1, 0]).unwrap();
    store.zero_grads();
    tape.backward(loss).unwrap();
    tape.accumulate_param_grads(&mut store).unwrap();

    close("loss", tape.value(loss).unwrap().data(), &MLP_LOSS);
    close("dx", tape.grad(x).unwrap().unwrap(), &MLP_GRAD_X);
    close("dW1", grad(&store, w1), &MLP_GRAD_W1);
    close("db1", grad(&store, b1), &MLP_GRAD_B1);
    close("dγ", grad(&store, g1), &MLP_GRAD_G1);
    close("dβ", grad(&store, be1), &MLP_GRAD_BE1);
    close("dW2", grad(&store, w2), &MLP_GRAD_W2);
    close("db2", grad(&store, b2), &MLP_GRAD_B2);
    close("running mean", store.value(rm).unwrap().data(), &MLP_RUNNING_MEAN);
    close("running var", store.value(rv).unwrap().data(), &MLP_RUNNING_VAR);
    // Running stats are buffers: no gradient, not handed to the optimizer.
    assert!(!store.is_trainable(rm) && !store.is_trainable(rv));
    let (ps, gs) = store.params_and_grads();
    assert_eq!((ps.len(), gs.len()), (6, 6));

    // Inference mode normalises with the running statistics.
    net.set_training(false);
    tape.reset();
    let x = tape.input(&[8, 4], det(&[8, 4], 1, 1.0).data()).unwrap();
    let logits = net.forward(&mut tape, &mut store, x).unwrap();
    close("eval logits", tape.value(logits).unwrap().data(), &MLP_EVAL_LOGITS);
    // ... and leaves the running statistics alone.
    close("running mean after eval", store.value(rm).unwrap().data(), &MLP_RUNNING_MEAN);
}

#[test]
fn conv_bn_relu_linear_matches_pytorch() {
    let mut store = ParamStore::new();
    let mut rng = Rng::new(0);
    let p = Conv2dParams { stride: 2, padding: 1, dilation: 1 };
    let conv = Conv2d::new(&mut store, "conv", 2, 3, 3, p, Init::Zeros, &mut rng);
    let bn = BatchNorm::new_2d(&mut store, "bn", 3);
    let fc = Linear::new(&mut store, "fc", 27, 4, Init::Zeros, &mut rng);
    let (cw, cb, g, be) = (conv.weight, conv.bias.unwrap(), bn.gamma, bn.beta);
    let (lw, lb, rm, rv) = (fc.weight, fc.bias.unwrap(), bn.running_mean, bn.running_var);
    set(&mut store, cw, det(&[3, 2, 3, 3], 12, 0.5));
    set(&mut store, cb, det(&[3], 13, 0.2));
    set(&mut store, g, one_plus(det(&[3], 14, 0.3)));
    set(&mut store, be, det(&[3], 15, 0.3));
    set(&mut store, lw, det(&[27, 4], 16, 0.4));
    set(&mut store, lb, det(&[4], 17, 0.2));
    let mut net =
        Sequential::new().with(conv).with(bn).with(Activation::Relu).with(Layer::Flatten).with(fc);

    let mut tape = Tape::new();
    let x = tape.leaf(det(&[2, 2, 6, 6], 11, 1.0));
    let logits = net.forward(&mut tape, &mut store, x).unwrap();
    assert_eq!(tape.shape(logits).unwrap(), &[2, 4]);
    let loss = tape.cross_entropy(logits, &[1, 3]).unwrap();
    tape.backward(loss).unwrap();
    tape.accumulate_param_grads(&mut store).unwrap();

    close("loss", tape.value(loss).unwrap().data(), &CNN_LOSS);
    close("dx", tape.grad(x).unwrap().unwrap(), &CNN_GRAD_X);
    close("dW conv", grad(&store, cw), &CNN_GRAD_CW);
    close("db conv", grad(&store, cb), &CNN_GRAD_CB);
    close("dγ", grad(&store, g), &CNN_GRAD_G);
    close("dβ", grad(&store, be), &CNN_GRAD_BE);
    close("dW fc", grad(&store, lw), &CNN_GRAD_LW);
    close("db fc", grad(&store, lb), &CNN_GRAD_LB);
    close("running mean", store.value(rm).unwrap().data(), &CNN_RUNNING_MEAN);
    close("running var", store.value(rv).unwrap().data(), &CNN_RUNNING_VAR);

    // The per-layer trace: the BN layer's input is the conv output, its output the normalised
    // map whose per-channel batch mean is β (γ·0 + β) and the stats it used are recorded.
    let pre = net.layer_input(1).unwrap();
    let post = net.layer_output(1).unwrap();
    assert_eq!(tape.shape(pre).unwrap(), &[2, 3, 3, 3]);
    let Layer::BatchNorm(bn) = &net.layers()[1] else { panic!("layer 1 is the BN") };
    let stats = bn.last_stats().unwrap();
    assert!(stats.training && stats.count == 18);
    let post_v = tape.value(post).unwrap().data();
    for c in 0..3 {
        let mean: f32 =
            (0..2).flat_map(|n| post_v[(n * 3 + c) * 9..(n * 3 + c + 1) * 9].iter()).sum::<f32>()
                / 18.0;
        let beta = store.value(be).unwrap().data()[c];
        assert!((mean - beta).abs() < 1e-5, "channel {c}: mean {mean} vs β {beta}");
    }
}

#[test]
fn bce_with_logits_is_stable_and_matches_pytorch() {
    let mut tape = Tape::new();
    let x =
        tape.leaf(Tensor::new(vec![8], vec![-1e4, -30.0, -2.0, 0.0, 0.5, 3.0, 40.0, 1e4]).unwrap());
    let y =
        tape.constant(Tensor::new(vec![8], vec![0.0, 1.0, 0.3, 1.0, 0.0, 1.0, 0.0, 1.0]).unwrap());
    let l = tape.bce_with_logits(x, y).unwrap();
    tape.backward(l).unwrap();
    let v = tape.value(l).unwrap().data();
    assert!(v[0].is_finite());
    close("bce", v, &BCE_LOSS);
    close("bce grad", tape.grad(x).unwrap().unwrap(), &BCE_GRAD);
}

#[test]
fn softmax_and_cross_entropy_at_large_logits_match_pytorch() {
    let mut tape = Tape::new();
    let data = vec![1000.0, 1001.0, 1002.0, -1e4, 0.0, 1e4, 88.5, 89.0, 90.0];
    let x = tape.leaf(Tensor::new(vec![3, 3], data).unwrap());
    let sm = tape.softmax(x).unwrap();
    let lsm = tape.log_softmax(x).unwrap();
    close("softmax", tape.value(sm).unwrap().data(), &SM_SOFTMAX);
    close("log_softmax", tape.value(lsm).unwrap().data(), &SM_LOG_SOFTMAX);
    let ce = tape.cross_entropy(x, &[0, 0, 2]).unwrap();
    tape.backward(ce).unwrap();
    let v = tape.value(ce).unwrap().data();
    assert!(v[0].is_finite());
    close("ce", v, &SM_CE);
    let g = tape.grad(x).unwrap().unwrap();
    assert!(g.iter().all(|v| v.is_finite()));
    close("ce grad", g, &SM_CE_GRAD);
}

#[test]
fn vae_sample_and_kl_match_pytorch() {
    let mut tape = Tape::new();
    let mu = tape.leaf(det(&[3, 4], 21, 1.0));
    let lv = tape.leaf(det(&[3, 4], 22, 1.5));
    let z = tape.reparameterize(mu, lv, &det(&[3, 4], 23, 1.2)).unwrap();
    let kl = tape.kl_normal_loss(mu, lv).unwrap();
    // ½·mean_n Σ_d z² = sum(z ⊙ z) / (2·N)
    let zz = tape.mul(z, z).unwrap();
    let s = tape.sum(zz).unwrap();
    let rec = tape.scale(s, 0.5 / 3.0).unwrap();
    let loss = tape.add(rec, kl).unwrap();
    tape.backward(loss).unwrap();
    close("z", tape.value(z).unwrap().data(), &VAE_Z);
    close("kl", tape.value(kl).unwrap().data(), &VAE_KL);
    close("loss", tape.value(loss).unwrap().data(), &VAE_LOSS);
    close("dμ", tape.grad(mu).unwrap().unwrap(), &VAE_GRAD_MU);
    close("dlogvar", tape.grad(lv).unwrap().unwrap(), &VAE_GRAD_LV);
}

#[test]
fn batchnorm_running_stats_and_eval_match_pytorch() {
    let mut store = ParamStore::new();
    let mut bn = BatchNorm::new_2d(&mut store, "bn", 3);
    set(&mut store, bn.gamma, one_plus(det(&[3], 31, 0.5)));
    set(&mut store, bn.beta, det(&[3], 32, 0.5));
    let mut tape = Tape::new();
    for k in 0..3 {
        tape.reset();
        let xb = det(&[4, 3, 2, 2], 40 + k, 2.0);
        let data: Vec<f32> = xb.data().iter().map(|v| v + 0.5 * k as f32).collect();
        let x = tape.input(&[4, 3, 2, 2], &data).unwrap();
        bn.forward(&mut tape, &mut store, x).unwrap();
    }
    close("running mean", store.value(bn.running_mean).unwrap().data(), &RUN_MEAN);
    close("running var", store.value(bn.running_var).unwrap().data(), &RUN_VAR);
    bn.training = false;
    tape.reset();
    let x = tape.input(&[2, 3, 2, 2], det(&[2, 3, 2, 2], 50, 2.0).data()).unwrap();
    let y = bn.forward(&mut tape, &mut store, x).unwrap();
    close("eval y", tape.value(y).unwrap().data(), &RUN_EVAL_Y);
    assert!(!bn.last_stats().unwrap().training);
    // Wrong rank for a BatchNorm2d is an error, not a panic.
    let flat = tape.input(&[2, 12], &[0.0; 24]).unwrap();
    assert!(bn.forward(&mut tape, &mut store, flat).is_err());
}

#[test]
fn batchnorm_with_one_example_outputs_beta_and_keeps_running_var_finite() {
    let mut store = ParamStore::new();
    let mut bn = BatchNorm::new_1d(&mut store, "bn", 2);
    set(&mut store, bn.beta, Tensor::new(vec![2], vec![0.25, -0.75]).unwrap());
    let mut tape = Tape::new();
    let x = tape.input(&[1, 2], &[3.0, -9.0]).unwrap();
    let y = bn.forward(&mut tape, &mut store, x).unwrap();
    assert_eq!(tape.value(y).unwrap().data(), &[0.25, -0.75]);
    let rv = store.value(bn.running_var).unwrap().data();
    assert!(rv.iter().all(|v| v.is_finite()), "{rv:?}");
    assert_eq!(bn.last_stats().unwrap().var, vec![0.0, 0.0]);
}

#[test]
fn batchnorm_refuses_eps_that_would_give_nan() {
    // ε = 0 on a constant feature (σ² = 0) normalised to 0/0 = NaN; now refused, naming eps.
    let mut store = ParamStore::new();
    for eps in [0.0, -1e-5, f32::NAN, f32::INFINITY] {
        let e = BatchNorm::new_1d(&mut store, "bn", 2).with_eps(eps).unwrap_err();
        assert!(e.to_string().contains("eps"), "{e}");
        let mut tape = Tape::new();
        let x = tape.input(&[3, 2], &[1.0, 5.0, 1.0, 6.0, 1.0, 7.0]).unwrap();
        let g = tape.input(&[2], &[1.0, 1.0]).unwrap();
        let b = tape.input(&[2], &[0.0, 0.0]).unwrap();
        let e = tape.batch_norm(x, g, b, BatchNormMode::Train { eps }).unwrap_err();
        assert!(e.to_string().contains("eps"), "{e}");
        let (rm, rv) = ([0.0, 0.0], [0.0, 1.0]);
        let mode = BatchNormMode::Eval { running_mean: &rm, running_var: &rv, eps };
        assert!(tape.batch_norm(x, g, b, mode).is_err());
    }
    for m in [-0.1, 1.5, f32::NAN] {
        let e = BatchNorm::new_1d(&mut store, "bn", 2).with_momentum(m).unwrap_err();
        assert!(e.to_string().contains("momentum"), "{e}");
    }
    // A valid ε keeps a constant feature finite (it normalises to β).
    let mut bn = BatchNorm::new_1d(&mut store, "bn2", 2).with_eps(1e-3).unwrap();
    assert_eq!(bn.eps(), 1e-3);
    let mut tape = Tape::new();
    let x = tape.input(&[3, 2], &[1.0, 5.0, 1.0, 6.0, 1.0, 7.0]).unwrap();
    let y = bn.forward(&mut tape, &mut store, x).unwrap();
    assert!(tape.value(y).unwrap().data().iter().all(|v| v.is_finite()));
}

#[test]
fn initialisers_have_the_documented_spread_and_are_seeded() {
    let shape = vec![400, 300];
    let (fi, fo) = fans(&shape);
    assert_eq!((fi, fo), (400, 300));
    assert_eq!(fans(&[8, 3, 5, 5]), (75, 200));
    let cases = [
        (Init::XavierUniform, (6.0f64 / 700.0).sqrt() / 3f64.sqrt()),
        (Init::XavierNormal, (2.0f64 / 700.0).sqrt()),
        (Init::HeUniform, (6.0f64 / 400.0).sqrt() / 3f64.sqrt()),
        (Init::HeNormal, (2.0f64 / 400.0).sqrt()),
    ];
    for (init, want_std) in cases {
        let t = init.tensor(shape.clone(), &mut Rng::new(5));
        let n = t.len() as f64;
        let mean = t.data().iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = t.data().iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        assert!(mean.abs() < 0.01 * want_std * 10.0, "{init:?} mean {mean}");
        assert!(
            (var.sqrt() / want_std - 1.0).abs() < 0.02,
            "{init:?} std {} vs {want_std}",
            var.sqrt()
        );
        // Same seed → same tensor; another seed → another tensor.
        assert_eq!(t, init.tensor(shape.clone(), &mut Rng::new(5)));
        assert_ne!(t, init.tensor(shape.clone(), &mut Rng::new(6)));
    }
    let z = Init::Zeros.tensor(vec![3], &mut Rng::new(1));
    assert_eq!(z.data(), &[0.0; 3]);
}

/// Two interleaved half-moons (inline, seeded): class 0 on the upper arc, class 1 below.
fn moons(n: usize, seed: u64) -> (Vec<f32>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut xs = Vec::with_capacity(2 * n);
    let mut ys = Vec::with_capacity(n);
    for i in 0..n {
        let t = std::f32::consts::PI * rng.uniform();
        let (x, y, c) =
            if i % 2 == 0 { (t.cos(), t.sin(), 0) } else { (1.0 - t.cos(), 0.5 - t.sin(), 1) };
        xs.push(x + 0.1 * rng.normal());
        xs.push(y + 0.1 * rng.normal());
        ys.push(c);
    }
    (xs, ys)
}

fn train_moons(with_bn: bool) -> f32 {
    let (xs, ys) = moons(256, 3);
    let mut store = ParamStore::new();
    let mut rng = Rng::new(11);
    let mut net =
        Sequential::new().with(Linear::new(&mut store, "fc1", 2, 32, Init::HeUniform, &mut rng));
    if with_bn {
        net.push(BatchNorm::new_1d(&mut store, "bn1", 32));
    }
    net.push(Activation::Relu);
    net.push(Linear::new(&mut store, "fc2", 32, 32, Init::HeUniform, &mut rng));
    net.push(Activation::Relu);
    net.push(Linear::new(&mut store, "fc3", 32, 2, Init::XavierUniform, &mut rng));
    let mut tape = Tape::new();
    let batch = 64;
    let mut first_loss = None;
    let mut last_loss = 0.0;
    for step in 0..600 {
        // Mini-batches in a fixed rotation over the data.
        let start = (step * batch) % ys.len();
        tape.reset();
        store.zero_grads();
        let x = tape.input(&[batch, 2], &xs[2 * start..2 * (start + batch)]).unwrap();
        let logits = net.forward(&mut tape, &mut store, x).unwrap();
        let loss = tape.cross_entropy(logits, &ys[start..start + batch]).unwrap();
        tape.backward(loss).unwrap();
        tape.accumulate_param_grads(&mut store).unwrap();
        let (mut ps, gs) = store.params_and_grads();
        for (p, g) in ps.iter_mut().zip(&gs) {
            for (w, d) in p.iter_mut().zip(g.iter()) {
                *w -= 0.1 * d;
            }
        }
        last_loss = tape.value(loss).unwrap().data()[0];
        first_loss.get_or_insert(last_loss);
    }
    assert!(last_loss < 0.5 * first_loss.unwrap(), "loss {first_loss:?} → {last_loss}");
    // Accuracy on the whole set, in inference mode.
    net.set_training(false);
    tape.reset();
    let x = tape.input(&[ys.len(), 2], &xs).unwrap();
    let logits = net.forward(&mut tape, &mut store, x).unwrap();
    let l = tape.value(logits).unwrap().data();
    let correct =
        ys.iter().enumerate().filter(|(i, &c)| (l[2 * i + 1] > l[2 * i]) as usize == c).count();
    correct as f32 / ys.len() as f32
}

#[test]
fn an_mlp_fits_two_moons_with_plain_sgd() {
    let acc = train_moons(false);
    assert!(acc > 0.95, "accuracy {acc}");
    let acc_bn = train_moons(true);
    assert!(acc_bn > 0.95, "accuracy with BN {acc_bn}");
}

#[test]
fn param_store_contract() {
    let mut store = ParamStore::new();
    let a = store.add("a", Tensor::from_fn(vec![2], |i| i as f32));
    let buf = store.add_buffer("buf", Tensor::zeros(vec![3]));
    let b = store.add("b", Tensor::zeros(vec![1, 2]));
    assert_eq!(store.len(), 3);
    assert_eq!(store.find("b"), Some(b));
    assert_eq!(store.name(buf), Some("buf"));
    assert_eq!(store.num_trainable(), 4);
    assert_eq!(store.trainable_ids().collect::<Vec<_>>(), vec![a, b]);
    store.grad_mut(a).unwrap().data_mut().copy_from_slice(&[3.0, 4.0]);
    assert_eq!(store.grad_norm(), 5.0);
    {
        let (mut ps, gs) = store.params_and_grads();
        assert_eq!(gs[0], &[3.0, 4.0]);
        ps[1][0] = 9.0;
    }
    assert_eq!(store.value(b).unwrap().data(), &[9.0, 0.0]);
    store.zero_grads();
    assert_eq!(store.grad_norm(), 0.0);
    let snapshot = store.clone();
    store.value_mut(a).unwrap().data_mut()[0] = -1.0;
    assert!(store.copy_values_from(&snapshot));
    assert_eq!(store.value(a).unwrap().data()[0], 0.0);
}
