//! Driver of the WGSL 2-D convolution (`conv2d.wgsl`): NCHW, stride, zero padding, dilation,
//! C channels, F filters, optional bias and fused ReLU.
//!
//! `y[n,f,i,j] = b[f] + Σ_c Σ_u Σ_v w[f,c,u,v] · x[n, c, s·i + d·u − p, s·j + d·v − p]`,
//! the same definition as [`crate::core::conv`]. One GPU invocation computes one output value.
//!
//! Large jobs are cut to the device limits (see [`super::plan`]): the batch is processed in
//! chunks whose input and output fit one storage binding, and each chunk in dispatches of at
//! most `max_compute_workgroups_per_dimension` workgroups.

use super::context::GpuContext;
use super::error::GpuError;
use super::plan;
use super::resources::{self as res, Scopes};
use super::Caps;
use crate::core::conv::Conv2dParams;
use crate::core::{ShapeError, Tensor};

const SOURCE: &str = include_str!("conv2d.wgsl");
/// Bytes of the WGSL `Params` struct (16 × u32).
const PARAMS_BYTES: u64 = 64;

/// Shape check and output shape, shared with the CPU path.
pub use crate::core::conv::output_shape;

impl From<ShapeError> for GpuError {
    fn from(e: ShapeError) -> Self {
        GpuError::Shape(e.into())
    }
}

/// The compiled convolution pipeline.
#[derive(Debug)]
pub struct Conv2dKernel {
    pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
}

impl Conv2dKernel {
    /// Compiles the kernel (errors surface through the caller's error scope).
    pub fn new(ctx: &GpuContext) -> Self {
        let (pipeline, layout) = res::pipeline(
            ctx,
            "conv2d",
            SOURCE,
            "conv2d",
            &[
                res::storage_entry(0, true),
                res::storage_entry(1, true),
                res::storage_entry(2, true),
                res::storage_entry(3, false),
                res::uniform_entry(4),
            ],
        );
        Self { pipeline, layout }
    }

    /// Runs the convolution and reads the result back.
    ///
    /// `input: (N, C, H, W)`, `weight: (F, C, KH, KW)`, `bias: (F)` → `(N, F, H', W')`,
    /// followed by ReLU when `relu` is set.
    // The arguments are the convolution's own (as in `core::conv::conv2d`) plus the device.
    #[allow(clippy::too_many_arguments)]
    pub async fn run(
        &self,
        ctx: &GpuContext,
        caps: Caps,
        input: &Tensor,
        weight: &Tensor,
        bias: Option<&[f32]>,
        p: Conv2dParams,
        relu: bool,
    ) -> Result<Tensor, GpuError> {
        ctx.check_alive()?;
        let [n, f, ho, wo] = output_shape(input, weight, bias, p)?;
        let [_, c, h, w] = input.dims4()?;
        let [_, _, kh, kw] = weight.dims4()?;
        let out_shape = vec![n, f, ho, wo];
        let in_item = c * h * w; // floats per input image
        let out_item = f * ho * wo; // floats per output map
        if n * out_item == 0 {
            return Ok(Tensor::zeros(out_shape));
        }
        let max_bytes = caps.max_binding_bytes(ctx);
        let weight_bytes = weight.len() as u64 * 4;
        if weight_bytes > max_bytes {
            return Err(GpuError::TooLarge {
                what: "the weights",
                bytes: weight_bytes,
                limit: max_bytes,
            });
        }
        let chunks = plan::batch_chunks(n, in_item as u64 * 4, out_item as u64 * 4, max_bytes)?;
        let max_items = chunks.iter().map(|r| r.len()).max().unwrap_or(1);
        let max_groups = caps.max_groups(ctx);
        let dispatches_per_chunk =
            plan::split_dispatches((max_items * out_item) as u32, max_groups).len().max(1);
        let slot =
            plan::align_up(PARAMS_BYTES, ctx.limits.min_uniform_buffer_offset_alignment as u64);

        let scopes = Scopes::push(ctx);
        let x_buf = res::buffer(ctx, "conv2d.x", (max_items * in_item) as u64 * 4, res::INPUT);
        let w_buf = res::buffer(ctx, "conv2d.w", weight_bytes, res::INPUT);
        let b_buf = res::buffer(ctx, "conv2d.b", f as u64 * 4, res::INPUT);
        let y_bytes = (max_items * out_item) as u64 * 4;
        let y_buf = res::buffer(ctx, "conv2d.y", y_bytes, res::OUTPUT);
        let staging = res::buffer(ctx, "conv2d.staging", y_bytes, res::STAGING);
        let u_buf =
            res::buffer(ctx, "conv2d.params", slot * dispatches_per_chunk as u64, res::UNIFORM);
        if !weight.is_empty() {
            ctx.queue.write_buffer(&w_buf, 0, &res::f32_bytes(weight.data()));
        }
        if let Some(b) = bias {
            ctx.queue.write_buffer(&b_buf, 0, &res::f32_bytes(b));
        }
        // One bind group per uniform slot: dispatch k of a chunk reads slot k.
        let groups: Vec<wgpu::BindGroup> = (0..dispatches_per_chunk)
            .map(|k| {
                ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("conv2d"),
                    layout: &self.layout,
                    entries: &[
                        wgpu::BindGroupEntry { binding: 0, resource: x_buf.as_entire_binding() },
                        wgpu::BindGroupEntry { binding: 1, resource: w_buf.as_entire_binding() },
                        wgpu::BindGroupEntry { binding: 2, resource: b_buf.as_entire_binding() },
                        wgpu::BindGroupEntry { binding: 3, resource: y_buf.as_entire_binding() },
                        wgpu::BindGroupEntry {
                            binding: 4,
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

        let flags = u32::from(bias.is_some()) | (u32::from(relu) << 1);
        let mut out = Vec::with_capacity(n * out_item);
        for chunk in chunks {
            let items = chunk.len();
            let total = (items * out_item) as u32;
            let scopes = Scopes::push(ctx);
            let x_chunk = &input.data()[chunk.start * in_item..chunk.end * in_item];
            if !x_chunk.is_empty() {
                ctx.queue.write_buffer(&x_buf, 0, &res::f32_bytes(x_chunk));
            }
            let dispatches = plan::split_dispatches(total, max_groups);
            let mut uniforms = vec![0u8; (slot as usize) * dispatches.len()];
            for (k, d) in dispatches.iter().enumerate() {
                let params = [
                    items as u32,
                    c as u32,
                    h as u32,
                    w as u32,
                    f as u32,
                    kh as u32,
                    kw as u32,
                    ho as u32,
                    wo as u32,
                    p.stride as u32,
                    p.padding as u32,
                    p.dilation as u32,
                    flags,
                    d.base,
                    total,
                    0,
                ];
                let at = k * slot as usize;
                uniforms[at..at + PARAMS_BYTES as usize].copy_from_slice(&res::u32_bytes(&params));
            }
            ctx.queue.write_buffer(&u_buf, 0, &uniforms);
            out.extend(
                res::run_and_read(
                    ctx,
                    "conv2d",
                    &self.pipeline,
                    &dispatches,
                    &groups,
                    &y_buf,
                    &staging,
                    total as usize,
                    scopes,
                )
                .await?,
            );
        }
        debug_assert_eq!(out.len(), n * out_item);
        Ok(Tensor::new(out_shape, out)?)
    }
}
