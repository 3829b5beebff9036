//! Shared widgets, generic over lessons: labelled controls (slider, select, toggle), a matrix
//! editor, a heatmap canvas, a colour legend and export buttons (PNG, CSV); the MNIST loader
//! (`mnist`: lazy download with progress, shared by the digit lessons); the figure kit
//! (`figure`: canvas fitting, the CSS palette, class colours, digit tiles).
//!
//! Every widget takes its label as an already-translated reactive string (the caller reads
//! the catalog), its value as a signal and reports changes through a callback, so widgets
//! know nothing of lessons or URLs. Every control has a visible label and is keyboard
//! operable; canvases carry an `aria-label`.

pub mod backend;
pub mod controls;
pub mod experiment;
pub mod export;
pub mod figure;
pub mod heatmap;
pub mod legend;
pub mod matrix;
pub mod mnist;
pub mod time;
pub mod train;

pub use controls::{NumberInput, Select, Slider, Toggle};
pub use export::{download_blob, export_csv, export_png, ExportButtons};
pub use figure::{context_2d, draw_rgba, fit_2d, fit_backing, Palette, Rgb, RgbaImage};
pub use heatmap::{Heatmap, Highlight};
pub use legend::{format_value, Legend};
pub use matrix::{parse_cell, MatrixEditor};
