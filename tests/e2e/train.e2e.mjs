// End-to-end tests of the Training chapter on the release build, served from a sub-path.
//
//   node train.e2e.mjs          (after `trunk build --release`; `cargo xtask test e2e` does both)
//
// It trains live in the page like a user (Play, Pause, Step), and checks that training moves the
// curves, that the page keeps drawing frames while it trains (frame times are printed as
// figures — median, 95th percentile and worst — never asserted), that a copied link replays the same run step for step, that the
// softmax lesson shows the naive softmax breaking at large logits, that the EMA lesson's window
// follows β, and that every training lesson fits 360 px. Console errors, page errors and failed
// requests under the app's path fail the test they happened in.
// Prints one line per test and a final 'N passed, N failed'; exits non-zero on any failure.

import {
  startServer,
  launch,
  assert,
  until,
  tid,
  watch,
  text,
  canvasHash,
  test,
  finish,
  sleep,
  WAIT_MS,
} from './lib.mjs';

const TRAINING_LESSONS = ['softmax', 'sgd', 'ema', 'batchnorm'];

async function open(page, url, readyId) {
  await page.goto(url, { waitUntil: 'load' });
  await page.locator(tid(readyId)).first().waitFor({ state: 'visible', timeout: WAIT_MS });
}

/** The step counter of the training controls, as a number. */
async function steps(page) {
  const t = await text(page, 'train-steps');
  const m = t.replace(/[,\s]/g, '').match(/\d+/);
  return m ? Number(m[0]) : NaN;
}

/** Starts recording requestAnimationFrame intervals in the page. */
async function recordFrames(page) {
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__framesOn) requestAnimationFrame(tick);
    };
    window.__framesOn = true;
    requestAnimationFrame(tick);
  });
}

