//! The Batch-normalization lesson's experiment: the same MLP trained twice in lockstep — with a
//! BatchNorm1d after every hidden Linear layer, and without — on the same seeded batches, with
//! the same initial weights and plain SGD.
//!
//! `x: (B, D)` → [Linear(D→H) → (BN) → ReLU] × 3 → Linear(H→K) → cross-entropy, `H = 32`.
//! Every step also keeps, for the BN run, each BN layer's input (pre-normalisation) and output
//! (`γ·x̂ + β`) on the batch, so the page can draw their histograms and the batch's μ_B, σ²_B.

use crate::core::autograd::{BatchStats, ParamStore, Tape};
use crate::core::data::{self, BatchSampler, Dataset};
use crate::core::nn::{
    classifier_eval, classifier_step, Activation, BatchNorm, Init, Layer, Linear, Sequential,
};
use crate::core::optim::{Sgd, SgdConfig};
use crate::core::train::StepReport;
use crate::core::Rng;

/// Hidden units per layer.
pub const HIDDEN: usize = 32;
/// Hidden layers (each followed by BN in the BN run).
pub const DEPTH: usize = 3;
/// Samples generated per dataset (a fifth held out for validation).
const SAMPLES: usize = 600;
/// Side of the small shape images.
pub const IMAGE_SIDE: usize = 12;
/// Validation metrics are measured every this many steps.
pub const VAL_EVERY: u64 = 10;
/// Metric key of the validation accuracy.
pub const VAL_ACC: &str = "val_acc";

/// The lesson's knobs that shape a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// `"moons"`, `"spirals"` or `"shapes"`.
    pub data: &'static str,
    /// Mini-batch size (1 shows BN's failure).
    pub batch: usize,
    /// SGD learning rate.
    pub lr: f32,
    /// BatchNorm ε.
    pub eps: f32,
    /// BatchNorm momentum of the running statistics.
    pub momentum: f32,
    /// Seed of the data, the initial weights and the batch order.
    pub seed: u64,
}

/// The generated train and validation sets.
fn dataset(s: &Settings) -> Result<(Dataset, Dataset), String> {
    let d = match s.data {
        "moons" => data::two_moons(SAMPLES, 0.15, s.seed),
        "shapes" => data::shapes(SAMPLES, IMAGE_SIDE, 0.1, s.seed),
        _ => data::spirals(SAMPLES, 3, 0.05, s.seed),
    }
    .map_err(|e| e.to_string())?;
    d.split(0.2, s.seed ^ 0x5eed).map_err(|e| e.to_string())
}

/// One network with its parameters and optimizer.
struct Run {
    net: Sequential,
    store: ParamStore,
    opt: Sgd,
    /// Layer indices of the BN layers in `net` (empty without BN).
    bn_layers: Vec<usize>,
}

impl Run {
    fn new(d_in: usize, classes: usize, s: &Settings, with_bn: bool) -> Result<Self, String> {
        let mut store = ParamStore::new();
        // The same seed for both runs: BN layers draw no random numbers, so the Linear
        // layers of both networks start from identical weights.
        let mut rng = Rng::new(s.seed.wrapping_mul(0x9E37_79B9).wrapping_add(7));
        let mut net = Sequential::new();
        let mut bn_layers = Vec::new();
        let mut d = d_in;
        for l in 0..DEPTH {
            net.push(Linear::new(
                &mut store,
                &format!("fc{l}"),
                d,
                HIDDEN,
                Init::HeUniform,
                &mut rng,
            ));
            if with_bn {
                let bn = BatchNorm::new_1d(&mut store, &format!("bn{l}"), HIDDEN)
                    .with_eps(s.eps)
                    .and_then(|bn| bn.with_momentum(s.momentum))
                    .map_err(|e| e.to_string())?;
                bn_layers.push(net.layers().len());
                net.push(bn);
            }
            net.push(Activation::Relu);
            d = HIDDEN;
        }
        net.push(Linear::new(&mut store, "out", d, classes, Init::XavierUniform, &mut rng));
        let cfg = SgdConfig { lr: s.lr, ..SgdConfig::default() };
        let opt = Sgd::new(cfg).map_err(|e| e.to_string())?;
        Ok(Run { net, store, opt, bn_layers })
    }

    /// One SGD step on `(x, y)` ([`classifier_step`]; no update on a non-finite loss or
    /// gradient); returns (loss, gradient norm).
    fn step(
        &mut self,
        tape: &mut Tape,
        shape: &[usize],
        x: &[f32],
        y: &[usize],
    ) -> Result<(f32, f32), String> {
        let r = classifier_step(tape, &mut self.net, &mut self.store, &mut self.opt, shape, x, y)?;
        Ok((r.loss, r.grad_norm))
    }

