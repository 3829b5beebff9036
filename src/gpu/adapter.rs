//! What we know about a GPU adapter, and whether it is a *software* rasteriser.
//!
//! A software adapter (Mesa's llvmpipe/lavapipe, Chromium's SwiftShader, Microsoft WARP…)
//! runs "GPU" kernels on the CPU cores, usually slower than plain CPU code and at the cost of
//! the page's responsiveness. dlviz therefore never picks one automatically (see
//! [`crate::compute`]). The classification combines every clue available:
//!
//! * wgpu's [`wgpu::DeviceType::Cpu`] (native drivers report it; on the web wgpu sets it when
//!   the browser's `GPUAdapterInfo.isFallbackAdapter` is true),
//! * the browser's `isFallbackAdapter` flag (read from JavaScript, see `gpu::browser`),
//! * names: the adapter name, vendor, architecture, device and description are searched for
//!   the words in [`SOFTWARE_MARKERS`].
//!
//! This module is web-free and does not touch a device.

/// Lower-case substrings that identify a software adapter in any of its names.
pub const SOFTWARE_MARKERS: &[&str] =
    &["swiftshader", "llvmpipe", "lavapipe", "software", "softpipe", "warp", "basic render"];

/// The kind of device, as far as the driver or browser says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// A GPU built into the CPU package.
    Integrated,
    /// A separate GPU.
    Discrete,
    /// A virtualised GPU.
    Virtual,
    /// A CPU implementation (software rasteriser).
    Cpu,
    /// Not reported (the usual case in browsers).
    Unknown,
}

/// Everything dlviz knows about one adapter, from wgpu and (in the browser) from JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterFacts {
    /// wgpu's adapter name (empty in browsers that hide it).
    pub name: String,
    /// Vendor, e.g. `"nvidia"`, `"google"` (browser `GPUAdapterInfo.vendor`, or wgpu's PCI id).
    pub vendor: String,
    /// Architecture, e.g. `"ampere"`, `"swiftshader"` (browser only).
    pub architecture: String,
    /// Device name or id (browser `GPUAdapterInfo.device`, or wgpu's PCI id).
    pub device: String,
    /// Free-text description (browser `GPUAdapterInfo.description`, or wgpu's driver string).
    pub description: String,
    /// The device kind.
    pub kind: DeviceKind,
    /// The browser's `isFallbackAdapter`, when it says.
    pub is_fallback: Option<bool>,
    /// The graphics API behind the adapter (`"vulkan"`, `"webgpu"`…).
    pub backend: String,
}

impl AdapterFacts {
    /// Facts about an adapter of unknown identity.
    pub fn unknown() -> Self {
        Self {
            name: String::new(),
            vendor: String::new(),
            architecture: String::new(),
            device: String::new(),
            description: String::new(),
            kind: DeviceKind::Unknown,
            is_fallback: None,
            backend: String::new(),
        }
    }

    /// Converts wgpu's adapter info.
    pub fn from_wgpu(info: &wgpu::AdapterInfo) -> Self {
        let kind = match info.device_type {
            wgpu::DeviceType::IntegratedGpu => DeviceKind::Integrated,
            wgpu::DeviceType::DiscreteGpu => DeviceKind::Discrete,
            wgpu::DeviceType::VirtualGpu => DeviceKind::Virtual,
            wgpu::DeviceType::Cpu => DeviceKind::Cpu,
            wgpu::DeviceType::Other => DeviceKind::Unknown,
        };
        let hex = |v: u32| if v == 0 { String::new() } else { format!("0x{v:04x}") };
        let description = [info.driver.as_str(), info.driver_info.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            name: info.name.clone(),
            vendor: hex(info.vendor),
            architecture: String::new(),
            device: hex(info.device),
            description,
            kind,
            is_fallback: None,
            backend: info.backend.to_str().to_string(),
        }
    }

