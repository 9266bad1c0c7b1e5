"""Every layout end to end: bundled real CSVs, a 2023+ raw xlsx built here, its cleaned Parquet form.

Expected figures come from the generated rows or from plain DuckDB over the raw files, never from the
ingest code.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter
from ingest_kit import (
    DDP_SAMPLE,
    DETAINER_TYPES,
    FY2015,
    PA,
    REDACTION_MARK,
    Record,
    make_records,
    raw_2023_headers,
    snake,
    write_raw_xlsx,
)

from sanctuary_atlas.ingest.pipeline import IngestSummary, ingest
from sanctuary_atlas.store import Store

SHEETS = {"FY2024 Part 1": 2500, "FY2024 Part 2": 1500, "FY2025": 600}
DUPLICATES = 5


@dataclass
class Release:
    records: list[Record]
    path: Path
    store: Store
    summary: IngestSummary

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self.store.connect() as con:
            return con.execute(sql).fetchall()


def _records() -> list[Record]:
    return make_records(SHEETS, seed=11, sparse_blank=2000, duplicates=DUPLICATES)


@pytest.fixture(scope="module")
def raw_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    base = tmp_path_factory.mktemp("raw2023")
    records = _records()
    path = write_raw_xlsx(base / "2026-ICLI-00005_Detainers_FY24_FY25_Redacted.xlsx", records)
    store = Store(base / "store")
    return Release(records, path, store, ingest([path], store))


@pytest.fixture(scope="module")
def parquet_release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The same rows in the Deportation Data Project's cleaned form: snake_case, typed, blank columns
    dropped, the cleaner's provenance appended."""
    base = tmp_path_factory.mktemp("clean2023")
    records = _records()
    cols: dict[str, pa.Array] = {
        snake("Detainer Prepare Date"): pa.array([r.prepare_date for r in records], pa.date32()),
        snake("Facility State"): pa.array([r.facility.state for r in records]),
        snake("Departed Date"): pa.array([r.departed_date for r in records], pa.date32()),
        snake("Detention Facility"): pa.array([r.facility.name for r in records]),
        snake("Detention Facility Code"): pa.array([r.facility.code for r in records]),
        snake("Facility City"): pa.array([r.facility.city for r in records]),
        snake("Birth Year"): pa.array([r.birth_year for r in records], pa.int64()),
        snake("Detainer Lift Reason"): pa.array([r.lift_reason for r in records]),
        snake("Detainer Type"): pa.array([r.detainer_type for r in records]),
        snake("Unique Identifier"): pa.array([r.person_id or REDACTION_MARK for r in records]),
        snake("Mystery Column"): pa.array([r.mystery for r in records]),
        "duplicate_likely": pa.array([False] * len(records)),
        "file_original": pa.array(["2026-ICLI-00005_Detainers_FY24_FY25_Redacted.xlsx"] * len(records)),
        "sheet_original": pa.array([r.sheet for r in records]),
        "row_original": pa.array([r.excel_row for r in records], pa.int64()),
    }
    path = base / "detainers_fy24_fy25_clean.parquet"
    pq.write_table(pa.table(cols), path)
    store = Store(base / "store")
    return Release(records, path, store, ingest([path], store))


# --- 2023+ raw xlsx ---------------------------------------------------------------------------------


def test_raw_xlsx_accounting(raw_release: Release) -> None:
    (f,) = raw_release.summary.files
    assert f.status == "ingested"
    assert f.rows_read == len(raw_release.records) == sum(SHEETS.values())
    assert f.rows_loaded + f.rows_quarantined == f.rows_read
    assert f.rows_quarantined == 0
    assert f.sha256 and len(f.sha256) == 64
    sheets = raw_release.rows("SELECT sheet, status, header_row, rows_read FROM sheets ORDER BY sheet_index")
    assert sheets == [(name, "loaded", 7, n) for name, n in SHEETS.items()]


