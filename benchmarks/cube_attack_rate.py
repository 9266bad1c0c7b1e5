"""How often the independent attacker pins a small cell of a random period's four tables, suppressed together.

    python benchmarks/cube_attack_rate.py                       # seeds 0-1499
    python benchmarks/cube_attack_rate.py --seeds 0 300 --show   # each failure's pinned cells

Not a timing: a by-hand measure of ``measure/cube.py``. Each seed draws a small random table by state and
authority type (2-7 states, sometimes a state of None, 2-4 types, about half the pairs present, counts
from 0 to 60), adds up its tables by state, by type and the nation, suppresses the four together
(k = 5), and reads them together with the attacker of ``tests/measure/cube_attack.py``. Run it against
older code with ``PYTHONPATH=/path/to/old/src`` to compare in the same session. Figures:
docs/methodology.md, "The tables of one period, suppressed together".
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "measure"))

from cube_attack import CELLS, CubeAttack, ModelError, Table

from sanctuary_atlas.measure.cube import suppress_cube
from sanctuary_atlas.measure.vocabulary import buckets

K = 5
TABLES = {
    ("facility_state", "authority_type"): ("state", "authority_type"),
    ("facility_state",): ("state",),
    ("authority_type",): ("authority_type",),
    (): (),
}


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    den, settled = row["denominator"], row["issued"] - row["superseded"]
    row.update(
        decline_rate=row["declined"] / den if den else None,
        honor_rate=row["honored"] / den if den else None,
        unknown_share=row["unknown"] / settled if settled else None,
    )
    return row


def _row(keys: dict[str, Any], rng: random.Random, scale: float) -> dict[str, Any]:
    row = dict(keys)
    for b in buckets():
        row[b.name] = int(rng.choice([0, 0, 0, 1, 2, 3, 4, 5, 7, 12, 30]) * scale) if rng.random() < 0.7 else 0
    row["denominator"] = sum(row[b.name] for b in buckets() if b.in_denominator)
    row["issued"] = sum(row[b.name] for b in buckets())
    if row["issued"] == 0:  # `outcomes` has no group without detainers
        row["honored"] = row["denominator"] = row["issued"] = 1
    return _with_rates(row)


def _sum(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[dict[str, Any]]:
    out: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[c] for c in columns)
        total = out.setdefault(key, {**dict(zip(columns, key, strict=True)), **dict.fromkeys(CELLS, 0)})
        for c in CELLS:
            total[c] += row[c]
    return [_with_rates(total) for total in out.values()]


def measured(seed: int) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    rng = random.Random(seed)
    states = [f"S{i}" for i in range(rng.randint(2, 7))] + ([None] if rng.random() < 0.3 else [])
    types = [f"T{i}" for i in range(rng.randint(2, 4))]
    fine = [
        _row({"facility_state": s, "authority_type": t}, rng, rng.choice([0.3, 1, 1, 2]))
        for s in states
        for t in types
        if rng.random() < 0.55
    ] or [_row({"facility_state": "S0", "authority_type": "T0"}, rng, 1)]
    return {columns: _sum(fine, columns) for columns in TABLES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", nargs=2, type=int, default=[0, 1500], metavar=("FROM", "TO"))
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    failed = errors = unsettled = 0
    for seed in range(*args.seeds):
        tables = measured(seed)
        cube = suppress_cube(tables, K)
        unsettled += not cube.settled
        read = []
        for columns, keys in TABLES.items():
            published = cube.tables[columns]
            doc = {"rows": published.rows, **({"pooled": published.pooled} if published.pooled else {})}
            read.append(Table.read(keys, doc, {"rows": tables[columns]}))
        try:
            pins = CubeAttack(read, K).pinned()
        except ModelError as exc:  # a label the attacker's model says is false of its cell
            errors += 1
            print(f"seed {seed}: labels contradict the model: {exc}")
            continue
        if pins:
            failed += 1
            if args.show:
                print(f"seed {seed}: {len(pins)} cell(s) pinned, {cube.rounds} round(s)")
                for pin in pins:
                    print(f"    {pin}")
    n = args.seeds[1] - args.seeds[0]
    print(
        f"{n} random periods: {failed} with a pinned cell, {errors} with labels the model rejects, "
        f"{unsettled} unsettled after the last round; {time.perf_counter() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
