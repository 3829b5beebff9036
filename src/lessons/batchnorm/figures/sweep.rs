//! The learning-rate sweep: both networks trained briefly at each rate, loss and accuracy.

use super::super::model::{self, Settings, SweepRow, SWEEP_LRS};
use crate::i18n::{tr, tr_fmt};
use crate::page::{Appearance, I18n};
use crate::ui::experiment::{run_sliced, Alive, Slice, SLICE_MS};
use crate::ui::figure::{fit_2d, Fitted, Palette};
use crate::ui::time::yield_now;
use crate::ui::train::fmt_num;
use crate::ui::ExportButtons;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Sweep steps between yields to the browser.
const SWEEP_CHUNK: u64 = 10;

/// Draws the sweep: final loss against the learning-rate index, one line per run; a diverged
/// run is a cross at the top.
fn draw_sweep(canvas: &web_sys::HtmlCanvasElement, rows: &[SweepRow], pal: &Palette) {
    let Ok(Fitted { ctx, w: cw, h: ch, .. }) = fit_2d(canvas) else { return };
    ctx.set_fill_style_str(&pal.bg.to_string());
    ctx.fill_rect(0.0, 0.0, cw, ch);
    let top_loss = rows
        .iter()
        .flat_map(|r| [r.loss_bn, r.loss_plain])
        .filter(|v| v.is_finite())
        .fold(0.1f32, f32::max) as f64;
    let (left, right, bottom, top) = (8.0, 8.0, 18.0, 10.0);
    let (pw, ph) = ((cw - left - right).max(1.0), (ch - bottom - top).max(1.0));
    let n = SWEEP_LRS.len().max(2) as f64;
    let x_of = |i: usize| left + pw * (i as f64 + 0.5) / n;
    ctx.set_fill_style_str(&pal.text.to_string());
    ctx.set_font("11px sans-serif");
    ctx.set_text_align("center");
    ctx.set_text_baseline("bottom");
    for (i, lr) in SWEEP_LRS.iter().enumerate() {
        let _ = ctx.fill_text(&fmt_num(*lr as f64), x_of(i), ch - 2.0);
    }
    for (run, color) in [(0usize, 0usize), (1, 1)] {
        let c = pal.series(color).to_string();
        ctx.set_stroke_style_str(&c);
        ctx.set_fill_style_str(&c);
        ctx.set_line_width(2.0);
        ctx.begin_path();
        let mut pen = false;
        for (i, row) in rows.iter().enumerate() {
            let v = if run == 0 { row.loss_bn } else { row.loss_plain };
            let x = x_of(i);
            if v.is_finite() {
                let y = top + ph * (1.0 - (v as f64 / top_loss).min(1.0));
                if pen {
                    ctx.line_to(x, y);
                } else {
                    ctx.move_to(x, y);
                }
                pen = true;
                ctx.fill_rect(x - 3.0, y - 3.0, 6.0, 6.0);
            } else {
                pen = false;
                let y = top + 4.0 + 6.0 * run as f64;
                ctx.fill_rect(x - 4.0, y - 1.0, 8.0, 2.0);
                ctx.fill_rect(x - 1.0, y - 4.0, 2.0, 8.0);
            }
        }
        ctx.stroke();
    }
}

