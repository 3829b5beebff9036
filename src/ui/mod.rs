//! Shared widgets: sliders, selects, canvases, export buttons.

pub mod backend;
