//! Catalog entries of the compute-backend indicator (`ui::backend`) and of
//! `compute::Status`'s texts. `{adapter}`, `{cpu}`, `{gpu}`, `{rt}` (milliseconds) and `{error}` are
//! filled in by `tr_fmt`.

use super::Entry;

/// (key, English, Chinese)
pub const ENTRIES: &[Entry] = &[
    ("backend.switch_label", "Compute backend", "计算后端"),
    ("backend.auto", "Auto", "自动"),
    ("backend.cpu", "CPU", "CPU"),
    ("backend.gpu", "WebGPU", "WebGPU"),
    ("backend.run", "Training on {where}. {why}", "训练运行于 {where}。{why}"),
    ("backend.run_cpu", "This run trains on the CPU (wasm SIMD).", "本次训练在 CPU（wasm SIMD）上进行。"),
    ("backend.run_gpu", "This run trains on WebGPU ({adapter}).", "本次训练在 WebGPU（{adapter}）上进行。"),
    ("backend.run_choosing", "Choosing where to train this model…", "正在选择训练此模型的位置……"),
    (
        "backend.run_measured",
        "Measured on this model: one training step takes {gpu} ms on the GPU (batch upload and loss readback included) and {cpu} ms on the CPU.",
        "在此模型上实测：一个训练步在 GPU 上耗时 {gpu} 毫秒（含批数据上传与损失回读），在 CPU 上耗时 {cpu} 毫秒。",
    ),
    (
        "backend.run_fallback",
        "The GPU failed ({error}); training continues on the CPU from the last weights read back.",
        "GPU 出错（{error}）；训练从最后回读的权重起在 CPU 上继续。",
    ),
    ("backend.label_cpu", "CPU (wasm SIMD)", "CPU（wasm SIMD）"),
    ("backend.label_gpu", "WebGPU: {adapter}", "WebGPU：{adapter}"),
    ("backend.why_forced_cpu", "You chose the CPU.", "你选择了 CPU。"),
    ("backend.why_forced_gpu", "You chose WebGPU.", "你选择了 WebGPU。"),
    (
        "backend.why_initializing",
        "Starting WebGPU… the CPU computes meanwhile.",
        "正在启动 WebGPU……在此期间由 CPU 计算。",
    ),
    (
        "backend.why_calibrating",
        "Measuring whether this GPU is faster than the CPU… the CPU computes meanwhile.",
        "正在测量这块 GPU 是否比 CPU 更快……在此期间由 CPU 计算。",
    ),
    (
        "backend.why_software",
        "The WebGPU adapter ({adapter}) is a software renderer that runs on the CPU, so the CPU is used directly.",
        "WebGPU 适配器（{adapter}）是在 CPU 上运行的软件渲染器，因此直接使用 CPU。",
    ),
    (
        "backend.why_slower",
        "Measured: the GPU ({adapter}) takes {gpu} ms per convolution including readback, the CPU {cpu} ms, so the CPU is used.",
        "实测：GPU（{adapter}）每次卷积（含结果回读）耗时 {gpu} 毫秒，CPU 为 {cpu} 毫秒，因此使用 CPU。",
    ),
    (
        "backend.why_faster",
        "Measured: the GPU takes {gpu} ms per convolution including readback, the CPU {cpu} ms, so the GPU is used.",
        "实测：GPU 每次卷积（含结果回读）耗时 {gpu} 毫秒，CPU 为 {cpu} 毫秒，因此使用 GPU。",
    ),
    (
        "backend.round_trip",
        "One GPU round trip (upload, dispatch, readback) takes {rt} ms, so products too small to repay it stay on the CPU.",
        "一次 GPU 往返（上传、调度、回读）耗时 {rt} 毫秒，因此小到无法抵消这一开销的矩阵乘法仍在 CPU 上计算。",
    ),
    ("backend.why_unavailable", "WebGPU is unavailable ({error}); the CPU computes.", "WebGPU 不可用（{error}），由 CPU 计算。"),
    (
        "backend.notice_fallback",
        "A GPU computation failed and was redone on the CPU: {error}",
        "一次 GPU 计算失败，已改由 CPU 重新计算：{error}",
    ),
    ("backend.dismiss", "Dismiss", "关闭"),
    ("backend.busy", "measuring…", "测量中……"),
];
