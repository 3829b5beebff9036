//! The record and control of a live training run, web-free: what every training lesson shares.
//!
//! * [`Trainable`] — the contract a lesson fulfils: "advance every run by one step, in lockstep,
//!   and report each run's loss, gradient norm and metrics". Several runs (with vs without BN,
//!   optimizer A vs B) live inside one `Trainable` so they see the same data and seed; the kit
//!   never knows what is trained. [`FnTrainable`] wraps a closure.
//! * [`Trainer`] — owns a `Trainable`, counts steps, records every report into a [`History`],
//!   watches each run with a [`DivergenceDetector`] and measures [`Throughput`]. Its
//!   [`Trainer::run_budget`] does as many steps as fit in a time budget (one animation frame).
//! * [`History`] — named series of `(step, value)` points per run and metric; the debiased EMA
//!   view `ŝ_t = s_t / (1 − β^t)` with `s_t = β s_{t−1} + (1 − β) x_t` ([`ema_debiased`]);
//!   ranges; CSV export.
//! * [`DivergenceDetector`] — a non-finite loss or gradient, a gradient norm above a limit or
//!   `k×` its running median, or a loss `k×` its first value: a [`Divergence`] with the step and
//!   the offending value, and [`Remedy`]s the UI explains (lower the learning rate, clip
//!   gradients, add batch normalization).
//! * [`Throughput`] — steps per second over a sliding window, and elapsed running time.
//!
//! Time is passed in (milliseconds from any monotonic clock), so everything here is tested
//! natively; the browser loop (`ui::train`) feeds it `performance.now()`.
//!
//! ```
//! use dlviz::core::train::{FnTrainable, StepReport, Trainer, DivergenceConfig};
//! // Gradient descent on f(w) = w², two runs in lockstep with rates 0.1 and 0.4.
//! let mut w = [1.0f64, 1.0];
//! let rates = [0.1, 0.4];
//! let model = FnTrainable::new(2, move || {
//!     Ok((0..2)
//!         .map(|r| {
//!             let g = 2.0 * w[r];
//!             w[r] -= rates[r] * g;
//!             StepReport::loss(w[r] * w[r]).with_grad_norm(g.abs())
//!         })
//!         .collect())
//! });
//! let mut t = Trainer::new(Box::new(model), DivergenceConfig::default());
//! for _ in 0..10 {
//!     t.step().unwrap();
//! }
//! let a = t.history().series(0, "loss").unwrap().last().unwrap().value;
//! let b = t.history().series(1, "loss").unwrap().last().unwrap().value;
//! assert!(b < a);
//! ```

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;

/// The metric key under which [`Trainer`] records each run's loss.
pub const LOSS: &str = "loss";
/// The metric key under which [`Trainer`] records each run's gradient norm (when reported).
pub const GRAD_NORM: &str = "grad_norm";

/// One run's report for one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    /// The training loss of this step's batch.
    pub loss: f64,
    /// The global gradient norm `‖∇θ L‖₂` of this step (before clipping), if known.
    pub grad_norm: Option<f64>,
    /// Other metrics of this step (`"val_loss"`, `"accuracy"`…), recorded under their keys. A
    /// metric measured only every few steps is simply absent from the other steps' reports.
    pub metrics: Vec<(&'static str, f64)>,
}

impl StepReport {
    /// A report with just the loss.
    pub fn loss(loss: f64) -> Self {
        Self { loss, grad_norm: None, metrics: Vec::new() }
    }

    /// Adds the gradient norm.
    pub fn with_grad_norm(mut self, norm: f64) -> Self {
        self.grad_norm = Some(norm);
        self
    }

    /// Adds a metric.
    pub fn with_metric(mut self, key: &'static str, value: f64) -> Self {
        self.metrics.push((key, value));
        self
    }
}

/// What a lesson hands the training kit: one or more runs stepped together.
///
/// `step` must advance **every** run by exactly one optimisation step and return one report
/// per run, in run order (`runs()` of them). Runs compared side by side should draw the same
/// batches from the same seeded stream. An `Err` (a shape mismatch, a bad setting) stops the
/// loop and its text is shown in place.
pub trait Trainable {
    /// The number of runs stepped in lockstep (≥ 1).
    fn runs(&self) -> usize;
    /// One step of every run.
    fn step(&mut self) -> Result<Vec<StepReport>, String>;
}

