#!/usr/bin/python3
"""Writes examples/data/houses.csv: 400 made-up house sales and their prices, for
examples/regression.yaml (a number target: regression).

Deterministic (random.Random(7) only: random() and gauss(), whose sequences Python keeps
stable):
    /usr/bin/python3 examples/data/make_houses.py
rewrites the same bytes. Columns:
- area_m2: 40-220
- rooms: 1-7, growing with the area
- age_years: 0-89, missing ("") in about 3% of rows
- distance_km: 0.3-30 from the centre
- neighbourhood: centre / riverside / suburb / industrial (text: read as categorical)
- price_k: the target, in thousands; from the area, the rooms, the age, the distance (on a
  log scale) and the neighbourhood, plus noise of about 15
"""
import math
import os
import random

ROWS = 400


def main():
    rng = random.Random(7)
    pick = lambda options: options[min(int(rng.random() * len(options)), len(options) - 1)]
    lines = ["area_m2,rooms,age_years,distance_km,neighbourhood,price_k"]
    for _ in range(ROWS):
        area = 40 + rng.random() ** 1.3 * 180
        rooms = max(1, min(7, int(area / 32 + rng.random() * 2)))
        age = int(rng.random() * 90)
        distance = 0.3 + rng.random() ** 2 * 29.7
        hood = pick(["centre", "riverside", "suburb", "suburb", "industrial"])
        price = (50 + 2.1 * area + 8 * rooms - 0.6 * age - 12 * math.log1p(distance)
                 + {"centre": 60, "riverside": 35, "suburb": 0, "industrial": -25}[hood]
                 + rng.gauss(0, 15))
        age_text = "" if rng.random() < 0.03 else str(age)
        lines.append(f"{area:.1f},{rooms},{age_text},{distance:.2f},{hood},{price:.1f}")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "houses.csv")
    with open(path, "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
