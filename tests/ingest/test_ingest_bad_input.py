"""Bad input: one clear error naming the place, a non-zero exit, and a store left exactly as it was.

Each case is a real file built here. It is run through the real CLI (a subprocess) against a copy of a
store that already holds a release, and through the library for the structured error fields.
Inputs that are merely imperfect (a few bad dates, an empty extra sheet, Windows-1252 text) must load.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import xlsxwriter
from ingest_kit import (
    FY2015_HEADER,
    PA,
    error_lines,
    make_records,
    raw_2023_headers,
    replace_zip_member,
    run_cli,
    snapshot,
    staging_files,
    write_fy2015_csv,
    write_raw_xlsx,
)
from msoffcrypto.format.ooxml import OOXMLFile

from sanctuary_atlas.ingest.errors import IngestError
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

TEN_MB = 10 * 1024 * 1024


# --- builders ---------------------------------------------------------------------------------------


def _png(tmp: Path, good: Path) -> Path:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )
    path = tmp / "detainers_fy2024.csv"  # the name lies; the bytes decide
    path.write_bytes(png)
    return path


def _truncated(tmp: Path, good: Path) -> Path:
    data = good.read_bytes()
    path = tmp / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _corrupt(tmp: Path, good: Path) -> Path:
    """A zip whose directory is intact but whose first sheet's compressed bytes are garbage."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 3
    data[middle : middle + 64] = b"\xff\x00\xaa\x55" * 16
    path = tmp / "corrupt.xlsx"
    path.write_bytes(bytes(data))
    return path


def _header_row_40(tmp: Path, good: Path) -> Path:
    records = make_records({"FY2024": 30}, seed=2, sparse_blank=0)
    return write_raw_xlsx(tmp / "header_row_40.xlsx", records, header_row=40)


def _missing_column_xlsx(tmp: Path, good: Path) -> Path:
    headers = [h for h in raw_2023_headers() if h != "Detainer Lift Reason"]
    records = make_records({"FY2024": 30}, seed=2, sparse_blank=0)
    return write_raw_xlsx(tmp / "no_lift_reason.xlsx", records, headers=headers)


def _missing_column_csv(tmp: Path, good: Path) -> Path:
    path = tmp / "no_city.csv"
    header = [h for h in FY2015_HEADER if h != "City"]
    rows = [["2015-01-0" + str(i), "I247", "ADELANTO", "CA", "Lifted"] for i in range(1, 8)]
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", "utf-8")
    return path


def _garbage_dates(tmp: Path, good: Path) -> Path:
    """A good first sheet, then a sheet whose prepare dates are all garbage (a wrong column, say)."""
    records = make_records({"FY2024": 40, "FY2025": 40}, seed=2, sparse_blank=0)
    for i, r in enumerate(records):
        if r.sheet == "FY2025":
            r.prepare_date = ["not recorded", "32/13/2024", "TBD", "ST. PAUL"][i % 4]
    return write_raw_xlsx(tmp / "garbage_dates.xlsx", records)


def _only_empty_sheets(tmp: Path, good: Path) -> Path:
    path = tmp / "empty.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("FY2024")
    wb.add_worksheet("FY2025")
    wb.close()
    return path


def _encrypted(tmp: Path, good: Path) -> Path:
    path = tmp / "protected.xlsx"
    with good.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("Password1", out)
    return path


def _huge_cell_csv(tmp: Path, good: Path) -> Path:
    rows = [
        ["2015-05-0" + str(i), "I247", "ADELANTO ICE PROCESSING CENTER", "CA", "ADELANTO", "Lifted"]
        for i in range(1, 6)
    ]
    rows[1][4] = "A" * TEN_MB  # data row 2 = file row 3 (the header is row 1)
    return write_fy2015_csv(tmp / "huge_cell.csv", rows)


def _huge_cell_xlsx(tmp: Path, good: Path) -> Path:
    records = make_records({"FY2024": 10}, seed=2, sparse_blank=0)
    records[5].values = {"Facility City": "HUGECELLMARKER"}  # Excel row 13; xlsxwriter caps cells at 32k
    path = write_raw_xlsx(tmp / "huge_cell.xlsx", records)
    replace_zip_member(path, "xl/sharedStrings.xml", b"HUGECELLMARKER", b"B" * TEN_MB)
    return path