/// A [`Trainable`] from a closure (the closure owns the models, data and optimizers).
pub struct FnTrainable<F> {
    runs: usize,
    f: F,
}

impl<F: FnMut() -> Result<Vec<StepReport>, String>> FnTrainable<F> {
    /// `runs` runs, stepped by `f`.
    pub fn new(runs: usize, f: F) -> Self {
        Self { runs, f }
    }
}

impl<F: FnMut() -> Result<Vec<StepReport>, String>> Trainable for FnTrainable<F> {
    fn runs(&self) -> usize {
        self.runs
    }

    fn step(&mut self) -> Result<Vec<StepReport>, String> {
        (self.f)()
    }
}

/// The future of one asynchronous step: every run's report, or an error (see [`Trainable::step`]).
pub type StepFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<StepReport>, String>> + 'a>>;

/// Where a training run publishes what the page reads (its model, its latest evaluation…):
/// one cell per build of the run, written by the run and read by the page between steps.
/// A reset gives the next run a fresh board, so a stale run's writes are never seen.
/// Cheap to clone (shared); single-threaded; reads and writes never block — a cell that is
/// in use is skipped (`None`), never waited for.
pub struct Board<T>(std::rc::Rc<std::cell::RefCell<Option<T>>>);

impl<T> Clone for Board<T> {
    fn clone(&self) -> Self {
        Board(self.0.clone())
    }
}

impl<T> From<std::rc::Rc<std::cell::RefCell<Option<T>>>> for Board<T> {
    /// A board over an existing cell (callers that keep the cell to read it themselves).
    fn from(cell: std::rc::Rc<std::cell::RefCell<Option<T>>>) -> Self {
        Board(cell)
    }
}

impl<T> Default for Board<T> {
    fn default() -> Self {
        Board(Default::default())
    }
}

impl<T> Board<T> {
    /// An empty board.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces what is published (skipped if the board is being read right now).
    pub fn publish(&self, value: T) {
        if let Ok(mut v) = self.0.try_borrow_mut() {
            *v = Some(value);
        }
    }

    /// Calls `f` with what is published; `None` if nothing is, or the board is in use.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.0.try_borrow().ok()?.as_ref().map(f)
    }

    /// Calls `f` with mutable access to the published value (`None` as for [`Board::with`]).
    pub fn with_mut<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.0.try_borrow_mut().ok()?.as_mut().map(f)
    }

    /// Calls `f` with the slot itself, to build the value in place on first use (`None` if
    /// the board is in use).
    pub fn with_slot<R>(&self, f: impl FnOnce(&mut Option<T>) -> R) -> Option<R> {
        Some(f(&mut *self.0.try_borrow_mut().ok()?))
    }
}

/// The asynchronous twin of [`Trainable`], for models whose step awaits (a GPU step that reads
/// its loss back, `compute::dense::DenseRun`, `compute::vae::VaeRun`).
///
/// Same contract as [`Trainable::step`]: the future advances **every** run by exactly one step
/// and resolves to one report per run. The kit awaits one step at a time (never two futures of
/// the same model at once) and records the reports with [`Trainer::record`]; dropping the
/// future before it resolves must leave the model usable or the error must say so.
///
/// ```
/// use dlviz::core::train::{AsyncTrainable, StepFuture, StepReport};
/// struct Halver(f64);
/// impl AsyncTrainable for Halver {
///     fn runs(&self) -> usize { 1 }
///     fn step(&mut self) -> StepFuture<'_> {
///         Box::pin(async move {
///             self.0 *= 0.5; // e.g. `self.run.step(gpu, &x, &t).await`
///             Ok(vec![StepReport::loss(self.0)])
///         })
///     }
/// }
/// ```
pub trait AsyncTrainable {
    /// The number of runs stepped in lockstep (≥ 1).
    fn runs(&self) -> usize;
    /// One step of every run.
    fn step(&mut self) -> StepFuture<'_>;
}

/// The model of a [`Trainer::recorder`]: its steps happen elsewhere, so stepping it is an error.
struct Recorded(usize);

impl Trainable for Recorded {
    fn runs(&self) -> usize {
        self.0
    }

