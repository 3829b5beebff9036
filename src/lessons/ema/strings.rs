//! Catalog entries of the EMA lesson (`lessons::ema`).

use crate::i18n::Entry;

/// (key, English, Chinese)
pub static STRINGS: &[Entry] = &[
            (
        "ema.text.p1",
        "An exponential moving average keeps one number and blends each new value into it with weight 1 − β. Older values fade geometrically, so the average remembers about the last 1/(1 − β) values: β = 0.9 averages about 10, β = 0.99 about 100.",
        "指数移动平均只保存一个数，每来一个新值就以权重 1 − β 把它混入。越旧的值权重按几何级数衰减，所以平均值大约记住最近 1/(1 − β) 个值：β = 0.9 约平均 10 个，β = 0.99 约平均 100 个。",
    ),
    (
        "ema.text.p2",
        "Training curves, Adam's moment estimates and TensorBoard's smoothing slider are all this one formula.",
        "训练曲线的平滑、Adam 的矩估计、TensorBoard 的平滑滑块，用的都是这同一个公式。",
    ),
    ("ema.h.series", "Smoothing a noisy series", "平滑一条噪声序列"),
    ("ema.source", "Series", "序列"),
    ("ema.src_walk", "Random walk (seeded)", "随机游走（带种子）"),
    ("ema.src_loss", "Training loss (MLP, batch 4)", "训练损失（MLP，批大小 4）"),
    ("ema.noise", "Step size", "步长"),
    ("ema.reseed", "New seed", "换一个种子"),
    (
        "ema.window",
        "β = {beta}: effective window 1/(1 − β) = {n} values. First step: x₁ = {x1}, uncorrected v₁ = (1 − β)·x₁ = {v1}, corrected v̂₁ = x₁.",
        "β = {beta}：有效窗口 1/(1 − β) = {n} 个值。第一步：x₁ = {x1}，未修正 v₁ = (1 − β)·x₁ = {v1}，修正后 v̂₁ = x₁。",
    ),
    ("ema.value", "value", "数值"),
    ("ema.raw", "raw series", "原始序列"),
    ("ema.biased", "EMA, no correction", "EMA（未修正）"),
    ("ema.corrected", "EMA, bias-corrected", "EMA（偏差修正）"),
    (
        "ema.series_aria",
        "A noisy series with its exponential moving average, with and without bias correction",
        "一条噪声序列及其指数移动平均（修正与未修正）",
    ),
    (
        "ema.text.bias",
        "Without correction the average starts at 0 and needs about 1/(1 − β) steps to catch up: the weights of the values seen so far sum to 1 − β^t, not 1. Dividing by 1 − β^t fixes the start and changes nothing later, when β^t ≈ 0. Raise β and watch the gap at the start grow while the curve gets smoother and lags more.",
        "未修正时，平均值从 0 出发，需要大约 1/(1 − β) 步才能追上：已见过的值的权重之和是 1 − β^t，而不是 1。除以 1 − β^t 可以修正开头，而在 β^t ≈ 0 之后不产生任何影响。增大 β：开头的差距变大，曲线更平滑，但滞后也更多。",
    ),
    ("ema.h.weights", "An EMA of the weights", "权重的 EMA"),
    (
        "ema.text.weights",
        "With a small batch and a high learning rate, SGD's weights jump around the minimum instead of settling in it. Averaging the weights over the last steps (Polyak averaging; a \"mean teacher\") cancels much of that noise: below, the same network is evaluated on the validation set with its raw weights and with their EMA, every 5 steps.",
        "批很小、学习率很高时，SGD 的权重会在最小值附近来回跳动，而不是停在那里。对最近若干步的权重取平均（Polyak 平均，即“平均教师”）能抵消大部分噪声：下面每 5 步分别用原始权重和它们的 EMA 在验证集上评估同一个网络。",
    ),
    ("ema.decay", "EMA decay", "EMA 衰减率"),
    ("ema.lr", "Learning rate", "学习率"),
    ("ema.batch", "Batch size", "批大小"),
    ("ema.run", "The run", "本次训练"),
    ("ema.loss", "cross-entropy", "交叉熵"),
    ("ema.train_loss", "training loss (batch)", "训练损失（当前批）"),
    ("ema.val_raw", "validation, raw weights", "验证集，原始权重"),
    ("ema.val_ema", "validation, EMA weights", "验证集，EMA 权重"),
    (
        "ema.weights_aria",
        "Training loss and validation loss of the raw and the averaged weights",
        "训练损失，以及原始权重与平均权重的验证损失",
    ),
    (
        "ema.compare",
        "Step {step}: validation loss {raw} with the raw weights, {ema} with their EMA.",
        "第 {step} 步：原始权重的验证损失为 {raw}，EMA 权重为 {ema}。",
    ),
    ("ema.compare_none", "Press Play to train.", "按“开始”进行训练。"),
];
