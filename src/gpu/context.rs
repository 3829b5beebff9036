//! Device acquisition: one adapter, one device and its queue, plus the bookkeeping that turns
//! asynchronous GPU failures (device loss, errors outside any error scope) into values.
//!
//! Kept apart from the kernels so that tests (and the calibration) can open their own device.

use super::adapter::AdapterFacts;
use super::error::GpuError;
use std::sync::{Arc, Mutex};

/// How to pick the adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuOptions {
    /// Ask for the high-performance (discrete) GPU rather than the power-saving one.
    pub high_performance: bool,
    /// Ask for the fallback (software) adapter only.
    pub force_fallback: bool,
}

impl Default for GpuOptions {
    fn default() -> Self {
        Self { high_performance: true, force_fallback: false }
    }
}

/// An open GPU device: what kernels need to run.
#[derive(Debug, Clone)]
pub struct GpuContext {
    /// The logical device.
    pub device: wgpu::Device,
    /// Its submission queue.
    pub queue: wgpu::Queue,
    /// Who the adapter is (extended with browser facts by `compute` on the web).
    pub info: AdapterFacts,
    /// The limits the device was opened with.
    pub limits: wgpu::Limits,
    lost: Arc<Mutex<Option<String>>>,
    uncaptured: Arc<Mutex<Option<String>>>,
}

fn set(slot: &Mutex<Option<String>>, msg: String) {
    if let Ok(mut s) = slot.lock() {
        if s.is_none() {
            *s = Some(msg);
        }
    }
}

impl GpuContext {
    /// Opens the default (high-performance) adapter.
    pub async fn new() -> Result<Self, GpuError> {
        Self::with_options(GpuOptions::default()).await
    }

    /// Opens an adapter chosen by `opts`.
    pub async fn with_options(opts: GpuOptions) -> Result<Self, GpuError> {
        #[cfg(target_arch = "wasm32")]
        if !super::browser::has_webgpu() {
            return Err(GpuError::NoWebGpu);
        }
        // `Instance::new` panics only when no backend was compiled in; Cargo.toml enables
        // "vulkan" natively and "webgpu" on wasm32, so it cannot here.
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: if opts.high_performance {
                    wgpu::PowerPreference::HighPerformance
                } else {
                    wgpu::PowerPreference::LowPower
                },
                force_fallback_adapter: opts.force_fallback,
                compatible_surface: None,
                apply_limit_buckets: false,
            })
            .await
            .map_err(|e| GpuError::NoAdapter(e.to_string()))?;
        Self::from_adapter(&adapter).await
    }

    /// Opens a device on `adapter` with WebGPU's default limits, raised to the adapter's best
    /// for buffer sizes (so larger feature maps fit without splitting).
    pub async fn from_adapter(adapter: &wgpu::Adapter) -> Result<Self, GpuError> {
        let best = adapter.limits();
        // WebGPU's defaults, lowered where this adapter is weaker (a downlevel native one)…
        let mut limits = wgpu::Limits::default().or_worse_values_from(&best);
        // …and the adapter's best buffer sizes, so big feature maps need fewer splits.
        limits.max_buffer_size = best.max_buffer_size;
        limits.max_storage_buffer_binding_size = best.max_storage_buffer_binding_size;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("dlviz"),
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::RequestDevice(e.to_string()))?;
        let lost = Arc::new(Mutex::new(None));
        let uncaptured = Arc::new(Mutex::new(None));
        {
            let lost = lost.clone();
            device.set_device_lost_callback(move |reason, msg| {
                set(&lost, format!("{reason:?}: {msg}"));
            });
        }
        {
            // wgpu's default handler panics; record the error instead (shown as a notice).
            let uncaptured = uncaptured.clone();
            device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
                set(&uncaptured, e.to_string());
            }));
        }
        Ok(Self {
            device,
            queue,
            info: AdapterFacts::from_wgpu(&adapter.get_info()),
            limits,
            lost,
            uncaptured,
        })
    }

    /// Why the device was lost, if it was.
    pub fn lost_reason(&self) -> Option<String> {
        self.lost.lock().ok().and_then(|s| s.clone())
    }

    /// Takes the first error raised outside any error scope since the last call.
    pub fn take_uncaptured(&self) -> Option<String> {
        self.uncaptured.lock().ok().and_then(|mut s| s.take())
    }

    /// `Err(DeviceLost)` when the device is gone.
    pub fn check_alive(&self) -> Result<(), GpuError> {
        // Natively wgpu reports a loss from its maintenance pass, which runs when polled
        // (a non-blocking poll; its own errors only repeat what the lost callback says).
        #[cfg(not(target_arch = "wasm32"))]
        let _ = self.device.poll(wgpu::PollType::Poll);
        match self.lost_reason() {
            Some(r) => Err(GpuError::DeviceLost(r)),
            None => Ok(()),
        }
    }

    /// Destroys the device (tests use it to simulate a device loss).
    pub fn destroy(&self) {
        self.device.destroy();
    }
}
