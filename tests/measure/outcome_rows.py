"""Outcome rows built from bucket counts, for the suppression tests: totals and rates as ``outcomes``
defines them (docs/methodology.md), written here independently of the measure code."""

from __future__ import annotations

from sanctuary_atlas.measure.vocabulary import buckets

NAMES = [b.name for b in buckets()]
IN_DEN = [b.name for b in buckets() if b.in_denominator]
OUT_DEN = [b.name for b in buckets() if not b.in_denominator]


def outcome_row(counts: list[int] | dict[str, int], **keys: object) -> dict:
    """A row of ``outcomes``: the buckets (a list in vocabulary order, or a dict with zeros left out),
    issued, denominator and the three rates, after any key columns."""
    row = dict(zip(NAMES, counts, strict=True)) if isinstance(counts, list) else {n: counts.get(n, 0) for n in NAMES}
    row["issued"] = sum(row[n] for n in NAMES)
    row["denominator"] = sum(row[n] for n in IN_DEN)
    den = row["denominator"]
    row["decline_rate"] = row["declined"] / den if den else None
    row["honor_rate"] = row["honored"] / den if den else None
    settled = row["issued"] - row["superseded"]
    row["unknown_share"] = row["unknown"] / settled if settled else None
    return {**keys, **row}
