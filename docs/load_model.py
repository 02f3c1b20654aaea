#!/usr/bin/env python3
"""Load a model that `pipe run` trained, in plain PyTorch, and predict with it.

usage: python3 docs/load_model.py RUN_DIR DATA_FILE [--check]

RUN_DIR is a run directory (plan.json, transforms.json, model.pt, predictions.csv), or
one fold's fold-N/ folder of a cross-validated run (plan.json is then in its parent).
DATA_FILE is the CSV the pipeline read (its load_csv options come from plan.json).
Prints the probability of class 1 (the second class name) — of every class for a model
trained with cross_entropy — or for a regression model the predicted value, for each test row listed in predictions.csv; with --check, instead compares them with pipe's own predictions and
exits 1 on a mismatch. The data stages are replayed from transforms.json: load_csv's
categories, impute, standardize, min_max_scale, robust_scale, one_hot_encode,
ordinal_encode and select_columns.
Needs only torch (>= 1.13) and the standard library. See docs/model.md."""
import csv
import json
import math
import os
import re
import struct
import sys

import torch
import torch.nn as nn


class Residual(nn.Module):
    """A `residual` layer: x + f(x), f the block's layers (state_dict names "<i>.body.<j>...")."""

    def __init__(self, *layers):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.body(x)


def make_layer(text):
    """A torch.nn module from its constructor text in the layer table: "Linear(13, 128)",
    "ReLU", "Conv1d(1, 4, kernel_size=3, padding=1)", "Unflatten(1, (1, 13))"."""
    names = {name: getattr(nn, name) for name in dir(nn) if name[:1].isupper()}
    names["Residual"] = Residual
    made = eval(text, {"__builtins__": {}}, names)  # the table holds constructor calls only
    return made() if isinstance(made, type) else made


def build_model(plan):
    """nn.Sequential from the plan's layer table: its `type` strings are torch.nn
    constructors ("Linear(13, 128)", "BatchNorm1d(128)", "ReLU", "Dropout(p=0.3)"), and the
    layer names are the Sequential's indices, so state_dict keys match ("0.weight", ...).
    A residual block's row ("Residual", named "3") is followed by its layers' rows, named
    "3.body.0", "3.body.1", ...: they become its body."""
    rows = plan["model"]["layers"]

    def sequence(prefix, start):
        layers, i = [], start
        while i < len(rows) and rows[i]["name"].startswith(prefix) and "." not in rows[i]["name"][len(prefix):]:
            row = rows[i]
            i += 1
            if row["type"] == "Residual":
                body, i = sequence(row["name"] + ".body.", i)
                layers.append(Residual(*body))
            else:
                layers.append(make_layer(row["type"]))
        return layers, i

    layers, _ = sequence("", 0)
    return nn.Sequential(*layers)


def read_rows(plan, path):
    """The data file's rows as {column: text}, read with the pipeline's load_csv options."""
    opts = next(s for s in plan["stages"] if s["op"] == "load_csv")["params"]
    with open(path, newline="") as f:
        reader = csv.reader(f, delimiter=opts["delimiter"])
        names = opts["columns"] if not opts["header"] else next(reader)
        if opts["header"] and opts["columns"]:
            names = opts["columns"]
        names = [n.strip() for n in names]
        return [dict(zip(names, r)) for r in reader if r], opts["na_values"]


def as_number(text):
    try:
        return float(text)
    except ValueError:
        return None


def f32(v):
    """v rounded to float32, as pipe's table stores every value between stages."""
    return v if missing(v) or isinstance(v, str) else struct.unpack("f", struct.pack("f", v))[0]


def missing(v):
    return v is None or (isinstance(v, float) and math.isnan(v))


def category_of(text, categories):
    """The category a field names: the same text, or the same number ("1.0" is "1")."""
    if text in categories:
        return text
    number = as_number(text)
    for c in categories:
        if number is not None and as_number(c) == number:
            return c
    return text  # a category the data did not have


def load(row, transforms, na_values):
    """A row as load_csv reads it: {feature: float, category name, or None if missing}."""
    loader = next((s for s in transforms["stages"].values() if s["op"] == "load_csv"), None)
    features = loader["features"] if loader else transforms["features"]
    categories = loader["categories"] if loader else {}
    na_numbers = [v for v in map(as_number, na_values) if v is not None and not math.isnan(v)]
    values = {}
    for c in features:
        text = row[c].strip()
        if text in na_values or as_number(text) in na_numbers or (as_number(text) is not None and math.isnan(as_number(text))):
            values[c] = None
        elif c in categories:
            values[c] = category_of(text, categories[c])
        else:
            values[c] = f32(float(text))
    return values


