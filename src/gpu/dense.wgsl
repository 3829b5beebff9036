// Element-wise and reduction kernels of the GPU-resident dense trainer (`dense.rs`). The
// matrix products come from `matmul.wgsl`. Each kernel has its own bindings (distinct
// numbers, so the module can be compiled once per entry point with that entry's layout).
//
// Activations are applied in place: the matmul writes Z into A's buffer, `bias_act` turns it
// into A = act(Z + b), and the backward pass differentiates through A alone:
//   relu'    = [A > 0]        sigmoid' = A (1 − A)        tanh' = 1 − A²        identity' = 1

// ---- bias_act: a ← act(a + b[col])        a: (m, n), b: (n)
struct BiasAct {
    len: u32, // m · n
    n: u32,
    act: u32, // 0 identity, 1 relu, 2 sigmoid, 3 tanh
    unused: u32,
}
@group(0) @binding(0) var<storage, read_write> ba_a: array<f32>;
@group(0) @binding(1) var<storage, read> ba_b: array<f32>;
@group(0) @binding(2) var<uniform> ba_p: BiasAct;

fn activate(z: f32, act: u32) -> f32 {
    switch act {
        case 1u: { return max(z, 0.0); }
        case 2u: {
            // Stable on both signs: never exp of a large positive number.
            if (z >= 0.0) {
                return 1.0 / (1.0 + exp(-z));
            }
            let e = exp(z);
            return e / (1.0 + e);
        }
        case 3u: { return tanh(z); }
        default: { return z; }
    }
}

@compute @workgroup_size(256)
fn bias_act(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= ba_p.len) {
        return;
    }
    ba_a[i] = activate(ba_a[i] + ba_b[i % ba_p.n], ba_p.act);
}

// ---- act_back: d ← d ⊙ act'(a)        d, a: (m, n)
struct ActBack {
    len: u32,
    act: u32,
    unused0: u32,
    unused1: u32,
}
@group(0) @binding(4) var<storage, read_write> ab_d: array<f32>;
@group(0) @binding(5) var<storage, read> ab_a: array<f32>;
@group(0) @binding(6) var<uniform> ab_p: ActBack;

@compute @workgroup_size(256)
fn act_back(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= ab_p.len) {
        return;
    }
    let a = ab_a[i];
    var g = 1.0;
    switch ab_p.act {
        case 1u: { g = select(0.0, 1.0, a > 0.0); }
        case 2u: { g = a * (1.0 - a); }
        case 3u: { g = 1.0 - a * a; }
        default: {}
    }
    ab_d[i] = ab_d[i] * g;
}

// ---- col_sum: out[j] = Σ_i d[i][j]        d: (m, n) -> out: (n)   (the bias gradient)
struct ColSum {
    m: u32,
    n: u32,
    unused0: u32,
    unused1: u32,
}
@group(0) @binding(8) var<storage, read> cs_d: array<f32>;
@group(0) @binding(9) var<storage, read_write> cs_out: array<f32>;
@group(0) @binding(10) var<uniform> cs_p: ColSum;

@compute @workgroup_size(256)
fn col_sum(@builtin(global_invocation_id) gid: vec3<u32>) {
    let j = gid.x;
    if (j >= cs_p.n) {
        return;
    }
    var s = 0.0;
    for (var i = 0u; i < cs_p.m; i++) {
        s += cs_d[i * cs_p.n + j];
    }
    cs_out[j] = s;
}

// ---- loss: per-row loss and the gradient w.r.t. the logits/outputs x: (m, n)
//   kind 0, softmax cross-entropy: target[i] is a class index;
//     row_loss[i] = logsumexp(x_i) − x_i[t],   dx_i = scale · (softmax(x_i) − onehot(t))
//     evaluated as (m − x_i[t]) + log Σ_j e^{x_ij − m} (m = max_j x_ij): never m + log(s) − x_t,
//     whose two large terms cancel (at |x| ≈ 1e4 an f32 m + log(s) is only good to ±5e-4)
//   kind 1, binary cross-entropy with logits: target (m, n) in [0, 1];
//     row_loss[i] = Σ_j max(x,0) − x·y + log(1 + e^{−|x|}),   dx = scale · (σ(x) − y)
//     with log(1 + u) by its series for small u (log(1 + u) in f32 is 0 for u < 6e-8)
//   kind 2, squared error: row_loss[i] = Σ_j (x − y)²,        dx = scale · 2 (x − y)
// The loss of the batch is scale · Σ_i row_loss[i] (scale = 1/m for the mean over samples,
// 1/(m·n) for the mean over every element).
struct Loss {
    m: u32,
    n: u32,
    kind: u32,
    scale: f32,
}
@group(0) @binding(12) var<storage, read> ls_x: array<f32>;
@group(0) @binding(13) var<storage, read> ls_t: array<f32>;
@group(0) @binding(14) var<storage, read_write> ls_dx: array<f32>;
@group(0) @binding(15) var<storage, read_write> ls_row: array<f32>;
@group(0) @binding(16) var<uniform> ls_p: Loss;