def test_raw_xlsx_values_match_source_cells(raw_release: Release) -> None:
    got = {
        (r[0], r[1]): r[2:]
        for r in raw_release.rows(
            """SELECT source_sheet, source_row, prepare_date, departed_date, facility_name, facility_code,
                      facility_city, facility_state, lift_reason, detainer_type, person_id, birth_year
               FROM detainers"""
        )
    }
    assert len(got) == len(raw_release.records)
    for r in raw_release.records:
        assert got[(r.sheet, r.excel_row)] == (
            r.prepare_date,
            r.departed_date,
            r.facility.name,
            r.facility.code,
            r.facility.city,
            r.facility.state,
            r.lift_reason,
            r.detainer_type,
            r.person_id,
            r.birth_year,
        ), (r.sheet, r.excel_row)


def test_sparse_date_column_is_still_a_date(raw_release: Release) -> None:
    """Departed Date is blank for the first 2,000 rows, then filled: it must come out as DATE values."""
    with raw_release.store.connect() as con:
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE detainers)").fetchall())
        assert types["departed_date"] == "DATE"
        assert types["prepare_date"] == "DATE"
        nulls, filled, first = con.execute(
            """SELECT count(*) FILTER (WHERE departed_date IS NULL), count(departed_date),
                      min(departed_date) FILTER (WHERE source_sheet = 'FY2024 Part 1' AND source_row = 2008)
               FROM detainers"""
        ).fetchone()
    blank = [r for r in raw_release.records if r.departed_date is None]
    assert blank[:2000] == raw_release.records[:2000]  # the generator's sparse block, as intended
    assert nulls == len(blank)
    assert filled == len(raw_release.records) - len(blank)
    assert isinstance(first, dt.date) and first == raw_release.records[2000].departed_date


def test_raw_xlsx_redaction_becomes_null_plus_flag(raw_release: Release) -> None:
    redacted = {(r.sheet, r.excel_row) for r in raw_release.records if r.person_id is None}
    assert redacted
    got = set(
        raw_release.rows(
            "SELECT source_sheet, source_row FROM detainers WHERE list_contains(redacted_columns, 'person_id')"
        )
    )
    assert got == redacted
    assert raw_release.rows(
        "SELECT count(*) FROM detainers WHERE list_contains(redacted_columns, 'person_id') AND person_id IS NOT NULL"
    ) == [(0,)]


def test_raw_xlsx_duplicates_flagged_not_deleted(raw_release: Release) -> None:
    (f,) = raw_release.summary.files
    assert f.rows_duplicate_flagged == DUPLICATES
    dup_rows = raw_release.rows("SELECT source_sheet, source_row FROM detainers WHERE is_duplicate ORDER BY ALL")
    last = raw_release.records[-DUPLICATES:]
    assert dup_rows == sorted((r.sheet, r.excel_row) for r in last)
    assert raw_release.rows("SELECT count(*) FROM detainers") == [(len(raw_release.records),)]


def test_raw_xlsx_unknown_column_kept_in_extra(raw_release: Release) -> None:
    got = dict(raw_release.rows("SELECT source_sheet || ':' || source_row, extra['Mystery Column'] FROM detainers"))
    assert got == {f"{r.sheet}:{r.excel_row}": r.mystery for r in raw_release.records}
    (extra_columns,) = raw_release.rows("SELECT extra_columns FROM releases")[0]
    assert "Mystery Column" in extra_columns


def test_raw_xlsx_totals_by_lift_reason(raw_release: Release) -> None:
    expected = Counter(r.lift_reason for r in raw_release.records)
    got = dict(raw_release.rows("SELECT lift_reason, count(*) FROM detainers GROUP BY 1"))
    assert got == dict(expected)


def test_raw_xlsx_provenance(raw_release: Release) -> None:
    (f,) = raw_release.summary.files
    got = raw_release.rows("SELECT DISTINCT release_id, source_file, source_sha256 FROM detainers")
    assert got == [(f.release_id, raw_release.path.name, f.sha256)]
    assert f.sha256 == hashlib.sha256(raw_release.path.read_bytes()).hexdigest()


