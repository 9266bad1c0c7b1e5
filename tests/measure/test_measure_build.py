"""build: every detainer kept, resolved per distinct facility, published without person identifiers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb

from sanctuary_atlas.build import build
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

from .conftest import FY2015, MN


def test_build_keeps_every_row_and_no_person_identifier(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    ingest([FY2015, MN], store)
    summary = build(store)
    con = store.connect()
    assert summary.detainers == 79053 + 22
    assert con.execute("SELECT count(*) FROM detainers_resolved").fetchone()[0] == 79053 + 22
    columns = {r[0] for r in con.execute("DESCRIBE detainers_resolved").fetchall()}
    assert "person_id" not in columns and "birth_year" not in columns
    # one resolution per distinct facility key, the same one on every detainer of that facility
    per_key = con.execute(
        """SELECT count(DISTINCT coalesce(county_fips, '-') || authority_type) FROM detainers_resolved
           GROUP BY facility_name, facility_city, facility_state, facility_code HAVING count(*) > 0
           ORDER BY 1 DESC LIMIT 1"""
    ).fetchone()[0]
    assert per_key == 1
    # MCF St. Cloud stands east of the Mississippi (2305 Minnesota Blvd SE, ZIP 56304): Sherburne County,
    # not Stearns, the city's primary county; and it is the state's prison, not the county's decision.
    rows = con.execute(
        "SELECT DISTINCT county_fips, authority_type FROM detainers_resolved WHERE facility_code = 'MNCFSTC'"
    ).fetchall()
    assert rows == [("27141", "state_prison_or_agency")]


def test_coverage_of_fy2015_detainers_naming_a_place(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    ingest([FY2015], store)
    build(store)
    raw = (
        duckdb.connect()
        .execute(
            f"""SELECT count(*) FROM read_csv('{FY2015}', all_varchar=true)
            WHERE "Detainer Detention Facility" IS NOT NULL
              AND "Detainer Detention Facility" <> 'OTHER-OTHER FACILITY'"""
        )
        .fetchone()[0]
    )
    resolved = (
        store.connect()
        .execute(
            """SELECT count(*) FROM detainers_resolved
           WHERE county_fips IS NOT NULL AND facility_name <> 'OTHER-OTHER FACILITY'"""
        )
        .fetchone()[0]
    )
    assert resolved / raw >= 0.97


def test_stale_build_is_refused_for_county_keys(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    ingest([MN], store)
    build(store)
    ingest([FY2015], store)  # a release the build has not seen
    done = subprocess.run(
        ["sanctuary-atlas", "outcomes", "--group-by", "county_fips", "--store", str(store.root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "out of date" in done.stderr
