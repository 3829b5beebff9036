//! A GPU-resident variational autoencoder trainer: the WebGPU twin of [`crate::core::vae::Vae`].
//!
//! The network and its loss are the VAE contract of `core::vae` (one hidden layer each side):
//!
//! ```text
//! h  = relu(x·W₁ + b₁)     μ = h·W_μ + b_μ     lv = h·W_v + b_v     z = μ + exp(½·lv) ⊙ ε
//! g  = relu(z·W₂ + b₂)     o = g·W₃ + b₃       (logits, Bernoulli; the mean x̂, Gaussian)
//! recon = Σ_d BCEWithLogits(o_d, x_d)  or  Σ_d ½(o_d − x_d)²
//! kl    = Σ_j ½(μ_j² + e^{lv_j} − 1 − lv_j)          loss = mean_batch(recon + β·kl)
//! ```
//!
//! Weights, Adam's moments, activations and gradients stay on the device. A step uploads the
//! batch `x: (B, D)` and the noise `ε: (B, Z)`, records the forward pass, the loss, the
//! backward pass and one Adam update (PyTorch semantics) into one submission, and reads back
//! only the per-row reconstruction terms and the `(B, Z)` KL terms — one readback per step,
//! from which the batch means (loss, recon, kl, kl per dimension) are formed.
//!
//! The backward pass (every `δ` already carries the batch mean's `1/B`):
//!
//! ```text
//! δo = (σ(o) − x)/B  or  (o − x)/B          ∂W₃ = gᵀ·δo     ∂b₃ = Σ_rows δo
//! δg = (δo·W₃ᵀ) ⊙ [g > 0]                   ∂W₂ = zᵀ·δg     ∂b₂ = Σ_rows δg
//! δz = δg·W₂ᵀ
//! δμ = δz + (β/B)·μ                         ∂W_μ = hᵀ·δμ    ∂b_μ = Σ_rows δμ
//! δlv = δz ⊙ ½e^{½lv} ⊙ ε + (β/B)·½(e^{lv} − 1)   ∂W_v = hᵀ·δlv   ∂b_v = Σ_rows δlv
//! δh = (δμ·W_μᵀ + δlv·W_vᵀ) ⊙ [h > 0]       ∂W₁ = xᵀ·δh     ∂b₁ = Σ_rows δh
//! ```
//!
//! The matrix products are `matmul.wgsl`'s; bias + ReLU, the reconstruction loss, column sums
//! and Adam are `dense.wgsl`'s (shared with [`super::dense`]); `vae.wgsl` adds the
//! reparameterised sample and the backward pass through it and the KL term. The numbers are
//! tested against `core::vae` step by step (`tests/gpu_vae.rs`, `tests/web_gpu_vae.rs`).

use super::context::GpuContext;
use super::dense::{self, Act, DenseLoss, KernelCode};
use super::error::GpuError;
use super::matmul::{self, MatmulKernel};
use super::resources::{self as res, Scopes};
use super::{Caps, Gpu};
use crate::core::matmul::Gemm;
use crate::core::optim::AdamConfig;
use crate::core::vae::{Likelihood, VaeParams, VaeSpec, VaeStep};
use std::ops::Range;

const SOURCE: &str = include_str!("vae.wgsl");

/// Which compute pipeline a flat (element-wise) launch uses.
#[derive(Debug, Clone, Copy)]
enum Kernel {
    /// One of `dense.wgsl`'s kernels (index as in `dense::kernel_layouts`).
    Dense(usize),
    Reparam,
    LatentBack,
}

/// A recorded kernel launch.
#[derive(Debug)]
enum Launch {
    Matmul(wgpu::BindGroup, Gemm),
    Flat(Kernel, wgpu::BindGroup, u32),
}

/// One parameter tensor with its gradient and Adam's two moments.
#[derive(Debug)]
struct Param {
    p: wgpu::Buffer,
    g: wgpu::Buffer,
    m: wgpu::Buffer,
    v: wgpu::Buffer,
}

