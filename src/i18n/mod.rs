//! The one zh/en string catalog. Every UI string is looked up here by key. The shared tables
//! (shell, backend, the training kit, the MNIST loader) are always linked; each lesson's own
//! table lives in its folder (`src/lessons/<slug>/strings.rs`) and is [`register`]ed by the wasm
//! module that carries the lesson, so a chapter's module links only its own lessons' strings.
//! Together they form one key space, checked by a test (`lessons::tests`) for duplicates and
//! missing translations. Web-free.

use std::cell::RefCell;

mod backend;
mod mnist;
mod shell;
mod training;

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// The code used in the URL (`lang=`) and in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Parses a URL code or a browser language tag (`zh-CN`, `en-GB`…); `None` if neither.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let t = tag.trim().to_ascii_lowercase();
        if t == "zh" || t.starts_with("zh-") {
            Some(Lang::Zh)
        } else if t == "en" || t.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// One catalog entry: key, English, Chinese.
pub type Entry = (&'static str, &'static str, &'static str);

/// The shared tables, always linked.
static TABLES: &[&[Entry]] = &[shell::ENTRIES, backend::ENTRIES, training::ENTRIES, mnist::ENTRIES];

thread_local! {
    /// The lesson tables the running module registered.
    static REGISTERED: RefCell<Vec<&'static [Entry]>> = const { RefCell::new(Vec::new()) };
}

/// The shared tables of the catalog (lesson tables are [`register`]ed).
pub fn tables() -> &'static [&'static [Entry]] {
    TABLES
}

/// Adds a lesson's table to the catalog (a second call with the same table does nothing).
pub fn register(table: &'static [Entry]) {
    REGISTERED.with(|r| {
        let mut r = r.borrow_mut();
        if !r.iter().any(|t| std::ptr::eq(*t, table)) {
            r.push(table);
        }
    });
}

fn find(key: &str) -> Option<&'static Entry> {
    let shared = tables().iter().find_map(|t| t.iter().find(|e| e.0 == key));
    shared.or_else(|| {
        REGISTERED.with(|r| r.borrow().iter().find_map(|t| t.iter().find(|e| e.0 == key)))
    })
}

/// The string for `key` in `lang`. An unknown key returns the key itself (visible in the UI
/// and caught by the catalog test), never a panic.
pub fn tr(lang: Lang, key: &str) -> &'static str {
    if let Some(e) = find(key) {
        return match lang {
            Lang::En => e.1,
            Lang::Zh => e.2,
        };
    }
    // Leak-free fallback: return a static marker; the key is shown by `tr_or_key`.
    "⟨missing text⟩"
}

/// `tr` with `{name}` placeholders replaced by `args`.
pub fn tr_fmt(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// True when `key` is in the catalog.
pub fn has(key: &str) -> bool {
    find(key).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for table in tables() {
            for (k, en, zh) in table.iter() {
                assert!(seen.insert(*k), "duplicate key {k}");
                assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "untranslated {k}");
            }
        }
    }

    #[test]
    fn registered_tables_are_found_once() {
        static T: &[Entry] = &[("test.only", "only", "仅")];
        assert!(!has("test.only"));
        register(T);
        register(T);
        assert_eq!(tr(Lang::Zh, "test.only"), "仅");
        assert_eq!(REGISTERED.with(|r| r.borrow().len()), 1);
    }

    #[test]
    fn lang_tags() {
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
