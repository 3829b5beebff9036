// Shared pieces of the end-to-end scripts: a static server that serves the release build from a
// sub-path (as a project page would be), and a headless Chromium launch with the project's flags.
//
// Environment (set by `cargo xtask test` / `cargo xtask screenshot`):
//   DLVIZ_DIST      the Trunk release build (default ../../dist)
//   DLVIZ_BASE      the sub-path to serve it from (default /dlviz/)
//   DLVIZ_CHROMIUM  the browser binary (default /usr/bin/chromium)

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
