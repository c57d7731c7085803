"""Writes norm_golden.json: PyTorch's BatchNorm1d, BatchNorm2d and LayerNorm
over a few steps in training mode and then one in evaluation mode.

Run from the repository root:
    ../shared/tools/torch-python nn/testdata/make_norm_golden.py

Everything is float64. Each case starts from a fresh layer whose weight and
bias are set to random values (recorded in "params"), then runs the steps in
order; each step records its mode, input x, upstream gradient r, the output
y and the gradients of sum(r * y) with respect to x, weight and bias (the
parameters' gradients are zeroed between steps), and the buffers after the
step. "state" lists the state dict's keys and dtypes.
"""
import json

import torch
import torch.nn as nn

torch.manual_seed(20261202)
torch.set_default_dtype(torch.float64)


def t(x):
    x = x.detach()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def case(name, kind, args, layer, shapes, modes, scale=2.0, shift=0.5):
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.randn(p.shape) * 0.5 + 1.0)
    params = {k: t(p) for k, p in layer.named_parameters()}
    steps = []
    for shape, mode in zip(shapes, modes):
        layer.train(mode == "train")
        x = (torch.randn(*shape) * scale + shift).requires_grad_(True)
        y = layer(x)
        r = torch.randn(*y.shape)
        for p in layer.parameters():
            p.grad = None
        (y * r).sum().backward()
        grads = {"x": t(x.grad)}
        grads.update({k: t(p.grad) for k, p in layer.named_parameters()})
        buffers = {k: (int(b) if b.dtype == torch.int64 else t(b)) for k, b in layer.named_buffers()}
        steps.append({"mode": mode, "x": t(x), "upstream": t(r), "y": t(y), "grads": grads, "buffers": buffers})
    state = [[k, str(v.dtype).replace("torch.", ""), list(v.shape)] for k, v in layer.state_dict().items()]
    return {"name": name, "layer": kind, "args": args, "params": params, "steps": steps, "state": state}


tr3 = ["train", "train", "train", "eval"]
cases = [
    case("batchnorm1d/[N, C]", "BatchNorm1d", {"c": 3}, nn.BatchNorm1d(3), [(5, 3)] * 4, tr3),
    case("batchnorm1d/[N, C, L]", "BatchNorm1d", {"c": 2}, nn.BatchNorm1d(2), [(3, 2, 4)] * 4, tr3),
    case("batchnorm1d/momentum 0.3 eps 1e-3", "BatchNorm1d", {"c": 3, "momentum": 0.3, "eps": 1e-3},
         nn.BatchNorm1d(3, eps=1e-3, momentum=0.3), [(4, 3), (6, 3), (4, 3), (2, 3)], tr3),
    case("batchnorm1d/cumulative average", "BatchNorm1d", {"c": 2, "cumulative": 1},
         nn.BatchNorm1d(2, momentum=None), [(4, 2)] * 4, tr3),
    case("batchnorm1d/no affine", "BatchNorm1d", {"c": 3, "no_affine": 1},
         nn.BatchNorm1d(3, affine=False), [(4, 3)] * 3, ["train", "train", "eval"]),
    case("batchnorm1d/no running stats", "BatchNorm1d", {"c": 3, "no_running_stats": 1},
         nn.BatchNorm1d(3, track_running_stats=False), [(4, 3)] * 2, ["train", "eval"]),
    case("batchnorm2d", "BatchNorm2d", {"c": 3}, nn.BatchNorm2d(3), [(2, 3, 3, 4)] * 4, tr3),
    case("batchnorm2d/eval first", "BatchNorm2d", {"c": 2}, nn.BatchNorm2d(2), [(2, 2, 2, 2)] * 2, ["eval", "train"]),
    case("layernorm/last axis", "LayerNorm", {"shape": [5]}, nn.LayerNorm(5), [(4, 5), (4, 5)], ["train", "eval"]),
    case("layernorm/last two axes", "LayerNorm", {"shape": [3, 4]}, nn.LayerNorm([3, 4]), [(2, 3, 4)], ["train"]),
    case("layernorm/no affine eps 1e-3", "LayerNorm", {"shape": [6], "no_affine": 1, "eps": 1e-3},
         nn.LayerNorm(6, eps=1e-3, elementwise_affine=False), [(2, 3, 6)], ["train"]),
]

with open("nn/testdata/norm_golden.json", "w") as f:
    json.dump({"cases": cases}, f)