    /// Loss and accuracy on a whole set, BN in inference mode (running statistics).
    fn evaluate(&mut self, tape: &mut Tape, set: &Dataset) -> Result<(f32, f32), String> {
        let n = set.len();
        let labels: Vec<usize> = (0..n).map(|i| set.label(i).unwrap_or(0)).collect();
        self.net.set_training(false);
        let shape = [n, set.feature_len()];
        let r =
            classifier_eval(tape, &mut self.net, &mut self.store, &shape, set.x.data(), &labels);
        self.net.set_training(true);
        r
    }
}

/// What the page shows of one BN layer on the current batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayerView {
    /// The BN layer's input on the batch, `(B, H)` flattened.
    pub pre: Vec<f32>,
    /// Its output `γ·x̂ + β`, `(B, H)` flattened.
    pub post: Vec<f32>,
    /// The statistics it normalised with (batch or running).
    pub stats: Option<BatchStats>,
    /// The learned scale γ.
    pub gamma: Vec<f32>,
    /// The learned shift β.
    pub beta: Vec<f32>,
    /// The running mean.
    pub running_mean: Vec<f32>,
    /// The running variance.
    pub running_var: Vec<f32>,
}

/// Layer `li`'s input, output and statistics from the net's last forward on `tape`.
fn capture(net: &Sequential, tape: &Tape, li: usize) -> Result<LayerView, String> {
    let (Some(pre), Some(post)) = (net.layer_input(li), net.layer_output(li)) else {
        return Err("no forward pass recorded".into());
    };
    let stats = match net.layers().get(li) {
        Some(Layer::BatchNorm(bn)) => bn.last_stats().cloned(),
        _ => None,
    };
    Ok(LayerView {
        pre: tape.value(pre).map_err(|e| e.to_string())?.data().to_vec(),
        post: tape.value(post).map_err(|e| e.to_string())?.data().to_vec(),
        stats,
        ..LayerView::default()
    })
}

/// Both runs, the data and the batch stream: one `step()` advances both runs on one batch.
pub struct Experiment {
    runs: [Run; 2],
    train: Dataset,
    val: Dataset,
    sampler: BatchSampler,
    tape: Tape,
    shape: Vec<usize>,
    x: Vec<f32>,
    y: Vec<usize>,
    steps: u64,
    /// The BN run's BN layers as computed by the last training step.
    captured: Vec<LayerView>,
}

impl Experiment {
    /// Run 0 with BN, run 1 without, both from the same seed.
    pub fn new(s: &Settings) -> Result<Self, String> {
        let (train, val) = dataset(s)?;
        let d = train.feature_len();
        let k = train.classes.max(2);
        let runs = [Run::new(d, k, s, true)?, Run::new(d, k, s, false)?];
        let sampler = BatchSampler::new(train.len(), s.batch, true, s.seed ^ 0xba7c)
            .map_err(|e| e.to_string())?;
        Ok(Experiment {
            runs,
            train,
            val,
            sampler,
            tape: Tape::new(),
            shape: vec![0, d],
            x: Vec::new(),
            y: Vec::new(),
            steps: 0,
            captured: Vec::new(),
        })
    }

    /// One SGD step of both runs on the next batch; validation every [`VAL_EVERY`] steps.
    pub fn step(&mut self) -> Result<Vec<StepReport>, String> {
        let idx = self.sampler.next_batch();
        let d = self.train.feature_len();
        self.x.clear();
        self.y.clear();
        for &i in &idx {
            self.x.extend_from_slice(&self.train.x.data()[i * d..(i + 1) * d]);
            self.y.push(self.train.label(i).unwrap_or(0));
        }
        self.shape = vec![idx.len(), d];
        self.steps += 1;
        let mut reports = Vec::with_capacity(2);
        for r in 0..2 {
            let (l, gn) = self.runs[r].step(&mut self.tape, &self.shape, &self.x, &self.y)?;
            if r == 0 {
                let run = &self.runs[0];
                self.captured = run
                    .bn_layers
                    .iter()
                    .map(|&li| capture(&run.net, &self.tape, li))
                    .collect::<Result<_, _>>()?;
            }
            let mut rep = StepReport::loss(l as f64).with_grad_norm(gn as f64);
            if self.steps % VAL_EVERY == 1 {
                let (vl, acc) = self.runs[r].evaluate(&mut self.tape, &self.val)?;
                rep = rep.with_metric("val_loss", vl as f64).with_metric(VAL_ACC, acc as f64);
            }
            reports.push(rep);
        }
        Ok(reports)
    }

