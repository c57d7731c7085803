"""Golden values for TestSeqNetStepMatchesPyTorch (cmd/descent/seqstep_test.go).

Builds the issue's SeqNet (LSTM, hidden 16, one layer) with PyTorch's
initialization, saves its weights (seqstep_init.safetensors), and takes one
training step on the first 128 MNIST training images (normalized as
torchvision does) with SGD (lr 0.1, momentum 0.9, Nesterov) and with Adam
(lr 0.01), each from those weights. seqstep_golden.safetensors holds, per
parameter NAME, "sgd.NAME" and "adam.NAME" (the weights after the step) and
"grad.NAME" (the gradient of the mean cross-entropy). Run from the
repository root:

    /work/shared/tools/torch-python cmd/descent/testdata/seqstep_golden.py
"""
import gzip
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "data", "mnist")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = struct.unpack(">I", data[:4])[0] & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().float().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


class SeqNet(nn.Module):
    def __init__(self, kind, hidden=128, layers=1):
        super().__init__()
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](28, hidden, num_layers=layers, batch_first=True)
        self.fc = nn.Linear(hidden, 10)

    def forward(self, x):
        out, _ = self.rnn(x.reshape(-1, 28, 28))
        return self.fc(out[:, -1])


def main():
    torch.manual_seed(7)
    x = read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))[:128]
    y = read_idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))[:128]
    x = (torch.from_numpy(x.astype(np.float32)) / 255.0 - 0.1307) / 0.3081
    y = torch.from_numpy(y.astype(np.int64))
    init = SeqNet("lstm", hidden=16).state_dict()
    save_safetensors(os.path.join(HERE, "seqstep_init.safetensors"), init)
    out = {}
    for name, make in [("sgd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
                       ("adam", lambda p: torch.optim.Adam(p, lr=0.01))]:
        model = SeqNet("lstm", hidden=16)
        model.load_state_dict(init)
        opt = make(model.parameters())
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        for k, p in model.named_parameters():
            out[name + "." + k] = p
            out["grad." + k] = p.grad
    save_safetensors(os.path.join(HERE, "seqstep_golden.safetensors"), out)
    print("loss", loss.item())


if __name__ == "__main__":
    main()
