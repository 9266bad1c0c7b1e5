"""Suppression of real FY2015 tables from a built store (the rows `outcomes --min-cell 0` counts,
suppressed with their state, type and national margins), attacked by ``table_attack``; and the assumption
the protection rests on: a coarser table, as `outcomes` publishes it, hides at least what each of its rows
would hide on its own (the reader is assumed to know it so); and the three tables of one period (by state and
type, by state, by type) read together, by subtraction: no pooled share comes out (June and February 2015
gave one away while each table was suppressed on its own)."""

from __future__ import annotations

import pytest
from outcome_rows import NAMES, outcome_row
from published import outcomes_json
from table_attack import CELLS, publish, report, split_pinned

from sanctuary_atlas.measure.suppress import suppress_rows
from sanctuary_atlas.store import Store

FY2015 = ["--from", "2014-10-01", "--to", "2015-09-30"]
K = 5


def _outcomes(store: Store, keys: str, period: list[str], k: int) -> list[dict]:
    return outcomes_json(store, keys, period, k)["rows"]


@pytest.mark.slow
def test_fy2015_state_by_authority_type_pins_no_small_cell(built_store: Store) -> None:
    # 268 rows, some 470 small cells; the tables by state, by authority type and the nation published too.
    # Before zeros could be withheld, one decline of 1 was pinned through published zeros and the margins.
    true = _outcomes(built_store, "state,authority_type", FY2015, 0)
    rows = [
        outcome_row({n: int(r[n]) for n in NAMES}, state=r["facility_state"], county=r["authority_type"]) for r in true
    ]
    margins = [lambda r: r["state"], lambda r: r["county"], lambda r: "all"]
    listed, pooled, attack = publish(rows, K, margins)
    assert len(attack.targets) > 400
    avoidable, unavoidable = split_pinned(rows, K, margins, attack)
    assert not avoidable, report(rows, listed, pooled, attack, avoidable, unavoidable)
    assert not unavoidable, report(rows, listed, pooled, attack, unavoidable)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("keys", "period"),
    [
        ("state", FY2015),
        ("authority_type", FY2015),
        ("month", FY2015),
        ("state", ["--from", "2015-02-01", "--to", "2015-02-07"]),
        ("authority_type", ["--from", "2015-06-01", "--to", "2015-06-30"]),
    ],
)
def test_a_coarser_table_hides_at_least_what_its_rows_hide_alone(
    built_store: Store, keys: str, period: list[str]
) -> None:
    true = _outcomes(built_store, keys, period, 0)
    published = _outcomes(built_store, keys, period, K)
    column = _key(true[0])
    shown = {r[column]: r for r in published}
    alone = suppress_rows([dict(r) for r in true], K)
    assert any(isinstance(r[c], str) for r in alone for c in CELLS)  # the row rule hides something here
    for truth, own in zip(true, alone, strict=True):
        row = shown.get(truth[column])
        if row is None:  # pooled: the reader sees less still
            assert truth["issued"] < K
            continue
        revealed = [c for c in CELLS if isinstance(own[c], str) and not isinstance(row[c], str)]
        assert not revealed, (truth[column], revealed)


def _pooled_shares_given_away(store: Store, a: str, b: str, period: list[str]) -> list[tuple[str, str, int]]:
    """Each b row's share of pooled groups, worked out by subtraction from three published tables (by a and
    b, by a, by b): the b row less its listed rows, each cell read from the finer table or, for an a with
    one row, from the a table. Small non-zero shares found exactly: (b, column, value)."""
    true = _outcomes(store, f"{a},{b}", period, 0)
    fine = _outcomes(store, f"{a},{b}", period, K)
    by_a = {r[_key(r)]: r for r in _outcomes(store, a, period, K)}
    by_b = _outcomes(store, b, period, K)
    ka, kb = [c for c in true[0] if c not in CELLS and not c.endswith(("_rate", "_share"))]
    rows_of_a: dict[str, int] = {}
    for r in true:
        rows_of_a[r[ka]] = rows_of_a.get(r[ka], 0) + 1
    found = []
    for row in by_b:
        value = row[_key(row)]
        if not any(r[kb] == value and r["issued"] < K for r in true):
            continue  # no pooled group there
        members = [r for r in fine if r[kb] == value]
        for column in CELLS:
            share = row[column]
            for m in members:
                cell = m[column]
                if isinstance(cell, str) and rows_of_a[m[ka]] == 1:
                    cell = by_a[m[ka]][column]
                if isinstance(share, str) or isinstance(cell, str):
                    share = "?"
                    break
                share -= cell
            if not isinstance(share, str) and 0 < share < K:
                found.append((value, column, share))
    return found


def _keys(row: dict) -> list[str]:
    return [c for c in row if c not in CELLS and not c.endswith(("_rate", "_share"))]


def _key(row: dict) -> str:
    return _keys(row)[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    "period",
    [
        # June: the pooled groups' share of type "unknown" (three groups, 4 detainers, 2 honoured) came out
        # by subtraction while each table was suppressed on its own; February: honoured 1 of 3.
        ["--from", "2015-06-01", "--to", "2015-06-30"],
        ["--from", "2015-02-01", "--to", "2015-02-28"],
        FY2015,
    ],
    ids=["june-2015", "february-2015", "fy2015"],
)
def test_three_tables_of_a_period_give_no_pooled_share_away(built_store: Store, period: list[str]) -> None:
    assert _pooled_shares_given_away(built_store, "state", "authority_type", period) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("coarse", "fine", "period"),
    [
        # One month, one fiscal year: every row of the finer table is alone in its coarser row, so the two
        # tables publish the same numbers. Suppressed apart, the finer table showed cells the coarser one hid
        # (3, 3, 4 and 891 of them: the last table read the cells the finer one had blurred).
        ("authority_type", "authority_type,month", ["--from", "2015-06-01", "--to", "2015-06-30"]),
        ("state", "state,month", ["--from", "2015-02-01", "--to", "2015-02-28"]),
        ("authority_type", "authority_type,fiscal_year", FY2015),
        ("state,authority_type", "authority_type,state,month", ["--from", "2015-06-01", "--to", "2015-06-30"]),
    ],
)
def test_a_row_alone_in_a_coarser_row_hides_what_that_row_hides(
    built_store: Store, coarse: str, fine: str, period: list[str]
) -> None:
    published = _outcomes(built_store, coarse, period, K)
    columns = _keys(published[0])
    shown = {tuple(r[c] for c in columns): r for r in published}
    rows = _outcomes(built_store, fine, period, K)
    assert len(rows) == len(published)  # each coarser row holds one finer row
    hid = sum(isinstance(r[c], str) for r in published for c in CELLS)
    assert hid > 10
    revealed = [
        (key, c, r[c])
        for r in rows
        for c in CELLS
        if isinstance(shown[key := tuple(r[c] for c in columns)][c], str) and not isinstance(r[c], str)
    ]
    assert not revealed
