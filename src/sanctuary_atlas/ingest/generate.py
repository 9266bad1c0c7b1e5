"""A realistic generator of LESA 2023+-layout detainer releases, for tests and benchmarks at any size.

The output imitates what ICE ships, quirks included: an xlsx with six title rows above the header on row 7,
one release split over several sheets, dates as real date-formatted Excel cells, sparse date columns,
blanks, FOIA redaction markers in several spellings, and exact duplicate rows. Facilities, cities and
states come from the bundled facility lists; lift reasons and detainer types use the releases' vocabulary.

Every value derives from one seeded RNG, so a seed gives byte-identical files. Beside each file a manifest
(``<file>.manifest.json``) says what was planted: rows, sheets, which rows duplicate which, and how many
cells were redacted, so tests can check the ingest against the truth rather than against itself.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import random
import tempfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from sanctuary_atlas.ingest import contracts
from sanctuary_atlas.ingest.generate_vocab import (  # noqa: F401  (re-exported for callers)
    CACHE_ENV,
    CASE_CATEGORIES,
    CHARGES,
    COUNTRIES,
    CRIMINALITY,
    DATE_COLUMNS,
    DISPOSITIONS,
    ENTRY_STATUS,
    EXCEL_MAX_ROWS,
    FORM_2025,
    GENERATOR_VERSION,
    LIFT_REASONS,
    METHODS,
    OTHER_REASONS,
    PORTS,
    PROGRAMS,
    REDACT_ALWAYS_ELIGIBLE,
    REDACT_DATE_COLUMNS,
    TITLE_ROWS,
    TYPE_2017,
    TYPE_2025,
    TYPE_PLAIN,
    Facility,
    Fmt,
    Variant,
    _cum,
    columns_for,
    facilities,
)

_EXCEL_EPOCH = date(1899, 12, 30).toordinal()


def _serial(d: date) -> int:
    return d.toordinal() - _EXCEL_EPOCH


# --- rows ---------------------------------------------------------------------------------------------


class _Rows:
    """Draws release rows one at a time; remembers enough to plant repeat persons and exact duplicates."""

    def __init__(self, seed: int, variant: Variant, duplicate_share: float, redaction_share: float) -> None:
        self.rng = random.Random(seed)
        self.variant = variant
        self.columns = columns_for(variant)
        self.duplicate_share = duplicate_share
        self.redaction_share = redaction_share
        if variant == "2024":
            self.start, self.end = date(2023, 10, 1).toordinal(), date(2025, 6, 26).toordinal()
        else:
            self.start, self.end = date(2025, 10, 1).toordinal(), date(2026, 3, 10).toordinal()
        self.facs, self.fac_cum = facilities()
        self.lift, self.lift_cum = _cum(LIFT_REASONS)
        self.lift_code = {v: c for v, _, c in LIFT_REASONS}
        self.tables = {name: _cum(pairs) for name, pairs in (
            ("country", COUNTRIES), ("crim", CRIMINALITY), ("entry", ENTRY_STATUS), ("disp", DISPOSITIONS),
            ("cat", CASE_CATEGORIES), ("prog", PROGRAMS), ("method", METHODS))}  # fmt: skip
        self.spellings = list(contracts.redaction().examples)
        # Values are drawn under 2024 names; a variant's renamed column takes its 2024 counterpart.
        self.sources = [c.replace("Arrest Time", "Time of Apprehension") for c in self.columns]
        eligible = (*REDACT_ALWAYS_ELIGIBLE, *REDACT_DATE_COLUMNS)
        self.redactable = [(c, self.columns.index(c)) for c in eligible if c in self.columns]
        self.recent: list[tuple[int, list]] = []  # (release row, values) of recent original rows
        self.people: list[tuple] = []
        self.originals = 0
        self.duplicate_pairs: list[tuple[int, int]] = []  # (release row, release row it copies)
        self.redacted_cells: Counter[str] = Counter()
        self.rows_with_redaction = 0

    def _pick(self, table: str) -> str:
        values, cum = self.tables[table]
        return self.rng.choices(values, cum_weights=cum)[0]

    def next(self, release_row: int) -> tuple[list, int | None]:
        """The next row's values (None = blank cell, int = Excel date serial) and, for an exact
        duplicate, the release row it copies."""
        if self.recent and self.rng.random() < self.duplicate_share:
            source, values = self.recent[int(self.rng.random() * len(self.recent))]
            self._count_redactions(values)
            return list(values), source
        values = self._original()
        self.recent.append((release_row, values))
        if len(self.recent) > 500:
            del self.recent[: len(self.recent) - 500]
        self._count_redactions(values)
        return values, None

    def _count_redactions(self, values: list) -> None:
        hit = False
        for name, i in self.redactable:
            v = values[i]
            if isinstance(v, str) and v in self.spellings:
                self.redacted_cells[name] += 1
                hit = True
        self.rows_with_redaction += hit

    def _person(self, r: random.Random, prepared: int) -> tuple:
        # About one detainer in six goes to someone who already had one in this release.
        if self.people and r.random() < 0.17:
            return self.people[int(r.random() * len(self.people))]
        country = self._pick("country")
        birth = country if r.random() < 0.95 else self._pick("country")
        born = prepared - int(r.triangular(18, 65, 29) * 365.25) - int(r.random() * 365)
        uid = hashlib.sha1(f"{r.random()}".encode()).hexdigest()
        gender = "Male" if r.random() < 0.88 else ("Female" if r.random() < 0.97 else "Unknown")
        person = (uid, born, country, birth, gender, str(r.randrange(10**8, 10**9)), str(r.randrange(10**8)))
        self.people.append(person)
        if len(self.people) > 5000:
            del self.people[: len(self.people) - 5000]
        return person

    def _original(self) -> list:
        r = self.rng
        d = self.start + int(r.random() * (self.end - self.start + 1))
        weekday = date.fromordinal(d).weekday()
        if weekday >= 5 and r.random() < 0.6:  # fewer detainers at weekends: move to the Monday after
            d = d + 7 - weekday if d + 7 - weekday <= self.end else d - (weekday - 4)
        uid, born, country, birth_country, gender, a_number, subject = self._person(r, d)
        end, ep = self.end, _EXCEL_EPOCH
        fac = r.choices(self.facs, cum_weights=self.fac_cum)[0] if r.random() > 0.004 else None
        lift = r.choices(self.lift, cum_weights=self.lift_cum)[0]
        crim = self._pick("crim")
        convicted = crim.startswith("1")
        status = "ACTIVE" if not lift or r.random() < 0.6 else "CLOSED" if r.random() < 0.8 else None
        v: dict[str, object] = {
            "Detainer Prepare Date": d - ep,
            "Case Status": status,
            "Detainer Prepared Criminality": crim,
            "Detainer Prep Threat Level": str(1 + int(r.random() * 3)) if convicted else None,
            "Gender": gender,
            "Citizenship Country": country,
            "Birth Country": birth_country,
            "Birth Date": born - ep,
            "Birth Year": date.fromordinal(born).year,
            "Entry Status": self._pick("entry") or None,
            "Processing Disposition": self._pick("disp") or None,
            "Case Category": self._pick("cat") or None,
            "Final Program": self._pick("prog") or None,
            "Apprehension Method": self._pick("method") or None,
            "Detainer Lift Reason": lift or None,
            "Alien File Number": a_number,
            "EID Case ID": str(10**9 + self.originals // 2 * 3 + int(r.random() * 3)),
            "EID Subject ID": subject,
            "EID DTA ID": str(4 * 10**8 + self.originals * 7 + int(r.random() * 7)),  # unique per detainer
            "Unique Identifier": uid,
        }
        self.originals += 1
        if fac is not None:
            v |= {"Facility State": fac.state, "Facility AOR": fac.aor or None, "Facility City": fac.city,
                  "Detention Facility": fac.name, "Detention Facility Code": fac.code}  # fmt: skip
        if convicted or r.random() < 0.3:
            charge, code = CHARGES[int(r.random() * len(CHARGES))]
            charged = d - int(r.expovariate(1 / 400)) - 1
            v |= {"Most Serious Conviction (MSC) Charge": charge, "MSC Charge Code": code,
                  "MSC Charge Date": charged - ep}  # fmt: skip
            if convicted:
                v["MSC Conviction Date"] = min(d, charged + int(r.expovariate(1 / 120))) - ep
                unit = f"MSC Sentence {('Days', 'Months', 'Years')[int(r.random() ** 2 * 3)]}"
                v[unit] = 1 + int(r.expovariate(1 / 30))
            v["Felon"] = "Not an Aggravated Felon" if r.random() < 0.85 else "Aggravated Felon"
        if r.random() < 0.2:
            v |= {"Time of Apprehension Case Category": self._pick("cat") or None,
                  "Time of Apprehension Current Program": self._pick("prog") or None}  # fmt: skip
        if r.random() < 0.25:  # sparse: most people have no final order yet
            v["Final Order Date"] = d - int(r.expovariate(1 / 900)) - ep
            v["Case Final Order Yes No"] = v["Final Order Yes No"] = "YES"
        else:
            v["Case Final Order Yes No"] = v["Final Order Yes No"] = "NO" if r.random() < 0.8 else None
        if lift == "Booked into Detention":
            app = d + int(r.expovariate(1 / 20))
            if app <= end:
                v["Apprehension Date"] = app - ep
                if r.random() < 0.5 and (gone := app + 5 + int(r.expovariate(1 / 60))) <= end:
                    port = PORTS[int(r.random() * len(PORTS))]
                    v |= {"Departed Date": gone - ep, "Port of Departure": port, "Departure Country": country}
        if r.random() < 0.55:
            v["Entry Date"] = d - int(r.expovariate(1 / 2500)) - 30 - ep
        for name in self.sources:
            if name.endswith(" Yes No") and name not in v and r.random() < 0.7:
                v[name] = "NO" if r.random() < 0.8 else "YES"
        if r.random() < 0.03:
            v["Other Removal Reason"] = OTHER_REASONS[int(r.random() * len(OTHER_REASONS))]
        if r.random() < 0.04:
            v["Order to Show Cause Served Date"] = d - int(r.random() * 300) - ep
        if d >= FORM_2025.toordinal():
            v["Detainer Type"] = TYPE_2025 if r.random() < 0.9 else TYPE_PLAIN
        else:
            v["Detainer Type"] = TYPE_2017
        if self.variant == "2026":
            v["Detainer Lift Reason Code"] = self.lift_code[lift] or None
            site = f"{fac.city}, DOCKET CONTROL OFFICE" if fac and r.random() < 0.7 else None
            v["TOD Current Duty Site"] = site
        share = self.redaction_share
        for name in REDACT_ALWAYS_ELIGIBLE:
            if r.random() < share:
                v[name] = self.spellings[int(r.random() * len(self.spellings))]
        for name in REDACT_DATE_COLUMNS:
            if v.get(name) is not None and r.random() < share / 5:
                v[name] = self.spellings[int(r.random() * len(self.spellings))]
        return [v.get(c) for c in self.sources]


# --- writing ------------------------------------------------------------------------------------------


def _sheet_plan(rows: int, sheets: int | None, rows_per_sheet: int) -> list[int]:
    if rows < 0 or rows_per_sheet < 1:
        raise ValueError("rows must be >= 0 and rows_per_sheet >= 1")
    n = sheets if sheets is not None else max(1, math.ceil(rows / rows_per_sheet))
    if n < 1:
        raise ValueError("sheets must be >= 1")
    sizes = [rows // n + (1 if i < rows % n else 0) for i in range(n)]
    if max(sizes) > EXCEL_MAX_ROWS - TITLE_ROWS - 1:
        raise ValueError(f"{max(sizes):,} rows do not fit on one Excel sheet; use more sheets")
    return sizes


def _title_rows(variant: Variant, seed: int) -> list[str]:
    first, last = ("10/01/2023", "06/26/2025") if variant == "2024" else ("10/01/2025", "03/10/2026")
    foia = f"20{25 if variant == '2024' else 26}-ICLI-{seed % 100000:05d}"
    return [
        "U.S. Immigration and Customs Enforcement - Enforcement and Removal Operations",
        "LESA Statistical Tracking Unit - Detainers Prepared",
        f"FOIA Request {foia}",
        f"Detainer Prepare Date from {first} through {last}",
        "Redacted: information withheld under FOIA exemptions (b)(6) and (b)(7)(C)",
        "Unique Identifier is an anonymized person identifier, consistent within this release",
    ]


def generate_release(
    path: Path,
    rows: int,
    *,
    seed: int = 20231001,
    fmt: Fmt = "xlsx",
    sheets: int | None = None,
    rows_per_sheet: int = 1_000_000,
    variant: Variant = "2024",
    duplicate_share: float = 0.002,
    redaction_share: float = 0.01,
) -> Path:
    """Write a release of ``rows`` detainer rows (duplicates included) and its manifest; return ``path``.

    xlsx: six title rows and the header on row 7 on every sheet, rows split evenly over ``sheets`` (default:
    as many as ``rows_per_sheet`` needs). csv: header on line 1, ISO dates, one file (``sheets`` ignored).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    maker = _Rows(seed, variant, duplicate_share, redaction_share)
    sizes = _sheet_plan(rows, sheets, rows_per_sheet) if fmt == "xlsx" else [rows]
    if fmt == "xlsx":
        names = ["Detainers"] if len(sizes) == 1 else [f"Detainers {i + 1}" for i in range(len(sizes))]
        first_row = TITLE_ROWS + 2
        _write_xlsx(path, maker, sizes, names, _title_rows(variant, seed))
    elif fmt == "csv":
        names, first_row = [None], 2
        _write_csv(path, maker, rows)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    # Map release rows to (sheet index, source row) as the ingest numbers them.
    where = [(s, first_row + k) for s, n in enumerate(sizes) for k in range(n)]
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "params": {"rows": rows, "seed": seed, "fmt": fmt, "sheets": len(sizes),
                   "rows_per_sheet": rows_per_sheet, "variant": variant,
                   "duplicate_share": duplicate_share, "redaction_share": redaction_share},
        "columns": maker.columns,
        "header_row": TITLE_ROWS + 1 if fmt == "xlsx" else 1,
        "sheets": [{"name": name, "rows": n} for name, n in zip(names, sizes, strict=True)],
        "rows": rows,
        "duplicates": [[*where[row], *where[src]] for row, src in maker.duplicate_pairs],
        "redacted_cells": dict(sorted(maker.redacted_cells.items())),
        "rows_with_redaction": maker.rows_with_redaction,
    }  # fmt: skip
    manifest_path(path).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return path


