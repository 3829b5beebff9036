//! Catalog entries of the app shell (header, home page, notices, footer).

use super::Entry;

/// (key, English, Chinese)
pub const ENTRIES: &[Entry] = &[
    ("app.title", "dlviz — deep learning, computed and drawn", "dlviz —— 可计算、可视化的深度学习"),
    ("app.home", "Lessons", "课程"),
    // Header.
    ("shell.skip", "Skip to content", "跳到正文"),
    ("shell.brand_label", "dlviz — home: list of lessons", "dlviz —— 首页：课程列表"),
    ("shell.nav", "Lessons", "课程导航"),
    ("shell.all_lessons", "All lessons", "全部课程"),
    ("shell.lang_switch", "Switch the language to Chinese", "将界面语言切换为英文"),
    // The name of the other language, written in that language.
    ("shell.lang_other", "中文", "English"),
    ("theme.switch", "Colour theme", "配色主题"),
    (
        "theme.switch_hint",
        "Press to change (auto, light, dark).",
        "按下以切换（自动、浅色、深色）。",
    ),
    ("theme.auto", "Auto", "自动"),
    ("theme.light", "Light", "浅色"),
    ("theme.dark", "Dark", "深色"),
    // Home page.
    (
        "home.intro",
        "An interactive textbook of deep learning. Every figure is computed live in your \
         browser from the formulas beside it: change a value and watch the numbers follow. \
         Every view has its own link, so you can share exactly what you see.",
        "一本可交互的深度学习教科书。每张图都由旁边的公式在你的浏览器中实时计算得出：\
         改动一个数值，结果随之变化。每个视图都有自己的链接，可以把你看到的画面原样分享给别人。",
    ),
    ("home.chapter_n", "Chapter {n}", "第 {n} 章"),
    // Lesson page.
    ("lesson.pager", "Previous and next lessons", "上一课与下一课"),
    ("lesson.prev", "Previous", "上一课"),
    ("lesson.next", "Next", "下一课"),
    // Notices.
    (
        "notice.url_ignored",
        "Some values in the link were invalid and were replaced by defaults:",
        "链接中的部分取值无效，已替换为默认值：",
    ),
    ("notice.malformed", "not a valid value", "不是有效的取值"),
    ("notice.out_of_range", "out of range", "超出范围"),
    ("notice.unknown_key", "unknown setting", "未知的设置项"),
    ("notice.dismiss", "Dismiss", "关闭"),
    (
        "notice.unknown_lesson",
        "There is no lesson at this address; here is the list of lessons.",
        "此地址没有对应的课程；以下是课程列表。",
    ),
    // A lesson whose code is in another chapter's module (app::ModuleLoading).
    ("module.loading", "Loading the chapter of", "正在加载课程所在的章节："),
    (
        "module.failed",
        "This chapter could not be loaded (is the network down?). Reload the page to try again:",
        "无法加载此章节（网络是否已断开？）。请刷新页面重试：",
    ),
    // Footer.
    (
        "footer.local",
        "Everything is computed locally in your browser; nothing you load or draw is uploaded.",
        "所有计算都在你的浏览器本地完成；你载入或绘制的内容不会被上传。",
    ),
];
