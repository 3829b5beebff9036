//! The `dlviz-training` module: chapter 2, training (`lessons::TRAINING`).
//! The page's loader (`www/index.html`) fetches it for the lessons it carries.

#[cfg(target_arch = "wasm32")]
fn main() {
    dlviz::app::start(&dlviz::lessons::TRAINING);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("dlviz is a web app: run `cargo xtask serve` (see README.md).");
}