/** Stops recording; returns { n, median, p95, max } of the frame intervals in ms. */
async function frameStats(page) {
  const f = await page.evaluate(() => {
    window.__framesOn = false;
    return window.__frames.slice(1);
  });
  const s = [...f].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

async function main() {
  const server = await startServer();
  const browser = await launch();
  console.log(`e2e (training): ${server.url} with ${browser.version()}`);
  const base = server.url;
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    watch(page, base);

    await test('batch norm trains live: steps advance, curves move, frames keep coming', async () => {
      await open(page, `${base}#/batchnorm?seed=3`, 'train-play');
      const before = await canvasHash(page, 'chart-bn-loss');
      const s0 = await steps(page);
      // The machine's own frame gaps first, with nothing training (printed beside the training
      // frames, to read them against).
      await recordFrames(page);
      await sleep(2000);
      const idle = await frameStats(page);
      await recordFrames(page);
      await page.locator(tid('train-play')).first().click();
      await sleep(4000);
      // Training goes on frame after frame: wait for 20 measured training frames (a loaded
      // machine may need more than the 4 s above; the wait is bounded by WAIT_MS).
      const trainingFrames = () =>
        page.locator('.tr-controls').first().evaluate((el) => Number(el.getAttribute('data-frames')));
      await until(trainingFrames, (n) => n >= 20, 'training did not go on over 20 frames');
      const stats = await frameStats(page);
      await page.locator(tid('train-play')).first().click();
      const s1 = await until(() => steps(page), (n) => n > s0, 'no training step was taken');
      // The training work per frame, measured inside the app (steps + the repaints they
      // cause: loss charts, BN histograms), from the data attributes of the controls.
      const work = await page.locator('.tr-controls').first().evaluate((el) => ({
        max: Number(el.getAttribute('data-max-frame-ms')),
        frames: Number(el.getAttribute('data-frames')),
        worst: el.getAttribute('data-worst-frame'),
      }));
      // Frame times are figures, not checks: they are wall-clock time, which on a shared CI
      // machine (2 cores, other builds running) measures the neighbours as much as the app.
      // The budget logic itself — a frame stops stepping once its 8 ms are spent, a slow step
      // still runs once, the cap on steps per frame holds — is tested against a fake clock
      // (tests/train_budget.rs). Issue 3's bar is 50 ms per frame; the figures say where the
      // page stands.
      console.log(
        `      ${s1 - s0} steps; frames while training: n=${stats.n}, median ${stats.median.toFixed(1)} ms, ` +
          `p95 ${stats.p95.toFixed(1)} ms, worst ${stats.max.toFixed(1)} ms; training work per frame: ` +
          `max ${work.max.toFixed(1)} ms (steps/paint ${work.worst}) over ${work.frames} frames`,
      );
      console.log(
        `      idle page: n=${idle.n}, median ${idle.median.toFixed(1)} ms, p95 ${idle.p95.toFixed(1)} ms, ` +
          `worst ${idle.max.toFixed(1)} ms`,
      );
      if (work.max >= 50 || stats.p95 >= 50 || stats.max >= 100) {
        const load = idle.p95 < 50 && idle.max < 100 ? 'the idle page was smooth' : 'the idle page was slow too (machine loaded)';
        console.log(`      FIGURE: frames over the 50 ms bar while training (${load})`);
      }
      await until(() => canvasHash(page, 'chart-bn-loss'), (h) => h !== before, 'the loss chart did not change');
      // The page kept painting while it trained: the frame recorder (a requestAnimationFrame
      // loop started before Play) ran through the training frames.
      assert(stats.n >= 10, `only ${stats.n} frames were drawn over ${work.frames} training frames`);
      const paused = await steps(page);
      await sleep(600);
      assert((await steps(page)) === paused, 'training went on after Pause');
    });

    await test('a copied link replays the same run step for step', async () => {
      const url = `${base}#/batchnorm?seed=11`;
      const runSteps = async (p) => {
        await open(p, url, 'train-step');
        for (let i = 0; i < 5; i++) {
          const n = await steps(p);
          await p.locator(tid('train-step')).first().click();
          await until(() => steps(p), (m) => m > n, 'Step did not advance');
        }
        return text(p, 'bn-stats');
      };
      const a = await runSteps(page);
      const other = await ctx.newPage();
      watch(other, base);
      const b = await runSteps(other);
      assert(/\d/.test(a), `bn-stats shows no numbers: "${a}"`);
      assert(a === b, `the same link gave different statistics after 5 steps:\n${a}\nvs\n${b}`);
      await other.close();
    });

    await test('softmax: large logits break the naive softmax, the stable one stays finite', async () => {
      await open(page, `${base}#/softmax`, 'sm-large');
      const ok = await text(page, 'sm-overflow');
      await page.locator(tid('sm-large')).first().click();
      const broken = await until(() => text(page, 'sm-overflow'), (t) => t !== ok && t.length > 0, 'no overflow explanation');
      assert(/nan|overflow|∞|inf/i.test(broken), `the overflow notice does not name the failure: "${broken}"`);
      const ce = await text(page, 'sm-ce');
      assert(/\d/.test(ce) && !/nan/i.test(ce), `the stable cross-entropy is not a finite number: "${ce}"`);
    });

    await test('EMA: the effective window follows β', async () => {
      await open(page, `${base}#/ema`, 'ema-beta');
      const w0 = await text(page, 'ema-window');
      const beta = page.locator(tid('ema-beta')).first();
      await beta.focus();
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      const w1 = await until(() => text(page, 'ema-window'), (w) => w !== w0, 'the window did not change with β');
      assert(/\d/.test(w1), `no number in the window text: "${w1}"`);
    });

    await test('SGD: a huge learning rate is reported as divergence, never as NaN', async () => {
      await open(page, `${base}#/sgd?lr=10`, 'sgd-race-canvas');
      await page.locator(tid('sgd-race-end')).first().click();
      const legend = await until(
        () => text(page, 'sgd-legend'),
        (t) => /diverged at step \d+/.test(t),
        'no optimizer is reported as diverged at lr = 10',
      );
      const body = await page.evaluate(() => document.querySelector('main').innerText);
      assert(!/\bNaN\b/.test(body), `the page shows NaN (legend: ${legend})`);
    });

    await test('training lessons fit 360 px without horizontal scroll', async () => {
      const small = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
      const p = await small.newPage();
      watch(p, base);
      for (const slug of TRAINING_LESSONS) {
        await p.goto(`${base}#/${slug}`, { waitUntil: 'load' });
        await p.locator('main h1, main h2').first().waitFor({ state: 'visible', timeout: WAIT_MS });
        await sleep(300);
        const [sw, cw] = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        assert(sw <= cw + 1, `${slug}: the page is ${sw}px wide at a ${cw}px viewport`);
      }
      await small.close();
    });
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
  finish();
}

main().catch((e) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
