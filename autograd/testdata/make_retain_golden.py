"""Generates retain_golden.json: the gradients PyTorch accumulates into the
leaves when the same graph is backpropagated several times with
retain_graph=True (descent's Graph.Retain).

Each pass adds dL/dleaf once more, so after k passes a leaf's .grad is
k times the one-pass gradient: intermediate results carry no gradient over
from one pass to the next. Cases cover a product squared (the issue's
w=2, x=3, L=(w*x)^2: 36, 72, 108), an intermediate used twice, a chain of
Linear layers (whose matmul backward overwrites an intermediate's gradient
instead of accumulating) and a reshape view.

Run: ../../../shared/tools/torch-python make_retain_golden.py  (from this directory)
"""
import json

import torch
import torch.nn.functional as F

gen = torch.Generator().manual_seed(4321)
PASSES = 3


def randn(*shape):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float64)


cases = []


def case(name, fn, params, consts):
    ps = [p.clone().requires_grad_(True) for p in params]
    loss = fn(*ps, *consts)
    grads = []
    for _ in range(PASSES):
        loss.backward(retain_graph=True)
        grads.append([p.grad.flatten().tolist() for p in ps])
    cases.append({
        "name": name,
        "params": [{"shape": list(p.shape), "data": p.detach().flatten().tolist()} for p in ps],
        "consts": [{"shape": list(c.shape), "data": c.flatten().tolist()} for c in consts],
        "loss": loss.item(),
        "grads": grads,  # grads[k][i]: leaf i's .grad after k+1 passes
    })


case("square_of_product", lambda w, x: (w * x) ** 2,
     [torch.tensor(2.0, dtype=torch.float64)], [torch.tensor(3.0, dtype=torch.float64)])
case("pow_of_product", lambda w, x: torch.pow(w * x, 2),
     [torch.tensor(2.0, dtype=torch.float64)], [torch.tensor(3.0, dtype=torch.float64)])


def shared(w, x):
    h = torch.tanh(w * x)
    return (h * h + h).sum()


case("shared_intermediate", shared, [randn(3, 4)], [randn(3, 4)])


def mlp(w1, b1, w2, x):
    h = torch.tanh(F.linear(x, w1, b1))
    return (F.linear(h, w2) ** 2).mean()


case("linear_chain", mlp, [randn(5, 4), randn(5), randn(3, 5)], [randn(2, 4)])


def reshaped(w, r):
    return (torch.reshape(w * w, (4, -1)) * r).sum()


case("reshape", reshaped, [randn(2, 6)], [randn(4, 3)])

with open("retain_golden.json", "w") as f:
    json.dump({"passes": PASSES, "cases": cases}, f)
