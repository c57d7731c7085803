"""Writes bptt_reference.csv: PyTorch's g_1/g_T for the runs of
lab.BPTTComparison (T = 100, H = 128, inputs of 32, batch 64), where g_t is
the batch mean of ||dL/dh_t|| and L = sum(h_T), over seeds 1..20 in float64
and 1..5 in float32 (where the plain tanh RNN's g_1 underflows to 0). Run with /work/shared/tools/torch-python make_bptt_reference.py."""
import csv

import torch

T, H, I, B = 100, 128, 32, 64
RUNS = [  # label, cell, nonlinearity, init_hh, forget bias
    ("rnn tanh", "rnn", "tanh", "default", None),
    ("rnn tanh, orthogonal", "rnn", "tanh", "orthogonal", None),
    ("rnn relu, identity", "rnn", "relu", "identity", None),
    ("lstm", "lstm", None, "default", None),
    ("lstm, forget bias 3", "lstm", None, "default", 3.0),
    ("gru", "gru", None, "default", None),
]


def ratio(cell, act, init_hh, fb, dtype, seed):
    torch.manual_seed(seed)
    if cell == "rnn":
        m = torch.nn.RNNCell(I, H, nonlinearity=act)
    elif cell == "lstm":
        m = torch.nn.LSTMCell(I, H)
    else:
        m = torch.nn.GRUCell(I, H)
    m = m.to(dtype)
    with torch.no_grad():
        for k in range(m.weight_hh.shape[0] // H):
            block = m.weight_hh[k * H:(k + 1) * H]
            if init_hh == "orthogonal":
                torch.nn.init.orthogonal_(block)
            elif init_hh == "identity":
                block.copy_(torch.eye(H, dtype=dtype))
        if fb is not None:
            m.bias_ih[H:2 * H] = fb
            m.bias_hh[H:2 * H] = 0
    h, c, hs = None, None, []
    for _ in range(T):
        x = torch.randn(B, I, dtype=dtype)
        if cell == "lstm":
            h, c = m(x, None if h is None else (h, c))
        else:
            h = m(x, h)
        h.retain_grad()
        hs.append(h)
    h.sum().backward()
    g = [v.grad.norm(dim=1).mean().item() for v in hs]
    return g[0] / g[-1]


with open("bptt_reference.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["run", "dtype", "seed", "ratio"])
    for label, cell, act, init_hh, fb in RUNS:
        for dtype, seeds in [(torch.float64, 20), (torch.float32, 5)]:
            for seed in range(1, seeds + 1):
                r = ratio(cell, act, init_hh, fb, dtype, seed)
                w.writerow([label, str(dtype)[6:], seed, f"{r:.3e}"])
