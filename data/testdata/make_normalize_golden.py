# Writes normalize.json: the value each pixel byte 0..255 becomes under
# torchvision's MNIST transforms, ToTensor() then Normalize((0.1307,), (0.3081,)),
# computed with the same float32 tensor ops those transforms use
# (img.float().div(255); tensor.sub_(mean).div_(std) with float32 mean, std).
# Run: /work/shared/tools/torch-python make_normalize_golden.py
import json

import torch

x = torch.arange(256, dtype=torch.uint8).reshape(1, 16, 16)
x = x.to(dtype=torch.get_default_dtype()).div(255)
mean = torch.as_tensor((0.1307,), dtype=x.dtype)[:, None, None]
std = torch.as_tensor((0.3081,), dtype=x.dtype)[:, None, None]
x = x.sub_(mean).div_(std)
vals = [float(v) for v in x.reshape(-1).tolist()]
with open("normalize.json", "w") as f:
    json.dump({"torch": torch.__version__, "values": vals}, f, indent=0)
    f.write("\n")
