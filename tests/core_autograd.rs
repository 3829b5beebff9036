#![cfg(not(target_arch = "wasm32"))]
//! Every autograd op's gradient against central finite differences.
//!
//! For an op `y = f(x₁, …)` we draw a fixed random projection `w` (same shape as `y`) and
//! check the vector–Jacobian product `backward_with(y, w)` against the numerical gradient of
//! the scalar `L = Σ w ⊙ f(x)` (summed in `f64`):
//!
//! `∂L/∂x_j ≈ (L(x + h·e_j) − L(x − h·e_j)) / 2h`, with `h = 5·10⁻³`.
//!
//! Tolerance: `|analytic − numeric| ≤ 2·10⁻³ + 10⁻²·|numeric|` (f32 forward passes; inputs
//! are drawn away from the kinks of ReLU and the poles of log).

use dlviz::core::autograd::{AutogradError, BatchNormMode, Result, Tape, Var};
use dlviz::core::conv::Conv2dParams;
use dlviz::core::{Rng, Tensor};

const H: f32 = 5e-3;
const ATOL: f64 = 2e-3;
const RTOL: f64 = 1e-2;

/// A tensor of `shape` with values `±(0.1 .. 1.1)·scale` (never near 0).
fn rand_t(rng: &mut Rng, shape: &[usize], scale: f32) -> Tensor {
    Tensor::from_fn(shape.to_vec(), |_| {
        let m = 0.1 + rng.uniform();
        if rng.uniform() < 0.5 {
            -m * scale
        } else {
            m * scale
        }
    })
}

/// Positive values in `[lo, hi)`.
fn pos_t(rng: &mut Rng, shape: &[usize], lo: f32, hi: f32) -> Tensor {
    Tensor::from_fn(shape.to_vec(), |_| rng.uniform_in(lo, hi))
}

type Build = dyn Fn(&mut Tape, &[Var]) -> Result<Var>;

/// `Σ w ⊙ f(inputs)` in f64 on a fresh tape (all inputs constants).
fn projected(f: &Build, inputs: &[Tensor], w: &[f32]) -> f64 {
    let mut tape = Tape::new();
    let vars: Vec<Var> = inputs.iter().map(|t| tape.constant(t.clone())).collect();
    let y = f(&mut tape, &vars).expect("forward");
    tape.value(y).unwrap().data().iter().zip(w).map(|(a, b)| *a as f64 * *b as f64).sum()
}

/// Checks the gradient of every input listed in `check` (indices into `inputs`).
fn gradcheck_some(name: &str, f: &Build, inputs: Vec<Tensor>, check: &[usize]) {
    let mut tape = Tape::new();
    let vars: Vec<Var> = inputs.iter().map(|t| tape.leaf(t.clone())).collect();
    let y = f(&mut tape, &vars).expect("forward");
    let mut rng = Rng::new(99);
    let w: Vec<f32> =
        (0..tape.value(y).unwrap().len()).map(|_| rng.uniform_in(-1.0, 1.0)).collect();
    tape.backward_with(y, &w).unwrap();
    for &i in check {
        let analytic: Vec<f32> = match tape.grad(vars[i]).unwrap() {
            Some(g) => g.to_vec(),
            None => vec![0.0; inputs[i].len()],
        };
        assert_eq!(analytic.len(), inputs[i].len(), "{name}: grad length of input {i}");
        for (j, &an) in analytic.iter().enumerate() {
            let mut plus = inputs.clone();
            plus[i].data_mut()[j] += H;
            let mut minus = inputs.clone();
            minus[i].data_mut()[j] -= H;
            let num = (projected(f, &plus, &w) - projected(f, &minus, &w)) / (2.0 * H as f64);
            let err = (an as f64 - num).abs();
            assert!(
                err <= ATOL + RTOL * num.abs(),
                "{name}: input {i} element {j}: analytic {an} vs numeric {num}"
            );
        }
    }
}

fn gradcheck(name: &str, f: &Build, inputs: Vec<Tensor>) {
    let all: Vec<usize> = (0..inputs.len()).collect();
    gradcheck_some(name, f, inputs, &all);
}

#[test]
fn matmul_grad() {
    let mut r = Rng::new(1);
    let ins = vec![rand_t(&mut r, &[3, 4], 1.0), rand_t(&mut r, &[4, 5], 1.0)];
    gradcheck("matmul", &|t, v| t.matmul(v[0], v[1]), ins);
}

