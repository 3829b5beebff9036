// Takes the README screenshot: the Convolution lesson of the release build (1280x1000, scrolled
// so the controls and the feature maps show).
//
//   node screenshot.mjs <out.png>     (`cargo xtask screenshot` builds first and writes
//                                      assets/screenshot.png)

import { startServer, launch } from './lib.mjs';

const out = process.argv[2];
if (!out) {
  console.error('usage: node screenshot.mjs <out.png>');
  process.exit(2);
}
const server = await startServer();
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}#/convolution`, { waitUntil: 'load' });
  await page.locator('[data-testid="featuremap-0"]').first().waitFor({ state: 'visible', timeout: 20_000 });
  await page.evaluate(() => {
    const maps = document.querySelector('[data-testid="conv-featuremaps"]');
    if (maps) maps.scrollIntoView({ block: 'end' });
  });
  await page.waitForTimeout(1000); // let the last draw land
  await page.screenshot({ path: out });
  if (errors.length) {
    console.error(`page errors while taking the screenshot:\n  ${errors.join('\n  ')}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  await server.close();
}
