// End-to-end test of the VAE lesson on the release build, served from a sub-path.
//
//   node vae.e2e.mjs    (after `trunk build --release`; `cargo xtask test e2e` does both)
//
// It opens the lesson from a URL with a seed, waits for the digits to load, trains a bounded
// number of steps (Play until at least 60, then Pause), checks the loss terms are shown, clicks
// the latent plane and checks that a decoded digit appears there (the decoded canvas's hash
// changes and it is not blank); then checks that the lesson fits 360 px. Console errors, page
// errors and failed requests under the app's path fail the test they happened in. Prints one
// line per test and a final 'N passed, N failed'.

import { startServer, launch, assert, until, tid, watch, text, test, finish, sleep, canvasHash, WAIT_MS } from './lib.mjs';

const URL_QUERY = 'seed=11&hid=64&bs=32&lr=0.005';
const STEPS = 60;

const steps = async (page) => Number((await text(page, 'train-steps')).replace(/[^0-9]/g, '')) || 0;

async function main() {
  const server = await startServer();
  const browser = await launch();
  console.log(`e2e (vae): ${server.url} with ${browser.version()}`);
  const base = server.url;
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    watch(page, base);

    await test(`train ${STEPS} steps from a seeded URL, then a click on the latent plane decodes a digit`, async () => {
      await page.goto(`${base}#/vae?${URL_QUERY}`, { waitUntil: 'load' });
      await page.locator(tid('train-play')).first().waitFor({ state: 'visible', timeout: 60_000 });
      const t0 = Date.now();
      await page.locator(tid('train-play')).first().click();
      await until(() => steps(page), (n) => n >= STEPS, `fewer than ${STEPS} steps`, 60_000);
      await page.locator(tid('train-play')).first().click();
      const n = await steps(page);
      const rate = await text(page, 'train-rate').catch(() => '');
      console.log(`      ${n} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s ${rate.trim()}`);
      await until(() => text(page, 'vae-latent-status'), (t) => /step [1-9]/.test(t), 'the latent space was not refreshed after training');
      const kl = await text(page, 'vae-kl-summary');
      assert(/Total KL [0-9.]+ nats/.test(kl), `no KL summary: "${kl}"`);
      const before = await canvasHash(page, 'vae-probe');
      const readout0 = await text(page, 'vae-probe-readout');
      const box = await page.locator(tid('vae-latent')).first().boundingBox();
      await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.3);
      const readout = await until(() => text(page, 'vae-probe-readout'), (t) => t !== readout0, 'the click decoded nothing');
      const after = await until(() => canvasHash(page, 'vae-probe'), (h) => h !== before, 'the decoded canvas did not change');
      const ink = await page.evaluate((sel) => {
        const c = document.querySelector(sel);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let lo = 255, hi = 0;
        for (let i = 0; i < d.length; i += 4) { lo = Math.min(lo, d[i]); hi = Math.max(hi, d[i]); }
        return hi - lo;
      }, tid('vae-probe'));
      assert(ink > 64, `the decoded digit is blank (contrast ${ink})`);
      console.log(`      ${readout.trim()} (canvas ${after})`);
    });

    await test('the lesson fits 360 px without horizontal scroll', async () => {
      const small = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
      const p = await small.newPage();
      watch(p, base);
      await p.goto(`${base}#/vae?z=4&seed=3`, { waitUntil: 'load' });
      await p.locator(tid('vae-latent')).first().waitFor({ state: 'visible', timeout: 60_000 });
      await sleep(500);
      const [sw, cw] = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert(sw <= cw + 1, `the page is ${sw}px wide at a ${cw}px viewport`);
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