#[test]
fn add_sub_mul_same_shape_and_broadcast() {
    let mut r = Rng::new(2);
    let cases: Vec<(&[usize], &[usize])> = vec![
        (&[3, 4], &[3, 4]),
        (&[5, 4], &[4]),       // row vector over a batch
        (&[3, 1], &[1, 4]),    // outer broadcast
        (&[2, 3, 4], &[3, 1]), // middle axis
        (&[2, 3], &[]),        // a 0-d scalar
    ];
    for (sa, sb) in cases {
        for op in 0..3 {
            let ins = vec![rand_t(&mut r, sa, 1.0), rand_t(&mut r, sb, 1.0)];
            let f: Box<Build> = match op {
                0 => Box::new(|t: &mut Tape, v: &[Var]| t.add(v[0], v[1])),
                1 => Box::new(|t: &mut Tape, v: &[Var]| t.sub(v[0], v[1])),
                _ => Box::new(|t: &mut Tape, v: &[Var]| t.mul(v[0], v[1])),
            };
            gradcheck(&format!("binary {op} {sa:?} {sb:?}"), &*f, ins);
        }
    }
}

#[test]
fn broadcast_values_follow_numpy() {
    let mut t = Tape::new();
    let a = t.constant(Tensor::new(vec![2, 1], vec![1.0, 2.0]).unwrap());
    let b = t.constant(Tensor::new(vec![3], vec![10.0, 20.0, 30.0]).unwrap());
    let y = t.add(a, b).unwrap();
    assert_eq!(t.shape(y).unwrap(), &[2, 3]);
    assert_eq!(t.value(y).unwrap().data(), &[11.0, 21.0, 31.0, 12.0, 22.0, 32.0]);
    let c = t.constant(Tensor::zeros(vec![2, 2]));
    assert!(matches!(t.add(b, c), Err(AutogradError::Shape(_))));
}

#[test]
fn bias_add_rows_and_channels() {
    let mut r = Rng::new(3);
    let f = |t: &mut Tape, v: &[Var]| t.bias_add(v[0], v[1]);
    gradcheck("bias (N,F)", &f, vec![rand_t(&mut r, &[4, 3], 1.0), rand_t(&mut r, &[3], 1.0)]);
    gradcheck(
        "bias (N,C,H,W)",
        &f,
        vec![rand_t(&mut r, &[2, 3, 2, 4], 1.0), rand_t(&mut r, &[3], 1.0)],
    );
    let mut t = Tape::new();
    let x = t.constant(Tensor::zeros(vec![2, 3]));
    let b = t.constant(Tensor::zeros(vec![2]));
    assert!(t.bias_add(x, b).is_err());
}

#[test]
fn scale_and_add_scalar() {
    let mut r = Rng::new(4);
    gradcheck("scale", &|t, v| t.scale(v[0], -2.5), vec![rand_t(&mut r, &[3, 3], 1.0)]);
    gradcheck("add_scalar", &|t, v| t.add_scalar(v[0], 0.7), vec![rand_t(&mut r, &[5], 1.0)]);
    gradcheck("neg", &|t, v| t.neg(v[0]), vec![rand_t(&mut r, &[5], 1.0)]);
}

#[test]
fn unary_functions() {
    let mut r = Rng::new(5);
    let x = rand_t(&mut r, &[4, 5], 2.0);
    gradcheck("relu", &|t, v| t.relu(v[0]), vec![x.clone()]);
    gradcheck("leaky", &|t, v| t.leaky_relu(v[0], 0.1), vec![x.clone()]);
    gradcheck("sigmoid", &|t, v| t.sigmoid(v[0]), vec![x.clone()]);
    gradcheck("tanh", &|t, v| t.tanh(v[0]), vec![x.clone()]);
    gradcheck("exp", &|t, v| t.exp(v[0]), vec![rand_t(&mut r, &[4, 5], 1.0)]);
    gradcheck("log", &|t, v| t.log(v[0]), vec![pos_t(&mut r, &[4, 5], 0.5, 3.0)]);
    gradcheck("std_from_logvar", &|t, v| t.std_from_logvar(v[0]), vec![x]);
}

