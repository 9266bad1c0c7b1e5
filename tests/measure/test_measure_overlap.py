"""Releases that list the same detainers (the Pennsylvania file repeats the national file's PA rows for
FY2015) count each detainer once; rows equal within one release stay separate detainers."""

from __future__ import annotations

import duckdb
import ibis
import pytest

from sanctuary_atlas.build import build
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.measure.keys import Period
from sanctuary_atlas.measure.outcomes import outcomes
from sanctuary_atlas.store import Store

from .conftest import FY2015, PA


def _raw(sql: str) -> int:
    return duckdb.connect().execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, int]:
    store = Store(tmp_path_factory.mktemp("overlap") / "store")
    ingest([FY2015, PA], store)
    return store, build(store).cross_release_duplicates


def test_the_pennsylvania_rows_of_the_national_file_count_once(both: tuple[Store, int]) -> None:
    store, flagged = both
    national_pa = _raw(f"SELECT count(*) FROM read_csv('{FY2015}', all_varchar=true) WHERE State = 'PENNSYLVANIA'")
    assert national_pa > 1000
    assert flagged == national_pa
    table = ibis.duckdb.from_connection(store.connect()).table("detainers_resolved")
    rows = outcomes(table, ["state"], Period(None, None)).to_pyarrow().to_pylist()
    issued = {r["facility_state"]: r["issued"] for r in rows}
    pa_file = _raw(f"SELECT count(*) FROM read_csv('{PA}', all_varchar=true)")
    # Every PA detainer once: the PA file's rows, none of them again from the national file.
    assert issued["PENNSYLVANIA"] == pa_file
    # And the rest of the country exactly as the national file lists it.
    total = _raw(f"SELECT count(*) FROM read_csv('{FY2015}', all_varchar=true)")
    assert sum(issued.values()) == total + pa_file - national_pa


def test_flagged_rows_name_the_release_that_keeps_them(both: tuple[Store, int]) -> None:
    store, _ = both
    con = store.connect()
    kept_by = con.execute(
        "SELECT DISTINCT release_id, duplicate_of_release FROM detainers_resolved "
        "WHERE duplicate_of_release IS NOT NULL"
    ).fetchall()
    # The national file has more rows, so it keeps them; the PA file's copies are the ones flagged.
    assert len(kept_by) == 1 and kept_by[0][0].startswith("pa-") and kept_by[0][1].startswith("detainers-fy2015")
