"""Reference values for tests/core_pca.rs: PCA of the shipped MNIST digits by NumPy's SVD.

Fit set: the first 1000 digits of assets/mnist/digits.bin.gz, pixels / 255 (as
core::mnist::Mnist::dataset). Held-out set: digits 1000..1500. Covariance C = Xcᵀ Xc / N.
Prints the eigenvalues (s² / N), tr C, the reconstruction MSE per pixel on both sets for
several k, and writes the top 32 axes (rows, sign fixed so the largest-magnitude entry is
positive) to tests/reference/pca_components.i16.gz as little-endian int16 = round(w · 32767).

Run from the crate root: python3 tests/reference/pca.py
"""
import gzip
import numpy as np

raw = gzip.open("assets/mnist/digits.bin.gz").read()
n_all = int.from_bytes(raw[8:12], "little")
labels = np.frombuffer(raw, np.uint8, n_all, 24)
pix = np.frombuffer(raw, np.uint8, n_all * 784, 24 + n_all).reshape(n_all, 784)
x = pix[:1000].astype(np.float64) / 255.0
held = pix[1000:1500].astype(np.float64) / 255.0
mu = x.mean(0)
xc = x - mu
u, s, vt = np.linalg.svd(xc, full_matrices=False)
lam = s**2 / x.shape[0]
w = vt[:32].copy()
for r in w:
    if r[np.argmax(np.abs(r))] < 0:
        r *= -1
print("EIG =", [float(f"{v:.9e}") for v in lam[:33]])
print("TRACE =", float(f"{lam.sum():.9e}"))
for k in (2, 4, 8, 16, 32):
    wk = w[:k]
    fit_mse = (((xc @ wk.T) @ wk - xc) ** 2).mean()
    hc = held - mu
    held_mse = (((hc @ wk.T) @ wk - hc) ** 2).mean()
    evr = lam[:k].sum() / lam.sum()
    print(f"k={k:2d} fit_mse={fit_mse:.9e} held_mse={held_mse:.9e} evr={evr:.9e}")
q = np.round(w * 32767).astype("<i2")
with gzip.GzipFile("tests/reference/pca_components.i16.gz", "wb", mtime=0) as f:
    f.write(q.tobytes())
