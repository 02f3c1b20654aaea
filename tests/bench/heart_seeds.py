#!/usr/bin/env python3
"""Accuracy over seeds: pipe vs the reference recipe (../shared/reference/heart_ref.py),
seeds 1..N on both sides, printing mean ± std of test accuracy, F1 and ROC-AUC.
As in heart_ref.py, --seed changes the training seed (weights, dropout, shuffling, noise);
the split and SMOTE keep random_state 42 (heart.yaml fixes their seeds to 42 too).

usage: /usr/bin/python3 tests/bench/heart_seeds.py [--seeds 10] [--pipe build/pipe] [--no-ref]"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
METRICS = ["accuracy", "f1", "roc_auc"]


def ref_scores(seed):
    data = os.path.join(SHARED, "data", "processed.cleveland.data")
    out = subprocess.run([sys.executable, os.path.join(SHARED, "reference", "heart_ref.py"), data, "--seed", str(seed)],
                         capture_output=True, text=True, check=True).stdout
    return {m: float(re.search(rf"{m} ([0-9.]+)", out).group(1)) for m in METRICS}


def pipe_scores(pipe, seed, tmp):
    out = os.path.join(tmp, f"seed{seed}")
    subprocess.run([pipe, "run", "pipelines/heart.yaml", "--seed", str(seed), "--device", "cpu", "--out", out],
                   cwd=ROOT, capture_output=True, check=True)
    test = json.load(open(os.path.join(out, "metrics.json")))["test"]
    return {m: test[m] for m in METRICS}


def summary(rows):
    return "  ".join(f"{m} {statistics.mean(r[m] for r in rows):.3f} ± {statistics.stdev(r[m] for r in rows):.3f}"
                     for m in METRICS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--pipe", default=os.path.join(ROOT, "build", "pipe"))
    ap.add_argument("--no-ref", action="store_true", help="only pipe's side")
    a = ap.parse_args()
    seeds = range(1, a.seeds + 1)
    with tempfile.TemporaryDirectory() as tmp:
        pipe_rows = [pipe_scores(a.pipe, s, tmp) for s in seeds]
    print(f"seeds 1..{a.seeds}")
    if not a.no_ref:
        print(f"  heart_ref.py  {summary([ref_scores(s) for s in seeds])}")
    print(f"  pipe          {summary(pipe_rows)}")


if __name__ == "__main__":
    main()
