#!/usr/bin/env python3
"""Benchmark: data-parallel CIFAR-10 on the GPUs of one host — pipe run --nproc-per-node 2
against one GPU at the same per-GPU batch (128), and PyTorch's DistributedDataParallel under
torchrun (tests/bench/ddp_ref.py) measured the same way in the same run.

Each number is the best epoch after the first (rank 0's history.csv for pipe; rank 0's clock
for the peer): 50,000 images per epoch, shared out among the GPUs. Throughput ratio = 1-GPU
epoch / 2-GPU epoch (2.0 is perfect scaling). The data is a learnable stand-in for CIFAR-10
in its binary layout (each class a colour and a stripe direction under noise, a fifth of the labels
random; there is no download on the GPU machine), so the test accuracy of 1 and 2 GPUs can be compared.

usage: python3 tests/bench/ddp_bench.py --pipe build-gpu/pipe [--epochs 4] [--gpus 2]"""
import argparse, csv, json, os, random, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_data(folder, train=50000, test=10000, seed=0):
    """data_batch_1..5.bin and test_batch.bin: class c is a colour tint and a stripe pattern
    under uniform noise, and a fifth of the labels are random: learnable to about 82%."""
    import numpy as np
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    tints = rng.integers(-40, 41, size=(10, 3, 1, 1))
    yy, xx = np.mgrid[0:32, 0:32]
    stripes = np.stack([np.sin((xx * np.cos(k * 0.314) + yy * np.sin(k * 0.314)) * 0.8) * 30 for k in range(10)])
    for name, n in [(f"data_batch_{i}.bin", train // 5) for i in range(1, 6)] + [("test_batch.bin", test)]:
        y = rng.integers(0, 10, size=n)
        x = rng.integers(0, 256, size=(n, 3, 32, 32)).astype(np.int32) // 2 + 64
        x = np.clip(x + tints[y] + stripes[y][:, None, :, :], 0, 255).astype(np.uint8)
        # A fifth of the labels replaced by a random class: no model gets past ~82%.
        noisy = rng.random(n) < 0.2
        y = np.where(noisy, rng.integers(0, 10, size=n), y)
        out = np.concatenate([y.astype(np.uint8)[:, None], x.reshape(n, -1)], axis=1)
        out.tofile(os.path.join(folder, name))


def pipe_run(pipe, data, out, epochs, nproc, sets):
    cmd = [pipe, "run", "pipelines/cifar10.yaml", "--device", "cuda", "--out", out, "--set", f"load_cifar10.path={data}",
           "--set", f"train.epochs={epochs}"]
    for s in sets:
        cmd += ["--set", s]
    if nproc > 1:
        cmd += ["--nproc-per-node", str(nproc)]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        print(f"pipe failed ({' '.join(cmd)}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}", flush=True)
        return None
    with open(os.path.join(out, "history.csv")) as f:
        seconds = [float(row["seconds"]) for row in csv.DictReader(f)]
    with open(os.path.join(out, "metrics.json")) as f:
        accuracy = json.load(f)["test"]["accuracy"]
    return seconds, accuracy, wall


def peer_run(data, epochs, nproc):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(nproc),
           os.path.join(ROOT, "tests", "bench", "ddp_ref.py"), data, "--epochs", str(epochs)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"ddp_ref.py failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}", flush=True)
        return None
    seconds = [int(m) / 1000 for m in re.findall(r"epoch \d+ (\d+) ms", r.stdout)]
    accuracy = float(re.search(r"accuracy ([0-9.]+)", r.stdout).group(1))
    return seconds, accuracy, 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipe", default=os.path.join(ROOT, "build", "pipe"))
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--gpus", type=int, default=2)
    a = ap.parse_args()
    best = lambda s: min(s[1:]) if len(s) > 1 else s[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "cifar")
        make_data(data)
        runs = [("pipe fp32, eager steps", "pipe", ["train.cuda_graph=off"]),
                ("pipe fp32, CUDA graph", "pipe", ["train.cuda_graph=on"]),
                ("pipe bf16 + channels-last, CUDA graph", "pipe",
                 ["train.cuda_graph=on", "train.precision=bf16-mixed", "train.channels_last=true"]),
                ("PyTorch DDP (torchrun), fp32", "peer", [])]
        for i, (name, who, sets) in enumerate(runs):
            got = {}
            for n in sorted({1, a.gpus}):
                r = (pipe_run(a.pipe, data, os.path.join(tmp, f"run{i}-{n}"), a.epochs, n, sets) if who == "pipe"
                     else peer_run(data, a.epochs, n))
                if r:
                    got[n] = r
                    print(f"{name}, {n} GPU: epochs {', '.join(f'{1000 * s:.0f}' for s in r[0])} ms, "
                          f"test accuracy {r[1]:.4f}", flush=True)
            rows.append((name, got))
    print(f"\nCIFAR-10 SimpleCNN, 50,000 images per epoch at batch 128 per GPU (best epoch after the first)")
    print(f"{'':40}{'1 GPU':>10}{f'{a.gpus} GPUs':>10}{'throughput':>12}{'acc 1 GPU':>11}{f'acc {a.gpus}':>8}")
    for name, got in rows:
        if 1 not in got or a.gpus not in got:
            print(f"{name:<40} (failed)")
            continue
        one, many = best(got[1][0]), best(got[a.gpus][0])
        print(f"{name:<40}{1000 * one:>7.0f} ms{1000 * many:>7.0f} ms{one / many:>11.2f}x{got[1][1]:>11.4f}{got[a.gpus][1]:>8.4f}")


if __name__ == "__main__":
    main()
