//! Labelled form controls: [`Slider`], [`NumberInput`], [`Select`] and [`Toggle`], and the same
//! bound to a lesson's typed knobs (`url_state::params!`): [`KnobSlider`], [`KnobNumber`],
//! [`KnobToggle`], [`KnobSelect`] (through [`UrlChoices`]); their bounds and options come from the schema.
//!
//! Each renders `<label>` + control (+ the current value for sliders), emits the new value
//! through `on_change` only when it is valid, and exposes a `data-testid` on the control
//! itself so tests can drive it. [`UrlChoices`] binds a [`Select`] to a lesson's URL choice
//! parameter with translated option labels.

use crate::i18n::tr;
use crate::page::{I18n, LessonParams};
use crate::url_state::knob::{self, Integer};
use crate::url_state::{Key, ParamKind};
use leptos::prelude::*;

/// Binds [`Select`]s to a lesson's choice knobs (`params!` kinds `Choice` and `Number`): the
/// options come from the key's schema with translated labels, the current value and the
/// setter (which writes the URL; an unknown value is refused there).
///
/// ```ignore
/// let k = Knobs::KEYS;
/// let ch = UrlChoices::new(i18n, params);
/// view! { <Select label=… options=ch.options(k.lr, None) value=ch.value(k.lr) on_change=ch.on_change(k.lr) /> }
/// ```
#[derive(Clone, Copy)]
pub struct UrlChoices {
    i18n: I18n,
    params: LessonParams,
}

impl UrlChoices {
    /// Over the page's catalog and the lesson's parameters.
    pub fn new(i18n: I18n, params: LessonParams) -> Self {
        Self { i18n, params }
    }

    /// `(id, label)` for each option of the choice knob `key` (none for other kinds): the
    /// label is the catalog entry `"{prefix}.{id}"` in the current language, or the id itself
    /// without a prefix (numbers). Follows the language.
    pub fn options<K>(
        self,
        key: Key<K>,
        prefix: Option<&'static str>,
    ) -> Signal<Vec<(String, String)>> {
        let ids = match key.spec().kind {
            ParamKind::Choice(ids) => ids,
            _ => &[],
        };
        self.labels(ids, prefix)
    }

    /// `(id, label)` for each of `ids`, labelled as in [`UrlChoices::options`] (for selects
    /// whose options are not one knob's).
    pub fn labels(
        self,
        ids: &'static [&'static str],
        prefix: Option<&'static str>,
    ) -> Signal<Vec<(String, String)>> {
        let i18n = self.i18n;
        Signal::derive(move || {
            let lang = i18n.lang.get();
            ids.iter()
                .map(|id| {
                    let text = match prefix {
                        Some(p) => tr(lang, &format!("{p}.{id}")).to_string(),
                        None => id.to_string(),
                    };
                    (id.to_string(), text)
                })
                .collect()
        })
    }

    /// The current value of `key` as its URL text (a choice's identifier).
    pub fn value<K: 'static>(self, key: Key<K>) -> Signal<String> {
        let params = self.params;
        Signal::derive(move || params.text(key))
    }

    /// Sets `key` from its URL text (a choice's identifier).
    pub fn on_change<K: 'static>(self, key: Key<K>) -> Callback<String> {
        let params = self.params;
        Callback::new(move |v: String| params.put_text(key, &v))
    }
}

