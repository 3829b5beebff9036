//! Catalog entries of the Autoencoder lesson.

use crate::i18n::Entry;

/// (key, English, Chinese)
pub static STRINGS: &[Entry] = &[
            (
        "ae.text.p1",
        "An autoencoder is two networks trained as one. The encoder f squeezes a 28 × 28 digit \
         (784 numbers) into a code z of only a few numbers; the decoder g rebuilds the digit \
         from that code. Nobody tells the network what the code should mean: the only goal is \
         that the rebuilt image x̂ = g(f(x)) looks like the input, so the code has to keep what \
         matters most about the digit.",
        "自编码器是当作一个整体来训练的两个网络。编码器 f 把 28 × 28 的数字图像（784 个数）压缩成\
         只有几个数的编码 z；解码器 g 再从这个编码重建出图像。没有人告诉网络编码应该代表什么：\
         唯一的目标是重建图像 x̂ = g(f(x)) 要像输入，因此编码必须保留数字最关键的信息。",
    ),
    (
        "ae.text.p2",
        "Here both halves are small multilayer networks (784 → h → z → h → 784). Each output \
         pixel is a probability x̂ = σ(ℓ), and the loss is the binary cross-entropy between \
         x̂ and the true pixel, averaged over pixels. Press Play and watch the reconstructions \
         sharpen.",
        "这里两半都是小型多层网络（784 → h → z → h → 784）。每个输出像素是一个概率 x̂ = σ(ℓ)，\
         损失是 x̂ 与真实像素之间的二元交叉熵，对所有像素取平均。按下“播放”，观察重建图像逐渐变清晰。",
    ),
    ("ae.h.train", "Train the autoencoder", "训练自编码器"),
    ("ae.hidden", "Hidden width h", "隐藏层宽度 h"),
    ("ae.z", "Code size z", "编码维数 z"),
    ("ae.act", "Activation", "激活函数"),
    ("ae.act_tanh", "tanh (codes in −1…1)", "tanh（编码在 −1…1）"),
    ("ae.act_relu", "ReLU (codes ≥ 0; small codes can die)", "ReLU（编码 ≥ 0，小编码可能“死亡”）"),
    ("ae.lr", "Learning rate (Adam)", "学习率（Adam）"),
    ("ae.batch", "Batch size", "批大小"),
    ("ae.denoise", "Denoising: train on noisy inputs, clean targets", "去噪：用加噪输入训练，目标为干净图像"),
    ("ae.noise", "Noise σ", "噪声 σ"),
    ("ae.reseed", "New seed", "换一个随机种子"),
    ("ae.seed_is", "seed {seed}", "种子 {seed}"),
    ("ae.run", "autoencoder", "自编码器"),
    ("ae.curve.train", "train (batch)", "训练（当前批）"),
    ("ae.curve.val", "validation", "验证集"),
    ("ae.bce", "cross-entropy per pixel", "每像素交叉熵"),
    ("ae.loss_aria", "Reconstruction loss of the autoencoder during training", "自编码器训练过程中的重建损失"),
    (
        "ae.wait_digits",
        "The digits are not loaded yet: training starts once they are.",
        "数字数据尚未载入：载入后即可开始训练。",
    ),
    ("ae.h.recon", "Originals and reconstructions", "原图与重建"),
    (
        "ae.text.recon",
        "Eight digits the network never trains on (validation set). Rows from top: the input, \
         the autoencoder's reconstruction, and PCA's with as many numbers per digit (k = z).",
        "八个网络从未训练过的数字（验证集）。从上到下各行：输入、自编码器的重建，\
         以及用同样多个数（k = z）表示每个数字的 PCA 重建。",
    ),
    ("ae.row.noisy", "noisy input", "加噪输入"),
    ("ae.row.original", "original (clean target)", "原图（干净目标）"),
    ("ae.row.ae", "autoencoder", "自编码器"),
    ("ae.row.pca", "PCA, k = z", "PCA，k = z"),
    ("ae.rows_aria", "Rows of the grid", "网格各行"),
    (
        "ae.grid_aria",
        "Validation digits: originals, autoencoder and PCA reconstructions",
        "验证集数字：原图、自编码器重建与 PCA 重建",
    ),
    (
        "ae.ae_error",
        "Autoencoder: validation error {mse} per pixel (mean squared) after {steps} steps.",
        "自编码器：训练 {steps} 步后，验证集每像素均方误差为 {mse}。",
    ),
    (
        "ae.ae_error_none",
        "Autoencoder: not trained yet — press Play.",
        "自编码器：尚未训练——请按“播放”。",
    ),
    (
        "ae.pca_error",
        "PCA with k = {k} axes: validation error {mse} per pixel; the axes explain {evr} % of \
         the variance.",
        "k = {k} 个主轴的 PCA：验证集每像素误差 {mse}；这些主轴解释了 {evr}% 的方差。",
    ),
    ("ae.pca_busy", "Computing PCA… {pct} %", "正在计算 PCA……{pct}%"),
    ("ae.pca_none", "PCA: waiting for the digits.", "PCA：等待数字数据。"),
    ("ae.pca_failed", "PCA could not be computed: {error}", "无法计算 PCA：{error}"),
    (
        "ae.text.pca",
        "PCA is the best linear code: it keeps the k directions along which the digits vary \
         most, and an autoencoder with linear layers and squared error learns exactly that \
         subspace. The nonlinear autoencoder can bend its code to follow the digits, so with \
         enough training it rebuilds them with a smaller error at the same size — most clearly \
         for small z.",
        "PCA 是最好的线性编码：它保留数字变化最大的 k 个方向；使用线性层与平方误差的自编码器恰好会学到\
         这个子空间。非线性自编码器能让编码“弯曲”以贴合数字的分布，所以训练充分后，在相同编码维数下\
         它的重建误差更小——z 越小越明显。",
    ),
    ("ae.h.codes", "The code space", "编码空间"),
    (
        "ae.text.codes",
        "With a two-number code every digit becomes a point on a plane. Each dot is a \
         validation digit, coloured by its true label — a label the network never saw. Digits \
         of the same kind end up near each other anyway.",
        "当编码只有两个数时，每个数字都成为平面上的一个点。每个点是一个验证集数字，颜色表示它的真实标签\
         ——网络从未见过这些标签。即便如此，同类数字仍会聚在一起。",
    ),
    (
        "ae.codes_need_2",
        "The scatter needs a two-number code (z = 2).",
        "散点图需要二维编码（z = 2）。",
    ),
    ("ae.set_z2", "Set z = 2", "设为 z = 2"),
    (
        "ae.scatter_aria",
        "Codes of the validation digits on the plane, coloured by label",
        "验证集数字在平面上的编码，按标签着色",
    ),
    ("ae.legend_aria", "Colour of each digit label", "各数字标签的颜色"),
];