def manifest_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + ".manifest.json")


def read_manifest(path: Path) -> dict:
    """What ``generate_release`` planted: rows, sheets, duplicates as [sheet, row, of sheet, of row]."""
    return json.loads(manifest_path(path).read_text(encoding="utf-8"))


def _write_xlsx(path: Path, maker: _Rows, sizes: list[int], names: list[str], titles: list[str]) -> None:
    import xlsxwriter  # optional dependency (the `generate` extra); only the generator needs it

    # constant_memory streams each row to disk as soon as the next begins, so memory stays flat at any size.
    scratch = tempfile.TemporaryDirectory(dir=path.parent, prefix=".xlsxwriter-")  # big; keep it on this disk
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": scratch.name})
    # A fixed creation time keeps the bytes identical for a given seed.
    wb.set_properties({"title": titles[1], "author": "ICE ERO LESA", "created": datetime(2025, 7, 1)})
    date_fmt = wb.add_format({"num_format": "m/d/yyyy"})
    bold = wb.add_format({"bold": True})
    is_date = [c in DATE_COLUMNS for c in maker.columns]
    release_row = 0
    for name, n in zip(names, sizes, strict=True):
        ws = wb.add_worksheet(name)
        for i, title in enumerate(titles):
            ws.write_string(i, 0, title, bold if i == 0 else None)
        ws.write_row(TITLE_ROWS, 0, maker.columns, bold)
        write_string, write_number = ws.write_string, ws.write_number
        for k in range(n):
            values, source = maker.next(release_row)
            if source is not None:
                maker.duplicate_pairs.append((release_row, source))
            excel_row = TITLE_ROWS + 1 + k
            for c, v in enumerate(values):
                if v is None:
                    continue
                if v.__class__ is str:
                    write_string(excel_row, c, v)
                elif is_date[c]:
                    write_number(excel_row, c, v, date_fmt)
                else:
                    write_number(excel_row, c, v)
            release_row += 1
    try:
        wb.close()
    finally:
        scratch.cleanup()


