// 2-D convolution (cross-correlation), NCHW, one invocation per output element:
//
//   y[n,f,i,j] = b[f] + Σ_c Σ_u Σ_v w[f,c,u,v] · x[n, c, s·i + d·u − p, s·j + d·v − p]
//
// with stride s, zero padding p (reads outside the image count as 0) and dilation d,
// then optionally ReLU: y ← max(y, 0).
//
// x: (N, C, H, W) -> y: (N, F, H', W');  w: (F, C, KH, KW);  b: (F)
// H' = ⌊(H + 2p − d(KH−1) − 1)/s⌋ + 1, likewise W'. N here is the chunk of the batch that
// this submission handles. The accumulation order (bias, then c, u, v) matches the CPU
// reference so both round alike.

struct Params {
    n: u32, c: u32, h: u32, w: u32,
    f: u32, kh: u32, kw: u32, ho: u32,
    wo: u32, stride: u32, pad: u32, dil: u32,
    // bit 0: add bias; bit 1: fused ReLU.
    flags: u32,
    // First output element of this dispatch (large jobs are split into several dispatches).
    base: u32,
    // N·F·H'·W': elements in the chunk.
    total: u32,
    unused: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;        // (N, C, H, W)
@group(0) @binding(1) var<storage, read> wt: array<f32>;       // (F, C, KH, KW)
@group(0) @binding(2) var<storage, read> bias: array<f32>;     // (F), or 1 unused value
@group(0) @binding(3) var<storage, read_write> y: array<f32>;  // (N, F, H', W')
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(64)
fn conv2d(@builtin(global_invocation_id) gid: vec3<u32>) {
    let idx = p.base + gid.x;
    if (idx >= p.total) {
        return;
    }
    // Flat index -> (n, f, i, j) of y.
    let j = idx % p.wo;
    let i = (idx / p.wo) % p.ho;
    let fi = (idx / (p.wo * p.ho)) % p.f;
    let ni = idx / (p.wo * p.ho * p.f);

    var acc = 0.0;
    if ((p.flags & 1u) != 0u) {
        acc = bias[fi];
    }
    // Top-left input pixel of the window (may be negative: padding).
    let y0 = i32(p.stride * i) - i32(p.pad);
    let x0 = i32(p.stride * j) - i32(p.pad);
    for (var ci = 0u; ci < p.c; ci += 1u) {
        let xplane = (ni * p.c + ci) * p.h;   // row 0 of x[n, c]
        let wplane = (fi * p.c + ci) * p.kh;  // row 0 of w[f, c]
        for (var u = 0u; u < p.kh; u += 1u) {
            let yy = y0 + i32(p.dil * u);
            if (yy < 0 || yy >= i32(p.h)) {
                continue;
            }
            let xrow = (xplane + u32(yy)) * p.w;
            let wrow = (wplane + u) * p.kw;
            for (var v = 0u; v < p.kw; v += 1u) {
                let xx = x0 + i32(p.dil * v);
                if (xx < 0 || xx >= i32(p.w)) {
                    continue;
                }
                acc += wt[wrow + v] * x[xrow + u32(xx)];
            }
        }
    }
    if ((p.flags & 2u) != 0u) {
        acc = max(acc, 0.0);
    }
    y[idx] = acc;
}