def test_header_row_counted_from_sheet_top_when_title_rows_are_blank(tmp_path: Path) -> None:
    """No title text above the header (rows 1-6 blank): rows are still numbered as Excel numbers them."""
    records = make_records({"FY2024": 30}, seed=8, sparse_blank=0)
    path = write_raw_xlsx(tmp_path / "no_titles.xlsx", records, title_rows=[""] * 6)
    store = Store(tmp_path / "store")
    ingest([path], store)
    with store.connect() as con:
        assert con.execute("SELECT header_row FROM sheets").fetchall() == [(7,)]
        got = dict(con.execute("SELECT source_row, person_id FROM detainers").fetchall())
    assert got == {r.excel_row: r.person_id for r in records}
    assert min(got) == 8


def test_date_typed_as_plain_number_reads_as_excel_serial(tmp_path: Path) -> None:
    """A prepare date keyed into a cell without a date format arrives as Excel's day number."""
    records = make_records({"FY2024": 3}, seed=8, sparse_blank=0)
    serials = {45292: dt.date(2024, 1, 1), 45351: dt.date(2024, 2, 29), 45657: dt.date(2024, 12, 31)}
    for r, serial in zip(records, serials, strict=True):
        r.prepare_date = None
        r.values = {"Detainer Prepare Date": serial}
    path = write_raw_xlsx(tmp_path / "serials.xlsx", records)
    store = Store(tmp_path / "store")
    ingest([path], store)
    with store.connect() as con:
        got = [d for (d,) in con.execute("SELECT prepare_date FROM detainers ORDER BY source_row").fetchall()]
    assert got == list(serials.values())


# --- the same rows as cleaned Parquet ---------------------------------------------------------------


def test_parquet_clean_form_loads_same_values(parquet_release: Release) -> None:
    (f,) = parquet_release.summary.files
    assert f.rows_read == len(parquet_release.records)
    assert f.rows_loaded + f.rows_quarantined == f.rows_read
    got = {
        (r[0], r[1]): r[2:]
        for r in parquet_release.rows(
            """SELECT original_sheet, original_row, prepare_date, departed_date, facility_name,
                      facility_code, facility_city, facility_state, lift_reason, detainer_type,
                      person_id, birth_year, extra['mystery_column'], source_duplicate_likely
               FROM detainers"""
        )
    }
    assert len(got) == len(parquet_release.records)
    for r in parquet_release.records:
        assert got[(r.sheet, r.excel_row)] == (
            r.prepare_date,
            r.departed_date,
            r.facility.name,
            r.facility.code,
            r.facility.city,
            r.facility.state,
            r.lift_reason,
            r.detainer_type,
            r.person_id,
            r.birth_year,
            r.mystery,
            False,
        )
    with parquet_release.store.connect() as con:
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE detainers)").fetchall())
    assert types["departed_date"] == "DATE"


# --- header drift -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "renames",
    [
        {"Detention Facility": "Detainer Facility", "Unique Identifier": "Anonymized Identifier"},
        {},
        {"Unique Identifier": "Anonymized Identifier", "Detention Facility": "DETAINER  FACILITY"},
    ],
    ids=["older_names", "current_names", "older_names_case_and_spacing"],
)
def test_drifted_raw_headers_map(tmp_path: Path, renames: dict[str, str]) -> None:
    headers = [renames.get(h, h) for h in raw_2023_headers()]
    records = make_records({"Sheet1": 40}, seed=5, sparse_blank=0)
    for r in records:
        r.values = {
            new: (r.facility.name if old == "Detention Facility" else r.person_id or REDACTION_MARK)
            for old, new in renames.items()
        }
    path = write_raw_xlsx(tmp_path / "drift.xlsx", records, headers=headers)
    ingest([path], Store(tmp_path / "store"))
    with Store(tmp_path / "store").connect() as con:
        got = {
            r[0]: r[1:] for r in con.execute("SELECT source_row, facility_name, person_id FROM detainers").fetchall()
        }
    assert got == {r.excel_row: (r.facility.name, r.person_id) for r in records}


