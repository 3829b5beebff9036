//! A colour legend: a gradient bar with its value scale (minimum, middle, maximum), so a
//! colour on a heatmap can be read back as a number.

use leptos::prelude::*;

/// A horizontal colour bar from `min` (left) to `max` (right).
#[component]
pub fn Legend(
    /// Translated caption (e.g. "value").
    #[prop(into)]
    label: Signal<String>,
    /// Value at the left end.
    #[prop(into)]
    min: Signal<f32>,
    /// Value at the right end.
    #[prop(into)]
    max: Signal<f32>,
    /// Colours evenly spaced from `min` to `max` (RGBA; alpha ignored).
    #[prop(into)]
    colours: Signal<Vec<[u8; 4]>>,
    /// `data-testid` of the legend.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let gradient = move || {
        let stops: Vec<String> =
            colours.get().iter().map(|c| format!("rgb({},{},{})", c[0], c[1], c[2])).collect();
        format!("background: linear-gradient(to right, {})", stops.join(", "))
    };
    let fmt = |v: f32| format_value(v);
    view! {
        <figure class="w-legend" data-testid=testid>
            <figcaption>{move || label.get()}</figcaption>
            <div
                class="w-legend-bar"
                style=gradient
                role="img"
                aria-label=move || format!("{}: {} … {}", label.get(), fmt(min.get()), fmt(max.get()))
            ></div>
            <div class="w-legend-ticks" aria-hidden="true">
                <span>{move || fmt(min.get())}</span>
                <span>{move || fmt((min.get() + max.get()) / 2.0)}</span>
                <span>{move || fmt(max.get())}</span>
            </div>
        </figure>
    }
}

/// A compact number: 3 significant digits, no trailing zeros, `−` for minus.
pub fn format_value(v: f32) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let a = v.abs();
    let s = if a == 0.0 {
        "0".to_string()
    } else if !(1e-3..1e4).contains(&a) {
        format!("{v:.2e}")
    } else {
        let decimals = (2 - a.log10().floor() as i32).clamp(0, 4) as usize;
        let t = format!("{v:.decimals$}");
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t
        }
    };
    s.replace('-', "−")
}
