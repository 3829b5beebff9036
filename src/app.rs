//! The app shell: hash routing (`#/<lesson>?<knobs>`), language, URL state and notices.
//!
//! Data flow: the hash is parsed once per navigation into the lesson's typed values
//! ([`crate::url_state::parse`]); a control calls [`LessonParams::set`], which updates the
//! signal (re-running only the computations that read that knob) and rewrites the URL with
//! `history.replaceState`, so slider ticks add no history entries.

use crate::i18n::{tr, Lang};
use crate::lessons::{self, Lesson};
use crate::url_state::{self, Notice, ParamSpec, Value};
use leptos::prelude::*;

/// Keys in the query that belong to the shell, not to a lesson.
pub const SHELL_KEYS: &[&str] = &["lang", "theme", "backend"];

/// The current language, provided as context.
#[derive(Clone, Copy)]
pub struct I18n {
    /// The language signal.
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The string for `key` in the current language (reactive).
    pub fn t(&self, key: &str) -> &'static str {
        tr(self.lang.get(), key)
    }
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

    fn index(&self, key: &str) -> Option<usize> {
        self.specs.iter().position(|s| s.key == key)
    }

    /// The value of `key` (reactive); the spec's default if the key is unknown.
    pub fn get(&self, key: &str) -> Value {
        let Some(i) = self.index(key) else {
            return Value::Int(0);
        };
        self.values.with(|v| v.get(i).cloned()).unwrap_or_else(|| url_state::default_value(&self.specs[i]))
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
            (url_state::ParamKind::Choice(opts), Value::Choice(c)) => opts.get(c).copied().unwrap_or(""),
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
        let spec = &self.specs[i];
        let text = url_state::format_value(&spec.kind, &value);
        let Ok(checked) = url_state::parse_value(&spec.kind, &text) else { return };
        self.values.update(|v| {
            if let Some(slot) = v.get_mut(i) {
                *slot = checked;
            }
        });
        sync_url(self);
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

/// The current route.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// The table of contents.
    Home,
    /// A lesson by slug.
    Lesson(&'static str),
    /// An unknown path (the home page is shown with a notice).
    Unknown,
}

fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Splits `#/slug?query` into (`slug`, `query`).
pub fn split_hash(hash: &str) -> (String, String) {
    let h = hash.trim_start_matches('#').trim_start_matches('/');
    match h.split_once('?') {
        Some((p, q)) => (p.trim_end_matches('/').to_string(), q.to_string()),
        None => (h.trim_end_matches('/').to_string(), String::new()),
    }
}

fn route_of(path: &str) -> Route {
    if path.is_empty() {
        Route::Home
    } else if let Some(l) = lessons::find(path) {
        Route::Lesson(l.slug)
    } else {
        Route::Unknown
    }
}

thread_local! {
    static CURRENT_SLUG: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn sync_url(params: &LessonParams) {
    let slug = CURRENT_SLUG.with(|s| s.borrow().clone());
    let lang = use_context::<I18n>().map(|i| i.lang.get_untracked().code()).unwrap_or("en");
    let url = format!("#/{slug}?{}&lang={lang}", params.query());
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

fn initial_lang(query: &str) -> Lang {
    let from_url = url_state::split_query(query)
        .into_iter()
        .rev()
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::from_tag(&v));
    from_url
        .or_else(|| window().navigator().language().and_then(|l| Lang::from_tag(&l)))
        .unwrap_or(Lang::En)
}

/// Mounts the app on `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let (path0, query0) = split_hash(&location_hash());
    let lang = RwSignal::new(initial_lang(&query0));
    provide_context(I18n { lang });
    let hash = RwSignal::new(location_hash());
    let _ = path0;
    let handle = window_event_listener(leptos::ev::hashchange, move |_| hash.set(location_hash()));
    on_cleanup(move || handle.remove());
    Effect::new(move |_| {
        if let Some(doc) = window().document().and_then(|d| d.document_element()) {
            let _ = doc.set_attribute("lang", if lang.get() == Lang::Zh { "zh-CN" } else { "en" });
        }
    });
    let route = Memo::new(move |_| route_of(&split_hash(&hash.get()).0));
    let i18n = I18n { lang };
    view! {
        <header class="app-header">
            <a href="#/" class="brand">"dlviz"</a>
            <button
                class="lang-switch"
                data-testid="lang-switch"
                on:click=move |_| lang.update(|l| *l = if *l == Lang::En { Lang::Zh } else { Lang::En })
            >
                {move || if lang.get() == Lang::En { "中文" } else { "English" }}
            </button>
        </header>
        <main id="main">
            {move || match route.get() {
                Route::Home => home(false).into_any(),
                Route::Unknown => home(true).into_any(),
                Route::Lesson(slug) => match lessons::find(slug) {
                    Some(l) => lesson_page(l, &split_hash(&hash.get_untracked()).1).into_any(),
                    None => home(true).into_any(),
                },
            }}
        </main>
        <footer>{move || i18n.t("app.title")}</footer>
    }
}

fn home(unknown: bool) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    view! {
        <section class="home">
            <h1>{move || i18n.t("app.home")}</h1>
            {unknown.then(|| view! { <p class="notice" role="status">{move || i18n.t("notice.unknown_lesson")}</p> })}
            <ul>
                {lessons::LESSONS
                    .iter()
                    .map(|l| {
                        let href = format!("#/{}", l.slug);
                        view! {
                            <li>
                                <a href=href>{move || i18n.t(l.title_key)}</a>
                                " — "
                                <span>{move || i18n.t(l.summary_key)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

fn reason_key(n: &Notice) -> &'static str {
    match n.reason {
        url_state::NoticeReason::Malformed => "notice.malformed",
        url_state::NoticeReason::OutOfRange => "notice.out_of_range",
        url_state::NoticeReason::UnknownKey => "notice.unknown_key",
    }
}

fn lesson_page(lesson: &'static Lesson, query: &str) -> impl IntoView {
    let i18n = expect_context::<I18n>();
    CURRENT_SLUG.with(|s| *s.borrow_mut() = lesson.slug.to_string());
    let (values, notices) = url_state::parse(lesson.params, query, SHELL_KEYS);
    let params = LessonParams::new(lesson.params, values);
    provide_context(params);
    let notices = RwSignal::new(notices);
    view! {
        <Show when=move || notices.with(|n| !n.is_empty())>
            <div class="notice" role="alert" data-testid="url-notice">
                <p>{move || i18n.t("notice.url_ignored")}</p>
                <ul>
                    {move || notices.get().into_iter().map(|n| {
                        let reason = reason_key(&n);
                        view! { <li><code>{n.key.clone()}"="{n.raw.clone()}</code>" — "{move || i18n.t(reason)}</li> }
                    }).collect_view()}
                </ul>
                <button on:click=move |_| notices.set(Vec::new())>{move || i18n.t("notice.dismiss")}</button>
            </div>
        </Show>
        <article class="lesson" data-lesson=lesson.slug>{(lesson.view)()}</article>
    }
}
