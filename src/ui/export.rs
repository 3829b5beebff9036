//! Export: a canvas as PNG (`canvas.toBlob` → object URL → download link) and tabular
//! numbers as CSV, plus [`ExportButtons`] that offers both for one figure.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};

/// Saves `blob` as `filename` through a temporary download link.
pub fn download_blob(blob: &Blob, filename: &str) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(|e| format!("{e:?}"))?;
    let doc = window().document().ok_or("no document")?;
    let a: HtmlAnchorElement =
        doc.create_element("a").map_err(|e| format!("{e:?}"))?.unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    // The click has started the download; the URL can go once the event loop turns.
    set_timeout(move || drop(Url::revoke_object_url(&url)), std::time::Duration::from_secs(10));
    Ok(())
}

/// Saves the canvas as a PNG file.
pub fn export_png(canvas: &HtmlCanvasElement, filename: &str) -> Result<(), String> {
    let name = filename.to_string();
    let cb = Closure::once_into_js(move |blob: Option<Blob>| match blob {
        Some(b) => {
            if let Err(e) = download_blob(&b, &name) {
                web_sys::console::warn_1(&e.into());
            }
        }
        None => web_sys::console::warn_1(&"canvas.toBlob gave no blob".into()),
    });
    canvas.to_blob(cb.unchecked_ref()).map_err(|e| format!("{e:?}"))
}

/// Saves `rows` as a CSV file (numbers are written as given; no quoting is needed for them).
pub fn export_csv(rows: &[Vec<String>], filename: &str) -> Result<(), String> {
    let text: String = rows.iter().map(|r| r.join(",") + "\n").collect();
    let parts = js_sys::Array::of1(&JsValue::from_str(&text));
    let opts = BlobPropertyBag::new();
    opts.set_type("text/csv");
    let blob =
        Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|e| format!("{e:?}"))?;
    download_blob(&blob, filename)
}

/// "PNG" and (optionally) "CSV" buttons for one figure; test ids `export-png-<name>` and
/// `export-csv-<name>`.
#[component]
pub fn ExportButtons(
    /// Short figure name, used in test ids and file names (`dlviz-<name>.png`).
    #[prop(into)]
    name: String,
    /// The canvas to save as PNG.
    canvas: NodeRef<Canvas>,
    /// Produces the CSV rows on demand (omit for figures without numbers).
    #[prop(optional, into)]
    csv: Option<Callback<(), Vec<Vec<String>>>>,
    /// Translated accessible description of the figure, used in the buttons' labels.
    #[prop(into)]
    what: Signal<String>,
) -> impl IntoView {
    let png_name = format!("dlviz-{name}.png");
    let csv_name = format!("dlviz-{name}.csv");
    view! {
        <span class="w-export">
            <button
                type="button"
                data-testid=format!("export-png-{name}")
                aria-label=move || format!("PNG: {}", what.get())
                on:click=move |_| {
                    if let Some(c) = canvas.get_untracked() {
                        if let Err(e) = export_png(&c, &png_name) {
                            web_sys::console::warn_1(&e.into());
                        }
                    }
                }
            >
                "PNG"
            </button>
            {csv.map(|cb| {
                view! {
                    <button
                        type="button"
                        data-testid=format!("export-csv-{name}")
                        aria-label=move || format!("CSV: {}", what.get())
                        on:click=move |_| {
                            if let Err(e) = export_csv(&cb.run(()), &csv_name) {
                                web_sys::console::warn_1(&e.into());
                            }
                        }
                    >
                        "CSV"
                    </button>
                }
            })}
        </span>
    }
}
