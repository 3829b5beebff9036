//! The editable logit vector: one vertical bar per class, dragged with the pointer, moved with
//! the arrow keys when focused (`role="slider"`), or typed into the number field under it;
//! plus read-only bar rows (probabilities, gradient) drawn with the same geometry.

use crate::i18n::tr_fmt;
use crate::page::I18n;
use crate::ui::train::fmt_num;
use leptos::prelude::*;
use super::LOGIT_LIMIT;


/// The bars' half-range: the smallest of 1, 2, 5 × 10^k at least `max |z|` (≥ 5), so bars
/// keep a readable scale as logits grow.
pub fn nice_range(z: &[f64]) -> f64 {
    let m = z.iter().fold(0.0f64, |a, v| if v.is_finite() { a.max(v.abs()) } else { a });
    let mut k = 1.0;
    while k < 1e7 {
        for f in [1.0, 2.0, 5.0] {
            if f * k >= m && f * k >= 5.0 {
                return f * k;
            }
        }
        k *= 10.0;
    }
    m
}

/// Rounds a dragged value to 0.01 and clamps it to the schema's bounds.
pub fn snap(v: f64) -> f64 {
    ((v * 100.0).round() / 100.0).clamp(-LOGIT_LIMIT, LOGIT_LIMIT)
}

/// The CSS of a bar for `v` in a column spanning `[−range, range]` (zero line in the middle)
/// or `[0, range]` with `from_zero` (zero line at the bottom).
fn bar_style(v: f64, range: f64, from_zero: bool) -> String {
    if !v.is_finite() || range <= 0.0 {
        return "height:0".into();
    }
    if from_zero {
        let h = (v / range).clamp(0.0, 1.0) * 100.0;
        format!("bottom:0;height:{h:.3}%")
    } else {
        let h = (v.abs() / range).clamp(0.0, 1.0) * 50.0;
        if v >= 0.0 {
            format!("bottom:50%;height:{h:.3}%")
        } else {
            format!("top:50%;height:{h:.3}%")
        }
    }
}

