#!/usr/bin/env python3
"""Benchmark: one CIFAR-10 training epoch (50,000 32x32 images, batch 128, the course's
augmentation included) — pipe against ../shared/reference/cifar_ref.py, the plain PyTorch
peer, both measured in the same run on the same GPU; pipe with its own CUDA kernels and with
ATen's (fused_kernels: false).

  pipe:  pipelines/cifar10.yaml on --device cuda, per-epoch seconds from its history.csv
         (the loop only: shuffle, augmentation, forward, backward, Adam; the epoch's end reads
         the loss), the best epoch after the first (which captures the CUDA graph and runs
         cuDNN's algorithm search). Variants: fp32 and bf16-mixed + channels-last, each with
         the step replayed from a CUDA graph and without (cuda_graph: off).
  peer:  cifar_ref.py gpu (data on the GPU, flip and crop done there in batches; fp32 and
         --amp bf16) and cifar_ref.py loader (torchvision transforms + DataLoader with 8 and 2
         workers), the best epoch after the first.

The data is random bytes in CIFAR-10's binary layout (like the peer's FakeData), so the time
is the real one and the accuracy means nothing. Then the floor: the epoch's arithmetic
(counted from the layer shapes) at the GPU's dense bf16 rate, what pipe's epoch is per step,
and where a step's GPU time goes (tests/bench/cifar_profile.py's totals by kind of kernel).

usage: python3 tests/bench/cifar_bench.py --pipe build-gpu/pipe [--epochs 4] [--no-loader]
       python3 tests/bench/cifar_bench.py --make-data DIR   (only write the fake dataset)"""
import argparse, csv, os, random, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
RECORD = 1 + 3 * 32 * 32


