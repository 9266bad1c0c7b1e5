"""How often the independent attacker still pins a small cell of a random suppressed table.

    python benchmarks/attack_rate.py                      # seeds 0-3, 300 tables each, both shapes
    python benchmarks/attack_rate.py --seeds 0 1 2 3 4 5 6 7 8 9 --tables 300 --shape nested

Not a speed benchmark: a by-hand measure of protection that is too slow for every CI run at this size (the
property tests in tests/measure/test_measure_suppression_tables.py run a derandomised sample of the same
kind). Two shapes of table, drawn as the property tests draw them:

- ``nested``: counties within states, with the table by state and the nation published;
- ``crossed``: state by authority type (keys that do not nest), with the table by state, the table by type
  and the nation published.

A table counts when the attacker pins a small cell (a "<k" cell, a small "withheld" one, or a small share of a
coarser row that comes from pooled groups) that hiding could have protected; cells the coarser tables give
away whatever the table hides are set apart, as in the tests.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "measure"))

from outcome_rows import NAMES, outcome_row
from table_attack import MARGINS, publish, split_pinned

CROSSED = [lambda r: r["state"], lambda r: r["county"].split("-")[1], lambda r: "all"]


def _counts(rng: random.Random) -> list[int]:
    if rng.random() < 0.33:  # a handful of detainers, so that pooled groups turn up often
        return [rng.choice([0, 0, 0, 0, 0, 1, 1, 2]) for _ in NAMES]
    return [rng.randint(0, 6) if rng.random() < 0.5 else rng.randint(0, 400) for _ in NAMES]


def _table(rng: random.Random, shape: str) -> list[dict]:
    if shape == "nested":
        rows = [
            outcome_row(_counts(rng), state=f"S{s}", county=f"S{s}-C{j}")
            for s in range(rng.randint(1, 4))
            for j in range(rng.randint(1, 5))
        ]
    else:
        rows = [
            outcome_row(_counts(rng), state=f"S{s}", county=f"S{s}-T{j}")
            for s in range(rng.randint(1, 4))
            for j in range(rng.randint(1, 3))
            if rng.random() < 0.85
        ]
    return [r for r in rows if r["issued"]]  # `outcomes` has no row for a group without detainers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    parser.add_argument("--tables", type=int, default=300, help="tables per seed")
    parser.add_argument("--shape", choices=["nested", "crossed", "both"], default="both")
    args = parser.parse_args()
    shapes = ["nested", "crossed"] if args.shape == "both" else [args.shape]
    print("| shape | seed | tables | with a pinned cell | cells | given away by coarser tables alone | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for shape in shapes:
        margins = MARGINS if shape == "nested" else CROSSED
        for seed in args.seeds:
            rng = random.Random(seed)
            pinned_tables = cells = tables = alone = 0
            start = time.perf_counter()
            for _ in range(args.tables):
                rows = _table(rng, shape)
                k = rng.randint(3, 7)
                if not rows:
                    continue
                tables += 1
                _, _, attack = publish(rows, k, margins)
                found, unavoidable = split_pinned(rows, k, margins, attack)
                pinned_tables += bool(found)
                cells += len(found)
                alone += len(unavoidable)
            seconds = time.perf_counter() - start
            print(f"| {shape} | {seed} | {tables} | {pinned_tables} | {cells} | {alone} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
