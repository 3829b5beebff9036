#![cfg(not(target_arch = "wasm32"))]
//! The training loop's frame budget, against a fake clock: `Trainer::run_budget(ms, max, clock)`
//! is what each animation frame of the page's training loop calls (`ui::train`'s controller,
//! with `FRAME_BUDGET_MS` = 8 ms and a cap from `SPEEDS`). No wall clock is read here: every
//! step advances a fake clock by a chosen cost, so the budget logic is checked exactly, on
//! any machine, however loaded. (The browser tests check that the app's constants are the ones
//! used here; e2e prints the real frame times as figures.)
//!
//! Checked: a frame stops stepping once the budget is spent (and overshoots it by less than
//! one step); a step longer than the budget still runs, once per frame; the cap on steps per
//! frame holds however cheap the steps; the steps and time reach the throughput meter; and over
//! many frames of random step costs, every burst obeys all of it.

use dlviz::core::rng::Rng;
use dlviz::core::train::{DivergenceConfig, FnTrainable, StepReport, Trainer};
use std::cell::Cell;
use std::rc::Rc;

#[path = "support/frame_budget.rs"]
mod frame_budget;
use frame_budget::{FRAME_BUDGET_MS, SPEEDS};

/// A fake clock shared by the trainable (whose steps advance it) and the trainer (which reads
/// it), and how many times it was read.
#[derive(Clone, Default)]
struct Clock {
    now: Rc<Cell<f64>>,
    reads: Rc<Cell<u32>>,
}

impl Clock {
    fn read(&self) -> f64 {
        self.reads.set(self.reads.get() + 1);
        self.now.get()
    }

    fn advance(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }
}

/// A trainer whose every step costs `cost(step index)` ms of fake time; also returns the step
/// counter the trainable itself keeps.
fn trainer(clock: &Clock, cost: impl Fn(u64) -> f64 + 'static) -> (Trainer, Rc<Cell<u64>>) {
    let steps = Rc::new(Cell::new(0u64));
    let (c, s) = (clock.clone(), steps.clone());
    let model = FnTrainable::new(1, move || {
        c.advance(cost(s.get()));
        s.set(s.get() + 1);
        Ok(vec![StepReport::loss(1.0 / (1.0 + s.get() as f64))])
    });
    let mut t = Trainer::new(Box::new(model), DivergenceConfig::default());
    t.throughput_mut().resume(clock.now.get());
    (t, steps)
}

fn frame(t: &mut Trainer, clock: &Clock, max: u32) -> dlviz::core::train::Burst {
    let c = clock.clone();
    t.run_budget(FRAME_BUDGET_MS, max, &mut move || c.read()).unwrap()
}

#[test]
fn a_frame_stops_stepping_once_the_budget_is_spent() {
    let clock = Clock::default();
    let (mut t, steps) = trainer(&clock, |_| 3.0);
    let b = frame(&mut t, &clock, 1000);
    // 3 ms steps against 8 ms: after 3 and 6 ms it goes on, after 9 ms it stops.
    assert_eq!(b.steps, 3, "{b:?}");
    assert_eq!(steps.get(), 3);
    assert_eq!(b.ms, 9.0);
    assert!(b.ms < FRAME_BUDGET_MS + 3.0, "overshoots by less than one step");
    assert_eq!(b.diverged, None);
    // The next frame starts afresh from the clock's current time.
    let b = frame(&mut t, &clock, 1000);
    assert_eq!((b.steps, b.ms), (3, 9.0));
    assert_eq!(t.step_count(), 6);
    // Steps that fill the budget exactly: 4 × 2 ms = 8 ms is spent, so no fifth step.
    let (mut t, _) = trainer(&clock, |_| 2.0);
    assert_eq!(frame(&mut t, &clock, 1000).steps, 4);
}

#[test]
fn a_step_longer_than_the_budget_still_runs_once_per_frame() {
    let clock = Clock::default();
    let (mut t, steps) = trainer(&clock, |_| 20.0);
    for n in 1..=5 {
        let b = frame(&mut t, &clock, 1000);
        assert_eq!((b.steps, b.ms), (1, 20.0), "frame {n}");
        assert_eq!(steps.get(), n);
    }
    // Also with the smallest cap.
    assert_eq!(frame(&mut t, &clock, 1).steps, 1);
}

