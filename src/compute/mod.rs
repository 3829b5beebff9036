//! The compute backend the app uses: the CPU (`crate::core`, wasm SIMD in the browser) or
//! WebGPU (`crate::gpu`), chosen by **measurement, not presence**.
//!
//! The rule ([`decide`]), a pure function of the user's [`Preference`], what is known of the
//! adapter and the calibration timings:
//!
//! * a forced choice (`backend=cpu|gpu` in the URL) is obeyed when possible;
//! * in `auto`, a **software adapter** (SwiftShader, llvmpipe/lavapipe, WARP…; see
//!   [`crate::gpu::adapter`]) is never picked: it computes on the same CPU cores, slower;
//! * in `auto`, a hardware GPU is picked only when a short calibration — the same convolution
//!   on both backends, median of several runs, GPU time including upload and readback — shows
//!   `t_gpu < 0.9 · t_cpu` ([`SPEEDUP_MARGIN`]); until then the CPU serves.
//!
//! [`Compute`] runs operations on the chosen backend. A GPU failure never reaches the
//! caller: the operation is recomputed on the CPU and a notice (the reason) is kept for the UI;
//! a fatal failure (device lost) retires the GPU for the session.
//!
//! [`dense`] applies the same rule to training a dense network: the CPU engine or the
//! GPU-resident trainer, whichever this network's measured step says; [`vae`] to the VAE.

pub mod dense;
pub mod policy;
pub mod vae;

use crate::core::activation::relu_inplace;
use crate::core::matmul::{gemm, Gemm};
use crate::core::{Conv2dParams, ConvError, Rng, ShapeError, Tensor};
pub use crate::gpu::{AdapterFacts, Gpu, GpuError};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// Where an operation ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// `crate::core` on the CPU (wasm SIMD128 in the browser).
    Cpu,
    /// WebGPU through wgpu.
    WebGpu,
}

/// The user's choice of backend, stored in the URL as `backend=auto|cpu|gpu`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Preference {
    /// Let the measurement decide.
    #[default]
    Auto,
    /// Always the CPU.
    Cpu,
    /// WebGPU whenever a device is available (even a software one).
    WebGpu,
}

/// The URL values of [`Preference`], in order.
pub const PREFERENCE_CODES: &[&str] = &["auto", "cpu", "gpu"];

impl Preference {
    /// The URL value: `auto`, `cpu` or `gpu`.
    pub fn code(self) -> &'static str {
        match self {
            Preference::Auto => "auto",
            Preference::Cpu => "cpu",
            Preference::WebGpu => "gpu",
        }
    }

    /// Parses a URL value (`webgpu` is accepted for `gpu`); `None` if unknown.
    pub fn from_code(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Preference::Auto),
            "cpu" => Some(Preference::Cpu),
            "gpu" | "webgpu" => Some(Preference::WebGpu),
            _ => None,
        }
    }
}

/// Median wall-clock times of the calibration workload, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timings {
    /// CPU median.
    pub cpu_ms: f64,
    /// GPU median, including upload, dispatch and readback.
    pub gpu_ms: f64,
}

/// The GPU must take less than this fraction of the CPU time to be picked automatically, so
/// that timing noise between near-equal backends does not flip the choice.
pub const SPEEDUP_MARGIN: f64 = 0.9;

/// What is known about the GPU when deciding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GpuAvailability<'a> {
    /// Initialisation has not finished (or not started).
    Pending,
    /// There is no usable GPU; the message says why.
    Unavailable(&'a str),
    /// A device is open on this adapter.
    Ready(&'a AdapterFacts),
}

/// Why the active backend is what it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The user chose the CPU.
    ForcedCpu,
    /// The user chose WebGPU.
    ForcedGpu,
    /// WebGPU is still starting.
    Initializing,
    /// A hardware GPU is ready; the calibration has not finished.
    Calibrating,
    /// The adapter is a software rasteriser (never picked automatically).
    SoftwareAdapter,
    /// Measured slower than (or not clearly faster than) the CPU.
    SlowerThanCpu(Timings),
    /// Measured faster than the CPU.
    FasterThanCpu(Timings),
    /// No usable GPU (no WebGPU, no adapter, device lost, wrong results…).
    Unavailable(String),
}

/// The choice and its reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The backend to use.
    pub backend: BackendKind,
    /// Why.
    pub reason: Reason,
}

