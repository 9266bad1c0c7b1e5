"""Small-cell suppression with complementary suppression, for every published table.

A count between 1 and k-1 is shown as "<k" (primary suppression); a cell hidden only so that a total
cannot reveal a small one is shown as "suppressed" ("<k" would be false of it: a complement is never small).
A row with fewer than k detainers is hidden whole.

Published totals are linear relations among cells:
- within a row: all buckets sum to ``issued``; the in-denominator buckets sum to ``denominator``; so
  superseded + unknown + denominator = issued;
- across rows (``margins``): the rows of one state, say, sum to the state's row, which a coarser table
  publishes; the reader is assumed to hold that total exactly when it is 0 or at least k (worst case:
  the coarser table's own complements are not counted on), and to know it is 1..k-1 otherwise;
- the order of a list (``chains``): a list ranked by issued bounds a hidden issued between its neighbours.

A relation with exactly one hidden cell gives that cell away, so another cell of it is hidden too (the
smallest non-zero one: ordinary buckets before the headline ones, totals last), until none has exactly one.
Two hidden cells are not always enough ("<5" + "<5" = 2 gives both away), so the hidden set then grows
until ``disclosure.narrow`` over every relation leaves each small cell at least two possible values.
Rates are hidden whenever a count they are computed from is hidden, since rate x denominator would
reveal the count. The property tests attack the output with an independent linear programme.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sanctuary_atlas.measure.disclosure import INF, Relations, narrow
from sanctuary_atlas.measure.vocabulary import buckets

COMPLEMENTARY = "suppressed"
WITHHELD = "withheld"
HEADLINE = ("declined", "honored")
TOTALS = ("denominator", "issued")
# A published rate and the counts it is computed from reveal each other, so a rate goes whenever any input does.
RATE_INPUTS = {
    "decline_rate": ("declined", "denominator"),
    "honor_rate": ("honored", "denominator"),
    "unknown_share": ("unknown", "issued", "superseded"),
}
# Maps a row to the line (a row of a coarser published table) it adds up into; None: in no line.
Margin = Callable[[dict[str, Any]], Hashable | None]
# A column and row positions listed in descending order of that column.
Chain = tuple[str, Sequence[int]]
# Rounds of hiding one small cell may take before it counts as unprotectable (none does in shipped data).
MAX_TRIES = 12


def suppress_rows(rows: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """Rows that are published on their own: only each row's own sums relate its cells."""
    return suppress_table(rows, k)


def suppress_table(
    rows: list[dict[str, Any]],
    k: int,
    margins: Sequence[Margin] = (),
    *,
    ranked: bool = False,
    chains: Sequence[Chain] = (),
) -> list[dict[str, Any]]:
    """Suppress a table whose rows also add up, through ``margins``, into rows of coarser tables.

    ``ranked``: the rows are listed in descending order of issued (a chain over all of them).
    """
    if k <= 1:
        return rows
    chains = [*chains, ("issued", range(len(rows)))] if ranked else list(chains)
    grid = _Grid(rows, k, margins, chains)
    grid.protect()
    return [grid.shown(i, row) for i, row in enumerate(rows)]


