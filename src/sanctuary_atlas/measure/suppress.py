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
    hidden: set[str] = set()
    if 0 < values["issued"] < k:
        hidden = set(names) | {"issued", "denominator"}
        primary = set(hidden)  # every cell of the row is at most issued < k, so "<k" is true of each
    else:
        hidden = {name for name in names if 0 < values[name] < k}
        if 0 < values["denominator"] < k:
            hidden.add("denominator")
        primary = set(hidden)
        # (cells, published totals the constraint needs); a constraint with a hidden total reveals nothing.
        # Smallest constraints first: a cell hidden for one of them also sits in the all-bucket sum, so
        # fixing the small ones first usually satisfies the large one without hiding more.
        constraints = [(in_den, ["denominator"]), (out_den, ["issued", "denominator"]), (names, ["issued"])]
        changed = True
        while changed:
            changed = False
            for cells, totals in constraints:
                if any(t in hidden for t in totals):
                    continue
                if sum(1 for c in cells if c in hidden) == 1:
                    shown = [c for c in cells if c not in hidden]
                    # Hide the least informative cell: the headline buckets stay visible when anything else can go.
                    nonzero = sorted((c for c in shown if values[c] > 0), key=lambda c: (c in HEADLINE, values[c]))
                    hidden.add(nonzero[0] if nonzero else shown[0] if shown else totals[-1])
                    changed = True
    out = dict(row)
    for name in hidden:
        out[name] = f"<{k}" if name in primary else COMPLEMENTARY
    rate_inputs = {
        "decline_rate": ("declined", "denominator"),
        "honor_rate": ("honored", "denominator"),
        "unknown_share": ("unknown", "issued"),
    }
    for rate, inputs in rate_inputs.items():
        if rate in out and any(i in hidden for i in inputs):
            out[rate] = None
    return out
