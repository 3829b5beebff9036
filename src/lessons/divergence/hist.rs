//! A histogram with draggable bars: each bar is a `role="slider"` moved by the pointer (mouse,
//! pen, touch), by the arrow keys (±0.5, Shift ±2), Page Up/Down (±5), Home (0) and End (max).
//! Heights are unnormalised weights in `[0, HIST_MAX]`; the lesson normalises them.

use crate::i18n::tr_fmt;
use crate::page::I18n;
use crate::ui::train::fmt_num;
use leptos::prelude::*;
use super::HIST_MAX;


/// Rounds a dragged height to 0.1 and clamps it to `[0, HIST_MAX]`.
pub fn snap(v: f64) -> f64 {
    ((v * 10.0).round() / 10.0).clamp(0.0, HIST_MAX)
}

/// The editor. `on_change(i, v)` gets bar `i`'s new height (snapped). Test ids:
/// `div-bar-<name>-<i>`.
#[component]
pub fn HistEditor(
    /// Bar heights.
    #[prop(into)]
    values: Signal<Vec<f64>>,
    /// `"p"` or `"q"`: test ids and the accessible label.
    name: &'static str,
    /// Catalog key of the bar's accessible label (`{i}` = bin number).
    aria_key: &'static str,
    /// Receives edits.
    on_change: Callback<(usize, f64)>,
) -> impl IntoView {
    let i18n = I18n::current();
    let dragging = RwSignal::new(None::<usize>);
    let value_at = |el: &web_sys::HtmlDivElement, ev: &web_sys::PointerEvent| {
        let rect = el.get_bounding_client_rect();
        if rect.height() <= 0.0 {
            return None;
        }
        let t = (f64::from(ev.client_y()) - rect.top()) / rect.height();
        Some(snap((1.0 - t) * HIST_MAX))
    };
    let count = Memo::new(move |_| values.with(|v| v.len()));
    let columns = move || {
        (0..count.get())
            .map(|i| {
                let v = move || values.with(|v| v.get(i).copied().unwrap_or(0.0));
                let label =
                    move || tr_fmt(i18n.lang.get(), aria_key, &[("i", &(i + 1).to_string())]);
                let on_key = move |ev: web_sys::KeyboardEvent| {
                    let small = if ev.shift_key() { 2.0 } else { 0.5 };
                    let cur = v();
                    let next = match ev.key().as_str() {
                        "ArrowUp" | "ArrowRight" => cur + small,
                        "ArrowDown" | "ArrowLeft" => cur - small,
                        "PageUp" => cur + 5.0,
                        "PageDown" => cur - 5.0,
                        "Home" => 0.0,
                        "End" => HIST_MAX,
                        _ => return,
                    };
                    ev.prevent_default();
                    on_change.run((i, snap(next)));
                };
                let cell = NodeRef::<leptos::html::Div>::new();
                let on_down = move |ev: web_sys::PointerEvent| {
                    let Some(el) = cell.get_untracked() else { return };
                    let _ = el.set_pointer_capture(ev.pointer_id());
                    let _ = el.focus();
                    ev.prevent_default();
                    dragging.set(Some(i));
                    if let Some(x) = value_at(&el, &ev) {
                        on_change.run((i, x));
                    }
                };
                let on_move = move |ev: web_sys::PointerEvent| {
                    if dragging.get_untracked() == Some(i) {
                        if let Some(el) = cell.get_untracked() {
                            if let Some(x) = value_at(&el, &ev) {
                                on_change.run((i, x));
                            }
                        }
                    }
                };
                let on_up = move |_| dragging.set(None);
                view! {
                    <div class="sm-col">
                        <div
                            node_ref=cell
                            class="sm-bars-cell sm-drag div-hist-cell"
                            role="slider"
                            tabindex="0"
                            data-testid=format!("div-bar-{name}-{i}")
                            aria-label=label
                            aria-valuemin=0
                            aria-valuemax=HIST_MAX
                            aria-valuenow=move || v().to_string()
                            aria-valuetext=move || fmt_num(v())
                            on:keydown=on_key
                            on:pointerdown=on_down
                            on:pointermove=on_move
                            on:pointerup=on_up
                            on:pointercancel=on_up
                        >
                            <div
                                class=format!("sm-bar div-bar-{name}")
                                style=move || {
                                    format!(
                                        "bottom:0;height:{:.3}%",
                                        (v() / HIST_MAX).clamp(0.0, 1.0) * 100.0,
                                    )
                                }
                            ></div>
                        </div>
                        <span class="sm-class">{move || fmt_num(v())}</span>
                    </div>
                }
            })
            .collect_view()
    };
    view! { <div class="sm-row div-hist">{columns}</div> }
}
