//! One training step of a classifier, shared by every lesson that trains one (EMA, BatchNorm):
//! `logits = net(x)`, `L = mean_i −log softmax(logits_i)[y_i]`, `∇L` by the tape, then one
//! optimizer update — skipped when the loss or the gradient norm is not finite, so a diverging
//! run reports the bad value without writing NaN into the weights.

use super::Sequential;
use crate::core::autograd::{ParamStore, Tape};
use crate::core::optim::Optimizer;

/// What one [`classifier_step`] measured (on the batch, before the update).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifierStep {
    /// The batch's mean cross-entropy.
    pub loss: f32,
    /// The L2 norm of the whole gradient.
    pub grad_norm: f32,
    /// Whether the optimizer updated the weights (both values finite).
    pub updated: bool,
}

/// One optimisation step of `net` on the batch `x` (shape `shape`, rows first) with class
/// labels `labels`.
///
/// # Shapes
/// `x: (B, …) → logits: (B, K)`, `labels: (B)` with values `< K`.
pub fn classifier_step(
    tape: &mut Tape,
    net: &mut Sequential,
    store: &mut ParamStore,
    opt: &mut dyn Optimizer,
    shape: &[usize],
    x: &[f32],
    labels: &[usize],
) -> Result<ClassifierStep, String> {
    let e = |e: crate::core::autograd::AutogradError| e.to_string();
    tape.reset();
    store.zero_grads();
    let xv = tape.input(shape, x).map_err(e)?;
    let logits = net.forward(tape, store, xv).map_err(e)?;
    let loss = tape.cross_entropy(logits, labels).map_err(e)?;
    tape.backward(loss).map_err(e)?;
    tape.accumulate_param_grads(store).map_err(e)?;
    let grad_norm = store.grad_norm();
    let loss = tape.value(loss).map_err(e)?.data().first().copied().unwrap_or(f32::NAN);
    let updated = loss.is_finite() && grad_norm.is_finite();
    if updated {
        let (mut ps, gs) = store.params_and_grads();
        opt.step(&mut ps, &gs).map_err(|e| e.to_string())?;
    }
    Ok(ClassifierStep { loss, grad_norm, updated })
}

/// The mean cross-entropy and the accuracy (fraction of arg-max hits) of `net` on `x`, without
/// a gradient; `net`'s training mode is the caller's (set inference mode for BN first).
///
/// # Shapes
/// `x: (N, …) → logits: (N, K)`, `labels: (N)`.
pub fn classifier_eval(
    tape: &mut Tape,
    net: &mut Sequential,
    store: &mut ParamStore,
    shape: &[usize],
    x: &[f32],
    labels: &[usize],
) -> Result<(f32, f32), String> {
    let e = |e: crate::core::autograd::AutogradError| e.to_string();
    tape.reset();
    let xv = tape.input(shape, x).map_err(e)?;
    let logits = net.forward(tape, store, xv).map_err(e)?;
    let loss = tape.cross_entropy(logits, labels).map_err(e)?;
    let l = tape.value(loss).map_err(e)?.data().first().copied().unwrap_or(f32::NAN);
    let out = tape.value(logits).map_err(e)?;
    let k = out.shape().get(1).copied().unwrap_or(1).max(1);
    let correct =
        out.data().chunks_exact(k).zip(labels).filter(|(row, &c)| argmax(row) == c).count();
    Ok((l, correct as f32 / labels.len().max(1) as f32))
}

/// The index of the largest value (the first on ties; 0 for an empty row).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::nn::{Activation, Init, Linear};
    use crate::core::optim::{Sgd, SgdConfig};
    use crate::core::Rng;

    fn net(seed: u64) -> (Sequential, ParamStore) {
        let mut store = ParamStore::new();
        let mut rng = Rng::new(seed);
        let net = Sequential::new()
            .with(Linear::new(&mut store, "fc1", 3, 8, Init::HeUniform, &mut rng))
            .with(Activation::Relu)
            .with(Linear::new(&mut store, "fc2", 8, 4, Init::XavierUniform, &mut rng));
        (net, store)
    }

    /// The step as the EMA lesson wrote it by hand before this module existed.
    fn old_step(
        tape: &mut Tape,
        net: &mut Sequential,
        store: &mut ParamStore,
        opt: &mut Sgd,
        x: &[f32],
        y: &[usize],
    ) -> (f32, f32) {
        tape.reset();
        let xv = tape.input(&[y.len(), 3], x).unwrap();
        let logits = net.forward(tape, store, xv).unwrap();
        let loss = tape.cross_entropy(logits, y).unwrap();
        let l = tape.value(loss).unwrap().data()[0];
        tape.backward(loss).unwrap();
        store.zero_grads();
        tape.accumulate_param_grads(store).unwrap();
        let gn = store.grad_norm();
        let (mut ps, gs) = store.params_and_grads();
        opt.step(&mut ps, &gs).unwrap();
        (l, gn)
    }

    fn weights(store: &mut ParamStore) -> Vec<f32> {
        store.params_and_grads().0.iter().flat_map(|p| p.to_vec()).collect()
    }

    #[test]
    fn matches_the_hand_written_step_on_a_seeded_batch() {
        let mut rng = Rng::new(7);
        let x: Vec<f32> = (0..16 * 3).map(|_| rng.uniform() * 2.0 - 1.0).collect();
        let y: Vec<usize> = (0..16).map(|_| rng.below(4) as usize).collect();
        let cfg = SgdConfig { lr: 0.1, ..SgdConfig::default() };
        let (mut na, mut sa) = net(3);
        let (mut nb, mut sb) = net(3);
        let (mut oa, mut ob) = (Sgd::new(cfg).unwrap(), Sgd::new(cfg).unwrap());
        let (mut ta, mut tb) = (Tape::new(), Tape::new());
        for _ in 0..5 {
            let s = classifier_step(&mut ta, &mut na, &mut sa, &mut oa, &[16, 3], &x, &y).unwrap();
            let (l, gn) = old_step(&mut tb, &mut nb, &mut sb, &mut ob, &x, &y);
            assert_eq!((s.loss, s.grad_norm, s.updated), (l, gn, true));
            assert_eq!(weights(&mut sa), weights(&mut sb));
        }
        let (l, acc) = classifier_eval(&mut ta, &mut na, &mut sa, &[16, 3], &x, &y).unwrap();
        assert!(l.is_finite() && (0.0..=1.0).contains(&acc));
    }

    #[test]
    fn a_non_finite_loss_leaves_the_weights_alone() {
        // No ReLU (max(0, NaN) = 0 would hide the NaN): logits = x·W + b.
        let mut s = ParamStore::new();
        let mut n = Sequential::new().with(Linear::new(
            &mut s,
            "fc",
            3,
            2,
            Init::HeUniform,
            &mut Rng::new(1),
        ));
        let mut opt = Sgd::new(SgdConfig { lr: 0.1, ..SgdConfig::default() }).unwrap();
        let before = weights(&mut s);
        let x = vec![f32::NAN; 2 * 3];
        let r = classifier_step(&mut Tape::new(), &mut n, &mut s, &mut opt, &[2, 3], &x, &[0, 1])
            .unwrap();
        assert!(!r.updated && !r.loss.is_finite());
        let after = weights(&mut s);
        assert!(before.iter().zip(&after).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn argmax_takes_the_first_of_ties() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
        assert_eq!(argmax(&[]), 0);
    }
}
