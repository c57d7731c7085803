"""Writes rgb.png (a random 7x5 RGB image) and resize_golden.json: the bytes
PIL's Image.resize((w, h), BILINEAR) gives for it, in RGB and after
convert("L"), the pipeline of torchvision's ImageFolder (pil_loader's
convert("RGB")) followed by Resize and Grayscale.

Run from the repository root:
    ../shared/tools/torch-python data/testdata/resize/make_resize_golden.py
"""
import json
import random

from PIL import Image

random.seed(20261202)
w, h = 7, 5
img = Image.new("RGB", (w, h))
img.putdata([tuple(random.randrange(256) for _ in range(3)) for _ in range(w * h)])
img.save("data/testdata/resize/rgb.png")

cases = []
for size in [(3, 4), (11, 9), (7, 2), (2, 5), (1, 1), (7, 5)]:
    r = Image.open("data/testdata/resize/rgb.png").convert("RGB").resize(size, Image.BILINEAR)
    rgb = [list(px) for px in r.getdata()]
    gray = list(r.convert("L").getdata())
    cases.append({"width": size[0], "height": size[1], "rgb": rgb, "gray": gray})

with open("data/testdata/resize/resize_golden.json", "w") as f:
    json.dump({"cases": cases}, f)
