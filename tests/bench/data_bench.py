#!/usr/bin/env python3
"""Benchmark: pipe's data stages against pandas and imbalanced-learn, both measured in the
same run on the same machine, each in its own process (peak RSS is per process).

  1. read a numeric CSV of ROWS x 30 features + a class column: pandas.read_csv vs pipe
  2. SMOTE (k_neighbors=5, 'auto', random_state=42) on those rows, imbalance 1:9:
     imblearn's SMOTE.fit_resample vs pipe's, timing the resampling only
     (and pipe on the GPU with --cuda, where LibTorch with CUDA is present)

usage: /usr/bin/python3 tests/bench/data_bench.py [--rows 1000000] [--no-imblearn] [--cuda]
                                                  [--no-read] [--data DIR]
With PIPE_PROFILE=1 in the environment pipe_bench prints each SMOTE phase's time (stderr,
passed through here).
Needs numpy and pandas (Debian's python3-pandas), and python3-imblearn unless --no-imblearn."""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Peak memory is VmHWM (ru_maxrss survives exec, so a child would report this parent's peak).
PEAK = "max(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024"

PANDAS_READ = """
import sys, time, pandas as pd
t0 = time.perf_counter(); df = pd.read_csv(sys.argv[1]); s = time.perf_counter() - t0
print('{"seconds": %.4f, "rows": %d, "peak_rss_mib": %.1f}' % (s, len(df), PEAK))
""".replace("PEAK", PEAK)

IMBLEARN_SMOTE = """
import sys, time, numpy as np
from imblearn.over_sampling import SMOTE
d = np.load(sys.argv[1]); X, y = d["X"], d["y"]
t0 = time.perf_counter(); Xr, yr = SMOTE(k_neighbors=5, random_state=42).fit_resample(X, y); s = time.perf_counter() - t0
print('{"seconds": %.4f, "rows_out": %d, "peak_rss_mib": %.1f}' % (s, len(yr), PEAK))
""".replace("PEAK", PEAK)


def run_json(cmd, env=None):
    r = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    if r.stderr.strip():
        sys.stderr.write(r.stderr)
        sys.stderr.flush()
    return json.loads(r.stdout.strip().splitlines()[-1])


def csv_block(args):
    X, y = args
    return "\n".join(",".join(f"{v:.6g}" for v in row) + f",{c}" for row, c in zip(X, y)) + "\n"


def make_data(rows, cols, folder):
    import numpy as np
    rng = np.random.RandomState(0)
    y = (rng.uniform(size=rows) < 0.1).astype(np.int64)  # imbalance 1:9
    X = rng.normal(size=(rows, cols)).astype(np.float32) + y[:, None].astype(np.float32) * 0.5
    csv_path, npz_path = os.path.join(folder, "data.csv"), os.path.join(folder, "data.npz")
    import multiprocessing
    with open(csv_path, "w") as f, multiprocessing.Pool() as pool:  # text formatting is the slow part
        f.write(",".join([f"f{i}" for i in range(cols)] + ["y"]) + "\n")
        blocks = [(X[s:s + 50000], y[s:s + 50000]) for s in range(0, rows, 50000)]
        for text in pool.imap(csv_block, blocks):
            f.write(text)
    np.savez(npz_path, X=X.astype(np.float64), y=y)  # imblearn's SMOTE works in float64
    return csv_path, npz_path, X.nbytes + y.nbytes // 2  # pipe keeps float32 features, int32 labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=30)
    ap.add_argument("--no-imblearn", action="store_true")
    ap.add_argument("--cuda", action="store_true", help="also time pipe's SMOTE with its GPU neighbour search")
    ap.add_argument("--no-read", action="store_true", help="skip the read_csv comparison")
    ap.add_argument("--data", help="keep the generated files in this folder and reuse them")
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "pipe_bench"))
    a = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        folder = a.data or tmp
        os.makedirs(folder, exist_ok=True)
        stamp = os.path.join(folder, f"made-{a.rows}x{a.cols}")
        if os.path.exists(stamp):
            csv_path, npz_path = os.path.join(folder, "data.csv"), os.path.join(folder, "data.npz")
            data_bytes = a.rows * a.cols * 4 + a.rows * 4
        else:
            csv_path, npz_path, data_bytes = make_data(a.rows, a.cols, folder)
            open(stamp, "w").close()
        size_mib = os.path.getsize(csv_path) / 2**20
        print(f"data: {a.rows} rows x {a.cols} features, 1:9 classes, CSV {size_mib:.0f} MiB "
              f"(made in {time.perf_counter() - t0:.1f} s); in memory as float32 {data_bytes / 2**20:.0f} MiB")
        print(f"{'':28}{'peer':>12}{'pipe':>12}{'ratio':>9}")

        if not a.no_read:
            pd_r = run_json([py, "-c", PANDAS_READ, csv_path])
            pipe_r = run_json([a.bench, "csv", csv_path])
            print(f"{'read_csv wall':<28}{pd_r['seconds']:>10.2f} s{pipe_r['seconds']:>10.2f} s{pd_r['seconds'] / pipe_r['seconds']:>8.1f}x")
            print(f"{'read_csv peak RSS':<28}{pd_r['peak_rss_mib']:>8.0f} MiB{pipe_r['peak_rss_mib']:>8.0f} MiB"
                  f"{pd_r['peak_rss_mib'] / pipe_r['peak_rss_mib']:>8.1f}x")
            print(f"{'  pipe RSS / data in memory':<28}{'':>12}{pipe_r['peak_rss_mib'] * 2**20 / data_bytes:>11.2f}x")

        pipe_s = run_json([a.bench, "smote", csv_path, "cpu"])
        if not a.no_imblearn:
            im = run_json([py, "-c", IMBLEARN_SMOTE, npz_path])
            assert im["rows_out"] == pipe_s["rows_out"], (im, pipe_s)
            print(f"{'SMOTE (CPU) wall':<28}{im['seconds']:>10.2f} s{pipe_s['seconds']:>10.2f} s{im['seconds'] / pipe_s['seconds']:>8.1f}x")
            print(f"{'SMOTE (CPU) peak RSS':<28}{im['peak_rss_mib']:>8.0f} MiB{pipe_s['peak_rss_mib']:>8.0f} MiB"
                  f"{im['peak_rss_mib'] / pipe_s['peak_rss_mib']:>8.1f}x")
        else:
            print(f"{'SMOTE (CPU) wall':<28}{'-':>12}{pipe_s['seconds']:>10.2f} s")
        print(f"{'  pipe CPU: warm / kNN only':<28}{'':>12}{pipe_s['warm_seconds']:>10.2f} s  / {pipe_s['knn_seconds']:.2f} s")
        if a.cuda:
            g = run_json([a.bench, "smote", csv_path, "cuda"])
            assert g["rows_out"] == pipe_s["rows_out"]
            print(f"{'SMOTE pipe CPU vs pipe GPU':<28}{pipe_s['seconds']:>10.2f} s{g['seconds']:>10.2f} s"
                  f"{pipe_s['seconds'] / g['seconds']:>8.1f}x   (first run: CUDA context included)")
            print(f"{'  warm':<28}{pipe_s['warm_seconds']:>10.2f} s{g['warm_seconds']:>10.2f} s"
                  f"{pipe_s['warm_seconds'] / g['warm_seconds']:>8.1f}x")
            print(f"{'  kNN only':<28}{pipe_s['knn_seconds']:>10.2f} s{g['knn_seconds']:>10.2f} s"
                  f"{pipe_s['knn_seconds'] / g['knn_seconds']:>8.1f}x")
        print(f"SMOTE: {pipe_s['rows_in']} rows -> {pipe_s['rows_out']}; cores here: {os.cpu_count()}")


if __name__ == "__main__":
    main()
