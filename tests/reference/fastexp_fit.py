#!/usr/bin/env python3
"""The polynomial of src/core/fastexp.rs, and its exhaustive accuracy check.

Run: python3 tests/reference/fastexp_fit.py        (NumPy only; about a minute)

1. Fit  e^r ≈ 1 + r·(c1 + c2·r + c3·r² + c4·r³ + c5·r⁴)  on the Cody–Waite reduction interval
   r ∈ [−ln2/2, ln2/2], minimising the maximum *relative* error (Lawson's iteratively
   reweighted least squares, which converges to the minimax fit), and round to float32.
2. Evaluate the kernel exactly as the Rust code does — every operation in float32, in the same
   order, no fused multiply-add (wasm has none) — on every float32 x in [−87.3, −0] and report
   the worst relative error against float64 exp. Printed on 2026-12-01:
       c = 0.9999997 0.4999915 0.16667637 0.04189796 0.008290295
       fit error 9.2e-08, worst float32 kernel error 1.85e-07 at x = -16.246296
   The Rust tests bound the error by 2e-7 (tests/web_softmax.rs on the SIMD path, the unit test
   in fastexp.rs on the scalar twin).
"""
import numpy as np

F = np.float32
half = np.log(2) / 2 * 1.0001
r = np.linspace(-half, half, 40001)
f = np.exp(r)
A = np.stack([r * r**k for k in range(5)], 1) / f[:, None]
b = (f - 1) / f
w = np.ones_like(r) / len(r)
for _ in range(300):
    sw = np.sqrt(w)
    c, *_ = np.linalg.lstsq(A * sw[:, None], b * sw, rcond=None)
    e = np.abs(A @ c - b)
    w = w * e
    w /= w.sum()
fit_err = np.abs(A @ c - b).max()
c = [F(v) for v in c]
print("c =", " ".join(repr(float(v)) for v in c))

LOG2E, LN2_HI, LN2_LO = F(np.log2(np.e)), F(0.6933594), F(-2.1219444e-4)
MAGIC = F(12583039.0)  # 1.5·2²³ + 127


def exp_nonpositive(x):
    x = np.minimum(x, F(0))
    nb = x * LOG2E + MAGIC
    s = (nb.view(np.uint32) << np.uint32(23)).view(np.float32)  # 2ⁿ
    n = nb - MAGIC
    t = (x - n * LN2_HI) - n * LN2_LO
    p = c[4] * t + c[3]
    p = p * t + c[2]
    p = p * t + c[1]
    p = p * t + c[0]
    return (t * s) * p + s


worst, at = 0.0, 0.0
first, last = 0x80000000, int(np.array(-87.3, dtype=np.float32).view(np.uint32))
for a in range(first, last + 1, 1 << 24):
    xs = np.arange(a, min(a + (1 << 24), last + 1), dtype=np.uint64).astype(np.uint32).view(np.float32)
    rel = np.abs(exp_nonpositive(xs).astype(np.float64) - np.exp(xs.astype(np.float64)))
    rel /= np.exp(xs.astype(np.float64))
    i = rel.argmax()
    if rel[i] > worst:
        worst, at = rel[i], xs[i]
print(f"fit error {fit_err:.2g}, worst float32 kernel error {worst:.3g} at x = {at}")
