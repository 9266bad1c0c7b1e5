"""Small-cell suppression with complementary suppression, for every published table.

A count between 1 and k-1 is shown as "<k" (primary suppression); a cell hidden only so that a total
cannot reveal a small one is shown as "suppressed", since it may be any size and "<k" would be false.
Published totals are linear constraints on the bucket cells: all buckets sum to ``issued``; the
in-denominator buckets sum to ``denominator``; so superseded + unknown = issued - denominator. A
constraint with exactly one hidden cell gives that cell away, so another cell of it is hidden too (the
smallest non-zero one), until no constraint has exactly one. Rates are hidden whenever a count they are
computed from is hidden, since rate x denominator would reveal the count.
"""

from __future__ import annotations

from typing import Any

from sanctuary_atlas.measure.vocabulary import buckets

COMPLEMENTARY = "suppressed"
HEADLINE = ("declined", "honored")


def suppress_rows(rows: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    if k <= 1:
        return rows
    return [_suppress_row(row, k) for row in rows]


def _suppress_row(row: dict[str, Any], k: int) -> dict[str, Any]:
    names = [b.name for b in buckets()]
    in_den = [b.name for b in buckets() if b.in_denominator]
    out_den = [b.name for b in buckets() if not b.in_denominator]
    values: dict[str, int] = {name: int(row[name]) for name in [*names, "issued", "denominator"]}
    if 0 < values["issued"] < k:
        hidden = set(names) | {"issued", "denominator"}
        primary = set(hidden)  # every cell of the row is at most issued < k, so "<k" is true of each
    else:
        hidden = {name for name in [*names, "denominator"] if 0 < values[name] < k}
        primary = set(hidden)
        _complement(hidden, values, [[*in_den, "denominator"], [*out_den, "denominator", "issued"], [*names, "issued"]])
    out = dict(row)
    for name in hidden:
        out[name] = f"<{k}" if name in primary else COMPLEMENTARY
    for rate, inputs in RATE_INPUTS.items():
        if rate in out and any(i in hidden for i in inputs):
            out[rate] = None
    return out


# A published rate and the counts it is computed from reveal each other, so a rate goes whenever any input does.
RATE_INPUTS = {
    "decline_rate": ("declined", "denominator"),
    "honor_rate": ("honored", "denominator"),
    "unknown_share": ("unknown", "issued", "superseded"),
}
TOTALS = ("denominator", "issued")


def _complement(hidden: set[str], values: dict[str, int], equations: list[list[str]]) -> None:
    """Hide more cells until no equation (a set of cells whose signed sum is zero) has exactly one hidden.

    Totals are cells of their equations too: issued = all buckets, denominator = the in-denominator
    buckets, and so superseded + unknown + denominator = issued. Smallest equations are fixed first, since
    a cell hidden for one also sits in the larger ones. The complement is a non-zero cell (a cell that is
    zero in every release, like superseded, protects nothing), preferring ordinary buckets, then the
    headline buckets, then the totals.
    """
    changed = True
    while changed:
        changed = False
        for cells in equations:
            if sum(1 for c in cells if c in hidden) != 1:
                continue
            candidates = [c for c in cells if c not in hidden and values[c] > 0]
            if not candidates:
                continue  # every other cell is zero: the hidden one is zero too, and "<k" never says 0
            rank = {c: (c in TOTALS, c in HEADLINE, values[c]) for c in candidates}
            hidden.add(min(candidates, key=rank.__getitem__))
            changed = True
