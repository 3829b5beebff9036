//! Driver of the WGSL matrix product (`matmul.wgsl`): `C = op(A)·op(B)` (or `C += …`), the GPU
//! twin of [`crate::core::matmul::gemm`] with the same [`Gemm`] description.
//!
//! Two ways in: [`MatmulKernel::run`] uploads the operands, multiplies and reads `C` back (one
//! round trip, for one-off products and the benchmark); [`MatmulKernel::bind`] +
//! [`MatmulKernel::dispatch`] record a product between buffers that stay on the device (the
//! GPU trainer in [`super::dense`] chains dozens of them per training step with one readback).

use super::context::GpuContext;
use super::error::GpuError;
use super::resources::{self as res, Scopes};
use super::Caps;
use crate::core::matmul::Gemm;

const SOURCE: &str = include_str!("matmul.wgsl");
/// Bytes of the WGSL `Params` struct (4 × u32).
pub const PARAMS_BYTES: u64 = 16;
/// Rows and columns of `C` per workgroup (see the WGSL).
const TILE: usize = 64;

/// The compiled matrix-product pipeline.
#[derive(Debug)]
pub struct MatmulKernel {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
}

/// The uniform block for `g`: `m, n, k, flags` (bit 0 Aᵀ, bit 1 Bᵀ, bit 2 accumulate).
pub fn params_bytes(g: Gemm) -> Vec<u8> {
    let flags = g.a_trans as u32 | (g.b_trans as u32) << 1 | (g.accumulate as u32) << 2;
    res::u32_bytes(&[g.m as u32, g.n as u32, g.k as u32, flags])
}

/// Workgroups for `g`: `(⌈n/64⌉, ⌈m/64⌉)`.
pub fn groups(g: Gemm) -> (u32, u32) {
    (g.n.div_ceil(TILE) as u32, g.m.div_ceil(TILE) as u32)
}

/// Checks that `g` fits the device: every operand within one storage binding, the grid within
/// the dispatch limit, and every size representable in `u32`.
pub fn check_fits(ctx: &GpuContext, caps: Caps, g: Gemm) -> Result<(), GpuError> {
    let limit = caps.max_binding_bytes(ctx);
    for (what, len) in [("matmul A", g.m * g.k), ("matmul B", g.k * g.n), ("matmul C", g.m * g.n)] {
        let bytes = len as u64 * 4;
        if bytes > limit {
            return Err(GpuError::TooLarge { what, bytes, limit });
        }
    }
    let (gx, gy) = groups(g);
    let max = caps.max_groups(ctx);
    if gx > max || gy > max {
        return Err(GpuError::TooLarge {
            what: "matmul workgroup grid",
            bytes: gx.max(gy) as u64,
            limit: max as u64,
        });
    }
    Ok(())
}

impl MatmulKernel {
    /// Compiles the kernel (errors surface through the caller's error scope).
    pub fn new(ctx: &GpuContext) -> Self {
        let (pipeline, layout) = res::pipeline(
            ctx,
            "matmul",
            SOURCE,
            "matmul",
            &[
                res::storage_entry(0, true),
                res::storage_entry(1, true),
                res::storage_entry(2, false),
                res::uniform_entry(3),
            ],
        );
        Self { pipeline, layout }
    }

    /// A bind group for `c ← op(a)·op(b)` whose [`params_bytes`] live in `params`.
    pub fn bind(
        &self,
        ctx: &GpuContext,
        a: &wgpu::Buffer,
        b: &wgpu::Buffer,
        c: &wgpu::Buffer,
        params: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("matmul"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: a.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 1, resource: b.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 2, resource: c.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 3, resource: params.as_entire_binding() },
            ],
        })
    }

    /// Records the product `g` into `pass` with a bind group from [`MatmulKernel::bind`].
    pub fn dispatch(&self, pass: &mut wgpu::ComputePass<'_>, group: &wgpu::BindGroup, g: Gemm) {
        let (gx, gy) = groups(g);
        if gx == 0 || gy == 0 {
            return;
        }
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, group, &[]);
        pass.dispatch_workgroups(gx, gy, 1);
    }

    /// `C = op(A)·op(B)` (plus `c_in` when `g.accumulate`), uploaded, computed and read back.
    ///
    /// `a: m×k` (`k×m` if `a_trans`), `b: k×n` (`n×k` if `b_trans`) → `C: m×n`.
    pub async fn run(
        &self,
        ctx: &GpuContext,
        caps: Caps,
        g: Gemm,
        a: &[f32],
        b: &[f32],
        c_in: Option<&[f32]>,
    ) -> Result<Vec<f32>, GpuError> {
        ctx.check_alive()?;
        let zeros;
        let c0 = match c_in {
            Some(c) => c,
            None => {
                zeros = vec![0.0f32; g.m * g.n];
                &zeros
            }
        };
        g.check(a, b, c0)?;
        if g.m * g.n == 0 {
            return Ok(Vec::new());
        }
        check_fits(ctx, caps, g)?;
        let scopes = Scopes::push(ctx);
        let a_buf = res::buffer(ctx, "matmul.a", a.len() as u64 * 4, res::INPUT);
        let b_buf = res::buffer(ctx, "matmul.b", b.len() as u64 * 4, res::INPUT);
        let c_buf =
            res::buffer(ctx, "matmul.c", c0.len() as u64 * 4, res::INPUT.union(res::OUTPUT));
        let staging = res::buffer(ctx, "matmul.staging", c0.len() as u64 * 4, res::STAGING);
        let u_buf = res::buffer(ctx, "matmul.params", PARAMS_BYTES, res::UNIFORM);
        ctx.queue.write_buffer(&a_buf, 0, &res::f32_bytes(a));
        ctx.queue.write_buffer(&b_buf, 0, &res::f32_bytes(b));
        if g.accumulate {
            ctx.queue.write_buffer(&c_buf, 0, &res::f32_bytes(c0));
        }
        ctx.queue.write_buffer(&u_buf, 0, &params_bytes(g));
        let group = self.bind(ctx, &a_buf, &b_buf, &c_buf, &u_buf);
        let (gx, gy) = groups(g);
        // `run_and_read` dispatches along x only; a 2-D grid is recorded here instead.
        let mut enc = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("matmul") });
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("matmul"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(gx, gy, 1);
        }
        enc.copy_buffer_to_buffer(&c_buf, 0, &staging, 0, c0.len() as u64 * 4);
        ctx.queue.submit([enc.finish()]);
        scopes.check(ctx).await?;
        super::readback::read_f32(ctx, &staging, c0.len()).await
    }
}
