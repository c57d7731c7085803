"""Golden `descent trace` runs, made with PyTorch in float64.

    /work/shared/tools/torch-python cmd/descent/testdata/make_trace_golden.py > cmd/descent/testdata/trace_golden.json

Each case runs a torch.optim optimizer on one of the 2-D test functions
from a start point, gradients from torch's autograd, and records the
rows `descent trace` prints: step, x, y, f (row 0 the start). The test
runs the same command line and compares.
"""
import json
import sys

import torch

torch.set_default_dtype(torch.float64)

FUNCS = {
    'rosenbrock': lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
    'beale': lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    'himmelblau': lambda x, y: (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2,
    'saddle': lambda x, y: x ** 2 - y ** 2,
    'bowl': lambda x, y: 0.05 * x ** 2 + y ** 2,
}

CLASSES = {
    'sgd': torch.optim.SGD, 'adagrad': torch.optim.Adagrad, 'rmsprop': torch.optim.RMSprop,
    'adadelta': torch.optim.Adadelta, 'adam': torch.optim.Adam, 'adamw': torch.optim.AdamW,
    'adamax': torch.optim.Adamax, 'radam': torch.optim.RAdam,
}

# (func, opt, lr, --set as a dict of torch kwargs, --set as descent flags, from, steps)
CASES = [
    ('rosenbrock', 'adam', 0.01, {}, '', (-1.5, 2.0), 40),
    ('rosenbrock', 'sgd', 0.0005, {'momentum': 0.9, 'nesterov': True}, 'momentum=0.9,nesterov=true', (-1.2, 1.0), 40),
    ('beale', 'rmsprop', 0.01, {'centered': True, 'alpha': 0.9}, 'centered=true,alpha=0.9', (1.0, 1.5), 40),
    ('himmelblau', 'adagrad', 0.5, {'lr_decay': 0.01}, 'lr_decay=0.01', (0.0, 0.0), 40),
    ('saddle', 'adamw', 0.05, {'betas': (0.8, 0.99), 'weight_decay': 0.1}, 'beta1=0.8,beta2=0.99,weight_decay=0.1', (1.0, 0.001), 40),
    ('bowl', 'adadelta', 1.0, {'rho': 0.95}, 'rho=0.95', (-8.0, 2.0), 40),
    ('bowl', 'adamax', 0.1, {}, '', (-8.0, 2.0), 40),
    ('himmelblau', 'radam', 0.05, {}, '', (0.0, 0.0), 40),
]


def run(func, opt, lr, kw, flags, start, steps):
    x = torch.tensor([start[0]], requires_grad=True)
    y = torch.tensor([start[1]], requires_grad=True)
    o = CLASSES[opt]([x, y], lr=lr, **kw)
    rows = []
    for i in range(steps + 1):
        o.zero_grad()
        f = FUNCS[func](x, y).sum()
        rows.append([x.item(), y.item(), f.item()])
        if i == steps:
            break
        f.backward()
        o.step()
    return dict(func=func, opt=opt, lr=lr, set=flags, start=list(start), steps=steps, rows=rows)


json.dump(dict(torch=torch.__version__, cases=[run(*c) for c in CASES]), sys.stdout)
print()