class _Grid:
    """Cells of the table's rows, then of the coarser rows (lines) the margins add them into."""

    def __init__(self, rows: list[dict[str, Any]], k: int, margins: Sequence[Margin], chains: Sequence[Chain]):
        self.k = k
        self.names = [b.name for b in buckets()]
        self.cols = [*self.names, "issued", "denominator"]
        self.col_of = {c: j for j, c in enumerate(self.cols)}
        in_den = [self.col_of[b.name] for b in buckets() if b.in_denominator]
        out_den = [self.col_of[b.name] for b in buckets() if not b.in_denominator]
        issued, den = self.col_of["issued"], self.col_of["denominator"]
        self.row_sums = [(den, in_den), (issued, [*out_den, den]), (issued, list(range(len(self.names))))]
        width = len(self.cols)
        self.n_rows = len(rows)
        values = [int(row[c]) for row in rows for c in self.cols]
        lines = _lines(rows, margins)
        for members in lines:
            values.extend(sum(values[m * width + j] for m in members) for j in range(width))
        self.values = values
        self.width = width
        n = len(values)
        self.fixed = [i >= self.n_rows * width for i in range(n)]  # coarser rows: not ours to hide
        self.hidden = [False] * n
        self.primary = [False] * n
        self.whole = [False] * (self.n_rows + len(lines))
        for r in range(self.n_rows):
            base = r * width
            if 0 < values[base + issued] < k:
                self.whole[r] = True  # hidden whole: every cell "<k"
                for j in range(width):
                    self.hidden[base + j] = self.primary[base + j] = True
            else:
                for j in range(width):
                    if 0 < values[base + j] < k:
                        self.hidden[base + j] = self.primary[base + j] = True
        # A coarser row is assumed shown as the row rule alone shows it: its own small cells and their
        # complements hidden, nothing more (whatever else its table hides only helps).
        coarse = [
            dict(zip(self.cols, values[(self.n_rows + li) * width :][:width], strict=True)) for li in range(len(lines))
        ]
        for li, shown in enumerate(suppress_rows(coarse, k) if lines else []):
            r = self.n_rows + li
            self.whole[r] = 0 < values[r * width + issued] < k
            for j, column in enumerate(self.cols):
                if shown[column] == f"<{k}":
                    self.hidden[r * width + j] = self.primary[r * width + j] = True
                elif shown[column] == COMPLEMENTARY:
                    self.hidden[r * width + j] = True
        rel = Relations(n)
        for r in range(self.n_rows + len(lines)):
            base = r * width
            rel.sums.extend((base + t, [base + p for p in parts]) for t, parts in self.row_sums)
        for li, members in enumerate(lines):
            base = (self.n_rows + li) * width
            rel.sums.extend((base + j, [m * width + j for m in members]) for j in range(width))
        for column, order in chains:
            j = self.col_of[column]
            rel.ordered.extend((a * width + j, b * width + j) for a, b in itertools.pairwise(order))
        self.rel = rel
        # Small cells no further hiding protects, with the relation that pins each: those relations blur.
        self.unprotected: dict[int, int] = {}
        self.tries: dict[int, int] = {}
        self.vague = [False] * n

    def protect(self) -> None:
        """Complement every relation, then hide further cells until no small cell can be worked out."""
        tries = self.tries
        while True:
            self._complement()
            if self.k <= 2:
                return  # "<2" itself says 1: there is nothing more to protect
            exposed, why = self._exposed()
            exposed = [c for c in exposed if c not in self.unprotected]
            if not exposed:
                return
            added = False
            for cell in exposed:
                tries[cell] = tries.get(cell, 0) + 1
                if tries[cell] > MAX_TRIES:
                    self.unprotected[cell] = why[cell]
                    continue
                # First the relation that closed the cell's bounds, then every relation it is in, small first.
                pick = self._pick(self._cells(why[cell])) if why[cell] >= 0 else None
                for r in sorted(self.rel.of()[cell], key=lambda r: len(self._cells(r))):
                    if pick is not None:
                        break
                    pick = self._pick(self._cells(r))
                if pick is None:
                    row = cell // self.width
                    pick = self._pick([row * self.width + j for j in range(self.width)])
                if pick is not None and not self.hidden[pick]:
                    self.hidden[pick] = True
                    added = True
            if not added and not self._blur():
                return  # nothing more can be hidden or blurred

    def _blur(self) -> bool:
        """Relabel as "withheld" (no claim about its size) every hidden cell of each relation holding a
        small cell that no further hiding protects. The labels themselves had given it away: a state's
        total of 7 declines over counties shown "suppressed", "<5" and "<5" leaves 5, 1 and 1."""
        changed = False
        n_sums = len(self.rel.sums)
        for cell, pinned_by in self.unprotected.items():
            relations = [pinned_by] if 0 <= pinned_by < n_sums else [r for r in self.rel.of()[cell] if r < n_sums]
            for r in relations:
                for c in self._cells(r):
                    if self.hidden[c] and not self.fixed[c] and not self.vague[c]:
                        self.vague[c] = changed = True
        self.unprotected.clear()
        self.tries.clear()
        return changed

    def _cells(self, r: int) -> list[int]:
        n_sums = len(self.rel.sums)
        if r >= n_sums:
            return list(self.rel.ordered[r - n_sums])
        total, parts = self.rel.sums[r]
        return [total, *parts]

    def _known(self, cell: int) -> bool:
        return not self.hidden[cell]

    def _complement(self) -> None:
        """Hide more cells until no sum (totals are its cells too) has exactly one hidden cell."""
        sums, of = self.rel.sums, self.rel.of()
        n_sums = len(sums)
        count = [sum(1 for c in (t, *parts) if self.hidden[c]) for t, parts in sums]
        # Relations in their order (each row's smallest sum first, lines last), as a cell hidden for a small
        # sum also sits in the larger ones.
        queue = [r for r in range(n_sums) if count[r] == 1]
        while queue:
            r = heapq.heappop(queue)
            if count[r] != 1:
                continue
            pick = self._pick([sums[r][0], *sums[r][1]])
            if pick is None:
                continue  # every other cell is zero (or another table's): the hidden one is pinned only to 0
            self.hidden[pick] = True
            for q in of[pick]:
                if q < n_sums:
                    count[q] += 1
                    if count[q] == 1:
                        heapq.heappush(queue, q)
            heapq.heappush(queue, r)

    def _pick(self, cells: list[int]) -> int | None:
        """The cell to hide next: one of ours, not hidden, non-zero (a zero protects nothing); ordinary
        buckets before the headline ones, totals last, smallest first."""
        candidates = [c for c in cells if not self.fixed[c] and not self.hidden[c] and self.values[c] > 0]
        if not candidates:
            return None

        def rank(c: int) -> tuple:
            column = self.cols[c % self.width]
            return (column in TOTALS, column in HEADLINE, self.values[c], c)

        return min(candidates, key=rank)

    def _exposed(self) -> tuple[list[int], list[int]]:
        """Small non-zero cells whose bounds a reader can close, and for each cell the relation that last
        narrowed it."""
        lo: list[float] = []
        hi: list[float] = []
        k, width, issued = self.k, self.width, self.col_of["issued"]
        for cell, value in enumerate(self.values):
            if not self.hidden[cell]:
                lo.append(value)
                hi.append(value)
            elif self.vague[cell]:
                lo.append(0)
                hi.append(INF)
            elif self.whole[cell // width]:
                lo.append(1 if cell % width == issued else 0)
                hi.append(k - 1)
            elif self.primary[cell]:
                lo.append(1)
                hi.append(k - 1)
            else:
                lo.append(k)
                hi.append(INF)
        why = [-1] * len(lo)
        narrow(self.rel, lo, hi, why)
        # A zero is protected only by the label: where a coarser total is 0 every cell in it is 0 anyway.
        values = self.values
        return [c for c in range(self.n_rows * width) if self.primary[c] and values[c] and lo[c] >= hi[c]], why

    def shown(self, r: int, row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        base = r * self.width
        label = f"<{self.k}"
        hidden_cols = {self.cols[j] for j in range(self.width) if self.hidden[base + j]}
        for j, column in enumerate(self.cols):
            if self.hidden[base + j]:
                out[column] = WITHHELD if self.vague[base + j] else label if self.primary[base + j] else COMPLEMENTARY
        for rate, inputs in RATE_INPUTS.items():
            if rate in out and hidden_cols.intersection(inputs):
                out[rate] = None
        return out


def rank_by_shown(rows: list[dict[str, Any]], keys: list[str], column: str = "issued") -> list[dict[str, Any]]:
    """Rows in descending order of ``column`` as published; rows where it is hidden after them, in key
    order. Ranking by the true value would bound a hidden count between its neighbours."""

    def order(row: dict[str, Any]) -> tuple:
        value = row[column]
        shown = isinstance(value, int)
        return (not shown, -value if shown else 0, *((v is None, str(v)) for v in (row.get(k) for k in keys)))

    return sorted(rows, key=order)


def _lines(rows: list[dict[str, Any]], margins: Sequence[Margin]) -> list[list[int]]:
    """Groups of two or more rows that add up into one row of a coarser table (a one-row group is that
    same row, suppressed the same way, and adds nothing)."""
    lines: list[list[int]] = []
    for margin in margins:
        groups: dict[Hashable, list[int]] = {}
        for i, row in enumerate(rows):
            key = margin(row)
            if key is not None:
                groups.setdefault(key, []).append(i)
        lines.extend(members for members in groups.values() if len(members) > 1)
    return lines
