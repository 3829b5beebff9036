//! The one zh/en string catalog. Every UI string is looked up here by key; the tables are
//! split by area (`shell`, one per lesson) but form one key space, checked by a test for
//! duplicates and missing translations. Web-free.

mod autoencoder;
mod backend;
mod batchnorm;
mod convolution;
mod divergence;
mod ema;
mod mnist;
mod sgd;
mod shell;
mod softmax;
mod training;
mod vae;

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

/// The tables, one line each (so adding a lesson's table is a one-line change).
static TABLES: &[&[Entry]] = &[
    shell::ENTRIES,
    convolution::ENTRIES,
    backend::ENTRIES,
    training::ENTRIES,
    softmax::ENTRIES,
    sgd::ENTRIES,
    ema::ENTRIES,
    batchnorm::ENTRIES,
    divergence::ENTRIES,
    mnist::ENTRIES,
    autoencoder::ENTRIES,
    vae::ENTRIES,
];

/// Every table of the catalog.
pub fn tables() -> &'static [&'static [Entry]] {
    TABLES
}

/// The string for `key` in `lang`. An unknown key returns the key itself (visible in the UI
/// and caught by the catalog test), never a panic.
pub fn tr(lang: Lang, key: &str) -> &'static str {
    for table in tables() {
        if let Some(e) = table.iter().find(|e| e.0 == key) {
            return match lang {
                Lang::En => e.1,
                Lang::Zh => e.2,
            };
        }
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
    tables().iter().any(|t| t.iter().any(|e| e.0 == key))
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
    fn lang_tags() {
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
