//! Element-wise activations. ReLU: `relu(x) = max(0, x)`.

/// Applies ReLU in place: every negative value becomes 0.
pub fn relu_inplace(x: &mut [f32]) {
    for v in x {
        *v = v.max(0.0);
    }
}
