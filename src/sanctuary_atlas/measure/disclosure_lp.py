"""The exact check behind ``disclosure.narrow``: a linear programme over every hidden cell.

Interval narrowing misses what only a combination of relations shows (a state's issued minus its
denominator, less the other rows, leaves two "<5" cells summing to 2), so after narrowing, the cells it
left open are checked with HiGHS (highspy): a cell is safe when the relations and bounds allow
values at least 1 apart. Pushing all target cells up at once (then down) clears most of them in two
solves; the few left get their own minimum and maximum.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sanctuary_atlas.measure.disclosure import Relations

TOLERANCE = 1e-6
UNBOUNDED = "unbounded"


def pinned(
    rel: Relations,
    lo: Sequence[float],
    hi: Sequence[float],
    values: Sequence[int],
    targets: list[int],
    limit: int | None = None,
) -> dict[int, list[int]] | None:
    """The cells of ``targets`` (true value ``values[c]``, feasible) that cannot take a value at least 1
    away from the true one, given ``rel`` and the bounds ``lo``/``hi``, each with the
    relations that pin it: those with a non-zero dual value at its least or its greatest value (the
    reader's proof uses exactly these, so hiding a published cell of one of them can undo it). None when
    the programme would have more than ``limit`` unknowns."""
    targets = [c for c in targets if lo[c] < hi[c]]
    if not targets:
        return {}
    import highspy
    import numpy as np

    free = sorted({c for total, parts in rel.sums for c in (total, *parts) if lo[c] != hi[c]} | set(targets))
    if limit is not None and len(free) > limit:
        return None
    index = {c: i for i, c in enumerate(free)}
    columns: list[list[tuple[int, float]]] = [[] for _ in free]
    rhs: list[float] = []
    relation_of: list[int] = []  # the model's rows, as relations
    for r, (total, parts) in enumerate(rel.sums):
        entries = []
        constant = 0.0
        for c, sign in ((total, -1.0), *((p, 1.0) for p in parts)):
            if c in index:
                entries.append((index[c], sign))
            else:
                constant += sign * lo[c]
        if entries:
            for i, sign in entries:
                columns[i].append((len(rhs), sign))
            rhs.append(-constant)
            relation_of.append(r)
    # One model, solved again for each objective: HiGHS starts each solve from the last basis.
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(free), len(rhs)
    lp.col_cost_ = np.zeros(len(free))
    lp.col_lower_ = np.array([lo[c] for c in free], dtype=float)
    lp.col_upper_ = np.array([highspy.kHighsInf if math.isinf(hi[c]) else hi[c] for c in free], dtype=float)
    lp.row_lower_ = lp.row_upper_ = np.array(rhs, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.cumsum([0, *(len(col) for col in columns)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array([r for col in columns for r, _ in col], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([v for col in columns for _, v in col], dtype=float)
    # The binding's own class: ``highspy.Highs`` adds Python callbacks and prints a banner on stdout, which
    # would land in the middle of a CSV on the command line.
    highs = highspy._Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    everything = np.arange(len(free), dtype=np.int32)

    # The model is feasible (the true values satisfy it), so "unbounded or infeasible" is unbounded.
    unbounded = (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible)

    def solve(objective: dict[int, float]) -> tuple[list[float], list[float]] | str | None:
        """A solution (values, row duals); UNBOUNDED when the objective can improve without end (a cell
        labelled "suppressed" or "withheld" with nothing above it); None if HiGHS fails otherwise."""
        cost = np.zeros(len(free))
        for c, weight in objective.items():
            cost[index[c]] = weight
        highs.changeColsCost(len(free), everything, cost)
        highs.run()
        status = highs.getModelStatus()
        if status in unbounded:
            return UNBOUNDED
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        solution = highs.getSolution()
        return list(solution.col_value), list(solution.row_dual)

    open_ = set(targets)

    def certify(found: tuple[list[float], list[float]] | str | None) -> None:
        # Every solution is a point the reader cannot rule out: each open cell it moves by 1 or more is safe.
        if isinstance(found, tuple):
            x = found[0]
            open_.difference_update([c for c in open_ if abs(x[index[c]] - values[c]) >= 1 - TOLERANCE])

    # Push the open cells all at once, in directions that alternate and then vary, while that clears any.
    # A cell at the edge of its label's range can only move one way (a 1 shown "<5" can only go up).
    only = {c: 1.0 if values[c] - lo[c] < 1 else -1.0 for c in targets if min(values[c] - lo[c], hi[c] - values[c]) < 1}
    for attempt in range(12):
        if not open_:
            return {}
        before = len(open_)
        # All up, all down, then every other cell up and the rest down (cells of one sum pull each other).
        weights = {c: -only.get(c, -_direction(attempt, i)) for i, c in enumerate(sorted(open_))}
        certify(solve(weights))
        if attempt >= 2 and len(open_) > 0.9 * before:
            break
    exposed: dict[int, list[int]] = {}
    for c in sorted(open_):
        if c not in open_:
            continue  # cleared by an earlier cell's solutions
        # Its greatest and least values; a cell at an edge of its range needs only the other one.
        ends = {sign: solve({c: -sign}) for sign in ((only[c],) if c in only else (1.0, -1.0))}
        for found in ends.values():
            certify(found)
        if UNBOUNDED in ends.values():
            continue  # it can go as far as it likes one way: not pinned
        reach = [values[c], *(found[0][index[c]] for found in ends.values() if isinstance(found, tuple))]
        if None in ends.values() or max(reach) - min(reach) < 1 - TOLERANCE:
            # Counted as pinned when HiGHS gives no answer: hiding more is the safe side.
            used = {int(i) for found in ends.values() if isinstance(found, tuple) for i in _nonzero(found[1])}
            exposed[c] = sorted(relation_of[i] for i in used)
    return exposed


def _nonzero(duals: list[float]):
    import numpy as np

    return np.flatnonzero(np.abs(np.asarray(duals)) > TOLERANCE)


def _direction(attempt: int, i: int) -> float:
    if attempt < 2:
        return -1.0 if attempt == 0 else 1.0
    return -1.0 if (i + attempt) % 2 else 1.0
