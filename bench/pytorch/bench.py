"""PyTorch side of `descent bench --vs-pytorch`.

Runs the same workloads as descent's bench command on synthetic data and
prints one JSON object {workload: value} on stdout. Values: GFLOP/s for GEMM,
samples/s for training, milliseconds for the Adam step, microseconds per op
for backward chains.

Usage: ../shared/tools/torch-python bench/pytorch/bench.py --threads 2 [--quick]
"""
import argparse
import json
import os
import statistics
import sys
import time


def median_time(fn, repeats, inner=1):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--only", default="", help="comma list of workload prefixes")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    reps = 3 if args.quick else 7
    only = [p for p in args.only.split(",") if p]
    want = lambda name: not only or any(name.startswith(p) for p in only)
    out = {"threads": args.threads, "torch": torch.__version__}

    for n in (256, 512, 1024, 2048):
        name = f"gemm_{n}_gflops"
        if not want(name):
            continue
        a, b = torch.randn(n, n), torch.randn(n, n)
        c = torch.empty(n, n)
        inner = max(1, int(2e9 / (2 * n**3)))
        torch.mm(a, b, out=c)
        t = median_time(lambda: torch.mm(a, b, out=c), reps, inner)
        out[name] = 2 * n**3 / t / 1e9

    def mlp():
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))

    def cnn():
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))

    def train_rate(model, opt, x, y, steps):
        def step():
            opt.zero_grad(set_to_none=False)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        for _ in range(10):
            step()
        t = median_time(step, reps, steps)
        return x.shape[0] / t

    if want("mlp_sgd_samples_per_s"):
        m = mlp()
        x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
        out["mlp_sgd_samples_per_s"] = train_rate(m, torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9), x, y, 50)
    if want("mlp_adam_samples_per_s"):
        m = mlp()
        x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
        out["mlp_adam_samples_per_s"] = train_rate(m, torch.optim.Adam(m.parameters(), lr=1e-3), x, y, 50)
    if want("cnn_adam_samples_per_s"):
        m = cnn()
        x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
        out["cnn_adam_samples_per_s"] = train_rate(m, torch.optim.Adam(m.parameters(), lr=1e-3), x, y, 10)
    if want("lstm_adam_samples_per_s"):
        # models.SeqNet("lstm"): the image as 28 rows of 28, an LSTM of 128
        # units, a Linear layer on the last step's output.
        class SeqNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(28, 128, batch_first=True)
                self.fc = nn.Linear(128, 10)

            def forward(self, x):
                out, _ = self.rnn(x.reshape(-1, 28, 28))
                return self.fc(out[:, -1])

        m = SeqNet()
        x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
        out["lstm_adam_samples_per_s"] = train_rate(m, torch.optim.Adam(m.parameters(), lr=1e-3), x, y, 10)
    if want("adam_step_10m_ms"):
        p = torch.nn.Parameter(torch.randn(10_000_000))
        p.grad = torch.randn(10_000_000)
        opt = torch.optim.Adam([p], lr=1e-3)
        opt.step()
        t = median_time(opt.step, reps, 5)
        out["adam_step_10m_ms"] = t * 1e3
    for depth in (10, 100, 1000):
        name = f"backward_chain_{depth}_us_per_op"
        if not want(name):
            continue
        x = torch.randn(64, requires_grad=True)

        def backward_only():
            # Only backward() is timed; the forward pass that records the
            # graph runs outside the clock, as in descent's workload.
            y = x
            for _ in range(depth):
                y = torch.tanh(y)
            loss = y.sum()
            t0 = time.perf_counter()
            loss.backward()
            return time.perf_counter() - t0

        inner = max(1, 2000 // depth)
        backward_only()
        times = []
        for _ in range(reps):
            times.append(sum(backward_only() for _ in range(inner)) / inner)
        out[name] = statistics.median(times) / (depth + 1) * 1e6
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
