// The two kernels of the GPU-resident VAE (`vae.rs`) that the dense trainer lacks: the
// reparameterised sample and the backward pass through it plus the KL term. Matrix products
// come from `matmul.wgsl`; bias, ReLU, the reconstruction loss, column sums and Adam from
// `dense.wgsl`. Each kernel has its own bindings.

// ---- reparam: z = μ + exp(½·lv) ⊙ ε        μ, lv, ε, z: (B, Z)
struct Len {
    len: u32, // B · Z
    unused0: u32,
    unused1: u32,
    unused2: u32,
}
@group(0) @binding(0) var<storage, read> rp_mu: array<f32>;
@group(0) @binding(1) var<storage, read> rp_lv: array<f32>;
@group(0) @binding(2) var<storage, read> rp_eps: array<f32>;
@group(0) @binding(3) var<storage, read_write> rp_z: array<f32>;
@group(0) @binding(4) var<uniform> rp_p: Len;

@compute @workgroup_size(256)
fn reparam(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= rp_p.len) {
        return;
    }
    rp_z[i] = rp_mu[i] + exp(0.5 * rp_lv[i]) * rp_eps[i];
}

// ---- latent_back: the gradient reaching μ and lv, and the KL terms        all (B, Z)
//   kl       = ½(μ² + e^{lv} − 1 − lv)                       (per element, read back)
//   ∂L/∂μ    = ∂L/∂z + c·μ                                   c = β / B (the batch mean)
//   ∂L/∂lv   = ∂L/∂z · ½ e^{½lv} ε + c·½(e^{lv} − 1)
// where ∂L/∂z arrives from the decoder's backward pass (already divided by B).
struct LatentBack {
    len: u32, // B · Z
    unused0: u32,
    unused1: u32,
    c: f32,   // β / B
}
@group(0) @binding(8) var<storage, read> lb_mu: array<f32>;
@group(0) @binding(9) var<storage, read> lb_lv: array<f32>;
@group(0) @binding(10) var<storage, read> lb_eps: array<f32>;
@group(0) @binding(11) var<storage, read> lb_dz: array<f32>;
@group(0) @binding(12) var<storage, read_write> lb_dmu: array<f32>;
@group(0) @binding(13) var<storage, read_write> lb_dlv: array<f32>;
@group(0) @binding(14) var<storage, read_write> lb_kl: array<f32>;
@group(0) @binding(15) var<uniform> lb_p: LatentBack;

@compute @workgroup_size(256)
fn latent_back(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if (i >= lb_p.len) {
        return;
    }
    let mu = lb_mu[i];
    let lv = lb_lv[i];
    let var_ = exp(lv);
    let dz = lb_dz[i];
    lb_kl[i] = 0.5 * (mu * mu + var_ - 1.0 - lv);
    lb_dmu[i] = dz + lb_p.c * mu;
    lb_dlv[i] = dz * 0.5 * exp(0.5 * lv) * lb_eps[i] + lb_p.c * 0.5 * (var_ - 1.0);
}
