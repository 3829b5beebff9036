//! The `dlviz-home` module: the shell and the table of contents, no lesson (`lessons::HOME`).
//! The page's loader (`www/index.html`) fetches it for the lessons it carries.

#[cfg(target_arch = "wasm32")]
fn main() {
    dlviz::app::start(&dlviz::lessons::HOME);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("dlviz is a web app: run `cargo xtask serve` (see README.md).");
}
