"""Golden learning-rate schedules for descent's optim/schedule package.

Run with PyTorch (1.13 is what ../shared/tools/torch-python provides):

    /work/shared/tools/torch-python optim/schedule/testdata/make_golden.py > optim/schedule/testdata/golden.json

Each case builds torch.optim.SGD(lr=LR, momentum=0.9) on a dummy
parameter, attaches a torch.optim.lr_scheduler and records
optimizer.param_groups[0]['lr'] (and 'momentum' where cycled) before each
of N optimizer steps, calling scheduler.step() after each: row i is the
learning rate optimizer step i uses, row 0 the value at construction.
Warm-up is SequentialLR([LinearLR(...), inner], milestones=[W]), and where a
warm-up case leaves out T_max (cosine) or total_steps (onecycle) the inner
schedule is sized for the steps after the warm-up, N - W, as `descent
schedule` and `descent train` size it.
ReduceLROnPlateau cases record the lr after each step(metric).
"""
import json
import sys
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings('ignore')
torch.set_default_dtype(torch.float64)


def build(opt, name, kw):
    if name == 'constant':
        inner = S.LambdaLR(opt, lambda t: 1.0)
    elif name == 'step':
        inner = S.StepLR(opt, **kw)
    elif name == 'multistep':
        inner = S.MultiStepLR(opt, **kw)
    elif name == 'exponential':
        inner = S.ExponentialLR(opt, **kw)
    elif name == 'cosine':
        inner = S.CosineAnnealingLR(opt, **kw)
    elif name == 'cyclic':
        kw.setdefault('cycle_momentum', False)
        inner = S.CyclicLR(opt, **kw)
    elif name == 'onecycle':
        kw.setdefault('cycle_momentum', False)
        inner = S.OneCycleLR(opt, **kw)
    else:
        raise ValueError(name)
    return inner


def run(name, lr, steps, kw):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    kw2 = dict(kw)
    warm = kw2.pop('warmup', None)
    start_factor = kw2.pop('warmup_start_factor', 1.0 / 3)
    if warm is None:
        sched = build(opt, name, kw2)
    else:
        if name == 'cosine':
            kw2.setdefault('T_max', steps - warm)
        if name == 'onecycle' and 'epochs' not in kw2:
            kw2.setdefault('total_steps', steps - warm)
        w = S.LinearLR(opt, start_factor=start_factor, total_iters=warm)
        inner = build(opt, name, kw2)
        sched = S.SequentialLR(opt, [w, inner], milestones=[warm])
    lrs, moms = [], []
    for i in range(steps):
        lrs.append(opt.param_groups[0]['lr'])
        moms.append(opt.param_groups[0]['momentum'])
        if i < steps - 1:  # OneCycleLR refuses to step past total_steps
            p.grad = torch.zeros(1)
            opt.step()
            sched.step()
    case = dict(name=name, lr=lr, steps=steps, settings=kw, lrs=lrs)
    if kw.get('cycle_momentum'):
        case['momentums'] = moms
    return case