#[test]
fn unary_values() {
    let mut t = Tape::new();
    let x = t.constant(Tensor::new(vec![4], vec![-2.0, -0.5, 0.0, 3.0]).unwrap());
    let cases: Vec<(Var, [f32; 4])> = vec![
        (t.relu(x).unwrap(), [0.0, 0.0, 0.0, 3.0]),
        (t.leaky_relu(x, 0.1).unwrap(), [-0.2, -0.05, 0.0, 3.0]),
        (t.sigmoid(x).unwrap(), [0.11920292, 0.37754067, 0.5, 0.95257413]),
        (t.tanh(x).unwrap(), [-0.9640276, -0.46211716, 0.0, 0.9950548]),
        (t.std_from_logvar(x).unwrap(), [0.36787945, 0.7788008, 1.0, 4.481689]),
    ];
    for (v, want) in cases {
        for (a, b) in t.value(v).unwrap().data().iter().zip(want) {
            assert!((a - b).abs() <= 1e-6 + 1e-6 * b.abs(), "{a} vs {b}");
        }
    }
    // The stable sigmoid never overflows.
    let big = t.constant(Tensor::new(vec![2], vec![-1e4, 1e4]).unwrap());
    let s = t.sigmoid(big).unwrap();
    assert_eq!(t.value(s).unwrap().data(), &[0.0, 1.0]);
}

#[test]
fn reductions_and_reshape() {
    let mut r = Rng::new(6);
    let x = rand_t(&mut r, &[2, 3, 4], 1.0);
    gradcheck("sum", &|t, v| t.sum(v[0]), vec![x.clone()]);
    gradcheck("mean", &|t, v| t.mean(v[0]), vec![x.clone()]);
    for axis in 0..3 {
        gradcheck("sum_axis", &move |t, v| t.sum_axis(v[0], axis), vec![x.clone()]);
        gradcheck("mean_axis", &move |t, v| t.mean_axis(v[0], axis), vec![x.clone()]);
    }
    gradcheck("reshape", &|t, v| t.reshape(v[0], &[4, 6]), vec![x.clone()]);
    gradcheck("flatten", &|t, v| t.flatten(v[0]), vec![x.clone()]);

    let mut t = Tape::new();
    let v = t.constant(Tensor::from_fn(vec![2, 3], |i| i as f32));
    let s0 = t.sum_axis(v, 0).unwrap();
    let m1 = t.mean_axis(v, 1).unwrap();
    assert_eq!(t.value(s0).unwrap().data(), &[3.0, 5.0, 7.0]);
    assert_eq!(t.value(m1).unwrap().data(), &[1.0, 4.0]);
    assert!(t.sum_axis(v, 2).is_err());
    assert!(t.reshape(v, &[4]).is_err());
}

#[test]
fn conv2d_grads_with_stride_padding_dilation() {
    let mut r = Rng::new(7);
    let cases = [(1, 0, 1), (2, 1, 1), (1, 2, 2), (2, 0, 2), (3, 1, 1)];
    for (s, p, d) in cases {
        let params = Conv2dParams { stride: s, padding: p, dilation: d };
        let ins = vec![
            rand_t(&mut r, &[2, 2, 7, 6], 1.0),
            rand_t(&mut r, &[3, 2, 3, 3], 0.5),
            rand_t(&mut r, &[3], 0.5),
        ];
        gradcheck(
            &format!("conv2d s{s} p{p} d{d}"),
            &move |t, v| t.conv2d(v[0], v[1], Some(v[2]), params),
            ins,
        );
    }
    // Without bias, a non-square kernel.
    let ins = vec![rand_t(&mut r, &[1, 3, 5, 5], 1.0), rand_t(&mut r, &[2, 3, 2, 3], 0.5)];
    gradcheck("conv2d no bias", &|t, v| t.conv2d(v[0], v[1], None, Conv2dParams::default()), ins);
}

#[test]
fn conv2d_shape_errors() {
    let mut t = Tape::new();
    let x = t.constant(Tensor::zeros(vec![1, 2, 4, 4]));
    let w = t.constant(Tensor::zeros(vec![1, 3, 3, 3]));
    assert!(matches!(t.conv2d(x, w, None, Conv2dParams::default()), Err(AutogradError::Shape(_))));
    let big = t.constant(Tensor::zeros(vec![1, 2, 9, 9]));
    assert!(matches!(
        t.conv2d(x, big, None, Conv2dParams::default()),
        Err(AutogradError::Shape(_)) | Err(AutogradError::Conv(_))
    ));
}