/// The pure decision rule (see the module docs).
///
/// ```
/// use dlviz::compute::{decide, BackendKind, GpuAvailability, Preference, Reason, Timings};
/// use dlviz::gpu::{AdapterFacts, DeviceKind};
/// let gpu = AdapterFacts { name: "NVIDIA RTX".into(), kind: DeviceKind::Discrete, ..AdapterFacts::unknown() };
/// let fast = Timings { cpu_ms: 10.0, gpu_ms: 2.0 };
/// let d = decide(Preference::Auto, GpuAvailability::Ready(&gpu), Some(fast));
/// assert_eq!(d.backend, BackendKind::WebGpu);
/// let sw = AdapterFacts { name: "llvmpipe".into(), ..gpu.clone() };
/// let d = decide(Preference::Auto, GpuAvailability::Ready(&sw), Some(fast));
/// assert_eq!((d.backend, d.reason), (BackendKind::Cpu, Reason::SoftwareAdapter));
/// ```
pub fn decide(pref: Preference, gpu: GpuAvailability<'_>, timings: Option<Timings>) -> Decision {
    let cpu = |reason| Decision { backend: BackendKind::Cpu, reason };
    match (pref, gpu) {
        (Preference::Cpu, _) => cpu(Reason::ForcedCpu),
        (_, GpuAvailability::Pending) => cpu(Reason::Initializing),
        (_, GpuAvailability::Unavailable(m)) => cpu(Reason::Unavailable(m.to_string())),
        (Preference::WebGpu, GpuAvailability::Ready(_)) => {
            Decision { backend: BackendKind::WebGpu, reason: Reason::ForcedGpu }
        }
        (Preference::Auto, GpuAvailability::Ready(facts)) => {
            if facts.is_software() {
                return cpu(Reason::SoftwareAdapter);
            }
            match timings {
                None => cpu(Reason::Calibrating),
                Some(t) if gpu_clearly_faster(t) => {
                    Decision { backend: BackendKind::WebGpu, reason: Reason::FasterThanCpu(t) }
                }
                Some(t) => cpu(Reason::SlowerThanCpu(t)),
            }
        }
    }
}

fn gpu_clearly_faster(t: Timings) -> bool {
    t.cpu_ms.is_finite()
        && t.gpu_ms.is_finite()
        && t.gpu_ms >= 0.0
        && t.gpu_ms < SPEEDUP_MARGIN * t.cpu_ms
}

/// Whether an operation of `macs` multiply–adds is worth a GPU round trip in automatic mode,
/// given the calibration timings `t` of a workload of `workload_macs` and the measured
/// `round_trip_ms` of a near-empty GPU operation ([`measure_round_trip`]).
///
/// The cost model: the CPU's time scales with the work, `cpu(macs) = t.cpu_ms · macs / W`; the
/// GPU pays a fixed round trip (upload, dispatch, readback) plus a rate fitted to the
/// calibration, `gpu(macs) = rt + (t.gpu_ms − rt) · macs / W`. The operation goes to the GPU
/// when `gpu(macs) < 0.9 · cpu(macs)`, the same margin as the backend choice. Without a
/// round-trip measurement the whole calibration time counts as fixed cost (`rt = t.gpu_ms`),
/// the cautious reading.
///
/// ```
/// use dlviz::compute::{worth_gpu, Timings};
/// let t = Timings { cpu_ms: 2.0, gpu_ms: 0.5 }; // calibration of 1 M multiply–adds
/// // A 0.3 ms round trip: 0.2 M MACs cost 0.4 ms on the CPU, 0.3 + 0.04 ms on the GPU.
/// assert!(worth_gpu(t, Some(0.3), 200_000, 1_000_000));
/// assert!(!worth_gpu(t, Some(0.3), 100_000, 1_000_000)); // 0.2 ms on the CPU
/// // Unmeasured: the 0.5 ms counts as a round trip, so 0.2 M MACs stay on the CPU.
/// assert!(!worth_gpu(t, None, 200_000, 1_000_000));
/// assert!(worth_gpu(t, None, 25_000_000, 1_000_000)); // 50 ms on the CPU
/// ```
pub fn worth_gpu(
    t: Timings,
    round_trip_ms: Option<f64>,
    macs: usize,
    workload_macs: usize,
) -> bool {
    if workload_macs == 0 {
        return false;
    }
    let scale = macs as f64 / workload_macs as f64;
    let rt = match round_trip_ms {
        Some(rt) if rt.is_finite() && rt >= 0.0 => rt.min(t.gpu_ms),
        _ => t.gpu_ms,
    };
    let gpu_estimate = rt + (t.gpu_ms - rt) * scale;
    gpu_clearly_faster(Timings { cpu_ms: t.cpu_ms * scale, gpu_ms: gpu_estimate })
}

