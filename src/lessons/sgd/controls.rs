//! Sliders for real-valued knobs: a range input whose integer positions `0..=1000` map to a
//! value by a [`Scale`] (linear, logarithmic, or `1 − 10^(−p)` for decay rates near 1), with
//! the value shown beside it. Arrow keys move one position (native range behaviour).

use crate::ui::controls::next_id;
use crate::ui::format_value;
use crate::url_state::{knob, Key};
use leptos::prelude::*;

/// Slider positions (0..=STEPS).
const STEPS: f64 = 1000.0;

/// How slider positions map to values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// `v = min + p·(max − min)`.
    Linear { min: f64, max: f64 },
    /// `v = min·(max/min)^p` (`0 < min < max`).
    Log { min: f64, max: f64 },
    /// `v = 1 − 10^(−(a + p·(b − a)))`: decays from `1 − 10^(−a)` to `1 − 10^(−b)`.
    Decay { a: f64, b: f64 },
}

impl Scale {
    /// Linear over a float knob's range in the schema.
    pub const fn linear(knob: Key<knob::Float>) -> Self {
        Scale::Linear { min: knob.min(), max: knob.max() }
    }

    /// Logarithmic over a float knob's range in the schema (`0 < min`).
    pub const fn log(knob: Key<knob::Float>) -> Self {
        Scale::Log { min: knob.min(), max: knob.max() }
    }

    /// The value at position `p ∈ [0, 1]`.
    pub fn value(self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        match self {
            Scale::Linear { min, max } => min + p * (max - min),
            Scale::Log { min, max } => min * (max / min).powf(p),
            Scale::Decay { a, b } => 1.0 - 10f64.powf(-(a + p * (b - a))),
        }
    }

    /// The position of `v` (clamped to `[0, 1]`).
    pub fn position(self, v: f64) -> f64 {
        let p = match self {
            Scale::Linear { min, max } => (v - min) / (max - min),
            Scale::Log { min, max } => (v.max(min) / min).ln() / (max / min).ln(),
            Scale::Decay { a, b } => (-(1.0 - v).max(1e-12).log10() - a) / (b - a),
        };
        if p.is_finite() {
            p.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// Rounds to 4 significant digits (short URLs; the slider cannot resolve more).
pub fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let d = 3 - v.abs().log10().floor() as i32;
    let f = 10f64.powi(d);
    (v * f).round() / f
}

/// A labelled slider over a real value.
#[component]
pub fn RealSlider(
    /// Translated label.
    #[prop(into)]
    label: Signal<String>,
    /// The current value.
    #[prop(into)]
    value: Signal<f64>,
    /// Position ↔ value mapping.
    scale: Scale,
    /// Called with each new value (rounded to 4 significant digits).
    #[prop(into)]
    on_change: Callback<f64>,
    /// `data-testid` of the input.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let id = next_id("real");
    let out_for = id.clone();
    view! {
        <div class="w-field w-slider">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                type="range"
                id=id
                min=0
                max=STEPS
                step=1
                data-testid=testid
                aria-valuetext=move || format_value(value.get() as f32)
                prop:value=move || (scale.position(value.get()) * STEPS).round().to_string()
                on:input=move |ev| {
                    if let Ok(p) = event_target_value(&ev).parse::<f64>() {
                        on_change.run(round_sig(scale.value(p / STEPS)));
                    }
                }
            />
            <output for=out_for>{move || format_value(value.get() as f32)}</output>
        </div>
    }
}
