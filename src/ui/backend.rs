//! The compute-backend indicator: which backend computes ("CPU (wasm SIMD)" or
//! "WebGPU: <adapter>"), why, a keyboard-operable Auto/CPU/WebGPU switch and the notice shown
//! when a GPU computation fell back to the CPU.
//!
//! [`provide_compute`] creates the app's [`Compute`] handle, provides it as context
//! ([`ComputeCtx`]) and starts WebGPU initialisation and calibration in the background: the
//! first render never waits for the GPU, and the CPU serves until a decision is made.
//!
//! The user's choice lives in the URL as `backend=auto|cpu|gpu` (absent = auto).

use crate::app::{split_hash, I18n};
use crate::compute::{BackendKind, Compute, Preference, Status};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The URL query key of the backend choice.
pub const URL_KEY: &str = "backend";

/// The compute handle and its reactive status, provided as context by [`provide_compute`].
#[derive(Clone, Copy)]
pub struct ComputeCtx {
    compute: StoredValue<Compute, LocalStorage>,
    status: RwSignal<Status>,
}

impl ComputeCtx {
    /// The compute handle (a cheap clone), for lessons: `ctx.compute().conv2d(..).await`.
    pub fn compute(&self) -> Compute {
        self.compute.with_value(|c| c.clone())
    }

    /// The backend status (reactive: re-runs readers when the backend changes, so lessons
    /// can recompute on the new backend).
    pub fn status(&self) -> Status {
        self.status.get()
    }

    /// The backend that operations run on now (reactive).
    pub fn active(&self) -> BackendKind {
        self.status.with(|s| s.active)
    }

    /// The user's choice (reactive).
    pub fn preference(&self) -> Preference {
        self.status.with(|s| s.preference)
    }

    /// `Some("backend=cpu")` when the choice is not the default, for the shell to keep in
    /// the URLs it writes; `None` for auto.
    pub fn url_pair(&self) -> Option<String> {
        let p = self.status.with_untracked(|s| s.preference);
        (p != Preference::Auto).then(|| format!("{URL_KEY}={}", p.code()))
    }

    /// Applies a new choice: updates the status and the URL, and opens or calibrates the GPU
    /// in the background if the choice needs it.
    pub fn set_preference(&self, p: Preference) {
        let compute = self.compute();
        compute.set_preference(p);
        write_url_preference(p);
        spawn_local(async move { compute.start().await });
    }

    /// Hides the fallback notice.
    pub fn dismiss_notice(&self) {
        self.compute().dismiss_notice();
    }
}

/// The `backend=` value of the current location hash; `Auto` when absent or invalid (the
/// shell can report an invalid value with [`crate::compute::preference_from_query`]).
pub fn preference_from_location() -> Preference {
    let hash = window().location().hash().unwrap_or_default();
    crate::compute::preference_from_query(&split_hash(&hash).1).0
}

fn write_url_preference(pref: Preference) {
    crate::app::set_shell_param(URL_KEY, (pref != Preference::Auto).then_some(pref.code()));
}

/// Creates the compute handle from the URL's `backend=` choice, provides [`ComputeCtx`] and
/// starts WebGPU in the background (after the current render). Call once, in the root.
pub fn provide_compute() -> ComputeCtx {
    let compute = Compute::new(preference_from_location());
    let status = RwSignal::new(compute.status());
    compute.subscribe(move |s| status.set(s.clone()));
    let ctx = ComputeCtx { compute: StoredValue::new_local(compute.clone()), status };
    provide_context(ctx);
    spawn_local(async move { compute.start().await });
    // The device goes with the app (see `Compute::release`); cleanups run before the owner's
    // stored values are dropped, so the handle is still there.
    let stored = ctx.compute;
    on_cleanup(move || {
        stored.try_with_value(|c| c.release());
    });
    ctx
}

const CHOICES: [(Preference, &str); 3] = [
    (Preference::Auto, "backend.auto"),
    (Preference::Cpu, "backend.cpu"),
    (Preference::WebGpu, "backend.gpu"),
];

/// The indicator for the header: label, reason (as tooltip and visible detail), the
/// Auto/CPU/WebGPU switch (native radio buttons: Tab to reach, arrow keys to change) and the
/// fallback notice. Renders nothing without [`provide_compute`].
#[component]
pub fn BackendIndicator() -> impl IntoView {
    let Some(i18n) = use_context::<I18n>() else {
        return ().into_any();
    };
    let Some(ctx) = use_context::<ComputeCtx>() else {
        return ().into_any();
    };
    let label = move || ctx.status.with(|s| s.label(i18n.lang.get()));
    let reason = move || ctx.status.with(|s| s.reason_text(i18n.lang.get()));
    let notice = move || ctx.status.with(|s| s.notice_text(i18n.lang.get()));
    let busy = move || ctx.status.with(|s| s.busy);
    let is_gpu = move || ctx.active() == BackendKind::WebGpu;
    view! {
        <div class="backend" data-testid="backend-indicator">
            <details class="backend-details">
                <summary
                    class="backend-label"
                    class:backend-gpu=is_gpu
                    title=reason
                    data-testid="backend-label"
                >
                    <span aria-live="polite">{label}</span>
                    <Show when=busy>
                        <span class="backend-busy">" · "{move || i18n.t("backend.busy")}</span>
                    </Show>
                </summary>
                <div class="backend-panel">
                    <p class="backend-reason" data-testid="backend-reason">{reason}</p>
                    <fieldset class="backend-switch" data-testid="backend-switch">
                        <legend>{move || i18n.t("backend.switch_label")}</legend>
                        {CHOICES
                            .iter()
                            .map(|&(pref, key)| {
                                view! {
                                    <label class="backend-choice">
                                        <input
                                            type="radio"
                                            name="dlviz-backend"
                                            value=pref.code()
                                            prop:checked=move || ctx.preference() == pref
                                            on:change=move |_| ctx.set_preference(pref)
                                        />
                                        <span>{move || i18n.t(key)}</span>
                                    </label>
                                }
                            })
                            .collect_view()}
                    </fieldset>
                </div>
            </details>
            {move || {
                notice()
                    .map(|text| {
                        view! {
                            <p class="backend-notice" role="alert" data-testid="backend-notice">
                                <span>{text}</span>
                                <button type="button" on:click=move |_| ctx.dismiss_notice()>
                                    {move || i18n.t("backend.dismiss")}
                                </button>
                            </p>
                        }
                    })
            }}
        </div>
    }
    .into_any()
}
