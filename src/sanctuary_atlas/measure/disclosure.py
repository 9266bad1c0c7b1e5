"""What a reader can work out from a suppressed table: interval bounds on every cell, narrowed through
every published linear relation until nothing changes.

The reader is assumed to know the method. A published cell is exact; "<k" means 1..k-1 (0..k-1 inside a
row whose issued is under k, where every cell is shown "<k"); "suppressed" means at least k; "withheld"
and a pooled remainder mean 0 or more; a coarser table's row is known as that table shows it.
``narrow`` applies every relation to the bounds until they stop moving (integer cells: bounds round
inward). It is the check that suppression runs after each round of hiding: a small cell whose bounds
meet has been given away.

Interval narrowing is weaker than a linear programme in general; the property tests attack the same
tables with one (scipy's HiGHS) to show that nothing it pins down is missed here.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

INF = math.inf


@dataclass
class Relations:
    """Linear facts over cells numbered 0..n-1: ``sums`` are (total, parts) with total = sum(parts)."""

    n: int
    sums: list[tuple[int, list[int]]] = field(default_factory=list)
    _of: list[list[int]] | None = None
    _parts: list[Callable[[Sequence[Any]], tuple[Any, ...]]] = field(default_factory=list)
    _cells: list[Callable[[Sequence[Any]], tuple[Any, ...]]] = field(default_factory=list)

    def parts_of(self) -> list[Callable[[Sequence[Any]], tuple[Any, ...]]]:
        """For each sum, a function taking a sequence over cells to the tuple of its parts' entries. The
        checks read every sum's bounds many times a table; ``operator.itemgetter`` does it without a Python
        loop."""
        for _, parts in self.sums[len(self._parts) :]:  # sums are only ever appended
            self._parts.append(_getter(parts))
        return self._parts

    def cells_of(self) -> list[Callable[[Sequence[Any]], tuple[Any, ...]]]:
        """As ``parts_of``, with the total first."""
        for total, parts in self.sums[len(self._cells) :]:
            self._cells.append(_getter([total, *parts]))
        return self._cells

    def of(self) -> list[list[int]]:
        """For each cell, the relations it takes part in."""
        if self._of is None:
            of: list[list[int]] = [[] for _ in range(self.n)]
            for i, (total, parts) in enumerate(self.sums):
                of[total].append(i)
                for p in parts:
                    of[p].append(i)
            self._of = of
        return self._of


def _getter(cells: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The entries of ``cells`` as a tuple (``itemgetter`` of one index gives the entry alone)."""
    if len(cells) == 1:
        return lambda seq, c=cells[0]: (seq[c],)
    return itemgetter(*cells) if cells else lambda seq: ()


def narrow(
    rel: Relations, lo: list[float], hi: list[float], why: list[int] | None = None, budget: int = 20_000_000
) -> None:
    """Narrow ``lo``/``hi`` in place through every relation until a fixed point (or the work budget,
    counted in cells visited, runs out: bounds are then looser than a reader's, never tighter).
    ``why``, if given, gets for each cell the relation that last narrowed it."""
    of = rel.of()
    n_sums = len(rel.sums)
    # Exact cells never move: each sum keeps only its open parts. The sums of the parts' bounds are kept up
    # to date as bounds move (the count of parts with no upper bound apart), so a visit costs its open parts.
    open_parts: list[list[int]] = []
    part_of: list[list[int]] = [[] for _ in range(rel.n)]
    s_lo: list[float] = []
    s_hi: list[float] = []
    n_open: list[int] = []
    queue: deque[int] = deque()
    queued = [False] * n_sums
    for i, ((total, parts), get) in enumerate(zip(rel.sums, rel.parts_of(), strict=True)):
        los, his = get(lo), get(hi)
        s_lo.append(sum(los))
        if los == his:  # every part exact: most sums, most of the time
            op = []
            s_hi.append(s_lo[-1])
            n_open.append(0)
        else:
            op = [p for p, a, b in zip(parts, los, his, strict=True) if a != b]
            for p in op:
                part_of[p].append(i)
            # An exact part's upper bound is its lower one, so this sums every finite upper bound.
            unbounded = his.count(INF)
            s_hi.append(sum(b for b in his if b != INF) if unbounded else sum(his))
            n_open.append(unbounded)
        open_parts.append(op)
        if op or lo[total] != hi[total]:
            queue.append(i)
            queued[i] = True

    def update(cell: int, new_lo: float, new_hi: float, r: int) -> None:
        old_lo, old_hi = lo[cell], hi[cell]
        new_lo = math.ceil(new_lo) if new_lo > old_lo else old_lo
        new_hi = math.floor(new_hi) if new_hi < old_hi else old_hi
        if new_lo == old_lo and new_hi == old_hi:
            return
        lo[cell], hi[cell] = new_lo, new_hi
        for q in part_of[cell]:
            s_lo[q] += new_lo - old_lo
            if old_hi == INF:
                if new_hi != INF:
                    n_open[q] -= 1
                    s_hi[q] += new_hi
            else:
                s_hi[q] += new_hi - old_hi
        if why is not None:
            why[cell] = r
        for q in of[cell]:
            if not queued[q]:
                queued[q] = True
                queue.append(q)

    while queue and budget > 0:
        r = queue.popleft()
        queued[r] = False
        total = rel.sums[r][0]
        parts = open_parts[r]
        budget -= 1 + len(parts)
        lo_sum, hi_sum, open_his = s_lo[r], s_hi[r], n_open[r]
        update(total, lo_sum, INF if open_his else hi_sum, r)
        lo_t, hi_t = lo[total], hi[total]
        # A part narrows only where its width exceeds the sum's slack: most visits to a long sum narrow
        # nothing, and this keeps them to one comparison a part.
        room_up = hi_t - lo_sum
        room_down = hi_sum - lo_t if not open_his else INF
        for p in parts:
            width = hi[p] - lo[p]
            if width <= room_up and width <= room_down and not (open_his == 1 and hi[p] == INF):
                continue
            others_lo = lo_sum - lo[p]
            # The other parts' upper bound is open if any of them is.
            others_open = open_his - (hi[p] == INF)
            others_hi = INF if others_open else hi_sum - (hi[p] if hi[p] != INF else 0)
            update(p, lo_t - others_hi, hi_t - others_lo, r)