def make_data(folder, train=50000, test=10000, seed=0):
    """Writes data_batch_1..5.bin and test_batch.bin: random labels 0-9 and random pixels."""
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(seed)
    files = [(f"data_batch_{i}.bin", train // 5) for i in range(1, 6)] + [("test_batch.bin", test)]
    for name, n in files:
        pixels = rng.randbytes(n * (RECORD - 1))
        out = bytearray(n * RECORD)
        for r in range(n):
            out[r * RECORD] = rng.randrange(10)
            out[r * RECORD + 1:(r + 1) * RECORD] = pixels[r * (RECORD - 1):(r + 1) * (RECORD - 1)]
        with open(os.path.join(folder, name), "wb") as f:
            f.write(out)


def pipe_epochs(pipe, data, out, epochs, sets):
    cmd = [pipe, "run", "pipelines/cifar10.yaml", "--device", "cuda", "--out", out,
           "--set", f"load_cifar10.path={data}", "--set", f"train.epochs={epochs}"]
    for s in sets:
        cmd += ["--set", s]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"pipe failed:\n{r.stdout}\n{r.stderr}")
    with open(os.path.join(out, "history.csv")) as f:
        seconds = [float(row["seconds"]) for row in csv.DictReader(f)]
    return seconds, wall


def ref_epochs(ref, args):
    r = subprocess.run([sys.executable, ref] + args,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"cifar_ref.py {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
    return [int(m) / 1000 for m in re.findall(r"epoch \d+ (\d+) ms", r.stdout)]


def conv_flops():
    """Multiply-adds x 2 of one image's forward pass through the SimpleCNN."""
    total, c, hw = 0, 3, 32
    for out in (32, 64, 128):
        total += 2 * c * out * 9 * hw * hw
        c, hw = out, hw // 2
    return total + 2 * 2048 * 10


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipe", default=os.path.join(ROOT, "build", "pipe"))
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--no-loader", action="store_true", help="skip the DataLoader peer (slow)")
    ap.add_argument("--ref", default=os.path.join(SHARED, "reference", "cifar_ref.py"),
                    help="the peer script (default: ../shared/reference/cifar_ref.py)")
    ap.add_argument("--data", help="a cifar-10-batches-bin folder (default: random data made here)")
    ap.add_argument("--make-data", metavar="DIR", help="only write the random dataset into DIR")
    ap.add_argument("--fastest-only", action="store_true",
                    help="only pipe's fastest variant (bf16 + channels-last, CUDA graph) and no peer: "
                         "to compare two builds of pipe on one GPU")
    a = ap.parse_args()
    if a.make_data:
        make_data(a.make_data)
        return
    rows = []  # (name, warm epoch seconds, first epoch seconds)
    best = lambda s: min(s[1:]) if len(s) > 1 else s[0]
    with tempfile.TemporaryDirectory() as tmp:
        data = a.data or os.path.join(tmp, "cifar")
        if not a.data:
            make_data(data)
        variants = [
            ("pipe fp32, CUDA graph", []),
            ("pipe bf16 + channels-last, CUDA graph", ["train.precision=bf16-mixed", "train.channels_last=true"]),
            ("pipe bf16 + ch-last, graph, ATen kernels", ["train.precision=bf16-mixed", "train.channels_last=true",
                                                          "train.fused_kernels=false"]),
            ("pipe fp32 + channels-last, CUDA graph", ["train.channels_last=true"]),
            ("pipe fp32, eager steps", ["train.cuda_graph=off"]),
            ("pipe bf16 + channels-last, eager", ["train.precision=bf16-mixed", "train.channels_last=true", "train.cuda_graph=off"]),
        ]
        if a.fastest_only:
            variants = variants[1:2]
        for i, (name, sets) in enumerate(variants):
            seconds, wall = pipe_epochs(a.pipe, data, os.path.join(tmp, f"run{i}"), a.epochs, sets)
            rows.append((name, best(seconds), seconds[0]))
            print(f"{name}: epochs {', '.join(f'{1000 * s:.0f}' for s in seconds)} ms (whole run {wall:.1f} s)", flush=True)
        peers = [("cifar_ref.py gpu, fp32", ["gpu", "--bs", "128", "--epochs", str(a.epochs)]),
                 ("cifar_ref.py gpu, bf16 autocast", ["gpu", "--bs", "128", "--epochs", str(a.epochs), "--amp"])]
        if a.fastest_only:
            peers = []
        elif not a.no_loader:
            peers += [("cifar_ref.py loader, 8 workers", ["loader", "--workers", "8", "--epochs", "2"]),
                      ("cifar_ref.py loader, 2 workers", ["loader", "--workers", "2", "--epochs", "2"])]
        for name, args in peers:
            seconds = ref_epochs(a.ref, args)
            rows.append((name, best(seconds), seconds[0]))
            print(f"{name}: epochs {', '.join(f'{1000 * s:.0f}' for s in seconds)} ms", flush=True)
    pipe_best = min(r[1] for r in rows if r[0].startswith("pipe"))
    print(f"\nCIFAR-10, one epoch of 50,000 images at batch 128 (best epoch after the first), this GPU")
    print(f"{'':44}{'epoch':>10}{'1st epoch':>11}{'vs pipe best':>14}")
    for name, warm, first in rows:
        print(f"{name:<44}{1000 * warm:>8.0f} ms{1000 * first:>8.0f} ms{warm / pipe_best:>13.1f}x")
    flops = 3 * conv_flops() * 50000  # forward + backward (about twice the forward)
    steps = 50000 // 128 + 1
    print(f"\nfloor: {flops / 1e12:.2f} TFLOP per epoch (forward + backward, from the layer shapes); at a dense bf16 rate "
          f"of ~990 TFLOP/s that is {1000 * flops / 990e12:.1f} ms, and the issue puts the floor with memory traffic at "
          f"20-30 ms.\npipe's best epoch is {1000 * pipe_best:.0f} ms = {1e6 * pipe_best / steps:.0f} us per step over "
          f"{steps} steps, {pipe_best / 0.025:.1f}x a 25 ms floor; achieved {flops / pipe_best / 1e12:.1f} TFLOP/s.")
    print("for comparison, the same step in PyTorch's own kernels (ATen and cuDNN; what pipe runs with "
          "fused_kernels: false),\nprofiled by tests/bench/cifar_profile.py:")
    print("  " + profile().replace("\n", "\n  "))
    print("pipe's kernels replace the augmentation's, the first convolution's (cuDNN is slow with 3 input channels), "
          "BatchNorm-ReLU-MaxPool's,\nthe loss's, the linear head's (cuBLAS ran four kernels each way for a "
          "[128, 2048] x [2048, 10] product) and Adam's,\ncut the graph's batch and keep its loss in one kernel each, "
          "and spare autograd's gradient additions and the flatten's copies;\nwhat is left is cuDNN's other "
          "convolutions, BatchNorm's passes over memory and the first convolution's weight gradient "
          "(docs/architecture.md).")


def profile():
    """cifar_profile.py's totals for pipe's fastest kind of step: the kernels a graph replays."""
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "bench", "cifar_profile.py"), "--bf16",
                        "--channels-last", "--top", "0"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else f"(cifar_profile.py failed: {r.stderr.strip()[-300:]})"


if __name__ == "__main__":
    main()
