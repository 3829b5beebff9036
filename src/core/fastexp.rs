//! A fast, vectorised `eˣ` for `x ≤ 0` — the range a softmax needs once the row's maximum is
//! subtracted — accurate to a few ULP.
//!
//! WebAssembly has no `exp` instruction: `f32::exp` is a libm call per element. Here
//! `eˣ = 2ⁿ · eʳ` with `n = round(x·log₂e)` and `r = x − n·ln 2 ∈ [−½ln 2, ½ln 2]` (ln 2 split in
//! two constants, Cody–Waite, so `r` is exact to rounding), and
//!
//! ```text
//! eˣ ≈ s + (r·s)·(c₁ + r·(c₂ + r·(c₃ + r·(c₄ + r·c₅))))       s = 2ⁿ
//! ```
//!
//! with `c₁…c₅` fitted to the relative error of `eʳ` on the reduction interval (Lawson's
//! minimax iteration; `tests/reference/fastexp_fit.py`), 9·10⁻⁸ before rounding. Two tricks
//! keep it short:
//!
//! * rounding by a "magic" addition: `x·log₂e + (1.5·2²³ + 127)` rounds `x·log₂e` to the nearest
//!   integer (ties to even) in the low mantissa bits, and those bits shifted left by 23 are the
//!   IEEE bit pattern of `2ⁿ` — no float→int conversion, no exponent arithmetic;
//! * no upper clamp: `x ≤ 0` gives `n ≤ 0`, so `2ⁿ` never overflows. Inputs above 0 are treated as
//!   0 (the callers subtract the maximum first); below `−87.3`, where `eˣ < 1.2·10⁻³⁸` is subnormal
//!   in `f32` and `2ⁿ` would leave the normal range, the result is exactly 0 (an absolute error
//!   under `1.2·10⁻³⁸`, and exact zeros where a softmax over extreme logits shows them).
//!
//! Maximum relative error against `f64::exp`, every `f32` in `[−87.3, 0]` evaluated by the
//! script: 1.85·10⁻⁷ (about 3 ULP). It is all the time there is: a softmax row costs about 22
//! vector float operations per four elements, and those (not memory) bound its speed.
//! The wasm SIMD128 path computes four lanes with exactly the same operations in the same order
//! as the scalar [`exp_nonpositive`], so both give identical bits (`tests/web_softmax.rs`).

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Below this, `eˣ` is subnormal in `f32`; the result is 0.
const LO: f32 = -87.3;
/// `1.5·2²³ + 127`: adding it rounds to an integer and leaves `n + 127` in the low mantissa bits.
const MAGIC: f32 = 12_583_039.0;
const C1: f32 = 0.999_999_7;
const C2: f32 = 0.499_991_5;
const C3: f32 = 0.166_676_37;
const C4: f32 = 0.041_897_96;
const C5: f32 = 0.008_290_295;

/// `eˣ` for `x ≤ 0` (values above 0 count as 0; NaN gives NaN): the scalar twin of the vector
/// path.
#[inline]
pub fn exp_nonpositive(x: f32) -> f32 {
    let x = if 0.0 < x { 0.0 } else { x };
    let nb = x * LOG2E + MAGIC;
    let s = f32::from_bits(nb.to_bits() << 23);
    let n = nb - MAGIC;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let p = (((C5 * r + C4) * r + C3) * r + C2) * r + C1;
    let e = (r * s) * p + s;
    if x < LO {
        0.0
    } else {
        e
    }
}

/// `out[i] = e^{(z[i] − shift)·scale}`, returning `Σ out[i]` (the softmax numerator and its sum).
/// For `shift ≥ max z` and `scale > 0` (a softmax's max and `1/T`) every exponent is `≤ 0`, the
/// range of [`exp_nonpositive`]; larger exponents count as 0. `out` and `z` have the same length
/// (extra elements of the longer one are ignored).
pub fn exp_shift_sum(z: &[f32], shift: f32, scale: f32, out: &mut [f32]) -> f32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::exp_shift_sum(z, shift, scale, out)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        let mut s = 0.0f32;
        for (o, &v) in out.iter_mut().zip(z) {
            *o = exp_nonpositive((v - shift) * scale);
            s += *o;
        }
        s
    }
}

