"""Builds assets/samples/ from scikit-image's bundled sample images.

Usage (from the repository root):
    pip download --no-deps scikit-image==0.26.0 -d /tmp/skimg
    python3 -m zipfile -e /tmp/skimg/scikit_image-0.26.0-*.whl /tmp/skimg/x
    python3 xtask/scripts/samples.py /tmp/skimg/x/skimage/data

Each image is area-downscaled (Pillow's BOX filter) so its longest side is 256 px. Grey
images are written as 8-bit grey PNG, colour photographs as JPEG (quality 90). Licences:
see assets/README.md (all CC0 or public domain, per scikit-image's data docstrings).
"""

import sys
from pathlib import Path

from PIL import Image

# (lesson id, source file, output file, mode)
SAMPLES = [
    ("camera", "camera.png", "camera.png", "L"),
    ("astronaut", "astronaut.png", "astronaut.jpg", "RGB"),
    ("chelsea", "chelsea.png", "chelsea.jpg", "RGB"),
    ("coffee", "coffee.png", "coffee.jpg", "RGB"),
    ("brick", "brick.png", "brick.png", "L"),
]
MAX_SIDE = 256


def main() -> None:
    src = Path(sys.argv[1])
    out = Path(__file__).resolve().parents[2] / "assets" / "samples"
    out.mkdir(parents=True, exist_ok=True)
    for ident, name, target, mode in SAMPLES:
        img = Image.open(src / name).convert(mode)
        scale = MAX_SIDE / max(img.size)
        if scale < 1:
            size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
            img = img.resize(size, Image.BOX)
        path = out / target
        if target.endswith(".jpg"):
            img.save(path, quality=90, optimize=True)
        else:
            img.save(path, optimize=True)
        print(f"{ident}: {path.name} {img.width}x{img.height} {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
