//! Logits → probabilities and losses, the numerically stable way (and the naive way, on purpose).
//!
//! A classifier outputs a vector of unnormalised scores `z` (logits). The formulas:
//!
//! * log-sum-exp: `lse(z) = log Σ_j e^{z_j} = m + log Σ_j e^{z_j − m}` with `m = max_j z_j`, so no
//!   `e^{…}` ever exceeds 1 and nothing overflows.
//! * softmax with temperature `T > 0`: `p_i = e^{z_i/T} / Σ_j e^{z_j/T}`, computed as
//!   `e^{(z_i − m)/T} / Σ_j e^{(z_j − m)/T}` — the identity `softmax(z) = softmax(z − c)` for any
//!   constant `c` makes the shift free. `log_softmax(z)_i = (z_i − m)/T − ln Σ_j e^{(z_j − m)/T}`
//!   (the shifted form, never `z_i/T − lse(z/T)`, whose two large terms would cancel).
//! * [`naive_softmax`] skips the shift: `e^{z_i}` overflows to `+∞` in `f32` once `z_i > 88.7`,
//!   and `∞/∞ = NaN`. It exists so the lesson can show that failure; never use it for training.
//! * cross-entropy of logits against a target class `t`: `CE = −log p_t = lse(z) − z_t`, evaluated
//!   as `(m − z_t) + ln Σ_j e^{z_j − m}` so that no two large numbers cancel, with gradient
//!   `∂CE/∂z = p − onehot(t)`.
//!
//! **Accuracy at large logits.** At `|z| ≈ 10⁴` an `f32` holds `lse(z)` only to ±5·10⁻⁴, so
//! `lse(z) − z_t` loses everything below that. Here the sum `Σ_j e^{(z_j − m)/T}` is split as
//! `1 + r` (the arg-max's term is exactly 1; `r` is accumulated in `f64`) and its log taken as
//! `ln_1p(r)`: a dominant class's `−ln p = ln(1 + r)` keeps its digits even when `r ≈ 10⁻⁹`.
//! `z_j − m` is exact in `f32` wherever `e^{z_j − m}` matters (Sterbenz), so log-softmax,
//! cross-entropy and softmax are within `10⁻⁵·|exact|` (softmax: plus `10⁻³⁰` for probabilities
//! at f32's floor) for `|z|/T` up to 10⁴ (`tests/core_logits.rs`, exact values from
//! `tests/reference/logits_large.py`).
//! * sigmoid `σ(x) = 1/(1+e^{−x})`, evaluated as `e^{x}/(1+e^{x})` for `x < 0` so neither branch
//!   overflows; softplus `log(1+e^{x}) = max(x,0) + log1p(e^{−|x|})`.
//! * binary cross-entropy with logits, target `y ∈ [0,1]`:
//!   `BCE(x, y) = −[y log σ(x) + (1−y) log(1−σ(x))] = softplus(x) − y·x`, finite for every finite
//!   `x`. [`naive_bce`] computes `σ(x)` first and then takes logs: `σ(x)` rounds to exactly `1`
//!   in `f32` for `x ≳ 16.6` (to `0` for `x < −88.7`), `log(0) = −∞`, and the loss becomes `+∞`.
//! * entropy of a distribution: `H(p) = −Σ p_i log p_i` (nats, with `0 · log 0 = 0`).
//!
//! Everything works on `f32` slices (the tensors' element type), row by row, with sums
//! accumulated in `f64`; the `_rows` variants treat a flat slice as `(N, K)` row-major, one
//! softmax per row.

use super::fastexp;
use std::fmt;

/// Why a logits computation was refused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LogitsError {
    /// No logits (a softmax over zero classes is undefined).
    Empty,
    /// The temperature must be finite and `> 0`.
    BadTemperature(f32),
    /// The target class index is not below the number of classes.
    TargetOutOfRange {
        /// The requested target.
        target: usize,
        /// The number of classes.
        classes: usize,
    },
    /// A slice length does not match (output buffer, or `len` not a multiple of the row length).
    Shape {
        /// The argument whose length is wrong (`out`, `z`).
        what: &'static str,
        /// The expected length.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A probability that is negative, NaN or infinite (a distribution's entries must be ≥ 0).
    BadProbability {
        /// Its index in `p`.
        index: usize,
        /// Its value.
        value: f32,
    },
}

impl fmt::Display for LogitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogitsError::Empty => write!(f, "no logits"),
            LogitsError::BadTemperature(t) => write!(f, "temperature {t} is not > 0"),
            LogitsError::TargetOutOfRange { target, classes } => {
                write!(f, "target class {target} is not below {classes}")
            }
            LogitsError::Shape { what, expected, got } => {
                write!(f, "{what} has length {got}, expected {expected}")
            }
            LogitsError::BadProbability { index, value } => {
                write!(f, "p[{index}] = {value}: a probability must be finite and ≥ 0")
            }
        }
    }
}

