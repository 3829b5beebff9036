#![cfg(not(target_arch = "wasm32"))]
//! The layering rule, checked: which `crate::` modules each module of `src/` may import, and
//! which outside crates it may name. The same table stands in ARCHITECTURE.md (the ```layers
//! block), and this test fails when the two differ, when a file imports outside its row, when a
//! lesson imports another lesson, or when the imports between modules form a cycle.
//!
//! A reference is any `crate::<module>` path outside comments, in `use` lines and in code alike
//! (`crate::{a::X, b::Y}` groups included); doc links are comments and do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each module and the `crate::` modules it may import. Bottom to top.
const LAYERS: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("url_state", &[]),
    ("i18n", &[]),
    ("gpu", &["core"]),
    ("compute", &["core", "gpu"]),
    ("page", &["core", "compute", "i18n", "url_state"]),
    ("ui", &["core", "compute", "i18n", "url_state", "page"]),
    ("lessons", &["core", "compute", "i18n", "url_state", "page", "ui"]),
    ("app", &["core", "compute", "i18n", "url_state", "page", "ui", "lessons"]),
    ("bench", &["core", "gpu", "compute"]),
];

/// Outside crates a module must not name (by their Rust identifiers): the numeric core is
/// std-only; the GPU backend and the compute layer know nothing of the UI; the URL schema and
/// the catalog are plain data.
const BANNED_CRATES: &[(&str, &[&str])] = &[
    ("core", &["leptos", "web_sys", "js_sys", "wasm_bindgen", "wgpu", "plotters"]),
    ("url_state", &["leptos", "web_sys", "js_sys", "wasm_bindgen", "wgpu", "plotters"]),
    ("i18n", &["leptos", "web_sys", "js_sys", "wasm_bindgen", "wgpu", "plotters"]),
    ("gpu", &["leptos", "plotters"]),
    ("compute", &["leptos", "plotters", "wgpu"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file belongs to (`src/lessons/vae/run.rs` → `lessons`, `src/app.rs` → `app`);
/// `None` for the crate root and the binaries.
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "bin")).then(|| name.to_string())
}

/// The lesson a file of `src/lessons` belongs to (`lessons/vae/run.rs` → `vae`), if any.
fn lesson_of(rel: &Path) -> Option<String> {
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
    (parts.next()? == "lessons").then_some(())?;
    let second = parts.next()?;
    let name = second.strip_suffix(".rs").unwrap_or(&second).to_string();
    (name != "mod").then_some(name)
}

/// The text without comments (line comments, doc comments, block comments) and string
/// literals, so prose that names a module is not an import.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A char literal such as '"' or '{'.
            i += 3;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn ident_at(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// Every `crate::` path in `code`, as its first two segments (`("lessons", "vae")`); a group
/// `crate::{a::x, b}` gives one path per member.
fn crate_paths(code: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `dlviz_crate::` or similar: not this crate's root.
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let mut d = 0;
            let mut start = 0;
            let inner = &group[..end];
            for (i, c) in inner.char_indices().chain([(inner.len(), ',')]) {
                match c {
                    '{' => d += 1,
                    '}' => d -= 1,
                    ',' if d == 0 => {
                        let member = inner[start..i].trim();
                        let first = ident_at(member);
                        let second =
                            member[first.len()..].strip_prefix("::").map(ident_at).unwrap_or("");
                        if !first.is_empty() {
                            out.push((first.to_string(), second.to_string()));
                        }
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            let first = ident_at(rest);
            let second = rest[first.len()..].strip_prefix("::").map(ident_at).unwrap_or("");
            out.push((first.to_string(), second.to_string()));
        }
    }
    out
}

fn table() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    LAYERS.iter().map(|(m, deps)| (*m, deps.iter().copied().collect())).collect()
}

/// The `crate::` imports of every module, with where each was seen.
fn observed() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap_or(&f).to_path_buf();
        let Some(module) = module_of(&rel) else { continue };
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let code = code_only(&text);
        for (target, second) in crate_paths(&code) {
            let seen = format!("{} (crate::{target}::{second})", rel.display());
            out.entry(module.clone()).or_default().entry(target).or_default().push(seen);
        }
    }
    out
}

#[test]
fn the_table_is_acyclic_and_ordered_bottom_up() {
    // Every module imports only modules listed above it: a topological order, so no cycle.
    for (i, (m, deps)) in LAYERS.iter().enumerate() {
        for d in *deps {
            let j = LAYERS.iter().position(|(n, _)| n == d);
            assert!(j.is_some_and(|j| j < i), "{m} may import {d}, which is not below it");
        }
    }
}

