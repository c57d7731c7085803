"""Writes norm_golden.json for models' --norm option.

Run from the repository root:
    ../shared/tools/torch-python models/testdata/make_norm_golden.py

"layouts": the state-dict keys, dtypes and shapes of PyTorch's own
nn.Sequential for the MLP (784-512-256-10) and the CNN with BatchNorm or
LayerNorm after each hidden Linear (and BatchNorm2d after each convolution),
before the activation: what descent's models must name identically.

"steps": for a small MLP (6-5-4-3, ReLU) in float32 with each norm, the
initial state dict, a batch, and the state dict after one SGD step
(lr 0.1, momentum 0.9) or one Adam step (lr 0.01) on the cross-entropy
loss in training mode: weights, biases and running statistics.
"""
import json

import torch
import torch.nn as nn

torch.manual_seed(20261202)


def t(x):
    return {"shape": list(x.shape), "data": [float(v) for v in x.detach().reshape(-1).tolist()]}


def norm1d(kind, n):
    return nn.BatchNorm1d(n) if kind == "batch" else nn.LayerNorm(n)


def mlp(sizes, kind):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers += [norm1d(kind, sizes[i + 1]), nn.ReLU()]
    return nn.Sequential(*layers)


def cnn(kind):
    layers = []
    for cin, cout in [(1, 32), (32, 64)]:
        layers.append(nn.Conv2d(cin, cout, 3))
        if kind == "batch":
            layers.append(nn.BatchNorm2d(cout))
        layers += [nn.ReLU(), nn.MaxPool2d(2)]
    layers += [nn.Flatten(), nn.Linear(1600, 128), norm1d(kind, 128), nn.ReLU(), nn.Linear(128, 10)]
    return nn.Sequential(*layers)


def layout(m):
    return [[k, str(v.dtype).replace("torch.", ""), list(v.shape)] for k, v in m.state_dict().items()]


def state(m):
    return {k: (int(v) if v.dtype == torch.int64 else t(v)) for k, v in m.state_dict().items()}


layouts = {}
for kind in ["batch", "layer"]:
    layouts["mlp/" + kind] = layout(mlp([784, 512, 256, 10], kind))
    layouts["cnn/" + kind] = layout(cnn(kind))

steps = []
for kind in ["batch", "layer"]:
    for opt in ["sgd", "adam"]:
        m = mlp([6, 5, 4, 3], kind)
        with torch.no_grad():  # move the norms' affine parameters off 1 and 0
            for k, p in m.named_parameters():
                if k.startswith("1.") or k.startswith("4."):
                    p.copy_(torch.randn(p.shape) * 0.3 + (1.0 if k.endswith("weight") else 0.0))
        before = state(m)
        x = torch.randn(8, 6) * 2 + 0.5
        y = torch.randint(0, 3, (8,))
        o = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9) if opt == "sgd" else torch.optim.Adam(m.parameters(), lr=0.01)
        m.train()
        loss = nn.functional.cross_entropy(m(x), y)
        loss.backward()
        o.step()
        steps.append({"name": kind + "/" + opt, "norm": kind, "optim": opt, "before": before, "x": t(x),
                      "targets": y.tolist(), "loss": float(loss), "after": state(m)})

with open("models/testdata/norm_golden.json", "w") as f:
    json.dump({"layouts": layouts, "steps": steps}, f)
