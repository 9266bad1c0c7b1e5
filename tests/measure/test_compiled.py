"""The DDOR's cached SQL answers exactly what its Ibis queries answer, and a bad cache only costs time."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import ibis
import pytest

from sanctuary_atlas.build import build
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.measure.compiled import CACHE_PREFIX, ddor_results
from sanctuary_atlas.measure.ddor import QUERY_NAMES, Results
from sanctuary_atlas.measure.ddor_queries import ibis_results
from sanctuary_atlas.measure.keys import Period
from sanctuary_atlas.store import Store

from .conftest import FY2015, PA

PERIODS = [
    Period(date(2015, 2, 1), date(2015, 2, 7)),  # a week of the national file
    Period(date(2014, 12, 1), date(2014, 12, 31)),  # a month across both files
    Period(date(2010, 3, 1), date(2010, 3, 31)),  # Pennsylvania only
    Period(date(2015, 3, 17), date(2015, 3, 17)),  # one day
    Period(date(1990, 1, 1), date(1990, 1, 7)),  # no data: a valid empty report
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("compiled") / "store")
    ingest([FY2015, PA], store)
    build(store)
    return store


def _cache_files(store: Store) -> list[Path]:
    return sorted((store.root / "cache").glob(f"{CACHE_PREFIX}*.json"))


def _through_ibis(store: Store, period: Period) -> Results:
    return ibis_results(ibis.duckdb.from_connection(store.connect()).table("detainers_resolved"), period)


def test_build_compiles_every_query_once_for_all_periods(built: Store) -> None:
    [cached] = _cache_files(built)
    queries = json.loads(cached.read_text())["queries"]
    assert set(queries) == set(QUERY_NAMES)
    bounded = [name for name, query in queries.items() if "sanctuary_atlas_ddor_bounds" in query["sql"]]
    assert sorted(bounded) == sorted(QUERY_NAMES), "every query reads its period from the bounds table"


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}..{p.end}")
def test_cached_sql_answers_as_the_ibis_queries(built: Store, period: Period) -> None:
    fast = ddor_results(built, built.connect(), period)
    slow = _through_ibis(built, period)
    assert fast == slow
    # Types too: counts come back as Python ints (DuckDB's 128-bit sums are cast back), not Decimals.
    for row in fast["period"] + fast["totals"]:
        assert all(type(v) is int for k, v in row.items() if k in ("issued", "declined", "unknown"))


def test_empty_period_is_an_empty_report(built: Store) -> None:
    results = ddor_results(built, built.connect(), PERIODS[-1])
    assert results["period"] == [] and results["totals"][0]["issued"] == 0


DAMAGE = [
    "not json {",
    '{"key": "someone else", "queries": {}}',
    '{"queries": []}',
    '{KEY, "queries": {"period": {"sql": 1}}}',
    '{KEY, "queries": {"period": {"sql": "SELECT 1 AS x", "integers": []}}}',  # queries missing
]


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_cache_is_compiled_again(built: Store, damage: str) -> None:
    [cached] = _cache_files(built)
    good = cached.read_text()
    cached.write_text(damage.replace("KEY", f'"key": "{cached.stem.removeprefix(CACHE_PREFIX)}"'))
    period = PERIODS[0]
    assert ddor_results(built, built.connect(), period) == _through_ibis(built, period)
    assert json.loads(cached.read_text())["queries"] == json.loads(good)["queries"]


def test_kept_sql_that_duckdb_refuses_is_compiled_again(built: Store) -> None:
    """SQL kept by another DuckDB version, say: complete and well-formed, but refused when it runs."""
    [cached] = _cache_files(built)
    good = json.loads(cached.read_text())
    broken = {**good, "queries": {**good["queries"], "totals": {"sql": "SELEC nonsense", "integers": []}}}
    cached.write_text(json.dumps(broken))
    assert ddor_results(built, built.connect(), PERIODS[0]) == _through_ibis(built, PERIODS[0])
    assert json.loads(cached.read_text())["queries"] == good["queries"]


def test_a_different_table_shape_gets_its_own_entry(built: Store) -> None:
    """The key covers the columns the SQL was compiled against: a table with other columns is not served
    SQL compiled for the old one."""
    con = built.connect()
    before = _cache_files(built)
    build_id = built.current_build()["build_id"]  # type: ignore[index]
    path = built.builds_dir / build_id / "detainers_resolved.parquet"
    con.execute(f"CREATE OR REPLACE VIEW detainers_resolved AS SELECT *, 1 AS added FROM read_parquet('{path}')")
    ddor_results(built, con, PERIODS[0])
    after = _cache_files(built)
    assert len(after) == 1 and after != before
    # The next report on the real table compiles again and is right.
    assert ddor_results(built, built.connect(), PERIODS[0]) == _through_ibis(built, PERIODS[0])
