//! The page's shared contexts: what the shell provides and every lesson and widget reads.
//!
//! * [`I18n`]: the reader's language (a signal; `tr` looks keys up in it).
//! * [`Appearance`]: the chosen [`Theme`] and the system's colour scheme and reduced-motion
//!   preferences.
//! * [`LessonParams`]: the current lesson's knobs, typed by its URL schema
//!   ([`crate::url_state::ParamSpec`]); setting one rewrites the URL.
//! * [`ComputeCtx`]: the app's compute handle ([`crate::compute::Compute`]) and its reactive
//!   status.
//! * The URL helpers: the fragment is `#/<slug>?<query>`; the query holds the lesson's knobs plus
//!   the shell's own keys ([`SHELL_KEYS`]). Writers use `history.replaceState`, so slider ticks
//!   add no history entries and fire no `hashchange`.
//!
//! This module sits below `app`, `ui` and `lessons` (all three import it, it imports none of
//! them), which is what keeps the web layer free of import cycles (`tests/layers.rs`).

use crate::compute::{BackendKind, Compute, Preference, Status};
use crate::i18n::{tr, Lang};
use crate::url_state::{self, Key, Knob, Knobs, ParamSpec, Value};
pub use crate::url_state::{query_value, split_hash};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use wasm_bindgen::JsValue;

/// Keys in the query that belong to the shell, not to a lesson.
pub const SHELL_KEYS: &[&str] = &["lang", "theme", "backend"];

/// The current language, provided as context.
#[derive(Clone, Copy)]
pub struct I18n {
    /// The language signal.
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The context's language, or English when used outside the shell (never panics).
    pub fn current() -> Self {
        use_context::<I18n>().unwrap_or_else(|| I18n { lang: RwSignal::new(Lang::En) })
    }

    /// The string for `key` in the current language (reactive).
    pub fn t(&self, key: &str) -> &'static str {
        tr(self.lang.get(), key)
    }
}

/// The colour theme chosen by the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follow the system (`prefers-color-scheme`).
    Auto,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The code used in the URL (`theme=`); `auto` is the default and is left out of URLs.
    pub fn code(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Parses a URL code.
    pub fn from_code(code: &str) -> Option<Theme> {
        match code.trim() {
            "auto" => Some(Theme::Auto),
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The next theme of the switch's cycle: auto → light → dark → auto.
    pub fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Auto,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Theme::Auto => "theme.auto",
            Theme::Light => "theme.light",
            Theme::Dark => "theme.dark",
        }
    }
}

/// Appearance settings, provided as context: the chosen theme and the system preferences.
/// Canvas drawings take their colours from `ui::figure::Palette::of`, which tracks
/// [`Appearance::is_dark`] and reads the CSS theme; animations read
/// [`Appearance::reduced_motion`].
#[derive(Clone, Copy)]
pub struct Appearance {
    /// The reader's choice (the theme switch, `theme=` in the URL).
    pub theme: RwSignal<Theme>,
    system_dark: RwSignal<bool>,
    reduced: RwSignal<bool>,
}

impl Appearance {
    /// The context's appearance, or a fresh `Auto` one outside the shell (never panics).
    pub fn current() -> Self {
        use_context::<Appearance>().unwrap_or_else(|| Appearance {
            theme: RwSignal::new(Theme::Auto),
            system_dark: RwSignal::new(prefers_dark()),
            reduced: RwSignal::new(prefers_reduced_motion()),
        })
    }

    /// A fresh appearance with `theme`; the system preferences read false until the shell's
    /// media listeners set them through [`Appearance::system_signals`].
    pub fn new(theme: Theme) -> Self {
        Appearance {
            theme: RwSignal::new(theme),
            system_dark: RwSignal::new(false),
            reduced: RwSignal::new(false),
        }
    }

