//! The app shell: hash routing (`#/<lesson>?<knobs>`), language, theme, URL state and notices.
//!
//! Routing uses the URL fragment only, so the built site works as static files from any
//! sub-path and survives a reload. The fragment is `#/<slug>?<query>`; the query holds the
//! lesson's knobs ([`crate::url_state`]) plus the shell's own keys ([`SHELL_KEYS`]: `lang`,
//! `theme`, `backend`).
//!
//! Data flow: on every navigation (`hashchange`: links, back/forward, a hand-edited address)
//! the fragment is parsed again into the lesson's typed values ([`crate::url_state::parse`]) and
//! the page is rebuilt. A control calls [`LessonParams::set`], which updates the signal
//! (re-running only the computations that read that knob) and rewrites the URL with
//! `history.replaceState`, so slider ticks add no history entries and fire no `hashchange`.
//! The language and theme switches rewrite the URL the same way.
//!
//! Modules: the site is one wasm module per chapter (`src/bin/`, [`crate::lessons::Part`]).
//! [`Shell`] routes every lesson of the registry but shows the views of its own part only; a
//! lesson of another part is handed to the page's loader (`www/index.html`), which swaps the
//! modules: [`start`] registers this module's [`mount`] and [`unmount`] with it.

use crate::compute::Preference;
use crate::i18n::Lang;
use crate::lessons::{self, Lesson, Part, View};
use crate::page::{
    link_to, location_hash, provide_compute, query_value, set_current_lang, set_shell_param,
    BACKEND_KEY,
};
pub use crate::page::{split_hash, Appearance, I18n, LessonParams, Theme, SHELL_KEYS};
use crate::url_state::{self, shell_notice, Notice, NoticeReason};
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

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

/// The route of a path (the part of the fragment before `?`).
pub fn route_of(path: &str) -> Route {
    if path.is_empty() {
        Route::Home
    } else if let Some(l) = lessons::find(path) {
        Route::Lesson(l.slug)
    } else {
        Route::Unknown
    }
}

/// A `change` listener registered on a media query list.
type MediaListener = (web_sys::MediaQueryList, Closure<dyn Fn()>);

thread_local! {
    /// The listeners on the `prefers-*` media queries of the mounted app.
    static MEDIA_LISTENERS: RefCell<Vec<MediaListener>> =
        const { RefCell::new(Vec::new()) };
}

fn initial_lang(query: &str) -> Lang {
    query_value(query, "lang")
        .and_then(|v| Lang::from_tag(&v))
        .or_else(|| window().navigator().language().and_then(|l| Lang::from_tag(&l)))
        .unwrap_or(Lang::En)
}

