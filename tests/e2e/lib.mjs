// Shared pieces of the end-to-end scripts: a static server that serves the release build from a
// sub-path (as a project page would be), and a headless Chromium launch with the project's flags.
//
// Environment (set by `cargo xtask test` / `cargo xtask screenshot`):
//   DLVIZ_DIST      the Trunk release build (default ../../dist)
//   DLVIZ_BASE      the sub-path to serve it from (default /dlviz/)
//   DLVIZ_CHROMIUM  the browser binary (default /usr/bin/chromium)

import crypto from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

export const DIST = path.resolve(process.env.DLVIZ_DIST || path.join(here, '..', '..', 'dist'));
export const BASE = process.env.DLVIZ_BASE || '/dlviz/';
export const CHROMIUM = process.env.DLVIZ_CHROMIUM || '/usr/bin/chromium';

// Headless Chromium with SwiftShader WebGPU (the common brief's flags) and no GPU process work.
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-gpu',
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** Serves `dist` under `base` on 127.0.0.1 (a free port); anything outside `base` is a 404. */
export async function startServer(dist = DIST, base = BASE) {
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html not found: build the release first (trunk build --release)`);
  }
  const root = fs.realpathSync(dist);
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    requests.push(url.pathname);
    if (url.pathname === base.replace(/\/$/, '')) {
      res.writeHead(301, { Location: base });
      return res.end();
    }
    if (!url.pathname.startsWith(base)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('not under ' + base);
    }
    let rel = decodeURIComponent(url.pathname.slice(base.length));
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403);
      return res.end();
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return res.end('not found');
      }
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(file)] || 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-store',
      });
      fs.createReadStream(file).pipe(res);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${base}`,
    requests,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Launches headless Chromium (the system one; playwright-core downloads nothing). */
export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

// ---- shared helpers of the e2e scripts ---------------------------------------------------------

export const TEST_TIMEOUT_MS = 60_000;
export const WAIT_MS = 15_000;

export const tid = (id) => `[data-testid="${id}"]`;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const sha1 = (s) => crypto.createHash('sha1').update(s).digest('hex').slice(0, 12);

export class Fail extends Error {}
export function assert(cond, msg) {
  if (!cond) throw new Fail(msg);
}

/** Polls `read` until `ok(value)` holds; returns the value or throws with `what`. */
export async function until(read, ok, what, ms = WAIT_MS) {
  const t0 = Date.now();
  let v;
  for (;;) {
    v = await read();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Fail(`${what} (last value: ${JSON.stringify(v)})`);
    await sleep(100);
  }
}

/** Polls `read` until two reads 300 ms apart agree (a render has settled). */
export async function settled(read, what) {
  let prev = await read();
  const t0 = Date.now();
  for (;;) {
    await sleep(300);
    const v = await read();
    if (v === prev) return v;
    if (Date.now() - t0 > WAIT_MS) throw new Fail(`${what} never settled`);
    prev = v;
  }
}

// ---- page helpers ------------------------------------------------------------------------------

const problems = []; // { test, text }
let currentTest = '';

/** Records console errors, uncaught errors, failed app requests and dialogs on `page`. */
export function watch(page, base) {
  const state = { dialogs: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location()?.url || '';
    // The browser's own /favicon.ico probe (outside the app's path) is not the app's doing.
    if (new URL(where || 'about:blank', 'http://x/').pathname === '/favicon.ico') return;
    problems.push({ test: currentTest, text: `console.error: ${m.text()}${where ? ` (${where})` : ''}` });
  });
  page.on('pageerror', (e) => problems.push({ test: currentTest, text: `page error: ${e.message}` }));
  // A request the browser reports as aborted (net::ERR_ABORTED) after the server answered 200
  // is not a failure the user sees: it is printed, and fails the test only if no successful
  // response for that URL arrived. CI saw this twice on the digits file while the VAE lesson
  // trained on them and decoded a digit: the page reads the body as a stream to its end (and
  // `core::mnist::parse` checks every byte), then drops the response; most likely Chromium reports
  // the load as cancelled when that happens before its own completion signal. A body that
  // really stopped short fails the lesson's own checks (the loader shows an error instead of
  // "10,000 digits").
  const arrived = new Set();
  page.on('requestfinished', (r) => arrived.add(r.url()));
  page.on('requestfailed', (r) => {
    if (!r.url().startsWith(base)) return;
    const why = r.failure()?.errorText || '';
    const entry = { test: currentTest, text: `request failed: ${r.url()} ${why}` };
    if (/ERR_ABORTED/.test(why)) entry.unlessArrived = () => arrived.has(r.url());
    problems.push(entry);
  });
  page.on('response', (r) => {
    if (r.status() === 200) arrived.add(r.url());
    if (r.url().startsWith(base) && r.status() >= 400) {
      problems.push({ test: currentTest, text: `HTTP ${r.status()}: ${r.url()}` });
    }
  });
  page.on('dialog', async (d) => {
    state.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  return state;
}

export async function text(page, id) {
  return (await page.locator(tid(id)).first().innerText()).trim();
}

/** A short hash of the PNG encoding of the canvas `id` (or the first canvas inside it). */
export async function canvasHash(page, id) {
  // The maps render after an async compute: a canvas not there yet reads as 'no-canvas'.
  const data = await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    const c = el && (el.tagName === 'CANVAS' ? el : el.querySelector('canvas'));
    if (!c) return 'no-canvas';
    if (c.width === 0 || c.height === 0) return 'empty-canvas';
    return `${c.width}x${c.height}:${c.toDataURL('image/png')}`;
  }, tid(id));
  return data.startsWith('no-') || data.startsWith('empty-') ? data : sha1(data);
}

// ---- the test runner ---------------------------------------------------------------------------

const results = [];

/** Runs one named test; problems recorded by `watch` while it runs fail it. */
export async function test(name, fn) {
  currentTest = name;
  const firstProblem = problems.length;
  const t0 = Date.now();
  let error = null;
  // The time limit's timer is cleared when the test ends: a pending one kept node alive for
  // a full TEST_TIMEOUT_MS after the last test (60 s per script, most of the e2e tier's time).
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Fail(`timed out after ${TEST_TIMEOUT_MS / 1000}s`)), TEST_TIMEOUT_MS);
      }),
    ]);
  } catch (e) {
    error = e instanceof Fail ? e.message : String(e?.stack || e);
  } finally {
    clearTimeout(timer);
  }
  const mine = [];
  for (const p of problems.slice(firstProblem)) {
    if (p.unlessArrived && p.unlessArrived()) console.log(`      note: ${p.text} (the server answered 200 for it)`);
    else mine.push(p.text);
  }
  if (!error && mine.length) error = mine.join('\n      ');
  else if (error && mine.length) error += '\n      ' + mine.join('\n      ');
  const ms = Date.now() - t0;
  results.push({ name, error });
  console.log(`${error ? 'FAIL' : 'ok  '} ${name} (${ms} ms)${error ? '\n      ' + error : ''}`);
}

/** Prints the summary line (`N passed, N failed`) and sets the exit code. */
export function finish() {
  const failed = results.filter((r) => r.error).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
