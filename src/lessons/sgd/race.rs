//! The race: SGD, momentum, Nesterov, RMSProp and Adam descend the same 2-D surface from the
//! same start. The whole runs are computed at once (`core::optim::path::descend`, cheap for
//! two parameters) whenever a knob changes; the player reveals them step by step.
//!
//! The start point is dragged with the pointer or moved with the arrow keys when the plot
//! has focus (Shift: larger steps; Home: the surface's default start).

use super::Knobs;
use super::draw::{self, Frame, Theme, COLOURS, DASHES, MARKERS};
use crate::ui::figure::Palette;
use super::player::{Playback, Player};
use super::race_panels::{RaceControls, RaceLegend};
use crate::core::optim::path::{descend, Trajectory};
use crate::core::optim::{Hyper, OptimizerKind, OptimizerSpec};
use crate::core::surfaces::{CriticalKind, Grid, Segment, Surface, ViewBox};
use crate::page::{Appearance, I18n, LessonParams};
use crate::ui::{context_2d, format_value, ExportButtons};
use leptos::html::Canvas;
use leptos::prelude::*;
use std::sync::Arc;

/// The racers, in legend order (AdamW differs from Adam only by weight decay, absent here).
pub const RACERS: [OptimizerKind; 5] = [
    OptimizerKind::Sgd,
    OptimizerKind::Momentum,
    OptimizerKind::Nesterov,
    OptimizerKind::RmsProp,
    OptimizerKind::Adam,
];

/// One result per racer: its trajectory, or why its optimizer refused the knobs.
pub type Runs = Arc<Vec<Result<Trajectory, String>>>;

/// Canvas size in px (square; CSS scales it to the column).
const SIZE: u32 = 480;
/// Lattice for contour lines.
const GRID_N: usize = 121;

/// Whether a racer uses the adaptive learning rate (`alr`) rather than `lr`.
fn adaptive(kind: OptimizerKind) -> bool {
    matches!(kind, OptimizerKind::RmsProp | OptimizerKind::Adam | OptimizerKind::AdamW)
}

/// Everything drawn below the paths, recomputed only when the surface or theme changes.
#[derive(PartialEq)]
struct Backdrop {
    frame: Frame,
    rgba: Vec<u8>,
    segs: Vec<Segment>,
}

/// The surface a set of knobs describes.
pub fn surface_of(p: &Knobs) -> Surface {
    match p.surf {
        "rosenbrock" => Surface::rosenbrock(),
        "saddle" => Surface::Saddle,
        "wells" => Surface::wells(p.seed, p.ripple),
        _ => Surface::quadratic(p.kappa, p.angle.to_radians()),
    }
}

