//! Element-wise activations. ReLU: `relu(x) = max(0, x)` (NaN becomes 0).

/// Applies ReLU in place: every negative value becomes 0.
///
/// ```
/// let mut x = [-1.0, 0.5, -0.0, 2.0];
/// dlviz::core::activation::relu_inplace(&mut x);
/// assert_eq!(x, [0.0, 0.5, 0.0, 2.0]);
/// ```
pub fn relu_inplace(x: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        let mut chunks = x.chunks_exact_mut(4);
        let zero = f32x4_splat(0.0);
        for c in &mut chunks {
            // SAFETY: `c` holds exactly 4 f32 (16 bytes); unaligned v128 loads/stores are
            // allowed in wasm.
            unsafe {
                let p = c.as_mut_ptr() as *mut v128;
                // pmax(0, v) = if 0 < v { v } else { 0 }: negatives and NaN become 0.
                v128_store(p, f32x4_pmax(zero, v128_load(p)));
            }
        }
        for v in chunks.into_remainder() {
            *v = if *v > 0.0 { *v } else { 0.0 };
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    for v in x.iter_mut() {
        // A select, not f32::max, so that it vectorises to one compare-and-blend.
        *v = if *v > 0.0 { *v } else { 0.0 };
    }
}

/// ReLU into `out` (same length as `x`; extra elements on either side are left alone).
pub fn relu_into(x: &[f32], out: &mut [f32]) {
    for (o, v) in out.iter_mut().zip(x) {
        *o = if *v > 0.0 { *v } else { 0.0 };
    }
}

/// ReLU out of place: a new vector with `max(0, x)` for every element.
pub fn relu(x: &[f32]) -> Vec<f32> {
    let mut out = x.to_vec();
    relu_inplace(&mut out);
    out
}