/// The logit editor. `on_change(i, v)` is called with a new value for class `i` (already
/// snapped and clamped). Test ids: `logit-bar-<i>` (the slider), `logit-input-<i>`.
#[component]
pub fn LogitEditor(
    /// The logits.
    #[prop(into)]
    z: Signal<Vec<f64>>,
    /// The target class (highlighted).
    #[prop(into)]
    target: Signal<usize>,
    /// Receives edits.
    on_change: Callback<(usize, f64)>,
) -> impl IntoView {
    let i18n = I18n::current();
    // The range is frozen while dragging, so the bar under the pointer does not rescale.
    let drag = RwSignal::new(None::<(usize, f64)>);
    let range = Memo::new(move |_| match drag.get() {
        Some((_, r)) => r,
        None => z.with(|z| nice_range(z)),
    });
    // The bar's own box (Leptos delegates pointer events, so `currentTarget` is not the bar).
    let value_at = move |el: &web_sys::HtmlDivElement, ev: &web_sys::PointerEvent, r: f64| {
        let rect = el.get_bounding_client_rect();
        if rect.height() <= 0.0 {
            return None;
        }
        let t = (f64::from(ev.client_y()) - rect.top()) / rect.height();
        Some(snap((0.5 - t) * 2.0 * r))
    };
    // Rebuilt only when the number of classes changes: an edit updates the bars in place, so
    // the focused bar keeps focus and a drag keeps its pointer capture.
    let count = Memo::new(move |_| z.with(|z| z.len()));
    let columns = move || {
        (0..count.get())
            .map(|i| {
                let v = move || z.with(|z| z.get(i).copied().unwrap_or(0.0));
                let label = move || {
                    tr_fmt(i18n.lang.get(), "sm.logit_aria", &[("i", &(i + 1).to_string())])
                };
                let on_key = move |ev: web_sys::KeyboardEvent| {
                    let big = if ev.shift_key() { 1.0 } else { 0.1 };
                    let cur = v();
                    let next = match ev.key().as_str() {
                        "ArrowUp" | "ArrowRight" => cur + big,
                        "ArrowDown" | "ArrowLeft" => cur - big,
                        "PageUp" => cur + 10.0,
                        "PageDown" => cur - 10.0,
                        "Home" => 0.0,
                        _ => return,
                    };
                    ev.prevent_default();
                    on_change.run((i, snap(next)));
                };
                let cell = NodeRef::<leptos::html::Div>::new();
                let on_down = move |ev: web_sys::PointerEvent| {
                    let Some(el) = cell.get_untracked() else { return };
                    let r = range.get_untracked();
                    let _ = el.set_pointer_capture(ev.pointer_id());
                    let _ = el.focus();
                    ev.prevent_default();
                    drag.set(Some((i, r)));
                    if let Some(x) = value_at(&el, &ev, r) {
                        on_change.run((i, x));
                    }
                };
                let on_move = move |ev: web_sys::PointerEvent| {
                    if let (Some((j, r)), Some(el)) = (drag.get_untracked(), cell.get_untracked()) {
                        if j == i {
                            if let Some(x) = value_at(&el, &ev, r) {
                                on_change.run((i, x));
                            }
                        }
                    }
                };
                let on_up = move |_| drag.set(None);
                let input_id = crate::ui::controls::next_id("logit");
                let invalid = RwSignal::new(false);
                view! {
                    <div class="sm-col" class:sm-target=move || target.get() == i>
                        <div
                            node_ref=cell
                            class="sm-bars-cell sm-drag"
                            role="slider"
                            tabindex="0"
                            data-testid=format!("logit-bar-{i}")
                            aria-label=label
                            aria-valuemin=-LOGIT_LIMIT
                            aria-valuemax=LOGIT_LIMIT
                            aria-valuenow=move || v().to_string()
                            aria-valuetext=move || fmt_num(v())
                            on:keydown=on_key
                            on:pointerdown=on_down
                            on:pointermove=on_move
                            on:pointerup=on_up
                            on:pointercancel=on_up
                        >
                            <div class="sm-zero" aria-hidden="true"></div>
                            <div
                                class="sm-bar sm-logit"
                                class:neg=move || v() < 0.0
                                style=move || bar_style(v(), range.get(), false)
                            ></div>
                        </div>
                        <input
                            type="number"
                            id=input_id
                            class="sm-num"
                            step="0.1"
                            min=-LOGIT_LIMIT
                            max=LOGIT_LIMIT
                            aria-label=label
                            data-testid=format!("logit-input-{i}")
                            aria-invalid=move || invalid.get().to_string()
                            prop:value=move || v().to_string()
                            on:input=move |ev| {
                                match event_target_value(&ev).trim().parse::<f64>() {
                                    Ok(x) if x.is_finite() && x.abs() <= LOGIT_LIMIT => {
                                        invalid.set(false);
                                        on_change.run((i, x));
                                    }
                                    _ => invalid.set(true),
                                }
                            }
                            on:blur=move |_| invalid.set(false)
                        />
                        <span class="sm-class">{format!("{}", i + 1)}</span>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <div class="sm-editor">
            <div class="sm-scale" aria-hidden="true">
                <span>{move || fmt_num(range.get())}</span>
                <span>"0"</span>
                <span>{move || fmt_num(-range.get())}</span>
            </div>
            <div class="sm-row">{columns}</div>
        </div>
    }
}

/// A read-only row of bars, one per class, with the value written under each.
/// `from_zero`: values in `[0, range]` (probabilities); else `[−range, range]`.
#[component]
pub fn BarRow(
    /// The values (NaN/∞ are shown as text with no bar).
    #[prop(into)]
    values: Signal<Vec<f64>>,
    /// The half-range (or full range with `from_zero`).
    range: f64,
    /// Bars grow up from the bottom.
    from_zero: bool,
    /// Extra CSS class of the bars (`sm-prob`, `sm-naive`, `sm-grad`).
    class: &'static str,
    /// Test id prefix: `<prefix>-<i>` on each value text.
    testid: &'static str,
    /// The target class (highlighted).
    #[prop(into)]
    target: Signal<usize>,
) -> impl IntoView {
    let cols = move || {
        values
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let bad = !v.is_finite();
                view! {
                    <div class="sm-col" class:sm-target=move || target.get() == i>
                        <div class="sm-bars-cell" class:sm-bad=bad aria-hidden="true">
                            {(!from_zero).then(|| view! { <div class="sm-zero"></div> })}
                            <div
                                class=format!("sm-bar {class}")
                                class:neg=v < 0.0
                                style=bar_style(v, range, from_zero)
                            ></div>
                        </div>
                        <span class="sm-val" class:sm-bad=bad data-testid=format!("{testid}-{i}")>
                            {fmt_num(v)}
                        </span>
                    </div>
                }
            })
            .collect_view()
    };
    view! { <div class="sm-row">{cols}</div> }
}
