//! Small helpers shared by the kernel drivers: buffers, uniform slots and error scopes.

use super::context::GpuContext;
use super::error::GpuError;

/// The little-endian bytes of `v` (what WGSL `array<f32>` reads).
pub fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The little-endian bytes of `v` (a WGSL struct of `u32` fields).
pub fn u32_bytes(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A buffer of at least `bytes` bytes (at least 4: WebGPU refuses empty bindings).
pub fn buffer(
    ctx: &GpuContext,
    label: &str,
    bytes: u64,
    usage: wgpu::BufferUsages,
) -> wgpu::Buffer {
    ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: super::plan::align_up(bytes.max(4), 4),
        usage,
        mapped_at_creation: false,
    })
}

/// Storage buffer usages for a kernel input that is uploaded with `queue.write_buffer`.
pub const INPUT: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_DST);
/// Storage buffer usages for a kernel output that is copied to a staging buffer.
pub const OUTPUT: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_SRC);
/// Staging buffer usages: the CPU maps it to read results.
pub const STAGING: wgpu::BufferUsages =
    wgpu::BufferUsages::MAP_READ.union(wgpu::BufferUsages::COPY_DST);
/// Uniform buffer usages.
pub const UNIFORM: wgpu::BufferUsages =
    wgpu::BufferUsages::UNIFORM.union(wgpu::BufferUsages::COPY_DST);

/// A storage buffer binding-layout entry for compute shaders.
pub fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A uniform buffer binding-layout entry for compute shaders.
pub fn uniform_entry(binding: u32) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// A compute pipeline from WGSL `source` with entry point `entry`, and its bind group layout.
pub fn pipeline(
    ctx: &GpuContext,
    label: &str,
    source: &str,
    entry: &str,
    layout_entries: &[wgpu::BindGroupLayoutEntry],
) -> (wgpu::ComputePipeline, wgpu::BindGroupLayout) {
    let module = ctx.device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let bgl = ctx.device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries: layout_entries,
    });
    let layout = ctx.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &[Some(&bgl)],
        immediate_size: 0,
    });
    let pipeline = ctx.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(label),
        layout: Some(&layout),
        module: &module,
        entry_point: Some(entry),
        compilation_options: Default::default(),
        cache: None,
    });
    (pipeline, bgl)
}

/// Error scopes around a batch of GPU calls: out-of-memory, validation and internal errors
/// are captured and returned as a [`GpuError`] instead of reaching the uncaptured handler.
pub struct Scopes {
    oom: wgpu::ErrorScopeGuard,
    internal: wgpu::ErrorScopeGuard,
    validation: wgpu::ErrorScopeGuard,
}

impl Scopes {
    /// Pushes the three scopes.
    pub fn push(ctx: &GpuContext) -> Self {
        let oom = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let internal = ctx.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let validation = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
        Self { oom, internal, validation }
    }

    /// Pops the scopes (innermost first) and reports the first error, preferring a device
    /// loss (which makes every later call fail with validation errors) when there was one.
    pub async fn check(self, ctx: &GpuContext) -> Result<(), GpuError> {
        // All three pops are issued before the first await: `pop` takes the scope off the
        // device's stack at once, and another task (a second training step, a lesson's conv)
        // may push its own scopes while this one awaits; popping after an await then trips
        // wgpu's "error scopes must be popped in reverse order" panic, which kills the page.
        let (validation, internal, oom) =
            (self.validation.pop(), self.internal.pop(), self.oom.pop());
        let (validation, internal, oom) = (validation.await, internal.await, oom.await);
        ctx.check_alive()?;
        if let Some(e) = [oom, internal, validation].into_iter().flatten().next() {
            return Err(GpuError::from_wgpu(&e));
        }
        if let Some(m) = ctx.take_uncaptured() {
            return Err(GpuError::Validation(m));
        }
        Ok(())
    }
}

/// The tail every kernel driver shares: one compute pass running `pipeline` once per
/// dispatch (with that dispatch's bind group), a copy of the first `len` f32 of `result` into
/// `staging`, the submit, the error-scope check, and the asynchronous readback.
#[allow(clippy::too_many_arguments)]
pub async fn run_and_read(
    ctx: &GpuContext,
    label: &str,
    pipeline: &wgpu::ComputePipeline,
    dispatches: &[super::plan::Dispatch],
    groups: &[wgpu::BindGroup],
    result: &wgpu::Buffer,
    staging: &wgpu::Buffer,
    len: usize,
    scopes: Scopes,
) -> Result<Vec<f32>, GpuError> {
    let mut enc =
        ctx.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
    {
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(label),
            timestamp_writes: None,
        });
        pass.set_pipeline(pipeline);
        for (d, g) in dispatches.iter().zip(groups) {
            pass.set_bind_group(0, g, &[]);
            pass.dispatch_workgroups(d.groups, 1, 1);
        }
    }
    enc.copy_buffer_to_buffer(result, 0, staging, 0, len as u64 * 4);
    ctx.queue.submit([enc.finish()]);
    scopes.check(ctx).await?;
    super::readback::read_f32(ctx, staging, len).await
}