    /// The signals of the system's dark colour scheme and reduced-motion preference.
    pub fn system_signals(&self) -> (RwSignal<bool>, RwSignal<bool>) {
        (self.system_dark, self.reduced)
    }

    /// True when the page is drawn dark: the chosen theme, or the system's if `Auto` (reactive).
    pub fn is_dark(&self) -> bool {
        match self.theme.get() {
            Theme::Auto => self.system_dark.get(),
            Theme::Light => false,
            Theme::Dark => true,
        }
    }

    /// True when the system asks for reduced motion (reactive; follows changes live).
    pub fn reduced_motion(&self) -> bool {
        self.reduced.get()
    }
}

/// True when the user's system asks for reduced motion (`prefers-reduced-motion: reduce`).
/// Not reactive; inside components prefer [`Appearance::reduced_motion`].
pub fn prefers_reduced_motion() -> bool {
    media_matches("(prefers-reduced-motion: reduce)")
}

/// True when the system colour scheme is dark (`prefers-color-scheme: dark`). Not reactive.
pub fn prefers_dark() -> bool {
    media_matches("(prefers-color-scheme: dark)")
}

fn media_matches(query: &str) -> bool {
    window().match_media(query).ok().flatten().map(|m| m.matches()).unwrap_or(false)
}

/// The current lesson's knobs, provided as context to the lesson's view.
#[derive(Clone, Copy)]
pub struct LessonParams {
    specs: &'static [ParamSpec],
    values: RwSignal<Vec<Value>>,
}

impl LessonParams {
    /// Wraps values parsed under `specs`.
    pub fn new(specs: &'static [ParamSpec], values: Vec<Value>) -> Self {
        Self { specs, values: RwSignal::new(values) }
    }