    fn step(&mut self) -> Result<Vec<StepReport>, String> {
        Err("this session records an asynchronous model's steps: await the model, then call \
             Trainer::record"
            .into())
    }
}

/// A point of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// The training step (1 for the first step).
    pub step: u64,
    /// The value (may be non-finite: a diverged loss is recorded as it was).
    pub value: f64,
}

/// A series of one metric of one run, in increasing step order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The run index.
    pub run: usize,
    /// The metric key ([`LOSS`], `"val_loss"`…).
    pub metric: &'static str,
    /// The points, steps strictly increasing.
    pub points: Vec<Point>,
}

impl Series {
    /// The last point.
    pub fn last(&self) -> Option<Point> {
        self.points.last().copied()
    }

    /// The point at `step`, or the last one before it (`None` before the first point).
    pub fn at(&self, step: u64) -> Option<Point> {
        let i = self.points.partition_point(|p| p.step <= step);
        i.checked_sub(1).map(|i| self.points[i])
    }

    /// The point whose step is closest to `step` (ties go to the earlier one).
    pub fn nearest(&self, step: u64) -> Option<Point> {
        let i = self.points.partition_point(|p| p.step < step);
        let after = self.points.get(i).copied();
        let before = i.checked_sub(1).map(|i| self.points[i]);
        match (before, after) {
            (Some(b), Some(a)) => Some(if step - b.step <= a.step - step { b } else { a }),
            (b, a) => b.or(a),
        }
    }

    /// Smallest and largest finite value (and `> 0` only, with `positive`, for log scales).
    pub fn range(&self, positive: bool) -> Option<(f64, f64)> {
        finite_range(self.points.iter().map(|p| p.value), positive)
    }

    /// The debiased EMA view of this series with smoothing `beta` (see [`ema_debiased`]).
    pub fn smoothed(&self, beta: f64) -> Vec<Point> {
        let v: Vec<f64> = self.points.iter().map(|p| p.value).collect();
        self.points
            .iter()
            .zip(ema_debiased(&v, beta))
            .map(|(p, value)| Point { step: p.step, value })
            .collect()
    }
}

fn finite_range(values: impl Iterator<Item = f64>, positive: bool) -> Option<(f64, f64)> {
    values.filter(|v| v.is_finite() && (!positive || *v > 0.0)).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Debiased exponential moving average, the charts' smoothing (`f64`, non-finite values
/// skipped; the EMA lesson's `f32` smoother is [`crate::core::optim::ema_series`]): `s_0 = 0`,
/// `s_t = β s_{t−1} + (1−β) x_t`, output `ŝ_t = s_t / (1 − β^t)` (the bias correction of Adam
/// and TensorBoard), so the first output equals the first input. `β` is clamped to `[0, 1)`; `β = 0` returns the input. A non-finite
/// `x_t` is passed through as it is and does not enter the average (one NaN must not erase the
/// rest of a curve).
pub fn ema_debiased(x: &[f64], beta: f64) -> Vec<f64> {
    let beta = if beta.is_finite() { beta.clamp(0.0, 0.999_999) } else { 0.0 };
    let mut s = 0.0;
    let mut pow = 1.0;
    x.iter()
        .map(|&v| {
            if !v.is_finite() {
                return v;
            }
            s = beta * s + (1.0 - beta) * v;
            pow *= beta;
            s / (1.0 - pow)
        })
        .collect()
}

/// Most points a [`History`] keeps per series. Past it, the series is thinned: every other
/// point is dropped and from then on one push in 2 is kept (then 1 in 4, …), so a long or fast
/// run uses bounded memory. Step numbers stay exact; non-finite values are always kept.
pub const MAX_POINTS: usize = 16_384;

/// Thinning state of one series: keep one push in `stride`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Thin {
    stride: u64,
    pending: u64,
}

