//! Driver of the WGSL ReLU (`relu.wgsl`): `relu(x) = max(0, x)` element-wise.
//!
//! The tensor is uploaded as a flat array, rectified in place and read back. Arrays larger
//! than one storage binding are processed in chunks; each chunk in dispatches of at most
//! `max_compute_workgroups_per_dimension` workgroups (see [`super::plan`]).

use super::context::GpuContext;
use super::error::GpuError;
use super::plan;
use super::resources::{self as res, Scopes};
use super::Caps;
use crate::core::Tensor;

const SOURCE: &str = include_str!("relu.wgsl");
/// Bytes of the WGSL `Params` struct (4 × u32).
const PARAMS_BYTES: u64 = 16;

/// The compiled ReLU pipeline.
#[derive(Debug)]
pub struct ReluKernel {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
}

impl ReluKernel {
    /// Compiles the kernel (errors surface through the caller's error scope).
    pub fn new(ctx: &GpuContext) -> Self {
        let (pipeline, layout) = res::pipeline(
            ctx,
            "relu",
            SOURCE,
            "relu",
            &[res::storage_entry(0, false), res::uniform_entry(1)],
        );
        Self { pipeline, layout }
    }

    /// Applies ReLU to every element of `x` (any shape) on the GPU.
    ///
    /// `x: (…) -> (…)`, same shape.
    pub async fn run(&self, ctx: &GpuContext, caps: Caps, x: &Tensor) -> Result<Tensor, GpuError> {
        ctx.check_alive()?;
        if x.is_empty() {
            return Ok(x.clone());
        }
        let chunks = plan::flat_chunks(x.len(), caps.max_binding_bytes(ctx));
        let max_len = chunks.iter().map(|r| r.len()).max().unwrap_or(1);
        let max_groups = caps.max_groups(ctx);
        let slots = plan::split_dispatches(max_len as u32, max_groups).len().max(1);
        let slot =
            plan::align_up(PARAMS_BYTES, ctx.limits.min_uniform_buffer_offset_alignment as u64);

        let scopes = Scopes::push(ctx);
        let bytes = max_len as u64 * 4;
        let data = res::buffer(ctx, "relu.data", bytes, res::INPUT.union(res::OUTPUT));
        let staging = res::buffer(ctx, "relu.staging", bytes, res::STAGING);
        let u_buf = res::buffer(ctx, "relu.params", slot * slots as u64, res::UNIFORM);
        let groups: Vec<wgpu::BindGroup> = (0..slots)
            .map(|k| {
                ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("relu"),
                    layout: &self.layout,
                    entries: &[
                        wgpu::BindGroupEntry { binding: 0, resource: data.as_entire_binding() },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                                buffer: &u_buf,
                                offset: slot * k as u64,
                                size: wgpu::BufferSize::new(PARAMS_BYTES),
                            }),
                        },
                    ],
                })
            })
            .collect();
        scopes.check(ctx).await?;

        let mut out = Vec::with_capacity(x.len());
        for chunk in chunks {
            let total = chunk.len() as u32;
            let scopes = Scopes::push(ctx);
            ctx.queue.write_buffer(&data, 0, &res::f32_bytes(&x.data()[chunk]));
            let dispatches = plan::split_dispatches(total, max_groups);
            let mut uniforms = vec![0u8; slot as usize * dispatches.len()];
            for (k, d) in dispatches.iter().enumerate() {
                let at = k * slot as usize;
                uniforms[at..at + PARAMS_BYTES as usize]
                    .copy_from_slice(&res::u32_bytes(&[d.base, total, 0, 0]));
            }
            ctx.queue.write_buffer(&u_buf, 0, &uniforms);
            out.extend(
                res::run_and_read(
                    ctx,
                    "relu",
                    &self.pipeline,
                    &dispatches,
                    &groups,
                    &data,
                    &staging,
                    total as usize,
                    scopes,
                )
                .await?,
            );
        }
        Ok(Tensor::new(x.shape().to_vec(), out)?)
    }
}
