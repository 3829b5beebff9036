"""Reference values for tests/core_divergence.rs (SciPy 1.x, NumPy).

Run: python3 tests/reference/divergence.py   — prints Rust literals pasted into the test.
"""
import numpy as np
from scipy.stats import entropy, norm
from scipy.spatial.distance import jensenshannon
from scipy.integrate import quad

np.set_printoptions(precision=17)

HIST = [
    ([1, 3, 5, 3, 1], [2, 2, 2, 2, 2]),
    ([0.1, 0.2, 0.7], [0.3, 0.3, 0.4]),
    ([0, 2, 5, 1], [1, 1, 1, 1]),          # p has a zero: 0 log 0 = 0
    ([4, 0, 0, 1, 6, 2], [1, 2, 3, 4, 5, 6]),
]
print("// histograms: (p, q, kl_pq, kl_qp, js_nats, js_bits, kl_pq_bits)")
for p, q in HIST:
    kl_pq = float(entropy(p, q))
    kl_qp = float(entropy(q, p))
    js = float(jensenshannon(p, q) ** 2)  # scipy returns sqrt(JS)
    js_bits = float(jensenshannon(p, q, base=2) ** 2)
    print(f"(&{p}, &{q}, {kl_pq!r}, {kl_qp!r}, {js!r}, {js_bits!r}, {float(entropy(p, q, base=2))!r}),")

# Disjoint supports: KL = inf, JS = ln 2 (1 bit).
print("// disjoint:", entropy([1, 1, 0, 0], [0, 0, 1, 1]), jensenshannon([1, 1, 0, 0], [0, 0, 1, 1]) ** 2,
      np.log(2))

def kl_quad(lp, lq, a=-30, b=30):
    f = lambda x: np.exp(lp(x)) * (lp(x) - lq(x))
    return quad(f, a, b, limit=400, epsabs=1e-13, epsrel=1e-12)[0]

def js_quad(lp, lq, a=-30, b=30):
    def f(x):
        p, q = np.exp(lp(x)), np.exp(lq(x))
        m = 0.5 * (p + q)
        t = 0.0
        if p > 0:
            t += 0.5 * p * np.log(p / m)
        if q > 0:
            t += 0.5 * q * np.log(q / m)
        return t
    return quad(f, a, b, limit=400, epsabs=1e-13, epsrel=1e-12)[0]

def gauss(mu, s):
    return lambda x: norm.logpdf(x, mu, s)

def mix(parts):
    w = np.array([p[0] for p in parts], float)
    w = w / w.sum()
    def lp(x):
        return np.logaddexp.reduce([np.log(wk) + norm.logpdf(x, m, s) for wk, (_, m, s) in zip(w, parts)])
    return lp

def closed(m1, s1, m2, s2):
    return np.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5

print("// gaussians: (m1, s1, m2, s2, closed_form, quad)")
for m1, s1, m2, s2 in [(0, 1, 0, 1), (0, 1, 1, 1), (1, 0.5, -1, 2), (-2, 2, 1, 0.7), (0.3, 1.5, 0, 1)]:
    print(f"({m1!r}, {s1!r}, {m2!r}, {s2!r}, {float(closed(m1, s1, m2, s2))!r}, {kl_quad(gauss(m1, s1), gauss(m2, s2))!r}),")

print("// mixtures: P = 0.3 N(-2, 0.6²) + 0.7 N(1.5, 1²), Q = N(0, 1.5²): kl_pq, kl_qp, js")
P = mix([(0.3, -2, 0.6), (0.7, 1.5, 1.0)])
Q = gauss(0, 1.5)
print(repr(kl_quad(P, Q)), repr(kl_quad(Q, P)), repr(js_quad(P, Q)))
print("// mixtures 2: P = 0.5 N(-3, 0.5²) + 0.5 N(3, 0.5²), Q = 0.5 N(-1, 1) + 0.5 N(2, 0.8²)")
P2 = mix([(0.5, -3, 0.5), (0.5, 3, 0.5)])
Q2 = mix([(0.5, -1, 1.0), (0.5, 2, 0.8)])
print(repr(kl_quad(P2, Q2)), repr(kl_quad(Q2, P2)), repr(js_quad(P2, Q2)))

print("// VAE KL(N(mu, exp(logvar)) || N(0, 1)) summed over dims, by quad per dim")
mu = [0.5, -1.2, 0.0, 2.0]
lv = [-0.3, 0.8, 0.0, -2.0]
tot = sum(kl_quad(gauss(m, np.exp(0.5 * v)), gauss(0, 1)) for m, v in zip(mu, lv))
print(repr(tot), repr(float(-0.5 * sum(1 + v - m * m - np.exp(v) for m, v in zip(mu, lv)))))
