#!/usr/bin/env python3
"""Load a model that `pipe run` trained, in plain PyTorch, and predict with it.

usage: python3 docs/load_model.py RUN_DIR DATA_FILE [--check]

RUN_DIR is a run directory (plan.json, transforms.json, model.pt, predictions.csv), or
one fold's fold-N/ folder of a cross-validated run (plan.json is then in its parent).
DATA_FILE is the CSV the pipeline read (its load_csv options come from plan.json).
Prints the probability of class 1 for each test row listed in predictions.csv; with
--check, instead compares them with pipe's own predictions and exits 1 on a mismatch.
Needs only torch (>= 1.13) and the standard library. See docs/model.md."""
import csv
import json
import math
import os
import re
import sys

import torch
import torch.nn as nn


def build_model(plan):
    """nn.Sequential from the plan's layer table: its `type` strings are torch.nn
    constructors ("Linear(13, 128)", "BatchNorm1d(128)", "ReLU", "Dropout(p=0.3)"), and the
    layer names are the Sequential's indices, so state_dict keys match ("0.weight", ...)."""
    layers = []
    for layer in plan["model"]["layers"]:
        m = re.fullmatch(r"(\w+)(?:\((.*)\))?", layer["type"])
        cls, args = getattr(nn, m.group(1)), m.group(2) or ""
        pos = [float(a) if "." in a else int(a) for a in args.split(",") if a.strip() and "=" not in a]
        kw = {k.strip(): float(v) for k, v in (a.split("=") for a in args.split(",") if "=" in a)}
        layers.append(cls(*pos, **kw))
    return nn.Sequential(*layers)


def read_rows(plan, path):
    """The data file's rows as {column: text}, read with the pipeline's load_csv options."""
    opts = next(s for s in plan["stages"] if s["op"] == "load_csv")["params"]
    with open(path, newline="") as f:
        reader = csv.reader(f, delimiter=opts["delimiter"])
        names = opts["columns"] if not opts["header"] else next(reader)
        if opts["header"] and opts["columns"]:
            names = opts["columns"]
        return [dict(zip(names, r)) for r in reader if r], set(opts["na_values"])


def transform(x, transforms):
    """The fitted data stages, in order: imputation, then standardization."""
    for stage in transforms["stages"].values():
        if stage["op"] == "impute":
            x = [s if math.isnan(v) else v for v, s in zip(x, stage["statistics"])]
        elif stage["op"] == "standardize":
            x = [(v - m) / s for v, m, s in zip(x, stage["mean"], stage["scale"])]
    return x


def main():
    run, data = sys.argv[1], sys.argv[2]
    check = "--check" in sys.argv[3:]
    load = lambda name: json.load(open(os.path.join(run, name)))
    # A cross-validated run keeps one plan.json above its fold-N/ folders.
    plan = load("plan.json" if os.path.exists(os.path.join(run, "plan.json")) else os.path.join(os.pardir, "plan.json"))
    transforms = load("transforms.json")

    model = build_model(plan)
    model.load_state_dict(torch.load(os.path.join(run, "model.pt"), weights_only=True))
    model.eval()

    rows, na = read_rows(plan, data)
    preds = list(csv.DictReader(open(os.path.join(run, "predictions.csv"))))
    prob_col = next(k for k in preds[0] if k.startswith("prob_"))
    x = []
    for p in preds:
        row = rows[int(p["row"])]
        x.append(transform([math.nan if row[c].strip() in na else float(row[c]) for c in transforms["features"]], transforms))
    with torch.no_grad():
        probs = torch.sigmoid(model(torch.tensor(x, dtype=torch.float32))).view(-1).tolist()

    if not check:
        for p, prob in zip(preds, probs):
            print(f"row {p['row']}: p(class 1) = {prob:.4f}")
        return 0
    worst = max(abs(prob - float(p[prob_col])) for p, prob in zip(preds, probs))
    print(f"{len(probs)} test rows: largest difference from pipe's probabilities {worst:.2e}")
    return 0 if worst < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
