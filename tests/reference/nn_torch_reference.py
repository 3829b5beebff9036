#!/usr/bin/env python3
"""Reference values for tests/core_nn.rs, computed with PyTorch (CPU, float64).

Run: python3 tests/reference/nn_torch_reference.py > tests/reference/nn_torch_cases.rs

Every input and parameter comes from one formula evaluated in float64 and rounded to float32
(the Rust test evaluates the same formula, so both sides start from identical numbers):
  det(shape, seed, scale)[i] = float32(sin(0.37·i + 1.3·seed) · cos(0.11·i + 0.7·seed) · scale)
PyTorch then computes in float64 from those float32 values. Dense weights are generated in
dlviz's layout (in, out) and transposed for torch.nn.functional.linear's (out, in).

Cases:
  MLP_*   x(8,4) → Linear(4,6) → BatchNorm1d(6) → ReLU → Linear(6,3) → cross-entropy
          (training mode, one step: loss, every gradient, running stats; then the eval-mode
          logits of the same x with the updated running stats)
  CNN_*   x(2,2,6,6) → Conv2d(2→3, 3×3, stride 2, pad 1) → BatchNorm2d(3) → ReLU → flatten
          → Linear(27,4) → cross-entropy
  BCE_*   binary cross-entropy with logits at ordinary and extreme (±1e4) logits
  SM_*    softmax / log-softmax / cross-entropy at large logits (naive exp overflows in f32)
  VAE_*   z = μ + exp(½·logvar)·ε, loss = ½·mean_n Σ z² + KL(N(μ, e^logvar) ‖ N(0, I)) (mean over
          the batch of the sum over dimensions)
  RUN_*   BatchNorm2d(3), momentum 0.1, ε 1e-5, three training batches, then eval on a fourth
"""
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def det(shape, seed, scale=1.0):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    v = np.sin(0.37 * i + 1.3 * seed) * np.cos(0.11 * i + 0.7 * seed) * scale
    return torch.tensor(v.astype(np.float32).astype(np.float64).reshape(shape))


def out(name, t):
    a = t.detach().reshape(-1).tolist()
    body = ", ".join(repr(float(v)) for v in a)
    print(f"pub const {name}: [f64; {len(a)}] = [{body}];")


def leaf(t):
    return t.clone().requires_grad_(True)


# ---- MLP with BatchNorm1d + cross-entropy ----
x = leaf(det((8, 4), 1))
w1 = leaf(det((4, 6), 2, 0.8))
b1 = leaf(det((6,), 3, 0.2))
g1 = leaf(1.0 + det((6,), 4, 0.3))
be1 = leaf(det((6,), 5, 0.3))
w2 = leaf(det((6, 3), 6, 0.8))
b2 = leaf(det((3,), 7, 0.2))
t_mlp = torch.tensor([0, 1, 2, 0, 1, 2, 1, 0])
rm = torch.zeros(6)
rv = torch.ones(6)
h = F.linear(x, w1.T, b1)
h = F.batch_norm(h, rm, rv, g1, be1, training=True, momentum=0.1, eps=1e-5)
h = F.relu(h)
logits = F.linear(h, w2.T, b2)
loss = F.cross_entropy(logits, t_mlp)
loss.backward()
out("MLP_LOSS", loss)
for n, p in [("X", x), ("W1", w1), ("B1", b1), ("G1", g1), ("BE1", be1), ("W2", w2), ("B2", b2)]:
    out(f"MLP_GRAD_{n}", p.grad)
out("MLP_RUNNING_MEAN", rm)
out("MLP_RUNNING_VAR", rv)
with torch.no_grad():
    h = F.linear(x, w1.T, b1)
    h = F.batch_norm(h, rm, rv, g1, be1, training=False, eps=1e-5)
    out("MLP_EVAL_LOGITS", F.linear(F.relu(h), w2.T, b2))

# ---- conv → BN2d → ReLU → linear ----
x = leaf(det((2, 2, 6, 6), 11))
cw = leaf(det((3, 2, 3, 3), 12, 0.5))
cb = leaf(det((3,), 13, 0.2))
g = leaf(1.0 + det((3,), 14, 0.3))
be = leaf(det((3,), 15, 0.3))
lw = leaf(det((27, 4), 16, 0.4))
lb = leaf(det((4,), 17, 0.2))
t_cnn = torch.tensor([1, 3])
rm = torch.zeros(3)
rv = torch.ones(3)
h = F.conv2d(x, cw, cb, stride=2, padding=1)
h = F.batch_norm(h, rm, rv, g, be, training=True, momentum=0.1, eps=1e-5)
h = F.relu(h).reshape(2, -1)
logits = F.linear(h, lw.T, lb)
loss = F.cross_entropy(logits, t_cnn)
loss.backward()
out("CNN_LOSS", loss)
for n, p in [("X", x), ("CW", cw), ("CB", cb), ("G", g), ("BE", be), ("LW", lw), ("LB", lb)]:
    out(f"CNN_GRAD_{n}", p.grad)
out("CNN_RUNNING_MEAN", rm)
out("CNN_RUNNING_VAR", rv)

# ---- BCE with logits, extreme values ----
bx = leaf(torch.tensor([-1e4, -30.0, -2.0, 0.0, 0.5, 3.0, 40.0, 1e4]))
by = torch.tensor([0.0, 1.0, 0.3, 1.0, 0.0, 1.0, 0.0, 1.0])
bl = F.binary_cross_entropy_with_logits(bx, by)
bl.backward()
out("BCE_LOSS", bl)
out("BCE_GRAD", bx.grad)

# ---- softmax at large logits ----
sx = leaf(torch.tensor([[1000.0, 1001.0, 1002.0], [-1e4, 0.0, 1e4], [88.5, 89.0, 90.0]]))
out("SM_SOFTMAX", F.softmax(sx, dim=1))
out("SM_LOG_SOFTMAX", F.log_softmax(sx, dim=1))
sl = F.cross_entropy(sx, torch.tensor([0, 0, 2]))
sl.backward()
out("SM_CE", sl)
out("SM_CE_GRAD", sx.grad)

# ---- VAE pieces ----
mu = leaf(det((3, 4), 21))
lv = leaf(det((3, 4), 22, 1.5))
eps = det((3, 4), 23, 1.2)
z = mu + torch.exp(0.5 * lv) * eps
kl = (-0.5 * (1 + lv - mu**2 - lv.exp())).sum(dim=1).mean()
vl = 0.5 * (z**2).sum(dim=1).mean() + kl
vl.backward()
out("VAE_Z", z)
out("VAE_KL", kl)
out("VAE_LOSS", vl)
out("VAE_GRAD_MU", mu.grad)
out("VAE_GRAD_LV", lv.grad)

# ---- BatchNorm2d running statistics over several batches ----
bn = torch.nn.BatchNorm2d(3, eps=1e-5, momentum=0.1)
with torch.no_grad():
    bn.weight.copy_(1.0 + det((3,), 31, 0.5))
    bn.bias.copy_(det((3,), 32, 0.5))
bn.train()
for k in range(3):
    bn(det((4, 3, 2, 2), 40 + k, 2.0) + 0.5 * k)
out("RUN_MEAN", bn.running_mean)
out("RUN_VAR", bn.running_var)
bn.eval()
with torch.no_grad():
    out("RUN_EVAL_Y", bn(det((2, 3, 2, 2), 50, 2.0)))