def _write_csv(path: Path, maker: _Rows, rows: int) -> None:
    is_date = [c in DATE_COLUMNS for c in maker.columns]
    iso: dict[int, str] = {}
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(maker.columns)
        for row in range(rows):
            values, source = maker.next(row)
            if source is not None:
                maker.duplicate_pairs.append((row, source))
            cells = []
            for c, v in enumerate(values):
                if v is None:
                    cells.append("")
                elif v.__class__ is int and is_date[c]:
                    text = iso.get(v)
                    if text is None:
                        text = iso[v] = date.fromordinal(v + _EXCEL_EPOCH).isoformat()
                    cells.append(text)
                else:
                    cells.append(str(v))
            out.writerow(cells)


# --- cache --------------------------------------------------------------------------------------------


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[3] / ".cache" / "generated"


def cached_release(
    rows: int,
    fmt: Fmt = "xlsx",
    *,
    seed: int = 20231001,
    sheets: int | None = None,
    rows_per_sheet: int = 1_000_000,
    variant: Variant = "2024",
    duplicate_share: float = 0.002,
    redaction_share: float = 0.01,
    directory: Path | None = None,
) -> Path:
    """A generated release from the cache, generated on first use. Keyed on every parameter and the
    generator version; written under a temporary name and renamed, so a concurrent or killed run never
    leaves a half-written file under the final name."""
    params = {"rows": rows, "fmt": fmt, "seed": seed, "sheets": sheets, "rows_per_sheet": rows_per_sheet,
              "variant": variant, "duplicate_share": duplicate_share, "redaction_share": redaction_share,
              "generator_version": GENERATOR_VERSION}  # fmt: skip
    key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]
    root = Path(directory) if directory is not None else cache_dir()
    path = root / f"lesa2023-{variant}-{rows}rows-seed{seed}-{key}.{fmt}"
    if path.exists() and manifest_path(path).exists():
        return path
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{os.getpid()}-{path.name}"
    try:
        generate_release(
            tmp, rows, seed=seed, fmt=fmt, sheets=sheets, rows_per_sheet=rows_per_sheet, variant=variant,
            duplicate_share=duplicate_share, redaction_share=redaction_share,
        )  # fmt: skip
        os.replace(manifest_path(tmp), manifest_path(path))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        manifest_path(tmp).unlink(missing_ok=True)
    return path
