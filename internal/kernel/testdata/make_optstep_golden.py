"""Golden trajectories for kernel.AdamStep and kernel.SGDStep from PyTorch
1.13's torch.optim.Adam, AdamW and SGD on float32 tensors, with AMSGrad and
maximize.

Run from the repository root:
  ../shared/tools/torch-python internal/kernel/testdata/make_optstep_golden.py > internal/kernel/testdata/optstep.json
"""
import json

import torch

N, STEPS = 37, 5

CASES = [
    ("adam", "Adam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)),
    ("adam_l2", "Adam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw", "AdamW", dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),
    ("sgd", "SGD", dict(lr=0.1)),
    ("sgd_wd", "SGD", dict(lr=0.1, weight_decay=0.01)),
    ("momentum", "SGD", dict(lr=0.05, momentum=0.9)),
    ("momentum_dampening_wd", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-3)),
    ("nesterov", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    # Appended after the first eight so that their random draws stay the same.
    ("adam_amsgrad", "Adam", dict(lr=1e-2, betas=(0.9, 0.6), eps=1e-8, amsgrad=True)),
    ("adamw_amsgrad_maximize", "AdamW", dict(lr=1e-2, betas=(0.8, 0.5), eps=1e-6, weight_decay=0.01, amsgrad=True,
                                             maximize=True)),
    ("adam_l2_maximize", "Adam", dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1, maximize=True)),
    ("nesterov_wd_maximize", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True)),
]


def floats(t):
    return [float(x) for x in t.tolist()]  # float32 values, exact as float64


def main():
    torch.manual_seed(0)
    out = []
    for name, opt, kw in CASES:
        p0 = torch.randn(N, dtype=torch.float32)
        grads = [torch.randn(N, dtype=torch.float32) for _ in range(STEPS)]
        p = torch.nn.Parameter(p0.clone())
        o = getattr(torch.optim, opt)([p], **kw)
        traj = []
        for g in grads:
            p.grad = g.clone()
            o.step()
            traj.append(floats(p.detach()))
        hyper = dict(kw)
        if "betas" in hyper:
            hyper["beta1"], hyper["beta2"] = hyper.pop("betas")
        out.append(dict(name=name, optimizer=opt, hyper=hyper, p0=floats(p0),
                        grads=[floats(g) for g in grads], trajectory=traj))
    json.dump(dict(torch=torch.__version__, cases=out), __import__("sys").stdout, indent=1)


if __name__ == "__main__":
    main()
