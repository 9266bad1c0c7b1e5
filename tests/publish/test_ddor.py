"""The rebuilt DDOR: aggregates only, suppressed, denominators present, the 2017 errors flagged."""

from __future__ import annotations

import csv
import io
import json
import resource
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import ibis
from pypdf import PdfReader

from sanctuary_atlas.measure.ddor_queries import build_ddor
from sanctuary_atlas.measure.keys import Period
from sanctuary_atlas.publish.ddor_report import CHART_TITLE, write_report
from sanctuary_atlas.store import Store

from .conftest import FY2015

WEEK = ["--from", "2015-02-01", "--to", "2015-02-07"]


def _args(store: Store, out: Path, fmt: str, *extra: str) -> list[str]:
    """The command line of a one-week report."""
    return ["sanctuary-atlas", "ddor", *WEEK, "--format", fmt, "--out", str(out), "--store", str(store.root), *extra]


def _ddor(store: Store, out: Path, fmt: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _args(store, out, fmt, *extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _counts(obj: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every (field, value) pair in the report whose field is a count."""
    count_fields = {
        "issued",
        "declined",
        "honored",
        "denominator",
        "unknown",
        "transferred",
        "lifted_by_ice",
        "released_other",
        "not_picked_up",
        "insufficient_notice",
        "superseded",
        "cumulative_issued",
        "cumulative_declined",
        "cumulative_denominator",
    }
    out: list[tuple[str, Any]] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _counts(v, k)
    elif isinstance(obj, list):
        for v in obj:
            out += _counts(v, key)
    elif key in count_fields:
        out.append((key, obj))
    return out


def test_json_report_is_aggregated_suppressed_and_flags_2017_errors(built_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "ddor.json"
    done = _ddor(built_store, out, "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    counts = _counts(report)
    assert counts, "the report has counts"
    for field, value in counts:
        assert value in ("<5", "suppressed", "withheld") or value is None or not (0 < value < 5), (field, value)
    section_i = report["section_i_most_detainers"]
    assert len(section_i) == 25
    assert all("denominator" in row and "decline_rate" in row for row in section_i)
    # A jurisdiction in both I and II shows the same cells in both (else one section gives the other away).
    by_key = {(r["authority_name"], r["county_fips"]): r for r in section_i}
    for row in report["section_ii_declines"]:
        twin = by_key.get((row["authority_name"], row["county_fips"]))
        if twin is not None:
            assert (row["issued"], row["declined"], row["denominator"]) == (
                twin["issued"],
                twin["declined"],
                twin["denominator"],
            )
    hidden = [v for v in report["section_iv_fidelity"]["resolution_confidence"].values() if isinstance(v, str)]
    assert len(hidden) != 1
    flags = {f["flag"] for f in report["section_iv_fidelity"]["flags"]}
    assert {"cohort_is_issue_date", "same_name_county"} <= flags
    # No person-level fields anywhere.
    text = out.read_text()
    for forbidden in ("person_id", "unique_identifier", "birth_year", "source_row"):
        assert forbidden not in text


def test_declines_match_a_raw_recount(built_store: Store) -> None:
    """Unsuppressed (k=1, library only): local declines in II plus the state/federal/unknown rows = raw count."""
    table = ibis.duckdb.from_connection(built_store.connect()).table("detainers_resolved")
    period = Period(date(2015, 2, 1), date(2015, 2, 7))
    report = build_ddor(table, period, lambda *_: {}, min_cell=1)
    local = sum(r["declined"] for r in report.section_ii)
    other = sum(r["declined"] for r in report.non_local)
    raw = (
        duckdb.connect()
        .execute(
            f"""SELECT count(*) FROM read_csv('{FY2015}', all_varchar=true)
            WHERE "Detainer Lift Reason" = 'Detainer Declined by LEA'
              AND CAST("Prepare Date" AS DATE) BETWEEN DATE '2015-02-01' AND DATE '2015-02-07'"""
        )
        .fetchone()[0]
    )
    assert local + other == raw
    assert local > 0 and report.section_i[0]["issued"] >= report.section_i[-1]["issued"]


def test_every_format_renders(built_store: Store, tmp_path: Path) -> None:
    for fmt in ("html", "csv", "pdf"):
        out = tmp_path / f"ddor.{fmt}"
        done = _ddor(built_store, out, fmt)
        assert done.returncode == 0, done.stderr
    html = (tmp_path / "ddor.html").read_text()
    for heading in (
        "I. Jurisdictions with the most detainers issued",
        "II. Declines per jurisdiction",
        "III. Jurisdictions with limiting policies",
        "IV. Scope and data fidelity",
        "<svg",
    ):
        assert heading in html
    rows = list(csv.DictReader(io.StringIO((tmp_path / "ddor.csv").read_text())))
    assert {"I", "II", "IV"} <= {r["section"] for r in rows}
    # Section IV's numbers are in the CSV too: the period's totals and the state and federal custody table.
    bases = {r["basis"] for r in rows if r["section"] == "IV"}
    assert {"period_totals", "state_and_federal_custody", "cohort_is_issue_date"} <= bases
    pdf = PdfReader(tmp_path / "ddor.pdf")
    assert len(pdf.pages) >= 2
    _assert_chart_on_first_page(pdf)
    # Accessible: tagged (a structure tree for screen readers), with its language and title (PDF/UA-1).
    catalog = pdf.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in catalog and catalog["/Lang"] == "en"
    assert pdf.metadata is not None and "2015-02-01 to 2015-02-07" in str(pdf.metadata.title)
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Declines per jurisdiction" in text and "Maricopa County" in text


def test_bad_arguments(built_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    store = ["--store", str(built_store.root), "--out", str(out), "--format", "json"]
    cases = [
        (["--from", "2015-02-07", "--to", "2015-02-01", *store], "is before --from"),
        ([*WEEK, *store, "--min-cell", "0"], "always suppress"),
        ([*WEEK, "--store", str(built_store.root), "--out", str(out), "--format", "docx"], "--format must be"),
        (["--from", "Feb 1", "--to", "2015-02-07", *store], "is not a date"),
        ([*WEEK, *store, "--top", "0"], "--top must be 1 or more"),
        ([*WEEK, "--store", str(built_store.root), "--out", str(out), "--format", "pdf"], "says json but --format"),
        ([*WEEK, "--store", str(built_store.root), "--out", str(tmp_path / "x.txt")], "give --format"),
    ]
    for args, message in cases:
        done = subprocess.run(["sanctuary-atlas", "ddor", *args], capture_output=True, text=True, timeout=120)
        assert done.returncode != 0 and message in done.stderr, (args, done.stderr)
    assert not out.exists()


def _ddor_alone(store: Store, out: Path, fmt: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run ``ddor`` as the leader of its own session; also return the command lines of any process still
    alive in that session afterwards (renderer children it left behind), read from /proc."""
    args = _args(store, out, fmt)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    stdout, stderr = proc.communicate(timeout=300)
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # the process ended while we looked
        if int(fields[3]) == proc.pid:  # field 6 of /proc/PID/stat, the session id
            left.append(cmdline)
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr), left


def test_an_unwritable_output_is_one_clear_error(built_store: Store, tmp_path: Path) -> None:
    """--out naming a directory: one line naming the file, no traceback, no partial file, no worker left."""
    for fmt in ("html", "pdf", "json"):
        target = tmp_path / f"taken.{fmt}"
        target.mkdir()
        done, left = _ddor_alone(built_store, target, fmt)
        assert left == [], left
        assert done.returncode == 2, (fmt, done.stderr)
        assert f"could not write {target}" in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert target.is_dir() and not any(target.iterdir())
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_workers_stop_when_the_report_fails(tmp_path: Path) -> None:
    """A report that fails before rendering (here: an empty store) stops the renderers it started."""
    store = Store(tmp_path / "empty")
    done, left = _ddor_alone(store, tmp_path / "x.pdf", "pdf")
    assert done.returncode == 2 and "holds no releases" in done.stderr
    assert left == [], left


def _small_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))


