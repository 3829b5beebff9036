//! The latent plane (codes, probe, drag between digits), the decoded probe and the manifold grid.

use super::super::draw::{self, from_px, plot_square, Marks};
use super::super::view::*;
use super::super::Knobs;
use super::{draw_tiles, Lab};
use crate::i18n::{tr, tr_fmt};
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::figure::Palette;
use crate::ui::train::fmt_num;
use crate::ui::ExportButtons;
use leptos::html::Canvas;
use leptos::prelude::*;

/// The scatter (`vae-latent`), the probe (`vae-probe`) with its sliders, the grid (`vae-grid`).
#[component]
pub fn LatentPanel(
    /// The lesson's shared state.
    lab: Lab,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    let Lab { settings, pair, latent, grid, grid_rows, probe, probe_img, drag, decodes, reparam, .. } = lab;
    let scatter_canvas = NodeRef::<Canvas>::new();
    let probe_canvas = NodeRef::<Canvas>::new();
    let grid_canvas = NodeRef::<Canvas>::new();
    let probe_plane = move || {
        let z = probe.get();
        latent.with(|v| v.as_ref().map(|v| v.plane.project(&z)))
    };
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        let p = probe_plane();
        let marks = latent.with(|v| {
            let v = v.as_ref()?;
            let two = v.plane.u.len() == 2;
            let selected = reparam.with(|r| {
                r.as_ref().map(|r| {
                    let sig = two.then(|| (r.sigma[0], r.sigma[1]));
                    (v.plane.project(&r.mu), v.plane.project(&r.z), sig)
                })
            });
            let pt = |i: usize| v.points.get(i).copied();
            let segment = match drag.get() {
                Some((i, end)) => pt(i).map(|p| (p, end)),
                None => {
                    let (a, b) = pair.get();
                    pt(a).zip(pt(b))
                }
            };
            Some(Marks { probe: p, selected, segment })
        });
        if let Some(c) = scatter_canvas.get() {
            latent.with(|v| draw::scatter(&c, v.as_deref(), &marks.unwrap_or_default(), &pal));
        }
    });
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        probe_img.with(|i| draw_tiles(probe_canvas, i.as_deref(), 1, pal));
    });
    Effect::new(move |_| {
        let pal = Palette::of(&appearance);
        grid.with(|g| draw_tiles(grid_canvas, g.as_ref().map(|g| g.as_slice()), GRID, pal));
    });
    // ---- pointer and keys on the latent plane ------------------------------------------------
    // The plane point under CSS pixel (x, y), clamped to the square, and plane units per pixel.
    let plane_at = move |x: f64, y: f64| -> Option<((f32, f32), f32)> {
        let c = scatter_canvas.get_untracked()?;
        let sq = plot_square(c.client_width() as f64, c.client_height() as f64);
        latent.with_untracked(|v| {
            let v = v.as_ref()?;
            let (a, b) = from_px(x, y, v.range, sq);
            let r = v.range;
            Some(((a.clamp(-r, r), b.clamp(-r, r)), 2.0 * r / sq.2.max(1.0) as f32))
        })
    };
    let set_probe_px = move |x: f64, y: f64| {
        let z = plane_at(x, y)
            .and_then(|((a, b), _)| latent.with_untracked(|v| v.as_ref().map(|v| v.lift(a, b))));
        if let Some(z) = z {
            probe.set(z);
        }
    };
    // The digit whose code is drawn under the pointer (a wider reach for a finger).
    let digit_at = move |ev: &web_sys::PointerEvent| -> Option<(usize, (f32, f32))> {
        let (p, per_px) = plane_at(ev.offset_x() as f64, ev.offset_y() as f64)?;
        let reach = if ev.pointer_type() == "mouse" { HIT_PX } else { TOUCH_HIT_PX };
        let i = latent.with_untracked(|v| v.as_ref()?.nearest(p.0, p.1, reach * per_px))?;
        Some((i, p))
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        set_probe_px(ev.offset_x() as f64, ev.offset_y() as f64);
        // Pressed on a digit: drag from it to another to interpolate between the two.
        if let Some((i, p)) = digit_at(&ev) {
            drag.set(Some((i, p)));
            if let Some(c) = scatter_canvas.get_untracked() {
                let _ = c.set_pointer_capture(ev.pointer_id());
            }
        }
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if ev.pointer_type() == "mouse" || ev.buttons() != 0 {
            set_probe_px(ev.offset_x() as f64, ev.offset_y() as f64);
        }
        if let Some((i, _)) = drag.get_untracked() {
            if let Some((p, _)) = plane_at(ev.offset_x() as f64, ev.offset_y() as f64) {
                drag.set(Some((i, p)));
            }
        }
    };
    let on_up = move |ev: web_sys::PointerEvent| {
        let Some((a, _)) = drag.get_untracked() else { return };
        drag.set(None);
        if let Some((b, _)) = digit_at(&ev).filter(|(b, _)| *b != a) {
            params.put(k.ia, a as i64);
            params.put(k.ib, b as i64);
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some((range, plane)) =
            latent.with_untracked(|v| v.as_ref().map(|v| (v.range, v.plane.clone())))
        else {
            return;
        };
        let (a, b) = probe.with_untracked(|p| plane.project(p));
        let d = range / if ev.shift_key() { 4.0 } else { 20.0 };
        let (a, b) = match ev.key().as_str() {
            "ArrowLeft" => (a - d, b),
            "ArrowRight" => (a + d, b),
            "ArrowUp" => (a, b + d),
            "ArrowDown" => (a, b - d),
            "Home" => (0.0, 0.0),
            _ => return,
        };
        ev.prevent_default();
        probe.set(plane.lift(a.clamp(-range, range), b.clamp(-range, range)));
    };

    let probe_text = move || {
        let lang = i18n.lang.get();
        let z = probe.get();
        let coords = z.iter().map(|v| fmt_num(*v as f64)).collect::<Vec<_>>().join(", ");
        tr_fmt(lang, "vae.probe.at", &[("z", &coords)])
    };
    let plane_text = move || {
        let lang = i18n.lang.get();
        latent.with(|v| match v {
            None => tr(lang, "vae.latent.wait").to_string(),
            Some(v) => {
                let key = if v.plane.u.len() == 2 { "vae.latent.plane2" } else { "vae.latent.pca" };
                tr_fmt(
                    lang,
                    key,
                    &[("n", &v.points.len().to_string()), ("step", &v.step.to_string())],
                )
            }
        })
    };
    let codes_csv = Callback::new(move |_: ()| {
        let z = settings.get_untracked().latent;
        latent.with_untracked(|v| v.as_ref().map(|v| v.csv(z)).unwrap_or_default())
    });
    let latent_dims = move || (0..settings.get().latent).collect::<Vec<_>>();

    view! {
        <section class="panel" aria-labelledby="vae-h-latent">
            <h2 id="vae-h-latent">{move || i18n.t("vae.latent.h")}</h2>
            <p class="hint" data-testid="vae-latent-status">{plane_text}</p>
            <div class="conv-layout">
                <figure class="fig">
                    <canvas node_ref=scatter_canvas data-testid="vae-latent" role="img" tabindex="0"
                        aria-label=move || i18n.t("vae.latent.what")
                        style="width:100%;aspect-ratio:1;touch-action:none;cursor:crosshair"
                        on:keydown=on_key
                        data-range=move || latent.with(|v| v.as_ref().map(|v| v.range.to_string()))
                        on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up
                        on:pointercancel=move |_| drag.set(None)></canvas>
                    <figcaption>
                        <span>{move || i18n.t("vae.latent.keys")}</span>
                        <ExportButtons name="vae-latent" canvas=scatter_canvas csv=codes_csv what=t("vae.latent.what") />
                    </figcaption>
                    <p class="legend-row" aria-hidden="true">
                        {(0..10usize).map(|l| view! {
                            <span style:color=move || Palette::of(&appearance).label(l).to_string()>"■ "{l.to_string()}" "</span>
                        }).collect_view()}
                    </p>
                </figure>
                <figure class="fig" data-testid="vae-probe-fig" data-decodes=move || decodes.get().to_string()>
                    <canvas node_ref=probe_canvas data-testid="vae-probe" role="img"
                        aria-label=move || i18n.t("vae.probe.what")
                        style="width:100%;max-width:12rem;image-rendering:pixelated"></canvas>
                    <figcaption>
                        <span data-testid="vae-probe-readout" aria-live="polite">{probe_text}</span>
                        <ExportButtons name="vae-probe" canvas=probe_canvas what=t("vae.probe.what") />
                    </figcaption>
                    <div data-testid="vae-coords">
                        <For each=latent_dims key=|j| *j let:j>
                            <div class="w-field w-slider">
                                <label for=format!("vae-zc-{j}")>{move || tr_fmt(i18n.lang.get(), "vae.coord", &[("j", &(j + 1).to_string())])}</label>
                                <input type="range" id=format!("vae-zc-{j}") min="-4" max="4" step="0.05"
                                    data-testid=format!("vae-zc-{j}")
                                    prop:value=move || probe.with(|p| p.get(j).copied().unwrap_or(0.0)).to_string()
                                    on:input=move |ev| {
                                        if let Ok(v) = event_target_value(&ev).parse::<f32>() {
                                            if v.is_finite() {
                                                probe.update(|p| if let Some(x) = p.get_mut(j) { *x = v.clamp(-4.0, 4.0) });
                                            }
                                        }
                                    } />
                                <output>{move || fmt_num(probe.with(|p| p.get(j).copied().unwrap_or(0.0)) as f64)}</output>
                            </div>
                        </For>
                    </div>
                </figure>
            </div>
            <h3>{move || i18n.t("vae.grid")}</h3>
            <p class="hint">{move || i18n.t("vae.grid.text")}</p>
            <figure class="fig">
                <canvas node_ref=grid_canvas data-testid="vae-grid" role="img"
                    data-rows=move || grid_rows.get().to_string()
                    aria-label=move || i18n.t("vae.grid.what")
                    style="width:100%;max-width:32rem;image-rendering:pixelated"></canvas>
                <figcaption>
                    <span>{move || i18n.t("vae.grid.what")}</span>
                    <ExportButtons name="vae-grid" canvas=grid_canvas what=t("vae.grid.what") />
                </figcaption>
            </figure>
        </section>
    }
}
