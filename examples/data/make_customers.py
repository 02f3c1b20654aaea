#!/usr/bin/python3
"""Writes examples/data/customers.csv: 300 made-up customers of a subscription service
and whether they left ("churn": yes / no), for examples/categorical.yaml.

Deterministic (random.Random(2024).random() only, whose sequence Python keeps stable):
    /usr/bin/python3 examples/data/make_customers.py
rewrites the same bytes. Columns:
- age: 18-79, missing ("") in about 3% of rows
- monthly_charges: 15.00-120.00
- tenure_months: 0-71
- plan: basic / plus / pro (text: read as categorical by itself)
- region: north / south / east / west, missing ("NA") in about 4% of rows
- contract: 1, 12 or 24 months (numbers: listed in the pipeline's 'categorical')
- paperless: yes / no
- churn: yes / no, the class; more likely on short tenure, month-to-month contracts,
  high charges and the basic plan
"""
import math
import os
import random

ROWS = 300


def main():
    rng = random.Random(2024)
    pick = lambda options: options[min(int(rng.random() * len(options)), len(options) - 1)]
    lines = ["age,monthly_charges,tenure_months,plan,region,contract,paperless,churn"]
    for _ in range(ROWS):
        age = 18 + int(rng.random() * 62)
        plan = pick(["basic", "basic", "plus", "pro"])
        charges = {"basic": 20.0, "plus": 55.0, "pro": 85.0}[plan] + rng.random() * 35.0
        tenure = int(rng.random() ** 1.5 * 72)
        region = pick(["north", "south", "east", "west"])
        contract = pick([1, 1, 12, 24])
        paperless = pick(["yes", "no"])
        score = (-0.5 + 1.6 * (contract == 1) - 0.04 * tenure + 0.02 * (charges - 60)
                 + 0.7 * (plan == "basic") + 0.4 * (paperless == "yes") + 0.3 * (region == "south")
                 + 2.0 * (rng.random() - 0.5))
        churn = "yes" if 1 / (1 + math.exp(-score)) > 0.5 else "no"
        age_text = "" if rng.random() < 0.03 else str(age)
        region_text = "NA" if rng.random() < 0.04 else region
        lines.append(f"{age_text},{charges:.2f},{tenure},{plan},{region_text},{contract},{paperless},{churn}")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "customers.csv")
    with open(path, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
