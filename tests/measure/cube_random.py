"""Small random periods by state and authority type, as the four tables ``outcomes`` publishes for them (by
both keys, by state, by type, the nation), measured but not suppressed. Shared by
``test_measure_cube_random.py`` and ``benchmarks/cube_attack_rate.py``.

A seed draws 2-7 states (sometimes a state of None), 2-4 types, about half the pairs present, and counts
from 0 to 60 a bucket; the coarser tables are the sums of the finer one.
"""

from __future__ import annotations

import random
from typing import Any

from cube_attack import CELLS

from sanctuary_atlas.measure.vocabulary import buckets

# The tables' columns as ``suppress_cube`` keys them, and their keys as ``cube_attack.Table`` names them.
TABLES = {
    ("facility_state", "authority_type"): ("state", "authority_type"),
    ("facility_state",): ("state",),
    ("authority_type",): ("authority_type",),
    (): (),
}


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
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
    return with_rates(row)


def _sum(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[dict[str, Any]]:
    out: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[c] for c in columns)
        total = out.setdefault(key, {**dict(zip(columns, key, strict=True)), **dict.fromkeys(CELLS, 0)})
        for c in CELLS:
            total[c] += row[c]
    return [with_rates(total) for total in out.values()]


def measured(seed: int) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """The four tables of random period ``seed``, keyed by their columns."""
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
