//! Catalog entries of the MNIST loader (`ui::mnist`), shared by every lesson that uses digits.

use super::Entry;

/// (key, English, Chinese)
pub const ENTRIES: &[Entry] = &[
    (
        "mnist.loading_of",
        "Downloading the MNIST digits… {got} of {total} MB",
        "正在下载 MNIST 手写数字……{got} / {total} MB",
    ),
    (
        "mnist.loading_bytes",
        "Downloading the MNIST digits… {got} MB",
        "正在下载 MNIST 手写数字……已收到 {got} MB",
    ),
    ("mnist.unpacking", "Unpacking and checking the digits…", "正在解压并校验数字数据……"),
    (
        "mnist.ready",
        "{n} MNIST digits loaded ({size} MB).",
        "已载入 {n} 个 MNIST 手写数字（{size} MB）。",
    ),
    (
        "mnist.err_network",
        "The digits could not be downloaded (network error: {detail}).",
        "无法下载数字数据（网络错误：{detail}）。",
    ),
    (
        "mnist.err_http",
        "The digits could not be downloaded: the server answered HTTP {code}.",
        "无法下载数字数据：服务器返回 HTTP {code}。",
    ),
    (
        "mnist.err_inflate",
        "The downloaded file could not be unpacked (is it damaged?): {detail}",
        "下载的文件无法解压（可能已损坏）：{detail}",
    ),
    (
        "mnist.err_corrupt",
        "The downloaded file is not a valid digits file: {detail}",
        "下载的文件不是有效的数字数据文件：{detail}",
    ),
    (
        "mnist.err_hint",
        "The rest of the page still works; the parts that need the digits wait for them.",
        "页面其余部分仍可使用；需要数字数据的部分会等待数据载入。",
    ),
    ("mnist.retry", "Retry", "重试"),
];
