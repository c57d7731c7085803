"""PyTorch twin of `descent train --model lstm` (issue 11, item 6): the whole
process, to time with /usr/bin/time -v against descent's. It imports torch,
loads MNIST (data/mnist/*.gz, normalized with mean 0.1307 and std 0.3081),
reads each image as 28 steps of 28 pixels through SeqNet (nn.LSTM(28, H,
batch_first=True), then nn.Linear(H, 10) on the last step's output), trains
for --epochs with Adam (lr 0.001 by default) at batch 128 in shuffled order,
then tests on the 10,000 test images (in batches of 1000) and prints a JSON
line with the test accuracy and the wall times of loading and of training
plus testing.

Usage: ../shared/tools/torch-python bench/pytorch/mnist_seq.py --threads 1
       [--kind lstm|gru|rnn] [--hidden 128] [--epochs 1] [--lr 0.001] [--seed 1]

To compare with descent, same threads (OMP_NUM_THREADS is set from --threads
unless already set):

    /usr/bin/time -v descent train --model lstm --opt adam --lr 0.001 --epochs 1 \\
        --schedule none --threads 1 --quiet --out /tmp/run
    OMP_NUM_THREADS=1 /usr/bin/time -v ../shared/tools/torch-python bench/pytorch/mnist_seq.py --threads 1
"""
import argparse
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "data", "mnist"))
    ap.add_argument("--kind", default="lstm", choices=["lstm", "gru", "rnn"])
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=0.001)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from mnist_mlp import read_idx

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    def load(prefix):
        x = read_idx(os.path.join(args.data, prefix + "-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
        y = read_idx(os.path.join(args.data, prefix + "-labels-idx1-ubyte.gz")).astype(np.int64)
        x = (x - 0.1307) / 0.3081
        return torch.from_numpy(x.reshape(len(x), 28, 28)), torch.from_numpy(y)

    xtr, ytr = load("train")
    xte, yte = load("t10k")

    class SeqNet(nn.Module):
        def __init__(self, kind, hidden):
            super().__init__()
            self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](28, hidden, batch_first=True)
            self.fc = nn.Linear(hidden, 10)

        def forward(self, x):
            out, _ = self.rnn(x.reshape(-1, 28, 28))
            return self.fc(out[:, -1])

    model = SeqNet(args.kind, args.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
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
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(xte), 1000):
                correct += (model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
        acc = correct / len(xte)
        print(f"epoch {epoch} test accuracy {acc:.4f} elapsed {time.perf_counter() - t_train:.2f}s", file=sys.stderr)
    result = {"test_accuracy": acc, "train_test_seconds": time.perf_counter() - t_train,
              "load_seconds": t_train - t0, "threads": args.threads, "torch": torch.__version__}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