def _zip_bomb(tmp: Path, good: Path) -> Path:
    """xlsx-shaped: the parts a workbook has, one sheet that inflates to 300 MiB of zeros."""
    path = tmp / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zf.writestr(info.filename, src.read(info.filename))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = bytes(16 * 1024**2)
            for _ in range(300 // 16 + 1):
                fh.write(block)
    return path


def _too_many_fields(tmp: Path, good: Path) -> Path:
    rows = [["2015-05-0" + str(i), "I247", "YORK COUNTY PRISON", "PA", "YORK", "Lifted"] for i in range(1, 8)]
    rows[2].append("SURPLUS")  # data row 3 = file row 4
    return write_fy2015_csv(tmp / "too_many_fields.csv", rows)


def _empty_file(tmp: Path, good: Path) -> Path:
    path = tmp / "zero_bytes.csv"
    path.write_bytes(b"")
    return path


def _truncated_gzip_csv(tmp: Path, good: Path) -> Path:
    data = PA.read_bytes()
    path = tmp / "pa_detainers_cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _corrupt_parquet(tmp: Path, good: Path) -> Path:
    path = tmp / "detainers_clean.parquet"
    path.write_bytes(b"PAR1" + bytes(range(256)) * 8 + b"PAR1")
    return path


@dataclass(frozen=True)
class Bad:
    build: Callable[[Path, Path], Path]
    sheet: str | None = None
    row: int | None = None
    column: str | None = None


BAD = {
    "png_bytes": Bad(_png),
    "zero_byte_file": Bad(_empty_file),
    "truncated_gzip_csv": Bad(_truncated_gzip_csv),
    "truncated_xlsx": Bad(_truncated),
    "corrupt_zip_member": Bad(_corrupt, sheet="FY2024"),  # the damaged member is that sheet's part
    "header_on_row_40": Bad(_header_row_40, sheet="FY2024"),
    "missing_required_column_xlsx": Bad(_missing_column_xlsx, sheet="FY2024", row=7, column="Detainer Lift Reason"),
    "missing_required_column_csv": Bad(_missing_column_csv, row=1, column="City"),
    "sheet_of_garbage_dates": Bad(_garbage_dates, sheet="FY2025", row=8, column="Detainer Prepare Date"),
    "only_empty_sheets": Bad(_only_empty_sheets),
    "password_protected": Bad(_encrypted),
    "ten_mb_cell_csv": Bad(_huge_cell_csv, row=3, column="City"),
    "ten_mb_cell_xlsx": Bad(_huge_cell_xlsx, sheet="FY2024", row=13, column="Facility City"),
    "zip_bomb": Bad(_zip_bomb),
    "corrupt_parquet": Bad(_corrupt_parquet),
    "too_many_fields_csv": Bad(_too_many_fields, row=4),
}


CASES = list(BAD)


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory, good_xlsx: Path) -> Callable[[str], Path]:
    """Each bad file built once (the zip bomb and the 10 MB cells take a moment) and shared."""
    built: dict[str, Path] = {}

    def get(case: str) -> Path:
        if case not in built:
            built[case] = BAD[case].build(tmp_path_factory.mktemp(case), good_xlsx)
        return built[case]

    return get


@pytest.mark.parametrize("case", CASES)
def test_bad_input_cli(case: str, store_dir: Path, build: Callable[[str], Path]) -> None:
    bad = BAD[case]
    path = build(case)
    before = snapshot(store_dir)

    proc = run_cli("ingest", path, "--store", store_dir)

    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = error_lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert str(path) in line
    if bad.sheet is not None:
        assert bad.sheet in line
    if bad.row is not None:
        assert f"row {bad.row}" in line
    if bad.column is not None:
        assert bad.column in line
    assert len(line) < 1000, "one clear line, not a dump of the file"
    assert snapshot(store_dir) == before
    assert staging_files(store_dir) == []


@pytest.mark.parametrize("case", CASES)
def test_bad_input_library_error_fields(case: str, store_dir: Path, build: Callable[[str], Path]) -> None:
    bad = BAD[case]
    path = build(case)
    before = snapshot(store_dir)
    with pytest.raises(IngestError) as info:
        ingest([path], Store(store_dir))
    err = info.value
    assert Path(err.file) == path
    assert (err.sheet, err.row, err.column) == (bad.sheet, bad.row, bad.column)
    assert err.message
    assert snapshot(store_dir) == before


def test_bad_input_into_a_fresh_store_creates_nothing(tmp_path: Path, good_xlsx: Path) -> None:
    root = tmp_path / "new_store"
    proc = run_cli("ingest", _garbage_dates(tmp_path, good_xlsx), "--store", root)
    assert proc.returncode != 0
    assert not root.exists() or [p for p in root.rglob("*") if p.is_file()] == []


def test_zip_bomb_is_a_bomb(build: Callable[[str], Path]) -> None:
    path = build("zip_bomb")
    assert path.stat().st_size < 2 * 1024**2
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size >= 300 * 1024**2


# --- imperfect but good input -----------------------------------------------------------------------


def test_a_few_bad_dates_are_quarantined_not_fatal(tmp_path: Path) -> None:
    records = make_records({"FY2024": 200}, seed=9, sparse_blank=0)
    bad = {records[10].excel_row: "13/45/2024", records[77].excel_row: "unknown", records[150].excel_row: "2024-02-30"}
    for r in records:
        if r.excel_row in bad:
            r.prepare_date = bad[r.excel_row]
    path = write_raw_xlsx(tmp_path / "few_bad_dates.xlsx", records)
    store = Store(tmp_path / "store")
    (f,) = ingest([path], store).files
    assert (f.rows_read, f.rows_loaded, f.rows_quarantined) == (200, 197, 3)
    with store.connect() as con:
        q = con.execute(
            "SELECT source_sheet, source_row, quarantine_reason, quarantine_detail, lift_reason "
            "FROM quarantine ORDER BY source_row"
        ).fetchall()
    assert [(s, r) for s, r, *_ in q] == [("FY2024", row) for row in sorted(bad)]
    for (_, row, reason, detail, lift), rec in zip(q, [r for r in records if r.excel_row in bad], strict=True):
        assert reason and "date" in reason
        assert bad[row] in detail  # the offending text is kept for the reader
        assert lift == rec.lift_reason  # the rest of the row is kept, not lost


