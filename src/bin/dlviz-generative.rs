//! The `dlviz-generative` module: chapter 3, generative models (`lessons::GENERATIVE`).
//! The page's loader (`www/index.html`) fetches it for the lessons it carries.

#[cfg(target_arch = "wasm32")]
fn main() {
    dlviz::app::start(&dlviz::lessons::GENERATIVE);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("dlviz is a web app: run `cargo xtask serve` (see README.md).");
}
