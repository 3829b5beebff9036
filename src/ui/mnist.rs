//! The MNIST lazy loader, shared by every lesson that uses digits.
//!
//! The digits file (`assets/mnist/digits.bin.gz`, 1.6 MB gzip, 10,000 digits; format in
//! [`crate::core::mnist`]) is not part of the bundle: a lesson that needs it creates a
//! [`MnistLoader`], which
//!
//! 1. fetches the file (a relative URL, so it works under Trunk's `public_url = "./"`),
//! 2. streams the body chunk by chunk, reporting `loaded / Content-Length` bytes (just the
//!    byte count when the server sends no length),
//! 3. inflates it with the browser's `DecompressionStream("gzip")` (when the bytes start with
//!    the gzip magic `1f 8b`; a server that already decoded a `Content-Encoding: gzip` hands
//!    over the raw file, which is parsed as is),
//! 4. parses and validates it with [`crate::core::mnist::parse`] (checksum included),
//!
//! and caches the parsed `Rc<Mnist>` for the page in a thread-local keyed by URL: every
//! lesson mounted later (the Autoencoder and the VAE lessons) gets the same digits at once,
//! and two loaders created while a download is in flight share that one download.
//!
//! Failures (network, HTTP status, corrupt gzip, invalid file) become a [`LoadError`] value;
//! [`MnistStatusView`] shows the progress bar, or the error in words with a Retry button. The
//! rest of a lesson stays usable meanwhile: the loader never blocks rendering.
//!
//! ```ignore
//! let digits = MnistLoader::new();            // starts (or joins) the download
//! view! { <MnistStatusView loader=digits/> }  // progress / error + Retry / "10,000 digits"
//! Effect::new(move || if let Some(m) = digits.data() { /* Rc<Mnist> */ });
//! ```

use crate::core::mnist::{self, Mnist, MnistError};
use crate::i18n::{tr, tr_fmt, Lang};
use crate::page::I18n;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Where the shipped digits live, relative to the page.
pub const MNIST_URL: &str = "assets/mnist/digits.bin.gz";

/// Why the digits could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The request itself failed (offline, blocked, aborted); the browser's message.
    Network(String),
    /// The server answered with a non-success status.
    Http(u16),
    /// The body is not valid gzip (or the browser cannot inflate it); the browser's message.
    Inflate(String),
    /// The inflated bytes are not a valid digits file.
    Corrupt(MnistError),
}

impl LoadError {
    /// The message shown to the reader, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            LoadError::Network(m) => tr_fmt(lang, "mnist.err_network", &[("detail", m)]),
            LoadError::Http(code) => tr_fmt(lang, "mnist.err_http", &[("code", &code.to_string())]),
            LoadError::Inflate(m) => tr_fmt(lang, "mnist.err_inflate", &[("detail", m)]),
            LoadError::Corrupt(e) => {
                tr_fmt(lang, "mnist.err_corrupt", &[("detail", &e.to_string())])
            }
        }
    }
}

/// Where a download stands.
#[derive(Debug, Clone)]
pub enum MnistStatus {
    /// Downloading: bytes received so far, and the total when the server sent a length.
    Loading {
        /// Bytes received.
        loaded: u64,
        /// `Content-Length`, if known.
        total: Option<u64>,
    },
    /// Downloaded; inflating and validating.
    Unpacking,
    /// Parsed and valid: the digits, and the size of the download in bytes.
    Ready(Rc<Mnist>, u64),
    /// Failed; [`MnistLoader::retry`] starts again.
    Failed(LoadError),
}

type Listener = Box<dyn Fn(&MnistStatus) -> bool>;

/// One URL's download: its current status and who is watching it.
struct Entry {
    status: MnistStatus,
    /// Each listener returns `false` once its owner is gone (then it is dropped).
    listeners: Vec<Listener>,
}

thread_local! {
    /// The page-wide cache: URL → download. Lives as long as the page.
    static CACHE: RefCell<HashMap<String, Entry>> = RefCell::new(HashMap::new());
}

/// Sets the status of `url` and tells every live listener.
fn publish(url: &str, status: MnistStatus) {
    // Take the listeners out while calling them: a listener may set a signal whose effects
    // create another loader, which reads the cache.
    let listeners = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let e = c
            .entry(url.to_string())
            .or_insert_with(|| Entry { status: status.clone(), listeners: Vec::new() });
        e.status = status.clone();
        std::mem::take(&mut e.listeners)
    });
    let kept: Vec<Listener> = listeners.into_iter().filter(|l| l(&status)).collect();
    CACHE.with(|c| {
        if let Some(e) = c.borrow_mut().get_mut(url) {
            let added = std::mem::take(&mut e.listeners);
            e.listeners = kept;
            e.listeners.extend(added);
        }
    });
}

