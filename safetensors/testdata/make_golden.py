# Writes golden.safetensors by hand (struct + json, as the safetensors
# reference implementation lays it out: tensors sorted by decreasing dtype
# alignment then name, compact JSON with "__metadata__" first, header padded
# with spaces to 8 bytes) and golden.json, the values PyTorch reads back
# from each tensor as float64. The weights are those of
# nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)) with
# torch.manual_seed(0), plus one tensor of each other dtype descent reads.
# Run: /work/shared/tools/torch-python make_golden.py
import json
import struct

import torch

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}  # F32
tensors["double"] = torch.randn(2, 2, dtype=torch.float64)
tensors["half"] = torch.tensor([1.0, -2.5, 65504.0, 6e-8, 1e-4, 0.1, float("inf"), -0.0], dtype=torch.float16)
tensors["bfloat"] = torch.tensor([[1.0, -3.140625], [1e30, 1e-30]], dtype=torch.bfloat16)
tensors["steps"] = torch.tensor([0, -7, 123456789012], dtype=torch.int64)
tensors["bytes"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
tensors["scalar"] = torch.tensor(2.5, dtype=torch.float32)
tensors["empty"] = torch.zeros(0, 3, dtype=torch.float32)

DTYPE = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16",
         torch.bfloat16: "BF16", torch.int64: "I64", torch.uint8: "U8"}
# The reference implementation's Dtype enum order; higher rank is written first.
RANK = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
        "I32", "U32", "F32", "F64", "I64", "U64"]


def raw(t):
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().tobytes()
    return t.contiguous().numpy().tobytes()  # little-endian on x86


names = sorted(tensors, key=lambda k: (-RANK.index(DTYPE[tensors[k].dtype]), k))
# "golden.py" was this script's name when golden.safetensors was made; kept so
# that the file comes out byte for byte the same.
metadata = {"format": "pt", "source": "golden.py"}
header = {"__metadata__": metadata}
data = b""
for k in names:
    b = raw(tensors[k])
    header[k] = {"dtype": DTYPE[tensors[k].dtype], "shape": list(tensors[k].shape),
                 "data_offsets": [len(data), len(data) + len(b)]}
    data += b
h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
h += b" " * ((8 - len(h) % 8) % 8)
with open("golden.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + data)

golden = {k: {"dtype": DTYPE[t.dtype], "shape": list(t.shape),
              "values": [float(v) for v in t.double().reshape(-1).tolist()]}
          for k, t in tensors.items()}
# JSON cannot hold inf: write it as a string.
for g in golden.values():
    g["values"] = [v if v == v and abs(v) != float("inf") else repr(v) for v in g["values"]]
with open("golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "order": names, "metadata": metadata, "tensors": golden}, f, indent=1)
    f.write("\n")