def test_drifted_clean_identifier_maps(tmp_path: Path) -> None:
    """The cleaned CSV with the older identifier spelling (anonymized_identifier)."""
    path = _respelled_sample(tmp_path, {"unique_identifier": "anonymized_identifier"})
    ingest([path], Store(tmp_path / "store"))
    with Store(tmp_path / "store").connect() as con:
        got = sorted(con.execute("SELECT facility_name, person_id FROM detainers").fetchall())
    assert got == _sample_pairs("detention_facility", "unique_identifier")


def _respelled_sample(tmp_path: Path, renames: dict[str, str]) -> Path:
    lines = DDP_SAMPLE.read_text("utf-8").splitlines(keepends=True)
    header = lines[0]
    for old, new in renames.items():
        header = header.replace(f'"{old}"', f'"{new}"')
    assert header != lines[0]
    path = tmp_path / "older_spelling.csv"
    path.write_text(header + "".join(lines[1:]), "utf-8")
    return path


def test_drifted_clean_headers_map(tmp_path: Path) -> None:
    """The cleaned CSV with the older spellings (detainer_facility, anonymized_identifier)."""
    path = _respelled_sample(
        tmp_path, {"detention_facility": "detainer_facility", "unique_identifier": "anonymized_identifier"}
    )
    ingest([path], Store(tmp_path / "store"))
    with Store(tmp_path / "store").connect() as con:
        got = sorted(con.execute("SELECT facility_name, person_id FROM detainers").fetchall())
    assert got == _sample_pairs("detention_facility", "unique_identifier")


def _sample_pairs(facility: str, person: str) -> list[tuple[str, str]]:
    with DDP_SAMPLE.open(encoding="utf-8", newline="") as fh:
        return sorted((r[facility], r[person]) for r in csv.DictReader(fh))


# --- the bundled real files -------------------------------------------------------------------------


def _file(bundled_cli: tuple[Path, dict], path: Path) -> tuple[Store, dict]:
    store, out = bundled_cli
    return Store(store), next(f for f in out["files"] if Path(f["path"]) == path)


def _independent(sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect() as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("path", "rows", "reason_col", "date_col"),
    [
        (FY2015, 79_053, "Detainer Lift Reason", "Prepare Date"),
        (PA, 32_757, "lift_reason", "date"),
        (DDP_SAMPLE, 22, "detainer_lift_reason", "detainer_prepare_date"),
    ],
    ids=["fy2015", "pa", "ddp_sample"],
)
def test_bundled_file_accounting_and_totals(
    bundled_cli: tuple[Path, dict], path: Path, rows: int, reason_col: str, date_col: str
) -> None:
    store, f = _file(bundled_cli, path)
    assert f["rows_read"] == rows
    assert f["rows_loaded"] + f["rows_quarantined"] == rows
    nullstr = ", nullstr = 'NA'" if path == DDP_SAMPLE else ""
    raw = f"read_csv('{path}', all_varchar = true, header = true{nullstr})"
    assert _independent(f"SELECT count(*) FROM {raw}") == [(rows,)]
    expected = dict(_independent(f"SELECT NULLIF(trim(\"{reason_col}\"), '') AS r, count(*) FROM {raw} GROUP BY r"))
    expected_months = dict(
        _independent(f'SELECT substr(trim("{date_col}"), 1, 7) AS m, count(*) FROM {raw} GROUP BY m')
    )
    with store.connect() as con:
        got = dict(
            con.execute(
                """SELECT lift_reason, count(*) FROM (
                       SELECT lift_reason FROM detainers WHERE release_id = $1
                       UNION ALL SELECT lift_reason FROM quarantine WHERE release_id = $1)
                   GROUP BY 1""",
                [f["release_id"]],
            ).fetchall()
        )
        got_months = dict(
            con.execute(
                "SELECT strftime(prepare_date, '%Y-%m'), count(*) FROM detainers WHERE release_id = $1 GROUP BY 1",
                [f["release_id"]],
            ).fetchall()
        )
        (catalog,) = con.execute(
            "SELECT rows_read, rows_loaded + rows_quarantined FROM releases WHERE release_id = $1",
            [f["release_id"]],
        ).fetchall()
    assert got == expected
    # Every raw date here is ISO (with or without a time), so nothing should be quarantined.
    unparsed = _independent(f'SELECT count(*) FROM {raw} WHERE TRY_CAST(substr("{date_col}", 1, 10) AS DATE) IS NULL')
    assert unparsed == [(0,)]
    assert f["rows_quarantined"] == 0
    assert got_months == expected_months
    assert catalog == (rows, rows)


