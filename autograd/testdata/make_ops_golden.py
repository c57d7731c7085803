"""Generates ops_golden.json: forward values and gradients of descent's
autograd ops computed by PyTorch in float64.

For each case the inputs are drawn from a seeded generator (plus a few
hand-placed points at kinks, where PyTorch's choice of subgradient is what
we must match), the output y = f(inputs) is recorded, and the gradients of
L = sum(r * y) for recorded random weights r.

Run: ../../../shared/tools/torch-python make_ops_golden.py  (from this directory)
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(0)
gen = torch.Generator().manual_seed(1234)


def randn(*shape):
    return torch.randn(tuple(shape), generator=gen, dtype=torch.float64)


def pos(*shape):
    return 0.5 + 1.5 * torch.rand(*shape, generator=gen, dtype=torch.float64)


def with_points(x, points):
    x = x.clone().flatten()
    x[: len(points)] = torch.tensor(points, dtype=torch.float64)
    return x


cases = []


def case(name, fn, *inputs):
    xs = [x.clone().reshape(x.shape).requires_grad_(True) for x in inputs]
    y = fn(*xs)
    r = randn(*y.shape)
    (y * r).sum().backward()
    cases.append({
        "name": name,
        "inputs": [{"shape": list(x.shape), "data": x.detach().flatten().tolist()} for x in xs],
        "weights": r.flatten().tolist(),
        "output": {"shape": list(y.shape), "data": y.detach().flatten().tolist()},
        "grads": [x.grad.flatten().tolist() for x in xs],
    })


case("exp", torch.exp, randn(3, 4))
case("log", torch.log, pos(3, 4))
case("sqrt", torch.sqrt, pos(3, 4))
case("abs", torch.abs, with_points(randn(12), [0.0, -0.0]).reshape(3, 4))
case("neg", torch.neg, randn(3, 4))
case("pow/2", lambda x: torch.pow(x, 2), randn(3, 4))
case("pow/3", lambda x: torch.pow(x, 3), randn(3, 4))
case("pow/-1.5", lambda x: torch.pow(x, -1.5), pos(3, 4))
case("pow/0", lambda x: torch.pow(x, 0), with_points(randn(12), [0.0]).reshape(3, 4))
case("add_scalar", lambda x: x + 2.5, randn(3, 4))
case("mul_scalar", lambda x: x * -1.5, randn(3, 4))
case("relu", torch.relu, with_points(randn(12), [0.0]).reshape(3, 4))
case("tanh", torch.tanh, with_points(randn(12), [30.0, -30.0]).reshape(3, 4))
case("sigmoid", torch.sigmoid, with_points(randn(12), [50.0, -50.0, 800.0, -800.0]).reshape(3, 4))
case("leaky_relu", lambda x: F.leaky_relu(x, 0.1), with_points(randn(12), [0.0]).reshape(3, 4))
case("gelu", F.gelu, with_points(randn(12), [0.0, 6.0, -6.0]).reshape(3, 4))
case("softmax/last", lambda x: torch.softmax(x, -1), 3 * randn(3, 5))
case("softmax/middle", lambda x: torch.softmax(x, 1), 3 * randn(2, 3, 4))
case("log_softmax/last", lambda x: torch.log_softmax(x, -1), 3 * randn(3, 5))
case("log_softmax/0", lambda x: torch.log_softmax(x, 0), 3 * randn(3, 2, 2))
case("sum_axis/1 keepdim", lambda x: x.sum(1, keepdim=True), randn(2, 3, 4))
case("mean_axis/-1", lambda x: x.mean(-1), randn(2, 3, 4))
case("max_axis/1", lambda x: x.max(1).values, randn(2, 3, 4))
case("sum", torch.sum, randn(3, 4))
case("mean", torch.mean, randn(3, 4))
case("reshape", lambda x: x.reshape(4, -1), randn(2, 6))
case("flatten/1", lambda x: torch.flatten(x, 1), randn(2, 3, 2, 2))
case("mse", F.mse_loss, randn(3, 4), randn(3, 4))
case("nll", lambda x: F.nll_loss(x, torch.tensor([1, 0, 4, 1])), randn(4, 5))
case("cross_entropy", lambda x: F.cross_entropy(x, torch.tensor([1, 0, 4, 1])), 3 * randn(4, 5))
case("bce_with_logits", F.binary_cross_entropy_with_logits,
     with_points(3 * randn(12), [40.0, -40.0, 0.0]).reshape(3, 4), torch.rand(3, 4, generator=gen, dtype=torch.float64))

with open("ops_golden.json", "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=None)
    f.write("\n")
