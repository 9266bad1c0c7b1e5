"""``ddor``: the Declined Detainer Outcome Report for a period, in HTML, PDF, CSV or JSON."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer

from sanctuary_atlas.cli_common import StoreOption, fail, open_store, parse_iso_date
from sanctuary_atlas.measure.compiled import ddor_results
from sanctuary_atlas.measure.ddor import DDOR, assemble_ddor
from sanctuary_atlas.measure.keys import Period
from sanctuary_atlas.publish.charts import ChartRenderer
from sanctuary_atlas.publish.ddor_report import FORMATS, start_chart, write_report
from sanctuary_atlas.publish.policy import policy_book
from sanctuary_atlas.publish.printer import PdfPrinter
from sanctuary_atlas.publish.workers import WorkerError


def register(app: typer.Typer) -> None:
    app.command("ddor")(ddor_command)


def _check_out(out: Path) -> None:
    """Refuse an --out that cannot be written, before any work: its directory is never created for you."""
    parent = out.parent
    if not parent.exists():
        raise fail(f"could not write {out}: directory {parent} does not exist (create it first)")
    if not parent.is_dir():
        raise fail(f"could not write {out}: {parent} is not a directory")
    if out.is_dir():
        raise fail(f"could not write {out}: it is a directory (name the file to write)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise fail(f"could not write {out}: directory {parent} is not writable")


def _write_error(exc: Exception, out: Path) -> str:
    """Why a write failed, naming the user's --out only: never the temporary file written beside it (a
    worker's line already carries only the reason)."""
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"could not write {out}: {reason}"


def ddor_command(
    date_from: Annotated[str, typer.Option("--from", help="First prepare date of the period (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Last prepare date, inclusive.")],
    out: Annotated[Path, typer.Option("--out", help="File to write; its directory must exist.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="html, pdf, csv or json (default: from --out's extension).")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Jurisdictions in section I.")] = 25,
    min_cell: Annotated[int, typer.Option("--min-cell", help="Suppression threshold k (at least 2).")] = 5,
    store: StoreOption = None,
) -> None:
    """Rebuild the DDOR for a period: aggregates per jurisdiction, denominators, policy, fidelity flags."""
    suffix = out.suffix.lower().lstrip(".")
    if fmt is None:
        if suffix not in FORMATS:
            raise fail(f"--out {out.name!r}: give --format ({', '.join(FORMATS)}) or a file name ending in one")
        fmt = suffix
    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if suffix in FORMATS and suffix != fmt:
        raise fail(f"--out {out.name!r} says {suffix} but --format says {fmt}: name the file .{fmt}")
    if top < 1:
        raise fail(f"--top must be 1 or more, not {top}")
    if min_cell < 2:
        raise fail("reports always suppress small cells: --min-cell must be 2 or more")
    start, end = parse_iso_date(date_from, "--from"), parse_iso_date(date_to, "--to")
    if end < start:
        raise fail(f"--to {end} is before --from {start}")
    period = Period(start, end)
    _check_out(out)
    with ExitStack() as stack:
        # The renderers start in child processes now, on the other core, while the queries run (``workers``).
        charts = stack.enter_context(ChartRenderer()) if fmt in ("html", "pdf") else None
        printer = stack.enter_context(PdfPrinter()) if fmt == "pdf" else None
        start = (lambda rows: start_chart(charts, rows)) if charts is not None else None
        report = _report(period, top, min_cell, store, start)
        try:
            write_report(report, fmt, out, printer, charts)
        except (WorkerError, OSError) as exc:
            raise fail(_write_error(exc, out)) from None
    typer.echo(f"wrote {out} ({fmt}); {len(report.section_i)} jurisdictions in I, {len(report.section_ii)} in II")


def _report(
    period: Period,
    top: int,
    min_cell: int,
    store: Path | None,
    on_section_i: Callable[[list[dict[str, Any]]], None] | None = None,
) -> DDOR:
    target = open_store(store)
    releases = target.release_ids() if target.exists() else []
    if not releases:
        raise fail(f"the store at {target.root} holds no releases; run `sanctuary-atlas ingest FILE` first")
    build_id = target.fresh_build("the DDOR").get("build_id")
    con = target.connect(build_id)  # the build just found fresh, even if another is published meanwhile
    book = policy_book(target.builds_dir / build_id)
    report = assemble_ddor(
        ddor_results(target, con, period),
        period,
        book.lookup,
        counties=book.geo.counties,
        top=top,
        min_cell=min_cell,
        generated_from={"releases": releases, "build_id": build_id},
        on_section_i=on_section_i,
    )
    present = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT county_fips FROM detainers_resolved WHERE county_fips IS NOT NULL "
            "AND prepare_date BETWEEN ? AND ?",
            [period.start, period.end],
        ).fetchall()
    }
    states = {f[:2] for f in present}
    # Section III covers the jurisdictions this period's data is about: the counties with detainers, the
    # cities in them (keys "COUNTY:city") and their states. Every list entry is in `exposure` and the law docs.
    report.section_iii = [
        row
        for row in book.limiting(period.end)
        if row["jurisdiction_key"]
        and (row["jurisdiction_key"].split(":")[0] in present or row["jurisdiction_key"] in states)
    ]
    return report