/// The GPU-resident VAE trainer (see the module docs).
#[derive(Debug)]
pub struct VaeTrainer {
    spec: VaeSpec,
    ctx: GpuContext,
    mm: MatmulKernel,
    dense: Vec<wgpu::ComputePipeline>,
    reparam: wgpu::ComputePipeline,
    latent_back: wgpu::ComputePipeline,
    /// `(W, b)` of `[enc, mu, logvar, dec, out]`.
    layers: Vec<(Param, Param)>,
    x: wgpu::Buffer,
    eps: wgpu::Buffer,
    mu: wgpu::Buffer,
    lv: wgpu::Buffer,
    z: wgpu::Buffer,
    o: wgpu::Buffer,
    rows: wgpu::Buffer,
    kl: wgpu::Buffer,
    latent_u: wgpu::Buffer,
    adam_u: wgpu::Buffer,
    staging: wgpu::Buffer,
    launches: Vec<Launch>,
    /// Launches of the encoder (`x → μ, lv`) and of the decoder (`z → o`).
    encoder: Range<usize>,
    decoder: Range<usize>,
    steps: u64,
    // Keeps the uniform buffers referenced by the bind groups alive.
    _uniforms: Vec<wgpu::Buffer>,
}

fn invalid(msg: String) -> GpuError {
    GpuError::Validation(msg)
}

fn flat_groups(len: usize, per_group: usize) -> u32 {
    len.div_ceil(per_group) as u32
}

/// The loss kernel's settings for `likelihood`: its loss code and the scale that turns the
/// per-row sums into the batch mean's gradient (`½(o − x)²` has gradient `(o − x)`, the dense
/// kernel's squared error `2(o − x)`, hence `1/(2B)`).
fn recon_loss(likelihood: Likelihood, batch: usize) -> (DenseLoss, f32) {
    match likelihood {
        Likelihood::Bernoulli => (DenseLoss::BceWithLogits, 1.0 / batch as f32),
        Likelihood::Gaussian => (DenseLoss::Mse, 0.5 / batch as f32),
    }
}

