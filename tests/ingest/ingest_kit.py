"""Helpers for the ingest tests: real files written with xlsxwriter/csv, store snapshots, the CLI.

Nothing here imports the code under test except to *call* it: expected values come from the rows these
helpers generate (or from plain DuckDB recounts of the bundled files), never from the ingest code.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import os
import random
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
CONTRACTS = REPO / "src" / "sanctuary_atlas" / "ingest" / "contracts"
FY2015 = DATA / "ice-detainers-fy2015-nprapps" / "detainers_fy2015ytd.csv.gz"
PA = DATA / "ice-detainers-pa-2008-2015" / "pa_detainers.csv.gz"
DDP_SAMPLE = DATA / "ice-detainers-ddp-format-mn-sample" / "st_cloud_denied.csv"
FACILITY_LIST = DATA / "ice-facilities" / "ice_facility_list_2017-11-06_uwchr_clean.csv.gz"
CLI = Path(sys.executable).parent / "sanctuary-atlas"

# Header of the FY2008-2017 national detail (as in the bundled FY2015 file), written out by hand.
FY2015_HEADER = [
    "Prepare Date",
    "Detainer Type",
    "Detainer Detention Facility",
    "State",
    "City",
    "Detainer Lift Reason",
]
# Real vocabularies, as they appear in the bundled FY2015 release and the 2023+ sample.
LIFT_REASONS = [
    "Booked into Detention",
    "Detainer Declined by LEA",
    "Lifted",
    "Prosecutorial Discretion",
    "Case Closed",
    "Transferred",
    "Alien Not Subject to Deportation",
    "Early Release",
    "United States Citizen Interviewed",
    "Died",
]
DETAINER_TYPES = [
    "I247A - Immigration Detainer - Notice of Action (as of May 2025)",
    "I247D - Immigration Detainer - Request for Action",
    "I247N - Immigration Advisal - Request for Notification",
]
REDACTION_MARK = "(b)(6), (b)(7)(c)"
TITLE_ROWS = [
    "U.S. Immigration and Customs Enforcement",
    "Enforcement and Removal Operations",
    "LESA Detainers",
    "Detainers prepared FY2024 through FY2025",
    "Data as of 03/11/2026",
    "",
]


def load_toml(name: str) -> dict[str, Any]:
    return tomllib.loads((CONTRACTS / name).read_text("utf-8"))


def raw_2023_headers() -> list[str]:
    """One real header per canonical target, in contract order, from contracts/lesa_2023_raw.toml.

    The first spelling of each target is the current one (Detention Facility, Unique Identifier).
    """
    seen: set[str] = set()
    out: list[str] = []
    for header, target in load_toml("lesa_2023_raw.toml")["columns"].items():
        if target not in seen:
            seen.add(target)
            out.append(header)
    return out


def snake(header: str) -> str:
    """janitor::clean_names as the Deportation Data Project applies it (enough for these headers)."""
    out, prev_us = [], False
    for ch in header.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            prev_us = False
        elif not prev_us:
            out.append("_")
            prev_us = True
    return "".join(out).strip("_")


@dataclass(frozen=True)
class Facility:
    code: str
    name: str
    city: str
    state: str


@cache
def real_facilities() -> list[Facility]:
    with gzip.open(FACILITY_LIST, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Facility(r["detloc"].strip(), r["name"].strip(), r["city"].strip(), r["state"].strip())
        for r in rows
        if r["detloc"].strip()
        and r["name"].strip()
        and r["city"].strip()
        and r["state"].strip()
        and r["detloc"].strip() != "Redacted"  # the list itself withholds some (ORR) facilities
    ]


# --- the 2023+ raw release -------------------------------------------------------------------------


@dataclass
class Record:
    """One generated detainer row; the ground truth the tests compare the store against."""

    sheet: str
    excel_row: int
    prepare_date: dt.date | str | None
    departed_date: dt.date | None
    facility: Facility
    lift_reason: str | None
    detainer_type: str
    person_id: str | None  # None means the cell holds a redaction marker
    birth_year: int
    mystery: str
    values: dict[str, Any] = field(default_factory=dict)


def make_records(sheets: dict[str, int], seed: int = 7, sparse_blank: int = 2000, duplicates: int = 0) -> list[Record]:
    """Rows for each sheet. ``departed_date`` is blank for the first ``sparse_blank`` rows of the release,
    then filled on every row. The last ``duplicates`` rows of the release repeat earlier rows exactly."""
    rng = random.Random(seed)
    facilities = real_facilities()
    out: list[Record] = []
    n = 0
    start = dt.date(2023, 10, 1)
    for sheet, count in sheets.items():
        for i in range(count):
            if duplicates and n >= sum(sheets.values()) - duplicates:
                src = rng.choice([r for r in out[:50] if r.person_id is not None])
                out.append(
                    Record(
                        sheet,
                        8 + i,
                        src.prepare_date,
                        src.departed_date,
                        src.facility,
                        src.lift_reason,
                        src.detainer_type,
                        src.person_id,
                        src.birth_year,
                        src.mystery,
                    )
                )
                n += 1
                continue
            prep = start + dt.timedelta(days=rng.randrange(0, 700))
            out.append(
                Record(
                    sheet=sheet,
                    excel_row=8 + i,  # six title rows, row 7 header
                    prepare_date=prep,
                    departed_date=(prep + dt.timedelta(days=rng.randrange(1, 90))) if n >= sparse_blank else None,
                    facility=rng.choice(facilities),
                    lift_reason=rng.choice([*LIFT_REASONS, None, None]),
                    detainer_type=rng.choice(DETAINER_TYPES),
                    person_id=None if n % 97 == 13 else hashlib.sha1(f"{seed}-{n}".encode()).hexdigest(),
                    birth_year=rng.randrange(1950, 2006),
                    mystery=f"M{n}",
                )
            )
            n += 1
    return out


def write_raw_xlsx(
    path: Path,
    records: Sequence[Record],
    headers: list[str] | None = None,
    title_rows: Sequence[str] = TITLE_ROWS,
    extra_column: str | None = "Mystery Column",
    empty_sheets: Sequence[str] = (),
    header_row: int = 7,
) -> Path:
    """A LESA 2023+ release as ICE ships it: title rows, header on ``header_row``, one block per sheet,
    dates as real Excel date cells."""
    headers = list(headers or raw_2023_headers())
    if extra_column:
        headers.append(extra_column)
    col = {h: i for i, h in enumerate(headers)}
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "mm/dd/yyyy"})
    by_sheet: dict[str, list[Record]] = {}
    for r in records:
        by_sheet.setdefault(r.sheet, []).append(r)
    for name, rows in by_sheet.items():
        ws = wb.add_worksheet(name)
        for i, title in enumerate(title_rows):
            if title:
                ws.write_string(i, 0, title)
        ws.write_row(header_row - 1, 0, headers)
        for offset, r in enumerate(rows):
            x = header_row + offset  # zero-based row index of this record
            _put_date(ws, x, col.get("Detainer Prepare Date"), r.prepare_date, date_fmt)
            _put_date(ws, x, col.get("Departed Date"), r.departed_date, date_fmt)
            cells = {
                "Facility State": r.facility.state,
                "Facility City": r.facility.city,
                "Detention Facility": r.facility.name,
                "Detainer Facility": r.facility.name,
                "Detention Facility Code": r.facility.code,
                "Detainer Lift Reason": r.lift_reason,
                "Detainer Type": r.detainer_type,
                "Unique Identifier": r.person_id if r.person_id is not None else REDACTION_MARK,
                "Anonymized Identifier": r.person_id if r.person_id is not None else REDACTION_MARK,
                "Birth Year": r.birth_year,
                "Gender": "Male" if r.birth_year % 2 else "Female",
                **({extra_column: r.mystery} if extra_column else {}),
                **r.values,
            }
            for h, v in cells.items():
                if h in col and v is not None:
                    if isinstance(v, int):
                        ws.write_number(x, col[h], v)
                    else:
                        ws.write_string(x, col[h], str(v))
    for name in empty_sheets:
        wb.add_worksheet(name)
    wb.close()
    return path


def _put_date(ws: Any, row: int, column: int | None, value: dt.date | str | None, fmt: Any) -> None:
    if column is None or value is None:
        return
    if isinstance(value, dt.date):
        ws.write_datetime(row, column, dt.datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_string(row, column, value)


def write_fy2015_csv(path: Path, rows: Sequence[Sequence[str]], encoding: str = "utf-8") -> Path:
    """A CSV in the FY2008-2017 national detail layout."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(FY2015_HEADER)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def replace_zip_member(path: Path, member: str, old: bytes, new: bytes) -> None:
    """Rewrite one member of a zip with ``old`` replaced by ``new`` (used for cells xlsxwriter refuses)."""
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            if info.filename == member:
                assert old in data, f"{old!r} not in {member}"
                data = data.replace(old, new)
            zf.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)


# --- the store, seen from outside --------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, Any]:
    """Everything a reader of the store can see: every file's bytes (by hash) and directory outside the
    scratch area ``.staging``, every file inside it, and the catalogue's content through a plain query."""
    listing: dict[str, str] = {}
    if root.exists():
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root).as_posix()
            if p.is_dir():
                if not rel.startswith(".staging"):
                    listing[rel + "/"] = "dir"
            else:
                listing[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    catalog: dict[str, list[tuple[Any, ...]]] = {}
    cat = root / "catalog.duckdb"
    if cat.exists():
        with duckdb.connect(str(cat), read_only=True) as con:
            for table in ("releases", "sheets", "quarantine_reasons"):
                catalog[table] = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    return {"files": listing, "catalog": catalog}


def staging_files(root: Path) -> list[Path]:
    staging = root / ".staging"
    return [p for p in staging.rglob("*") if p.is_file()] if staging.exists() else []


def run_cli(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SANCTUARY_ATLAS_STORE"}
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "250"})
    return subprocess.run(
        [str(CLI), *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip().lower().startswith("error")]