    /// The schema these values follow.
    pub fn specs(&self) -> &'static [ParamSpec] {
        self.specs
    }

    fn index(&self, key: &str) -> Option<usize> {
        self.specs.iter().position(|s| s.key == key)
    }

    /// The lesson's knobs as their typed struct (reactive): `params.read::<Knobs>()`.
    pub fn read<T: Knobs>(&self) -> T {
        self.values.with(|v| T::from_values(v))
    }

    /// The typed value of one knob (reactive): `params.knob(Knobs::KEYS.beta)`. A key of
    /// another schema (its slot holds another key) reads as its default.
    pub fn knob<K: Knob>(&self, key: Key<K>) -> K::Out {
        if self.specs.get(key.index()).map(|s| s.key) != Some(key.name()) {
            return key.default();
        }
        self.values.with(|v| key.read(v))
    }

    /// Sets one knob to a typed value if the schema accepts it (in range, a known choice),
    /// then rewrites the URL; a value it rejects is ignored.
    pub fn put<K: Knob>(&self, key: Key<K>, out: K::Out) {
        if let Some(v) = key.value(out) {
            self.set_at(key.index(), key.name(), v);
        }
    }

    /// Sets one knob from its URL text (a choice's identifier); text the schema rejects is
    /// ignored.
    pub fn put_text<K>(&self, key: Key<K>, text: &str) {
        if let Ok(v) = url_state::parse_value(&key.spec().kind, text) {
            self.set_at(key.index(), key.name(), v);
        }
    }

    /// The URL text of one knob's value (reactive): a choice's identifier, a number…
    pub fn text<K>(&self, key: Key<K>) -> String {
        let spec = key.spec();
        self.values.with(|v| match v.get(key.index()) {
            Some(v) if self.specs.get(key.index()).map(|s| s.key) == Some(key.name()) => {
                url_state::format_value(&spec.kind, v)
            }
            _ => spec.default.to_string(),
        })
    }

    fn set_at(&self, i: usize, key: &str, value: Value) {
        let Some(spec) = self.specs.get(i).filter(|s| s.key == key) else { return };
        let text = url_state::format_value(&spec.kind, &value);
        let Ok(checked) = url_state::parse_value(&spec.kind, &text) else { return };
        self.values.update(|v| {
            if let Some(slot) = v.get_mut(i) {
                *slot = checked;
            }
        });
        sync_url(self);
    }

    // The string-keyed API below predates `params!` (lessons use the typed one above); it
    // stays for schemas built by hand (the shell's tests).

    /// The value of `key` (reactive); the spec's default if the key is unknown.
    pub fn get(&self, key: &str) -> Value {
        let Some(i) = self.index(key) else {
            return Value::Int(0);
        };
        self.values
            .with(|v| v.get(i).cloned())
            .unwrap_or_else(|| url_state::default_value(&self.specs[i]))
    }

    /// Integer knob (reactive).
    pub fn int(&self, key: &str) -> i64 {
        match self.get(key) {
            Value::Int(i) => i,
            Value::Seed(s) => s as i64,
            _ => 0,
        }
    }

    /// Float knob (reactive).
    pub fn float(&self, key: &str) -> f64 {
        match self.get(key) {
            Value::Float(x) => x,
            Value::Int(i) => i as f64,
            _ => 0.0,
        }
    }

    /// Choice knob: the chosen identifier (reactive).
    pub fn choice(&self, key: &str) -> &'static str {
        let Some(i) = self.index(key) else { return "" };
        match (self.specs[i].kind, self.get(key)) {
            (url_state::ParamKind::Choice(opts), Value::Choice(c)) => {
                opts.get(c).copied().unwrap_or("")
            }
            _ => "",
        }
    }

    /// Boolean knob (reactive).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Value::Bool(true))
    }

    /// Seed knob (reactive).
    pub fn seed(&self, key: &str) -> u64 {
        match self.get(key) {
            Value::Seed(s) => s,
            _ => 0,
        }
    }

    /// Number-list knob (reactive).
    pub fn floats(&self, key: &str) -> Vec<f64> {
        match self.get(key) {
            Value::Floats(v) => v,
            _ => Vec::new(),
        }
    }

    /// Sets `key` if `value` is valid for it (values failing the schema are ignored), then
    /// rewrites the URL without adding a history entry.
    pub fn set(&self, key: &str, value: Value) {
        let Some(i) = self.index(key) else { return };
        self.set_at(i, key, value);
    }

    /// Sets a choice knob by identifier.
    pub fn set_choice(&self, key: &str, id: &str) {
        let Some(i) = self.index(key) else { return };
        if let Ok(v) = url_state::parse_value(&self.specs[i].kind, id) {
            self.set(key, v);
        }
    }

    /// The query string of the current values (`k=v&…`).
    pub fn query(&self) -> String {
        self.values.with_untracked(|v| url_state::encode(self.specs, v))
    }
}

pub fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

