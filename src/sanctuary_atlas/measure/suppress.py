"""Small-cell suppression with complementary suppression, for every published table.

A count between 1 and k-1 is shown as "<k" (primary suppression); a cell hidden only so that a total
cannot reveal a small one is shown as "suppressed" ("<k" would be false of it: a complement is never small).
A row with fewer than k detainers is hidden whole.

Published totals are linear relations among cells:
- within a row: all buckets sum to ``issued``; the in-denominator buckets sum to ``denominator``; so
  superseded + unknown + denominator = issued;
- across rows (``margins``): the rows of one state, say, sum to the state's row, which a coarser table
  publishes; the reader is assumed to know that row as the row rule alone shows it (its own small cells
  and their complements hidden; whatever else its table hides only helps).

Order is information too (a list ranked by a hidden count bounds it between its neighbours), so tables
are ranked by what they show (``rank_by_shown``). Groups with fewer than k detainers are best not listed
at all (``suppress_pooled``): a coarser total would pin their counts, and guarding them would cost the
listed rows most of their cells.

A relation with exactly one hidden cell gives that cell away, so another cell of it is hidden too (the
smallest non-zero one: ordinary buckets before the headline ones, totals last), until none has exactly one.
Two hidden cells are not always enough ("<5" + "<5" = 2 gives both away), so the hidden set then grows
until ``disclosure.narrow`` over every relation leaves each small non-zero cell at least two possible
values; where no hiding can (the labels themselves give a count away), the relation's hidden cells are
relabelled "withheld", which claims nothing about their size.
Rates are hidden whenever a count they are computed from is hidden, since rate x denominator would
reveal the count. The property tests attack the output with an independent linear programme.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sanctuary_atlas.measure.vocabulary import buckets

COMPLEMENTARY = "suppressed"
# The key under which ``Joint.view`` gives a coarser table's pooled row.
POOLED = ("__pooled__",)
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


def suppress_rows(rows: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """Rows that are published on their own: only each row's own sums relate its cells."""
    return suppress_table(rows, k)


@dataclass
class Joint:
    """What the other tables of a period, suppressed together with this one (``cube``), tell it, and what
    it asks of them. ``forced``: the cells of a row to hide whatever this table needs (column -> shown
    "withheld"); ``view``: a coarser row as its table publishes it, by margin and key (None: not one of
    the tables suppressed together, or not listed there; key ``POOLED``: its pooled row). Filled by the
    suppression: ``demands``, per cell the coarser tables give away by themselves, the published coarser
    cells of the reader's proof, best to hide first: (margin, key, column, value)."""

    forced: Callable[[dict[str, Any]], dict[str, bool]]
    view: Callable[[int, Hashable], dict[str, Any] | None]
    demands: list[list[tuple[int, Hashable, str, int]]] = field(default_factory=list)
    together: bool = True  # one of the tables suppressed together; False: a table protected against them


@dataclass
class Check:
    """How a suppressed table was checked: "exact" (a linear programme over every hidden cell checked it
    after every step of hiding; what it still pins, nothing of this table protects), "interval
    narrowing only" (more than ``suppress_grid.EXACT_LIMIT`` unknowns: narrowing can miss a count that only
    a combination of relations gives away), "not needed" (k <= 2: "<2" says 1 by itself, so complements are
    all there is), or "none" (not suppressed)."""

    method: str = "none"

    @property
    def exact(self) -> bool:
        return self.method != "interval narrowing only"


def suppress_table(
    rows: list[dict[str, Any]],
    k: int,
    margins: Sequence[Margin] = (),
    check: Check | None = None,
    joint: Joint | None = None,
) -> list[dict[str, Any]]:
    """Suppress a table whose rows also add up, through ``margins``, into rows of coarser tables."""
    if k <= 1:
        return rows
    from sanctuary_atlas.measure.suppress_grid import Grid

    grid = Grid(rows, k, margins, joint=joint)
    grid.protect()
    if check is not None:
        check.method = grid.check
    return [grid.shown(i, row) for i, row in enumerate(rows)]


def suppress_pooled(
    rows: list[dict[str, Any]],
    k: int,
    margins: Sequence[Margin] = (),
    listed: Callable[[dict[str, Any]], bool] | None = None,
    pooled_shown: bool = True,
    check: Check | None = None,
    joint: Joint | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Rows with at least k detainers, suppressed, and one row pooling all the others (None if there are
    none), with ``groups``: how many it pools. A group with fewer than k detainers is never listed: its
    coarser tables' totals would pin its counts, and protecting them would cost the listed rows most of
    their cells. Each coarser row's share from pooled groups is then unknown to a reader; all the shares of
    one margin add up to the pooled row. ``listed``, if given, narrows the rows listed further (a report
    that shows a few rows of a large table suppresses those, not the whole table); with ``pooled_shown``
    false the pooled row is not published at all, and only the listed rows are guarded."""
    if k <= 1:
        return rows, None
    shown = [row["issued"] >= k and (listed is None or listed(row)) for row in rows]
    small = [row for row, keep in zip(rows, shown, strict=True) if not keep]
    listed_rows = [row for row, keep in zip(rows, shown, strict=True) if keep]
    if not small:
        return suppress_table(listed_rows, k, margins, check, joint), None
    from sanctuary_atlas.measure.suppress_grid import Grid

    table = [*listed_rows, _pool(small)]
    grid = Grid(table, k, margins, remainder=small, pooled=len(listed_rows), pooled_shown=pooled_shown, joint=joint)
    grid.protect()
    if check is not None:
        check.method = grid.check
    shown = [grid.shown(i, row) for i, row in enumerate(table)]
    return shown[:-1], shown[-1]


def _pool(rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts = [*(b.name for b in buckets()), "issued", "denominator"]
    pooled: dict[str, Any] = {c: sum(int(row[c]) for row in rows) for c in counts}
    settled, den = pooled["issued"] - pooled["superseded"], pooled["denominator"]
    pooled.update(
        groups=len(rows),
        decline_rate=pooled["declined"] / den if den else None,
        honor_rate=pooled["honored"] / den if den else None,
        unknown_share=pooled["unknown"] / settled if settled else None,
    )
    return pooled


def rank_by_shown(rows: list[dict[str, Any]], keys: list[str], column: str = "issued") -> list[dict[str, Any]]:
    """Rows in descending order of ``column`` as published; rows where it is hidden after them, in key
    order. Ranking by the true value would bound a hidden count between its neighbours."""

    def order(row: dict[str, Any]) -> tuple:
        value = row[column]
        shown = isinstance(value, int)
        return (not shown, -value if shown else 0, *((v is None, str(v)) for v in (row.get(k) for k in keys)))

    return sorted(rows, key=order)