impl std::error::Error for LogitsError {}

fn check_temperature(t: f32) -> Result<(), LogitsError> {
    if t.is_finite() && t > 0.0 {
        Ok(())
    } else {
        Err(LogitsError::BadTemperature(t))
    }
}

/// The pieces of one row's shifted softmax sum: the row's max `m` and
/// `rest = Σ_{j ≠ arg max} e^{(z_j − m)/T}` accumulated in `f64`, so that `Σ_j e^{(z_j − m)/T} =
/// 1 + rest` and its log is `ln_1p(rest)` — accurate even where `rest` is far below `f32`'s
/// resolution of 1.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShiftedSum {
    /// The row's largest logit.
    pub m: f32,
    /// The sum of the other classes' `e^{(z_j − m)/T}`.
    pub rest: f64,
}

impl ShiftedSum {
    /// `ln Σ_j e^{(z_j − m)/T}` (≥ 0).
    pub fn log_sum(&self) -> f64 {
        self.rest.ln_1p()
    }
}

/// `out_j = e^{(z_j − m)/t}` for `m ≥ max z`, returning `Σ out_j` in `f32`: the vectorised
/// [`fastexp`] with `1/t`, or, where `1/t` overflows (a subnormal `t`), the exponents in `f64`
/// (`0·∞` would make the arg-max's term NaN).
// z: (K) -> out: (K)
fn exp_shift(z: &[f32], m: f32, t: f32, out: &mut [f32]) -> f32 {
    let inv_t = 1.0 / t;
    if inv_t.is_finite() {
        return fastexp::exp_shift_sum(z, m, inv_t, out);
    }
    let inv_t = 1.0 / f64::from(t);
    let mut s = 0.0f32;
    for (o, &v) in out.iter_mut().zip(z) {
        *o = fastexp::exp_nonpositive(((f64::from(v) - f64::from(m)) * inv_t) as f32);
        s += *o;
    }
    s
}

/// Writes `out_j = e^{(z_j − m)/t}` (the vectorised [`fastexp`], `m = max z`) and returns
/// `m` and the `f64` sum of every term but the arg-max's (which is exactly 1). `None` when `m`
/// is not finite (empty row, all `−∞`, some `+∞`): the caller gives IEEE's answer. A NaN logit
/// makes `rest` NaN.
// z: (K) -> out: (K)
pub(crate) fn shifted_exp(z: &[f32], t: f32, out: &mut [f32]) -> Option<ShiftedSum> {
    let m = fastexp::max(z);
    if !m.is_finite() {
        return None;
    }
    exp_shift(z, m, t, out);
    // Skip one term equal to 1 (the arg-max's e^0); any other 1 (a tie) is part of the rest.
    let mut skipped = false;
    let mut rest = 0.0f64;
    for &e in out.iter() {
        if e == 1.0 && !skipped {
            skipped = true;
        } else {
            rest += e as f64;
        }
    }
    Some(ShiftedSum { m, rest })
}

/// `log Σ e^{z_j}`, max-subtracted (`m + ln_1p(rest)` in `f64`, rounded once): exact to
/// rounding for any finite input, `−∞` for an empty slice (the log of an empty sum), `+∞` if
/// some `z_j = +∞`, NaN if some `z_j` is NaN.
///
/// ```
/// use dlviz::core::logits::logsumexp;
/// assert!((logsumexp(&[1e4, 1e4]) - (1e4 + 2f32.ln())).abs() < 1e-3);
/// ```
pub fn logsumexp(z: &[f32]) -> f32 {
    let mut e = vec![0.0; z.len()];
    match shifted_exp(z, 1.0, &mut e) {
        Some(s) => (s.m as f64 + s.log_sum()) as f32,
        // −∞: empty or all −∞ (log 0); +∞ dominates; NaN propagates.
        None => {
            if z.iter().any(|v| v.is_nan()) {
                f32::NAN
            } else {
                fastexp::max(z)
            }
        }
    }
}

/// Stable softmax of `z / t` written into `out` (same length as `z`).
// z: (K) -> out: (K)
pub fn softmax_into(z: &[f32], t: f32, out: &mut [f32]) -> Result<(), LogitsError> {
    check_temperature(t)?;
    if z.is_empty() {
        return Err(LogitsError::Empty);
    }
    if out.len() != z.len() {
        return Err(LogitsError::Shape { what: "out", expected: z.len(), got: out.len() });
    }
    let m = fastexp::max(z);
    if !m.is_finite() {
        // ±∞ or NaN among the logits: the exact (libm) path gives IEEE's answer.
        let mut s = 0.0f32;
        for (o, &v) in out.iter_mut().zip(z) {
            *o = ((v - m) / t).exp();
            s += *o;
        }
        out.iter_mut().for_each(|o| *o /= s);
        return Ok(());
    }
    // Hot path: e^{(z − m)/t} with the vectorised exp (≤ 2·10⁻⁷ relative error), one pass.
    let s = exp_shift(z, m, t, out);
    fastexp::scale_inplace(out, 1.0 / s);
    Ok(())
}