/// The median of `xs` (mean of the two middle values for an even count); `None` if empty
/// or if any value is NaN.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() || xs.iter().any(|x| x.is_nan()) {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[m] } else { 0.5 * (v[m - 1] + v[m]) })
}

/// Why an operation could not be computed at all (bad shapes). GPU failures are not errors:
/// they fall back to the CPU.
#[derive(Debug, Clone, PartialEq)]
pub enum ComputeError {
    /// The convolution is not defined for these shapes or parameters.
    Conv(ConvError),
    /// Operand lengths do not match the operation's shape.
    Shape(ShapeError),
}

impl fmt::Display for ComputeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComputeError::Conv(e) => write!(f, "{e}"),
            ComputeError::Shape(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ComputeError {}

impl From<ShapeError> for ComputeError {
    fn from(e: ShapeError) -> Self {
        ComputeError::Shape(e)
    }
}

impl From<ConvError> for ComputeError {
    fn from(e: ConvError) -> Self {
        ComputeError::Conv(e)
    }
}

/// Milliseconds from an arbitrary origin, monotonic where the platform allows.
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now())
            .unwrap_or_else(js_sys::Date::now)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::sync::OnceLock;
        use std::time::Instant;
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
    }
}

/// The convolution on the CPU, with optional ReLU: the reference the GPU must match.
///
/// `input: (N, C, H, W)`, `weight: (F, C, KH, KW)`, `bias: (F)` → `(N, F, H', W')`.
pub fn cpu_conv2d(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&[f32]>,
    p: Conv2dParams,
    relu: bool,
) -> Result<Tensor, ConvError> {
    let mut out = Vec::new();
    let shape = crate::core::conv::conv2d_into(input, weight, bias, p, relu, &mut out)?;
    Ok(Tensor::new(shape.to_vec(), out)?)
}

/// The calibration workload: one 4-channel 64×64 image, eight 3×3 filters, padding 1, bias
/// and ReLU — the size of the lesson's feature maps. Deterministic (seeded).
pub struct Workload {
    /// `(1, 4, 64, 64)`.
    pub input: Tensor,
    /// `(8, 4, 3, 3)`.
    pub weight: Tensor,
    /// `(8)`.
    pub bias: Vec<f32>,
    /// Stride 1, padding 1, dilation 1.
    pub params: Conv2dParams,
}

impl Workload {
    /// Multiply–adds of the convolution: `N·F·H'·W'·C·KH·KW` (0 if the shapes are invalid).
    pub fn macs(&self) -> usize {
        crate::core::conv::output_shape(&self.input, &self.weight, Some(&self.bias), self.params)
            .map(|[n, f, h, w]| {
                let s = self.weight.shape();
                n * f * h * w * s[1] * s[2] * s[3]
            })
            .unwrap_or(0)
    }

    /// The standard calibration workload.
    pub fn standard() -> Self {
        Self::sized(1, 4, 64, 8, 3)
    }

    /// A workload of `n` images of `c` channels `hw`×`hw`, `f` filters `k`×`k`, padding `k/2`.
    pub fn sized(n: usize, c: usize, hw: usize, f: usize, k: usize) -> Self {
        let mut rng = Rng::new(0x00C0_FFEE);
        let input = Tensor::from_fn(vec![n, c, hw, hw], |_| rng.uniform_in(-1.0, 1.0));
        let weight = Tensor::from_fn(vec![f, c, k, k], |_| rng.uniform_in(-0.5, 0.5));
        let bias = (0..f).map(|_| rng.uniform_in(-0.1, 0.1)).collect();
        Self {
            input,
            weight,
            bias,
            params: Conv2dParams { stride: 1, padding: k / 2, dilation: 1 },
        }
    }
}

/// Largest `|gpu − cpu| − (atol + rtol·|cpu|)` over all elements (≤ 0 means within
/// tolerance); `+∞` when the shapes differ or a value is not finite.
pub fn excess_error(gpu: &Tensor, cpu: &Tensor, atol: f32, rtol: f32) -> f32 {
    if gpu.shape() != cpu.shape() {
        return f32::INFINITY;
    }
    gpu.data()
        .iter()
        .zip(cpu.data())
        .map(|(g, c)| {
            let e = (g - c).abs() - (atol + rtol * c.abs());
            if e.is_nan() {
                f32::INFINITY
            } else {
                e
            }
        })
        .fold(f32::NEG_INFINITY, f32::max)
}

