//! The figure kit: what every canvas drawing in the book needs, written once.
//!
//! * [`canvas`] — fitting a canvas to its CSS box × `devicePixelRatio` ([`fit_2d`] for
//!   Canvas 2D drawing in CSS pixels, [`fit_backing`] for plotters, which draws in device
//!   pixels), the 2-D context, and putting an [`RgbaImage`] on a canvas ([`draw_rgba`]).
//! * [`palette`] — [`Palette`]: the theme's colours read from the CSS variables of
//!   `www/style.css` (`--panel`, `--fg`, `--muted`, `--line`, `--border`, `--accent`, …) with
//!   the stylesheet's own values as fallbacks, reactive to [`crate::page::Appearance`]; the
//!   book's class colours 0–9 ([`Palette::label`]) and series colours ([`Palette::series`]).
//! * [`tiles`] — grids of 28×28 digits (grey ink, gaps) as one image ([`digit_tiles`]).
//!
//! Errors are values (`Result<_, String>`), never panics: a canvas that cannot be drawn
//! is skipped and the page goes on.

pub mod canvas;
pub mod palette;
pub mod tiles;

pub use crate::core::color::Rgb;
pub use crate::core::image::RgbaImage;
pub use canvas::{context_2d, device_pixel_ratio, draw_rgba, fit_2d, fit_backing, Backing, Fitted};
pub use palette::{plot_rgb, Palette};
pub use tiles::{digit_tiles, TileLayout};
