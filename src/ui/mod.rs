//! Shared widgets: sliders, selects, canvases, export buttons.