/// Times `runs` runs of `w` on both backends (after one untimed warm-up each) and returns the
/// medians. Fails if the GPU fails or disagrees with the CPU beyond `1e-4 + 1e-4·|y|`.
pub async fn measure(gpu: &Gpu, w: &Workload, runs: usize) -> Result<Timings, GpuError> {
    let runs = runs.max(1);
    let cpu_once = || cpu_conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true);
    let reference = cpu_once()?;
    let mut cpu_t = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t0 = now_ms();
        let y = cpu_once()?;
        cpu_t.push(now_ms() - t0);
        std::hint::black_box(y);
    }
    let warm = gpu.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true).await?;
    if excess_error(&warm, &reference, 1e-4, 1e-4) > 0.0 {
        return Err(GpuError::Internal("the GPU's results disagree with the CPU's".into()));
    }
    let mut gpu_t = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t0 = now_ms();
        let y = gpu.conv2d(&w.input, &w.weight, Some(&w.bias), w.params, true).await?;
        gpu_t.push(now_ms() - t0);
        std::hint::black_box(y);
    }
    match (median(&cpu_t), median(&gpu_t)) {
        (Some(cpu_ms), Some(gpu_ms)) => Ok(Timings { cpu_ms, gpu_ms }),
        _ => Err(GpuError::Internal("timing failed".into())),
    }
}

/// The median time of a near-empty GPU operation — a 1×1×1 product: upload two floats,
/// dispatch, read one back — after a warm-up run; in milliseconds. It is the fixed cost every
/// GPU operation pays before any work, the `rt` of [`worth_gpu`]. A wrong result retires the GPU
/// like a failed calibration.
pub async fn measure_round_trip(gpu: &Gpu, runs: usize) -> Result<f64, GpuError> {
    let g = Gemm::new(1, 1, 1);
    let once = || gpu.matmul(g, &[2.0], &[3.0], None);
    if once().await? != [6.0] {
        return Err(GpuError::Internal("the GPU's results disagree with the CPU's".into()));
    }
    let mut t = Vec::with_capacity(runs.max(1));
    for _ in 0..runs.max(1) {
        let t0 = now_ms();
        std::hint::black_box(once().await?);
        t.push(now_ms() - t0);
    }
    median(&t).ok_or_else(|| GpuError::Internal("timing failed".into()))
}

/// Runs of each backend in the calibration.
pub const CALIBRATION_RUNS: usize = 5;

enum GpuSlot {
    NotStarted,
    Initializing,
    Ready(Rc<Gpu>),
    Unavailable(String),
}

/// A status listener registered with [`Compute::subscribe`].
type Listener = Rc<dyn Fn(&Status)>;

struct Inner {
    pref: Preference,
    gpu: GpuSlot,
    timings: Option<Timings>,
    /// [`measure_round_trip`]'s result, measured with the calibration.
    round_trip_ms: Option<f64>,
    calibrating: bool,
    notice: Option<String>,
    listeners: Vec<Listener>,
    /// Set by [`Compute::release`]: a GPU that finishes opening later is destroyed at once.
    released: bool,
    /// Backend decisions measured per model on the open GPU ([`policy::choose`]).
    models: std::collections::HashMap<policy::ModelKey, Decision>,
}

/// Everything the backend indicator shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// The user's choice.
    pub preference: Preference,
    /// The backend operations run on now.
    pub active: BackendKind,
    /// Why.
    pub reason: Reason,
    /// The GPU adapter, when a device is open.
    pub adapter: Option<AdapterFacts>,
    /// Calibration result, when measured.
    pub timings: Option<Timings>,
    /// The GPU's measured round trip (ms), when measured.
    pub round_trip_ms: Option<f64>,
    /// The last GPU failure that made an operation fall back to the CPU.
    pub notice: Option<String>,
    /// WebGPU initialisation or calibration is running.
    pub busy: bool,
}

/// The app's compute handle: cheap to clone (shared state), single-threaded.
#[derive(Clone)]
pub struct Compute {
    inner: Rc<RefCell<Inner>>,
}

impl Default for Compute {
    fn default() -> Self {
        Self::new(Preference::Auto)
    }
}

