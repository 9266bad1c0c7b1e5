"""The tables of one period suppressed together, so that reading them side by side gives nothing away.

Each table is protected against its coarser tables (``margins``), but a coarser table, suppressed on
its own, knows nothing of the finer ones. Read together they can give a count away that no table alone
does: June 2015 by authority type, less the one listed row of type "unknown" by state and type (its state
has no other row, so the state table publishes the same row), leaves the pooled groups' share of that
type: 4 detainers, 2 of them honoured.

So the tables of ``CUBE`` (every combination of its keys, the nation included) are suppressed together,
in rounds: each table, coarsest first, is suppressed knowing how the coarser ones publish their rows
(``Joint.view``); where the coarser tables alone still give a cell of it away, it names the coarser
cells of the reader's proof, and the next round hides the first of them in its own table. A row alone
in a coarser row hides whatever that row hides. As every round keeps what earlier rounds asked for,
the cells asked for only grow and the rounds end; they end when a round asks for nothing new (a table
whose asked-for cells and coarser tables are unchanged is not suppressed again). The nation is never asked
to hide more: it is published as its row alone shows it (the DDOR shows it so too).

`outcomes` serves these tables from here. Any other table of the period is protected against them as
they are published (``against``): a row of it alone in a row of theirs hides what that row hides, and
what its proofs need of them counts as given away, since it cannot change them (docs/methodology.md).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sanctuary_atlas.measure.keys import GROUP_KEYS
from sanctuary_atlas.measure.margins import margin_tables, margins_for, row_key
from sanctuary_atlas.measure.suppress import POOLED, Check, Joint, suppress_pooled, suppress_table

# The keys (as `outcomes --group-by` names them) whose every combination is suppressed together.
CUBE = ("state", "authority_type")
# Rounds after which the tables are taken as they are (hiding only grows, so this is a guard, not a plan).
MAX_ROUNDS = 25


@dataclass
class Published:
    """A table as published: its listed rows, the pooled row (or None), how it was checked; and, over the
    rounds, how many cells the reader's proofs left no coarser cell to hide for (``given_away``)."""

    rows: list[dict[str, Any]]
    pooled: dict[str, Any] | None
    check: Check
    by_key: dict[Hashable, dict[str, Any]] = field(default_factory=dict)
    given_away: int = 0


@dataclass
class Cube:
    tables: dict[tuple[str, ...], Published]
    rounds: int
    settled: bool  # False: MAX_ROUNDS ran out with hiding still growing


def cube_of(columns: list[str]) -> tuple[str, ...]:
    """The cube's keys a measured table with ``columns`` has: a store without a fresh build has no
    authority types, and so publishes no table by them."""
    return tuple(k for k in CUBE if GROUP_KEYS[k] in columns)


def in_cube(keys: list[str], cube: tuple[str, ...] = CUBE) -> bool:
    """Whether ``outcomes --group-by keys`` is one of the tables suppressed together."""
    return len(set(keys)) == len(keys) and set(keys) <= set(cube)


def cube_tables(cube: tuple[str, ...] = CUBE) -> list[tuple[str, ...]]:
    """Every combination of the cube's keys, as `outcomes` names them, the coarsest (the nation) first."""
    return [combo for n in range(len(cube) + 1) for combo in combinations(cube, n)]


def columns_of(keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(GROUP_KEYS[k] for k in keys)


def suppress_cube(measured: dict[tuple[str, ...], list[dict[str, Any]]], k: int) -> Cube:
    """Suppress together the tables ``measured`` holds (keyed by their columns, every combination of some
    keys), each table's rows as ``outcomes`` measures them."""
    order = sorted(measured, key=len)
    # Per table, per row key: the cells the finer tables need hidden (column -> shown "withheld"). Only ever
    # grows, and each round but the last adds to it, so the rounds end.
    forced: dict[tuple[str, ...], dict[Hashable, dict[str, bool]]] = {t: {} for t in order}
    out: dict[tuple[str, ...], Published] = {}
    # A table whose forced cells and coarser tables are as when it was last suppressed would come out the same.
    inputs: dict[tuple[str, ...], tuple] = {}
    version = dict.fromkeys(order, 0)
    for rounds in range(1, MAX_ROUNDS + 1):
        grew = False
        for t in order:
            tables = margin_tables(list(t))
            given = (repr(forced[t]), tuple(version[c] for c in tables if c in version))
            if inputs.get(t) == given:
                continue
            inputs[t] = given
            joint = Joint(forced=_forced(forced[t], t), view=_view(out, t))
            check = Check()
            rows = [dict(r) for r in measured[t]]
            if t:
                listed, pooled = suppress_pooled(rows, k, margins_for(list(t)), check=check, joint=joint)
            else:
                listed, pooled = suppress_table(rows, k, check=check, joint=joint), None
            published = Published(listed, pooled, check, {row_key(r, t): r for r in listed})
            if t not in out or (out[t].rows, out[t].pooled) != (listed, pooled):
                version[t] += 1
            out[t] = published
            for proof in joint.demands:
                target = next(
                    (
                        (tables[mi], key, column, value)
                        for mi, key, column, value in proof
                        # The nation is published as its row alone shows it (the DDOR shows it so too).
                        if tables[mi] and tables[mi] in out and key in out[tables[mi]].by_key
                    ),
                    None,
                )
                if target is None:
                    published.given_away += 1
                    continue
                coarse, key, column, value = target
                wanted = forced[coarse].setdefault(key, {})
                if column not in wanted or (value == 0 and not wanted[column]):
                    wanted[column] = value == 0  # a zero, or a cell to blur, can only be shown "withheld"
                    grew = True
        if not grew:
            return Cube(out, rounds, True)
    return Cube(out, MAX_ROUNDS, False)


def against(cube: Cube, columns: list[str]) -> Joint:
    """What a table outside the cube, grouped by ``columns``, knows of the cube's tables: its coarser rows
    as they are published. Its ``demands`` are cells it cannot protect (the cube is not suppressed again)."""
    return Joint(forced=lambda row: {}, view=_view(cube.tables, tuple(columns)), together=False)


def _forced(wanted: dict[Hashable, dict[str, bool]], columns: tuple[str, ...]):
    return lambda row: wanted.get(row_key(row, columns), {})


def _view(out: dict[tuple[str, ...], Published], columns: tuple[str, ...]):
    tables = margin_tables(list(columns))
    # A coarser table of a finer one's margin has that table's key order; the cube's, its own.
    same = {frozenset(t): t for t in out}

    def view(mi: int, key: Hashable) -> dict[str, Any] | None:
        coarse = tables[mi]
        if coarse is None or frozenset(coarse) not in same:
            return None
        ours = same[frozenset(coarse)]
        if key == POOLED:
            return out[ours].pooled
        if ours != coarse and isinstance(key, tuple):
            key = tuple(key[coarse.index(c)] for c in ours)
        return out[ours].by_key.get(key)

    return view