#[test]
fn batch_norm_train_and_eval_grads() {
    let mut r = Rng::new(8);
    let train = |t: &mut Tape, v: &[Var]| {
        t.batch_norm(v[0], v[1], v[2], BatchNormMode::Train { eps: 1e-5 })
    };
    gradcheck(
        "bn1d train",
        &train,
        vec![rand_t(&mut r, &[6, 3], 1.0), rand_t(&mut r, &[3], 1.0), rand_t(&mut r, &[3], 1.0)],
    );
    gradcheck(
        "bn2d train",
        &train,
        vec![
            rand_t(&mut r, &[2, 3, 3, 2], 1.0),
            rand_t(&mut r, &[3], 1.0),
            rand_t(&mut r, &[3], 1.0),
        ],
    );
    let rm = [0.1f32, -0.2, 0.3];
    let rv = [0.5f32, 1.5, 2.0];
    let eval = move |t: &mut Tape, v: &[Var]| {
        t.batch_norm(
            v[0],
            v[1],
            v[2],
            BatchNormMode::Eval { running_mean: &rm, running_var: &rv, eps: 1e-3 },
        )
    };
    gradcheck(
        "bn1d eval",
        &eval,
        vec![rand_t(&mut r, &[5, 3], 1.0), rand_t(&mut r, &[3], 1.0), rand_t(&mut r, &[3], 1.0)],
    );
    gradcheck(
        "bn2d eval",
        &eval,
        vec![
            rand_t(&mut r, &[2, 3, 2, 2], 1.0),
            rand_t(&mut r, &[3], 1.0),
            rand_t(&mut r, &[3], 1.0),
        ],
    );
}

#[test]
fn batch_norm_batch_of_one_outputs_beta() {
    let mut t = Tape::new();
    let x = t.constant(Tensor::new(vec![1, 3], vec![5.0, -7.0, 0.25]).unwrap());
    let g = t.constant(Tensor::new(vec![3], vec![2.0, 3.0, 4.0]).unwrap());
    let b = t.constant(Tensor::new(vec![3], vec![0.5, -0.5, 1.5]).unwrap());
    let y = t.batch_norm(x, g, b, BatchNormMode::Train { eps: 1e-5 }).unwrap();
    assert_eq!(t.value(y).unwrap().data(), &[0.5, -0.5, 1.5]);
    let s = t.batch_stats(y).unwrap().unwrap();
    assert_eq!(s.var, vec![0.0; 3]);
    assert_eq!(s.count, 1);
}

#[test]
fn softmax_family_grads() {
    let mut r = Rng::new(9);
    let x = rand_t(&mut r, &[3, 5], 2.0);
    gradcheck("softmax", &|t, v| t.softmax(v[0]), vec![x.clone()]);
    gradcheck("log_softmax", &|t, v| t.log_softmax(v[0]), vec![x.clone()]);
    let targets = [4usize, 0, 2];
    gradcheck("cross_entropy", &move |t, v| t.cross_entropy(v[0], &targets), vec![x]);
}

#[test]
fn bce_mse_grads() {
    let mut r = Rng::new(10);
    let x = rand_t(&mut r, &[4, 3], 3.0);
    let y = pos_t(&mut r, &[4, 3], 0.0, 1.0);
    gradcheck("bce_with_logits", &|t, v| t.bce_with_logits(v[0], v[1]), vec![x.clone(), y]);
    let b = rand_t(&mut r, &[4, 3], 1.0);
    gradcheck("mse", &|t, v| t.mse(v[0], v[1]), vec![x, b]);
}