/// Starts the download of `url` unless one is in flight or done. Returns the status now.
fn ensure_started(url: &str) -> MnistStatus {
    let current = CACHE.with(|c| c.borrow().get(url).map(|e| e.status.clone()));
    match current {
        Some(
            s @ (MnistStatus::Loading { .. } | MnistStatus::Unpacking | MnistStatus::Ready(..)),
        ) => s,
        None | Some(MnistStatus::Failed(_)) => {
            let start = MnistStatus::Loading { loaded: 0, total: None };
            publish(url, start.clone());
            let url = url.to_string();
            leptos::task::spawn_local(async move {
                let u = url.clone();
                let result = download(&url, move |s| publish(&u, s)).await;
                let status = match result {
                    Ok((m, size)) => MnistStatus::Ready(Rc::new(m), size),
                    Err(e) => MnistStatus::Failed(e),
                };
                publish(&url, status);
            });
            start
        }
    }
}

/// The digits already parsed for `url` in this page, without starting anything.
pub fn cached(url: &str) -> Option<Rc<Mnist>> {
    CACHE.with(|c| match c.borrow().get(url).map(|e| &e.status) {
        Some(MnistStatus::Ready(m, _)) => Some(m.clone()),
        _ => None,
    })
}

/// A lesson's handle on the shared digits: a reactive [`MnistStatus`]. `Copy`; owned by the
/// reactive scope that created it (the lesson), while the download and its result belong to
/// the page.
#[derive(Clone, Copy)]
pub struct MnistLoader {
    url: StoredValue<String, LocalStorage>,
    status: RwSignal<MnistStatus, LocalStorage>,
}

impl MnistLoader {
    /// Loads (or joins the load of, or reuses) the shipped digits, [`MNIST_URL`].
    pub fn new() -> Self {
        Self::with_url(MNIST_URL)
    }

    /// Loads the digits file at `url` (tests point this at a missing or corrupt file).
    pub fn with_url(url: &str) -> Self {
        let status = RwSignal::new_local(ensure_started(url));
        let loader = MnistLoader { url: StoredValue::new_local(url.to_string()), status };
        loader.listen();
        loader
    }

    fn listen(&self) {
        let status = self.status;
        let url = self.url.get_value();
        let listener: Listener = Box::new(move |s: &MnistStatus| {
            if status.is_disposed() {
                return false;
            }
            status.set(s.clone());
            true
        });
        CACHE.with(|c| {
            if let Some(e) = c.borrow_mut().get_mut(&url) {
                e.listeners.push(listener);
            }
        });
    }

    /// The status (reactive).
    pub fn status(&self) -> MnistStatus {
        self.status.get()
    }

    /// The digits once ready (reactive): `None` while loading or after a failure.
    pub fn data(&self) -> Option<Rc<Mnist>> {
        self.status.with(|s| match s {
            MnistStatus::Ready(m, _) => Some(m.clone()),
            _ => None,
        })
    }

    /// The status, without tracking (event handlers, tests).
    pub fn status_untracked(&self) -> MnistStatus {
        self.status.get_untracked()
    }

    /// The digits once ready, without tracking (event handlers, tests).
    pub fn data_untracked(&self) -> Option<Rc<Mnist>> {
        self.status.with_untracked(|s| match s {
            MnistStatus::Ready(m, _) => Some(m.clone()),
            _ => None,
        })
    }

    /// True once the digits are ready (reactive).
    pub fn is_ready(&self) -> bool {
        self.status.with(|s| matches!(s, MnistStatus::Ready(..)))
    }

    /// After a failure, starts the download again (does nothing otherwise).
    pub fn retry(&self) {
        let failed = self.status.with_untracked(|s| matches!(s, MnistStatus::Failed(_)));
        if failed {
            let url = self.url.get_value();
            let now = ensure_started(&url);
            self.status.set(now);
        }
    }
}

impl Default for MnistLoader {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
extern "C" {
    /// The browser's `DecompressionStream` (bound here: web-sys gates it behind unstable APIs).
    #[wasm_bindgen(js_name = DecompressionStream)]
    type JsDecompressionStream;

    #[wasm_bindgen(constructor, catch, js_class = "DecompressionStream")]
    fn new(format: &str) -> Result<JsDecompressionStream, JsValue>;
}

/// A JS error value in words.
fn js_message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Fetches, streams (with progress), inflates and parses `url`. Returns the digits and the
/// number of bytes downloaded.
async fn download(url: &str, report: impl Fn(MnistStatus)) -> Result<(Mnist, u64), LoadError> {
    let progress = |loaded, total| report(MnistStatus::Loading { loaded, total });
    let net = |e: JsValue| LoadError::Network(js_message(&e));
    let window = web_sys::window().ok_or_else(|| LoadError::Network("no window".into()))?;
    let resp: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(net)?.unchecked_into();
    if !resp.ok() {
        return Err(LoadError::Http(resp.status()));
    }
    let total = resp
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&n| n > 0);
    progress(0, total);
    let mut bytes: Vec<u8> = Vec::with_capacity(total.unwrap_or(0).min(64 << 20) as usize);
    if let Some(body) = resp.body() {
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        loop {
            let chunk: web_sys::ReadableStreamReadResult =
                JsFuture::from(reader.read()).await.map_err(net)?.unchecked_into();
            if chunk.get_done().unwrap_or(true) {
                break;
            }
            let part = js_sys::Uint8Array::new(&chunk.get_value());
            let at = bytes.len();
            bytes.resize(at + part.length() as usize, 0);
            part.copy_to(&mut bytes[at..]);
            progress(bytes.len() as u64, total);
        }
    } else {
        // No stream (very old browsers): the whole body at once.
        let buf = JsFuture::from(resp.array_buffer().map_err(net)?).await.map_err(net)?;
        bytes = js_sys::Uint8Array::new(&buf).to_vec();
        progress(bytes.len() as u64, total);
    }
    let size = bytes.len() as u64;
    report(MnistStatus::Unpacking);
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) { inflate(&bytes).await? } else { bytes };
    mnist::parse(&raw).map(|m| (m, size)).map_err(LoadError::Corrupt)
}