fn sigmoid(z: f32) -> f32 {
    return activate(z, 2u);
}

// log(1 + u) for u in [0, 1]: the series u − u²/2 + u³/3 − u⁴/4 below 0.01 (relative error
// under 2e-9 there), log(1 + u) above (where 1 + u keeps u's digits).
fn log1p_unit(u: f32) -> f32 {
    if (u < 0.01) {
        return u * (1.0 - u * (0.5 - u * (1.0 / 3.0 - u * 0.25)));
    }
    return log(1.0 + u);
}

@compute @workgroup_size(64)
fn loss(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= ls_p.m) {
        return;
    }
    let n = ls_p.n;
    let base = i * n;
    var row = 0.0;
    if (ls_p.kind == 0u) {
        var mx = ls_x[base];
        for (var j = 1u; j < n; j++) {
            mx = max(mx, ls_x[base + j]);
        }
        var s = 0.0;
        for (var j = 0u; j < n; j++) {
            s += exp(ls_x[base + j] - mx);
        }
        let t = u32(ls_t[i]);
        row = (mx - ls_x[base + t]) + log(s);
        for (var j = 0u; j < n; j++) {
            let pj = exp(ls_x[base + j] - mx) / s;
            ls_dx[base + j] = ls_p.scale * (pj - select(0.0, 1.0, j == t));
        }
    } else if (ls_p.kind == 1u) {
        for (var j = 0u; j < n; j++) {
            let x = ls_x[base + j];
            let y = ls_t[base + j];
            row += (max(x, 0.0) - x * y) + log1p_unit(exp(-abs(x)));
            ls_dx[base + j] = ls_p.scale * (sigmoid(x) - y);
        }
    } else {
        for (var j = 0u; j < n; j++) {
            let e = ls_x[base + j] - ls_t[base + j];
            row += e * e;
            ls_dx[base + j] = ls_p.scale * 2.0 * e;
        }
    }
    ls_row[i] = row;
}

// ---- adam: one Adam/AdamW update of one parameter tensor (torch.optim.Adam's rule):
//   g ← g + λ·p (L2, when not decoupled);  p ← p·(1 − lr·λ) (AdamW, when decoupled)
//   m ← m + (1 − β₁)(g − m);  v ← β₂ v + (1 − β₂) g²
//   p ← p − step_size · m / (√v / √(1 − β₂ᵗ) + ε),  step_size = lr / (1 − β₁ᵗ)
struct Adam {
    step_size: f32,
    bc2_sqrt: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    weight_decay: f32,
    decay: f32,
    decoupled: u32,
}
@group(0) @binding(20) var<storage, read_write> ad_p: array<f32>;
@group(0) @binding(21) var<storage, read> ad_g: array<f32>;
@group(0) @binding(22) var<storage, read_write> ad_m: array<f32>;
@group(0) @binding(23) var<storage, read_write> ad_v: array<f32>;
@group(0) @binding(24) var<uniform> ad_h: Adam;

@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= arrayLength(&ad_p)) {
        return;
    }
    var p = ad_p[i];
    var g = ad_g[i];
    if (ad_h.weight_decay != 0.0) {
        if (ad_h.decoupled != 0u) {
            p = p * ad_h.decay;
        } else {
            g = g + ad_h.weight_decay * p;
        }
    }
    let m = ad_m[i] + (1.0 - ad_h.beta1) * (g - ad_m[i]);
    let v = ad_h.beta2 * ad_v[i] + (1.0 - ad_h.beta2) * g * g;
    ad_m[i] = m;
    ad_v[i] = v;
    ad_p[i] = p - ad_h.step_size * (m / (sqrt(v) / ad_h.bc2_sqrt + ad_h.eps));
}
