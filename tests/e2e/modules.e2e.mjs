// End-to-end test of the per-chapter wasm modules on the release build, served from a sub-path.
//
//   node modules.e2e.mjs    (after `trunk build --release`; `cargo xtask test e2e` does both)
//
// The site is one wasm module per chapter plus the landing page's (src/bin/, lessons::Part), and
// the loader in index.html fetches the one the URL asks for. This checks, by the requests the
// server saw, that a page fetches its own module only; that following links across chapters
// swaps the modules with one app on the page at a time (one header, the lesson mounted, the
// language kept); that going back to a chapter already fetched mounts it again without a new
// request; and that a module that cannot be fetched is reported in place while the page keeps
// working. Prints one line per test and a final 'N passed, N failed'.

import { startServer, launch, assert, until, tid, watch, test, finish, WAIT_MS } from './lib.mjs';

/** The app modules (`dlviz-<name>_bg.wasm`) requested since `from`, in order. */
function wasmFetched(server, from = 0) {
  return server.requests
    .slice(from)
    .map((p) => /dlviz-([a-z]+)_bg\.wasm$/.exec(p))
    .filter(Boolean)
    .map((m) => m[1]);
}

/** What is on the page: app headers, the mounted lesson (or 'home'), the loading notice. */
async function shown(page) {
  return page.evaluate(() => {
    const article = document.querySelector('article[data-lesson]');
    return {
      headers: document.querySelectorAll('.app-header').length,
      mains: document.querySelectorAll('main').length,
      lesson: article ? article.dataset.lesson : document.querySelector('[data-testid=home]') ? 'home' : null,
      lang: document.documentElement.getAttribute('lang'),
      loading: (document.querySelector('[data-testid=module-loading]') || {}).innerText || '',
    };
  });
}

/** Waits until `lesson` is mounted (with some content) and exactly one app is on the page. */
async function waitLesson(page, lesson) {
  const s = await until(
    () => shown(page),
    (s) => s.lesson === lesson && s.headers === 1 && s.mains === 1,
    `${lesson} never shown alone`,
  );
  if (lesson !== 'home') {
    await page.locator(`article[data-lesson=${lesson}] > *`).first().waitFor({ state: 'attached', timeout: WAIT_MS });
  }
  return s;
}

async function main() {
  const server = await startServer();
  const browser = await launch();
  console.log(`e2e (modules): ${server.url} with ${browser.version()}`);
  const base = server.url;
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    watch(page, base);

    await test('the home page fetches the landing module only', async () => {
      const from = server.requests.length;
      await page.goto(`${base}#/`, { waitUntil: 'load' });
      await waitLesson(page, 'home');
      const got = wasmFetched(server, from);
      assert(JSON.stringify(got) === '["home"]', `wasm fetched: ${JSON.stringify(got)}`);
      // Both files of the module carry the build's content hash (cargo xtask stamp), the same one.
      const urls = await page.evaluate(() =>
        performance.getEntriesByType('resource').map((r) => r.name).filter((n) => /dlviz-home/.test(n)),
      );
      const stamps = urls.map((u) => /\?v=([0-9a-f]{16})$/.exec(u)?.[1]);
      assert(urls.length >= 2 && stamps.every((v) => v && v === stamps[0]), `module URLs: ${urls.join(', ')}`);
    });

    await test('a lesson link swaps in its chapter module; one app on the page', async () => {
      const from = server.requests.length;
      await page.locator(tid('lesson-link-convolution')).first().click();
      await waitLesson(page, 'convolution');
      const got = wasmFetched(server, from);
      assert(JSON.stringify(got) === '["cnn"]', `wasm fetched: ${JSON.stringify(got)}`);
    });

    await test('the next chapter keeps the language; back mounts the old module again', async () => {
      await page.locator(tid('lang-switch')).first().click();
      await until(() => shown(page), (s) => s.lang === 'zh-CN', 'language did not switch');
      const from = server.requests.length;
      await page.locator('.lesson-pager a.next').first().click();
      const s = await waitLesson(page, 'softmax');
      assert(s.lang === 'zh-CN', `softmax opened in ${s.lang}, not zh-CN`);
      assert(JSON.stringify(wasmFetched(server, from)) === '["training"]', 'training module not fetched once');
      const from2 = server.requests.length;
      await page.goBack();
      const back = await waitLesson(page, 'convolution');
      assert(back.lang === 'zh-CN', `back in ${back.lang}`);
      const again = wasmFetched(server, from2);
      assert(again.length === 0, `going back fetched ${JSON.stringify(again)}`);
      // The remounted module is live: its controls still answer.
      await page.locator(tid('lang-switch')).first().click();
      await until(() => shown(page), (s) => s.lang === 'en', 'the remounted app does not react');
    });

    await test('a direct link loads only its own chapter module', async () => {
      const p2 = await ctx.newPage();
      watch(p2, base);
      const from = server.requests.length;
      await p2.goto(`${base}#/ema?lang=en`, { waitUntil: 'load' });
      await waitLesson(p2, 'ema');
      const got = wasmFetched(server, from);
      assert(JSON.stringify(got) === '["training"]', `wasm fetched: ${JSON.stringify(got)}`);
      await p2.close();
    });

    await test('a module that cannot be fetched is reported in place; the page keeps working', async () => {
      const p3 = await ctx.newPage();
      // The refused request and its console error are this test's doing, not the app's.
      await p3.route('**/dlviz-generative*', (r) => r.abort());
      await p3.goto(`${base}#/convolution?lang=en`, { waitUntil: 'load' });
      await waitLesson(p3, 'convolution');
      await p3.evaluate(() => {
        location.hash = '#/vae?lang=en';
      });
      const s = await until(() => shown(p3), (s) => /could not be loaded/.test(s.loading), 'no failure notice');
      assert(s.headers === 1, `${s.headers} headers`);
      await p3.locator(tid('lang-switch')).first().click();
      await until(() => shown(p3), (s) => /无法加载/.test(s.loading), 'the page stopped reacting');
      // Back to a lesson of the module on the page: shown at once.
      await p3.evaluate(() => {
        location.hash = '#/convolution?lang=en';
      });
      await waitLesson(p3, 'convolution');
      await p3.close();
    });
  } finally {
    await browser.close();
    await server.close();
  }
  finish();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
