// The benchmark page: dlviz's wasm kernels (pkg/, built from src/bench.rs) and TensorFlow.js 4.22
// on the same data in the same page. `window.runBench(options)` runs every case and returns the
// results; the driver (run.mjs) prints them and writes JSON and Markdown.
//
// Timing (measureInterleaved): dlviz and tfjs are warmed up (V8 tiers wasm up from Liftoff to
// TurboFan meanwhile), then timed in alternation so that a shared machine slows both alike;
// median and p10 are kept. CPU backends are synchronous, so a run is the call itself; WebGPU
// runs include the readback on both sides (dlviz's also uploads its inputs every run).

import init, * as dl from './pkg/bench_exports.js';

const tf = window.tf;
const logEl = document.getElementById('log');
const log = (s) => {
  console.log(s);
  logEl.textContent += s + '\n';
};

/** Deterministic uniform(-1, 1) data (a 32-bit LCG), identical for both libraries. */
function randomArray(len, seed) {
  const out = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/**
 * Times the functions of `fns` (sync or async) *interleaved* — one sample of each in turn — so
 * that a machine shared with other work slows every contender alike. Warm-up: at least
 * `warmRuns` runs and `warmMs` of each (V8 tiers wasm up from Liftoff to TurboFan meanwhile).
 * A sample repeats a function `iters` times, chosen so that a sample lasts ≥ 2 ms (the page is
 * not cross-origin isolated, so performance.now() is coarsened to 0.1 ms).
 * Returns, per function, { median, p10, runs } in ms per call.
 */
async function measureInterleaved(fns, opts) {
  const { warmMs, warmRuns, reps, maxMs } = opts;
  const iters = [];
  for (const fn of fns) {
    const t0 = performance.now();
    let n = 0;
    while (n < warmRuns || performance.now() - t0 < warmMs) {
      await fn();
      n++;
      if (performance.now() - t0 > maxMs) break;
    }
    const per = (performance.now() - t0) / n;
    iters.push(Math.max(1, Math.min(200, Math.ceil(2 / Math.max(per, 1e-3)))));
  }
  const times = fns.map(() => []);
  const t1 = performance.now();
  for (let i = 0; i < reps; i++) {
    for (let f = 0; f < fns.length; f++) {
      const s = performance.now();
      for (let r = 0; r < iters[f]; r++) await fns[f]();
      times[f].push((performance.now() - s) / iters[f]);
    }
    if (i >= 4 && performance.now() - t1 > maxMs * fns.length) break;
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { median: quantile(t, 0.5), p10: quantile(t, 0.1), runs: t.length };
  });
}

/** max |a − b| / max |b|: the error relative to the reference output's scale. */
function relError(a, b) {
  if (a.length !== b.length) return Infinity;
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den > 0 ? num / den : num;
}

/** (N, C, H, W) → (N, H, W, C). */
function nchwToNhwc(x, n, c, h, w) {
  const y = new Float32Array(x.length);
  for (let ni = 0; ni < n; ni++)
    for (let ci = 0; ci < c; ci++)
      for (let i = 0; i < h * w; i++) y[(ni * h * w + i) * c + ci] = x[(ni * c + ci) * h * w + i];
  return y;
}

/** (F, C, KH, KW) → (KH, KW, C, F), tfjs's filter layout. */
function fchwToHwcf(wt, f, c, k) {
  const y = new Float32Array(wt.length);
  for (let fi = 0; fi < f; fi++)
    for (let ci = 0; ci < c; ci++)
      for (let u = 0; u < k * k; u++) y[(u * c + ci) * f + fi] = wt[(fi * c + ci) * k * k + u];
  return y;
}

export const MATMUL_CASES = [
  [64, 64, 64],
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
  [128, 784, 256],
];
// [N, C, H, W, F], 3×3, same padding.
export const CONV_CASES = [
  [1, 16, 256, 256, 16],
  [1, 64, 64, 64, 64],
  [1, 1, 256, 256, 64],
  [32, 1, 28, 28, 32],
];

/** Largest case (FLOPs) run on WebGPU (SwiftShader is a software rasteriser). */
const WEBGPU_MAX_FLOPS = 80e6;