/// Stable softmax of `z / t` (`t = 1` is the plain softmax; `t → 0` tends to one-hot argmax,
/// large `t` to uniform). The probabilities are positive and sum to 1 for any finite `z`.
///
/// ```
/// use dlviz::core::logits::softmax;
/// let p = softmax(&[1000.0, 1000.0], 1.0).unwrap();
/// assert_eq!(p, vec![0.5, 0.5]);
/// ```
pub fn softmax(z: &[f32], t: f32) -> Result<Vec<f32>, LogitsError> {
    let mut out = vec![0.0; z.len()];
    softmax_into(z, t, &mut out)?;
    Ok(out)
}

/// Stable `log softmax(z / t)`: `(z_i − m)/t − ln Σ_j e^{(z_j − m)/t}` with `m = max z`, finite
/// for finite `z` even where the probability itself underflows to 0, and accurate to `10⁻⁵`
/// relative for `|z|/t` up to `10⁴` (see the module docs).
pub fn log_softmax(z: &[f32], t: f32) -> Result<Vec<f32>, LogitsError> {
    check_temperature(t)?;
    if z.is_empty() {
        return Err(LogitsError::Empty);
    }
    let mut out = vec![0.0; z.len()];
    let Some(s) = shifted_exp(z, t, &mut out) else {
        // A non-finite max: IEEE's answer from the plain shifted form.
        let m = fastexp::max(z);
        let lse = logsumexp(&z.iter().map(|&v| (v - m) / t).collect::<Vec<_>>());
        return Ok(z.iter().map(|&v| (v - m) / t - lse).collect());
    };
    let (m, t, log_sum) = (s.m as f64, t as f64, s.log_sum());
    for (o, &v) in out.iter_mut().zip(z) {
        *o = ((v as f64 - m) / t - log_sum) as f32;
    }
    Ok(out)
}

/// **Naive, deliberately unstable** softmax: `e^{z_i/t} / Σ_j e^{z_j/t}` without subtracting the
/// max. In `f32`, `e^{x}` is `+∞` for `x > 88.72`, so large logits give `∞/∞ = NaN` (and very
/// negative ones `0/0 = NaN`). Shown beside [`softmax`] in the lesson; do not train with it.
pub fn naive_softmax(z: &[f32], t: f32) -> Result<Vec<f32>, LogitsError> {
    check_temperature(t)?;
    if z.is_empty() {
        return Err(LogitsError::Empty);
    }
    let e: Vec<f32> = z.iter().map(|&v| (v / t).exp()).collect();
    let s: f32 = e.iter().sum();
    Ok(e.iter().map(|&v| v / s).collect())
}

/// Row-wise stable softmax: `z` is `(N, K)` row-major with `K = classes`; `out` likewise.
// z: (N, K) -> out: (N, K)
pub fn softmax_rows_into(
    z: &[f32],
    classes: usize,
    t: f32,
    out: &mut [f32],
) -> Result<(), LogitsError> {
    if classes == 0 {
        return Err(LogitsError::Empty);
    }
    if !z.len().is_multiple_of(classes) {
        let expected = z.len() / classes * classes;
        return Err(LogitsError::Shape { what: "z", expected, got: z.len() });
    }
    if out.len() != z.len() {
        return Err(LogitsError::Shape { what: "out", expected: z.len(), got: out.len() });
    }
    for (zr, or) in z.chunks_exact(classes).zip(out.chunks_exact_mut(classes)) {
        softmax_into(zr, t, or)?;
    }
    Ok(())
}

/// Logistic sigmoid `1/(1+e^{−x})`, stable for both signs: for `x ≥ 0` it uses `e^{−x} ≤ 1`,
/// for `x < 0` the equal form `e^{x}/(1+e^{x})`, so no `exp` overflows.
pub fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Naive sigmoid `1/(1+e^{−x})` (what a first implementation writes): fine in value, but it
/// rounds to exactly `1.0` for `x ≳ 16.6` in `f32`, which is what breaks [`naive_bce`].
pub fn naive_sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `softplus(x) = log(1 + e^{x}) = max(x, 0) + log1p(e^{−|x|})`: never overflows, and equals
/// `x` to rounding for large `x`.
pub fn softplus(x: f32) -> f32 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

