//! The native test binary: every `tests/core_*.rs` file (the numeric core), the URL parser's
//! sweep (`url_sweep.rs`), the training loop's frame budget against a fake clock
//! (`train_budget.rs`), the layering rule (`layers.rs`) and the lessons' claims at their
//! defaults (`claims.rs`), folded in as modules so that `cargo test` compiles and links one
//! binary instead of one per file. Run one file's tests by its module name, e.g.
//! `cargo test --test native core_conv::`. A new test file is added here (or to
//! `native_gpu.rs` for the GPU) as `#[path = "file.rs"] mod file;`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "claims.rs"]
mod claims;
#[path = "core_autograd.rs"]
mod core_autograd;
#[path = "core_colormap.rs"]
mod core_colormap;
#[path = "core_conv.rs"]
mod core_conv;
#[path = "core_conv_into.rs"]
mod core_conv_into;
#[path = "core_data.rs"]
mod core_data;
#[path = "core_divergence.rs"]
mod core_divergence;
#[path = "core_filters.rs"]
mod core_filters;
#[path = "core_image.rs"]
mod core_image;
#[path = "core_logits.rs"]
mod core_logits;
#[path = "core_matmul.rs"]
mod core_matmul;
#[path = "core_mnist.rs"]
mod core_mnist;
#[path = "core_nn.rs"]
mod core_nn;
#[path = "core_nn_bn_lesson.rs"]
mod core_nn_bn_lesson;
#[path = "core_optim.rs"]
mod core_optim;
#[path = "core_optim_path.rs"]
mod core_optim_path;
#[path = "core_pca.rs"]
mod core_pca;
#[path = "core_perf.rs"]
mod core_perf;
#[path = "core_receptive.rs"]
mod core_receptive;
#[path = "core_surfaces.rs"]
mod core_surfaces;
#[path = "core_train.rs"]
mod core_train;
#[path = "core_vae.rs"]
mod core_vae;
#[path = "layers.rs"]
mod layers;
#[path = "train_budget.rs"]
mod train_budget;
#[path = "url_sweep.rs"]
mod url_sweep;