    /// Fills empty fields from the browser's `GPUAdapterInfo` (which is more complete than
    /// what wgpu reports on the web) and records its fallback flag.
    pub fn merge_browser(&mut self, browser: &BrowserAdapterInfo) {
        let fill = |dst: &mut String, src: &str| {
            if !src.is_empty() && (dst.is_empty() || dst.starts_with("0x")) {
                *dst = src.to_string();
            }
        };
        fill(&mut self.vendor, &browser.vendor);
        fill(&mut self.architecture, &browser.architecture);
        fill(&mut self.device, &browser.device);
        fill(&mut self.description, &browser.description);
        if browser.is_fallback.is_some() {
            self.is_fallback = browser.is_fallback;
        }
        if self.is_fallback == Some(true) {
            self.kind = DeviceKind::Cpu;
        }
    }

    /// The first software marker found in any name, if any.
    pub fn software_marker(&self) -> Option<&'static str> {
        let fields =
            [&self.name, &self.vendor, &self.architecture, &self.device, &self.description];
        SOFTWARE_MARKERS.iter().copied().find(|m| {
            fields.iter().any(|f| {
                let f = f.to_ascii_lowercase();
                // "warp" must be a whole word: "Microsoft Basic Render Driver (WARP)".
                if *m == "warp" {
                    f.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "warp")
                } else {
                    f.contains(m)
                }
            })
        })
    }

    /// True for a software adapter: device kind `Cpu`, browser fallback adapter, or a
    /// software marker in any of its names.
    pub fn is_software(&self) -> bool {
        self.kind == DeviceKind::Cpu
            || self.is_fallback == Some(true)
            || self.software_marker().is_some()
    }

    /// A short human label: the best of name, description, "vendor architecture", device.
    pub fn label(&self) -> String {
        let va = [self.vendor.as_str(), self.architecture.as_str()]
            .iter()
            .filter(|s| !s.is_empty() && !s.starts_with("0x"))
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        [self.name.as_str(), self.description.as_str(), va.as_str(), self.device.as_str()]
            .iter()
            .find(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| "?".to_string())
    }
}

/// The fields of the browser's `GPUAdapter.info` (and `isFallbackAdapter`), as read from
/// JavaScript. Empty strings where the browser hides a value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrowserAdapterInfo {
    /// `info.vendor`.
    pub vendor: String,
    /// `info.architecture`.
    pub architecture: String,
    /// `info.device`.
    pub device: String,
    /// `info.description`.
    pub description: String,
    /// `info.isFallbackAdapter` (newer browsers) or `adapter.isFallbackAdapter` (older).
    pub is_fallback: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> AdapterFacts {
        AdapterFacts { name: name.into(), kind: DeviceKind::Discrete, ..AdapterFacts::unknown() }
    }

    #[test]
    fn software_by_name() {
        assert!(named("llvmpipe (LLVM 15.0.6, 256 bits)").is_software());
        assert!(named("Microsoft Basic Render Driver").is_software());
        assert!(named("Microsoft Basic Render Driver (WARP)").is_software());
        assert!(!named("NVIDIA GeForce RTX 4090").is_software());
        assert!(!named("AMD Radeon RX 7900 XTX").is_software());
        // "warp" only as a word: not inside other words.
        assert!(!named("Warpath GPU").is_software());
    }

    #[test]
    fn software_by_kind_or_fallback() {
        let cpu = AdapterFacts { kind: DeviceKind::Cpu, ..named("Some GPU") };
        assert!(cpu.is_software());
        let fb = AdapterFacts { is_fallback: Some(true), ..named("Some GPU") };
        assert!(fb.is_software());
    }

    #[test]
    fn browser_swiftshader() {
        let mut f = AdapterFacts { backend: "webgpu".into(), ..AdapterFacts::unknown() };
        assert!(!f.is_software());
        f.merge_browser(&BrowserAdapterInfo {
            vendor: "google".into(),
            architecture: "swiftshader".into(),
            is_fallback: Some(false),
            ..Default::default()
        });
        assert!(f.is_software());
        assert_eq!(f.software_marker(), Some("swiftshader"));
        assert_eq!(f.label(), "google swiftshader");
    }

    #[test]
    fn browser_hardware_labels() {
        let mut f = AdapterFacts::unknown();
        f.merge_browser(&BrowserAdapterInfo {
            vendor: "nvidia".into(),
            architecture: "ampere".into(),
            ..Default::default()
        });
        assert!(!f.is_software());
        assert_eq!(f.label(), "nvidia ampere");
        assert_eq!(AdapterFacts::unknown().label(), "?");
    }
}
