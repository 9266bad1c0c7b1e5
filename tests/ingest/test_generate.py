"""The release generator: deterministic, shaped like ICE's xlsx, and ingested with exact accounting.

The ingest checks compare the store against the generator's manifest (what was planted), not against
counts the ingest computed itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import fastexcel
import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from sanctuary_atlas.ingest import contracts
from sanctuary_atlas.ingest.generate import (
    TITLE_ROWS,
    _sheet_plan,
    cached_release,
    columns_for,
    generate_release,
    read_manifest,
)
from sanctuary_atlas.ingest.generate_commands import register
from sanctuary_atlas.ingest.generate_vocab import COLUMNS_2024
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

ROWS = 3000
SPARSE_DATES = ("departed_date", "final_order_date", "order_show_cause_served_date", "apprehension_date")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _raw_sheet(path: Path, sheet: str | int) -> list[list[str | None]]:
    batch = fastexcel.read_excel(str(path)).load_sheet(sheet, header_row=None, dtypes="string").to_arrow()
    return [list(r.values()) for r in pa.Table.from_batches([batch]).to_pylist()]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_same_seed_gives_identical_bytes(tmp_path: Path, fmt: str) -> None:
    a = generate_release(tmp_path / f"a.{fmt}", 400, fmt=fmt, sheets=2, duplicate_share=0.02)
    b = generate_release(tmp_path / f"b.{fmt}", 400, fmt=fmt, sheets=2, duplicate_share=0.02)
    c = generate_release(tmp_path / f"c.{fmt}", 400, fmt=fmt, sheets=2, duplicate_share=0.02, seed=7)
    assert _sha(a) == _sha(b)
    assert _sha(a) != _sha(c)
    assert read_manifest(a)["duplicates"] == read_manifest(b)["duplicates"]


def test_header_on_row_7_of_every_sheet_below_title_rows(tmp_path: Path) -> None:
    path = generate_release(tmp_path / "r.xlsx", 900, sheets=3)
    names = fastexcel.read_excel(str(path)).sheet_names
    assert names == ["Detainers 1", "Detainers 2", "Detainers 3"]
    for name in names:
        rows = _raw_sheet(path, name)
        assert rows[TITLE_ROWS] == COLUMNS_2024  # index 6 = Excel row 7
        assert all(r[0] and not any(r[1:]) for r in rows[:TITLE_ROWS])  # title text in column A only
        assert len(rows) == TITLE_ROWS + 1 + 300
    assert len(COLUMNS_2024) == 65


def test_dates_are_real_excel_dates(tmp_path: Path) -> None:
    path = generate_release(tmp_path / "r.xlsx", 200)
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=TITLE_ROWS).to_arrow()
    assert pa.types.is_timestamp(sheet.schema.field("Detainer Prepare Date").type) or pa.types.is_date(
        sheet.schema.field("Detainer Prepare Date").type
    )


def test_sheet_plan_splits_evenly_and_respects_excel_limit() -> None:
    assert _sheet_plan(2500, None, 1000) == [834, 833, 833]
    assert _sheet_plan(10, 4, 1_000_000) == [3, 3, 2, 2]
    assert _sheet_plan(0, None, 1000) == [0]
    with pytest.raises(ValueError, match="do not fit"):
        _sheet_plan(2_100_000, 2, 1_000_000)


def test_2026_variant_header_is_recognised() -> None:
    header = columns_for("2026")
    assert len(header) == 65
    assert "Arrest Time Case Category" in header and "Detainer Lift Reason Code" in header
    assert not any("Time of Apprehension" in h for h in header)
    assert contracts.detect(header) is not None
    assert contracts.detect(columns_for("2024")) is not None


def test_cached_release_is_generated_once_and_keyed_on_parameters(tmp_path: Path) -> None:
    first = cached_release(150, "csv", directory=tmp_path)
    stamp = first.stat().st_mtime_ns
    again = cached_release(150, "csv", directory=tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp
    assert cached_release(150, "csv", seed=2, directory=tmp_path) != first
    assert cached_release(150, "xlsx", directory=tmp_path) != first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary leftovers


@pytest.fixture(scope="module", params=["xlsx", "csv"])
def ingested(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    fmt = request.param
    root = tmp_path_factory.mktemp(f"gen-{fmt}")
    # Higher shares than the defaults so a 3,000-row file holds enough duplicates and redactions to count.
    path = generate_release(
        root / f"release.{fmt}", ROWS, fmt=fmt, sheets=3, duplicate_share=0.01, redaction_share=0.03
    )
    summary = ingest([path], Store(root / "store"))
    con = Store(root / "store").connect()
    yield read_manifest(path), summary, con
    con.close()


def test_ingest_accounts_for_every_generated_row(ingested) -> None:
    manifest, summary, _con = ingested
    totals = summary.totals()
    assert totals["rows_read"] == ROWS == manifest["rows"]
    assert totals["rows_loaded"] + totals["rows_quarantined"] == totals["rows_read"]
    assert totals["rows_quarantined"] == 0  # the generator plants no bad required values
    f = summary.files[0]
    assert f.layout == "lesa_2023_raw"
    assert f.extra_columns == []
    assert f.rows_with_invalid_values == 0
    if manifest["params"]["fmt"] == "xlsx":
        assert [(s.sheet, s.rows_read, s.header_row) for s in f.sheets] == [
            (s["name"], s["rows"], TITLE_ROWS + 1) for s in manifest["sheets"]
        ]


def test_ingest_flags_exactly_the_planted_duplicates(ingested) -> None:
    manifest, summary, con = ingested
    planted = {tuple(d) for d in manifest["duplicates"]}
    assert len(planted) >= 10
    found = con.execute(
        """SELECT d.source_sheet_index, d.source_row, s.source_sheet_index, d.duplicate_of_row
           FROM detainers d
           JOIN (SELECT DISTINCT source_sheet, source_sheet_index FROM detainers) s
             ON s.source_sheet IS NOT DISTINCT FROM d.duplicate_of_sheet
           WHERE d.is_duplicate"""
    ).fetchall()
    assert set(found) == planted
    assert summary.totals()["rows_duplicate_flagged"] == len(planted)


def test_ingest_nulls_and_flags_the_planted_redactions(ingested) -> None:
    manifest, summary, con = ingested
    raw = contracts.layouts()[0].columns
    assert manifest["redacted_cells"]
    for header, planted in manifest["redacted_cells"].items():
        column = raw[contracts.fold_header(header)]
        flagged, still_set = con.execute(
            f"SELECT count(*), count({column}) FROM detainers WHERE list_contains(redacted_columns, ?)",
            [column],
        ).fetchone()
        assert (flagged, still_set) == (planted, 0), header
    assert summary.files[0].rows_with_redaction == manifest["rows_with_redaction"]
    assert "Birth Date" in manifest["redacted_cells"]  # a date column carries markers too


def test_sparse_date_columns_stay_dates(ingested) -> None:
    _manifest, _summary, con = ingested
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE detainers)").fetchall())
    for column in (*SPARSE_DATES, "prepare_date", "birth_date"):
        assert types[column] == "DATE", column
    for column in SPARSE_DATES:
        filled = con.execute(f"SELECT count({column}) FROM detainers").fetchone()[0]
        assert 0 < filled < ROWS / 2, column  # sparse, and not lost
    assert types["birth_year"] == "BIGINT"


def test_vocabularies_and_facilities_look_like_a_release(ingested) -> None:
    _manifest, _summary, con = ingested
    states = {r[0] for r in con.execute("SELECT DISTINCT facility_state FROM detainers").fetchall()}
    assert {"TEXAS", "CALIFORNIA"} <= states and all(s is None or s == s.upper() for s in states)
    lifts = dict(con.execute("SELECT lift_reason, count(*) FROM detainers GROUP BY 1").fetchall())
    assert {"Booked into Detention", "Detainer Declined by LEA", None} <= set(lifts)
    assert max(lifts, key=lambda k: lifts[k]) == "Booked into Detention"
    types = {r[0] for r in con.execute("SELECT DISTINCT detainer_type FROM detainers").fetchall()}
    assert "I247A - Immigration Detainer - Notice of Action (as of April 2017)" in types
    codes = con.execute("SELECT count(DISTINCT facility_code) FROM detainers").fetchone()[0]
    assert codes > 200


def test_generate_command_writes_file_and_manifest(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps Typer from collapsing into a single one
    out = tmp_path / "g.csv"
    result = CliRunner().invoke(app, ["generate", str(out), "--rows", "120", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert read_manifest(out)["rows"] == 120 and read_manifest(out)["params"]["fmt"] == "csv"
    assert out.read_text(encoding="utf-8").splitlines()[0].startswith("Detainer Prepare Date,")
    too_big = ["generate", str(tmp_path / "x.xlsx"), "--rows", "3000000", "--sheets", "1"]
    bad = CliRunner().invoke(app, too_big)
    assert bad.exit_code != 0
