//! The lesson's panels, one component each (wasm only), over the shared state [`Lab`].

pub mod kl;
pub mod latent;
pub mod reparam;
pub mod samples;
pub mod settings;
pub mod train;

use super::draw;
use super::model::{LatentView, Settings};
use super::run::RunBackend;
use super::view::Reparam;
use crate::ui::draw_rgba;
use crate::ui::figure::Palette;
use crate::ui::train::TrainHandle;
use leptos::html::Canvas;
use leptos::prelude::*;
use std::rc::Rc;

/// The state the panels share, created by the lesson (all handles: `Copy`).
#[derive(Clone, Copy)]
pub struct Lab {
    /// The knobs a run depends on.
    pub settings: Memo<Settings>,
    /// β (acts on the running training).
    pub beta_value: Memo<f32>,
    /// The digit whose reparameterisation is shown.
    pub digit: Memo<usize>,
    /// The interpolation's ends.
    pub pair: Memo<(usize, usize)>,
    /// The training session.
    pub train: TrainHandle,
    /// Where the run trains and why.
    pub run_backend: RwSignal<Option<RunBackend>>,
    /// The validation codes at the last refresh.
    pub latent: RwSignal<Option<Rc<LatentView>>, LocalStorage>,
    /// The decoded manifold grid.
    pub grid: RwSignal<Option<Rc<Vec<f32>>>, LocalStorage>,
    /// Rows of the grid decoded so far.
    pub grid_rows: RwSignal<usize>,
    /// The probed latent point.
    pub probe: RwSignal<Vec<f32>>,
    /// Its decoding.
    pub probe_img: RwSignal<Option<Vec<f32>>>,
    /// A drag from one digit's code: (that digit, the pointer's plane point).
    pub drag: RwSignal<Option<(usize, (f32, f32))>>,
    /// Probe decodes so far (for tests).
    pub decodes: RwSignal<u64>,
    /// The selected digit's reparameterisation.
    pub reparam: RwSignal<Option<Rc<Reparam>>, LocalStorage>,
    /// Redraws of ε.
    pub eps_draw: RwSignal<u64>,
    /// The decoded interpolation strip.
    pub interp: RwSignal<Option<Vec<f32>>>,
    /// The decoded prior samples.
    pub prior: RwSignal<Option<Vec<f32>>>,
    /// Redraws of the prior samples.
    pub prior_draw: RwSignal<u64>,
}

/// Draws `imgs` (28×28 digits, `cols` per row) into `canvas`, if both exist.
pub fn draw_tiles(canvas: NodeRef<Canvas>, imgs: Option<&[f32]>, cols: usize, pal: Palette) {
    if let (Some(c), Some(imgs)) = (canvas.get(), imgs) {
        if let Err(e) = draw_rgba(&c, &draw::tiles(imgs, cols, &pal)) {
            web_sys::console::warn_1(&e.into());
        }
    }
}
