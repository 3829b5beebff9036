//! The race's panels below and beside the plot: the legend (one row per racer: show/hide, its
//! position and status at the step shown) and the controls (surface, its shape, the rates and
//! decays, the number of steps). They share the race's state through props.

use super::controls::{RealSlider, Scale};
use super::player::Playback;
use super::race::{RACERS, Runs};
use super::draw::{COLOURS, DASHES};
use super::Knobs;
use crate::core::optim::path::Trajectory;
use crate::core::surfaces::{Surface, SURFACE_IDS};
use crate::i18n::tr;
use crate::page::{I18n, LessonParams};
use crate::ui::controls::KnobSlider;
use crate::ui::{format_value, Select, Slider};
use crate::url_state::{knob, Key};
use leptos::prelude::*;

/// Status text of a racer at step `t`.
fn status(lang: crate::i18n::Lang, tr_: &Trajectory, t: usize) -> (String, &'static str) {
    let n = |k: usize| k.to_string();
    match (tr_.diverged_at, tr_.left_view_at) {
        (Some(d), _) if t >= d => {
            (tr(lang, "sgd.status.diverged").replace("{t}", &n(d)), "sgd-diverged")
        }
        (_, Some(l)) if t >= l => (tr(lang, "sgd.status.left").replace("{t}", &n(l)), "sgd-left"),
        _ => (
            tr(lang, "sgd.status.loss").replace("{loss}", &format_value(tr_.loss_at(t) as f32)),
            "",
        ),
    }
}