/// Every series of a training session, per run and metric (at most [`MAX_POINTS`] points
/// each).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    series: Vec<Series>,
    thin: Vec<Thin>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `value` at `step` to the series `(run, metric)`, creating it if needed. A step
    /// not after the series' last one is ignored (steps only increase).
    pub fn push(&mut self, run: usize, metric: &'static str, step: u64, value: f64) {
        let i = match self.series.iter().position(|s| s.run == run && s.metric == metric) {
            Some(i) => i,
            None => {
                self.series.push(Series { run, metric, points: Vec::new() });
                self.thin.push(Thin { stride: 1, pending: 0 });
                self.series.len() - 1
            }
        };
        let (s, th) = (&mut self.series[i], &mut self.thin[i]);
        if s.points.last().is_some_and(|p| p.step >= step) {
            return;
        }
        th.pending += 1;
        if th.pending < th.stride && value.is_finite() {
            return;
        }
        th.pending = 0;
        s.points.push(Point { step, value });
        if s.points.len() > MAX_POINTS {
            let mut k = 0;
            s.points.retain(|p| {
                k += 1;
                k % 2 == 1 || !p.value.is_finite()
            });
            th.stride *= 2;
        }
    }

    /// Every series, in creation order.
    pub fn all(&self) -> &[Series] {
        &self.series
    }

    /// The series `(run, metric)`.
    pub fn series(&self, run: usize, metric: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.run == run && s.metric == metric)
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.series.clear();
        self.thin.clear();
    }

    /// True when no point has been recorded.
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.points.is_empty())
    }

    /// The largest step recorded (0 when empty).
    pub fn last_step(&self) -> u64 {
        self.series.iter().filter_map(|s| s.last()).map(|p| p.step).max().unwrap_or(0)
    }

    /// Smallest and largest finite value over the series `keep` selects (`> 0` only with
    /// `positive`).
    pub fn range(&self, keep: impl Fn(&Series) -> bool, positive: bool) -> Option<(f64, f64)> {
        finite_range(
            self.series.iter().filter(|s| keep(s)).flat_map(|s| s.points.iter().map(|p| p.value)),
            positive,
        )
    }

    /// The table for CSV export: a header `step, <label(series)>…` then one row per step
    /// recorded by any series (ascending), an empty cell where a series has no point there.
    /// Values are written in Rust's shortest round-trip form (`NaN`, `inf` as such).
    pub fn csv_rows(&self, label: impl Fn(&Series) -> String) -> Vec<Vec<String>> {
        let mut header = vec!["step".to_string()];
        header.extend(self.series.iter().map(|s| csv_escape(&label(s))));
        let mut steps: Vec<u64> =
            self.series.iter().flat_map(|s| s.points.iter().map(|p| p.step)).collect();
        steps.sort_unstable();
        steps.dedup();
        let mut cursors = vec![0usize; self.series.len()];
        let mut rows = vec![header];
        for step in steps {
            let mut row = vec![step.to_string()];
            for (s, c) in self.series.iter().zip(cursors.iter_mut()) {
                match s.points.get(*c) {
                    Some(p) if p.step == step => {
                        row.push(format!("{}", p.value));
                        *c += 1;
                    }
                    _ => row.push(String::new()),
                }
            }
            rows.push(row);
        }
        rows
    }

    /// [`History::csv_rows`] joined as CSV text (`\n` line ends).
    pub fn to_csv(&self, label: impl Fn(&Series) -> String) -> String {
        let mut out = String::new();
        for row in self.csv_rows(label) {
            let _ = writeln!(out, "{}", row.join(","));
        }
        out
    }
}

