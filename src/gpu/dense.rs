//! A GPU-resident trainer for dense networks (multi-layer perceptrons): the WebGPU path of
//! matmul-heavy training.
//!
//! Running each operation of a CPU training step on the GPU would cost one upload and one
//! readback per operation — more than the arithmetic saves. Here the weights, Adam's moments,
//! the activations and the gradients live on the device for the whole run; a step uploads one
//! batch, records the forward pass, the loss, the backward pass and the Adam update into one
//! submission, and reads back only the batch's per-sample losses.
//!
//! The network: `a₀ = x`, `aₗ = actₗ(aₗ₋₁·Wₗ + bₗ)` for `l = 1…L`, with `Wₗ: (dₗ₋₁, dₗ)` stored
//! row-major (input-major, so `x·W` needs no transpose), the hidden activation on every layer
//! but the last and the output activation on the last (identity for logits). Losses:
//! softmax cross-entropy over class indices (mean over the batch), binary cross-entropy with
//! logits and squared error (both the mean over every element, as PyTorch's defaults). The
//! backward pass is the textbook one:
//!
//! ```text
//! δ_L = ∂loss/∂a_L (from the loss kernel)          ∂W_l = a_{l−1}ᵀ · δ_l       ∂b_l = Σ_rows δ_l
//! δ_{l−1} = (δ_l · W_lᵀ) ⊙ act'(a_{l−1})
//! ```
//!
//! then Adam (torch.optim.Adam / AdamW rules, the same as [`crate::core::optim::Adam`]) on
//! every parameter. Its numbers are tested against the CPU engine (`tests/gpu_dense.rs`).

use super::context::GpuContext;
use super::error::GpuError;
use super::matmul;
use super::resources::{self as res, Scopes};
use super::{Caps, Gpu};
use crate::core::matmul::Gemm;
use crate::core::optim::AdamConfig;

/// The element-wise kernels (`bias_act`, `act_back`, `col_sum`, `loss`, `adam`), shared with
/// [`super::vae`].
pub(super) const SOURCE: &str = include_str!("dense.wgsl");

pub use crate::core::dense::{Act, DenseLoss, DenseSpec};

/// The code by which the kernels (`dense.wgsl`) know an activation or a loss.
pub(super) trait KernelCode {
    /// The kernel's code.
    fn code(self) -> u32;
}

impl KernelCode for Act {
    fn code(self) -> u32 {
        match self {
            Act::Identity => 0,
            Act::Relu => 1,
            Act::Sigmoid => 2,
            Act::Tanh => 3,
        }
    }
}

impl KernelCode for DenseLoss {
    fn code(self) -> u32 {
        match self {
            DenseLoss::SoftmaxCrossEntropy => 0,
            DenseLoss::BceWithLogits => 1,
            DenseLoss::Mse => 2,
        }
    }
}

/// One layer's device buffers.
#[derive(Debug)]
struct Layer {
    w: wgpu::Buffer,
    b: wgpu::Buffer,
    gw: wgpu::Buffer,
    gb: wgpu::Buffer,
    // Adam moments of W and b.
    mw: wgpu::Buffer,
    vw: wgpu::Buffer,
    mb: wgpu::Buffer,
    vb: wgpu::Buffer,
    /// Activations `a_l: (batch, d_l)` (the matmul writes `z` here; `bias_act` finishes it).
    a: wgpu::Buffer,
    /// `δ_l: (batch, d_l)`.
    d: wgpu::Buffer,
}

/// A recorded kernel launch: which pipeline, which bind group, how many workgroups.
#[derive(Debug)]
enum Launch {
    Matmul(wgpu::BindGroup, Gemm),
    Flat(usize, wgpu::BindGroup, u32),
}

