"""Small-cell suppression with complementary suppression, for every published table.

A count between 1 and k-1 is shown as "<k" (primary suppression); a cell hidden only so that a total
cannot reveal a small one is shown as "suppressed" ("<k" would be false of it: a complement is never small).
Published totals are linear constraints on the bucket cells: all buckets sum to ``issued``; the
in-denominator buckets sum to ``denominator``; so superseded + unknown = issued - denominator. A
constraint with exactly one hidden cell gives that cell away, so another cell of it is hidden too (the
smallest non-zero one), until no constraint has exactly one. Rates are hidden whenever a count they are
computed from is hidden, since rate x denominator would reveal the count.

Two hidden cells are not always enough. A reader who knows this method knows that "<k" means 1..k-1 and
"suppressed" means at least k (complements are never small cells), and can bound every hidden cell from the
published totals: two "<5" cells that must sum to 2 are both 1. So the hidden set then grows until bound
propagation over all the row's equations leaves every small cell with at least two possible values
(``_exposed``); the property test in tests/measure/test_measure_suppression.py runs the same attack.
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
        sums = [("denominator", in_den), ("issued", [*out_den, "denominator"]), ("issued", names)]
        _protect(hidden, primary, values, sums, k)
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
# A published relation: total = sum(parts). Each is also an equation over the cells [total, *parts].
Sum = tuple[str, list[str]]


def _cells(relation: Sum) -> list[str]:
    return [relation[0], *relation[1]]


def _pick(candidates: list[str], values: dict[str, int]) -> str:
    """The cell to hide next: ordinary buckets before the headline ones, totals last, smallest first."""
    return min(candidates, key=lambda c: (c in TOTALS, c in HEADLINE, values[c]))


def _complement(hidden: set[str], values: dict[str, int], sums: list[Sum]) -> None:
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
        for cells in map(_cells, sums):
            if sum(1 for c in cells if c in hidden) != 1:
                continue
            candidates = [c for c in cells if c not in hidden and values[c] > 0]
            if not candidates:
                continue  # every other cell is zero: the hidden one is zero too, and "<k" never says 0
            hidden.add(_pick(candidates, values))
            changed = True


def bounds(
    hidden: set[str], primary: set[str], values: dict[str, int], sums: list[Sum], k: int
) -> dict[str, tuple[float, float]]:
    """What a reader can know of each cell: published ones exactly, "<k" ones in 1..k-1, complements at
    least k, then narrowed through every published sum until nothing changes."""
    inf = float("inf")
    bound: dict[str, tuple[float, float]] = {}
    for name, value in values.items():
        if name not in hidden:
            bound[name] = (value, value)
        elif name in primary:
            bound[name] = (1, k - 1)
        else:
            bound[name] = (k, inf)
    for _ in range(20):
        changed = False
        for total, parts in sums:
            lo_t, hi_t = bound[total]
            lo_p = sum(bound[p][0] for p in parts)
            hi_p = sum(bound[p][1] for p in parts)
            new_t = (max(lo_t, lo_p), min(hi_t, hi_p))
            if new_t != bound[total]:
                bound[total], changed = new_t, True
            for p in parts:
                lo_o = lo_p - bound[p][0]
                hi_o = hi_p - bound[p][1]
                new_p = (max(bound[p][0], bound[total][0] - hi_o), min(bound[p][1], bound[total][1] - lo_o))
                if new_p != bound[p]:
                    bound[p], changed = new_p, True
        if not changed:
            break
    return bound


def _exposed(hidden: set[str], primary: set[str], values: dict[str, int], sums: list[Sum], k: int) -> list[str]:
    """Small cells whose exact value a reader can work out from the published cells and sums. With k = 2,
    "<2" itself says 1: there is nothing more to protect."""
    if k <= 2:
        return []
    known = bounds(hidden, primary, values, sums, k)
    return sorted(name for name in primary if known[name][0] >= known[name][1])


def _protect(hidden: set[str], primary: set[str], values: dict[str, int], sums: list[Sum], k: int) -> None:
    """Complement the equations, then hide further cells, smallest sensible first, until no small cell can
    be worked out exactly (each added cell may leave another equation with one hidden cell: complement again)."""
    while True:
        _complement(hidden, values, sums)
        exposed = _exposed(hidden, primary, values, sums, k)
        if not exposed:
            return
        cells = {c for relation in sums if exposed[0] in _cells(relation) for c in _cells(relation)}
        candidates = [c for c in cells if c not in hidden and values[c] > 0]
        if not candidates:
            candidates = [c for c in values if c not in hidden and values[c] > 0]
        if not candidates:
            return  # every non-zero cell is hidden already
        hidden.add(_pick(candidates, values))
