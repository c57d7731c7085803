"""PyTorch's side of descent's convolution benchmarks, same shapes, same
threads, float32: run it next to the Go benchmarks on the same machine.

    OMP_NUM_THREADS=2 ../shared/tools/torch-python tensor/testdata/bench_conv.py
    go test -run XXX -bench 'Conv2d|MaxPool2d' ./tensor/
    go test -run XXX -bench CNNStep ./autograd/

Each line is the median of 30 timed repetitions after 5 warm-up ones, as
samples (images) per second, like the Go benchmarks' samples/s metric.
"""
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
torch.manual_seed(1)


def rate(fn, batch, repeats=30, warmup=5):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return batch / statistics.median(times)


def conv_case(n, c, h, o, input_grad):
    x = torch.randn(n, c, h, h, requires_grad=input_grad)
    conv = nn.Conv2d(c, o, 3)
    dy = torch.randn_like(conv(x))

    def step():
        conv.zero_grad()
        conv(x).backward(dy)
    return rate(step, n)


def pool_case():
    x = torch.randn(64, 32, 26, 26, requires_grad=True)

    def step():
        y = F.max_pool2d(x, 2)
        y.backward(y.detach())
    return rate(step, 64)


def cnn_case():
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    x, t = torch.rand(64, 1, 28, 28), torch.arange(64) % 10

    def step():
        model.zero_grad()
        F.cross_entropy(model(x), t).backward()
    return rate(step, 64)


print(f"conv 64x1x28x28 -> 32, k3, fwd+bwd (no dx)  {conv_case(64, 1, 28, 32, False):10.0f} samples/s")
print(f"conv 64x32x13x13 -> 64, k3, fwd+bwd          {conv_case(64, 32, 13, 64, True):10.0f} samples/s")
print(f"max_pool2d 2x2 on 64x32x26x26, fwd+bwd        {pool_case():10.0f} samples/s")
print(f"CNN forward+backward, batch 64 (no optimizer) {cnn_case():10.0f} samples/s")