/// Quotes a CSV cell that holds a comma, quote or line break (RFC 4180).
pub fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Thresholds of the [`DivergenceDetector`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DivergenceConfig {
    /// A gradient norm above this is an explosion (`f64::INFINITY` disables the check).
    pub grad_norm_limit: f64,
    /// A gradient norm above `grad_spike_factor ×` the median of the recent norms is a spike.
    pub grad_spike_factor: f64,
    /// How many recent gradient norms the running median covers.
    pub grad_window: usize,
    /// How many norms must be seen before spikes are judged.
    pub min_history: usize,
    /// A loss above `loss_blowup_factor ×` the first finite loss is a blow-up.
    pub loss_blowup_factor: f64,
}

impl Default for DivergenceConfig {
    /// Limits that a healthy run never meets: norm 1e6, spike ×100 over the median of the
    /// last 50 (after 10), loss ×1000 its first value.
    fn default() -> Self {
        Self {
            grad_norm_limit: 1e6,
            grad_spike_factor: 100.0,
            grad_window: 50,
            min_history: 10,
            loss_blowup_factor: 1e3,
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DivergenceKind {
    /// The loss is NaN or ±∞.
    NonFiniteLoss,
    /// The gradient norm is NaN or ∞.
    NonFiniteGrad,
    /// The gradient norm is above the absolute limit.
    GradAboveLimit {
        /// The limit.
        limit: f64,
    },
    /// The gradient norm jumped far above its running median.
    GradSpike {
        /// The median of the recent norms.
        median: f64,
        /// The factor that was exceeded.
        factor: f64,
    },
    /// The loss grew far above where it started.
    LossBlowUp {
        /// The first finite loss of the run.
        first: f64,
        /// The factor that was exceeded.
        factor: f64,
    },
}

/// A detected divergence: which run, at which step, the offending value and what it means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Divergence {
    /// The run index.
    pub run: usize,
    /// The step at which it was detected.
    pub step: u64,
    /// The offending value (the loss or the gradient norm, by kind).
    pub value: f64,
    /// What happened.
    pub kind: DivergenceKind,
}

/// What to try after a divergence (the UI turns each into an explanation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Lower the learning rate (the usual cause: steps overshoot and grow).
    LowerLearningRate,
    /// Clip the gradient norm (bounds every step).
    ClipGradients,
    /// Add batch normalization (keeps activations, hence gradients, at a sane scale).
    AddBatchNorm,
    /// Compute the loss in a stable form (log-sum-exp, BCE with logits).
    StableLoss,
}

impl Divergence {
    /// True when the offending value is a gradient norm (else it is a loss).
    pub fn is_gradient(&self) -> bool {
        matches!(
            self.kind,
            DivergenceKind::NonFiniteGrad
                | DivergenceKind::GradAboveLimit { .. }
                | DivergenceKind::GradSpike { .. }
        )
    }

    /// The remedies worth trying, most likely first.
    pub fn remedies(&self) -> &'static [Remedy] {
        use Remedy::*;
        match self.kind {
            DivergenceKind::NonFiniteLoss => {
                &[LowerLearningRate, StableLoss, ClipGradients, AddBatchNorm]
            }
            DivergenceKind::LossBlowUp { .. } => &[LowerLearningRate, ClipGradients, AddBatchNorm],
            _ => &[LowerLearningRate, ClipGradients, AddBatchNorm],
        }
    }
}

/// Watches one run's losses and gradient norms for divergence.
#[derive(Debug, Clone)]
pub struct DivergenceDetector {
    cfg: DivergenceConfig,
    norms: VecDeque<f64>,
    first_loss: Option<f64>,
}

impl DivergenceDetector {
    /// A detector with these thresholds.
    pub fn new(cfg: DivergenceConfig) -> Self {
        Self { cfg, norms: VecDeque::new(), first_loss: None }
    }

    /// Checks one step; `None` while healthy. Checks in order: non-finite loss, non-finite
    /// gradient norm, norm above the limit, norm spike over the running median, loss blow-up.
    pub fn observe(
        &mut self,
        run: usize,
        step: u64,
        loss: f64,
        grad_norm: Option<f64>,
    ) -> Option<Divergence> {
        let div = |value, kind| Some(Divergence { run, step, value, kind });
        if !loss.is_finite() {
            return div(loss, DivergenceKind::NonFiniteLoss);
        }
        if let Some(n) = grad_norm {
            if !n.is_finite() {
                return div(n, DivergenceKind::NonFiniteGrad);
            }
            if n > self.cfg.grad_norm_limit {
                return div(n, DivergenceKind::GradAboveLimit { limit: self.cfg.grad_norm_limit });
            }
            if self.norms.len() >= self.cfg.min_history.max(1) {
                let median = median(&self.norms);
                let factor = self.cfg.grad_spike_factor;
                if median > 0.0 && n > factor * median {
                    return div(n, DivergenceKind::GradSpike { median, factor });
                }
            }
            self.norms.push_back(n);
            while self.norms.len() > self.cfg.grad_window.max(1) {
                self.norms.pop_front();
            }
        }
        match self.first_loss {
            None => self.first_loss = Some(loss),
            Some(first) => {
                let factor = self.cfg.loss_blowup_factor;
                let reference = first.abs().max(1e-12);
                if loss > factor * reference {
                    return div(loss, DivergenceKind::LossBlowUp { first, factor });
                }
            }
        }
        None
    }
}

/// The median of the values (mean of the middle two for an even count; 0 when empty).
pub fn median(v: &VecDeque<f64>) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().collect();
    if s.is_empty() {
        return 0.0;
    }
    s.sort_by(|a, b| a.total_cmp(b));
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

/// Steps per second over a sliding window, and the time spent running (pauses excluded).
#[derive(Debug, Clone)]
pub struct Throughput {
    window_ms: f64,
    samples: VecDeque<(f64, u64)>,
    total: u64,
    elapsed_ms: f64,
    last: Option<f64>,
}

impl Throughput {
    /// A meter averaging over the last `window_ms` milliseconds.
    pub fn new(window_ms: f64) -> Self {
        Self { window_ms, samples: VecDeque::new(), total: 0, elapsed_ms: 0.0, last: None }
    }

    /// Starts (or resumes) timing at `now_ms`.
    pub fn resume(&mut self, now_ms: f64) {
        self.last = Some(now_ms);
        self.samples.clear();
        self.samples.push_back((now_ms, self.total));
    }

    /// Stops timing at `now_ms` (time until the next [`Throughput::resume`] is not counted).
    pub fn pause(&mut self, now_ms: f64) {
        self.record(now_ms, 0);
        self.last = None;
    }

    /// Records that `steps` more steps were done by `now_ms`. Ignored while paused.
    pub fn record(&mut self, now_ms: f64, steps: u64) {
        let Some(last) = self.last else { return };
        self.elapsed_ms += (now_ms - last).max(0.0);
        self.last = Some(now_ms);
        self.total += steps;
        self.samples.push_back((now_ms, self.total));
        // Keep one sample at or before the window's start so the rate spans the full window.
        while self.samples.len() > 2 && self.samples[1].0 <= now_ms - self.window_ms {
            self.samples.pop_front();
        }
    }

    /// Steps per second over the window (0 until two samples span some time).
    pub fn steps_per_sec(&self) -> f64 {
        match (self.samples.front(), self.samples.back()) {
            (Some(&(t0, n0)), Some(&(t1, n1))) if t1 > t0 => (n1 - n0) as f64 * 1000.0 / (t1 - t0),
            _ => 0.0,
        }
    }

    /// Milliseconds spent running.
    pub fn elapsed_ms(&self) -> f64 {
        self.elapsed_ms
    }

    /// Steps recorded in total.
    pub fn total_steps(&self) -> u64 {
        self.total
    }

    /// True while timing.
    pub fn is_running(&self) -> bool {
        self.last.is_some()
    }

    /// Back to zero, paused.
    pub fn reset(&mut self) {
        *self = Self::new(self.window_ms);
    }
}

/// The result of one [`Trainer::run_budget`] burst.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    /// Steps done in this burst.
    pub steps: u32,
    /// Milliseconds the burst took.
    pub ms: f64,
    /// Set when a run diverged (the trainer refuses further steps until reset).
    pub diverged: Option<Divergence>,
}