def test_bundled_headers_all_accounted(bundled_cli: tuple[Path, dict]) -> None:
    """The sample's unnamed first column (an R row index) is kept as an extra, not dropped."""
    store, f = _file(bundled_cli, DDP_SAMPLE)
    assert len(f["extra_columns"]) == 1
    with store.connect() as con:
        got = sorted(
            con.execute(
                "SELECT CAST(map_values(extra)[1] AS INTEGER) FROM detainers WHERE release_id = ?",
                [f["release_id"]],
            ).fetchall()
        )
    assert got == [(i,) for i in range(1, 23)]


def test_ddp_sample_na_is_null_and_dates_typed(bundled_cli: tuple[Path, dict]) -> None:
    store, f = _file(bundled_cli, DDP_SAMPLE)
    with DDP_SAMPLE.open(encoding="utf-8", newline="") as fh:
        src = {r["unique_identifier"] + "|" + r["row_original"]: r for r in csv.DictReader(fh)}
    with store.connect() as con:
        rows = con.execute(
            """SELECT person_id || '|' || original_row, msc_charge_date, departed_date, entry_date,
                      birth_year, msc_sentence_days, source_duplicate_likely
               FROM detainers WHERE release_id = ?""",
            [f["release_id"]],
        ).fetchall()
    assert len(rows) == 22

    def date(v: str) -> dt.date | None:
        return None if v == "NA" else dt.date.fromisoformat(v)

    def integer(v: str) -> int | None:
        return None if v == "NA" else int(v)

    for key, charge, departed, entry, birth, days, dup in rows:
        s = src[key]
        assert (charge, departed, entry) == (
            date(s["msc_charge_date"]),
            date(s["departed_date"]),
            date(s["entry_date"]),
        )
        assert (birth, days) == (integer(s["birth_year"]), integer(s["msc_sentence_days"]))
        assert dup is (s["duplicate_likely"] == "TRUE")


def test_cleaned_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "st_cloud_bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + DDP_SAMPLE.read_bytes())
    store = Store(tmp_path / "store")
    (f,) = ingest([path], store).files
    assert f.layout == "lesa_2023_clean"
    with store.connect() as con:
        na_left = con.execute(
            "SELECT count(*) FROM detainers WHERE port_of_departure = 'NA' OR len(invalid_columns) > 0"
        ).fetchone()
    assert na_left == (0,)
    assert len(f.extra_columns) == 1


def test_excel_serial_in_a_1904_workbook(tmp_path: Path) -> None:
    path = tmp_path / "mac_1904.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True})
    ws = wb.add_worksheet("FY2024")
    headers = raw_2023_headers()
    ws.write_row(6, 0, headers)
    row = {
        "Detainer Prepare Date": 43890,
        "Facility State": "MINNESOTA",
        "Facility City": "ST. CLOUD",
        "Detention Facility": "MINN.C.F.,ST.CLOUD",
        "Detainer Type": DETAINER_TYPES[0],
    }
    for h, v in row.items():
        ws.write(7, headers.index(h), v)
    wb.close()
    store = Store(tmp_path / "store")
    ingest([path], store)
    with store.connect() as con:
        assert con.execute("SELECT prepare_date FROM detainers").fetchall() == [(dt.date(2024, 3, 1),)]
