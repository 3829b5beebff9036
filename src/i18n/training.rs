//! Catalog entries of the live-training kit (`ui::train`): controls, meters, the divergence
//! explanation and the loss chart. Shared by every training lesson. Placeholders (`{step}`,
//! `{run}`, `{value}`, `{n}`…) are filled in by `tr_fmt`.

use super::Entry;

/// (key, English, Chinese)
pub const ENTRIES: &[Entry] = &[
    ("train.controls", "Training controls", "训练控制"),
    ("train.play", "Play", "开始"),
    ("train.pause", "Pause", "暂停"),
    ("train.step", "Step", "单步"),
    ("train.reset", "Reset", "重置"),
    ("train.play_hint", "Train continuously (Space)", "持续训练（空格键）"),
    ("train.step_hint", "Do exactly one training step", "只执行一步训练"),
    ("train.reset_hint", "New weights from the seed, step 0", "按种子重新初始化权重，回到第 0 步"),
    ("train.speed", "Speed", "速度"),
    ("train.speed_value", "up to {n} steps per frame", "每帧最多 {n} 步"),
    ("train.step_count", "step {n}", "第 {n} 步"),
    ("train.rate", "{r} steps/s", "{r} 步/秒"),
    ("train.elapsed", "{t} s elapsed", "已用 {t} 秒"),
    ("train.status_running", "Training…", "训练中…"),
    ("train.status_paused", "Paused", "已暂停"),
    ("train.status_hidden", "Paused: the tab is hidden", "已暂停：标签页不可见"),
    ("train.status_diverged", "Stopped: diverged", "已停止：发散"),
    ("train.status_loading", "Preparing the model…", "正在准备模型…"),
    ("train.error", "Training stopped: {error}", "训练已停止：{error}"),
    ("div.title", "{run} diverged at step {step}.", "{run} 在第 {step} 步发散。"),
    (
        "div.nonfinite_loss",
        "The loss became {value}. Once a weight overflows, every later number is NaN and training cannot recover.",
        "损失变成了 {value}。一旦某个权重溢出，之后的所有数都会变成 NaN，训练无法恢复。",
    ),
    (
        "div.nonfinite_grad",
        "The gradient norm became {value}: a step of this size would overwrite the weights with infinities.",
        "梯度范数变成了 {value}：按这样的梯度更新，权重会变成无穷大。",
    ),
    (
        "div.grad_limit",
        "The gradient norm reached {value}, above the limit {limit}: the steps are growing instead of shrinking.",
        "梯度范数达到 {value}，超过上限 {limit}：每一步越走越大，而不是越来越小。",
    ),
    (
        "div.grad_spike",
        "The gradient norm jumped to {value}, over {factor}× its recent median {median}: the weights were thrown far away.",
        "梯度范数跳到 {value}，超过近期中位数 {median} 的 {factor} 倍：权重被甩到了很远的地方。",
    ),
    (
        "div.loss_blowup",
        "The loss rose to {value}, over {factor}× its first value {first}: each step overshoots the minimum by more than the last.",
        "损失升到 {value}，超过初始值 {first} 的 {factor} 倍：每一步都比上一步更远地越过最小值。",
    ),
    ("div.try", "What to try:", "可以尝试："),
    (
        "remedy.lr",
        "Lower the learning rate (a step of η·g overshoots when η is above about 2/curvature).",
        "降低学习率（当 η 超过约 2/曲率 时，η·g 这一步会越过最小值）。",
    ),
    (
        "remedy.clip",
        "Clip the gradient norm, so that no single step can be larger than a set size.",
        "裁剪梯度范数，使任何一步都不超过设定的大小。",
    ),
    (
        "remedy.bn",
        "Add batch normalization, which keeps activations, and so gradients, at a steady scale.",
        "加入批归一化，让激活值（从而梯度）保持稳定的尺度。",
    ),
    (
        "remedy.stable",
        "Compute the loss in a stable form (log-sum-exp, BCE with logits) instead of exp then log.",
        "用数值稳定的形式计算损失（log-sum-exp、带 logits 的 BCE），而不是先 exp 再 log。",
    ),
    ("div.reset_hint", "Change a setting, then press Reset.", "修改设置后按“重置”。"),
    ("chart.smoothing", "Smoothing β", "平滑系数 β"),
    ("chart.log", "Log scale", "对数坐标"),
    ("chart.step", "step", "步数"),
    ("chart.smoothed", "smoothed", "平滑后"),
    (
        "chart.hint",
        "Hover the chart, or focus it and press ← →, to read exact values.",
        "将指针悬停在图上，或聚焦后按 ← → 键，读取精确数值。",
    ),
    ("chart.empty", "No data yet: press Play or Step.", "还没有数据：请按“开始”或“单步”。"),
    ("chart.readout", "Step {step}", "第 {step} 步"),
];
