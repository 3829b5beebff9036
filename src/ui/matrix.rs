//! An editable matrix of numbers (e.g. a convolution kernel) as a grid of text cells.
//!
//! A cell that is not a number in range is flagged in place — `aria-invalid`, a style and a
//! message naming the cell — and ignored (the previous value is kept for it) until fixed;
//! valid cells edited meanwhile still apply. Cells accept decimals and fractions (`1/9`).

use leptos::prelude::*;

/// Parses one cell: a finite decimal (`-0.5`, `2e-1`) or a fraction `a/b`, within
/// `−limit..=limit`.
pub fn parse_cell(text: &str, limit: f32) -> Option<f32> {
    let t = text.trim().replace('−', "-");
    let v = match t.split_once('/') {
        Some((a, b)) => {
            let (a, b): (f32, f32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            if b == 0.0 {
                return None;
            }
            a / b
        }
        None => t.parse::<f32>().ok()?,
    };
    (v.is_finite() && v.abs() <= limit).then_some(v)
}

/// A cell value written compactly (up to 4 decimals, trailing zeros removed).
pub fn format_cell(v: f32) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A `size × size` matrix editor.
#[component]
pub fn MatrixEditor(
    /// Translated caption.
    #[prop(into)]
    label: Signal<String>,
    /// Side length.
    #[prop(into)]
    size: Signal<usize>,
    /// The current values, row-major (`size²` of them); the cells follow them whenever they
    /// change from outside (e.g. a preset was chosen).
    #[prop(into)]
    values: Signal<Vec<f32>>,
    /// Called with the full matrix after an edit (invalid cells keep their previous value).
    #[prop(into)]
    on_change: Callback<Vec<f32>>,
    /// Largest accepted magnitude.
    limit: f32,
    /// Translated message for an invalid cell; `{row}`, `{col}` and `{limit}` are replaced.
    #[prop(into)]
    invalid_text: Signal<String>,
    /// Prefix of the cells' test ids: `<prefix>-<row>-<col>`.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let texts = RwSignal::new(Vec::<String>::new());
    let invalid = RwSignal::new(Vec::<bool>::new());
    let last_emitted = StoredValue::new(Vec::<f32>::new());
    // Follow outside changes, but not the echo of our own edits (that would rewrite what
    // the user is typing, e.g. "0." → "0").
    Effect::new(move |_| {
        let v = values.get();
        let n = size.get();
        let stale = texts.with_untracked(|t| t.len() != n * n);
        if stale || last_emitted.with_value(|l| *l != v) {
            texts.set((0..n * n).map(|i| format_cell(v.get(i).copied().unwrap_or(0.0))).collect());
            invalid.set(vec![false; n * n]);
        }
    });
    let edit = move |i: usize, text: String| {
        let ok = parse_cell(&text, limit);
        texts.update(|t| {
            if let Some(s) = t.get_mut(i) {
                *s = text;
            }
        });
        invalid.update(|f| {
            if let Some(b) = f.get_mut(i) {
                *b = ok.is_none();
            }
        });
        if let Some(x) = ok {
            let mut v = values.get_untracked();
            let n = size.get_untracked();
            v.resize(n * n, 0.0);
            // `get_mut`: a stale cell of a previous, larger size must not index out of range.
            if let Some(slot) = v.get_mut(i).filter(|s| **s != x) {
                *slot = x;
                last_emitted.set_value(v.clone());
                on_change.run(v);
            }
        }
    };
    let message = move || {
        let n = size.get();
        invalid.with(|f| {
            f.iter().position(|b| *b).map(|i| {
                invalid_text
                    .get()
                    .replace("{row}", &(i / n + 1).to_string())
                    .replace("{col}", &(i % n + 1).to_string())
                    .replace("{limit}", &format_cell(limit))
            })
        })
    };
    let msg_id = super::controls::next_id("matrix-msg");
    let msg_id2 = msg_id.clone();
    view! {
        <fieldset class="w-matrix">
            <legend>{move || label.get()}</legend>
            <div
                class="w-matrix-grid"
                style=move || format!("grid-template-columns: repeat({}, minmax(2.6em, 1fr))", size.get())
            >
                {move || {
                    let n = size.get();
                    (0..n * n)
                        .map(|i| {
                            let (r, c) = (i / n + 1, i % n + 1);
                            let bad = move || invalid.with(|f| f.get(i).copied().unwrap_or(false));
                            let mid = msg_id2.clone();
                            view! {
                                <input
                                    type="text"
                                    inputmode="decimal"
                                    class="w-matrix-cell"
                                    class:invalid=bad
                                    aria-label=move || format!("{} [{r}, {c}]", label.get())
                                    aria-invalid=move || bad().to_string()
                                    aria-describedby=move || bad().then(|| mid.clone())
                                    data-testid=format!("{testid}-{}-{}", r - 1, c - 1)
                                    prop:value=move || texts.with(|t| t.get(i).cloned().unwrap_or_default())
                                    on:input=move |ev| edit(i, event_target_value(&ev))
                                />
                            }
                        })
                        .collect_view()
                }}
            </div>
            <p class="w-error" id=msg_id role="status" data-testid=format!("{testid}-error")>
                {message}
            </p>
        </fieldset>
    }
}