/// Notices for shell keys with invalid values (`lang=xx`, `theme=pink`, `backend=tpu`).
fn shell_notices(query: &str) -> Vec<Notice> {
    [
        shell_notice(query, "lang", |v| Lang::from_tag(v).is_some()),
        shell_notice(query, BACKEND_KEY, |v| Preference::from_code(v).is_some()),
        shell_notice(query, "theme", |v| Theme::from_code(v).is_some()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The module's app while it is on the page (dropping it unmounts the app and disposes of
/// its reactive owner, which runs every cleanup: listeners, timers, training loops).
type Mounted = leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>;

thread_local! {
    static MOUNTED: RefCell<Option<Mounted>> = const { RefCell::new(None) };
}

/// The entry point of a module (`src/bin/`): the shell with `part`'s lessons.
///
/// On the site, the page's loader (`window.dlvizLoader`, `www/index.html`) decides which
/// module is on the page: this registers the module's mount and unmount with it, and the
/// loader calls them (unmounting the module it replaces first). Without a loader the app is
/// mounted at once.
pub fn start(part: &'static Part) {
    console_error_panic_hook::set_once();
    match loader_method("register") {
        Some((loader, register)) => {
            let mount = Closure::<dyn Fn()>::new(move || mount(part)).into_js_value();
            let unmount = Closure::<dyn Fn()>::new(unmount).into_js_value();
            let _ = register.call3(&loader, &JsValue::from_str(part.name), &mount, &unmount);
        }
        None => mount(part),
    }
}

/// Mounts the shell with `part`'s lessons on `<body>` (replacing this module's earlier mount).
pub fn mount(part: &'static Part) {
    unmount();
    // The static "Loading…" banner of index.html gives way to the app.
    if let Some(boot) = document().get_element_by_id("boot") {
        boot.remove();
    }
    // The loader mounts once the page is parsed, so <body> is there; a page without one gets
    // nothing mounted (and a message in the console), never a panic.
    let Some(body) = document().body() else {
        web_sys::console::error_1(&"dlviz: the page has no <body> to mount on".into());
        return;
    };
    let handle = leptos::mount::mount_to(body, move || view! { <Shell part=part /> }.into_any());
    MOUNTED.with(|m| *m.borrow_mut() = Some(handle));
}

/// Takes this module's app off the page, if it is there.
pub fn unmount() {
    let handle = MOUNTED.with(|m| m.borrow_mut().take());
    drop(handle);
}

/// The page's loader (`window.dlvizLoader`) and its function `method`, if both are there.
fn loader_method(method: &str) -> Option<(JsValue, js_sys::Function)> {
    let loader = js_sys::Reflect::get(&window(), &JsValue::from_str("dlvizLoader"))
        .ok()
        .filter(JsValue::is_object)?;
    let f = js_sys::Reflect::get(&loader, &JsValue::from_str(method)).ok()?;
    Some((loader, f.dyn_into().ok()?))
}

/// Asks the page's loader for module `name`; the loader unmounts this module once that one is
/// ready. False when there is no loader (a page or test that mounted one module by hand).
fn load_module(name: &str) -> bool {
    loader_method("load")
        .is_some_and(|(loader, load)| load.call1(&loader, &JsValue::from_str(name)).is_ok())
}

/// Listens to a media query; `set` receives its current value now and on every change.
fn watch_media(query: &str, set: impl Fn(bool) + 'static) {
    let Some(mql) = window().match_media(query).ok().flatten() else { return };
    set(mql.matches());
    let mql2 = mql.clone();
    let cb = Closure::<dyn Fn()>::new(move || set(mql2.matches()));
    if mql.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref()).is_ok() {
        MEDIA_LISTENERS.with(|l| l.borrow_mut().push((mql, cb)));
    }
}

fn unwatch_media() {
    MEDIA_LISTENERS.with(|l| {
        for (mql, cb) in l.borrow_mut().drain(..) {
            let _ = mql.remove_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        }
    });
}

/// Puts the lessons' own style rules in the page's `<head>` (a `<style data-lessons>` element,
/// removed with the shell), so a lesson's CSS travels with its module; `None` when empty.
fn add_style_sheet(css: &str) -> Option<web_sys::Element> {
    if css.trim().is_empty() {
        return None;
    }
    let el = document().create_element("style").ok()?;
    let _ = el.set_attribute("data-lessons", "");
    el.set_text_content(Some(css));
    document().head()?.append_child(&el).ok()?;
    Some(el)
}

fn focus_main() {
    if let Some(main) = document().get_element_by_id("main") {
        if let Ok(el) = main.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}

/// The shell with every lesson (what the tests mount): [`Shell`] over [`lessons::ALL`].
#[component]
pub fn App() -> impl IntoView {
    view! { <Shell part=&lessons::ALL /> }
}

/// The root component: header (brand, lesson navigation, language, theme, backend slot),
/// the routed page and the footer. It routes every lesson of the registry; the views it can
/// show are `part`'s, and a lesson outside `part` is handed to its own module
/// ([`ModuleLoading`]).
#[component]
pub fn Shell(part: &'static Part) -> impl IntoView {
    part.register_strings();
    let sheet = add_style_sheet(&part.style());
    on_cleanup(move || {
        if let Some(s) = sheet {
            s.remove();
        }
    });
    let (path0, query0) = split_hash(&location_hash());
    let lang = RwSignal::new(initial_lang(&query0));
    set_current_lang(lang.get_untracked());
    let theme0 = query_value(&query0, "theme").and_then(|v| Theme::from_code(&v));
    let appearance = Appearance::new(theme0.unwrap_or(Theme::Auto));
    let i18n = I18n { lang };
    provide_context(i18n);
    provide_context(appearance);
    provide_compute();

    unwatch_media();
    let (sd, rm) = appearance.system_signals();
    watch_media("(prefers-color-scheme: dark)", move |v| {
        let _ = sd.try_set(v);
    });
    watch_media("(prefers-reduced-motion: reduce)", move |v| {
        let _ = rm.try_set(v);
    });

    // The fragment of the page being shown; set on navigation only (replaceState leaves it).
    let hash = RwSignal::new(location_hash());
    let last_path = RwSignal::new(path0);
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        let h = location_hash();
        let (path, query) = split_hash(&h);
        if let Some(l) = query_value(&query, "lang").and_then(|v| Lang::from_tag(&v)) {
            lang.set(l);
        }
        if let Some(t) = query_value(&query, "theme").and_then(|v| Theme::from_code(&v)) {
            appearance.theme.set(t);
        }
        let moved = last_path.get_untracked() != path;
        last_path.set(path);
        hash.set(h);
        if moved {
            window().scroll_to_with_x_and_y(0.0, 0.0);
            request_animation_frame(focus_main);
        }
    });
    on_cleanup(move || {
        handle.remove();
        unwatch_media();
    });

    Effect::new(move |_| {
        let l = lang.get();
        set_current_lang(l);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", if l == Lang::Zh { "zh-CN" } else { "en" });
        }
    });
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = match appearance.theme.get() {
                Theme::Auto => root.remove_attribute("data-theme"),
                t => root.set_attribute("data-theme", t.code()),
            };
        }
    });
    let route = Memo::new(move |_| route_of(&split_hash(&hash.get()).0));
    Effect::new(move |_| {
        let title = match route.get() {
            Route::Lesson(slug) => match lessons::find(slug) {
                Some(l) => format!("{} · dlviz", l.title.get(i18n.lang.get())),
                None => i18n.t("app.title").to_string(),
            },
            _ => i18n.t("app.title").to_string(),
        };
        document().set_title(&title);
    });

    let toggle_lang = move |_| {
        lang.update(|l| *l = if *l == Lang::En { Lang::Zh } else { Lang::En });
        let l = lang.get_untracked();
        set_current_lang(l);
        set_shell_param("lang", Some(l.code()));
    };
    let cycle_theme = move |_| {
        appearance.theme.update(|t| *t = t.next());
        let t = appearance.theme.get_untracked();
        set_shell_param("theme", (t != Theme::Auto).then_some(t.code()));
    };
    let skip = move |ev: leptos::ev::MouseEvent| {
        // The fragment is the router's: jump to the content by focus, not by `#main`.
        ev.prevent_default();
        focus_main();
    };
    let theme_label = move || {
        format!(
            "{}: {}. {}",
            i18n.t("theme.switch"),
            i18n.t(appearance.theme.get().label_key()),
            i18n.t("theme.switch_hint")
        )
    };

    view! {
        <a class="skip-link" href="#main" on:click=skip>{move || i18n.t("shell.skip")}</a>
        <header class="app-header">
            <a href=move || link_to("", lang.get(), appearance.theme.get()) class="brand" aria-label=move || i18n.t("shell.brand_label")>
                <span class="brand-mark" aria-hidden="true">"▦"</span>
                "dlviz"
            </a>
            <nav class="lesson-nav" aria-label=move || i18n.t("shell.nav")>
                <a
                    href=move || link_to("", lang.get(), appearance.theme.get())
                    data-testid="nav-home"
                    aria-current=move || (route.get() == Route::Home).then_some("page")
                >
                    {move || i18n.t("shell.all_lessons")}
                </a>
                {move || match route.get() {
                    Route::Lesson(slug) => lessons::find(slug).map(|l| view! {
                        <span class="crumb-sep" aria-hidden="true">"›"</span>
                        <a
                            href=move || link_to(l.slug, lang.get(), appearance.theme.get())
                            aria-current="page"
                            class="crumb"
                        >
                            {move || l.title.get(i18n.lang.get())}
                        </a>
                    }),
                    _ => None,
                }}
            </nav>
            <div class="header-tools">
                <div class="backend-slot">
                    <crate::ui::backend::BackendIndicator />
                </div>
                <button
                    type="button"
                    class="lang-switch"
                    data-testid="lang-switch"
                    aria-label=move || i18n.t("shell.lang_switch")
                    on:click=toggle_lang
                >
                    // The other language's name, marked as written in that language.
                    <span lang=move || if lang.get() == Lang::En { "zh-CN" } else { "en" }>
                        {move || i18n.t("shell.lang_other")}
                    </span>
                </button>
                <button
                    type="button"
                    class="theme-switch"
                    data-testid="theme-switch"
                    data-theme-choice=move || appearance.theme.get().code()
                    aria-label=theme_label
                    title=theme_label
                    on:click=cycle_theme
                >
                    <span class="theme-icon" aria-hidden="true">
                        {move || match appearance.theme.get() {
                            Theme::Auto => "◐",
                            Theme::Light => "☀",
                            Theme::Dark => "☾",
                        }}
                    </span>
                    <span class="theme-name">
                        {move || i18n.t(appearance.theme.get().label_key())}
                    </span>
                </button>
            </div>
        </header>
        <main id="main" tabindex="-1">
            {move || {
                let (path, query) = split_hash(&hash.get());
                match route_of(&path) {
                    Route::Home => view! { <Home query=query unknown=None /> }.into_any(),
                    Route::Unknown => view! { <Home query=query unknown=Some(path) /> }.into_any(),
                    Route::Lesson(slug) => match (lessons::find(slug), part.view(slug)) {
                        (Some(l), Some(v)) => view! { <LessonPage lesson=l view=v query=query /> }.into_any(),
                        (Some(l), None) => view! { <ModuleLoading lesson=l /> }.into_any(),
                        (None, _) => view! { <Home query=query unknown=Some(path) /> }.into_any(),
                    },
                }
            }}
        </main>
        <footer class="app-footer">
            <p>{move || i18n.t("app.title")}</p>
            <p class="muted">{move || i18n.t("footer.local")}</p>
        </footer>
    }
}

