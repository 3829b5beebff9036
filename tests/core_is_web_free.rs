#![cfg(not(target_arch = "wasm32"))]
//! The numeric core must not depend on the web: scan src/core/**/*.rs for the web crates.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn core_mentions_no_web_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() >= 8, "expected the core sources, found {files:?}");
    // The crates' Rust identifiers (how code would name them); prose may mention the tools.
    let banned = ["leptos", "web_sys", "wasm_bindgen", "js_sys"];
    let mut offences = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            for b in banned {
                if line.contains(b) {
                    offences.push(format!("{}:{}: {b}", f.display(), n + 1));
                }
            }
        }
    }
    assert!(offences.is_empty(), "web crates in src/core:\n{}", offences.join("\n"));
}
