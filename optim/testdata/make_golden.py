"""Golden optimizer trajectories for descent's optim package.

Run with PyTorch (1.13 is what ../shared/tools/torch-python provides):

    /work/shared/tools/torch-python optim/testdata/make_golden.py > optim/testdata/golden.json

Every case runs a torch.optim optimizer in float64 on a small problem
(a scaled quadratic in 3-D or the 2-D Rosenbrock function) and records,
for each step, the gradient torch's autograd computed and the parameters
after the step. The Go test feeds the recorded gradients to descent's
optimizer and compares the parameters, so the optimizer is tested alone.

NAdam: PyTorch 1.13's NAdam keeps the mu product in float32 and counts
mu_t twice in the momentum term's correction; PyTorch >= 2.0 fixed both.
descent follows 2.x, so NAdam2 below implements 2.x's update with torch
tensor ops. Lookahead is not in torch; the Lookahead class below follows
the paper (Zhang et al. 2019) around a torch optimizer.
"""
import json
import math
import sys

import torch

torch.set_default_dtype(torch.float64)


class NAdam2(torch.optim.Optimizer):
    """torch.optim.NAdam as in PyTorch 2.x (single-tensor path)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0, momentum_decay=4e-3, maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, maximize=maximize))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            for p in group['params']:
                grad = p.grad if not group['maximize'] else -p.grad
                st = self.state[p]
                if not st:
                    st['step'] = 0
                    st['mu_product'] = 1.0  # a Python float: float64
                    st['exp_avg'] = torch.zeros_like(p)
                    st['exp_avg_sq'] = torch.zeros_like(p)
                st['step'] += 1
                step = st['step']
                lr = group['lr']
                bias_correction2 = 1 - beta2 ** step
                if group['weight_decay'] != 0:
                    grad = grad.add(p, alpha=group['weight_decay'])
                mu = beta1 * (1. - 0.5 * (0.96 ** (step * group['momentum_decay'])))
                mu_next = beta1 * (1. - 0.5 * (0.96 ** ((step + 1) * group['momentum_decay'])))
                st['mu_product'] *= mu
                mu_product = st['mu_product']
                st['exp_avg'].mul_(beta1).add_(grad, alpha=1 - beta1)
                st['exp_avg_sq'].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = st['exp_avg_sq'].div(bias_correction2).sqrt().add_(group['eps'])
                mu_product_next = mu_product * mu_next
                p.addcdiv_(grad, denom, value=(-lr * (1. - mu) / (1. - mu_product)))
                p.addcdiv_(st['exp_avg'], denom, value=(-lr * mu_next) / (1. - mu_product_next))


class Lookahead:
    """Lookahead (Zhang, Lucas, Hinton, Ba 2019) around a torch optimizer."""

    def __init__(self, inner, k=5, alpha=0.5):
        self.inner, self.k, self.alpha, self.count = inner, k, alpha, 0
        self.params = [p for g in inner.param_groups for p in g['params']]
        self.slow = [p.detach().clone() for p in self.params]

    @torch.no_grad()
    def step(self):
        self.inner.step()
        self.count += 1
        if self.count % self.k == 0:
            for p, s in zip(self.params, self.slow):
                s.add_(p - s, alpha=self.alpha)
                p.copy_(s)

    def zero_grad(self):
        self.inner.zero_grad()


def quad(p):
    scale = torch.tensor([1.0, 10.0, 0.1])
    target = torch.tensor([1.0, -2.0, 0.5])
    return (scale * (p - target) ** 2).sum() + p[0] * p[1]


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


PROBLEMS = {
    'quad': (quad, [0.5, 0.3, -1.2]),
    'rosenbrock': (rosenbrock, [-1.2, 1.0]),
}

CLASSES = {
    'sgd': torch.optim.SGD, 'adagrad': torch.optim.Adagrad, 'rmsprop': torch.optim.RMSprop,
    'adadelta': torch.optim.Adadelta, 'adam': torch.optim.Adam, 'adamw': torch.optim.AdamW,
    'adamax': torch.optim.Adamax, 'nadam': NAdam2, 'radam': torch.optim.RAdam,
}


def make(name, params, settings):
    kw = dict(settings)
    if 'beta1' in kw or 'beta2' in kw:
        kw['betas'] = (kw.pop('beta1', 0.9), kw.pop('beta2', 0.999))
    if name == 'lookahead':
        inner = kw.pop('inner')
        k, alpha = kw.pop('k', 5), kw.pop('alpha', 0.5)
        return Lookahead(make(inner, params, kw), k=k, alpha=alpha)
    return CLASSES[name](params, **kw)


def run(name, settings, problem, steps, groups=None):
    f, start = PROBLEMS[problem]
    if problem == 'rosenbrock' and (name in ('sgd', 'radam') or settings.get('inner') == 'sgd'):
        # Rosenbrock's gradients are in the hundreds: plain steps need a small lr.
        settings = dict(settings, lr=settings['lr'] / 50)
    p = torch.tensor(start, requires_grad=True)
    if groups is None:
        views, opt_params, sizes = [p], [p], [len(start)]
    else:
        # Split the parameter vector into leaves, one per group.
        sizes = [g['size'] for g in groups]
        leaves = [t.detach().clone().requires_grad_(True) for t in torch.tensor(start).split(sizes)]
        opt_params = [dict(params=[leaf], lr=g['lr'], weight_decay=g['weight_decay'])
                      for leaf, g in zip(leaves, groups)]
        views = leaves
    opt = make(name, opt_params, settings)
    grads, traj = [], []
    for _ in range(steps):
        opt.zero_grad()
        x = torch.cat(views) if groups is not None else p
        f(x).backward()
        grads.append([v for t in views for v in t.grad.tolist()])
        opt.step()
        traj.append([v for t in views for v in t.detach().tolist()])
    case = dict(opt=name, settings=settings, problem=problem, start=start, grads=grads, traj=traj)
    if groups is not None:
        case['groups'] = groups
    return case


CASES = [
    ('sgd', {'lr': 0.01}),
    ('sgd', {'lr': 0.01, 'momentum': 0.9}),
    ('sgd', {'lr': 0.01, 'momentum': 0.9, 'nesterov': True}),
    ('sgd', {'lr': 0.005, 'momentum': 0.8, 'dampening': 0.5, 'weight_decay': 0.1}),
    ('sgd', {'lr': 0.001, 'momentum': 0.5, 'weight_decay': 0.1, 'maximize': True}),
    ('adagrad', {'lr': 0.1}),
    ('adagrad', {'lr': 0.1, 'lr_decay': 0.01, 'weight_decay': 0.1, 'initial_accumulator_value': 0.5, 'eps': 1e-6}),
    ('rmsprop', {'lr': 0.01}),
    ('rmsprop', {'lr': 0.01, 'momentum': 0.9, 'centered': True}),
    ('rmsprop', {'lr': 0.01, 'alpha': 0.9, 'weight_decay': 0.1, 'eps': 1e-6, 'maximize': True}),
    ('adadelta', {'lr': 1.0}),
    ('adadelta', {'lr': 0.5, 'rho': 0.95, 'eps': 1e-5, 'weight_decay': 0.1}),
    ('adam', {'lr': 0.05}),
    ('adam', {'lr': 0.05, 'amsgrad': True, 'weight_decay': 0.1}),
    ('adam', {'lr': 0.01, 'beta1': 0.8, 'beta2': 0.99, 'eps': 1e-6, 'maximize': True}),
    ('adamw', {'lr': 0.05}),
    ('adamw', {'lr': 0.05, 'weight_decay': 0.1, 'amsgrad': True}),
    ('adamax', {'lr': 0.05}),
    ('adamax', {'lr': 0.05, 'beta1': 0.8, 'beta2': 0.99, 'weight_decay': 0.1}),
    ('nadam', {'lr': 0.05}),
    ('nadam', {'lr': 0.05, 'weight_decay': 0.1, 'momentum_decay': 0.01, 'beta2': 0.99}),
    ('nadam', {'lr': 0.01, 'maximize': True}),
    ('radam', {'lr': 0.05}),
    ('radam', {'lr': 0.05, 'weight_decay': 0.1, 'beta1': 0.8, 'beta2': 0.99}),
    ('lookahead', {'inner': 'sgd', 'lr': 0.01, 'momentum': 0.9}),
    ('lookahead', {'inner': 'adam', 'k': 3, 'alpha': 0.8, 'lr': 0.05}),
    ('lookahead', {'inner': 'rmsprop', 'k': 4, 'alpha': 0.3, 'lr': 0.01, 'centered': True}),
]


def clip_cases():
    g = torch.Generator().manual_seed(0)
    out = []
    for max_norm in [0.5, 3.0, 100.0]:
        grads = [torch.randn(4, generator=g), torch.randn(2, 3, generator=g)]
        ps = [torch.zeros_like(t, requires_grad=True) for t in grads]
        for p, t in zip(ps, grads):
            p.grad = t.clone()
        norm = torch.nn.utils.clip_grad_norm_(ps, max_norm)
        out.append(dict(max_norm=max_norm, grads=[t.flatten().tolist() for t in grads],
                        norm=norm.item(), clipped=[p.grad.flatten().tolist() for p in ps]))
    return out


def main():
    cases = []
    for problem, steps in [('quad', 25), ('rosenbrock', 25)]:
        for name, settings in CASES:
            cases.append(run(name, settings, problem, steps))
    groups = [dict(size=2, lr=0.05, weight_decay=0.0), dict(size=1, lr=0.01, weight_decay=0.1)]
    for name, settings in [('sgd', {'momentum': 0.9}), ('adam', {}), ('adamw', {}), ('rmsprop', {})]:
        cases.append(run(name, dict(settings, lr=0.05), 'quad', 25, groups=groups))
    json.dump(dict(torch=torch.__version__, cases=cases, clip=clip_cases()), sys.stdout, indent=None)
    print()


if __name__ == '__main__':
    main()