/// `xs[i] *= k`.
pub fn scale_inplace(xs: &mut [f32], k: f32) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::scale_inplace(xs, k)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
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
    use core::hint::black_box;

    /// The constants of [`exp4`] as runtime values. V8 rebuilds a `v128.const` from immediates
    /// at every use, and LLVM prefers repeating a constant to keeping it in a local; made opaque
    /// with `black_box` once per call, they are splatted once and stay in registers.
    struct K {
        zero: v128,
        lo: v128,
        log2e: v128,
        magic: v128,
        ln2_hi: v128,
        ln2_lo: v128,
        c: [v128; 5],
    }

    impl K {
        #[inline(always)]
        fn new() -> K {
            let s = |v: f32| f32x4_splat(black_box(v));
            K {
                zero: s(0.0),
                lo: s(LO),
                log2e: s(LOG2E),
                magic: s(MAGIC),
                ln2_hi: s(LN2_HI),
                ln2_lo: s(LN2_LO),
                c: [s(C1), s(C2), s(C3), s(C4), s(C5)],
            }
        }
    }

    /// Four lanes of [`super::exp_nonpositive`], the same operations in the same order.
    /// `pmin(a, b)` is `b < a ? b : a`: one instruction on x86 (wasm's `min` carries NaN and ±0
    /// rules that cost several), and a NaN `x` passes through it.
    #[inline(always)]
    fn exp4(x: v128, k: &K) -> v128 {
        let x = f32x4_pmin(x, k.zero);
        let nb = f32x4_add(f32x4_mul(x, k.log2e), k.magic);
        let s = i32x4_shl(nb, 23);
        let n = f32x4_sub(nb, k.magic);
        let r = f32x4_sub(f32x4_sub(x, f32x4_mul(n, k.ln2_hi)), f32x4_mul(n, k.ln2_lo));
        let mut p = f32x4_add(f32x4_mul(k.c[4], r), k.c[3]);
        p = f32x4_add(f32x4_mul(p, r), k.c[2]);
        p = f32x4_add(f32x4_mul(p, r), k.c[1]);
        p = f32x4_add(f32x4_mul(p, r), k.c[0]);
        let e = f32x4_add(f32x4_mul(f32x4_mul(r, s), p), s);
        v128_andnot(e, f32x4_lt(x, k.lo))
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

    /// [`super::scale_inplace`] four lanes at a time (the release profile's opt-level "s" does
    /// not vectorise the plain loop; measured 20 % of a softmax).
    pub(super) fn scale_inplace(xs: &mut [f32], k: f32) {
        let kv = f32x4_splat(k);
        let mut chunks = xs.chunks_exact_mut(4);
        for c in &mut chunks {
            // SAFETY: `c` holds exactly four floats; unaligned loads/stores are allowed in wasm.
            unsafe {
                let p = c.as_mut_ptr() as *mut v128;
                v128_store(p, f32x4_mul(v128_load(p), kv));
            }
        }
        for v in chunks.into_remainder() {
            *v *= k;
        }
    }

    pub(super) fn exp_shift_sum(z: &[f32], shift: f32, scale: f32, out: &mut [f32]) -> f32 {
        let len = z.len().min(out.len());
        let (sh, sc) = (f32x4_splat(shift), f32x4_splat(scale));
        let k = K::new();
        // Four vectors per iteration, each with its own running sum: the four exp4 chains are
        // independent, so the CPU overlaps them and the sums never wait on each other.
        let (mut acc, mut acc2, mut acc3, mut acc4) = (k.zero, k.zero, k.zero, k.zero);
        let mut i = 0;
        while i + 16 <= len {
            // SAFETY: i + 16 ≤ len ≤ both lengths; unaligned loads/stores are allowed in wasm.
            unsafe {
                let zp = z.as_ptr().add(i);
                let op = out.as_mut_ptr().add(i);
                let e1 = exp4(f32x4_mul(f32x4_sub(v128_load(zp as *const v128), sh), sc), &k);
                let e2 =
                    exp4(f32x4_mul(f32x4_sub(v128_load(zp.add(4) as *const v128), sh), sc), &k);
                let e3 =
                    exp4(f32x4_mul(f32x4_sub(v128_load(zp.add(8) as *const v128), sh), sc), &k);
                let e4 =
                    exp4(f32x4_mul(f32x4_sub(v128_load(zp.add(12) as *const v128), sh), sc), &k);
                v128_store(op as *mut v128, e1);
                v128_store(op.add(4) as *mut v128, e2);
                v128_store(op.add(8) as *mut v128, e3);
                v128_store(op.add(12) as *mut v128, e4);
                acc = f32x4_add(acc, e1);
                acc2 = f32x4_add(acc2, e2);
                acc3 = f32x4_add(acc3, e3);
                acc4 = f32x4_add(acc4, e4);
            }
            i += 16;
        }
        let acc = f32x4_add(acc, acc3);
        let acc2 = f32x4_add(acc2, acc4);
        let mut acc = f32x4_add(acc, acc2);
        while i + 4 <= len {
            // SAFETY: i + 4 ≤ len ≤ both lengths; unaligned loads/stores are allowed in wasm.
            unsafe {
                let v = v128_load(z.as_ptr().add(i) as *const v128);
                let e = exp4(f32x4_mul(f32x4_sub(v, sh), sc), &k);
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
            out[i] = exp_nonpositive((z[i] - shift) * scale);
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
        let mut x = -87.3f32;
        while x <= 0.0 {
            let want = (x as f64).exp();
            let got = exp_nonpositive(x) as f64;
            worst = worst.max(((got - want) / want).abs());
            x += 0.00731;
        }
        assert!(worst < 2e-7, "max relative error {worst:e}");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-0.0), 1.0);
        assert_eq!(exp_nonpositive(3.0), 1.0, "above 0 counts as 0");
        assert_eq!(exp_nonpositive(-87.5), 0.0);
        assert_eq!(exp_nonpositive(f32::NEG_INFINITY), 0.0);
        assert!(exp_nonpositive(f32::NAN).is_nan());
    }
}
