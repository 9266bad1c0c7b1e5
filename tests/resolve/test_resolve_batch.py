"""Set-based resolution over the real detainer files, the batch CSV command and the resolution report."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from sanctuary_atlas.cli import app
from sanctuary_atlas.paths import data_dir
from sanctuary_atlas.resolve.batch import (
    KEY_COLUMNS,
    OUT_COLUMNS,
    ResolveInputError,
    resolve_csv,
    resolve_facilities,
    resolved_join_sql,
)
from sanctuary_atlas.resolve.report import resolution_report
from sanctuary_atlas.resolve.resolver import get_resolver

FY2015 = data_dir() / "ice-detainers-fy2015-nprapps" / "detainers_fy2015ytd.csv.gz"
PA = data_dir() / "ice-detainers-pa-2008-2015" / "pa_detainers.csv.gz"


def test_one_row_per_distinct_facility_and_join_keeps_rows(detainers: duckdb.DuckDBPyConnection) -> None:
    get_resolver()  # load reference tables outside the timing
    start = time.perf_counter()
    rel = resolve_facilities(detainers, "pa")
    resolved = rel.to_arrow_table()
    elapsed = time.perf_counter() - start
    distinct = detainers.sql(
        "SELECT count(*) FROM (SELECT DISTINCT facility_name, facility_city, facility_state, facility_code FROM pa)"
    ).fetchall()[0][0]
    assert resolved.num_rows == distinct
    assert resolved.column_names == [*KEY_COLUMNS, *OUT_COLUMNS]
    assert elapsed < 30  # ~0.2 s on the reference machine; generous for a shared CI box
    detainers.register("pa_resolved", resolved)
    joined = detainers.sql(resolved_join_sql("pa", "pa_resolved"))
    total = detainers.sql("SELECT count(*) FROM pa").fetchall()[0][0]
    assert joined.aggregate("count(*)").fetchall()[0][0] == total
    assert joined.filter("county_fips IS NULL").aggregate("count(*)").fetchall()[0][0] < total * 0.01


def test_fy2015_coverage_target(detainers: duckdb.DuckDBPyConnection) -> None:
    rep = resolution_report(detainers, "fy2015", top=5)
    assert rep["detainers"] == 79_053
    # the ICE placeholder "OTHER-OTHER FACILITY" (and 6 blank names) do not name a facility
    assert rep["detainers_without_a_facility"] == 79_053 - rep["detainers_naming_a_facility"]
    assert rep["detainers_without_a_facility"] > 9_000
    assert rep["coverage_county"] >= 0.97
    shares = rep["by_confidence"]
    assert abs(sum(v["share"] for v in shares.values()) - 1) < 0.001
    assert shares["high"]["share"] > 0.8
    assert len(rep["top_unresolved"]) <= 5


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_resolve_csv_round_trip_and_bad_values(tmp_path: Path) -> None:
    rows = [
        ["facility", "city", "state", "note"],
        ["MARICOPA COUNTY JAIL", "PHOENIX", "ARIZONA", "real FY2015 row"],
        ["RIKERS ISLAND, QUEENS, NY", "ELMHURST", "NEW YORK", "mail address in Queens"],
        ["MARICOPA COUNTY JAIL", "PHOENIX", "ARIZONA", "duplicate rows stay"],
        ["X" * 10_000, "PHOENIX", "ARIZONA", "absurdly long"],
        ["SOME JAIL", "NOWHERE", "ATLANTIS", "no such state"],
        ["", "", "", "empty"],
        ["FRANKLIN COUNTY JAIL", "", "PA", "blank city"],
    ]
    src = _write(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    assert resolve_csv(src, out) == len(rows) - 1
    with open(out, encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert len(got) == len(rows) - 1
    assert [g["note"] for g in got] == [r[3] for r in rows[1:]]  # order and user columns kept
    assert got[0]["county_fips"] == "04013" and got[0]["confidence"] == "high"
    assert got[1]["county_fips"] == "36005"
    assert got[3]["authority_type"] == "unknown" and "longer than" in got[3]["evidence"]
    assert got[4]["authority_type"] == "unknown" and "not a US state" in got[4]["evidence"]
    assert got[5]["authority_type"] == "unknown" and got[5]["evidence"]
    assert got[6]["county_fips"] == "42055"


def test_resolve_csv_accepts_code_column(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "in.csv",
        [["facility", "city", "state", "facility_code"], ["MINN.C.F.,ST.CLOUD", "ST. CLOUD", "MINNESOTA", "MNCFSTC"]],
    )
    resolve_csv(src, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["authority_type"] == "state_prison_or_agency"


def test_missing_column_is_one_clear_error(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", [["facility", "town", "state"], ["A JAIL", "X", "TX"]])
    with pytest.raises(ResolveInputError) as err:
        resolve_csv(src, tmp_path / "out.csv")
    assert str(src) in str(err.value) and "'city'" in str(err.value)


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ResolveInputError, match="empty"):
        resolve_csv(empty, tmp_path / "out.csv")
    header_only = _write(tmp_path / "h.csv", [["facility", "city", "state"]])
    assert resolve_csv(header_only, tmp_path / "out.csv") == 0
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("facility,city,state,county_fips")


def test_non_utf8_is_rejected_clearly(tmp_path: Path) -> None:
    src = tmp_path / "latin1.csv"
    src.write_bytes("facility,city,state\nCAÑON CITY JAIL,CAÑON CITY,CO\n".encode("latin-1"))
    with pytest.raises(ResolveInputError, match="not UTF-8"):
        resolve_csv(src, tmp_path / "out.csv")


def test_cli_resolve_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    src = _write(tmp_path / "in.csv", [["facility", "city", "state"], ["USP CANAAN", "WAYMART", "PENNSYLVANIA"]])
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["resolve", "--input", str(src), "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "federal_bop" in out.read_text(encoding="utf-8")
    bad = _write(tmp_path / "bad.csv", [["name"], ["x"]])
    res = runner.invoke(app, ["resolve", "--input", str(bad), "--output", str(out)])
    assert res.exit_code == 2 and "required column 'facility'" in res.output


def test_cli_resolve_report_on_raw_files() -> None:
    res = CliRunner().invoke(app, ["resolve-report", "--input", str(PA), "--top", "3"])
    assert res.exit_code == 0, res.output
    assert "resolved to a county" in res.output and "distinct facilities resolved" in res.output
    assert "federal_bop" in res.output
    res = CliRunner().invoke(app, ["resolve-report", "--input", str(FY2015), "--json", "--top", "1"])
    assert res.exit_code == 0 and '"coverage_county"' in res.output
