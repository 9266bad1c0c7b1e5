"""287(g) agreements from the bundled ICE snapshots: one row per agreement, resolved, dirt counted."""

from __future__ import annotations

from collections import Counter
from datetime import date

import duckdb
import pytest

from sanctuary_atlas.resolve.agreements287g import Agreements287g, load_agreements, parse_date
from sanctuary_atlas.resolve.rules import AUTHORITY_TYPES


@pytest.fixture(scope="module")
def agreements() -> Agreements287g:
    return load_agreements()


@pytest.fixture(scope="module")
def con(agreements: Agreements287g) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.register("a", agreements.table)
    return c


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:  # type: ignore[type-arg]
    rows = con.sql(sql).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def test_one_row_per_agreement(con: duckdb.DuckDBPyConnection, agreements: Agreements287g) -> None:
    n, distinct = _one(con, "SELECT count(*), count(DISTINCT (state, agency, support_type, status)) FROM a")
    assert n == distinct == agreements.counts["agreements"]
    assert 2000 < n < 3000
    statuses = dict(con.sql("SELECT status, count(*) FROM a GROUP BY 1").fetchall())
    # 39 source rows; "Hartford County Sheriff's Office" (MD, 24025) is a misspelt duplicate of Harford's
    assert statuses["active_2017q1"] == 38
    assert agreements.counts["agency_spellings_merged"] >= 1
    assert set(statuses) == {"participating", "pending", "active_2017q1"}
    types = {t for (t,) in con.sql("SELECT DISTINCT authority_type FROM a").fetchall()}
    assert types <= set(AUTHORITY_TYPES)
    assert {s for (s,) in con.sql("SELECT DISTINCT support_type FROM a").fetchall()} == {
        "jail_enforcement",
        "warrant_service_officer",
        "task_force",
    }


def test_renewals_stay_one_agreement(con: duckdb.DuckDBPyConnection) -> None:
    # Etowah County AL's Jail Enforcement agreement appears in every monthly snapshot from 2021-01
    first, _last, snaps, fips, atype = _one(
        con,
        (
            "SELECT first_seen, last_seen, snapshots, county_fips, authority_type FROM a WHERE state = 'AL' "
            "AND agency ILIKE 'Etowah County Sheriff%' AND support_type = 'jail_enforcement' "
            "AND status = 'participating'"
        ),
    )
    assert first == date(2021, 1, 13) and snaps > 12
    assert (fips, atype) == ("01055", "county_sheriff_or_jail")


def test_same_name_counties_and_states(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.sql("SELECT state, county_fips FROM a WHERE agency = 'Harris County Sheriff''s Office'")
    rows = rows.fetchall()
    assert {("GA", "13145"), ("TX", "48201")} <= set(rows)


def test_state_agencies_answer_to_the_state(con: duckdb.DuckDBPyConnection) -> None:
    atype, afips = _one(
        con,
        ("SELECT DISTINCT authority_type, authority_fips FROM a WHERE agency = 'Florida Department of Corrections'"),
    )
    assert (atype, afips) == ("state_prison_or_agency", "12")


def test_dirty_source_values_are_repaired_and_counted(
    con: duckdb.DuckDBPyConnection, agreements: Agreements287g
) -> None:
    counts = agreements.counts
    assert counts["county_typo_repaired"] >= 20  # "Baldwin Couny", "Lake Conty", "Pop County" ...
    assert counts["county_unmatched"] >= 1  # e.g. Crow Wing County listed under MASSACHUSETTS
    assert counts["date_repaired"] >= 1  # "05/082025"
    assert counts["support_type_repaired"] >= 1  # "Warrant Service Office"
    assert counts["state_repaired"] >= 1  # "WEST VIRIGINIA"
    fips, conf = _one(
        con, ("SELECT county_fips, confidence FROM a WHERE agency = 'Loxley Police Department' AND status = 'pending'")
    )
    assert fips == "01003" and conf == "medium"  # Baldwin County AL via the typo "Baldwin Couny"
    unresolved = _one(
        con, ("SELECT count(*) FROM a WHERE county_fips IS NULL AND authority_type <> 'state_prison_or_agency'")
    )[0]
    assert unresolved == counts["unresolved_county"]
    assert unresolved / counts["agreements"] < 0.05


@pytest.mark.parametrize(
    ("raw", "expected", "counter"),
    [
        ("2016-06-08", date(2016, 6, 8), None),
        ("05/082025", date(2025, 5, 8), "date_repaired"),
        ("5/8/2025", date(2025, 5, 8), None),
        ("2025-02-30", None, "date_unparseable"),
        ("soon", None, "date_unparseable"),
        ("", None, None),
    ],
)
def test_parse_date(raw: str, expected: date | None, counter: str | None) -> None:
    counts: Counter[str] = Counter()
    assert parse_date(raw, counts) == expected
    assert (sum(counts.values()) == 0) if counter is None else counts[counter] == 1
