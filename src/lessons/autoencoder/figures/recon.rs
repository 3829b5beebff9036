//! The reconstruction panel: original, AE and PCA reconstructions of the first validation
//! digits (the noisy inputs on top when denoising) and both errors.

use super::super::{Split, GRID};
use super::super::view::Snapshot;
use crate::core::mnist::PIXELS;
use crate::i18n::{tr, tr_fmt};
use crate::page::{Appearance, I18n};
use crate::ui::figure::{digit_tiles, Palette, TileLayout};
use crate::ui::train::fmt_num;
use crate::ui::{draw_rgba, ExportButtons};
use leptos::html::Canvas;
use leptos::prelude::*;
use std::rc::Rc;

/// The grid (`ae-grid`), the AE error (`ae-ae-error`) and the PCA error (`ae-pca-error`).
#[component]
pub fn ReconPanel(
    /// The page's train/validation split.
    split: RwSignal<Option<Rc<Split>>, LocalStorage>,
    /// The validation inputs as the models see them.
    val_input: RwSignal<Option<Rc<Vec<f32>>>, LocalStorage>,
    /// What the run last published.
    snapshot: RwSignal<Option<Snapshot>, LocalStorage>,
    /// PCA at k = z: reconstructions of the grid, error, explained variance.
    pca_view: RwSignal<Option<(Vec<f32>, f64, f64)>, LocalStorage>,
    /// The PCA fit's progress while it runs.
    pca_progress: RwSignal<Option<f64>>,
    /// Why the PCA fit failed.
    pca_error: RwSignal<Option<String>>,
    /// The denoising noise, when on.
    noise: Memo<Option<f32>>,
    /// The code size.
    z: Memo<usize>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    // ---- the reconstruction grid -----------------------------------------------------------
    let grid_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(c) = grid_canvas.get() else { return };
        let clean = split.with(|sp| {
            sp.as_ref().map(|sp| sp.val.x.data()[..GRID * PIXELS].to_vec()).unwrap_or_default()
        });
        let input =
            val_input.with(|v| v.as_ref().map(|v| v[..GRID * PIXELS].to_vec()).unwrap_or_default());
        let ae = snapshot.with(|s| s.as_ref().map(|s| s.recon.clone()).unwrap_or_default());
        let pc = pca_view.with(|p| p.as_ref().map(|p| p.0.clone()).unwrap_or_default());
        let mut rows: Vec<&[f32]> = Vec::new();
        if noise.get().is_some() {
            rows.push(&input);
        }
        rows.extend([&clean[..], &ae[..], &pc[..]]);
        let pal = Palette::of(&appearance);
        let layout = TileLayout { cols: GRID, gap: 2, margin: 0 };
        let _ = draw_rgba(&c, &digit_tiles(&rows, layout, &pal));
    });
    let grid_rows = move || {
        let lang = i18n.lang.get();
        let mut keys = vec![];
        if noise.get().is_some() {
            keys.push("ae.row.noisy");
        }
        keys.extend(["ae.row.original", "ae.row.ae", "ae.row.pca"]);
        keys.into_iter().map(|k| view! { <li>{tr(lang, k)}</li> }).collect_view()
    };

    // ---- numbers --------------------------------------------------------------------------
    let ae_text = move || {
        let lang = i18n.lang.get();
        snapshot.with(|s| match s {
            Some(s) => tr_fmt(
                lang,
                "ae.ae_error",
                &[("mse", &fmt_num(s.mse)), ("steps", &s.steps.to_string())],
            ),
            None => tr(lang, "ae.ae_error_none").to_string(),
        })
    };
    let pca_text = move || {
        let lang = i18n.lang.get();
        if let Some(p) = pca_progress.get() {
            return tr_fmt(lang, "ae.pca_busy", &[("pct", &format!("{:.0}", p * 100.0))]);
        }
        if let Some(e) = pca_error.get() {
            return tr_fmt(lang, "ae.pca_failed", &[("error", &e)]);
        }
        pca_view.with(|p| match p {
            Some((_, err, evr)) => tr_fmt(
                lang,
                "ae.pca_error",
                &[
                    ("k", &z.get().to_string()),
                    ("mse", &fmt_num(*err)),
                    ("evr", &format!("{:.1}", evr * 100.0)),
                ],
            ),
            None => tr(lang, "ae.pca_none").to_string(),
        })
    };


    view! {
        <section class="panel" aria-labelledby="ae-h-recon">
            <h2 id="ae-h-recon">{move || i18n.t("ae.h.recon")}</h2>
            <p>{move || i18n.t("ae.text.recon")}</p>
            <div class="ae-grid-wrap">
                <ol class="ae-grid-rows" aria-label=move || i18n.t("ae.rows_aria")>{grid_rows}</ol>
                <canvas
                    class="ae-grid"
                    node_ref=grid_canvas
                    data-testid="ae-grid"
                    role="img"
                    aria-label=move || i18n.t("ae.grid_aria")
                ></canvas>
            </div>
            <ExportButtons name="ae-grid" canvas=grid_canvas what=t("ae.grid_aria") />
            <p class="sm-ce" data-testid="ae-ae-error" aria-live="polite">{ae_text}</p>
            <p class="sm-ce" data-testid="ae-pca-error" aria-live="polite">{pca_text}</p>
            <p>{move || i18n.t("ae.text.pca")}</p>
        </section>

    }
}
