"""Writes golden.json: PyTorch's forward values and gradients for every nn
layer and loss of descent, for the MLP as a whole, and statistics of
PyTorch's default Linear initialization.

Run from the repository root:
    ../shared/tools/torch-python nn/testdata/make_golden.py

Everything is float64, so the Go tests compare to ~1e-10. Each layer case
records its input x, its parameters, the upstream gradient r and, for the
scalar L = sum(r * layer(x)), the output and the gradients of L with respect
to x and every parameter: the vector-Jacobian product backpropagation
computes.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20240601)
torch.set_default_dtype(torch.float64)


def t(x):
    x = x.detach()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def layer_case(name, layer, kind, args, x_shape, x_scale=1.0):
    x = (torch.randn(*x_shape) * x_scale).requires_grad_(True)
    y = layer(x)
    r = torch.randn(*y.shape)
    (y * r).sum().backward()
    params = {k: t(p) for k, p in layer.named_parameters()}
    grads = {"x": t(x.grad)}
    grads.update({k: t(p.grad) for k, p in layer.named_parameters()})
    return {"name": name, "layer": kind, "args": args, "x": t(x), "params": params,
            "upstream": t(r), "y": t(y), "grads": grads}


layers = [
    layer_case("linear", nn.Linear(4, 3), "Linear", {"in": 4, "out": 3}, (5, 4)),
    layer_case("linear/no bias", nn.Linear(4, 3, bias=False), "Linear", {"in": 4, "out": 3, "no_bias": 1}, (5, 4)),
    layer_case("linear/3-d input", nn.Linear(4, 2), "Linear", {"in": 4, "out": 2}, (2, 3, 4)),
    layer_case("relu", nn.ReLU(), "ReLU", {}, (4, 5)),
    layer_case("leaky_relu/default", nn.LeakyReLU(), "LeakyReLU", {"slope": 0.01}, (4, 5)),
    layer_case("leaky_relu/0.2", nn.LeakyReLU(0.2), "LeakyReLU", {"slope": 0.2}, (4, 5)),
    layer_case("tanh", nn.Tanh(), "Tanh", {}, (4, 5), 2.0),
    layer_case("sigmoid", nn.Sigmoid(), "Sigmoid", {}, (4, 5), 3.0),
    layer_case("gelu", nn.GELU(), "GELU", {}, (4, 5), 2.0),
    layer_case("softmax/axis 1", nn.Softmax(dim=1), "Softmax", {"axis": 1}, (4, 5), 2.0),
    layer_case("softmax/axis 0", nn.Softmax(dim=0), "Softmax", {"axis": 0}, (4, 5), 2.0),
    layer_case("softmax/axis -1 of 3-d", nn.Softmax(dim=-1), "Softmax", {"axis": -1}, (2, 3, 4), 2.0),
    layer_case("softmax/large logits", nn.Softmax(dim=1), "Softmax", {"axis": 1}, (3, 4), 500.0),
    layer_case("log_softmax/axis 1", nn.LogSoftmax(dim=1), "LogSoftmax", {"axis": 1}, (4, 5), 2.0),
    layer_case("log_softmax/axis 1 of 3-d", nn.LogSoftmax(dim=1), "LogSoftmax", {"axis": 1}, (2, 3, 4), 2.0),
    layer_case("log_softmax/large logits", nn.LogSoftmax(dim=1), "LogSoftmax", {"axis": 1}, (3, 4), 500.0),
    layer_case("flatten", nn.Flatten(), "Flatten", {}, (2, 3, 2, 2)),
    layer_case("dropout/eval", nn.Dropout(0.5).eval(), "Dropout", {"p": 0.5, "eval": 1}, (4, 5)),
]


def loss_case(name, kind, fn, x, target):
    x = x.clone().requires_grad_(True)
    loss = fn(x, target)
    loss.backward()
    tgt = target.tolist() if target.dtype == torch.int64 else t(target)
    return {"name": name, "loss": kind, "x": t(x), "target": tgt, "value": float(loss), "grad": t(x.grad)}


losses = [
    loss_case("mse", "MSE", F.mse_loss, torch.randn(4, 3), torch.randn(4, 3)),
    loss_case("mse/3-d", "MSE", F.mse_loss, torch.randn(2, 3, 2), torch.randn(2, 3, 2)),
    loss_case("cross_entropy", "CrossEntropy", F.cross_entropy, torch.randn(5, 4) * 2, torch.tensor([0, 3, 1, 1, 2])),
    loss_case("cross_entropy/large logits", "CrossEntropy", F.cross_entropy, torch.randn(3, 4) * 1000, torch.tensor([2, 0, 3])),
    loss_case("nll", "NLL", F.nll_loss, F.log_softmax(torch.randn(5, 4), dim=1), torch.tensor([1, 0, 3, 3, 2])),
    loss_case("bce_with_logits", "BCEWithLogits", F.binary_cross_entropy_with_logits,
              torch.randn(4, 3) * 2, torch.randint(0, 2, (4, 3)).double()),
    loss_case("bce_with_logits/soft targets", "BCEWithLogits", F.binary_cross_entropy_with_logits,
              torch.randn(6) * 2, torch.rand(6)),
    loss_case("bce_with_logits/large logits", "BCEWithLogits", F.binary_cross_entropy_with_logits,
              torch.tensor([-200.0, -50.0, 0.5, 60.0, 300.0]), torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0])),
]


def mlp_case(act_name, act):
    sizes = [6, 5, 4, 3]
    mods = []
    for i in range(len(sizes) - 1):
        mods.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            mods.append(act())
    model = nn.Sequential(*mods)
    x = torch.randn(7, 6)
    targets = torch.randint(0, 3, (7,))
    loss = F.cross_entropy(model(x), targets)
    loss.backward()
    return {"name": "mlp/" + act_name, "activation": act_name, "in": sizes[0], "hidden": sizes[1:-1],
            "classes": sizes[-1], "x": t(x), "targets": targets.tolist(),
            "params": {k: t(p) for k, p in model.named_parameters()},
            "loss": float(loss), "grads": {k: t(p.grad) for k, p in model.named_parameters()}}


mlps = [mlp_case("relu", nn.ReLU), mlp_case("tanh", nn.Tanh), mlp_case("gelu", nn.GELU)]


def stats(x):
    x = x.detach().reshape(-1)
    return {"n": x.numel(), "min": float(x.min()), "max": float(x.max()), "mean": float(x.mean()), "std": float(x.std())}


inits = []
for fan_in, fan_out in [(784, 512), (512, 256), (1600, 128), (3, 4000)]:
    layer = nn.Linear(fan_in, fan_out)
    inits.append({"in": fan_in, "out": fan_out, "bound": 1 / fan_in ** 0.5,
                  "weight": stats(layer.weight), "bias": stats(layer.bias)})

out = {"torch": torch.__version__, "layers": layers, "losses": losses, "mlps": mlps, "init": inits}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
