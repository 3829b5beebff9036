//! Catalog entries of the "Logits, softmax, cross-entropy" lesson (`lessons::softmax`).

use crate::i18n::Entry;

/// (key, English, Chinese)
pub static STRINGS: &[Entry] = &[
            (
        "sm.text.p1",
        "A classifier's last layer outputs one unbounded score per class, the logits z. Softmax turns them into probabilities: exponentiate (so every value is positive) and divide by the sum (so they add up to 1). The temperature T divides the logits first.",
        "分类器的最后一层为每个类别输出一个没有范围限制的分数，即 logits z。softmax 把它们变成概率：先取指数（使每个值为正），再除以总和（使它们相加为 1）。温度 T 先对 logits 做除法。",
    ),
    (
        "sm.text.p2",
        "Training minimises the cross-entropy: minus the log of the probability given to the correct class t. Written with logits it is log-sum-exp minus z_t, which never needs p_t itself — so it stays exact even when p_t is too small to store.",
        "训练最小化交叉熵：正确类别 t 所得概率的负对数。用 logits 写出来就是 log-sum-exp 减去 z_t，完全不需要 p_t 本身——所以即使 p_t 小到无法存储，结果依然精确。",
    ),
    ("sm.h.logits", "The logits", "Logits"),
    (
        "sm.logits_hint",
        "Drag a bar, or focus it and press ↑ ↓ (Shift: ×10, PageUp/PageDown: ±10), or type a value.",
        "拖动柱条，或聚焦后按 ↑ ↓（Shift：×10，PageUp/PageDown：±10），也可以直接输入数值。",
    ),
    ("sm.logit_aria", "Logit of class {i}", "类别 {i} 的 logit"),
    (
        "sm.padded",
        "The link had fewer than 2 logits; the missing ones are 0.",
        "链接中的 logits 少于 2 个；缺少的按 0 处理。",
    ),
    ("sm.add", "+ class", "+ 类别"),
    ("sm.remove", "− class", "− 类别"),
    ("sm.large", "Large logits", "大 logits"),
    ("sm.default", "Default", "默认值"),
    ("sm.scale", "Scale logits", "logits 放大"),
    ("sm.temperature", "Temperature", "温度"),
    ("sm.target", "Target class", "目标类别"),
    ("sm.class_n", "class {n}", "类别 {n}"),
    ("sm.h.probs", "Softmax: stable vs naive", "softmax：稳定版与朴素版"),
    ("sm.p_stable", "Probabilities (stable softmax)", "概率（稳定 softmax）"),
    ("sm.show_naive", "Show the naive softmax", "显示朴素 softmax"),
    ("sm.p_naive", "Probabilities (naive softmax)", "概率（朴素 softmax）"),
    (
        "sm.overflow",
        "The naive softmax broke: e^(z/T) exceeded the largest f32 (about 3.4·10³⁸, i.e. z/T > 88.7) and became ∞, and ∞/∞ is NaN. The stable softmax gives the right answer.",
        "朴素 softmax 失效了：e^(z/T) 超过了 f32 的最大值（约 3.4·10³⁸，即 z/T > 88.7），变成 ∞，而 ∞/∞ 等于 NaN。稳定 softmax 给出了正确结果。",
    ),
    (
        "sm.no_overflow",
        "Both forms agree here. Try “Large logits” or scale ×100.",
        "此时两种算法结果一致。试试“大 logits”或放大 ×100。",
    ),
    (
        "sm.text.shift",
        "Why subtracting the max fixes it: multiplying numerator and denominator by e^(−c) changes nothing, so softmax(z) = softmax(z − c). With c = max z every exponent is ≤ 0, every exponential is in (0, 1], and the largest is exactly 1 — nothing can overflow, and the sum is at least 1, so nothing divides by 0.",
        "为什么减去最大值就能解决：分子分母同乘 e^(−c) 不改变结果，所以 softmax(z) = softmax(z − c)。取 c = max z，所有指数都 ≤ 0，每个指数值都在 (0, 1] 内，最大的恰好是 1——不会溢出；总和至少为 1，也不会除以 0。",
    ),
    ("sm.col.class", "class", "类别"),
    ("sm.col.p_stable", "p (stable)", "p（稳定）"),
    ("sm.col.p_naive", "p (naive)", "p（朴素）"),
    (
        "sm.text.temperature",
        "Temperature: T < 1 sharpens the distribution towards the largest logit (T → 0 is argmax); T > 1 flattens it towards uniform. Knowledge distillation and sampling from language models use it.",
        "温度：T < 1 使分布向最大的 logit 集中（T → 0 即 argmax）；T > 1 使分布趋于均匀。知识蒸馏和语言模型采样都会用到它。",
    ),
    ("sm.h.ce", "Cross-entropy and its gradient", "交叉熵及其梯度"),
    (
        "sm.ce_value",
        "Target class {t}: CE = logsumexp(z/T) − z_t/T = {ce} nats (logsumexp = {lse}); entropy of p: {h} nats.",
        "目标类别 {t}：CE = logsumexp(z/T) − z_t/T = {ce} 奈特（logsumexp = {lse}）；p 的熵：{h} 奈特。",
    ),
    (
        "sm.text.grad",
        "The gradient of the cross-entropy with respect to the logits is p − onehot(t): it pushes the target's logit up by 1 − p_t and every other logit down by its probability. The entries sum to 0, and they vanish only when p_t = 1.",
        "交叉熵对 logits 的梯度是 p − onehot(t)：它把目标类别的 logit 推高 1 − p_t，把其他每个 logit 按其概率压低。各分量之和为 0，只有 p_t = 1 时才全部为 0。",
    ),
    ("sm.grad", "Gradient ∂CE/∂z = p − onehot(t)", "梯度 ∂CE/∂z = p − onehot(t)"),
    ("sm.h.binary", "Two classes: sigmoid and binary cross-entropy", "两个类别：sigmoid 与二元交叉熵"),
    (
        "sm.text.sigmoid",
        "With two classes only the difference of the logits matters: softmax(x, 0) = (σ(x), 1 − σ(x)), the sigmoid. The binary cross-entropy for a label y ∈ {0, 1} is −[y log σ(x) + (1 − y) log(1 − σ(x))].",
        "只有两个类别时，只有 logits 之差有意义：softmax(x, 0) = (σ(x), 1 − σ(x))，即 sigmoid。标签 y ∈ {0, 1} 的二元交叉熵为 −[y log σ(x) + (1 − y) log(1 − σ(x))]。",
    ),
    ("sm.x", "Logit x", "logit x"),
    ("sm.y", "Label y", "标签 y"),
    (
        "sm.sigmoid_value",
        "x = {x}: σ(x) = {s}; BCE with logits = {stable}, sigmoid-then-BCE = {naive}.",
        "x = {x}：σ(x) = {s}；带 logits 的 BCE = {stable}，先 sigmoid 再 BCE = {naive}。",
    ),
    ("sm.bce.stable", "BCE with logits", "带 logits 的 BCE"),
    ("sm.bce.naive", "sigmoid, then BCE", "先 sigmoid 再 BCE"),
    (
        "sm.bce.aria",
        "Binary cross-entropy over x from −50 to 50, log scale: the stable form and the naive form",
        "x 从 −50 到 50 的二元交叉熵（对数坐标）：稳定形式与朴素形式",
    ),
    (
        "sm.bce.breaks",
        "The naive form first fails at x = {x} (shaded: ∞ or NaN).",
        "朴素形式最早在 x = {x} 处失效（阴影区：∞ 或 NaN）。",
    ),
    ("sm.bce.no_break", "The naive form stays finite on this range.", "在此范围内朴素形式保持有限。"),
    (
        "sm.text.bce",
        "In f32, σ(x) rounds to exactly 1 once x > 16.6; then log(1 − σ) = log 0 = −∞ and the loss is ∞ (for y = 0) or 0·∞ = NaN (for y = 1), although the true loss is simply about x. Written from the logit, BCE = max(x, 0) − x·y + log(1 + e^(−|x|)) is finite everywhere — this is what BCEWithLogits computes.",
        "在 f32 中，一旦 x > 16.6，σ(x) 就会被舍入为恰好 1；此时 log(1 − σ) = log 0 = −∞，损失变成 ∞（y = 0 时）或 0·∞ = NaN（y = 1 时），而真实损失其实约等于 x。直接用 logit 写出的 BCE = max(x, 0) − x·y + log(1 + e^(−|x|)) 处处有限——这正是 BCEWithLogits 的算法。",
    ),
];
