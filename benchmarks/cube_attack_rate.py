"""How often the independent attacker pins a small cell of a random period's four tables, suppressed together.

    python benchmarks/cube_attack_rate.py                       # seeds 0-1499
    python benchmarks/cube_attack_rate.py --seeds 0 300 --show   # each failure's pinned cells

Not a timing: a by-hand measure of ``measure/cube.py``. Each seed draws a small random table by state and
authority type (2-7 states, sometimes a state of None, 2-4 types, about half the pairs present, counts
from 0 to 60; ``tests/measure/cube_random.py``, shared with the tests), adds up its tables by state, by
type and the nation, suppresses the four together
(k = 5), and reads them together with the attacker of ``tests/measure/cube_attack.py``. Run it against
older code with ``PYTHONPATH=/path/to/old/src`` to compare in the same session. Figures:
docs/methodology.md, "The tables of one period, suppressed together".
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "measure"))

from cube_attack import CubeAttack, ModelError, Table
from cube_random import TABLES, measured

from sanctuary_atlas.measure.cube import suppress_cube

K = 5


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
