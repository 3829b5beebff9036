//! Reads the lesson registry (`registry! { … }` in `src/lessons/mod.rs`) without compiling the
//! app: the chapters (module names) and their lessons (slugs), in reading order. `stamp` writes
//! the page loader's slug → module map from it, so adding a lesson touches no HTML; the README's
//! lesson list is checked against it.

use std::fs;
use std::path::Path;

/// One chapter of the registry: its module's name and its lessons' slugs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// `cnn` for `dlviz-cnn`.
    pub name: String,
    /// Slugs, in reading order.
    pub lessons: Vec<String>,
}

/// The registry of the project at `root`.
pub fn read(root: &Path) -> Result<Vec<Chapter>, String> {
    let path = root.join("src/lessons/mod.rs");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses the invocation `registry! { PART "name" ("en", "zh") { slug, … } … }`.
pub fn parse(text: &str) -> Result<Vec<Chapter>, String> {
    let start = text
        .lines()
        .scan(0usize, |at, line| {
            let here = *at;
            *at += line.len() + 1;
            Some((here, line))
        })
        .find(|(_, l)| l.starts_with("registry! {"))
        .map(|(at, l)| at + l.len())
        .ok_or("no `registry! {` line")?;
    let mut s = Scanner { b: text.as_bytes(), i: start };
    let mut out = Vec::new();
    loop {
        s.skip_ws();
        match s.peek() {
            Some(b'}') => break,
            None => return Err("the registry is not closed".into()),
            _ => {}
        }
        let _part = s.ident().ok_or("a chapter's static name (e.g. CNN)")?;
        s.skip_ws();
        let name = s.string().ok_or("a chapter's module name in quotes")?;
        s.skip_ws();
        s.group(b'(', b')').ok_or("a chapter's (\"en\", \"zh\") title")?;
        s.skip_ws();
        let body = s.group(b'{', b'}').ok_or("a chapter's { lessons }")?;
        let lessons: Vec<String> =
            body.split(',').map(|w| w.trim().to_string()).filter(|w| !w.is_empty()).collect();
        if lessons.is_empty() || lessons.iter().any(|l| !l.bytes().all(is_ident_byte)) {
            return Err(format!("chapter {name}: lessons must be identifiers, got {body:?}"));
        }
        out.push(Chapter { name, lessons });
    }
    if out.is_empty() {
        return Err("the registry has no chapter".into());
    }
    Ok(out)
}

/// The loader's map as a JavaScript object literal: `{"convolution":"cnn",…}`.
pub fn module_map(chapters: &[Chapter]) -> String {
    let pairs: Vec<String> = chapters
        .iter()
        .flat_map(|c| c.lessons.iter().map(move |l| format!("\"{l}\":\"{}\"", c.name)))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        loop {
            while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                self.i += 1;
            }
            if self.b[self.i..].starts_with(b"//") {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.i += 1;
                }
            } else {
                return;
            }
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(is_ident_byte) {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.b[start..self.i]).into_owned())
    }

    fn string(&mut self) -> Option<String> {
        (self.peek()? == b'"').then_some(())?;
        self.i += 1;
        let start = self.i;
        while self.peek()? != b'"' {
            self.i += if self.peek()? == b'\\' { 2 } else { 1 };
        }
        let s = String::from_utf8_lossy(&self.b[start..self.i]).into_owned();
        self.i += 1;
        Some(s)
    }

    /// A balanced `open … close` group (strings inside may hold brackets): its inside.
    fn group(&mut self, open: u8, close: u8) -> Option<String> {
        (self.peek()? == open).then_some(())?;
        self.i += 1;
        let start = self.i;
        let mut depth = 1;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                    continue;
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        let s = String::from_utf8_lossy(&self.b[start..self.i]).into_owned();
                        self.i += 1;
                        return Some(s);
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
    }

    #[test]
    fn parses_chapters_titles_with_brackets_and_comments() {
        let text = "x\nregistry! {\n    A \"a\" (\"T (1)\", \"标题（一）\") {\n        one, two,\n    }\n    // a note\n    B \"b\" (\"{B}\", \"乙\") { three }\n}\n";
        let got = parse(text).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], Chapter { name: "a".into(), lessons: vec!["one".into(), "two".into()] });
        assert_eq!(got[1].lessons, vec!["three".to_string()]);
        assert_eq!(module_map(&got), "{\"one\":\"a\",\"two\":\"a\",\"three\":\"b\"}");
        assert!(parse("registry! {\n}\n").is_err());
        assert!(parse("no registry here").is_err());
        assert!(parse("registry! {\n A \"a\" (\"\", \"\") { bad-slug }\n}").is_err());
    }

    /// The real registry: every lesson folder is registered once, and every chapter has its
    /// binary and its Trunk link.
    #[test]
    fn the_real_registry_matches_the_folders_binaries_and_page() {
        let root = root();
        let chapters = read(&root).unwrap();
        let mut registered: Vec<String> =
            chapters.iter().flat_map(|c| c.lessons.iter().cloned()).collect();
        let n = registered.len();
        registered.sort();
        registered.dedup();
        assert_eq!(registered.len(), n, "a lesson is registered twice");
        let mut folders: Vec<String> = fs::read_dir(root.join("src/lessons"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().join("mod.rs").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        assert_eq!(registered, folders, "lesson folders and the registry differ");
        // The README lists every lesson (`- *Title* (`#/slug`) — …`), and no other.
        let readme = fs::read_to_string(root.join("README.md")).unwrap();
        let listed: Vec<&str> = readme
            .lines()
            .filter(|l| l.trim_start().starts_with("- *"))
            .filter_map(|l| l.split_once("(`#/")?.1.split_once("`)").map(|(slug, _)| slug))
            .collect();
        let mut listed_sorted: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
        listed_sorted.sort();
        assert_eq!(listed_sorted, registered, "README.md's lesson list and the registry differ");
        let html = fs::read_to_string(root.join("www/index.html")).unwrap();
        for c in &chapters {
            let bin = root.join(format!("src/bin/dlviz-{}.rs", c.name));
            assert!(bin.is_file(), "no {}", bin.display());
            assert!(html.contains(&format!("data-bin=\"dlviz-{}\"", c.name)), "{}", c.name);
        }
    }
}