#[test]
fn the_cap_on_steps_per_frame_holds() {
    for &max in SPEEDS {
        // Free steps (the clock never moves): only the cap stops the frame.
        let clock = Clock::default();
        let (mut t, steps) = trainer(&clock, |_| 0.0);
        let b = frame(&mut t, &clock, max);
        assert_eq!(b.steps, max, "cap {max}");
        assert_eq!(steps.get(), u64::from(max));
        assert_eq!(b.ms, 0.0);
        // Cheap steps: the cap comes first (0.005 ms × 1000 = 5 ms < 8 ms).
        let (mut t, _) = trainer(&clock, |_| 0.005);
        assert_eq!(frame(&mut t, &clock, max).steps, max, "cap {max}, cheap steps");
    }
    // Steps of 0.01 ms: the budget stops the frame at 8 ms (~800 steps), before a cap of 1000.
    let clock = Clock::default();
    let (mut t, _) = trainer(&clock, |_| 0.01);
    let b = frame(&mut t, &clock, 1000);
    assert!((800..=801).contains(&b.steps), "{b:?}");
    // A cap of zero steps does nothing (the controller never asks for it).
    let clock = Clock::default();
    let (mut t, steps) = trainer(&clock, |_| 1.0);
    assert_eq!(frame(&mut t, &clock, 0).steps, 0);
    assert_eq!(steps.get(), 0);
}

#[test]
fn a_burst_reads_the_clock_once_per_step_plus_twice() {
    let clock = Clock::default();
    let (mut t, _) = trainer(&clock, |_| 3.0);
    let b = frame(&mut t, &clock, 1000);
    assert_eq!(clock.reads.get(), b.steps + 2, "start, after each step, end");
}

#[test]
fn steps_and_time_reach_the_throughput_meter() {
    let clock = Clock::default();
    let (mut t, _) = trainer(&clock, |_| 2.5);
    let mut total = 0u64;
    for _ in 0..40 {
        total += u64::from(frame(&mut t, &clock, 1000).steps);
        // The page idles between frames (drawing): time passes without steps.
        clock.advance(8.0);
    }
    assert_eq!(t.throughput().total_steps(), total);
    assert_eq!(t.step_count(), total);
    // 4 steps of 2.5 ms (10 ms) per frame, then 8 ms of drawing: 4 steps per 18 ms.
    let rate = t.throughput().steps_per_sec();
    let want = 4.0 / 18.0 * 1000.0;
    assert!((rate - want).abs() < 0.1 * want, "{rate} steps/s, expected ~{want:.1}");
}

#[test]
fn every_burst_obeys_budget_and_cap_over_random_step_costs() {
    let mut rng = Rng::new(20_261_207);
    // Step costs from 0 to 30 ms, with a clock jump now and then (a GC pause, a hidden tab).
    let costs: Vec<f64> = (0..20_000)
        .map(|_| {
            let u = rng.below(1000) as f64 / 1000.0;
            if rng.below(50) == 0 {
                200.0 * u
            } else {
                30.0 * u * u * u
            }
        })
        .collect();
    let costs = Rc::new(costs);
    let clock = Clock::default();
    let c = costs.clone();
    let (mut t, steps) = trainer(&clock, move |i| c[i as usize % c.len()]);
    let mut frames = 0;
    while (steps.get() as usize) < costs.len() - 1000 {
        let max = SPEEDS[rng.below(SPEEDS.len() as u32) as usize];
        let first = steps.get() as usize;
        let b = frame(&mut t, &clock, max);
        let done = b.steps as usize;
        let spent: Vec<f64> = costs[first..first + done].to_vec();
        assert!(done >= 1, "a frame always steps");
        assert!(b.steps <= max, "cap {max}: {done} steps");
        assert!((b.ms - spent.iter().sum::<f64>()).abs() < 1e-9);
        // Every step but the first began with budget left ...
        let before_last: f64 = spent[..done - 1].iter().sum();
        if done > 1 {
            assert!(before_last < FRAME_BUDGET_MS, "a step began after the budget: {spent:?}");
        }
        // ... and the frame stopped only at the cap or once the budget was spent.
        if b.steps < max {
            assert!(b.ms >= FRAME_BUDGET_MS, "stopped early: {spent:?}, cap {max}");
        }
        frames += 1;
    }
    assert!(frames > 1000, "{frames}");
}