#[test]
fn vae_pieces_grads() {
    let mut r = Rng::new(11);
    let mu = rand_t(&mut r, &[3, 2], 1.0);
    let lv = rand_t(&mut r, &[3, 2], 1.0);
    let eps = Tensor::from_fn(vec![3, 2], |_| r.normal());
    let e2 = eps.clone();
    gradcheck(
        "reparameterize",
        &move |t, v| t.reparameterize(v[0], v[1], &e2),
        vec![mu.clone(), lv.clone()],
    );
    gradcheck("kl_normal", &|t, v| t.kl_normal(v[0], v[1]), vec![mu.clone(), lv.clone()]);
    gradcheck("kl_normal_loss", &|t, v| t.kl_normal_loss(v[0], v[1]), vec![mu, lv]);

    // Values: z = μ + e^{lv/2}·ε; KL(N(0,1) ‖ N(0,1)) = 0 and KL(μ=1, lv=0) = ½.
    let mut t = Tape::new();
    let m = t.constant(Tensor::new(vec![1, 2], vec![0.0, 1.0]).unwrap());
    let l = t.constant(Tensor::new(vec![1, 2], vec![0.0, 2.0f32.ln() * 2.0]).unwrap());
    let z = t.reparameterize(m, l, &Tensor::new(vec![1, 2], vec![0.5, -1.0]).unwrap()).unwrap();
    let zd = t.value(z).unwrap().data();
    assert!((zd[0] - 0.5).abs() < 1e-6 && (zd[1] - (1.0 - 2.0)).abs() < 1e-5, "{zd:?}");
    let l0 = t.constant(Tensor::zeros(vec![1, 2]));
    let k = t.kl_normal(m, l0).unwrap();
    assert_eq!(t.value(k).unwrap().data(), &[0.0, 0.5]);
}

#[test]
fn reused_input_accumulates() {
    // f(x) = x ⊙ x + x·x (matmul with itself): every use of x adds its share.
    let mut r = Rng::new(12);
    let f = |t: &mut Tape, v: &[Var]| {
        let a = t.mul(v[0], v[0])?;
        let b = t.matmul(v[0], v[0])?;
        let c = t.add(a, b)?;
        t.tanh(c)
    };
    gradcheck("reuse", &f, vec![rand_t(&mut r, &[3, 3], 0.8)]);
}

#[test]
fn a_small_composite_graph() {
    // A 2-layer net with a BN, tanh, softmax-CE and an MSE side loss.
    let mut r = Rng::new(13);
    let f = |t: &mut Tape, v: &[Var]| {
        let h = t.matmul(v[0], v[1])?;
        let h = t.bias_add(h, v[2])?;
        let h = t.batch_norm(h, v[3], v[4], BatchNormMode::Train { eps: 1e-5 })?;
        let h = t.tanh(h)?; // smooth: a kink of leaky ReLU within ±h would fool the difference
        let o = t.matmul(h, v[5])?;
        let ce = t.cross_entropy(o, &[0, 1, 2, 0, 1])?;
        let sq = t.mse(o, v[6])?;
        let s = t.scale(sq, 0.1)?;
        t.add(ce, s)
    };
    let ins = vec![
        rand_t(&mut r, &[5, 4], 1.0),
        rand_t(&mut r, &[4, 6], 0.7),
        rand_t(&mut r, &[6], 0.3),
        rand_t(&mut r, &[6], 1.0),
        rand_t(&mut r, &[6], 0.3),
        rand_t(&mut r, &[6, 3], 0.7),
        rand_t(&mut r, &[5, 3], 1.0),
    ];
    gradcheck("composite", &f, ins);
}

#[test]
fn errors_not_panics() {
    let mut t = Tape::new();
    let x = t.constant(Tensor::zeros(vec![2, 3]));
    let y = t.leaf(Tensor::zeros(vec![2, 3]));
    // Backward from a non-scalar needs an explicit seed.
    let s = t.add(x, y).unwrap();
    assert!(matches!(t.backward(s), Err(AutogradError::NotScalar { .. })));
    assert!(t.backward_with(s, &[1.0; 5]).is_err());
    // Class targets out of range, wrong count.
    assert!(matches!(t.cross_entropy(x, &[0, 3]), Err(AutogradError::Target { row: 1, .. })));
    assert!(t.cross_entropy(x, &[0]).is_err());
    // Matmul inner sizes.
    assert!(t.matmul(x, y).is_err());
    // Stale handles after a reset.
    t.reset();
    assert!(matches!(t.value(x), Err(AutogradError::StaleVar)));
    assert!(matches!(t.relu(y), Err(AutogradError::StaleVar)));
    // Inputs whose length does not match the shape.
    assert!(t.input(&[2, 2], &[1.0; 3]).is_err());
}

