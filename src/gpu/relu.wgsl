// ReLU, element-wise and in place: x[k] ← max(x[k], 0).
//
// x: (L) -> x: (L), any tensor seen as a flat array of L = total values.

struct Params {
    // First element of this dispatch (large arrays are split into several dispatches).
    base: u32,
    total: u32,
    unused0: u32,
    unused1: u32,
}

@group(0) @binding(0) var<storage, read_write> data: array<f32>;  // (L)
@group(0) @binding(1) var<uniform> p: Params;

@compute @workgroup_size(64)
fn relu(@builtin(global_invocation_id) gid: vec3<u32>) {
    let idx = p.base + gid.x;
    if (idx >= p.total) {
        return;
    }
    data[idx] = max(data[idx], 0.0);
}