/// A training session: the trainable, its step count, history, divergence watch and meter.
pub struct Trainer {
    model: Box<dyn Trainable>,
    cfg: DivergenceConfig,
    history: History,
    detectors: Vec<DivergenceDetector>,
    step: u64,
    diverged: Option<Divergence>,
    throughput: Throughput,
}

impl Trainer {
    /// A fresh session over `model`, at step 0.
    pub fn new(model: Box<dyn Trainable>, cfg: DivergenceConfig) -> Self {
        let detectors = vec![DivergenceDetector::new(cfg); model.runs()];
        Self {
            model,
            cfg,
            history: History::new(),
            detectors,
            step: 0,
            diverged: None,
            throughput: Throughput::new(1000.0),
        }
    }

    /// A session whose steps are taken outside it — an [`AsyncTrainable`] awaited by the page
    /// — and handed in with [`Trainer::record`]; [`Trainer::step`] and
    /// [`Trainer::run_budget`] return an error.
    pub fn recorder(runs: usize, cfg: DivergenceConfig) -> Self {
        Self::new(Box::new(Recorded(runs)), cfg)
    }

    /// Starts over with a new model (fresh weights from the lesson's factory): step 0, empty
    /// history, divergence cleared, meter reset.
    pub fn reset(&mut self, model: Box<dyn Trainable>) {
        *self = Self::new(model, self.cfg);
    }

