// End-to-end test of the Convolution lesson on the release build, served from a sub-path.
//
//   node conv.e2e.mjs          (after `trunk build --release`; `cargo xtask test e2e` does both)
//
// It drives the page like a user (keyboard, selects, file input), reads the feature-map canvas
// pixels, checks that a copied URL restores the view, that the language switch translates the
// page, that a hostile URL is reported and not executed, that a non-image upload is refused
// with a message and the previous image kept, and that the page fits 360 px. Every console
// error, page error and failed request under the app's path fails the test it happened in.
// Prints one line per test and a final 'N passed, N failed'; exits non-zero on any failure.
// A 360x740 screenshot is left in $DLVIZ_SHOTS (or a temp dir) for humans; it is not asserted.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startServer,
  launch,
  assert,
  until,
  settled,
  tid,
  watch,
  text,
  canvasHash,
  test,
  finish,
  sleep,
  WAIT_MS,
} from './lib.mjs';

const SHOTS = process.env.DLVIZ_SHOTS || fs.mkdtempSync(path.join(os.tmpdir(), 'dlviz-e2e-'));
const CONTROLS = ['conv-preset', 'conv-ksize', 'conv-stride', 'conv-padding'];

/** The state of a control: value for inputs and selects, checked for checkboxes. */
async function controlValue(page, id) {
  return page.$eval(tid(id), (el) => {
    if (el.type === 'checkbox' || el.type === 'radio') return String(el.checked);
    if ('value' in el) return String(el.value);
    const r = el.querySelector('input:checked');
    return r ? r.value : el.textContent.trim();
  });
}

async function controlValues(page) {
  const out = {};
  for (const id of CONTROLS) out[id] = await controlValue(page, id);
  return out;
}

/**
 * Moves control `id` to a different valid value the way a user would: arrow keys on sliders and
 * number inputs, the next option of a select, the first unchecked radio of a group.
 * Returns the new value.
 */
async function changeControl(page, id) {
  const loc = page.locator(tid(id)).first();
  const info = await loc.evaluate((el) => ({
    tag: el.tagName,
    type: el.type || '',
    value: 'value' in el ? String(el.value) : '',
    min: el.min,
    max: el.max,
    options: el.tagName === 'SELECT' ? [...el.options].map((o) => o.value) : [],
  }));
  const before = await controlValue(page, id);
  if (info.tag === 'SELECT') {
    assert(info.options.length > 1, `${id} has ${info.options.length} option(s)`);
    const i = info.options.indexOf(info.value);
    await loc.selectOption(info.options[(i + 1) % info.options.length]);
  } else if (info.tag === 'INPUT' && (info.type === 'range' || info.type === 'number')) {
    const atMax = info.max !== '' && Number(info.value) >= Number(info.max);
    await loc.focus();
    const up = info.type === 'range' ? 'ArrowRight' : 'ArrowUp';
    const down = info.type === 'range' ? 'ArrowLeft' : 'ArrowDown';
    await page.keyboard.press(atMax ? down : up);
  } else if (info.tag === 'INPUT' && info.type === 'checkbox') {
    await loc.focus();
    await page.keyboard.press('Space');
  } else {
    const radio = loc.locator('input[type=radio]:not(:checked)').first();
    assert((await radio.count()) > 0, `${id}: no way to change it (${info.tag})`);
    await radio.check();
  }
  return until(() => controlValue(page, id), (v) => v !== before, `${id} did not change`);
}

async function openLesson(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  await page.locator(tid('conv-output-size')).first().waitFor({ state: 'visible', timeout: WAIT_MS });
  await until(() => canvasHash(page, 'featuremap-0'), (h) => !h.endsWith('canvas'), 'featuremap-0 has no pixels');
  return settled(() => canvasHash(page, 'featuremap-0'), 'featuremap-0');
}

// ---- the tests ---------------------------------------------------------------------------------