thread_local! {
    /// The language shown, mirrored for URL writers that run outside the reactive tree
    /// (event handlers have no owner, so no context).
    static CURRENT_LANG: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// Records the language shown, for the URL writers that run outside the reactive tree.
pub fn set_current_lang(lang: Lang) {
    CURRENT_LANG.with(|c| c.set(lang));
}

/// Writes `#/<path>?<pairs>` with `history.replaceState` (no history entry, no `hashchange`).
fn replace_hash(path: &str, pairs: &[(String, String)]) {
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", url_state::percent_encode(k), url_state::percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let url = if query.is_empty() { format!("#/{path}") } else { format!("#/{path}?{query}") };
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Sets (or with `None` removes) one shell key in the current URL, keeping everything else,
/// without adding a history entry. For the shell's switches and the backend selector.
pub fn set_shell_param(key: &str, value: Option<&str>) {
    let (path, query) = split_hash(&location_hash());
    let mut pairs: Vec<(String, String)> =
        url_state::split_query(&query).into_iter().filter(|(k, _)| k != key).collect();
    if let Some(v) = value {
        pairs.push((key.to_string(), v.to_string()));
    }
    replace_hash(&path, &pairs);
}

/// Rewrites the URL from the lesson's values, keeping the shell keys of the current URL
/// (`lang` is always written so that a shared link opens in the same language).
fn sync_url(params: &LessonParams) {
    let (path, query) = split_hash(&location_hash());
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (spec, value) in params.specs.iter().zip(params.values.get_untracked()) {
        pairs.push((spec.key.to_string(), url_state::format_value(&spec.kind, &value)));
    }
    let lang = CURRENT_LANG.with(Cell::get).code().to_string();
    pairs.push(("lang".to_string(), lang));
    for key in SHELL_KEYS.iter().filter(|k| **k != "lang") {
        if let Some(v) = query_value(&query, key) {
            pairs.push((key.to_string(), v));
        }
    }
    replace_hash(&path, &pairs);
}

/// A link to `slug` (empty: home) that carries the shell settings: the language, the theme
/// unless `auto`, and the current URL's `backend`, so following it keeps the reader's choices.
pub fn link_to(slug: &str, lang: Lang, theme: Theme) -> String {
    let mut q = format!("lang={}", lang.code());
    if theme != Theme::Auto {
        q.push_str("&theme=");
        q.push_str(theme.code());
    }
    if let Some(b) = query_value(&split_hash(&location_hash()).1, "backend") {
        q.push_str("&backend=");
        q.push_str(&url_state::percent_encode(&b));
    }
    format!("#/{slug}?{q}")
}

/// The URL query key of the backend choice (`backend=auto|cpu|gpu`, absent = auto).
pub const BACKEND_KEY: &str = "backend";

/// The `backend=` choice of a query: auto when absent or invalid (the shell reports an
/// invalid value with [`shell_notice`]).
pub fn preference_of(query: &str) -> Preference {
    query_value(query, BACKEND_KEY).and_then(|v| Preference::from_code(&v)).unwrap_or_default()
}

/// The compute handle and its reactive status, provided as context by [`provide_compute`].
#[derive(Clone, Copy)]
pub struct ComputeCtx {
    compute: StoredValue<Compute, LocalStorage>,
    status: RwSignal<Status>,
}

impl ComputeCtx {
    /// The context's handle, if the shell provided one.
    pub fn current() -> Option<Self> {
        use_context::<ComputeCtx>()
    }

    /// The compute handle (a cheap clone), for lessons: `ctx.compute().conv2d(..).await`.
    pub fn compute(&self) -> Compute {
        self.compute.with_value(|c| c.clone())
    }

    /// The backend status (reactive: re-runs readers when the backend changes, so lessons
    /// can recompute on the new backend).
    pub fn status(&self) -> Status {
        self.status.get()
    }

    /// Reads the status without cloning it (reactive).
    pub fn with_status<R>(&self, f: impl FnOnce(&Status) -> R) -> R {
        self.status.with(f)
    }

    /// The backend that operations run on now (reactive).
    pub fn active(&self) -> BackendKind {
        self.status.with(|s| s.active)
    }

    /// The user's choice (reactive).
    pub fn preference(&self) -> Preference {
        self.status.with(|s| s.preference)
    }

    /// Applies a new choice: updates the status and the URL, and opens or calibrates the GPU
    /// in the background if the choice needs it.
    pub fn set_preference(&self, p: Preference) {
        let compute = self.compute();
        compute.set_preference(p);
        set_shell_param(BACKEND_KEY, (p != Preference::Auto).then_some(p.code()));
        spawn_local(async move { compute.start().await });
    }

    /// Hides the fallback notice.
    pub fn dismiss_notice(&self) {
        self.compute().dismiss_notice();
    }
}

/// Creates the compute handle from the URL's `backend=` choice, provides [`ComputeCtx`] and
/// starts WebGPU in the background (after the current render). Call once, in the root.
pub fn provide_compute() -> ComputeCtx {
    let compute = Compute::new(preference_of(&split_hash(&location_hash()).1));
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