impl Compute {
    /// A handle that computes on the CPU until [`Compute::start`] opens the GPU.
    pub fn new(pref: Preference) -> Self {
        Self {
            inner: Rc::new(RefCell::new(Inner {
                pref,
                gpu: GpuSlot::NotStarted,
                timings: None,
                round_trip_ms: None,
                calibrating: false,
                notice: None,
                listeners: Vec::new(),
                released: false,
                models: std::collections::HashMap::new(),
            })),
        }
    }

    /// Calls `f` with the new status after every change of [`Compute::status`]. (The
    /// listener receives the status rather than the handle, so it need not capture the
    /// handle, which would make a reference cycle.)
    pub fn subscribe(&self, f: impl Fn(&Status) + 'static) {
        self.inner.borrow_mut().listeners.push(Rc::new(f));
    }

    fn notify(&self) {
        let listeners = self.inner.borrow().listeners.clone();
        if listeners.is_empty() {
            return;
        }
        let status = self.status();
        for l in listeners {
            l(&status);
        }
    }

    /// The user's choice.
    pub fn preference(&self) -> Preference {
        self.inner.borrow().pref
    }

    /// Changes the user's choice (call [`Compute::start`] afterwards to open or calibrate the
    /// GPU if the new choice needs it).
    pub fn set_preference(&self, pref: Preference) {
        self.inner.borrow_mut().pref = pref;
        self.notify();
    }

    /// The open GPU, if any.
    pub fn gpu(&self) -> Option<Rc<Gpu>> {
        match &self.inner.borrow().gpu {
            GpuSlot::Ready(g) => Some(g.clone()),
            _ => None,
        }
    }

    /// The current decision.
    pub fn decision(&self) -> Decision {
        let inner = self.inner.borrow();
        let avail = match &inner.gpu {
            GpuSlot::NotStarted | GpuSlot::Initializing => GpuAvailability::Pending,
            GpuSlot::Unavailable(m) => GpuAvailability::Unavailable(m),
            GpuSlot::Ready(g) => GpuAvailability::Ready(g.info()),
        };
        decide(inner.pref, avail, inner.timings)
    }

    /// The current status, for the indicator.
    pub fn status(&self) -> Status {
        let d = self.decision();
        let inner = self.inner.borrow();
        Status {
            preference: inner.pref,
            active: d.backend,
            reason: d.reason,
            adapter: match &inner.gpu {
                GpuSlot::Ready(g) => Some(g.info().clone()),
                _ => None,
            },
            timings: inner.timings,
            round_trip_ms: inner.round_trip_ms,
            notice: inner.notice.clone(),
            busy: matches!(inner.gpu, GpuSlot::Initializing) || inner.calibrating,
        }
    }