// Batch norm (training mode) inputs, NCHW / (N, C); softmax (rows, classes).
export const BN_CASES = [
  [128, 4096],
  [1, 16, 256, 256],
];
export const SOFTMAX_CASE = [256, 1000];
// MLP training step: [inputs, hidden, classes], batch.
export const MLP_CASE = { dims: [784, 256, 10], batch: 128 };
/** The VAE of issue 4: 784-256-2, batch 128, β = 1, Bernoulli likelihood. */
export const VAE_CASE = { dims: [784, 256, 2], batch: 128, beta: 1 };

async function setBackend(name) {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch (e) {
    log(`tfjs backend ${name} unavailable: ${e}`);
    return false;
  }
}

/** A tfjs run of `op(...inputs)` on the current backend, output disposed (read back on GPU). */
function tfRunner(inputs, op, gpu) {
  return gpu
    ? async () => {
        const y = op(...inputs);
        await y.data();
        y.dispose();
      }
    : () => {
        const y = op(...inputs);
        y.dispose();
      };
}

/** tfjs's output of `op(...inputs)`. */
async function tfOutput(inputs, op) {
  const y = op(...inputs);
  const out = await y.data();
  y.dispose();
  return out;
}

/**
 * A training step timed on dlviz and on tfjs (wasm interleaved with dlviz, cpu alone), after an
 * agreement check: the losses of the first two steps from the same start (the 2nd sees the
 * update). `fresh()` builds the dlviz case; `tfSetup()` returns { step(withCost), dispose() }.
 */
async function compareTraining(row, fresh, tfSetup, opts, backends, log) {
  const check = fresh();
  check.run();
  check.run();
  const ourLosses = check.losses();
  check.free();
  const kase = fresh();
  for (const be of backends.filter((b) => b !== 'webgpu')) {
    if (!(await setBackend(be))) continue;
    const t0 = tfSetup();
    const c1 = t0.step(true);
    const c2 = t0.step(true);
    const theirs = [c1.dataSync()[0], c2.dataSync()[0]];
    c1.dispose();
    c2.dispose();
    t0.dispose();
    const relErr = relError(ourLosses, theirs);
    const tt = tfSetup();
    const tfStep = () => tt.step(false);
    if (be === 'wasm') {
      const [d, t] = await measureInterleaved([() => kase.run(), tfStep], opts);
      row.dlviz.wasm = d;
      row.tfjs.wasm = { ...t, relErr };
    } else {
      const [t] = await measureInterleaved([tfStep], { ...opts, reps: 5, warmRuns: 2, warmMs: 0 });
      row.tfjs[be] = { ...t, relErr };
    }
    tt.dispose();
    log(`${row.name}: tfjs-${be} median ${row.tfjs[be].median.toFixed(2)} ms; losses ours ${ourLosses.join(', ')} vs ${theirs.join(', ')}`);
  }
  if (!row.dlviz.wasm) [row.dlviz.wasm] = await measureInterleaved([() => kase.run()], opts);
  kase.free();
  log(`${row.name}: dlviz-wasm median ${row.dlviz.wasm.median.toFixed(2)} ms`);
  return row;
}

/** The MLP training step (forward, backward, Adam) on dlviz and on tfjs-wasm (and tfjs-cpu). */
async function mlpCase(opts, backends, log) {
  const { dims, batch } = MLP_CASE;
  const [nin, hid, ncls] = dims;
  const x = randomArray(batch * nin, 7).map((v) => 0.5 * (v + 1));
  const labels = Uint32Array.from({ length: batch }, (_, i) => (i * 7 + 3) % ncls);
  const w1 = randomArray(nin * hid, 8).map((v) => v * Math.sqrt(6 / (nin + hid)));
  const w2 = randomArray(hid * ncls, 9).map((v) => v * Math.sqrt(6 / (hid + ncls)));
  const macs = batch * (nin * hid + hid * ncls);
  const row = { name: `MLP ${dims.join('-')} Adam step, batch ${batch}`, kind: 'train', flops: 3 * 2 * macs, dlviz: {}, tfjs: {} };
  const fresh = () => new dl.MlpStepCase(batch, Uint32Array.from(dims), x, labels, w1, w2);
  const tfSetup = () => {
    const xs = tf.tensor2d(x, [batch, nin]);
    const ys = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), ncls).toFloat();
    const W1 = tf.variable(tf.tensor2d(w1, [nin, hid]));
    const b1 = tf.variable(tf.zeros([hid]));
    const W2 = tf.variable(tf.tensor2d(w2, [hid, ncls]));
    const b2 = tf.variable(tf.zeros([ncls]));
    const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    const loss = () => {
      const h = tf.relu(tf.add(tf.matMul(xs, W1), b1));
      return tf.losses.softmaxCrossEntropy(ys, tf.add(tf.matMul(h, W2), b2));
    };
    const step = (withCost) => opt.minimize(loss, withCost);
    const dispose = () => [xs, ys, W1, b1, W2, b2].forEach((t) => t.dispose()) || opt.dispose();
    return { step, dispose };
  };
  return compareTraining(row, fresh, tfSetup, opts, backends, log);
}