def test_a_failed_write_keeps_the_previous_report(built_store: Store, tmp_path: Path) -> None:
    """The disk fills mid-write (a file-size limit of 8 KiB): the last good report stays whole."""
    for fmt in ("json", "csv", "html"):
        out = tmp_path / f"ddor.{fmt}"
        assert _ddor(built_store, out, fmt).returncode == 0
        good = out.read_bytes()
        assert len(good) > 8192
        args = _args(built_store, out, fmt)
        done = subprocess.run(
            args,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=_small_files,
        )
        assert done.returncode == 2 and "could not write" in done.stderr, (fmt, done.stderr)
        assert out.read_bytes() == good
        assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_library_writes_every_edition_without_a_cli(built_store: Store, tmp_path: Path) -> None:
    """``write_report`` alone (no workers passed in) starts its own renderers."""
    table = ibis.duckdb.from_connection(built_store.connect()).table("detainers_resolved")
    report = build_ddor(table, Period(date(2015, 2, 1), date(2015, 2, 7)), lambda *_: {})
    for fmt in ("html", "pdf"):
        write_report(report, fmt, tmp_path / f"lib.{fmt}")
    assert "<svg" in (tmp_path / "lib.html").read_text()
    _assert_chart_on_first_page(PdfReader(tmp_path / "lib.pdf"))


def _figures(node: Any) -> list[str]:
    """The alternative texts of the figures in a PDF's structure tree, below ``node``."""
    node = node.get_object()
    if isinstance(node, list):
        return [alt for child in node for alt in _figures(child)]
    if not hasattr(node, "get") or "/S" not in node:
        return []
    own = [str(node.get("/Alt"))] if node["/S"] == "/Figure" else []
    return own + (_figures(node["/K"]) if "/K" in node else [])


def _assert_chart_on_first_page(pdf: PdfReader) -> None:
    """Section I's chart (drawn by the chart worker, as vectors) is on the first page: its title, axis and
    legend are drawn there as text, and screen readers get it as a figure with its title for alternative text."""
    first = pdf.pages[0].extract_text()
    for drawn in (CHART_TITLE, "detainers issued in the period", "Small cells (hidden)", "Honoured"):
        assert drawn in first, drawn
    assert CHART_TITLE in _figures(pdf.trailer["/Root"]["/StructTreeRoot"]["/K"])


def test_a_report_waits_for_a_catalogue_another_process_is_writing(built_store: Store, tmp_path: Path) -> None:
    """DuckDB lets one process write the catalogue or many read it: a report started while a build commits
    waits its turn instead of failing (the build's side holds it for one short transaction)."""
    writer = duckdb.connect(str(built_store.catalog_path))  # as ``publish_build`` does
    try:
        proc = subprocess.Popen(_args(built_store, tmp_path / "w.json", "json"), stderr=subprocess.PIPE, text=True)
        time.sleep(2.0)
        assert proc.poll() is None, "the report waited for the catalogue"
    finally:
        writer.close()
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert json.loads((tmp_path / "w.json").read_text())["section_i_most_detainers"]