#[component]
pub fn RacePanel() -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let appearance = Appearance::current();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());

    let k = Knobs::KEYS;
    let surface = Memo::new(move |_| surface_of(&params.read::<Knobs>()));
    let view_box = Memo::new(move |_| surface.with(|s| s.view()));
    let start = Memo::new(move |_| {
        let v = view_box.get();
        v.clamp(params.knob(k.x0), params.knob(k.y0))
    });
    let steps = Memo::new(move |_| params.knob(k.steps) as usize);
    // One flag per racer (the schema's `Bits(5)`).
    let show = Memo::new(move |_| params.knob(k.show));
    let hyper = Memo::new(move |_| Hyper {
        lr: params.knob(k.lr) as f32,
        momentum: params.knob(k.mom) as f32,
        alpha: params.knob(k.alpha) as f32,
        beta1: params.knob(k.b1) as f32,
        beta2: params.knob(k.b2) as f32,
        eps: 1e-8,
        weight_decay: 0.0,
    });
    let alr = Memo::new(move |_| params.knob(k.alr) as f32);
    // One result per racer: a trajectory, or the reason the optimizer refused its knobs.
    let runs = Memo::new(move |_| {
        let s = surface.get();
        let st = start.get();
        let n = steps.get();
        let h = hyper.get();
        let a = alr.get();
        Arc::new(
            RACERS
                .iter()
                .map(|&kind| {
                    let mut hk = h;
                    if adaptive(kind) {
                        hk.lr = a;
                    }
                    descend(&s, st, &OptimizerSpec { kind, hyper: hk }, n)
                        .map_err(|e| e.to_string())
                })
                .collect::<Vec<_>>(),
        )
    });
    let max = Signal::derive(move || steps.get());
    let pb = Playback::new(max);

    let theme_of = Memo::new(move |_| Theme::new(&Palette::of(&appearance)));
    let backdrop = Memo::new(move |_| {
        let s = surface.get();
        let view = view_box.get();
        let theme = theme_of.get();
        let grid = Grid::evaluate(&s, view, GRID_N, GRID_N);
        let levels = grid.quantile_levels(16);
        let segs: Vec<Segment> = levels.iter().flat_map(|&l| grid.contour(l)).collect();
        let rgba = draw::shade(&grid, SIZE as usize, SIZE as usize, &theme);
        Arc::new(Backdrop { frame: Frame { view, w: SIZE as f64, h: SIZE as f64 }, rgba, segs })
    });
    let minima = Memo::new(move |_| surface.with(|s| s.critical_points()));

    let canvas = NodeRef::<Canvas>::new();
    // The static layer (shading, contours, minima), rebuilt only when the backdrop changes
    // (the minima change with the surface, which always makes a new backdrop).
    let layer = StoredValue::new_local(None::<(usize, web_sys::HtmlCanvasElement)>);
    let static_layer = move |bd: &Arc<Backdrop>, theme: &Theme| {
        let key = Arc::as_ptr(bd) as usize;
        if layer.with_value(|l| l.as_ref().map(|l| l.0)) == Some(key) {
            return;
        }
        let mins = minima.get_untracked();
        let f = bd.frame;
        let c = draw::layer(SIZE, SIZE, |ctx| {
            draw::put(ctx, &bd.rgba, SIZE, SIZE);
            draw::contours(ctx, &f, &bd.segs, &theme.contour);
            for m in &mins {
                let p = f.px(m.x, m.y);
                match m.kind {
                    CriticalKind::Saddle => draw::cross(ctx, p, 6.0, &theme.fg, 2.0),
                    CriticalKind::Global => draw::label(ctx, "★", (p.0 - 6.0, p.1 + 5.0), &theme.fg),
                    CriticalKind::Local => draw::label(ctx, "☆", (p.0 - 6.0, p.1 + 5.0), &theme.fg),
                }
            }
        });
        layer.set_value(c.map(|c| (key, c)));
    };
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let Ok(ctx) = context_2d(&c) else { return };
        let bd = backdrop.get();
        let f = bd.frame;
        let theme = theme_of.get();
        let runs = runs.get();
        let tt = pb.at(steps.get());
        let show = show.get();
        c.set_width(SIZE);
        c.set_height(SIZE);
        static_layer(&bd, &theme);
        layer.with_value(|l| {
            if let Some((_, l)) = l.as_ref() {
                draw::blit(&ctx, l);
            }
        });
        let st = f.px(start.get().0, start.get().1);
        ctx.set_stroke_style_str(&theme.fg);
        ctx.set_line_width(2.0);
        ctx.begin_path();
        let _ = ctx.arc(st.0, st.1, 9.0, 0.0, std::f64::consts::TAU);
        ctx.stroke();
        for (i, r) in runs.iter().enumerate() {
            let Ok(tr_) = r else { continue };
            if !show.get(i).copied().unwrap_or(true) {
                continue;
            }
            let upto = (tt + 1).min(tr_.points.len());
            draw::path(&ctx, &f, &tr_.points[..upto], COLOURS[i], 2.5, DASHES[i]);
            let last = tr_.points[upto - 1];
            let p = f.px(last.0, last.1);
            draw::marker(&ctx, p, MARKERS[i], 6.5, COLOURS[i], &theme.fg);
            if tr_.diverged_at.is_some_and(|d| tt >= d) {
                draw::cross(&ctx, p, 9.0, COLOURS[i], 3.0);
            }
        }
    });

    // ---- start point: pointer drag and arrow keys ----------------------------------------
    let dragging = StoredValue::new(false);
    let set_start = move |x: f64, y: f64| {
        let (x, y) = view_box.get_untracked().clamp(x, y);
        let r = |v: f64| (v * 1000.0).round() / 1000.0;
        params.put(k.x0, r(x));
        params.put(k.y0, r(y));
    };
    let pointer_to_world = move |ev: &web_sys::PointerEvent| -> Option<(f64, f64)> {
        let c = canvas.get_untracked()?;
        let rect = c.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        let u = (ev.client_x() as f64 - rect.left()) / rect.width();
        let v = (ev.client_y() as f64 - rect.top()) / rect.height();
        Some(view_box.get_untracked().from_unit(u, v))
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        if let Some((x, y)) = pointer_to_world(&ev) {
            dragging.set_value(true);
            if let Some(c) = canvas.get_untracked() {
                let _ = c.set_pointer_capture(ev.pointer_id());
            }
            set_start(x, y);
        }
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if dragging.get_value() {
            if let Some((x, y)) = pointer_to_world(&ev) {
                set_start(x, y);
            }
        }
    };
    let on_up = move |_ev: web_sys::PointerEvent| dragging.set_value(false);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let v: ViewBox = view_box.get_untracked();
        let frac = if ev.shift_key() { 0.1 } else { 0.02 };
        let (dx, dy) = ((v.x1 - v.x0) * frac, (v.y1 - v.y0) * frac);
        let (x, y) = start.get_untracked();
        let to = match ev.key().as_str() {
            "ArrowLeft" => Some((x - dx, y)),
            "ArrowRight" => Some((x + dx, y)),
            "ArrowUp" => Some((x, y + dy)),
            "ArrowDown" => Some((x, y - dy)),
            "Home" => Some(surface.with_untracked(|s| s.default_start())),
            _ => None,
        };
        if let Some((x, y)) = to {
            ev.prevent_default();
            set_start(x, y);
        }
    };

    let csv = Callback::new(move |_: ()| {
        let mut rows = vec![vec![
            "optimizer".to_string(),
            "step".into(),
            "x".into(),
            "y".into(),
            "loss".into(),
        ]];
        for (kind, r) in RACERS.iter().zip(runs.get_untracked().iter()) {
            if let Ok(tr_) = r {
                for (s, (p, l)) in tr_.points.iter().zip(&tr_.losses).enumerate() {
                    rows.push(vec![
                        kind.id().into(),
                        s.to_string(),
                        p.0.to_string(),
                        p.1.to_string(),
                        l.to_string(),
                    ]);
                }
            }
        }
        rows
    });
    let aria = Signal::derive(move || {
        let (x, y) = start.get();
        i18n.t("sgd.race.aria")
            .replace("{surface}", i18n.t(&format!("sgd.surf.{}", params.knob(k.surf))))
            .replace("{x}", &format_value(x as f32))
            .replace("{y}", &format_value(y as f32))
    });

    view! {
        <section class="panel sgd-race" aria-labelledby="sgd-h-race">
            <h2 id="sgd-h-race">{move || i18n.t("sgd.h.race")}</h2>
            <div class="sgd-layout">
                <figure class="fig sgd-fig">
                    <canvas
                        node_ref=canvas
                        class="sgd-canvas"
                        width=SIZE
                        height=SIZE
                        tabindex="0"
                        role="img"
                        aria-label=move || aria.get()
                        aria-describedby="sgd-race-keys"
                        data-testid="sgd-race-canvas"
                        on:pointerdown=on_down
                        on:pointermove=on_move
                        on:pointerup=on_up
                        on:pointercancel=on_up
                        on:keydown=on_key
                    ></canvas>
                    <figcaption>
                        <span id="sgd-race-keys">{move || i18n.t("sgd.race.keys")}</span>
                        <ExportButtons name="sgd-race" canvas=canvas csv=csv what=t("sgd.h.race") />
                    </figcaption>
                </figure>
                <div class="sgd-side">
                    <Player pb=pb max=max prefix="sgd-race" />
                    <div class="table-scroll">
                        <table class="sgd-legend" data-testid="sgd-legend">
                            <caption class="visually-hidden">{move || i18n.t("sgd.legend")}</caption>
                            <thead><tr>
                                <th scope="col">{move || i18n.t("sgd.legend.opt")}</th>
                                <th scope="col">"(x, y)"</th>
                                <th scope="col">{move || i18n.t("sgd.legend.status")}</th>
                            </tr></thead>
                            <RaceLegend runs=runs show=show steps=steps pb=pb />
                        </table>
                    </div>
                    <p class="hint">{move || i18n.t("sgd.race.minima")}</p>
                </div>
            </div>
            <RaceControls surface=surface pb=pb max=max />
            <p class="hint">{move || i18n.t("sgd.race.try")}</p>
        </section>
    }
}
