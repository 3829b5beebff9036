#!/usr/bin/env python3
"""Reference values for tests/core_image.rs, computed with Pillow and NumPy.

Run: python3 tests/reference/image_reference.py
and paste the printed Rust constants into tests/core_image.rs.

Source image: W = 7, H = 5, opaque RGBA with
  R = (x * 37 + y * 11) % 256,  G = (x * x * 5 + y * 29) % 256,  B = (255 - x * 13 - y * 17) % 256.
Resizes are exact area averages built the obvious way, independently of the Rust code: repeat
every source pixel w times along x and h times along y (a (H·h) × (W·w) image whose blocks of
H × W map one-to-one onto output pixels), then take the mean of each block. Values are printed
as floats; the Rust side rounds to u8, so the test allows |u8 − value| ≤ 0.5 (+ float slack).
Luma uses BT.601 (0.299, 0.587, 0.114) on values / 255, computed in float64.
"""
import numpy as np

W, H = 7, 5


def source():
    a = np.zeros((H, W, 4), dtype=np.uint8)
    for y in range(H):
        for x in range(W):
            a[y, x] = [(x * 37 + y * 11) % 256, (x * x * 5 + y * 29) % 256,
                       (255 - x * 13 - y * 17) % 256, 255]
    return a


def main():
    a = source()
    print(f"// NumPy {np.__version__}: area-average resizes of the 7×5 formula image (RGBA).")
    for (w, h) in [(3, 2), (4, 4), (2, 5), (10, 8), (1, 1)]:
        big = np.repeat(np.repeat(a.astype(np.float64), h, axis=0), w, axis=1)
        out = big.reshape(h, H, w, W, 4).mean(axis=(1, 3))
        vals = ", ".join(repr(round(float(v), 6)) for v in out.ravel())
        print(f"const AREA_{w}X{h}: [f64; {w * h * 4}] = [{vals}];")
    f = a[..., :3].astype(np.float64) / 255.0
    luma = 0.299 * f[..., 0] + 0.587 * f[..., 1] + 0.114 * f[..., 2]
    print(f"const LUMA: [f64; {W * H}] = [{', '.join(repr(float(v)) for v in luma.ravel())}];")


if __name__ == "__main__":
    main()