/// Inflates gzip bytes with `DecompressionStream("gzip")`.
async fn inflate(gz: &[u8]) -> Result<Vec<u8>, LoadError> {
    let err = |e: JsValue| LoadError::Inflate(js_message(&e));
    let ds = JsDecompressionStream::new("gzip").map_err(err)?;
    // A DecompressionStream is a {readable, writable} pair, exactly what pipeThrough takes.
    let pair: &web_sys::ReadableWritablePair = ds.unchecked_ref();
    let input = js_sys::Uint8Array::from(gz);
    let source = web_sys::Response::new_with_opt_buffer_source(Some(&input)).map_err(err)?;
    let body = source.body().ok_or_else(|| LoadError::Inflate("empty body".into()))?;
    let out = web_sys::Response::new_with_opt_readable_stream(Some(&body.pipe_through(pair)))
        .map_err(err)?;
    let buf = JsFuture::from(out.array_buffer().map_err(err)?).await.map_err(err)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// `1.6 MB`-style size (decimal megabytes, one decimal).
fn megabytes(n: u64) -> String {
    format!("{:.1}", n as f64 / 1e6)
}

/// The loader's status for the page: a `<progress>` with the bytes while downloading, a line
/// while unpacking, "10,000 digits" when ready, or the error and a Retry button (`role=alert`).
/// `data-testid="mnist-status"` carries `data-state` = `loading|unpacking|ready|failed`.
#[component]
pub fn MnistStatusView(loader: MnistLoader) -> impl IntoView {
    let i18n = I18n::current();
    let state = move || {
        loader.status.with(|s| match s {
            MnistStatus::Loading { .. } => "loading",
            MnistStatus::Unpacking => "unpacking",
            MnistStatus::Ready(..) => "ready",
            MnistStatus::Failed(_) => "failed",
        })
    };
    let body = move || {
        let lang = i18n.lang.get();
        match loader.status() {
            MnistStatus::Loading { loaded, total } => {
                let text = match total {
                    Some(t) => tr_fmt(
                        lang,
                        "mnist.loading_of",
                        &[("got", &megabytes(loaded)), ("total", &megabytes(t))],
                    ),
                    None => tr_fmt(lang, "mnist.loading_bytes", &[("got", &megabytes(loaded))]),
                };
                // Without a length the bar is indeterminate (no value attribute).
                let (max, value) = match total {
                    Some(t) => (t.max(1) as f64, Some(loaded.min(t) as f64)),
                    None => (1.0, None),
                };
                view! {
                    <label class="mnist-progress">
                        <span>{text}</span>
                        <progress max=max value=value data-testid="mnist-progress"></progress>
                    </label>
                }
                .into_any()
            }
            MnistStatus::Unpacking => {
                view! { <span class="mnist-line">{tr(lang, "mnist.unpacking")}</span> }.into_any()
            }
            MnistStatus::Ready(m, size) => {
                let n = group_thousands(m.len());
                let text = tr_fmt(lang, "mnist.ready", &[("n", &n), ("size", &megabytes(size))]);
                view! { <span class="mnist-line">{text}</span> }.into_any()
            }
            MnistStatus::Failed(e) => view! {
                <div class="mnist-error" role="alert">
                    <p data-testid="mnist-error">{e.message(lang)}</p>
                    <p class="mnist-hint">{tr(lang, "mnist.err_hint")}</p>
                    <button
                        type="button"
                        data-testid="mnist-retry"
                        on:click=move |_| loader.retry()
                    >
                        {tr(lang, "mnist.retry")}
                    </button>
                </div>
            }
            .into_any(),
        }
    };
    view! {
        <div
            class="mnist-status"
            data-testid="mnist-status"
            data-state=state
            role="status"
            aria-live="polite"
        >
            {body}
        </div>
    }
}

/// `10000` → `10,000`.
fn group_thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
