"""Writes conv_golden.json: PyTorch's forward values and gradients of
nn.Conv2d, nn.MaxPool2d and nn.AvgPool2d on fixed inputs.

Run from the repository root:
    ../shared/tools/torch-python nn/testdata/make_conv_golden.py

Everything is float64, so the Go tests (nn/conv2d_test.go, nn/pool_test.go)
compare to ~1e-10. Each case records its settings, its input x, its
parameters, the upstream gradient r and, for the scalar L = sum(r * layer(x)),
the output y and the gradients of L with respect to x and every parameter.
"""
import json
import os

import torch
import torch.nn as nn

torch.manual_seed(20240602)
torch.set_default_dtype(torch.float64)


def t(x):
    x = x.detach()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def case(name, layer, args, x_shape):
    x = torch.randn(*x_shape).requires_grad_(True)
    y = layer(x)
    r = torch.randn(*y.shape)
    (y * r).sum().backward()
    params = {k: t(p) for k, p in layer.named_parameters()}
    grads = {"x": t(x.grad)}
    grads.update({k: t(p.grad) for k, p in layer.named_parameters()})
    return {"name": name, "args": args, "x": t(x), "params": params,
            "upstream": t(r), "y": t(y), "grads": grads}


def conv(name, cin, cout, k, stride, padding, bias, x_shape):
    layer = nn.Conv2d(cin, cout, k, stride=stride, padding=padding, bias=bias)
    args = {"in": cin, "out": cout, "kernel": k, "stride": stride, "padding": padding, "bias": bias}
    return case(name, layer, args, x_shape)


def pool(name, cls, k, stride, padding, x_shape):
    args = {"kernel": k, "stride": stride, "padding": padding}
    return case(name, cls(k, stride=stride, padding=padding), args, x_shape)


golden = {
    "conv2d": [
        conv("3x3", 2, 3, 3, 1, 0, True, (2, 2, 6, 7)),
        conv("3x3 padding 1 no bias", 3, 2, 3, 1, 1, False, (2, 3, 5, 5)),
        conv("3x3 stride 2 padding 1", 2, 4, 3, 2, 1, True, (2, 2, 7, 6)),
        conv("5x5 stride 2 padding 2", 1, 2, 5, 2, 2, True, (1, 1, 9, 8)),
        conv("1x1", 4, 3, 1, 1, 0, True, (2, 4, 3, 5)),
        conv("cnn first layer shape", 1, 32, 3, 1, 0, True, (1, 1, 6, 5)),
    ],
    "max_pool2d": [
        pool("2x2", nn.MaxPool2d, 2, 2, 0, (2, 3, 6, 6)),
        pool("2x2 odd size", nn.MaxPool2d, 2, 2, 0, (2, 2, 7, 5)),
        pool("3x3 stride 2 padding 1", nn.MaxPool2d, 3, 2, 1, (2, 2, 7, 6)),
        pool("3x3 stride 1", nn.MaxPool2d, 3, 1, 0, (1, 2, 5, 6)),
    ],
    "avg_pool2d": [
        pool("2x2", nn.AvgPool2d, 2, 2, 0, (2, 3, 6, 6)),
        pool("2x2 odd size", nn.AvgPool2d, 2, 2, 0, (2, 2, 7, 5)),
        pool("3x3 stride 2 padding 1", nn.AvgPool2d, 3, 2, 1, (2, 2, 7, 6)),
        pool("5x5 stride 3 padding 2", nn.AvgPool2d, 5, 3, 2, (1, 2, 9, 8)),
    ],
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_golden.json")
with open(out, "w") as f:
    json.dump(golden, f, indent=None, separators=(",", ":"))
    f.write("\n")
print("wrote", out)
