"""Golden values for nn/initializer, from PyTorch's own torch.nn.init code.

Run: /work/shared/tools/torch-python make_golden.py > golden.json

Deterministic parts only (PyTorch's random stream is not ours): the gain
table, fans of conv shapes, and the parameters each scheme hands to
uniform_/normal_ (recorded by wrapping those methods, so the numbers come
from torch's code path, not from formulas copied here), plus eye_ and dirac_.
"""
import json
import math

import torch

calls = []
_uniform, _normal = torch.Tensor.uniform_, torch.Tensor.normal_


def uniform_(self, a=0.0, b=1.0, **kw):
    calls.append(("uniform", float(a), float(b)))
    return _uniform(self, a, b)


def normal_(self, mean=0.0, std=1.0, **kw):
    calls.append(("normal", float(mean), float(std)))
    return _normal(self, mean, std)


torch.Tensor.uniform_ = uniform_
torch.Tensor.normal_ = normal_
init = torch.nn.init

gains = []
for name in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
             "conv_transpose3d", "sigmoid", "tanh", "relu", "selu"]:
    gains.append({"nonlinearity": name, "param": 0.0, "gain": init.calculate_gain(name)})
for p in [None, 0.0, 0.01, 0.2, math.sqrt(5)]:
    gains.append({"nonlinearity": "leaky_relu", "param": 0.01 if p is None else p,
                  "gain": init.calculate_gain("leaky_relu", p)})

shapes = [[3, 5], [5, 3], [64, 784], [8, 3, 5, 5], [16, 8, 3, 3], [4, 2, 3], [6, 4, 2, 3, 3], [1, 1]]
fans = []
for s in shapes:
    fi, fo = init._calculate_fan_in_and_fan_out(torch.empty(s))
    fans.append({"shape": s, "fan_in": fi, "fan_out": fo})

# Each case: the scheme with torch's keyword names (as `descent init --set`
# takes them) and the law torch drew from.
cases = []
specs = [
    ("uniform", {"a": -0.5, "b": 2.0}, lambda t: init.uniform_(t, -0.5, 2.0)),
    ("normal", {"mean": 0.5, "std": 2.0}, lambda t: init.normal_(t, 0.5, 2.0)),
    ("xavier_uniform", {"gain": 1.0}, lambda t: init.xavier_uniform_(t)),
    ("xavier_uniform", {"gain": 5.0 / 3}, lambda t: init.xavier_uniform_(t, gain=5.0 / 3)),
    ("xavier_normal", {"gain": 1.0}, lambda t: init.xavier_normal_(t)),
    ("xavier_normal", {"gain": 2.0}, lambda t: init.xavier_normal_(t, gain=2.0)),
    ("kaiming_uniform", {}, lambda t: init.kaiming_uniform_(t)),
    ("kaiming_uniform", {"a": 0.2, "mode": "fan_out", "nonlinearity": "leaky_relu"},
     lambda t: init.kaiming_uniform_(t, a=0.2, mode="fan_out", nonlinearity="leaky_relu")),
    ("kaiming_uniform", {"mode": "fan_in", "nonlinearity": "relu"},
     lambda t: init.kaiming_uniform_(t, nonlinearity="relu")),
    ("kaiming_normal", {}, lambda t: init.kaiming_normal_(t)),
    ("kaiming_normal", {"mode": "fan_out", "nonlinearity": "relu"},
     lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal", {"nonlinearity": "tanh"}, lambda t: init.kaiming_normal_(t, nonlinearity="tanh")),
    ("torch_default", {}, lambda t: init.kaiming_uniform_(t, a=math.sqrt(5))),
]
for name, kw, f in specs:
    for s in shapes:
        calls.clear()
        f(torch.empty(s, dtype=torch.float64))
        kind, p, q = calls[0]
        case = {"scheme": name, "set": kw, "shape": s, "kind": kind}
        if kind == "uniform":
            case.update(lo=p, hi=q, std=(q - p) / math.sqrt(12))
        else:
            case.update(mean=p, std=q)
        cases.append(case)

# trunc_normal_ draws v ~ U(2l-1, 2u-1) and maps it through erfinv.
trunc = []
for mean, std, a, b in [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 3.0), (0.0, 0.1, -0.05, 1.0)]:
    calls.clear()
    init.trunc_normal_(torch.empty(10, dtype=torch.float64), mean, std, a, b)
    trunc.append({"mean": mean, "std": std, "a": a, "b": b, "u_lo": calls[0][1], "u_hi": calls[0][2]})

fixed = []
for s in [[3, 5], [5, 3], [4, 4]]:
    fixed.append({"scheme": "eye", "shape": s, "data": init.eye_(torch.empty(s)).flatten().tolist()})
for s in [[4, 2, 3], [3, 5, 3, 3], [2, 2, 2, 4], [2, 3, 3, 3, 3]]:
    fixed.append({"scheme": "dirac", "shape": s, "data": init.dirac_(torch.empty(s)).flatten().tolist()})

print(json.dumps({"torch": torch.__version__, "gains": gains, "fans": fans, "cases": cases,
                  "trunc_normal": trunc, "fixed": fixed}, indent=1))
