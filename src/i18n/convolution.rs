//! Catalog entries of the Convolution lesson.

use super::Entry;

/// (key, English, Chinese)
pub const ENTRIES: &[Entry] = &[
    ("conv.title", "Convolution: kernels and feature maps", "卷积：卷积核与特征图"),
    ("conv.summary", "Slide a small kernel over an image and watch feature maps appear.", "让小卷积核在图像上滑动，观察特征图如何生成。"),
];
