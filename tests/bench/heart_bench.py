#!/usr/bin/env python3
"""Benchmark: `pipe run pipelines/heart.yaml` against the reference Python recipe
(../shared/reference/heart_ref.py), measured in the same run on the same machine.
Prints wall time, training-loop time and peak memory (max RSS) for both, with ratios.

usage: /usr/bin/python3 tests/bench/heart_bench.py [--repeats 5] [--pipe build/pipe]
The reference needs Debian's python3-torch, python3-sklearn, python3-imblearn and
python3-pandas, so run this with /usr/bin/python3."""
import argparse, json, os, re, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


def run_with_rss(cmd):
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.chdir(ROOT)
        devnull = os.open(os.devnull, os.O_WRONLY)
        out = os.open(os.path.join(tempfile.gettempdir(), f"bench-{os.getpid()}.out"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(devnull, 2)
        os.execvp(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    path = os.path.join(tempfile.gettempdir(), f"bench-{pid}.out")
    text = open(path).read()
    os.remove(path)
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(cmd)}\n{text}")
    return wall, usage.ru_maxrss / 1024.0, text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--pipe", default=os.path.join(ROOT, "build", "pipe"))
    a = ap.parse_args()
    data = os.path.join(SHARED, "data", "processed.cleveland.data")
    ref = [sys.executable, os.path.join(SHARED, "reference", "heart_ref.py"), data, "--seed", "42"]
    ref_rows, pipe_rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.repeats):
            wall, rss, text = run_with_rss(ref)
            train = float(re.search(r"train ([0-9.]+)s", text).group(1))
            ref_rows.append((wall, train, rss))
            out = os.path.join(tmp, f"run{i}")
            wall, rss, text = run_with_rss([a.pipe, "run", "pipelines/heart.yaml", "--out", out])
            m = json.load(open(os.path.join(out, "metrics.json")))
            pipe_rows.append((wall, m["seconds"]["train"], rss))
    med = lambda rows, k: statistics.median(r[k] for r in rows)
    print(f"heart: median of {a.repeats} runs each, interleaved, on this machine")
    print(f"{'':14}{'heart_ref.py':>14}{'pipe run':>14}{'ratio':>10}")
    for k, name, unit in [(0, "wall", "s"), (1, "train loop", "s"), (2, "peak RSS", "MiB")]:
        r, p = med(ref_rows, k), med(pipe_rows, k)
        print(f"{name:<14}{r:>10.3f} {unit:<3}{p:>10.3f} {unit:<3}{r / p:>9.1f}x")


if __name__ == "__main__":
    main()
