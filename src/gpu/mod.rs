//! The WebGPU backend (wgpu): WGSL kernels for the core's ops, read back asynchronously.