/// The legend's rows. They are built once; only their texts and checkboxes are reactive, so
/// keyboard focus on a checkbox survives the animation.
#[component]
pub fn RaceLegend(
    /// One result per racer.
    runs: Memo<Runs>,
    /// Which racers are shown (the `show` knob).
    show: Memo<Vec<bool>>,
    /// Steps of the run.
    steps: Memo<usize>,
    /// The player's state.
    pb: Playback,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let k = Knobs::KEYS;
    let toggle = move |i: usize| {
        let mut b = show.get_untracked();
        if let Some(x) = b.get_mut(i) {
            *x = !*x;
        }
        params.put(k.show, b);
    };
    let rows = RACERS
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let kind = *kind;
            let id = kind.id();
            let cell = move || {
                let lang = i18n.lang.get();
                let tt = pb.at(steps.get());
                runs.with(|runs| match &runs[i] {
                    Ok(tr_) => {
                        let p = tr_.point_at(tt);
                        let pos = format!(
                            "({}, {})",
                            format_value(p.0 as f32),
                            format_value(p.1 as f32)
                        );
                        let (text, class) = status(lang, tr_, tt);
                        (pos, text, class)
                    }
                    Err(e) => (
                        String::new(),
                        format!("{}: {e}", tr(lang, "sgd.status.refused")),
                        "sgd-diverged",
                    ),
                })
            };
            let dasharray = DASHES[i].iter().map(|d| d.to_string()).collect::<Vec<_>>().join(" ");
            let colour = COLOURS[i];
            view! {
                <tr data-testid=format!("sgd-row-{id}")>
                    <td>
                        <label class="sgd-legend-name">
                            <input
                                type="checkbox"
                                prop:checked=move || show.with(|b| b.get(i).copied().unwrap_or(true))
                                data-testid=format!("sgd-show-{id}")
                                on:change=move |_| toggle(i)
                            />
                            <svg width="34" height="14" aria-hidden="true" class="sgd-swatch">
                                <line x1="1" y1="7" x2="33" y2="7" stroke=colour stroke-width="3"
                                    stroke-dasharray=dasharray />
                            </svg>
                            {move || i18n.t(&format!("sgd.opt.{id}"))}
                        </label>
                    </td>
                    <td class="num" data-testid=format!("sgd-pos-{id}")>{move || cell().0}</td>
                    <td class=move || cell().2 data-testid=format!("sgd-status-{id}")>
                        {move || cell().1}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! { <tbody>{rows}</tbody> }
}

/// The race's controls: the surface and its shape, the optimizers' knobs, the steps.
#[component]
pub fn RaceControls(
    /// The surface the knobs describe.
    surface: Memo<Surface>,
    /// The player's state (a new surface restarts it).
    pb: Playback,
    /// The last step.
    max: Signal<usize>,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let params = expect_context::<LessonParams>();
    let t = move |key: &'static str| Signal::derive(move || i18n.t(key).to_string());
    let k = Knobs::KEYS;
    let surf_options = Signal::derive(move || {
        SURFACE_IDS
            .iter()
            .map(|id| (id.to_string(), tr(i18n.lang.get(), &format!("sgd.surf.{id}")).to_string()))
            .collect::<Vec<_>>()
    });
    let on_surface = Callback::new(move |id: String| {
        params.put_text(k.surf, &id);
        // A new surface starts from its characteristic point with rates that suit it.
        let s = surface.get_untracked();
        let (x, y) = s.default_start();
        let (lr, alr) = s.suggested_lr();
        params.put(k.x0, x);
        params.put(k.y0, y);
        params.put(k.lr, lr);
        params.put(k.alr, alr);
        pb.t.set(0);
        pb.play(max);
    });
    let set_f = move |key: Key<knob::Float>| Callback::new(move |v: f64| params.put(key, v));
    let get_f = move |key: Key<knob::Float>| Signal::derive(move || params.knob(key));
    view! {
            <div class="sgd-controls">
            <Select label=t("sgd.surface") options=surf_options
                value=Signal::derive(move || params.text(k.surf))
                on_change=on_surface testid="sgd-surface" />
            <Show when=move || params.knob(k.surf) == "quadratic">
                <RealSlider label=t("sgd.kappa") value=get_f(k.kappa)
                    scale=Scale::log(k.kappa) on_change=set_f(k.kappa) testid="sgd-kappa" />
                <RealSlider label=t("sgd.angle") value=get_f(k.angle)
                    scale=Scale::linear(k.angle) on_change=set_f(k.angle) testid="sgd-angle" />
            </Show>
            <Show when=move || params.knob(k.surf) == "wells">
                <RealSlider label=t("sgd.ripple") value=get_f(k.ripple)
                    scale=Scale::linear(k.ripple) on_change=set_f(k.ripple) testid="sgd-ripple" />
                // The wells' seed: a short range of layouts, not every seed the URL takes.
                <Slider label=t("sgd.seed") value=Signal::derive(move || params.knob(k.seed) as i64)
                    min=0 max=99 on_change=Callback::new(move |v: i64| params.put(k.seed, v as u64))
                    testid="sgd-seed" />
            </Show>
            <RealSlider label=t("sgd.lr") value=get_f(k.lr)
                scale=Scale::log(k.lr) on_change=set_f(k.lr) testid="sgd-lr" />
            <RealSlider label=t("sgd.alr") value=get_f(k.alr)
                scale=Scale::log(k.alr) on_change=set_f(k.alr) testid="sgd-alr" />
            <RealSlider label=t("sgd.mom") value=get_f(k.mom)
                scale=Scale::linear(k.mom) on_change=set_f(k.mom) testid="sgd-mom" />
            <RealSlider label=t("sgd.alpha") value=get_f(k.alpha)
                scale=Scale::Decay { a: 0.0, b: 4.0 } on_change=set_f(k.alpha) testid="sgd-alpha" />
            <RealSlider label=t("sgd.b1") value=get_f(k.b1)
                scale=Scale::Decay { a: 0.0, b: 3.0 } on_change=set_f(k.b1) testid="sgd-b1" />
            <RealSlider label=t("sgd.b2") value=get_f(k.b2)
                scale=Scale::Decay { a: 0.0, b: 4.0 } on_change=set_f(k.b2) testid="sgd-b2" />
            <KnobSlider label=t("sgd.steps") knob=k.steps testid="sgd-steps" />
        </div>
    }
}
