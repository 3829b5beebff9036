//! Learning-rate schedules: the rate as a pure function of the step `t` (0-based, the number of
//! optimizer steps already taken) and the base rate `η₀`.
//!
//! ```text
//! constant   η_t = η₀
//! step       η_t = η₀ · γ^⌊t / N⌋                                       (torch StepLR)
//! cosine     η_t = η_min + (η₀ − η_min) · (1 + cos(π t / T)) / 2,  t ≤ T;  η_min after
//! warm-up    η_t = η₀ · (s + (1 − s) · t / W)  for t < W, then the cosine over T − W steps
//! ```
//!
//! The cosine is torch's `CosineAnnealingLR` closed form; with warm-up it equals
//! `SequentialLR([LinearLR(s, W), CosineAnnealingLR(T − W, η_min)], [W])`. Unlike torch's
//! cosine, which turns back up after `T`, the rate stays at `η_min` once the schedule ends.

/// A linear warm-up: from `η₀ · start_factor` to `η₀` over `steps` steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Warmup {
    /// Warm-up length `W` in steps (0 = none).
    pub steps: u32,
    /// Starting fraction `s` of the base rate, in `(0, 1]`.
    pub start_factor: f32,
}

/// A learning-rate schedule (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LrSchedule {
    /// `η_t = η₀`.
    Constant,
    /// Multiply by `gamma` every `every` steps.
    Step {
        /// Period `N` in steps (≥ 1; 0 is treated as 1).
        every: u32,
        /// Factor `γ`.
        gamma: f32,
    },
    /// Cosine annealing to `eta_min` over `total` steps, with an optional linear warm-up
    /// counted inside `total`.
    Cosine {
        /// Total length `T` in steps, warm-up included.
        total: u32,
        /// The final rate `η_min`.
        eta_min: f32,
        /// Optional linear warm-up at the start.
        warmup: Option<Warmup>,
    },
}

impl LrSchedule {
    /// The learning rate for step `t` (0-based) given the base rate.
    pub fn lr_at(&self, base_lr: f32, t: u64) -> f32 {
        match *self {
            LrSchedule::Constant => base_lr,
            LrSchedule::Step { every, gamma } => {
                let k = t / u64::from(every.max(1));
                (base_lr as f64 * (gamma as f64).powf(k as f64)) as f32
            }
            LrSchedule::Cosine { total, eta_min, warmup } => {
                let (w, s) = match warmup {
                    Some(Warmup { steps, start_factor }) if steps > 0 => {
                        (u64::from(steps), start_factor as f64)
                    }
                    _ => (0, 1.0),
                };
                let base = base_lr as f64;
                if t < w {
                    return (base * (s + (1.0 - s) * t as f64 / w as f64)) as f32;
                }
                let span = u64::from(total).saturating_sub(w);
                let tc = t - w;
                if span == 0 || tc >= span {
                    return eta_min;
                }
                let eta_min = eta_min as f64;
                let c = (std::f64::consts::PI * tc as f64 / span as f64).cos();
                (eta_min + (base - eta_min) * (1.0 + c) / 2.0) as f32
            }
        }
    }
}
