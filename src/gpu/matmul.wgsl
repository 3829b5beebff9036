// Tiled matrix product, the GPU twin of core::matmul::gemm:
//
//   C[i][j] = (C[i][j] if accumulate) + Σ_p op(A)[i][p] · op(B)[p][j]
//
// op(A): m × k, stored (m, k) row-major, or (k, m) when bit 0 of `flags` is set (Aᵀ).
// op(B): k × n, stored (k, n) row-major, or (n, k) when bit 1 of `flags` is set (Bᵀ).
// C: (m, n) row-major. Bit 2 of `flags`: accumulate into C instead of overwriting it.
//
// Each workgroup computes a 64 × 64 tile of C with 16 × 16 invocations, each owning a 4 × 4
// block held in registers; op(A) and op(B) stream through workgroup memory 16 columns/rows
// at a time. Dispatch: (⌈n/64⌉, ⌈m/64⌉, 1) workgroups.

struct Params {
    m: u32,
    n: u32,
    k: u32,
    flags: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

const TILE: u32 = 64u;
const TK: u32 = 16u;

var<workgroup> tile_a: array<f32, 1024>; // [TK][TILE]: tile_a[q * TILE + i] = op(A)[row0 + i][t + q]
var<workgroup> tile_b: array<f32, 1024>; // [TK][TILE]: tile_b[q * TILE + j] = op(B)[t + q][col0 + j]

fn load_a(i: u32, q: u32) -> f32 {
    if (i >= p.m || q >= p.k) {
        return 0.0;
    }
    if ((p.flags & 1u) != 0u) {
        return a[q * p.m + i];
    }
    return a[i * p.k + q];
}

fn load_b(q: u32, j: u32) -> f32 {
    if (q >= p.k || j >= p.n) {
        return 0.0;
    }
    if ((p.flags & 2u) != 0u) {
        return b[j * p.k + q];
    }
    return b[q * p.n + j];
}

@compute @workgroup_size(16, 16, 1)
fn matmul(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let row0 = wg.y * TILE;
    let col0 = wg.x * TILE;
    let tr = lid.y * 4u;
    let tc = lid.x * 4u;
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    let a_t = (p.flags & 1u) != 0u;
    let b_t = (p.flags & 2u) != 0u;
    for (var t = 0u; t < p.k; t += TK) {
        for (var e = 0u; e < 4u; e++) {
            let idx = li + e * 256u;
            // Walk memory contiguously: along k when the stored row runs along k.
            if (a_t) {
                let q = idx / TILE;
                let i = idx % TILE;
                tile_a[q * TILE + i] = load_a(row0 + i, t + q);
            } else {
                let i = idx / TK;
                let q = idx % TK;
                tile_a[q * TILE + i] = load_a(row0 + i, t + q);
            }
            if (b_t) {
                let j = idx / TK;
                let q = idx % TK;
                tile_b[q * TILE + j] = load_b(t + q, col0 + j);
            } else {
                let q = idx / TILE;
                let j = idx % TILE;
                tile_b[q * TILE + j] = load_b(t + q, col0 + j);
            }
        }
        workgroupBarrier();
        for (var q = 0u; q < TK; q++) {
            let ab = q * TILE + tr;
            let bb = q * TILE + tc;
            let bv = vec4<f32>(tile_b[bb], tile_b[bb + 1u], tile_b[bb + 2u], tile_b[bb + 3u]);
            acc0 += tile_a[ab] * bv;
            acc1 += tile_a[ab + 1u] * bv;
            acc2 += tile_a[ab + 2u] * bv;
            acc3 += tile_a[ab + 3u] * bv;
        }
        workgroupBarrier();
    }
    let accumulate = (p.flags & 4u) != 0u;
    for (var r = 0u; r < 4u; r++) {
        let i = row0 + tr + r;
        if (i >= p.m) {
            break;
        }
        var v = acc0;
        if (r == 1u) {
            v = acc1;
        } else if (r == 2u) {
            v = acc2;
        } else if (r == 3u) {
            v = acc3;
        }
        for (var s = 0u; s < 4u; s++) {
            let j = col0 + tc + s;
            if (j < p.n) {
                let o = i * p.n + j;
                if (accumulate) {
                    c[o] = c[o] + v[s];
                } else {
                    c[o] = v[s];
                }
            }
        }
    }
}
