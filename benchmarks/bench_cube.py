"""What suppressing a period's tables together costs: rounds, seconds and labels per table.

    python benchmarks/bench_cube.py --store ./store                           # the shipped cube, four periods
    python benchmarks/bench_cube.py --store ./store --keys state,county_fips,authority_type --periods 2015-06

The store must be built. Each period's tables (every combination of ``--keys``) are measured once with
DuckDB; only the joint suppression (``measure/cube.py``) is timed. Periods are ``YYYY-MM`` (a month),
``FYyyyy`` (a fiscal year) or ``FROM..TO`` (ISO dates). With keys other than the shipped ``CUBE`` this
measures a cube the product does not serve: the figures behind keeping county out of it.
"""

from __future__ import annotations

import argparse
import calendar
import time
from collections import Counter
from datetime import date
from pathlib import Path

from sanctuary_atlas.measure.cube import CUBE, columns_of, cube_tables, suppress_cube
from sanctuary_atlas.measure.engines import measured_table_for
from sanctuary_atlas.measure.keys import Period
from sanctuary_atlas.measure.outcomes import outcomes
from sanctuary_atlas.store import Store

PERIODS = ["FY2015", "2015-06", "2015-02", "2015-02-01..2015-02-07"]


def period_of(text: str) -> Period:
    if text.startswith("FY"):
        year = int(text[2:])
        return Period(date(year - 1, 10, 1), date(year, 9, 30))
    if ".." in text:
        start, end = text.split("..")
        return Period(date.fromisoformat(start), date.fromisoformat(end))
    year, month = (int(part) for part in text.split("-"))
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--keys", default=",".join(CUBE), help="`outcomes --group-by` keys of the cube")
    parser.add_argument("--periods", nargs="+", default=PERIODS)
    parser.add_argument("--min-cell", type=int, default=5)
    args = parser.parse_args()
    keys = tuple(args.keys.split(","))
    table = measured_table_for(Store(args.store), "duckdb", need_resolved=True)
    print("| period | tables | rounds | settled | seconds | `<k` | `suppressed` | `withheld` | checks |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---|")
    for text in args.periods:
        period = period_of(text)
        measured = {
            columns_of(combo): outcomes(table, list(combo), period).to_pyarrow().to_pylist()
            for combo in cube_tables(keys)
        }
        start = time.perf_counter()
        cube = suppress_cube(measured, args.min_cell)
        seconds = time.perf_counter() - start
        labels: Counter[str] = Counter()
        for published in cube.tables.values():
            for row in [*published.rows, *([published.pooled] if published.pooled else [])]:
                labels.update(v for v in row.values() if isinstance(v, str) and v in ("suppressed", "withheld"))
                labels.update("<k" for v in row.values() if v == f"<{args.min_cell}")
        checks = Counter(p.check.method for p in cube.tables.values())
        print(
            f"| {text} | {len(cube.tables)} | {cube.rounds} | {cube.settled} | {seconds:.1f} | {labels['<k']:,} "
            f"| {labels['suppressed']:,} | {labels['withheld']:,} | "
            + ", ".join(f"{m} {n}" for m, n in sorted(checks.items()))
            + " |",
            flush=True,
        )


if __name__ == "__main__":
    main()
