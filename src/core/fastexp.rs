//! A fast, vectorised `exp` for the hot loops (softmax rows), accurate to a few ULP.
//!
//! WebAssembly has no `exp` instruction: `f32::exp` is a libm call per element. Here
//! `eˣ = 2ⁿ · eʳ` with `n = round(x·log₂e)` and `r = x − n·ln 2 ∈ [−½ln 2, ½ln 2]` (ln 2 split in
//! two constants, Cody–Waite, so `r` is exact), `eʳ` a degree-7 minimax polynomial (Cephes
//! `expf` coefficients)
//!
//! ```text
//! eʳ ≈ 1 + r + r²·(½ + r·(1/6 + r·(1/24 + r·(1/120 + r·(1/720 + r·1/5040)))))   (fitted values)
//! ```
//!
//! and `2ⁿ` built in the exponent bits. Inputs are clamped to `[−87.3, 88.7]` (the `f32` range
//! of `eˣ`, normal results) and flushed to 0 below `−87.3`, where the true value is under
//! `1.2·10⁻³⁸` (subnormal in `f32`): an absolute error below that, and exact zeros where a
//! softmax over extreme logits shows them. Measured maximum relative error against `f64::exp`: below 2·10⁻⁷
//! (the test below). The wasm SIMD128 path computes four lanes with
//! exactly the same operations as the scalar path, so both give identical bits.

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
const LO: f32 = -87.3;
const HI: f32 = 88.7;
const P0: f32 = 1.987_569_1e-4;
const P1: f32 = 1.398_2e-3;
const P2: f32 = 8.333_452e-3;
const P3: f32 = 4.166_579_6e-2;
const P4: f32 = 0.166_666_65;
const P5: f32 = 0.5;

/// `eˣ` for one value (the scalar twin of the vector path).
#[inline]
pub fn exp(x: f32) -> f32 {
    if x < LO {
        return 0.0;
    }
    let x = if x > HI { HI } else { x };
    let n = (x * LOG2E).round_ties_even();
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
    let y = p * r * r + r + 1.0;
    // n ∈ [−126, 128] after the clamp; scale in two halves so 2ⁿ never leaves the normal range.
    let n = n as i32;
    let h = n / 2;
    y * pow2(h) * pow2(n - h)
}

#[inline]
fn pow2(k: i32) -> f32 {
    f32::from_bits(((k + 127) as u32) << 23)
}

/// `out[i] = e^{(z[i] − shift)·scale}`, returning `Σ out[i]` (the softmax numerator and its sum).
/// `out` and `z` have the same length (extra elements of the longer one are ignored).
pub fn exp_shift_sum(z: &[f32], shift: f32, scale: f32, out: &mut [f32]) -> f32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::exp_shift_sum(z, shift, scale, out)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let mut s = 0.0f32;
        for (o, &v) in out.iter_mut().zip(z) {
            *o = exp((v - shift) * scale);
            s += *o;
        }
        s
    }
}

/// `xs[i] *= k`.
pub fn scale_inplace(xs: &mut [f32], k: f32) {
    for v in xs.iter_mut() {
        *v *= k;
    }
}

/// The largest value (`−∞` for an empty slice); NaNs are skipped (a NaN logit still reaches
/// the sum through [`exp_shift_sum`], so the softmax that uses both comes out NaN).
pub fn max(xs: &[f32]) -> f32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::max(xs)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        max_scalar(xs)
    }
}