/// A [`Select`] bound to a choice knob of the lesson (the [`LessonParams`] context): its
/// options from the schema (labelled `"{prefix}.{id}"` from the catalog, or the id itself
/// without a prefix), its value and its setter ([`UrlChoices`]).
#[component]
pub fn KnobSelect<K>(
    /// Translated label text.
    #[prop(into)]
    label: Signal<String>,
    /// The knob (`Knobs::KEYS.<field>`).
    knob: Key<K>,
    /// Catalog prefix of the options' labels.
    #[prop(optional)]
    prefix: Option<&'static str>,
    /// `data-testid` of the select.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView
where
    K: 'static,
{
    let ch = UrlChoices::new(expect_context::<I18n>(), expect_context::<LessonParams>());
    view! {
        <Select
            label=label
            options=ch.options(knob, prefix)
            value=ch.value(knob)
            on_change=ch.on_change(knob)
            testid=testid
        />
    }
}

/// A [`Slider`] bound to an integer knob of the lesson (the [`LessonParams`] context): its
/// value, its bounds from the schema and its setter.
#[component]
pub fn KnobSlider<K>(
    /// Translated label text.
    #[prop(into)]
    label: Signal<String>,
    /// The knob (`Knobs::KEYS.<field>`).
    knob: Key<K>,
    /// `data-testid` of the input.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView
where
    K: Integer + 'static,
{
    let params = expect_context::<LessonParams>();
    let (min, max) = knob.bounds();
    view! {
        <Slider
            label=label
            value=Signal::derive(move || K::to_i64(params.knob(knob)))
            min=min
            max=max
            on_change=Callback::new(move |v: i64| {
                if let Some(v) = K::from_i64(v) {
                    params.put(knob, v);
                }
            })
            testid=testid
        />
    }
}

/// A [`NumberInput`] bound to an integer (or seed) knob of the lesson (the [`LessonParams`]
/// context): its value, its bounds from the schema and its setter.
#[component]
pub fn KnobNumber<K>(
    /// Translated label text.
    #[prop(into)]
    label: Signal<String>,
    /// The knob (`Knobs::KEYS.<field>`).
    knob: Key<K>,
    /// Translated message shown while the text is invalid.
    #[prop(into)]
    invalid_text: Signal<String>,
    /// `data-testid` of the input.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView
where
    K: Integer + 'static,
{
    let params = expect_context::<LessonParams>();
    let (min, max) = knob.bounds();
    view! {
        <NumberInput
            label=label
            value=Signal::derive(move || K::to_i64(params.knob(knob)))
            min=min
            max=max
            on_change=Callback::new(move |v: i64| {
                if let Some(v) = K::from_i64(v) {
                    params.put(knob, v);
                }
            })
            invalid_text=invalid_text
            testid=testid
        />
    }
}

/// A [`Toggle`] bound to a boolean knob of the lesson (the [`LessonParams`] context).
#[component]
pub fn KnobToggle(
    /// Translated label text.
    #[prop(into)]
    label: Signal<String>,
    /// The knob (`Knobs::KEYS.<field>`).
    knob: Key<knob::Bool>,
    /// `data-testid` of the checkbox.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let params = expect_context::<LessonParams>();
    view! {
        <Toggle
            label=label
            value=Signal::derive(move || params.knob(knob))
            on_change=Callback::new(move |v: bool| params.put(knob, v))
            testid=testid
        />
    }
}

/// A range slider with its label and current value; arrow keys move it by one step
/// (native range-input behaviour), Home/End jump to the ends.
#[component]
pub fn Slider(
    /// Translated label text.
    #[prop(into)]
    label: Signal<String>,
    /// The current value.
    #[prop(into)]
    value: Signal<i64>,
    /// Smallest value.
    min: i64,
    /// Largest value.
    max: i64,
    /// Called with each new value in `min..=max`.
    #[prop(into)]
    on_change: Callback<i64>,
    /// `data-testid` of the input.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let id = next_id("slider");
    let id2 = id.clone();
    view! {
        <div class="w-field w-slider">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                type="range"
                id=id
                min=min
                max=max
                step=1
                // The initial value as an attribute, after min and max, so the thumb is right
                // at once (the property below is set by a render effect, a moment later).
                value=value.get_untracked().to_string()
                data-testid=testid
                prop:value=move || value.get().to_string()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<i64>() {
                        if (min..=max).contains(&v) {
                            on_change.run(v);
                        }
                    }
                }
            />
            <output for=id2>{move || value.get()}</output>
        </div>
    }
}

/// A number input with its label; a value outside `min..=max` or not an integer is flagged
/// (`aria-invalid`) and not emitted, and the message explains the range.
#[component]
pub fn NumberInput(
    /// Translated label text.
    #[prop(into)]
    label: Signal<String>,
    /// The current value.
    #[prop(into)]
    value: Signal<i64>,
    /// Smallest value.
    min: i64,
    /// Largest value.
    max: i64,
    /// Called with each valid new value.
    #[prop(into)]
    on_change: Callback<i64>,
    /// Translated message shown while the text is invalid.
    #[prop(into)]
    invalid_text: Signal<String>,
    /// `data-testid` of the input.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let id = next_id("num");
    let err_id = format!("{id}-err");
    let invalid = RwSignal::new(false);
    let err_id2 = err_id.clone();
    view! {
        <div class="w-field w-number">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                type="number"
                id=id
                min=min
                max=max
                step=1
                inputmode="numeric"
                data-testid=testid
                aria-invalid=move || invalid.get().to_string()
                aria-describedby=move || invalid.get().then(|| err_id2.clone())
                prop:value=move || value.get().to_string()
                on:input=move |ev| {
                    match event_target_value(&ev).trim().parse::<i64>() {
                        Ok(v) if (min..=max).contains(&v) => {
                            invalid.set(false);
                            on_change.run(v);
                        }
                        _ => invalid.set(true),
                    }
                }
                on:blur=move |_| invalid.set(false)
            />
            <Show when=move || invalid.get()>
                <span class="w-error" id=err_id.clone() role="alert">
                    {move || invalid_text.get()}
                </span>
            </Show>
        </div>
    }
}

/// A labelled `<select>` over `(id, translated label)` options.
#[component]
pub fn Select(
    /// Translated label text.
    #[prop(into)]
    label: Signal<String>,
    /// The options: identifier and translated label (reactive, so the language can change).
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    /// The selected identifier.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the chosen identifier.
    #[prop(into)]
    on_change: Callback<String>,
    /// `data-testid` of the select.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let id = next_id("sel");
    view! {
        <div class="w-field w-select">
            <label for=id.clone()>{move || label.get()}</label>
            <select
                id=id
                data-testid=testid
                on:change=move |ev| on_change.run(event_target_value(&ev))
                prop:value=move || value.get()
            >
                {move || {
                    let current = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(id, text)| {
                            let selected = id == current;
                            view! { <option value=id selected=selected>{text}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </div>
    }
}

/// A labelled checkbox switch.
#[component]
pub fn Toggle(
    /// Translated label text.
    #[prop(into)]
    label: Signal<String>,
    /// Whether it is on.
    #[prop(into)]
    value: Signal<bool>,
    /// Called with the new state.
    #[prop(into)]
    on_change: Callback<bool>,
    /// `data-testid` of the checkbox.
    #[prop(optional)]
    testid: &'static str,
) -> impl IntoView {
    let id = next_id("tog");
    view! {
        <div class="w-field w-toggle">
            <input
                type="checkbox"
                id=id.clone()
                data-testid=testid
                prop:checked=move || value.get()
                on:change=move |ev| on_change.run(event_target_checked(&ev))
            />
            <label for=id>{move || label.get()}</label>
        </div>
    }
}

thread_local! {
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A document-unique element id with `prefix` (for `<label for>` / `aria-describedby`).
pub fn next_id(prefix: &str) -> String {
    let n = NEXT_ID.with(|c| {
        let n = c.get();
        c.set(n.wrapping_add(1));
        n
    });
    format!("w-{prefix}-{n}")
}
