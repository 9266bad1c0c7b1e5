"""How well the resolver did: coverage over a set of detainers, precision on the hand-checked sample."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb

from sanctuary_atlas.resolve.batch import KEY_COLUMNS, OUT_COLUMNS, _quote, resolve_facilities
from sanctuary_atlas.resolve.resolver import get_resolver

PLACEHOLDER = "OTHER-OTHER FACILITY"


def resolution_report(con: duckdb.DuckDBPyConnection, source: str, top: int = 20) -> dict[str, Any]:
    """Shares of detainers and of distinct facilities resolved to a county, by confidence and authority type.

    ``source`` is a table/view of detainers with the resolver's key columns. Rows whose facility is blank or
    the ICE placeholder "OTHER-OTHER FACILITY" do not name a facility: they are counted apart, not hidden.
    """
    resolved = resolve_facilities(con, source)
    con.register("__resolved", resolved)
    cols = {c.lower() for c in con.table(source).columns}
    code = "facility_code" if "facility_code" in cols else "NULL::VARCHAR AS facility_code"
    con.sql(
        f"CREATE OR REPLACE TEMP VIEW __src AS SELECT facility_name, facility_city, facility_state, {code} "
        f"FROM {_quote(source)}"
    )
    on = " AND ".join(f"s.{c} IS NOT DISTINCT FROM r.{c}" for c in KEY_COLUMNS)
    outs = ", ".join(f"r.{c}" for c in OUT_COLUMNS)
    con.sql(
        "CREATE OR REPLACE TEMP TABLE __joined AS SELECT s.facility_name, s.facility_city, s.facility_state, "
        f"{outs}, (s.facility_name IS NOT NULL AND trim(s.facility_name) <> '' "
        f"AND upper(trim(s.facility_name)) <> '{PLACEHOLDER}') AS names_facility "
        f"FROM __src s LEFT JOIN __resolved r ON {on}"
    )

    def one(sql: str) -> Any:
        return con.sql(sql).fetchall()[0][0]

    total = one("SELECT count(*) FROM __joined")
    naming = one("SELECT count(*) FROM __joined WHERE names_facility")
    with_county = one("SELECT count(*) FROM __joined WHERE names_facility AND county_fips IS NOT NULL")
    distinct = one("SELECT count(*) FROM __resolved")
    distinct_county = one("SELECT count(*) FROM __resolved WHERE county_fips IS NOT NULL")

    def shares(col: str) -> dict[str, dict[str, float | int]]:
        rows = con.sql(
            f"SELECT coalesce({col}, 'none') k, count(*) n FROM __joined WHERE names_facility GROUP BY 1"
        ).fetchall()
        return {k: {"detainers": n, "share": round(n / naming, 4) if naming else 0.0} for k, n in rows}

    unresolved = con.sql(
        "SELECT facility_name, facility_city, facility_state, count(*) n, any_value(evidence) "
        "FROM __joined WHERE names_facility AND (county_fips IS NULL OR authority_type = 'unknown') "
        f"GROUP BY ALL ORDER BY n DESC, facility_name LIMIT {int(top)}"
    ).fetchall()
    return {
        "detainers": total,
        "detainers_naming_a_facility": naming,
        "detainers_without_a_facility": total - naming,
        "detainers_resolved_to_county": with_county,
        "coverage_county": round(with_county / naming, 4) if naming else 0.0,
        "distinct_facilities": distinct,
        "distinct_resolved_to_county": distinct_county,
        "coverage_county_distinct": round(distinct_county / distinct, 4) if distinct else 0.0,
        "by_confidence": shares("confidence"),
        "by_authority_type": shares("authority_type"),
        "top_unresolved": [
            {"facility_name": f, "facility_city": c, "facility_state": s, "detainers": n, "evidence": e}
            for f, c, s, n, e in unresolved
        ],
    }


def evaluate_sample(path: Path) -> dict[str, Any]:
    """Precision of county and authority type against the hand-checked sample, by confidence."""
    resolver = get_resolver()
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    stats: dict[str, dict[str, int]] = {}
    misses: list[dict[str, str]] = []
    for row in rows:
        res = resolver.resolve(
            row["facility_name"], row["facility_city"], row["facility_state"], row["facility_code"] or None
        )
        s = stats.setdefault(res.confidence, {"rows": 0, "county_scored": 0, "county_ok": 0, "type_ok": 0})
        s["rows"] += 1
        type_ok = res.authority_type == row["expected_authority_type"]
        s["type_ok"] += type_ok
        county_ok = True
        if row["expected_county_fips"]:
            s["county_scored"] += 1
            county_ok = res.county_fips == row["expected_county_fips"]
            s["county_ok"] += county_ok
        if not (type_ok and county_ok):
            misses.append(
                {
                    "facility": f"{row['facility_name']} | {row['facility_city']} | {row['facility_state']}",
                    "expected": f"{row['expected_county_fips']} {row['expected_authority_type']}",
                    "got": f"{res.county_fips} {res.authority_type} ({res.confidence})",
                }
            )
    out: dict[str, Any] = {"rows": len(rows), "by_confidence": stats, "misses": misses}
    for level, s in stats.items():
        scored = s["county_scored"]
        out[f"{level}_county_precision"] = round(s["county_ok"] / scored, 4) if scored else None
        out[f"{level}_type_precision"] = round(s["type_ok"] / s["rows"], 4) if s["rows"] else None
    return out


if __name__ == "__main__":  # python -m sanctuary_atlas.resolve.report SAMPLE.csv
    import json
    import sys

    print(json.dumps(evaluate_sample(Path(sys.argv[1])), indent=2))
