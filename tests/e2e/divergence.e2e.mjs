// End-to-end test of the KL & JS divergence lesson on the release build, served from a sub-path.
//
//   node divergence.e2e.mjs    (after `trunk build --release`; `cargo xtask test e2e` does both)
//
// It opens the lesson from a URL whose P and Q histograms have disjoint supports and checks that
// both KL directions show ∞ with the explanation while JS is finite (ln 2 nats = 1 bit) and no
// NaN appears; that dragging a bar with the pointer gives Q mass under P and makes D_KL(P‖Q)
// finite; that the forward and reverse fits run live and stop on convergence; and that the
// lesson fits 360 px. Console errors, page errors and failed requests under the app's path fail
// the test they happened in. Prints one line per test and a final 'N passed, N failed'.

import { startServer, launch, assert, until, tid, watch, text, test, finish, sleep, WAIT_MS } from './lib.mjs';

const DISJOINT = 'mode=hist&hp=2,5,3,0,0,0,0,0&hq=0,0,0,0,1,4,4,1';

async function open(page, url, readyId) {
  await page.goto(url, { waitUntil: 'load' });
  await page.locator(tid(readyId)).first().waitFor({ state: 'visible', timeout: WAIT_MS });
}

async function main() {
  const server = await startServer();
  const browser = await launch();
  console.log(`e2e (divergence): ${server.url} with ${browser.version()}`);
  const base = server.url;
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    watch(page, base);

    await test('disjoint supports: KL is ∞ both ways, JS is finite (ln 2 = 1 bit)', async () => {
      await open(page, `${base}#/divergence?${DISJOINT}`, 'div-table');
      const pq = await until(() => text(page, 'div-kl-pq-nats'), (t) => t.length > 0, 'no KL value');
      assert(pq === '∞', `D_KL(P‖Q) shows "${pq}", expected ∞`);
      assert((await text(page, 'div-kl-qp-nats')) === '∞', 'D_KL(Q‖P) is not ∞');
      const js = await text(page, 'div-js-nats');
      assert(Math.abs(Number(js) - Math.LN2) < 1e-3, `JS shows "${js}", expected ln 2`);
      assert((await text(page, 'div-js-bits')) === '1', 'JS in bits is not 1');
      const note = await text(page, 'div-inf-note');
      assert(/∞/.test(note) && /JS stays finite/.test(note), `no explanation of ∞: "${note}"`);
      const body = await page.evaluate(() => document.querySelector('main').innerText);
      assert(!/\bNaN\b/.test(body), 'the page shows NaN');
    });

    await test('dragging a bar of Q under P makes D_KL(P‖Q) finite', async () => {
      await open(page, `${base}#/divergence?${DISJOINT}`, 'div-bar-q-1');
      const bar = page.locator(tid('div-bar-q-1')).first();
      const box = await bar.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.9);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.5, { steps: 5 });
      await page.mouse.up();
      // Bins 1 and 3 still have P > 0 = Q: still ∞. Fill them from the keyboard.
      for (const i of [0, 2]) {
        await page.locator(tid(`div-bar-q-${i}`)).first().focus();
        await page.keyboard.press('ArrowUp');
      }
      const pq = await until(() => text(page, 'div-kl-pq-nats'), (t) => t !== '∞' && t.length > 0, 'KL stayed ∞');
      assert(Number.isFinite(Number(pq)) && Number(pq) > 0, `D_KL(P‖Q) = "${pq}"`);
      assert((await text(page, 'div-kl-qp-nats')) === '∞', 'D_KL(Q‖P) should still be ∞');
      assert(/hq=/.test(page.url()), 'the edit is not in the URL');
    });

    await test('forward and reverse fits run live and stop when converged', async () => {
      await open(page, `${base}#/divergence?fsep=5&fs=0.6&fw=0.5&fm0=0.5`, 'train-play');
      await page.locator(tid('train-play')).first().click();
      const done = await until(() => text(page, 'div-fit-done'), (t) => /converged/.test(t), 'the fits did not converge', 30_000);
      const state = await text(page, 'div-fit-state');
      console.log(`      ${done.trim()} — ${state.trim()}`);
      const s1 = await text(page, 'train-steps');
      await sleep(500);
      assert((await text(page, 'train-steps')) === s1, 'training went on after convergence');
    });

    await test('the lesson fits 360 px without horizontal scroll', async () => {
      const small = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
      const p = await small.newPage();
      watch(p, base);
      for (const q of ['mode=gauss', 'mode=mix', DISJOINT]) {
        await p.goto(`${base}#/divergence?${q}`, { waitUntil: 'load' });
        await p.locator(tid('div-table')).first().waitFor({ state: 'visible', timeout: WAIT_MS });
        await sleep(300);
        const [sw, cw] = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        assert(sw <= cw + 1, `${q}: the page is ${sw}px wide at a ${cw}px viewport`);
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