    /// Installs the outcome of a GPU initialisation (tests inject their own device, or a
    /// failure, here).
    pub fn set_gpu(&self, gpu: Result<Gpu, GpuError>) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.gpu = match gpu {
                Ok(g) => GpuSlot::Ready(Rc::new(g)),
                Err(e) => GpuSlot::Unavailable(e.to_string()),
            };
            inner.timings = None;
            inner.round_trip_ms = None;
            inner.models.clear();
        }
        self.notify();
    }

    /// Frees the GPU device (`GPUDevice.destroy()`), now or as soon as it finishes opening,
    /// when the owner of this handle goes away (the app unmounts). Browsers reclaim an
    /// unreferenced device only eventually; a page that mounts the app many times (the URL
    /// sweeps) otherwise piles up one device, with its compiled kernels, per mount. Later
    /// operations on this handle run on the CPU.
    pub fn release(&self) {
        let gpu = {
            let mut inner = self.inner.borrow_mut();
            inner.released = true;
            inner.models.clear();
            inner.timings = None;
            inner.round_trip_ms = None;
            std::mem::replace(&mut inner.gpu, GpuSlot::Unavailable("released".into()))
        };
        if let GpuSlot::Ready(g) = gpu {
            g.ctx.destroy();
        }
    }

    /// Opens the GPU if not yet done (unless the user chose the CPU), then calibrates it if
    /// the choice is automatic and the adapter is hardware. Never fails: outcomes are
    /// recorded in the status. Safe to call repeatedly.
    pub async fn start(&self) {
        let should_init = {
            let inner = self.inner.borrow();
            matches!(inner.gpu, GpuSlot::NotStarted) && inner.pref != Preference::Cpu
        };
        if should_init {
            self.inner.borrow_mut().gpu = GpuSlot::Initializing;
            self.notify();
            let gpu = open_gpu().await;
            if self.inner.borrow().released {
                // Released while opening (the app unmounted): free the device now.
                if let Ok(g) = gpu {
                    g.ctx.destroy();
                }
                return;
            }
            self.set_gpu(gpu);
        }
        self.calibrate().await;
    }

    /// Measures both backends if useful now (automatic choice, hardware adapter, not yet
    /// measured). A GPU that fails or computes wrong numbers is retired.
    pub async fn calibrate(&self) {
        let gpu = {
            let inner = self.inner.borrow();
            match &inner.gpu {
                GpuSlot::Ready(g)
                    if inner.pref == Preference::Auto
                        && !g.info().is_software()
                        && inner.timings.is_none()
                        && !inner.calibrating =>
                {
                    g.clone()
                }
                _ => return,
            }
        };
        self.inner.borrow_mut().calibrating = true;
        self.notify();
        let result = match measure(&gpu, &Workload::standard(), CALIBRATION_RUNS).await {
            Ok(t) => measure_round_trip(&gpu, CALIBRATION_RUNS).await.map(|rt| (t, rt)),
            Err(e) => Err(e),
        };
        {
            let mut inner = self.inner.borrow_mut();
            inner.calibrating = false;
            match result {
                Ok((t, rt)) => {
                    inner.timings = Some(t);
                    inner.round_trip_ms = Some(rt);
                }
                Err(e) => inner.gpu = GpuSlot::Unavailable(e.to_string()),
            }
        }
        self.notify();
    }

    /// Records a GPU failure: the notice for the UI, and the GPU retired if it is fatal.
    fn gpu_failed(&self, e: &GpuError) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.notice = Some(e.to_string());
            if e.is_fatal() {
                inner.gpu = GpuSlot::Unavailable(e.to_string());
            }
        }
        self.notify();
    }

    /// Clears the fallback notice (the user dismissed it).
    pub fn dismiss_notice(&self) {
        self.inner.borrow_mut().notice = None;
        self.notify();
    }

    /// 2-D convolution (then ReLU if `relu`) on the chosen backend; on a GPU failure the CPU
    /// recomputes it and the status gets a notice. Returns where it actually ran.
    ///
    /// `input: (N, C, H, W)`, `weight: (F, C, KH, KW)`, `bias: (F)` → `(N, F, H', W')`.
    pub async fn conv2d(
        &self,
        input: &Tensor,
        weight: &Tensor,
        bias: Option<&[f32]>,
        p: Conv2dParams,
        relu: bool,
    ) -> Result<(Tensor, BackendKind), ComputeError> {
        crate::gpu::conv2d::output_shape(input, weight, bias, p)?;
        if self.decision().backend == BackendKind::WebGpu {
            if let Some(gpu) = self.gpu() {
                match gpu.conv2d(input, weight, bias, p, relu).await {
                    Ok(y) => return Ok((y, BackendKind::WebGpu)),
                    Err(e) => self.gpu_failed(&e),
                }
            }
        }
        Ok((cpu_conv2d(input, weight, bias, p, relu)?, BackendKind::Cpu))
    }

    /// `C = op(A)·op(B)` (plus `c_in` when `g.accumulate`) on the chosen backend, with the
    /// same fallback as [`Compute::conv2d`]. In automatic mode a product goes to the GPU only
    /// when it is large enough to pay for the round trip ([`worth_gpu`]).
    ///
    /// `a: m×k` (`k×m` if `a_trans`), `b: k×n` (`n×k` if `b_trans`) → `C: m×n`.
    pub async fn matmul(
        &self,
        g: Gemm,
        a: &[f32],
        b: &[f32],
        c_in: Option<&[f32]>,
    ) -> Result<(Vec<f32>, BackendKind), ComputeError> {
        let mut c = match c_in {
            Some(c) => c.to_vec(),
            None => vec![0.0; g.m * g.n],
        };
        g.check(a, b, &c)?;
        let d = self.decision();
        let rt = self.inner.borrow().round_trip_ms;
        let big_enough = match d.reason {
            Reason::FasterThanCpu(t) => worth_gpu(t, rt, g.macs(), Workload::standard().macs()),
            _ => true,
        };
        if d.backend == BackendKind::WebGpu && big_enough {
            if let Some(gpu) = self.gpu() {
                match gpu.matmul(g, a, b, c_in).await {
                    Ok(y) => return Ok((y, BackendKind::WebGpu)),
                    Err(e) => self.gpu_failed(&e),
                }
            }
        }
        gemm(g, a, b, &mut c)?;
        Ok((c, BackendKind::Cpu))
    }

    /// ReLU on the chosen backend, with the same fallback as [`Compute::conv2d`].
    pub async fn relu(&self, x: &Tensor) -> (Tensor, BackendKind) {
        if self.decision().backend == BackendKind::WebGpu {
            if let Some(gpu) = self.gpu() {
                match gpu.relu(x).await {
                    Ok(y) => return (y, BackendKind::WebGpu),
                    Err(e) => self.gpu_failed(&e),
                }
            }
        }
        let mut y = x.clone();
        relu_inplace(y.data_mut());
        (y, BackendKind::Cpu)
    }
}

