"""PyTorch reference for `descent train`'s default run: the same MLP
(784-512-256-10, ReLU, PyTorch default init), optimizer, schedule, batch size
and epochs on the same MNIST files (data/mnist/*.gz, normalized with mean
0.1307 and std 0.3081). Prints per-epoch test accuracy and the wall time of
training plus evaluation, to compare with descent in the same run.

Usage: ../shared/tools/torch-python bench/pytorch/mnist_mlp.py [--threads 2]
       [--opt sgd|adam] [--lr 0.05] [--momentum 0.9] [--epochs 5] [--batch 128]
       [--onecycle] [--seed 1] [--save FILE.safetensors]

`descent train` with no flags (cmd/descent/train.go, defaultTrainConfig:
SGD lr 0.05, momentum 0.9, Nesterov, OneCycleLR, batch 128, 3 epochs) is

    ../shared/tools/torch-python bench/pytorch/mnist_mlp.py --epochs 3 --onecycle --nesterov

(the flags' own defaults are kept as they were: other commands rely on them).
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time


def read_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def save_safetensors(path, tensors):
    """Writes float32 tensors in the safetensors format by hand."""
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "data", "mnist"))
    ap.add_argument("--opt", default="sgd")
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--nesterov", action="store_true")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--onecycle", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--save", default="")
    ap.add_argument("--hidden", default="512,256", help="hidden widths, as descent's --hidden")
    ap.add_argument("--result", default="", help="also write the result JSON to this file")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t0 = time.perf_counter()

    def load(prefix):
        x = read_idx(os.path.join(args.data, prefix + "-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
        y = read_idx(os.path.join(args.data, prefix + "-labels-idx1-ubyte.gz")).astype(np.int64)
        x = (x - 0.1307) / 0.3081
        return torch.from_numpy(x.reshape(len(x), -1)), torch.from_numpy(y)

    xtr, ytr = load("train")
    xte, yte = load("t10k")
    widths = [784] + [int(h) for h in args.hidden.split(",")] + [10]
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    if args.opt == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, nesterov=args.nesterov)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = (len(xtr) + args.batch - 1) // args.batch
    sched = None
    if args.onecycle:
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps_per_epoch)
    t_train = time.perf_counter()
    acc = 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), args.batch):
            idx = perm[i:i + args.batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            if sched:
                sched.step()
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch} test accuracy {acc:.4f} elapsed {time.perf_counter() - t_train:.2f}s", file=sys.stderr)
    total = time.perf_counter() - t_train
    if args.save:
        save_safetensors(args.save, model.state_dict())
    result = {"test_accuracy": acc, "train_eval_seconds": total, "load_seconds": t_train - t0}
    if args.save:
        model.eval()
        with torch.no_grad():
            logits = model(xte)
            result["test_loss"] = F.cross_entropy(logits, yte).item()
            result["test_correct"] = int((logits.argmax(1) == yte).sum().item())
    if args.result:
        with open(args.result, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
