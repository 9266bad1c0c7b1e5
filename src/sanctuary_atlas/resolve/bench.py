"""Timing of the set-based resolver: ``python -m sanctuary_atlas.resolve.bench [ROWS]``.

Resolves the distinct facilities of the bundled FY2015 + Pennsylvania releases, then of a generated release
of ROWS rows (default 1,000,000: real rows resampled, 5 % given a synthetic suffix so that the distinct count
grows as a bigger release's would), and joins each back to every row.
"""

from __future__ import annotations

import sys
import time

import duckdb

from sanctuary_atlas.paths import data_dir
from sanctuary_atlas.resolve.batch import resolve_facilities, resolved_join_sql
from sanctuary_atlas.resolve.resolver import get_resolver


def run(rows: int = 1_000_000) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    t = time.perf_counter()
    get_resolver()
    out["load_reference_s"] = round(time.perf_counter() - t, 2)
    fy = data_dir() / "ice-detainers-fy2015-nprapps" / "detainers_fy2015ytd.csv.gz"
    pa = data_dir() / "ice-detainers-pa-2008-2015" / "pa_detainers.csv.gz"
    con = duckdb.connect()
    con.sql(
        'CREATE TABLE real AS SELECT "Detainer Detention Facility" AS facility_name, City AS facility_city, '
        f"State AS facility_state, NULL::VARCHAR AS facility_code FROM read_csv('{fy}', all_varchar=true) "
        "UNION ALL SELECT det_facility, city, state, NULL "
        f"FROM read_csv('{pa}', all_varchar=true)"
    )
    con.sql(
        "CREATE TABLE generated AS SELECT CASE WHEN random() < 0.05 THEN facility_name || ' ANNEX ' || "
        "(hash(i) % 5000)::VARCHAR ELSE facility_name END AS facility_name, facility_city, facility_state, "
        "facility_code FROM (SELECT *, row_number() OVER () AS i FROM real), range(20) "
        f"USING SAMPLE {int(rows)} ROWS"
    )
    for name in ("real", "generated"):
        t = time.perf_counter()
        resolved = resolve_facilities(con, name).to_arrow_table()
        out[f"{name}_distinct"] = resolved.num_rows
        out[f"{name}_resolve_s"] = round(time.perf_counter() - t, 2)
        con.register(f"{name}_resolved", resolved)
        t = time.perf_counter()
        n = con.sql(f"SELECT count(*) FROM ({resolved_join_sql(name, name + '_resolved')})").fetchall()[0][0]
        out[f"{name}_rows"] = n
        out[f"{name}_join_s"] = round(time.perf_counter() - t, 2)
    return out


if __name__ == "__main__":
    for key, value in run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000).items():
        print(f"{key:22s} {value}")
