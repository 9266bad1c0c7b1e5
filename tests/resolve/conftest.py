"""Shared fixtures: the real bundled detainer files as DuckDB views with the resolver's key columns."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from sanctuary_atlas.paths import data_dir

FY2015 = data_dir() / "ice-detainers-fy2015-nprapps" / "detainers_fy2015ytd.csv.gz"
PA = data_dir() / "ice-detainers-pa-2008-2015" / "pa_detainers.csv.gz"
MN = data_dir() / "ice-detainers-ddp-format-mn-sample" / "st_cloud_denied.csv"


@pytest.fixture(scope="session")
def detainers() -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with views fy2015, pa and mn in the canonical key columns (read as the ingest will)."""
    con = duckdb.connect()
    con.sql(
        'CREATE TABLE fy2015 AS SELECT "Detainer Detention Facility" AS facility_name, '
        "City AS facility_city, State AS facility_state, NULL::VARCHAR AS facility_code, "
        '"Prepare Date" AS prepare_date '
        f"FROM read_csv('{FY2015}', all_varchar=true)"
    )
    con.sql(
        "CREATE TABLE pa AS SELECT det_facility AS facility_name, city AS facility_city, "
        "state AS facility_state, NULL::VARCHAR AS facility_code, date AS prepare_date "
        f"FROM read_csv('{PA}', all_varchar=true)"
    )
    con.sql(
        "CREATE TABLE mn AS SELECT detention_facility AS facility_name, facility_city, facility_state, "
        "detention_facility_code AS facility_code, detainer_prepare_date AS prepare_date "
        f"FROM read_csv('{MN}', all_varchar=true)"
    )
    yield con
    con.close()