impl VaeTrainer {
    /// Uploads the initial parameters (`[enc, mu, logvar, dec, out]`, each `(W: (in, out)
    /// row-major, b: (out))`, e.g. `core::vae::init_params`) and prepares every launch.
    pub async fn new(
        gpu: &Gpu,
        spec: VaeSpec,
        params: &[(Vec<f32>, Vec<f32>)],
    ) -> Result<Self, GpuError> {
        let ctx = gpu.ctx.clone();
        ctx.check_alive()?;
        spec.validate().map_err(|e| invalid(e.to_string()))?;
        let dims = spec.layer_dims();
        if params.len() != dims.len() {
            return Err(invalid(format!(
                "{} parameter pairs given, the VAE has {}",
                params.len(),
                dims.len()
            )));
        }
        for (l, ((w, b), &(i, o))) in params.iter().zip(&dims).enumerate() {
            if w.len() != i * o || b.len() != o {
                return Err(invalid(format!(
                    "layer {l}: W has {} values (want {i}×{o}), b has {} (want {o})",
                    w.len(),
                    b.len()
                )));
            }
        }
        let (bt, d, h, zd) = (spec.batch, spec.input, spec.hidden, spec.latent);
        let caps = Caps::default();
        let max_elems = (caps.max_binding_bytes(&ctx) / 4) as usize;
        let largest = [bt * d, d * h, bt * h, bt * zd].into_iter().max().unwrap_or(0);
        if largest > max_elems || largest > 256 * caps.max_groups(&ctx) as usize {
            return Err(GpuError::TooLarge {
                what: "VAE trainer tensors",
                bytes: largest as u64 * 4,
                limit: max_elems as u64 * 4,
            });
        }

        let scopes = Scopes::push(&ctx);
        let mm = MatmulKernel::new(&ctx);
        let layouts = dense::kernel_layouts();
        let compiled: Vec<(wgpu::ComputePipeline, wgpu::BindGroupLayout)> = layouts
            .iter()
            .map(|(name, e)| res::pipeline(&ctx, name, dense::SOURCE, name, e))
            .collect();
        let st = |b| res::storage_entry(b, false);
        let ro = |b| res::storage_entry(b, true);
        let (reparam, reparam_l) = res::pipeline(
            &ctx,
            "vae.reparam",
            SOURCE,
            "reparam",
            &[ro(0), ro(1), ro(2), st(3), res::uniform_entry(4)],
        );
        let (latent_back, latent_l) = res::pipeline(
            &ctx,
            "vae.latent_back",
            SOURCE,
            "latent_back",
            &[ro(8), ro(9), ro(10), ro(11), st(12), st(13), st(14), res::uniform_entry(15)],
        );

        let rw = res::INPUT.union(res::OUTPUT);
        let f32_buf = |label: &str, data: &[f32]| {
            let b = res::buffer(&ctx, label, data.len() as u64 * 4, rw);
            ctx.queue.write_buffer(&b, 0, &res::f32_bytes(data));
            b
        };
        let zeros = |label: &str, len: usize| f32_buf(label, &vec![0.0; len]);
        let param = |label: &str, values: &[f32]| Param {
            p: f32_buf(label, values),
            g: zeros("vae.grad", values.len()),
            m: zeros("vae.adam_m", values.len()),
            v: zeros("vae.adam_v", values.len()),
        };
        let layers: Vec<(Param, Param)> =
            params.iter().map(|(w, b)| (param("vae.w", w), param("vae.b", b))).collect();
        // Activations and their gradients.
        let x = zeros("vae.x", bt * d);
        let eps = zeros("vae.eps", bt * zd);
        let hb = zeros("vae.h", bt * h);
        let mu = zeros("vae.mu", bt * zd);
        let lv = zeros("vae.lv", bt * zd);
        let z = zeros("vae.z", bt * zd);
        let g = zeros("vae.g", bt * h);
        let o = zeros("vae.o", bt * d);
        let d_o = zeros("vae.d_o", bt * d);
        let dg = zeros("vae.dg", bt * h);
        let dz = zeros("vae.dz", bt * zd);
        let dmu = zeros("vae.dmu", bt * zd);
        let dlv = zeros("vae.dlv", bt * zd);
        let dh = zeros("vae.dh", bt * h);
        let rows = zeros("vae.rows", bt);
        let kl = zeros("vae.kl", bt * zd);
        let latent_u = res::buffer(&ctx, "vae.latent", 16, res::UNIFORM);
        let adam_u = res::buffer(&ctx, "vae.adam", 32, res::UNIFORM);
        let staging_len = (bt + bt * zd).max(2 * bt * zd).max(bt * d);
        let staging = res::buffer(&ctx, "vae.staging", staging_len as u64 * 4, res::STAGING);

        // Uniform blocks; `kept` holds them for the trainer's lifetime.
        let mut kept: Vec<wgpu::Buffer> = Vec::new();
        let uniform = |kept: &mut Vec<wgpu::Buffer>, bytes: Vec<u8>| {
            let b = res::buffer(&ctx, "vae.params", bytes.len() as u64, res::UNIFORM);
            ctx.queue.write_buffer(&b, 0, &bytes);
            kept.push(b.clone());
            b
        };
        let bind = |layout: &wgpu::BindGroupLayout, entries: &[(u32, &wgpu::Buffer)]| {
            let entries: Vec<wgpu::BindGroupEntry> = entries
                .iter()
                .map(|(binding, buf)| wgpu::BindGroupEntry {
                    binding: *binding,
                    resource: buf.as_entire_binding(),
                })
                .collect();
            ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("vae"),
                layout,
                entries: &entries,
            })
        };
        let mut launches = Vec::new();
        let matmul_launch = |launches: &mut Vec<Launch>,
                             kept: &mut Vec<wgpu::Buffer>,
                             gm: Gemm,
                             a: &wgpu::Buffer,
                             b: &wgpu::Buffer,
                             c: &wgpu::Buffer| {
            matmul::check_fits(&ctx, caps, gm)?;
            let u = uniform(kept, matmul::params_bytes(gm));
            launches.push(Launch::Matmul(mm.bind(&ctx, a, b, c, &u), gm));
            Ok::<(), GpuError>(())
        };
        let flat = |k: usize, entries: &[(u32, &wgpu::Buffer)], len: usize| {
            Launch::Flat(Kernel::Dense(k), bind(&compiled[k].1, entries), flat_groups(len, 256))
        };
        let acts = [Act::Relu, Act::Identity, Act::Identity, Act::Relu, Act::Identity];
        let bias_act_u: Vec<wgpu::Buffer> = dims
            .iter()
            .zip(acts)
            .map(|(&(_, out), act)| {
                uniform(&mut kept, res::u32_bytes(&[(bt * out) as u32, out as u32, act.code(), 0]))
            })
            .collect();
        let [l_enc, l_mu, l_lv, l_dec, l_out] = [0, 1, 2, 3, 4];
        let w = |l: usize| &layers[l].0.p;
        let b = |l: usize| &layers[l].1.p;

        // ---- Forward. Encoder: x: (B, D) -> h: (B, H) -> μ, lv: (B, Z).
        let fwd: [(usize, &wgpu::Buffer, &wgpu::Buffer, Gemm); 3] = [
            (l_enc, &x, &hb, Gemm::new(bt, d, h)),
            (l_mu, &hb, &mu, Gemm::new(bt, h, zd)),
            (l_lv, &hb, &lv, Gemm::new(bt, h, zd)),
        ];
        for (l, input, output, gm) in fwd {
            matmul_launch(&mut launches, &mut kept, gm, input, w(l), output)?;
            launches.push(flat(
                dense::BIAS_ACT,
                &[(0, output), (1, b(l)), (2, &bias_act_u[l])],
                bt * dims[l].1,
            ));
        }
        let encoder = 0..launches.len();
        // z = μ + exp(½·lv) ⊙ ε: (B, Z).
        let len_u = uniform(&mut kept, res::u32_bytes(&[(bt * zd) as u32, 0, 0, 0]));
        launches.push(Launch::Flat(
            Kernel::Reparam,
            bind(&reparam_l, &[(0, &mu), (1, &lv), (2, &eps), (3, &z), (4, &len_u)]),
            flat_groups(bt * zd, 256),
        ));
        // Decoder: z: (B, Z) -> g: (B, H) -> o: (B, D).
        let dec_start = launches.len();
        for (l, input, output, gm) in
            [(l_dec, &z, &g, Gemm::new(bt, zd, h)), (l_out, &g, &o, Gemm::new(bt, h, d))]
        {
            matmul_launch(&mut launches, &mut kept, gm, input, w(l), output)?;
            launches.push(flat(
                dense::BIAS_ACT,
                &[(0, output), (1, b(l)), (2, &bias_act_u[l])],
                bt * dims[l].1,
            ));
        }
        let decoder = dec_start..launches.len();

        // ---- Reconstruction loss: per-row sums and δo = ∂loss/∂o: (B, D).
        let (kind, scale) = recon_loss(spec.likelihood, bt);
        let mut loss_bytes = res::u32_bytes(&[bt as u32, d as u32, kind.code()]);
        loss_bytes.extend_from_slice(&scale.to_le_bytes());
        let loss_u = uniform(&mut kept, loss_bytes);
        let loss_entries = [(12, &o), (13, &x), (14, &d_o), (15, &rows), (16, &loss_u)];
        launches.push(Launch::Flat(
            Kernel::Dense(dense::LOSS),
            bind(&compiled[dense::LOSS].1, &loss_entries),
            flat_groups(bt, 64),
        ));

        // ---- Backward through the decoder.
        let col_sum = |delta: &wgpu::Buffer, grad: &wgpu::Buffer, n: usize, u: &wgpu::Buffer| {
            flat(dense::COL_SUM, &[(8, delta), (9, grad), (10, u)], n)
        };
        let relu_back = |delta: &wgpu::Buffer, act: &wgpu::Buffer, u: &wgpu::Buffer, len| {
            flat(dense::ACT_BACK, &[(4, delta), (5, act), (6, u)], len)
        };
        let cs_d = uniform(&mut kept, res::u32_bytes(&[bt as u32, d as u32, 0, 0]));
        let cs_h = uniform(&mut kept, res::u32_bytes(&[bt as u32, h as u32, 0, 0]));
        let cs_z = uniform(&mut kept, res::u32_bytes(&[bt as u32, zd as u32, 0, 0]));
        let ab_h = uniform(&mut kept, res::u32_bytes(&[(bt * h) as u32, Act::Relu.code(), 0, 0]));
        // ∂W₃ = gᵀ·δo: (H, D); ∂b₃.
        matmul_launch(
            &mut launches,
            &mut kept,
            Gemm::new(h, bt, d).a_t(),
            &g,
            &d_o,
            &layers[l_out].0.g,
        )?;
        launches.push(col_sum(&d_o, &layers[l_out].1.g, d, &cs_d));
        // δg = (δo·W₃ᵀ) ⊙ [g > 0]: (B, H).
        matmul_launch(&mut launches, &mut kept, Gemm::new(bt, d, h).b_t(), &d_o, w(l_out), &dg)?;
        launches.push(relu_back(&dg, &g, &ab_h, bt * h));
        // ∂W₂ = zᵀ·δg: (Z, H); ∂b₂.
        matmul_launch(
            &mut launches,
            &mut kept,
            Gemm::new(zd, bt, h).a_t(),
            &z,
            &dg,
            &layers[l_dec].0.g,
        )?;
        launches.push(col_sum(&dg, &layers[l_dec].1.g, h, &cs_h));
        // δz = δg·W₂ᵀ: (B, Z).
        matmul_launch(&mut launches, &mut kept, Gemm::new(bt, h, zd).b_t(), &dg, w(l_dec), &dz)?;
        // ---- Through the reparameterised sample and the KL term: δμ, δlv, kl: (B, Z).
        launches.push(Launch::Flat(
            Kernel::LatentBack,
            bind(
                &latent_l,
                &[
                    (8, &mu),
                    (9, &lv),
                    (10, &eps),
                    (11, &dz),
                    (12, &dmu),
                    (13, &dlv),
                    (14, &kl),
                    (15, &latent_u),
                ],
            ),
            flat_groups(bt * zd, 256),
        ));
        // ∂W_μ = hᵀ·δμ, ∂W_v = hᵀ·δlv: (H, Z); their biases.
        for (l, delta) in [(l_mu, &dmu), (l_lv, &dlv)] {
            matmul_launch(
                &mut launches,
                &mut kept,
                Gemm::new(h, bt, zd).a_t(),
                &hb,
                delta,
                &layers[l].0.g,
            )?;
            launches.push(col_sum(delta, &layers[l].1.g, zd, &cs_z));
        }
        // δh = (δμ·W_μᵀ + δlv·W_vᵀ) ⊙ [h > 0]: (B, H).
        matmul_launch(&mut launches, &mut kept, Gemm::new(bt, zd, h).b_t(), &dmu, w(l_mu), &dh)?;
        matmul_launch(
            &mut launches,
            &mut kept,
            Gemm::new(bt, zd, h).b_t().acc(),
            &dlv,
            w(l_lv),
            &dh,
        )?;
        launches.push(relu_back(&dh, &hb, &ab_h, bt * h));
        // ∂W₁ = xᵀ·δh: (D, H); ∂b₁.
        matmul_launch(
            &mut launches,
            &mut kept,
            Gemm::new(d, bt, h).a_t(),
            &x,
            &dh,
            &layers[l_enc].0.g,
        )?;
        launches.push(col_sum(&dh, &layers[l_enc].1.g, h, &cs_h));

        // ---- Adam on every parameter tensor.
        for (wp, bp) in &layers {
            for p in [wp, bp] {
                let len = (p.p.size() / 4) as usize;
                launches.push(flat(
                    dense::ADAM,
                    &[(20, &p.p), (21, &p.g), (22, &p.m), (23, &p.v), (24, &adam_u)],
                    len,
                ));
            }
        }
        let dense_pipes = compiled.into_iter().map(|(p, _)| p).collect();
        scopes.check(&ctx).await?;
        Ok(Self {
            spec,
            ctx,
            mm,
            dense: dense_pipes,
            reparam,
            latent_back,
            layers,
            x,
            eps,
            mu,
            lv,
            z,
            o,
            rows,
            kl,
            latent_u,
            adam_u,
            staging,
            launches,
            encoder,
            decoder,
            steps: 0,
            _uniforms: kept,
        })
    }

    /// The model's spec.
    pub fn spec(&self) -> &VaeSpec {
        &self.spec
    }

    /// Training steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Sets Adam's learning rate for the next steps (its moments are kept).
    pub fn set_lr(&mut self, lr: f32) -> Result<(), GpuError> {
        if !(lr.is_finite() && lr >= 0.0) {
            return Err(invalid(format!("learning rate {lr} is not valid")));
        }
        self.spec.lr = lr;
        Ok(())
    }

    /// Records `range` of the launches into one compute pass of `enc`.
    fn record(&self, enc: &mut wgpu::CommandEncoder, range: Range<usize>) {
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("vae"),
            timestamp_writes: None,
        });
        for launch in self.launches.get(range).unwrap_or(&[]) {
            match launch {
                Launch::Matmul(group, g) => self.mm.dispatch(&mut pass, group, *g),
                Launch::Flat(k, group, n) => {
                    let pipeline = match k {
                        Kernel::Dense(i) => match self.dense.get(*i) {
                            Some(p) => p,
                            None => continue,
                        },
                        Kernel::Reparam => &self.reparam,
                        Kernel::LatentBack => &self.latent_back,
                    };
                    pass.set_pipeline(pipeline);
                    pass.set_bind_group(0, group, &[]);
                    pass.dispatch_workgroups(*n, 1, 1);
                }
            }
        }
    }

    /// Submits `range` of the launches followed by the copies `(buffer, f32 count)` packed into
    /// the staging buffer, and reads the packed values back.
    async fn run(
        &self,
        range: Range<usize>,
        copies: &[(&wgpu::Buffer, usize)],
    ) -> Result<Vec<f32>, GpuError> {
        let ctx = &self.ctx;
        let mut enc = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("vae") });
        self.record(&mut enc, range);
        let mut offset = 0u64;
        for (buf, len) in copies {
            let bytes = *len as u64 * 4;
            enc.copy_buffer_to_buffer(buf, 0, &self.staging, offset, bytes);
            offset += bytes;
        }
        ctx.queue.submit([enc.finish()]);
        super::readback::read_f32(ctx, &self.staging, (offset / 4) as usize).await
    }

    /// One training step on `x: (batch, D)` (values in `[0, 1]`) with noise `eps: (batch, Z)`
    /// and KL weight `beta ≥ 0`: forward, backward and one Adam update on the device. Returns
    /// the batch's loss terms **before** the update (as `core::vae::Vae::step`). A non-finite
    /// loss is reported as it is (the update has been applied on the device); bad sizes or
    /// `beta` are refused before anything runs.
    pub async fn step(&mut self, x: &[f32], eps: &[f32], beta: f32) -> Result<VaeStep, GpuError> {
        let s = self.spec;
        let (bt, zd) = (s.batch, s.latent);
        if x.len() != bt * s.input || eps.len() != bt * zd {
            return Err(invalid(format!(
                "a VAE batch of {} inputs and {} noise values; the model wants {} and {}",
                x.len(),
                eps.len(),
                bt * s.input,
                bt * zd
            )));
        }
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(invalid(format!("β = {beta} is not valid")));
        }
        self.ctx.check_alive()?;
        let scopes = Scopes::push(&self.ctx);
        let q = &self.ctx.queue;
        q.write_buffer(&self.x, 0, &res::f32_bytes(x));
        q.write_buffer(&self.eps, 0, &res::f32_bytes(eps));
        let c = beta / bt as f32;
        let mut lu = res::u32_bytes(&[(bt * zd) as u32, 0, 0]);
        lu.extend_from_slice(&c.to_le_bytes());
        q.write_buffer(&self.latent_u, 0, &lu);
        let adam = AdamConfig { lr: s.lr, ..AdamConfig::default() };
        q.write_buffer(&self.adam_u, 0, &dense::adam_uniform(&adam, self.steps + 1));
        let copies = [(&self.rows, bt), (&self.kl, bt * zd)];
        let out = self.run(0..self.launches.len(), &copies).await;
        scopes.check(&self.ctx).await?;
        let out = out?;
        self.steps += 1;
        Ok(step_report(&s, beta, &out))
    }

    /// The encoder's posterior for `x: (n, D)`, any `n ≥ 1`: `(μ, log σ²)`, each `(n, Z)`, in
    /// chunks of the training batch (uses the trainer's activation buffers; no update).
    pub async fn encode(&self, x: &[f32]) -> Result<(Vec<f32>, Vec<f32>), GpuError> {
        let (bt, d, zd) = (self.spec.batch, self.spec.input, self.spec.latent);
        if x.is_empty() || !x.len().is_multiple_of(d) {
            return Err(invalid(format!("x has {} values, not a multiple of {d}", x.len())));
        }
        let n = x.len() / d;
        let (mut mu, mut lv) = (Vec::with_capacity(n * zd), Vec::with_capacity(n * zd));
        for chunk in x.chunks(bt * d) {
            let rows = chunk.len() / d;
            let mut padded = chunk.to_vec();
            padded.resize(bt * d, 0.0);
            let scopes = Scopes::push(&self.ctx);
            self.ctx.queue.write_buffer(&self.x, 0, &res::f32_bytes(&padded));
            let copies = [(&self.mu, bt * zd), (&self.lv, bt * zd)];
            let out = self.run(self.encoder.clone(), &copies).await;
            scopes.check(&self.ctx).await?;
            let out = out?;
            mu.extend_from_slice(&out[..rows * zd]);
            lv.extend_from_slice(&out[bt * zd..bt * zd + rows * zd]);
        }
        Ok((mu, lv))
    }

    /// The decoder's output for latent points `z: (n, Z)`, any `n ≥ 1`: pixel probabilities
    /// `sigmoid(o)` (Bernoulli) or the means `o` (Gaussian), `(n, D)`, in chunks of the
    /// training batch (no update).
    pub async fn decode(&self, z: &[f32]) -> Result<Vec<f32>, GpuError> {
        let (bt, d, zd) = (self.spec.batch, self.spec.input, self.spec.latent);
        if z.is_empty() || !z.len().is_multiple_of(zd) {
            return Err(invalid(format!("z has {} values, not a multiple of {zd}", z.len())));
        }
        let n = z.len() / zd;
        let mut out = Vec::with_capacity(n * d);
        for chunk in z.chunks(bt * zd) {
            let rows = chunk.len() / zd;
            let mut padded = chunk.to_vec();
            padded.resize(bt * zd, 0.0);
            let scopes = Scopes::push(&self.ctx);
            self.ctx.queue.write_buffer(&self.z, 0, &res::f32_bytes(&padded));
            let o = self.run(self.decoder.clone(), &[(&self.o, bt * d)]).await;
            scopes.check(&self.ctx).await?;
            out.extend_from_slice(&o?[..rows * d]);
        }
        if self.spec.likelihood == Likelihood::Bernoulli {
            for v in &mut out {
                *v = sigmoid(*v);
            }
        }
        Ok(out)
    }

    /// Reads the current parameters back (`[enc, mu, logvar, dec, out]`, each `(W, b)`).
    pub async fn params(&self) -> Result<VaeParams, GpuError> {
        let mut out = Vec::with_capacity(self.layers.len());
        for (w, b) in &self.layers {
            let wv = dense::read_buffer(&self.ctx, &w.p).await?;
            let bv = dense::read_buffer(&self.ctx, &b.p).await?;
            out.push((wv, bv));
        }
        Ok(out)
    }
}

