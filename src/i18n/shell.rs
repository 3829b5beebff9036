//! Catalog entries of the app shell (header, home page, notices, backend indicator).

use super::Entry;

/// (key, English, Chinese)
pub const ENTRIES: &[Entry] = &[
    ("app.title", "dlviz — deep learning, computed and drawn", "dlviz —— 可计算、可视化的深度学习"),
    ("app.home", "Lessons", "课程"),
    ("chapter.cnn", "Convolutional networks", "卷积神经网络"),
    ("notice.url_ignored", "Some values in the link were invalid and were replaced by defaults:", "链接中的部分取值无效，已替换为默认值："),
    ("notice.malformed", "not a valid value", "不是有效的取值"),
    ("notice.out_of_range", "out of range", "超出范围"),
    ("notice.unknown_key", "unknown setting", "未知的设置项"),
    ("notice.dismiss", "Dismiss", "关闭"),
    ("notice.unknown_lesson", "There is no lesson at this address; here is the list of lessons.", "此地址没有对应的课程；以下是课程列表。"),
];