def one_hot(values, stage):
    """OneHotEncoder: each encoded column becomes one 0/1 column per kept category."""
    out = {}
    encoded = dict(zip(stage["columns"], zip(stage["categories"], stage["drop_idx"])))
    for column, v in values.items():
        if column not in encoded:
            out[column] = v
            continue
        categories, dropped = encoded[column]
        known = any(c is None if missing(v) else c == v for c in categories)
        if not known and stage["handle_unknown"] == "error":
            raise ValueError(f"column {column!r}: unknown category {v!r}")
        for i, c in enumerate(categories):
            if i != dropped:
                out[f"{column}_{'nan' if c is None else c}"] = 1.0 if (c is None if missing(v) else c == v) else 0.0
    return out


def ordinal(v, categories, stage):
    """OrdinalEncoder: the category's position among the fitted ones."""
    nan = lambda x: math.nan if x is None else x
    if missing(v):
        return nan(stage["encoded_missing_value"]) if None in categories else unknown(v, stage)
    return float(categories.index(v)) if v in categories else unknown(v, stage)


def unknown(v, stage):
    if stage["handle_unknown"] == "error":
        raise ValueError(f"unknown category {v!r}")
    return math.nan if stage["unknown_value"] is None else stage["unknown_value"]


def transform(values, transforms):
    """The fitted data stages, in the order they ran (transforms.json's "order"), each in
    double precision on float32 values and rounded to float32 after it, as pipe does."""
    stages = transforms["stages"]
    for stage in (stages[i] for i in transforms.get("order", list(stages))):
        op, cols = stage["op"], stage.get("columns")
        if op == "impute":
            for c, s in zip(cols, stage["statistics"]):
                values[c] = s if missing(values[c]) else values[c]
        elif op == "standardize":
            for c, m, s in zip(cols or transforms["features"], stage["mean"], stage["scale"]):
                values[c] = (values[c] - m) / s
        elif op == "min_max_scale":
            lo, hi = stage["feature_range"]
            for c, s, m in zip(cols, stage["scale"], stage["min"]):
                values[c] = values[c] * s + m
                values[c] = min(max(values[c], lo), hi) if stage["clip"] else values[c]
        elif op == "robust_scale":
            for c, m, s in zip(cols, stage["center"], stage["scale"]):
                values[c] = (values[c] - m) / s
        elif op == "one_hot_encode":
            values = one_hot(values, stage)
        elif op == "ordinal_encode":
            for c, categories in zip(cols, stage["categories"]):
                values[c] = ordinal(values[c], categories, stage)
        elif op == "select_columns":
            values = {c: values[c] for c in cols}
        values = {c: f32(v) for c, v in values.items()}
    return [math.nan if missing(values[f]) else values[f] for f in transforms["features"]]


def main():
    run, data = sys.argv[1], sys.argv[2]
    check = "--check" in sys.argv[3:]
    read_json = lambda name: json.load(open(os.path.join(run, name)))
    # A cross-validated run keeps one plan.json above its fold-N/ folders.
    plan = read_json("plan.json" if os.path.exists(os.path.join(run, "plan.json")) else os.path.join(os.pardir, "plan.json"))
    transforms = read_json("transforms.json")

    model = build_model(plan)
    model.load_state_dict(torch.load(os.path.join(run, "model.pt"), weights_only=True))
    model.eval()

    rows, na = read_rows(plan, data)
    preds = list(csv.DictReader(open(os.path.join(run, "predictions.csv"))))
    x = [transform(load(rows[int(p["row"])], transforms, na), transforms) for p in preds]
    # A regression model's output is the predicted value; a classifier's a logit, or with
    # cross_entropy one logit per class (the probabilities are their softmax).
    regression = "target" in transforms
    columns = ["predicted"] if regression else [k for k in preds[0] if k.startswith("prob_")]
    with torch.no_grad():
        out = model(torch.tensor(x, dtype=torch.float32))
        if regression:
            outputs = out
        elif out.shape[1] > 1:
            outputs = torch.softmax(out, dim=1)
        else:
            outputs = torch.sigmoid(out)
        outputs = outputs.view(len(preds), -1).tolist()

    if not check:
        for p, values in zip(preds, outputs):
            if regression:
                print(f"row {p['row']}: {transforms['target']['name']} = {values[0]:.6g}")
            else:
                print(f"row {p['row']}: " + ", ".join(f"p({c[5:]}) = {v:.4f}" for c, v in zip(columns[-len(values):], values)))
        return 0
    worst = max(abs(v - float(p[c])) / (max(1.0, abs(v)) if regression else 1.0)
                for p, values in zip(preds, outputs) for c, v in zip(columns[-len(values):], values))
    what = "predictions (relative)" if regression else "probabilities"
    print(f"{len(outputs)} test rows: largest difference from pipe's {what} {worst:.2e}")
    return 0 if worst < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
