"""Measures equal a direct recount in plain SQL over the raw rows (independent of our code path)."""

from __future__ import annotations

from datetime import date

import duckdb
import ibis

from sanctuary_atlas.measure.outcomes import Period, outcomes
from sanctuary_atlas.store import Store

from .conftest import FY2015


def _table(store: Store) -> ibis.Table:
    return ibis.duckdb.from_connection(store.connect()).table("detainers")


def test_declined_per_facility_matches_raw_recount(real_store: Store) -> None:
    start, end = date(2015, 1, 1), date(2015, 3, 31)
    ours = outcomes(_table(real_store), ["facility", "release"], Period(start, end)).to_pyarrow().to_pylist()
    ours_fy = {r["facility_name"]: r["declined"] for r in ours if r["release_id"].startswith("detainers-fy2015")}
    raw = (
        duckdb.connect()
        .execute(
            f"""SELECT "Detainer Detention Facility", count(*) FILTER (WHERE "Detainer Lift Reason" =
                   'Detainer Declined by LEA')
            FROM read_csv('{FY2015}', all_varchar=true)
            WHERE CAST("Prepare Date" AS DATE) BETWEEN DATE '{start}' AND DATE '{end}'
            GROUP BY 1"""
        )
        .fetchall()
    )
    expected = dict(raw)
    assert ours_fy == expected
    assert sum(expected.values()) > 500  # the period really has declines to compare


def test_national_totals_by_lift_reason_match_raw(real_store: Store) -> None:
    row = outcomes(_table(real_store), ["release"], Period(None, None)).to_pyarrow().to_pylist()
    fy = next(r for r in row if r["release_id"].startswith("detainers-fy2015"))
    raw = dict(
        duckdb.connect()
        .execute(
            f"""SELECT coalesce("Detainer Lift Reason", ''), count(*)
                FROM read_csv('{FY2015}', all_varchar=true) GROUP BY 1"""
        )
        .fetchall()
    )
    assert fy["issued"] == sum(raw.values()) == 79053
    assert fy["honored"] == raw["Booked into Detention"]
    assert fy["declined"] == raw["Detainer Declined by LEA"]
    assert fy["transferred"] == raw["Transferred"]
    assert fy["unknown"] == raw[""]
    assert fy["denominator"] == 79053 - raw[""]
    assert abs(fy["decline_rate"] - raw["Detainer Declined by LEA"] / fy["denominator"]) < 1e-12


def test_empty_period_is_an_empty_table(real_store: Store) -> None:
    rows = outcomes(_table(real_store), ["state"], Period(date(1990, 1, 1), date(1990, 12, 31)))
    assert rows.to_pyarrow().num_rows == 0
