//! The app's entry point (built by Trunk for wasm32).

#[cfg(target_arch = "wasm32")]
fn main() {
    dlviz::app::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("dlviz is a web app: run `cargo xtask serve` (see README.md).");
}