/// The batch means from the read-back values: `packed = [recon row sums (B) | kl terms
/// (B, Z)]` (the Gaussian rows hold `Σ(o − x)²`, halved here).
fn step_report(spec: &VaeSpec, beta: f32, packed: &[f32]) -> VaeStep {
    let (bt, zd) = (spec.batch, spec.latent);
    let half = if spec.likelihood == Likelihood::Gaussian { 0.5 } else { 1.0 };
    let rows = packed.get(..bt).unwrap_or(&[]);
    let recon = half * rows.iter().map(|&r| r as f64).sum::<f64>() / bt as f64;
    let mut per_dim = vec![0.0f64; zd];
    for row in packed.get(bt..bt + bt * zd).unwrap_or(&[]).chunks_exact(zd) {
        for (acc, v) in per_dim.iter_mut().zip(row) {
            *acc += *v as f64;
        }
    }
    let per_dim: Vec<f64> = per_dim.iter().map(|s| s / bt as f64).collect();
    let kl: f64 = per_dim.iter().sum();
    VaeStep {
        loss: (recon + beta as f64 * kl) as f32,
        recon: recon as f32,
        kl: kl as f32,
        kl_per_dim: per_dim.iter().map(|&v| v as f32).collect(),
    }
}

/// The logistic function without overflow.
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}
