//! The `dlviz-cnn` module: chapter 1, convolutional networks (`lessons::CNN`).
//! The page's loader (`www/index.html`) fetches it for the lessons it carries.

#[cfg(target_arch = "wasm32")]
fn main() {
    dlviz::app::start(&dlviz::lessons::CNN);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("dlviz is a web app: run `cargo xtask serve` (see README.md).");
}