/// Opens the default GPU; in the browser, completes the adapter facts from JavaScript's
/// `GPUAdapter.info` (wgpu leaves most of them empty there).
pub async fn open_gpu() -> Result<Gpu, GpuError> {
    #[allow(unused_mut)]
    let mut gpu = Gpu::open().await?;
    #[cfg(target_arch = "wasm32")]
    if let Some(info) = crate::gpu::browser::adapter_info().await {
        gpu.ctx.info.merge_browser(&info);
    }
    Ok(gpu)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::DeviceKind;

    fn hw() -> AdapterFacts {
        AdapterFacts {
            name: "NVIDIA GeForce RTX 4070".into(),
            kind: DeviceKind::Discrete,
            ..AdapterFacts::unknown()
        }
    }

    fn sw(name: &str) -> AdapterFacts {
        AdapterFacts { name: name.into(), kind: DeviceKind::Unknown, ..AdapterFacts::unknown() }
    }

    const FAST: Timings = Timings { cpu_ms: 10.0, gpu_ms: 1.0 };
    const SLOW: Timings = Timings { cpu_ms: 1.0, gpu_ms: 10.0 };

    #[test]
    fn forced_cpu_always_cpu() {
        let h = hw();
        for avail in [
            GpuAvailability::Pending,
            GpuAvailability::Unavailable("x"),
            GpuAvailability::Ready(&h),
        ] {
            let d = decide(Preference::Cpu, avail, Some(FAST));
            assert_eq!(d, Decision { backend: BackendKind::Cpu, reason: Reason::ForcedCpu });
        }
    }

    #[test]
    fn forced_gpu_uses_any_ready_device_even_software() {
        let s = sw("SwiftShader Device (Subzero)");
        let d = decide(Preference::WebGpu, GpuAvailability::Ready(&s), None);
        assert_eq!(d, Decision { backend: BackendKind::WebGpu, reason: Reason::ForcedGpu });
        let d = decide(Preference::WebGpu, GpuAvailability::Unavailable("no adapter"), None);
        assert_eq!(d.backend, BackendKind::Cpu);
        assert_eq!(d.reason, Reason::Unavailable("no adapter".into()));
        let d = decide(Preference::WebGpu, GpuAvailability::Pending, None);
        assert_eq!(d, Decision { backend: BackendKind::Cpu, reason: Reason::Initializing });
    }

    #[test]
    fn auto_never_picks_software_even_when_faster() {
        for name in ["llvmpipe (LLVM 15.0.7, 256 bits)", "SwiftShader Device", "lavapipe"] {
            let s = sw(name);
            for t in [None, Some(FAST), Some(SLOW)] {
                let d = decide(Preference::Auto, GpuAvailability::Ready(&s), t);
                assert_eq!(
                    d,
                    Decision { backend: BackendKind::Cpu, reason: Reason::SoftwareAdapter }
                );
            }
        }
        let cpu_kind = AdapterFacts { kind: DeviceKind::Cpu, ..hw() };
        let d = decide(Preference::Auto, GpuAvailability::Ready(&cpu_kind), Some(FAST));
        assert_eq!(d.reason, Reason::SoftwareAdapter);
    }

    #[test]
    fn auto_hardware_follows_measurement() {
        let h = hw();
        let d = decide(Preference::Auto, GpuAvailability::Ready(&h), None);
        assert_eq!(d, Decision { backend: BackendKind::Cpu, reason: Reason::Calibrating });
        let d = decide(Preference::Auto, GpuAvailability::Ready(&h), Some(FAST));
        assert_eq!(
            d,
            Decision { backend: BackendKind::WebGpu, reason: Reason::FasterThanCpu(FAST) }
        );
        let d = decide(Preference::Auto, GpuAvailability::Ready(&h), Some(SLOW));
        assert_eq!(d, Decision { backend: BackendKind::Cpu, reason: Reason::SlowerThanCpu(SLOW) });
        // Within the margin: not clearly faster.
        let close = Timings { cpu_ms: 10.0, gpu_ms: 9.5 };
        assert_eq!(
            decide(Preference::Auto, GpuAvailability::Ready(&h), Some(close)).backend,
            BackendKind::Cpu
        );
        let nan = Timings { cpu_ms: f64::NAN, gpu_ms: 1.0 };
        assert_eq!(
            decide(Preference::Auto, GpuAvailability::Ready(&h), Some(nan)).backend,
            BackendKind::Cpu
        );
    }

    #[test]
    fn round_trip_model_splits_fixed_cost_from_rate() {
        // Calibration: 1 M MACs, CPU 2 ms, GPU 0.5 ms of which 0.3 ms is the round trip.
        let t = Timings { cpu_ms: 2.0, gpu_ms: 0.5 };
        let w = 1_000_000;
        // Break-even with the 0.9 margin: 0.3 + 0.2·s = 0.9·2·s → s = 0.1875 (187,500 MACs).
        assert!(!worth_gpu(t, Some(0.3), 187_000, w));
        assert!(worth_gpu(t, Some(0.3), 188_000, w));
        // Unmeasured, the whole 0.5 ms is fixed: break-even at 0.5 = 1.8·s → 277,778 MACs.
        assert!(!worth_gpu(t, None, 277_000, w));
        assert!(worth_gpu(t, None, 278_000, w));
        // A round trip measured above the calibration time (noise) counts as the calibration
        // time; a NaN one as unmeasured.
        assert_eq!(worth_gpu(t, Some(0.9), 278_000, w), worth_gpu(t, None, 278_000, w));
        assert!(!worth_gpu(t, Some(f64::NAN), 277_000, w));
        // A GPU slower per MAC than the CPU never wins, however large the product.
        let slow = Timings { cpu_ms: 1.0, gpu_ms: 3.0 };
        assert!(!worth_gpu(slow, Some(0.1), usize::MAX / 2, w));
        assert!(!worth_gpu(t, Some(0.3), 1_000, 0));
    }

    #[test]
    fn auto_without_gpu() {
        let d = decide(Preference::Auto, GpuAvailability::Pending, None);
        assert_eq!(d.reason, Reason::Initializing);
        let d = decide(Preference::Auto, GpuAvailability::Unavailable("lost"), Some(FAST));
        assert_eq!(
            d,
            Decision { backend: BackendKind::Cpu, reason: Reason::Unavailable("lost".into()) }
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn preference_codes_round_trip() {
        for (i, code) in PREFERENCE_CODES.iter().enumerate() {
            let p = Preference::from_code(code).unwrap();
            assert_eq!(p.code(), *code);
            assert_eq!(PREFERENCE_CODES.iter().position(|c| *c == p.code()), Some(i));
        }
        assert_eq!(Preference::from_code("WebGPU"), Some(Preference::WebGpu));
        assert_eq!(Preference::from_code("tpu"), None);
    }

    #[test]
    fn status_follows_the_gpu_and_the_choice() {
        let c = Compute::new(Preference::Auto);
        let s = c.status();
        assert_eq!(s.active, BackendKind::Cpu);
        assert_eq!(s.reason, Reason::Initializing);
        c.set_gpu(Err(GpuError::NoWebGpu));
        let s = c.status();
        assert_eq!(s.reason, Reason::Unavailable(GpuError::NoWebGpu.to_string()));
        let seen = Rc::new(RefCell::new(Vec::new()));
        {
            let seen = seen.clone();
            c.subscribe(move |s| seen.borrow_mut().push(s.reason.clone()));
        }
        c.set_preference(Preference::Cpu);
        assert_eq!(c.status().reason, Reason::ForcedCpu);
        assert_eq!(*seen.borrow(), vec![Reason::ForcedCpu], "listeners see each change");
    }

    #[test]
    fn excess_error_measures_tolerance() {
        let a = Tensor::new(vec![2], vec![1.0, 2.0]).unwrap();
        let b = Tensor::new(vec![2], vec![1.0, 2.0005]).unwrap();
        assert!(excess_error(&a, &a, 0.0, 0.0) <= 0.0);
        assert!(excess_error(&b, &a, 1e-4, 1e-4) > 0.0);
        assert!(excess_error(&b, &a, 1e-3, 0.0) <= 0.0);
        let c = Tensor::new(vec![1, 2], vec![1.0, 2.0]).unwrap();
        assert_eq!(excess_error(&c, &a, 1.0, 1.0), f32::INFINITY);
    }
}