    /// The BN run's BN layer `layer` (0-based) on the last batch: with `eval = false` exactly
    /// what the last training step computed (batch statistics); with `eval = true` the same
    /// batch through the network in inference mode (running statistics; nothing is updated).
    pub fn layer_view(&mut self, layer: usize, eval: bool) -> Result<Option<LayerView>, String> {
        if self.x.is_empty() {
            return Ok(None);
        }
        let run = &mut self.runs[0];
        let Some(&li) = run.bn_layers.get(layer) else { return Ok(None) };
        if eval {
            run.net.set_training(false);
            self.tape.reset();
            let r = (|| {
                let x = self.tape.input(&self.shape, &self.x).map_err(|e| e.to_string())?;
                run.net.forward(&mut self.tape, &mut run.store, x).map_err(|e| e.to_string())
            })();
            run.net.set_training(true);
            r?;
        }
        // Otherwise the tape still holds run 1's step: re-read run 0's from its capture.
        let mut view = if eval {
            capture(&run.net, &self.tape, li)?
        } else {
            match self.captured.get(layer) {
                Some(v) => v.clone(),
                None => return Ok(None),
            }
        };
        let Some(Layer::BatchNorm(bn)) = run.net.layers().get(li) else { return Ok(None) };
        let value = |id| run.store.value(id).map(|t| t.data().to_vec()).unwrap_or_default();
        view.gamma = value(bn.gamma);
        view.beta = value(bn.beta);
        view.running_mean = value(bn.running_mean);
        view.running_var = value(bn.running_var);
        Ok(Some(view))
    }
}

/// Learning rates of the sweep.
pub const SWEEP_LRS: &[f32] = &[0.01, 0.03, 0.1, 0.3, 1.0, 3.0];
/// Steps per learning rate in the sweep.
pub const SWEEP_STEPS: u64 = 150;

/// One row of the learning-rate sweep: the mean training loss of the last 20 steps (NaN
/// when the run diverged) and the final validation accuracy, with and without BN.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepRow {
    /// The learning rate.
    pub lr: f32,
    /// Final loss with BN.
    pub loss_bn: f32,
    /// Final loss without BN.
    pub loss_plain: f32,
    /// Validation accuracy with BN.
    pub acc_bn: f32,
    /// Validation accuracy without BN.
    pub acc_plain: f32,
}

/// One learning rate of the sweep, advanced a few steps at a time (so the page can yield to
/// the browser between chunks and stay responsive).
pub struct SweepRun {
    e: Experiment,
    lr: f32,
    step: u64,
    tail: [f64; 2],
    diverged: [bool; 2],
}

impl SweepRun {
    /// Both runs at learning rate `lr`, other settings as given.
    pub fn new(s: &Settings, lr: f32) -> Result<Self, String> {
        let e = Experiment::new(&Settings { lr, ..*s })?;
        Ok(SweepRun { e, lr, step: 0, tail: [0.0; 2], diverged: [false; 2] })
    }

    /// Up to `max_steps` more steps; the row once [`SWEEP_STEPS`] are done (or both runs
    /// diverged).
    pub fn advance(&mut self, max_steps: u64) -> Result<Option<SweepRow>, String> {
        for _ in 0..max_steps {
            if self.step >= SWEEP_STEPS || self.diverged.iter().all(|d| *d) {
                break;
            }
            let reps = self.e.step()?;
            for (r, rep) in reps.iter().enumerate() {
                if !rep.loss.is_finite() || rep.loss > 1e3 {
                    self.diverged[r] = true;
                }
                if self.step + 20 >= SWEEP_STEPS {
                    self.tail[r] += rep.loss / 20.0;
                }
            }
            self.step += 1;
        }
        if self.step < SWEEP_STEPS && !self.diverged.iter().all(|d| *d) {
            return Ok(None);
        }
        let mut acc = [0.0f32; 2];
        for (r, a) in acc.iter_mut().enumerate() {
            if !self.diverged[r] {
                *a = self.e.runs[r].evaluate(&mut self.e.tape, &self.e.val)?.1;
            }
        }
        let loss = |r: usize| if self.diverged[r] { f32::NAN } else { self.tail[r] as f32 };
        Ok(Some(SweepRow {
            lr: self.lr,
            loss_bn: loss(0),
            loss_plain: loss(1),
            acc_bn: acc[0],
            acc_plain: acc[1],
        }))
    }
}