#[test]
fn every_module_imports_only_what_its_row_allows() {
    let allowed = table();
    let mut offences = Vec::new();
    for (module, targets) in observed() {
        let Some(row) = allowed.get(module.as_str()) else {
            offences.push(format!("src/{module} is not in the layering table"));
            continue;
        };
        for (target, seen) in targets {
            if target != module && !row.contains(target.as_str()) {
                offences.push(format!("{module} → {target}: {}", seen.join(", ")));
            }
        }
    }
    assert!(offences.is_empty(), "imports outside the layering table:\n{}", offences.join("\n"));
}

#[test]
fn the_imports_between_modules_have_no_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = observed()
        .into_iter()
        .map(|(m, t)| {
            let deps = t.into_keys().filter(|d| *d != m).collect();
            (m, deps)
        })
        .collect();
    // Depth-first search with colours: grey = on the current path.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        colour: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match colour.get(n) {
            Some(1) => {
                let at = path.iter().position(|p| p == n).unwrap_or(0);
                let mut cycle = path[at..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            Some(2) => return None,
            _ => {}
        }
        colour.insert(n.to_string(), 1);
        path.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, colour, path) {
                return Some(c);
            }
        }
        path.pop();
        colour.insert(n.to_string(), 2);
        None
    }
    let mut colour = BTreeMap::new();
    for m in graph.keys() {
        let mut path = Vec::new();
        if let Some(cycle) = visit(m, &graph, &mut colour, &mut path) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn no_lesson_imports_another() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("lessons"), &mut files);
    let lessons: BTreeSet<String> =
        files.iter().filter_map(|f| lesson_of(f.strip_prefix(&src).ok()?)).collect();
    assert!(lessons.len() >= 8, "expected the lessons, found {lessons:?}");
    let mut offences = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap_or(f);
        let Some(own) = lesson_of(rel) else { continue };
        let code = code_only(&std::fs::read_to_string(f).unwrap_or_default());
        for (target, second) in crate_paths(&code) {
            if target == "lessons" && second != own && lessons.contains(&second) {
                offences.push(format!("{} imports lessons::{second}", rel.display()));
            }
        }
    }
    assert!(offences.is_empty(), "lessons importing lessons:\n{}", offences.join("\n"));
}

#[test]
fn outside_crates_stay_in_their_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut offences = Vec::new();
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap_or(f);
        let Some(module) = module_of(rel) else { continue };
        let Some((_, banned)) = BANNED_CRATES.iter().find(|(m, _)| *m == module) else {
            continue;
        };
        checked += 1;
        let code = code_only(&std::fs::read_to_string(f).unwrap_or_default());
        for word in code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')) {
            for b in *banned {
                if word == *b || word.starts_with(&format!("{b}::")) {
                    offences.push(format!("{}: {b}", rel.display()));
                }
            }
        }
    }
    assert!(checked >= 20, "expected the core, gpu and compute sources, checked {checked}");
    offences.dedup();
    assert!(offences.is_empty(), "outside crates out of their layer:\n{}", offences.join("\n"));
}

#[test]
fn architecture_md_shows_the_same_table() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .unwrap_or_default();
    let block = doc
        .split("```layers\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("ARCHITECTURE.md has a ```layers block");
    let rows: Vec<String> =
        block.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    let want: Vec<String> = LAYERS
        .iter()
        .map(|(m, deps)| {
            let deps = if deps.is_empty() { "—".to_string() } else { deps.join(" ") };
            format!("{m} → {deps}")
        })
        .collect();
    assert_eq!(rows, want, "ARCHITECTURE.md's ```layers block differs from tests/layers.rs");
}

#[test]
fn the_scanner_reads_groups_and_ignores_prose() {
    let code = code_only(
        "use crate::{core::Tensor, ui::{a, b}};\n// crate::app in a comment\n/// [`crate::gpu`]\nlet s = \"crate::lessons\"; crate::page::I18n::current();",
    );
    let got = crate_paths(&code);
    let firsts: Vec<&str> = got.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(firsts, ["core", "ui", "page"]);
    assert_eq!(module_of(Path::new("lessons/vae/run.rs")).as_deref(), Some("lessons"));
    assert_eq!(module_of(Path::new("app.rs")).as_deref(), Some("app"));
    assert_eq!(module_of(Path::new("lib.rs")), None);
    assert_eq!(lesson_of(Path::new("lessons/vae/run.rs")).as_deref(), Some("vae"));
    assert_eq!(lesson_of(Path::new("lessons/sgd.rs")).as_deref(), Some("sgd"));
    assert_eq!(lesson_of(Path::new("lessons/mod.rs")), None);
}
