// Drives the benchmark: serves this folder (the page, tfjs from node_modules) and the dlviz bench
// module (pkg/), runs `runBench()` in headless Chromium, prints a table, and writes
// bench.json and bench.md. With DLVIZ_DIST it also measures the app's first render of a lesson.
//
// Environment (set by `cargo xtask bench`):
//   DLVIZ_BENCH_PKG   wasm-bindgen output of the bench module (required)
//   DLVIZ_BENCH_OUT   where bench.json / bench.md go (default ./out)
//   DLVIZ_DIST        the Trunk release build, for the first-render figure (optional)
//   DLVIZ_WASM_GZIP   the app's wasm size gzipped in bytes, to print with the table (optional)
//   DLVIZ_CHROMIUM    the browser (default /usr/bin/chromium)
//   DLVIZ_BENCH_QUICK=1  fewer repetitions (a smoke run)

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const PKG = process.env.DLVIZ_BENCH_PKG;
const OUT = path.resolve(process.env.DLVIZ_BENCH_OUT || path.join(here, 'out'));
const DIST = process.env.DLVIZ_DIST;
const CHROMIUM = process.env.DLVIZ_CHROMIUM || '/usr/bin/chromium';
const QUICK = process.env.DLVIZ_BENCH_QUICK === '1';
const ONLY = process.env.DLVIZ_BENCH_ONLY || '';

const ARGS = [
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
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** Serves `routes` ({ '/prefix/': dir }) on 127.0.0.1; the longest matching prefix wins. */
async function serve(routes) {
  const prefixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const prefix = prefixes.find((p) => url.pathname.startsWith(p));
    if (!prefix) {
      res.writeHead(404);
      return res.end();
    }
    const root = fs.realpathSync(routes[prefix]);
    let rel = decodeURIComponent(url.pathname.slice(prefix.length));
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r, j) => {
    server.once('error', j);
    server.listen(0, '127.0.0.1', r);
  });
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

const fmt = (x, d = 2) => (x === undefined || x === null || !isFinite(x) ? '—' : x.toFixed(d));

/** Rows of the table: one per case, figures per backend, ratio dlviz/tfjs. */
function table(res) {
  const head = [
    'case',
    'dlviz wasm ms (p10)',
    'GFLOP/s',
    'tfjs-wasm ms (p10)',
    'dlviz/tfjs-wasm',
    'tfjs-cpu ms',
    'dlviz-webgpu ms',
    'tfjs-webgpu ms',
    'webgpu ratio',
    'max rel err',
  ];
  const rows = res.results.map((r) => {
    const d = r.dlviz.wasm;
    const tw = r.tfjs.wasm;
    const dg = r.dlviz.webgpu;
    const tg = r.tfjs.webgpu;
    const errs = Object.values(r.tfjs)
      .map((x) => x.relErr)
      .concat(dg && dg.relErr !== undefined ? [dg.relErr] : []);
    const rate = r.flops ? `${fmt(r.flops / d.median / 1e6, 1)}` : r.bytes ? `${fmt(r.bytes / d.median / 1e6, 1)} GB/s` : '—';
    return [
      r.name,
      `${fmt(d.median)} (${fmt(d.p10)})`,
      rate,
      tw ? `${fmt(tw.median)} (${fmt(tw.p10)})` : '—',
      tw ? `${fmt(d.median / tw.median)}×` : '—',
      r.tfjs.cpu ? fmt(r.tfjs.cpu.median) : '—',
      dg ? fmt(dg.median) : '—',
      tg ? fmt(tg.median) : '—',
      dg && tg ? `${fmt(dg.median / tg.median)}×` : '—',
      errs.length ? Math.max(...errs).toExponential(1) : '—',
    ];
  });
  return { head, rows };
}

function markdown({ head, rows }) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function plain({ head, rows }) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(w[i])).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

async function firstRender(browser) {
  const srv = await serve({ '/dlviz/': DIST });
  const times = [];
  try {
    for (let i = 0; i < 5; i++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(`${srv.origin}/dlviz/#/convolution`, { waitUntil: 'commit' });
      const h = await page.waitForFunction(
        () => {
          const el = document.querySelector('[data-testid="featuremap-0"]');
          const c = el && (el.tagName === 'CANVAS' ? el : el.querySelector('canvas'));
          return c && c.width > 0 && c.height > 0 ? performance.now() : null;
        },
        null,
        { polling: 'raf', timeout: 30000 },
      );
      times.push(await h.jsonValue());
      await ctx.close();
    }
  } finally {
    srv.close();
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], all: times };
}

async function main() {
  if (!PKG || !fs.existsSync(path.join(PKG, 'bench_exports.js'))) {
    throw new Error('DLVIZ_BENCH_PKG must name the wasm-bindgen output (bench_exports.js)');
  }
  const srv = await serve({ '/': here, '/pkg/': PKG });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  let res;
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.log(`[page] ${m.text()}`));
    page.on('pageerror', (e) => console.log(`[page error] ${e}`));
    await page.goto(`${srv.origin}/index.html`);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
    const options = QUICK ? { warmMs: 200, warmRuns: 3, reps: 7, maxMs: 2000 } : {};
    if (ONLY) options.only = ONLY;
    res = await page.evaluate((o) => window.runBench(o), options);
    if (DIST) res.firstRenderMs = await firstRender(browser);
    res.chromium = browser.version();
  } finally {
    await browser.close();
    srv.close();
  }
  res.date = new Date().toISOString();
  res.machine = `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`;
  if (process.env.DLVIZ_WASM_GZIP) res.wasmGzipBytes = Number(process.env.DLVIZ_WASM_GZIP);
  const t = table(res);
  let extra = '';
  if (res.wasmGzipBytes) extra += `\napp wasm gzipped: ${(res.wasmGzipBytes / 1024).toFixed(1)} KiB (budget 600 KB)`;
  if (res.firstRenderMs) extra += `\nfirst render of #/convolution after navigation: median ${fmt(res.firstRenderMs.median, 0)} ms (runs: ${res.firstRenderMs.all.map((x) => x.toFixed(0)).join(', ')}; budget 1000 ms)`;
  const header = `${res.date}  ${res.chromium ? 'Chromium ' + res.chromium : ''}  ${res.machine}\n`;
  console.log('\n' + header + plain(t) + extra);
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'bench.json'), JSON.stringify(res, null, 2));
  fs.writeFileSync(
    path.join(OUT, 'bench.md'),
    `${header}\n${markdown(t)}\n${extra.replace(/\n/g, '\n\n')}\n`,
  );
  console.log(`\nwrote ${path.join(OUT, 'bench.json')} and bench.md`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
