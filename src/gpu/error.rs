//! Everything that can go wrong on the GPU path, as values (never a panic).

use crate::core::ConvError;
use std::fmt;

/// Why a GPU operation failed. The app shows the message and falls back to the CPU.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuError {
    /// The browser has no `navigator.gpu` (WebGPU unsupported or disabled).
    NoWebGpu,
    /// No adapter could be obtained.
    NoAdapter(String),
    /// The adapter refused to create a device.
    RequestDevice(String),
    /// The device was lost (driver reset, `destroy()`, tab in background too long…).
    DeviceLost(String),
    /// The GPU ran out of memory.
    OutOfMemory(String),
    /// wgpu/WebGPU rejected a call (a bug, or a limit we did not anticipate).
    Validation(String),
    /// An internal error of the implementation.
    Internal(String),
    /// Reading results back failed (buffer mapping).
    Map(String),
    /// Waiting for the GPU failed or timed out.
    Timeout(String),
    /// One piece of the problem does not fit the device limits even after splitting.
    TooLarge {
        /// What did not fit.
        what: &'static str,
        /// Bytes needed.
        bytes: u64,
        /// The device limit in bytes.
        limit: u64,
    },
    /// The shapes do not describe a valid convolution.
    Shape(ConvError),
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuError::NoWebGpu => write!(f, "this browser does not offer WebGPU"),
            GpuError::NoAdapter(m) => write!(f, "no GPU adapter: {m}"),
            GpuError::RequestDevice(m) => write!(f, "the GPU refused to open a device: {m}"),
            GpuError::DeviceLost(m) => write!(f, "the GPU device was lost: {m}"),
            GpuError::OutOfMemory(m) => write!(f, "the GPU ran out of memory: {m}"),
            GpuError::Validation(m) => write!(f, "GPU validation error: {m}"),
            GpuError::Internal(m) => write!(f, "internal GPU error: {m}"),
            GpuError::Map(m) => write!(f, "reading GPU results failed: {m}"),
            GpuError::Timeout(m) => write!(f, "waiting for the GPU failed: {m}"),
            GpuError::TooLarge { what, bytes, limit } => {
                write!(f, "{what} needs {bytes} bytes, more than the GPU limit of {limit} bytes")
            }
            GpuError::Shape(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for GpuError {}

impl From<ConvError> for GpuError {
    fn from(e: ConvError) -> Self {
        GpuError::Shape(e)
    }
}

impl GpuError {
    /// True when the device cannot be trusted any more (lost, never obtained, results that
    /// cannot be read back): the app stops using the GPU rather than retry per call. Limits
    /// (`TooLarge`), out-of-memory and shape errors concern one job only.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            GpuError::NoWebGpu
                | GpuError::NoAdapter(_)
                | GpuError::RequestDevice(_)
                | GpuError::DeviceLost(_)
                | GpuError::Internal(_)
                | GpuError::Map(_)
                | GpuError::Timeout(_)
        )
    }

    /// Converts an error caught by a wgpu error scope.
    pub fn from_wgpu(e: &wgpu::Error) -> Self {
        match e {
            wgpu::Error::OutOfMemory { .. } => GpuError::OutOfMemory(e.to_string()),
            wgpu::Error::Validation { description, .. } => {
                GpuError::Validation(description.clone())
            }
            wgpu::Error::Internal { description, .. } => GpuError::Internal(description.clone()),
        }
    }
}
