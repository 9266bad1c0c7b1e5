"""Accounting always balances: rows read = rows loaded + rows quarantined, for any mix of row kinds.

Hypothesis writes real CSVs (FY2008-2017 layout) mixing good rows, blank rows, bad dates, redacted
dates, blank dates and redactions in other columns; the expected split is derived from the kinds it drew.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_kit import LIFT_REASONS, make_records, raw_2023_headers, write_fy2015_csv, write_raw_xlsx

from sanctuary_atlas.ingest.errors import IngestError
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

LOADED_KINDS = {"good", "good_redacted_city"}
# Spellings of one date seen in real releases; each must read back as the same day.
DATE_SPELLINGS = ["%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S"]
BAD_DATES = ["13/45/2015", "not recorded", "2015-02-30", "TBD", "0", "15/2015", "N/A"]
REDACTIONS = ["(b)(6), (b)(7)(c)", "b6, b7c", "REDACTED", "(b)(7)(E)"]

row_kind = st.sampled_from(["good", "good_redacted_city", "blank_row", "bad_date", "redacted_date", "blank_date"])


@st.composite
def release_rows(draw: st.DrawFn) -> list[tuple[str, list[str], dt.date | None]]:
    kinds = draw(st.lists(row_kind, min_size=1, max_size=60))
    out = []
    for kind in kinds:
        day = draw(st.dates(dt.date(2008, 10, 1), dt.date(2017, 9, 30)))
        date_text = day.strftime(draw(st.sampled_from(DATE_SPELLINGS)))
        city = draw(st.sampled_from(["YORK", "ADELANTO", "ST. PAUL", "Española"]))
        lift = draw(st.sampled_from([*LIFT_REASONS, ""]))
        row = [date_text, "I247D - Immigration Detainer - Request for Action", "YORK COUNTY PRISON", "PA", city, lift]
        if kind == "good_redacted_city":
            row[4] = draw(st.sampled_from(REDACTIONS))
        elif kind == "blank_row":
            row = [""] * 6
        elif kind == "bad_date":
            row[0] = draw(st.sampled_from(BAD_DATES))
        elif kind == "redacted_date":
            row[0] = draw(st.sampled_from(REDACTIONS))
        elif kind == "blank_date":
            row[0] = draw(st.sampled_from(["", "  "]))
        out.append((kind, row, day if kind in LOADED_KINDS else None))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=release_rows())
def test_accounting_always_balances(rows: list[tuple[str, list[str], dt.date | None]]) -> None:
    kinds = [k for k, _, _ in rows]
    loaded = sum(k in LOADED_KINDS for k in kinds)
    bad = kinds.count("bad_date")
    with tempfile.TemporaryDirectory() as tmp:
        path = write_fy2015_csv(Path(tmp) / "generated.csv", [r for _, r, _ in rows])
        store = Store(Path(tmp) / "store")
        if bad and bad / (bad + loaded) > 0.5:
            # Mostly unparseable dates means a wrong file: one error naming the column, nothing stored.
            try:
                ingest([path], store)
            except IngestError as exc:
                assert exc.column == "Prepare Date"
                assert exc.row == 2 + kinds.index("bad_date")
                assert not (store.root / "catalog.duckdb").exists()
                return
            raise AssertionError("a file of mostly bad dates was accepted")
        (f,) = ingest([path], store).files
        assert f.rows_read == len(rows) == f.rows_loaded + f.rows_quarantined
        assert f.rows_loaded == loaded
        assert sum(f.quarantine_reasons.values()) == f.rows_quarantined
        with store.connect() as con:
            got_loaded = dict(con.execute("SELECT source_row, prepare_date FROM detainers").fetchall())
            by_reason = con.execute(
                "SELECT quarantine_reason, list(source_row ORDER BY source_row) FROM quarantine GROUP BY 1"
            ).fetchall()
            (catalog,) = con.execute("SELECT rows_read, rows_loaded, rows_quarantined FROM releases").fetchall()
    # Row i of the data is file row i + 2 (the header is row 1).
    assert got_loaded == {i + 2: day for i, (_, _, day) in enumerate(rows) if day is not None}
    expected_groups: dict[str, list[int]] = {}
    for i, kind in enumerate(kinds):
        if kind not in LOADED_KINDS:
            # a blank date and a date of spaces are the same case
            expected_groups.setdefault(kind, []).append(i + 2)
    assert sorted(rows_ for _, rows_ in by_reason) == sorted(expected_groups.values())
    assert all(reason for reason, _ in by_reason)
    assert catalog == (f.rows_read, f.rows_loaded, f.rows_quarantined)


def test_redacted_other_column_is_flagged_and_counted(tmp_path: Path) -> None:
    rows = [
        ["2015-01-05", "I247", "YORK COUNTY PRISON", "PA", "(b)(6), (b)(7)(c)", "Lifted"],
        ["2015-01-06", "I247", "YORK COUNTY PRISON", "PA", "YORK", "Lifted"],
    ]
    store = Store(tmp_path / "store")
    (f,) = ingest([write_fy2015_csv(tmp_path / "r.csv", rows)], store).files
    assert (f.rows_loaded, f.rows_with_redaction) == (2, 1)
    with store.connect() as con:
        got = con.execute("SELECT facility_city, redacted_columns FROM detainers ORDER BY source_row").fetchall()
    assert got == [(None, ["facility_city"]), ("YORK", [])]


@st.composite
def workbook_rows(draw: st.DrawFn) -> dict[str, list[str]]:
    """Sheets of row kinds; at most a third of a sheet's dated rows have bad dates (so it stays a
    good file with a few bad rows)."""
    names = draw(
        st.lists(
            st.sampled_from(["FY2024", "FY'25 (Oct-Dec)", "Part 2", "Hoja ñ"]), min_size=1, max_size=3, unique=True
        )
    )
    out = {}
    for name in names:
        kinds = draw(st.lists(row_kind, min_size=1, max_size=40))
        good = sum(k in LOADED_KINDS for k in kinds)
        bad = [i for i, k in enumerate(kinds) if k == "bad_date"]
        for i in bad[good // 2 :]:
            kinds[i] = "good"
        out[name] = [*kinds, "good"]  # a sheet ends at its last value; blank rows sit in between
    return out


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets=workbook_rows(), seed=st.integers(0, 1000))
def test_xlsx_accounting_balances_per_sheet(sheets: dict[str, list[str]], seed: int) -> None:
    records = make_records({name: len(kinds) for name, kinds in sheets.items()}, seed=seed, sparse_blank=0)
    expected: dict[str, tuple[set[int], set[int]]] = {name: (set(), set()) for name in sheets}
    for r, kind in zip(records, [k for kinds in sheets.values() for k in kinds], strict=True):
        loaded, quarantined = expected[r.sheet]
        (loaded if kind in LOADED_KINDS else quarantined).add(r.excel_row)
        if kind == "good_redacted_city":
            r.values = {"Facility City": "(b)(6), (b)(7)(c)"}
        elif kind == "blank_row":
            r.prepare_date, r.departed_date, r.lift_reason = None, None, None
            r.values = {h: "" for h in raw_2023_headers()} | {"Mystery Column": ""}
            r.values["Birth Year"] = None
        elif kind == "bad_date":
            r.prepare_date = "13/45/2024"
        elif kind == "redacted_date":
            r.prepare_date = "(b)(6)"
        elif kind == "blank_date":
            r.prepare_date = None
    with tempfile.TemporaryDirectory() as tmp:
        path = write_raw_xlsx(Path(tmp) / "generated.xlsx", records)
        store = Store(Path(tmp) / "store")
        (f,) = ingest([path], store).files
        assert f.rows_read == sum(len(lo) + len(q) for lo, q in expected.values())
        assert f.rows_read == f.rows_loaded + f.rows_quarantined
        with store.connect() as con:
            sheet_rows = con.execute(
                "SELECT sheet, rows_read, rows_loaded, rows_quarantined FROM sheets ORDER BY sheet_index"
            ).fetchall()
            got_loaded = con.execute("SELECT source_sheet, source_row FROM detainers").fetchall()
            got_quarantined = con.execute("SELECT source_sheet, source_row FROM quarantine").fetchall()
    assert sheet_rows == [(name, len(lo) + len(q), len(lo), len(q)) for name, (lo, q) in expected.items()]
    assert sorted(got_loaded) == sorted((s, row) for s, (lo, _) in expected.items() for row in lo)
    assert sorted(got_quarantined) == sorted((s, row) for s, (_, q) in expected.items() for row in q)
