"""Writes seq_golden.json: the state-dict layouts of the issue's SeqNet and
of the byte-level TextModel, and, for small sizes, their float64 weights,
an input and PyTorch's logits. Run with
/work/shared/tools/torch-python make_seq_golden.py."""
import json
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


class SeqNet(nn.Module):
    def __init__(self, kind, hidden=128, layers=1):
        super().__init__()
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](28, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, 10)

    def forward(self, x):
        out, _ = self.rnn(x.reshape(-1, 28, 28))
        return self.fc(out[:, -1])


class TextModel(nn.Module):
    def __init__(self, kind, embed=64, hidden=256, layers=2):
        super().__init__()
        self.embed = nn.Embedding(256, embed)
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](embed, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, 256)

    def forward(self, x, state=None):
        out, state = self.rnn(self.embed(x), state)
        return self.fc(out), state


def layout(m):
    return " ".join(f"{n}{list(p.shape)}".replace(", ", " ").replace(",", " ") for n, p in m.state_dict().items())


def short(m):
    """Rounds the weights to 4 decimals: a small file, still exact float64."""
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.round(p * 1e4) / 1e4)
    return m


def t(x):
    return {"shape": list(x.shape), "data": x.detach().reshape(-1).tolist()}


out = {"layouts": [], "forwards": []}
for kind in ["rnn", "lstm", "gru"]:
    for layers in [1, 2]:
        out["layouts"].append({"model": "seqnet", "kind": kind, "hidden": 128, "layers": layers,
                               "layout": layout(SeqNet(kind, 128, layers))})
    out["layouts"].append({"model": "text", "kind": kind, "embed": 64, "hidden": 256, "layers": 2,
                           "layout": layout(TextModel(kind))})
    m = short(SeqNet(kind, hidden=5, layers=2))
    x = (torch.arange(2 * 784) * 37 % 101).double().reshape(2, 784) / 100  # Go computes the same
    out["forwards"].append({"model": "seqnet", "kind": kind, "hidden": 5, "layers": 2,
                            "params": {n: t(p) for n, p in m.state_dict().items()},
                            "y": t(m(x))})
    m = short(TextModel(kind, embed=4, hidden=5, layers=2))
    x = torch.randint(0, 256, (1, 4))
    out["forwards"].append({"model": "text", "kind": kind, "embed": 4, "hidden": 5, "layers": 2,
                            "params": {n: t(p) for n, p in m.state_dict().items()},
                            "x": t(x.double()), "y": t(m(x)[0])})

with open("seq_golden.json", "w") as f:
    json.dump(out, f)
