//! The compute-backend indicator: which backend computes ("CPU (wasm SIMD)" or
//! "WebGPU: <adapter>"), why, a keyboard-operable Auto/CPU/WebGPU switch and the notice shown
//! when a GPU computation fell back to the CPU.
//!
//! The backend's wording lives here, not in `compute`: [`backend_label`], [`reason_text`] and
//! [`notice_text`] turn the compute module's data (`Status`, `Reason`) into zh/en sentences, for
//! the indicator and for lessons that report where their own model trains.
//!
//! The app's compute handle is [`crate::page::ComputeCtx`] (created by
//! [`crate::page::provide_compute`]). The user's choice lives in the URL as
//! `backend=auto|cpu|gpu` (absent = auto).

use crate::compute::{AdapterFacts, BackendKind, Preference, Reason, Status};
use crate::i18n::{tr, tr_fmt, Lang};
use crate::page::{ComputeCtx, I18n};
use leptos::prelude::*;

/// "CPU (wasm SIMD)" or "WebGPU: <adapter>".
pub fn backend_label(kind: BackendKind, adapter: Option<&AdapterFacts>, lang: Lang) -> String {
    match (kind, adapter) {
        (BackendKind::WebGpu, Some(a)) => {
            tr_fmt(lang, "backend.label_gpu", &[("adapter", &a.label())])
        }
        (BackendKind::WebGpu, None) => tr_fmt(lang, "backend.label_gpu", &[("adapter", "?")]),
        (BackendKind::Cpu, _) => tr(lang, "backend.label_cpu").to_string(),
    }
}

fn ms(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.0}")
    }
}

/// Why a backend computes, in words: the decision's `reason`, the adapter it concerns and the
/// GPU's measured round trip (when known). The app's indicator passes its [`Status`]; a lesson
/// passes its own model's decision.
pub fn reason_text(
    reason: &Reason,
    adapter: Option<&AdapterFacts>,
    round_trip_ms: Option<f64>,
    lang: Lang,
) -> String {
    let adapter = adapter.map(|a| a.label()).unwrap_or_default();
    match reason {
        Reason::ForcedCpu => tr(lang, "backend.why_forced_cpu").to_string(),
        Reason::ForcedGpu => tr(lang, "backend.why_forced_gpu").to_string(),
        Reason::Initializing => tr(lang, "backend.why_initializing").to_string(),
        Reason::Calibrating => tr(lang, "backend.why_calibrating").to_string(),
        Reason::SoftwareAdapter => tr_fmt(lang, "backend.why_software", &[("adapter", &adapter)]),
        Reason::SlowerThanCpu(t) => tr_fmt(
            lang,
            "backend.why_slower",
            &[("adapter", &adapter), ("cpu", &ms(t.cpu_ms)), ("gpu", &ms(t.gpu_ms))],
        ),
        Reason::FasterThanCpu(t) => {
            let why = tr_fmt(
                lang,
                "backend.why_faster",
                &[("cpu", &ms(t.cpu_ms)), ("gpu", &ms(t.gpu_ms))],
            );
            match round_trip_ms {
                Some(rt) => {
                    let more = tr_fmt(lang, "backend.round_trip", &[("rt", &ms(rt))]);
                    format!("{why} {more}")
                }
                None => why,
            }
        }
        Reason::Unavailable(m) => tr_fmt(lang, "backend.why_unavailable", &[("error", m)]),
    }
}

/// The fallback notice in words, if any.
pub fn notice_text(s: &Status, lang: Lang) -> Option<String> {
    s.notice.as_ref().map(|m| tr_fmt(lang, "backend.notice_fallback", &[("error", m)]))
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
    let Some(ctx) = ComputeCtx::current() else {
        return ().into_any();
    };
    let label =
        move || ctx.with_status(|s| backend_label(s.active, s.adapter.as_ref(), i18n.lang.get()));
    let reason = move || {
        ctx.with_status(|s| {
            reason_text(&s.reason, s.adapter.as_ref(), s.round_trip_ms, i18n.lang.get())
        })
    };
    let notice = move || ctx.with_status(|s| notice_text(s, i18n.lang.get()));
    let busy = move || ctx.with_status(|s| s.busy);
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
