//! Browser-only facts about WebGPU, read from JavaScript with `js_sys::Reflect` (so no
//! unstable web-sys API is needed): whether `navigator.gpu` exists, and the adapter's
//! `GPUAdapterInfo` (vendor, architecture, device, description) and `isFallbackAdapter`.

use super::adapter::BrowserAdapterInfo;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn navigator_gpu() -> Option<JsValue> {
    let global = js_sys::global();
    let navigator = Reflect::get(&global, &JsValue::from_str("navigator")).ok()?;
    let gpu = Reflect::get(&navigator, &JsValue::from_str("gpu")).ok()?;
    (!gpu.is_undefined() && !gpu.is_null()).then_some(gpu)
}

/// True when the browser exposes `navigator.gpu`.
pub fn has_webgpu() -> bool {
    navigator_gpu().is_some()
}

fn string_field(obj: &JsValue, key: &str) -> String {
    Reflect::get(obj, &JsValue::from_str(key)).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

fn bool_field(obj: &JsValue, key: &str) -> Option<bool> {
    Reflect::get(obj, &JsValue::from_str(key)).ok().and_then(|v| v.as_bool())
}

/// Asks `navigator.gpu.requestAdapter({powerPreference: "high-performance"})` (the same
/// request wgpu makes) and reads the adapter's info. `None` when WebGPU or the adapter is
/// unavailable.
pub async fn adapter_info() -> Option<BrowserAdapterInfo> {
    let gpu = navigator_gpu()?;
    let request: Function =
        Reflect::get(&gpu, &JsValue::from_str("requestAdapter")).ok()?.dyn_into().ok()?;
    let options = js_sys::Object::new();
    Reflect::set(&options, &"powerPreference".into(), &"high-performance".into()).ok()?;
    let promise: Promise = request.call1(&gpu, &options).ok()?.dyn_into().ok()?;
    let adapter = JsFuture::from(promise).await.ok()?;
    if adapter.is_null() || adapter.is_undefined() {
        return None;
    }
    let info = Reflect::get(&adapter, &JsValue::from_str("info")).unwrap_or(JsValue::UNDEFINED);
    let is_fallback = bool_field(&info, "isFallbackAdapter")
        .or_else(|| bool_field(&adapter, "isFallbackAdapter"));
    Some(BrowserAdapterInfo {
        vendor: string_field(&info, "vendor"),
        architecture: string_field(&info, "architecture"),
        device: string_field(&info, "device"),
        description: string_field(&info, "description"),
        is_fallback,
    })
}
