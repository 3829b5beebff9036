//! The WebGPU backend (wgpu): WGSL kernels for the core's ops, read back asynchronously.
//!
//! * [`context`]: device acquisition ([`GpuContext`]), device-loss and error bookkeeping.
//! * [`conv2d`], [`relu`], [`matmul`]: kernel drivers; the WGSL sources sit beside them
//!   (`conv2d.wgsl`, `relu.wgsl`) and compute exactly the formulas of [`crate::core::conv`]
//!   and [`crate::core::activation`].
//! * [`dense`]: a GPU-resident trainer for dense networks (weights, moments and activations
//!   stay on the device; one submission and one small readback per step).
//! * [`vae`]: the same for the variational autoencoder of `core::vae` (`vae.wgsl` adds the
//!   reparameterised sample and the KL gradient).
//! * [`readback`]: `map_async` turned into a future that works in the browser (no blocking)
//!   and natively (`device.poll`).
//! * [`plan`]: cutting large jobs to the device limits.
//! * [`adapter`]: who the adapter is, and whether it is a software rasteriser.
//!
//! Every failure is a [`GpuError`] value; nothing here panics on a GPU fault. [`Gpu`] bundles
//! a context with the compiled kernels; [`crate::compute`] decides when to use it.

pub mod adapter;
#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod context;
pub mod conv2d;
pub mod dense;
pub mod error;
pub mod matmul;
pub mod plan;
pub mod readback;
pub mod relu;
pub mod resources;
pub mod vae;

pub use adapter::{AdapterFacts, BrowserAdapterInfo, DeviceKind};
pub use context::{GpuContext, GpuOptions};
pub use error::GpuError;

use crate::core::{Conv2dParams, Tensor};

/// Optional caps below the device limits, to force splitting (tests use them to exercise the
/// multi-dispatch and multi-chunk paths on small inputs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    /// At most this many workgroups per dispatch.
    pub max_groups_per_dispatch: Option<u32>,
    /// At most this many bytes per storage binding.
    pub max_binding_bytes: Option<u64>,
}

impl Caps {
    /// Bytes one storage binding may hold: the device limits, [`plan::MAX_INDEXABLE_BYTES`]
    /// and the cap, rounded down to whole `f32`s.
    pub fn max_binding_bytes(&self, ctx: &GpuContext) -> u64 {
        let l = &ctx.limits;
        let m = l
            .max_storage_buffer_binding_size
            .min(l.max_buffer_size)
            .min(plan::MAX_INDEXABLE_BYTES)
            .min(self.max_binding_bytes.unwrap_or(u64::MAX));
        (m / 4 * 4).max(4)
    }

    /// Workgroups one dispatch may launch along x.
    pub fn max_groups(&self, ctx: &GpuContext) -> u32 {
        ctx.limits
            .max_compute_workgroups_per_dimension
            .min(self.max_groups_per_dispatch.unwrap_or(u32::MAX))
            .max(1)
    }
}

/// An open device with the dlviz kernels compiled: the GPU counterpart of `crate::core`.
#[derive(Debug)]
pub struct Gpu {
    /// The device.
    pub ctx: GpuContext,
    conv: conv2d::Conv2dKernel,
    relu: relu::ReluKernel,
    matmul: matmul::MatmulKernel,
    caps: Caps,
}

impl Gpu {
    /// Compiles the kernels on `ctx`.
    pub async fn new(ctx: GpuContext) -> Result<Self, GpuError> {
        let scopes = resources::Scopes::push(&ctx);
        let conv = conv2d::Conv2dKernel::new(&ctx);
        let relu = relu::ReluKernel::new(&ctx);
        let matmul = matmul::MatmulKernel::new(&ctx);
        scopes.check(&ctx).await?;
        Ok(Self { ctx, conv, relu, matmul, caps: Caps::default() })
    }

    /// Opens the default adapter and compiles the kernels.
    pub async fn open() -> Result<Self, GpuError> {
        Self::new(GpuContext::new().await?).await
    }

    /// Sets caps below the device limits (for tests of the splitting paths).
    pub fn set_caps(&mut self, caps: Caps) {
        self.caps = caps;
    }

    /// Who the adapter is.
    pub fn info(&self) -> &AdapterFacts {
        &self.ctx.info
    }

    /// 2-D convolution on the GPU, optionally followed by ReLU.
    ///
    /// `input: (N, C, H, W)`, `weight: (F, C, KH, KW)`, `bias: (F)` → `(N, F, H', W')`.
    pub async fn conv2d(
        &self,
        input: &Tensor,
        weight: &Tensor,
        bias: Option<&[f32]>,
        p: Conv2dParams,
        relu: bool,
    ) -> Result<Tensor, GpuError> {
        self.conv.run(&self.ctx, self.caps, input, weight, bias, p, relu).await
    }

    /// `C = op(A)·op(B)` (plus `c_in` when `g.accumulate`) on the GPU, read back.
    ///
    /// `a: m×k` (`k×m` if `a_trans`), `b: k×n` (`n×k` if `b_trans`) → `C: m×n`.
    pub async fn matmul(
        &self,
        g: crate::core::matmul::Gemm,
        a: &[f32],
        b: &[f32],
        c_in: Option<&[f32]>,
    ) -> Result<Vec<f32>, GpuError> {
        self.matmul.run(&self.ctx, self.caps, g, a, b, c_in).await
    }

    /// The compiled matrix-product kernel, for callers that keep buffers on the device.
    pub fn matmul_kernel(&self) -> &matmul::MatmulKernel {
        &self.matmul
    }

    /// ReLU on the GPU: `x: (…) -> (…)`.
    pub async fn relu(&self, x: &Tensor) -> Result<Tensor, GpuError> {
        self.relu.run(&self.ctx, self.caps, x).await
    }
}