CASES = [
    ('constant', 0.1, 10, {}),
    ('step', 0.1, 100, {'step_size': 7}),
    ('step', 0.3, 60, {'step_size': 5, 'gamma': 0.5}),
    ('multistep', 0.1, 100, {'milestones': [10, 30, 30, 80]}),
    ('multistep', 0.05, 50, {'milestones': [5, 20], 'gamma': 0.3}),
    ('exponential', 0.1, 200, {'gamma': 0.97}),
    ('exponential', 1.0, 50, {'gamma': 0.5}),
    ('cosine', 0.1, 100, {'T_max': 100}),
    ('cosine', 0.1, 130, {'T_max': 30, 'eta_min': 0.001}),
    ('cosine', 0.05, 200, {'T_max': 7}),
    ('cyclic', 0.1, 100, {'base_lr': 0.001, 'max_lr': 0.1, 'step_size_up': 10}),
    ('cyclic', 0.1, 100, {'base_lr': 0.001, 'max_lr': 0.1, 'step_size_up': 7, 'step_size_down': 13, 'mode': 'triangular2'}),
    ('cyclic', 0.1, 100, {'base_lr': 0.01, 'max_lr': 0.2, 'step_size_up': 5, 'mode': 'exp_range', 'gamma': 0.98}),
    ('cyclic', 0.1, 60, {'base_lr': 0.01, 'max_lr': 0.2, 'step_size_up': 6, 'cycle_momentum': True}),
    ('cyclic', 0.1, 60, {'base_lr': 0.01, 'max_lr': 0.2, 'step_size_up': 4, 'cycle_momentum': True,
                         'base_momentum': 0.7, 'max_momentum': 0.95, 'mode': 'triangular2'}),
    ('onecycle', 0.1, 101, {'max_lr': 0.1, 'total_steps': 100}),
    ('onecycle', 0.1, 100, {'max_lr': 0.5, 'epochs': 10, 'steps_per_epoch': 10, 'pct_start': 0.25,
                            'anneal_strategy': 'linear', 'div_factor': 10.0, 'final_div_factor': 100.0}),
    ('onecycle', 0.1, 100, {'max_lr': 0.3, 'total_steps': 100, 'three_phase': True}),
    ('onecycle', 0.1, 80, {'max_lr': 0.3, 'total_steps': 80, 'cycle_momentum': True}),
    ('onecycle', 0.1, 90, {'max_lr': 0.3, 'total_steps': 90, 'three_phase': True, 'cycle_momentum': True,
                           'base_momentum': 0.8, 'max_momentum': 0.9}),
    ('step', 0.1, 50, {'step_size': 10, 'warmup': 5}),
    ('cosine', 0.1, 60, {'T_max': 40, 'warmup': 10, 'warmup_start_factor': 0.1}),
    ('exponential', 0.2, 40, {'gamma': 0.9, 'warmup': 3, 'warmup_start_factor': 0.5}),
    # The inner schedule sized for what the warm-up leaves (total_steps=50,
    # T_max=70): onecycle ends at max_lr/25/1e4 = 4e-07.
    ('onecycle', 0.1, 100, {'max_lr': 0.1, 'warmup': 50}),
    ('onecycle', 0.1, 60, {'max_lr': 0.3, 'warmup': 20, 'warmup_start_factor': 0.1, 'three_phase': True}),
    ('cosine', 0.1, 100, {'warmup': 30}),
    ('cosine', 0.1, 90, {'eta_min': 0.01, 'warmup': 10}),
    # step_size_down=0 is not "same as step_size_up" (None is): a sawtooth.
    ('cyclic', 0.1, 60, {'base_lr': 0.01, 'max_lr': 0.2, 'step_size_up': 10, 'step_size_down': 0}),
    ('cyclic', 0.1, 60, {'base_lr': 0.01, 'max_lr': 0.2, 'step_size_up': 7, 'step_size_down': 0,
                         'mode': 'triangular2'}),
    # Warm-up climbs towards the optimizer's lr (LinearLR, built first, set
    # initial_lr), not towards base_lr.
    ('cyclic', 0.1, 60, {'base_lr': 0.01, 'max_lr': 0.2, 'step_size_up': 10, 'warmup': 5}),
]


def plateau_cases():
    metrics = [1.0, 0.9, 0.95, 0.95, 0.91, 0.9, 0.9, 0.89, 0.8999, 0.91, 0.92, 0.7, 0.71, 0.72, 0.73,
               0.74, 0.75, 0.7, 0.69999, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75]
    out = []
    for kw in [dict(patience=2), dict(patience=1, cooldown=2, factor=0.5),
               dict(mode='max', patience=1, threshold=0.01, threshold_mode='abs'),
               dict(patience=0, min_lr=0.004, factor=0.5, threshold=0.001),
               dict(patience=1, eps=0.05, factor=0.3)]:
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = S.ReduceLROnPlateau(opt, **kw)
        lrs = []
        for m in metrics:
            sched.step(m)
            lrs.append(opt.param_groups[0]['lr'])
        out.append(dict(settings=kw, lr=0.1, metrics=metrics, lrs=lrs))
    return out


def main():
    cases = [run(*c) for c in CASES]
    json.dump(dict(torch=torch.__version__, cases=cases, plateau=plateau_cases()), sys.stdout)
    print()


if __name__ == '__main__':
    main()
