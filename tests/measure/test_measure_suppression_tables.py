"""Suppression of whole tables whose rows also add up into coarser published tables (margins), with the
groups too small to list pooled into one row (``suppress_pooled``), attacked by the independent linear
programme of ``table_attack.py``: random tables (nested and crossed keys), hand examples, tables the attack
once pinned, and a real FY2015 week.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outcome_rows import NAMES, outcome_row
from table_attack import (
    CELLS,
    COL,
    MARGINS,
    TOL,
    WIDTH,
    WITHHELD,
    assert_safe,
    publish,
    report,
    split_pinned,
)

from sanctuary_atlas.measure.suppress import suppress_pooled, suppress_rows, suppress_table
from sanctuary_atlas.measure.vocabulary import normalise_reason, reason_map

_row = outcome_row
FY2015 = Path(__file__).resolve().parents[2] / "data/ice-detainers-fy2015-nprapps/detainers_fy2015ytd.csv.gz"


# -- the property test: small hierarchical tables ---------------------------------------------------

counts = st.lists(st.one_of(st.integers(0, 6), st.integers(0, 400)), min_size=len(NAMES), max_size=len(NAMES))
# Rows with a handful of detainers, so that pooled rows (issued < k) turn up often.
tiny = st.lists(st.sampled_from([0, 0, 0, 0, 0, 1, 1, 2]), min_size=len(NAMES), max_size=len(NAMES))
states = st.lists(st.lists(st.one_of(counts, counts, tiny), min_size=1, max_size=5), min_size=1, max_size=4)


def _table(drawn: list[list[list[int]]]) -> list[dict]:
    # `outcomes` has no row for a group without detainers.
    return [
        _row(c, state=f"S{s}", county=f"S{s}-C{j}")
        for s, counties in enumerate(drawn)
        for j, c in enumerate(counties)
        if sum(c)
    ]


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=states, k=st.integers(3, 7))
def test_no_small_cell_of_a_pooled_table_can_be_worked_out_from_rows_and_margins(
    drawn: list[list[list[int]]], k: int
) -> None:
    rows = _table(drawn)
    if not rows:
        return
    listed, pooled, attack = publish(rows, k)
    avoidable, unavoidable = split_pinned(rows, k, MARGINS, attack)
    assert not avoidable, report(rows, listed, pooled, attack, avoidable, unavoidable)


# Two keys that do not nest (a state and an authority type): the table by state, the table by type and the
# nation are all published, as `outcomes --group-by state,authority_type` assumes.
CROSSED = [lambda r: r["state"], lambda r: r["county"].split("-")[1], lambda r: "all"]
crossed = st.lists(st.lists(st.one_of(counts, counts, tiny, st.none()), min_size=1, max_size=3), min_size=1, max_size=4)


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=crossed, k=st.integers(3, 7))
def test_no_small_cell_of_a_crossed_table_can_be_worked_out(drawn: list[list[list[int] | None]], k: int) -> None:
    rows = [
        _row(c, state=f"S{s}", county=f"S{s}-T{j}")
        for s, types in enumerate(drawn)
        for j, c in enumerate(types)
        if c is not None and sum(c)  # not every state has every type; no row without detainers
    ]
    if not rows:
        return
    listed, pooled, attack = publish(rows, k, CROSSED)
    avoidable, unavoidable = split_pinned(rows, k, CROSSED, attack)
    assert not avoidable, report(rows, listed, pooled, attack, avoidable, unavoidable)


@settings(max_examples=60, deadline=None)
@given(drawn=states, k=st.integers(0, 7))
def test_without_margins_each_row_is_suppressed_on_its_own(drawn: list[list[list[int]]], k: int) -> None:
    rows = _table(drawn)
    out = suppress_table([dict(r) for r in rows], k)
    assert out == [suppress_rows([dict(r)], k)[0] for r in rows]
    if k == 0:
        assert out == rows
    assert suppress_table([dict(r) for r in rows], 0, MARGINS) == rows
    assert suppress_pooled([dict(r) for r in rows], 0, MARGINS) == (rows, None)


# -- hand examples -----------------------------------------------------------------------------------


def test_a_small_decline_is_not_given_away_by_the_state_total() -> None:
    # Declined 2 and 40 in one state's two counties: state declined = 42 is published, so hiding the 2
    # alone would leave 42 - 40. The 40 (or something that makes it unknown) has to go too.
    rows = [
        _row({"honored": 150, "declined": 2, "lifted_by_ice": 30, "unknown": 80}, state="TX", county="A"),
        _row({"honored": 90, "declined": 40, "lifted_by_ice": 12, "unknown": 60}, state="TX", county="B"),
    ]
    listed, pooled, attack = publish(rows, 5, MARGINS[:1])
    assert pooled is None
    assert listed[0]["declined"] == "<5"
    low, high = attack.range(COL["declined"])
    assert high - low >= 1 - TOL, (low, high, listed)
    assert_safe(rows, 5, MARGINS[:1])
    # the same with the national line on top and a third county elsewhere
    third = _row({"honored": 70, "declined": 9, "unknown": 20}, state="CA", county="C")
    assert_safe([*rows, third], 5)


def test_a_small_county_is_pooled_and_not_given_away_by_the_state_total() -> None:
    # Issued 3 next to issued 300: the 3 is not listed but pooled; the state's issued 303 minus the 300
    # would be the pooled row's 3, so the 300 has to go (or the pooled row be unknown otherwise).
    rows = [
        _row({"honored": 1, "unknown": 2}, state="GA", county="small"),
        _row({"honored": 120, "declined": 30, "lifted_by_ice": 50, "unknown": 100}, state="GA", county="big"),
    ]
    listed, pooled, attack = publish(rows, 5, MARGINS[:1])
    assert [r["county"] for r in listed] == ["big"]
    assert pooled is not None and pooled["groups"] == 1
    assert all(pooled[c] in ("<5", WITHHELD) for c in CELLS)
    assert listed[0]["issued"] != 300
    low, high = attack.range(len(listed) * WIDTH + COL["issued"])
    assert high - low >= 1 - TOL, (low, high, listed, pooled)
    assert_safe(rows, 5, MARGINS[:1])
    assert_safe(rows, 5)
    assert_safe([*rows, _row({"honored": 200, "unknown": 7}, state="AZ", county="x")], 5)


def test_a_pooled_county_alone_in_its_state_is_not_given_away_by_the_state_total() -> None:
    # Georgia's total less its listed county is Georgia's share of the pooled row: one small county's own
    # counts (declined 2), for anyone who knows which county that is. The pooled row, summed over both
    # states, hides it; the state total less the listed county must too.
    big = {"honored": 120, "declined": 30, "lifted_by_ice": 50, "unknown": 100}
    rows = [
        _row({"honored": 1, "declined": 2}, state="GA", county="small"),
        _row(big, state="GA", county="big"),
        _row({"honored": 4}, state="AZ", county="small"),
        _row({**big, "declined": 41}, state="AZ", county="big"),
    ]
    _, pooled, attack = publish(rows, 5)
    assert pooled is not None and pooled["groups"] == 2
    share = [b for b in attack.blocks if b.startswith("R(")]
    assert len(share) == 2  # one unseen share per state
    assert_safe(rows, 5)


def test_small_counties_of_several_states_pool_together() -> None:
    # Small counties in two states: each state's share of the pooled row is unseen, but the shares add
    # up to the pooled row, and the nation adds up the listed rows and the pooled row.
    rows = [
        _row({"honored": 2, "declined": 1}, state="NV", county="a"),
        _row({"honored": 80, "declined": 30, "transferred": 6, "unknown": 50}, state="NV", county="b"),
        _row({"honored": 1, "unknown": 1}, state="AZ", county="c"),
        _row({"honored": 70, "declined": 35, "transferred": 9, "unknown": 40}, state="AZ", county="d"),
        _row({"honored": 20, "declined": 15, "transferred": 7, "unknown": 30}, state="AZ", county="e"),
    ]
    for k in (4, 5, 6):  # with k = 3 Nevada's small county (issued 3) is listed
        listed, pooled, _ = assert_safe(rows, k)
        assert pooled is not None and pooled["groups"] == 2 and len(listed) == 3


def test_two_small_cells_of_one_column_in_a_state() -> None:
    # Transferred 1 and 2 in Nevada's two counties: Nevada's transferred total (3) is published only as
    # "<5", and the counties' other columns are large, so both the 1 and the 2 keep two possible values.
    rows = [
        _row({"honored": 80, "declined": 30, "transferred": 1, "unknown": 50}, state="NV", county="a"),
        _row({"honored": 60, "declined": 25, "transferred": 2, "unknown": 45}, state="NV", county="b"),
        _row({"honored": 70, "declined": 35, "transferred": 9, "unknown": 40}, state="AZ", county="c"),
        _row({"honored": 20, "declined": 15, "transferred": 7, "unknown": 30}, state="AZ", county="d"),
    ]
    assert_safe(rows, 5)


# Tables the random property once found pinned (found by a loop over the same generator), kept as cases.
# 1: the state S1's own cells were given away by S1's margins alone, and narrowing kept finding those, so
#    the exact check never ran for S2's superseded and unknown (1 and 1: S2's total less its other counties).
# 2: a county's superseded (2), once blurred to "withheld", was still the state total less the other
#    counties' issued less their denominators: a label making no claim does not undo an equation.
# 3: a small count pinned through the denominators and buckets of several counties: hiding one published
#    cell of the reader's proof at a time only re-routed it, so late rounds hide every cell of the proof.
PINNED_ONCE = [
    (
        5,
        [
            [
                [1, 0, 0, 2, 2, 2, 2, 2, 0],
                [55, 280, 5, 28, 3, 245, 2, 5, 253],
                [0, 4, 5, 5, 383, 221, 356, 345, 1],
                [201, 6, 2, 3, 338, 6, 0, 3, 0],
                [6, 50, 397, 3, 240, 82, 91, 105, 67],
            ],
            [
                [0, 2, 0, 0, 2, 0, 0, 1, 0],
                [1, 2, 0, 0, 0, 0, 2, 1, 1],
                [1, 0, 0, 0, 0, 1, 0, 0, 0],
                [2, 6, 4, 4, 4, 22, 314, 6, 0],
            ],
            [
                [295, 19, 162, 199, 251, 191, 0, 1, 1],
                [0, 0, 0, 0, 0, 2, 1, 0, 0],
                [6, 198, 280, 225, 244, 0, 6, 399, 2],
                [138, 346, 203, 281, 5, 367, 4, 242, 2],
            ],
        ],
    ),
    (
        3,
        [
            [
                [6, 359, 101, 4, 3, 3, 4, 5, 2],
                [365, 5, 0, 189, 334, 6, 1, 248, 4],
                [5, 4, 5, 184, 98, 2, 217, 377, 0],
                [0, 0, 0, 0, 2, 1, 0, 0, 1],
                [0, 0, 0, 0, 2, 1, 0, 0, 0],
            ],
            [
                [331, 51, 4, 6, 301, 6, 4, 4, 83],
                [0, 0, 2, 0, 0, 0, 0, 0, 0],
                [303, 34, 0, 3, 132, 21, 72, 231, 2],
                [1, 1, 0, 0, 0, 0, 0, 0, 0],
            ],
            [
                [1, 0, 0, 1, 0, 1, 1, 0, 0],
                [0, 0, 0, 0, 0, 1, 0, 2, 0],
                [26, 394, 4, 239, 291, 99, 0, 6, 2],
                [2, 0, 1, 0, 2, 0, 0, 0, 0],
                [55, 223, 4, 98, 6, 328, 2, 241, 5],
            ],
            [[2, 44, 231, 0, 268, 197, 121, 5, 0], [1, 4, 5, 0, 0, 6, 6, 2, 292], [230, 0, 2, 159, 256, 47, 4, 0, 6]],
        ],
    ),
    (
        6,
        [
            [[5, 11, 14, 5, 4, 270, 2, 288, 1], [1, 0, 0, 0, 0, 0, 1, 0, 0]],
            [
                [3, 52, 4, 4, 2, 376, 2, 168, 312],
                [5, 228, 115, 239, 79, 81, 5, 92, 3],
                [272, 5, 2, 363, 396, 6, 1, 319, 1],
                [19, 2, 5, 63, 4, 81, 5, 4, 5],
                [1, 0, 2, 36, 1, 247, 126, 377, 177],
            ],
            [[248, 120, 334, 87, 5, 5, 126, 3, 381]],
        ],
    ),
]


@pytest.mark.parametrize(("k", "drawn"), PINNED_ONCE, ids=["margins-first", "withheld-still-summed", "re-routed"])
def test_tables_once_pinned_are_protected(k: int, drawn: list[list[list[int]]]) -> None:
    rows = _table(drawn)
    listed, pooled, attack = publish(rows, k)
    avoidable, unavoidable = split_pinned(rows, k, MARGINS, attack)
    assert not avoidable, report(rows, listed, pooled, attack, avoidable, unavoidable)


def test_what_only_withholding_protects_is_withheld() -> None:
    # With transferred 1, 1 and 1 in Nevada's three counties and k = 3, Nevada's transferred total (3) is
    # published, and three cells shown "<3" (1 or 2) adding up to 3 are all 1, whatever else is hidden. Only a
    # label that claims nothing ("withheld") leaves them open.
    rows = [
        _row({"honored": 80, "declined": 30, "transferred": 1, "unknown": 50}, state="NV", county="a"),
        _row({"honored": 60, "declined": 25, "transferred": 1, "unknown": 45}, state="NV", county="b"),
        _row({"honored": 70, "declined": 35, "transferred": 1, "unknown": 40}, state="NV", county="c"),
        _row({"honored": 1, "declined": 1}, state="NV", county="d"),  # pooled: all its cells are 0 or more
    ]
    listed, pooled, attack = publish(rows, 3)
    assert [row["transferred"] for row in listed] == ["withheld"] * 3
    avoidable, unavoidable = split_pinned(rows, 3, MARGINS, attack)
    assert not avoidable and not unavoidable, report(rows, listed, pooled, attack, avoidable, unavoidable)


# -- real data: FY2015, one week, by state and city --------------------------------------------------


def _fy2015_week_rows(limit_states: int | None = None) -> list[dict]:
    duckdb = pytest.importorskip("duckdb")
    mapping = reason_map()
    con = duckdb.connect()
    raw = con.execute(
        f"""
        select "State" as state, "City" as city, "Detainer Lift Reason" as reason, count(*) as n
        from read_csv_auto('{FY2015}')
        where "Prepare Date" between date '2015-02-01' and date '2015-02-07'
        group by all
        """
    ).fetchall()
    # Map reasons in Python through the vocabulary (blank is unknown; an unmapped reason counts as unknown
    # too, as in measure.outcomes), then aggregate by (state, city) with DuckDB.
    mapped = []
    for state, city, reason, n in raw:
        key = normalise_reason(reason)
        mapped.append((state, city, "unknown" if key is None else mapping.get(key, "unknown"), n))
    con.execute("create table m (state varchar, city varchar, bucket varchar, n bigint)")
    con.executemany("insert into m values (?, ?, ?, ?)", mapped)
    sums = ", ".join(f"sum(case when bucket = '{b}' then n else 0 end)::bigint as {b}" for b in NAMES)
    where = ""
    if limit_states is not None:
        where = (
            "where state in (select state from m where state is not null group by state "
            f"order by sum(n) desc, state limit {limit_states})"
        )
    rows = con.execute(
        f"select state, city, {sums} from m {where} group by state, city order by state, city"
    ).fetchall()
    return [_row([int(v) for v in r[2:]], state=r[0], county=r[1]) for r in rows]


@pytest.mark.slow
def test_fy2015_week_by_state_and_city_survives_the_attack() -> None:
    # Every state that week, cities with fewer than 5 detainers pooled; state and national margins.
    if not FY2015.exists():
        pytest.skip("FY2015 data not present")
    rows = _fy2015_week_rows()
    k = 5
    listed, pooled, attack = publish(rows, k)
    assert pooled is not None and pooled["groups"] > 100  # most cities have a handful of detainers a week
    assert len(attack.targets) > 50
    avoidable, unavoidable = split_pinned(rows, k, MARGINS, attack)
    assert not avoidable, report(rows, listed, pooled, attack, avoidable, unavoidable)