/// The GPU-resident trainer (see the module docs).
#[derive(Debug)]
pub struct DenseTrainer {
    spec: DenseSpec,
    ctx: GpuContext,
    pipelines: [wgpu::ComputePipeline; 5],
    layers: Vec<Layer>,
    x: wgpu::Buffer,
    targets: wgpu::Buffer,
    rows: wgpu::Buffer,
    staging: wgpu::Buffer,
    adam_u: wgpu::Buffer,
    launches: Vec<Launch>,
    steps: u64,
    // Keeps the uniform buffers referenced by the bind groups alive.
    _uniforms: Vec<wgpu::Buffer>,
}

/// Indices of the kernels in [`kernel_layouts`] order.
pub(super) const BIAS_ACT: usize = 0;
pub(super) const ACT_BACK: usize = 1;
pub(super) const COL_SUM: usize = 2;
pub(super) const LOSS: usize = 3;
pub(super) const ADAM: usize = 4;

/// The entry points of [`SOURCE`] with their bind-group layouts, in kernel-index order.
pub(super) fn kernel_layouts() -> [(&'static str, Vec<wgpu::BindGroupLayoutEntry>); 5] {
    let st = |b| res::storage_entry(b, false);
    let ro = |b| res::storage_entry(b, true);
    [
        ("bias_act", vec![st(0), ro(1), res::uniform_entry(2)]),
        ("act_back", vec![st(4), ro(5), res::uniform_entry(6)]),
        ("col_sum", vec![ro(8), st(9), res::uniform_entry(10)]),
        ("loss", vec![ro(12), ro(13), st(14), st(15), res::uniform_entry(16)]),
        ("adam", vec![st(20), ro(21), st(22), st(23), res::uniform_entry(24)]),
    ]
}

/// The uniform block of the `adam` kernel for update number `t` (1-based): bias corrections
/// folded into the step size, as torch.optim.Adam computes them.
pub(super) fn adam_uniform(a: &AdamConfig, t: u64) -> Vec<u8> {
    let t = t as f64;
    let step_size = (a.lr as f64 / (1.0 - (a.beta1 as f64).powf(t))) as f32;
    let bc2_sqrt = (1.0 - (a.beta2 as f64).powf(t)).sqrt() as f32;
    let decay = (1.0 - a.lr as f64 * a.weight_decay as f64) as f32;
    let mut h = Vec::with_capacity(32);
    for v in [step_size, bc2_sqrt, a.beta1, a.beta2, a.eps, a.weight_decay, decay] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(&(a.decoupled as u32).to_le_bytes());
    h
}

fn invalid(msg: String) -> GpuError {
    GpuError::Validation(msg)
}

fn flat_groups(len: usize, per_group: usize) -> u32 {
    len.div_ceil(per_group) as u32
}

impl DenseTrainer {
    /// Uploads the initial parameters `(Wₗ: dₗ₋₁×dₗ row-major, bₗ: dₗ)` and prepares every
    /// launch of a step.
    pub async fn new(
        gpu: &Gpu,
        spec: DenseSpec,
        params: &[(Vec<f32>, Vec<f32>)],
    ) -> Result<Self, GpuError> {
        let ctx = gpu.ctx.clone();
        ctx.check_alive()?;
        let l_count = spec.dims.len().saturating_sub(1);
        if l_count == 0 || spec.batch == 0 || spec.dims.contains(&0) {
            return Err(invalid(format!(
                "dense trainer needs ≥ 2 non-zero widths and a batch ≥ 1, got {:?} × {}",
                spec.dims, spec.batch
            )));
        }
        if spec.adam.amsgrad {
            return Err(invalid("AMSGrad is not implemented on the GPU".into()));
        }
        if params.len() != l_count {
            return Err(invalid(format!(
                "{} layers but {} parameter pairs",
                l_count,
                params.len()
            )));
        }
        for (l, (w, b)) in params.iter().enumerate() {
            let (i, o) = (spec.dims[l], spec.dims[l + 1]);
            if w.len() != i * o || b.len() != o {
                return Err(invalid(format!(
                    "layer {l}: W has {} values (want {i}×{o}), b has {} (want {o})",
                    w.len(),
                    b.len()
                )));
            }
        }
        let caps = Caps::default();
        let batch = spec.batch;
        let max_elems = (caps.max_binding_bytes(&ctx) / 4) as usize;
        let widest = spec.dims.iter().copied().max().unwrap_or(1);
        if batch * widest > max_elems || batch * widest > 256 * caps.max_groups(&ctx) as usize {
            return Err(GpuError::TooLarge {
                what: "dense trainer activations",
                bytes: (batch * widest * 4) as u64,
                limit: (max_elems * 4) as u64,
            });
        }

        let scopes = Scopes::push(&ctx);
        let layouts = kernel_layouts();
        let compiled: Vec<(wgpu::ComputePipeline, wgpu::BindGroupLayout)> =
            layouts.iter().map(|(name, e)| res::pipeline(&ctx, name, SOURCE, name, e)).collect();

        let rw = res::INPUT.union(res::OUTPUT);
        let f32_buf = |label: &str, data: &[f32]| {
            let b = res::buffer(&ctx, label, data.len() as u64 * 4, rw);
            ctx.queue.write_buffer(&b, 0, &res::f32_bytes(data));
            b
        };
        let zeros = |label: &str, len: usize| f32_buf(label, &vec![0.0; len]);
        let layers: Vec<Layer> = params
            .iter()
            .enumerate()
            .map(|(l, (w, b))| {
                let o = spec.dims[l + 1];
                Layer {
                    w: f32_buf("dense.w", w),
                    b: f32_buf("dense.b", b),
                    gw: zeros("dense.gw", w.len()),
                    gb: zeros("dense.gb", o),
                    mw: zeros("dense.mw", w.len()),
                    vw: zeros("dense.vw", w.len()),
                    mb: zeros("dense.mb", o),
                    vb: zeros("dense.vb", o),
                    a: zeros("dense.a", batch * o),
                    d: zeros("dense.d", batch * o),
                }
            })
            .collect();
        let outputs = spec.dims[l_count];
        let x = zeros("dense.x", batch * spec.dims[0]);
        let targets = zeros("dense.targets", batch * spec.loss.targets_per_sample(outputs));
        let rows = zeros("dense.rows", batch);
        let staging = res::buffer(&ctx, "dense.staging", batch as u64 * 4, res::STAGING);
        let adam_u = res::buffer(&ctx, "dense.adam", 32, res::UNIFORM);

        let mut uniforms = Vec::new();
        let mut uniform = |bytes: Vec<u8>| {
            let b = res::buffer(&ctx, "dense.params", bytes.len() as u64, res::UNIFORM);
            ctx.queue.write_buffer(&b, 0, &bytes);
            uniforms.push(b);
            uniforms.len() - 1
        };
        let group = |k: usize, entries: &[(u32, &wgpu::Buffer)]| {
            let entries: Vec<wgpu::BindGroupEntry> = entries
                .iter()
                .map(|(binding, buf)| wgpu::BindGroupEntry {
                    binding: *binding,
                    resource: buf.as_entire_binding(),
                })
                .collect();
            ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(layouts[k].0),
                layout: &compiled[k].1,
                entries: &entries,
            })
        };
        let mm = gpu.matmul_kernel();

        // Uniform blocks first (the closure borrows `uniforms` mutably), then the launches.
        struct Plan {
            fwd_mm: usize,
            bias_act: usize,
            gw_mm: usize,
            gb_sum: usize,
            back_mm: Option<usize>,
            act_back: Option<usize>,
        }
        let mut plans = Vec::new();
        let mut gemms = Vec::new();
        for l in 0..l_count {
            let (i, o) = (spec.dims[l], spec.dims[l + 1]);
            let act = if l + 1 == l_count { spec.output } else { spec.hidden };
            let fwd = Gemm::new(batch, i, o);
            let gw = Gemm::new(i, batch, o).a_t();
            let back = Gemm::new(batch, o, i).b_t();
            gemms.push((fwd, gw, back));
            let prev_act = spec.hidden;
            plans.push(Plan {
                fwd_mm: uniform(matmul::params_bytes(fwd)),
                bias_act: uniform(res::u32_bytes(&[(batch * o) as u32, o as u32, act.code(), 0])),
                gw_mm: uniform(matmul::params_bytes(gw)),
                gb_sum: uniform(res::u32_bytes(&[batch as u32, o as u32, 0, 0])),
                back_mm: (l > 0).then(|| uniform(matmul::params_bytes(back))),
                act_back: (l > 0)
                    .then(|| uniform(res::u32_bytes(&[(batch * i) as u32, prev_act.code(), 0, 0]))),
            });
        }
        let scale = spec.loss.scale(batch, outputs);
        let mut loss_u = res::u32_bytes(&[batch as u32, outputs as u32, spec.loss.code()]);
        loss_u.extend_from_slice(&scale.to_le_bytes());
        let loss_slot = uniform(loss_u);

        let mut launches = Vec::new();
        // Forward.
        for (l, p) in plans.iter().enumerate() {
            let input = if l == 0 { &x } else { &layers[l - 1].a };
            let ly = &layers[l];
            let (fwd, _, _) = gemms[l];
            launches
                .push(Launch::Matmul(mm.bind(&ctx, input, &ly.w, &ly.a, &uniforms[p.fwd_mm]), fwd));
            let len = batch * spec.dims[l + 1];
            launches.push(Launch::Flat(
                BIAS_ACT,
                group(BIAS_ACT, &[(0, &ly.a), (1, &ly.b), (2, &uniforms[p.bias_act])]),
                flat_groups(len, 256),
            ));
        }
        // Loss and δ_L.
        let last = &layers[l_count - 1];
        launches.push(Launch::Flat(
            LOSS,
            group(
                LOSS,
                &[
                    (12, &last.a),
                    (13, &targets),
                    (14, &last.d),
                    (15, &rows),
                    (16, &uniforms[loss_slot]),
                ],
            ),
            flat_groups(batch, 64),
        ));
        // Backward.
        for l in (0..l_count).rev() {
            let p = &plans[l];
            let input = if l == 0 { &x } else { &layers[l - 1].a };
            let ly = &layers[l];
            let (_, gw, back) = gemms[l];
            launches
                .push(Launch::Matmul(mm.bind(&ctx, input, &ly.d, &ly.gw, &uniforms[p.gw_mm]), gw));
            launches.push(Launch::Flat(
                COL_SUM,
                group(COL_SUM, &[(8, &ly.d), (9, &ly.gb), (10, &uniforms[p.gb_sum])]),
                flat_groups(spec.dims[l + 1], 256),
            ));
            if let (Some(bm), Some(ab)) = (p.back_mm, p.act_back) {
                let prev = &layers[l - 1];
                launches.push(Launch::Matmul(
                    mm.bind(&ctx, &ly.d, &ly.w, &prev.d, &uniforms[bm]),
                    back,
                ));
                launches.push(Launch::Flat(
                    ACT_BACK,
                    group(ACT_BACK, &[(4, &prev.d), (5, &prev.a), (6, &uniforms[ab])]),
                    flat_groups(batch * spec.dims[l], 256),
                ));
            }
        }
        // Adam on every parameter.
        for ly in &layers {
            for (p, g, m, v, len) in [
                (&ly.w, &ly.gw, &ly.mw, &ly.vw, (ly.w.size() / 4) as usize),
                (&ly.b, &ly.gb, &ly.mb, &ly.vb, (ly.b.size() / 4) as usize),
            ] {
                launches.push(Launch::Flat(
                    ADAM,
                    group(ADAM, &[(20, p), (21, g), (22, m), (23, v), (24, &adam_u)]),
                    flat_groups(len, 256),
                ));
            }
        }
        let pipelines = {
            let mut it = compiled.into_iter().map(|(p, _)| p);
            // Exactly five were compiled above.
            let mut next = || it.next().ok_or_else(|| invalid("pipeline missing".into()));
            [next()?, next()?, next()?, next()?, next()?]
        };
        scopes.check(&ctx).await?;
        Ok(Self {
            spec,
            ctx,
            pipelines,
            layers,
            x,
            targets,
            rows,
            staging,
            adam_u,
            launches,
            steps: 0,
            _uniforms: uniforms,
        })
    }

    /// The network being trained.
    pub fn spec(&self) -> &DenseSpec {
        &self.spec
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// One training step on a batch: `x: (batch, d₀)` row-major; `targets`: class indices
    /// `(batch)` for cross-entropy, else `(batch, d_L)`. Returns the batch's loss (before the
    /// update, as PyTorch reports it).
    pub async fn step(&mut self, gpu: &Gpu, x: &[f32], targets: &[f32]) -> Result<f32, GpuError> {
        let mm = gpu.matmul_kernel();
        let ctx = &self.ctx;
        ctx.check_alive()?;
        self.spec.check_batch(x, targets).map_err(invalid)?;
        let batch = self.spec.batch;
        let outputs = self.spec.dims[self.spec.dims.len() - 1];
        let scopes = Scopes::push(ctx);
        ctx.queue.write_buffer(&self.x, 0, &res::f32_bytes(x));
        ctx.queue.write_buffer(&self.targets, 0, &res::f32_bytes(targets));
        ctx.queue.write_buffer(&self.adam_u, 0, &adam_uniform(&self.spec.adam, self.steps + 1));

        let mut enc = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("dense.step") });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("dense.step"),
                timestamp_writes: None,
            });
            for launch in &self.launches {
                match launch {
                    Launch::Matmul(group, g) => mm.dispatch(&mut pass, group, *g),
                    Launch::Flat(k, group, n) => {
                        pass.set_pipeline(&self.pipelines[*k]);
                        pass.set_bind_group(0, group, &[]);
                        pass.dispatch_workgroups(*n, 1, 1);
                    }
                }
            }
        }
        enc.copy_buffer_to_buffer(&self.rows, 0, &self.staging, 0, batch as u64 * 4);
        ctx.queue.submit([enc.finish()]);
        scopes.check(ctx).await?;
        let rows = super::readback::read_f32(ctx, &self.staging, batch).await?;
        self.steps += 1;
        let sum: f64 = rows.iter().map(|&r| r as f64).sum();
        Ok((sum * self.spec.loss.scale(batch, outputs) as f64) as f32)
    }

    /// Reads the current parameters back: `(Wₗ: dₗ₋₁×dₗ, bₗ)` per layer.
    pub async fn params(&self) -> Result<Vec<(Vec<f32>, Vec<f32>)>, GpuError> {
        let mut out = Vec::with_capacity(self.layers.len());
        for ly in &self.layers {
            let w = read_buffer(&self.ctx, &ly.w).await?;
            let b = read_buffer(&self.ctx, &ly.b).await?;
            out.push((w, b));
        }
        Ok(out)
    }
}

/// Copies a whole device buffer back to the CPU.
pub(super) async fn read_buffer(
    ctx: &GpuContext,
    buf: &wgpu::Buffer,
) -> Result<Vec<f32>, GpuError> {
    let len = (buf.size() / 4) as usize;
    let scopes = Scopes::push(ctx);
    let staging = res::buffer(ctx, "dense.read", buf.size(), res::STAGING);
    let mut enc = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("dense.read") });
    enc.copy_buffer_to_buffer(buf, 0, &staging, 0, buf.size());
    ctx.queue.submit([enc.finish()]);
    scopes.check(ctx).await?;
    super::readback::read_f32(ctx, &staging, len).await
}