/// [`max`] without SIMD (eight running maxima, so the compiler may still vectorise it).
#[cfg_attr(all(target_arch = "wasm32", target_feature = "simd128"), allow(dead_code))]
fn max_scalar(xs: &[f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for (l, &v) in lanes.iter_mut().zip(c) {
            *l = if v > *l { v } else { *l };
        }
    }
    let pick = |a: f32, &v: &f32| if v > a { v } else { a };
    let tail = chunks.remainder().iter().fold(f32::NEG_INFINITY, pick);
    lanes.iter().fold(tail, pick)
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::*;
    use core::arch::wasm32::*;

    #[inline]
    fn pow2(k: v128) -> v128 {
        i32x4_shl(i32x4_add(k, i32x4_splat(127)), 23)
    }

    /// Four lanes of [`super::exp`], the same operations in the same order.
    #[inline]
    fn exp4(x: v128) -> v128 {
        let under = f32x4_lt(x, f32x4_splat(LO));
        let x = f32x4_min(f32x4_max(x, f32x4_splat(LO)), f32x4_splat(HI));
        let n = f32x4_nearest(f32x4_mul(x, f32x4_splat(LOG2E)));
        let r = f32x4_sub(
            f32x4_sub(x, f32x4_mul(n, f32x4_splat(LN2_HI))),
            f32x4_mul(n, f32x4_splat(LN2_LO)),
        );
        let mut p = f32x4_add(f32x4_mul(f32x4_splat(P0), r), f32x4_splat(P1));
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(P2));
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(P3));
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(P4));
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(P5));
        let y = f32x4_add(f32x4_add(f32x4_mul(f32x4_mul(p, r), r), r), f32x4_splat(1.0));
        let n = i32x4_trunc_sat_f32x4(n);
        // Truncating division by 2, as Rust's `/` on i32: (n + (n < 0)) >> 1.
        let h = i32x4_shr(i32x4_sub(n, i32x4_lt(n, i32x4_splat(0))), 1);
        let e = f32x4_mul(f32x4_mul(y, pow2(h)), pow2(i32x4_sub(n, h)));
        v128_andnot(e, under)
    }

    /// [`super::max`] on two f32x4 running maxima. `pmax(a, b)` is `a < b ? b : a`: a NaN
    /// in `b` compares false and leaves `a`, so NaNs are skipped as in the scalar twin.
    pub(super) fn max(xs: &[f32]) -> f32 {
        let len = xs.len();
        let (mut m1, mut m2) = (f32x4_splat(f32::NEG_INFINITY), f32x4_splat(f32::NEG_INFINITY));
        let mut i = 0;
        while i + 8 <= len {
            // SAFETY: i + 8 ≤ len; unaligned loads are allowed in wasm.
            unsafe {
                m1 = f32x4_pmax(m1, v128_load(xs.as_ptr().add(i) as *const v128));
                m2 = f32x4_pmax(m2, v128_load(xs.as_ptr().add(i + 4) as *const v128));
            }
            i += 8;
        }
        let m = f32x4_pmax(m1, m2);
        let lanes = [
            f32x4_extract_lane::<0>(m),
            f32x4_extract_lane::<1>(m),
            f32x4_extract_lane::<2>(m),
            f32x4_extract_lane::<3>(m),
        ];
        let pick = |a: f32, &v: &f32| if v > a { v } else { a };
        let tail = xs[i..].iter().fold(f32::NEG_INFINITY, pick);
        lanes.iter().fold(tail, pick)
    }

    pub(super) fn exp_shift_sum(z: &[f32], shift: f32, scale: f32, out: &mut [f32]) -> f32 {
        let len = z.len().min(out.len());
        let (sh, sc) = (f32x4_splat(shift), f32x4_splat(scale));
        // Two independent sums of eight values per iteration: the adds do not wait on each
        // other, and the two exp4 chains interleave.
        let (mut acc, mut acc2) = (f32x4_splat(0.0), f32x4_splat(0.0));
        let mut i = 0;
        while i + 8 <= len {
            // SAFETY: i + 8 ≤ len ≤ both lengths; unaligned loads/stores are allowed in wasm.
            unsafe {
                let v = v128_load(z.as_ptr().add(i) as *const v128);
                let w = v128_load(z.as_ptr().add(i + 4) as *const v128);
                let e = exp4(f32x4_mul(f32x4_sub(v, sh), sc));
                let f = exp4(f32x4_mul(f32x4_sub(w, sh), sc));
                v128_store(out.as_mut_ptr().add(i) as *mut v128, e);
                v128_store(out.as_mut_ptr().add(i + 4) as *mut v128, f);
                acc = f32x4_add(acc, e);
                acc2 = f32x4_add(acc2, f);
            }
            i += 8;
        }
        let mut acc = f32x4_add(acc, acc2);
        while i + 4 <= len {
            // SAFETY: i + 4 ≤ len ≤ both lengths; unaligned loads/stores are allowed in wasm.
            unsafe {
                let v = v128_load(z.as_ptr().add(i) as *const v128);
                let e = exp4(f32x4_mul(f32x4_sub(v, sh), sc));
                v128_store(out.as_mut_ptr().add(i) as *mut v128, e);
                acc = f32x4_add(acc, e);
            }
            i += 4;
        }
        let mut s = f32x4_extract_lane::<0>(acc)
            + f32x4_extract_lane::<1>(acc)
            + f32x4_extract_lane::<2>(acc)
            + f32x4_extract_lane::<3>(acc);
        while i < len {
            out[i] = exp((z[i] - shift) * scale);
            s += out[i];
            i += 1;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_f64_exp_to_a_few_ulp() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x < 88.0 {
            let want = (x as f64).exp();
            let got = exp(x) as f64;
            worst = worst.max(((got - want) / want).abs());
            x += 0.0137;
        }
        assert!(worst < 2e-7, "max relative error {worst:e}");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-87.5), 0.0);
        assert!(exp(f32::NAN).is_nan());
    }
}