    /// One step of every run. The reports are recorded (loss under [`LOSS`], gradient norm
    /// under [`GRAD_NORM`], metrics under their keys, all at the new step number) and checked;
    /// the first divergence is returned and kept (further calls return it without stepping).
    /// An error from the trainable, or a report count different from `runs()`, is an `Err`.
    pub fn step(&mut self) -> Result<Option<Divergence>, String> {
        if let Some(d) = self.diverged {
            return Ok(Some(d));
        }
        let reports = self.model.step()?;
        self.record(reports)
    }

    /// Records one step's reports taken outside the trainer (by an [`AsyncTrainable`]): the
    /// step count, history and divergence watch advance exactly as in [`Trainer::step`]. After
    /// a divergence nothing more is recorded (the divergence is returned again). Throughput is
    /// not fed here: call `throughput_mut().record(now, steps)` once per burst.
    pub fn record(&mut self, reports: Vec<StepReport>) -> Result<Option<Divergence>, String> {
        if let Some(d) = self.diverged {
            return Ok(Some(d));
        }
        if reports.len() != self.detectors.len() {
            return Err(format!(
                "the trainable reported {} runs, expected {}",
                reports.len(),
                self.detectors.len()
            ));
        }
        self.step += 1;
        let step = self.step;
        for (run, r) in reports.iter().enumerate() {
            self.history.push(run, LOSS, step, r.loss);
            if let Some(n) = r.grad_norm {
                self.history.push(run, GRAD_NORM, step, n);
            }
            for &(k, v) in &r.metrics {
                self.history.push(run, k, step, v);
            }
            if self.diverged.is_none() {
                self.diverged = self.detectors[run].observe(run, step, r.loss, r.grad_norm);
            }
        }
        Ok(self.diverged)
    }

    /// Steps until `budget_ms` has passed on `clock` (read before and after each step), at most
    /// `max_steps`, stopping early on divergence or error. At least one step is done when
    /// `max_steps ≥ 1`, so a step slower than the budget still advances. The steps and time
    /// are fed to the throughput meter (which must have been resumed to count them).
    pub fn run_budget(
        &mut self,
        budget_ms: f64,
        max_steps: u32,
        clock: &mut dyn FnMut() -> f64,
    ) -> Result<Burst, String> {
        let t0 = clock();
        let before = self.step;
        let mut now = t0;
        let mut result = Ok(());
        while self.step - before < u64::from(max_steps)
            && (self.step == before || now - t0 < budget_ms)
        {
            match self.step() {
                Ok(None) => {}
                Ok(Some(_)) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            now = clock();
        }
        let now = clock();
        // Steps actually taken (a diverging step counts; a refused one does not).
        let steps = self.step - before;
        self.throughput.record(now, steps);
        let steps = u32::try_from(steps).unwrap_or(u32::MAX);
        result.map(|()| Burst { steps, ms: now - t0, diverged: self.diverged })
    }

    /// Steps done so far.
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// The number of runs.
    pub fn runs(&self) -> usize {
        self.detectors.len()
    }

    /// Everything recorded.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The divergence that stopped the session, if any.
    pub fn divergence(&self) -> Option<Divergence> {
        self.diverged
    }

    /// The throughput meter.
    pub fn throughput(&self) -> &Throughput {
        &self.throughput
    }

    /// The throughput meter, to resume or pause it.
    pub fn throughput_mut(&mut self) -> &mut Throughput {
        &mut self.throughput
    }
}

#[cfg(test)]
mod board_tests {
    use super::Board;

    #[test]
    fn a_board_publishes_and_never_blocks() {
        let b = Board::<u32>::new();
        assert_eq!(b.with(|v| *v), None);
        b.publish(3);
        let reader = b.clone();
        assert_eq!(reader.with(|v| *v), Some(3));
        // Written while being read: skipped, not a panic.
        reader.with(|_| b.publish(4));
        assert_eq!(b.with(|v| *v), Some(3));
        b.with_slot(|s| *s.get_or_insert(9) += 1);
        assert_eq!(b.with_mut(|v| std::mem::replace(v, 0)), Some(4));
    }
}
