"""SGEMM GFLOP/s of torch.mm (PyTorch on OpenBLAS), the reference for
descent's float32 Gemm (go test -bench Gemm ./internal/kernel/).

Prints one line per size and thread count: n, threads, median GFLOP/s of
wall time and of process CPU time. On a shared, loaded machine the wall
figure falls with the load; the CPU-time figure (flops per CPU-second) is
what the busy cores delivered, and with one thread it is what an idle core
would give. OpenBLAS threads spin while waiting, which counts as CPU time.
Usage: ../shared/tools/torch-python bench/pytorch/gemm.py [--threads 1,2] [--sizes 256,512,1024,2048]
"""
import argparse
import os
import statistics
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--sizes", default="256,512,1024,2048")
    ap.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    # OpenBLAS reads OMP_NUM_THREADS once, at import: allow the most we need.
    os.environ.setdefault("OMP_NUM_THREADS", str(max(threads)))
    import torch

    torch.manual_seed(0)
    for t in threads:
        torch.set_num_threads(t)
        for n in [int(s) for s in args.sizes.split(",")]:
            a = torch.randn(n, n)
            b = torch.randn(n, n)
            c = torch.empty(n, n)
            torch.mm(a, b, out=c)  # warm up
            # Median of repeated timings of batches of calls, each ~0.1 s.
            t0 = time.perf_counter()
            torch.mm(a, b, out=c)
            once = max(time.perf_counter() - t0, 1e-6)
            inner = max(1, int(0.1 / once))
            rates, cpu_rates = [], []
            deadline = time.perf_counter() + args.seconds
            while time.perf_counter() < deadline or len(rates) < 3:
                t0, c0 = time.perf_counter(), time.process_time()
                for _ in range(inner):
                    torch.mm(a, b, out=c)
                dt = (time.perf_counter() - t0) / inner
                dc = (time.process_time() - c0) / inner
                rates.append(2 * n**3 / dt / 1e9)
                cpu_rates.append(2 * n**3 / dc / 1e9)
            print(f"n={n} threads={t} {statistics.median(rates):.1f} GFLOP/s "
                  f"{statistics.median(cpu_rates):.1f} cpuGFLOP/s", flush=True)


if __name__ == "__main__":
    main()
