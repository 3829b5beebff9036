//! Time on the page: a monotonic clock in milliseconds and awaitable pauses that hand the
//! thread back to the browser (a macrotask: frames, input and timers run meanwhile), so long
//! work can be cut into slices.

pub use crate::compute::now_ms;

/// Resolves after `ms` milliseconds (`setTimeout`); at once if the timer cannot be set.
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let ok = web_sys::window()
            .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).is_ok())
            .unwrap_or(false);
        if !ok {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// Yields to the browser for one macrotask.
pub async fn yield_now() {
    sleep(0).await
}