fn check_target(z: &[f32], target: usize) -> Result<(), LogitsError> {
    if z.is_empty() {
        return Err(LogitsError::Empty);
    }
    if target >= z.len() {
        return Err(LogitsError::TargetOutOfRange { target, classes: z.len() });
    }
    Ok(())
}

/// Cross-entropy of logits `z` against class `target`: `−log softmax(z)_t = lse(z) − z_t`
/// (nats), evaluated as `(m − z_t) + ln Σ_j e^{z_j − m}`. Stable: finite for any finite logits,
/// however large, and accurate to `10⁻⁵` relative for `|z|` up to `10⁴`.
pub fn cross_entropy(z: &[f32], target: usize) -> Result<f32, LogitsError> {
    check_target(z, target)?;
    let mut e = vec![0.0; z.len()];
    let Some(s) = shifted_exp(z, 1.0, &mut e) else {
        // A non-finite max: IEEE's answer.
        return Ok(logsumexp(z) - z[target]);
    };
    Ok(((s.m as f64 - z[target] as f64) + s.log_sum()) as f32)
}

/// Gradient of [`cross_entropy`] with respect to the logits: `softmax(z) − onehot(target)`.
/// Its entries sum to 0; the target's is in `[−1, 0]`, the others in `[0, 1]`.
pub fn cross_entropy_grad(z: &[f32], target: usize) -> Result<Vec<f32>, LogitsError> {
    check_target(z, target)?;
    let mut g = softmax(z, 1.0)?;
    g[target] -= 1.0;
    Ok(g)
}

/// Binary cross-entropy of a logit `x` against a target probability `y ∈ [0, 1]`, stable:
/// `softplus(x) − y·x`, evaluated as `(max(x,0) − y·x) + log1p(e^{−|x|})`.
pub fn bce_with_logits(x: f32, y: f32) -> f32 {
    // The linear part first, so that a tiny log1p term is not lost against a large x
    // (e.g. x = 40, y = 1: 0 + 4.2e-18, where `softplus(x) − x` would round to 0).
    (x.max(0.0) - y * x) + (-x.abs()).exp().ln_1p()
}

/// **Naive, deliberately unstable** BCE: `σ(x)` first, then `−[y log σ + (1−y) log(1−σ)]`.
/// Where `σ(x)` rounds to `1` (or `0`) the log of the other term is `log 0 = −∞` and the loss
/// is `+∞` (or `NaN` if a zero weight multiplies the `−∞`: `0 · ∞`). For the lesson only.
pub fn naive_bce(x: f32, y: f32) -> f32 {
    let p = naive_sigmoid(x);
    -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
}

/// Entropy `−Σ p_i ln p_i` of a distribution (nats), with `0 · ln 0 = 0`, summed in `f64`.
/// `ln K` for the uniform distribution over `K` classes, 0 for a one-hot one. An empty `p` is
/// [`LogitsError::Empty`]; a negative, NaN or infinite entry is
/// [`LogitsError::BadProbability`] (it used to give a number).
pub fn entropy(p: &[f32]) -> Result<f32, LogitsError> {
    if p.is_empty() {
        return Err(LogitsError::Empty);
    }
    if let Some((index, &value)) =
        p.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(LogitsError::BadProbability { index, value });
    }
    let h: f64 = p.iter().filter(|&&v| v > 0.0).map(|&v| f64::from(v) * f64::from(v).ln()).sum();
    Ok((-h) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_not_panics() {
        assert_eq!(softmax(&[], 1.0), Err(LogitsError::Empty));
        assert_eq!(softmax(&[1.0], 0.0), Err(LogitsError::BadTemperature(0.0)));
        assert!(matches!(softmax(&[1.0], f32::NAN), Err(LogitsError::BadTemperature(_))));
        assert_eq!(
            cross_entropy(&[1.0, 2.0], 2),
            Err(LogitsError::TargetOutOfRange { target: 2, classes: 2 })
        );
        let mut out = [0.0; 3];
        assert!(softmax_rows_into(&[1.0; 4], 3, 1.0, &mut out).is_err());
        assert_eq!(logsumexp(&[]), f32::NEG_INFINITY);
        assert_eq!(entropy(&[]), Err(LogitsError::Empty));
    }

    #[test]
    fn subnormal_temperature_is_the_arg_max_not_nan() {
        // 1/t overflows to ∞ for t < 2.9e-39, and (m − m)·∞ = NaN on the fast path.
        let t = 1e-40;
        assert_eq!(softmax(&[1.0, 2.0, 2.0 - 1e-6], t).unwrap(), vec![0.0, 1.0, 0.0]);
        assert_eq!(log_softmax(&[1.0, 2.0], t).unwrap(), vec![f32::NEG_INFINITY, 0.0]);
    }
}