/**
 * The VAE training step (encoder, reparameterisation with a fixed ε, decoder, BCE-with-logits
 * summed over pixels + β·KL, mean over the batch, Adam 1e-3) on dlviz and on tfjs.
 */
async function vaeCase(opts, backends, log) {
  const { dims, batch, beta } = VAE_CASE;
  const [D, H, Z] = dims;
  const x = randomArray(batch * D, 17).map((v) => 0.5 * (v + 1));
  const eps = randomArray(batch * Z, 18).map((v) => 1.7 * v);
  const shapes = [[D, H], [H, Z], [H, Z], [Z, H], [H, D]];
  const ws = shapes.map(([i, o], l) => randomArray(i * o, 20 + l).map((v) => v * Math.sqrt(6 / (i + o))));
  const flat = new Float32Array(ws.reduce((n, w) => n + w.length, 0));
  ws.reduce((at, w) => (flat.set(w, at), at + w.length), 0);
  const macs = batch * (D * H + 2 * H * Z + Z * H + H * D);
  const row = { name: `VAE ${dims.join('-')} Adam step, batch ${batch}`, kind: 'train', flops: 3 * 2 * macs, dlviz: {}, tfjs: {} };
  const fresh = () => new dl.VaeStepCase(batch, Uint32Array.from(dims), x, eps, flat, beta);
  const tfSetup = () => {
    const xs = tf.tensor2d(x, [batch, D]);
    const es = tf.tensor2d(eps, [batch, Z]);
    const W = ws.map((w, l) => tf.variable(tf.tensor2d(w, shapes[l])));
    const b = shapes.map(([, o]) => tf.variable(tf.zeros([o])));
    const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    const lin = (v, l) => tf.add(tf.matMul(v, W[l]), b[l]);
    const loss = () => {
      const h = tf.relu(lin(xs, 0));
      const mu = lin(h, 1);
      const lv = lin(h, 2);
      const z = tf.add(mu, tf.mul(tf.exp(tf.mul(lv, 0.5)), es));
      const o = lin(tf.relu(lin(z, 3)), 4);
      // BCE with logits, stable: max(o, 0) − o·x + log(1 + e^(−|o|)).
      const bce = tf.add(tf.sub(tf.relu(o), tf.mul(o, xs)), tf.log1p(tf.exp(tf.neg(tf.abs(o)))));
      const kl = tf.mul(0.5, tf.sub(tf.sub(tf.add(tf.square(mu), tf.exp(lv)), 1), lv));
      return tf.div(tf.add(tf.sum(bce), tf.mul(beta, tf.sum(kl))), batch);
    };
    const step = (withCost) => opt.minimize(loss, withCost);
    const dispose = () => [xs, es, ...W, ...b].forEach((t) => t.dispose()) || opt.dispose();
    return { step, dispose };
  };
  return compareTraining(row, fresh, tfSetup, opts, backends, log);
}