def test_empty_extra_sheet_is_recorded_as_empty(tmp_path: Path) -> None:
    records = make_records({"FY2024": 50}, seed=4, sparse_blank=0)
    path = write_raw_xlsx(tmp_path / "with_empty_sheet.xlsx", records, empty_sheets=["Notes"])
    store = Store(tmp_path / "store")
    (f,) = ingest([path], store).files
    assert f.rows_read == 50
    with store.connect() as con:
        sheets = con.execute("SELECT sheet, status, rows_read FROM sheets ORDER BY sheet_index").fetchall()
    assert sheets == [("FY2024", "loaded", 50), ("Notes", "empty", 0)]


def test_windows_1252_csv_with_accented_cities(tmp_path: Path) -> None:
    rows = [
        ["2015-03-02", "I247", "SANTA FE COUNTY ADULT DETENTION", "NM", "Española", "Lifted"],
        ["2015-03-03", "I247", "FREMONT COUNTY JAIL", "CO", "Cañon City", "Booked into Detention"],
        ["2015-03-04", "I247", "DOÑA ANA COUNTY DETENTION CENTER", "NM", "Las Cruces", ""],
        ["2015-03-05", "I247", "MAYAGÜEZ", "PR", "Mayagüez", "Transferred"],
    ]
    path = write_fy2015_csv(tmp_path / "cp1252.csv", rows, encoding="cp1252")
    assert "ñ".encode("cp1252") in path.read_bytes()
    store = Store(tmp_path / "store")
    (f,) = ingest([path], store).files
    assert f.rows_read == f.rows_loaded == 4
    with store.connect() as con:
        got = con.execute(
            "SELECT prepare_date, facility_name, facility_city FROM detainers ORDER BY source_row"
        ).fetchall()
    assert got == [(dt.date.fromisoformat(r[0]), r[2], r[4]) for r in rows]


def test_windows_1252_csv_with_accent_deep_in_file(tmp_path: Path) -> None:
    """Same, with the first accented value far past any sniffing sample."""
    rows = [["2015-03-02", "I247", "YORK COUNTY PRISON", "PA", "YORK", "Lifted"]] * 3000
    rows = [*rows, ["2015-03-03", "I247", "FREMONT COUNTY JAIL", "CO", "Cañon City", "Lifted"]]
    path = write_fy2015_csv(tmp_path / "cp1252_late.csv", rows, encoding="cp1252")
    store = Store(tmp_path / "store")
    (f,) = ingest([path], store).files
    assert f.rows_read == 3001
    with store.connect() as con:
        assert con.execute("SELECT facility_city FROM detainers WHERE source_row = 3002").fetchall() == [
            ("Cañon City",)
        ]


def test_csv_source_row_survives_a_blank_line(tmp_path: Path) -> None:
    """source_row must point at the record's real row in the file, even after an empty line."""
    path = tmp_path / "blank_line.csv"
    lines = [
        ",".join(FY2015_HEADER),
        "2015-01-02,I247,YORK COUNTY PRISON,PA,YORK,Lifted",
        "",
        "2015-01-03,I247,YORK COUNTY PRISON,PA,YORK,Transferred",
        "not a date,I247,YORK COUNTY PRISON,PA,YORK,Lifted",
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    store = Store(tmp_path / "store")
    ingest([path], store)
    with store.connect() as con:
        loaded = con.execute("SELECT source_row, lift_reason FROM detainers ORDER BY 1").fetchall()
        quarantined = con.execute("SELECT source_row, quarantine_reason FROM quarantine ORDER BY 1").fetchall()
    assert (2, "Lifted") in loaded
    assert (4, "Transferred") in loaded
    # The blank line is a row of the file like any other: kept, as an empty row in the quarantine.
    assert quarantined == [(3, "empty_row"), (5, "unparseable_prepare_date")]


def test_too_many_fields_names_the_row(tmp_path: Path, good_xlsx: Path) -> None:
    path = _too_many_fields(tmp_path, good_xlsx)
    with pytest.raises(IngestError) as info:
        ingest([path], Store(tmp_path / "store"))
    assert info.value.row == 4


def test_header_only_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "header_only.csv"
    path.write_text(",".join(FY2015_HEADER) + "\n", "utf-8")
    store = Store(tmp_path / "store")
    with pytest.raises(IngestError, match="no data rows"):
        ingest([path], store)
    assert not store.root.exists()