/// The home page: the table of contents, grouped by chapter. With `unknown`, the path that
/// matched no lesson is reported first.
#[component]
fn Home(query: String, unknown: Option<String>) -> impl IntoView {
    let i18n = I18n::current();
    let look = Appearance::current();
    let (_, mut notices) = url_state::parse(&[], &query, SHELL_KEYS);
    notices.extend(shell_notices(&query));
    let unknown = unknown.map(|p| p.chars().take(60).collect::<String>());
    view! {
        <UrlNotice notices=notices />
        {unknown.map(|path| view! {
            <div class="notice" role="status" data-testid="route-notice">
                <p>{move || i18n.t("notice.unknown_lesson")}</p>
                <p><code>{format!("#/{path}")}</code></p>
            </div>
        })}
        <section class="home" data-testid="home">
            <h1>{move || i18n.t("app.home")}</h1>
            <p class="lead">{move || i18n.t("home.intro")}</p>
            {lessons::CHAPTERS
                .iter()
                .enumerate()
                .map(|(ci, chapter)| {
                    let n = (ci + 1).to_string();
                    let heading = move || crate::i18n::tr_fmt(i18n.lang.get(), "home.chapter_n", &[("n", &n)]);
                    view! {
                        <section class="chapter">
                            <h2>
                                <span class="chapter-n">{heading}</span>
                                {move || chapter.title.get(i18n.lang.get())}
                            </h2>
                            <ol class="card-grid lesson-list">
                                {chapter
                                    .lessons
                                    .iter()
                                    .map(|&l| {
                                        view! {
                                            <li class="card">
                                                <a
                                                    href=move || link_to(l.slug, i18n.lang.get(), look.theme.get())
                                                    data-testid=format!("lesson-link-{}", l.slug)
                                                >
                                                    {move || l.title.get(i18n.lang.get())}
                                                </a>
                                                <p>{move || l.summary.get(i18n.lang.get())}</p>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        </section>
                    }
                })
                .collect_view()}
        </section>
    }
}

fn reason_key(n: &Notice) -> &'static str {
    match n.reason {
        NoticeReason::Malformed => "notice.malformed",
        NoticeReason::OutOfRange => "notice.out_of_range",
        NoticeReason::UnknownKey => "notice.unknown_key",
    }
}

/// The list of URL fields that were ignored, with a dismiss button; nothing when empty.
/// Keys and raw values are shown as text (never markup).
#[component]
fn UrlNotice(notices: Vec<Notice>) -> impl IntoView {
    let i18n = I18n::current();
    let notices = RwSignal::new(notices);
    view! {
        <Show when=move || notices.with(|n| !n.is_empty())>
            <div class="notice" role="alert" data-testid="url-notice">
                <p>{move || i18n.t("notice.url_ignored")}</p>
                <ul>
                    {move || {
                        notices
                            .get()
                            .into_iter()
                            .map(|n| {
                                let reason = reason_key(&n);
                                view! {
                                    <li data-key=n.key.clone()>
                                        <code>{n.key.clone()} "=" {n.raw.clone()}</code>
                                        " — "
                                        {move || i18n.t(reason)}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                <button type="button" on:click=move |_| notices.set(Vec::new())>
                    {move || i18n.t("notice.dismiss")}
                </button>
            </div>
        </Show>
    }
}

/// A lesson page for `query` (the fragment's query, shell keys included): parses the lesson's
/// knobs, provides them as [`LessonParams`], reports ignored fields and links the neighbours.
#[component]
pub fn LessonPage(lesson: &'static Lesson, view: View, query: String) -> impl IntoView {
    let i18n = I18n::current();
    let look = Appearance::current();
    let (values, mut notices) = url_state::parse(lesson.params, &query, SHELL_KEYS);
    notices.extend(shell_notices(&query));
    provide_context(LessonParams::new(lesson.params, values));
    let pos = lessons::LESSONS.iter().position(|l| l.slug == lesson.slug);
    let prev = pos.and_then(|i| i.checked_sub(1)).and_then(|i| lessons::LESSONS.get(i)).copied();
    let next = pos.and_then(|i| lessons::LESSONS.get(i + 1)).copied();
    let neighbour = move |l: &'static Lesson, key: &'static str, class: &'static str| {
        view! {
            <a href=move || link_to(l.slug, i18n.lang.get(), look.theme.get()) class=class>
                <span class="muted">{move || i18n.t(key)}</span>
                <span>{move || l.title.get(i18n.lang.get())}</span>
            </a>
        }
    };
    view! {
        <UrlNotice notices=notices />
        <article class="lesson" data-lesson=lesson.slug>{view()}</article>
        {(prev.is_some() || next.is_some()).then(|| view! {
            <nav class="lesson-pager" aria-label=move || i18n.t("lesson.pager")>
                {prev.map(|l| neighbour(l, "lesson.prev", "prev"))}
                {next.map(|l| neighbour(l, "lesson.next", "next"))}
            </nav>
        })}
    }
}

/// In place of a lesson whose view is in another module: says so while the page's loader
/// fetches that module (which then replaces this one), or why it could not.
#[component]
fn ModuleLoading(lesson: &'static Lesson) -> impl IntoView {
    let i18n = I18n::current();
    let name = lesson.module();
    let failed = RwSignal::new(false);
    let handle = window_event_listener(
        leptos::ev::Custom::<web_sys::CustomEvent>::new("dlviz-module-failed"),
        move |ev| {
            if ev.detail().as_string().as_deref() == Some(name) {
                failed.set(true);
            }
        },
    );
    on_cleanup(move || handle.remove());
    if !load_module(name) {
        failed.set(true);
    }
    view! {
        <div class="notice module-loading" role="status" data-testid="module-loading" data-module=name>
            <p>
                {move || if failed.get() { i18n.t("module.failed") } else { i18n.t("module.loading") }}
                " "
                <strong>{move || lesson.title.get(i18n.lang.get())}</strong>
            </p>
        </div>
    }
}
