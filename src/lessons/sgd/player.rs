//! A step player: reset, one step back, play/pause, one step forward, jump to the end, and a
//! speed choice. It owns nothing but a step counter `t ∈ 0..=max` advanced on animation
//! frames while playing. Under `prefers-reduced-motion` there is no animation: Play jumps to
//! the end, and the step buttons still move one step at a time.

use crate::page::{Appearance, I18n};
use leptos::prelude::*;

/// Steps per animation frame offered by the speed choice.
const SPEEDS: [(f64, &str); 5] = [(0.25, "¼×"), (0.5, "½×"), (1.0, "1×"), (2.0, "2×"), (4.0, "4×")];

/// The playback state shared by a panel and its player.
#[derive(Clone, Copy)]
pub struct Playback {
    /// The step shown.
    pub t: RwSignal<usize>,
    /// Whether frames advance it.
    pub playing: RwSignal<bool>,
    /// Index into the speeds.
    speed: RwSignal<usize>,
    /// Fractional steps carried between frames.
    carry: StoredValue<f64>,
}

impl Playback {
    /// A player at step 0; it starts playing unless motion is reduced, in which case it shows
    /// the final step at once.
    pub fn new(max: Signal<usize>) -> Self {
        let reduced = untrack(|| Appearance::current().reduced_motion());
        let p = Playback {
            t: RwSignal::new(if reduced { usize::MAX } else { 0 }),
            playing: RwSignal::new(false),
            speed: RwSignal::new(1),
            carry: StoredValue::new(0.0),
        };
        if !reduced {
            p.play(max);
        }
        p
    }

    /// The shown step clamped to `max`.
    pub fn at(&self, max: usize) -> usize {
        self.t.get().min(max)
    }

    /// Starts playing (from the start when at the end); under reduced motion, jumps to the end.
    pub fn play(self, max: Signal<usize>) {
        if untrack(|| Appearance::current().reduced_motion()) {
            self.t.set(max.get_untracked());
            self.playing.set(false);
            return;
        }
        if self.t.get_untracked() >= max.get_untracked() {
            self.t.set(0);
        }
        self.playing.set(true);
        self.frame(max);
    }

    fn frame(self, max: Signal<usize>) {
        request_animation_frame(move || {
            // The panel is gone (signals disposed) or paused: stop the loop.
            if self.playing.try_get_untracked() != Some(true) {
                return;
            }
            let m = max.get_untracked();
            let speed = SPEEDS.get(self.speed.get_untracked()).map_or(1.0, |s| s.0);
            let acc = self.carry.get_value() + speed;
            let whole = acc.floor();
            self.carry.set_value(acc - whole);
            let t = (self.t.get_untracked().min(m) + whole as usize).min(m);
            self.t.set(t);
            if t >= m {
                self.playing.set(false);
            } else {
                self.frame(max);
            }
        });
    }
}

/// The buttons of a [`Playback`]; test ids `<prefix>-reset`, `-back`, `-play`, `-step`,
/// `-end`, `-speed`.
#[component]
pub fn Player(
    /// The playback to drive.
    pb: Playback,
    /// The last step.
    #[prop(into)]
    max: Signal<usize>,
    /// Test-id prefix.
    prefix: &'static str,
) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    let id = crate::ui::controls::next_id("speed");
    let stop = move || pb.playing.set(false);
    view! {
        <div class="step-controls sgd-player" role="group" aria-label=move || i18n.t("sgd.player")>
            <button type="button" data-testid=format!("{prefix}-reset")
                aria-label=move || i18n.t("sgd.player.reset")
                on:click=move |_| { stop(); pb.t.set(0); }>"|◀"</button>
            <button type="button" data-testid=format!("{prefix}-back")
                aria-label=move || i18n.t("sgd.player.back")
                on:click=move |_| { stop(); pb.t.set(pb.at(max.get_untracked()).saturating_sub(1)); }>"◀"</button>
            <button type="button" class="sgd-play" data-testid=format!("{prefix}-play")
                aria-pressed=move || pb.playing.get().to_string()
                on:click=move |_| if pb.playing.get_untracked() { stop() } else { pb.play(max) }>
                {move || i18n.t(if pb.playing.get() { "sgd.player.pause" } else { "sgd.player.play" })}
            </button>
            <button type="button" data-testid=format!("{prefix}-step")
                aria-label=move || i18n.t("sgd.player.step")
                on:click=move |_| { stop(); pb.t.set((pb.at(max.get_untracked()) + 1).min(max.get_untracked())); }>"▶"</button>
            <button type="button" data-testid=format!("{prefix}-end")
                aria-label=move || i18n.t("sgd.player.end")
                on:click=move |_| { stop(); pb.t.set(max.get_untracked()); }>"▶|"</button>
            <label for=id.clone()>{move || i18n.t("sgd.player.speed")}</label>
            <select id=id data-testid=format!("{prefix}-speed")
                on:change=move |ev| {
                    if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                        pb.speed.set(i.min(SPEEDS.len() - 1));
                    }
                }>
                {SPEEDS.iter().enumerate().map(|(i, (_, name))| {
                    view! { <option value=i.to_string() selected=move || pb.speed.get() == i>{*name}</option> }
                }).collect_view()}
            </select>
            <span class="step-pos" aria-live="polite" data-testid=format!("{prefix}-pos")>
                {move || format!("{} {} / {}", i18n.t("sgd.player.stepword"), pb.at(max.get()), max.get())}
            </span>
        </div>
    }
}
