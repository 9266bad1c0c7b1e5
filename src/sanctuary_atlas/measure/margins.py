"""The coarser tables a grouped table adds up into, as margins for suppression.

Anyone can ask ``outcomes`` for the same period grouped by fewer keys, or by a coarser form of one key (a
county's state, a date's month). Each such table's rows are sums of this table's rows, so suppression
treats them as published (``suppress.suppress_table``): for every key, the table without it, and the
table with the key rolled up one level. Roll-ups are listed here as data: a column and the functions
that give the coarser value of each of its values. ``lines_of`` then groups a table's rows into the rows of
those coarser tables (lines), as suppression needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date
from typing import Any

from sanctuary_atlas.measure.suppress import Margin

# A coarser row and what adds up into it: (margin, its key, the table's rows, the pooled groups' rows).
Line = tuple[int, Hashable, list[int], list[dict[str, Any]]]


def _state_of(fips: Any) -> str | None:
    return fips[:2] if isinstance(fips, str) and len(fips) >= 2 else None


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def _month_of(value: Any) -> str | None:
    day = _as_date(value)
    return day.strftime("%Y-%m") if day else None


def _fiscal_year_of_date(value: Any) -> int | None:
    day = _as_date(value)
    return day.year + (day.month >= 10) if day else None


def _fiscal_year_of_month(value: Any) -> int | None:
    return _fiscal_year_of_date(f"{value}-01") if isinstance(value, str) else None


def _week_of(value: Any) -> str | None:
    day = _as_date(value)
    return date.fromordinal(day.toordinal() - day.weekday()).isoformat() if day else None


# Column of the measured table -> the coarser forms of its values that ``outcomes`` can also group by.
ROLLUPS: dict[str, list[Callable[[Any], Hashable | None]]] = {
    "county_fips": [_state_of],
    "authority_fips": [_state_of],
    "prepare_date": [_week_of, _month_of, _fiscal_year_of_date],
    "month": [_fiscal_year_of_month],
    "week": [],  # a week can straddle months and fiscal years: only dropping it is a coarser table
}


def margins_for(columns: list[str]) -> list[Margin]:
    """Every coarser table one step up from a table grouped by ``columns``, each key alone, and the
    nation (lines of a single row add nothing and are dropped by the suppression)."""
    if not columns:
        return []
    margins: list[Margin] = [lambda row: "nation"]
    if len(columns) > 2:  # keys that depend on each other (a county's name and FIPS) hide their margins
        margins.extend(lambda row, c=c: (row.get(c),) for c in columns)
    for i, _ in enumerate(columns):
        rest = [c for j, c in enumerate(columns) if j != i]
        margins.append(lambda row, rest=rest: tuple(row.get(c) for c in rest))
    for i, column in enumerate(columns):
        for rollup in ROLLUPS.get(column, []):
            margins.append(lambda row, i=i, rollup=rollup: _rolled(row, columns, i, rollup))
    return margins


def margin_tables(columns: list[str]) -> list[tuple[str, ...] | None]:
    """Beside ``margins_for``, margin by margin: the columns of the coarser table it stands for, whose
    rows have the keys ``row_key`` gives (None: a roll-up, a table keyed by derived values)."""
    if not columns:
        return []
    tables: list[tuple[str, ...] | None] = [()]
    if len(columns) > 2:
        tables.extend((c,) for c in columns)
    tables.extend(tuple(c for j, c in enumerate(columns) if j != i) for i, _ in enumerate(columns))
    tables.extend(None for column in columns for _ in ROLLUPS.get(column, []))
    return tables


def row_key(row: dict[str, Any], columns: Sequence[str]) -> Hashable:
    """The key a margin of a finer table gives the row of the coarser table grouped by ``columns``."""
    return tuple(row.get(c) for c in columns) if columns else "nation"


def _rolled(row: dict[str, Any], columns: list[str], i: int, rollup: Callable[[Any], Hashable | None]) -> Any:
    coarse = rollup(row.get(columns[i]))
    if coarse is None:
        return None
    return tuple(coarse if j == i else row.get(c) for j, c in enumerate(columns))


def lines_of(
    rows: list[dict[str, Any]],
    margins: Sequence[Margin],
    remainder: Sequence[dict[str, Any]],
    pooled: int | None,
    pooled_shown: bool = True,
) -> tuple[list[Line], list[tuple[int, list[dict[str, Any]]]], dict[int, list[tuple[int, Hashable]]]]:
    """Per margin, the groups of rows that add up into one row of a coarser table: (margin, the coarser
    row's key, the table's rows, the pooled rows') and, for each margin that splits the pooled rows, those
    in no group; and the table's rows that are, in some margin, a group by themselves, with those margins
    and keys.

    A group of one of the table's rows and nothing else holds that same row's numbers: it is not a line,
    but the row is published in the coarser table too (the third value). The pooled row
    takes part only in a margin that puts every row in one group (the nation), standing for all the
    pooled rows there."""
    lines: list[Line] = []
    partitions: list[tuple[int, list[dict[str, Any]]]] = []
    alone: dict[int, list[tuple[int, Hashable]]] = {}
    for mi, margin in enumerate(margins):
        own = {i: margin(row) for i, row in enumerate(rows) if i != pooled}
        rest = [(margin(row), row) for row in remainder]
        keys = {*own.values(), *(key for key, _ in rest)}
        if pooled is not None and len(keys) == 1 and None not in keys:
            lines.append((mi, next(iter(keys)), list(range(len(rows))), []))
            continue
        groups: dict[Hashable, tuple[list[int], list[dict[str, Any]]]] = {}
        for i, key in own.items():
            if key is not None:
                groups.setdefault(key, ([], []))[0].append(i)
        unlined = []
        for key, row in rest:
            if key is None:
                unlined.append(row)
            else:
                groups.setdefault(key, ([], []))[1].append(row)
        for key, (members, pooled_rows) in groups.items():
            # A coarser row of pooled groups only bears on the pooled row: nothing, if that is not shown.
            if len(members) + bool(pooled_rows) > 1 or (pooled_rows and not members and pooled_shown):
                lines.append((mi, key, members, pooled_rows))
            elif len(members) == 1 and not pooled_rows:
                alone.setdefault(members[0], []).append((mi, key))
        if remainder and pooled is not None:
            partitions.append((mi, unlined))
    return lines, partitions, alone