/// The sweep's button (`bn-sweep-run`), status, chart and table (`bn-sweep-table`).
#[component]
pub fn SweepPanel(
    /// The settings the sweep runs with (a change stops it and clears the results).
    settings: Memo<Settings>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    // ---- learning-rate sweep -------------------------------------------------------------
    let sweep_rows = RwSignal::new(Vec::<SweepRow>::new());
    let sweep_busy = RwSignal::new(None::<f32>);
    let sweep_error = RwSignal::new(None::<String>);
    let sweep_gen = StoredValue::new(0u32);
    Effect::new(move |prev: Option<()>| {
        settings.track();
        if prev.is_none() {
            return; // the first run is the mount itself (a sweep may already be starting)
        }
        // New settings: old results no longer describe the page; a running sweep stops.
        sweep_gen.update_value(|g| *g = g.wrapping_add(1));
        sweep_rows.set(Vec::new());
        sweep_busy.set(None);
    });
    let alive = Alive::here();
    let run_sweep = move |_| {
        if sweep_busy.get_untracked().is_some() {
            return;
        }
        let s = settings.get_untracked();
        sweep_gen.update_value(|g| *g = g.wrapping_add(1));
        let gen = sweep_gen.get_value();
        sweep_rows.set(Vec::new());
        sweep_error.set(None);
        leptos::task::spawn_local(async move {
            yield_now().await;
            for &lr in SWEEP_LRS {
                if sweep_gen.try_get_value() != Some(gen) {
                    return;
                }
                let _ = sweep_busy.try_set(Some(lr));
                let mut run = match model::SweepRun::new(&s, lr) {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = sweep_error.try_set(Some(e));
                        break;
                    }
                };
                // Chunks of steps in time slices: the page stays responsive during the sweep; a
                // new sweep or new settings (another generation) end this one.
                let row = run_sliced(SLICE_MS, alive, || {
                    if sweep_gen.try_get_value() != Some(gen) {
                        return Slice::Done(None);
                    }
                    match run.advance(SWEEP_CHUNK) {
                        Ok(Some(row)) => Slice::Done(Some(Ok(row))),
                        Ok(None) => Slice::More,
                        Err(e) => Slice::Done(Some(Err(e))),
                    }
                });
                let Some(Some(row)) = row.await else { return };
                match row {
                    Ok(row) => {
                        let _ = sweep_rows.try_update(|r| r.push(row));
                    }
                    Err(e) => {
                        let _ = sweep_error.try_set(Some(e));
                        break;
                    }
                }
            }
            if sweep_gen.try_get_value() == Some(gen) {
                let _ = sweep_busy.try_set(None);
            }
        });
    };
    let sweep_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        sweep_rows.with(|rows| {
            if let Some(c) = sweep_canvas.get() {
                draw_sweep(&c, rows, &pal);
            }
        });
    });
    let cell = move |v: f32, acc: bool| {
        if v.is_nan() {
            i18n.t("bn.sweep.diverged").to_string()
        } else if acc {
            format!("{:.0} %", 100.0 * v)
        } else {
            fmt_num(v as f64)
        }
    };
    let sweep_csv = Callback::new(move |_: ()| {
        let lang = i18n.lang.get_untracked();
        let head = [
            "bn.sweep.lr",
            "bn.sweep.loss_bn",
            "bn.sweep.loss_plain",
            "bn.sweep.acc_bn",
            "bn.sweep.acc_plain",
        ];
        let mut rows = vec![head.iter().map(|k| tr(lang, k).to_string()).collect::<Vec<_>>()];
        for r in sweep_rows.get_untracked() {
            rows.push(vec![
                r.lr.to_string(),
                r.loss_bn.to_string(),
                r.loss_plain.to_string(),
                r.acc_bn.to_string(),
                r.acc_plain.to_string(),
            ]);
        }
        rows
    });


    view! {
        <section class="panel" aria-labelledby="bn-h-sweep">
            <h2 id="bn-h-sweep">{move || i18n.t("bn.sweep")}</h2>
            <p class="hint">{move || i18n.t("bn.sweep.note")}</p>
            <button type="button" class="button" data-testid="bn-sweep-run"
                disabled=move || sweep_busy.get().is_some() on:click=run_sweep>
                {move || i18n.t("bn.sweep.run")}
            </button>
            <p aria-live="polite" data-testid="bn-sweep-status">
                {move || sweep_busy.get().map(|lr| tr_fmt(i18n.lang.get(), "bn.sweep.running", &[("lr", &fmt_num(lr as f64))]))}
                {move || sweep_error.get().map(|e| tr_fmt(i18n.lang.get(), "bn.error", &[("error", &e)]))}
            </p>
            <figure class="fig">
                <canvas node_ref=sweep_canvas role="img" aria-label=move || i18n.t("bn.sweep.what")
                    style="width:100%;height:160px"></canvas>
                <figcaption>
                    <span>{move || i18n.t("bn.sweep.what")}</span>
                    <ExportButtons name="bn-sweep" canvas=sweep_canvas csv=sweep_csv what=t("bn.sweep.what") />
                </figcaption>
            </figure>
            <div class="table-scroll">
                <table class="rf-table" data-testid="bn-sweep-table">
                    <thead>
                        <tr>
                            {["bn.sweep.lr", "bn.sweep.loss_bn", "bn.sweep.loss_plain", "bn.sweep.acc_bn", "bn.sweep.acc_plain"]
                                .iter().map(|k| view! { <th scope="col">{move || i18n.t(k)}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || sweep_rows.get().into_iter().map(|r| view! {
                            <tr>
                                <td>{fmt_num(r.lr as f64)}</td>
                                <td>{cell(r.loss_bn, false)}</td>
                                <td>{cell(r.loss_plain, false)}</td>
                                <td>{cell(r.acc_bn, true)}</td>
                                <td>{cell(r.acc_plain, true)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