async function main() {
  const server = await startServer();
  const browser = await launch();
  console.log(`e2e: ${server.url} with ${browser.version()}`);
  const lessonUrl = `${server.url}#/convolution`;
  const base = server.url;
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    watch(page, base);
    let hash = '';
    let size = '';

    await test('lesson loads from the sub-path', async () => {
      hash = await openLesson(page, lessonUrl);
      size = await text(page, 'conv-output-size');
      assert(size.length > 0, 'conv-output-size is empty');
      assert(/\d/.test(size), `conv-output-size shows no number: "${size}"`);
      const sub = new URL(base).pathname;
      // The browser's own /favicon.ico probe is not the app's doing.
      const outside = server.requests.filter((p) => !p.startsWith(sub) && p !== '/favicon.ico');
      assert(outside.length === 0, `requests outside the sub-path: ${outside.join(', ')}`);
      assert((await page.locator(tid('conv-featuremaps')).count()) > 0, 'no conv-featuremaps');
    });

    for (const [id, what] of [
      ['conv-stride', 'stride'],
      ['conv-padding', 'padding'],
      ['conv-ksize', 'kernel size'],
    ]) {
      await test(`${what} changes the output size and the feature map`, async () => {
        const v = await changeControl(page, id);
        size = await until(
          () => text(page, 'conv-output-size'),
          (s) => s !== size,
          `output size text did not change after ${id} = ${v}`,
        );
        const h = await until(() => canvasHash(page, 'featuremap-0'), (x) => x !== hash, `featuremap-0 pixels did not change after ${id} = ${v}`);
        hash = await settled(() => canvasHash(page, 'featuremap-0'), 'featuremap-0');
        assert(h !== '', 'no hash');
      });
    }

    await test('preset changes the feature map pixels', async () => {
      const v = await changeControl(page, 'conv-preset');
      await until(() => canvasHash(page, 'featuremap-0'), (x) => x !== hash, `featuremap-0 pixels did not change after conv-preset = ${v}`);
      hash = await settled(() => canvasHash(page, 'featuremap-0'), 'featuremap-0');
      size = await text(page, 'conv-output-size');
    });

    const page2 = await ctx.newPage();
    watch(page2, base);
    await test('a copied URL restores the state in a new page', async () => {
      const url = page.url();
      assert(url.includes('#/convolution?'), `the URL does not carry the state: ${url}`);
      const want = await controlValues(page);
      const h2 = await openLesson(page2, url);
      const got = await controlValues(page2);
      assert(JSON.stringify(got) === JSON.stringify(want), `controls ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
      const s2 = await text(page2, 'conv-output-size');
      assert(s2 === size, `output size "${s2}" != "${size}"`);
      assert(h2 === hash, `feature map pixels differ (${h2} vs ${hash})`);
    });

    await test('the language switch translates the page', async () => {
      const lang0 = await page2.evaluate(() => document.documentElement.lang);
      const text0 = await page2.evaluate(() => document.body.innerText);
      await page2.locator(tid('lang-switch')).first().click();
      const lang1 = await until(() => page2.evaluate(() => document.documentElement.lang), (l) => l !== lang0, '<html lang> did not change');
      const text1 = await page2.evaluate(() => document.body.innerText);
      assert(text1 !== text0, 'the page text did not change');
      const cjk = (s) => (s.match(/[\u4e00-\u9fff]/g) || []).length;
      const [zh, en] = lang1.startsWith('zh') ? [text1, text0] : [text0, text1];
      assert(cjk(zh) > cjk(en) + 10, `the zh page has too little Chinese text (${cjk(zh)} vs ${cjk(en)} CJK chars)`);
      const values = await controlValues(page2);
      // The language travels with a copied link.
      const url = page2.url();
      assert(url.includes(`lang=${lang1.slice(0, 2)}`), `the URL does not carry lang=${lang1.slice(0, 2)}: ${url}`);
      const p3 = await ctx.newPage();
      watch(p3, base);
      await openLesson(p3, url);
      const lang3 = await p3.evaluate(() => document.documentElement.lang);
      assert(lang3 === lang1, `a copied link opened in <html lang="${lang3}">, not "${lang1}"`);
      await p3.close();
      await page2.locator(tid('lang-switch')).first().click();
      await until(() => page2.evaluate(() => document.documentElement.lang), (l) => l === lang0, '<html lang> did not switch back');
      const after = await controlValues(page2);
      assert(JSON.stringify(after) === JSON.stringify(values), 'switching language changed the controls');
    });
    await page2.close();

    await test('the controls are reachable with Tab', async () => {
      await page.evaluate(() => document.activeElement?.blur());
      const seen = new Set();
      for (let i = 0; i < 250 && seen.size < CONTROLS.length; i++) {
        await page.keyboard.press('Tab');
        const id = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
        if (CONTROLS.includes(id)) seen.add(id);
      }
      const missing = CONTROLS.filter((c) => !seen.has(c));
      assert(missing.length === 0, `not reached by Tab: ${missing.join(', ')}`);
    });

    await test('a non-image upload is refused with a notice and the image kept', async () => {
      const h0 = await settled(() => canvasHash(page, 'featuremap-0'), 'featuremap-0');
      const up = page.locator(tid('conv-upload')).first();
      const isInput = await up.evaluate((el) => el.tagName === 'INPUT' && el.type === 'file');
      const input = isInput ? up : up.locator('input[type=file]').first();
      await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('this is not an image\n') });
      // The notice element may exist (empty) before: wait for words in it, then check it shows.
      const msg = await until(() => text(page, 'conv-upload-notice'), (s) => s.length > 0, 'conv-upload-notice stayed empty');
      assert(await page.locator(tid('conv-upload-notice')).first().isVisible(), `conv-upload-notice "${msg}" is not visible`);
      const h1 = await settled(() => canvasHash(page, 'featuremap-0'), 'featuremap-0');
      assert(h1 === h0, 'the feature map changed after a refused upload');
    });

    await test('a hostile URL is reported and not executed', async () => {
      const p = await ctx.newPage();
      const state = watch(p, base);
      await p.goto(`${lessonUrl}?stride=NaN&pad=<script>alert(1)</script>&ksize=999`, { waitUntil: 'load' });
      await p.locator(tid('url-notice')).first().waitFor({ state: 'visible', timeout: WAIT_MS });
      const notice = await text(p, 'url-notice');
      assert(notice.includes('stride'), `url-notice does not name stride: "${notice}"`);
      await p.locator(tid('conv-output-size')).first().waitFor({ state: 'visible', timeout: WAIT_MS });
      await sleep(500);
      assert(state.dialogs.length === 0, `a dialog opened: ${state.dialogs.join('; ')}`);
      const scripts = await p.evaluate(() => document.querySelectorAll('main script, body > header script').length);
      assert(scripts === 0, `${scripts} <script> element(s) injected into the page`);
      await p.close();
    });

    await test('360 px wide: no horizontal scroll (screenshot kept)', async () => {
      const small = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
      const p = await small.newPage();
      watch(p, base);
      await openLesson(p, lessonUrl);
      const shot = path.join(SHOTS, 'convolution-360x740.png');
      await p.screenshot({ path: shot, fullPage: false });
      console.log(`      screenshot: ${shot}`);
      const [sw, cw] = await p.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      const wide = await p.evaluate((cw) => {
        // The innermost elements that stick out past the viewport, to say what to fix.
        const out = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > cw + 1);
        return out
          .filter((e) => !out.some((o) => o !== e && e.contains(o)))
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).split(' ').join('.') : ''}${e.dataset.testid ? `[${e.dataset.testid}]` : ''} right=${Math.round(e.getBoundingClientRect().right)}`);
      }, cw);
      assert(sw <= cw + 1, `the page is ${sw}px wide at a ${cw}px viewport; sticking out: ${wide.join(', ')}`);
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