window.runBench = async function runBench(options = {}) {
  const opts = {
    warmMs: options.warmMs ?? 1000,
    warmRuns: options.warmRuns ?? 10,
    reps: options.reps ?? 25,
    maxMs: options.maxMs ?? 6000,
  };
  const backends = options.backends ?? ['wasm', 'cpu', 'webgpu'];
  await init();
  // tfjs-wasm: the local files, one thread (the page is not cross-origin isolated anyway).
  tf.wasm.setWasmPaths(new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
  if (tf.wasm.setThreadsCount) tf.wasm.setThreadsCount(1);
  const results = [];
  const cases = [];
  let gpuBench = null;
  if (backends.includes('webgpu')) {
    try {
      gpuBench = await dl.open_gpu_bench();
      log(`dlviz WebGPU adapter: ${gpuBench.adapter()}`);
    } catch (e) {
      log(`dlviz WebGPU unavailable: ${e}`);
    }
  }
  for (const [m, k, n] of MATMUL_CASES) {
    const a = randomArray(m * k, 1);
    const b = randomArray(k * n, 2);
    cases.push({
      name: `matmul ${m}×${k}×${n}`,
      kind: 'matmul',
      flops: 2 * m * n * k,
      dlviz: () => new dl.MatmulCase(m, k, n, a, b),
      tfInputs: () => [tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])],
      tfOp: (x, y) => tf.matMul(x, y),
      toTfLayout: (o) => o,
      gpu: (g) => g.matmul_case(m, k, n, a, b),
      skipCpu: m * n * k > 20e6,
    });
  }
  // The fixed cost of one GPU operation (upload two floats, dispatch, read one back): the
  // round trip that `compute::worth_gpu` weighs every product against. On the CPU backends the
  // same call measures the per-call overhead.
  cases.push({
    name: 'round trip: matmul 1×1×1',
    kind: 'matmul',
    flops: 2,
    dlviz: () => new dl.MatmulCase(1, 1, 1, Float32Array.of(2), Float32Array.of(3)),
    tfInputs: () => [tf.tensor2d([2], [1, 1]), tf.tensor2d([3], [1, 1])],
    tfOp: (x, y) => tf.matMul(x, y),
    toTfLayout: (o) => o,
    gpu: (g) => g.matmul_case(1, 1, 1, Float32Array.of(2), Float32Array.of(3)),
  });
  for (const [n, c, h, w, f] of CONV_CASES) {
    const x = randomArray(n * c * h * w, 3);
    const wt = randomArray(f * c * 9, 4);
    cases.push({
      name: `conv2d ${n}×${c}×${h}×${w}→${f}`,
      kind: 'conv2d',
      flops: 2 * n * f * h * w * c * 9,
      dlviz: () => new dl.ConvCase(n, c, h, w, f, x, wt),
      tfInputs: () => [tf.tensor4d(nchwToNhwc(x, n, c, h, w), [n, h, w, c]), tf.tensor4d(fchwToHwcf(wt, f, c, 3), [3, 3, c, f])],
      tfOp: (xx, ww) => tf.conv2d(xx, ww, 1, 'same'),
      toTfLayout: (o) => nchwToNhwc(o, n, f, h, w),
      gpu: (g) => g.conv_case(n, c, h, w, f, x, wt),
      skipCpu: n * f * h * w * c * 9 > 20e6,
    });
  }
  for (const shape of BN_CASES) {
    const len = shape.reduce((p, q) => p * q, 1);
    const x = randomArray(len, 5);
    const c = shape[1];
    const spatial = shape.length === 4;
    const nhwc = spatial ? [shape[0], shape[2], shape[3], c] : shape;
    const gamma = Float32Array.from({ length: c }, (_, i) => 1 + 0.1 * i);
    const beta = Float32Array.from({ length: c }, (_, i) => 0.05 * i);
    cases.push({
      name: `batchnorm train ${shape.join('×')}`,
      kind: 'batchnorm',
      bytes: 2 * 4 * len,
      dlviz: () => new dl.BatchNormCase(Uint32Array.from(shape), x),
      tfInputs: () => [
        tf.tensor(spatial ? nchwToNhwc(x, shape[0], c, shape[2], shape[3]) : x, nhwc),
        tf.tensor1d(gamma),
        tf.tensor1d(beta),
      ],
      tfOp: (xx, g, b) =>
        tf.tidy(() => {
          const { mean, variance } = tf.moments(xx, spatial ? [0, 1, 2] : [0]);
          return tf.batchNorm(xx, mean, variance, b, g, 1e-5);
        }),
      toTfLayout: (o) => (spatial ? nchwToNhwc(o, shape[0], c, shape[2], shape[3]) : o),
    });
  }
  {
    const [rows, classes] = SOFTMAX_CASE;
    const z = randomArray(rows * classes, 6).map((v) => 4 * v);
    cases.push({
      name: `softmax ${rows}×${classes}`,
      kind: 'softmax',
      bytes: 2 * 4 * rows * classes,
      dlviz: () => new dl.SoftmaxCase(classes, z),
      tfInputs: () => [tf.tensor2d(z, [rows, classes])],
      tfOp: (zz) => tf.softmax(zz),
      toTfLayout: (o) => o,
    });
  }
  const chosen = options.only ? cases.filter((c) => c.name.includes(options.only)) : cases;
  const only = (name) => !options.only || name.includes(options.only);
  for (const cs of chosen) {
    const row = { name: cs.name, kind: cs.kind, flops: cs.flops, bytes: cs.bytes, dlviz: {}, tfjs: {} };
    const kase = cs.dlviz();
    const ours = cs.toTfLayout(kase.output());
    const dlRun = () => kase.run();
    // dlviz-wasm against tfjs-wasm, interleaved; then tfjs-cpu on its own (optional, slow).
    if (backends.includes('wasm') && (await setBackend('wasm'))) {
      const inputs = cs.tfInputs();
      const [d, t] = await measureInterleaved([dlRun, tfRunner(inputs, cs.tfOp, false)], opts);
      const out = await tfOutput(inputs, cs.tfOp);
      inputs.forEach((x) => x.dispose());
      row.dlviz.wasm = d;
      row.tfjs.wasm = { ...t, relErr: relError(ours, out) };
    } else {
      [row.dlviz.wasm] = await measureInterleaved([dlRun], opts);
    }
    kase.free();
    const d = row.dlviz.wasm;
    log(`${cs.name}: dlviz-wasm median ${d.median.toFixed(3)} ms, p10 ${d.p10.toFixed(3)} ms`);
    if (row.tfjs.wasm) {
      const t = row.tfjs.wasm;
      log(`  tfjs-wasm median ${t.median.toFixed(3)} ms, p10 ${t.p10.toFixed(3)} ms, max rel err ${t.relErr.toExponential(2)}; ratio ${(d.median / t.median).toFixed(2)}`);
    }
    if (backends.includes('cpu') && !cs.skipCpu && (await setBackend('cpu'))) {
      const inputs = cs.tfInputs();
      const [t] = await measureInterleaved([tfRunner(inputs, cs.tfOp, false)], { ...opts, reps: 5 });
      const out = await tfOutput(inputs, cs.tfOp);
      inputs.forEach((x) => x.dispose());
      row.tfjs.cpu = { ...t, relErr: relError(ours, out) };
      log(`  tfjs-cpu median ${t.median.toFixed(2)} ms, max rel err ${row.tfjs.cpu.relErr.toExponential(2)}`);
    }
    // WebGPU on SwiftShader is 40–300× slower than wasm: only the smaller cases. dlviz and
    // tfjs on the same adapter, interleaved; both read the output back every run.
    if (backends.includes('webgpu') && cs.flops && cs.flops <= WEBGPU_MAX_FLOPS && (await setBackend('webgpu'))) {
      const inputs = cs.tfInputs();
      const gopts = { warmMs: 0, warmRuns: 2, reps: 5, maxMs: 3000 };
      const fns = [tfRunner(inputs, cs.tfOp, true)];
      const gcase = gpuBench && cs.gpu ? cs.gpu(gpuBench) : null;
      if (gcase) fns.push(() => gcase.run());
      const [t, g] = await measureInterleaved(fns, gopts);
      const out = await tfOutput(inputs, cs.tfOp);
      inputs.forEach((x) => x.dispose());
      row.tfjs.webgpu = { ...t, relErr: relError(ours, out) };
      log(`  tfjs-webgpu median ${t.median.toFixed(2)} ms, max rel err ${row.tfjs.webgpu.relErr.toExponential(2)}`);
      if (gcase) {
        const gout = cs.toTfLayout(await gcase.run());
        gcase.free();
        row.dlviz.webgpu = { ...g, relErr: relError(gout, out) };
        log(`  dlviz-webgpu median ${g.median.toFixed(2)} ms, max rel err vs tfjs-webgpu ${row.dlviz.webgpu.relErr.toExponential(2)}; ratio ${(g.median / t.median).toFixed(2)}`);
      }
    }
    results.push(row);
  }
  if (only('mlp')) results.push(await mlpCase(opts, backends, log));
  if (only('vae')) results.push(await vaeCase(opts, backends, log));
  return { userAgent: navigator.userAgent, options: opts, results };
};
window.benchReady = true;