#[test]
fn constants_get_no_gradient_and_reset_reuses_buffers() {
    let mut t = Tape::new();
    for _ in 0..3 {
        t.reset();
        let c = t.input(&[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        let w = t.leaf(Tensor::from_fn(vec![2, 2], |i| i as f32));
        let y = t.matmul(c, w).unwrap();
        let l = t.sum(y).unwrap();
        t.backward(l).unwrap();
        assert!(t.grad(c).unwrap().is_none());
        // ∂Σ(C·W)/∂W[p][j] = Σ_i C[i][p] = column sums of C.
        assert_eq!(t.grad(w).unwrap().unwrap(), &[4.0, 4.0, 6.0, 6.0]);
        assert_eq!(t.len(), 4);
    }
}

// ---- the softmax family at large logits (|z| up to 1e4) against exact values ---------------

mod large {
    include!("reference/logits_large_cases.rs");
}

/// Worst `|got − want| / (atol + 1e-5·|want|)` so far (≤ 1 passes), with its place, and the
/// largest absolute and relative errors; printed by `softmax_family_large_logits_match_exact`.
#[derive(Default)]
struct Worst {
    abs: f64,
    /// The largest absolute error where `|want| ≤ 10` (f32's own resolution there is ≤ 1e-6).
    abs10: f64,
    rel: f64,
    ratio: f64,
    at: String,
}

impl Worst {
    fn add(&mut self, got: &[f32], want: &[f64], atol: f64, what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            let err = (g as f64 - w).abs();
            let err = if err.is_nan() { f64::INFINITY } else { err };
            self.abs = self.abs.max(err);
            if w.abs() <= 10.0 {
                self.abs10 = self.abs10.max(err);
            }
            if w.abs() > 1e-30 {
                self.rel = self.rel.max(err / w.abs());
            }
            let r = err / (atol + 1e-5 * w.abs());
            if r > self.ratio {
                self.ratio = r;
                self.at = format!("{what}[{i}]: got {g:e}, want {w:e}");
            }
        }
    }
}

#[test]
fn softmax_family_large_logits_match_exact() {
    // The errors are printed: cargo test --test core_autograd large_logits -- --nocapture
    let (mut sm, mut lsm, mut ce, mut grad, mut bce) =
        (Worst::default(), Worst::default(), Worst::default(), Worst::default(), Worst::default());
    for (c, case) in large::LARGE.iter().enumerate().filter(|(_, c)| c.t == 1.0) {
        let k = case.z.len();
        let what = |q: &str| format!("case {c} (K = {k}) {q}");
        let x = Tensor::new(vec![1, k], case.z.to_vec()).unwrap();
        let mut t = Tape::new();
        let v = t.constant(x.clone());
        let p = t.softmax(v).unwrap();
        sm.add(t.value(p).unwrap().data(), case.softmax, 1e-30, &what("softmax"));
        let l = t.log_softmax(v).unwrap();
        lsm.add(t.value(l).unwrap().data(), case.log_softmax, 0.0, &what("log_softmax"));
        for (target, &want) in case.ce.iter().enumerate() {
            let mut t = Tape::new();
            let v = t.leaf(x.clone());
            let loss = t.cross_entropy(v, &[target]).unwrap();
            ce.add(t.value(loss).unwrap().data(), &[want], 0.0, &what(&format!("CE t={target}")));
            t.backward(loss).unwrap();
            let mut g_want = case.softmax.to_vec();
            g_want[target] -= 1.0;
            // p − onehot is an f32 difference with 1: resolution 2^−24 there.
            grad.add(t.grad(v).unwrap().unwrap(), &g_want, 1.2e-7, &what("grad"));
        }
    }
    for &(x, y, want) in large::BCE_LARGE {
        let mut t = Tape::new();
        let xv = t.constant(Tensor::new(vec![1], vec![x]).unwrap());
        let yv = t.constant(Tensor::new(vec![1], vec![y]).unwrap());
        let loss = t.bce_with_logits(xv, yv).unwrap();
        bce.add(t.value(loss).unwrap().data(), &[want], 0.0, &format!("BCE({x}, {y})"));
    }
    let mut failed = Vec::new();
    for (name, w) in [
        ("softmax", &sm),
        ("log_softmax", &lsm),
        ("cross_entropy", &ce),
        ("cross_entropy grad", &grad),
        ("bce_with_logits", &bce),
    ] {
        println!(
            "Tape::{name:<20} max abs err {:.2e} (|ref| ≤ 10: {:.2e})  max rel err {:.2e}  worst/tol {:.2}  ({})",
            w.abs, w.abs10, w.rel, w.ratio, w.at
        );
        if w.ratio > 1.0 {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "beyond atol + 1e-5·|ref|: {failed:?}");
}
