"""The outcome vocabulary: bucket definitions and the lift-reason mapping, both data files in ``rules/``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Bucket:
    name: str
    order: int
    in_denominator: bool
    label: str
    meaning: str


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("sanctuary_atlas.measure").joinpath("rules", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def normalise_reason(value: str | None) -> str | None:
    """The key a lift reason is matched on: trimmed, single-spaced, upper case; blank is None."""
    if value is None:
        return None
    key = " ".join(value.split()).upper()
    return key or None


@cache
def buckets() -> tuple[Bucket, ...]:
    out = [
        Bucket(r["bucket"], int(r["order"]), r["in_denominator"] == "true", r["label"], r["meaning"])
        for r in _rows("buckets.csv")
    ]
    return tuple(sorted(out, key=lambda b: b.order))


def bucket_names() -> list[str]:
    return [b.name for b in buckets()]


@cache
def reason_map() -> dict[str, str]:
    """Normalised lift reason -> bucket. Blank reasons are not listed: they are ``unknown`` by definition."""
    names = set(bucket_names())
    out: dict[str, str] = {}
    for row in _rows("outcome_buckets.csv"):
        if row["bucket"] not in names:
            raise ValueError(f"outcome_buckets.csv: {row['lift_reason']!r} maps to unknown bucket {row['bucket']!r}")
        key = normalise_reason(row["lift_reason"])
        if key is None or key in out:
            raise ValueError(f"outcome_buckets.csv: blank or repeated lift reason {row['lift_reason']!r}")
        out[key] = row["bucket"]
    return out
